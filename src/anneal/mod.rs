//! Neural annealing (SPEC §3): schedules, the thermal and quantum objectives, the gradient
//! estimators, the training loop with its observers, and the metrics it reports.

mod access;
mod annealer;
mod config;
mod curvature_row;
mod distances;
mod estimator;
mod evaluation;
mod gradient_source;
mod instability;
mod metrics;
mod modes;
mod natural_step;
mod objective;
mod observer;
mod optimiser_side;
mod optimizer_settings;
mod partition;
mod schedule;
mod settled;
mod state;
mod training;

pub use annealer::{AnnealError, Annealer, Outcome};
pub use config::{AnnealConfig, AnnealKind, FieldError, MAX_STEPS};
pub use curvature_row::CurvatureRow;
pub use distances::{DistanceRow, RECENT_STEPS};
pub use estimator::Estimator;
pub use evaluation::EVALUATION_CHUNK;
pub use gradient_source::{
    exact_natural_refusal, exact_weights, GradientSource, MAX_EXACT_GRADIENT_SITES,
    MAX_EXACT_NATURAL_SITES,
};
pub use instability::{energy_jumps, run_energy_jumps};
pub use metrics::{
    local_tail, mean_var, median_and_min, objective_at_steps, FinalSummary, ModeCount, StepMetrics,
};
pub use modes::{batch_modes, count_rows, modes_of};
pub use objective::{distinct_rows, flip_amplitude_sums, Objective};
pub use observer::{Control, Observer, ObserverError, Silent, SnapshotView, StepView};
pub use optimizer_settings::OptimizerSettings;
pub use partition::{part_range, part_rows, PARTS};
pub use schedule::{Phase, Schedule, ScheduleShape, SettleRule};
pub use settled::SettledPosition;
pub use state::{run_rng, AnnealState, RngState, RunRng};
