//! log p of every configuration, or of a given list, by teacher forcing in parallel chunks.

use ndarray::{Array1, ArrayView2, Axis};
use rayon::prelude::*;

use crate::nn::Autoregressive;

/// Rows per teacher-forced pass: large enough to use the batched kernels, small enough that
/// a chunk's configurations and hidden states stay in cache.
const CHUNK: usize = 2048;

/// log p(s) for every s in 0..2^N, where configuration s has bit i of s at site i.
pub fn log_probs_of_all<A: Autoregressive>(net: &A) -> Array1<f64> {
    let n = net.sites();
    let dim = 1usize << n;
    let mut out = Array1::zeros(dim);
    out.as_slice_mut()
        .expect("a fresh array is contiguous")
        .par_chunks_mut(CHUNK)
        .enumerate()
        .for_each_init(A::Workspace::default, |ws, (c, chunk)| {
            let base = c * CHUNK;
            let bits = crate::physics::configurations(base, chunk.len(), n);
            net.log_prob(bits.view(), ndarray::ArrayViewMut1::from(chunk), ws);
        });
    out
}

/// log p of each row of `configurations`.
pub fn log_probs_of<A: Autoregressive>(net: &A, configurations: ArrayView2<u8>) -> Array1<f64> {
    let mut out = Array1::zeros(configurations.nrows());
    let outs: Vec<_> = out.axis_chunks_iter_mut(Axis(0), CHUNK).collect();
    let ins: Vec<_> = configurations.axis_chunks_iter(Axis(0), CHUNK).collect();
    outs.into_par_iter()
        .zip(ins)
        .for_each_init(A::Workspace::default, |ws, (lp, bits)| {
            net.log_prob(bits, lp, ws);
        });
    out
}

/// ln Σ exp(x), stable.
pub fn log_sum_exp(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let top = values.clone().fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return top;
    }
    top + values.map(|v| (v - top).exp()).sum::<f64>().ln()
}
