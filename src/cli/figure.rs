//! `annealscape figure`: draw a run's figures as PNG or SVG.

use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

use super::CliError;
use crate::figures::{render, ColorMap, ColorScale, LandscapeFigure};
use crate::landscape::{load_landscape, Landscape};

/// Figure kinds.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FigureKind {
    /// One landscape: heatmap, contours, colour bar, projected path.
    Landscape,
    /// The paper's three stages (warm-up, mid-anneal, completion), one colour range.
    Stages,
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
    /// Clamp colours to these percentiles, e.g. 2,98.
    #[arg(long, value_parser = parse_pair)]
    pub clamp: Option<(f64, f64)>,
    /// Logarithmic colour scale.
    #[arg(long)]
    pub log: bool,
}

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

fn load(args: &FigureArgs, name: &str) -> Result<Landscape, CliError> {
    let path = args.run.join("landscapes").join(format!("{name}.npz"));
    if !path.exists() {
        return Err(CliError::Usage(format!(
            "{} does not exist: compute it with `annealscape landscape --run {} --snapshot all --directions {}`",
            path.display(),
            args.run.display(),
            name.rsplit('-').next().unwrap_or("filter")
        )));
    }
    load_landscape(&path).map_err(CliError::Usage)
}

/// Run `annealscape figure`.
pub fn figure(args: FigureArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let scale = ColorScale {
        map: match args.colormap {
            ColorMapArg::Viridis => ColorMap::Viridis,
            ColorMapArg::Diverging => ColorMap::Diverging,
        },
        clamp_percentiles: args.clamp,
        range: None,
        log: args.log,
        contours: args.contours,
    };
    let landscapes: Vec<(Landscape, String)> = match args.kind {
        FigureKind::Landscape => {
            let name = match &args.landscape {
                Some(n) => n.clone(),
                None => format!("completion-{}", args.directions),
            };
            let l = load(&args, &name)?;
            let title = format!("{} (step {})", l.settings.snapshot, l.settings.step);
            vec![(l, title)]
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
    render(&figure, &args.out, args.scale).map_err(|e| match e {
        crate::figures::FigureError::Format(_) => CliError::Usage(e.to_string()),
        other => CliError::Runtime(other.into()),
    })?;
    writeln!(out, "{}", args.out.display())?;
    Ok(())
}
