//! Plain-data settings of an anneal (the `[anneal]` table of a run configuration).

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::gradient_source::GradientSource;
use super::{Estimator, Objective, OptimizerSettings, ScheduleShape, SettleRule};
use crate::anneal::Schedule;
use crate::nn::{OptimizerConfig, OptimizerKind};

/// What is annealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnealKind {
    /// Variational classical annealing: X is a temperature, the objective the free energy.
    Thermal,
    /// Variational quantum annealing: X is a transverse field, the objective ⟨H − BΣX⟩.
    Quantum,
}

impl AnnealKind {
    /// The symbol of the annealed quantity.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Thermal => "T",
            Self::Quantum => "B",
        }
    }
}

/// A setting that is out of range: the key it is about and a message naming the value and the
/// fix (the app shows it under that key's field).
#[derive(Debug, Error, Clone, PartialEq)]
#[error("{message}")]
pub struct FieldError {
    /// The dotted key, e.g. `anneal.train_steps`.
    pub field: &'static str,
    /// What is wrong and what to do.
    pub message: String,
}

impl FieldError {
    /// An error about `field`.
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// Most steps a schedule may have (about a day of the paper's step on two cores at L = 3).
pub const MAX_STEPS: usize = 100_000_000;

fn default_end_ratio() -> f64 {
    1e-3
}

fn unset_learning_rate() -> f64 {
    f64::NAN
}

fn default_final_samples() -> usize {
    10_000
}

/// The `[anneal]` settings (SPEC §3; defaults are the paper's where it has one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnealConfig {
    /// Thermal or quantum.
    pub kind: AnnealKind,
    /// X₀: the starting temperature or field (0 = no annealing).
    pub start: f64,
    /// Steps at X₀ before the descent (paper: 1000).
    pub warmup_steps: usize,
    /// Number of X values in the descent (paper: 10,000).
    pub anneal_steps: usize,
    /// Steps at each X value (paper: 5).
    pub train_steps: usize,
    /// Linear (paper) or exponential descent.
    #[serde(default)]
    pub schedule: ScheduleShape,
    /// Exponential descent only: last X over X₀.
    #[serde(default = "default_end_ratio")]
    pub end_ratio: f64,
    /// Samples per step M (paper: 100).
    pub samples: usize,
    /// Optimiser updates per step K, each on M/K shuffled samples (paper: 10).
    pub minibatches: usize,
    /// The optimiser's learning rate η (paper: 1e−3); `optimizer.learning_rate` is the same
    /// setting. Absent in a file that gives it under `[optimizer]` (read as NaN until the run
    /// configuration resolves it).
    #[serde(default = "unset_learning_rate")]
    pub learning_rate: f64,
    /// Gradient estimator: standard (default) or the authors' quantum surrogate.
    #[serde(default)]
    pub estimator: Estimator,
    /// Samples of the final evaluation.
    #[serde(default = "default_final_samples")]
    pub final_samples: usize,
    /// Where the gradient comes from: samples (the paper's) or every configuration (N ≤ 16).
    #[serde(default, skip_serializing_if = "GradientSource::is_sampled")]
    pub gradient: GradientSource,
    /// The optimiser (written as `[optimizer]` in a run file, not under `[anneal]`).
    #[serde(skip)]
    pub optimizer: OptimizerSettings,
    /// RVQA (SPEC §8.3, quantum only): T_f at B₀; the local value is E_loc + T_f·log p with
    /// T_f = T_f0·B/B₀ falling to 0 with B. 0 (default) is the plain quantum anneal.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub entropy_start: f64,
    /// Settled schedule: the window w of the objective's mean (SPEC §8.3).
    #[serde(
        default = "default_settle_window",
        skip_serializing_if = "is_default_window"
    )]
    pub settle_window: usize,
    /// Settled schedule: the relative change of the windowed mean below which X moves on.
    #[serde(
        default = "default_settle_tolerance",
        skip_serializing_if = "is_default_tolerance"
    )]
    pub settle_tolerance: f64,
    /// Settled schedule: most steps at one X value (at least `train_steps`).
    #[serde(
        default = "default_max_dwell",
        skip_serializing_if = "is_default_dwell"
    )]
    pub max_dwell: usize,
}

fn default_settle_window() -> usize {
    SettleRule::default().window
}

fn default_settle_tolerance() -> f64 {
    SettleRule::default().tolerance
}

fn default_max_dwell() -> usize {
    SettleRule::default().max_dwell
}

fn is_default_window(value: &usize) -> bool {
    *value == default_settle_window()
}

fn is_default_tolerance(value: &f64) -> bool {
    *value == default_settle_tolerance()
}

fn is_default_dwell(value: &usize) -> bool {
    *value == default_max_dwell()
}

fn is_zero(value: &f64) -> bool {
    *value == 0.0
}

impl AnnealConfig {
    /// The optimiser these settings describe: `[optimizer]` with `anneal.learning_rate`.
    pub fn optimizer_config(&self) -> OptimizerConfig {
        let o = self.optimizer;
        OptimizerConfig {
            kind: o.kind,
            learning_rate: self.learning_rate,
            beta1: o.beta1,
            beta2: o.beta2,
            epsilon: o.epsilon,
            diag_shift: o.diag_shift,
            momentum: o.momentum,
            minibatches: o.minibatches,
        }
    }

    /// The objective a step at X = `x` descends: RVQA's T_f = T_f0·x/X₀ with the field.
    pub fn objective(&self, x: f64) -> Objective {
        match self.kind {
            AnnealKind::Quantum if self.entropy_start > 0.0 && self.start > 0.0 => {
                Objective::Quantum {
                    field: x,
                    entropy: self.entropy_start * x / self.start,
                }
            }
            kind => Objective::new(kind, x),
        }
    }

    /// The schedule these settings describe.
    pub fn schedule(&self) -> Schedule {
        Schedule {
            start: self.start,
            warmup_steps: self.warmup_steps,
            anneal_steps: self.anneal_steps,
            train_steps: self.train_steps,
            shape: self.schedule,
            end_ratio: self.end_ratio,
            settle: SettleRule {
                window: self.settle_window,
                tolerance: self.settle_tolerance,
                max_dwell: self.max_dwell,
            },
        }
    }

    /// Check every value; the error names the field, the value and what is allowed.
    pub fn validate(&self) -> Result<(), FieldError> {
        if !(self.start.is_finite() && self.start >= 0.0 && self.start <= 1e6) {
            return Err(FieldError::new(
                "anneal.start",
                format!(
                    "anneal.start must be a number from 0 to 1e6 (got {})",
                    self.start
                ),
            ));
        }
        if self.anneal_steps > 0 && self.train_steps == 0 {
            return Err(FieldError::new(
                "anneal.train_steps",
                "anneal.train_steps must be at least 1 when anneal.anneal_steps > 0 (got 0)",
            ));
        }
        if self.checked_total_steps().is_none_or(|t| t > MAX_STEPS) {
            let field = if self.warmup_steps > MAX_STEPS {
                "anneal.warmup_steps"
            } else {
                "anneal.anneal_steps"
            };
            return Err(FieldError::new(
                field,
                format!(
                    "the schedule has more than {MAX_STEPS} steps (anneal.warmup_steps {} + anneal.anneal_steps {} × anneal.train_steps {}): lower {}",
                    self.warmup_steps, self.anneal_steps, self.train_steps,
                    if field == "anneal.warmup_steps" { field } else { "anneal.anneal_steps or anneal.train_steps" }
                ),
            ));
        }
        if !(1..=100_000).contains(&self.samples) {
            return Err(FieldError::new(
                "anneal.samples",
                format!(
                    "anneal.samples must be from 1 to 100000 (got {})",
                    self.samples
                ),
            ));
        }
        if self.minibatches == 0 || !self.samples.is_multiple_of(self.minibatches) {
            return Err(FieldError::new(
                "anneal.minibatches",
                format!(
                    "anneal.samples must be a multiple of anneal.minibatches (got {} and {})",
                    self.samples, self.minibatches
                ),
            ));
        }
        if self.samples / self.minibatches < 2 {
            // Each mini-batch subtracts its own mean: with one sample the weight is exactly
            // zero, every gradient vanishes and the run would "finish" untrained.
            return Err(FieldError::new(
                "anneal.minibatches",
                format!(
                    "anneal.minibatches = {} leaves {} sample per mini-batch, whose baseline cancels it and makes every gradient zero: use at most anneal.samples / 2 = {} mini-batches",
                    self.minibatches,
                    self.samples / self.minibatches,
                    self.samples / 2
                ),
            ));
        }
        if !(self.learning_rate.is_finite()
            && self.learning_rate > 0.0
            && self.learning_rate < 10.0)
        {
            return Err(FieldError::new(
                "anneal.learning_rate",
                format!(
                    "anneal.learning_rate must be a number above 0 and below 10 (got {})",
                    self.learning_rate
                ),
            ));
        }
        self.optimizer.validate()?;
        if self.optimizer.kind == OptimizerKind::Sr {
            if self.estimator == Estimator::Authors {
                return Err(FieldError::new("optimizer.kind", "optimizer.kind = \"sr\" takes the force from the local values themselves (SPEC §8.1); the authors' surrogate is an Adam gradient: use anneal.estimator = \"standard\""));
            }
            let k = self.optimizer.minibatches;
            if !self.samples.is_multiple_of(k) || self.samples / k < 2 {
                return Err(FieldError::new(
                    "optimizer.minibatches",
                    format!(
                        "optimizer.minibatches = {k} must divide anneal.samples = {} into groups of at least 2",
                        self.samples
                    ),
                ));
            }
        }
        if self.schedule == ScheduleShape::Exponential
            && !(self.end_ratio > 0.0 && self.end_ratio < 1.0)
        {
            return Err(FieldError::new(
                "anneal.end_ratio",
                format!(
                    "anneal.end_ratio must lie strictly between 0 and 1 (got {})",
                    self.end_ratio
                ),
            ));
        }
        if self.schedule == ScheduleShape::Settled {
            self.validate_settling()?;
        }
        if self.estimator == Estimator::Authors && self.kind == AnnealKind::Thermal {
            return Err(FieldError::new("anneal.estimator", "anneal.estimator = \"authors\" is the authors' quantum surrogate: use \"standard\" with kind = \"thermal\" (their thermal code did)"));
        }
        if !(self.entropy_start.is_finite() && (0.0..=1e6).contains(&self.entropy_start)) {
            return Err(FieldError::new(
                "anneal.entropy_start",
                format!(
                    "anneal.entropy_start must be a number from 0 (off) to 1e6 (got {})",
                    self.entropy_start
                ),
            ));
        }
        if self.entropy_start > 0.0 && self.kind == AnnealKind::Thermal {
            return Err(FieldError::new("anneal.entropy_start", format!("anneal.entropy_start = {} regularises a quantum anneal with entropy (RVQA); a thermal anneal's free energy has it already: set it to 0 or use kind = \"quantum\"", self.entropy_start)));
        }
        if self.entropy_start > 0.0 && self.start == 0.0 {
            return Err(FieldError::new("anneal.entropy_start", format!("anneal.entropy_start = {} falls to 0 with B, and anneal.start = 0 has no B to fall from: give anneal.start > 0 or set anneal.entropy_start = 0", self.entropy_start)));
        }
        if !(1..=10_000_000).contains(&self.final_samples) {
            return Err(FieldError::new(
                "anneal.final_samples",
                format!(
                    "anneal.final_samples must be from 1 to 10000000 (got {})",
                    self.final_samples
                ),
            ));
        }
        Ok(())
    }

    /// The settled schedule's window, tolerance and dwell.
    fn validate_settling(&self) -> Result<(), FieldError> {
        if !(1..=10_000).contains(&self.settle_window) {
            return Err(FieldError::new(
                "anneal.settle_window",
                format!(
                    "anneal.settle_window must be from 1 to 10000 steps (got {})",
                    self.settle_window
                ),
            ));
        }
        if !(self.settle_tolerance.is_finite() && self.settle_tolerance >= 0.0) {
            return Err(FieldError::new(
                "anneal.settle_tolerance",
                format!(
                    "anneal.settle_tolerance must be a number >= 0 (got {})",
                    self.settle_tolerance
                ),
            ));
        }
        if self.max_dwell < self.train_steps.max(1) || self.max_dwell > MAX_STEPS {
            return Err(FieldError::new(
                "anneal.max_dwell",
                format!(
                    "anneal.max_dwell = {} must be at least anneal.train_steps = {} (else the settled schedule cannot spend the linear schedule's steps) and at most {MAX_STEPS}",
                    self.max_dwell, self.train_steps
                ),
            ));
        }
        Ok(())
    }

    /// warmup + anneal × train + 1, or `None` if it overflows.
    pub fn checked_total_steps(&self) -> Option<usize> {
        self.anneal_steps
            .checked_mul(self.train_steps)?
            .checked_add(self.warmup_steps)?
            .checked_add(1)
    }
}
