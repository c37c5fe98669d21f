//! `RUN/curvature/NAME.npz`: one snapshot's curvature — eigenvalues, eigenvectors (rows, in
//! the NPZ parameter order), residuals, standard errors, the trace, the preconditioned
//! sharpness, the density, and the settings as TOML bytes.

use ndarray::{arr1, Array1, Array2};
use std::path::Path;

use super::measure::{CurvatureReport, CurvatureSettings};
use super::spectrum::Ritz;
use crate::files::write_npz_atomically;

/// Points of the stored density curve.
pub const DENSITY_POINTS: usize = 400;
/// Gaussian width of the stored density, as a fraction of the Ritz values' range.
pub const DENSITY_WIDTH: f64 = 0.01;

fn pairs(ritz: &[Ritz], dim: usize) -> (Array1<f64>, Array1<f64>, Array1<f64>, Array2<f64>) {
    let mut vectors = Array2::zeros((ritz.len(), dim));
    for (i, r) in ritz.iter().enumerate() {
        vectors.row_mut(i).assign(&Array1::from(r.vector.clone()));
    }
    (
        ritz.iter().map(|r| r.value).collect(),
        ritz.iter().map(|r| r.stderr).collect(),
        ritz.iter().map(|r| r.residual).collect(),
        vectors,
    )
}

/// Write `report` (made with `settings`, at X = `x`) to `path` atomically; `threshold` is Adam's.
pub fn save_report(
    path: &Path,
    report: &CurvatureReport,
    settings: &CurvatureSettings,
    x: f64,
    threshold: f64,
) -> std::io::Result<()> {
    let dim = report.extremes.top.first().map_or(0, |r| r.vector.len());
    let toml = toml::to_string(&Stored {
        x,
        settings: *settings,
    })
    .map_err(std::io::Error::other)?;
    write_npz_atomically(path, |npz| {
        let err = std::io::Error::other;
        for (name, ritz) in [
            ("top", &report.extremes.top),
            ("bottom", &report.extremes.bottom),
        ] {
            let (values, stderr, residuals, vectors) = pairs(ritz, dim);
            npz.add_array(format!("{name}/values"), &values)
                .map_err(err)?;
            npz.add_array(format!("{name}/stderr"), &stderr)
                .map_err(err)?;
            npz.add_array(format!("{name}/residuals"), &residuals)
                .map_err(err)?;
            npz.add_array(format!("{name}/vectors"), &vectors)
                .map_err(err)?;
        }
        npz.add_array("trace", &arr1(&[report.trace.value, report.trace.stderr]))
            .map_err(err)?;
        if let Some(p) = &report.preconditioned {
            npz.add_array("preconditioned", &arr1(&[p.value, p.stderr, threshold]))
                .map_err(err)?;
        }
        if let Some(d) = &report.density {
            let (grid, values) = d.curve(DENSITY_POINTS, DENSITY_WIDTH);
            npz.add_array("density/grid", &Array1::from(grid))
                .map_err(err)?;
            npz.add_array("density/values", &Array1::from(values))
                .map_err(err)?;
            let steps = d.nodes.iter().map(Vec::len).max().unwrap_or(0);
            let mut nodes = Array2::from_elem((d.nodes.len(), steps), f64::NAN);
            let mut weights = Array2::zeros((d.nodes.len(), steps));
            for (i, (t, w)) in d.nodes.iter().zip(&d.weights).enumerate() {
                for (k, (&t, &w)) in t.iter().zip(w).enumerate() {
                    nodes[[i, k]] = t;
                    weights[[i, k]] = w;
                }
            }
            npz.add_array("density/nodes", &nodes).map_err(err)?;
            npz.add_array("density/weights", &weights).map_err(err)?;
        }
        npz.add_array("settings", &Array1::from(toml.clone().into_bytes()))
            .map_err(err)?;
        Ok(())
    })
}

/// The settings as stored.
#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    x: f64,
    settings: CurvatureSettings,
}

/// The density curve (λ, φ) stored in `path`, if it has one.
pub fn read_density(path: &Path) -> std::io::Result<Option<(Vec<f64>, Vec<f64>)>> {
    let file = std::fs::File::open(path)?;
    let mut npz = ndarray_npy::NpzReader::new(file).map_err(std::io::Error::other)?;
    let names = npz.names().map_err(std::io::Error::other)?;
    if !names.iter().any(|n| n == "density/grid") {
        return Ok(None);
    }
    let grid: Array1<f64> = npz.by_name("density/grid").map_err(std::io::Error::other)?;
    let values: Array1<f64> = npz
        .by_name("density/values")
        .map_err(std::io::Error::other)?;
    Ok(Some((grid.to_vec(), values.to_vec())))
}

/// The stored eigenvectors `which` ("top" or "bottom"), one per row.
pub fn read_vectors(path: &Path, which: &str) -> std::io::Result<Array2<f64>> {
    let file = std::fs::File::open(path)?;
    let mut npz = ndarray_npy::NpzReader::new(file).map_err(std::io::Error::other)?;
    npz.by_name(&format!("{which}/vectors"))
        .map_err(std::io::Error::other)
}
