//! The network's exact probability of each ground state and how it spreads over them.

use super::log_sum_exp;

/// p_θ(g) over the 2^k ground states and the summaries of SPEC §6.4.
#[derive(Debug, Clone, PartialEq)]
pub struct ModeDistance {
    /// ln p_θ(g), ground state g at index g (coordinate c of its id is bit c).
    pub log_probs: Vec<f64>,
    /// m = Σ_g p(g).
    pub mass: f64,
    /// exp(H(π)), π(g) = p(g)/m.
    pub effective_modes: f64,
    /// KL(π‖uniform) = k ln 2 − H(π).
    pub kl_to_uniform: f64,
}

impl ModeDistance {
    /// Summaries of the ground-state log-probabilities `log_probs` (2^k of them).
    pub fn from_log_probs(log_probs: Vec<f64>) -> Self {
        let log_mass = log_sum_exp(log_probs.iter().copied());
        let entropy: f64 = log_probs
            .iter()
            .map(|lp| {
                let log_pi = lp - log_mass;
                let pi = log_pi.exp();
                if pi > 0.0 {
                    -pi * log_pi
                } else {
                    0.0
                }
            })
            .sum::<f64>()
            .max(0.0);
        let states = log_probs.len().max(1) as f64;
        Self {
            mass: log_mass.exp(),
            effective_modes: entropy.exp(),
            kl_to_uniform: (states.ln() - entropy).max(0.0),
            log_probs,
        }
    }

    /// π(g) = p(g)/m.
    pub fn conditional(&self) -> Vec<f64> {
        let log_mass = log_sum_exp(self.log_probs.iter().copied());
        self.log_probs
            .iter()
            .map(|lp| (lp - log_mass).exp())
            .collect()
    }
}

/// Where the effective number of modes falls below this and stays, the anneal has collapsed.
pub const COLLAPSE_THRESHOLD: f64 = 1.5;

/// The step at which the effective number of modes first falls below 1.5 and stays below to
/// the last row (`rows` are (step, effective modes) in step order); `None` if it never does
/// or if there is only one ground state.
pub fn collapse_onset(rows: &[(usize, f64)], ground_states: usize) -> Option<usize> {
    if ground_states < 2 {
        return None;
    }
    let after = rows
        .iter()
        .rposition(|(_, e)| *e >= COLLAPSE_THRESHOLD)
        .map_or(0, |i| i + 1);
    rows.get(after).map(|(step, _)| *step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn onset_is_the_first_row_of_the_last_run_below_the_threshold() {
        let rows = [(0, 4.0), (10, 1.2), (20, 2.0), (30, 1.4), (40, 1.0)];
        assert_eq!(collapse_onset(&rows, 4), Some(30));
        assert_eq!(collapse_onset(&rows[..3], 4), None);
        assert_eq!(collapse_onset(&rows, 1), None);
    }
}
