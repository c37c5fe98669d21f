//! Matrix products of the recurrence: matrixmultiply for tall batches, and for the few-row
//! products of mini-batches (where packing dominates) a row-by-row axpy kernel compiled for
//! AVX2 + FMA when the CPU has them.

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2};

/// Below this many rows the axpy kernel beats packing for a GEMM.
const SMALL_ROWS: usize = 16;

#[inline(always)]
fn rows_axpy(k: usize, n: usize, x: &[f64], w: &[f64], out: &mut [f64]) {
    for (x_row, out_row) in x.chunks_exact(k).zip(out.chunks_exact_mut(n)) {
        for (&xi, w_row) in x_row.iter().zip(w.chunks_exact(n)) {
            for (o, &wv) in out_row.iter_mut().zip(w_row) {
                *o = xi.mul_add(wv, *o);
            }
        }
    }
}

#[inline(always)]
fn rows_axpy_plain(k: usize, n: usize, x: &[f64], w: &[f64], out: &mut [f64]) {
    for (x_row, out_row) in x.chunks_exact(k).zip(out.chunks_exact_mut(n)) {
        for (&xi, w_row) in x_row.iter().zip(w.chunks_exact(n)) {
            for (o, &wv) in out_row.iter_mut().zip(w_row) {
                *o += xi * wv;
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn rows_axpy_avx2(k: usize, n: usize, x: &[f64], w: &[f64], out: &mut [f64]) {
    rows_axpy(k, n, x, w, out);
}

/// out (rows × n) += x (rows × k) · w (k × n); all three contiguous and row-major.
pub fn gemm_acc(x: ArrayView2<f64>, w: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) {
    let (rows, k) = x.dim();
    let n = w.ncols();
    if rows <= SMALL_ROWS {
        if let (Some(xs), Some(ws)) = (x.as_slice(), w.as_slice()) {
            if let Some(os) = out.as_slice_mut() {
                #[cfg(target_arch = "x86_64")]
                if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                    // SAFETY: the CPU supports the features the function was compiled for.
                    unsafe { rows_axpy_avx2(k, n, xs, ws, os) };
                    return;
                }
                rows_axpy_plain(k, n, xs, ws, os);
                return;
            }
        }
    }
    general_mat_mul(1.0, &x, &w, 1.0, &mut out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn small_and_large_paths_agree_with_ndarray() {
        for rows in [1, 5, 16, 17, 40] {
            let x = Array2::from_shape_fn((rows, 7), |(i, j)| (i * 7 + j) as f64 * 0.1 - 1.0);
            let w = Array2::from_shape_fn((7, 5), |(i, j)| (i as f64 - j as f64) * 0.3);
            let mut out = Array2::from_elem((rows, 5), 0.5);
            gemm_acc(x.view(), w.view(), out.view_mut());
            let want = x.dot(&w) + 0.5;
            assert!(
                (&out - &want).iter().all(|d| d.abs() < 1e-12),
                "rows = {rows}"
            );
        }
    }
}
