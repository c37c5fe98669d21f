//! The app's film job: prepare the film the view asks for (reusing a stored one), compute its
//! previews and frames on a pool of its own at a lower priority, and send the film to the view
//! after each preview and frame, so frames appear as they are computed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::jobs::{JobResult, Jobs};
use super::state::AppState;
use crate::analysis::{FilmEvent, FilmRequest, FrameChoice};

/// At most one film job; a newer one cancels the older.
#[derive(Debug, Default)]
pub struct FilmController {
    cancel: Option<Arc<AtomicBool>>,
    id: u64,
    /// A planned film of the live run: computed again as the run reaches its frames.
    live: Option<FilmRequest>,
    /// The run went on while the film job was busy: start it again once it ends.
    stale: bool,
    /// Compute the view's film once the run on show has a trajectory (`--live-film`).
    armed: bool,
}

impl FilmController {
    /// Cancel the film being computed (finished frames stay in its file).
    pub fn cancel(&mut self) {
        if let Some(cancel) = self.cancel.take() {
            cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Compute the view's film as soon as the run has a trajectory.
    pub fn arm(&mut self) {
        self.armed = true;
    }

    /// Whether the film was armed; it is not any more.
    pub fn disarm(&mut self) -> bool {
        std::mem::take(&mut self.armed)
    }

    /// The user stopped the film: cancel it and stop following the run.
    pub fn stop(&mut self) {
        self.cancel();
        self.live = None;
        self.stale = false;
    }

    /// Another run is on show: cancel the film job and ignore whatever it still reports.
    pub fn restart(&mut self) {
        self.stop();
        self.id += 1;
    }

    /// Compute the film the view asks for, of the run on show; a planned film is then
    /// followed as the run goes on.
    pub fn compute(&mut self, state: &mut AppState, jobs: &Jobs) {
        let request = state.film.request();
        self.live = matches!(request.frames, FrameChoice::Planned(_)).then(|| request.clone());
        state.film.follow_newest = self.live.is_some();
        self.stale = false;
        self.start(state, jobs, request);
    }

    /// The run's trajectory grew: a planned film that still lacks frames computes those the
    /// run has now reached (after the job under way, if one is).
    pub fn follow(&mut self, state: &mut AppState, jobs: &Jobs) {
        let Some(request) = self.live.clone() else {
            return;
        };
        if self.cancel.is_some() {
            self.stale = true;
            return;
        }
        self.stale = false;
        self.start(state, jobs, request);
    }

    fn start(&mut self, state: &mut AppState, jobs: &Jobs, request: FilmRequest) {
        let Some(folder) = state.run.folder.clone() else {
            state.fail("no run to film: open a run (or start one and wait for its trajectory)");
            return;
        };
        self.cancel();
        self.id += 1;
        let id = self.id;
        let cancel = Arc::new(AtomicBool::new(false));
        self.cancel = Some(cancel.clone());
        state.film.computing = true;
        state.film.error = None;
        let wake = jobs.waker();
        let threads = rayon::current_num_threads();
        jobs.spawn("film", move |tx| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads.max(1))
                .thread_name(|k| format!("annealscape-film-{k}"))
                .build();
            let result = match pool {
                Ok(pool) => pool.install(|| {
                    let mut film = folder.prepare_film(&request)?;
                    let _ = tx.send(JobResult::Film {
                        id,
                        film: Box::new(film.clone()),
                    });
                    wake();
                    folder.compute_film(&mut film, &request.name, &cancel, |film, event| {
                        if !matches!(event, FilmEvent::Row { .. }) {
                            let _ = tx.send(JobResult::Film {
                                id,
                                film: Box::new(film.clone()),
                            });
                            wake();
                        }
                    })
                }),
                Err(e) => Err(crate::analysis::AnalysisError::Resources(format!(
                    "cannot start the film threads: {e}"
                ))),
            };
            let _ = tx.send(JobResult::FilmDone {
                id,
                result: result.map_err(|e| e.to_string()),
            });
        });
    }

    /// Whether the run went on while the job was busy, so [`FilmController::follow`] is due.
    pub fn is_stale(&self) -> bool {
        self.stale && self.cancel.is_none()
    }

    /// Take in the film's progress or its end; reports of older jobs are dropped.
    pub fn take(&mut self, state: &mut AppState, result: JobResult) {
        match result {
            JobResult::Film { id, film } if id == self.id => state.film.update(*film),
            JobResult::FilmDone { id, result } if id == self.id => {
                self.cancel = None;
                state.film.computing = false;
                if let Some(film) = state.film.film.as_ref().filter(|f| f.settings.planned) {
                    if film.frames_done() == film.frames() {
                        self.live = None;
                    }
                }
                match result {
                    Ok(true) if self.live.is_some() => {}
                    Ok(true) => {
                        if let Some(film) = &state.film.film {
                            state.inform(format!(
                                "film of {} frames stored in {}",
                                film.frames(),
                                state.run.dir.as_ref().map_or_else(String::new, |d| d
                                    .join(crate::run::RunLayout::FILMS)
                                    .display()
                                    .to_string())
                            ));
                        }
                    }
                    Ok(false) => {}
                    Err(e) => {
                        self.live = None;
                        state.film.error = Some(e.clone());
                        state.fail(format!("film: {e}"));
                    }
                }
            }
            _ => {}
        }
    }
}
