//! The app's state: plain data the panels read, changed only by worker events and commands.

use ndarray::Array2;
use std::path::PathBuf;
use std::sync::Arc;

pub use super::curves_view::{CurvesView, Density};
use super::form::RunForm;
use super::landscape_view::LandscapeView;
use crate::analysis::RunFolder;
use crate::anneal::{batch_modes, energy_jumps, FinalSummary, ModeCount, StepMetrics};
use crate::nn::Params;
use crate::physics::{GroundStates, Lattice, NewmanMoore, PhysicsError};
use crate::run::{Event, RunConfig};

/// Where the shown run stands.
#[derive(Debug, Clone, PartialEq)]
pub enum RunStatus {
    /// Nothing started yet.
    Idle,
    /// Training.
    Running,
    /// Paused by the user.
    Paused,
    /// The schedule completed and the final evaluation is in.
    Finished,
    /// Stopped by the user after this many steps.
    Stopped(usize),
    /// Failed with this message (files written so far are kept).
    Failed(String),
    /// A run folder opened from disk.
    Opened,
}

impl RunStatus {
    /// A run is going (training or paused): the form is locked.
    pub fn is_active(&self) -> bool {
        matches!(self, Self::Running | Self::Paused)
    }
}

/// A snapshot the landscape view can centre on.
#[derive(Debug, Clone)]
pub struct SnapshotEntry {
    /// Its name (init, warmup, mid1…, completion, manual-…).
    pub name: String,
    /// The step after which it was taken (−1 for init).
    pub step: i64,
}

/// The exact reference curve of the shown run.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ExactCurve {
    /// Not asked for yet.
    #[default]
    None,
    /// Being computed.
    Pending,
    /// Points (X, value per spin) and the legend.
    Ready(Vec<(f64, f64)>, String),
    /// Why there is none.
    Unavailable(String),
}

/// The model of a run, built once: energies, defects and ground states.
#[derive(Debug, Clone)]
pub struct RunModel {
    /// Energies and defects.
    pub model: NewmanMoore,
    /// The 2^k ground states.
    pub ground_states: Arc<GroundStates>,
}

impl RunModel {
    /// The model of `config`.
    pub fn of(config: &RunConfig) -> Result<Self, PhysicsError> {
        let lattice = Lattice::new(config.lattice.size)?;
        Ok(Self {
            model: NewmanMoore::new(lattice, config.lattice.coupling)?,
            ground_states: Arc::new(GroundStates::new(lattice)),
        })
    }
}

/// Everything known about the run on show, live or opened from disk.
#[derive(Debug, Clone, Default)]
pub struct RunData {
    /// Its folder.
    pub dir: Option<PathBuf>,
    /// Its configuration.
    pub config: Option<RunConfig>,
    /// Its model.
    pub model: Option<RunModel>,
    /// Its configuration and parameter path, as the landscapes read them (the path arrives
    /// from the worker at every snapshot, or with the opened run).
    pub folder: Option<Arc<RunFolder>>,
    /// Every step's metrics so far.
    pub metrics: Vec<StepMetrics>,
    /// The latest samples and the step that drew them.
    pub samples: Option<(usize, Arc<Array2<u8>>)>,
    /// Distinct configurations of the latest samples, most frequent first.
    pub live_modes: Vec<ModeCount>,
    /// The latest weights and their step.
    pub weights: Option<(usize, Arc<Params>)>,
    /// Snapshots written so far.
    pub snapshots: Vec<SnapshotEntry>,
    /// The final evaluation.
    pub summary: Option<Box<FinalSummary>>,
    /// The exact reference curve.
    pub exact: ExactCurve,
    /// Indices into `metrics` where the energy jumps.
    pub jumps: Vec<usize>,
    jumps_at_len: usize,
    /// An opened run that did not finish and has a resume state.
    pub resumable: bool,
    /// The exact distances (SPEC §6.4) so far.
    pub distances: super::run_distances::RunDistances,
    /// The curvature rows (SPEC §6.1–6.2) so far.
    pub curvature: Vec<crate::anneal::CurvatureRow>,
    /// Spectral densities stored for the snapshots (`annealscape curvature --density`).
    pub densities: Vec<Density>,
    /// SA (and SQA) at this run's budget.
    pub baseline: super::baseline_band::BaselineBand,
}

impl RunData {
    /// A new run of `config` in `dir`.
    pub fn new(config: RunConfig, dir: PathBuf) -> Self {
        let ground_states = crate::physics::Lattice::new(config.lattice.size).map_or(1, |l| {
            let k = crate::physics::GroundStates::new(l).degeneracy_log2() as u32;
            1usize.checked_shl(k).unwrap_or(usize::MAX)
        });
        Self {
            model: RunModel::of(&config).ok(),
            distances: super::run_distances::RunDistances::new(ground_states),
            curvature: Vec::new(),
            densities: Vec::new(),
            dir: Some(dir),
            config: Some(config),
            ..Self::default()
        }
    }

    /// Total steps of the schedule.
    pub fn total_steps(&self) -> usize {
        self.config
            .as_ref()
            .map_or(0, |c| c.anneal.schedule().total_steps())
    }

    /// The symbol of the annealed quantity, T or B.
    pub fn symbol(&self) -> &'static str {
        self.config.as_ref().map_or("X", |c| c.anneal.kind.symbol())
    }

    /// Steps per second over the run so far.
    pub fn steps_per_second(&self) -> Option<f64> {
        let last = self.metrics.last()?;
        (last.seconds > 0.0).then(|| (last.step + 1) as f64 / last.seconds)
    }

    /// Seconds left at the present rate.
    pub fn eta_seconds(&self) -> Option<f64> {
        let done = self.metrics.last()?.step + 1;
        let rate = self.steps_per_second()?;
        Some(self.total_steps().saturating_sub(done) as f64 / rate)
    }

    /// Take in the latest samples: keep them and count their modes.
    pub fn set_samples(&mut self, step: usize, samples: Arc<Array2<u8>>) {
        if let Some(m) = &self.model {
            self.live_modes = batch_modes(&m.model, &m.ground_states, samples.view());
        }
        self.samples = Some((step, samples));
    }

    /// Recompute the energy jumps when new steps arrived (window 1 % of the run, ≥ 10 steps;
    /// a jump is a change of the windowed mean by more than 0.05 J per spin).
    pub fn update_jumps(&mut self) {
        if self.metrics.len() == self.jumps_at_len {
            return;
        }
        let window = (self.total_steps() / 100).max(10);
        let j = self.config.as_ref().map_or(1.0, |c| c.lattice.coupling);
        let energy: Vec<f64> = self.metrics.iter().map(|m| m.energy_mean).collect();
        self.jumps = energy_jumps(&energy, window, 0.05 * j);
        self.jumps_at_len = self.metrics.len();
    }
}

/// A line shown to the user: a result, a warning or an error.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The text.
    pub text: String,
    /// An error (shown in red and kept until dismissed).
    pub error: bool,
}

/// One of the four views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Training curves.
    Curves,
    /// Loss landscape.
    Landscape,
    /// Sampled lattices.
    Lattice,
    /// Sampled modes.
    Modes,
}

impl View {
    /// All views, in their grid order.
    pub const ALL: [View; 4] = [View::Curves, View::Landscape, View::Lattice, View::Modes];

    /// The title of the view.
    pub fn title(self) -> &'static str {
        match self {
            View::Curves => "Curves",
            View::Landscape => "Landscape",
            View::Lattice => "Lattice",
            View::Modes => "Modes",
        }
    }

    /// The file stem of its exports.
    pub fn file_stem(self) -> &'static str {
        match self {
            View::Curves => "curves",
            View::Landscape => "landscape",
            View::Lattice => "lattice",
            View::Modes => "modes",
        }
    }
}

/// Which configurations the lattice view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LatticeSource {
    /// The latest live samples.
    #[default]
    Samples,
    /// A ground state with a Sierpinski pattern flipped.
    Fracton,
}

/// Lattice view settings.
#[derive(Debug, Clone, PartialEq)]
pub struct LatticeView {
    /// Samples or the fracton demo.
    pub source: LatticeSource,
    /// Which sample of the batch.
    pub index: usize,
    /// Show the nearest ground state beside the sample.
    pub show_nearest: bool,
    /// Fracton demo: apex site.
    pub apex: usize,
    /// Fracton demo: generation m (2^m rows).
    pub generation: u32,
    /// Fracton demo: index of the ground state the pattern is flipped on.
    pub ground_state: usize,
}

impl Default for LatticeView {
    fn default() -> Self {
        Self {
            source: LatticeSource::Samples,
            index: 0,
            show_nearest: true,
            apex: 0,
            generation: 1,
            ground_state: 0,
        }
    }
}

/// A pending export whose path is being chosen or typed.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportDialog {
    /// The view exported.
    pub view: View,
    /// A figure (PNG/SVG) or data (CSV/NPZ).
    pub figure: bool,
    /// The path typed (the fallback when no file dialog is available).
    pub path: String,
    /// Why the typed path is asked for.
    pub reason: String,
}

/// The whole state of the app.
#[derive(Debug)]
pub struct AppState {
    /// The run form.
    pub form: RunForm,
    /// The run on show.
    pub run: RunData,
    /// Its status.
    pub status: RunStatus,
    /// Curves view settings.
    pub curves: CurvesView,
    /// Landscape view settings and data.
    pub landscape: LandscapeView,
    /// The landscape view's film mode and 3D camera.
    pub film: super::film_view::FilmView,
    /// Lattice view settings.
    pub lattice: LatticeView,
    /// Modes view: the final evaluation (when there is one) rather than the latest batch.
    pub modes_final: bool,
    /// A view shown alone instead of the 2×2 grid.
    pub maximized: Option<View>,
    /// Messages, newest last.
    pub messages: Vec<Message>,
    /// Show the frame-time overlay.
    pub show_debug: bool,
    /// Recent frame times in milliseconds: the app's own UI code.
    pub frame_times: std::collections::VecDeque<f32>,
    /// Recent whole-frame CPU times in milliseconds (UI, tessellation, painting; from eframe).
    pub paint_times: std::collections::VecDeque<f32>,
    /// Whether a native file dialog can be shown (an XDG portal on Linux).
    pub dialog_available: bool,
    /// The export waiting for a path.
    pub export: Option<ExportDialog>,
    /// The run folder being typed for "Open run…" when no file dialog is available.
    pub open_path: Option<String>,
    /// The sweep folder being typed for "Open sweep…" when no file dialog is available.
    pub open_sweep_path: Option<String>,
    /// The opened sweep, shown in its own window.
    pub sweep: Option<super::sweep_view::SweepView>,
}

impl AppState {
    /// The state the app opens with: `preset` loaded, nothing running.
    pub fn new(preset: &str, runs_dir: PathBuf) -> Result<Self, crate::run::ConfigError> {
        Ok(Self {
            form: RunForm::from_preset(preset, runs_dir)?,
            run: RunData::default(),
            status: RunStatus::Idle,
            curves: CurvesView::default(),
            landscape: LandscapeView::default(),
            film: super::film_view::FilmView::default(),
            lattice: LatticeView::default(),
            modes_final: true,
            maximized: None,
            messages: Vec::new(),
            show_debug: false,
            frame_times: std::collections::VecDeque::new(),
            paint_times: std::collections::VecDeque::new(),
            dialog_available: super::export::file_dialog_available(),
            export: None,
            open_path: None,
            open_sweep_path: None,
            sweep: None,
        })
    }

    /// Add an informational message.
    pub fn inform(&mut self, text: impl Into<String>) {
        self.push_message(text.into(), false);
    }

    /// Add an error message.
    pub fn fail(&mut self, text: impl Into<String>) {
        self.push_message(text.into(), true);
    }

    fn push_message(&mut self, text: String, error: bool) {
        self.messages.push(Message { text, error });
        // Keep the list short; errors stay until dismissed unless there are very many.
        while self.messages.len() > 8 {
            let drop = self.messages.iter().position(|m| !m.error).unwrap_or(0);
            self.messages.remove(drop);
        }
    }

    /// Take in one worker event.
    pub fn apply(&mut self, event: Event) {
        match event {
            Event::Started { dir, config } => {
                // A resumed run keeps what was opened; its steps replace those from the
                // resume point on as they arrive.
                if self.run.dir.as_ref() != Some(&dir) {
                    self.run = RunData::new(*config, dir.clone());
                }
                self.run.resumable = false;
                self.status = RunStatus::Running;
                self.landscape.clear();
                self.film.clear();
                self.inform(format!("run started in {}", dir.display()));
            }
            Event::Step(metrics) => {
                let step = metrics.step;
                if self.run.metrics.last().is_some_and(|m| m.step >= step) {
                    self.run.metrics.retain(|m| m.step < step);
                }
                self.run.metrics.push(*metrics);
            }
            Event::Distances(row) => self.run.distances.push(*row),
            Event::Curvature(row) => self.run.curvature.push(*row),
            Event::StepsDropped(n) => self.inform(format!(
                "the view skipped {n} steps while busy (every step is in metrics.csv)"
            )),
            Event::Weights { step, params } => self.run.weights = Some((step, params)),
            Event::Trajectory(trajectory) => {
                if let (Some(dir), Some(config)) = (&self.run.dir, &self.run.config) {
                    let folder = RunFolder::new(dir, config.clone(), trajectory);
                    self.run.folder = Some(Arc::new(folder));
                }
            }
            Event::Samples { step, samples } => self.run.set_samples(step, samples),
            Event::SnapshotSaved { name, step, .. } => {
                let step = step.map_or(-1, |s| s as i64);
                self.run.snapshots.push(SnapshotEntry { name, step });
            }
            Event::Paused(paused) => {
                if self.status.is_active() {
                    self.status = if paused {
                        RunStatus::Paused
                    } else {
                        RunStatus::Running
                    };
                }
            }
            Event::Finished(summary) => {
                self.inform(summary.describe().replace('\n', "; "));
                self.run.summary = Some(summary);
                self.status = RunStatus::Finished;
            }
            Event::Stopped { steps } => {
                self.status = RunStatus::Stopped(steps);
                self.inform(format!("run stopped after {steps} steps; files kept"));
            }
            Event::Failed(message) => {
                if self.status.is_active() {
                    self.status = RunStatus::Failed(message.clone());
                }
                self.fail(message);
            }
        }
    }
}
