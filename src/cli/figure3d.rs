//! `figure --kind landscape3d`: a stored landscape or a film frame as a shaded 3D surface.

use std::io::Write;

use super::figure::{load, FigureArgs};
use super::CliError;
use crate::figures::{render, Camera, ColorScale, HeightScale, Landscape3dFigure, SurfaceScene};
use crate::landscape::{load_film, Landscape};
use crate::run::RunLayout;

/// Draw the 3D figure `args` asks for.
pub fn landscape3d(
    args: &FigureArgs,
    scale: ColorScale,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    if !(0.0..=89.0).contains(&args.elevation) || !args.azimuth.is_finite() {
        return Err(CliError::Usage(format!(
            "--elevation {} --azimuth {}: the elevation must be from 0 to 89 degrees and the azimuth a number",
            args.elevation, args.azimuth
        )));
    }
    if !(args.zoom.is_finite() && (0.1..=10.0).contains(&args.zoom)) {
        return Err(CliError::Usage(format!(
            "--zoom {}: give a magnification from 0.1 to 10",
            args.zoom
        )));
    }
    let (landscape, title) = match &args.film {
        Some(name) => {
            let path = args.run.join(RunLayout::FILMS).join(format!("{name}.npz"));
            if !path.exists() {
                return Err(CliError::Usage(format!(
                    "{} does not exist: compute it with `annealscape film --run {} --name {name}`",
                    path.display(),
                    args.run.display()
                )));
            }
            let film = load_film(&path)?;
            let j = args.frame.wrapping_sub(1);
            if j >= film.frames() {
                return Err(CliError::Usage(format!(
                    "--frame {}: the film has frames 1 to {}",
                    args.frame,
                    film.frames()
                )));
            }
            let landscape = film.frame_landscape(j).ok_or_else(|| {
                CliError::Usage(format!(
                    "frame {} of {} is not computed yet: run `annealscape film` again to finish it",
                    args.frame,
                    path.display()
                ))
            })?;
            let scale = ColorScale {
                range: film.value_range(j),
                ..scale.clone()
            };
            let title = crate::figures::frame_title(&film, j);
            let values = own_values(args, &landscape);
            let heights = film.value_range(j);
            return draw(args, &landscape, values, (scale, heights), title, out);
        }
        None => {
            let name = args
                .landscape
                .clone()
                .unwrap_or_else(|| format!("completion-{}", args.directions));
            let l = load(args, &name)?;
            let title = crate::figures::caption(&l);
            (l, title)
        }
    };
    let values = own_values(args, &landscape);
    draw(args, &landscape, values, (scale, None), title, out)
}

fn draw(
    args: &FigureArgs,
    landscape: &Landscape,
    path_values: Vec<f64>,
    (scale, height_range): (ColorScale, Option<(f64, f64)>),
    title: String,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let s = &landscape.surface;
    let (Some(alpha), Some(beta)) = (s.alpha.as_slice(), s.beta.as_slice()) else {
        return Err(CliError::Usage(
            "the landscape's axes are not contiguous".into(),
        ));
    };
    if beta.len() < 2 {
        return Err(CliError::Usage(
            "a 1D slice has no surface: draw it with --kind landscape".into(),
        ));
    }
    let figure = Landscape3dFigure {
        scene: SurfaceScene {
            alpha,
            beta,
            values: s.values.view(),
            path: (0..landscape.path_alpha.len())
                .map(|i| {
                    [
                        landscape.path_alpha[i],
                        landscape.path_beta[i],
                        path_values[i],
                    ]
                })
                .collect(),
            centre: true,
            scale,
            height: if args.log_height {
                HeightScale::Log
            } else {
                HeightScale::Linear
            },
            height_range,
        },
        camera: Camera {
            azimuth: args.azimuth,
            elevation: args.elevation,
            zoom: args.zoom,
        },
        title,
    };
    render(&figure, &args.out, args.scale)?;
    writeln!(out, "{}", args.out.display())?;
    Ok(())
}

/// The objective per spin the run recorded at each of the landscape's path steps (NaN where
/// it has none): the path is drawn at its own values, not the surface's.
fn own_values(args: &FigureArgs, landscape: &Landscape) -> Vec<f64> {
    let rows = crate::run::read_metrics(&args.run.join(RunLayout::METRICS))
        .map(|m| m.rows)
        .unwrap_or_default();
    crate::anneal::objective_at_steps(&rows, landscape.path_steps.iter().copied())
}
