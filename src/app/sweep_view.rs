//! The sweep window's state: the collected table of a sweep folder, sorting, filtering, the
//! runs selected for the overlay and their curves.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Seconds between re-reads of a sweep that still has runs to do.
pub const REFRESH_SECONDS: f64 = 3.0;

/// Columns shown in the table after the axes (the rest stay in runs.csv).
pub const SHOWN: [&str; 6] = [
    "status",
    "energy_mean",
    "reached_ground_state",
    "ground_state_ids",
    "jump_x",
    "wall_seconds",
];

/// An opened sweep.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SweepView {
    /// The sweep folder.
    pub dir: PathBuf,
    /// `runs.csv`'s header.
    pub header: Vec<String>,
    /// Its rows.
    pub rows: Vec<Vec<String>>,
    /// How many columns after `id` are axes.
    pub axes: usize,
    /// Sort column and direction (ascending when true).
    pub sort: Option<(usize, bool)>,
    /// Rows whose cells contain this text (all rows when empty).
    pub filter: String,
    /// Runs overlaid in the plot.
    pub selected: BTreeSet<String>,
    /// The axis that colours the overlay (index among the axes).
    pub color_axis: usize,
    /// ⟨E⟩/N against step of the selected runs, as loaded.
    pub curves: BTreeMap<String, Vec<[f64; 2]>>,
    /// When the table was last read.
    pub read_at: Option<std::time::Instant>,
    /// A read is under way.
    pub reading: bool,
}

impl SweepView {
    /// The column index of `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Whether some run is not finished or failed (the table is re-read while so).
    pub fn in_progress(&self) -> bool {
        let Some(c) = self.column("status") else {
            return false;
        };
        self.rows
            .iter()
            .any(|r| matches!(r[c].as_str(), "pending" | "running" | "interrupted"))
    }

    /// Row indices to show: filtered, then sorted (numbers as numbers).
    pub fn visible(&self) -> Vec<usize> {
        let needle = self.filter.trim().to_lowercase();
        let mut idx: Vec<usize> = (0..self.rows.len())
            .filter(|&i| {
                needle.is_empty()
                    || self.rows[i]
                        .iter()
                        .any(|c| c.to_lowercase().contains(&needle))
            })
            .collect();
        if let Some((col, ascending)) = self.sort {
            idx.sort_by(|&a, &b| {
                let (x, y) = (&self.rows[a][col], &self.rows[b][col]);
                let order = match (x.parse::<f64>(), y.parse::<f64>()) {
                    (Ok(p), Ok(q)) => p.total_cmp(&q),
                    _ => x.cmp(y),
                };
                if ascending {
                    order
                } else {
                    order.reverse()
                }
            });
        }
        idx
    }

    /// Click on a header: sort by it, or reverse the order if it already is.
    pub fn toggle_sort(&mut self, col: usize) {
        self.sort = match self.sort {
            Some((c, asc)) if c == col => Some((c, !asc)),
            _ => Some((col, true)),
        };
    }

    /// The distinct values of the colouring axis, in first-seen order, for the legend.
    pub fn color_values(&self) -> Vec<String> {
        let col = 1 + self.color_axis;
        let mut seen = Vec::new();
        for r in &self.rows {
            if let Some(v) = r.get(col) {
                if !seen.contains(v) {
                    seen.push(v.clone());
                }
            }
        }
        seen
    }

    /// The run folder of run `id`.
    pub fn run_dir(&self, id: &str) -> PathBuf {
        crate::sweep::run_dir(&self.dir, id)
    }
}
