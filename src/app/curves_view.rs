//! The curves view's settings, the curvature data it shows beside the training curves, and
//! the thinning every curve panel draws through.

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

/// Most points drawn per line: longer series are thinned evenly (the last point kept), so
/// a 51,001-step run costs no more per frame than a short one.
pub const MAX_POINTS: usize = 1000;

/// Indices of at most `max` evenly spaced points of a series of length `n`, the last kept.
pub fn thinned(n: usize, max: usize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let stride = n.div_ceil(max.max(1));
    let mut idx: Vec<usize> = (0..n).step_by(stride).collect();
    if idx.last() != Some(&(n - 1)) {
        idx.push(n - 1);
    }
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_the_ends_and_bounds_the_count() {
        assert!(thinned(0, 10).is_empty());
        assert_eq!(thinned(5, 10), vec![0, 1, 2, 3, 4]);
        let idx = thinned(51_001, MAX_POINTS);
        assert!(idx.len() <= MAX_POINTS + 1);
        assert_eq!(idx[0], 0);
        assert_eq!(*idx.last().unwrap(), 51_000);
        assert!(idx.windows(2).all(|w| w[0] < w[1]));
    }
}
