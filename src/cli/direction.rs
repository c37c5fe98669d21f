//! `annealscape direction`: the direction one update would take from a snapshot or a bare
//! checkpoint — the descent −∇O, the natural-gradient step or Adam's — written under the
//! parameter names, with its norm and its cosine with −∇O.

use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

use super::curvature::CurvatureEstimatorArg;
use super::snapshot_args::{SnapshotArgs, SnapshotTarget};
use super::CliError;
use crate::curvature::{update_direction, CurvatureEstimator, DirectionMethod};
use crate::nn::{load_optimiser, save_npz, Autoregressive};

/// The update whose direction is written.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MethodArg {
    /// −∇O.
    Gradient,
    /// −c(S + λI)⁻¹∇O (c = 2 quantum, 1 thermal).
    Natural,
    /// Adam's −m̂/(√v̂ + ε) from the checkpoint's optimiser state.
    Adam,
}

/// Arguments of `annealscape direction`.
#[derive(Debug, Args)]
pub struct DirectionArgs {
    /// The network.
    #[command(flatten)]
    pub target: SnapshotArgs,
    /// exact (N ≤ 16; N ≤ 12 for natural) or sampled.
    #[arg(long, value_enum, default_value = "exact")]
    pub estimator: CurvatureEstimatorArg,
    /// Samples of the sampled estimator.
    #[arg(long, default_value_t = 1000)]
    pub samples: usize,
    /// Seed of the samples.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Which update.
    #[arg(long, value_enum, default_value = "gradient")]
    pub method: MethodArg,
    /// λ of the natural gradient's S + λI.
    #[arg(long, default_value_t = 1e-3)]
    pub diag_shift: f64,
    /// Where to write the direction (NPZ, one array per parameter tensor).
    #[arg(long)]
    pub out: PathBuf,
}

/// Run `annealscape direction`.
pub fn direction(args: DirectionArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let bad = |m: String| CliError::Usage(m);
    if !(args.diag_shift.is_finite() && args.diag_shift > 0.0) {
        return Err(bad(format!(
            "--diag-shift {}: give a positive number (S + λI must be invertible)",
            args.diag_shift
        )));
    }
    if matches!(args.estimator, CurvatureEstimatorArg::Sampled) && args.samples < 2 {
        return Err(bad(format!("--samples {}: give at least 2", args.samples)));
    }
    let target = args.target.resolve()?;
    let objective = target.objective();
    let SnapshotTarget {
        net,
        model,
        checkpoint,
        config,
        ..
    } = target;
    // A bare checkpoint's Adam state is read with the paper's settings.
    let optimiser_config = config
        .map(|c| c.anneal.optimizer_config())
        .unwrap_or_default();
    let method = match args.method {
        MethodArg::Gradient => DirectionMethod::Gradient,
        MethodArg::Natural => DirectionMethod::Natural {
            diag_shift: args.diag_shift,
        },
        MethodArg::Adam => DirectionMethod::Adam,
    };
    let optimiser = match args.method {
        MethodArg::Adam => {
            let layout = net.params().zeros_like();
            load_optimiser(&checkpoint, &layout, optimiser_config)?
        }
        _ => None,
    };
    let estimator = match args.estimator {
        CurvatureEstimatorArg::Exact => CurvatureEstimator::Exact,
        CurvatureEstimatorArg::Sampled => CurvatureEstimator::Sampled,
    };
    let found = update_direction(
        &net,
        &model,
        objective,
        method,
        estimator,
        args.samples,
        args.seed,
        optimiser.as_ref(),
    )?;
    let params = net
        .params()
        .with_flat(found.direction.clone())
        .expect("one entry per parameter");
    save_npz(&args.out, &params)?;
    writeln!(out, "quantity\tvalue")?;
    writeln!(out, "norm\t{:.6e}", found.norm())?;
    writeln!(
        out,
        "gradient_norm\t{:.6e}",
        found.gradient.dot(&found.gradient).sqrt()
    )?;
    writeln!(
        out,
        "cosine_with_descent\t{:.6}",
        found.cosine_with_descent()
    )?;
    writeln!(out, "written\t{}", args.out.display())?;
    Ok(())
}
