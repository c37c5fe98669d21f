//! Background jobs of the app — landscapes, exact curves, opening runs, file dialogs and
//! exports — each on its own thread, reporting through one channel polled once a frame.

use crossbeam_channel::{unbounded, Receiver, Sender};
use ndarray::Array2;
use std::path::PathBuf;
use std::sync::Arc;

use super::export::{write_data, write_figure, ExportContent, ExportError};
use super::landscape_jobs::{Computed, LandscapeJobError};
use super::state::{SnapshotEntry, View};
use crate::analysis::{exact_curve, AnalysisError, ExactCurveError, RunFolder};
use crate::anneal::{FinalSummary, StepMetrics};
use crate::run::RunConfig;

/// A run folder read from disk.
#[derive(Debug, Clone)]
pub struct OpenedRun {
    /// The folder.
    pub dir: PathBuf,
    /// Its configuration.
    pub config: RunConfig,
    /// Its configuration and parameter path as the landscapes read them.
    pub folder: Arc<RunFolder>,
    /// Its steps.
    pub metrics: Vec<StepMetrics>,
    /// Its exact distances (empty if it measured none).
    pub distances: Vec<crate::anneal::DistanceRow>,
    /// Its curvature rows (empty if it measured none).
    pub curvature: Vec<crate::anneal::CurvatureRow>,
    /// Spectral densities stored in RUN/curvature: (snapshot, λ grid, φ).
    pub densities: Vec<crate::app::state::Density>,
    /// Its final evaluation, if it finished.
    pub summary: Option<FinalSummary>,
    /// Its snapshots.
    pub snapshots: Vec<SnapshotEntry>,
    /// The samples of its latest snapshot and that snapshot's step.
    pub samples: Option<(usize, Array2<u8>)>,
    /// What the reader left out (a partial last line of metrics.csv), to show the user.
    pub warning: Option<String>,
    /// Whether the run did not finish and can be resumed from its resume.npz.
    pub resumable: bool,
}

/// What a job reports.
#[derive(Debug)]
pub enum JobResult {
    /// Row `j` of landscape job `id`.
    LandscapeRow {
        /// Job id.
        id: u64,
        /// β index.
        j: usize,
        /// Values per spin.
        values: Vec<f64>,
        /// Standard errors.
        stderr: Vec<f64>,
    },
    /// Landscape job `id` ended: the landscape and its file if stored, `None` if cancelled,
    /// or why not.
    LandscapeDone {
        /// Job id.
        id: u64,
        /// The outcome.
        result: Result<Option<Computed>, LandscapeJobError>,
    },
    /// Film job `id` has a newer state of its film (after a preview or a frame).
    Film {
        /// Job id.
        id: u64,
        /// The film so far.
        film: Box<crate::landscape::Film>,
    },
    /// Film job `id` ended: finished (`true`), cancelled (`false`) or why not.
    FilmDone {
        /// Job id.
        id: u64,
        /// The outcome.
        result: Result<bool, String>,
    },
    /// The exact curve of a run.
    Exact {
        /// The run folder it was asked for (a newer run ignores it).
        dir: Option<PathBuf>,
        /// The curve and its legend, or why there is none.
        result: Result<(Vec<(f64, f64)>, String), ExactCurveError>,
    },
    /// A run folder was read.
    Opened(Box<Result<OpenedRun, AnalysisError>>),
    /// The folder dialog of "Open sweep…" returned.
    SweepFolderChosen(Option<PathBuf>),
    /// A sweep folder's table was read.
    Sweep {
        /// The sweep folder.
        dir: PathBuf,
        /// `runs.csv`'s rows (header first) and the number of axes, or why not.
        result: Result<(Vec<Vec<String>>, usize), crate::sweep::SweepError>,
    },
    /// The overlay curves of some runs of a sweep.
    SweepCurves {
        /// The sweep folder.
        dir: PathBuf,
        /// Run id and curves.
        curves: Vec<(String, super::sweep_view::SweepCurve)>,
        /// The exact curves of their sizes.
        exact: Vec<(usize, super::sweep_view::ExactLine)>,
    },
    /// The classical baselines at a run's budget.
    Baseline {
        /// The run they belong to.
        dir: Option<PathBuf>,
        /// The band, or why there is none.
        result: Result<super::baseline_band::Band, super::baseline_band::BandError>,
    },
    /// The file dialog for an export returned (`None`: cancelled).
    PathChosen {
        /// The view exported.
        view: View,
        /// Figure or data.
        figure: bool,
        /// The chosen path.
        path: Option<PathBuf>,
    },
    /// The folder dialog of "Open run…" returned.
    FolderChosen(Option<PathBuf>),
    /// An export was written (the path) or failed (why).
    Written(Result<PathBuf, ExportError>),
    /// A job ended without its result.
    Failed(JobError),
}

/// Why a background job gave no result.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The job panicked; the app carries on.
    #[error("the {job} job failed unexpectedly; the app carries on")]
    Panicked {
        /// Which job.
        job: String,
    },
    /// Its thread could not be started.
    #[error("cannot start the {job} job: {source}")]
    Spawn {
        /// Which job.
        job: String,
        /// Why.
        source: std::io::Error,
    },
}

/// The app's background jobs.
pub struct Jobs {
    tx: Sender<JobResult>,
    rx: Receiver<JobResult>,
    wake: Arc<dyn Fn() + Send + Sync>,
}

impl Jobs {
    /// No jobs yet; `wake` asks for a repaint when a job reports.
    pub fn new(wake: Arc<dyn Fn() + Send + Sync>) -> Self {
        let (tx, rx) = unbounded();
        Self { tx, rx, wake }
    }

    /// Everything reported since the last poll.
    pub fn poll(&self) -> Vec<JobResult> {
        self.rx.try_iter().collect()
    }

    /// Block until the next report (tests).
    pub fn wait(&self, timeout: std::time::Duration) -> Option<JobResult> {
        self.rx.recv_timeout(timeout).ok()
    }

    /// A sender for results produced outside a job (screenshots).
    pub fn sender(&self) -> Sender<JobResult> {
        self.tx.clone()
    }

    /// What a job calls to ask for a repaint when it reports between its results (rows).
    pub(super) fn waker(&self) -> Arc<dyn Fn() + Send + Sync> {
        self.wake.clone()
    }

    pub(super) fn spawn(&self, name: &str, job: impl FnOnce(&Sender<JobResult>) + Send + 'static) {
        let tx = self.tx.clone();
        let wake = self.wake.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("annealscape-{name}"))
            .spawn({
                let name = name.to_string();
                move || {
                    let outcome =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&tx)));
                    if outcome.is_err() {
                        let _ = tx.send(JobResult::Failed(JobError::Panicked { job: name }));
                    }
                    wake();
                }
            });
        if let Err(source) = spawned {
            let _ = self.tx.send(JobResult::Failed(JobError::Spawn {
                job: name.to_string(),
                source,
            }));
        }
    }

    /// The exact reference curve of `config` up to `xmax`, for the run in `dir`.
    pub fn exact(&self, config: RunConfig, xmax: f64, dir: Option<PathBuf>) {
        self.spawn("exact", move |tx| {
            let result = exact_curve(&config, xmax);
            let _ = tx.send(JobResult::Exact { dir, result });
        });
    }

    /// Compute SA (and SQA) at a run's size and annealing length, and SA at its wall time.
    pub fn baseline(
        &self,
        l: usize,
        anneal_steps: usize,
        quantum: bool,
        seconds: f64,
        dir: Option<PathBuf>,
    ) {
        self.spawn("baseline", move |tx| {
            let result = super::baseline_band::at_budget(l, anneal_steps, quantum, seconds, 0);
            let _ = tx.send(JobResult::Baseline { dir, result });
        });
    }

    /// Read the run folder `dir`.
    pub fn open_run(&self, dir: PathBuf) {
        self.spawn("open", move |tx| {
            let _ = tx.send(JobResult::Opened(Box::new(super::read_run(&dir))));
        });
    }

    /// Ask for an export path with the native dialog.
    pub fn choose_path(&self, view: View, figure: bool, start: PathBuf) {
        self.spawn("dialog", move |tx| {
            let name = start
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("export")
                .to_string();
            let mut dialog = rfd::FileDialog::new().set_file_name(name);
            if let Some(dir) = start.parent().filter(|d| d.is_dir()) {
                dialog = dialog.set_directory(dir);
            }
            dialog = if figure {
                dialog
                    .add_filter("PNG image", &["png"])
                    .add_filter("SVG", &["svg"])
            } else if view == View::Landscape {
                dialog
                    .add_filter("NPZ", &["npz"])
                    .add_filter("CSV", &["csv"])
            } else {
                dialog.add_filter("CSV", &["csv"])
            };
            let path = dialog.save_file();
            let _ = tx.send(JobResult::PathChosen { view, figure, path });
        });
    }

    /// Ask for a run folder with the native dialog.
    pub fn choose_folder(&self, start: PathBuf) {
        self.spawn("dialog", move |tx| {
            let mut dialog = rfd::FileDialog::new();
            if start.is_dir() {
                dialog = dialog.set_directory(start);
            }
            let _ = tx.send(JobResult::FolderChosen(dialog.pick_folder()));
        });
    }

    /// Write an export.
    pub fn write(&self, content: ExportContent, path: PathBuf, figure: bool) {
        self.spawn("export", move |tx| {
            let result = if figure {
                write_figure(&content, &path)
            } else {
                write_data(&content, &path)
            };
            let _ = tx.send(JobResult::Written(result.map(|_| path)));
        });
    }
}
