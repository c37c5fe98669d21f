//! `annealscape represent`: fit a network by the forward KL to an exact target over all 2^N
//! configurations (SPEC §9), print what it reached and store it in a folder.

use clap::{Args, ValueEnum};
use serde::Serialize;
use std::io::Write;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::CliError;
use crate::nn::{save_npz, Cell, NetworkConfig, PAPER_PARAMETERS};
use crate::physics::{GroundEnergyCache, Lattice, NewmanMoore, QuantumStateCache};
use crate::represent::{
    represent, ExactTarget, FitOutcome, FitSettings, RepresentError, RepresentOptimizer, TargetKind,
};
use rand::SeedableRng;

/// The exact distribution fitted.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TargetArg {
    /// The Boltzmann distribution at T = --x.
    Thermal,
    /// |ψ₀(B)|² at B = --x.
    Quantum,
    /// The uniform mixture of the 2^k ground states.
    Ground,
}

/// The network fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CellArg {
    /// The paper's 2D RNN.
    Rnn2d,
    /// The gated 2D RNN.
    Gru2d,
    /// The tensorised 2D RNN.
    Tensorized2d,
    /// The masked dense network (one hidden layer).
    Made,
    /// The causal transformer (one layer, two heads).
    Transformer,
}

impl CellArg {
    /// The library's cell.
    pub fn cell(self) -> Cell {
        match self {
            Self::Rnn2d => Cell::Rnn2d,
            Self::Gru2d => Cell::Gru2d,
            Self::Tensorized2d => Cell::Tensorized2d,
            Self::Made => Cell::Made,
            Self::Transformer => Cell::Transformer,
        }
    }
}

/// The optimiser of the fit.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OptimizerArg {
    /// Adam on the exact gradient.
    Adam,
    /// The exact natural gradient (N ≤ 12).
    Sr,
}

/// Arguments of `annealscape represent`.
#[derive(Debug, Args)]
pub struct RepresentArgs {
    /// Lattice size L (N = L² ≤ 16); with --from, the run's own.
    #[arg(long)]
    pub l: Option<usize>,
    /// The target distribution.
    #[arg(long, value_enum)]
    pub target: TargetArg,
    /// T (thermal) or B (quantum).
    #[arg(long)]
    pub x: Option<f64>,
    /// Start from this checkpoint (RUN/checkpoints/NAME.npz) instead of a fresh network.
    #[arg(long, value_name = "CHECKPOINT", conflicts_with = "from_run")]
    pub from: Option<PathBuf>,
    /// Start from where this run's anneal was at --x: the trajectory point nearest it (the
    /// last such point).
    #[arg(long, value_name = "RUN", requires = "x")]
    pub from_run: Option<PathBuf>,
    /// Seed of the fresh network's initialisation.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The fresh network's cell (with --from and --from-run, the run's own).
    #[arg(long, value_enum)]
    pub cell: Option<CellArg>,
    /// Hidden units of the fresh network (default 40 for rnn2d; for made the width whose
    /// parameter count is nearest the 2D RNN's 3,482).
    #[arg(long)]
    pub hidden: Option<usize>,
    /// Adam or the natural gradient.
    #[arg(long, value_enum, default_value = "adam")]
    pub optimizer: OptimizerArg,
    /// Learning rate (default 1e-3 for Adam, 0.1 for SR).
    #[arg(long)]
    pub learning_rate: Option<f64>,
    /// SR: the shift λ of the sample-space matrix.
    #[arg(long, default_value_t = 0.1)]
    pub shift: f64,
    /// Most steps.
    #[arg(long, default_value_t = 20_000)]
    pub max_steps: usize,
    /// Stop once this many steps pass without the KL falling by --min-improvement (relative).
    #[arg(long, default_value_t = 1_000)]
    pub patience: usize,
    /// The relative fall of the KL that counts as an improvement.
    #[arg(long, default_value_t = 1e-3)]
    pub min_improvement: f64,
    /// Coupling J of a fresh network's lattice.
    #[arg(long, default_value_t = 1.0)]
    pub coupling: f64,
    /// Folder for represent.toml, kl.csv and best.npz.
    #[arg(long)]
    pub out: PathBuf,
}

/// What `represent.toml` holds.
#[derive(Debug, Serialize)]
pub struct RepresentSummary {
    /// thermal, quantum or ground.
    pub target: String,
    /// T or B (0 for the ground-state mixture).
    pub x: f64,
    /// L.
    pub size: usize,
    /// rnn2d or made.
    pub cell: String,
    /// Parameters.
    pub parameters: usize,
    /// Where the fit started: a checkpoint's path or `init-seed-S`.
    pub start: String,
    /// adam or sr.
    pub optimizer: String,
    /// η.
    pub learning_rate: f64,
    /// The smallest KL(p*‖q) in nats.
    pub best_kl: f64,
    /// best_kl / N.
    pub best_kl_per_spin: f64,
    /// The step it was reached at.
    pub best_step: usize,
    /// KL at the start.
    pub initial_kl: f64,
    /// Steps taken.
    pub steps: usize,
    /// converged, floor, max-steps or stopped.
    pub stop: String,
    /// (Σ ψ₀ √q)² at the best weights (quantum targets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fidelity: Option<f64>,
    /// exp of the entropy of q's ground-state probabilities, 1 … 2^k.
    pub effective_modes: f64,
    /// q's total probability on the ground states.
    pub ground_state_mass: f64,
    /// Wall time.
    pub seconds: f64,
}

impl From<RepresentError> for CliError {
    fn from(e: RepresentError) -> Self {
        match e {
            RepresentError::TooLarge { .. }
            | RepresentError::BadValue { .. }
            | RepresentError::Settings(_) => CliError::Usage(e.to_string()),
            RepresentError::Physics(p) => p.into(),
            other => CliError::Runtime(other.into()),
        }
    }
}

/// Run `annealscape represent`.
pub fn represent_command(args: RepresentArgs, out: &mut dyn Write) -> Result<(), CliError> {
    if args.cell.is_some() && (args.from.is_some() || args.from_run.is_some()) {
        return Err(CliError::Usage(
            "--cell: a run's network has the run's cell (network.cell); leave --cell out with --from or --from-run"
                .into(),
        ));
    }
    let (net, model, start) = match (&args.from, &args.from_run) {
        (None, Some(run)) => {
            let folder = crate::analysis::RunFolder::open(run)?;
            let x = args.x.expect("clap requires --x with --from-run");
            let trajectory = folder.trajectory();
            let point = crate::cells::nearest_point(&trajectory.x, x).ok_or_else(|| {
                CliError::Usage(format!(
                    "--from-run {}: its trajectory holds no point",
                    run.display()
                ))
            })?;
            let model = folder.model()?;
            if let Some(l) = args.l.filter(|&l| l != model.lattice().size()) {
                return Err(CliError::Usage(format!(
                    "--l {l}: the run {} is of L = {}; leave --l out",
                    run.display(),
                    model.lattice().size()
                )));
            }
            let start = format!(
                "{} step {} ({} = {})",
                run.display(),
                trajectory.steps[point],
                folder.config().anneal.kind.symbol(),
                trajectory.x[point]
            );
            let net = folder.trajectory_network(point)?;
            (net, model, start)
        }
        (Some(path), _) => {
            let (net, model) = super::anneal::load_checkpoint(path)?;
            if let Some(l) = args.l.filter(|&l| l != model.lattice().size()) {
                return Err(CliError::Usage(format!(
                    "--l {l}: the checkpoint {} is of L = {}; leave --l out",
                    path.display(),
                    model.lattice().size()
                )));
            }
            (net, model, path.display().to_string())
        }
        (None, None) => {
            let l = args.l.ok_or_else(|| {
                CliError::Usage("give --l L (or --from CHECKPOINT for a run's network)".into())
            })?;
            let model = NewmanMoore::new(Lattice::new(l)?, args.coupling)?;
            if model.lattice().sites() > crate::represent::MAX_REPRESENT_SITES {
                return Err(RepresentError::TooLarge {
                    sites: model.lattice().sites(),
                    max: crate::represent::MAX_REPRESENT_SITES,
                }
                .into());
            }
            let cell = args.cell.unwrap_or(CellArg::Rnn2d);
            let hidden = args
                .hidden
                .unwrap_or_else(|| cell.cell().hidden_matching(l, PAPER_PARAMETERS));
            if !(1..=1024).contains(&hidden) {
                return Err(CliError::Usage(format!(
                    "--hidden {hidden}: give 1 to 1024 hidden units"
                )));
            }
            let mut rng = rand::rngs::StdRng::seed_from_u64(args.seed);
            let net = NetworkConfig {
                cell: cell.cell(),
                hidden,
                ..NetworkConfig::default()
            }
            .init(l, &mut rng);
            (net, model, format!("init-seed-{}", args.seed))
        }
    };
    let kind = match (args.target, args.x) {
        (TargetArg::Thermal, Some(t)) => TargetKind::Thermal { t },
        (TargetArg::Quantum, Some(b)) => TargetKind::Quantum { b },
        (TargetArg::Ground, None) => TargetKind::GroundStates,
        (TargetArg::Ground, Some(x)) => {
            return Err(CliError::Usage(format!(
                "--x {x}: the ground-state mixture has no T or B; leave --x out"
            )))
        }
        (_, None) => {
            return Err(CliError::Usage(
                "give --x: T for --target thermal, B for --target quantum".into(),
            ))
        }
    };
    let settings = FitSettings {
        optimizer: match args.optimizer {
            OptimizerArg::Adam => RepresentOptimizer::Adam {
                learning_rate: args.learning_rate.unwrap_or(1e-3),
            },
            OptimizerArg::Sr => RepresentOptimizer::Sr {
                learning_rate: args.learning_rate.unwrap_or(0.1),
                shift: args.shift,
            },
        },
        max_steps: args.max_steps,
        patience: args.patience,
        min_improvement: args.min_improvement,
        ..FitSettings::default()
    };
    settings.validate(model.lattice().sites())?;
    check_out_folder(&args.out)?;
    let cache = match GroundEnergyCache::default_location() {
        Some(c) => QuantumStateCache::in_folder(c.dir()),
        None => QuantumStateCache::in_memory(),
    };
    let target = ExactTarget::new(&model, kind, &cache)?;
    let stop = super::signals::stop_flag();
    let clock = Instant::now();
    let mut last_note = Instant::now();
    let observe = |s: &crate::represent::FitStep| {
        if last_note.elapsed().as_secs_f64() > 10.0 {
            eprintln!("step {}: KL {:.6e} (best {:.6e})", s.step, s.kl, s.best_kl);
            last_note = Instant::now();
        }
        if stop.load(std::sync::atomic::Ordering::Relaxed) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let cell = net.cell().name();
    let mut net = net;
    let outcome = represent(&mut net, &target, &settings, observe)?;
    let summary = RepresentSummary {
        target: kind.name().into(),
        x: kind.x(),
        size: model.lattice().size(),
        cell: cell.into(),
        parameters: outcome.best_params.len(),
        start,
        optimizer: match args.optimizer {
            OptimizerArg::Adam => "adam",
            OptimizerArg::Sr => "sr",
        }
        .into(),
        learning_rate: match settings.optimizer {
            RepresentOptimizer::Adam { learning_rate }
            | RepresentOptimizer::Sr { learning_rate, .. } => learning_rate,
        },
        best_kl: outcome.best_kl,
        best_kl_per_spin: outcome.best_kl / target.sites as f64,
        best_step: outcome.best_step,
        initial_kl: outcome.initial_kl,
        steps: outcome.steps,
        stop: outcome.stop.name().into(),
        fidelity: outcome.fidelity,
        effective_modes: outcome.modes.effective_modes,
        ground_state_mass: outcome.modes.mass,
        seconds: clock.elapsed().as_secs_f64(),
    };
    write_fit(&args.out, &summary, &outcome)?;
    writeln!(out, "quantity\tvalue")?;
    let table = toml::Table::try_from(&summary).expect("the summary is a table");
    for (key, value) in table {
        let shown = match value {
            toml::Value::String(s) => s,
            other => other.to_string(),
        };
        writeln!(out, "{key}\t{shown}")?;
    }
    if outcome.stop == crate::represent::StopReason::Stopped {
        eprintln!(
            "stopped at step {}: the best weights so far are in {}",
            outcome.steps,
            args.out.join("best.npz").display()
        );
        return Err(CliError::Interrupted);
    }
    Ok(())
}

/// Refuse a folder that holds something other than a fit.
fn check_out_folder(dir: &Path) -> Result<(), CliError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let ours = ["represent.toml", "kl.csv", "best.npz"];
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !ours.contains(&name.as_str()) {
            return Err(CliError::Usage(format!(
                "--out {}: the folder holds {name}, which is not a fit's; give an empty or new folder",
                dir.display()
            )));
        }
    }
    Ok(())
}

/// represent.toml, kl.csv (step,kl) and best.npz (the best weights under the network's names).
fn write_fit(dir: &Path, summary: &RepresentSummary, outcome: &FitOutcome) -> Result<(), CliError> {
    std::fs::create_dir_all(dir)?;
    save_npz(&dir.join("best.npz"), &outcome.best_params)?;
    crate::files::write_atomically(&dir.join("kl.csv"), |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record(["step", "kl"])
            .map_err(std::io::Error::other)?;
        for p in &outcome.curve {
            csv.write_record([p.step.to_string(), format!("{:e}", p.kl)])
                .map_err(std::io::Error::other)?;
        }
        csv.flush()
    })?;
    let text = toml::to_string(summary).expect("the summary serialises");
    crate::files::write_atomically(&dir.join("represent.toml"), |w| {
        w.write_all(text.as_bytes())
    })?;
    Ok(())
}
