//! Adam (Kingma & Ba) with bias correction, over flat parameter vectors.

use serde::{Deserialize, Serialize};

use super::Params;

/// Adam's settings (paper: lr 1e−3, β = (0.9, 0.999), ε = 1e−8).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdamConfig {
    /// Learning rate.
    pub learning_rate: f64,
    /// Decay of the first-moment average.
    pub beta1: f64,
    /// Decay of the second-moment average.
    pub beta2: f64,
    /// Added to the root of the second moment.
    pub epsilon: f64,
}

impl Default for AdamConfig {
    fn default() -> Self {
        Self {
            learning_rate: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        }
    }
}

/// The optimiser state: moment estimates and the step count.
#[derive(Debug, Clone)]
pub struct AdamState {
    /// First moments m, one per parameter in the flat order of the parameters.
    pub first: Params,
    /// Second moments v, likewise.
    pub second: Params,
    /// Updates taken (t in the bias corrections).
    pub steps: i32,
}

/// Adam (Kingma & Ba) over a flat parameter vector.
#[derive(Debug, Clone)]
pub struct Adam {
    config: AdamConfig,
    first: Params,
    second: Params,
    steps: i32,
}

impl Adam {
    /// A fresh optimiser for parameters shaped like `params`.
    pub fn new(config: AdamConfig, params: &Params) -> Self {
        Self {
            config,
            first: params.zeros_like(),
            second: params.zeros_like(),
            steps: 0,
        }
    }

    /// The optimiser's state: moments and update count, for checkpoints and resume.
    pub fn state(&self) -> AdamState {
        AdamState {
            first: self.first.clone(),
            second: self.second.clone(),
            steps: self.steps,
        }
    }

    /// An optimiser continuing from `state` (moments laid out like the parameters).
    pub fn from_state(config: AdamConfig, state: AdamState) -> Self {
        Self {
            config,
            first: state.first,
            second: state.second,
            steps: state.steps,
        }
    }

    /// The first and second moments m and v (not bias-corrected).
    pub fn moments(&self) -> (&Params, &Params) {
        (&self.first, &self.second)
    }

    /// Its settings.
    pub fn config(&self) -> AdamConfig {
        self.config
    }

    /// The preconditioner √v̂ + ε per parameter (v̂ = v/(1 − β₂ᵗ)), flat; `None` before the
    /// first update, when v̂ is undefined.
    pub fn preconditioner(&self) -> Option<Vec<f64>> {
        (self.steps > 0).then(|| {
            let c2 = 1.0 - self.config.beta2.powi(self.steps);
            let epsilon = self.config.epsilon;
            self.second
                .flat()
                .iter()
                .map(|v| (v / c2).sqrt() + epsilon)
                .collect()
        })
    }

    /// Number of updates taken.
    pub fn steps(&self) -> i32 {
        self.steps
    }

    /// One descent step: params ← params − lr·m̂/(√v̂ + ε) for the gradient `grad`.
    pub fn update(&mut self, params: &mut Params, grad: &Params) {
        let AdamConfig {
            learning_rate,
            beta1,
            beta2,
            epsilon,
        } = self.config;
        self.steps = self.steps.saturating_add(1);
        self.first
            .zip_apply(grad, |m, g| *m = beta1 * *m + (1.0 - beta1) * g);
        self.second
            .zip_apply(grad, |v, g| *v = beta2 * *v + (1.0 - beta2) * g * g);
        let c1 = 1.0 - beta1.powi(self.steps);
        let c2 = 1.0 - beta2.powi(self.steps);
        let (m, v) = (self.first.flat(), self.second.flat());
        for ((p, &m), &v) in params.flat_mut().iter_mut().zip(m.iter()).zip(v.iter()) {
            *p -= learning_rate * (m / c1) / ((v / c2).sqrt() + epsilon);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::TensorSpec;

    #[test]
    fn first_step_moves_each_parameter_by_the_learning_rate() {
        let mut p = Params::zeros(vec![TensorSpec::vector("x", 3)]);
        let mut g = p.zeros_like();
        g.flat_mut().assign(&ndarray::arr1(&[2.0, -0.5, 0.0]));
        let mut adam = Adam::new(AdamConfig::default(), &p);
        adam.update(&mut p, &g);
        let x = p.flat();
        assert!((x[0] + 1e-3).abs() < 1e-9 && (x[1] - 1e-3).abs() < 1e-9 && x[2] == 0.0);
    }

    #[test]
    fn minimises_a_quadratic() {
        let mut p = Params::zeros(vec![TensorSpec::vector("x", 2)]);
        p.flat_mut().assign(&ndarray::arr1(&[1.0, -2.0]));
        let mut adam = Adam::new(
            AdamConfig {
                learning_rate: 0.05,
                ..Default::default()
            },
            &p,
        );
        for _ in 0..2000 {
            let g = p.clone(); // ∇ ½|x|² = x
            adam.update(&mut p, &g);
        }
        assert!(p.norm() < 1e-3, "{}", p.norm());
    }
}
