//! The command line's one error type and where each library error lands in it. The variant,
//! never the message, decides the exit code: 2 when the command line or a configuration asks
//! for something invalid (a value, a combination, a run folder or snapshot that is not there, a
//! run too large for the machine, an output folder that holds something else), 1 when a file,
//! a run's state or a computation fails (a damaged or unreadable file, a busy run, a diverged
//! run, a full disk).

use crate::analysis::AnalysisError;
use crate::anneal::{AnnealError, FieldError};
use crate::baselines::BaselineError;
use crate::curvature::CurvatureError;
use crate::figures::FigureError;
use crate::landscape::LandscapeError;
use crate::nn::{LayoutError, NpzError};
use crate::physics::PhysicsError;
use crate::run::{ConfigError, ResumeError, RunError};
use crate::study::StudyError;
use crate::sweep::SweepError;

/// A failure of a command, sorted by whose fault it is.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The user asked for something invalid: exit code 2.
    #[error("{0}")]
    Usage(String),
    /// A signal stopped a run (Ctrl-C, SIGTERM, SIGHUP): exit code 128 + the signal's number
    /// (130, 143, 129), files kept, the way to continue printed.
    #[error("interrupted")]
    Interrupted,
    /// The computation, a file or the output failed: exit code 1.
    #[error(transparent)]
    Runtime(#[from] anyhow::Error),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Usage(_) => 2,
            Self::Interrupted => super::signals::exit_code(super::signals::received()),
            Self::Runtime(_) => 1,
        }
    }

    fn usage(e: impl std::fmt::Display) -> Self {
        Self::Usage(e.to_string())
    }

    fn runtime(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Runtime(e.into())
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        Self::runtime(e)
    }
}

impl From<ConfigError> for CliError {
    fn from(e: ConfigError) -> Self {
        Self::usage(e)
    }
}

impl From<FieldError> for CliError {
    fn from(e: FieldError) -> Self {
        Self::usage(e)
    }
}

impl From<BaselineError> for CliError {
    fn from(e: BaselineError) -> Self {
        Self::usage(e)
    }
}

impl From<NpzError> for CliError {
    fn from(e: NpzError) -> Self {
        Self::runtime(e)
    }
}

impl From<LayoutError> for CliError {
    fn from(e: LayoutError) -> Self {
        Self::runtime(e)
    }
}

impl From<ResumeError> for CliError {
    fn from(e: ResumeError) -> Self {
        Self::runtime(e)
    }
}

impl From<PhysicsError> for CliError {
    fn from(e: PhysicsError) -> Self {
        match e {
            PhysicsError::NotConverged { .. } => Self::runtime(e),
            other => Self::usage(other),
        }
    }
}

impl From<CurvatureError> for CliError {
    fn from(e: CurvatureError) -> Self {
        match e {
            CurvatureError::Lanczos(_) => Self::runtime(e),
            other => Self::usage(other),
        }
    }
}

impl From<AnnealError> for CliError {
    fn from(e: AnnealError) -> Self {
        match e {
            AnnealError::Config(e) => e.into(),
            AnnealError::Model(e) => e.into(),
            other @ (AnnealError::NonFinite { .. }
            | AnnealError::State(_)
            | AnnealError::Observer { .. }) => Self::runtime(other),
        }
    }
}

impl From<RunError> for CliError {
    fn from(e: RunError) -> Self {
        match e {
            RunError::Config(e) => e.into(),
            RunError::Anneal(e) => e.into(),
            RunError::Resources(_) | RunError::NotFound { .. } => Self::usage(e),
            other => Self::runtime(other),
        }
    }
}

impl From<LandscapeError> for CliError {
    fn from(e: LandscapeError) -> Self {
        match e {
            // Directions this run's path cannot give, or settings out of range.
            LandscapeError::Option { .. }
            | LandscapeError::TooFewPoints { .. }
            | LandscapeError::StillPath => Self::usage(e),
            other @ (LandscapeError::Layout(_) | LandscapeError::File { .. }) => {
                Self::runtime(other)
            }
        }
    }
}

impl From<AnalysisError> for CliError {
    fn from(e: AnalysisError) -> Self {
        match e {
            AnalysisError::Run(e) => e.into(),
            AnalysisError::Anneal(e) => e.into(),
            AnalysisError::Landscape(e) => e.into(),
            AnalysisError::Resources(_) | AnalysisError::Request(_) => Self::usage(e),
            other @ (AnalysisError::Npz(_)
            | AnalysisError::Layout(_)
            | AnalysisError::Io { .. }) => Self::runtime(other),
        }
    }
}

impl From<FigureError> for CliError {
    fn from(e: FigureError) -> Self {
        match e {
            FigureError::Format(_) | FigureError::Data(_) => Self::usage(e),
            other => Self::runtime(other),
        }
    }
}

impl From<SweepError> for CliError {
    fn from(e: SweepError) -> Self {
        match e {
            SweepError::Interrupted => super::sweep::interrupted(),
            SweepError::Run(e) => e.into(),
            SweepError::Io { .. } | SweepError::Slurm(_) => Self::runtime(e),
            other => Self::usage(other),
        }
    }
}

impl From<StudyError> for CliError {
    fn from(e: StudyError) -> Self {
        match e {
            StudyError::Sweep(e) => e.into(),
            StudyError::Interrupted => super::sweep::interrupted(),
            other => Self::runtime(other),
        }
    }
}
