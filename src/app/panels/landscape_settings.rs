//! The still landscape's settings: its centre, directions, grid, estimator and colours.

use egui::{DragValue, Ui};

use super::labelled;
use crate::app::landscape_view::{ColorMode, NOW};
use crate::app::state::AppState;
use crate::landscape::SurfaceEstimator;

/// Draw the settings rows of the still landscape.
pub fn ui(ui: &mut Ui, state: &mut AppState) {
    let snapshots: Vec<String> = state.run.snapshots.iter().map(|s| s.name.clone()).collect();
    let live = state.run.weights.is_some();
    let sites = state
        .run
        .config
        .as_ref()
        .map_or(0, |c| c.lattice.size.pow(2));
    let view = &mut state.landscape;
    ui.horizontal_wrapped(|ui| {
        egui::ComboBox::from_label("centre")
            .selected_text(&view.source)
            .show_ui(ui, |ui| {
                if live {
                    ui.selectable_value(&mut view.source, NOW.to_string(), "now (live weights)");
                }
                for name in &snapshots {
                    ui.selectable_value(&mut view.source, name.clone(), name);
                }
            });
        super::landscape_directions::ui(ui, view, &snapshots);
        labelled(
            ui,
            "range",
            DragValue::new(&mut view.range)
                .speed(0.05)
                .range(0.01..=100.0),
        );
        labelled(
            ui,
            "points",
            DragValue::new(&mut view.points).range(3..=401),
        );
        labelled(
            ui,
            "samples",
            DragValue::new(&mut view.samples).range(1..=100_000),
        );
        egui::ComboBox::from_label("estimator")
            .selected_text(format!("{:?}", view.estimator).to_lowercase())
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut view.estimator, SurfaceEstimator::Fresh, "fresh");
                ui.selectable_value(&mut view.estimator, SurfaceEstimator::Crn, "crn");
                if sites <= crate::landscape::MAX_EXACT_SITES {
                    ui.selectable_value(&mut view.estimator, SurfaceEstimator::Exact, "exact");
                }
            });
        ui.checkbox(&mut view.one_dimensional, "1D slice");
        ui.checkbox(&mut view.follow_live, "follow")
            .on_hover_text("Recompute around the live weights whenever a landscape finishes");
    });
    ui.horizontal_wrapped(|ui| {
        egui::ComboBox::from_label("colours")
            .selected_text(match view.color_mode {
                ColorMode::Auto => "auto",
                ColorMode::Fixed => "fixed",
                ColorMode::Percentile => "percentile clamp",
            })
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut view.color_mode, ColorMode::Auto, "auto");
                ui.selectable_value(&mut view.color_mode, ColorMode::Fixed, "fixed");
                ui.selectable_value(
                    &mut view.color_mode,
                    ColorMode::Percentile,
                    "percentile clamp",
                );
            });
        match view.color_mode {
            ColorMode::Fixed => {
                labelled(
                    ui,
                    "from",
                    DragValue::new(&mut view.fixed_range.0).speed(0.01),
                );
                labelled(
                    ui,
                    "to",
                    DragValue::new(&mut view.fixed_range.1).speed(0.01),
                );
            }
            ColorMode::Percentile => {
                labelled(
                    ui,
                    "clamp %",
                    DragValue::new(&mut view.percentile)
                        .speed(0.1)
                        .range(0.0..=49.0),
                );
            }
            ColorMode::Auto => {}
        }
        ui.checkbox(&mut view.log, "log");
        labelled(
            ui,
            "contours",
            DragValue::new(&mut view.contours).range(0..=40),
        );
    });
    if view.color_mode == ColorMode::Fixed && view.fixed_range.0 >= view.fixed_range.1 {
        super::invalid(ui, "the fixed colour range must run from low to high");
        view.fixed_range.1 = view.fixed_range.0 + 1e-3;
    }
}
