//! Runs: configuration, run folders, the blocking loop the command line and tests use, and
//! the worker thread the app drives. Nothing here knows egui.

mod config;
mod config_error;
mod curvature_probe;
mod diagnostics;
mod error;
mod events;
mod exact_curve;
mod exact_file;
mod folder;
mod landscapes;
mod metrics_file;
mod reader;
mod resources;
mod resume;
mod scaling_table;
mod slice_directions;
mod trajectory;
mod worker;

use std::path::Path;

pub use config::{LatticeConfig, OutputConfig, RunConfig, MAX_COUPLING, MAX_RUN_SIZE, PRESETS};
pub use config_error::ConfigError;
pub use curvature_probe::{
    auto_curvature_estimator, read_curvature, CurvatureProbe, CurvatureWriter, CURVATURE_FILE,
    PROBE_PRODUCTS,
};
pub use diagnostics::{auto_exact_every, distance_target, DiagnosticsConfig};
pub use error::RunError;
pub use events::{run_events, RunEvents};
pub use exact_curve::{exact_curve, ExactCurveError};
pub use exact_file::{
    read_distances, DistanceTable, DistanceWriter, EXACT_FILE, MAX_PROBABILITY_COLUMNS,
    PROBABILITIES_FILE,
};
pub use folder::{write_samples, RunWriter};
pub use landscapes::{LandscapeRequest, RunFolder};
pub use metrics_file::{read_metrics, read_rows, truncate_metrics, write_metrics, MetricsTable};
pub use reader::{
    checkpoint_path, read_config, read_run_metrics, read_samples, read_summary, snapshot_names,
};
pub use resources::{
    check_landscape, check_resources, machine_memory_bytes, run_memory_bytes, MAX_TRAJECTORY_BYTES,
};
pub use resume::{load_resume, save_resume, ResumeError, ResumePoint, RESUME_FILE};
pub use scaling_table::{
    find_neural_runs, neural_rows, read_scaling, write_scaling, NeuralOutcome, ScalingRow,
};
pub use slice_directions::{barrier, interpolation_points, DIRECTION_SAMPLES};
pub use trajectory::Trajectory;
pub use worker::{Command, Event, Worker};

use crate::anneal::{
    AnnealState, Annealer, Control, CurvatureRow, DistanceRow, FinalSummary, Observer,
    ObserverError, Outcome, SnapshotView, StepView,
};
use crate::nn::rnn2d::tensor_specs;
use crate::nn::Params;
use crate::physics::Lattice;

/// The run folder's writer followed by another observer: files are written first, so what
/// the other observer sees is already on disk.
struct Both<'a> {
    writer: RunWriter,
    other: &'a mut dyn Observer,
    curvature: Option<CurvatureProbe>,
}

impl<'a> Both<'a> {
    fn new(writer: RunWriter, other: &'a mut dyn Observer, config: &RunConfig) -> Self {
        Self {
            writer,
            other,
            curvature: CurvatureProbe::new(config),
        }
    }
}

impl Observer for Both<'_> {
    fn on_step(&mut self, step: &StepView<'_>) -> Result<Control, ObserverError> {
        self.writer.on_step(step)?;
        let control = self.other.on_step(step)?;
        if let Some(probe) = self.curvature.as_mut().filter(|p| p.due(step.metrics.step)) {
            // A diagnostic never stops the run it watches: a failed row (a non-finite product
            // from weights that are running away, say) is left out and said so.
            match probe.measure(step) {
                Ok(row) => self.on_curvature(&row)?,
                Err(e) => eprintln!("note: step {}: no curvature row ({e})", step.metrics.step),
            }
        }
        Ok(control)
    }
    fn on_curvature(&mut self, row: &CurvatureRow) -> Result<(), ObserverError> {
        self.writer.on_curvature(row)?;
        self.other.on_curvature(row)
    }
    fn on_snapshot(&mut self, snapshot: &SnapshotView<'_>) -> Result<(), ObserverError> {
        self.writer.on_snapshot(snapshot)?;
        self.other.on_snapshot(snapshot)
    }
    fn on_finish(&mut self, summary: &FinalSummary) -> Result<(), ObserverError> {
        self.writer.on_finish(summary)?;
        self.other.on_finish(summary)
    }
    fn on_distances(&mut self, row: &DistanceRow) -> Result<(), ObserverError> {
        self.writer.on_distances(row)?;
        self.other.on_distances(row)
    }
    fn on_state(&mut self, state: &AnnealState) -> Result<(), ObserverError> {
        self.writer.on_state(state)?;
        self.other.on_state(state)
    }
    fn stop_requested(&mut self) -> bool {
        self.other.stop_requested()
    }
}

/// Build the annealer a configuration describes.
pub fn annealer(config: &RunConfig) -> Result<Annealer, RunError> {
    config.validate()?;
    check_resources(config)?;
    let lattice = Lattice::new(config.lattice.size).map_err(crate::anneal::AnnealError::from)?;
    let mut annealer = Annealer::new(
        lattice,
        config.lattice.coupling,
        config.network,
        &config.anneal,
        config.seed,
    )?;
    annealer.set_resume_every(config.output.resume_every);
    set_distances(&mut annealer, config);
    Ok(annealer)
}

fn set_distances(annealer: &mut Annealer, config: &RunConfig) {
    let every = config.exact_every();
    if let (true, Some(target)) = (every > 0, distance_target(config)) {
        annealer.set_distances(target, every);
    }
}

/// Run `config` to the end on this thread, writing the run folder `dir` and reporting to
/// `observer`. On failure the files written so far are kept and the error says why.
pub fn run_blocking(
    config: &RunConfig,
    dir: &Path,
    observer: &mut dyn Observer,
) -> Result<Outcome, RunError> {
    let mut annealer = annealer(config)?;
    let writer = RunWriter::create(dir, config)?;
    let mut both = Both::new(writer, observer, config);
    Ok(annealer.run(&mut both)?)
}

/// Whether the run in `dir` can be resumed: it has a resume state and no summary.
pub fn can_resume(dir: &Path) -> bool {
    dir.join(RESUME_FILE).exists() && !dir.join("summary.toml").exists()
}

/// Continue the stopped, killed or crashed run in `dir` from its `resume.npz`: the result is
/// the same, file for file (but the `seconds` column), as the run uninterrupted.
pub fn resume_blocking(dir: &Path, observer: &mut dyn Observer) -> Result<Outcome, RunError> {
    let config = read_config(dir)?;
    if dir.join("summary.toml").exists() {
        return Err(RunError::io(
            dir,
            "the run has finished (summary.toml exists): there is nothing to resume",
        ));
    }
    let path = dir.join(RESUME_FILE);
    if !path.exists() {
        return Err(RunError::io(
            &path,
            "not found: the run stopped before its first resume point (output.resume_every steps); start it again",
        ));
    }
    let layout = Params::zeros(tensor_specs(config.network.hidden));
    let point = load_resume(&path, &layout)?;
    let lattice = Lattice::new(config.lattice.size).map_err(crate::anneal::AnnealError::from)?;
    let last_x = point
        .state
        .step
        .checked_sub(1)
        .map_or(0.0, |s| config.anneal.schedule().at(s).1);
    check_resources(&config)?;
    let mut annealer = Annealer::resume(
        lattice,
        config.lattice.coupling,
        config.network,
        &config.anneal,
        point.state.clone(),
    )?;
    // The writer cuts metrics.csv back only once the state is known to fit the run.
    let writer = RunWriter::reopen(dir, &point.state, point.trajectory, last_x)?;
    annealer.set_resume_every(config.output.resume_every);
    set_distances(&mut annealer, &config);
    let mut both = Both::new(writer, observer, &config);
    Ok(annealer.run(&mut both)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::Autoregressive;

    #[test]
    fn a_failed_curvature_row_does_not_stop_the_run() {
        let config = RunConfig::preset("quick")
            .unwrap()
            .with_overrides(&[
                "lattice.size=3".into(),
                "network.hidden=4".into(),
                "diagnostics.curvature_every=1".into(),
            ])
            .unwrap();
        let dir = std::env::temp_dir().join(format!("annealscape-starved-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let writer = RunWriter::create(&dir, &config).unwrap();
        let mut silent = crate::anneal::Silent;
        let mut both = Both::new(writer, &mut silent, &config);
        both.curvature.as_mut().expect("curvature is on").starve();
        let mut run = annealer(&config).unwrap();
        let metrics = run.step().unwrap();
        let view = StepView {
            metrics: &metrics,
            samples: run.samples(),
            params: run.network().params(),
            optimiser: run.optimiser(),
        };
        assert_eq!(both.on_step(&view).unwrap(), Control::Continue);
        assert!(dir.join("metrics.csv").exists());
        assert!(!dir.join(CURVATURE_FILE).exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
