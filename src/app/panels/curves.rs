//! The curves view: ⟨E⟩/N with a ±σ band, the objective, the entropy and T or B against step,
//! or against T or B with the exact reference; markers where the energy jumps.

use super::tab;
use crate::figures::tab10;
use egui::{Color32, Ui};
use egui_plot::{FilledArea, Legend, Line, Plot, PlotPoints, VLine};

use crate::app::command::AppCommand;
use crate::app::curves_view::{thinned, MAX_POINTS};
use crate::app::state::{AppState, ExactCurve};
use crate::app::{Band, BaselineBand};

const ENERGY: Color32 = tab(tab10::BLUE);
const OBJECTIVE: Color32 = tab(tab10::ORANGE);
const ENTROPY: Color32 = tab(tab10::GREEN);
const FIELD: Color32 = tab(tab10::PURPLE);
const EXACT: Color32 = Color32::from_rgb(200, 30, 30);

/// Draw the curves view.
pub fn ui(ui: &mut Ui, state: &mut AppState) -> Vec<AppCommand> {
    let symbol = state.run.symbol();
    let view = &mut state.curves;
    let curvature = super::curvature::has_curvature(&state.run);
    ui.horizontal(|ui| {
        if curvature {
            ui.selectable_value(&mut view.curvature, false, "training");
            ui.selectable_value(&mut view.curvature, true, "curvature")
                .on_hover_text("sharpness against 2/eta and 38/eta, lambda_min, Adam's side (curvature.csv, metrics.csv)");
        }
        if view.curvature && curvature {
            if !state.run.jumps.is_empty() {
                ui.label(format!("{} energy jump(s)", state.run.jumps.len()));
            }
            return;
        }
        ui.checkbox(&mut view.against_x, format!("against {symbol}"));
        ui.checkbox(&mut view.show_entropy, "entropy");
        ui.add_enabled(
            !view.against_x,
            egui::Checkbox::new(&mut view.show_x, symbol.to_string()),
        );
        match &state.run.exact {
            ExactCurve::Pending => {
                ui.label("exact curve: computing…");
            }
            ExactCurve::Unavailable(why) => {
                ui.label("no exact curve").on_hover_text(why);
            }
            _ => {}
        }
        if super::distance_curves::has_distances(&state.run) {
            ui.checkbox(&mut view.show_distances, "exact distances")
                .on_hover_text(
                    "KL, fidelity, energy error and the gaps against the exact target (exact.csv)",
                );
        }
        if let Some(step) = state.run.distances.collapse {
            ui.label(format!("collapse onset: step {step}"))
                .on_hover_text(
                "The effective number of ground-state modes fell below 1.5 here and stayed below",
            );
        }
        if !state.run.jumps.is_empty() {
            ui.label(format!("{} energy jump(s)", state.run.jumps.len()))
                .on_hover_text("The windowed mean of <E>/N moved by more than 0.05 J per spin");
        }
    });
    match &state.run.baseline {
        BaselineBand::Pending => {
            ui.label("SA at this budget: computing…");
        }
        BaselineBand::Ready(band) if !state.curves.curvature => {
            ui.label(egui::RichText::new(band.describe()).small())
                .on_hover_text(
                "Simulated annealing (64 runs, T from 2 to 0 over tau sweeps) and SQA (8 runs, \
                 P = 20, T = 0.05, B from 1 to 0) at this run's L, with tau = N_anneal; the \
                 bands at the end of the curve are E0/N + eps_res ± stderr",
            );
        }
        BaselineBand::Unavailable(why) => {
            ui.label("no baseline").on_hover_text(why);
        }
        _ => {}
    }
    if state.curves.curvature && curvature {
        super::curvature::ui(ui, state);
        return Vec::new();
    }
    let run = &state.run;
    let view = &state.curves;
    let metrics = &run.metrics;
    let idx = thinned(metrics.len(), MAX_POINTS);
    let xs: Vec<f64> = idx
        .iter()
        .map(|&i| {
            let m = &metrics[i];
            if view.against_x {
                m.temperature.max(m.field)
            } else {
                m.step as f64
            }
        })
        .collect();
    let series = |f: &dyn Fn(usize) -> f64| -> PlotPoints<'static> {
        idx.iter()
            .zip(&xs)
            .map(|(&i, &x)| [x, f(i)])
            .collect::<Vec<_>>()
            .into()
    };
    let x_label = if view.against_x {
        symbol.to_string()
    } else {
        "step".to_string()
    };
    let with_distances = view.show_distances && super::distance_curves::has_distances(run);
    let height = ui.available_height();
    // The film's frame as a cursor; a click on the curves shows the film's nearest frame.
    let film_cursor = film_cursor(&state.film, metrics, view.against_x);
    let response = Plot::new("curves")
        .height(if with_distances {
            0.55 * height
        } else {
            height
        })
        .link_axis(egui::Id::unique("curves-x"), [true, false])
        .legend(
            Legend::default()
                // Left: the end of the anneal, where the baselines are drawn, stays clear.
                .position(egui_plot::Corner::LeftTop)
                .background_alpha(0.55)
                .color_conflict_handling(egui_plot::ColorConflictHandling::PickFirst),
        )
        .x_axis_label(x_label)
        .y_axis_label("per spin")
        .show(ui, |plot| {
            if metrics.is_empty() {
                return None;
            }
            let sigma: Vec<f64> = idx
                .iter()
                .map(|&i| metrics[i].energy_var.max(0.0).sqrt())
                .collect();
            let lo: Vec<f64> = idx
                .iter()
                .zip(&sigma)
                .map(|(&i, s)| metrics[i].energy_mean - s)
                .collect();
            let hi: Vec<f64> = idx
                .iter()
                .zip(&sigma)
                .map(|(&i, s)| metrics[i].energy_mean + s)
                .collect();
            // The line first: the legend takes its colour from the first item of a name.
            plot.line(Line::new("<E>/N", series(&|i| metrics[i].energy_mean)).color(ENERGY));
            if !view.against_x {
                plot.add(
                    FilledArea::new("<E>/N", &xs, &lo, &hi).fill_color(ENERGY.gamma_multiply(0.25)),
                );
            }
            plot.line(
                Line::new("objective", series(&|i| metrics[i].objective_mean)).color(OBJECTIVE),
            );
            if view.show_entropy {
                plot.line(Line::new("entropy", series(&|i| metrics[i].entropy)).color(ENTROPY));
            }
            if view.show_x && !view.against_x {
                plot.line(
                    Line::new(
                        symbol,
                        series(&|i| metrics[i].temperature.max(metrics[i].field)),
                    )
                    .color(FIELD),
                );
            }
            if let (true, ExactCurve::Ready(points, label)) = (view.against_x, &run.exact) {
                let exact: Vec<[f64; 2]> = points.iter().map(|&(x, y)| [x, y]).collect();
                plot.line(Line::new(label.as_str(), exact).color(EXACT).width(2.0));
            }
            if let (false, BaselineBand::Ready(band)) = (view.against_x, &run.baseline) {
                let end = metrics.last().map_or(0.0, |m| m.step as f64);
                baseline_bands(plot, band, end);
            }
            for &j in &run.jumps {
                let m = &metrics[j];
                let at = if view.against_x {
                    m.temperature.max(m.field)
                } else {
                    m.step as f64
                };
                plot.vline(
                    VLine::new("energy jump", at)
                        .color(tab(tab10::RED))
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            }
            if let Some(at) = film_cursor {
                plot.vline(
                    VLine::new("film frame", at)
                        .color(Color32::from_gray(235))
                        .width(1.5),
                );
            }
            (plot.response().clicked() && film_cursor.is_some())
                .then(|| plot.pointer_coordinate())
                .flatten()
        });
    let mut out = Vec::new();
    if let Some(pointer) = response.inner {
        if let Some(step) = step_at(metrics, pointer.x, view.against_x) {
            out.push(AppCommand::FilmJumpToStep(step));
        }
    }
    if with_distances {
        super::distance_curves::ui(ui, run, view.against_x, ui.available_height());
    }
    out
}

/// Where the film's frame on show sits on the curves' x axis (step, or its T or B).
fn film_cursor(
    film: &crate::app::FilmView,
    metrics: &[crate::anneal::StepMetrics],
    against_x: bool,
) -> Option<f64> {
    if !film.active {
        return None;
    }
    let step = film.frame_step()?;
    if !against_x {
        return Some(step as f64);
    }
    let k = metrics.partition_point(|m| (m.step as i64) < step);
    metrics
        .get(k.min(metrics.len().saturating_sub(1)))
        .map(|m| m.temperature.max(m.field))
}

/// The step at x on the curves' axis: x itself, or the first step whose T or B is at or
/// below x.
fn step_at(metrics: &[crate::anneal::StepMetrics], x: f64, against_x: bool) -> Option<i64> {
    if !against_x {
        return Some(x.round() as i64);
    }
    metrics
        .iter()
        .find(|m| m.temperature.max(m.field) <= x)
        .map(|m| m.step as i64)
}

const SA_BAND: Color32 = Color32::from_rgb(230, 190, 30);
const SA_MATCHED: Color32 = tab(tab10::GREEN);
const SQA_BAND: Color32 = tab(tab10::PINK);

/// The baselines as short bands just past the last step, at E₀/N + ε_res ± stderr.
fn baseline_bands(plot: &mut egui_plot::PlotUi<'_>, band: &Band, end: f64) {
    let width = (0.06 * end).max(2.0);
    let mut bands = vec![("SA", SA_BAND, band.sa)];
    if let Some((_, _, s)) = band.matched {
        bands.push(("SA, same time", SA_MATCHED, s));
    }
    if let Some(s) = band.sqa {
        bands.push(("SQA", SQA_BAND, s));
    }
    for (k, (name, color, s)) in bands.into_iter().enumerate() {
        let x0 = end + width * (0.15 + 1.15 * k as f64);
        let xs = [x0, x0 + width];
        let mean = band.ground_energy + s.mean;
        let lo = [mean - s.stderr; 2];
        let hi = [mean + s.stderr; 2];
        // One legend row for all bands; each band is named by the text above it.
        plot.line(
            Line::new("baselines", vec![[xs[0], mean], [xs[1], mean]])
                .color(color)
                .width(2.5),
        );
        plot.add(
            FilledArea::new("baselines", &xs, &lo, &hi).fill_color(color.gamma_multiply(0.35)),
        );
        plot.text(
            egui_plot::Text::new(
                "baselines",
                egui_plot::PlotPoint::new(0.5 * (xs[0] + xs[1]), mean + s.stderr),
                egui::RichText::new(name).small().color(color),
            )
            .anchor(egui::Align2::CENTER_BOTTOM),
        );
    }
}
