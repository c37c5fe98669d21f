//! The network a run trains (`network.cell`): one of the autoregressive cells behind one type,
//! with the ground-state code symmetry (`nn::code_symmetry`) applied around whichever cell it
//! is, so every objective, estimator, optimiser, landscape, curvature and distance takes every
//! cell unchanged.

use std::sync::Arc;

mod config;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2};

use super::code_symmetry::CodeWords;
use super::grid::GridRnn;
use super::made::Made;
use super::rnn2d::{Rnn2d, Rnn2dWorkspace};
use super::transformer::Transformer;
use super::{Autoregressive, LayoutError, Params};
pub use config::{Cell, NetworkConfig, Symmetry, PAPER_PARAMETERS};

/// One cell's plain network.
#[derive(Debug, Clone, PartialEq)]
enum Plain {
    Rnn2d(Rnn2d),
    Grid(GridRnn),
    Made(Made),
    Transformer(Transformer),
}

/// Scratch memory of one thread for a network of any cell.
#[derive(Debug, Default, Clone)]
pub struct NetworkWorkspace {
    rnn2d: Rnn2dWorkspace,
}

/// A network of any cell over an L × L lattice, with the code symmetry when its
/// configuration asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    config: NetworkConfig,
    size: usize,
    plain: Plain,
    /// The code the distribution is averaged over, when it is (`Symmetry::Code`, or a
    /// reporting copy of a `CodeAfter` network).
    code: Option<Arc<CodeWords>>,
}

impl Network {
    /// A network with the given parameters, refused if their layout does not match.
    pub fn from_params(
        config: NetworkConfig,
        size: usize,
        params: Params,
    ) -> Result<Self, LayoutError> {
        if params.specs() != config.tensor_specs(size).as_slice() {
            return Err(LayoutError::Network {
                cell: config.cell.name(),
                hidden: config.hidden,
            });
        }
        let plain = match config.cell {
            Cell::Rnn2d => Plain::Rnn2d(Rnn2d::from_params(config, size, params)?),
            Cell::Made => Plain::Made(Made::from_params(
                size,
                config.hidden,
                config.activation,
                params,
            )?),
            Cell::Gru2d | Cell::Tensorized2d => Plain::Grid(GridRnn::from_params(
                config.cell.grid().expect("a 2D cell"),
                size,
                config.hidden,
                config.activation,
                params,
            )?),
            Cell::Transformer => Plain::Transformer(Transformer::from_params(
                size,
                config.hidden,
                config.activation,
                params,
            )?),
        };
        Self::around(config, size, plain)
    }

    fn around(config: NetworkConfig, size: usize, plain: Plain) -> Result<Self, LayoutError> {
        let code = match config.symmetry {
            Symmetry::Code => {
                Some(CodeWords::of_lattice(size).ok_or(LayoutError::Symmetry { size })?)
            }
            Symmetry::None | Symmetry::CodeAfter => None,
        };
        Ok(Self {
            config,
            size,
            plain,
            code,
        })
    }

    /// The same weights with the code symmetry applied (what a `code-after` run reports).
    pub fn symmetrised(&self) -> Result<Self, LayoutError> {
        Ok(Self {
            code: Some(
                CodeWords::of_lattice(self.size)
                    .ok_or(LayoutError::Symmetry { size: self.size })?,
            ),
            ..self.clone()
        })
    }

    /// The network whose samples and probabilities a run reports: itself, or for
    /// `code-after` its symmetrised copy.
    pub fn reporting(&self) -> std::borrow::Cow<'_, Self> {
        match (self.config.symmetry, &self.code) {
            (Symmetry::CodeAfter, None) => self
                .symmetrised()
                .map_or(std::borrow::Cow::Borrowed(self), std::borrow::Cow::Owned),
            _ => std::borrow::Cow::Borrowed(self),
        }
    }

    /// The code the distribution is averaged over, if it is.
    pub fn code(&self) -> Option<&CodeWords> {
        self.code.as_deref()
    }

    /// The configuration it was built from.
    pub fn config(&self) -> NetworkConfig {
        self.config
    }

    /// The cell.
    pub fn cell(&self) -> Cell {
        self.config.cell
    }

    /// Linear lattice size L.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Hidden units.
    pub fn hidden(&self) -> usize {
        self.config.hidden
    }
}

/// The plain cell's pass, whichever cell it is.
macro_rules! plain {
    ($self:ident, $ws:ident, $net:ident, $rnn_ws:ident => $call:expr) => {
        match &$self.plain {
            Plain::Rnn2d($net) => {
                let $rnn_ws = &mut $ws.rnn2d;
                $call
            }
            Plain::Grid($net) => {
                let $rnn_ws = &mut ();
                $call
            }
            Plain::Made($net) => {
                let $rnn_ws = &mut ();
                $call
            }
            Plain::Transformer($net) => {
                let $rnn_ws = &mut ();
                $call
            }
        }
    };
}

/// The plain passes, which the code symmetry averages over orbits.
impl Network {
    fn plain_sample(
        &self,
        share: bool,
        uniforms: ArrayView2<f64>,
        bits: ArrayViewMut2<u8>,
        log_p: ArrayViewMut1<f64>,
        ws: &mut NetworkWorkspace,
    ) {
        if share {
            plain!(self, ws, net, w => net.sample_sharing_prefixes(uniforms, bits, log_p, w))
        } else {
            plain!(self, ws, net, w => net.sample_with(uniforms, bits, log_p, w))
        }
    }

    fn plain_log_prob(
        &self,
        bits: ArrayView2<u8>,
        log_p: ArrayViewMut1<f64>,
        ws: &mut NetworkWorkspace,
    ) {
        plain!(self, ws, net, w => net.log_prob(bits, log_p, w))
    }

    fn plain_single_flips(
        &self,
        bits: ArrayView2<u8>,
        log_p: ArrayViewMut1<f64>,
        flipped: ArrayViewMut2<f64>,
        ws: &mut NetworkWorkspace,
    ) {
        plain!(self, ws, net, w => net.log_prob_single_flips(bits, log_p, flipped, w))
    }

    fn plain_accumulate_grad(
        &self,
        bits: ArrayView2<u8>,
        weights: ArrayView1<f64>,
        grad: &mut Params,
        ws: &mut NetworkWorkspace,
    ) {
        plain!(self, ws, net, w => net.accumulate_grad(bits, weights, grad, w))
    }

    fn plain_log_derivatives(
        &self,
        bits: ArrayView2<u8>,
        out: ArrayViewMut2<f64>,
        ws: &mut NetworkWorkspace,
    ) {
        plain!(self, ws, net, w => net.log_derivatives(bits, out, w))
    }

    /// Sampling from p, or from p_sym when the code symmetry is on (a plain sample XOR a
    /// codeword), computing each distinct prefix once if `share`.
    fn sample_by(
        &self,
        share: bool,
        uniforms: ArrayView2<f64>,
        mut bits: ArrayViewMut2<u8>,
        mut log_p: ArrayViewMut1<f64>,
        ws: &mut NetworkWorkspace,
    ) {
        let Some(code) = &self.code else {
            return self.plain_sample(share, uniforms, bits, log_p, ws);
        };
        let n = self.sites();
        self.plain_sample(
            share,
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

impl Autoregressive for Network {
    type Workspace = NetworkWorkspace;

    fn sites(&self) -> usize {
        self.size * self.size
    }

    fn params(&self) -> &Params {
        match &self.plain {
            Plain::Rnn2d(net) => net.params(),
            Plain::Grid(net) => net.params(),
            Plain::Made(net) => net.params(),
            Plain::Transformer(net) => net.params(),
        }
    }

    fn params_mut(&mut self) -> &mut Params {
        match &mut self.plain {
            Plain::Rnn2d(net) => net.params_mut(),
            Plain::Grid(net) => net.params_mut(),
            Plain::Made(net) => net.params_mut(),
            Plain::Transformer(net) => net.params_mut(),
        }
    }

    fn uniform_columns(&self) -> usize {
        // One more uniform per sample picks the codeword.
        self.sites() + usize::from(self.code.is_some())
    }

    fn sample_with(
        &self,
        uniforms: ArrayView2<f64>,
        bits: ArrayViewMut2<u8>,
        log_p: ArrayViewMut1<f64>,
        ws: &mut NetworkWorkspace,
    ) {
        self.sample_by(false, uniforms, bits, log_p, ws);
    }

    fn sample_sharing_prefixes(
        &self,
        uniforms: ArrayView2<f64>,
        bits: ArrayViewMut2<u8>,
        log_p: ArrayViewMut1<f64>,
        ws: &mut NetworkWorkspace,
    ) {
        self.sample_by(true, uniforms, bits, log_p, ws);
    }

    fn log_prob(&self, bits: ArrayView2<u8>, log_p: ArrayViewMut1<f64>, ws: &mut NetworkWorkspace) {
        let Some(code) = &self.code else {
            return self.plain_log_prob(bits, log_p, ws);
        };
        let orbits = code.orbits(bits);
        let mut orbit_log_p = Array1::zeros(orbits.nrows());
        self.plain_log_prob(orbits.view(), orbit_log_p.view_mut(), ws);
        code.symmetrise(orbit_log_p.view(), log_p);
    }

    fn log_prob_single_flips(
        &self,
        bits: ArrayView2<u8>,
        log_p: ArrayViewMut1<f64>,
        mut flipped: ArrayViewMut2<f64>,
        ws: &mut NetworkWorkspace,
    ) {
        let Some(code) = &self.code else {
            return self.plain_single_flips(bits, log_p, flipped, ws);
        };
        let orbits = code.orbits(bits);
        let mut orbit_log_p = Array1::zeros(orbits.nrows());
        let mut orbit_flipped = Array2::zeros((orbits.nrows(), self.sites()));
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
        bits: ArrayView2<u8>,
        weights: ArrayView1<f64>,
        grad: &mut Params,
        ws: &mut NetworkWorkspace,
    ) {
        let Some(code) = &self.code else {
            return self.plain_accumulate_grad(bits, weights, grad, ws);
        };
        let orbits = code.orbits(bits);
        let mut orbit_log_p = Array1::zeros(orbits.nrows());
        self.plain_log_prob(orbits.view(), orbit_log_p.view_mut(), ws);
        let mut pi = code.orbit_weights(orbit_log_p.view());
        for (m, mut group) in pi.exact_chunks_mut(code.len()).into_iter().enumerate() {
            group *= weights[m];
        }
        self.plain_accumulate_grad(orbits.view(), pi.view(), grad, ws);
    }

    fn log_derivatives(
        &self,
        bits: ArrayView2<u8>,
        mut out: ArrayViewMut2<f64>,
        ws: &mut NetworkWorkspace,
    ) {
        let Some(code) = &self.code else {
            return self.plain_log_derivatives(bits, out, ws);
        };
        let orbits = code.orbits(bits);
        let mut orbit_log_p = Array1::zeros(orbits.nrows());
        self.plain_log_prob(orbits.view(), orbit_log_p.view_mut(), ws);
        let pi = code.orbit_weights(orbit_log_p.view());
        let mut per_row = Array2::zeros((orbits.nrows(), out.ncols()));
        self.plain_log_derivatives(orbits.view(), per_row.view_mut(), ws);
        out.assign(&code.weighted_rows(pi.view(), per_row.view()));
    }
}
