//! What panels ask for; the app carries commands out in one place after the frame.

use std::path::PathBuf;

use super::state::View;

/// A request from a panel.
#[derive(Debug, Clone, PartialEq)]
pub enum AppCommand {
    /// Replace the form with a preset.
    LoadPreset(String),
    /// Start a run with the form's configuration.
    Start,
    /// Pause the run.
    Pause,
    /// Resume the run.
    Resume,
    /// Stop the run (a `stopped` checkpoint is written).
    Stop,
    /// Continue the opened run, which did not finish, from its `resume.npz`.
    ResumeRun,
    /// Take a snapshot now.
    Snapshot,
    /// Choose a run folder to open.
    ChooseRun,
    /// Open the run folder.
    OpenRun(PathBuf),
    /// Close the typed-path window of "Open run…".
    CancelOpen,
    /// Choose a sweep folder to open.
    ChooseSweep,
    /// Open the sweep folder (its runs as a table).
    OpenSweep(PathBuf),
    /// Close the typed-path window of "Open sweep…".
    CancelOpenSweep,
    /// Close the sweep window.
    CloseSweep,
    /// Compute the landscape with the view's settings.
    ComputeLandscape,
    /// Cancel the landscape being computed.
    CancelLandscape,
    /// Compute the film the landscape view's film mode asks for.
    ComputeFilm,
    /// Cancel the film being computed.
    CancelFilm,
    /// Show the stored film `RUN/films/NAME.npz` of the run on show.
    OpenFilm(String),
    /// Show the film's frame nearest this step (a click on the curves).
    FilmJumpToStep(i64),
    /// Export a view's figure (`true`) or data (`false`): choose the path.
    Export(View, bool),
    /// Write the pending export to the typed path.
    WriteExport,
    /// Close the pending export.
    CancelExport,
    /// Save a screenshot of the window.
    SaveScreenshot,
    /// Show one view alone, or the grid.
    Maximize(Option<View>),
    /// Remove message `n`.
    DismissMessage(usize),
}
