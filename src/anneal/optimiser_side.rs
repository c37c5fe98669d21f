//! The optimiser's side of a step, cheap enough for every step: how far the weights moved,
//! Adam's preconditioner √v̂ + ε, and the sample whose local objective lies farthest out — so
//! an energy jump can be traced to an Adam kick or an outlier sample without rerunning.

use super::metrics::{local_tail, median_and_min};
use super::Annealer;
use crate::nn::{Autoregressive, Params};

/// What [`Annealer::optimiser_side`] measures.
pub(super) struct OptimiserSide {
    /// ‖θ after − θ before‖.
    pub update_norm: f64,
    /// Median and minimum of √v̂ + ε (none before the first update).
    pub preconditioner: Option<(f64, f64)>,
    /// The farthest local value: (ratio to the median absolute deviation, deviation, index).
    pub tail: Option<(Option<f64>, f64, usize)>,
}

impl Annealer {
    /// The step's optimiser side, given the weights before its updates and its local values.
    pub(super) fn optimiser_side(&self, before: &Params, local: &[f64]) -> OptimiserSide {
        let after = self.net.params().flat();
        let update_norm = after
            .iter()
            .zip(before.flat())
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt();
        let preconditioner = self
            .adam
            .preconditioner()
            .map(|diagonal| median_and_min(&diagonal));
        OptimiserSide {
            update_norm,
            preconditioner,
            tail: local_tail(local),
        }
    }
}
