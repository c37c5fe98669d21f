//! The curvature tab of the curves view (SPEC §6.1–6.2): the sharpness of the descended loss
//! against 2/η and Adam's preconditioned sharpness against 38/η, with the gap where it was
//! measured; the optimiser's side per step (update norm, √v̂, the local-objective tail) and the
//! step's overshoot of its quadratic model against 1;
//! λ_min; and the spectral density of a chosen snapshot. Energy jumps are marked throughout.

use super::tab;
use crate::figures::tab10;
use egui::{Color32, Ui};
use egui_plot::{HLine, Legend, Line, Plot, PlotPoints, VLine};

use crate::app::curves_view::{thinned, MAX_POINTS};
use crate::app::state::{AppState, RunData};

const BLUE: Color32 = tab(tab10::BLUE);
const ORANGE: Color32 = tab(tab10::ORANGE);
const GREEN: Color32 = tab(tab10::GREEN);
const PURPLE: Color32 = tab(tab10::PURPLE);
const BROWN: Color32 = tab(tab10::BROWN);
const GREY: Color32 = Color32::from_rgb(120, 120, 120);
const RED: Color32 = tab(tab10::RED);
const PINK: Color32 = tab(tab10::PINK);

fn log10(v: f64) -> f64 {
    v.max(1e-300).log10()
}

/// Whether the run has anything for the tab.
pub fn has_curvature(run: &RunData) -> bool {
    !run.curvature.is_empty() || run.metrics.iter().any(|m| m.update_norm.is_some())
}

fn jumps(plot: &mut egui_plot::PlotUi<'_>, run: &RunData) {
    for &j in &run.jumps {
        if let Some(m) = run.metrics.get(j) {
            plot.vline(
                VLine::new("energy jump", m.step as f64)
                    .color(RED)
                    .style(egui_plot::LineStyle::dashed_loose()),
            );
        }
    }
}

fn log_axis(plot: Plot<'_>) -> Plot<'_> {
    plot.y_axis_formatter(|mark, _| format!("1e{:.0}", mark.value))
        .link_axis(egui::Id::unique("curves-x"), [true, false])
        .legend(Legend::default().position(egui_plot::Corner::LeftBottom))
        .x_axis_label("step")
}

/// Draw the tab.
pub fn ui(ui: &mut Ui, state: &mut AppState) {
    let height = ui.available_height();
    let run = &state.run;
    let rows = &run.curvature;
    let series = |pick: &dyn Fn(&crate::anneal::CurvatureRow) -> Option<f64>| -> Vec<[f64; 2]> {
        rows.iter()
            .filter_map(|r| {
                pick(r)
                    .filter(|v| *v > 0.0)
                    .map(|v| [r.step as f64, log10(v)])
            })
            .collect()
    };
    if rows.is_empty() {
        ui.label("no curvature rows: set diagnostics.curvature_every (the paper presets do)");
    }
    log_axis(Plot::new("curvature-sharpness"))
        .legend(Legend::default().position(egui_plot::Corner::RightBottom))
        .height(0.4 * height)
        .y_axis_label("sharpness (log10)")
        .show(ui, |plot| {
            plot.line(
                Line::new("lambda_max x loss scale", series(&|r| Some(r.sharpness))).color(BLUE),
            );
            plot.line(
                Line::new(
                    "preconditioned lambda_max(P^-1 H)",
                    series(&|r| r.preconditioned_sharpness),
                )
                .color(ORANGE),
            );
            if let Some(r) = rows.first() {
                plot.hline(
                    HLine::new("2/eta", log10(r.gradient_descent_threshold))
                        .color(BLUE.gamma_multiply(0.5)),
                );
                plot.hline(
                    HLine::new("38/eta (Adam)", log10(r.adam_threshold))
                        .color(ORANGE.gamma_multiply(0.5)),
                );
            }
            let gap: Vec<[f64; 2]> = run
                .distances
                .rows
                .iter()
                .filter_map(|r| {
                    r.gap
                        .filter(|g| *g > 0.0)
                        .map(|g| [r.step as f64, log10(g)])
                })
                .collect();
            if !gap.is_empty() {
                plot.line(Line::new("gap E1 - E0 (exact)", gap).color(GREY));
            }
            jumps(plot, run);
        });
    let metrics = &run.metrics;
    let idx = thinned(metrics.len(), MAX_POINTS);
    let side = |pick: &dyn Fn(&crate::anneal::StepMetrics) -> Option<f64>| -> PlotPoints<'static> {
        idx.iter()
            .filter_map(|&i| {
                let m = &metrics[i];
                pick(m)
                    .filter(|v| *v > 0.0)
                    .map(|v| [m.step as f64, log10(v)])
            })
            .collect::<Vec<_>>()
            .into()
    };
    log_axis(Plot::new("curvature-optimiser"))
        .height(0.3 * height)
        .y_axis_label("optimiser side (log10)")
        .show(ui, |plot| {
            plot.line(Line::new("update norm per step", side(&|m| m.update_norm)).color(PURPLE));
            plot.line(
                Line::new("median sqrt(v)+eps", side(&|m| m.preconditioner_median)).color(GREEN),
            );
            plot.line(
                Line::new("min sqrt(v)+eps", side(&|m| m.preconditioner_min))
                    .color(GREEN.gamma_multiply(0.5)),
            );
            plot.line(
                Line::new("local tail |O - median|/MAD", side(&|m| m.local_tail)).color(BROWN),
            );
            plot.line(Line::new("gradient norm", side(&|m| Some(m.gradient_norm))).color(GREY));
            // The step's quadratic model at the curvature cadence: above 1 (log10 0) a step
            // overshoots it.
            let overshoot = series(&|r| r.step_overshoot);
            if !overshoot.is_empty() {
                plot.line(
                    Line::new("step overshoot D2/|D1|", PlotPoints::from(overshoot))
                        .color(PINK)
                        .width(2.0),
                );
                plot.hline(HLine::new("overshoot = 1", 0.0).color(PINK.gamma_multiply(0.5)));
            }
            jumps(plot, run);
        });
    let densities = &run.densities;
    let view = &mut state.curves;
    let rest = (ui.available_height() - 8.0).max(80.0);
    ui.horizontal(|ui| {
        ui.set_height(rest);
        let width = if densities.is_empty() {
            ui.available_width()
        } else {
            0.6 * ui.available_width()
        };
        ui.vertical(|ui| {
            ui.set_width(width);
            Plot::new("curvature-saddle")
                .height(rest)
                .link_axis(egui::Id::unique("curves-x"), [true, false])
                .legend(Legend::default().position(egui_plot::Corner::LeftBottom))
                .x_axis_label("step")
                .y_axis_label("lambda_min per spin")
                .show(ui, |plot| {
                    let low: Vec<[f64; 2]> =
                        rows.iter().map(|r| [r.step as f64, r.lambda_min]).collect();
                    plot.line(Line::new("lambda_min (below 0: a saddle)", low).color(GREEN));
                    plot.hline(HLine::new("0", 0.0).color(GREY));
                    jumps(plot, run);
                });
        });
        if !densities.is_empty() {
            ui.vertical(|ui| {
                let chosen = view
                    .density
                    .clone()
                    .filter(|n| densities.iter().any(|d| &d.snapshot == n))
                    .unwrap_or_else(|| densities[0].snapshot.clone());
                let mut pick = chosen.clone();
                egui::ComboBox::from_label("density at")
                    .selected_text(&pick)
                    .show_ui(ui, |ui| {
                        for d in densities {
                            ui.selectable_value(&mut pick, d.snapshot.clone(), &d.snapshot);
                        }
                    });
                view.density = Some(pick.clone());
                let d = densities
                    .iter()
                    .find(|d| d.snapshot == pick)
                    .expect("chosen above");
                Plot::new("curvature-density")
                    .height(rest - 28.0)
                    .x_axis_label("eigenvalue of H per spin")
                    .y_axis_label("density (log10)")
                    .y_axis_formatter(|mark, _| format!("1e{:.0}", mark.value))
                    .show(ui, |plot| {
                        let points: Vec<[f64; 2]> = d
                            .grid
                            .iter()
                            .zip(&d.values)
                            .map(|(&x, &y)| [x, log10(y.max(1e-8))])
                            .collect();
                        plot.line(Line::new(format!("SLQ density, {pick}"), points).color(BLUE));
                    });
            });
        }
    });
}
