//! The run folder (DESIGN.md "Files a run writes"), written by an [`Observer`] so the app,
//! the command line and the tests all produce the same files.

use super::RunLayout;
use ndarray::ArrayView2;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::curvature_probe::CurvatureWriter;
use super::exact_file::DistanceWriter;
use super::metrics_file::{steps_before, truncate_metrics, upgrade_metrics_header, MetricsWriter};
use super::resume::{save_resume, RESUME_FILE};
use super::{RunConfig, RunError, Trajectory, TrajectoryFile};
use crate::anneal::{
    AnnealState, Control, CurvatureRow, DistanceRow, FinalSummary, Observer, ObserverError,
    SnapshotView, StepView,
};
use crate::files::write_atomically;
use crate::nn::{save_checkpoint, Params};

/// Writes `config.toml`, `metrics.csv`, checkpoints, samples, the trajectory, the resume state
/// and the summary.
pub struct RunWriter {
    dir: PathBuf,
    metrics: MetricsWriter,
    distances: DistanceWriter,
    curvature: CurvatureWriter,
    trajectory: Trajectory,
    last: Option<(i64, f64, Params)>,
    config_toml: String,
    /// Whether each trajectory written is kept for [`RunWriter::take_written`] (the worker
    /// takes it, so it is built once per save).
    keep_written: bool,
    /// The trajectory written last, until taken.
    written: Option<TrajectoryFile>,
}

/// The files and folders of a run that a new run must not find in its folder (DESIGN.md
/// "Files a run writes"); the lock and `figures/` are not the run's results.
const RUN_FILES: [&str; 13] = [
    RunLayout::CONFIG,
    RunLayout::METRICS,
    RunLayout::SUMMARY,
    RunLayout::RESUME,
    RunLayout::TRAJECTORY,
    RunLayout::STATUS,
    RunLayout::EXACT,
    RunLayout::PROBABILITIES,
    RunLayout::CURVATURE,
    RunLayout::CHECKPOINTS,
    RunLayout::SAMPLES,
    RunLayout::LANDSCAPES,
    RunLayout::CURVATURE_SPECTRA,
];

/// The run files already in `dir` (folders count when they hold anything).
fn existing_run_files(dir: &Path) -> Vec<&'static str> {
    RUN_FILES
        .into_iter()
        .filter(|name| {
            let path = dir.join(name);
            match fs::read_dir(&path) {
                Ok(mut entries) => entries.next().is_some(),
                Err(_) => path.exists(),
            }
        })
        .collect()
}

/// Why a new run cannot start in `dir`, with what to type instead; `None` when it can.
fn occupied(dir: &Path) -> Option<String> {
    let found = existing_run_files(dir);
    if found.is_empty() {
        return None;
    }
    let d = dir.display();
    Some(if dir.join(RunLayout::SUMMARY).exists() {
        format!("already holds a run that has finished (summary.toml): choose a new --out folder, or remove this one (rm -r {d}) to run it again")
    } else if super::can_resume(dir) {
        format!("already holds a run that can continue: type `annealscape anneal --resume {d}`, or choose a new --out folder")
    } else {
        format!(
            "already holds a run's files ({}) but no resume state to continue from: choose a new --out folder, or remove them (rm -r {d}) to start here",
            found.join(", ")
        )
    })
}

/// A name as long as the longest temporary file a run writes (`.manual-STEP.npz.tmpPID-…`), to
/// find a path that is too long or a folder that is not writable before the first step.
const PROBE_NAME_LEN: usize = 96;

/// Write and remove a probe file with a long name in every folder the run writes to.
fn probe_writable(dir: &Path) -> Result<(), RunError> {
    for sub in [
        "",
        RunLayout::CHECKPOINTS,
        RunLayout::SAMPLES,
        RunLayout::LANDSCAPES,
        RunLayout::FIGURES,
    ] {
        let folder = dir.join(sub);
        let name = format!(".write-probe-{}", std::process::id());
        let name = format!("{name:-<PROBE_NAME_LEN$}");
        let path = folder.join(name);
        fs::write(&path, b"probe")
            .and_then(|_| fs::remove_file(&path))
            .map_err(|e| {
                RunError::io(
                    &folder,
                    format!(
                        "cannot write the run's files here ({e}; the path is {} bytes): choose a writable --out folder with a shorter path",
                        path.as_os_str().len()
                    ),
                )
            })?;
    }
    Ok(())
}

fn describe(path: &Path, e: impl std::fmt::Display) -> String {
    format!("cannot write {}: {e}", path.display())
}

/// Write configurations as rows of 0/1, atomically.
pub fn write_samples(path: &Path, samples: ArrayView2<u8>) -> std::io::Result<()> {
    write_atomically(path, |w| {
        let mut line = Vec::with_capacity(samples.ncols() + 1);
        for row in samples.rows() {
            line.clear();
            line.extend(row.iter().map(|&b| b'0' + (b & 1)));
            line.push(b'\n');
            w.write_all(&line)?;
        }
        Ok(())
    })
}

impl RunWriter {
    /// Create the folder (it must not hold any of a run's files already), check that every
    /// folder the run writes to takes its files, and write the configuration and the header of
    /// `metrics.csv`.
    pub fn create(dir: &Path, config: &RunConfig) -> Result<Self, RunError> {
        if let Some(why) = occupied(dir) {
            return Err(RunError::io(dir, why));
        }
        for sub in [
            RunLayout::CHECKPOINTS,
            RunLayout::SAMPLES,
            RunLayout::LANDSCAPES,
            RunLayout::FIGURES,
        ] {
            fs::create_dir_all(dir.join(sub))
                .map_err(|e| RunError::io(dir.join(sub), format!("cannot write: {e}")))?;
        }
        probe_writable(dir)?;
        let config_path = dir.join(RunLayout::CONFIG);
        write_atomically(&config_path, |w| w.write_all(config.to_toml().as_bytes()))
            .map_err(|e| RunError::io(&config_path, format!("cannot write: {e}")))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            metrics: MetricsWriter::create(&dir.join(RunLayout::METRICS))?,
            distances: DistanceWriter::new(dir),
            curvature: CurvatureWriter::new(dir),
            trajectory: Trajectory::new(config.output.trajectory_points),
            last: None,
            config_toml: config.to_toml(),
            keep_written: false,
            written: None,
        })
    }

    /// Continue the run in `dir` (configured by `config`) from its resume state:
    /// `metrics.csv` must hold the `state.step` steps the state has seen and is cut back to them,
    /// the trajectory is the one saved with it.
    pub fn reopen(
        dir: &Path,
        config: &RunConfig,
        state: &AnnealState,
        trajectory: Trajectory,
        last_x: f64,
    ) -> Result<Self, RunError> {
        let path = dir.join(RunLayout::METRICS);
        let rows = steps_before(&path, state.step)?;
        if rows < state.step {
            return Err(RunError::io(
                &path,
                format!(
                    "holds {rows} steps but the resume state is at step {}: the file lost rows, and continuing would leave a hole; restore it from a copy of the run folder, or start again in a new folder (annealscape anneal --config {} --out NEW)",
                    state.step,
                    dir.join(RunLayout::CONFIG).display()
                ),
            ));
        }
        probe_writable(dir)?;
        truncate_metrics(&path, state.step)?;
        upgrade_metrics_header(&path)?;
        let last = state
            .step
            .checked_sub(1)
            .map(|s| (s as i64, last_x, state.params.clone()));
        Ok(Self {
            dir: dir.to_path_buf(),
            metrics: MetricsWriter::append(&path)?,
            distances: DistanceWriter::reopen(dir, state.step)?,
            curvature: CurvatureWriter::reopen(dir, state.step)?,
            trajectory,
            last,
            config_toml: config.to_toml(),
            keep_written: false,
            written: None,
        })
    }

    /// The run folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The trajectory as `trajectory.npz` holds it once saved: the kept points and the latest
    /// weights.
    pub fn trajectory_file(&self) -> TrajectoryFile {
        let last = self.last.as_ref().map(|(s, x, p)| (*s, *x, p));
        self.trajectory.file_with(last)
    }

    /// Keep each trajectory written for [`RunWriter::take_written`] from now on.
    pub fn keep_written(&mut self) {
        self.keep_written = true;
    }

    /// The trajectory written last, once (`None` if nothing was written since, or if
    /// [`RunWriter::keep_written`] was not called).
    pub fn take_written(&mut self) -> Option<TrajectoryFile> {
        self.written.take()
    }

    fn save_trajectory(&mut self) -> Result<(), RunError> {
        let path = self.dir.join(RunLayout::TRAJECTORY);
        let file = self.trajectory_file();
        file.write(&path).map_err(|e| RunError::io(&path, e))?;
        if self.keep_written {
            self.written = Some(file);
        }
        Ok(())
    }
}

impl Observer for RunWriter {
    fn on_step(&mut self, step: &StepView<'_>) -> Result<Control, ObserverError> {
        let m = step.metrics;
        self.metrics.write(m).map_err(ObserverError::new)?;
        let x = m.temperature.max(m.field);
        self.trajectory.record(m.step as i64, x, step.params);
        self.last = Some((m.step as i64, x, step.params.clone()));
        Ok(Control::Continue)
    }

    fn on_snapshot(&mut self, snapshot: &SnapshotView<'_>) -> Result<(), ObserverError> {
        if snapshot.step.is_none() {
            self.trajectory.record(-1, snapshot.x, snapshot.params);
        }
        let path = self
            .dir
            .join(RunLayout::CHECKPOINTS)
            .join(format!("{}.npz", snapshot.name));
        save_checkpoint(&path, snapshot.params, Some(snapshot.optimiser))
            .map_err(ObserverError::new)?;
        if snapshot.samples.nrows() > 0 {
            let path = self
                .dir
                .join(RunLayout::SAMPLES)
                .join(format!("{}.txt", snapshot.name));
            write_samples(&path, snapshot.samples)
                .map_err(|e| ObserverError::new(describe(&path, e)))?;
        }
        self.save_trajectory().map_err(ObserverError::new)
    }

    fn on_distances(&mut self, row: &DistanceRow) -> Result<(), ObserverError> {
        self.distances.write(row).map_err(ObserverError::new)
    }

    fn on_curvature(&mut self, row: &CurvatureRow) -> Result<(), ObserverError> {
        self.curvature.write(row).map_err(ObserverError::new)
    }

    fn on_state(&mut self, state: &AnnealState) -> Result<(), ObserverError> {
        save_resume(
            &self.dir.join(RESUME_FILE),
            state,
            &self.trajectory,
            &self.config_toml,
        )
        .map_err(ObserverError::new)
    }

    fn on_finish(&mut self, summary: &FinalSummary) -> Result<(), ObserverError> {
        self.save_trajectory().map_err(ObserverError::new)?;
        let path = self.dir.join(RunLayout::SUMMARY);
        let text = toml::to_string(summary).map_err(ObserverError::new)?;
        write_atomically(&path, |w| w.write_all(text.as_bytes()))
            .map_err(|e| ObserverError::new(describe(&path, e)))?;
        let path = self
            .dir
            .join(RunLayout::SAMPLES)
            .join(RunLayout::FINAL_MODES);
        write_atomically(&path, |w| {
            writeln!(w, "configuration\tcount\tenergy_per_spin\tground_state_id")?;
            for mode in &summary.modes {
                writeln!(
                    w,
                    "{}\t{}\t{}\t{}",
                    mode.configuration,
                    mode.count,
                    mode.energy,
                    mode.ground_state.as_deref().unwrap_or("-")
                )?;
            }
            Ok(())
        })
        .map_err(|e| ObserverError::new(describe(&path, e)))
    }
}
