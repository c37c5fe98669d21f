//! Who runs a run: an advisory `flock` on `RUN/lock`, taken before the first file of the run is
//! written and held until the process ends. The kernel drops the lock when the process dies,
//! however it dies (SIGKILL, an out-of-memory kill, a crash), and on a shared file system
//! (NFSv4, or Lustre and GPFS mounted with `flock`) every host sees it. So a process that
//! cannot take the lock knows the run is alive somewhere, and one that can knows it is not,
//! whatever `status.toml` says. A lease with a heartbeat would also survive file systems
//! without locks, but it must guess how stale is dead and can hand one run to two processes
//! when a node stalls; the lock cannot.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use super::RunError;

/// The lock file inside a run folder.
pub const LOCK_FILE: &str = super::RunLayout::LOCK;

/// The exclusive right to run the run in a folder, for as long as this value lives.
#[derive(Debug)]
pub struct RunClaim {
    dir: PathBuf,
    // Held open: closing the file (dropping the claim) releases the lock.
    _file: File,
}

/// Whether a run folder's lock is held by a live process (here or on another host).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockState {
    /// A process holds the lock: the run is running.
    Held,
    /// Nobody holds it (or the folder has no lock file): no process runs the run.
    Free,
}

impl RunClaim {
    /// Claim the run in `dir` (created if missing). Fails with [`RunError::Busy`] when another
    /// process, or another claim in this one, holds it.
    pub fn claim(dir: &Path) -> Result<Self, RunError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| RunError::io(dir, format!("cannot write the run folder: {e}")))?;
        let path = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| RunError::io(&path, format!("cannot write the run's lock: {e}")))?;
        match file.try_lock() {
            Ok(()) => Ok(Self {
                dir: dir.to_path_buf(),
                _file: file,
            }),
            Err(TryLockError::WouldBlock) => Err(RunError::Busy {
                dir: dir.to_path_buf(),
                holder: super::status::holder(dir),
            }),
            Err(TryLockError::Error(e)) => Err(RunError::io(
                &path,
                format!("cannot lock ({e}): the file system must support flock (mount NFS as v4, Lustre with -o flock), or run in a local folder"),
            )),
        }
    }

    /// The run folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Whether a process holds the lock of the run in `dir`, tested without keeping it.
pub fn lock_state(dir: &Path) -> LockState {
    let Ok(file) = File::open(dir.join(LOCK_FILE)) else {
        return LockState::Free;
    };
    match file.try_lock_shared() {
        Ok(()) => {
            let _ = file.unlock();
            LockState::Free
        }
        Err(TryLockError::WouldBlock) => LockState::Held,
        // A file system without locks cannot tell: no process could have claimed the run on it.
        Err(TryLockError::Error(_)) => LockState::Free,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_excludes_a_second_and_ends_with_its_owner() {
        let dir = std::env::temp_dir().join(format!("annealscape-claim-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(lock_state(&dir), LockState::Free);
        let first = RunClaim::claim(&dir).unwrap();
        assert_eq!(lock_state(&dir), LockState::Held);
        assert!(matches!(RunClaim::claim(&dir), Err(RunError::Busy { .. })));
        drop(first);
        assert_eq!(lock_state(&dir), LockState::Free);
        let again = RunClaim::claim(&dir).unwrap();
        assert_eq!(again.dir(), dir);
        drop(again);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
