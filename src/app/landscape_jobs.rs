//! The app's one landscape controller: it turns the landscape view's request into a job
//! around a stored snapshot or the live weights, with the configuration and trajectory the app
//! already holds (no run folder read back), follows the worker's weights when asked, and takes
//! the job's rows and result into the view.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use thiserror::Error;

use super::jobs::{JobResult, Jobs};
use super::state::{AppState, RunStatus};
use super::NOW;
use crate::analysis::{AnalysisError, Existing, LandscapeRequest, RunFolder};
use crate::landscape::Landscape;
use crate::nn::{Network, Params};

/// Where a landscape is centred.
#[derive(Debug, Clone)]
pub enum Centre {
    /// A snapshot stored in the run folder.
    Snapshot(String),
    /// Live weights taken after `step`.
    Live {
        /// The step.
        step: usize,
        /// The weights.
        params: Arc<Params>,
        /// Keep the result in the run folder (not when following the weights, which would
        /// write a file every few seconds).
        store: bool,
    },
}

/// A finished landscape and the file it was stored in, if it was.
pub type Computed = (Box<Landscape>, Option<PathBuf>);

/// Why a landscape job gave no landscape.
#[derive(Debug, Error)]
pub enum LandscapeJobError {
    /// The analysis refused or failed (bad settings, a missing snapshot, a full disk…).
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// The landscape code panicked; the app carries on.
    #[error("the landscape job failed: {0}")]
    Panicked(String),
    /// The job's thread pool could not be made.
    #[error("cannot start the landscape threads: {0}")]
    Threads(String),
}

/// The landscape jobs of the app: at most one running, a newer request cancelling an older.
#[derive(Debug, Default)]
pub struct LandscapeController {
    cancel: Option<Arc<AtomicBool>>,
    id: u64,
    /// The step of the live weights the last computation around them was centred on.
    centred_on: Option<usize>,
}

impl LandscapeController {
    /// The id of the current job (older jobs' reports are ignored).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Cancel the job being computed, if any (it stops after its current row).
    pub fn cancel(&mut self) {
        if let Some(cancel) = self.cancel.take() {
            cancel.store(true, Ordering::Relaxed);
        }
    }

    /// A new run: cancel, and follow its weights from the first.
    pub fn restart(&mut self) {
        self.cancel();
        self.centred_on = None;
    }

    /// After new weights or a new trajectory arrived: when the view follows the live weights
    /// and no job is running, compute around the newest weights (while training, and once more
    /// at the end).
    pub fn follow(&mut self, state: &mut AppState, jobs: &Jobs) {
        let view = &state.landscape;
        let live = matches!(
            state.status,
            RunStatus::Running | RunStatus::Finished | RunStatus::Stopped(_)
        );
        let newer = state
            .run
            .weights
            .as_ref()
            .is_some_and(|(step, _)| Some(*step) != self.centred_on);
        if live
            && view.follow_live
            && view.source == NOW
            && !view.computing
            && state.run.folder.is_some()
            && newer
        {
            self.compute(state, jobs, false);
        }
    }

    /// Compute the landscape the view asks for around its source; `store` keeps a landscape
    /// of the live weights in the run folder (one of a snapshot is always kept).
    pub fn compute(&mut self, state: &mut AppState, jobs: &Jobs, store: bool) {
        let Some(folder) = state.run.folder.clone() else {
            state.fail(if state.run.dir.is_some() {
                "the run's trajectory has not arrived yet: try again after its first snapshot"
            } else {
                "no run to compute a landscape of: start or open one"
            });
            return;
        };
        let view = &state.landscape;
        let (centre, step) = if view.source == NOW {
            let Some((step, params)) = &state.run.weights else {
                state.fail("no live weights yet: choose a stored snapshot, or start a run");
                return;
            };
            self.centred_on = Some(*step);
            let centre = Centre::Live {
                step: *step,
                params: params.clone(),
                store,
            };
            (centre, *step as i64)
        } else {
            let step = state
                .run
                .snapshots
                .iter()
                .find(|s| s.name == view.source)
                .map_or(-1, |s| s.step);
            (Centre::Snapshot(view.source.clone()), step)
        };
        let request = view.request();
        state.landscape.begin(step, !store);
        self.spawn(jobs, folder, centre, request, rayon::current_num_threads());
    }

    /// Take in a row or the end of a job; reports of older jobs are dropped.
    pub fn take(&mut self, state: &mut AppState, result: JobResult) {
        match result {
            JobResult::LandscapeRow {
                id,
                j,
                values,
                stderr,
            } if id == self.id => state.landscape.add_row(j, &values, &stderr),
            JobResult::LandscapeDone { id, result } if id == self.id => {
                self.cancel = None;
                match result {
                    Ok(Some((landscape, path))) => {
                        state.landscape.finish(*landscape);
                        if let Some(path) = path {
                            state.inform(format!("landscape stored in {}", path.display()));
                        }
                    }
                    Ok(None) => state.landscape.computing = false,
                    Err(e) => {
                        let view = &mut state.landscape;
                        view.computing = false;
                        view.error = Some(e.to_string());
                        // Following would repeat the same failure every few steps.
                        let note = if std::mem::take(&mut view.follow_live) {
                            " (follow turned off)"
                        } else {
                            ""
                        };
                        state.fail(format!("landscape: {e}{note}"));
                    }
                }
            }
            _ => {}
        }
    }

    /// Compute around `centre` on a pool of `threads` threads of its own at a lower
    /// scheduling priority, so a run training on the global pool keeps the cores and the
    /// landscape takes what is left.
    fn spawn(
        &mut self,
        jobs: &Jobs,
        folder: Arc<RunFolder>,
        centre: Centre,
        request: LandscapeRequest,
        threads: usize,
    ) {
        self.cancel();
        self.id += 1;
        let id = self.id;
        let cancel = Arc::new(AtomicBool::new(false));
        self.cancel = Some(cancel.clone());
        let wake = jobs.waker();
        jobs.spawn("landscape", move |tx| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads.max(1))
                .thread_name(|k| format!("annealscape-landscape-{k}"))
                .start_handler(|_| yield_to_training())
                .build();
            let result = match pool {
                // A panic in the landscape code ends this job with its message, so the view
                // stops waiting for it instead of spinning.
                Ok(pool) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    pool.install(|| {
                        compute(&folder, centre, &request, &cancel, |j, v, e| {
                            let _ = tx.send(JobResult::LandscapeRow {
                                id,
                                j,
                                values: v.to_vec(),
                                stderr: e.to_vec(),
                            });
                            wake();
                        })
                    })
                }))
                .unwrap_or_else(|panic| {
                    let what = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "unknown panic".into());
                    Err(LandscapeJobError::Panicked(what))
                }),
                Err(e) => Err(LandscapeJobError::Threads(e.to_string())),
            };
            let _ = tx.send(JobResult::LandscapeDone { id, result });
        });
    }
}

/// Lower this thread's scheduling priority (Linux nice values are per thread).
fn yield_to_training() {
    #[cfg(unix)]
    // SAFETY: nice(2) only changes the calling thread's priority; a failure is harmless.
    unsafe {
        libc::nice(10);
    }
}

fn compute(
    folder: &RunFolder,
    centre: Centre,
    request: &LandscapeRequest,
    cancel: &AtomicBool,
    on_row: impl FnMut(usize, &[f64], &[f64]),
) -> Result<Option<Computed>, LandscapeJobError> {
    match centre {
        Centre::Snapshot(name) => Ok(folder
            .landscape(&name, request, cancel, Existing::WriteBeside, on_row)?
            .map(|(l, path)| (Box::new(l), Some(path)))),
        Centre::Live {
            step,
            params,
            store,
        } => {
            let config = folder.config();
            let net = Network::from_params(
                config.network.in_f64(),
                config.lattice.size,
                (*params).clone(),
            )
            .map_err(AnalysisError::from)?;
            let name = format!("now-{step}");
            let Some(landscape) =
                folder.landscape_around(&name, step as i64, net, request, cancel, on_row)?
            else {
                return Ok(None);
            };
            let path = store
                .then(|| folder.store(&landscape, Existing::WriteBeside))
                .transpose()?;
            Ok(Some((Box::new(landscape), path)))
        }
    }
}
