//! The modes view: how often each distinct configuration is drawn (ground states in green),
//! and how many of the 2^k ground states the run has found over time — mode collapse.

use super::tab;
use crate::figures::tab10;
use egui::{Color32, RichText, Ui};
use egui_plot::{Bar, BarChart, HLine, Legend, Line, Plot};

use crate::anneal::ModeCount;
use crate::app::command::AppCommand;
use crate::app::state::AppState;

/// Most modes drawn as bars.
pub const MAX_BARS: usize = 40;

/// The modes on show — the final evaluation if there is one and it is chosen, else the
/// latest batch — and the number of samples they come from.
pub fn shown(state: &AppState) -> Option<(&[ModeCount], usize)> {
    let latest = state
        .run
        .samples
        .as_ref()
        .map(|(_, s)| (&state.run.live_modes[..], s.nrows()));
    let last = state
        .run
        .summary
        .as_ref()
        .map(|s| (&s.modes[..], s.samples));
    if state.modes_final {
        last.or(latest)
    } else {
        latest.or(last)
    }
}

/// Draw the modes view.
pub fn ui(ui: &mut Ui, state: &mut AppState) -> Vec<AppCommand> {
    let k = state
        .run
        .model
        .as_ref()
        .map(|m| m.ground_states.degeneracy_log2());
    if state.run.summary.is_some() && state.run.samples.is_some() {
        ui.horizontal(|ui| {
            ui.radio_value(&mut state.modes_final, true, "final evaluation");
            ui.radio_value(&mut state.modes_final, false, "latest batch");
        });
    }
    let Some((modes, samples)) = shown(state) else {
        ui.centered_and_justified(|ui| ui.label("Start a run: the sampled modes appear here."));
        return Vec::new();
    };
    let final_summary = state
        .run
        .summary
        .as_ref()
        .filter(|_| state.modes_final || state.run.samples.is_none());
    let (source, distinct, ground) = match final_summary {
        Some(s) => (
            "final evaluation",
            s.distinct_configurations,
            s.ground_states_found,
        ),
        None => (
            "latest batch",
            modes.len(),
            modes.iter().filter(|m| m.ground_state.is_some()).count(),
        ),
    };
    let found = state
        .run
        .metrics
        .last()
        .map_or(0, |m| m.ground_states_found);
    ui.label(format!(
        "{source}: {distinct} distinct of {samples} samples · {ground} ground state{} among them · found so far {found} of 2^{}",
        if ground == 1 { "" } else { "s" },
        k.unwrap_or(0)
    ));
    match state.run.config.as_ref().map(|c| c.network.symmetry) {
        Some(crate::nn::Symmetry::Code) => {
            ui.label(
                "network.symmetry = code: p is averaged over the ground-state code, so every ground state's exact probability is equal by construction (all bars equal)",
            );
        }
        Some(crate::nn::Symmetry::CodeAfter) => {
            ui.label(
                "network.symmetry = code after training: the final sample and the exact probabilities are of the symmetrised network (all ground-state bars equal by construction); the latest batch is the plain network's",
            );
        }
        _ => {}
    }
    if let Some(row) = state.run.distances.latest_probabilities() {
        ui.label(format!(
            "exact at step {}: ground-state mass {:.4} · effective modes {:.2} · KL to uniform {:.3}",
            row.step,
            row.ground_state_mass.unwrap_or(f64::NAN),
            row.effective_modes.unwrap_or(f64::NAN),
            row.kl_to_uniform_ground_states.unwrap_or(f64::NAN),
        ));
    }
    let height = (ui.available_height() - 8.0) / 2.0;
    let exact = super::exact_modes::exact_bars(&state.run).is_some();
    let bars: Vec<Bar> = modes
        .iter()
        .take(MAX_BARS)
        .enumerate()
        .map(|(i, m)| {
            let color = if m.ground_state.is_some() {
                tab(tab10::GREEN)
            } else {
                Color32::from_gray(150)
            };
            Bar::new(i as f64, m.count as f64 / samples.max(1) as f64)
                .fill(color)
                .name(format!(
                    "{}E/N = {:.4}{}",
                    if m.configuration.len() <= 36 {
                        format!("{}\n", m.configuration)
                    } else {
                        String::new()
                    },
                    m.energy,
                    m.ground_state
                        .as_ref()
                        .map_or(String::new(), |id| format!("\nground state {id}"))
                ))
        })
        .collect();
    let histogram = |ui: &mut Ui| {
        Plot::new("modes-histogram")
            .height(height)
            .x_axis_label("mode (most frequent first; green = ground state)")
            .y_axis_label("fraction")
            .allow_drag(false)
            .allow_zoom(false)
            .show(ui, |plot| {
                plot.bar_chart(BarChart::new("modes", bars).width(0.8));
            });
    };
    if exact {
        ui.columns(2, |columns| {
            histogram(&mut columns[0]);
            super::exact_modes::bars_plot(&mut columns[1], &state.run, height);
        });
    } else {
        histogram(ui);
    }
    let recent: Vec<[f64; 2]> = state
        .run
        .metrics
        .iter()
        .step_by(state.run.metrics.len().div_ceil(2000).max(1))
        .map(|m| [m.step as f64, m.ground_states_recent as f64])
        .collect();
    let found: Vec<[f64; 2]> = state
        .run
        .metrics
        .iter()
        .step_by(state.run.metrics.len().div_ceil(2000).max(1))
        .map(|m| [m.step as f64, m.ground_states_found as f64])
        .collect();
    Plot::new("modes-found")
        .height(height)
        .legend(Legend::default().position(egui_plot::Corner::RightBottom))
        .x_axis_label("step")
        .y_axis_label("ground states")
        .include_y(0.0)
        .show(ui, |plot| {
            plot.line(Line::new("drawn so far (warm-up included)", found).color(tab(tab10::GREEN)));
            plot.line(Line::new("drawn in the last 1,000 steps", recent).color(tab(tab10::ORANGE)));
            super::exact_modes::add_effective_modes(plot, &state.run);
            if let Some(k) = k.filter(|&k| k < 53) {
                plot.hline(
                    HLine::new(format!("2^{k} ground states"), 2f64.powi(k as i32))
                        .color(Color32::from_rgb(200, 30, 30)),
                );
            }
        });
    if k.is_some_and(|k| k > 0) && found_all(state) {
        ui.label(RichText::new("every ground state found").small());
    }
    Vec::new()
}

fn found_all(state: &AppState) -> bool {
    let k = state
        .run
        .model
        .as_ref()
        .map_or(64, |m| m.ground_states.degeneracy_log2());
    k < 63
        && state
            .run
            .metrics
            .last()
            .is_some_and(|m| m.ground_states_found as u64 >= 1u64 << k)
}
