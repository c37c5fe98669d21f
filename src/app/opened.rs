//! Showing a run read from disk: its data in the views and its configuration in the form.

use std::sync::Arc;

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
        let mut data = RunData::new(run.config, run.dir.clone());
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
        if let Some(last) = self.state.run.snapshots.last() {
            self.state.landscape.source = last.name.clone();
        }
        self.state.inform(format!("opened {}", run.dir.display()));
    }
}
