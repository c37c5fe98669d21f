//! What can go wrong with a run or a run folder; each message names the file or the setting and
//! what to do.

use std::path::PathBuf;
use thiserror::Error;

use super::{ConfigError, ResumeError};
use crate::anneal::AnnealError;
use crate::nn::{LayoutError, NpzError};

/// Why a run could not start, continue or be read.
#[derive(Debug, Error)]
pub enum RunError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The annealing loop stopped with an error.
    #[error(transparent)]
    Anneal(#[from] AnnealError),
    /// A parameter file could not be read.
    #[error(transparent)]
    Npz(#[from] NpzError),
    /// Parameters that do not fit the network.
    #[error(transparent)]
    Layout(#[from] LayoutError),
    /// The resume state could not be read or written.
    #[error(transparent)]
    Resume(#[from] ResumeError),
    /// The command named a run folder or a snapshot that is not there.
    #[error("{path}: {message}")]
    NotFound {
        /// The file or folder looked for.
        path: PathBuf,
        /// What is missing, and what there is instead.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What failed, and what to do.
        message: String,
    },
    /// A line of `metrics.csv` (or another table) cannot be read.
    #[error("{path} line {line}: {message}")]
    Table {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// `config.toml` disagrees with what the run wrote (the config was edited after the run).
    #[error("{path}: config.toml says {setting} = {config}, but {evidence} says {found}: the configuration was edited after the run; restore the run's own config.toml")]
    Mismatch {
        /// The run folder.
        path: PathBuf,
        /// The setting.
        setting: &'static str,
        /// Its value in config.toml.
        config: usize,
        /// The file that disagrees.
        evidence: String,
        /// The value that file implies.
        found: usize,
    },
    /// Another process holds the run's lock: it is running there.
    #[error("{dir}: the run is running in another process ({holder}; its lock {dir}/lock is held): wait for it, or stop that process first")]
    Busy {
        /// The run folder.
        dir: PathBuf,
        /// Who `status.toml` says runs it.
        holder: String,
    },
    /// `config.toml` differs from the configuration the run was started with.
    #[error("{path}: differs from the configuration the run was started with (kept in resume.npz): {differences}; a resumed run must be the run it claims to be: put the old values back, or start a new run with the new ones (annealscape anneal --config {path} --out NEW)")]
    Edited {
        /// The run's config.toml.
        path: PathBuf,
        /// `key: stored → now` for each setting that differs.
        differences: String,
    },
    /// The run needs more memory than the machine has.
    #[error("{0}")]
    Resources(String),
}

impl RunError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, e: impl std::fmt::Display) -> Self {
        Self::Io {
            path: path.into(),
            message: e.to_string(),
        }
    }
}
