//! Exports: what a view exports (owned, so a background job can write it) and the writing
//! itself, kept apart from choosing the path so it is tested on its own.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use thiserror::Error;

use crate::anneal::{ModeCount, StepMetrics};
use crate::figures::{
    frame_images, frame_title, render, write_gif, write_mp4, Camera, ColorScale, Curves,
    CurvesFigure, FigureError, HeightScale, Landscape3dFigure, LandscapeFigure, LatticeFigure,
    ModesFigure, SurfaceScene,
};
use crate::files::write_atomically;
use crate::landscape::{save_film, save_landscape, write_film_vtk, Film, Landscape};
use crate::physics::NewmanMoore;

/// The data behind one view, copied out of the app state for a background writer.
#[derive(Debug, Clone)]
pub enum ExportContent {
    /// Training curves.
    Curves {
        /// Every step.
        metrics: Vec<StepMetrics>,
        /// T or B.
        symbol: String,
        /// The exact curve, if any.
        exact: Option<(Vec<(f64, f64)>, String)>,
        /// Figure title.
        title: String,
    },
    /// A finished landscape.
    Landscape {
        /// The landscape.
        landscape: Arc<Landscape>,
        /// Its colours.
        scale: ColorScale,
    },
    /// A film: the frame on show as a figure (2D, or 3D with the view's camera), the whole
    /// film as GIF or MP4; the frame's grid as CSV, the film as NPZ or VTK.
    Film {
        /// The film as far as it is computed.
        film: Arc<Film>,
        /// The frame on show.
        frame: usize,
        /// Its colours (the range is the film's).
        scale: ColorScale,
        /// The 3D view's camera and heights, when the frame is shown in 3D.
        three_d: Option<(Camera, HeightScale)>,
    },
    /// One configuration.
    Lattice {
        /// The model.
        model: NewmanMoore,
        /// Bits in raster order.
        bits: Vec<u8>,
        /// Figure title.
        title: String,
    },
    /// A histogram of modes.
    Modes {
        /// Most frequent first.
        modes: Vec<ModeCount>,
        /// Samples drawn.
        samples: usize,
        /// k (2^k ground states).
        degeneracy_log2: usize,
        /// The exact p(g) of every ground state, when measured.
        exact: Option<Vec<f64>>,
    },
}

/// Why an export (or a screenshot) was not written; each message names the file.
#[derive(Debug, Error)]
pub enum ExportError {
    /// The file name's extension is not one this export writes.
    #[error("{}: {what} is written as {allowed} (got '.{ext}')", path.display())]
    Extension {
        /// The path asked for.
        path: PathBuf,
        /// What was exported ("a figure", "data", "landscape data").
        what: &'static str,
        /// The extensions it can be written as.
        allowed: &'static str,
        /// The extension given.
        ext: String,
    },
    /// The view has nothing to export yet (no run, no steps, no finished landscape…).
    #[error("{0}")]
    Nothing(&'static str),
    /// The figure could not be drawn or written.
    #[error(transparent)]
    Figure(#[from] FigureError),
    /// The file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A screenshot's pixels do not make an image of its size.
    #[error("a {width}×{height} screenshot has the wrong number of pixels")]
    Pixels {
        /// Width.
        width: usize,
        /// Height.
        height: usize,
    },
}

impl ExportError {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Draw the view's figure to `path` (PNG at twice the logical size, or SVG, by extension).
pub fn write_figure(content: &ExportContent, path: &Path) -> Result<(), ExportError> {
    let ext = extension(path);
    if let ExportContent::Film {
        film,
        frame,
        scale,
        three_d,
    } = content
    {
        return write_film_figure(film, *frame, scale, *three_d, path, &ext);
    }
    if ext != "png" && ext != "svg" {
        return Err(ExportError::Extension {
            path: path.to_path_buf(),
            what: "a figure",
            allowed: ".png or .svg",
            ext,
        });
    }
    let result = match content {
        ExportContent::Curves {
            metrics,
            symbol,
            exact,
            title,
        } => {
            if metrics.is_empty() {
                return Err(ExportError::Nothing(
                    "no steps yet: start a run or open one first",
                ));
            }
            let figure = CurvesFigure {
                curves: Curves::from_metrics(metrics),
                symbol: symbol.clone(),
                exact: exact.clone(),
                title: title.clone(),
            };
            render(&figure, path, 2.0)
        }
        ExportContent::Landscape { landscape, scale } => {
            let figure = LandscapeFigure {
                // The figure's caption says everything; the panel title names the centre.
                panels: vec![(
                    landscape.as_ref(),
                    format!(
                        "{} (step {})",
                        landscape.settings.snapshot, landscape.settings.step
                    ),
                )],
                scale: scale.clone(),
            };
            render(&figure, path, 2.0)
        }
        ExportContent::Film {
            film,
            frame,
            scale,
            three_d,
        } => return write_film_figure(film, *frame, scale, *three_d, path, &ext),
        ExportContent::Lattice { model, bits, title } => {
            let figure = LatticeFigure {
                model: *model,
                bits: bits.clone(),
                title: title.clone(),
            };
            render(&figure, path, 2.0)
        }
        ExportContent::Modes {
            modes,
            samples,
            degeneracy_log2,
            exact,
        } => {
            let figure = ModesFigure {
                modes: modes.clone(),
                samples: *samples,
                ground_states_found: modes.iter().filter(|m| m.ground_state.is_some()).count(),
                degeneracy_log2: *degeneracy_log2,
                exact: exact.clone(),
            };
            render(&figure, path, 2.0)
        }
    };
    Ok(result?)
}

/// Milliseconds a frame in the app's GIF and MP4 exports (the command line's default).
const FILM_DELAY_MS: u32 = 150;

/// A film's figure by extension: the frame on show (PNG or SVG; in 3D when shown so) or the
/// whole film (GIF or MP4).
fn write_film_figure(
    film: &Film,
    frame: usize,
    scale: &ColorScale,
    three_d: Option<(Camera, HeightScale)>,
    path: &Path,
    ext: &str,
) -> Result<(), ExportError> {
    match ext {
        "gif" | "mp4" => {
            let images = frame_images(film, scale, 1.0)?;
            if ext == "gif" {
                write_gif(path, &images, FILM_DELAY_MS)?;
            } else {
                write_mp4(path, &images, 1000.0 / f64::from(FILM_DELAY_MS))?;
            }
            Ok(())
        }
        "png" | "svg" => {
            let landscape = film.frame_landscape(frame).ok_or(ExportError::Nothing(
                "the frame on show is not computed yet: wait for it, or pick a computed frame",
            ))?;
            let scale = ColorScale {
                range: film.value_range(frame),
                ..scale.clone()
            };
            let title = frame_title(film, frame);
            let s = &landscape.surface;
            match three_d {
                Some((camera, height)) => {
                    let (alpha, beta) = (s.alpha.to_vec(), s.beta.to_vec());
                    let figure = Landscape3dFigure {
                        scene: SurfaceScene {
                            alpha: &alpha,
                            beta: &beta,
                            values: s.values.view(),
                            path: film
                                .path_to(frame)
                                .iter()
                                .map(|p| [p.0, p.1, p.3])
                                .collect(),
                            centre: true,
                            scale,
                            height,
                            height_range: film.value_range(frame),
                        },
                        camera,
                        title,
                    };
                    Ok(render(&figure, path, 2.0)?)
                }
                None => {
                    let figure = LandscapeFigure {
                        panels: vec![(&landscape, title)],
                        scale,
                    };
                    Ok(render(&figure, path, 2.0)?)
                }
            }
        }
        _ => Err(ExportError::Extension {
            path: path.to_path_buf(),
            what: "a film",
            allowed: ".png or .svg (the frame on show), .gif or .mp4 (the film)",
            ext: ext.to_string(),
        }),
    }
}

/// Write the view's data to `path`: CSV for every view, NPZ for a landscape; a film's frame as
/// CSV, the film as NPZ or as VTK (a `.pvd` and a `.vts` per frame beside it).
pub fn write_data(content: &ExportContent, path: &Path) -> Result<(), ExportError> {
    let ext = extension(path);
    let io = ExportError::io(path);
    let wrong = |what, allowed| ExportError::Extension {
        path: path.to_path_buf(),
        what,
        allowed,
        ext: ext.clone(),
    };
    match (content, ext.as_str()) {
        (ExportContent::Landscape { landscape, .. }, "npz") => {
            save_landscape(path, landscape).map_err(io)
        }
        (ExportContent::Film { film, .. }, "npz") => save_film(path, film).map_err(io),
        (ExportContent::Film { film, .. }, "pvd") => {
            write_film_vtk(film, path).map(|_| ()).map_err(io)
        }
        (ExportContent::Film { film, frame, .. }, "csv") => {
            let landscape = film.frame_landscape(*frame).ok_or(ExportError::Nothing(
                "the frame on show is not computed yet: wait for it, or pick a computed frame",
            ))?;
            write_atomically(path, |w| write_surface_csv(&landscape, w)).map_err(io)
        }
        (ExportContent::Film { .. }, _) => Err(wrong(
            "film data",
            ".csv (the frame on show), .npz or .pvd (the film)",
        )),
        (_, "csv") => write_atomically(path, |w| write_csv(content, w)).map_err(io),
        (ExportContent::Landscape { .. }, _) => Err(wrong("landscape data", ".csv or .npz")),
        _ => Err(wrong("data", ".csv")),
    }
}

fn write_csv(content: &ExportContent, w: &mut dyn Write) -> std::io::Result<()> {
    match content {
        ExportContent::Curves { metrics, .. } => crate::run::write_metrics(&mut *w, metrics)?,
        ExportContent::Landscape { landscape, .. } => write_surface_csv(landscape, w)?,
        ExportContent::Film { film, frame, .. } => match film.frame_landscape(*frame) {
            Some(landscape) => write_surface_csv(&landscape, w)?,
            None => {
                return Err(std::io::Error::other(
                    "the frame on show is not computed yet",
                ))
            }
        },
        ExportContent::Lattice { model, bits, .. } => {
            let lattice = model.lattice();
            let defects = model.defect_map(ndarray::ArrayView1::from(&bits[..]));
            writeln!(w, "site,row,col,bit,defect_triangle")?;
            for (i, bit) in bits.iter().enumerate() {
                let site = lattice.site(i);
                writeln!(
                    w,
                    "{i},{},{},{bit},{}",
                    site.row, site.col, defects[i] as u8
                )?;
            }
        }
        ExportContent::Modes { modes, .. } => {
            writeln!(w, "configuration,count,energy_per_spin,ground_state_id")?;
            for m in modes {
                writeln!(
                    w,
                    "{},{},{},{}",
                    m.configuration,
                    m.count,
                    m.energy,
                    m.ground_state.as_deref().unwrap_or("")
                )?;
            }
        }
    }
    Ok(())
}

/// A landscape's grid as CSV rows (α, β, value, stderr).
fn write_surface_csv(landscape: &Landscape, w: &mut dyn Write) -> std::io::Result<()> {
    let s = &landscape.surface;
    writeln!(w, "alpha,beta,value_per_spin,stderr")?;
    for (j, b) in s.beta.iter().enumerate() {
        for (i, a) in s.alpha.iter().enumerate() {
            writeln!(w, "{a},{b},{},{}", s.values[[j, i]], s.stderr[[j, i]])?;
        }
    }
    Ok(())
}

/// Whether a native file dialog can appear: on Linux, rfd asks the XDG desktop portal over
/// the session bus, so without one the dialog would fail (and the app asks for a typed path).
pub fn file_dialog_available() -> bool {
    if cfg!(target_os = "linux") {
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty())
    } else {
        true
    }
}
