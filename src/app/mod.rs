//! The desktop app: a thin eframe shell over plain state. Each frame it drains the worker's
//! events and the background jobs into [`AppState`], lets the panels draw it and collect
//! [`AppCommand`]s, and carries the commands out in one place.

mod background;
mod baseline_band;
mod command;
mod curves_view;
mod dispatch;
mod export;
mod film_jobs;
mod film_view;
mod form;
mod jobs;
mod landscape_jobs;
mod landscape_view;
mod opened;
pub mod panels;
mod run_distances;
mod screenshot;
mod state;
mod sweep_jobs;
mod sweep_view;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

pub use baseline_band::{at_budget, Band, BandError, BaselineBand};
pub use command::AppCommand;
pub use export::{file_dialog_available, write_data, write_figure, ExportContent, ExportError};
pub use film_jobs::FilmController;
pub use film_view::FilmView;
pub use form::{RunForm, FIELDS};
pub use jobs::{JobError, JobResult, Jobs, OpenedRun};
pub use landscape_jobs::{Centre, Computed, LandscapeController, LandscapeJobError};
pub use landscape_view::{ColorMode, Grid, LandscapeView, NOW};
pub use opened::read_run;
pub use screenshot::save_png;
pub use state::{
    AppState, CurvesView, Density, ExactCurve, ExportDialog, LatticeSource, LatticeView, Message,
    RunData, RunModel, RunStatus, SnapshotEntry, View,
};
pub use sweep_view::{ExactLine, OutcomeGroup, SweepCurve, SweepView};

use crate::run::{ConfigError, Event, Worker};

/// How the app starts.
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// The preset loaded into the form.
    pub preset: String,
    /// Where new run folders go.
    pub runs_dir: PathBuf,
    /// Start the preset at once.
    pub start: bool,
    /// Open this run folder at once.
    pub open: Option<PathBuf>,
    /// A sweep folder to open in the sweep window.
    pub open_sweep: Option<PathBuf>,
    /// Save a screenshot here after `frames` frames, then quit.
    pub screenshot: Option<PathBuf>,
    /// Frames before the screenshot.
    pub frames: u64,
    /// Longest wait between a worker event and the repaint showing it.
    pub live_interval: std::time::Duration,
    /// A stored film of the opened run to show (RUN/films/NAME.npz), at the frame nearest a
    /// step, in 3D or not.
    pub film: Option<(String, Option<i64>, bool)>,
    /// Film the run started with this many frames planned over the whole run (filter plane),
    /// each computed once the run has reached it.
    pub live_film: Option<usize>,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            preset: "quick".into(),
            runs_dir: PathBuf::from("runs"),
            start: false,
            open: None,
            open_sweep: None,
            screenshot: None,
            frames: 60,
            live_interval: std::time::Duration::from_millis(30),
            film: None,
            live_film: None,
        }
    }
}

/// The app: its state, the worker that trains and the background jobs.
pub struct AnnealscapeApp {
    /// Everything the panels show.
    pub state: AppState,
    worker: Worker,
    jobs: Jobs,
    screenshot: Option<PathBuf>,
    frames_left: u64,
    screenshot_sent: bool,
    landscapes: LandscapeController,
    films: FilmController,
}

impl AnnealscapeApp {
    /// The app on `ctx`: the worker and jobs wake egui when they report.
    pub fn new(ctx: &egui::Context, options: AppOptions) -> Result<Self, ConfigError> {
        let wake_ctx = ctx.clone();
        // The worker reports every step (hundreds a second): ask for a repaint within the
        // live interval rather than at once, so drawing never takes the cores training needs.
        let interval = options.live_interval;
        let wake: Arc<dyn Fn() + Send + Sync> =
            Arc::new(move || wake_ctx.request_repaint_after(interval));
        let mut app = Self {
            state: AppState::new(&options.preset, options.runs_dir.clone())?,
            worker: Worker::spawn(wake.clone()),
            jobs: Jobs::new(wake),
            screenshot: options.screenshot.clone(),
            frames_left: options.frames,
            screenshot_sent: false,
            landscapes: LandscapeController::default(),
            films: FilmController::default(),
        };
        if let Some((name, step, three_d)) = options.film {
            app.state.film.pending = Some((name, step));
            app.state.film.three_d = three_d;
        }
        if let Some(frames) = options.live_film {
            let film = &mut app.state.film;
            film.frames = frames;
            film.planned = true;
            film.directions = crate::landscape::DirectionKind::Filter;
            film.active = true;
            app.films.arm();
        }
        if let Some(dir) = options.open {
            app.handle(ctx, AppCommand::OpenRun(dir));
        }
        if let Some(dir) = options.open_sweep {
            app.handle(ctx, AppCommand::OpenSweep(dir));
        }
        if options.start {
            app.handle(ctx, AppCommand::Start);
        }
        Ok(app)
    }

    /// The background jobs (tests wait on them).
    pub fn jobs(&self) -> &Jobs {
        &self.jobs
    }

    /// The landscape jobs (tests read the current job's id).
    pub fn landscapes(&self) -> &LandscapeController {
        &self.landscapes
    }

    /// One frame: take in events, draw, carry out the commands.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let started = Instant::now();
        let ctx = ui.ctx().clone();
        self.poll();
        self.tick();
        let dt = ui.ctx().input(|i| i.stable_dt) as f64;
        self.state.film.advance(dt);
        let commands = panels::shell(ui, &mut self.state);
        for command in commands {
            self.handle(&ctx, command);
        }
        self.screenshot_countdown(&ctx);
        let ms = started.elapsed().as_secs_f32() * 1e3;
        self.state.frame_times.push_back(ms);
        while self.state.frame_times.len() > 120 {
            self.state.frame_times.pop_front();
        }
        if self.state.film.playing && self.state.film.active {
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(
                0.5 / self.state.film.fps.max(0.1),
            ));
        }
        if self.state.status.is_active()
            || self.state.landscape.computing
            || self.state.film.computing
        {
            // Events wake the UI too; this keeps the progress line moving between them.
            ctx.request_repaint_after(std::time::Duration::from_millis(250));
        }
    }

    /// Drain the worker's events and the jobs' results into the state.
    pub fn poll(&mut self) {
        let mut moved = false;
        let mut grown = false;
        for event in self.worker.drain() {
            moved |= matches!(event, Event::Weights { .. } | Event::Trajectory(_));
            grown |= matches!(event, Event::Trajectory(_));
            self.state.apply(event);
        }
        if moved {
            self.landscapes.follow(&mut self.state, &self.jobs);
        }
        if grown {
            self.films.follow(&mut self.state, &self.jobs);
        }
        if self.state.run.folder.is_some() && self.films.disarm() {
            self.films.compute(&mut self.state, &self.jobs);
        }
        for result in self.jobs.poll() {
            self.take(result);
        }
        self.state.run.update_jumps();
    }

    /// Start what the state calls for: the exact curve and the baselines once per run, and the
    /// sweep's curves.
    fn tick(&mut self) {
        if self.state.run.exact == ExactCurve::None {
            if let Some(config) = &self.state.run.config {
                let xmax = config.anneal.start;
                self.state.run.exact = ExactCurve::Pending;
                self.jobs
                    .exact(config.clone(), xmax, self.state.run.dir.clone());
            }
        }
        self.request_baseline();
        self.tick_sweep();
    }

    /// Take in one job result.
    pub fn take(&mut self, result: JobResult) {
        match result {
            JobResult::LandscapeRow { .. } => self.landscapes.take(&mut self.state, result),
            JobResult::Film { .. } | JobResult::FilmDone { .. } => {
                self.films.take(&mut self.state, result);
                if self.films.is_stale() {
                    self.films.follow(&mut self.state, &self.jobs);
                }
            }
            JobResult::LandscapeDone { .. } => {
                self.landscapes.take(&mut self.state, result);
                // Weights that came while it computed are followed now.
                self.landscapes.follow(&mut self.state, &self.jobs);
            }
            JobResult::Exact { dir, result } => {
                if dir == self.state.run.dir {
                    self.state.run.exact = match result {
                        Ok((points, label)) => ExactCurve::Ready(points, label),
                        Err(why) => ExactCurve::Unavailable(why.to_string()),
                    }
                }
            }
            JobResult::SweepFolderChosen(Some(dir)) => {
                self.state.sweep = Some(SweepView {
                    dir: dir.clone(),
                    reading: true,
                    ..Default::default()
                });
                self.jobs.open_sweep(dir);
            }
            JobResult::SweepFolderChosen(None) => {}
            JobResult::Sweep { dir, result } => self.take_sweep(dir, result),
            JobResult::SweepCurves { dir, curves, exact } => {
                if let Some(view) = self.state.sweep.as_mut().filter(|v| v.dir == dir) {
                    view.curves.extend(curves);
                    for (size, line) in exact {
                        if view.exact.get(&size).is_none_or(|e| e.xmax < line.xmax) {
                            view.exact.insert(size, line);
                        }
                    }
                }
            }
            JobResult::Baseline { dir, result } => {
                if dir == self.state.run.dir {
                    self.state.run.baseline = match result {
                        Ok(band) => BaselineBand::Ready(Box::new(band)),
                        Err(why) => BaselineBand::Unavailable(why.to_string()),
                    }
                }
            }
            JobResult::Opened(opened) => match *opened {
                Ok(run) => self.show_opened(run),
                Err(e) => self.state.fail(format!("cannot open the run: {e}")),
            },
            JobResult::PathChosen { view, figure, path } => {
                if let Some(path) = path {
                    self.write_export(view, figure, path);
                }
            }
            JobResult::FolderChosen(Some(dir)) => self.jobs.open_run(dir),
            JobResult::FolderChosen(None) => {}
            JobResult::Written(Ok(path)) => self.state.inform(format!("wrote {}", path.display())),
            JobResult::Written(Err(e)) => self.state.fail(e.to_string()),
            JobResult::Failed(e) => self.state.fail(e.to_string()),
        }
    }

    fn screenshot_countdown(&mut self, ctx: &egui::Context) {
        let Some(path) = &self.screenshot else {
            return;
        };
        if self.frames_left > 0 {
            self.frames_left -= 1;
            ctx.request_repaint();
        } else if !self.screenshot_sent {
            self.screenshot_sent = true;
            screenshot::request(ctx, path.clone(), self.jobs.sender(), true);
        }
    }
}

impl eframe::App for AnnealscapeApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        // eframe's figure covers the whole previous frame: our UI, tessellation and painting.
        if let Some(seconds) = frame.info().cpu_usage {
            self.state.paint_times.push_back(seconds * 1e3);
            while self.state.paint_times.len() > 120 {
                self.state.paint_times.pop_front();
            }
        }
        self.show(ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if self.screenshot.is_some() {
            let (ui_mean, ui_max) = mean_max(&self.state.frame_times);
            let (all_mean, all_max) = mean_max(&self.state.paint_times);
            eprintln!(
                "frame time over the last {} frames: UI {ui_mean:.2} ms mean / {ui_max:.2} ms max; whole frame {all_mean:.2} / {all_max:.2} ms",
                self.state.frame_times.len()
            );
        }
    }
}

/// Mean and maximum of recent frame times (0 when empty).
pub fn mean_max(times: &std::collections::VecDeque<f32>) -> (f32, f32) {
    if times.is_empty() {
        return (0.0, 0.0);
    }
    let mean = times.iter().sum::<f32>() / times.len() as f32;
    (mean, times.iter().copied().fold(0.0, f32::max))
}

/// Why the app window did not open.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// eframe could not make the window or its GL context (no display, say).
    #[error("cannot open the window: {0}")]
    Window(#[from] eframe::Error),
}

/// Open the app window (glow renderer) and run until it is closed; the worker stops cleanly.
/// A bad `--preset` is caught by the app itself as the window opens and reported as a window
/// error with its message.
pub fn run(options: AppOptions) -> Result<(), AppError> {
    let viewport = egui::ViewportBuilder::default()
        .with_title("annealscape")
        .with_inner_size([1600.0, 1000.0])
        .with_min_inner_size([900.0, 600.0]);
    let native = eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native(
        "annealscape",
        native,
        Box::new(move |cc| {
            let mut options = options;
            if let Some(renderer) = cc.gl.as_ref().map(|gl| gl_renderer(gl)) {
                // A software rasteriser (Mesa's llvmpipe on a machine without a GPU) spends
                // tens of milliseconds of CPU a frame: refresh live views ~8 times a second
                // there, so the anneal keeps most of the cores.
                if is_software_renderer(&renderer) {
                    options.live_interval = std::time::Duration::from_millis(120);
                }
            }
            let app = AnnealscapeApp::new(&cc.egui_ctx, options)?;
            Ok(Box::new(app))
        }),
    )
    .map_err(AppError::from)
}

fn gl_renderer(gl: &eframe::glow::Context) -> String {
    use eframe::glow::HasContext;
    // SAFETY: a plain string query on the context eframe made current for this call.
    unsafe { gl.get_parameter_string(eframe::glow::RENDERER) }
}

/// Whether an OpenGL renderer string names a CPU rasteriser.
pub fn is_software_renderer(renderer: &str) -> bool {
    let r = renderer.to_ascii_lowercase();
    ["llvmpipe", "softpipe", "swrast", "software"]
        .iter()
        .any(|name| r.contains(name))
}

/// Events the worker sent, for tests that feed the state without a window.
pub fn apply_all(state: &mut AppState, events: impl IntoIterator<Item = Event>) {
    for event in events {
        state.apply(event);
    }
    state.run.update_jumps();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn software_renderers_are_told_from_gpus() {
        assert!(is_software_renderer("llvmpipe (LLVM 15.0.6, 256 bits)"));
        assert!(is_software_renderer("Software Rasterizer"));
        assert!(!is_software_renderer("NVIDIA GeForce RTX 3060/PCIe/SSE2"));
        assert!(!is_software_renderer(
            "Mesa Intel(R) UHD Graphics 620 (KBL GT2)"
        ));
    }
}
