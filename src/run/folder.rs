//! The run folder (DESIGN.md "Files a run writes"), written by an [`Observer`] so the app,
//! the command line and the tests all produce the same files.

use ndarray::ArrayView2;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::curvature_probe::CurvatureWriter;
use super::exact_file::DistanceWriter;
use super::metrics_file::{truncate_metrics, MetricsWriter};
use super::resume::{save_resume, RESUME_FILE};
use super::{RunConfig, RunError, Trajectory};
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
    /// Create the folder (it must not hold a run already) and write the configuration and
    /// the header of `metrics.csv`.
    pub fn create(dir: &Path, config: &RunConfig) -> Result<Self, RunError> {
        if dir.join("metrics.csv").exists() {
            return Err(RunError::io(
                dir,
                "already holds a run (metrics.csv exists): choose a new --out folder, or continue it with --resume",
            ));
        }
        for sub in ["checkpoints", "samples", "landscapes", "figures"] {
            fs::create_dir_all(dir.join(sub))
                .map_err(|e| RunError::io(dir.join(sub), format!("cannot write: {e}")))?;
        }
        let config_path = dir.join("config.toml");
        write_atomically(&config_path, |w| w.write_all(config.to_toml().as_bytes()))
            .map_err(|e| RunError::io(&config_path, format!("cannot write: {e}")))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            metrics: MetricsWriter::create(&dir.join("metrics.csv"))?,
            distances: DistanceWriter::new(dir),
            curvature: CurvatureWriter::new(dir),
            trajectory: Trajectory::new(config.output.trajectory_points),
            last: None,
        })
    }

    /// Continue the run in `dir` from its resume state: `metrics.csv` is cut back to the
    /// `state.step` steps the state has seen, the trajectory is the one saved with it.
    pub fn reopen(
        dir: &Path,
        state: &AnnealState,
        trajectory: Trajectory,
        last_x: f64,
    ) -> Result<Self, RunError> {
        let path = dir.join("metrics.csv");
        truncate_metrics(&path, state.step)?;
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
        })
    }

    /// The run folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn save_trajectory(&self) -> Result<(), RunError> {
        let path = self.dir.join("trajectory.npz");
        let last = self.last.as_ref().map(|(s, x, p)| (*s, *x, p));
        self.trajectory
            .save(&path, last)
            .map_err(|e| RunError::io(&path, e))
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
            .join("checkpoints")
            .join(format!("{}.npz", snapshot.name));
        save_checkpoint(&path, snapshot.params, Some(snapshot.optimiser))
            .map_err(ObserverError::new)?;
        if snapshot.samples.nrows() > 0 {
            let path = self
                .dir
                .join("samples")
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
        save_resume(&self.dir.join(RESUME_FILE), state, &self.trajectory)
            .map_err(ObserverError::new)
    }

    fn on_finish(&mut self, summary: &FinalSummary) -> Result<(), ObserverError> {
        self.save_trajectory().map_err(ObserverError::new)?;
        let path = self.dir.join("summary.toml");
        let text = toml::to_string(summary).map_err(ObserverError::new)?;
        write_atomically(&path, |w| w.write_all(text.as_bytes()))
            .map_err(|e| ObserverError::new(describe(&path, e)))?;
        let path = self.dir.join("samples").join("final_modes.tsv");
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
