//! What reads a finished or running run folder: landscape requests around its snapshots, the
//! slice directions that need its checkpoints (Hessian, Adam's update, interpolation), the
//! exact reference curve drawn beside its energies and the scaling table of many runs. Above
//! `run`, which never imports a landscape.

mod error;
mod exact_curve;
mod films;
mod landscapes;
mod resources;
mod scaling_table;
mod slice_directions;

pub use error::AnalysisError;
pub use exact_curve::{exact_curve, ExactCurveError};
pub use films::{FilmEvent, FilmRequest, FrameChoice};
pub use landscapes::{Existing, LandscapeRequest, RunFolder};
pub use resources::{check_landscape, MAX_LANDSCAPE_HOURS};
pub use scaling_table::{
    find_neural_runs, neural_rows, read_scaling, write_scaling, NeuralOutcome, ScalingRow,
};
pub use slice_directions::{barrier, interpolation_points, DIRECTION_SAMPLES};
