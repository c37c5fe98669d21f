//! The sweep window's jobs: choosing a sweep folder, reading its table, loading curves.

use std::path::PathBuf;

use super::jobs::{JobResult, Jobs};
use crate::run::read_run_metrics;

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
            let curves = ids
                .into_iter()
                .map(|id| {
                    let rows = read_run_metrics(&crate::sweep::run_dir(&dir, &id))
                        .map(|t| t.rows)
                        .unwrap_or_default();
                    let idx = super::panels::curves::thinned(
                        rows.len(),
                        super::panels::curves::MAX_POINTS,
                    );
                    let points = idx
                        .into_iter()
                        .map(|i| [rows[i].step as f64, rows[i].energy_mean])
                        .collect();
                    (id, points)
                })
                .collect();
            let _ = tx.send(JobResult::SweepCurves { dir, curves });
        });
    }
}
