//! The panels: functions of the state that draw it and return commands. The shell lays them
//! out — run form on the left, the four views in a 2×2 grid (or one maximised), messages at
//! the bottom.

pub mod curvature;
pub mod curves;
pub mod distance_curves;
pub mod exact_modes;
pub mod film;
pub mod landscape;
pub mod landscape_directions;
pub mod landscape_settings;
pub mod lattice;
pub mod modes;
pub mod run;
mod run_status;
pub mod surface3d;
pub mod sweep;

use egui::{Color32, RichText, Ui};

use super::command::AppCommand;
use super::export::{ExportContent, ExportError};
use super::state::{AppState, View};

/// A numeric or text input with a visible label that is also its accessible name.
pub fn labelled(ui: &mut Ui, label: &str, widget: impl egui::Widget) -> egui::Response {
    let label = ui.label(label);
    ui.add(widget).labelled_by(label.id)
}

/// An inline reason a value is invalid.
pub fn invalid(ui: &mut Ui, reason: &str) {
    ui.add(
        egui::Label::new(
            RichText::new(reason)
                .color(Color32::from_rgb(220, 60, 50))
                .small(),
        )
        .wrap(),
    );
}

/// The whole window.
pub fn shell(ui: &mut Ui, state: &mut AppState) -> Vec<AppCommand> {
    let mut out = Vec::new();
    egui::Panel::top("menu").show(ui, |ui| out.extend(menu(ui, state)));
    if !state.messages.is_empty() {
        egui::Panel::bottom("messages").show(ui, |ui| out.extend(messages(ui, state)));
    }
    egui::Panel::left("run")
        .resizable(true)
        .default_size(310.0)
        .min_size(260.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| out.extend(run::ui(ui, state)));
        });
    egui::CentralPanel::default_margins().show(ui, |ui| out.extend(views(ui, state)));
    if state.export.is_some() {
        out.extend(export_window(ui, state));
    }
    if state.open_path.is_some() {
        out.extend(open_window(ui, state));
    }
    out.extend(sweep::window(ui, state));
    if state.show_debug {
        debug_overlay(ui, state);
    }
    out
}

fn menu(ui: &mut Ui, state: &mut AppState) -> Vec<AppCommand> {
    let mut out = Vec::new();
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if ui.button("Open run…").clicked() {
                out.push(AppCommand::ChooseRun);
            }
            if ui.button("Open sweep…").clicked() {
                out.push(AppCommand::ChooseSweep);
            }
            if ui.button("Save screenshot").clicked() {
                out.push(AppCommand::SaveScreenshot);
            }
            if ui.button("Quit").clicked() {
                ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
            }
        });
        ui.menu_button("View", |ui| {
            if ui.button("All four views").clicked() {
                out.push(AppCommand::Maximize(None));
            }
            for view in View::ALL {
                if ui.button(view.title()).clicked() {
                    out.push(AppCommand::Maximize(Some(view)));
                }
            }
            ui.separator();
            ui.checkbox(&mut state.show_debug, "Frame-time overlay");
        });
        ui.separator();
        ui.label(RichText::new("annealscape").strong());
        ui.label("neural annealing on the Newman–Moore model");
    });
    out
}

fn messages(ui: &mut Ui, state: &AppState) -> Vec<AppCommand> {
    let mut out = Vec::new();
    for (n, message) in state.messages.iter().enumerate().rev().take(4) {
        ui.horizontal(|ui| {
            if ui.small_button("×").on_hover_text("Dismiss").clicked() {
                out.push(AppCommand::DismissMessage(n));
            }
            let text = RichText::new(&message.text);
            ui.label(if message.error {
                text.color(Color32::from_rgb(220, 60, 50))
            } else {
                text
            });
        });
    }
    out
}

fn views(ui: &mut Ui, state: &mut AppState) -> Vec<AppCommand> {
    let mut out = Vec::new();
    if let Some(view) = state.maximized {
        out.extend(tile(ui, state, view, true));
        return out;
    }
    let full = ui.available_rect_before_wrap();
    let gap = 6.0;
    let half_w = (full.width() - gap) / 2.0;
    let half_h = (full.height() - gap) / 2.0;
    for (k, view) in View::ALL.into_iter().enumerate() {
        let (col, row) = ((k % 2) as f32, (k / 2) as f32);
        let min = full.min + egui::vec2(col * (half_w + gap), row * (half_h + gap));
        let rect = egui::Rect::from_min_size(min, egui::vec2(half_w, half_h));
        let mut child = ui.new_child(
            egui::UiBuilder::new()
                .max_rect(rect)
                .id_salt(view.title())
                .layout(egui::Layout::top_down(egui::Align::Min)),
        );
        child.set_clip_rect(rect);
        egui::Frame::group(child.style())
            .inner_margin(4.0)
            .show(&mut child, |ui| {
                ui.set_min_size(rect.size() - egui::vec2(10.0, 10.0));
                out.extend(tile(ui, state, view, false));
            });
    }
    ui.allocate_rect(full, egui::Sense::hover());
    out
}

fn tile(ui: &mut Ui, state: &mut AppState, view: View, maximized: bool) -> Vec<AppCommand> {
    let mut out = Vec::new();
    ui.horizontal(|ui| {
        ui.label(RichText::new(view.title()).strong());
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let (icon, target, hint) = if maximized {
                ("Grid", None, "Back to all four views")
            } else {
                ("Maximise", Some(view), "Show this view alone")
            };
            if ui.small_button(icon).on_hover_text(hint).clicked() {
                out.push(AppCommand::Maximize(target));
            }
            let film = view == View::Landscape && state.film.active;
            let data_hint = if film {
                "Save the frame on show as CSV, or the film as NPZ or VTK (.pvd, a .vts per frame)"
            } else if view == View::Landscape {
                "Save the data as CSV or NPZ"
            } else {
                "Save the data as CSV"
            };
            let figure_hint = if film {
                "Draw the frame on show as PNG or SVG (in 3D when shown so), or the film as GIF or MP4"
            } else {
                "Draw this figure as PNG or SVG"
            };
            if ui
                .small_button("Export data…")
                .on_hover_text(data_hint)
                .clicked()
            {
                out.push(AppCommand::Export(view, false));
            }
            if ui
                .small_button("Export figure…")
                .on_hover_text(figure_hint)
                .clicked()
            {
                out.push(AppCommand::Export(view, true));
            }
        });
    });
    out.extend(match view {
        View::Curves => curves::ui(ui, state),
        View::Landscape => landscape::ui(ui, state),
        View::Lattice => lattice::ui(ui, state),
        View::Modes => modes::ui(ui, state),
    });
    out
}

fn export_window(ui: &mut Ui, state: &mut AppState) -> Vec<AppCommand> {
    let mut out = Vec::new();
    let Some(export) = &mut state.export else {
        return out;
    };
    let what = if export.figure { "figure" } else { "data" };
    egui::Window::new(format!(
        "Export {} {what}",
        export.view.title().to_lowercase()
    ))
    .collapsible(false)
    .show(ui.ctx(), |ui| {
        ui.label(&export.reason);
        labelled(
            ui,
            "Path",
            egui::TextEdit::singleline(&mut export.path).desired_width(360.0),
        );
        ui.label(
            RichText::new(if export.figure {
                ".png or .svg, by extension"
            } else if export.view == View::Landscape {
                ".csv or .npz, by extension"
            } else {
                ".csv"
            })
            .small(),
        );
        ui.horizontal(|ui| {
            if ui.button("Save").clicked() {
                out.push(AppCommand::WriteExport);
            }
            if ui.button("Cancel").clicked() {
                out.push(AppCommand::CancelExport);
            }
        });
    });
    out
}

fn open_window(ui: &mut Ui, state: &mut AppState) -> Vec<AppCommand> {
    let mut out = Vec::new();
    let Some(path) = &mut state.open_path else {
        return out;
    };
    egui::Window::new("Open run")
        .collapsible(false)
        .show(ui.ctx(), |ui| {
            ui.label("No file dialog is available here (no XDG portal on the session bus): type the run folder.");
            labelled(
                ui,
                "Run folder",
                egui::TextEdit::singleline(path).desired_width(360.0),
            );
            ui.horizontal(|ui| {
                if ui.button("Open").clicked() {
                    out.push(AppCommand::OpenRun(path.trim().into()));
                }
                if ui.button("Cancel").clicked() {
                    out.push(AppCommand::CancelOpen);
                }
            });
        });
    out
}

fn debug_overlay(ui: &mut Ui, state: &AppState) {
    let (ui_mean, ui_max) = super::mean_max(&state.frame_times);
    let (all_mean, all_max) = super::mean_max(&state.paint_times);
    egui::Area::new(egui::Id::unique("debug-overlay"))
        .anchor(egui::Align2::RIGHT_TOP, egui::vec2(-8.0, 30.0))
        .show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.label(
                    RichText::new(format!(
                        "last {} frames\nUI code     {ui_mean:6.2} ms mean {ui_max:6.2} ms max\nwhole frame {all_mean:6.2} ms mean {all_max:6.2} ms max",
                        state.frame_times.len()
                    ))
                    .monospace(),
                );
            });
        });
}

/// A palette entry ([`crate::figures::tab10`]) as an egui colour.
pub const fn tab(c: crate::figures::tab10::Rgb) -> Color32 {
    Color32::from_rgb(c[0], c[1], c[2])
}

/// The data behind `view`, copied for an export; or why there is nothing to export yet.
pub fn export_content(state: &AppState, view: View) -> Result<ExportContent, ExportError> {
    let run = &state.run;
    match view {
        View::Curves => {
            let config = run
                .config
                .as_ref()
                .ok_or(ExportError::Nothing("no run yet: start a run or open one"))?;
            if run.metrics.is_empty() {
                return Err(ExportError::Nothing(
                    "no steps yet: wait for the first step",
                ));
            }
            Ok(ExportContent::Curves {
                metrics: run.metrics.clone(),
                symbol: run.symbol().to_string(),
                exact: match &run.exact {
                    super::ExactCurve::Ready(points, label) => {
                        Some((points.clone(), label.clone()))
                    }
                    _ => None,
                },
                title: config.title(),
            })
        }
        View::Landscape if state.film.active => {
            let film = state.film.film.clone().ok_or(ExportError::Nothing(
                "no film yet: compute one (Compute film) or open a stored one",
            ))?;
            Ok(ExportContent::Film {
                film,
                frame: state.film.frame,
                scale: state.landscape.scale(),
                three_d: state
                    .film
                    .three_d
                    .then(|| (state.film.camera, state.film.height())),
            })
        }
        View::Landscape => {
            let landscape = state.landscape.result.clone().ok_or(ExportError::Nothing(
                "no finished landscape yet: compute one first",
            ))?;
            Ok(ExportContent::Landscape {
                landscape,
                scale: state.landscape.scale(),
            })
        }
        View::Lattice => {
            let shown = lattice::shown(state)
                .ok_or(ExportError::Nothing("no configuration to show yet"))?;
            let model = run
                .model
                .as_ref()
                .map(|m| m.model)
                .ok_or(ExportError::Nothing("no run yet"))?;
            Ok(ExportContent::Lattice {
                model,
                bits: shown.bits.to_vec(),
                title: shown.title,
            })
        }
        View::Modes => {
            let (modes, samples) =
                modes::shown(state).ok_or(ExportError::Nothing("no samples yet"))?;
            let degeneracy_log2 = run
                .model
                .as_ref()
                .map_or(0, |m| m.ground_states.degeneracy_log2());
            Ok(ExportContent::Modes {
                modes: modes.to_vec(),
                samples,
                degeneracy_log2,
                exact: run
                    .distances
                    .latest_probabilities()
                    .map(|r| r.ground_state_log_probs.iter().map(|l| l.exp()).collect()),
            })
        }
    }
}
