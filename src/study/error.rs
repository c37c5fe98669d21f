//! Why a study could not be run or reported.

use std::path::PathBuf;

/// A failure of `reproduce`.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// The sweep (specification, folder, executor) failed.
    #[error(transparent)]
    Sweep(#[from] crate::sweep::SweepError),
    /// A landscape of run `run` could not be computed or stored.
    #[error("landscape of {run}: {message}")]
    Landscape {
        /// The run ID.
        run: String,
        /// What went wrong.
        message: String,
    },
    /// A figure could not be drawn.
    #[error(transparent)]
    Figure(#[from] crate::figures::FigureError),
    /// The report could not be written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The user pressed Ctrl-C; rerunning the same command continues.
    #[error("interrupted: rerun the same command to continue")]
    Interrupted,
}

impl StudyError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, e: impl std::fmt::Display) -> Self {
        Self::Io {
            path: path.into(),
            message: e.to_string(),
        }
    }
}
