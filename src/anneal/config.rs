//! Plain-data settings of an anneal (the `[anneal]` table of a run configuration).

use serde::{Deserialize, Serialize};

use super::{Estimator, ScheduleShape};
use crate::anneal::Schedule;

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

fn default_end_ratio() -> f64 {
    1e-3
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
    /// Adam updates per step K, each on M/K shuffled samples (paper: 10).
    pub minibatches: usize,
    /// Adam learning rate (paper: 1e−3).
    pub learning_rate: f64,
    /// Gradient estimator: standard (default) or the authors' quantum surrogate.
    #[serde(default)]
    pub estimator: Estimator,
    /// Samples of the final evaluation.
    #[serde(default = "default_final_samples")]
    pub final_samples: usize,
}

impl AnnealConfig {
    /// The schedule these settings describe.
    pub fn schedule(&self) -> Schedule {
        Schedule {
            start: self.start,
            warmup_steps: self.warmup_steps,
            anneal_steps: self.anneal_steps,
            train_steps: self.train_steps,
            shape: self.schedule,
            end_ratio: self.end_ratio,
        }
    }

    /// Check every value; the message names the field, the value and what is allowed.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.start.is_finite() && self.start >= 0.0 && self.start <= 1e6) {
            return Err(format!(
                "anneal.start must be a number from 0 to 1e6 (got {})",
                self.start
            ));
        }
        if self.anneal_steps > 0 && self.train_steps == 0 {
            return Err(
                "anneal.train_steps must be at least 1 when anneal.anneal_steps > 0 (got 0)".into(),
            );
        }
        let total = self.schedule().total_steps();
        if total > 100_000_000 {
            return Err(format!(
                "the schedule has {total} steps: keep warmup_steps + anneal_steps × train_steps below 1e8"
            ));
        }
        if !(1..=100_000).contains(&self.samples) {
            return Err(format!(
                "anneal.samples must be from 1 to 100000 (got {})",
                self.samples
            ));
        }
        if self.minibatches == 0 || self.samples % self.minibatches != 0 {
            return Err(format!(
                "anneal.samples must be a multiple of anneal.minibatches (got {} and {})",
                self.samples, self.minibatches
            ));
        }
        if !(self.learning_rate.is_finite()
            && self.learning_rate > 0.0
            && self.learning_rate < 10.0)
        {
            return Err(format!(
                "anneal.learning_rate must be a number above 0 and below 10 (got {})",
                self.learning_rate
            ));
        }
        if self.schedule == ScheduleShape::Exponential
            && !(self.end_ratio > 0.0 && self.end_ratio < 1.0)
        {
            return Err(format!(
                "anneal.end_ratio must lie strictly between 0 and 1 (got {})",
                self.end_ratio
            ));
        }
        if self.estimator == Estimator::Authors && self.kind == AnnealKind::Thermal {
            return Err("anneal.estimator = \"authors\" is the authors' quantum surrogate: use \"standard\" with kind = \"thermal\" (their thermal code did)".into());
        }
        if !(1..=10_000_000).contains(&self.final_samples) {
            return Err(format!(
                "anneal.final_samples must be from 1 to 10000000 (got {})",
                self.final_samples
            ));
        }
        Ok(())
    }
}
