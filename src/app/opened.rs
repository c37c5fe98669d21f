//! Reading a run from disk, and showing it: its data in the views and its configuration in
//! the form.

use std::path::Path;
use std::sync::Arc;

use crate::run::{can_resume, read_run_metrics, read_samples, read_summary};

use crate::analysis::{AnalysisError, RunFolder};

use super::state::SnapshotEntry;
use super::{AnnealscapeApp, OpenedRun, RunData, RunStatus};

impl AnnealscapeApp {
    pub(super) fn show_opened(&mut self, run: OpenedRun) {
        let name = run.dir.file_name().map_or_else(
            || run.dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        self.state
            .form
            .load_config(run.config.clone(), format!("run {name}"));
        let mut data = RunData::new(run.config.clone(), run.dir.clone());
        data.folder = Some(run.folder);
        data.metrics = run.metrics;
        data.distances.set(run.distances);
        data.curvature = run.curvature;
        data.densities = run.densities;
        data.snapshots = run.snapshots;
        if let Some((step, samples)) = run.samples {
            data.set_samples(step, Arc::new(samples));
        }
        data.summary = run.summary.map(Box::new);
        data.resumable = run.resumable;
        self.state.run = data;
        if let Some(warning) = &run.warning {
            self.state.fail(warning.clone());
        }
        self.state.status = RunStatus::Opened;
        self.state.landscape.clear();
        self.state.film.clear();
        self.films.restart();
        if let Some(last) = self.state.run.snapshots.last() {
            self.state.landscape.source = last.name.clone();
        }
        self.state.inform(format!("opened {}", run.dir.display()));
        if let Some((name, step)) = self.state.film.pending.take() {
            super::dispatch::open_film(&mut self.state, &name);
            if let Some(step) = step {
                self.state.film.jump_to_step(step);
            }
        }
    }
}

/// Read a run folder through the run reader: configuration, metrics, summary, snapshots and
/// the latest samples.
pub fn read_run(dir: &Path) -> Result<OpenedRun, AnalysisError> {
    let folder = RunFolder::open(dir)?;
    let config = folder.config().clone();
    let table = read_run_metrics(dir)?;
    let summary = read_summary(dir)?;
    // A damaged exact.csv costs only the distance plots, not the whole run.
    let (distances, distance_warning) = match crate::run::read_distances(dir) {
        Ok(table) => {
            let warning = table.as_ref().and_then(|t| t.warning.clone());
            (table.map(|t| t.rows).unwrap_or_default(), warning)
        }
        Err(e) => (Vec::new(), Some(format!("exact distances not shown: {e}"))),
    };
    let (curvature, curvature_warning) = match crate::run::read_curvature(dir) {
        Ok(Some((rows, warning))) => (rows, warning),
        Ok(None) => (Vec::new(), None),
        Err(e) => (Vec::new(), Some(format!("curvature not shown: {e}"))),
    };
    let snapshots: Vec<SnapshotEntry> = folder
        .snapshots()
        .into_iter()
        .map(|name| SnapshotEntry {
            step: folder.snapshot_step(&name).unwrap_or(-1),
            name,
        })
        .collect();
    let n = config.lattice.size * config.lattice.size;
    let samples = snapshots.iter().rev().find_map(|s| {
        let array = read_samples(dir, &s.name, n).ok()?;
        (array.nrows() > 0).then(|| (s.step.max(0) as usize, array))
    });
    let densities = snapshots
        .iter()
        .filter_map(|s| {
            let path = dir.join("curvature").join(format!("{}.npz", s.name));
            let (grid, values) = crate::curvature::read_density(&path).ok()??;
            Some(crate::app::state::Density {
                snapshot: s.name.clone(),
                grid,
                values,
            })
        })
        .collect();
    let distance_warning = match (distance_warning, curvature_warning) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    };
    Ok(OpenedRun {
        dir: dir.to_path_buf(),
        config,
        metrics: table.rows,
        distances,
        curvature,
        densities,
        summary,
        snapshots,
        samples,
        warning: match (table.warning, distance_warning) {
            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
            (a, b) => a.or(b),
        },
        resumable: can_resume(dir),
        folder: Arc::new(folder),
    })
}
