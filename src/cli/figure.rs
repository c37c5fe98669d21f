//! `annealscape figure`: draw a run's figures as PNG or SVG.

use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

use super::CliError;
use crate::figures::{render, ColorMap, ColorScale, LandscapeFigure};
use crate::landscape::{load_landscape, Landscape};
use crate::run::RunLayout;

/// Figure kinds.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FigureKind {
    /// One landscape: heatmap, contours, colour bar, projected path.
    Landscape,
    /// A landscape (--landscape) or a film frame (--film, --frame) as a shaded 3D surface,
    /// the path at its own objective values.
    Landscape3d,
    /// The paper's three stages (warm-up, mid-anneal, completion), one colour range.
    Stages,
    /// ⟨E⟩/N and the objective against step and T or B, with the exact curve.
    Curves,
    /// One sampled configuration on the lattice with its defects.
    Lattice,
    /// Counts of the final evaluation's configurations, ground states marked, beside the
    /// exact p(g) of every ground state at the end.
    Modes,
    /// Exact distances along the anneal: KL or fidelity, the gap, the ground-state modes.
    Distances,
    /// Curvature along the anneal: sharpness against 2/η and 38/η, λ_min, the optimiser's
    /// side, and the spectral density of the snapshots in RUN/curvature.
    Curvature,
}

/// Colour map choices.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorMapArg {
    /// Sequential viridis.
    Viridis,
    /// Blue–white–red.
    Diverging,
}

/// Arguments of `annealscape figure`.
#[derive(Debug, Args)]
pub struct FigureArgs {
    /// The run folder.
    #[arg(long)]
    pub run: PathBuf,
    /// What to draw.
    #[arg(long, value_enum)]
    pub kind: FigureKind,
    /// Output file, .png or .svg.
    #[arg(long)]
    pub out: PathBuf,
    /// Landscape file name in RUN/landscapes without .npz (kind landscape), e.g. completion-pca.
    #[arg(long)]
    pub landscape: Option<String>,
    /// Snapshot whose samples to draw (kind lattice).
    #[arg(long, default_value = "completion")]
    pub snapshot: String,
    /// Which sample of the snapshot (kind lattice), from 0.
    #[arg(long, default_value_t = 0)]
    pub index: usize,
    /// Directions of the stage landscapes (kind stages).
    #[arg(long, default_value = "filter")]
    pub directions: String,
    /// PNG resolution multiplier.
    #[arg(long, default_value_t = 2.0)]
    pub scale: f64,
    /// Colour map.
    #[arg(long, value_enum, default_value = "viridis")]
    pub colormap: ColorMapArg,
    /// Number of contour levels (0 for none).
    #[arg(long, default_value_t = 8)]
    pub contours: usize,
    /// Explicit contour levels in the plotted values, e.g. -0.55,-0.5,-0.45 (replaces --contours).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub levels: Option<Vec<f64>>,
    /// Clamp colours to these percentiles, e.g. 2,98.
    #[arg(long, value_parser = parse_pair)]
    pub clamp: Option<(f64, f64)>,
    /// Logarithmic colour scale.
    #[arg(long)]
    pub log: bool,
    /// Film name in RUN/films without .npz (kind landscape3d), instead of --landscape.
    #[arg(long, conflicts_with = "landscape")]
    pub film: Option<String>,
    /// The film's frame, from 1 (kind landscape3d with --film).
    #[arg(long, default_value_t = 1)]
    pub frame: usize,
    /// 3D: rotation about the vertical axis, degrees.
    #[arg(long, default_value_t = 35.0, allow_negative_numbers = true)]
    pub azimuth: f64,
    /// 3D: angle above the horizon, degrees (0 to 89).
    #[arg(long, default_value_t = 30.0)]
    pub elevation: f64,
    /// 3D: magnification.
    #[arg(long, default_value_t = 1.0)]
    pub zoom: f64,
    /// 3D: heights are log10(value − min) instead of the value.
    #[arg(long)]
    pub log_height: bool,
}

/// Most contour levels a figure draws (each is a marching-squares pass over the grid).
const MAX_CONTOURS: usize = 100;

fn parse_pair(text: &str) -> Result<(f64, f64), String> {
    let (a, b) = text
        .split_once(',')
        .ok_or_else(|| format!("'{text}': write two percentiles as LO,HI, e.g. 2,98"))?;
    let (a, b): (f64, f64) = (
        a.trim()
            .parse()
            .map_err(|_| format!("'{a}' is not a number"))?,
        b.trim()
            .parse()
            .map_err(|_| format!("'{b}' is not a number"))?,
    );
    if !(0.0..b).contains(&a) || b > 100.0 {
        return Err(format!(
            "percentiles must satisfy 0 <= LO < HI <= 100 (got {a},{b})"
        ));
    }
    Ok((a, b))
}

pub(super) fn load(args: &FigureArgs, name: &str) -> Result<Landscape, CliError> {
    let path = args
        .run
        .join(RunLayout::LANDSCAPES)
        .join(format!("{name}.npz"));
    if !path.exists() {
        return Err(CliError::Usage(format!(
            "{} does not exist: compute it with `annealscape landscape --run {} --snapshot all --directions {}`",
            path.display(),
            args.run.display(),
            name.rsplit('-').next().unwrap_or("filter")
        )));
    }
    load_landscape(&path).map_err(CliError::from)
}

fn write(figure: &impl crate::figures::Figure, args: &FigureArgs) -> Result<(), CliError> {
    render(figure, &args.out, args.scale).map_err(CliError::from)
}

/// Run `annealscape figure`.
pub fn figure(args: FigureArgs, out: &mut dyn Write) -> Result<(), CliError> {
    match args.kind {
        FigureKind::Curves
        | FigureKind::Lattice
        | FigureKind::Modes
        | FigureKind::Distances
        | FigureKind::Curvature => {
            run_figure(&args)?;
            writeln!(out, "{}", args.out.display())?;
            return Ok(());
        }
        FigureKind::Landscape | FigureKind::Stages | FigureKind::Landscape3d => {}
    }
    if let Some(bad) = args.levels.iter().flatten().find(|v| !v.is_finite()) {
        return Err(CliError::Usage(format!(
            "--levels: {bad} is not a finite number; give contour levels as numbers in the plotted values, e.g. --levels -0.55,-0.5"
        )));
    }
    let levels = args.levels.as_ref().map_or(args.contours, Vec::len);
    if levels > MAX_CONTOURS {
        return Err(CliError::Usage(format!(
            "--contours {levels} (or that many --levels) would take minutes to trace: use at most {MAX_CONTOURS}"
        )));
    }
    if !(args.scale.is_finite() && args.scale > 0.0 && args.scale <= 8.0) {
        return Err(CliError::Usage(format!(
            "--scale {} must be a number above 0 and at most 8",
            args.scale
        )));
    }
    let scale = ColorScale {
        map: match args.colormap {
            ColorMapArg::Viridis => ColorMap::Viridis,
            ColorMapArg::Diverging => ColorMap::Diverging,
        },
        clamp_percentiles: args.clamp,
        range: None,
        log: args.log,
        contours: args.contours,
        levels: args.levels.clone(),
    };
    if let FigureKind::Landscape3d = args.kind {
        return super::figure3d::landscape3d(&args, scale, out);
    }
    let landscapes: Vec<(Landscape, String)> = match args.kind {
        FigureKind::Landscape3d => unreachable!(),
        FigureKind::Landscape => {
            let name = match &args.landscape {
                Some(n) => n.clone(),
                None => format!("completion-{}", args.directions),
            };
            let l = load(&args, &name)?;
            let title = format!("{} (step {})", l.settings.snapshot, l.settings.step);
            vec![(l, title)]
        }
        FigureKind::Curves
        | FigureKind::Lattice
        | FigureKind::Modes
        | FigureKind::Distances
        | FigureKind::Curvature => {
            unreachable!()
        }
        FigureKind::Stages => [
            ("warmup", "after warm-up"),
            ("mid3", "mid-anneal"),
            ("completion", "completion"),
        ]
        .into_iter()
        .map(|(snap, label)| {
            let l = load(&args, &format!("{snap}-{}", args.directions))?;
            let symbol = if l.settings.kind == "thermal" {
                "T"
            } else {
                "B"
            };
            let title = format!("{label}: {symbol} = {:.3}", l.settings.x);
            Ok((l, title))
        })
        .collect::<Result<_, CliError>>()?,
    };
    let figure = LandscapeFigure {
        panels: landscapes.iter().map(|(l, t)| (l, t.clone())).collect(),
        scale,
    };
    write(&figure, &args)?;
    writeln!(out, "{}", args.out.display())?;
    Ok(())
}

/// Curves, lattice and modes figures, from the run folder's files.
fn run_figure(args: &FigureArgs) -> Result<(), CliError> {
    use crate::figures::{Curves, CurvesFigure, LatticeFigure, ModesFigure};
    use crate::physics::{Lattice, NewmanMoore};
    let config = crate::run::read_config(&args.run)?;
    let lattice = Lattice::new(config.lattice.size)?;
    let model = NewmanMoore::new(lattice, config.lattice.coupling)?;
    let symbol = config.anneal.kind.symbol().to_string();
    let header = config.title();
    match args.kind {
        FigureKind::Curves => {
            let table = crate::run::read_run_metrics(&args.run)?;
            if let Some(warning) = &table.warning {
                eprintln!("warning: {warning}");
            }
            if table.rows.is_empty() {
                return Err(CliError::Usage(format!(
                    "{}: the run has no steps yet",
                    args.run.join(RunLayout::METRICS).display()
                )));
            }
            let curves = Curves::from_metrics(&table.rows);
            let xmax = curves.x.iter().copied().fold(0.0, f64::max);
            let figure = CurvesFigure {
                exact: match crate::analysis::exact_curve(&config, xmax) {
                    Ok(curve) => Some(curve),
                    Err(why) => {
                        eprintln!("note: {why}");
                        None
                    }
                },
                curves,
                symbol,
                title: header,
            };
            write(&figure, args)
        }
        FigureKind::Lattice => {
            let samples = crate::run::read_samples(&args.run, &args.snapshot, lattice.sites())?;
            if args.index >= samples.nrows() {
                return Err(CliError::Usage(format!(
                    "--index {} is past the {} samples of snapshot {}",
                    args.index,
                    samples.nrows(),
                    args.snapshot
                )));
            }
            let bits = samples.row(args.index).to_vec();
            let figure = LatticeFigure {
                model,
                bits,
                title: format!(
                    "{} sample {} of {}",
                    header.split(" · ").next().unwrap_or(""),
                    args.index,
                    args.snapshot
                ),
            };
            write(&figure, args)
        }
        FigureKind::Modes => {
            let summary = crate::run::read_summary(&args.run)?.ok_or_else(|| {
                CliError::Usage(format!(
                    "{}: no summary.toml (the run has not finished)",
                    args.run.display()
                ))
            })?;
            let exact = crate::run::read_distances(&args.run)?
                .and_then(|t| t.rows.last().cloned())
                .map(|row| {
                    row.ground_state_log_probs
                        .iter()
                        .map(|l| l.exp())
                        .collect::<Vec<f64>>()
                })
                .filter(|p| !p.is_empty());
            if exact.is_none() {
                eprintln!("note: no exact p(g) at the end of this run (k > 8, or exact distances were off): only the sampled counts are drawn");
            }
            let figure = ModesFigure {
                modes: summary.modes,
                samples: summary.samples,
                ground_states_found: summary.ground_states_found,
                degeneracy_log2: summary.degeneracy_log2,
                exact,
            };
            write(&figure, args)
        }
        FigureKind::Distances => {
            let table = crate::run::read_distances(&args.run)?.ok_or_else(|| {
                CliError::Usage(format!(
                    "{}: no exact.csv (the run measured no exact distances: set diagnostics.exact_every)",
                    args.run.display()
                ))
            })?;
            let metrics = crate::run::read_run_metrics(&args.run)?;
            let events = crate::run::run_events(&config, &metrics.rows, Some(&table));
            let figure = crate::figures::DistancesFigure {
                title: format!("{header} · exact distances"),
                quantum: config.anneal.kind == crate::anneal::AnnealKind::Quantum,
                free_energy_gap: metrics
                    .rows
                    .iter()
                    .filter_map(|m| {
                        Some((m.step as f64, m.free_energy_gap?, m.free_energy_gap_stderr?))
                    })
                    .collect(),
                rows: table.rows,
                jumps: events.jumps.iter().map(|j| j.0 as f64).collect(),
                collapse: events.collapse.map(|c| c.0 as f64),
                ground_states: crate::physics::GroundStates::new(lattice)
                    .degeneracy_log2()
                    .try_into()
                    .map_or(usize::MAX, |k: u32| {
                        1usize.checked_shl(k).unwrap_or(usize::MAX)
                    }),
            };
            write(&figure, args)
        }
        FigureKind::Curvature => {
            let (rows, _) = crate::run::read_curvature(&args.run)?
                .ok_or_else(|| {
                    CliError::Usage(format!(
                        "{}: no curvature.csv (the run measured no curvature: set diagnostics.curvature_every)",
                        args.run.display()
                    ))
                })?;
            let metrics = crate::run::read_run_metrics(&args.run)?;
            let distances = crate::run::read_distances(&args.run)?;
            let events = crate::run::run_events(&config, &metrics.rows, distances.as_ref());
            let mut densities = Vec::new();
            let folder = args.run.join("curvature");
            let mut names: Vec<String> = std::fs::read_dir(&folder)
                .map(|d| {
                    d.filter_map(|e| e.ok())
                        .filter_map(|e| {
                            e.file_name()
                                .to_str()?
                                .strip_suffix(".npz")
                                .map(String::from)
                        })
                        .collect()
                })
                .unwrap_or_default();
            // Snapshots in step order; the folder is opened once, not per comparison.
            let run_folder = crate::analysis::RunFolder::open(&args.run).ok();
            names.sort_by_key(|n| {
                run_folder
                    .as_ref()
                    .and_then(|f| f.snapshot_step(n))
                    .unwrap_or(i64::MAX)
            });
            for name in names {
                if let Some((grid, phi)) =
                    crate::curvature::read_density(&folder.join(format!("{name}.npz")))?
                {
                    densities.push((name, grid, phi));
                }
            }
            let figure = crate::figures::CurvatureFigure {
                title: format!(
                    "{header} · curvature ({} estimator)",
                    rows.first().map_or("", |r| r.estimator.as_str())
                ),
                rows,
                jumps: events.jumps.iter().map(|j| j.0 as f64).collect(),
                optimiser: metrics
                    .rows
                    .iter()
                    .filter_map(|m| Some((m.step as f64, m.update_norm?, m.preconditioner_median?)))
                    .collect(),
                gap: distances
                    .map(|t| {
                        t.rows
                            .iter()
                            .filter_map(|r| Some((r.step as f64, r.gap?)))
                            .collect()
                    })
                    .unwrap_or_default(),
                densities,
            };
            write(&figure, args)
        }
        FigureKind::Landscape | FigureKind::Stages | FigureKind::Landscape3d => unreachable!(),
    }
}
