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
    /// The selected runs' curves, as loaded.
    pub curves: BTreeMap<String, SweepCurve>,
    /// The exact reference against B or T, by lattice size.
    pub exact: BTreeMap<usize, ExactLine>,
    /// Overlay against the field or temperature (with the exact curve) instead of the step.
    pub against_x: bool,
    /// When the table was last read.
    pub read_at: Option<std::time::Instant>,
    /// A read is under way.
    pub reading: bool,
}

/// One run's overlay curves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SweepCurve {
    /// (step, ⟨E⟩/N).
    pub by_step: Vec<[f64; 2]>,
    /// (B or T, objective per spin: ⟨E_loc⟩/N or F/N), the descent only.
    pub by_x: Vec<[f64; 2]>,
    /// L.
    pub size: usize,
}

impl SweepCurve {
    /// Read run folder `dir`'s metrics, thinned for drawing (empty if it has none yet).
    pub fn load(dir: &std::path::Path) -> Self {
        let rows = crate::run::read_run_metrics(dir)
            .map(|t| t.rows)
            .unwrap_or_default();
        let size = crate::run::read_config(dir).map_or(0, |c| c.lattice.size);
        let idx = super::curves_view::thinned(rows.len(), super::curves_view::MAX_POINTS);
        let by_step = idx
            .iter()
            .map(|&i| [rows[i].step as f64, rows[i].energy_mean])
            .collect();
        let by_x = idx
            .iter()
            .map(|&i| &rows[i])
            .filter(|m| m.phase != crate::anneal::Phase::Warmup)
            .map(|m| [m.field.max(m.temperature), m.objective_mean])
            .collect();
        Self {
            by_step,
            by_x,
            size,
        }
    }
}

/// The exact reference of one lattice size over [0, xmax].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExactLine {
    /// The largest X it covers.
    pub xmax: f64,
    /// Its points.
    pub points: Vec<[f64; 2]>,
    /// Legend text, or why there is no curve.
    pub label: String,
}

impl ExactLine {
    /// The exact curve of run folder `dir`'s model up to its X₀ (L = 5 only from the cache).
    pub fn load(dir: &std::path::Path) -> Option<(usize, Self)> {
        let config = crate::run::read_config(dir).ok()?;
        let xmax = config.anneal.start;
        let line = match crate::analysis::exact_curve(&config, xmax) {
            Ok((points, label)) => Self {
                xmax,
                points: points.into_iter().map(|(x, y)| [x, y]).collect(),
                label,
            },
            Err(e) => Self {
                xmax,
                points: Vec::new(),
                label: e.to_string(),
            },
        };
        Some((config.lattice.size, line))
    }
}

/// The outcome of the runs that share every axis value but the seed.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeGroup {
    /// `axis = value` of the axes that vary, seed left out.
    pub label: String,
    /// Runs in the group.
    pub runs: usize,
    /// Finished runs.
    pub done: usize,
    /// Finished runs whose most frequent final configuration is a ground state.
    pub top_on_ground: usize,
    /// Finished runs whose whole final sample is ground states.
    pub reached: usize,
    /// Finished runs with an energy jump.
    pub jumped: usize,
    /// Mean final ⟨E⟩/N of the finished runs.
    pub energy_mean: Option<f64>,
}

impl SweepView {
    /// The runs grouped by the varying axes other than `seed`, in first-seen order: the
    /// collected outcome table, seeds pooled.
    pub fn outcome_groups(&self) -> Vec<OutcomeGroup> {
        let keys: Vec<usize> = (1..=self.axes)
            .filter(|&c| self.header.get(c).is_some_and(|h| h != "seed"))
            .filter(|&c| self.rows.iter().any(|r| r[c] != self.rows[0][c]))
            .collect();
        let cell = |r: &Vec<String>, name: &str| {
            self.column(name)
                .and_then(|c| r.get(c))
                .cloned()
                .unwrap_or_default()
        };
        let mut groups: Vec<OutcomeGroup> = Vec::new();
        let mut sums: Vec<(f64, usize)> = Vec::new();
        for r in &self.rows {
            let label = keys
                .iter()
                .map(|&c| format!("{} = {}", self.header[c], r[c]))
                .collect::<Vec<_>>()
                .join(", ");
            let k = match groups.iter().position(|g| g.label == label) {
                Some(k) => k,
                None => {
                    groups.push(OutcomeGroup {
                        label,
                        runs: 0,
                        done: 0,
                        top_on_ground: 0,
                        reached: 0,
                        jumped: 0,
                        energy_mean: None,
                    });
                    sums.push((0.0, 0));
                    groups.len() - 1
                }
            };
            let g = &mut groups[k];
            g.runs += 1;
            if cell(r, "status") != "done" {
                continue;
            }
            g.done += 1;
            g.top_on_ground += usize::from(cell(r, "top_mode_defects") == "0");
            g.reached += usize::from(cell(r, "reached_ground_state") == "true");
            g.jumped += usize::from(cell(r, "jumps").parse::<usize>().unwrap_or(0) > 0);
            if let Ok(e) = cell(r, "energy_mean").parse::<f64>() {
                sums[k].0 += e;
                sums[k].1 += 1;
            }
        }
        for (g, (sum, n)) in groups.iter_mut().zip(sums) {
            g.energy_mean = (n > 0).then(|| sum / n as f64);
        }
        groups
    }

    /// The column index of `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Whether some run is not finished or failed (the table is re-read while so).
    pub fn in_progress(&self) -> bool {
        let Some(c) = self.column("status") else {
            return false;
        };
        self.rows.iter().any(|r| {
            matches!(
                r[c].as_str(),
                "pending" | "running" | "stopped" | "interrupted"
            )
        })
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

    /// The default colour: the `remedy` axis of a remedies study when it varies, else the
    /// first axis whose value differs between runs (0 when none does).
    pub fn first_varying_axis(&self) -> usize {
        let varies = |a: usize| {
            let c = 1 + a;
            self.rows.iter().any(|r| r.get(c) != self.rows[0].get(c))
        };
        if let Some(a) = (0..self.axes)
            .find(|&a| self.header.get(1 + a).map(String::as_str) == Some("remedy"))
            .filter(|&a| varies(a))
        {
            return a;
        }
        (0..self.axes)
            .find(|&a| {
                let c = 1 + a;
                self.rows.iter().any(|r| r.get(c) != self.rows[0].get(c))
            })
            .unwrap_or(0)
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
