//! Scratch buffers of the 2D RNN and the derived matrices every pass starts from.

use ndarray::{Array1, Array2, Array3, ArrayView2, Dimension, IntoDimension};

use super::real::Real;
use super::{Rnn2d, B, C, U_LEFT, U_UP, W};

/// Reusable buffers for one thread; grown on first use for a batch shape, then reused.
/// One set per precision, so a workspace serves a network of either.
#[derive(Debug, Default, Clone)]
pub struct Rnn2dWorkspace {
    pub(super) f64: Buffers<f64>,
    pub(super) f32: Buffers<f32>,
}

/// The buffers of passes computing in `T`.
#[derive(Debug, Default, Clone)]
pub(super) struct Buffers<T> {
    /// Fused recurrent matrix [U_left[2..]; U_up[2..]] (2n_h × n_h).
    pub(super) fused: Array2<T>,
    /// b plus the one-hot rows of U_left and U_up, indexed by 3·e_left + e_up (2 = absent).
    pub(super) bias: Array2<T>,
    /// W[:, 1] − W[:, 0]: the logit difference is h·wdiff + cdiff.
    pub(super) wdiff: Array1<T>,
    pub(super) cdiff: T,
    /// Hidden states of a teacher-forced or sampling pass, (N, A, n_h).
    pub(super) hidden: Array3<T>,
    /// Inputs [h_left | h_up] of one site, (rows, 2n_h).
    pub(super) inputs: Array2<T>,
    /// The configurations of the current pass, (A, N).
    pub(super) bits: Array2<u8>,
    /// Log p per row, summed over the sites in f64 whatever `T` is.
    pub(super) row_log_p: Array1<f64>,
    /// Hidden states of the last L + 1 sites for the single-flip pass, (L+1, rows, n_h).
    pub(super) ring: Array3<T>,
    /// Single-flip pass: the originals' neighbour rows times a recurrent block, (A, n_h).
    pub(super) original_product: Array2<T>,
    /// Backward: ∂/∂h for every site, (N, A, n_h).
    pub(super) grad_hidden: Array3<T>,
    /// Backward: ∂/∂pre-activation of every site, (N·A, n_h).
    pub(super) grad_pre: Array2<T>,
    /// Backward: inputs [h_left | h_up] of every site, (N·A, 2n_h).
    pub(super) site_inputs: Array2<T>,
    /// Backward: the fused recurrent matrix transposed, (n_h, 2n_h).
    pub(super) fused_t: Array2<T>,
    /// Backward: ∂/∂[h_left | h_up] of one site, (A, 2n_h).
    pub(super) grad_inputs: Array2<T>,
    /// Backward: ∂/∂fused recurrent matrix.
    pub(super) grad_fused: Array2<T>,
    /// The logit differences d of one site's rows.
    pub(super) logits: Vec<T>,
    /// log1p(e^−|d|) of one site's rows.
    pub(super) tails: Vec<T>,
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

/// Start one row at a site: its bias (chosen by the neighbours' bits) into `out`, and the
/// neighbours' hidden states [h_left | h_up] into `inputs`, zero where a neighbour is missing.
/// `left` and `up` are the neighbour's bit and the offset of its hidden state in `done`.
#[inline]
pub(super) fn start_row<T: Real>(
    bias: &[T],
    done: &[T],
    left: Option<(u8, usize)>,
    up: Option<(u8, usize)>,
    out: &mut [T],
    inputs: &mut [T],
) {
    let h = out.len();
    let b = bias_index(left.map(|n| n.0), up.map(|n| n.0)) * h;
    out.copy_from_slice(&bias[b..b + h]);
    let (x_left, x_up) = inputs.split_at_mut(h);
    for (x, neighbour) in [(x_left, left), (x_up, up)] {
        match neighbour {
            Some((_, src)) => x.copy_from_slice(&done[src..src + h]),
            None => x.fill(T::zero()),
        }
    }
}

/// Fill `logits` with each row's logit difference d = h·wdiff + cdiff and `tails` with
/// log1p(e^−|d|), the vectorisable part of the row's two log-conditionals ([`log_pair`]).
pub(super) fn logits_and_tails<T: Real>(
    hidden: ArrayView2<T>,
    wdiff: &Array1<T>,
    cdiff: T,
    logits: &mut Vec<T>,
    tails: &mut Vec<T>,
) {
    logits.clear();
    logits.extend(hidden.rows().into_iter().map(|h| h.dot(wdiff) + cdiff));
    tails.resize(logits.len(), T::zero());
    T::softplus_tails(logits, tails);
}

/// (log p(e = 1), log p(e = 0)) = (log σ(d), log σ(−d)) = −softplus(∓d) in f64, stable for
/// both signs as −(max(∓d, 0) + log1p(e^−|d|)).
#[inline]
pub(super) fn log_pair<T: Real>(d: T, tail: T) -> (f64, f64) {
    let (d, tail) = (d.wide(), tail.wide());
    (-((-d).max(0.0) + tail), -(d.max(0.0) + tail))
}

impl Rnn2d {
    /// Refresh the derived matrices in `ws` from the current parameters: built in f64 (the
    /// bias table's sums included), then rounded once to `T`.
    pub(super) fn prepare<T: Real>(&self, ws: &mut Buffers<T>) {
        let h = self.hidden();
        ws.fused = self.fused_recurrent().mapv(T::narrow);
        let mut bias = Array2::<f64>::zeros((9, h));
        let (ul, uu, b) = (
            self.params.matrix(U_LEFT),
            self.params.matrix(U_UP),
            self.params.vector(B),
        );
        for left in [Some(0u8), Some(1), None] {
            for up in [Some(0u8), Some(1), None] {
                let mut row = bias.row_mut(bias_index(left, up));
                row.assign(&b);
                if let Some(e) = left {
                    row += &ul.row(usize::from(e));
                }
                if let Some(e) = up {
                    row += &uu.row(usize::from(e));
                }
            }
        }
        ws.bias = bias.mapv(T::narrow);
        let w = self.params.matrix(W);
        ws.wdiff = (&w.column(1) - &w.column(0)).mapv(T::narrow);
        let c = self.params.vector(C);
        ws.cdiff = T::narrow(c[1] - c[0]);
    }
}
