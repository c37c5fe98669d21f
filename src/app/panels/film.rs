//! The landscape view's film mode: the film's settings, Compute, a scrubber with play/pause and
//! speed, the frame's step, phase and T or B written over it, and the frame itself (its coarse
//! preview until the full frame arrives).

use egui::{DragValue, Slider, Ui};

use super::labelled;
use super::landscape::{show, Shown};
use crate::app::command::AppCommand;
use crate::app::state::AppState;
use crate::landscape::{DirectionKind, SurfaceEstimator, MAX_FRAMES};

/// Draw the film mode.
pub fn ui(ui: &mut Ui, state: &mut AppState) -> Vec<AppCommand> {
    let mut out = Vec::new();
    let sites = state
        .run
        .config
        .as_ref()
        .map_or(0, |c| c.lattice.size.pow(2));
    let film = &mut state.film;
    ui.horizontal_wrapped(|ui| {
        labelled(ui, "frames", DragValue::new(&mut film.frames).range(2..=MAX_FRAMES));
        if ui
            .checkbox(&mut film.planned, "over the whole run")
            .on_hover_text("Plan the frames over the whole run from its configuration, so a live run's film grows as the run reaches them; the plane is fixed from the start (filter or gaussian around the initial weights)")
            .changed()
            && film.planned
            && film.directions == DirectionKind::Pca
        {
            film.directions = DirectionKind::Filter;
        }
        labelled(ui, "points", DragValue::new(&mut film.points).range(3..=201));
        labelled(
            ui,
            "range",
            DragValue::new(&mut film.range).speed(0.05).range(0.01..=100.0),
        );
        labelled(ui, "samples", DragValue::new(&mut film.samples).range(1..=100_000));
        egui::ComboBox::from_label("plane")
            .selected_text(film.directions.name())
            .show_ui(ui, |ui| {
                ui.add_enabled_ui(!film.planned, |ui| {
                    ui.selectable_value(&mut film.directions, DirectionKind::Pca, "pca")
                        .on_hover_text("The two leading components of the whole trajectory: shows the path")
                        .on_disabled_hover_text("pca needs the whole trajectory: a film planned over the run takes filter or gaussian");
                });
                ui.selectable_value(&mut film.directions, DirectionKind::Filter, "filter");
                ui.selectable_value(&mut film.directions, DirectionKind::Gaussian, "gaussian");
            });
        egui::ComboBox::from_label("estimator")
            .selected_text(format!("{:?}", film.estimator).to_lowercase())
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut film.estimator, SurfaceEstimator::Crn, "crn")
                    .on_hover_text("The same random numbers at every point and frame");
                ui.selectable_value(&mut film.estimator, SurfaceEstimator::Fresh, "fresh");
                if sites <= crate::landscape::MAX_EXACT_SITES {
                    ui.selectable_value(&mut film.estimator, SurfaceEstimator::Exact, "exact");
                }
            });
        if film.computing {
            if ui.button("Cancel").clicked() {
                out.push(AppCommand::CancelFilm);
            }
        } else if ui
            .button("Compute film")
            .on_hover_text("Previews of every frame first, then each frame in full; a stored film with these settings is reused")
            .clicked()
        {
            out.push(AppCommand::ComputeFilm);
        }
        if let Some(dir) = &state.run.dir {
            egui::ComboBox::from_label("stored")
                .selected_text("open…")
                .show_ui(ui, |ui| {
                    // Listed only while the menu is open.
                    let names = stored_films(&dir.join(crate::run::RunLayout::FILMS));
                    if names.is_empty() {
                        ui.label("none yet");
                    }
                    for name in names {
                        if ui.button(&name).clicked() {
                            out.push(AppCommand::OpenFilm(name));
                        }
                    }
                });
        }
        if let Some(f) = &film.film {
            let done = f.frames_done();
            let previews = (0..f.frames()).filter(|&j| f.has_preview(j)).count();
            let progress = (previews + done) as f32 / (2 * f.frames()).max(1) as f32;
            let reached = f.frames_reached();
            // A film still growing with its run says how far the run has come.
            let (text, width) = if reached < f.frames() {
                (
                    format!("{done}/{} frames, {reached} reached", f.frames()),
                    190.0,
                )
            } else {
                (format!("{done}/{} frames", f.frames()), 120.0)
            };
            ui.add(
                egui::ProgressBar::new(progress)
                    .desired_width(width)
                    .text(text),
            );
        }
    });
    let Some(current) = film.film.clone() else {
        ui.centered_and_justified(|ui| {
            ui.label(if state.run.dir.is_none() {
                "Open a run (or start one), then Compute film: one plane for the whole anneal, a frame every few hundred steps."
            } else {
                "Press Compute film: previews of every frame come first, then the frames in full."
            })
        });
        return out;
    };
    let k = current.frames();
    ui.horizontal(|ui| {
        let label = if film.playing { "Pause" } else { "Play" };
        if ui.button(label).clicked() {
            film.follow_newest = false;
            film.playing = !film.playing;
            film.clock = 0.0;
        }
        let mut frame = film.frame + 1;
        if ui
            .add(Slider::new(&mut frame, 1..=k.max(1)).text("frame"))
            .changed()
        {
            film.playing = false;
            film.follow_newest = false;
            film.show(frame - 1);
        }
        labelled(
            ui,
            "frames/s",
            DragValue::new(&mut film.fps).speed(0.1).range(0.2..=30.0),
        );
    });
    let j = film.frame;
    let symbol = if current.settings.kind == "thermal" {
        "T"
    } else {
        "B"
    };
    let phase = current
        .settings
        .frame_phases
        .get(j)
        .map_or("", String::as_str);
    let preview = if film.showing_preview() {
        " · coarse preview (the full frame is being computed)"
    } else {
        ""
    };
    let x = if current.xs[j].is_finite() {
        format!("{:.3}", current.xs[j])
    } else {
        "?".into()
    };
    ui.strong(format!(
        "step {} ({phase}) · {symbol} = {x} · frame {}/{k} · one colour range for the film{preview}",
        current.settings.frame_steps[j],
        j + 1
    ));
    let Some(grid) = film.frame_grid() else {
        ui.label(if current.is_reached(j) {
            "this frame is not computed yet".to_string()
        } else {
            format!(
                "the run has not reached this frame's step yet (its trajectory ends at step {}); the frame is computed once it has",
                current.path_steps.last().copied().unwrap_or(-1)
            )
        });
        return out;
    };
    let path = current.path_to(j);
    let names = match (current.settings.directions, current.settings.explained) {
        (DirectionKind::Pca, Some([a, b])) => (
            format!("PC1 ({:.0} %)", 100.0 * a),
            format!("PC2 ({:.0} %)", 100.0 * b),
        ),
        (kind, _) => (
            format!("alpha ({})", kind.name()),
            format!("beta ({})", kind.name()),
        ),
    };
    let scale = crate::figures::ColorScale {
        range: current.value_range(j),
        ..state.landscape.scale()
    };
    let shown = Shown {
        grid: &grid,
        path: path.iter().map(|p| [p.0, p.1]).collect(),
        path3: path.iter().map(|p| [p.0, p.1, p.3]).collect(),
        names,
        scale,
        contours: state.landscape.contours,
        // Apart from the still's keys: the texture caches are shared.
        key: film
            .revision
            .wrapping_mul(0x9E37_79B9)
            .wrapping_add(1 << 40),
    };
    show(ui, &shown, film);
    out
}

/// The names of the films stored in `dir`, sorted.
fn stored_films(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".npz").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}
