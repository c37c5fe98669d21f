//! Scoring a remedy (SPEC §8.4): per (L, target, remedy) over seeds, the success rate with its
//! Wilson interval, the ground-state coverage, the collapse, the jumps, the exact distance at
//! the end and the cost, against the baseline of the same cell.

use crate::physics::{GroundStates, Lattice};
use crate::stats::{mean_stderr, median, wilson_interval};
use crate::study::StudyRun;

use super::plan::BASELINE;

/// How a remedy compares with the baseline of its cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The remedy itself.
    Baseline,
    /// Its interval (success rate, or coverage on a degenerate lattice) lies above the
    /// baseline's.
    Helps,
    /// Its interval lies below the baseline's.
    Hurts,
    /// The intervals overlap.
    Within,
    /// Nothing finished to compare.
    Unscored,
}

impl Verdict {
    /// The words the report uses.
    pub fn words(self) -> &'static str {
        match self {
            Self::Baseline => "baseline",
            Self::Helps => "**helps**",
            Self::Hurts => "hurts",
            Self::Within => "within the baseline's interval",
            Self::Unscored => "no finished runs",
        }
    }
}

/// One remedy in one cell, over its seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct RemedyScore {
    /// L.
    pub size: usize,
    /// `quantum` or `thermal`.
    pub target: String,
    /// The remedy's name.
    pub remedy: String,
    /// Runs in the cell, finished or not.
    pub runs: usize,
    /// Runs that finished.
    pub done: usize,
    /// Finished runs whose final sample's most frequent configuration is a ground state.
    pub successes: usize,
    /// The Wilson 95 % interval of the success rate.
    pub success_interval: (f64, f64),
    /// 2^k, the number of ground states.
    pub ground_states: usize,
    /// Final ground-state mass × effective modes / 2^k, mean and standard error (degenerate
    /// lattices, where measured).
    pub coverage: Option<(f64, f64)>,
    /// Finished runs whose ground-state modes collapsed.
    pub collapsed: usize,
    /// Median collapse step of those.
    pub collapse_step: Option<f64>,
    /// Mean number of energy jumps.
    pub jumps: f64,
    /// Median X of the first jump, over the runs that jumped.
    pub first_jump_x: Option<f64>,
    /// Mean final ⟨E⟩/N − E₀/N of the final sample.
    pub residual_energy: Option<f64>,
    /// Mean final fidelity (quantum, where measured; absent at B = 0 on a degenerate lattice).
    pub fidelity: Option<f64>,
    /// Mean final reverse KL (thermal, where measured).
    pub kl_reverse: Option<f64>,
    /// Mean wall seconds of a finished run.
    pub wall_seconds: Option<f64>,
    /// Mean wall seconds relative to the baseline's in the same cell.
    pub relative_cost: Option<f64>,
    /// Against the baseline.
    pub verdict: Verdict,
}

impl RemedyScore {
    /// Success rate of the finished runs.
    pub fn success_rate(&self) -> f64 {
        if self.done == 0 {
            f64::NAN
        } else {
            self.successes as f64 / self.done as f64
        }
    }

    /// The quantity the ranking and the verdict use, with its 95 % interval: the coverage on a
    /// degenerate lattice, the success rate on one with a single ground state.
    pub fn headline(&self) -> Option<(f64, f64, f64)> {
        if self.done == 0 {
            return None;
        }
        match self.coverage {
            Some((m, se)) if self.ground_states > 1 => {
                Some((m, (m - 1.96 * se).max(0.0), (m + 1.96 * se).min(1.0)))
            }
            _ => Some((
                self.success_rate(),
                self.success_interval.0,
                self.success_interval.1,
            )),
        }
    }
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn ground_states(size: usize) -> usize {
    Lattice::new(size).map_or(1, |l| {
        1usize << GroundStates::new(l).degeneracy_log2().min(40)
    })
}

/// Score one cell's runs (one remedy, one L and target).
fn score_cell(size: usize, target: &str, remedy: &str, runs: &[&StudyRun]) -> RemedyScore {
    let done: Vec<&&StudyRun> = runs.iter().filter(|r| r.done()).collect();
    // SPEC §8.4: the most frequent configuration of the final sample is a ground state.
    let successes = done.iter().filter(|r| r.top_defects() == Some(0.0)).count();
    let g = ground_states(size);
    // Discounted by the ground states' mass: a network far from every ground state spreads
    // its little mass there evenly, and that is not coverage.
    let coverage: Vec<f64> = done
        .iter()
        .filter_map(|r| {
            Some(
                r.number("final_effective_modes")? / g as f64
                    * r.number("final_ground_state_mass")?,
            )
        })
        .collect();
    let collapse: Vec<f64> = done
        .iter()
        .filter_map(|r| r.number("collapse_step"))
        .collect();
    let jumps: Vec<f64> = done.iter().filter_map(|r| r.number("jumps")).collect();
    let first: Vec<f64> = done.iter().filter_map(|r| r.number("jump_x")).collect();
    let residual: Vec<f64> = done
        .iter()
        .filter_map(|r| Some(r.number("energy_mean")? - r.number("ground_energy")?))
        .collect();
    let fidelity: Vec<f64> = done
        .iter()
        .filter_map(|r| r.number("final_fidelity"))
        .collect();
    let kl: Vec<f64> = done
        .iter()
        .filter_map(|r| r.number("final_kl_reverse"))
        .collect();
    let wall: Vec<f64> = done
        .iter()
        .filter_map(|r| r.number("wall_seconds"))
        .collect();
    RemedyScore {
        size,
        target: target.to_string(),
        remedy: remedy.to_string(),
        runs: runs.len(),
        done: done.len(),
        successes,
        success_interval: wilson_interval(successes, done.len()),
        ground_states: g,
        coverage: (g > 1 && !coverage.is_empty()).then(|| mean_stderr(&coverage)),
        collapsed: collapse.len(),
        collapse_step: (!collapse.is_empty()).then(|| median(&collapse)),
        jumps: mean(&jumps).unwrap_or(0.0),
        first_jump_x: (!first.is_empty()).then(|| median(&first)),
        residual_energy: mean(&residual),
        fidelity: mean(&fidelity),
        kl_reverse: mean(&kl),
        wall_seconds: mean(&wall),
        relative_cost: None,
        verdict: Verdict::Unscored,
    }
}

/// Every cell's score, in the order the runs come (sweep order: L, target, remedy), each
/// compared with its cell's baseline.
pub fn score(runs: &[StudyRun]) -> Vec<RemedyScore> {
    let mut keys: Vec<(usize, String, String)> = Vec::new();
    for r in runs {
        let key = (
            r.size,
            r.text("target").to_string(),
            r.text("remedy").to_string(),
        );
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let mut scores: Vec<RemedyScore> = keys
        .iter()
        .map(|(size, target, remedy)| {
            let cell: Vec<&StudyRun> = runs
                .iter()
                .filter(|r| {
                    r.size == *size && r.text("target") == target && r.text("remedy") == remedy
                })
                .collect();
            score_cell(*size, target, remedy, &cell)
        })
        .collect();
    let baselines: Vec<RemedyScore> = scores
        .iter()
        .filter(|s| s.remedy == BASELINE)
        .cloned()
        .collect();
    for s in &mut scores {
        let Some(base) = baselines
            .iter()
            .find(|b| b.size == s.size && b.target == s.target)
        else {
            continue;
        };
        s.relative_cost = match (s.wall_seconds, base.wall_seconds) {
            (Some(a), Some(b)) if b > 0.0 => Some(a / b),
            _ => None,
        };
        s.verdict = if s.remedy == BASELINE {
            Verdict::Baseline
        } else {
            match (s.headline(), base.headline()) {
                (Some((_, lo, hi)), Some((_, base_lo, base_hi))) => {
                    if lo > base_hi {
                        Verdict::Helps
                    } else if hi < base_lo {
                        Verdict::Hurts
                    } else {
                        Verdict::Within
                    }
                }
                _ => Verdict::Unscored,
            }
        };
    }
    scores
}
