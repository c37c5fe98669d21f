//! The landscape view's settings and its grid, filled in row by row as a job computes it.

use ndarray::{Array1, Array2};
use std::sync::Arc;

use crate::analysis::LandscapeRequest;
use crate::figures::{ColorMap, ColorScale};
use crate::landscape::{BiasDirection, DirectionKind, Landscape, SurfaceEstimator, SurfaceSpec};

/// The centre of a landscape: a stored snapshot or the live weights.
pub const NOW: &str = "now";

/// How values map to colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorMode {
    /// The data's full range.
    Auto,
    /// A fixed range.
    Fixed,
    /// The data's range clamped to percentiles.
    Percentile,
}

/// A grid being filled: values per spin at (α_i, β_j), NaN where not yet computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// α axis.
    pub alpha: Array1<f64>,
    /// β axis (one entry for a 1D slice).
    pub beta: Array1<f64>,
    /// `values[[j, i]]` at (α_i, β_j).
    pub values: Array2<f64>,
    /// Standard errors.
    pub stderr: Array2<f64>,
    /// Rows finished.
    pub rows_done: usize,
}

impl Grid {
    /// An empty grid for `spec`.
    pub fn empty(spec: &SurfaceSpec) -> Self {
        let alpha = spec.axis();
        let beta = if spec.one_dimensional {
            Array1::zeros(1)
        } else {
            spec.axis()
        };
        let shape = (beta.len(), alpha.len());
        Self {
            alpha,
            beta,
            values: Array2::from_elem(shape, f64::NAN),
            stderr: Array2::from_elem(shape, f64::NAN),
            rows_done: 0,
        }
    }

    /// A complete grid from a finished landscape.
    pub fn of(landscape: &Landscape) -> Self {
        let s = &landscape.surface;
        Self {
            alpha: s.alpha.clone(),
            beta: s.beta.clone(),
            values: s.values.clone(),
            stderr: s.stderr.clone(),
            rows_done: s.beta.len(),
        }
    }

    /// Grid point nearest to (α, β) and its value ± stderr, if inside the grid and computed.
    pub fn at(&self, alpha: f64, beta: f64) -> Option<(f64, f64, f64, f64)> {
        let nearest = |axis: &Array1<f64>, x: f64| {
            let (lo, hi) = (axis[0], axis[axis.len() - 1]);
            let step = if axis.len() > 1 {
                (hi - lo) / (axis.len() - 1) as f64
            } else {
                1.0
            };
            let k = ((x - lo) / step).round();
            (k >= 0.0 && k < axis.len() as f64).then_some(k as usize)
        };
        let i = nearest(&self.alpha, alpha)?;
        let j = if self.beta.len() == 1 {
            0
        } else {
            nearest(&self.beta, beta)?
        };
        let v = self.values[[j, i]];
        v.is_finite()
            .then(|| (self.alpha[i], self.beta[j], v, self.stderr[[j, i]]))
    }
}

/// Landscape view settings, the grid on show and the job's progress.
#[derive(Debug, Clone)]
pub struct LandscapeView {
    /// "now" or a snapshot name.
    pub source: String,
    /// Filter, gaussian or PCA.
    pub directions: DirectionKind,
    /// Seed of random directions.
    pub direction_seed: u64,
    /// α, β over [−range, range].
    pub range: f64,
    /// Points per axis.
    pub points: usize,
    /// Samples per point.
    pub samples: usize,
    /// Estimator.
    pub estimator: SurfaceEstimator,
    /// A 1D slice along δ.
    pub one_dimensional: bool,
    /// Colour range mode.
    pub color_mode: ColorMode,
    /// The fixed range (Fixed mode).
    pub fixed_range: (f64, f64),
    /// Percentiles clamped at each end (Percentile mode).
    pub percentile: f64,
    /// Logarithmic colours.
    pub log: bool,
    /// Number of contour levels.
    pub contours: usize,
    /// Recompute around the live weights whenever a computation finishes.
    pub follow_live: bool,
    /// The grid on show.
    pub grid: Option<Grid>,
    /// The finished landscape (with the projected path).
    pub result: Option<Arc<Landscape>>,
    /// A job is computing.
    pub computing: bool,
    /// The step the grid is centred on.
    pub centre_step: Option<i64>,
    /// The last failure.
    pub error: Option<String>,
    /// Which eigenvectors a Hessian slice spans.
    pub pair: crate::landscape::HessianPair,
    /// The snapshot an interpolation goes to.
    pub to: Option<String>,
    /// Bumped whenever the picture changes (the texture is rebuilt then).
    pub revision: u64,
}

impl Default for LandscapeView {
    fn default() -> Self {
        Self {
            source: NOW.to_string(),
            directions: DirectionKind::Filter,
            direction_seed: 0,
            range: 1.0,
            points: 31,
            samples: 100,
            estimator: SurfaceEstimator::Fresh,
            one_dimensional: false,
            color_mode: ColorMode::Percentile,
            fixed_range: (-1.0, 0.0),
            percentile: 2.0,
            log: false,
            contours: 8,
            follow_live: true,
            grid: None,
            result: None,
            computing: false,
            centre_step: None,
            error: None,
            pair: crate::landscape::HessianPair::Top,
            to: None,
            revision: 0,
        }
    }
}

impl LandscapeView {
    /// What to compute.
    pub fn request(&self) -> LandscapeRequest {
        LandscapeRequest {
            directions: self.directions,
            direction_seed: self.direction_seed,
            bias: BiasDirection::Zero,
            spec: SurfaceSpec {
                range: self.range,
                points: self.points,
                samples: self.samples,
                estimator: self.estimator,
                seed: self.direction_seed,
                one_dimensional: self.one_dimensional,
            },
            pair: self.pair,
            to: self.to.clone(),
        }
    }

    /// The colour scale the settings describe (the exported figure uses the same).
    pub fn scale(&self) -> ColorScale {
        ColorScale {
            map: ColorMap::Viridis,
            clamp_percentiles: (self.color_mode == ColorMode::Percentile)
                .then_some((self.percentile, 100.0 - self.percentile)),
            range: (self.color_mode == ColorMode::Fixed).then_some(self.fixed_range),
            log: self.log,
            contours: self.contours,
            levels: None,
        }
    }

    /// Forget the grid (a new run started).
    pub fn clear(&mut self) {
        self.grid = None;
        self.result = None;
        self.computing = false;
        self.centre_step = None;
        self.error = None;
        self.revision += 1;
    }

    /// A computation started centred on `step`. With `keep_picture` (following the live
    /// weights) the old values stay on show until their rows are replaced, if the grid is
    /// the same shape, so the picture updates rather than blinking to grey.
    pub fn begin(&mut self, step: i64, keep_picture: bool) {
        let fresh = Grid::empty(&self.request().spec);
        self.grid = match self.grid.take() {
            Some(mut old)
                if keep_picture
                    && old.values.dim() == fresh.values.dim()
                    && old.alpha == fresh.alpha =>
            {
                old.rows_done = 0;
                Some(old)
            }
            _ => Some(fresh),
        };
        self.result = None;
        self.computing = true;
        self.centre_step = Some(step);
        self.error = None;
        self.revision += 1;
    }

    /// Row `j` arrived.
    pub fn add_row(&mut self, j: usize, values: &[f64], stderr: &[f64]) {
        if let Some(grid) = &mut self.grid {
            if j < grid.values.nrows() && values.len() == grid.values.ncols() {
                grid.values
                    .row_mut(j)
                    .assign(&Array1::from(values.to_vec()));
                grid.stderr
                    .row_mut(j)
                    .assign(&Array1::from(stderr.to_vec()));
                grid.rows_done = grid.rows_done.max(j + 1);
                self.revision += 1;
            }
        }
    }

    /// The computation finished.
    pub fn finish(&mut self, landscape: Landscape) {
        self.grid = Some(Grid::of(&landscape));
        self.centre_step = Some(landscape.settings.step);
        self.result = Some(Arc::new(landscape));
        self.computing = false;
        self.revision += 1;
    }

    /// Fraction of rows done.
    pub fn progress(&self) -> f32 {
        self.grid
            .as_ref()
            .map_or(0.0, |g| g.rows_done as f32 / g.values.nrows().max(1) as f32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_fill_the_grid_and_lookup_finds_the_nearest_point() {
        let mut view = LandscapeView {
            points: 5,
            range: 1.0,
            ..LandscapeView::default()
        };
        view.begin(10, false);
        assert_eq!(view.progress(), 0.0);
        view.add_row(2, &[1.0, 2.0, 3.0, 4.0, 5.0], &[0.1; 5]);
        let grid = view.grid.as_ref().unwrap();
        // Row j = 2 is β = 0; α = 0.45 rounds to the grid point α = 0.5 (i = 3).
        assert_eq!(grid.at(0.45, 0.1), Some((0.5, 0.0, 4.0, 0.1)));
        assert_eq!(grid.at(0.0, 1.0), None, "row not computed yet");
        assert_eq!(grid.at(3.0, 0.0), None, "outside the grid");
        assert!((view.progress() - 0.6).abs() < 1e-6);
        // A row of the wrong length is ignored rather than panicking.
        view.add_row(0, &[1.0], &[0.0]);
        assert!(view.grid.as_ref().unwrap().values[[0, 0]].is_nan());
        // Following the weights keeps the old picture until rows are replaced…
        view.begin(20, true);
        let grid = view.grid.as_ref().unwrap();
        assert_eq!((grid.values[[2, 3]], grid.rows_done), (4.0, 0));
        // …unless the grid changed shape.
        view.points = 7;
        view.begin(30, true);
        assert!(view.grid.as_ref().unwrap().values[[2, 3]].is_nan());
    }
}
