//! `exact.csv` (the exact distances at the cadence and at the end) and
//! `ground_state_probabilities.csv` (p(g) of every ground state per row, for 2^k ≤ 256).

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use super::metrics_file::{read_rows, truncate_metrics};
use super::RunError;
use crate::anneal::DistanceRow;

/// Name of the distances table in a run folder.
pub const EXACT_FILE: &str = super::RunLayout::EXACT;
/// Name of the per-ground-state table in a run folder.
pub const PROBABILITIES_FILE: &str = super::RunLayout::PROBABILITIES;
/// Most ground states written per row of [`PROBABILITIES_FILE`].
pub const MAX_PROBABILITY_COLUMNS: usize = 256;

/// Appends the rows of both tables, one flushed line each.
pub struct DistanceWriter {
    dir: PathBuf,
    exact: Option<csv::Writer<File>>,
    probabilities: Option<csv::Writer<File>>,
}

/// A CSV writer appending to `path`, writing `header` first if the file is new.
pub(super) fn open_appending(
    path: &Path,
    header: Option<Vec<String>>,
) -> Result<csv::Writer<File>, RunError> {
    let exists = path.exists();
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| RunError::io(path, e))?;
    let mut csv = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(file);
    if let (false, Some(header)) = (exists, header) {
        csv.write_record(header)
            .and_then(|_| Ok(csv.flush()?))
            .map_err(|e| RunError::io(path, e))?;
    }
    Ok(csv)
}

impl DistanceWriter {
    /// Writers for the run folder `dir`; files are created with the first row.
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            exact: None,
            probabilities: None,
        }
    }

    /// Continue after a resume: both tables are cut back to the steps before `steps`.
    pub fn reopen(dir: &Path, steps: usize) -> Result<Self, RunError> {
        for name in [EXACT_FILE, PROBABILITIES_FILE] {
            let path = dir.join(name);
            if path.exists() {
                truncate_metrics(&path, steps)?;
            }
        }
        Ok(Self::new(dir))
    }

    /// Write one row (and its ground-state probabilities when there are at most 256).
    pub fn write(&mut self, row: &DistanceRow) -> Result<(), RunError> {
        let path = self.dir.join(EXACT_FILE);
        if self.exact.is_none() {
            let header = DistanceRow::COLUMNS.map(String::from).to_vec();
            self.exact = Some(open_appending(&path, Some(header))?);
        }
        let csv = self.exact.as_mut().expect("opened above");
        csv.serialize(row)
            .and_then(|_| Ok(csv.flush()?))
            .map_err(|e| RunError::io(&path, e))?;
        let g = row.ground_state_log_probs.len();
        if g == 0 || g > MAX_PROBABILITY_COLUMNS {
            return Ok(());
        }
        let path = self.dir.join(PROBABILITIES_FILE);
        if self.probabilities.is_none() {
            let header = std::iter::once("step".to_string())
                .chain((0..g).map(|i| format!("p_{i}")))
                .collect();
            self.probabilities = Some(open_appending(&path, Some(header))?);
        }
        let csv = self.probabilities.as_mut().expect("opened above");
        let record = std::iter::once(row.step.to_string()).chain(
            row.ground_state_log_probs
                .iter()
                .map(|l| l.exp().to_string()),
        );
        csv.write_record(record)
            .and_then(|_| Ok(csv.flush()?))
            .map_err(|e| RunError::io(&path, e))
    }
}

/// The distances a run measured: `exact.csv`'s rows with the ground-state probabilities
/// attached where `ground_state_probabilities.csv` has them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DistanceTable {
    /// The rows in step order (the final row last).
    pub rows: Vec<DistanceRow>,
    /// Set when a partial last line was left out.
    pub warning: Option<String>,
}

/// Read the distances of the run in `dir`; `None` when it measured none.
pub fn read_distances(dir: &Path) -> Result<Option<DistanceTable>, RunError> {
    let path = dir.join(EXACT_FILE);
    if !path.exists() {
        return Ok(None);
    }
    // Every distance is optional (runs of other sizes, or written before a column existed).
    let required = &DistanceRow::COLUMNS[..4];
    let (mut rows, warning) = read_rows(&path, required, DistanceRow::non_finite_column)?;
    let probabilities = dir.join(PROBABILITIES_FILE);
    if probabilities.exists() {
        let text =
            std::fs::read_to_string(&probabilities).map_err(|e| RunError::io(&probabilities, e))?;
        let mut by_step = std::collections::HashMap::new();
        for (i, line) in text.lines().enumerate().skip(1) {
            let mut fields = line.split(',');
            let step = fields.next().and_then(|s| s.parse::<usize>().ok());
            let values: Result<Vec<f64>, _> = fields.map(str::parse::<f64>).collect();
            match (step, values) {
                (Some(step), Ok(values)) if values.iter().all(|v| v.is_finite() && *v >= 0.0) => {
                    by_step.insert(step, values.iter().map(|p| p.ln()).collect::<Vec<f64>>());
                }
                // A partial last line after a crash: the summaries in exact.csv still stand.
                _ if i + 1 == text.lines().count() => {}
                _ => {
                    return Err(RunError::Table {
                        path: probabilities,
                        line: i + 1,
                        message: "expected a step and one probability in [0, 1] per ground state"
                            .into(),
                    })
                }
            }
        }
        for row in &mut rows {
            if let Some(lp) = by_step.remove(&row.step) {
                row.ground_state_log_probs = lp;
            }
        }
    }
    Ok(Some(DistanceTable { rows, warning }))
}
