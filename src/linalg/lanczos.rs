//! Lanczos with full reorthogonalisation: the extreme eigenpairs of a symmetric operator given
//! only as a matrix-vector product, with the residual ‖A x − θ x‖ of each Ritz pair.
//!
//! Every Krylov vector is kept and each new one is orthogonalised twice against all of them
//! ("twice is enough"), so no spurious copies of converged eigenvalues appear; memory is
//! `iterations × dim` numbers. The small tridiagonal problem is solved by nalgebra.

use nalgebra::{DMatrix, SymmetricEigen};
use rayon::prelude::*;
use thiserror::Error;

/// Which end of the spectrum is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spectrum {
    /// The smallest eigenvalues, smallest first.
    Lowest,
    /// The largest eigenvalues, largest first.
    Highest,
}

/// How many eigenpairs, and when to stop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LanczosSettings {
    /// Eigenpairs wanted.
    pub wanted: usize,
    /// Most Krylov vectors kept (the memory bound).
    pub max_iterations: usize,
    /// Converged when every wanted residual is below `tolerance` × the largest |Ritz value|.
    pub tolerance: f64,
}

impl Default for LanczosSettings {
    fn default() -> Self {
        Self {
            wanted: 1,
            max_iterations: 300,
            tolerance: 1e-10,
        }
    }
}

/// Why Lanczos gave no answer.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum LanczosError {
    /// The start vector is zero or not finite.
    #[error("the Lanczos start vector has norm {0}: it must be finite and non-zero")]
    Start(f64),
    /// The operator returned NaN or infinity.
    #[error("the operator returned a non-finite value at iteration {0}")]
    NonFinite(usize),
    /// Not converged within the iteration budget.
    #[error("Lanczos did not converge in {iterations} iterations (largest residual {residual:.3e}): raise max_iterations or loosen the tolerance")]
    NotConverged {
        /// Iterations run.
        iterations: usize,
        /// Largest residual of a wanted pair at the end.
        residual: f64,
    },
}

/// Converged eigenpairs, in the order [`Spectrum`] names.
#[derive(Debug, Clone, PartialEq)]
pub struct Eigenpairs {
    /// Eigenvalues.
    pub values: Vec<f64>,
    /// Unit eigenvectors, one per value.
    pub vectors: Vec<Vec<f64>>,
    /// ‖A x − θ x‖ of each pair.
    pub residuals: Vec<f64>,
    /// Krylov vectors built.
    pub iterations: usize,
    /// Whether the Krylov space became invariant (then fewer than `wanted` pairs can come
    /// back: the start vector has no weight on the others).
    pub invariant: bool,
}

/// a·b with eight independent sums, so the compiler can vectorise it (one running sum
/// cannot be reordered).
pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut lanes = [0.0; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f64 = a8
        .remainder()
        .iter()
        .zip(b8.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a8.zip(b8) {
        for k in 0..8 {
            lanes[k] += x[k] * y[k];
        }
    }
    lanes.iter().sum::<f64>() + tail
}

/// Entries per parallel chunk of the reorthogonalisation (sequential below one chunk).
const CHUNK: usize = 1 << 13;

/// w ← w − Q Qᵀ w over the kept vectors Q: one pass of classical Gram–Schmidt, as two
/// matrix-vector products split over the vector's chunks. Chunks are fixed, so the result
/// does not depend on the thread count.
pub(super) fn orthogonalise(basis: &[Vec<f64>], w: &mut [f64]) {
    let partial: Vec<Vec<f64>> = w
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, wc)| {
            let at = c * CHUNK;
            basis
                .iter()
                .map(|q| dot(&q[at..at + wc.len()], wc))
                .collect()
        })
        .collect();
    let coefficients: Vec<f64> = (0..basis.len())
        .map(|i| partial.iter().map(|p| p[i]).sum())
        .collect();
    w.par_chunks_mut(CHUNK).enumerate().for_each(|(c, wc)| {
        let at = c * CHUNK;
        for (q, &k) in basis.iter().zip(&coefficients) {
            axpy(wc, -k, &q[at..at + wc.len()]);
        }
    });
}

pub(super) fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    y.iter_mut().zip(x).for_each(|(y, x)| *y += a * x);
}

/// Eigen-decomposition of the tridiagonal T (diagonal `a`, off-diagonal `b`), the wanted end
/// first: (θ, y) pairs.
pub(super) fn ritz_pairs(a: &[f64], b: &[f64], end: Spectrum) -> Vec<(f64, Vec<f64>)> {
    let m = a.len();
    let t = DMatrix::from_fn(m, m, |i, j| match i.abs_diff(j) {
        0 => a[i],
        1 => b[i.min(j)],
        _ => 0.0,
    });
    let eigen = SymmetricEigen::new(t);
    let mut pairs: Vec<(f64, Vec<f64>)> = (0..m)
        .map(|i| {
            (
                eigen.eigenvalues[i],
                eigen.eigenvectors.column(i).iter().copied().collect(),
            )
        })
        .collect();
    pairs.sort_by(|x, y| match end {
        Spectrum::Lowest => x.0.total_cmp(&y.0),
        Spectrum::Highest => y.0.total_cmp(&x.0),
    });
    pairs
}

/// The `settings.wanted` extreme eigenpairs of the symmetric operator `apply` (w ← A v) on
/// vectors of `start.len()`, from the Krylov space of `start`.
pub fn lanczos(
    mut apply: impl FnMut(&[f64], &mut [f64]),
    start: &[f64],
    end: Spectrum,
    settings: LanczosSettings,
) -> Result<Eigenpairs, LanczosError> {
    let dim = start.len();
    let norm = dot(start, start).sqrt();
    if !norm.is_finite() || norm == 0.0 {
        return Err(LanczosError::Start(norm));
    }
    let limit = settings.max_iterations.min(dim).max(1);
    let mut basis: Vec<Vec<f64>> = vec![start.iter().map(|x| x / norm).collect()];
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut w = vec![0.0; dim];
    let mut worst = f64::INFINITY;
    loop {
        let j = basis.len() - 1;
        apply(&basis[j], &mut w);
        if !w.iter().all(|x| x.is_finite()) {
            return Err(LanczosError::NonFinite(j + 1));
        }
        a.push(dot(&basis[j], &w));
        // Against every kept vector: the three-term recurrence alone loses orthogonality. A
        // second pass only when the first cancelled most of w ("twice is enough").
        let before = dot(&w, &w).sqrt();
        orthogonalise(&basis, &mut w);
        let mut beta = dot(&w, &w).sqrt();
        if beta < 0.7 * before {
            orthogonalise(&basis, &mut w);
            beta = dot(&w, &w).sqrt();
        }
        let m = a.len();
        let scale = a
            .iter()
            .chain(&b)
            .fold(f64::MIN_POSITIVE, |s, x: &f64| s.max(x.abs()));
        let invariant = beta <= 1e-13 * scale;
        let done = invariant || m == limit;
        // The small problem costs m³: look every iteration early, then every tenth.
        if done || m <= 40 || m % 10 == 0 {
            let pairs = ritz_pairs(&a, &b, end);
            let take = settings.wanted.min(m);
            let residuals: Vec<f64> = pairs[..take]
                .iter()
                .map(|(_, y)| {
                    if invariant {
                        0.0
                    } else {
                        beta * y[m - 1].abs()
                    }
                })
                .collect();
            worst = residuals.iter().cloned().fold(0.0, f64::max);
            let converged = take == settings.wanted && worst <= settings.tolerance * scale;
            if converged || invariant {
                let vectors = pairs[..take]
                    .iter()
                    .map(|(_, y)| {
                        let mut x = vec![0.0; dim];
                        for (q, &c) in basis.iter().zip(y) {
                            axpy(&mut x, c, q);
                        }
                        let n = dot(&x, &x).sqrt();
                        x.iter_mut().for_each(|v| *v /= n);
                        x
                    })
                    .collect();
                return Ok(Eigenpairs {
                    values: pairs[..take].iter().map(|p| p.0).collect(),
                    vectors,
                    residuals,
                    iterations: m,
                    invariant,
                });
            }
        }
        if done {
            return Err(LanczosError::NotConverged {
                iterations: m,
                residual: worst,
            });
        }
        b.push(beta);
        basis.push(w.iter().map(|x| x / beta).collect());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A diagonal operator with known spectrum 1, 2, …, n.
    fn diagonal(n: usize) -> impl FnMut(&[f64], &mut [f64]) {
        move |v: &[f64], w: &mut [f64]| {
            for i in 0..n {
                w[i] = (i + 1) as f64 * v[i];
            }
        }
    }

    #[test]
    fn finds_both_ends_of_a_known_spectrum() {
        let n = 200;
        let start: Vec<f64> = (0..n).map(|i| 1.0 + (i as f64 * 0.37).sin()).collect();
        let settings = LanczosSettings {
            wanted: 3,
            max_iterations: n,
            tolerance: 1e-10,
        };
        let low = lanczos(diagonal(n), &start, Spectrum::Lowest, settings).unwrap();
        for (k, v) in low.values.iter().enumerate() {
            assert!((v - (k + 1) as f64).abs() < 1e-8, "{:?}", low.values);
        }
        // The eigenvector of eigenvalue 1 is e₀.
        assert!((low.vectors[0][0].abs() - 1.0).abs() < 1e-6);
        let high = lanczos(diagonal(n), &start, Spectrum::Highest, settings).unwrap();
        assert!((high.values[0] - n as f64).abs() < 1e-8);
        assert!(high.values[0] > high.values[1]);
    }

    #[test]
    fn an_eigenvector_start_is_an_invariant_space() {
        let mut start = vec![0.0; 10];
        start[3] = 2.0;
        let pairs = lanczos(
            diagonal(10),
            &start,
            Spectrum::Lowest,
            LanczosSettings::default(),
        )
        .unwrap();
        assert!(pairs.invariant);
        assert_eq!(pairs.values, vec![4.0]);
    }

    #[test]
    fn a_zero_start_is_refused() {
        let err = lanczos(
            diagonal(3),
            &[0.0; 3],
            Spectrum::Lowest,
            LanczosSettings::default(),
        )
        .unwrap_err();
        assert_eq!(err, LanczosError::Start(0.0));
    }
}
