//! A Krylov space built by Lanczos with full reorthogonalisation for a fixed budget of
//! operator applications, read out afterwards: Ritz pairs at either end (with residuals), or
//! Gauss quadrature nodes and weights for stochastic Lanczos quadrature.
//!
//! Every Krylov vector is kept and each new one is orthogonalised against all of them, twice
//! when the first pass cancelled most of it ("twice is enough"), so no spurious copies of
//! converged eigenvalues appear; memory is `steps × dim` numbers. The small tridiagonal
//! problem is solved by nalgebra. [`super::lanczos`] grows one until its pairs converge; the
//! curvature code grows one for a budget of products (a Hessian-vector product costs two
//! gradients) and reads both ends of it.

use nalgebra::{DMatrix, SymmetricEigen};
use rayon::prelude::*;

use super::{Eigenpairs, LanczosError, Spectrum};

/// An orthonormal Krylov basis Q and the tridiagonal T = Qᵀ A Q.
#[derive(Debug, Clone)]
pub struct Krylov {
    basis: Vec<Vec<f64>>,
    alpha: Vec<f64>,
    /// beta[j] couples vectors j and j + 1; the last one is the norm of the remainder.
    beta: Vec<f64>,
    invariant: bool,
}

/// a·b with eight independent sums, so the compiler can vectorise it (one running sum
/// cannot be reordered).
fn dot(a: &[f64], b: &[f64]) -> f64 {
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
fn orthogonalise(basis: &[Vec<f64>], w: &mut [f64]) {
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

fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    y.iter_mut().zip(x).for_each(|(y, x)| *y += a * x);
}

/// Eigen-decomposition of the tridiagonal T (diagonal `a`, off-diagonal `b`), the wanted end
/// first: (θ, y) pairs.
fn ritz_pairs(a: &[f64], b: &[f64], end: Spectrum) -> Vec<(f64, Vec<f64>)> {
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

/// The start vector's norm after normalising: zero or non-finite starts are refused.
fn unit(start: &[f64]) -> Result<Vec<f64>, LanczosError> {
    let norm = dot(start, start).sqrt();
    if !norm.is_finite() || norm == 0.0 {
        return Err(LanczosError::Start(norm));
    }
    Ok(start.iter().map(|x| x / norm).collect())
}

impl Krylov {
    /// Build up to `steps` vectors from `start`, calling `apply` (w ← A v) once per vector;
    /// `stop(&space)` after each one ends it early (say when the wanted pairs have converged).
    pub fn build(
        mut apply: impl FnMut(&[f64], &mut [f64]),
        start: &[f64],
        steps: usize,
        mut stop: impl FnMut(&Krylov) -> bool,
    ) -> Result<Self, LanczosError> {
        let dim = start.len();
        let limit = steps.min(dim).max(1);
        let mut space = Self {
            basis: vec![unit(start)?],
            alpha: Vec::new(),
            beta: Vec::new(),
            invariant: false,
        };
        let mut w = vec![0.0; dim];
        loop {
            let j = space.basis.len() - 1;
            apply(&space.basis[j], &mut w);
            if !w.iter().all(|x| x.is_finite()) {
                return Err(LanczosError::NonFinite(j + 1));
            }
            space.alpha.push(dot(&space.basis[j], &w));
            let before = dot(&w, &w).sqrt();
            orthogonalise(&space.basis, &mut w);
            let mut beta = dot(&w, &w).sqrt();
            if beta < 0.7 * before {
                orthogonalise(&space.basis, &mut w);
                beta = dot(&w, &w).sqrt();
            }
            space.invariant = beta <= 1e-13 * space.scale();
            space.beta.push(beta);
            if space.invariant || space.alpha.len() == limit || stop(&space) {
                return Ok(space);
            }
            space.basis.push(w.iter().map(|x| x / beta).collect());
        }
    }

    /// Vectors built (= operator applications).
    pub fn steps(&self) -> usize {
        self.alpha.len()
    }

    /// Whether the space is invariant under A (its Ritz pairs are exact eigenpairs).
    pub fn invariant(&self) -> bool {
        self.invariant
    }

    /// The largest |entry| of T, the scale residuals are judged against.
    pub fn scale(&self) -> f64 {
        self.alpha
            .iter()
            .chain(&self.beta)
            .fold(f64::MIN_POSITIVE, |s, x| s.max(x.abs()))
    }

    /// The orthonormal basis vectors, in order.
    pub fn basis(&self) -> &[Vec<f64>] {
        &self.basis[..self.steps()]
    }

    /// The `wanted` Ritz pairs at `end` (eigenvalues of T, vectors Q y) with the residual
    /// ‖A x − θ x‖ = β_m·|y_m| each (exact with full reorthogonalisation).
    pub fn ritz(&self, end: Spectrum, wanted: usize) -> Eigenpairs {
        let m = self.steps();
        let pairs = ritz_pairs(&self.alpha, &self.beta[..m - 1], end);
        let take = wanted.min(m);
        let last = if self.invariant {
            0.0
        } else {
            self.beta[m - 1]
        };
        let dim = self.basis[0].len();
        let vectors = pairs[..take]
            .iter()
            .map(|(_, y)| {
                let mut x = vec![0.0; dim];
                for (q, &c) in self.basis.iter().zip(y) {
                    axpy(&mut x, c, q);
                }
                let n = dot(&x, &x).sqrt();
                x.iter_mut().for_each(|v| *v /= n);
                x
            })
            .collect();
        Eigenpairs {
            values: pairs[..take].iter().map(|p| p.0).collect(),
            vectors,
            residuals: pairs[..take]
                .iter()
                .map(|(_, y)| last * y[m - 1].abs())
                .collect(),
            iterations: m,
            invariant: self.invariant,
        }
    }

    /// The residuals ‖A x − θ x‖ of the `wanted` Ritz pairs at `end`, without forming their
    /// vectors (a convergence test costs m³, not m × dim).
    pub fn residuals(&self, end: Spectrum, wanted: usize) -> Vec<f64> {
        let m = self.steps();
        if self.invariant {
            return vec![0.0; wanted.min(m)];
        }
        let pairs = ritz_pairs(&self.alpha, &self.beta[..m - 1], end);
        let last = self.beta[m - 1];
        pairs
            .iter()
            .take(wanted)
            .map(|(_, y)| last * y[m - 1].abs())
            .collect()
    }

    /// The coefficients y (in the basis) of the `wanted` Ritz vectors at `end`, for callers
    /// that combine other per-basis-vector quantities the same way.
    pub fn ritz_coefficients(&self, end: Spectrum, wanted: usize) -> Vec<Vec<f64>> {
        let m = self.steps();
        let pairs = ritz_pairs(&self.alpha, &self.beta[..m - 1], end);
        pairs.into_iter().take(wanted).map(|(_, y)| y).collect()
    }

    /// Gauss quadrature of the start vector's spectral measure: the Ritz values and the
    /// squares of the first components of T's eigenvectors (they sum to 1). Σ τ² θ = qᵀAq.
    pub fn quadrature(&self) -> (Vec<f64>, Vec<f64>) {
        let m = self.steps();
        let pairs = ritz_pairs(&self.alpha, &self.beta[..m - 1], Spectrum::Lowest);
        pairs.into_iter().map(|(t, y)| (t, y[0] * y[0])).unzip()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagonal(values: Vec<f64>) -> impl FnMut(&[f64], &mut [f64]) {
        move |v: &[f64], w: &mut [f64]| {
            for ((w, v), d) in w.iter_mut().zip(v).zip(&values) {
                *w = v * d;
            }
        }
    }

    #[test]
    fn both_ends_of_one_space() {
        let n = 200;
        let values: Vec<f64> = (0..n).map(|i| i as f64 - 50.0).collect();
        let start: Vec<f64> = (0..n).map(|i| 1.0 + (i % 7) as f64).collect();
        let space = Krylov::build(diagonal(values), &start, 120, |_| false).unwrap();
        let top = space.ritz(Spectrum::Highest, 2);
        let bottom = space.ritz(Spectrum::Lowest, 2);
        assert!((top.values[0] - 149.0).abs() < 1e-8, "{:?}", top.values);
        assert!((top.values[1] - 148.0).abs() < 1e-6, "{:?}", top.values);
        assert!(
            (bottom.values[0] + 50.0).abs() < 1e-8,
            "{:?}",
            bottom.values
        );
        assert!(top.residuals[0] < 1e-6 && bottom.residuals[0] < 1e-6);
        // The top vector is e_199.
        assert!((top.vectors[0][n - 1].abs() - 1.0).abs() < 1e-8);
    }

    #[test]
    fn quadrature_weights_sum_to_one_and_give_the_rayleigh_quotient() {
        let n = 50;
        let values: Vec<f64> = (0..n).map(|i| (i as f64).sqrt()).collect();
        let start: Vec<f64> = (0..n)
            .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let space = Krylov::build(diagonal(values.clone()), &start, 10, |_| false).unwrap();
        let (nodes, weights) = space.quadrature();
        assert_eq!(space.steps(), 10);
        assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let mean: f64 = nodes.iter().zip(&weights).map(|(t, w)| t * w).sum();
        let exact = values.iter().sum::<f64>() / n as f64;
        assert!((mean - exact).abs() < 1e-12, "{mean} vs {exact}");
    }

    #[test]
    fn stops_when_asked() {
        let start = vec![1.0; 30];
        let values: Vec<f64> = (0..30).map(|i| i as f64).collect();
        let space = Krylov::build(diagonal(values), &start, 30, |s| s.steps() == 4).unwrap();
        assert_eq!(space.steps(), 4);
        assert!(Krylov::build(|_, _| {}, &[0.0; 3], 3, |_| false).is_err());
    }
}
