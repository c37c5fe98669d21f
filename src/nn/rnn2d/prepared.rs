//! Scratch buffers of the 2D RNN and the derived matrices every pass starts from.

use ndarray::{Array1, Array2, Array3, Dimension, IntoDimension};

use super::{Rnn2d, B, C, U_LEFT, U_UP, W};

/// Reusable buffers for one thread; grown on first use for a batch shape, then reused.
#[derive(Debug, Default, Clone)]
pub struct Rnn2dWorkspace {
    /// Fused recurrent matrix [U_left[2..]; U_up[2..]] (2n_h × n_h).
    pub(super) fused: Array2<f64>,
    /// b plus the one-hot rows of U_left and U_up, indexed by 3·e_left + e_up (2 = absent).
    pub(super) bias: Array2<f64>,
    /// W[:, 1] − W[:, 0]: the logit difference is h·wdiff + cdiff.
    pub(super) wdiff: Array1<f64>,
    pub(super) cdiff: f64,
    /// Hidden states of a teacher-forced or sampling pass, (N, A, n_h).
    pub(super) hidden: Array3<f64>,
    /// Inputs [h_left | h_up] of one site, (rows, 2n_h).
    pub(super) inputs: Array2<f64>,
    /// The configurations of the current pass, (A, N).
    pub(super) bits: Array2<u8>,
    /// Log p per row.
    pub(super) row_log_p: Array1<f64>,
    /// Hidden states of the last L + 1 sites for the single-flip pass, (L+1, rows, n_h).
    pub(super) ring: Array3<f64>,
    /// Single-flip pass: the originals' neighbour rows times a recurrent block, (A, n_h).
    pub(super) original_product: Array2<f64>,
    /// Backward: ∂/∂h for every site, (N, A, n_h).
    pub(super) grad_hidden: Array3<f64>,
    /// Backward: ∂/∂pre-activation of every site, (N·A, n_h).
    pub(super) grad_pre: Array2<f64>,
    /// Backward: inputs [h_left | h_up] of every site, (N·A, 2n_h).
    pub(super) site_inputs: Array2<f64>,
    /// Backward: the fused recurrent matrix transposed, (n_h, 2n_h).
    pub(super) fused_t: Array2<f64>,
    /// Backward: ∂/∂[h_left | h_up] of one site, (A, 2n_h).
    pub(super) grad_inputs: Array2<f64>,
    /// Backward: ∂/∂fused recurrent matrix.
    pub(super) grad_fused: Array2<f64>,
}

/// Resize `array` to `shape` (zero-filled) unless it already has that shape.
pub(super) fn ensure<T: Clone + Default, D: Dimension>(
    array: &mut ndarray::Array<T, D>,
    shape: impl IntoDimension<Dim = D>,
) {
    let dim = shape.into_dimension();
    if array.raw_dim() != dim {
        *array = ndarray::Array::default(dim);
    }
}

/// Bias-table index of a site's (left, up) inputs; `None` means the neighbour is missing.
#[inline]
pub(super) fn bias_index(left: Option<u8>, up: Option<u8>) -> usize {
    3 * left.map_or(2, usize::from) + up.map_or(2, usize::from)
}

/// softplus(z) = ln(1 + eᶻ), stable for both signs.
#[inline]
pub(super) fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

impl Rnn2d {
    /// Refresh the derived matrices in `ws` from the current parameters.
    pub(super) fn prepare(&self, ws: &mut Rnn2dWorkspace) {
        let h = self.hidden();
        ws.fused = self.fused_recurrent();
        ensure(&mut ws.bias, (9, h));
        let (ul, uu, b) = (
            self.params.matrix(U_LEFT),
            self.params.matrix(U_UP),
            self.params.vector(B),
        );
        for left in [Some(0u8), Some(1), None] {
            for up in [Some(0u8), Some(1), None] {
                let mut row = ws.bias.row_mut(bias_index(left, up));
                row.assign(&b);
                if let Some(e) = left {
                    row += &ul.row(usize::from(e));
                }
                if let Some(e) = up {
                    row += &uu.row(usize::from(e));
                }
            }
        }
        let w = self.params.matrix(W);
        ws.wdiff = &w.column(1) - &w.column(0);
        let c = self.params.vector(C);
        ws.cdiff = c[1] - c[0];
    }
}
