//! A film of the landscape along the anneal (SPEC §10): one pair of directions fixed for the
//! whole run, frame j the surface around the trajectory point θ(t_j) at that point's own T or
//! B, with the path up to t_j drawn on it. Stored as `RUN/films/NAME.npz` with its settings;
//! unfinished frames hold NaN, so a stopped film resumes where it was.

use ndarray::{s, Array1, Array2, Array3};
use ndarray_npy::NpzReader;
use serde::{Deserialize, Serialize};
use std::path::Path;

use super::{
    BiasDirection, DirectionKind, HessianPair, Landscape, LandscapeError, LandscapeSettings,
    Surface, SurfaceSpec,
};
use crate::files::write_npz_atomically;

/// Points per axis of the preview computed for every frame before any full frame.
pub const PREVIEW_POINTS: usize = 11;

/// Most frames in one film.
pub const MAX_FRAMES: usize = 1000;

/// The colour range the frames are drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum FilmColour {
    /// One range over every frame, so colours compare across the film.
    #[default]
    Shared,
    /// Each frame its own range (stated on the frame).
    PerFrame,
}

/// Everything that defines a film besides the run it is of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilmSettings {
    /// `thermal` or `quantum`.
    pub kind: String,
    /// L.
    pub size: usize,
    /// The directions (pca, filter, gaussian or hessian).
    pub directions: DirectionKind,
    /// Seed of random directions and of the Hessian's Lanczos start.
    pub direction_seed: u64,
    /// What biases do in filter directions.
    pub bias: BiasDirection,
    /// Which eigenvectors a Hessian film spans.
    pub pair: HessianPair,
    /// The snapshot the Hessian directions were taken at.
    pub hessian_at: Option<String>,
    /// Grid and estimator of every frame.
    pub spec: SurfaceSpec,
    /// The trajectory steps the frames are centred on, in order.
    pub frame_steps: Vec<i64>,
    /// The phase of the anneal at each frame (init, warmup, anneal, final).
    #[serde(default)]
    pub frame_phases: Vec<String>,
    /// How the frames are coloured.
    pub colour: FilmColour,
    /// Frames planned over the whole run from its configuration, on steps the trajectory keeps
    /// to the end, around the initial weights as origin: a film that can grow while the run
    /// goes on.
    #[serde(default)]
    pub planned: bool,
    /// cos ∠(δ, η).
    pub cosine: f64,
    /// PCA explained-variance ratios.
    pub explained: Option<[f64; 2]>,
    /// What each axis is, where the kind alone does not say.
    pub axis_labels: Option<[String; 2]>,
}

impl FilmSettings {
    /// Whether a stored film with `other` settings is this one (so it can be reused or resumed).
    pub fn same_request(&self, other: &FilmSettings) -> bool {
        self.kind == other.kind
            && self.size == other.size
            && self.directions == other.directions
            && self.direction_seed == other.direction_seed
            && self.bias == other.bias
            && self.pair == other.pair
            && self.hessian_at == other.hessian_at
            && self.spec == other.spec
            && self.frame_steps == other.frame_steps
            && self.planned == other.planned
    }
}

/// A film: K frames of one grid, the path in the film's plane and the directions.
#[derive(Debug, Clone, PartialEq)]
pub struct Film {
    /// Settings.
    pub settings: FilmSettings,
    /// α axis.
    pub alpha: Array1<f64>,
    /// β axis.
    pub beta: Array1<f64>,
    /// T or B of each frame.
    pub xs: Array1<f64>,
    /// `values[[j, row, col]]`: frame j's objective per spin at (α_col, β_row); NaN until
    /// computed.
    pub values: Array3<f64>,
    /// Standard errors, like `values`.
    pub stderr: Array3<f64>,
    /// The coarse preview of each frame (PREVIEW_POINTS² over the same range); NaN until
    /// computed.
    pub preview: Array3<f64>,
    /// The whole path's coordinates (α, β) relative to the film's origin, the run's last point.
    pub path_alpha: Array1<f64>,
    /// β coordinates of the path.
    pub path_beta: Array1<f64>,
    /// Steps of the path points (−1 = initial weights).
    pub path_steps: Array1<i64>,
    /// The objective per spin the run recorded at each path point, at its own X (NaN where the
    /// run has no row for that step, e.g. the initial weights).
    pub path_values: Array1<f64>,
    /// The path point each frame is centred on.
    pub frame_points: Array1<u64>,
    /// δ and η as rows.
    pub directions: Array2<f64>,
}

impl Film {
    /// An empty film (every value NaN) for these settings and path.
    pub fn empty(settings: FilmSettings, xs: Array1<f64>, path: FilmPath) -> Self {
        let k = settings.frame_steps.len();
        let alpha = settings.spec.axis();
        let beta = alpha.clone();
        let n = alpha.len();
        Self {
            settings,
            values: Array3::from_elem((k, n, n), f64::NAN),
            stderr: Array3::from_elem((k, n, n), f64::NAN),
            preview: Array3::from_elem((k, PREVIEW_POINTS, PREVIEW_POINTS), f64::NAN),
            alpha,
            beta,
            xs,
            path_alpha: path.alpha,
            path_beta: path.beta,
            path_steps: path.steps,
            path_values: path.values,
            frame_points: path.frame_points,
            directions: path.directions,
        }
    }

    /// Take a newer path (a planned film whose run went on); the frames stay.
    pub fn set_path(&mut self, path: FilmPath) {
        self.path_alpha = path.alpha;
        self.path_beta = path.beta;
        self.path_steps = path.steps;
        self.path_values = path.values;
        self.frame_points = path.frame_points;
        self.directions = path.directions;
    }

    /// Number of frames.
    pub fn frames(&self) -> usize {
        self.settings.frame_steps.len()
    }

    /// Whether frame `j` is computed at full resolution.
    pub fn is_done(&self, j: usize) -> bool {
        self.values.slice(s![j, .., ..]).iter().all(|v| !v.is_nan())
    }

    /// Whether frame `j` has its preview.
    pub fn has_preview(&self, j: usize) -> bool {
        self.preview
            .slice(s![j, .., ..])
            .iter()
            .all(|v| !v.is_nan())
    }

    /// Whether the run has reached frame `j`'s step (always, but for a planned film of a run
    /// still going on).
    pub fn is_reached(&self, j: usize) -> bool {
        self.path_steps.get(self.centre_point(j)) == Some(&self.settings.frame_steps[j])
    }

    /// Frames whose step the run has reached.
    pub fn frames_reached(&self) -> usize {
        (0..self.frames()).filter(|&j| self.is_reached(j)).count()
    }

    /// Frames computed at full resolution.
    pub fn frames_done(&self) -> usize {
        (0..self.frames()).filter(|&j| self.is_done(j)).count()
    }

    /// The path point frame `j` is centred on.
    pub fn centre_point(&self, j: usize) -> usize {
        self.frame_points[j] as usize
    }

    /// The path up to frame `j`'s point, in frame j's coordinates (its centre at (0, 0) for
    /// PCA directions, where the path lies in the plane): (α, β, step, own value) per point.
    /// A frame the run has not reached yet is centred on the newest point.
    pub fn path_to(&self, j: usize) -> Vec<(f64, f64, i64, f64)> {
        let c = self.centre_point(j);
        let (a0, b0) = (self.path_alpha[c], self.path_beta[c]);
        (0..=c)
            .map(|i| {
                (
                    self.path_alpha[i] - a0,
                    self.path_beta[i] - b0,
                    self.path_steps[i],
                    self.path_values[i],
                )
            })
            .collect()
    }

    /// The value range of the computed full-resolution frames (shared colour range), or of
    /// frame `j` alone for per-frame colours; `None` while nothing is computed.
    pub fn value_range(&self, j: usize) -> Option<(f64, f64)> {
        let values: Box<dyn Iterator<Item = &f64>> = match self.settings.colour {
            FilmColour::Shared => Box::new(self.values.iter()),
            FilmColour::PerFrame => Box::new(self.values.slice(s![j, .., ..]).into_iter()),
        };
        let (lo, hi) = values
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        (lo <= hi).then_some((lo, hi))
    }

    /// Frame `j` as a landscape (for the landscape figure and view), the path up to its
    /// point projected on it; `None` until the frame is computed.
    pub fn frame_landscape(&self, j: usize) -> Option<Landscape> {
        if !self.is_done(j) {
            return None;
        }
        let path = self.path_to(j);
        let s = &self.settings;
        let surface = Surface {
            alpha: self.alpha.clone(),
            beta: self.beta.clone(),
            values: self.values.slice(s![j, .., ..]).to_owned(),
            stderr: self.stderr.slice(s![j, .., ..]).to_owned(),
        };
        Some(Landscape {
            settings: LandscapeSettings {
                snapshot: format!("frame {} of {}", j + 1, self.frames()),
                step: s.frame_steps[j],
                kind: s.kind.clone(),
                x: self.xs[j],
                size: s.size,
                directions: s.directions,
                direction_seed: s.direction_seed,
                bias: s.bias,
                spec: s.spec,
                cosine: s.cosine,
                explained: s.explained,
                roughness: surface.roughness(),
                axis_labels: s.axis_labels.clone(),
                barrier: None,
                pair: s.pair,
                to: None,
            },
            surface,
            path_alpha: path.iter().map(|p| p.0).collect(),
            path_beta: path.iter().map(|p| p.1).collect(),
            path_steps: path.iter().map(|p| p.2).collect(),
            directions: self.directions.clone(),
        })
    }
}

/// The path of a film: every trajectory point projected on the film's plane, with the value
/// the run recorded there, and which point each frame is centred on.
#[derive(Debug, Clone, PartialEq)]
pub struct FilmPath {
    /// α of each point, relative to the film's origin.
    pub alpha: Array1<f64>,
    /// β of each point.
    pub beta: Array1<f64>,
    /// Steps of the points.
    pub steps: Array1<i64>,
    /// Recorded objective per spin (NaN where unknown).
    pub values: Array1<f64>,
    /// The point of each frame.
    pub frame_points: Array1<u64>,
    /// δ and η as rows.
    pub directions: Array2<f64>,
}

/// `k` indices spread evenly over `0..points` (first and last included); an error naming the
/// fix if there are fewer points than frames.
pub fn even_frames(points: usize, k: usize) -> Result<Vec<usize>, LandscapeError> {
    let option = |message: String| LandscapeError::Option {
        option: "frames",
        message,
    };
    if !(2..=MAX_FRAMES).contains(&k) {
        return Err(option(format!(
            "frames must be from 2 to {MAX_FRAMES} (got {k})"
        )));
    }
    if k > points {
        return Err(option(format!(
            "the run's trajectory keeps {points} points, fewer than the {k} frames asked: ask for at most {points} frames, or rerun with a larger output.trajectory_points"
        )));
    }
    Ok((0..k)
        .map(|j| ((j as f64) * (points - 1) as f64 / (k - 1) as f64).round() as usize)
        .collect())
}

/// Write a film atomically.
pub fn save_film(path: &Path, film: &Film) -> std::io::Result<()> {
    let settings = toml::to_string(&film.settings).map_err(std::io::Error::other)?;
    write_npz_atomically(path, |npz| {
        let err = std::io::Error::other;
        npz.add_array("alpha", &film.alpha).map_err(err)?;
        npz.add_array("beta", &film.beta).map_err(err)?;
        npz.add_array("xs", &film.xs).map_err(err)?;
        npz.add_array("values", &film.values).map_err(err)?;
        npz.add_array("stderr", &film.stderr).map_err(err)?;
        npz.add_array("preview", &film.preview).map_err(err)?;
        npz.add_array("path_alpha", &film.path_alpha).map_err(err)?;
        npz.add_array("path_beta", &film.path_beta).map_err(err)?;
        npz.add_array("path_steps", &film.path_steps).map_err(err)?;
        npz.add_array("path_values", &film.path_values)
            .map_err(err)?;
        npz.add_array("frame_points", &film.frame_points)
            .map_err(err)?;
        npz.add_array("directions", &film.directions).map_err(err)?;
        npz.add_array("settings_toml", &Array1::from(settings.into_bytes()))
            .map_err(err)?;
        Ok(())
    })
}

/// Read a film written by [`save_film`], refusing arrays that do not fit each other.
pub fn load_film(path: &Path) -> Result<Film, LandscapeError> {
    let what = |e: &dyn std::fmt::Display| LandscapeError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(|e| what(&e))?;
    let mut npz = NpzReader::new(file).map_err(|e| what(&e))?;
    let bytes: Array1<u8> = npz.by_name("settings_toml").map_err(|e| what(&e))?;
    let text = String::from_utf8(bytes.to_vec()).map_err(|e| what(&e))?;
    let settings: FilmSettings = toml::from_str(&text).map_err(|e| what(&e))?;
    macro_rules! get {
        ($name:expr) => {
            npz.by_name($name).map_err(|e| what(&e))?
        };
    }
    let film = Film {
        settings,
        alpha: get!("alpha"),
        beta: get!("beta"),
        xs: get!("xs"),
        values: get!("values"),
        stderr: get!("stderr"),
        preview: get!("preview"),
        path_alpha: get!("path_alpha"),
        path_beta: get!("path_beta"),
        path_steps: get!("path_steps"),
        path_values: get!("path_values"),
        frame_points: get!("frame_points"),
        directions: get!("directions"),
    };
    let k = film.settings.frame_steps.len();
    let grid = (k, film.beta.len(), film.alpha.len());
    let path = film.path_alpha.len();
    let misfit = if film.values.dim() != grid || film.stderr.dim() != grid {
        Some(format!(
            "values {:?} do not match frames × beta × alpha = {grid:?}",
            film.values.dim()
        ))
    } else if film.xs.len() != k || film.frame_points.len() != k {
        Some(format!(
            "{} frames in the settings, {} values of X and {} frame points",
            k,
            film.xs.len(),
            film.frame_points.len()
        ))
    } else if film.preview.dim() != (k, PREVIEW_POINTS, PREVIEW_POINTS) {
        Some(format!("the preview is {:?}", film.preview.dim()))
    } else if [
        film.path_beta.len(),
        film.path_steps.len(),
        film.path_values.len(),
    ]
    .iter()
    .any(|&n| n != path)
    {
        Some("the path's arrays differ in length".into())
    } else if film.frame_points.iter().any(|&p| p as usize >= path) {
        Some("a frame is centred on a point the path does not have".into())
    } else {
        None
    };
    if let Some(misfit) = misfit {
        return Err(what(&format!(
            "{misfit}: the file is damaged; compute the film again"
        )));
    }
    Ok(film)
}
