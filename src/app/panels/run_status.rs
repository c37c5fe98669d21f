//! The run panel's lower half: start/pause/stop/snapshot, the progress line and the facts of
//! the run on show.

use egui::{RichText, Ui};

use super::invalid;

use crate::anneal::ScheduleShape;
use crate::app::command::AppCommand;
use crate::app::state::{AppState, RunStatus};
use crate::nn::Symmetry;

/// Start, pause, stop and snapshot, each enabled when it applies.
pub(super) fn controls(ui: &mut Ui, state: &AppState) -> Vec<AppCommand> {
    let mut out = Vec::new();
    let active = state.status.is_active();
    let can_start = !active && state.form.error().is_none();
    ui.horizontal(|ui| {
        let start = ui
            .add_enabled(
                can_start,
                egui::Button::new(RichText::new("Start").strong()),
            )
            .on_hover_text("Start an anneal with these settings on the worker thread");
        if start.clicked() {
            out.push(AppCommand::Start);
        }
        match state.status {
            RunStatus::Paused => {
                if ui.button("Resume").clicked() {
                    out.push(AppCommand::Resume);
                }
            }
            _ => {
                if ui.add_enabled(active, egui::Button::new("Pause")).clicked() {
                    out.push(AppCommand::Pause);
                }
            }
        }
        if ui.add_enabled(active, egui::Button::new("Stop")).clicked() {
            out.push(AppCommand::Stop);
        }
        if !active
            && state.run.resumable
            && ui
                .button("Resume run")
                .on_hover_text("Continue this unfinished run from its resume.npz")
                .clicked()
        {
            out.push(AppCommand::ResumeRun);
        }
        if ui
            .add_enabled(active, egui::Button::new("Snapshot"))
            .on_hover_text("Save the current weights as a checkpoint for landscapes")
            .clicked()
        {
            out.push(AppCommand::Snapshot);
        }
    });
    out
}

/// The phase, the step, the rate and the latest energy.
pub(super) fn progress(ui: &mut Ui, state: &AppState) {
    let run = &state.run;
    let total = run.total_steps().max(1);
    let status = match &state.status {
        RunStatus::Idle => "idle".to_string(),
        RunStatus::Running => "running".into(),
        RunStatus::Paused => "paused".into(),
        RunStatus::Finished => "finished".into(),
        RunStatus::Stopped(steps) => format!("stopped after {steps} steps"),
        RunStatus::Failed(_) => "failed".into(),
        RunStatus::Opened => "opened from disk".into(),
    };
    // What ran, for an opened run as much as a live one (the form may hold another preset).
    if let Some(c) = &run.config {
        let mut regularised = if c.anneal.entropy_start > 0.0 {
            format!(", RVQA T_f0 = {}", c.anneal.entropy_start)
        } else {
            String::new()
        };
        if c.anneal.schedule == ScheduleShape::Settled {
            regularised += ", settled schedule";
        }
        match c.network.symmetry {
            Symmetry::None => {}
            Symmetry::Code => regularised += ", code-symmetrised",
            Symmetry::CodeAfter => regularised += ", code-symmetrised after training",
        }
        ui.label(
            RichText::new(format!(
                "{} L = {}, {} × {}, {} η = {}, {} estimator, {} gradient, {}{regularised}",
                format!("{:?}", c.anneal.kind).to_lowercase(),
                c.lattice.size,
                c.network.cell.name(),
                c.network.hidden,
                c.anneal.optimizer.kind.name(),
                c.anneal.learning_rate,
                format!("{:?}", c.anneal.estimator).to_lowercase(),
                format!("{:?}", c.anneal.gradient).to_lowercase(),
                format!("{:?}", c.network.precision).to_lowercase(),
            ))
            .small(),
        );
    }
    let Some(last) = run.metrics.last() else {
        ui.label(format!("Status: {status}"));
        return;
    };
    let done = last.step + 1;
    let x = last.temperature.max(last.field);
    let rate = run.steps_per_second().unwrap_or(0.0);
    let eta = if state.status.is_active() {
        run.eta_seconds()
            .map_or(String::new(), |s| format!(" · ETA {}", duration(s)))
    } else {
        String::new()
    };
    ui.add(
        egui::ProgressBar::new(done as f32 / total as f32).text(format!(
            "{} · {}={x:.3} · {done}/{total}",
            last.phase,
            run.symbol()
        )),
    );
    ui.label(format!("Status: {status} · {rate:.0} steps/s{eta}"));
    ui.label(format!(
        "<E>/N = {:.4} · objective {:.4} · ground states {}",
        last.energy_mean, last.objective_mean, last.ground_states_found
    ));
}

fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

/// Where the run on show lives and what it is.
pub(super) fn run_info(ui: &mut Ui, state: &AppState) {
    let run = &state.run;
    if let Some(dir) = &run.dir {
        ui.label(RichText::new(format!("Folder: {}", dir.display())).small());
    }
    if let Some(config) = &run.config {
        ui.label(RichText::new(config.title()).small());
    }
    if let RunStatus::Failed(message) = &state.status {
        invalid(ui, message);
    }
    if let Some(summary) = &run.summary {
        ui.separator();
        ui.label(RichText::new("Final evaluation").strong());
        ui.label(format!(
            "{} samples: <E>/N = {:.5} (E0/N = {:.5})",
            summary.samples, summary.energy_mean, summary.ground_energy
        ));
        ui.label(format!(
            "ground-state fraction {:.4}; {} distinct configurations",
            summary.ground_state_fraction, summary.distinct_configurations
        ));
        ui.label(format!(
            "ground states found: {} of 2^{} (drawn in the last 1,000 steps {}, at any step {})",
            summary.ground_states_found,
            summary.degeneracy_log2,
            summary.ground_states_drawn_last_1000_steps,
            summary.ground_states_drawn_any_step
        ));
    }
}
