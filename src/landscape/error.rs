//! What can go wrong computing or reading a landscape; each message names the option or file.

use std::path::PathBuf;
use thiserror::Error;

use crate::nn::LayoutError;

/// Why a landscape could not be computed, stored or read.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum LandscapeError {
    /// A grid or estimator option is out of range.
    #[error("{message}")]
    Option {
        /// The option, e.g. `points`.
        option: &'static str,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// PCA needs a trajectory with at least three points.
    #[error(
        "PCA needs at least 3 trajectory points (got {found}): run longer or use filter directions"
    )]
    TooFewPoints {
        /// Points in the trajectory.
        found: usize,
    },
    /// The trajectory does not move, so it has no principal directions.
    #[error("the trajectory does not move: PCA directions are undefined (use filter directions)")]
    StillPath,
    /// Directions that do not fit the network.
    #[error(transparent)]
    Layout(#[from] LayoutError),
    /// A landscape file that cannot be read or written, or whose arrays do not fit each other.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
}
