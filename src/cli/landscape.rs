//! `annealscape landscape`: landscapes around a run's snapshots.

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use super::CliError;
use crate::analysis::{Existing, LandscapeRequest, RunFolder};
use crate::landscape::{BiasDirection, DirectionKind, HessianPair, SurfaceEstimator, SurfaceSpec};

/// Direction choices on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DirectionArg {
    /// Filter-normalised random directions (Li et al.).
    Filter,
    /// Unnormalised Gaussian directions (the authors').
    Gaussian,
    /// The two leading principal components of the trajectory.
    Pca,
    /// Eigenvectors of the Hessian (top two, or --pair top-bottom), scaled to |θ*|.
    Hessian,
    /// Adam's step direction and the top eigenvector orthogonal to it, scaled to |θ*|.
    Update,
    /// The natural-gradient step (λ = 1e-3; exact up to N = 12, 1000 samples above) and the top
    /// eigenvector orthogonal to it, scaled to |θ*|.
    Natural,
    /// The 1D line from --snapshot to --to, t in [−0.25, 1.25]; the barrier is printed.
    Interpolate,
}

/// Which eigenvectors a Hessian slice spans.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PairArg {
    /// The top two.
    Top,
    /// The top and the most negative.
    TopBottom,
}

/// Estimator choices on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EstimatorArg {
    /// Fresh samples at every point (the paper's).
    Fresh,
    /// The same random numbers at every point.
    Crn,
    /// Exact enumeration (L <= 4).
    Exact,
}

/// Arguments of `annealscape landscape`.
#[derive(Debug, Args)]
pub struct LandscapeArgs {
    /// The run folder.
    #[arg(long)]
    pub run: PathBuf,
    /// A snapshot name (init, warmup, mid1…mid5, completion, …) or `all`.
    #[arg(long, default_value = "completion")]
    pub snapshot: String,
    /// How the two directions are chosen.
    #[arg(long, value_enum, default_value = "filter")]
    pub directions: DirectionArg,
    /// Hessian directions: the top two eigenvectors, or the top and the bottom.
    #[arg(long, value_enum, default_value = "top")]
    pub pair: PairArg,
    /// Interpolation: the snapshot to go to.
    #[arg(long)]
    pub to: Option<String>,
    /// Filter directions: biases get the bias itself instead of zero.
    #[arg(long)]
    pub bias_copy: bool,
    /// α and β run over [−range, range].
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub range: f64,
    /// Points per axis.
    #[arg(long, default_value_t = 51)]
    pub points: usize,
    /// Samples per point.
    #[arg(long, default_value_t = 100)]
    pub samples: usize,
    /// How values are estimated.
    #[arg(long, value_enum, default_value = "fresh")]
    pub estimator: EstimatorArg,
    /// Seed of the directions and the samples.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// A 1D slice along the first direction only.
    #[arg(long)]
    pub one_d: bool,
    /// Replace a stored landscape of the same name computed with other settings (without it,
    /// the new one is written beside the old, numbered).
    #[arg(long)]
    pub overwrite: bool,
}

/// Run `annealscape landscape`.
pub fn landscape(args: LandscapeArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let folder = RunFolder::open(&args.run)?;
    let request = LandscapeRequest {
        directions: match args.directions {
            DirectionArg::Filter => DirectionKind::Filter,
            DirectionArg::Gaussian => DirectionKind::Gaussian,
            DirectionArg::Pca => DirectionKind::Pca,
            DirectionArg::Hessian => DirectionKind::Hessian,
            DirectionArg::Update => DirectionKind::Update,
            DirectionArg::Natural => DirectionKind::Natural,
            DirectionArg::Interpolate => DirectionKind::Interpolate,
        },
        pair: match args.pair {
            PairArg::Top => HessianPair::Top,
            PairArg::TopBottom => HessianPair::TopBottom,
        },
        to: args.to.clone(),
        direction_seed: args.seed,
        bias: if args.bias_copy {
            BiasDirection::Copy
        } else {
            BiasDirection::Zero
        },
        spec: SurfaceSpec {
            range: args.range,
            points: args.points,
            samples: args.samples,
            estimator: match args.estimator {
                EstimatorArg::Fresh => SurfaceEstimator::Fresh,
                EstimatorArg::Crn => SurfaceEstimator::Crn,
                EstimatorArg::Exact => SurfaceEstimator::Exact,
            },
            seed: args.seed,
            one_dimensional: args.one_d,
        },
    };
    if matches!(args.directions, DirectionArg::Interpolate) {
        match &args.to {
            None => {
                return Err(CliError::Usage(
                    "--directions interpolate needs --to NAME, the snapshot to go to".into(),
                ))
            }
            Some(to) => {
                folder.network(to)?;
            }
        }
        if args.snapshot == "all" {
            return Err(CliError::Usage("--directions interpolate goes from one --snapshot to --to: give a snapshot name, not all".into()));
        }
    }
    let sites = folder.config().lattice.size.pow(2);
    request
        .spec
        .validate(sites)
        .map_err(|e| CliError::Usage(format!("--{e}")))?;
    let names = if args.snapshot == "all" {
        folder.snapshots()
    } else {
        folder.network(&args.snapshot)?;
        vec![args.snapshot.clone()]
    };
    writeln!(out, "snapshot\tstep\tx\tcentre\troughness\tcosine\tfile")?;
    // Ctrl-C, SIGTERM and SIGHUP cancel at the next row; stored landscapes are kept.
    let cancel = super::signals::stop_flag();
    let existing = if args.overwrite {
        Existing::Overwrite
    } else {
        Existing::WriteBeside
    };
    for name in names {
        let rows = if args.one_d { 1 } else { args.points };
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(rows as u64);
            bar.set_style(
                ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} rows, ETA {eta}")
                    .expect("valid template"),
            );
            bar.set_message(name.clone());
            bar
        });
        let result = folder.landscape(&name, &request, &cancel, existing, |j, _, _| {
            if let Some(bar) = &bar {
                bar.set_position(j as u64 + 1);
            }
        })?;
        if let Some(bar) = &bar {
            bar.finish_and_clear();
        }
        let Some((landscape, path)) = result else {
            eprintln!(
                "stopped{} before the landscape of {name} was finished: nothing of it is stored (those finished before are); run the same command again to compute it",
                super::signals::received()
                    .map(|s| format!(" by {}", super::signals::name(s)))
                    .unwrap_or_default()
            );
            return Err(CliError::Interrupted);
        };
        let s = &landscape.surface;
        let centre = s.values[[s.beta.len() / 2, s.alpha.len() / 2]];
        writeln!(
            out,
            "{name}\t{}\t{}\t{centre:.6}\t{:.3e}\t{:.3e}\t{}",
            landscape.settings.step,
            landscape.settings.x,
            landscape.settings.roughness,
            landscape.settings.cosine,
            path.display()
        )?;
        let numbered = path
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.rsplit_once('-'))
            .is_some_and(|(_, n)| n.parse::<usize>().is_ok());
        if numbered {
            eprintln!(
                "note: a landscape of {name} with these directions but other settings is already stored; this one is written beside it as {} (--overwrite replaces the old one instead)",
                path.display()
            );
        }
        if let Some(b) = landscape.settings.barrier {
            eprintln!("barrier (max over t in [0, 1] of O(t) - max(O(0), O(1))): {b:.6}");
        }
    }
    Ok(())
}
