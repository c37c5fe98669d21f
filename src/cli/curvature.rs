//! `annealscape curvature`: the Hessian spectrum of the per-spin objective at a snapshot or a
//! bare checkpoint (SPEC §6.1–6.2), as a `which<TAB>rank<TAB>value<TAB>stderr` table, stored
//! as `RUN/curvature/NAME.npz`.

use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

use super::snapshot_args::SnapshotArgs;
use super::CliError;
use crate::anneal::{Estimator, Objective};
use crate::curvature::{
    adam_threshold, hessian_at, loss_scale, measure, save_report, CurvatureEstimator,
    CurvatureSettings, Preconditioner,
};
use crate::nn::{load_optimiser, Autoregressive, Network, OptimizerConfig};
use crate::physics::NewmanMoore;

/// The estimator on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CurvatureEstimatorArg {
    /// Enumerate all 2^N configurations (N ≤ 16).
    Exact,
    /// The reweighted estimator on --samples samples.
    Sampled,
}

/// Arguments of `annealscape curvature`.
#[derive(Debug, Args)]
pub struct CurvatureArgs {
    /// The network measured.
    #[command(flatten)]
    pub target: SnapshotArgs,
    /// exact (N ≤ 16; the default up to N = 12) or sampled (the default above).
    #[arg(long, value_enum)]
    pub estimator: Option<CurvatureEstimatorArg>,
    /// Samples of the sampled estimator.
    #[arg(long, default_value_t = 1000)]
    pub samples: usize,
    /// Batches the samples are split into for standard errors.
    #[arg(long, default_value_t = 10)]
    pub batches: usize,
    /// Eigenvalues from the top.
    #[arg(long, default_value_t = 3)]
    pub top: usize,
    /// Eigenvalues from the bottom.
    #[arg(long, default_value_t = 3)]
    pub bottom: usize,
    /// Also the spectral density (stochastic Lanczos quadrature).
    #[arg(long)]
    pub density: bool,
    /// Most Hessian-vector products per Krylov space.
    #[arg(long, default_value_t = 80)]
    pub max_products: usize,
    /// Hutchinson probes for the trace.
    #[arg(long, default_value_t = 10)]
    pub probes: usize,
    /// Seed of the samples, start vectors and probes.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Adam's learning rate, for a bare checkpoint's threshold.
    #[arg(long, default_value_t = 1e-3)]
    pub learning_rate: f64,
}

/// Largest N the command enumerates unless asked: at N = 16 one exact product costs about a
/// second (2 × 65,536 configurations), so sampled is the faster default above 12.
const EXACT_BY_DEFAULT: usize = 12;

fn bad(message: impl Into<String>) -> CliError {
    CliError::Usage(message.into())
}

struct Target {
    net: Network,
    model: NewmanMoore,
    x: f64,
    objective: Objective,
    adam: OptimizerConfig,
    loss_scale: f64,
    checkpoint: PathBuf,
    store: Option<PathBuf>,
}

fn target(args: &CurvatureArgs) -> Result<Target, CliError> {
    let resolved = args.target.resolve()?;
    let sites = resolved.model.lattice().sites();
    let (adam, loss_scale, store) = match (&resolved.config, &args.target.run) {
        (Some(config), Some(run)) => {
            let minibatch = config.anneal.samples / config.anneal.minibatches.max(1);
            (
                config.anneal.optimizer_config(),
                loss_scale(config.anneal.estimator, sites, minibatch),
                Some(
                    run.join("curvature")
                        .join(format!("{}.npz", args.target.snapshot)),
                ),
            )
        }
        _ => {
            if !(args.learning_rate.is_finite() && args.learning_rate > 0.0) {
                return Err(bad(format!(
                    "--learning-rate {}: give a positive number",
                    args.learning_rate
                )));
            }
            let adam = OptimizerConfig {
                learning_rate: args.learning_rate,
                ..OptimizerConfig::default()
            };
            // The paper's mini-batches of 10 with the standard estimator.
            (adam, loss_scale(Estimator::Standard, sites, 10), None)
        }
    };
    let objective = resolved.objective();
    Ok(Target {
        net: resolved.net,
        model: resolved.model,
        x: resolved.x,
        objective,
        adam,
        loss_scale,
        checkpoint: resolved.checkpoint,
        store,
    })
}

/// Run `annealscape curvature`.
pub fn curvature(args: CurvatureArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let t = target(&args)?;
    let n = t.model.lattice().sites();
    if !(t.x.is_finite() && t.x >= 0.0) {
        return Err(bad(format!(
            "--x {}: T or B must be a finite number >= 0",
            t.x
        )));
    }
    let estimator = match args.estimator {
        Some(CurvatureEstimatorArg::Exact) => CurvatureEstimator::Exact,
        Some(CurvatureEstimatorArg::Sampled) => CurvatureEstimator::Sampled,
        None if n <= EXACT_BY_DEFAULT => CurvatureEstimator::Exact,
        None => CurvatureEstimator::Sampled,
    };
    if !(2..=1_000_000).contains(&args.samples) {
        return Err(bad(format!(
            "--samples {}: give 2 to 1000000",
            args.samples
        )));
    }
    if args.top == 0 || args.top > 50 || args.bottom > 50 {
        return Err(bad(format!(
            "--top {} --bottom {}: give --top 1 to 50 and --bottom 0 to 50",
            args.top, args.bottom
        )));
    }
    if args.batches < 2 || args.batches > args.samples {
        return Err(bad(format!(
            "--batches {}: standard errors need at least 2 batches and at most one per sample (--samples {}); give 2 to {}",
            args.batches, args.samples, args.samples.max(2)
        )));
    }
    if args.probes < 2 {
        return Err(bad(format!(
            "--probes {}: the trace's standard error needs at least 2 Hutchinson probes; give 2 or more",
            args.probes
        )));
    }
    if !(2..=2000).contains(&args.max_products) {
        return Err(bad(format!(
            "--max-products {}: give 2 to 2000",
            args.max_products
        )));
    }
    let settings = CurvatureSettings {
        estimator,
        samples: args.samples,
        batches: args.batches,
        top: args.top,
        bottom: args.bottom,
        max_products: args.max_products,
        tolerance: 1e-5,
        probes: args.probes,
        density_starts: if args.density { 4 } else { 0 },
        density_steps: 30,
        loss_scale: t.loss_scale,
        seed: args.seed,
        ..CurvatureSettings::default()
    };
    let objective = t.objective;
    let hessian = hessian_at(&t.net, &t.model, objective, &settings)?;
    let layout = t.net.params().zeros_like();
    let adam = load_optimiser(&t.checkpoint, &layout, t.adam)?;
    let preconditioner = adam.as_ref().and_then(Preconditioner::from_adam);
    if preconditioner.is_none() {
        eprintln!("note: the checkpoint has no Adam state (or no update yet): no preconditioned sharpness");
    }
    let report = measure(&hessian, preconditioner.as_ref(), &settings, None)?;
    let threshold = adam_threshold(&t.adam);
    writeln!(out, "which\trank\tvalue\tstderr")?;
    for (k, r) in report.extremes.top.iter().enumerate() {
        writeln!(out, "top\t{}\t{}\t{}", k + 1, r.value, r.stderr)?;
    }
    for (k, r) in report.extremes.bottom.iter().enumerate() {
        writeln!(out, "bottom\t{}\t{}\t{}", k + 1, r.value, r.stderr)?;
    }
    writeln!(
        out,
        "trace\t0\t{}\t{}",
        report.trace.value, report.trace.stderr
    )?;
    if let Some(p) = &report.preconditioned {
        writeln!(out, "preconditioned\t1\t{}\t{}", p.value, p.stderr)?;
        writeln!(out, "threshold\t0\t{threshold}\t0")?;
    }
    let worst = report
        .extremes
        .top
        .iter()
        .chain(&report.extremes.bottom)
        .map(|r| r.residual)
        .fold(0.0, f64::max);
    eprintln!(
        "note: {} estimator, {} Hessian-vector products in {:.1} s, largest residual {worst:.2e}; eigenvalues are of the per-spin objective, the preconditioned sharpness of the loss the updates descend ({} × it), against 38/η",
        estimator.name(),
        report.products,
        report.seconds,
        t.loss_scale
    );
    if let Some(path) = t.store {
        std::fs::create_dir_all(path.parent().expect("inside the run"))?;
        save_report(&path, &report, &settings, t.x, threshold)?;
        eprintln!("stored {}", path.display());
    }
    Ok(())
}
