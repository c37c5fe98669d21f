//! The app's film job: prepare the film the view asks for (reusing a stored one), compute its
//! previews and frames on a pool of its own at a lower priority, and send the film to the view
//! after each preview and frame, so frames appear as they are computed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::jobs::{JobResult, Jobs};
use super::state::AppState;
use crate::analysis::FilmEvent;

/// At most one film job; a newer one cancels the older.
#[derive(Debug, Default)]
pub struct FilmController {
    cancel: Option<Arc<AtomicBool>>,
    id: u64,
}

impl FilmController {
    /// Cancel the film being computed (finished frames stay in its file).
    pub fn cancel(&mut self) {
        if let Some(cancel) = self.cancel.take() {
            cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Another run is on show: cancel the film job and ignore whatever it still reports.
    pub fn restart(&mut self) {
        self.cancel();
        self.id += 1;
    }

    /// Compute the film the view asks for, of the run on show.
    pub fn compute(&mut self, state: &mut AppState, jobs: &Jobs) {
        let Some(folder) = state.run.folder.clone() else {
            state.fail("no run to film: open a run (or start one and wait for its trajectory)");
            return;
        };
        self.cancel();
        self.id += 1;
        let id = self.id;
        let cancel = Arc::new(AtomicBool::new(false));
        self.cancel = Some(cancel.clone());
        let request = state.film.request();
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

    /// Take in the film's progress or its end; reports of older jobs are dropped.
    pub fn take(&mut self, state: &mut AppState, result: JobResult) {
        match result {
            JobResult::Film { id, film } if id == self.id => state.film.update(*film),
            JobResult::FilmDone { id, result } if id == self.id => {
                self.cancel = None;
                state.film.computing = false;
                match result {
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
                        state.film.error = Some(e.clone());
                        state.fail(format!("film: {e}"));
                    }
                }
            }
            _ => {}
        }
    }
}
