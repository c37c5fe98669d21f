//! Who watches the annealing loop: the run folder writer, the worker, the command line and
//! the tests all implement [`Observer`]; the loop knows nothing of them.

use ndarray::ArrayView2;
use thiserror::Error;

use super::{AnnealState, CurvatureRow, DistanceRow, FinalSummary, StepMetrics};
use crate::nn::{Optimizer, Params};

/// What the observer wants the loop to do after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Go on.
    Continue,
    /// Take a snapshot named `manual-STEP`, then go on.
    Snapshot,
    /// Save a `stopped` snapshot and end the run.
    Stop,
}

/// One finished step as the observer sees it.
#[derive(Debug, Clone, Copy)]
pub struct StepView<'a> {
    /// The step's metrics.
    pub metrics: &'a StepMetrics,
    /// The step's samples, one configuration per row.
    pub samples: ArrayView2<'a, u8>,
    /// The parameters after the step's updates.
    pub params: &'a Params,
    /// The optimiser after the step's updates (its moments, for the curvature probe).
    pub optimiser: &'a Optimizer,
    /// Δθ: what the step's updates changed the parameters by (its quadratic model).
    pub update: &'a Params,
}

/// A snapshot of the weights.
#[derive(Debug, Clone, Copy)]
pub struct SnapshotView<'a> {
    /// `init`, `warmup`, `mid1`…`mid5`, `completion`, `manual-STEP` or `stopped`.
    pub name: &'a str,
    /// Step after which it was taken (`None` for `init`).
    pub step: Option<usize>,
    /// The annealed quantity at that point.
    pub x: f64,
    /// The parameters.
    pub params: &'a Params,
    /// The optimiser where the network is (its moments go into checkpoints).
    pub optimiser: &'a Optimizer,
    /// The latest samples (empty for `init`).
    pub samples: ArrayView2<'a, u8>,
}

/// Why an observer could not take a report (a file it could not write, say); the run stops
/// with it, naming the step.
#[derive(Debug, Error)]
#[error(transparent)]
pub struct ObserverError(Box<dyn std::error::Error + Send + Sync>);

impl ObserverError {
    /// Wrap any error, or a message.
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(error.into())
    }
}

/// Receives the loop's reports. An `Err` stops the run with that message (a full disk, say).
pub trait Observer {
    /// After every step.
    fn on_step(&mut self, step: &StepView<'_>) -> Result<Control, ObserverError>;
    /// At each snapshot.
    fn on_snapshot(&mut self, _snapshot: &SnapshotView<'_>) -> Result<(), ObserverError> {
        Ok(())
    }
    /// After the final evaluation.
    fn on_finish(&mut self, _summary: &FinalSummary) -> Result<(), ObserverError> {
        Ok(())
    }
    /// The exact distances, at the cadence (after that step's `on_step`) and after the final
    /// evaluation (before `on_finish`).
    fn on_distances(&mut self, _row: &DistanceRow) -> Result<(), ObserverError> {
        Ok(())
    }
    /// The curvature at a step, measured by the run layer's probe after that step's
    /// `on_step` (the loop itself never calls it).
    fn on_curvature(&mut self, _row: &CurvatureRow) -> Result<(), ObserverError> {
        Ok(())
    }
    /// The loop's whole state, every `output.resume_every` steps, at the end of the schedule and
    /// when the run stops (the run folder writes `resume.npz` from it).
    fn on_state(&mut self, _state: &AnnealState) -> Result<(), ObserverError> {
        Ok(())
    }
    /// Asked during long phases without steps (the final evaluation): `true` stops the run.
    fn stop_requested(&mut self) -> bool {
        false
    }
}

/// A borrowed observer observes (so `&mut dyn Observer` can stand where an owned one does).
impl<T: Observer + ?Sized> Observer for &mut T {
    fn on_step(&mut self, step: &StepView<'_>) -> Result<Control, ObserverError> {
        (**self).on_step(step)
    }
    fn on_snapshot(&mut self, snapshot: &SnapshotView<'_>) -> Result<(), ObserverError> {
        (**self).on_snapshot(snapshot)
    }
    fn on_finish(&mut self, summary: &FinalSummary) -> Result<(), ObserverError> {
        (**self).on_finish(summary)
    }
    fn on_distances(&mut self, row: &DistanceRow) -> Result<(), ObserverError> {
        (**self).on_distances(row)
    }
    fn on_curvature(&mut self, row: &CurvatureRow) -> Result<(), ObserverError> {
        (**self).on_curvature(row)
    }
    fn on_state(&mut self, state: &AnnealState) -> Result<(), ObserverError> {
        (**self).on_state(state)
    }
    fn stop_requested(&mut self) -> bool {
        (**self).stop_requested()
    }
}

/// An observer that only lets the loop run.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Observer for Silent {
    fn on_step(&mut self, _step: &StepView<'_>) -> Result<Control, ObserverError> {
        Ok(Control::Continue)
    }
}
