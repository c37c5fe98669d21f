//! The exact distances of the run on show (SPEC §6.4), as the views read them: every row's
//! summaries, the latest p(g) of every ground state, and the collapse onset.

use crate::anneal::DistanceRow;
use crate::distance::collapse_onset;

/// Rows kept with their per-ground-state probabilities: beyond this many ground states only
/// the latest row keeps them, so a long run at k = 16 does not hold gigabytes.
const KEEP_PROBABILITIES_UP_TO: usize = 256;

/// The distances received (live) or read (opened) so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunDistances {
    /// Every row in step order.
    pub rows: Vec<DistanceRow>,
    /// Step of the collapse onset, if it has happened (recomputed as rows arrive).
    pub collapse: Option<usize>,
    /// 2^k, for the collapse detector.
    pub ground_states: usize,
}

impl RunDistances {
    /// An empty set for a lattice with `ground_states` ground states.
    pub fn new(ground_states: usize) -> Self {
        Self {
            ground_states,
            ..Self::default()
        }
    }

    /// Take in one row; rows from a resume point on replace the older ones.
    pub fn push(&mut self, row: DistanceRow) {
        if self.rows.last().is_some_and(|r| r.step >= row.step) {
            self.rows.retain(|r| r.step < row.step);
        }
        if row.ground_state_log_probs.len() > KEEP_PROBABILITIES_UP_TO {
            if let Some(previous) = self.rows.last_mut() {
                previous.ground_state_log_probs = Vec::new();
            }
        }
        self.rows.push(row);
        self.update_collapse();
    }

    /// Replace every row (an opened run).
    pub fn set(&mut self, rows: Vec<DistanceRow>) {
        self.rows = rows;
        self.update_collapse();
    }

    fn update_collapse(&mut self) {
        let modes: Vec<(usize, f64)> = self
            .rows
            .iter()
            .filter_map(|r| r.effective_modes.map(|e| (r.step, e)))
            .collect();
        self.collapse = collapse_onset(&modes, self.ground_states);
    }

    /// The latest row that has the ground-state probabilities.
    pub fn latest_probabilities(&self) -> Option<&DistanceRow> {
        self.rows
            .iter()
            .rev()
            .find(|r| !r.ground_state_log_probs.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anneal::Phase;

    fn row(step: usize, modes: f64) -> DistanceRow {
        DistanceRow {
            step,
            phase: Phase::Anneal,
            temperature: 0.0,
            field: 0.5,
            kl_reverse: None,
            kl_forward: None,
            fidelity: None,
            energy_error: None,
            gap: None,
            gap_symmetric: None,
            energy_error_sampled: None,
            energy_error_sampled_stderr: None,
            energy_error_interpolation: None,
            ground_state_mass: Some(0.5),
            effective_modes: Some(modes),
            kl_to_uniform_ground_states: None,
            ground_state_log_probs: vec![-1.0; 4],
        }
    }

    #[test]
    fn collapse_follows_the_rows_and_a_resume_replaces_them() {
        let mut d = RunDistances::new(4);
        for (s, m) in [(0, 3.0), (10, 1.2), (20, 1.1)] {
            d.push(row(s, m));
        }
        assert_eq!(d.collapse, Some(10));
        // Resumed from step 10: the later rows are replaced.
        d.push(row(10, 2.5));
        assert_eq!(d.rows.len(), 2);
        assert_eq!(d.collapse, None);
    }
}
