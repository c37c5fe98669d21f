//! The optimiser's settings of an anneal (a run file's `[optimizer]` table), but its learning
//! rate, which is `anneal.learning_rate`.

use serde::{Deserialize, Serialize};

use super::FieldError;
use crate::nn::{OptimizerConfig, OptimizerKind};

/// The optimiser's settings but its learning rate, which is `anneal.learning_rate` (a run
/// file writes them as `[optimizer]`; see `RunConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptimizerSettings {
    /// The update rule (default: the paper's Adam).
    #[serde(default)]
    pub kind: OptimizerKind,
    /// Decay of the first-moment average (Adam and its variants).
    #[serde(default = "default_beta1")]
    pub beta1: f64,
    /// Decay of the second-moment average.
    #[serde(default = "default_beta2")]
    pub beta2: f64,
    /// Added to the root of the second moment.
    #[serde(default = "default_epsilon")]
    pub epsilon: f64,
    /// SR: the shift λ of D̄D̄ᵀ + λI.
    #[serde(default = "default_diag_shift")]
    pub diag_shift: f64,
    /// SR: SPRING's momentum μ (0 is minSR).
    #[serde(default)]
    pub momentum: f64,
    /// SR: updates per step, each from M/k samples.
    #[serde(default = "default_sr_minibatches")]
    pub minibatches: usize,
}

fn default_diag_shift() -> f64 {
    OptimizerConfig::default().diag_shift
}

fn default_sr_minibatches() -> usize {
    1
}

fn default_beta1() -> f64 {
    OptimizerConfig::default().beta1
}

fn default_beta2() -> f64 {
    OptimizerConfig::default().beta2
}

fn default_epsilon() -> f64 {
    OptimizerConfig::default().epsilon
}

impl Default for OptimizerSettings {
    fn default() -> Self {
        Self {
            kind: OptimizerKind::Adam,
            beta1: default_beta1(),
            beta2: default_beta2(),
            epsilon: default_epsilon(),
            diag_shift: default_diag_shift(),
            momentum: 0.0,
            minibatches: default_sr_minibatches(),
        }
    }
}

impl OptimizerSettings {
    /// Whether these are the paper's (left out of a written configuration, so configurations
    /// from before `[optimizer]` existed read and write the same).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// Check every value; the error names the field.
    pub fn validate(&self) -> Result<(), FieldError> {
        for (field, value) in [
            ("optimizer.beta1", self.beta1),
            ("optimizer.beta2", self.beta2),
        ] {
            if !(value.is_finite() && (0.0..1.0).contains(&value)) {
                return Err(FieldError::new(
                    field,
                    format!("{field} must be at least 0 and below 1 (got {value})"),
                ));
            }
        }
        if !(self.diag_shift.is_finite() && self.diag_shift > 0.0 && self.diag_shift < 1e6) {
            return Err(FieldError::new(
                "optimizer.diag_shift",
                format!(
                    "optimizer.diag_shift must be above 0 and below 1e6 (got {}): SR solves D̄D̄ᵀ + λI, singular at λ = 0 when M > P or samples repeat",
                    self.diag_shift
                ),
            ));
        }
        if !(self.momentum.is_finite() && (0.0..1.0).contains(&self.momentum)) {
            return Err(FieldError::new(
                "optimizer.momentum",
                format!(
                    "optimizer.momentum must be at least 0 and below 1 (got {})",
                    self.momentum
                ),
            ));
        }
        if self.minibatches == 0 {
            return Err(FieldError::new(
                "optimizer.minibatches",
                "optimizer.minibatches must be at least 1 (got 0)",
            ));
        }
        if !(self.epsilon.is_finite() && self.epsilon > 0.0 && self.epsilon < 1.0) {
            return Err(FieldError::new(
                "optimizer.epsilon",
                format!(
                    "optimizer.epsilon must be above 0 and below 1 (got {})",
                    self.epsilon
                ),
            ));
        }
        Ok(())
    }
}
