//! What the app starts in the background once a frame: the baselines of a finished run, the
//! re-reads of an opened sweep and the curves of its ticked runs.

use std::path::PathBuf;
use std::time::Instant;

use super::{sweep_view, AnnealscapeApp, BaselineBand};

/// Sweeps with at most this many runs open with all of them overlaid.
const AUTO_TICK: usize = 24;

impl AnnealscapeApp {
    /// A sweep's table arrived: keep the view's sorting and selection, drop the curves of runs
    /// still going (they are read again).
    pub(super) fn take_sweep(
        &mut self,
        dir: PathBuf,
        result: Result<(Vec<Vec<String>>, usize), crate::sweep::SweepError>,
    ) {
        let Some(view) = self.state.sweep.as_mut().filter(|v| v.dir == dir) else {
            return;
        };
        view.reading = false;
        view.read_at = Some(Instant::now());
        match result {
            Ok((mut rows, axes)) => {
                let first = view.header.is_empty();
                if first && rows.len() <= AUTO_TICK + 1 {
                    // A small sweep starts with every run overlaid; a large one with none.
                    view.selected = rows.iter().skip(1).map(|r| r[0].clone()).collect();
                }
                view.header = if rows.is_empty() {
                    Vec::new()
                } else {
                    rows.remove(0)
                };
                view.rows = rows;
                view.axes = axes;
                if first {
                    view.color_axis = view.first_varying_axis();
                }
                if let Some(c) = view.column("status") {
                    let done: Vec<String> = view
                        .rows
                        .iter()
                        .filter(|r| r[c] == "done")
                        .map(|r| r[0].clone())
                        .collect();
                    view.curves.retain(|id, _| done.contains(id));
                }
            }
            Err(e) => {
                self.state.sweep = None;
                self.state.fail(format!("cannot open the sweep: {e}"));
            }
        }
    }

    /// Re-read a sweep that is still going, and load the curves of newly selected runs.
    pub(super) fn tick_sweep(&mut self) {
        let Some(view) = self.state.sweep.as_mut() else {
            return;
        };
        let stale = view
            .read_at
            .is_some_and(|t| t.elapsed().as_secs_f64() > sweep_view::REFRESH_SECONDS);
        if !view.reading && stale && view.in_progress() {
            view.reading = true;
            self.jobs.open_sweep(view.dir.clone());
        }
        let missing: Vec<String> = view
            .selected
            .iter()
            .filter(|id| !view.curves.contains_key(*id))
            .cloned()
            .collect();
        if !missing.is_empty() {
            for id in &missing {
                view.curves.insert(id.clone(), Default::default());
            }
            self.jobs.sweep_curves(view.dir.clone(), missing);
        }
    }

    /// Once a run has finished (live or opened), compute its classical baselines.
    pub(super) fn request_baseline(&mut self) {
        let run = &self.state.run;
        if run.baseline != BaselineBand::None || run.summary.is_none() {
            return;
        }
        let (Some(config), Some(last)) = (&run.config, run.metrics.last()) else {
            return;
        };
        let quantum = config.anneal.kind == crate::anneal::AnnealKind::Quantum;
        self.jobs.baseline(
            config.lattice.size,
            config.anneal.anneal_steps,
            quantum,
            last.seconds,
            run.dir.clone(),
        );
        self.state.run.baseline = BaselineBand::Pending;
    }
}
