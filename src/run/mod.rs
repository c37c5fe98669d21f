//! Runs: configuration, run folders (their files, lock and status), resume, the blocking loop
//! the command line and tests use, and the worker thread the app drives. Nothing here knows
//! egui or a landscape; what reads a run folder for an analysis is in `analysis`.

mod claim;
mod config;
mod config_error;
mod config_file;
mod curvature_probe;
mod diagnostics;
mod error;
mod events;
mod exact_file;
mod folder;
mod layout;
mod metrics_file;
mod reader;
mod resources;
mod resume;
mod status;
mod trajectory;
mod worker;

use std::path::Path;

pub use claim::{RunClaim, LOCK_FILE};
pub use config::{LatticeConfig, OutputConfig, RunConfig, MAX_COUPLING, MAX_RUN_SIZE, PRESETS};
pub use config_error::ConfigError;
pub use config_file::{FileError, OptimizerTable};
pub use curvature_probe::{
    auto_curvature_estimator, read_curvature, CurvatureProbe, CurvatureWriter, CURVATURE_FILE,
    PROBE_PRODUCTS,
};
pub use diagnostics::{auto_exact_every, distance_target, DiagnosticsConfig};
pub use error::RunError;
pub use events::{run_events, RunEvents};
pub use exact_file::{
    read_distances, DistanceTable, DistanceWriter, EXACT_FILE, MAX_PROBABILITY_COLUMNS,
    PROBABILITIES_FILE,
};
pub use folder::{write_samples, RunWriter};
pub use layout::RunLayout;
pub use metrics_file::{read_metrics, read_rows, truncate_metrics, write_metrics, MetricsTable};
pub use reader::{
    checkpoint_path, read_config, read_run_metrics, read_samples, read_summary, snapshot_names,
};
pub use resources::{
    check_resources, machine_memory_bytes, run_memory_bytes, MAX_TRAJECTORY_BYTES,
};
pub use resume::{load_resume, save_resume, ResumeError, ResumePoint, RESUME_FILE};
pub use status::{
    host_name, read_status, status_evidence, stored_status, write_status, RunState, StatusFile,
    STATUS_FILE,
};
pub use trajectory::{kept_steps, Trajectory, TrajectoryFile};
pub use worker::{Command, Event, Worker};

use crate::anneal::{
    AnnealState, Annealer, Control, CurvatureRow, DistanceRow, FinalSummary, Observer,
    ObserverError, Outcome, SnapshotView, StepView,
};
use crate::nn::Params;
use crate::physics::Lattice;

/// An observer of a run rather than of the loop alone: it may also take the trajectory each
/// time the run folder stores it (the worker does, so the app holds the path without reading
/// `trajectory.npz` back).
pub(crate) trait RunObserver: Observer {
    /// Whether it takes the trajectory (building it copies every point, so only on request).
    fn wants_trajectory(&self) -> bool {
        false
    }
    /// After `trajectory.npz` was written: what it holds.
    fn on_trajectory(&mut self, _trajectory: TrajectoryFile) {}
}

impl RunObserver for &mut dyn Observer {}

/// The run folder's writer followed by another observer: files are written first, so what
/// the other observer sees is already on disk.
struct Both<'a> {
    writer: RunWriter,
    other: &'a mut dyn RunObserver,
    curvature: Option<CurvatureProbe>,
}

impl<'a> Both<'a> {
    fn new(mut writer: RunWriter, other: &'a mut dyn RunObserver, config: &RunConfig) -> Self {
        if other.wants_trajectory() {
            writer.keep_written();
        }
        Self {
            writer,
            other,
            curvature: CurvatureProbe::new(config),
        }
    }

    /// Hand the trajectory just written to the other observer, if it takes it.
    fn share_trajectory(&mut self) {
        if let Some(trajectory) = self.writer.take_written() {
            self.other.on_trajectory(trajectory);
        }
    }

    /// Hand the trajectory kept so far to the other observer, if it takes it (a continued
    /// run before its first step, when nothing has been written yet, and every resume point).
    fn share_kept_trajectory(&mut self) {
        if self.other.wants_trajectory() {
            self.other.on_trajectory(self.writer.trajectory_file());
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
        self.share_trajectory();
        self.other.on_snapshot(snapshot)
    }
    fn on_finish(&mut self, summary: &FinalSummary) -> Result<(), ObserverError> {
        self.writer.on_finish(summary)?;
        self.share_trajectory();
        self.other.on_finish(summary)
    }
    fn on_distances(&mut self, row: &DistanceRow) -> Result<(), ObserverError> {
        self.writer.on_distances(row)?;
        self.other.on_distances(row)
    }
    fn on_state(&mut self, state: &AnnealState) -> Result<(), ObserverError> {
        self.writer.on_state(state)?;
        // Every resume point, so a film planned on a live run gets its frames as the run
        // reaches them, not only at the snapshots.
        self.share_kept_trajectory();
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
/// `observer`. The run is claimed first (see [`RunClaim`]); its `status.toml` says running,
/// then stopped, failed or nothing (done). On failure the files written so far are kept and
/// the error says why.
pub fn run_blocking(
    config: &RunConfig,
    dir: &Path,
    mut observer: &mut dyn Observer,
) -> Result<Outcome, RunError> {
    run_blocking_for(config, dir, &mut observer)
}

/// [`run_blocking`] for a [`RunObserver`].
pub(crate) fn run_blocking_for(
    config: &RunConfig,
    dir: &Path,
    observer: &mut dyn RunObserver,
) -> Result<Outcome, RunError> {
    // An invalid configuration is refused before the folder is made.
    config.validate()?;
    check_resources(config)?;
    let claim = RunClaim::claim(dir)?;
    run_claimed_for(&claim, config, observer)
}

/// [`run_blocking`] in a folder this process has already claimed.
pub fn run_claimed(
    claim: &RunClaim,
    config: &RunConfig,
    mut observer: &mut dyn Observer,
) -> Result<Outcome, RunError> {
    run_claimed_for(claim, config, &mut observer)
}

/// [`run_claimed`] for a [`RunObserver`].
pub(crate) fn run_claimed_for(
    claim: &RunClaim,
    config: &RunConfig,
    observer: &mut dyn RunObserver,
) -> Result<Outcome, RunError> {
    let dir = claim.dir();
    let mut annealer = annealer(config)?;
    let writer = RunWriter::create(dir, config)?;
    with_status(dir, || {
        let mut both = Both::new(writer, observer, config);
        Ok(annealer.run(&mut both)?)
    })
}

/// Mark the run running while `body` runs, then stopped, failed or (done) unmarked.
fn with_status(
    dir: &Path,
    body: impl FnOnce() -> Result<Outcome, RunError>,
) -> Result<Outcome, RunError> {
    write_status(
        dir,
        Some(&StatusFile::Running {
            host: host_name(),
            pid: std::process::id(),
        }),
    )?;
    let result = body();
    let status = match &result {
        Ok(Outcome::Finished(_)) => None,
        Ok(Outcome::Stopped { steps }) => Some(StatusFile::Stopped { step: *steps }),
        Err(e) => Some(StatusFile::Failed {
            message: e.to_string(),
        }),
    };
    match (write_status(dir, status.as_ref()), result) {
        (Err(e), Ok(_)) => Err(e),
        (_, result) => result,
    }
}

/// Whether the run in `dir` can be resumed: it has a resume state and no summary.
pub fn can_resume(dir: &Path) -> bool {
    dir.join(RESUME_FILE).exists() && !dir.join(RunLayout::SUMMARY).exists()
}

/// Continue the stopped, killed or crashed run in `dir` from its `resume.npz`: the result is
/// the same, file for file (but the `seconds` column), as the run uninterrupted. The run is
/// claimed first; a `config.toml` edited since the start, or a `metrics.csv` that lost rows,
/// is refused.
pub fn resume_blocking(dir: &Path, observer: &mut dyn Observer) -> Result<Outcome, RunError> {
    let claim = RunClaim::claim(dir)?;
    resume_claimed(&claim, observer)
}

/// [`resume_blocking`] in a folder this process has already claimed.
pub fn resume_claimed(
    claim: &RunClaim,
    mut observer: &mut dyn Observer,
) -> Result<Outcome, RunError> {
    resume_claimed_for(claim, &mut observer)
}

/// [`resume_claimed`] for a [`RunObserver`], which is handed the trajectory kept so far first.
pub(crate) fn resume_claimed_for(
    claim: &RunClaim,
    observer: &mut dyn RunObserver,
) -> Result<Outcome, RunError> {
    let dir = claim.dir();
    let config = read_config(dir)?;
    if dir.join(RunLayout::SUMMARY).exists() {
        return Err(RunError::io(
            dir,
            "the run has finished (summary.toml exists): there is nothing to resume; its results are in this folder",
        ));
    }
    let path = dir.join(RESUME_FILE);
    if !path.exists() {
        return Err(RunError::io(
            &path,
            format!(
                "not found: the run stopped before its first resume point (output.resume_every steps), so it cannot continue; start it again in a new folder: annealscape anneal --config {} --out NEW",
                dir.join(RunLayout::CONFIG).display()
            ),
        ));
    }
    let layout = Params::zeros(config.network.tensor_specs(config.lattice.size));
    let point = load_resume(&path, &layout)?;
    match &point.config {
        Some(stored) => check_unedited(dir, stored, &config)?,
        None => eprintln!(
            "warning: {} was written before resume states kept the configuration: config.toml is trusted as it is",
            path.display()
        ),
    }
    let lattice = Lattice::new(config.lattice.size).map_err(crate::anneal::AnnealError::from)?;
    let last_x = match &point.state.settled {
        Some(position) => position.last_x,
        None => point
            .state
            .step
            .checked_sub(1)
            .map_or(0.0, |s| config.anneal.schedule().at(s).1),
    };
    check_resources(&config)?;
    let mut annealer = Annealer::resume(
        lattice,
        config.lattice.coupling,
        config.network,
        &config.anneal,
        point.state.clone(),
    )?;
    // The writer cuts metrics.csv back only once the state is known to fit the run.
    let writer = RunWriter::reopen(dir, &config, &point.state, point.trajectory, last_x)?;
    annealer.set_resume_every(config.output.resume_every);
    set_distances(&mut annealer, &config);
    with_status(dir, || {
        let mut both = Both::new(writer, observer, &config);
        both.share_kept_trajectory();
        Ok(annealer.run(&mut both)?)
    })
}

/// Refuse a `config.toml` that resolves to another configuration than `stored`, the one the
/// run started with, naming every setting that differs.
fn check_unedited(dir: &Path, stored: &str, now: &RunConfig) -> Result<(), RunError> {
    let path = dir.join(RunLayout::CONFIG);
    let before = RunConfig::from_toml(stored, "resume.npz")?;
    if before == *now {
        return Ok(());
    }
    let flat = |c: &RunConfig| -> Vec<(String, String)> {
        let table: toml::Table = toml::from_str(&c.to_toml()).unwrap_or_default();
        let mut out = Vec::new();
        flatten("", &toml::Value::Table(table), &mut out);
        out
    };
    let (a, b) = (flat(&before), flat(now));
    let mut differences: Vec<String> = a
        .iter()
        .filter(|(k, v)| b.iter().find(|(k2, _)| k2 == k).map(|(_, v2)| v2) != Some(v))
        .map(|(k, v)| {
            let now = b
                .iter()
                .find(|(k2, _)| k2 == k)
                .map_or("(absent)".to_string(), |(_, v2)| v2.clone());
            format!("{k} was {v}, is {now}")
        })
        .collect();
    differences.extend(
        b.iter()
            .filter(|(k, _)| !a.iter().any(|(k2, _)| k2 == k))
            .map(|(k, v)| format!("{k} was absent, is {v}")),
    );
    if differences.is_empty() {
        differences.push("the settings differ in a way their text does not show".into());
    }
    Err(RunError::Edited {
        path,
        differences: differences.join("; "),
    })
}

fn flatten(prefix: &str, value: &toml::Value, out: &mut Vec<(String, String)>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        other => out.push((prefix.to_string(), other.to_string())),
    }
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
        let mut silent: &mut dyn Observer = &mut crate::anneal::Silent;
        let mut both = Both::new(writer, &mut silent, &config);
        both.curvature.as_mut().expect("curvature is on").starve();
        let mut run = annealer(&config).unwrap();
        let metrics = run.step().unwrap();
        let view = StepView {
            metrics: &metrics,
            samples: run.samples(),
            params: run.network().params(),
            optimiser: run.optimiser(),
            update: run.last_update(),
        };
        assert_eq!(both.on_step(&view).unwrap(), Control::Continue);
        assert!(dir.join(RunLayout::METRICS).exists());
        assert!(!dir.join(CURVATURE_FILE).exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
