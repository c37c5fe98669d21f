//! The run panel: preset, settings with inline validation; the controls, progress and the
//! run's facts are in `run_status`.

use egui::{DragValue, RichText, Ui};

use super::run_status::{controls, progress, run_info};
use super::{invalid, labelled};
use crate::anneal::{AnnealKind, Estimator, GradientSource, ScheduleShape};
use crate::app::command::AppCommand;
use crate::app::state::AppState;
use crate::nn::{Cell, OptimizerKind, Precision, Symmetry, PAPER_PARAMETERS};
use crate::run::{MAX_RUN_SIZE, PRESETS};

/// Draw the run panel.
pub fn ui(ui: &mut Ui, state: &mut AppState) -> Vec<AppCommand> {
    let mut out = Vec::new();
    ui.heading("Run");
    let active = state.status.is_active();
    ui.add_enabled_ui(!active, |ui| {
        let mut preset = state.form.preset.clone();
        egui::ComboBox::from_label("Preset")
            .selected_text(&preset)
            .show_ui(ui, |ui| {
                for (name, _) in PRESETS {
                    ui.selectable_value(&mut preset, name.to_string(), name);
                }
            });
        if preset != state.form.preset {
            out.push(AppCommand::LoadPreset(preset));
        }
        settings(ui, state);
    });
    ui.add_space(6.0);
    out.extend(controls(ui, state));
    ui.add_space(6.0);
    progress(ui, state);
    ui.separator();
    if ui
        .add_enabled(!active, egui::Button::new("Open run…"))
        .on_hover_text("Browse a finished run folder (from the app or `annealscape anneal`)")
        .clicked()
    {
        out.push(AppCommand::ChooseRun);
    }
    run_info(ui, state);
    out
}

fn settings(ui: &mut Ui, state: &mut AppState) {
    let k = state.form.degeneracy_log2();
    let form = &mut state.form;
    let error = form.error();
    let c = &mut form.config;
    let symbol = c.anneal.kind.symbol();
    egui::Grid::new("run-settings")
        .num_columns(2)
        .spacing([8.0, 4.0])
        .show(ui, |ui| {
            labelled(
                ui,
                "L",
                DragValue::new(&mut c.lattice.size).range(1..=MAX_RUN_SIZE + 1),
            )
            .on_hover_text("Linear size: N = L² spins on the triangular torus");
            ui.end_row();
            mark(ui, &error, "lattice.size");
            ui.label("");
            ui.label(match k {
                Some(0) => format!("N = {} · a single ground state", c.lattice.size.pow(2)),
                Some(k) => format!(
                    "N = {} · 2^{k} = {} ground states",
                    c.lattice.size.pow(2),
                    degeneracy_text(k)
                ),
                None => String::new(),
            });
            ui.end_row();
            let label = ui.label("Annealed");
            egui::ComboBox::from_id_salt("kind")
                .selected_text(match c.anneal.kind {
                    AnnealKind::Quantum => "quantum (field B)",
                    AnnealKind::Thermal => "thermal (temperature T)",
                })
                .show_ui(ui, |ui| {
                    ui.selectable_value(
                        &mut c.anneal.kind,
                        AnnealKind::Quantum,
                        "quantum (field B)",
                    );
                    ui.selectable_value(
                        &mut c.anneal.kind,
                        AnnealKind::Thermal,
                        "thermal (temperature T)",
                    );
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            mark(ui, &error, "anneal.kind");
            labelled(
                ui,
                &format!("{symbol}₀"),
                DragValue::new(&mut c.anneal.start)
                    .speed(0.01)
                    .range(-1.0..=1e7),
            );
            ui.end_row();
            mark(ui, &error, "anneal.start");
            labelled(
                ui,
                "Warm-up steps",
                DragValue::new(&mut c.anneal.warmup_steps),
            );
            ui.end_row();
            mark(ui, &error, "anneal.warmup_steps");
            labelled(
                ui,
                &format!("{symbol} values"),
                DragValue::new(&mut c.anneal.anneal_steps),
            )
            .on_hover_text("Number of values in the descent to 0");
            ui.end_row();
            mark(ui, &error, "anneal.anneal_steps");
            labelled(
                ui,
                "Steps per value",
                DragValue::new(&mut c.anneal.train_steps),
            );
            ui.end_row();
            mark(ui, &error, "anneal.train_steps");
            schedule_rows(ui, c, &error);
            let label = ui.label("Cell");
            egui::ComboBox::from_id_salt("cell")
                .selected_text(c.network.cell.name())
                .show_ui(ui, |ui| {
                    for cell in Cell::ALL {
                        let matched = cell.hidden_matching(c.lattice.size, PAPER_PARAMETERS);
                        ui.selectable_value(&mut c.network.cell, cell, cell.name())
                            .on_hover_text(format!(
                                "{}; {matched} hidden units match the paper's 3,482 parameters at this L",
                                cell_description(cell)
                            ));
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            mark(ui, &error, "network.cell");
            labelled(
                ui,
                "Hidden units",
                DragValue::new(&mut c.network.hidden),
            );
            ui.end_row();
            mark(ui, &error, "network.hidden");
            labelled(ui, "Samples M", DragValue::new(&mut c.anneal.samples));
            ui.end_row();
            mark(ui, &error, "anneal.samples");
            labelled(
                ui,
                "Mini-batches K",
                DragValue::new(&mut c.anneal.minibatches),
            );
            ui.end_row();
            mark(ui, &error, "anneal.minibatches");
            let label = ui.label("Optimiser");
            egui::ComboBox::from_id_salt("optimizer")
                .selected_text(c.anneal.optimizer.kind.name())
                .show_ui(ui, |ui| {
                    for (kind, hover) in [
                        (OptimizerKind::Adam, "The paper's Adam"),
                        (OptimizerKind::Amsgrad, "Adam whose v̂ is a running maximum: no late kick when the gradient vanishes"),
                        (OptimizerKind::AdamClipped, "Adam with each tensor's update divided by max(1, RMS(g²/v̂))"),
                        (OptimizerKind::Sgd, "Plain gradient descent θ ← θ − η g"),
                        (OptimizerKind::Sr, "Natural gradient in sample space (minSR; SPRING with momentum > 0)"),
                    ] {
                        ui.selectable_value(&mut c.anneal.optimizer.kind, kind, kind.name())
                            .on_hover_text(hover);
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            mark(ui, &error, "optimizer.kind");
            if c.anneal.optimizer.kind == OptimizerKind::Sr {
                labelled(
                    ui,
                    "Diagonal shift λ",
                    DragValue::new(&mut c.anneal.optimizer.diag_shift)
                        .speed(1e-4)
                        .max_decimals(6),
                );
                ui.end_row();
                mark(ui, &error, "optimizer.diag_shift");
                labelled(
                    ui,
                    "Momentum μ",
                    DragValue::new(&mut c.anneal.optimizer.momentum).speed(0.01),
                );
                ui.end_row();
                mark(ui, &error, "optimizer.momentum");
            }
            labelled(
                ui,
                "Learning rate",
                DragValue::new(&mut c.anneal.learning_rate)
                    .speed(1e-4)
                    .max_decimals(6),
            );
            ui.end_row();
            mark(ui, &error, "anneal.learning_rate");
            let label = ui.label("Estimator");
            egui::ComboBox::from_id_salt("estimator")
                .selected_text(format!("{:?}", c.anneal.estimator).to_lowercase())
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut c.anneal.estimator, Estimator::Standard, "standard");
                    ui.selectable_value(&mut c.anneal.estimator, Estimator::Authors, "authors");
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            mark(ui, &error, "anneal.estimator");
            let label = ui.label("Gradient");
            egui::ComboBox::from_id_salt("gradient")
                .selected_text(format!("{:?}", c.anneal.gradient).to_lowercase())
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut c.anneal.gradient, GradientSource::Sampled, "sampled")
                        .on_hover_text("Means over the step's M samples (the paper's)");
                    ui.selectable_value(&mut c.anneal.gradient, GradientSource::Exact, "exact")
                        .on_hover_text(
                            "p-weighted sums over all 2^N configurations: no sampling noise (N ≤ 16)",
                        );
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            mark(ui, &error, "anneal.gradient");
            if c.anneal.kind == crate::anneal::AnnealKind::Quantum {
                labelled(
                    ui,
                    "Entropy T_f0",
                    DragValue::new(&mut c.anneal.entropy_start)
                        .speed(0.01)
                        .range(0.0..=1e6),
                )
                .on_hover_text(
                    "RVQA: descend ⟨E⟩ − T_f·S with T_f = T_f0·B/B₀ falling to 0 with B (0 = off)",
                );
                ui.end_row();
                mark(ui, &error, "anneal.entropy_start");
            }
            let label = ui.label("Precision");
            egui::ComboBox::from_id_salt("precision")
                .selected_text(format!("{:?}", c.network.precision).to_lowercase())
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut c.network.precision, Precision::F64, "f64")
                        .on_hover_text(
                            "Double precision: the paper's, and every exact comparison's",
                        );
                    ui.selectable_value(&mut c.network.precision, Precision::F32, "f32")
                        .on_hover_text(
                            "Single precision passes (about 1.5× faster); parameters, Adam and \
                             sums over sites stay f64",
                        );
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("Symmetry");
            egui::ComboBox::from_id_salt("symmetry")
                .selected_text(match c.network.symmetry {
                    Symmetry::None => "none",
                    Symmetry::Code => "code",
                    Symmetry::CodeAfter => "code after training",
                })
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut c.network.symmetry, Symmetry::None, "none")
                        .on_hover_text("The plain network (the paper's)");
                    ui.selectable_value(&mut c.network.symmetry, Symmetry::Code, "code")
                        .on_hover_text(
                            "Average p over the 2^k ground-state codewords in training: every \
                             ground state equally likely by construction; 2^k passes per log p",
                        );
                    ui.selectable_value(
                        &mut c.network.symmetry,
                        Symmetry::CodeAfter,
                        "code after training",
                    )
                    .on_hover_text(
                        "Train the plain network; report the symmetrised one (final sample, \
                         exact distances, modes)",
                    );
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            mark(ui, &error, "network.symmetry");
            labelled(ui, "Seed", DragValue::new(&mut c.seed));
            ui.end_row();
        });
    let total = form.config.anneal.schedule().total_steps();
    ui.label(RichText::new(format!("{total} steps in all")).small());
    if let Some((None, reason)) = &error {
        invalid(ui, reason);
    }
    ui.horizontal(|ui| {
        let mut dir = form.runs_dir.display().to_string();
        if labelled(
            ui,
            "Runs folder",
            egui::TextEdit::singleline(&mut dir).desired_width(150.0),
        )
        .changed()
        {
            form.runs_dir = dir.into();
        }
    });
}

/// The schedule's shape, and the settled schedule's window, tolerance and dwell.
fn schedule_rows(
    ui: &mut Ui,
    c: &mut crate::run::RunConfig,
    error: &Option<(Option<&'static str>, String)>,
) {
    let label = ui.label("Schedule");
    egui::ComboBox::from_id_salt("schedule")
        .selected_text(format!("{:?}", c.anneal.schedule).to_lowercase())
        .show_ui(ui, |ui| {
            for (shape, name, hint) in [
                (ScheduleShape::Linear, "linear", "X falls in equal steps (the paper's)"),
                (
                    ScheduleShape::Exponential,
                    "exponential",
                    "X falls by a constant ratio to anneal.end_ratio",
                ),
                (
                    ScheduleShape::Settled,
                    "settled",
                    "The linear values, each held until the objective settles or the dwell runs out, in the same number of steps",
                ),
            ] {
                ui.selectable_value(&mut c.anneal.schedule, shape, name)
                    .on_hover_text(hint);
            }
        })
        .response
        .labelled_by(label.id);
    ui.end_row();
    mark(ui, error, "anneal.schedule");
    if c.anneal.schedule == ScheduleShape::Settled {
        labelled(
            ui,
            "Settle window w",
            DragValue::new(&mut c.anneal.settle_window).range(1..=10_000),
        )
        .on_hover_text("Settled when the mean of the last w steps moved by at most the tolerance");
        ui.end_row();
        mark(ui, error, "anneal.settle_window");
        labelled(
            ui,
            "Settle tolerance",
            DragValue::new(&mut c.anneal.settle_tolerance)
                .speed(1e-4)
                .max_decimals(6)
                .range(0.0..=1.0),
        );
        ui.end_row();
        mark(ui, error, "anneal.settle_tolerance");
        labelled(ui, "Max dwell", DragValue::new(&mut c.anneal.max_dwell))
            .on_hover_text("Most steps at one value (at least the steps per value)");
        ui.end_row();
        mark(ui, error, "anneal.max_dwell");
    }
}

/// A grid row under the field the form's first error is about, giving the reason.
fn mark(ui: &mut Ui, error: &Option<(Option<&'static str>, String)>, field: &str) {
    if let Some((Some(f), reason)) = error {
        if *f == field {
            ui.label("");
            invalid(ui, reason);
            ui.end_row();
        }
    }
}

fn degeneracy_text(k: usize) -> String {
    if k < 40 {
        (1u64 << k).to_string()
    } else {
        format!("{:.3e}", 2f64.powi(k as i32))
    }
}

/// What each cell is, for the form's hover text.
fn cell_description(cell: Cell) -> &'static str {
    match cell {
        Cell::Rnn2d => "The paper's 2D vanilla RNN",
        Cell::Gru2d => {
            "The gated 2D RNN (an update gate between a candidate and the neighbours' states)"
        }
        Cell::Tensorized2d => "The tensorised 2D RNN (bilinear in the neighbours' bits and states)",
        Cell::Made => "A masked dense network (MADE), one hidden layer",
        Cell::Transformer => {
            "A one-layer, two-head causal transformer with learned positions (hidden = its width d)"
        }
    }
}
