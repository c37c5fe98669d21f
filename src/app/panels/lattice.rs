//! The lattice view: sampled configurations on the triangular lattice with their defect
//! triangles, the nearest ground state, and the fracton demo.

use egui::{Color32, DragValue, Pos2, RichText, Stroke, Ui};
use ndarray::{Array1, ArrayView1};
use std::borrow::Cow;

use super::{invalid, labelled};
use crate::app::command::AppCommand;
use crate::app::state::{AppState, LatticeSource};
use crate::physics::{nearest_ground_state, NewmanMoore, SierpinskiExcitation};

/// Most spin comparisons spent finding the nearest ground state in one frame.
const NEAREST_BUDGET: usize = 4_000_000;

/// The configuration the view shows and its title.
pub struct Shown<'a> {
    /// Bits in raster order.
    pub bits: Cow<'a, [u8]>,
    /// What it is.
    pub title: String,
    /// Sites flipped relative to the ground state (fracton demo).
    pub flipped: Vec<usize>,
}

/// The configuration on show: the chosen sample of the latest batch, or the fracton demo.
pub fn shown(state: &AppState) -> Option<Shown<'_>> {
    let view = &state.lattice;
    let model = state.run.model.as_ref()?;
    match view.source {
        LatticeSource::Samples => {
            let (step, samples) = state.run.samples.as_ref()?;
            let i = view.index.min(samples.nrows().checked_sub(1)?);
            let row = samples.row(i);
            Some(Shown {
                bits: match row.to_slice() {
                    Some(s) => Cow::Borrowed(s),
                    None => Cow::Owned(row.to_vec()),
                },
                title: format!("sample {} of {} at step {step}", i + 1, samples.nrows()),
                flipped: Vec::new(),
            })
        }
        LatticeSource::Fracton => {
            let lattice = *model.model.lattice();
            let excitation = SierpinskiExcitation::new(lattice, view.apex, view.generation).ok()?;
            let k = model.ground_states.degeneracy_log2();
            let coords: Vec<u8> = (0..k)
                .map(|b| ((view.ground_state >> b) & 1) as u8)
                .collect();
            let mut bits = if k <= 63 {
                model.ground_states.from_coordinates(&coords)
            } else {
                Array1::zeros(lattice.sites())
            };
            excitation.apply(bits.view_mut());
            Some(Shown {
                bits: Cow::Owned(bits.to_vec()),
                title: format!(
                    "ground state #{} with a generation-{} Sierpinski flip at site {}",
                    view.ground_state, view.generation, view.apex
                ),
                flipped: excitation.sites().to_vec(),
            })
        }
    }
}

/// Draw the lattice view.
pub fn ui(ui: &mut Ui, state: &mut AppState) -> Vec<AppCommand> {
    let batch = state.run.samples.as_ref().map_or(0, |(_, s)| s.nrows());
    let (sites, size, k) = state.run.model.as_ref().map_or((0, 0, 0), |m| {
        let l = m.model.lattice();
        (l.sites(), l.size(), m.ground_states.degeneracy_log2())
    });
    let view = &mut state.lattice;
    ui.horizontal_wrapped(|ui| {
        ui.radio_value(&mut view.source, LatticeSource::Samples, "samples");
        ui.radio_value(&mut view.source, LatticeSource::Fracton, "fracton demo");
        match view.source {
            LatticeSource::Samples => {
                if ui
                    .small_button("<")
                    .on_hover_text("Previous sample")
                    .clicked()
                {
                    view.index = view.index.saturating_sub(1);
                }
                labelled(
                    ui,
                    "sample",
                    DragValue::new(&mut view.index).range(0..=batch.saturating_sub(1)),
                );
                if ui.small_button(">").on_hover_text("Next sample").clicked() {
                    view.index = (view.index + 1).min(batch.saturating_sub(1));
                }
                ui.checkbox(&mut view.show_nearest, "nearest ground state");
            }
            LatticeSource::Fracton => {
                labelled(
                    ui,
                    "apex site",
                    DragValue::new(&mut view.apex).range(0..=sites.saturating_sub(1)),
                );
                labelled(
                    ui,
                    "generation m",
                    DragValue::new(&mut view.generation).range(0..=8),
                );
                let max_gs = if k < 20 {
                    (1usize << k) - 1
                } else {
                    (1 << 20) - 1
                };
                labelled(
                    ui,
                    "ground state #",
                    DragValue::new(&mut view.ground_state).range(0..=max_gs),
                );
            }
        }
    });
    if state.lattice.source == LatticeSource::Fracton
        && size > 0
        && (1usize << state.lattice.generation.min(20)) >= size
    {
        invalid(
            ui,
            &format!("generation m needs 2^m < L = {size}: the pattern would wrap onto itself"),
        );
    }
    let (Some(model), Some(shown)) = (state.run.model.as_ref(), shown(state)) else {
        ui.centered_and_justified(|ui| ui.label("Start a run: its samples appear here."));
        return Vec::new();
    };
    let bits = ArrayView1::from(&shown.bits[..]);
    let m = &model.model;
    let n = m.lattice().sites();
    let defects = m.defect_count(bits);
    ui.label(format!(
        "{} · E/N = {:.4} · {defects} defect triangle{}",
        shown.title,
        m.energy(bits) / n as f64,
        if defects == 1 { "" } else { "s" }
    ));
    ui.label(
        RichText::new("black: spin up (e = 1) · white: down (e = 0) · red: defect triangle")
            .small(),
    );
    let nearest = (state.lattice.source == LatticeSource::Samples && state.lattice.show_nearest)
        .then(|| nearest_cached(ui, model, &shown.bits));
    let available = ui.available_size();
    match nearest {
        Some(Some((ground, distance))) => {
            let differ: Vec<usize> = (0..n).filter(|&i| ground[i] != bits[i]).collect();
            ui.horizontal(|ui| {
                let size = egui::vec2(available.x / 2.0 - 4.0, available.y - 20.0);
                ui.vertical(|ui| {
                    draw_lattice(ui, m, bits, &differ, size);
                });
                ui.vertical(|ui| {
                    draw_lattice(ui, m, ground.view(), &differ, size);
                    ui.label(
                        RichText::new(format!(
                            "nearest ground state: {distance} spin{} differ (ringed)",
                            if distance == 1 { "" } else { "s" }
                        ))
                        .small(),
                    );
                });
            });
        }
        Some(None) => {
            draw_lattice(ui, m, bits, &[], available - egui::vec2(0.0, 20.0));
            ui.label(
                RichText::new(format!(
                    "nearest ground state: 2^{k} states are too many to search here"
                ))
                .small(),
            );
        }
        None => draw_lattice(ui, m, bits, &shown.flipped, available),
    }
    Vec::new()
}

/// The nearest ground state of `bits`, remembered across frames for the configuration on
/// show (the search costs up to a few milliseconds at large L).
fn nearest_cached(
    ui: &Ui,
    model: &crate::app::state::RunModel,
    bits: &[u8],
) -> Option<(Array1<u8>, usize)> {
    type Cached = (Vec<u8>, Option<(Array1<u8>, usize)>);
    let id = egui::Id::unique("nearest-ground-state");
    if let Some((key, found)) = ui.data(|d| d.get_temp::<Cached>(id)) {
        if key == bits {
            return found;
        }
    }
    let found = nearest_ground_state(&model.ground_states, ArrayView1::from(bits), NEAREST_BUDGET);
    ui.data_mut(|d| d.insert_temp::<Cached>(id, (bits.to_vec(), found.clone())));
    found
}

/// Paint `bits`: triangles grey, defect triangles red, spins up (e = 1) black and down
/// (e = 0) white, `ringed` sites outlined in orange.
pub fn draw_lattice(
    ui: &mut Ui,
    model: &NewmanMoore,
    bits: ArrayView1<u8>,
    ringed: &[usize],
    size: egui::Vec2,
) {
    let (rect, _) = ui.allocate_exact_size(size.max(egui::vec2(40.0, 40.0)), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let lattice = model.lattice();
    let l = lattice.size() as f32;
    let h = 3f32.sqrt() / 2.0;
    // The drawing spans x ∈ [−0.5, 1.5L], y ∈ [−0.5, hL + 0.5].
    let (w_units, h_units) = (1.5 * l + 1.0, h * l + 1.0);
    let unit = (rect.width() / w_units).min(rect.height() / h_units);
    let origin = rect.center() - egui::vec2(unit * w_units / 2.0, unit * h_units / 2.0)
        + egui::vec2(0.5 * unit, 0.5 * unit);
    let to_screen =
        |(x, y): (f64, f64)| Pos2::new(origin.x + x as f32 * unit, origin.y + y as f32 * unit);
    let defects = model.defect_map(bits);
    for t in 0..lattice.sites() {
        let corners: Vec<Pos2> = lattice
            .triangle_corners(t)
            .iter()
            .map(|&p| to_screen(p))
            .collect();
        let fill = if defects[t] {
            Color32::from_rgb(220, 50, 47)
        } else {
            Color32::from_gray(200)
        };
        painter.add(egui::Shape::convex_polygon(
            corners,
            fill,
            Stroke::new(0.5, Color32::from_gray(120)),
        ));
    }
    let radius = (unit * 0.28).max(1.0);
    for i in 0..lattice.sites() {
        let p = to_screen(lattice.position(i));
        let fill = if bits[i] == 1 {
            Color32::BLACK
        } else {
            Color32::WHITE
        };
        painter.circle(p, radius, fill, Stroke::new(0.5, Color32::from_gray(60)));
    }
    for &i in ringed {
        let p = to_screen(lattice.position(i));
        painter.circle_stroke(
            p,
            radius + 2.0,
            Stroke::new(2.0, Color32::from_rgb(255, 150, 0)),
        );
    }
}
