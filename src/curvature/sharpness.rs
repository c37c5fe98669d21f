//! The edge of stability (SPEC §6.2): Adam's preconditioner P = diag(√v̂ + ε) from the
//! optimiser's state, the thresholds, and how the per-spin objective relates to the loss the
//! optimiser actually descends.

use ndarray::Array1;

pub use crate::anneal::median_and_min;
use crate::anneal::Estimator;
use crate::nn::{Optimizer, OptimizerConfig};

/// Adam's diagonal preconditioner at one point of training.
#[derive(Debug, Clone, PartialEq)]
pub struct Preconditioner {
    /// √v̂ + ε per parameter, v̂ = v/(1 − β₂ᵗ).
    pub diagonal: Array1<f64>,
    /// The step direction −m̂/(√v̂ + ε), m̂ = m/(1 − β₁ᵗ).
    pub step_direction: Array1<f64>,
}

impl Preconditioner {
    /// From Adam's moments; `None` before the first update (v̂ is undefined).
    pub fn from_adam(adam: &Optimizer) -> Option<Self> {
        let diagonal = Array1::from(adam.preconditioner()?);
        let t = adam.steps();
        let c1 = 1.0 - adam.config().beta1.powi(t);
        let m = adam.moments().0.flat();
        let step_direction = Array1::from_shape_fn(diagonal.len(), |i| -(m[i] / c1) / diagonal[i]);
        Some(Self {
            diagonal,
            step_direction,
        })
    }

    /// D = P^(−1/2), the scaling of the preconditioned operator D H D.
    pub fn inverse_sqrt(&self) -> Vec<f64> {
        self.diagonal.iter().map(|p| 1.0 / p.sqrt()).collect()
    }

    /// The median and the minimum of √v̂ + ε.
    pub fn median_and_min(&self) -> (f64, f64) {
        median_and_min(self.diagonal.as_slice().expect("fresh array"))
    }
}

/// Adam's stability threshold for the preconditioned sharpness, (2 + 2β₁)/((1 − β₁)η):
/// 38/η at β₁ = 0.9 (Cohen et al. 2022).
pub fn adam_threshold(config: &OptimizerConfig) -> f64 {
    (2.0 + 2.0 * config.beta1) / ((1.0 - config.beta1) * config.learning_rate)
}

/// Gradient descent's threshold for the sharpness, 2/η.
pub fn gradient_descent_threshold(learning_rate: f64) -> f64 {
    2.0 / learning_rate
}

/// The factor between the per-spin objective O and the loss whose gradient each update takes
/// in expectation: the updates use the total objective N·O, the mini-batch baseline scales it
/// by (1 − 1/m) (standard) and the authors' surrogate by 2(1 − 1/(4m)), m the mini-batch size.
/// Sharpnesses compared with 2/η or 38/η are of this loss.
pub fn loss_scale(estimator: Estimator, sites: usize, minibatch: usize) -> f64 {
    let m = minibatch.max(1) as f64;
    let n = sites as f64;
    match estimator {
        Estimator::Standard => n * (1.0 - 1.0 / m),
        Estimator::Authors => 2.0 * n * (1.0 - 0.25 / m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_and_scales() {
        let c = OptimizerConfig::default();
        assert!((adam_threshold(&c) - 38_000.0).abs() < 1e-6);
        assert!((gradient_descent_threshold(1e-3) - 2000.0).abs() < 1e-9);
        assert!((loss_scale(Estimator::Standard, 16, 10) - 14.4).abs() < 1e-12);
        assert!((loss_scale(Estimator::Authors, 16, 10) - 31.2).abs() < 1e-12);
        assert_eq!(median_and_min(&[3.0, 1.0, 2.0]), (2.0, 1.0));
    }
}
