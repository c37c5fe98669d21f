//! The curves view's settings and the curvature data it shows beside the training curves.

/// Curves view settings.
#[derive(Debug, Clone, PartialEq)]
pub struct CurvesView {
    /// Plot against T or B instead of step.
    pub against_x: bool,
    /// Show the entropy estimate.
    pub show_entropy: bool,
    /// Show T or B (step axis only).
    pub show_x: bool,
    /// Show the exact distances under the curves, when the run measured them.
    pub show_distances: bool,
    /// Show the curvature tab instead of the training curves.
    pub curvature: bool,
    /// The snapshot whose spectral density the curvature tab shows.
    pub density: Option<String>,
}

impl Default for CurvesView {
    fn default() -> Self {
        Self {
            against_x: false,
            show_entropy: true,
            show_x: true,
            show_distances: true,
            curvature: false,
            density: None,
        }
    }
}

/// A Hessian spectral density stored for one snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct Density {
    /// The snapshot.
    pub snapshot: String,
    /// Eigenvalue grid (per spin).
    pub grid: Vec<f64>,
    /// φ on the grid.
    pub values: Vec<f64>,
}
