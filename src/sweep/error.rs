//! What can go wrong with a sweep.

use std::path::PathBuf;

/// A sweep refused or failed, naming the value, file or run.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The specification is not valid TOML or has an unknown top-level key.
    #[error("{origin}: {message}")]
    Parse {
        /// The file.
        origin: String,
        /// What the parser said.
        message: String,
    },
    /// The base configuration is missing or invalid.
    #[error("sweep base: {0}")]
    Base(String),
    /// An axis is not a configuration field, or its values are invalid.
    #[error("axis '{key}': {message}")]
    Axis {
        /// The axis key.
        key: String,
        /// Why.
        message: String,
    },
    /// Every point was excluded.
    #[error("the sweep has no runs: every point is excluded or an axis is empty")]
    Empty,
    /// Too many points.
    #[error("the sweep expands to more than {max} runs: shorten an axis")]
    TooMany {
        /// The limit.
        max: usize,
    },
    /// A file of the sweep folder could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The folder holds a different sweep than the one given.
    #[error("{0} holds another sweep (its sweep.toml differs): choose a new --out folder")]
    Different(PathBuf),
    /// The folder holds files that are not this sweep's (no `sweep.toml` beside them).
    #[error("{dir} holds {files} but no sweep.toml: these are not this sweep's files and would be overwritten; choose a new --out folder")]
    Foreign {
        /// The folder.
        dir: PathBuf,
        /// The files found, comma-separated.
        files: String,
    },
    /// A run could not be claimed, started or resumed.
    #[error(transparent)]
    Run(#[from] crate::run::RunError),
    /// A Slurm option has a value Slurm would refuse or that would change the job script.
    #[error("{option} {value}: {message}")]
    SlurmOption {
        /// The option.
        option: &'static str,
        /// Its value, escaped.
        value: String,
        /// Why, and what to write.
        message: String,
    },
    /// Slurm refused or is not there.
    #[error("slurm: {0}")]
    Slurm(String),
    /// The user pressed Ctrl-C; finished runs are kept, interrupted ones resume next time.
    #[error("interrupted: rerun the same command to continue")]
    Interrupted,
}

impl SweepError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, e: impl std::fmt::Display) -> Self {
        Self::Io {
            path: path.into(),
            message: e.to_string(),
        }
    }
}
