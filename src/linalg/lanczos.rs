//! Lanczos to a tolerance: the extreme eigenpairs of a symmetric operator given only as a
//! matrix-vector product, with the residual ‖A x − θ x‖ of each Ritz pair — a [`Krylov`]
//! space grown until the wanted pairs have converged.

use thiserror::Error;

use super::Krylov;

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

/// The `settings.wanted` extreme eigenpairs of the symmetric operator `apply` (w ← A v) on
/// vectors of `start.len()`, from the Krylov space of `start`, built until every wanted
/// residual is below `settings.tolerance` × [`Krylov::scale`].
pub fn lanczos(
    apply: impl FnMut(&[f64], &mut [f64]),
    start: &[f64],
    end: Spectrum,
    settings: LanczosSettings,
) -> Result<Eigenpairs, LanczosError> {
    let worst = |s: &Krylov| {
        s.residuals(end, settings.wanted)
            .into_iter()
            .fold(0.0, f64::max)
    };
    let converged =
        |s: &Krylov| s.steps() >= settings.wanted && worst(s) <= settings.tolerance * s.scale();
    // The small problem costs m³: look every iteration early, then every tenth.
    let space = Krylov::build(apply, start, settings.max_iterations, |s| {
        let m = s.steps();
        (m <= 40 || m % 10 == 0) && converged(s)
    })?;
    if converged(&space) || space.invariant() {
        return Ok(space.ritz(end, settings.wanted));
    }
    Err(LanczosError::NotConverged {
        iterations: space.steps(),
        residual: worst(&space),
    })
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
