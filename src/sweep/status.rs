//! The status of one run of a sweep, read from its folder: done when `summary.toml` exists,
//! otherwise what `status.toml` says (running on a host with a pid, or failed with a message),
//! with a running status whose process is gone on this host read as interrupted.

use serde::{Deserialize, Serialize};
use std::path::Path;

use super::SweepError;

/// What `status.toml` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum StatusFile {
    /// A process is working on the run.
    Running {
        /// Its host name.
        host: String,
        /// Its process id.
        pid: u32,
    },
    /// The run failed.
    Failed {
        /// Why.
        message: String,
    },
}

/// The state of a run, as a sweep sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum RunState {
    /// Not started.
    Pending,
    /// A live process is working on it.
    Running {
        /// Where.
        host: String,
        /// Which process.
        pid: u32,
    },
    /// Started and stopped or killed; it resumes from its resume.npz.
    Interrupted,
    /// Finished (summary.toml exists).
    Done,
    /// Failed with this message; rerunning starts it again.
    Failed(String),
}

impl RunState {
    /// The word printed by `sweep-status` and in `runs.csv`.
    pub fn word(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running { .. } => "running",
            Self::Interrupted => "interrupted",
            Self::Done => "done",
            Self::Failed(_) => "failed",
        }
    }
}

/// This machine's host name.
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "localhost".into())
}

fn alive(pid: u32) -> bool {
    // Signal 0 checks for existence only; EPERM still means the process exists.
    let rc = unsafe { libc::kill(pid as libc::pid_t, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// The state of the run in `dir`.
pub fn read_status(dir: &Path) -> RunState {
    if dir.join("summary.toml").is_file() {
        return RunState::Done;
    }
    let file = std::fs::read_to_string(dir.join("status.toml"))
        .ok()
        .and_then(|t| toml::from_str::<StatusFile>(&t).ok());
    let resumable = crate::run::can_resume(dir);
    match file {
        Some(StatusFile::Failed { message }) => RunState::Failed(message),
        Some(StatusFile::Running { host, pid }) => {
            if host == host_name() && !alive(pid) {
                if resumable {
                    RunState::Interrupted
                } else {
                    RunState::Pending
                }
            } else {
                RunState::Running { host, pid }
            }
        }
        None if resumable => RunState::Interrupted,
        None => RunState::Pending,
    }
}

/// Write (or, with `None`, remove) `status.toml` in `dir`.
pub fn write_status(dir: &Path, status: Option<&StatusFile>) -> Result<(), SweepError> {
    let path = dir.join("status.toml");
    match status {
        Some(s) => {
            std::fs::create_dir_all(dir).map_err(|e| SweepError::io(dir, e))?;
            let text = toml::to_string(s).map_err(|e| SweepError::io(&path, e))?;
            crate::files::write_atomically(&path, |w| std::io::Write::write_all(w, text.as_bytes()))
                .map_err(|e| SweepError::io(&path, e))
        }
        None => match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(SweepError::io(&path, e)),
            _ => Ok(()),
        },
    }
}
