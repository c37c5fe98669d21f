//! The final evaluation: `final_samples` draws at the end of the schedule (X = 0), in chunks so
//! the hidden states stay bounded and a stop request is heard between chunks.

use std::collections::{HashMap, HashSet};

use super::metrics::mean_var;
use super::modes::{count_rows, modes_of};
use super::observer::Observer;
use super::{Annealer, FinalSummary, RngState};

/// Largest batch drawn at once in the final evaluation (bounds the memory of hidden states).
pub const EVALUATION_CHUNK: usize = 1000;

impl Annealer {
    /// The final evaluation, or `None` if `observer` asked to stop part-way (the generator is
    /// then put back where it was, so a resumed run evaluates exactly as an uninterrupted one).
    pub fn evaluate(&mut self, observer: &mut dyn Observer) -> Option<FinalSummary> {
        let saved = RngState::of(&self.rng);
        let total = self.config.final_samples;
        let n = self.model.lattice().sites();
        let mut counts: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut energies = Vec::with_capacity(total);
        let mut drawn = 0;
        while drawn < total {
            if observer.stop_requested() {
                self.rng = saved.generator();
                return None;
            }
            let chunk = EVALUATION_CHUNK.min(total - drawn);
            // A code-after run reports samples of the symmetrised distribution.
            let reported = self.net.reporting().into_owned();
            let (bits, _) = super::annealer::draw_samples(
                &reported,
                &mut self.workspaces,
                chunk,
                &mut self.rng,
            );
            energies.extend(
                self.model
                    .energies(bits.view())
                    .iter()
                    .map(|e| e / n as f64),
            );
            count_rows(bits.view(), &mut counts);
            drawn += chunk;
        }
        let e0 = self.model.ground_energy() / n as f64;
        let mut ground_samples = 0;
        let mut ground_ids = HashSet::new();
        let mut modes = Vec::new();
        for (mode, id) in modes_of(&self.model, &self.ground_states, &counts) {
            if let Some(id) = id {
                ground_samples += mode.count;
                ground_ids.insert(id);
            }
            modes.push(mode);
        }
        modes.truncate(64);
        let (energy_mean, energy_var) = mean_var(energies.iter().copied());
        Some(FinalSummary {
            samples: total,
            energy_mean,
            energy_var,
            energy_min: energies.iter().cloned().fold(f64::INFINITY, f64::min),
            ground_energy: e0,
            ground_state_fraction: ground_samples as f64 / total as f64,
            distinct_configurations: counts.len(),
            ground_states_found: ground_ids.len(),
            ground_states_drawn_any_step: self.found.len(),
            ground_states_drawn_last_1000_steps: {
                let from = self.step.saturating_sub(super::distances::RECENT_STEPS);
                self.found.values().filter(|&&s| s >= from).count()
            },
            degeneracy_log2: self.ground_states.degeneracy_log2(),
            modes,
        })
    }
}
