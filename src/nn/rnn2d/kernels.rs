//! Matrix products of the recurrence: matrixmultiply for tall batches, and for the few-row
//! products of mini-batches (where packing dominates) a row-by-row axpy kernel compiled for
//! AVX2 + FMA when the CPU has them.

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2};

use super::real::Real;
use super::simd::{level, Level};

/// Below this many rows the axpy kernel beats packing for a GEMM.
const SMALL_ROWS: usize = 16;

/// Register-blocked product of columns `from..` in tiles of `LANES`: `R` rows × `LANES`
/// columns of the output stay in registers while the shared dimension streams through, so
/// each loaded row of `w` feeds `R` fused multiply-adds. Returns where the tiles stopped.
#[inline(always)]
fn tiles<T: Real, const R: usize, const LANES: usize>(
    (k, n, from): (usize, usize, usize),
    x: &[T],
    w: &[T],
    out: &mut [T],
    fma: impl Fn(T, T, T) -> T + Copy,
) -> usize {
    let end = from + (n - from) / LANES * LANES;
    for j0 in (from..end).step_by(LANES) {
        let mut acc = [[T::zero(); LANES]; R];
        for (q, a) in acc.iter_mut().enumerate() {
            a.copy_from_slice(&out[q * n + j0..q * n + j0 + LANES]);
        }
        for i in 0..k {
            let w_row: &[T; LANES] = w[i * n + j0..i * n + j0 + LANES]
                .try_into()
                .expect("LANES wide");
            for (q, a) in acc.iter_mut().enumerate() {
                let xv = x[q * k + i];
                for t in 0..LANES {
                    a[t] = fma(xv, w_row[t], a[t]);
                }
            }
        }
        for (q, a) in acc.iter().enumerate() {
            out[q * n + j0..q * n + j0 + LANES].copy_from_slice(a);
        }
    }
    end
}

/// `R` rows of the product: tiles of `LANES` columns, then of 8 (n_h = 40 in f32 is two
/// tiles of 16 and one of 8), then single columns.
#[inline(always)]
fn block<T: Real, const R: usize, const LANES: usize>(
    k: usize,
    n: usize,
    x: &[T],
    w: &[T],
    out: &mut [T],
    fma: impl Fn(T, T, T) -> T + Copy,
) {
    let mut done = tiles::<T, R, LANES>((k, n, 0), x, w, out, fma);
    if LANES > 8 {
        done = tiles::<T, R, 8>((k, n, done), x, w, out, fma);
    }
    for q in 0..R {
        for j in done..n {
            let mut acc = out[q * n + j];
            for i in 0..k {
                acc = fma(x[q * k + i], w[i * n + j], acc);
            }
            out[q * n + j] = acc;
        }
    }
}

#[inline(always)]
fn rows_axpy<T: Real, const LANES: usize>(
    k: usize,
    n: usize,
    x: &[T],
    w: &[T],
    out: &mut [T],
    fma: impl Fn(T, T, T) -> T + Copy,
) {
    let rows = x.len() / k;
    let mut r = 0;
    // Blocks of 5 rows (mini-batches of 10 split over two threads) or 4, then single rows.
    while r < rows {
        let left = rows - r;
        let (x, out) = (&x[r * k..], &mut out[r * n..]);
        r += if left >= 5 && !left.is_multiple_of(4) {
            block::<T, 5, LANES>(k, n, x, w, out, fma);
            5
        } else if left >= 4 {
            block::<T, 4, LANES>(k, n, x, w, out, fma);
            4
        } else {
            block::<T, 1, LANES>(k, n, x, w, out, fma);
            1
        };
    }
}

/// The row kernel for one element type at every level: `$lanes` columns per register tile
/// (8 f64 or 16 f32 fill one AVX-512 register, two AVX2 ones).
macro_rules! row_kernels {
    ($t:ty, $lanes:literal, $avx2:ident, $avx512:ident, $dispatch:ident) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        fn $avx2(k: usize, n: usize, x: &[$t], w: &[$t], out: &mut [$t]) {
            rows_axpy::<$t, $lanes>(k, n, x, w, out, <$t>::mul_add);
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx512f,avx2,fma")]
        fn $avx512(k: usize, n: usize, x: &[$t], w: &[$t], out: &mut [$t]) {
            rows_axpy::<$t, $lanes>(k, n, x, w, out, <$t>::mul_add);
        }

        /// out (rows × n) += x (rows × k) · w (k × n) with the widest kernel the CPU has.
        pub(super) fn $dispatch(k: usize, n: usize, x: &[$t], w: &[$t], out: &mut [$t]) {
            #[cfg(target_arch = "x86_64")]
            match level() {
                // SAFETY: the CPU supports the features each function was compiled for.
                Level::Avx512 => return unsafe { $avx512(k, n, x, w, out) },
                Level::Avx2 => return unsafe { $avx2(k, n, x, w, out) },
                Level::Portable => {}
            }
            rows_axpy::<$t, $lanes>(k, n, x, w, out, |a, b, c| a * b + c);
        }
    };
}

row_kernels!(f64, 8, rows_axpy_avx2, rows_axpy_avx512, rows_axpy_f64);
row_kernels!(
    f32,
    16,
    rows_axpy_avx2_f32,
    rows_axpy_avx512_f32,
    rows_axpy_f32
);

/// out (rows × n) += x (rows × k) · w (k × n); all three contiguous and row-major.
pub fn gemm_acc<T: Real>(x: ArrayView2<T>, w: ArrayView2<T>, mut out: ArrayViewMut2<T>) {
    let (rows, k) = x.dim();
    let n = w.ncols();
    if rows <= SMALL_ROWS {
        if let (Some(xs), Some(ws)) = (x.as_slice(), w.as_slice()) {
            if let Some(os) = out.as_slice_mut() {
                T::rows_axpy(k, n, xs, ws, os);
                return;
            }
        }
    }
    general_mat_mul(T::one(), &x, &w, T::one(), &mut out);
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

    #[test]
    fn f32_row_kernel_matches_the_f64_product() {
        // n = 40 is two tiles of 16 and one of 8; 45 adds five single columns.
        for (rows, n) in [(1, 40), (5, 40), (10, 45), (16, 8), (3, 5)] {
            let k = 80;
            let x =
                Array2::from_shape_fn((rows, k), |(i, j)| ((i * k + j) % 13) as f64 * 0.1 - 0.6);
            let w = Array2::from_shape_fn((k, n), |(i, j)| ((i + 3 * j) % 7) as f64 * 0.2 - 0.5);
            let want = x.dot(&w) + 0.5;
            let mut out = Array2::from_elem((rows, n), 0.5f32);
            gemm_acc(
                x.mapv(|v| v as f32).view(),
                w.mapv(|v| v as f32).view(),
                out.view_mut(),
            );
            for (o, e) in out.iter().zip(&want) {
                assert!(
                    (f64::from(*o) - e).abs() < 1e-5 * e.abs().max(1.0),
                    "{o} vs {e}"
                );
            }
            #[cfg(target_arch = "x86_64")]
            if super::super::simd::detected() == Level::Avx512 {
                let (xs, ws) = (x.mapv(|v| v as f32), w.mapv(|v| v as f32));
                let (xs, ws) = (xs.as_slice().unwrap(), ws.as_slice().unwrap());
                let mut avx2 = vec![0.5f32; rows * n];
                let mut avx512 = avx2.clone();
                // SAFETY: just checked.
                unsafe {
                    rows_axpy_avx2_f32(k, n, xs, ws, &mut avx2);
                    rows_axpy_avx512_f32(k, n, xs, ws, &mut avx512);
                }
                assert!(avx2
                    .iter()
                    .zip(&avx512)
                    .all(|(a, b)| a.to_bits() == b.to_bits()));
            }
        }
    }
}
