//! Matrix products of the recurrence: matrixmultiply for tall batches, and for the few-row
//! products of mini-batches (where packing dominates) a row-by-row axpy kernel compiled for
//! AVX2 + FMA when the CPU has them.

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2};

/// Below this many rows the axpy kernel beats packing for a GEMM.
const SMALL_ROWS: usize = 16;

/// Register-blocked product: `R` rows × 8 columns of the output stay in registers while the
/// shared dimension streams through, so each loaded row of `w` feeds `R` fused multiply-adds.
#[inline(always)]
fn block<const R: usize>(
    k: usize,
    n: usize,
    x: &[f64],
    w: &[f64],
    out: &mut [f64],
    fma: impl Fn(f64, f64, f64) -> f64 + Copy,
) {
    let wide = n / 8 * 8;
    for j0 in (0..wide).step_by(8) {
        let mut acc = [[0.0f64; 8]; R];
        for (q, a) in acc.iter_mut().enumerate() {
            a.copy_from_slice(&out[q * n + j0..q * n + j0 + 8]);
        }
        for i in 0..k {
            let w_row: &[f64; 8] = w[i * n + j0..i * n + j0 + 8].try_into().expect("8 wide");
            for (q, a) in acc.iter_mut().enumerate() {
                let xv = x[q * k + i];
                for t in 0..8 {
                    a[t] = fma(xv, w_row[t], a[t]);
                }
            }
        }
        for (q, a) in acc.iter().enumerate() {
            out[q * n + j0..q * n + j0 + 8].copy_from_slice(a);
        }
    }
    for q in 0..R {
        for j in wide..n {
            let mut acc = out[q * n + j];
            for i in 0..k {
                acc = fma(x[q * k + i], w[i * n + j], acc);
            }
            out[q * n + j] = acc;
        }
    }
}

#[inline(always)]
fn rows_axpy(
    k: usize,
    n: usize,
    x: &[f64],
    w: &[f64],
    out: &mut [f64],
    fma: impl Fn(f64, f64, f64) -> f64 + Copy,
) {
    let rows = x.len() / k;
    let mut r = 0;
    // Blocks of 5 rows (mini-batches of 10 split over two threads) or 4, then single rows.
    while r < rows {
        let left = rows - r;
        let (x, out) = (&x[r * k..], &mut out[r * n..]);
        r += if left >= 5 && !left.is_multiple_of(4) {
            block::<5>(k, n, x, w, out, fma);
            5
        } else if left >= 4 {
            block::<4>(k, n, x, w, out, fma);
            4
        } else {
            block::<1>(k, n, x, w, out, fma);
            1
        };
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn rows_axpy_avx2(k: usize, n: usize, x: &[f64], w: &[f64], out: &mut [f64]) {
    rows_axpy(k, n, x, w, out, f64::mul_add);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn rows_axpy_avx512(k: usize, n: usize, x: &[f64], w: &[f64], out: &mut [f64]) {
    rows_axpy(k, n, x, w, out, f64::mul_add);
}

/// out (rows × n) += x (rows × k) · w (k × n); all three contiguous and row-major.
pub fn gemm_acc(x: ArrayView2<f64>, w: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) {
    let (rows, k) = x.dim();
    let n = w.ncols();
    if rows <= SMALL_ROWS {
        if let (Some(xs), Some(ws)) = (x.as_slice(), w.as_slice()) {
            if let Some(os) = out.as_slice_mut() {
                #[cfg(target_arch = "x86_64")]
                match super::simd::level() {
                    // SAFETY: the CPU supports the features each function was compiled for.
                    super::simd::Level::Avx512 => {
                        return unsafe { rows_axpy_avx512(k, n, xs, ws, os) }
                    }
                    super::simd::Level::Avx2 => return unsafe { rows_axpy_avx2(k, n, xs, ws, os) },
                    super::simd::Level::Portable => {}
                }
                rows_axpy(k, n, xs, ws, os, |a, b, c| a * b + c);
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
        for (rows, n) in [(1, 5), (5, 21), (16, 40), (17, 8), (40, 3)] {
            let x = Array2::from_shape_fn((rows, 7), |(i, j)| (i * 7 + j) as f64 * 0.1 - 1.0);
            let w = Array2::from_shape_fn((7, n), |(i, j)| (i as f64 - j as f64) * 0.3);
            let mut out = Array2::from_elem((rows, n), 0.5);
            gemm_acc(x.view(), w.view(), out.view_mut());
            let want = x.dot(&w) + 0.5;
            assert!(
                (&out - &want).iter().all(|d| d.abs() < 1e-12),
                "rows = {rows}"
            );
            // The row kernel gives the same bits at every vector width.
            #[cfg(target_arch = "x86_64")]
            if is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("fma") {
                let (xs, ws) = (x.as_slice().unwrap(), w.as_slice().unwrap());
                let mut avx2 = vec![0.5; rows * n];
                let mut avx512 = avx2.clone();
                // SAFETY: just checked (AVX-512F implies AVX2 on every CPU that has it).
                unsafe {
                    rows_axpy_avx2(7, n, xs, ws, &mut avx2);
                    rows_axpy_avx512(7, n, xs, ws, &mut avx512);
                }
                assert!(avx2
                    .iter()
                    .zip(&avx512)
                    .all(|(a, b)| a.to_bits() == b.to_bits()));
            }
        }
    }
}
