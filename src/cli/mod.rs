//! The command line: `exact`, `anneal`, `eval`, `presets`, `landscape`, `distance`, `figure`
//! and `bench`.
//!
//! Output is tab-separated with one header line on stdout; a bad value exits with code 2 and
//! a one-line message naming it.

mod anneal;
mod baseline;
mod bench;
mod bench_baselines;
mod bench_cells;
mod bench_landscape;
mod cells;
mod curvature;
mod direction;
mod distance;
mod error;
mod exact;
mod figure;
mod figure3d;
mod film;
mod landscape;
mod remedies;
mod represent;
mod reproduce;
mod scaling;
mod signals;
mod snapshot_args;
mod study_runner;
mod sweep;
pub mod values;

use clap::{Parser, Subcommand};
use std::io::Write;

pub use error::CliError;
pub use exact::ExactCommand;

/// annealscape: neural annealing of autoregressive networks on the Newman–Moore model.
#[derive(Debug, Parser)]
#[command(name = "annealscape", version, about)]
pub struct Cli {
    /// What to do; without a command the desktop app opens.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// App: the preset loaded into the run form.
    #[arg(long, default_value = "quick")]
    pub preset: String,
    /// App: the folder new runs are written under.
    #[arg(long, default_value = "runs")]
    pub runs: std::path::PathBuf,
    /// App: start the preset as soon as the window opens.
    #[arg(long)]
    pub start: bool,
    /// App: open this run folder to browse it.
    #[arg(long, value_name = "RUN")]
    pub open: Option<std::path::PathBuf>,
    /// App: open this sweep folder in the sweep window.
    #[arg(long, value_name = "SWEEP")]
    pub open_sweep: Option<std::path::PathBuf>,
    /// App: with --open, show the run's stored film RUN/films/NAME.npz in the landscape view.
    #[arg(long, requires = "open")]
    pub film: Option<String>,
    /// App: with --film, the frame nearest this step.
    #[arg(long, requires = "film")]
    pub film_step: Option<i64>,
    /// App: with --film, show the frame as a 3D surface.
    #[arg(long = "3d", requires = "film")]
    pub three_d: bool,
    /// App: with --start, film the run as it goes: this many frames planned over the whole
    /// run in a filter plane, each computed once the run has reached it.
    #[arg(long, value_name = "FRAMES", requires = "start")]
    pub live_film: Option<usize>,
    /// App: after --frames frames save a PNG of the window here and quit (smoke tests).
    #[arg(long, value_name = "PATH")]
    pub screenshot: Option<std::path::PathBuf>,
    /// App: frames drawn before the --screenshot is taken.
    #[arg(long, default_value_t = 60)]
    pub frames: u64,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Exact answers for the Newman–Moore model: degeneracy, thermodynamics, ground energy.
    #[command(subcommand)]
    Exact(ExactCommand),
    /// Run an anneal headless into a run folder.
    Anneal(anneal::AnnealArgs),
    /// log p, energy and local objective of given configurations under a checkpoint.
    Eval(anneal::EvalArgs),
    /// List the shipped presets.
    Presets,
    /// Exact distances of a snapshot to its target: KL, fidelity, gap, ground-state modes.
    Distance(distance::DistanceArgs),
    /// The direction one update would take at a snapshot: −∇O, the natural-gradient step or
    /// Adam's, written under the parameter names with its norm and cosine with −∇O
    Direction(direction::DirectionArgs),
    /// The Hessian spectrum at a snapshot: top and bottom eigenvalues, trace, Adam's
    /// preconditioned sharpness and its threshold (SPEC §6.1–6.2).
    Curvature(curvature::CurvatureArgs),
    /// Draw a run's figures (PNG or SVG).
    Figure(figure::FigureArgs),
    /// Loss landscapes around a run's snapshots, stored in RUN/landscapes/.
    Landscape(landscape::LandscapeArgs),
    /// The landscape along the whole anneal in one fixed plane, stored in RUN/films/, with
    /// GIF, MP4, PNG and VTK exports.
    Film(film::FilmArgs),
    /// A classical baseline (SA, PT or SQA): R runs at one budget, one TSV row.
    #[command(subcommand)]
    Baseline(baseline::BaselineCommand),
    /// Residual energy against annealing length (SA, PT, SQA and neural runs), fitted by the
    /// laws of SPEC §7: a CSV, a fit table and a figure.
    Scaling(scaling::ScalingArgs),
    /// Many runs from one sweep specification, here (--jobs) or as a Slurm array (--slurm).
    Sweep(sweep::SweepArgs),
    /// The status of every run of a sweep folder, read from the folder.
    SweepStatus {
        /// The sweep folder.
        sweep: std::path::PathBuf,
    },
    /// Write SWEEP/runs.csv: one row per run, its axes and outcome.
    Collect {
        /// The sweep folder.
        sweep: std::path::PathBuf,
    },
    /// The paper's study (SPEC §5) as one sweep, its landscapes and DIR/report.md beside the
    /// paper's numbers; --quick (default, < 25 min on 2 cores) or --full (hours).
    Reproduce(reproduce::ReproduceArgs),
    /// Every remedy (AMSGrad, natural gradient, exact gradients, RVQA, the settled schedule,
    /// a wider network, more samples) against the paper's Adam over seeds, scored in
    /// DIR/report.md; --quick (default, about 30 min on 2 cores) or --full (days: use --slurm).
    Remedies(remedies::RemediesArgs),
    /// Representability against trainability (SPEC §9): anneals as a sweep, then at each of a
    /// few X the KL the anneal reached beside the KL a fit by exact gradients reaches, in
    /// DIR/report.md; --quick (default, L = 3) or --full (L = 3 and 4, hours).
    Cells(cells::CellsArgs),
    /// Fit a network by the exact forward KL to an exact target (Boltzmann at T, |ψ₀(B)|²,
    /// the ground-state mixture) over all 2^N configurations: how well it can represent it.
    Represent(represent::RepresentArgs),
    /// Measure the speed of the physics core and print a table.
    Bench {
        /// Which benchmark to run.
        #[arg(value_enum, default_value = "physics")]
        suite: bench::Suite,
        /// Include the slowest cases (Lanczos at L = 5).
        #[arg(long)]
        full: bool,
    },
}

/// Run a parsed command, writing its table to `out` and notes to stderr.
pub fn run(command: Command, out: &mut dyn Write) -> Result<(), CliError> {
    match command {
        Command::Exact(cmd) => exact::run(cmd, out),
        Command::Anneal(args) => anneal::anneal(args, out),
        Command::Eval(args) => anneal::eval(args, out),
        Command::Presets => anneal::presets(out),
        Command::Landscape(args) => landscape::landscape(args, out),
        Command::Film(args) => film::film(args, out),
        Command::Figure(args) => figure::figure(args, out),
        Command::Distance(args) => distance::distance(args, out),
        Command::Direction(args) => direction::direction(args, out),
        Command::Curvature(args) => curvature::curvature(args, out),
        Command::Baseline(cmd) => baseline::baseline(cmd, out),
        Command::Scaling(args) => scaling::scaling(args, out),
        Command::Sweep(args) => sweep::sweep(args, out),
        Command::SweepStatus { sweep } => sweep::sweep_status(sweep, out),
        Command::Collect { sweep } => sweep::collect_runs(sweep, out),
        Command::Reproduce(args) => reproduce::reproduce(args, out),
        Command::Remedies(args) => remedies::remedies(args, out),
        Command::Cells(args) => cells::cells(args, out),
        Command::Represent(args) => represent::represent_command(args, out),
        Command::Bench { suite, full } => bench::run(suite, full, out),
    }
}
