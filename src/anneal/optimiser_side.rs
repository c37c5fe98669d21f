//! The optimiser's side of a step, cheap enough for every step: how far the weights moved,
//! Adam's preconditioner √v̂ + ε, and the sample whose local objective lies farthest out — so
//! an energy jump can be traced to an Adam kick or an outlier sample without rerunning.

use super::metrics::median_and_min;
use super::Annealer;

impl Annealer {
    /// ‖Δθ‖ of the step's updates (summed in parameter order) and the median and minimum of
    /// the preconditioner √v̂ + ε (none before the first update, or for SGD).
    pub(super) fn optimiser_side(&self) -> (f64, Option<(f64, f64)>) {
        let update_norm = self
            .last_update
            .flat()
            .iter()
            .map(|d| d * d)
            .sum::<f64>()
            .sqrt();
        let preconditioner = self
            .optimiser
            .preconditioner()
            .map(|diagonal| median_and_min(&diagonal));
        (update_norm, preconditioner)
    }
}
