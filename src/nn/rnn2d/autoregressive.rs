//! The 2D RNN behind the `Autoregressive` interface: its plain passes, or, when the
//! configuration asks for the code symmetry, their orbit averages (`nn::code_symmetry`).

use super::{Rnn2d, Rnn2dWorkspace};
use crate::nn::{Autoregressive, Params};

impl Autoregressive for Rnn2d {
    type Workspace = Rnn2dWorkspace;

    fn sites(&self) -> usize {
        self.size * self.size
    }

    fn params(&self) -> &Params {
        &self.params
    }

    fn params_mut(&mut self) -> &mut Params {
        &mut self.params
    }

    fn uniform_columns(&self) -> usize {
        // One more uniform per sample picks the codeword.
        self.sites() + usize::from(self.code.is_some())
    }

    fn sample_with(
        &self,
        uniforms: ndarray::ArrayView2<f64>,
        bits: ndarray::ArrayViewMut2<u8>,
        log_p: ndarray::ArrayViewMut1<f64>,
        ws: &mut Rnn2dWorkspace,
    ) {
        self.sample_by(false, uniforms, bits, log_p, ws);
    }

    fn sample_sharing_prefixes(
        &self,
        uniforms: ndarray::ArrayView2<f64>,
        bits: ndarray::ArrayViewMut2<u8>,
        log_p: ndarray::ArrayViewMut1<f64>,
        ws: &mut Rnn2dWorkspace,
    ) {
        self.sample_by(true, uniforms, bits, log_p, ws);
    }

    fn log_prob(
        &self,
        bits: ndarray::ArrayView2<u8>,
        log_p: ndarray::ArrayViewMut1<f64>,
        ws: &mut Rnn2dWorkspace,
    ) {
        let Some(code) = &self.code else {
            return self.plain_log_prob(bits, log_p, ws);
        };
        let orbits = code.orbits(bits);
        let mut orbit_log_p = ndarray::Array1::zeros(orbits.nrows());
        self.plain_log_prob(orbits.view(), orbit_log_p.view_mut(), ws);
        code.symmetrise(orbit_log_p.view(), log_p);
    }

    fn log_prob_single_flips(
        &self,
        bits: ndarray::ArrayView2<u8>,
        log_p: ndarray::ArrayViewMut1<f64>,
        mut flipped: ndarray::ArrayViewMut2<f64>,
        ws: &mut Rnn2dWorkspace,
    ) {
        let Some(code) = &self.code else {
            return self.plain_single_flips(bits, log_p, flipped, ws);
        };
        let orbits = code.orbits(bits);
        let mut orbit_log_p = ndarray::Array1::zeros(orbits.nrows());
        let mut orbit_flipped = ndarray::Array2::zeros((orbits.nrows(), self.sites()));
        self.plain_single_flips(
            orbits.view(),
            orbit_log_p.view_mut(),
            orbit_flipped.view_mut(),
            ws,
        );
        code.symmetrise(orbit_log_p.view(), log_p);
        // (e ⊕ c)^i = e^i ⊕ c: column i of the orbit's flips is the orbit of e^i.
        for (i, mut column) in flipped.columns_mut().into_iter().enumerate() {
            code.symmetrise(orbit_flipped.column(i), column.view_mut());
        }
    }

    fn accumulate_grad(
        &self,
        bits: ndarray::ArrayView2<u8>,
        weights: ndarray::ArrayView1<f64>,
        grad: &mut Params,
        ws: &mut Rnn2dWorkspace,
    ) {
        let Some(code) = &self.code else {
            return self.plain_accumulate_grad(bits, weights, grad, ws);
        };
        let orbits = code.orbits(bits);
        let mut orbit_log_p = ndarray::Array1::zeros(orbits.nrows());
        self.plain_log_prob(orbits.view(), orbit_log_p.view_mut(), ws);
        let mut pi = code.orbit_weights(orbit_log_p.view());
        for (m, mut group) in pi.exact_chunks_mut(code.len()).into_iter().enumerate() {
            group *= weights[m];
        }
        self.plain_accumulate_grad(orbits.view(), pi.view(), grad, ws);
    }

    fn log_derivatives(
        &self,
        bits: ndarray::ArrayView2<u8>,
        mut out: ndarray::ArrayViewMut2<f64>,
        ws: &mut Rnn2dWorkspace,
    ) {
        let Some(code) = &self.code else {
            return self.plain_log_derivatives(bits, out, ws);
        };
        let orbits = code.orbits(bits);
        let mut orbit_log_p = ndarray::Array1::zeros(orbits.nrows());
        self.plain_log_prob(orbits.view(), orbit_log_p.view_mut(), ws);
        let pi = code.orbit_weights(orbit_log_p.view());
        let mut per_row = ndarray::Array2::zeros((orbits.nrows(), out.ncols()));
        self.plain_log_derivatives(orbits.view(), per_row.view_mut(), ws);
        out.assign(&code.weighted_rows(pi.view(), per_row.view()));
    }
}

impl Rnn2d {
    /// Sampling from p, or from p_sym when the code symmetry is on (a plain sample XOR a
    /// codeword), computing each distinct prefix once if `share`.
    fn sample_by(
        &self,
        share: bool,
        uniforms: ndarray::ArrayView2<f64>,
        mut bits: ndarray::ArrayViewMut2<u8>,
        mut log_p: ndarray::ArrayViewMut1<f64>,
        ws: &mut Rnn2dWorkspace,
    ) {
        let plain = |uniforms, bits, log_p, ws: &mut Rnn2dWorkspace| {
            if share {
                self.plain_sample_shared(uniforms, bits, log_p, ws)
            } else {
                self.plain_sample_with(uniforms, bits, log_p, ws)
            }
        };
        let Some(code) = &self.code else {
            return plain(uniforms, bits, log_p, ws);
        };
        let n = self.sites();
        plain(
            uniforms.slice(ndarray::s![.., ..n]),
            bits.view_mut(),
            log_p.view_mut(),
            ws,
        );

        let words = code.words();
        for (mut row, &u) in bits.rows_mut().into_iter().zip(uniforms.column(n)) {
            let j = ((u * code.len() as f64) as usize).min(code.len() - 1);
            ndarray::Zip::from(&mut row)
                .and(&words.row(j))
                .for_each(|b, &w| *b ^= w);
        }
        // e ⊕ c has the orbit of e: its p_sym from the plain log p of the orbit.
        self.log_prob(bits.view(), log_p, ws);
    }
}
