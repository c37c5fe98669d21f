//! Carrying out the panels' commands: the one `match` that turns each [`AppCommand`] into a
//! worker command, a background job or a change of state.

use std::path::PathBuf;

use super::{panels, screenshot, AnnealscapeApp, AppCommand, AppState, ExportDialog, View, NOW};
use crate::run::{Command, RunLayout};

impl AnnealscapeApp {
    /// Carry out one command.
    pub fn handle(&mut self, ctx: &egui::Context, command: AppCommand) {
        let state = &mut self.state;
        match command {
            AppCommand::LoadPreset(name) => {
                if let Err(e) = state.form.load_preset(&name) {
                    state.fail(e.to_string());
                }
            }
            AppCommand::Start => {
                if state.status.is_active() {
                    state.fail("a run is going: stop it before starting another");
                } else if let Some((_, why)) = state.form.error() {
                    state.fail(format!("cannot start: {why}"));
                } else {
                    let dir = state.form.new_run_dir();
                    state.landscape.source = NOW.to_string();
                    self.landscapes.restart();
                    self.films.restart();
                    self.worker
                        .send(Command::Start(Box::new(state.form.config.clone()), dir));
                }
            }
            AppCommand::ResumeRun => match (&state.run.dir, state.run.resumable) {
                (Some(dir), true) if !state.status.is_active() => {
                    self.landscapes.cancel();
                    self.worker.send(Command::Continue(dir.clone()));
                }
                _ => state.fail("no unfinished run is open: open one with Open run… first"),
            },
            AppCommand::Pause => self.worker.send(Command::Pause),
            AppCommand::Resume => self.worker.send(Command::Resume),
            AppCommand::Stop => self.worker.send(Command::Stop),
            AppCommand::Snapshot => self.worker.send(Command::Snapshot),
            AppCommand::ChooseRun => {
                if state.dialog_available {
                    self.jobs.choose_folder(state.form.runs_dir.clone());
                } else {
                    state.open_path = Some(state.form.runs_dir.display().to_string());
                }
            }
            AppCommand::OpenRun(dir) => {
                state.open_path = None;
                if state.status.is_active() {
                    state.fail("a run is going: stop it before opening another");
                } else {
                    self.jobs.open_run(dir);
                }
            }
            AppCommand::ComputeLandscape => self.landscapes.compute(state, &self.jobs, true),
            AppCommand::CancelLandscape => {
                self.landscapes.cancel();
                state.landscape.computing = false;
                state.landscape.follow_live = false;
            }
            AppCommand::ComputeFilm => self.films.compute(state, &self.jobs),
            AppCommand::CancelFilm => {
                self.films.stop();
                state.film.computing = false;
            }
            AppCommand::OpenFilm(name) => open_film(state, &name),
            AppCommand::FilmJumpToStep(step) => {
                state.film.active = true;
                state.film.playing = false;
                state.film.jump_to_step(step);
            }
            AppCommand::Export(view, figure) => {
                let default = default_export_path(state, view, figure);
                if state.dialog_available {
                    self.jobs.choose_path(view, figure, default);
                } else {
                    state.export = Some(ExportDialog {
                        view,
                        figure,
                        path: default.display().to_string(),
                        reason: "No file dialog is available here (no XDG portal on the session bus): type the path.".into(),
                    });
                }
            }
            AppCommand::WriteExport => {
                if let Some(export) = state.export.take() {
                    let path = PathBuf::from(export.path.trim());
                    self.write_export(export.view, export.figure, path);
                }
            }
            AppCommand::CancelExport => state.export = None,
            AppCommand::CancelOpen => state.open_path = None,
            AppCommand::ChooseSweep => {
                if state.dialog_available {
                    self.jobs.choose_sweep_folder(state.form.runs_dir.clone());
                } else {
                    state.open_sweep_path = Some(state.form.runs_dir.display().to_string());
                }
            }
            AppCommand::OpenSweep(dir) => {
                state.open_sweep_path = None;
                state.sweep = Some(crate::app::sweep_view::SweepView {
                    dir: dir.clone(),
                    reading: true,
                    ..Default::default()
                });
                self.jobs.open_sweep(dir);
            }
            AppCommand::CancelOpenSweep => state.open_sweep_path = None,
            AppCommand::CloseSweep => state.sweep = None,
            AppCommand::SaveScreenshot => {
                let path = default_screenshot_path(state);
                screenshot::request(ctx, path, self.jobs.sender(), false);
            }
            AppCommand::Maximize(view) => state.maximized = view,
            AppCommand::DismissMessage(n) => {
                if n < state.messages.len() {
                    state.messages.remove(n);
                }
            }
        }
    }

    pub(super) fn write_export(&mut self, view: View, figure: bool, path: PathBuf) {
        match panels::export_content(&self.state, view) {
            Ok(content) => self.jobs.write(content, path, figure),
            Err(why) => self.state.fail(why.to_string()),
        }
    }
}

/// Show the stored film `name` of the run on show.
pub(super) fn open_film(state: &mut AppState, name: &str) {
    let Some(dir) = state.run.dir.clone() else {
        state.fail("no run is open: open the run whose film to show");
        return;
    };
    let path = dir.join(RunLayout::FILMS).join(format!("{name}.npz"));
    match crate::landscape::load_film(&path) {
        Ok(film) => {
            state.film.active = true;
            state.film.playing = false;
            state.film.update(film);
            state.film.adopt_settings();
            state.film.show(0);
        }
        Err(e) => state.fail(format!("film: {e}")),
    }
}

fn default_export_path(state: &AppState, view: View, figure: bool) -> PathBuf {
    let dir = state.run.dir.as_ref().map_or_else(
        || state.form.runs_dir.clone(),
        |d| d.join(RunLayout::FIGURES),
    );
    if view == View::Landscape && state.film.active {
        // The whole film by default; .png or .svg gives the frame on show.
        return if figure {
            dir.join("film.gif")
        } else {
            dir.join("film-vtk").join("film.pvd")
        };
    }
    let ext = match (figure, view) {
        (true, _) => "png",
        (false, View::Landscape) => "npz",
        (false, _) => "csv",
    };
    let dir = state.run.dir.as_ref().map_or_else(
        || state.form.runs_dir.clone(),
        |d| d.join(RunLayout::FIGURES),
    );
    dir.join(format!("{}.{ext}", view.file_stem()))
}

fn default_screenshot_path(state: &AppState) -> PathBuf {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let dir = state
        .run
        .dir
        .clone()
        .unwrap_or_else(|| state.form.runs_dir.clone());
    dir.join(format!("screenshot-{seconds}.png"))
}
