//! The network's exact probability of every ground state (teacher-forced, SPEC §6.4), as bars
//! that follow the run, and the effective number of modes against step.

use super::tab;
use crate::figures::tab10;
use egui::{Color32, Ui};
use egui_plot::{Bar, BarChart, Line, Plot, PlotUi, VLine};

use crate::app::state::RunData;

/// Most ground states drawn as bars; beyond, the largest ones.
pub const MAX_EXACT_BARS: usize = 64;

const GREEN: Color32 = tab(tab10::GREEN);
const BLUE: Color32 = tab(tab10::BLUE);
const PURPLE: Color32 = tab(tab10::PURPLE);

/// The bars of the latest p(g): (ground-state id, p), in id order or, beyond 64, the largest.
pub fn exact_bars(run: &RunData) -> Option<(usize, Vec<(usize, f64)>)> {
    let row = run.distances.latest_probabilities()?;
    let mut bars: Vec<(usize, f64)> = row
        .ground_state_log_probs
        .iter()
        .map(|l| l.exp())
        .enumerate()
        .collect();
    if bars.len() > MAX_EXACT_BARS {
        bars.sort_by(|a, b| b.1.total_cmp(&a.1));
        bars.truncate(MAX_EXACT_BARS);
    }
    Some((row.step, bars))
}

/// The exact p(g) bars, `height` tall.
pub fn bars_plot(ui: &mut Ui, run: &RunData, height: f32) {
    let Some((step, bars)) = exact_bars(run) else {
        return;
    };
    let bars: Vec<Bar> = bars
        .iter()
        .enumerate()
        .map(|(i, &(id, p))| {
            Bar::new(i as f64, p)
                .fill(GREEN)
                .name(format!("ground state {id}\np = {p:.4}"))
        })
        .collect();
    Plot::new("modes-exact")
        .height(height)
        .x_axis_label(format!("ground state (exact p(g) at step {step})"))
        .y_axis_label("p(g)")
        .include_y(0.0)
        .allow_drag(false)
        .allow_zoom(false)
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new("exact p(g)", bars).width(0.8));
        });
}

/// Add the effective number of modes and the collapse onset to a plot against step.
pub fn add_effective_modes(plot: &mut PlotUi, run: &RunData) {
    let points: Vec<[f64; 2]> = run
        .distances
        .rows
        .iter()
        .filter_map(|r| r.effective_modes.map(|e| [r.step as f64, e]))
        .collect();
    if points.is_empty() {
        return;
    }
    plot.line(Line::new("effective modes exp H(π) (exact)", points).color(BLUE));
    if let Some(step) = run.distances.collapse {
        plot.vline(
            VLine::new("collapse onset", step as f64)
                .color(PURPLE)
                .width(2.0),
        );
    }
}
