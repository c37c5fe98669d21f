//! The sweep window's jobs: choosing a sweep folder, reading its table, loading curves.

use std::path::PathBuf;

use super::jobs::{JobResult, Jobs};
use super::sweep_view::{ExactLine, SweepCurve};

impl Jobs {
    /// Show a folder dialog for "Open sweep…".
    pub fn choose_sweep_folder(&self, start: PathBuf) {
        self.spawn("dialog", move |tx| {
            let mut dialog = rfd::FileDialog::new();
            if start.is_dir() {
                dialog = dialog.set_directory(start);
            }
            let _ = tx.send(JobResult::SweepFolderChosen(dialog.pick_folder()));
        });
    }

    /// Read a sweep folder's table (the rows `collect` would write).
    pub fn open_sweep(&self, dir: PathBuf) {
        self.spawn("sweep", move |tx| {
            let result = crate::sweep::open_sweep(&dir)
                .map(|sweep| (crate::sweep::collect_rows(&sweep), sweep.spec.axes.len()));
            let _ = tx.send(JobResult::Sweep { dir, result });
        });
    }

    /// Read ⟨E⟩/N against step of runs `ids` of the sweep in `dir` (thinned for drawing).
    pub fn sweep_curves(&self, dir: PathBuf, ids: Vec<String>) {
        self.spawn("sweep-curves", move |tx| {
            let runs: Vec<PathBuf> = ids
                .iter()
                .map(|id| crate::sweep::run_dir(&dir, id))
                .collect();
            let curves = ids
                .iter()
                .zip(&runs)
                .map(|(id, run)| (id.clone(), SweepCurve::load(run)))
                .collect();
            // One exact curve per size, over the largest X₀ among these runs.
            let mut exact: Vec<(usize, ExactLine)> = Vec::new();
            for (size, line) in runs.iter().filter_map(|r| ExactLine::load(r)) {
                match exact.iter_mut().find(|e| e.0 == size) {
                    Some(e) if e.1.xmax >= line.xmax => {}
                    Some(e) => e.1 = line,
                    None => exact.push((size, line)),
                }
            }
            let _ = tx.send(JobResult::SweepCurves { dir, curves, exact });
        });
    }
}
