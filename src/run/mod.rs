//! Runs: configuration, run folders, the blocking loop the command line and tests use, and
//! the worker thread the app drives. Nothing here knows egui.

mod config;
mod exact_curve;
mod folder;
mod landscapes;
mod metrics_file;
mod trajectory;
mod worker;

use std::path::Path;

pub use config::{ConfigError, LatticeConfig, OutputConfig, RunConfig, MAX_RUN_SIZE, PRESETS};
pub use exact_curve::exact_curve;
pub use folder::{write_samples, RunWriter};
pub use landscapes::{LandscapeRequest, RunFolder};
pub use metrics_file::read_metrics;
pub use trajectory::Trajectory;
pub use worker::{Command, Event, Worker};

use crate::anneal::{Annealer, Control, FinalSummary, Observer, Outcome, SnapshotView, StepView};
use crate::physics::Lattice;

/// The run folder's writer followed by another observer: files are written first, so what
/// the other observer sees is already on disk.
struct Both<'a> {
    writer: RunWriter,
    other: &'a mut dyn Observer,
}

impl Observer for Both<'_> {
    fn on_step(&mut self, step: &StepView<'_>) -> Result<Control, String> {
        self.writer.on_step(step)?;
        self.other.on_step(step)
    }
    fn on_snapshot(&mut self, snapshot: &SnapshotView<'_>) -> Result<(), String> {
        self.writer.on_snapshot(snapshot)?;
        self.other.on_snapshot(snapshot)
    }
    fn on_finish(&mut self, summary: &FinalSummary) -> Result<(), String> {
        self.writer.on_finish(summary)?;
        self.other.on_finish(summary)
    }
}

/// Build the annealer a configuration describes.
pub fn annealer(config: &RunConfig) -> Result<Annealer, String> {
    config.validate().map_err(|e| e.to_string())?;
    let lattice = Lattice::new(config.lattice.size).map_err(|e| e.to_string())?;
    Annealer::new(
        lattice,
        config.lattice.coupling,
        config.network,
        &config.anneal,
        config.seed,
    )
}

/// Run `config` to the end on this thread, writing the run folder `dir` and reporting to
/// `observer`. On failure the files written so far are kept and the error says why.
pub fn run_blocking(
    config: &RunConfig,
    dir: &Path,
    observer: &mut dyn Observer,
) -> Result<Outcome, String> {
    let mut annealer = annealer(config)?;
    let writer = RunWriter::create(dir, config)?;
    let mut both = Both {
        writer,
        other: observer,
    };
    annealer.run(&mut both).map_err(|e| e.to_string())
}
