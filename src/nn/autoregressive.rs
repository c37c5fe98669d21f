//! The interface every autoregressive network offers to the annealing engine.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2};
use rand::{Rng, RngExt};

use super::Params;

/// A normalised distribution p(e) = Π_s p(e_s | e_<s) over bit strings of fixed length,
/// sampled exactly site by site.
///
/// Scratch buffers live in a caller-owned `Workspace`, so one network can be evaluated on
/// several threads at once and no call allocates once the batch shape has been seen.
pub trait Autoregressive: Send + Sync {
    /// Reusable scratch memory for one thread.
    type Workspace: Default + Send;

    /// Number of sites N (length of a configuration).
    fn sites(&self) -> usize;

    /// The parameters.
    fn params(&self) -> &Params;

    /// The parameters, for the optimiser.
    fn params_mut(&mut self) -> &mut Params;

    /// Uniforms a sample takes: one per site, and any the network needs besides (a
    /// code-symmetrised network draws its codeword with one more).
    fn uniform_columns(&self) -> usize {
        self.sites()
    }

    /// Draw one configuration per row of `uniforms` ([`Autoregressive::uniform_columns`]
    /// columns; entry s decides site s, e_s = 1 iff u < p(e_s = 1 | e_<s)), writing the bits
    /// and their log p.
    fn sample_with(
        &self,
        uniforms: ArrayView2<f64>,
        bits: ArrayViewMut2<u8>,
        log_p: ArrayViewMut1<f64>,
        ws: &mut Self::Workspace,
    );

    /// [`Autoregressive::sample_with`] for callers that need the distribution rather than the
    /// training pass's bits: the same draws, but a network may run each distinct prefix once
    /// (a trained network's samples mostly repeat), so log p can differ in the last place.
    /// Landscapes and films use it.
    fn sample_sharing_prefixes(
        &self,
        uniforms: ArrayView2<f64>,
        bits: ArrayViewMut2<u8>,
        log_p: ArrayViewMut1<f64>,
        ws: &mut Self::Workspace,
    ) {
        self.sample_with(uniforms, bits, log_p, ws);
    }

    /// log p of each row of `bits` (one teacher-forced pass).
    fn log_prob(&self, bits: ArrayView2<u8>, log_p: ArrayViewMut1<f64>, ws: &mut Self::Workspace);

    /// log p of each row and of every single-flip neighbour: `flipped[[m, i]]` is log p of
    /// row m with bit i flipped. The default evaluates N + 1 full passes; networks override
    /// it to reuse the conditionals before the flipped site.
    fn log_prob_single_flips(
        &self,
        bits: ArrayView2<u8>,
        mut log_p: ArrayViewMut1<f64>,
        mut flipped: ArrayViewMut2<f64>,
        ws: &mut Self::Workspace,
    ) {
        self.log_prob(bits, log_p.view_mut(), ws);
        let mut work = bits.to_owned();
        for i in 0..self.sites() {
            work.column_mut(i).mapv_inplace(|b| b ^ 1);
            self.log_prob(work.view(), flipped.column_mut(i), ws);
            work.column_mut(i).mapv_inplace(|b| b ^ 1);
        }
    }

    /// grad ← grad + Σ_m weights[m]·∇_θ log p(bits[m]).
    fn accumulate_grad(
        &self,
        bits: ArrayView2<u8>,
        weights: ArrayView1<f64>,
        grad: &mut Params,
        ws: &mut Self::Workspace,
    );

    /// Row m of `out` ← ∇_θ log p(bits[m]), flat in parameter order: the per-sample
    /// log-derivatives D of the natural gradient (SPEC §8.1). The default takes one backward
    /// pass per row; networks override it with one pass for the batch.
    fn log_derivatives(
        &self,
        bits: ArrayView2<u8>,
        mut out: ArrayViewMut2<f64>,
        ws: &mut Self::Workspace,
    ) {
        let one = ndarray::arr1(&[1.0]);
        for (m, mut row) in out.rows_mut().into_iter().enumerate() {
            let mut grad = self.params().zeros_like();
            self.accumulate_grad(
                bits.slice(ndarray::s![m..m + 1, ..]),
                one.view(),
                &mut grad,
                ws,
            );
            row.assign(&grad.flat());
        }
    }

    /// Draw `n` configurations with fresh uniforms from `rng`.
    fn sample<R: Rng + ?Sized>(&self, n: usize, rng: &mut R) -> (Array2<u8>, Array1<f64>)
    where
        Self: Sized,
    {
        let uniforms =
            Array2::from_shape_simple_fn((n, self.uniform_columns()), || rng.random::<f64>());
        let mut bits = Array2::zeros((n, self.sites()));
        let mut log_p = Array1::zeros(n);
        let mut ws = Self::Workspace::default();
        self.sample_with(uniforms.view(), bits.view_mut(), log_p.view_mut(), &mut ws);
        (bits, log_p)
    }
}
