//! Per-sample weights of the gradient estimator g = Σ_m w_m ∇ log p(e_m) (SPEC §3).

use ndarray::{ArrayView1, ArrayViewMut1};
use serde::{Deserialize, Serialize};

/// The gradient estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Estimator {
    /// g = (1/M) Σ (O_m − Ō)·∇ log p: the baseline is the mini-batch mean.
    #[default]
    Standard,
    /// The authors' quantum surrogate 2·mean(log p·E) − mean(E)·mean(½ log p), whose
    /// gradient is 2·mean((E_m − Ē/4)·∇ log p): twice the step, a quarter of the baseline.
    Authors,
}

impl Estimator {
    /// Fill `weights` for the mini-batch objective values `local`.
    pub fn weights(self, local: ArrayView1<f64>, mut weights: ArrayViewMut1<f64>) {
        let m = local.len() as f64;
        let mean = local.sum() / m;
        let (scale, baseline) = match self {
            Self::Standard => (1.0 / m, mean),
            Self::Authors => (2.0 / m, mean / 4.0),
        };
        for (w, &o) in weights.iter_mut().zip(local) {
            *w = scale * (o - baseline);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{arr1, Array1};

    #[test]
    fn weights_follow_the_two_formulas() {
        let local = arr1(&[1.0, 2.0, 6.0]);
        let mut w = Array1::zeros(3);
        let close =
            |a: &Array1<f64>, b: [f64; 3]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-15);
        Estimator::Standard.weights(local.view(), w.view_mut());
        assert!(close(&w, [-2.0 / 3.0, -1.0 / 3.0, 1.0]), "{w}");
        // Mean 3, baseline 3/4, scale 2/3.
        Estimator::Authors.weights(local.view(), w.view_mut());
        assert!(close(&w, [1.0 / 6.0, 5.0 / 6.0, 3.5]), "{w}");
    }
}
