//! The local executor: J runs at a time, each on its own pool of T threads. A rerun skips
//! finished runs, resumes interrupted ones and starts failed ones again; the same `run_one` is
//! what a Slurm array task runs.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::anneal::{Control, Observer, ObserverError, StepView};
use crate::run::{
    resume_claimed, run_claimed, stored_status, RunClaim, RunError, RunLayout, LOCK_FILE,
};

use super::{
    read_status, run_dir, write_status, RunState, StatusFile, Sweep, SweepError, SweepPoint,
};

/// How the cores are split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalOptions {
    /// Runs at a time.
    pub jobs: usize,
    /// Threads each run uses (its results do not depend on it).
    pub threads_per_run: usize,
}

/// What the executor reports as it goes (the command line draws a bar from it).
pub trait SweepProgress: Sync {
    /// A run starts (or resumes).
    fn started(&self, _id: &str) {}
    /// A run ended in `state` (done, failed, interrupted).
    fn finished(&self, _id: &str, _state: &RunState) {}
}

/// No progress shown.
impl SweepProgress for () {}

/// Stops the run when the flag is set (Ctrl-C); the run keeps its files and resumes later.
struct StopFlag<'a>(&'a AtomicBool);

impl Observer for StopFlag<'_> {
    fn stop_requested(&mut self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    fn on_step(&mut self, _view: &StepView<'_>) -> Result<Control, ObserverError> {
        Ok(if self.0.load(Ordering::SeqCst) {
            Control::Stop
        } else {
            Control::Continue
        })
    }
}

/// Empty a run folder for a fresh start, keeping the lock this process holds in it.
fn clear(dir: &std::path::Path) -> Result<(), SweepError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(SweepError::io(dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| SweepError::io(dir, e))?;
        if entry.file_name() == LOCK_FILE {
            continue;
        }
        let path = entry.path();
        let removed = if entry.file_type().is_ok_and(|t| t.is_dir()) {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(|e| SweepError::io(&path, e))?;
    }
    Ok(())
}

/// Bring one run of the sweep to its end: skip it if done, damaged or running elsewhere,
/// resume it if stopped or interrupted, start it (again) otherwise. The run is claimed (its
/// lock taken) before anything is decided, so two sweeps on one folder never run one run twice:
/// the second finds it running and skips it. Returns the state it was left in.
pub fn run_one(
    sweep: &Sweep,
    point: &SweepPoint,
    stop: &AtomicBool,
) -> Result<RunState, SweepError> {
    let dir = run_dir(&sweep.dir, &point.id);
    if let state @ (RunState::Done | RunState::Running { .. } | RunState::Damaged(_)) =
        read_status(&dir)
    {
        return Ok(state);
    }
    let claim = match RunClaim::claim(&dir) {
        Ok(claim) => claim,
        Err(RunError::Busy { .. }) => return Ok(read_status(&dir)),
        Err(e) => return Err(e.into()),
    };
    // Read again under the claim: another process may have finished it since.
    let resume = match stored_status(&dir) {
        state @ (RunState::Done | RunState::Damaged(_)) => return Ok(state),
        RunState::Stopped { .. } | RunState::Interrupted => true,
        RunState::Failed(_) => {
            clear(&dir)?;
            false
        }
        // Started and gone before its first resume point: nothing to keep. Anything else in
        // the folder is not the run's, and the new run refuses to write over it.
        _ => {
            if dir.join(RunLayout::METRICS).exists() {
                clear(&dir)?;
            }
            false
        }
    };
    let mut observer = StopFlag(stop);
    let result = if resume {
        resume_claimed(&claim, &mut observer)
    } else {
        run_claimed(&claim, &point.config, &mut observer)
    };
    if let Err(e) = result {
        // Failures before the run's first file (an invalid setting) leave no status yet.
        write_status(
            &dir,
            Some(&StatusFile::Failed {
                message: e.to_string(),
            }),
        )?;
    }
    drop(claim);
    Ok(read_status(&dir))
}

/// Run every unfinished run of `sweep`, `options.jobs` at a time. Returns each run's final
/// state; `Err(Interrupted)` if `stop` was set (the states on disk say what is left).
pub fn run_local(
    sweep: &Sweep,
    options: &LocalOptions,
    stop: &AtomicBool,
    progress: &dyn SweepProgress,
) -> Result<Vec<(String, RunState)>, SweepError> {
    let points = &sweep.spec.points;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, RunState)>> = Mutex::new(Vec::new());
    let first_error: Mutex<Option<SweepError>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.max(1) {
            scope.spawn(|| {
                let pool = match rayon::ThreadPoolBuilder::new()
                    .num_threads(options.threads_per_run.max(1))
                    .build()
                {
                    Ok(pool) => pool,
                    Err(e) => {
                        *first_error.lock().expect("not poisoned") = Some(SweepError::io(
                            &sweep.dir,
                            format!("cannot start threads: {e}"),
                        ));
                        return;
                    }
                };
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= points.len() || stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let point = &points[i];
                    let dir = run_dir(&sweep.dir, &point.id);
                    let before = read_status(&dir);
                    if before == RunState::Done {
                        results.lock().expect("not poisoned").push((i, before));
                        continue;
                    }
                    progress.started(&point.id);
                    match pool.install(|| run_one(sweep, point, stop)) {
                        Ok(state) => {
                            progress.finished(&point.id, &state);
                            results.lock().expect("not poisoned").push((i, state));
                        }
                        Err(e) => {
                            first_error.lock().expect("not poisoned").get_or_insert(e);
                            return;
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = first_error.into_inner().expect("not poisoned") {
        return Err(e);
    }
    if stop.load(Ordering::SeqCst) {
        return Err(SweepError::Interrupted);
    }
    let mut results = results.into_inner().expect("not poisoned");
    results.sort_by_key(|r| r.0);
    Ok(results
        .into_iter()
        .map(|(i, s)| (points[i].id.clone(), s))
        .collect())
}
