//! `annealscape anneal`, `eval` and `presets`.

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use ndarray::{Array1, Array2};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::CliError;
use crate::anneal::{AnnealKind, Control, Objective, Observer, ObserverError, Outcome, StepView};
use crate::nn::{load_npz, tensor_shapes, Autoregressive, Network, NetworkWorkspace, Params};
use crate::physics::{parse_configuration, Lattice, NewmanMoore};
use crate::run::{run_blocking, RunConfig, RunLayout, PRESETS};

/// Arguments of `annealscape anneal`.
#[derive(Debug, Args)]
pub struct AnnealArgs {
    /// A shipped preset (see `annealscape presets`).
    #[arg(
        long,
        conflicts_with = "config",
        required_unless_present_any = ["config", "resume"]
    )]
    pub preset: Option<String>,
    /// A configuration file (TOML, like assets/presets/*.toml).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The run folder to create.
    #[arg(long, required_unless_present = "resume")]
    pub out: Option<PathBuf>,
    /// Continue the stopped, killed or crashed run in this folder from its resume.npz.
    #[arg(long, value_name = "RUN", conflicts_with_all = ["preset", "config", "out", "overrides", "seed"])]
    pub resume: Option<PathBuf>,
    /// Override a setting, e.g. --set anneal.anneal_steps=2000 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// The seed (same as --set seed=N).
    #[arg(long)]
    pub seed: Option<u64>,
}

/// Arguments of `annealscape eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// A checkpoint, e.g. RUN/checkpoints/completion.npz (its run's config.toml is read).
    #[arg(long)]
    pub checkpoint: PathBuf,
    /// A file with one configuration per line: N characters of 0/1 in raster order.
    #[arg(long)]
    pub configs: PathBuf,
    /// Transverse field: print the quantum local energy.
    #[arg(
        long,
        conflicts_with = "t",
        required_unless_present = "t",
        allow_negative_numbers = true
    )]
    pub b: Option<f64>,
    /// Temperature: print the thermal local free energy.
    #[arg(long, allow_negative_numbers = true)]
    pub t: Option<f64>,
}

/// The configuration an `anneal` command describes.
pub fn resolve_config(args: &AnnealArgs) -> Result<RunConfig, CliError> {
    let base = match (&args.preset, &args.config) {
        (Some(name), _) => RunConfig::preset(name),
        (None, Some(path)) => RunConfig::from_file(path),
        (None, None) => {
            return Err(CliError::Usage(
                "give --preset NAME or --config FILE (or --resume RUN)".into(),
            ))
        }
    }?;
    let mut overrides = args.overrides.clone();
    if let Some(seed) = args.seed {
        overrides.push(format!("seed={seed}"));
    }
    base.with_overrides(&overrides).map_err(CliError::from)
}

/// Progress on the terminal (a bar) or in logs (a line every few seconds); stops on Ctrl-C.
struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    symbol: &'static str,
    interrupted: Arc<AtomicBool>,
    last_line: Instant,
    started: Instant,
}

impl Observer for Progress {
    fn stop_requested(&mut self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }

    fn on_step(&mut self, view: &StepView<'_>) -> Result<Control, ObserverError> {
        let m = view.metrics;
        let x = m.temperature.max(m.field);
        let text = format!(
            "{} {}={x:.4} <E>/N={:.5}",
            m.phase, self.symbol, m.energy_mean
        );
        match &self.bar {
            Some(bar) => {
                bar.set_position(m.step as u64 + 1);
                if m.step.is_multiple_of(10) {
                    bar.set_message(text);
                }
            }
            None => {
                if self.last_line.elapsed() > Duration::from_secs(5) || m.step + 1 == self.total {
                    let rate = (m.step + 1) as f64 / self.started.elapsed().as_secs_f64();
                    let eta = (self.total - m.step - 1) as f64 / rate.max(1e-9);
                    eprintln!(
                        "step {}/{} {text} ({rate:.1} steps/s, ETA {eta:.0} s)",
                        m.step + 1,
                        self.total
                    );
                    self.last_line = Instant::now();
                }
            }
        }
        if self.interrupted.load(Ordering::SeqCst) {
            return Ok(Control::Stop);
        }
        Ok(Control::Continue)
    }
}

/// Run `annealscape anneal` (or `anneal --resume RUN`).
pub fn anneal(args: AnnealArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let (config, dir) = match &args.resume {
        Some(dir) => (crate::run::read_config(dir)?, dir.clone()),
        None => (
            resolve_config(&args)?,
            args.out
                .clone()
                .expect("clap requires --out without --resume"),
        ),
    };
    crate::run::check_resources(&config)?;
    let total = config.anneal.schedule().total_steps();
    // Ctrl-C, SIGTERM (Slurm's time limit) and SIGHUP stop the run at its next step.
    let interrupted = super::signals::stop_flag();
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(total as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} {per_sec} ETA {eta} {msg}")
                .expect("valid template"),
        );
        bar
    });
    let mut progress = Progress {
        bar,
        total,
        symbol: config.anneal.kind.symbol(),
        interrupted,
        last_line: Instant::now(),
        started: Instant::now(),
    };
    eprintln!(
        "{} L = {} ({:?}, X0 = {}, {} steps) into {}",
        if args.resume.is_some() {
            "resuming"
        } else {
            "annealing"
        },
        config.lattice.size,
        config.anneal.kind,
        config.anneal.start,
        total,
        dir.display()
    );
    if let Some(code) = (!config.network.symmetry.is_none())
        .then(|| crate::nn::code_symmetry::CodeWords::of_lattice(config.lattice.size))
        .flatten()
    {
        eprintln!(
            "network.symmetry = {:?}: averages over the 2^{} = {} ground-state codewords; each log p takes {} teacher-forced passes{}",
            config.network.symmetry,
            code.log2(),
            code.len(),
            code.len(),
            if config.network.symmetry == crate::nn::Symmetry::Code {
                " in training (the cost of a step grows about as much)"
            } else {
                ", in what the run reports only"
            }
        );
    }
    let outcome = match &args.resume {
        Some(dir) => {
            if let Ok(table) = crate::run::read_run_metrics(dir) {
                if let Some(warning) = table.warning {
                    eprintln!("warning: {warning}");
                }
            }
            crate::run::resume_blocking(dir, &mut progress)
        }
        None => run_blocking(&config, &dir, &mut progress),
    };
    if let Some(bar) = &progress.bar {
        bar.finish_and_clear();
    }
    match outcome {
        Ok(Outcome::Finished(summary)) => {
            writeln!(out, "{}", summary.describe())?;
            // Read back from the folder, so a resumed run lists the whole run's events.
            if let Ok(metrics) = crate::run::read_run_metrics(&dir) {
                let distances = crate::run::read_distances(&dir).ok().flatten();
                let events = crate::run::run_events(&config, &metrics.rows, distances.as_ref());
                writeln!(out, "{}", events.describe(config.anneal.kind.symbol()))?;
            }
            writeln!(out, "run folder: {}", dir.display())?;
            Ok(())
        }
        Ok(Outcome::Stopped { steps }) => {
            let by = super::signals::received()
                .map(|s| format!(" by {}", super::signals::name(s)))
                .unwrap_or_default();
            let how = if dir.join(crate::run::RESUME_FILE).exists() {
                format!(
                    "continue it with: annealscape anneal --resume {}",
                    dir.display()
                )
            } else {
                format!(
                    "it stopped before its first resume point, so start it again: annealscape anneal --config {} --out NEW",
                    dir.join(RunLayout::CONFIG).display()
                )
            };
            writeln!(
                out,
                "stopped after {steps} steps{by}; files written so far are in {}; {how}",
                dir.display()
            )?;
            Err(CliError::Interrupted)
        }
        Err(e) => Err(e.into()),
    }
}

/// Run `annealscape presets`.
pub fn presets(out: &mut dyn Write) -> Result<(), CliError> {
    for (name, _) in PRESETS {
        let config = RunConfig::preset(name)?;
        writeln!(out, "{name}\t{}", config.description)?;
    }
    Ok(())
}

/// The network of a checkpoint, from its run's `config.toml`.
pub fn load_checkpoint(path: &Path) -> Result<(Network, NewmanMoore), CliError> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let in_checkpoints = folder
        .file_name()
        .is_some_and(|n| n == RunLayout::CHECKPOINTS);
    if !in_checkpoints || path.extension().is_none_or(|e| e != "npz") || path.is_dir() {
        // Pointed at another file of a run (config.toml, metrics.csv) or at the run itself.
        let run = if path.is_dir() { path } else { folder };
        let names = crate::run::snapshot_names(run);
        let hint = if names.is_empty() {
            String::new()
        } else {
            format!(
                "; this run's are {}",
                names
                    .iter()
                    .map(|n| run
                        .join(RunLayout::CHECKPOINTS)
                        .join(format!("{n}.npz"))
                        .display()
                        .to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return Err(CliError::Usage(format!(
            "--checkpoint {}: not a checkpoint; give RUN/checkpoints/NAME.npz{hint}",
            path.display()
        )));
    }
    let run_dir = folder.parent().unwrap_or(Path::new("."));
    let config = crate::run::read_config(run_dir).map_err(|e| {
        CliError::Usage(format!(
            "{e} (eval reads the run's config.toml beside checkpoints/ to know L and the network)"
        ))
    })?;
    let lattice = Lattice::new(config.lattice.size)?;
    let model = NewmanMoore::new(lattice, config.lattice.coupling)?;
    let template = config.network.in_f64();
    let layout = Params::zeros(template.tensor_specs(lattice.size()));
    let params = load_npz(path, &layout).map_err(|e| {
        let shapes = tensor_shapes(path)
            .map(|s| format!(" (file holds {s:?})"))
            .unwrap_or_default();
        CliError::Usage(format!("{e}{shapes}"))
    })?;
    let net = Network::from_params(template, lattice.size(), params)?;
    Ok((net, model))
}

/// Largest configurations file `eval` reads (256 MB).
const MAX_CONFIGS_BYTES: u64 = 256 << 20;

/// Run `annealscape eval`.
pub fn eval(args: EvalArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let (net, model) = load_checkpoint(&args.checkpoint)?;
    let lattice = *model.lattice();
    let (kind, x) = match (args.b, args.t) {
        (Some(b), _) if b.is_finite() => (AnnealKind::Quantum, b),
        (_, Some(t)) if t.is_finite() && t >= 0.0 => (AnnealKind::Thermal, t),
        (Some(b), _) => return Err(CliError::Usage(format!("--b {b} must be a finite number"))),
        (_, Some(t)) => return Err(CliError::Usage(format!("--t {t} must be a number >= 0"))),
        _ => unreachable!("clap requires --b or --t"),
    };
    // Each line becomes N bytes of spins plus three numbers: bound the file before reading it.
    let size = std::fs::metadata(&args.configs)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", args.configs.display())))?
        .len();
    if size > MAX_CONFIGS_BYTES {
        return Err(CliError::Usage(format!(
            "{} is {size} bytes; eval reads at most {MAX_CONFIGS_BYTES} (about {} configurations at this L): split the file",
            args.configs.display(),
            MAX_CONFIGS_BYTES / (lattice.sites() as u64 + 1)
        )));
    }
    let text = std::fs::read_to_string(&args.configs)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", args.configs.display())))?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut bits = Array2::zeros((lines.len(), lattice.sites()));
    for (i, line) in lines.iter().enumerate() {
        let config = parse_configuration(line, &lattice).map_err(|e| {
            CliError::Usage(format!("{} line {}: {e}", args.configs.display(), i + 1))
        })?;
        bits.row_mut(i).assign(&config);
    }
    let mut ws = vec![NetworkWorkspace::default(), NetworkWorkspace::default()];
    let mut log_p = Array1::zeros(lines.len());
    net.log_prob(bits.view(), log_p.view_mut(), &mut ws[0]);
    let energies = model.energies(bits.view());
    let mut local = Array1::zeros(lines.len());
    Objective::new(kind, x).local_values(
        &net,
        bits.view(),
        log_p.view(),
        energies.view(),
        &mut ws,
        local.view_mut(),
    );
    writeln!(out, "config\tlog_p\tenergy\tlocal")?;
    for (i, line) in lines.iter().enumerate() {
        writeln!(
            out,
            "{}\t{:?}\t{:?}\t{:?}",
            line.trim(),
            log_p[i],
            energies[i],
            local[i]
        )?;
    }
    Ok(())
}
