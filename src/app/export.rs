//! Exports: what a view exports (owned, so a background job can write it) and the writing
//! itself, kept apart from choosing the path so it is tested on its own.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use thiserror::Error;

use crate::anneal::{ModeCount, StepMetrics};
use crate::figures::{
    render, ColorScale, Curves, CurvesFigure, FigureError, LandscapeFigure, LatticeFigure,
    ModesFigure,
};
use crate::files::write_atomically;
use crate::landscape::{save_landscape, Landscape};
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

/// Write the view's data to `path`: CSV for every view, NPZ for a landscape.
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
        (_, "csv") => write_atomically(path, |w| write_csv(content, w)).map_err(io),
        (ExportContent::Landscape { .. }, _) => Err(wrong("landscape data", ".csv or .npz")),
        _ => Err(wrong("data", ".csv")),
    }
}

fn write_csv(content: &ExportContent, w: &mut dyn Write) -> std::io::Result<()> {
    match content {
        ExportContent::Curves { metrics, .. } => crate::run::write_metrics(&mut *w, metrics)?,
        ExportContent::Landscape { landscape, .. } => {
            let s = &landscape.surface;
            writeln!(w, "alpha,beta,value_per_spin,stderr")?;
            for (j, b) in s.beta.iter().enumerate() {
                for (i, a) in s.alpha.iter().enumerate() {
                    writeln!(w, "{a},{b},{},{}", s.values[[j, i]], s.stderr[[j, i]])?;
                }
            }
        }
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

/// Whether a native file dialog can appear: on Linux, rfd asks the XDG desktop portal over
/// the session bus, so without one the dialog would fail (and the app asks for a typed path).
pub fn file_dialog_available() -> bool {
    if cfg!(target_os = "linux") {
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty())
    } else {
        true
    }
}
