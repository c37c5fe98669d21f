//! What the annealing loop lets its callers read: the network, the model, the schedule, the
//! optimiser and the latest samples.

use ndarray::ArrayView2;
use std::time::Duration;

use super::{Annealer, Schedule};
use crate::nn::{Network, Optimizer};
use crate::physics::{GroundStates, NewmanMoore};

impl Annealer {
    /// Adam's state now.
    pub fn optimiser(&self) -> &Optimizer {
        &self.optimiser
    }

    /// Δθ of the last step's updates.
    pub fn last_update(&self) -> &crate::nn::Params {
        &self.last_update
    }

    pub(super) fn elapsed(&self) -> Duration {
        self.elapsed_before + self.started.elapsed()
    }

    /// The network.
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// The network, mutable (to load weights or, in tests, to poison them).
    pub fn network_mut(&mut self) -> &mut Network {
        &mut self.net
    }

    /// The model.
    pub fn model(&self) -> &NewmanMoore {
        &self.model
    }

    /// The ground-state space.
    pub fn ground_states(&self) -> &GroundStates {
        &self.ground_states
    }

    /// The schedule.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// Steps completed.
    pub fn steps_done(&self) -> usize {
        self.step
    }

    /// The latest step's samples.
    pub fn samples(&self) -> ArrayView2<'_, u8> {
        self.samples.view()
    }
}
