//! What can go wrong reading a run folder for an analysis; each message names the file or the
//! setting and what to do.

use std::path::PathBuf;
use thiserror::Error;

use crate::landscape::LandscapeError;
use crate::nn::{LayoutError, NpzError};
use crate::run::RunError;

/// Why an analysis of a run folder could not be made.
#[derive(Debug, Error)]
pub enum AnalysisError {
    /// The run folder could not be read.
    #[error(transparent)]
    Run(#[from] RunError),
    /// The model or the network could not be built.
    #[error(transparent)]
    Anneal(#[from] crate::anneal::AnnealError),
    /// A landscape could not be computed or read.
    #[error(transparent)]
    Landscape(#[from] LandscapeError),
    /// A parameter file could not be read.
    #[error(transparent)]
    Npz(#[from] NpzError),
    /// Parameters that do not fit the network.
    #[error(transparent)]
    Layout(#[from] LayoutError),
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What failed, and what to do.
        message: String,
    },
    /// The request does not fit the run; the message names the option and the fix.
    #[error("{0}")]
    Request(String),
    /// The analysis would not fit the machine, or a computation it needs failed.
    #[error("{0}")]
    Resources(String),
}

impl AnalysisError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, e: impl std::fmt::Display) -> Self {
        Self::Io {
            path: path.into(),
            message: e.to_string(),
        }
    }
}
