//! The training path projected on a slice plane (least squares; exact when the path lies in
//! the plane, as it nearly does for PCA directions). A projected point's loss is not the
//! surface value there: the path leaves the plane.

use ndarray::{Array1, ArrayView1, ArrayView2};

use super::Directions;

/// Coordinates (α_i, β_i) minimising ‖θ_i − θ* − α·δ − β·η‖ for each row θ_i of `path`.
pub fn project_path(
    path: ArrayView2<f64>,
    center: ArrayView1<f64>,
    directions: &Directions,
) -> (Array1<f64>, Array1<f64>) {
    let d = directions.delta.flat();
    let e = directions.eta.flat();
    let (dd, de, ee) = (d.dot(&d), d.dot(&e), e.dot(&e));
    let det = dd * ee - de * de;
    let mut alpha = Array1::zeros(path.nrows());
    let mut beta = Array1::zeros(path.nrows());
    for (k, row) in path.rows().into_iter().enumerate() {
        let v = &row - &center;
        let (dv, ev) = (d.dot(&v), e.dot(&v));
        if det.abs() > 1e-300 {
            alpha[k] = (ee * dv - de * ev) / det;
            beta[k] = (dd * ev - de * dv) / det;
        } else if dd > 0.0 {
            alpha[k] = dv / dd;
        }
    }
    (alpha, beta)
}
