//! The collected `runs.csv` rows of a study, typed: one [`StudyRun`] per run with the grid
//! coordinates read from its configuration (an axis restricted to one value is not a column).

use std::collections::BTreeMap;

use crate::anneal::Estimator;
use crate::sweep::{run_dir, Sweep};

/// One run's outcome, as `collect` wrote it.
#[derive(Debug, Clone)]
pub struct StudyRun {
    /// The run ID.
    pub id: String,
    /// Its folder.
    pub dir: std::path::PathBuf,
    /// L.
    pub size: usize,
    /// B₀.
    pub start: f64,
    /// The gradient estimator.
    pub estimator: Estimator,
    /// The seed.
    pub seed: u64,
    /// `done`, `failed`, `pending`, …
    pub status: String,
    /// The failure message, if any.
    pub message: String,
    /// Every other column of `runs.csv`, by name (empty cells left out).
    cells: BTreeMap<String, String>,
}

impl StudyRun {
    /// A numeric column, `None` when empty or not a number.
    pub fn number(&self, column: &str) -> Option<f64> {
        self.cells.get(column).and_then(|v| v.parse().ok())
    }

    /// A text column ("" when empty).
    pub fn text(&self, column: &str) -> &str {
        self.cells.get(column).map_or("", String::as_str)
    }

    /// Whether the run finished.
    pub fn done(&self) -> bool {
        self.status == "done"
    }

    /// Whether every final sample was a ground state (`reached_ground_state`).
    pub fn reached(&self) -> bool {
        self.text("reached_ground_state") == "true"
    }

    /// Defects of the most frequent final configuration (0 = a ground state).
    pub fn top_defects(&self) -> Option<f64> {
        self.number("top_mode_defects")
    }

    /// The roughness of the stored landscape `NAME-DIRECTIONS` (e.g. `warmup-gaussian`).
    pub fn roughness(&self, landscape: &str) -> Option<f64> {
        self.text("roughness")
            .split(';')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == landscape)
            .and_then(|(_, v)| v.parse().ok())
    }

    /// The estimator's word.
    pub fn estimator_name(&self) -> &'static str {
        match self.estimator {
            Estimator::Authors => "authors",
            Estimator::Standard => "standard",
        }
    }
}

/// The study's runs from the collected rows (header first, as [`crate::sweep::collect`]
/// returns them), in sweep order.
pub fn study_runs(sweep: &Sweep, rows: &[Vec<String>]) -> Vec<StudyRun> {
    let Some((header, body)) = rows.split_first() else {
        return Vec::new();
    };
    sweep
        .spec
        .points
        .iter()
        .zip(body)
        .map(|(point, row)| {
            let cells: BTreeMap<String, String> = header
                .iter()
                .zip(row)
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let c = &point.config;
            StudyRun {
                id: point.id.clone(),
                dir: run_dir(&sweep.dir, &point.id),
                size: c.lattice.size,
                start: c.anneal.start,
                estimator: c.anneal.estimator,
                seed: c.seed,
                status: cells.get("status").cloned().unwrap_or_default(),
                message: cells.get("message").cloned().unwrap_or_default(),
                cells,
            }
        })
        .collect()
}
