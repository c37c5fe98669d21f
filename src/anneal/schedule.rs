//! The annealing schedule: warm-up at X₀, a descent of X to zero, one final step at zero.
//!
//! X is a temperature (thermal) or a transverse field (quantum). With N_warmup, N_anneal and
//! N_train as in SPEC §3: N_warmup steps at X₀; then for k = 0 … N_anneal − 1, N_train steps
//! at X₀(1 − k/N_anneal) (linear) or X₀·r^{k/(N_anneal−1)} (exponential, r = end ratio);
//! then one step at X = 0 (k = N_anneal). The paper's 1000 + 10,000 × 5 + 1 = 51,001 steps.
//!
//! The settled schedule (SPEC §8.3) has the same values and the same number of steps, but how
//! long X stays at each value depends on the run's own objective: its position is kept by the
//! annealer ([`super::SettledPosition`]) and `at` gives only the linear schedule's.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How X falls during the anneal.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ScheduleShape {
    /// X = X₀(1 − k/N_anneal) (the paper's).
    #[default]
    Linear,
    /// X = X₀·r^{k/(N_anneal − 1)}, r = `end_ratio`.
    Exponential,
    /// The linear values, each held until the objective has settled or the dwell runs out,
    /// within the linear schedule's number of steps.
    Settled,
}

/// When the settled schedule moves X on (SPEC §8.3).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SettleRule {
    /// w: the objective has settled when the mean of its last w steps at this X differs from
    /// the mean of the w before them by at most `tolerance` relative.
    pub window: usize,
    /// The relative change of the windowed mean below which the objective has settled.
    pub tolerance: f64,
    /// Most steps at one value unless the step budget needs more (at least N_train, so the
    /// budget always fits).
    pub max_dwell: usize,
}

impl Default for SettleRule {
    fn default() -> Self {
        Self {
            window: 2,
            tolerance: 1e-3,
            max_dwell: 25,
        }
    }
}

/// Which part of the run a step belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Training at X₀ before the descent.
    Warmup,
    /// Training while X descends.
    Anneal,
    /// The last step, at X = 0.
    Final,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Warmup => "warmup",
            Self::Anneal => "anneal",
            Self::Final => "final",
        })
    }
}

impl std::str::FromStr for Phase {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "warmup" => Ok(Self::Warmup),
            "anneal" => Ok(Self::Anneal),
            "final" => Ok(Self::Final),
            other => Err(format!("unknown phase '{other}': warmup, anneal or final")),
        }
    }
}

/// A concrete schedule: step index → (phase, X).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    /// Starting value X₀.
    pub start: f64,
    /// Steps at X₀ before the descent.
    pub warmup_steps: usize,
    /// Number of X values in the descent (N_anneal).
    pub anneal_steps: usize,
    /// Steps at each X value (N_train).
    pub train_steps: usize,
    /// Linear or exponential descent.
    pub shape: ScheduleShape,
    /// For the exponential shape: X at the last descent value over X₀.
    pub end_ratio: f64,
    /// For the settled shape: when X moves on.
    pub settle: SettleRule,
}

impl Schedule {
    /// Total number of steps: warm-up, descent, and the final step at zero.
    pub fn total_steps(&self) -> usize {
        self.warmup_steps + self.anneal_steps * self.train_steps + 1
    }

    /// Phase and X at step `step` (0-based).
    pub fn at(&self, step: usize) -> (Phase, f64) {
        if step < self.warmup_steps {
            return (Phase::Warmup, self.start);
        }
        let k = (step - self.warmup_steps) / self.train_steps.max(1);
        if k >= self.anneal_steps || step + 1 >= self.total_steps() {
            return (Phase::Final, 0.0);
        }
        (Phase::Anneal, self.value(k))
    }

    /// X at descent value k (0 ≤ k < N_anneal).
    pub fn value(&self, k: usize) -> f64 {
        match self.shape {
            ScheduleShape::Linear | ScheduleShape::Settled => {
                self.start * (1.0 - k as f64 / self.anneal_steps as f64)
            }
            ScheduleShape::Exponential => {
                let span = (self.anneal_steps.max(2) - 1) as f64;
                self.start * self.end_ratio.powf(k as f64 / span)
            }
        }
    }

    /// The automatic snapshots (SPEC §4) as (name, step after which it is taken); `init`
    /// is taken before step 0 and has no step.
    pub fn snapshot_steps(&self) -> Vec<(String, usize)> {
        let last = self.total_steps() - 1;
        let descent = self.anneal_steps * self.train_steps;
        let mut out = Vec::new();
        if self.warmup_steps > 0 {
            out.push(("warmup".to_string(), self.warmup_steps - 1));
        }
        for k in 1..=5 {
            // The step where the descent has covered k/6 of its length: X = X₀(1 − k/6).
            let offset = (descent * k).div_ceil(6);
            out.push((format!("mid{k}"), (self.warmup_steps + offset).min(last)));
        }
        out.push(("completion".to_string(), last));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paper() -> Schedule {
        Schedule {
            start: 1.0,
            warmup_steps: 1000,
            anneal_steps: 10_000,
            train_steps: 5,
            shape: ScheduleShape::Linear,
            end_ratio: 1e-3,
            settle: SettleRule::default(),
        }
    }

    #[test]
    fn the_papers_schedule_has_51001_steps_ending_at_zero() {
        let s = paper();
        assert_eq!(s.total_steps(), 51_001);
        assert_eq!(s.at(0), (Phase::Warmup, 1.0));
        assert_eq!(s.at(999), (Phase::Warmup, 1.0));
        assert_eq!(s.at(1000), (Phase::Anneal, 1.0));
        assert_eq!(s.at(1005), (Phase::Anneal, 0.9999));
        assert_eq!(s.at(50_999), (Phase::Anneal, 1.0 - 9999.0 / 10_000.0));
        assert_eq!(s.at(51_000), (Phase::Final, 0.0));
    }

    #[test]
    fn mid_snapshots_fall_where_x_is_x0_times_one_minus_k_over_six() {
        let s = paper();
        let snaps = s.snapshot_steps();
        assert_eq!(snaps.first().unwrap(), &("warmup".to_string(), 999));
        for (k, (name, step)) in snaps[1..6].iter().enumerate() {
            let (_, x) = s.at(*step);
            let target = 1.0 - (k + 1) as f64 / 6.0;
            assert!(
                (x - target).abs() <= 1e-4,
                "{name}: X = {x}, target {target}"
            );
        }
        assert_eq!(snaps.last().unwrap(), &("completion".to_string(), 51_000));
    }

    #[test]
    fn exponential_descends_from_x0_to_the_end_ratio() {
        let s = Schedule {
            shape: ScheduleShape::Exponential,
            ..paper()
        };
        assert_eq!(s.at(1000).1, 1.0);
        assert!((s.at(50_999).1 - 1e-3).abs() < 1e-12);
        assert_eq!(s.at(51_000).1, 0.0);
    }
}
