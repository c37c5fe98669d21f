//! Where a settled schedule is (SPEC §8.3): which descent value X is at, how long it has been
//! there and the objective's recent values, moved on after every descent step.
//!
//! The rule keeps the linear schedule's budget of N_anneal·N_train descent steps exactly. With
//! R descent steps left after this one and V values after this one:
//! - R = V: move on (each remaining value needs a step);
//! - R > V·max_dwell: stay (moving on would leave steps the remaining values cannot take);
//! - dwell = max_dwell: move on;
//! - otherwise move on once the objective has settled.
//!
//! The last value takes whatever remains. Entering a value with R ≤ (V + 1)·max_dwell (true at
//! the start when max_dwell ≥ N_train) keeps it true at every later value, so the second rule
//! never holds a value past max_dwell.

use super::{Phase, Schedule};

/// The settled schedule's position, saved in resume states.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SettledPosition {
    /// The descent value k X is at.
    pub value: usize,
    /// Steps taken at it.
    pub dwell: usize,
    /// The objective's values at the last steps at this value (at most 2w).
    pub recent: Vec<f64>,
    /// X of the last step taken (a snapshot after it was taken there).
    pub last_x: f64,
}

impl SettledPosition {
    /// Phase and X of step `step`.
    pub fn at(&self, schedule: &Schedule, step: usize) -> (Phase, f64) {
        if step < schedule.warmup_steps {
            (Phase::Warmup, schedule.start)
        } else if step + 1 >= schedule.total_steps() {
            (Phase::Final, 0.0)
        } else {
            (Phase::Anneal, schedule.value(self.value))
        }
    }

    /// Record step `step`, taken in `phase` at `x` with mean objective `objective`; after a
    /// descent step, move on or stay.
    pub fn record(
        &mut self,
        schedule: &Schedule,
        step: usize,
        phase: Phase,
        x: f64,
        objective: f64,
    ) {
        self.last_x = x;
        if phase != Phase::Anneal {
            return;
        }
        let rule = schedule.settle;
        let budget_end = schedule.warmup_steps + schedule.anneal_steps * schedule.train_steps;
        let left = budget_end.saturating_sub(step + 1);
        let values_after = schedule.anneal_steps.saturating_sub(self.value + 1);
        self.dwell += 1;
        self.recent.push(objective);
        if self.recent.len() > 2 * rule.window {
            self.recent.remove(0);
        }
        if values_after == 0 {
            return;
        }
        let move_on = if left <= values_after {
            true
        } else if left > values_after * rule.max_dwell {
            false
        } else {
            self.dwell >= rule.max_dwell || self.settled(rule.window, rule.tolerance)
        };
        if move_on {
            self.value += 1;
            self.dwell = 0;
            self.recent.clear();
        }
    }

    /// Whether the mean of the last w values differs from the mean of the w before them by at
    /// most `tolerance` relative to the larger of the two.
    fn settled(&self, window: usize, tolerance: f64) -> bool {
        if window == 0 || self.recent.len() < 2 * window {
            return false;
        }
        let mean = |values: &[f64]| values.iter().sum::<f64>() / values.len() as f64;
        let before = mean(&self.recent[..window]);
        let now = mean(&self.recent[window..]);
        let scale = before.abs().max(now.abs());
        (now - before).abs() <= tolerance * scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anneal::{ScheduleShape, SettleRule};

    fn schedule(anneal_steps: usize, train_steps: usize, max_dwell: usize) -> Schedule {
        Schedule {
            start: 1.0,
            warmup_steps: 3,
            anneal_steps,
            train_steps,
            shape: ScheduleShape::Settled,
            end_ratio: 1e-3,
            settle: SettleRule {
                window: 2,
                tolerance: 1e-3,
                max_dwell,
            },
        }
    }

    /// Walk the whole schedule with `objective(step, value)` and return X per step.
    fn walk(s: &Schedule, objective: impl Fn(usize, usize) -> f64) -> Vec<(Phase, f64, usize)> {
        let mut position = SettledPosition::default();
        (0..s.total_steps())
            .map(|step| {
                let (phase, x) = position.at(s, step);
                let value = position.value;
                position.record(s, step, phase, x, objective(step, value));
                assert_eq!(position.last_x, x);
                (phase, x, value)
            })
            .collect()
    }

    fn check_budget(s: &Schedule, path: &[(Phase, f64, usize)]) {
        assert_eq!(path.len(), s.total_steps());
        assert_eq!(path.last().unwrap().0, Phase::Final);
        assert_eq!(path.last().unwrap().1, 0.0);
        let descent: Vec<usize> = path
            .iter()
            .filter(|p| p.0 == Phase::Anneal)
            .map(|p| p.2)
            .collect();
        assert_eq!(descent.len(), s.anneal_steps * s.train_steps);
        // Every value is visited, in order, for 1 … max_dwell steps.
        for k in 0..s.anneal_steps {
            let dwell = descent.iter().filter(|&&v| v == k).count();
            assert!(
                (1..=s.settle.max_dwell).contains(&dwell),
                "value {k}: {dwell} steps"
            );
        }
        assert!(descent.windows(2).all(|w| w[1] == w[0] || w[1] == w[0] + 1));
    }

    #[test]
    fn a_flat_objective_moves_on_early_and_spends_the_rest_at_the_end() {
        let s = schedule(20, 5, 12);
        let path = walk(&s, |_, _| -1.0);
        check_budget(&s, &path);
        // Settled after 2w = 4 steps while the budget allows; the last values take the rest.
        let dwell = |k: usize| {
            path.iter()
                .filter(|p| p.0 == Phase::Anneal && p.2 == k)
                .count()
        };
        assert_eq!(dwell(0), 4);
        assert_eq!(dwell(19), 12);
    }

    #[test]
    fn an_objective_that_keeps_moving_holds_each_value_as_long_as_the_budget_allows() {
        let s = schedule(20, 5, 12);
        let path = walk(&s, |step, _| step as f64);
        check_budget(&s, &path);
        let dwell = |k: usize| {
            path.iter()
                .filter(|p| p.0 == Phase::Anneal && p.2 == k)
                .count()
        };
        // Never settled: the first values take max_dwell, the last ones what is left (≥ 1).
        assert_eq!(dwell(0), 12);
        assert_eq!(dwell(19), 1);
    }

    #[test]
    fn every_budget_is_spent_exactly_whatever_the_objective() {
        for (n, t, d) in [
            (1, 1, 1),
            (1, 5, 5),
            (7, 3, 3),
            (7, 3, 4),
            (30, 2, 9),
            (50, 5, 25),
        ] {
            let s = schedule(n, t, d);
            for seed in 0..5u64 {
                // Settles on some values and not others.
                let path = walk(&s, |step, value| {
                    if (value as u64 + seed).is_multiple_of(3) {
                        -2.0
                    } else {
                        step as f64
                    }
                });
                check_budget(&s, &path);
            }
        }
    }
}
