//! Curvature of the annealing objective (SPEC §6.1–6.2): Hessian-vector products of the
//! per-spin objective at a weight vector and a T or B, exact (enumeration) or sampled (the
//! reweighted estimator), and what is built on them — extreme eigenpairs by Lanczos with full
//! reorthogonalisation, Hutchinson's trace, the spectral density by stochastic Lanczos
//! quadrature, and Adam's preconditioned sharpness against its threshold.
//!
//! Everything is written against one "apply H to v" [`Operator`], as in PyHessian.

mod direction;
mod gradient;
mod hessian;
mod measure;
mod sharpness;
mod spectrum;
mod store;

use thiserror::Error;

pub use direction::{update_direction, Direction, DirectionMethod, MAX_EXACT_NATURAL_SITES};
pub use gradient::{BatchGradients, ExactObjective, SampledObjective, Source};
pub use hessian::{
    Dense, Differencing, Hessian, Operator, Product, Scaled, RELATIVE_STEP, RELATIVE_STEP_FORWARD,
};
pub use measure::{
    hessian_at, measure, CurvatureEstimator, CurvatureReport, CurvatureSettings, WarmStart,
};
pub use sharpness::{
    adam_threshold, gradient_descent_threshold, loss_scale, median_and_min, Preconditioner,
};
pub use spectrum::{
    batch_stderr, extremes, hutchinson, rademacher, Density, Estimate, ExtremeSettings, Extremes,
    Ritz,
};
pub use store::{read_density, read_vectors, save_report, DENSITY_POINTS, DENSITY_WIDTH};

use crate::linalg::LanczosError;

/// Largest N the exact estimator enumerates (2^N configurations per gradient).
pub const MAX_EXACT_SITES: usize = 16;

/// Why a curvature measurement could not be made.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum CurvatureError {
    /// The exact estimator was asked for a lattice too large to enumerate.
    #[error("the exact estimator enumerates 2^N configurations and N = {sites} is above {max}: use --estimator sampled")]
    TooLarge {
        /// Sites N.
        sites: usize,
        /// The limit.
        max: usize,
    },
    /// The sampled estimator was asked for too few samples.
    #[error("the sampled estimator needs at least 2 samples (got {0}): raise --samples")]
    TooFewSamples(usize),
    /// Lanczos failed (a non-finite product, typically from overflowing weights).
    #[error(transparent)]
    Lanczos(#[from] LanczosError),
    /// Adam's direction was asked of a checkpoint without an Adam-family state.
    #[error("the checkpoint has no Adam state (an SGD or SR run, or no update yet): use --method gradient or natural")]
    NoOptimiserState,
    /// The natural-gradient solve failed.
    #[error("{0} (here: --diag-shift)")]
    Natural(String),
}
