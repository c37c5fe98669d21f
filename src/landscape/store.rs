//! Landscapes on disk: one NPZ per landscape with the grid, the values, the projected path
//! and the settings (as TOML text in a byte array) needed to recompute it.

use ndarray::{Array1, Array2};
use ndarray_npy::NpzReader;
use serde::{Deserialize, Serialize};
use std::path::Path;

use super::LandscapeError;
use super::{DirectionKind, Surface, SurfaceSpec};
use crate::files::write_npz_atomically;

/// Everything that defines a landscape besides the weights it is centred on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LandscapeSettings {
    /// The snapshot it is centred on.
    pub snapshot: String,
    /// Step of the snapshot (−1 for init).
    pub step: i64,
    /// `thermal` or `quantum`.
    pub kind: String,
    /// T or B of the objective.
    pub x: f64,
    /// L.
    pub size: usize,
    /// The directions.
    pub directions: DirectionKind,
    /// Seed of the random directions.
    pub direction_seed: u64,
    /// What biases do in filter directions (`zero` or `copy`).
    pub bias: super::BiasDirection,
    /// Grid and estimator.
    pub spec: SurfaceSpec,
    /// cos ∠(δ, η).
    pub cosine: f64,
    /// PCA explained-variance ratios.
    pub explained: Option<[f64; 2]>,
    /// Roughness of the surface.
    pub roughness: f64,
    /// What each axis is, in its units, where the kind alone does not say (Hessian and update
    /// directions name their eigenvalue; interpolation names both snapshots).
    #[serde(default)]
    pub axis_labels: Option<[String; 2]>,
    /// For an interpolation: max over t ∈ [0, 1] of O(θ(t)) − max(O(θ_a), O(θ_b)).
    #[serde(default)]
    pub barrier: Option<f64>,
    /// Which eigenvectors a Hessian slice spans.
    #[serde(default)]
    pub pair: super::HessianPair,
    /// The snapshot an interpolation goes to.
    #[serde(default)]
    pub to: Option<String>,
}

/// A computed landscape.
#[derive(Debug, Clone, PartialEq)]
pub struct Landscape {
    /// Settings.
    pub settings: LandscapeSettings,
    /// The surface.
    pub surface: Surface,
    /// The path's coordinates in the plane and its steps.
    pub path_alpha: Array1<f64>,
    /// β coordinates of the path.
    pub path_beta: Array1<f64>,
    /// Steps of the path points (−1 = initial weights).
    pub path_steps: Array1<i64>,
    /// δ and η as rows.
    pub directions: Array2<f64>,
}

/// Write a landscape atomically.
pub fn save_landscape(path: &Path, landscape: &Landscape) -> std::io::Result<()> {
    let settings = toml::to_string(&landscape.settings).map_err(std::io::Error::other)?;
    write_npz_atomically(path, |npz| {
        let err = std::io::Error::other;
        let s = &landscape.surface;
        npz.add_array("alpha", &s.alpha).map_err(err)?;
        npz.add_array("beta", &s.beta).map_err(err)?;
        npz.add_array("values", &s.values).map_err(err)?;
        npz.add_array("stderr", &s.stderr).map_err(err)?;
        npz.add_array("path_alpha", &landscape.path_alpha)
            .map_err(err)?;
        npz.add_array("path_beta", &landscape.path_beta)
            .map_err(err)?;
        npz.add_array("path_steps", &landscape.path_steps)
            .map_err(err)?;
        npz.add_array("directions", &landscape.directions)
            .map_err(err)?;
        npz.add_array("settings_toml", &Array1::from(settings.into_bytes()))
            .map_err(err)?;
        Ok(())
    })
}

/// Read a landscape written by [`save_landscape`].
pub fn load_landscape(path: &Path) -> Result<Landscape, LandscapeError> {
    let what = |e: &dyn std::fmt::Display| LandscapeError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(|e| what(&e))?;
    let mut npz = NpzReader::new(file).map_err(|e| what(&e))?;
    let bytes: Array1<u8> = npz.by_name("settings_toml").map_err(|e| what(&e))?;
    let text = String::from_utf8(bytes.to_vec()).map_err(|e| what(&e))?;
    let settings: LandscapeSettings = toml::from_str(&text).map_err(|e| what(&e))?;
    let mut get2 = |name: &str| -> Result<Array2<f64>, LandscapeError> {
        npz.by_name(name).map_err(|e| what(&e))
    };
    let values = get2("values")?;
    let stderr = get2("stderr")?;
    let directions = get2("directions")?;
    let mut get1 = |name: &str| -> Result<Array1<f64>, LandscapeError> {
        npz.by_name(name).map_err(|e| what(&e))
    };
    let alpha = get1("alpha")?;
    let beta = get1("beta")?;
    let path_alpha = get1("path_alpha")?;
    let path_beta = get1("path_beta")?;
    let path_steps: Array1<i64> = npz.by_name("path_steps").map_err(|e| what(&e))?;
    // Arrays that do not fit each other would index out of bounds in the figure code.
    let grid = (beta.len(), alpha.len());
    let misfit = if alpha.len() < 2 || beta.is_empty() {
        Some(format!(
            "alpha has {} and beta {} points (need at least 2 and 1)",
            alpha.len(),
            beta.len()
        ))
    } else if values.dim() != grid || stderr.dim() != grid {
        Some(format!(
            "values {:?} and stderr {:?} do not match beta × alpha = {grid:?}",
            values.dim(),
            stderr.dim()
        ))
    } else if path_alpha.len() != path_beta.len() || path_alpha.len() != path_steps.len() {
        Some(format!(
            "path_alpha, path_beta and path_steps have {}, {} and {} entries",
            path_alpha.len(),
            path_beta.len(),
            path_steps.len()
        ))
    } else if !alpha.iter().chain(beta.iter()).all(|v| v.is_finite()) {
        Some("alpha or beta holds NaN or infinity".into())
    } else {
        None
    };
    if let Some(misfit) = misfit {
        return Err(what(&format!(
            "{misfit}: the file is damaged; compute the landscape again"
        )));
    }
    Ok(Landscape {
        settings,
        surface: Surface {
            alpha,
            beta,
            values,
            stderr,
        },
        path_alpha,
        path_beta,
        path_steps,
        directions,
    })
}
