//! The landscape view: the objective around the weights on two directions, as a texture in
//! the plot, with contours, a colour bar, the projected training path and the centre.

use super::tab;
use crate::figures::tab10;
use egui::{Color32, RichText, Ui};
use egui_plot::{HoverPosition, Line, Plot, PlotImage, PlotPoint, Points};
use ndarray::Array2;
use std::hash::{Hash, Hasher};

use crate::app::command::AppCommand;
use crate::app::landscape_view::Grid;
use crate::app::state::AppState;
use crate::figures::{contour_lines, even_levels, ColorScale};
use crate::landscape::DirectionKind;

/// The heatmap of a grid as an image, highest β on top; cells not yet computed are grey.
pub fn heatmap_image(grid: &Grid, scale: &ColorScale) -> egui::ColorImage {
    let range = scale.value_range(grid.values.iter().copied());
    let (nb, na) = grid.values.dim();
    let mut pixels = Vec::with_capacity(na * nb);
    for row in 0..nb {
        let j = nb - 1 - row;
        for i in 0..na {
            let v = grid.values[[j, i]];
            pixels.push(if v.is_finite() {
                let [r, g, b] = scale.rgb(v, range);
                Color32::from_rgb(r, g, b)
            } else {
                Color32::from_gray(90)
            });
        }
    }
    egui::ColorImage::new([na, nb], pixels)
}

/// Draw the landscape view.
pub fn ui(ui: &mut Ui, state: &mut AppState) -> Vec<AppCommand> {
    let mut out = Vec::new();
    ui.horizontal(|ui| {
        let film = &mut state.film;
        ui.selectable_value(&mut film.active, false, "still")
            .on_hover_text("One landscape around a snapshot or the live weights");
        ui.selectable_value(&mut film.active, true, "film")
            .on_hover_text("The landscape along the whole anneal in one fixed plane");
        ui.separator();
        ui.checkbox(&mut film.three_d, "3D")
            .on_hover_text("A shaded height field: drag to turn it, scroll to zoom");
        if film.three_d {
            ui.checkbox(&mut film.log_height, "log height");
        }
    });
    if state.film.active {
        out.extend(super::film::ui(ui, state));
        return out;
    }
    super::landscape_settings::ui(ui, state);
    ui.horizontal(|ui| {
        let view = &state.landscape;
        if view.computing {
            if ui.button("Cancel").clicked() {
                out.push(AppCommand::CancelLandscape);
            }
            ui.add(
                egui::ProgressBar::new(view.progress())
                    .desired_width(160.0)
                    .text(format!("{:.0} %", 100.0 * view.progress())),
            );
        } else if ui
            .button("Compute")
            .on_hover_text("Compute the landscape with these settings (off the UI thread)")
            .clicked()
        {
            out.push(AppCommand::ComputeLandscape);
        }
        if let Some(l) = &view.result {
            ui.label(format!("roughness {:.4}", l.settings.roughness))
                .on_hover_text("Mean |difference| of neighbouring grid values, per spin");
            ui.label(format!("cos(δ,η) = {:.3}", l.settings.cosine));
            if let Some([a, b]) = l.settings.explained {
                ui.label(format!(
                    "PCA explains {:.0} % + {:.0} %",
                    100.0 * a,
                    100.0 * b
                ));
            }
        }
        if let Some(step) = view.centre_step {
            ui.label(format!("centre: step {step}"));
        }
    });
    let Some(grid) = state.landscape.grid.as_ref() else {
        ui.centered_and_justified(|ui| {
            ui.label(if state.run.dir.is_none() {
                "Start a run or open one; the landscape around the weights fills in here."
            } else {
                "Press Compute (or tick 'follow') to see the landscape around the weights."
            })
        });
        return out;
    };
    if grid.beta.len() == 1 {
        slice(ui, grid);
    } else if let Some(shown) = still(&state.landscape, &state.run.metrics) {
        show(ui, &shown, &mut state.film);
    }
    out
}

/// Draw `shown` in 2D or 3D as the film view asks (the film mode's frame).
pub fn show(ui: &mut Ui, shown: &Shown<'_>, film: &mut crate::app::FilmView) {
    if film.three_d {
        let height = film.height();
        super::surface3d::ui(ui, shown, &mut film.camera, height);
    } else {
        surface(ui, shown);
    }
}

fn texture(ui: &Ui, grid: &Grid, scale: &ColorScale, revision: u64) -> egui::TextureHandle {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    revision.hash(&mut hasher);
    format!("{scale:?}").hash(&mut hasher);
    let key = hasher.finish();
    let id = egui::Id::unique("landscape-texture");
    if let Some((k, handle)) = ui.data(|d| d.get_temp::<(u64, egui::TextureHandle)>(id)) {
        if k == key {
            return handle;
        }
    }
    let handle = ui.ctx().load_texture(
        "landscape",
        heatmap_image(grid, scale),
        egui::TextureOptions::NEAREST,
    );
    ui.data_mut(|d| d.insert_temp(id, (key, handle.clone())));
    handle
}

/// What the 2D (or 3D) surface shows: a still's grid or a film frame's.
pub struct Shown<'a> {
    /// The grid.
    pub grid: &'a Grid,
    /// The projected path in the plane.
    pub path: Vec<[f64; 2]>,
    /// The path at its own objective values (3D).
    pub path3: Vec<[f64; 3]>,
    /// Axis names.
    pub names: (String, String),
    /// Colours.
    pub scale: ColorScale,
    /// Contour levels.
    pub contours: usize,
    /// Changes whenever the picture does (textures and contours are cached on it).
    pub key: u64,
}

/// The still landscape of the view, as shown.
fn still<'a>(
    view: &'a crate::app::LandscapeView,
    metrics: &[crate::anneal::StepMetrics],
) -> Option<Shown<'a>> {
    let grid = view.grid.as_ref()?;
    let labels = view
        .result
        .as_ref()
        .and_then(|l| l.settings.axis_labels.clone());
    let names = match (labels, view.result.as_ref().map(|l| l.settings.directions)) {
        (Some([a, b]), _) => (a, b),
        (None, Some(DirectionKind::Pca)) => ("PC1".into(), "PC2".into()),
        _ => ("alpha (delta)".into(), "beta (eta)".into()),
    };
    let (path, path3) = match &view.result {
        Some(l) => {
            let own = crate::anneal::objective_at_steps(metrics, l.path_steps.iter().copied());
            let path: Vec<[f64; 2]> = l
                .path_alpha
                .iter()
                .zip(l.path_beta.iter())
                .map(|(&a, &b)| [a, b])
                .collect();
            let path3 = path.iter().zip(own).map(|(p, v)| [p[0], p[1], v]).collect();
            (path, path3)
        }
        None => (Vec::new(), Vec::new()),
    };
    Some(Shown {
        grid,
        path,
        path3,
        names,
        scale: view.scale(),
        contours: view.contours,
        key: view.revision,
    })
}

fn surface(ui: &mut Ui, shown: &Shown<'_>) {
    let grid = shown.grid;
    let scale = shown.scale.clone();
    let range = scale.value_range(grid.values.iter().copied());
    let handle = texture(ui, grid, &scale, shown.key);
    let (na, nb) = (grid.alpha.len(), grid.beta.len());
    let (a0, a1) = (grid.alpha[0], grid.alpha[na - 1]);
    let (b0, b1) = (grid.beta[0], grid.beta[nb - 1]);
    let (da, db) = ((a1 - a0) / (na - 1) as f64, (b1 - b0) / (nb - 1) as f64);
    let lines = contours(ui, grid, &scale, range, shown.contours, shown.key);
    let names = (shown.names.0.as_str(), shown.names.1.as_str());
    let available = ui.available_size();
    ui.horizontal(|ui| {
        let bar_width = 56.0;
        let plot_width = (available.x - bar_width - 8.0).max(100.0);
        let height = available.y.max(100.0);
        {
            let response = Plot::new("landscape")
                .width(plot_width)
                .height(height)
                .data_aspect(1.0)
                .x_axis_label(names.0)
                .y_axis_label(names.1)
                .label_formatter(move |hover| {
                    let (HoverPosition::NearDataPoint { position, .. }
                    | HoverPosition::Elsewhere { position }) = hover;
                    grid_hover(grid, position.x, position.y)
                })
                .show(ui, |plot| {
                    plot.image(PlotImage::new(
                        "surface",
                        handle.id(),
                        PlotPoint::new((a0 + a1) / 2.0, (b0 + b1) / 2.0),
                        egui::vec2((a1 - a0 + da) as f32, (b1 - b0 + db) as f32),
                    ));
                    for line in &lines {
                        plot.line(
                            Line::new("contour", line.clone())
                                .color(Color32::from_black_alpha(140))
                                .width(1.0)
                                .allow_hover(false),
                        );
                    }
                    if !shown.path.is_empty() {
                        plot.line(
                            Line::new("training path", shown.path.clone())
                                .color(Color32::WHITE)
                                .width(1.5),
                        );
                    }
                    plot.points(
                        Points::new("centre", vec![[0.0, 0.0]])
                            .radius(4.0)
                            .color(Color32::from_rgb(230, 40, 40)),
                    );
                });
            response
                .response
                .on_hover_text("alpha, beta, value ± stderr at the pointer");
        }
        colorbar(ui, &scale, range, egui::vec2(bar_width, height));
    });
}

/// Contour polylines in (α, β), remembered until the grid or the colours change (marching
/// squares over a 201² grid each frame would cost milliseconds).
fn contours(
    ui: &Ui,
    grid: &Grid,
    scale: &ColorScale,
    range: (f64, f64),
    levels: usize,
    revision: u64,
) -> Vec<Vec<[f64; 2]>> {
    type Cached = (u64, std::sync::Arc<Vec<Vec<[f64; 2]>>>);
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (revision, levels).hash(&mut hasher);
    format!("{scale:?}").hash(&mut hasher);
    let key = hasher.finish();
    let id = egui::Id::unique("landscape-contours");
    if let Some((k, lines)) = ui.data(|d| d.get_temp::<Cached>(id)) {
        if k == key {
            return lines.as_ref().clone();
        }
    }
    let (na, nb) = (grid.alpha.len(), grid.beta.len());
    let (a0, b0) = (grid.alpha[0], grid.beta[0]);
    let da = (grid.alpha[na - 1] - a0) / (na - 1) as f64;
    let db = (grid.beta[nb - 1] - b0) / (nb - 1) as f64;
    let positions = Array2::from_shape_fn((nb, na), |(j, i)| {
        scale.position(grid.values[[j, i]], range)
    });
    let lines: Vec<Vec<[f64; 2]>> = even_levels(0.0, 1.0, levels)
        .into_iter()
        .flat_map(|level| contour_lines(positions.view(), level))
        .map(|line| {
            line.into_iter()
                .map(|(i, j)| [a0 + i * da, b0 + j * db])
                .collect()
        })
        .collect();
    ui.data_mut(|d| d.insert_temp::<Cached>(id, (key, std::sync::Arc::new(lines.clone()))));
    lines
}

/// "α, β, value ± stderr" at the grid point nearest to the pointer.
fn grid_hover(grid: &Grid, a: f64, b: f64) -> Option<String> {
    grid.at(a, b)
        .map(|(a, b, v, e)| format!("alpha {a:.3}, beta {b:.3}\n{v:.5} ± {e:.5} per spin"))
}

fn colorbar(ui: &mut Ui, scale: &ColorScale, (lo, hi): (f64, f64), size: egui::Vec2) {
    let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let bar = egui::Rect::from_min_max(
        rect.min + egui::vec2(2.0, 16.0),
        egui::pos2(rect.min.x + 16.0, rect.max.y - 16.0),
    );
    let steps = 64;
    for k in 0..steps {
        let t0 = k as f32 / steps as f32;
        let t1 = (k + 1) as f32 / steps as f32;
        let [r, g, b] = scale.map.rgb(1.0 - (t0 + t1) as f64 / 2.0);
        painter.rect_filled(
            egui::Rect::from_min_max(
                egui::pos2(bar.min.x, bar.min.y + t0 * bar.height()),
                egui::pos2(bar.max.x, bar.min.y + t1 * bar.height() + 0.5),
            ),
            0.0,
            Color32::from_rgb(r, g, b),
        );
    }
    let font = egui::FontId::proportional(11.0);
    let color = ui.visuals().text_color();
    painter.text(
        bar.right_top() + egui::vec2(3.0, 0.0),
        egui::Align2::LEFT_TOP,
        format!("{hi:.3}"),
        font.clone(),
        color,
    );
    painter.text(
        bar.right_bottom() + egui::vec2(3.0, 0.0),
        egui::Align2::LEFT_BOTTOM,
        format!("{lo:.3}"),
        font.clone(),
        color,
    );
    painter.text(
        rect.center_top(),
        egui::Align2::CENTER_TOP,
        if scale.log { "log" } else { "per spin" },
        font,
        color,
    );
}

fn slice(ui: &mut Ui, grid: &Grid) {
    let points: Vec<[f64; 2]> = grid
        .alpha
        .iter()
        .zip(grid.values.row(0))
        .filter(|(_, v)| v.is_finite())
        .map(|(&a, &v)| [a, v])
        .collect();
    let lo: Vec<f64> = grid
        .values
        .row(0)
        .iter()
        .zip(grid.stderr.row(0))
        .map(|(v, e)| v - e)
        .collect();
    let hi: Vec<f64> = grid
        .values
        .row(0)
        .iter()
        .zip(grid.stderr.row(0))
        .map(|(v, e)| v + e)
        .collect();
    let alpha = grid.alpha.to_vec();
    ui.label(RichText::new("1D slice along delta (beta = 0)").small());
    Plot::new("landscape-slice")
        .x_axis_label("alpha")
        .y_axis_label("per spin")
        .show(ui, |plot| {
            if grid.rows_done > 0 {
                plot.add(
                    egui_plot::FilledArea::new("± stderr", &alpha, &lo, &hi)
                        .fill_color(tab(tab10::BLUE).gamma_multiply(0.25)),
                );
            }
            plot.line(Line::new("value", points).color(tab(tab10::BLUE)));
            plot.points(
                Points::new(
                    "centre",
                    vec![[0.0, grid.at(0.0, 0.0).map_or(0.0, |p| p.2)]],
                )
                .radius(4.0),
            );
        });
}
