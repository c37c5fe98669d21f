//! The first-order optimisers of SPEC §8.1 over flat parameter vectors: Adam (Kingma & Ba,
//! the paper's), AMSGrad, clipped Adam (StableAdamW's update clipping) and plain SGD.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::Params;

/// Which update rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum OptimizerKind {
    /// Adam with bias correction (the paper's).
    #[default]
    Adam,
    /// AMSGrad: the bias-corrected second moment is a running maximum, so it cannot decay
    /// while the gradient vanishes (the late kick of SPEC §6).
    Amsgrad,
    /// Adam whose update of each tensor is divided by max(1, RMS(g²/v̂)) over that tensor
    /// (StableAdamW's clipping).
    AdamClipped,
    /// Plain gradient descent: θ ← θ − η g.
    Sgd,
    /// The natural gradient in sample space (minSR; SPRING with momentum > 0):
    /// θ ← θ − η·c·φ, c = 1 thermal, 2 quantum (SPEC §8.1).
    Sr,
}

impl OptimizerKind {
    /// The name in a configuration file.
    pub fn name(self) -> &'static str {
        match self {
            Self::Adam => "adam",
            Self::Amsgrad => "amsgrad",
            Self::AdamClipped => "adam-clipped",
            Self::Sgd => "sgd",
            Self::Sr => "sr",
        }
    }

    /// Whether it keeps moment estimates (the Adam family).
    pub fn has_moments(self) -> bool {
        !matches!(self, Self::Sgd | Self::Sr)
    }
}

/// An optimiser's settings (paper: Adam, lr 1e−3, β = (0.9, 0.999), ε = 1e−8).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptimizerConfig {
    /// The update rule.
    pub kind: OptimizerKind,
    /// Learning rate η.
    pub learning_rate: f64,
    /// Decay of the first-moment average.
    pub beta1: f64,
    /// Decay of the second-moment average.
    pub beta2: f64,
    /// Added to the root of the second moment.
    pub epsilon: f64,
    /// SR: the shift λ of D̄D̄ᵀ + λI (4× the shift written on the quantum geometric tensor).
    pub diag_shift: f64,
    /// SR: SPRING's momentum μ (0 is minSR).
    pub momentum: f64,
    /// SR: updates per step, each from M/k samples (1: one update from all M).
    pub minibatches: usize,
}

impl Default for OptimizerConfig {
    fn default() -> Self {
        Self {
            kind: OptimizerKind::Adam,
            learning_rate: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            diag_shift: 1e-3,
            momentum: 0.0,
            minibatches: 1,
        }
    }
}

/// A stored state that lacks what its optimiser needs to continue.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("{kind} needs {tensor}, which the stored state lacks")]
pub struct StateError {
    /// The optimiser, as named in a configuration.
    pub kind: &'static str,
    /// The missing tensor (`adam/vmax`, `sr/phi`).
    pub tensor: &'static str,
}

/// The optimiser state: moment estimates and the step count.
#[derive(Debug, Clone)]
pub struct OptimizerState {
    /// First moments m, one per parameter in the flat order of the parameters (zero for SGD).
    pub first: Params,
    /// Second moments v, likewise.
    pub second: Params,
    /// AMSGrad's running maximum of the bias-corrected v̂ (`None` for the other kinds).
    pub max_second: Option<Params>,
    /// SPRING's previous φ (`None` for the other kinds and before the first SR update).
    pub previous_step: Option<Params>,
    /// Updates taken (t in the bias corrections).
    pub steps: i32,
}

/// An optimiser over a flat parameter vector.
#[derive(Debug, Clone)]
pub struct Optimizer {
    config: OptimizerConfig,
    first: Params,
    second: Params,
    max_second: Option<Params>,
    previous_step: Option<Params>,
    steps: i32,
}

impl Optimizer {
    /// A fresh optimiser for parameters shaped like `params`.
    pub fn new(config: OptimizerConfig, params: &Params) -> Self {
        Self {
            config,
            first: params.zeros_like(),
            second: params.zeros_like(),
            max_second: (config.kind == OptimizerKind::Amsgrad).then(|| params.zeros_like()),
            previous_step: None,
            steps: 0,
        }
    }

    /// The optimiser's state: moments and update count, for checkpoints and resume.
    pub fn state(&self) -> OptimizerState {
        OptimizerState {
            first: self.first.clone(),
            second: self.second.clone(),
            max_second: self.max_second.clone(),
            previous_step: self.previous_step.clone(),
            steps: self.steps,
        }
    }

    /// An optimiser continuing from `state` (moments laid out like the parameters). AMSGrad
    /// needs `state.max_second`; the other kinds ignore it.
    pub fn from_state(config: OptimizerConfig, state: OptimizerState) -> Result<Self, StateError> {
        let max_second = match (config.kind, state.max_second) {
            (OptimizerKind::Amsgrad, None) => {
                return Err(StateError {
                    kind: "amsgrad",
                    tensor: "adam/vmax",
                })
            }
            (OptimizerKind::Amsgrad, Some(m)) => Some(m),
            (_, _) => None,
        };
        let previous_step = match (config.kind, state.previous_step) {
            (OptimizerKind::Sr, previous) if config.momentum != 0.0 => {
                if previous.is_none() && state.steps > 0 {
                    return Err(StateError {
                        kind: "sr",
                        tensor: "sr/phi",
                    });
                }
                previous
            }
            _ => None,
        };
        Ok(Self {
            config,
            first: state.first,
            second: state.second,
            max_second,
            previous_step,
            steps: state.steps,
        })
    }

    /// The first and second moments m and v (not bias-corrected).
    pub fn moments(&self) -> (&Params, &Params) {
        (&self.first, &self.second)
    }

    /// AMSGrad's running maximum of v̂, if this is AMSGrad.
    pub fn max_second(&self) -> Option<&Params> {
        self.max_second.as_ref()
    }

    /// Its settings.
    pub fn config(&self) -> OptimizerConfig {
        self.config
    }

    /// The preconditioner √v̂ + ε per parameter (v̂ = v/(1 − β₂ᵗ), AMSGrad's running maximum
    /// for AMSGrad), flat; `None` before the first update, when v̂ is undefined, and for SGD.
    pub fn preconditioner(&self) -> Option<Vec<f64>> {
        (self.steps > 0 && self.config.kind.has_moments()).then(|| {
            let epsilon = self.config.epsilon;
            if let Some(max) = &self.max_second {
                return max.flat().iter().map(|v| v.sqrt() + epsilon).collect();
            }
            let c2 = 1.0 - self.config.beta2.powi(self.steps);
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

    /// SPRING's previous φ, if this is SR with momentum and it has stepped.
    pub fn previous_step(&self) -> Option<&Params> {
        self.previous_step.as_ref()
    }

    /// One natural-gradient update θ ← θ − η·c·φ, keeping φ for SPRING's momentum.
    pub fn natural_update(&mut self, params: &mut Params, phi: &Params, c: f64) {
        self.steps = self.steps.saturating_add(1);
        params.axpy(-self.config.learning_rate * c, phi);
        if self.config.momentum != 0.0 {
            self.previous_step = Some(phi.clone());
        }
    }

    /// One descent step for the gradient `grad`.
    pub fn update(&mut self, params: &mut Params, grad: &Params) {
        let OptimizerConfig {
            kind,
            learning_rate,
            beta1,
            beta2,
            epsilon,
            ..
        } = self.config;
        self.steps = self.steps.saturating_add(1);
        if matches!(kind, OptimizerKind::Sgd | OptimizerKind::Sr) {
            // SR steps through natural_update; a plain gradient is SGD's step.
            params.axpy(-learning_rate, grad);
            return;
        }
        self.first
            .zip_apply(grad, |m, g| *m = beta1 * *m + (1.0 - beta1) * g);
        self.second
            .zip_apply(grad, |v, g| *v = beta2 * *v + (1.0 - beta2) * g * g);
        let c1 = 1.0 - beta1.powi(self.steps);
        let c2 = 1.0 - beta2.powi(self.steps);
        match kind {
            OptimizerKind::Adam => {
                let (m, v) = (self.first.flat(), self.second.flat());
                for ((p, &m), &v) in params.flat_mut().iter_mut().zip(m.iter()).zip(v.iter()) {
                    *p -= learning_rate * (m / c1) / ((v / c2).sqrt() + epsilon);
                }
            }
            OptimizerKind::Amsgrad => {
                let max = self.max_second.as_mut().expect("AMSGrad keeps its maximum");
                max.zip_apply(&self.second, |hi, v| *hi = hi.max(v / c2));
                let (m, hi) = (self.first.flat(), max.flat());
                for ((p, &m), &hi) in params.flat_mut().iter_mut().zip(m.iter()).zip(hi.iter()) {
                    *p -= learning_rate * (m / c1) / (hi.sqrt() + epsilon);
                }
            }
            OptimizerKind::AdamClipped => {
                let floor = epsilon * epsilon;
                for t in 0..params.specs().len() {
                    let (g, v) = (grad.slice(t), self.second.slice(t));
                    // RMS over the tensor of g²/v̂, with v̂ floored at ε² so a parameter that
                    // never had a gradient does not divide by zero.
                    let mean = g
                        .iter()
                        .zip(v)
                        .map(|(&g, &v)| g * g / (v / c2).max(floor))
                        .sum::<f64>()
                        / g.len().max(1) as f64;
                    let scale = learning_rate / mean.sqrt().max(1.0);
                    let m = self.first.slice(t);
                    let v = self.second.slice(t);
                    let p = params.slice_mut(t);
                    for ((p, &m), &v) in p.iter_mut().zip(m).zip(v) {
                        *p -= scale * (m / c1) / ((v / c2).sqrt() + epsilon);
                    }
                }
            }
            OptimizerKind::Sgd | OptimizerKind::Sr => unreachable!("handled above"),
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
        let mut adam = Optimizer::new(OptimizerConfig::default(), &p);
        adam.update(&mut p, &g);
        let x = p.flat();
        assert!((x[0] + 1e-3).abs() < 1e-9 && (x[1] - 1e-3).abs() < 1e-9 && x[2] == 0.0);
    }

    #[test]
    fn minimises_a_quadratic() {
        let mut p = Params::zeros(vec![TensorSpec::vector("x", 2)]);
        p.flat_mut().assign(&ndarray::arr1(&[1.0, -2.0]));
        let mut adam = Optimizer::new(
            OptimizerConfig {
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

    /// f(x) = ½ Σ a_i x_i² on three parameters: its gradient a ⊙ x.
    fn quadratic(x: &Params) -> Params {
        let mut g = x.clone();
        for (g, a) in g.flat_mut().iter_mut().zip([1.0, 4.0, 0.25]) {
            *g *= a;
        }
        g
    }

    fn three(values: [f64; 3]) -> Params {
        let mut p = Params::zeros(vec![TensorSpec::vector("x", 3)]);
        p.flat_mut().assign(&ndarray::arr1(&values));
        p
    }

    /// Two updates with gradients g1 then g2 from x0; returns the parameters after each.
    fn two_steps(kind: OptimizerKind, g1: [f64; 3], g2: [f64; 3]) -> (Params, Params) {
        let config = OptimizerConfig {
            kind,
            learning_rate: 0.1,
            ..Default::default()
        };
        let mut x = three([1.0, 1.0, 1.0]);
        let mut opt = Optimizer::new(config, &x);
        opt.update(&mut x, &three(g1));
        let after_one = x.clone();
        opt.update(&mut x, &three(g2));
        (after_one, x)
    }

    fn close(a: &Params, b: [f64; 3]) -> bool {
        a.flat().iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12)
    }

    #[test]
    fn amsgrad_keeps_the_largest_second_moment_when_the_gradient_shrinks() {
        let (lr, b2, eps) = (0.1, 0.999, 1e-8);
        let g1 = [2.0, -1.0, 0.5];
        let g2 = [0.2, 0.1, -0.05]; // a tenth: v̂ would decay, AMSGrad keeps v̂₁ = g1²
        let (one, two) = two_steps(OptimizerKind::Amsgrad, g1, g2);
        // Step 1: m̂ = g1, v̂ = g1², so each parameter moves by lr·g/(|g| + ε).
        let x1 = [0, 1, 2].map(|i| 1.0 - lr * g1[i] / (g1[i].abs() + eps));
        assert!(close(&one, x1));
        // Step 2: m̂₂ = (0.9 g1·0.1 + 0.1 g2)/(1 − 0.81) and max(v̂₁, v̂₂) = g1².
        let x2 = [0, 1, 2].map(|i| {
            let m_hat = (0.9 * 0.1 * g1[i] + 0.1 * g2[i]) / (1.0 - 0.81);
            x1[i] - lr * m_hat / (g1[i].abs() + eps)
        });
        assert!(close(&two, x2));
        // Adam itself divides by the decayed √v̂₂ = √((β₂g1² + g2²)/(1 + β₂)): a larger step.
        let (_, adam) = two_steps(OptimizerKind::Adam, g1, g2);
        let x2_adam = [0, 1, 2].map(|i| {
            let m_hat = (0.9 * 0.1 * g1[i] + 0.1 * g2[i]) / (1.0 - 0.81);
            let v_hat = (b2 * g1[i] * g1[i] + g2[i] * g2[i]) / (1.0 + b2);
            x1[i] - lr * m_hat / (v_hat.sqrt() + eps)
        });
        assert!(close(&adam, x2_adam));
        assert!((0..3).all(|i| (adam.flat()[i] - x1[i]).abs() > (two.flat()[i] - x1[i]).abs()));
    }

    #[test]
    fn clipped_adam_divides_a_tensor_update_by_its_rms_ratio_above_one() {
        let (lr, b2, eps) = (0.1, 0.999, 1e-8);
        let g1 = [2.0, -1.0, 0.5];
        let g2 = g1.map(|g| 10.0 * g); // a kick: g²/v̂ jumps to 100/((β₂ + 100)/(1 + β₂))
        let (one, two) = two_steps(OptimizerKind::AdamClipped, g1, g2);
        // Step 1: g²/v̂ = 1 everywhere, RMS 1, no clipping: the Adam step.
        let x1 = [0, 1, 2].map(|i| 1.0 - lr * g1[i] / (g1[i].abs() + eps));
        assert!(close(&one, x1));
        let ratio: f64 = 100.0 / ((b2 + 100.0) / (1.0 + b2));
        let clip = ratio.sqrt();
        assert!(clip > 1.4);
        let x2 = [0, 1, 2].map(|i| {
            let m_hat = (0.9 * 0.1 * g1[i] + 0.1 * g2[i]) / (1.0 - 0.81);
            let v_hat = (b2 * g1[i] * g1[i] + g2[i] * g2[i]) / (1.0 + b2);
            x1[i] - lr / clip * m_hat / (v_hat.sqrt() + eps)
        });
        assert!(close(&two, x2));
    }

    #[test]
    fn sgd_steps_along_the_gradient_and_has_no_preconditioner() {
        let config = OptimizerConfig {
            kind: OptimizerKind::Sgd,
            learning_rate: 0.1,
            ..Default::default()
        };
        let mut x = three([1.0, -2.0, 4.0]);
        let mut sgd = Optimizer::new(config, &x);
        let g = quadratic(&x);
        sgd.update(&mut x, &g);
        assert!(close(&x, [0.9, -1.2, 3.9]));
        assert!(sgd.preconditioner().is_none());
        // Gradient descent on the quadratic converges for lr < 2/max a = 0.5.
        for _ in 0..500 {
            let g = quadratic(&x);
            sgd.update(&mut x, &g);
        }
        assert!(x.norm() < 1e-3, "{}", x.norm());
    }

    #[test]
    fn amsgrad_refuses_a_state_without_its_maximum() {
        let p = three([0.0; 3]);
        let config = OptimizerConfig {
            kind: OptimizerKind::Amsgrad,
            ..Default::default()
        };
        let mut state = Optimizer::new(OptimizerConfig::default(), &p).state();
        assert!(Optimizer::from_state(config, state.clone()).is_err());
        state.max_second = Some(p.zeros_like());
        assert!(Optimizer::from_state(config, state).is_ok());
    }
}
