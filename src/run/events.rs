//! The events of a run a reader looks for first: where the energy jumped and where the
//! network collapsed onto one ground state (SPEC §6.4), listed together.

use super::{DistanceTable, RunConfig};
use crate::anneal::{run_energy_jumps, StepMetrics};
use crate::distance::collapse_onset;
use crate::physics::{GroundStates, Lattice};

/// Energy jumps and the collapse onset, each as (step, T or B).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunEvents {
    /// Steps where ⟨E⟩/N jumped.
    pub jumps: Vec<(usize, f64)>,
    /// Where the effective number of modes fell below 1.5 for good.
    pub collapse: Option<(usize, f64)>,
}

/// The events of a run from its metrics and its exact distances.
pub fn run_events(
    config: &RunConfig,
    metrics: &[StepMetrics],
    distances: Option<&DistanceTable>,
) -> RunEvents {
    let schedule = config.anneal.schedule();
    // The recorded X where the step is in the metrics (a settled schedule's X depends on the
    // run), the schedule's otherwise.
    let x_at = |step: usize| match metrics.get(step).filter(|m| m.step == step) {
        Some(m) => m.temperature.max(m.field),
        None => {
            schedule
                .at(step.min(schedule.total_steps().saturating_sub(1)))
                .1
        }
    };
    let jumps = run_energy_jumps(metrics, schedule.total_steps(), config.lattice.coupling)
        .into_iter()
        .map(|s| (s, x_at(s)))
        .collect();
    let ground_states = Lattice::new(config.lattice.size)
        .map(|l| GroundStates::new(l).degeneracy_log2())
        .map_or(1, |k| 1usize.checked_shl(k as u32).unwrap_or(usize::MAX));
    let collapse = distances.and_then(|table| {
        let rows: Vec<(usize, f64)> = table
            .rows
            .iter()
            .filter_map(|r| r.effective_modes.map(|e| (r.step, e)))
            .collect();
        collapse_onset(&rows, ground_states).map(|s| (s, x_at(s)))
    });
    RunEvents { jumps, collapse }
}

impl RunEvents {
    /// One line for the terminal, `symbol` being T or B.
    pub fn describe(&self, symbol: &str) -> String {
        let jumps = if self.jumps.is_empty() {
            "no energy jumps".to_string()
        } else {
            let list: Vec<String> = self
                .jumps
                .iter()
                .map(|(s, x)| format!("step {s} ({symbol} = {x:.4})"))
                .collect();
            format!("energy jumps at {}", list.join(", "))
        };
        let collapse = match self.collapse {
            Some((s, x)) => format!(
                "collapse onset (effective modes < 1.5 for good) at step {s} ({symbol} = {x:.4})"
            ),
            None => "no collapse onset measured".to_string(),
        };
        format!("{jumps}; {collapse}")
    }
}
