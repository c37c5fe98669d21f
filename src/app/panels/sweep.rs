//! The sweep window (File ▸ Open sweep…): a sweep's runs as a table — axes, status, outcome —
//! sorted by a click on a header and filtered by text, re-read while the sweep runs; ticked
//! runs are overlaid as ⟨E⟩/N against step, or against B or T with the exact curve, coloured
//! by an axis; the outcome pooled over seeds sits above; "open" shows one run in the usual
//! views.

use super::tab;
use crate::figures::tab10;
use egui::{Color32, RichText, Ui};
use egui_plot::{Legend, Line, LineStyle, Plot};

use super::labelled;
use crate::app::command::AppCommand;
use crate::app::state::AppState;
use crate::app::sweep_view::SHOWN;

const PALETTE: [Color32; 8] = [
    tab(tab10::BLUE),
    tab(tab10::ORANGE),
    tab(tab10::GREEN),
    tab(tab10::RED),
    tab(tab10::PURPLE),
    tab(tab10::BROWN),
    tab(tab10::PINK),
    tab(tab10::OLIVE),
];

/// The floating sweep window and the typed-path window of "Open sweep…".
pub fn window(ui: &mut Ui, state: &mut AppState) -> Vec<AppCommand> {
    let mut out = Vec::new();
    if let Some(path) = &mut state.open_sweep_path {
        egui::Window::new("Open sweep").collapsible(false).show(ui.ctx(), |ui| {
            ui.label("No file dialog is available here: type the sweep folder (made by `annealscape sweep`).");
            labelled(ui, "Sweep folder", egui::TextEdit::singleline(path).desired_width(360.0));
            ui.horizontal(|ui| {
                if ui.button("Open").clicked() {
                    out.push(AppCommand::OpenSweep(path.trim().into()));
                }
                if ui.button("Cancel").clicked() {
                    out.push(AppCommand::CancelOpenSweep);
                }
            });
        });
    }
    if state.sweep.is_some() {
        let mut open = true;
        egui::Window::new("Sweep")
            .open(&mut open)
            .default_size([900.0, 640.0])
            .show(ui.ctx(), |ui| out.extend(ui_contents(ui, state)));
        if !open {
            out.push(AppCommand::CloseSweep);
        }
    }
    out
}

/// The window's contents (also drawn alone by the tests).
pub fn ui_contents(ui: &mut Ui, state: &mut AppState) -> Vec<AppCommand> {
    let mut out = Vec::new();
    let Some(view) = state.sweep.as_mut() else {
        return out;
    };
    let status_col = view.column("status");
    let mut counts = std::collections::BTreeMap::new();
    if let Some(c) = status_col {
        for r in &view.rows {
            *counts.entry(r[c].clone()).or_insert(0usize) += 1;
        }
    }
    let summary: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    ui.label(format!(
        "{} · {} runs: {}{}",
        view.dir.display(),
        view.rows.len(),
        summary.join(", "),
        if view.reading { " · reading…" } else { "" }
    ));
    if view.header.is_empty() || view.rows.is_empty() {
        return out;
    }
    ui.horizontal(|ui| {
        labelled(
            ui,
            "Filter",
            egui::TextEdit::singleline(&mut view.filter).desired_width(160.0),
        );
        if view.axes > 0 {
            let axis_name = |i: usize| view.header.get(1 + i).cloned().unwrap_or_default();
            let mut color_axis = view.color_axis.min(view.axes - 1);
            egui::ComboBox::from_label("colour by")
                .selected_text(axis_name(color_axis))
                .show_ui(ui, |ui| {
                    for i in 0..view.axes {
                        ui.selectable_value(&mut color_axis, i, axis_name(i));
                    }
                });
            view.color_axis = color_axis;
        }
        if ui.button("Tick all shown").clicked() {
            let ids: Vec<String> = view
                .visible()
                .iter()
                .map(|&i| view.rows[i][0].clone())
                .collect();
            view.selected.extend(ids);
        }
        if ui.button("Untick all").clicked() {
            view.selected.clear();
        }
        ui.label("overlay against");
        ui.radio_value(&mut view.against_x, false, "step");
        ui.radio_value(&mut view.against_x, true, "B or T (with exact)");
    });
    outcome_groups(ui, view);
    // Columns: id, the axes that vary, then the outcome columns worth a glance.
    let varies = |c: usize| view.rows.iter().any(|r| r[c] != view.rows[0][c]);
    let mut columns: Vec<usize> = std::iter::once(0)
        .chain((1..=view.axes).filter(|&c| varies(c)))
        .collect();
    columns.extend(SHOWN.iter().filter_map(|name| view.column(name)));
    let visible = view.visible();
    let height = ui.available_height();
    let width = ui.available_width();
    egui::ScrollArea::both()
        .id_salt("sweep-table")
        .max_height(0.45 * height)
        .max_width(width)
        .show(ui, |ui| {
            egui::Grid::new("sweep-grid").striped(true).show(ui, |ui| {
                ui.label("");
                for &c in &columns {
                    let arrow = match view.sort {
                        Some((s, true)) if s == c => " ^",
                        Some((s, false)) if s == c => " v",
                        _ => "",
                    };
                    if ui
                        .button(RichText::new(format!("{}{arrow}", view.header[c])).strong())
                        .clicked()
                    {
                        view.toggle_sort(c);
                    }
                }
                ui.end_row();
                for &i in &visible {
                    let id = view.rows[i][0].clone();
                    // First, so it stays in sight however wide the table is.
                    if ui.button(format!("open {id}")).clicked() {
                        out.push(AppCommand::OpenRun(view.run_dir(&id)));
                    }
                    let mut ticked = view.selected.contains(&id);
                    if ui.checkbox(&mut ticked, id.as_str()).changed() {
                        if ticked {
                            view.selected.insert(id.clone());
                        } else {
                            view.selected.remove(&id);
                        }
                    }
                    for &c in &columns[1..] {
                        let cell = &view.rows[i][c];
                        let text = match cell.parse::<f64>() {
                            Ok(x) if cell.contains('.') => format!("{x:.5}"),
                            _ => cell.clone(),
                        };
                        // A damaged or failed run is marked, its message on hover.
                        let marked =
                            Some(c) == status_col && matches!(cell.as_str(), "damaged" | "failed");
                        if marked {
                            let message = view
                                .column("message")
                                .map(|m| view.rows[i][m].clone())
                                .unwrap_or_default();
                            ui.label(RichText::new(text).color(ui.visuals().error_fg_color))
                                .on_hover_text(message);
                        } else {
                            ui.label(text);
                        }
                    }
                    ui.end_row();
                }
            });
        });
    ui.separator();
    let values = view.color_values();
    let axis = view
        .header
        .get(1 + view.color_axis)
        .cloned()
        .unwrap_or_default();
    let (x_label, y_label) = if view.against_x {
        ("B or T (the anneal runs right to left)", "<E_loc>/N or F/N")
    } else {
        ("step", "<E>/N")
    };
    let exact_color = ui.visuals().strong_text_color();
    Plot::new("sweep-overlay")
        .legend(Legend::default())
        .x_axis_label(x_label)
        .y_axis_label(y_label)
        .show(ui, |plot| {
            let mut sizes = std::collections::BTreeSet::new();
            for row in view.rows.iter().filter(|r| view.selected.contains(&r[0])) {
                let Some(curve) = view.curves.get(&row[0]) else {
                    continue;
                };
                let points = if view.against_x {
                    &curve.by_x
                } else {
                    &curve.by_step
                };
                if points.is_empty() {
                    continue;
                }
                sizes.insert(curve.size);
                let value = row.get(1 + view.color_axis).cloned().unwrap_or_default();
                let k = values.iter().position(|v| *v == value).unwrap_or(0);
                let name = if view.axes > 0 {
                    format!("{axis} = {value}")
                } else {
                    "<E>/N".into()
                };
                plot.line(Line::new(name, points.clone()).color(PALETTE[k % PALETTE.len()]));
            }
            if view.against_x {
                // One line per size in the text colour, told apart by the dash pattern.
                let styles = [
                    LineStyle::Solid,
                    LineStyle::dashed_loose(),
                    LineStyle::dotted_dense(),
                ];
                for (k, size) in sizes.into_iter().enumerate() {
                    if let Some(e) = view.exact.get(&size).filter(|e| !e.points.is_empty()) {
                        plot.line(
                            Line::new(format!("{}, L = {size}", e.label), e.points.clone())
                                .color(exact_color)
                                .style(styles[k % styles.len()])
                                .width(2.0),
                        );
                    }
                }
            }
        });
    out
}

/// The collected outcome table: runs pooled over seeds, one row per combination of the other
/// axes that vary.
fn outcome_groups(ui: &mut Ui, view: &crate::app::SweepView) {
    let groups = view.outcome_groups();
    egui::CollapsingHeader::new(format!(
        "Outcome by axes, seeds pooled ({} groups)",
        groups.len()
    ))
    .id_salt("sweep-outcomes")
    .default_open(true)
    .show(ui, |ui| {
        egui::ScrollArea::vertical()
            .id_salt("sweep-outcome-table")
            .max_height(160.0)
            .show(ui, |ui| {
                egui::Grid::new("sweep-outcome-grid")
                    .striped(true)
                    .show(ui, |ui| {
                        for h in [
                            "runs of",
                            "done",
                            "top configuration a ground state",
                            "all final samples ground states",
                            "with an energy jump",
                            "mean final <E>/N",
                        ] {
                            ui.label(RichText::new(h).strong());
                        }
                        ui.end_row();
                        for g in &groups {
                            ui.label(if g.label.is_empty() {
                                "all runs"
                            } else {
                                &g.label
                            });
                            ui.label(format!("{}/{}", g.done, g.runs));
                            ui.label(format!("{}/{}", g.top_on_ground, g.done));
                            ui.label(format!("{}/{}", g.reached, g.done));
                            ui.label(format!("{}/{}", g.jumped, g.done));
                            ui.label(g.energy_mean.map_or("—".into(), |e| format!("{e:.5}")));
                            ui.end_row();
                        }
                    });
            });
    });
}
