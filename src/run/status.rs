//! The state of a run folder, for sweeps, `sweep-status` and the app: done when `summary.toml`
//! reads, running while a process holds its lock ([`super::claim`]), otherwise what
//! `status.toml` says (stopped at a step, or failed with a message). A `running` status whose
//! lock is free is a process that died (SIGKILL, a lost node): its run resumes. The lock, not
//! the host name and pid in `status.toml`, decides, so a rerun on a login node or after the node
//! is gone tells running from dead.

use super::RunLayout;
use serde::{Deserialize, Serialize};
use std::path::Path;

use super::claim::{lock_state, LockState};
use super::{can_resume, RunError};

/// The status file inside a run folder.
pub const STATUS_FILE: &str = super::RunLayout::STATUS;

/// What `status.toml` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum StatusFile {
    /// A process claimed the run and is working on it.
    Running {
        /// Its host name.
        host: String,
        /// Its process id.
        pid: u32,
    },
    /// The run was stopped (Ctrl-C, SIGTERM, SIGHUP, the app's Stop) and resumes.
    Stopped {
        /// The steps done.
        step: usize,
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
    /// Not started (or started and gone before its first resume point: it starts again).
    Pending,
    /// A live process holds the run's lock.
    Running {
        /// Where, as `status.toml` says.
        host: String,
        /// Which process, as `status.toml` says.
        pid: u32,
    },
    /// Stopped by a signal or by the user after `step` steps; it resumes from its resume.npz.
    Stopped {
        /// The steps done.
        step: usize,
    },
    /// Its process died without a word (SIGKILL, a lost node); it resumes from its resume.npz.
    Interrupted,
    /// Finished (summary.toml exists and reads).
    Done,
    /// Failed with this message; rerunning starts it again.
    Failed(String),
    /// A file of the run cannot be read; nothing reruns it until the folder is fixed or removed.
    Damaged(String),
}

impl RunState {
    /// The word printed by `sweep-status` and in `runs.csv`.
    pub fn word(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running { .. } => "running",
            Self::Stopped { .. } => "stopped",
            Self::Interrupted => "interrupted",
            Self::Done => "done",
            Self::Failed(_) => "failed",
            Self::Damaged(_) => "damaged",
        }
    }

    /// Whether a rerun continues it from its resume state.
    pub fn resumes(&self) -> bool {
        matches!(self, Self::Stopped { .. } | Self::Interrupted)
    }
}

/// This machine's host name.
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "localhost".into())
}

fn status_file(dir: &Path) -> Result<Option<StatusFile>, RunError> {
    super::reader::read_toml_file(&dir.join(STATUS_FILE))
}

/// Who `status.toml` says holds the run, for messages ("host h, pid p").
pub fn holder(dir: &Path) -> String {
    match status_file(dir) {
        Ok(Some(StatusFile::Running { host, pid })) => format!("host {host}, pid {pid}"),
        _ => "another process".into(),
    }
}

/// The state of the run in `dir`: [`stored_status`], or running while a process holds its
/// lock.
pub fn read_status(dir: &Path) -> RunState {
    if !dir.join(RunLayout::SUMMARY).is_file() && lock_state(dir) == LockState::Held {
        return match status_file(dir) {
            Ok(Some(StatusFile::Running { host, pid })) => RunState::Running { host, pid },
            _ => RunState::Running {
                host: "?".into(),
                pid: 0,
            },
        };
    }
    stored_status(dir)
}

/// What the run's files say, the lock not consulted: what a process that has claimed the run
/// reads to decide whether to resume it, start it again or leave it.
pub fn stored_status(dir: &Path) -> RunState {
    if dir.join(RunLayout::SUMMARY).is_file() {
        return match super::read_summary(dir) {
            Ok(_) => RunState::Done,
            Err(e) => RunState::Damaged(e.to_string()),
        };
    }
    let resumable = can_resume(dir);
    match status_file(dir) {
        Err(e) => RunState::Damaged(e.to_string()),
        Ok(Some(StatusFile::Failed { message })) => RunState::Failed(message),
        Ok(Some(StatusFile::Stopped { step })) if resumable => RunState::Stopped { step },
        Ok(_) if resumable => RunState::Interrupted,
        Ok(_) => RunState::Pending,
    }
}

/// How [`read_status`] knew, in a line for `sweep-status`.
pub fn status_evidence(dir: &Path, state: &RunState) -> String {
    match state {
        RunState::Pending if dir.join(RunLayout::METRICS).exists() => {
            "started but gone before its first resume point (lock free): starts again".into()
        }
        RunState::Pending => "not started".into(),
        RunState::Running { host, pid } => {
            format!("lock held (flock on {}), on {host}, pid {pid}", super::LOCK_FILE)
        }
        RunState::Stopped { step } => {
            format!("stopped after {step} steps (status.toml, lock free): resumes")
        }
        RunState::Interrupted => match status_file(dir) {
            Ok(Some(StatusFile::Running { host, pid })) => format!(
                "status.toml says running on {host}, pid {pid}, but the lock is free: that process is gone; resumes"
            ),
            _ => "resume.npz without a summary (lock free): resumes".into(),
        },
        RunState::Done => "summary.toml".into(),
        RunState::Failed(m) => m.replace(['\n', '\r'], " "),
        RunState::Damaged(m) => format!(
            "{}: fix or remove the run folder to run it again",
            m.replace(['\n', '\r'], " ")
        ),
    }
}

/// Write (or, with `None`, remove) `status.toml` in `dir`.
pub fn write_status(dir: &Path, status: Option<&StatusFile>) -> Result<(), RunError> {
    let path = dir.join(STATUS_FILE);
    match status {
        Some(s) => {
            let text = toml::to_string(s).map_err(|e| RunError::io(&path, e))?;
            crate::files::write_atomically(&path, |w| std::io::Write::write_all(w, text.as_bytes()))
                .map_err(|e| RunError::io(&path, format!("cannot write: {e}")))
        }
        None => match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(RunError::io(&path, e)),
            _ => Ok(()),
        },
    }
}
