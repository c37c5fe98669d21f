//! The exact distances under the training curves (SPEC §6.4), on a log scale: how far the
//! network is from its target (1 − fidelity and the exact energy error, or the free-energy
//! gap and both KL divergences), the gaps Δ(B), and the collapse onset.

use super::tab;
use crate::figures::tab10;
use egui::{Color32, Ui};
use egui_plot::{Legend, Line, Plot, PlotPoints, Points, VLine};

use crate::anneal::DistanceRow;
use crate::app::curves_view::{thinned, MAX_POINTS};
use crate::app::state::RunData;

const BLUE: Color32 = tab(tab10::BLUE);
const ORANGE: Color32 = tab(tab10::ORANGE);
const GREEN: Color32 = tab(tab10::GREEN);
const TEAL: Color32 = tab(tab10::CYAN);
const PURPLE: Color32 = tab(tab10::PURPLE);
const BROWN: Color32 = tab(tab10::BROWN);
const RED: Color32 = tab(tab10::RED);

/// Values below are drawn at this floor of the log axis.
const FLOOR: f64 = 1e-12;

fn log10(v: f64) -> f64 {
    v.max(FLOOR).log10()
}

/// Whether the run has anything for this plot.
pub fn has_distances(run: &RunData) -> bool {
    !run.distances.rows.is_empty() || run.metrics.iter().any(|m| m.free_energy_gap.is_some())
}

/// Draw the distances plot, `height` points tall, against step or against T or B.
pub fn ui(ui: &mut Ui, run: &RunData, against_x: bool, height: f32) {
    let x_of = |r: &DistanceRow| {
        if against_x {
            r.temperature.max(r.field)
        } else {
            r.step as f64
        }
    };
    let rows = &run.distances.rows;
    let series = |pick: &dyn Fn(&DistanceRow) -> Option<f64>| -> Vec<[f64; 2]> {
        rows.iter()
            .filter_map(|r| pick(r).map(|v| [x_of(r), log10(v)]))
            .collect()
    };
    let quantum = run
        .config
        .as_ref()
        .is_some_and(|c| c.anneal.kind == crate::anneal::AnnealKind::Quantum);
    let mut lines: Vec<(&str, Vec<[f64; 2]>, Color32)> = if quantum {
        vec![
            (
                "1 − fidelity",
                series(&|r| r.fidelity.map(|f| 1.0 - f)),
                BLUE,
            ),
            (
                "exact energy error / N",
                series(&|r| r.energy_error),
                ORANGE,
            ),
            ("gap E₁ − E₀", series(&|r| r.gap), GREEN),
            ("gap in ψ₀'s sector", series(&|r| r.gap_symmetric), TEAL),
        ]
    } else {
        let idx = thinned(run.metrics.len(), MAX_POINTS);
        let sampled = idx
            .iter()
            .filter_map(|&i| {
                let m = &run.metrics[i];
                let x = if against_x {
                    m.temperature
                } else {
                    m.step as f64
                };
                m.free_energy_gap.map(|g| [x, log10(g)])
            })
            .collect();
        vec![
            ("Δf sampled: <F_loc>/N − f(T)", sampled, ORANGE),
            (
                "T·KL(q||p_T)/N exact",
                series(&|r| r.kl_reverse.map(|k| k * r.temperature)),
                BLUE,
            ),
            (
                "KL(p_T||q)/N (missing modes)",
                series(&|r| r.kl_forward),
                GREEN,
            ),
        ]
    };
    // Exact wherever the ground states can be listed (k <= 16), whatever N is.
    lines.push((
        "ground-state mass Σ p(g)",
        series(&|r| r.ground_state_mass),
        BROWN,
    ));
    if lines
        .iter()
        .take(lines.len() - 1)
        .all(|(_, p, _)| p.is_empty())
    {
        lines.push((
            "KL(π||uniform) over ground states",
            series(&|r| r.kl_to_uniform_ground_states),
            TEAL,
        ));
    }
    lines.retain(|(_, points, _)| !points.is_empty());
    let last = if against_x {
        run.config.as_ref().map_or(1.0, |c| c.anneal.start)
    } else {
        run.total_steps() as f64
    };
    Plot::new("distances")
        .height(height)
        .legend(Legend::default().position(egui_plot::Corner::LeftBottom))
        .x_axis_label(if against_x { run.symbol() } else { "step" })
        .y_axis_label("exact distance (log₁₀)")
        .y_axis_formatter(|mark, _| format!("1e{:.0}", mark.value))
        .link_axis(egui::Id::unique("curves-x"), [true, false])
        .include_x(0.0)
        .include_x(last)
        .show(ui, |plot| {
            for (name, points, color) in lines {
                let few = points.len() <= 300;
                plot.line(Line::new(name, PlotPoints::from(points.clone())).color(color));
                if few {
                    plot.points(Points::new(name, points).color(color).radius(2.0));
                }
            }
            let x_at_step = |step: usize| -> f64 {
                if !against_x {
                    return step as f64;
                }
                rows.iter()
                    .find(|r| r.step == step)
                    .map_or(step as f64, |r| r.temperature.max(r.field))
            };
            if let Some(step) = run.distances.collapse {
                plot.vline(
                    VLine::new("collapse onset (modes < 1.5 for good)", x_at_step(step))
                        .color(PURPLE)
                        .width(2.0),
                );
            }
            for &j in &run.jumps {
                let m = &run.metrics[j];
                let at = if against_x {
                    m.temperature.max(m.field)
                } else {
                    m.step as f64
                };
                plot.vline(
                    VLine::new("energy jump", at)
                        .color(RED)
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            }
        });
}
