//! The natural-gradient step in sample space (SPEC §8.1): minSR (Chen & Heyl) and SPRING
//! (Goldshlager et al.). With D̄ the centred, 1/√M-scaled log-derivatives (M × P) and ε the
//! centred, 1/√M-scaled local values, (S + λI)⁻¹D̄ᵀε = D̄ᵀ(D̄D̄ᵀ + λI_M)⁻¹ε: an M × M Cholesky
//! solve instead of a P × P one.

use nalgebra::{DMatrix, DVector};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use thiserror::Error;

/// Why a natural-gradient step could not be taken.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum NaturalError {
    /// The Cholesky factorisation failed.
    #[error(
        "the SR matrix D̄D̄ᵀ + λI (λ = {shift}) is not positive definite: raise optimizer.diag_shift"
    )]
    NotPositiveDefinite {
        /// λ.
        shift: f64,
    },
    /// A non-finite entry in the inputs or the step.
    #[error("the natural-gradient step holds NaN or infinity: lower optimizer.learning_rate or raise optimizer.diag_shift")]
    NonFinite,
}

/// Centre and scale the rows of D (M × P) and the local values: D̄ = (D − D̄_mean)/√M and
/// ε = (O − Ō)/√M, so D̄ᵀε is the standard estimator's gradient.
pub fn centred(d: ArrayView2<f64>, local: ArrayView1<f64>) -> (Array2<f64>, Array1<f64>) {
    let m = d.nrows() as f64;
    let scale = 1.0 / m.sqrt();
    let mean = d.mean_axis(ndarray::Axis(0)).expect("at least one row");
    let dbar = (&d - &mean) * scale;
    let local_mean = local.mean().expect("at least one value");
    let eps = local.mapv(|o| (o - local_mean) * scale);
    (dbar, eps)
}

/// φ = μφ_prev + D̄ᵀ(D̄D̄ᵀ + λI)⁻¹(ε − μD̄φ_prev): SPRING with momentum μ; μ = 0 (or no
/// previous φ) is minSR, the natural gradient (S + λI)⁻¹D̄ᵀε.
pub fn sample_space_step(
    dbar: ArrayView2<f64>,
    eps: ArrayView1<f64>,
    shift: f64,
    momentum: f64,
    previous: Option<ArrayView1<f64>>,
) -> Result<Array1<f64>, NaturalError> {
    if !(dbar.iter().all(|v| v.is_finite()) && eps.iter().all(|v| v.is_finite())) {
        return Err(NaturalError::NonFinite);
    }
    let m = dbar.nrows();
    let mut rhs = eps.to_owned();
    if let (Some(prev), true) = (previous, momentum != 0.0) {
        rhs.scaled_add(-momentum, &dbar.dot(&prev));
    }
    let gram = dbar.dot(&dbar.t());
    let mut t = DMatrix::from_fn(m, m, |i, j| gram[[i, j]]);
    for i in 0..m {
        t[(i, i)] += shift;
    }
    let cholesky = t
        .cholesky()
        .ok_or(NaturalError::NotPositiveDefinite { shift })?;
    let x = cholesky.solve(&DVector::from_iterator(m, rhs.iter().copied()));
    let x = Array1::from_iter(x.iter().copied());
    let mut phi = dbar.t().dot(&x);
    if let (Some(prev), true) = (previous, momentum != 0.0) {
        phi.scaled_add(momentum, &prev);
    }
    if !phi.iter().all(|v| v.is_finite()) {
        return Err(NaturalError::NonFinite);
    }
    Ok(phi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// minSR equals the parameter-space solve (S + λI)⁻¹D̄ᵀε with S = D̄ᵀD̄.
    #[test]
    fn sample_space_equals_parameter_space() {
        let (m, p) = (7, 12);
        let d = Array2::from_shape_fn((m, p), |(i, j)| ((i * 31 + j * 17) % 11) as f64 / 5.0 - 1.0);
        let local = Array1::from_shape_fn(m, |i| (i as f64 * 1.3).sin());
        let (dbar, eps) = centred(d.view(), local.view());
        let shift = 1e-3;
        let phi = sample_space_step(dbar.view(), eps.view(), shift, 0.0, None).unwrap();
        let s = dbar.t().dot(&dbar);
        let a = DMatrix::from_fn(p, p, |i, j| s[[i, j]] + if i == j { shift } else { 0.0 });
        let g = dbar.t().dot(&eps);
        let want = a
            .lu()
            .solve(&DVector::from_iterator(p, g.iter().copied()))
            .unwrap();
        for (x, y) in phi.iter().zip(want.iter()) {
            assert!((x - y).abs() < 1e-10 * y.abs().max(1.0), "{x} vs {y}");
        }
    }

    /// SPRING with μ = 0 is minSR; with μ > 0 its φ solves the regularised problem around
    /// μφ_prev: φ − μφ_prev = D̄ᵀ(D̄D̄ᵀ + λI)⁻¹(ε − μD̄φ_prev).
    #[test]
    fn spring_with_zero_momentum_is_minsr() {
        let d = Array2::from_shape_fn((5, 8), |(i, j)| ((i + 2 * j) % 5) as f64 - 2.0);
        let local = Array1::from_shape_fn(5, |i| i as f64 * i as f64);
        let (dbar, eps) = centred(d.view(), local.view());
        let prev = Array1::from_shape_fn(8, |j| 0.1 * j as f64);
        let minsr = sample_space_step(dbar.view(), eps.view(), 1e-2, 0.0, None).unwrap();
        let spring0 =
            sample_space_step(dbar.view(), eps.view(), 1e-2, 0.0, Some(prev.view())).unwrap();
        assert!(minsr.iter().zip(&spring0).all(|(a, b)| a == b));
        let spring =
            sample_space_step(dbar.view(), eps.view(), 1e-2, 0.5, Some(prev.view())).unwrap();
        assert!(minsr.iter().zip(&spring).any(|(a, b)| (a - b).abs() > 1e-6));
    }

    #[test]
    fn a_singular_matrix_without_shift_is_named() {
        let d = Array2::from_elem((4, 3), 1.0); // centred rows are all zero
        let local = Array1::from_shape_fn(4, |i| i as f64);
        let (dbar, eps) = centred(d.view(), local.view());
        let err = sample_space_step(dbar.view(), eps.view(), 0.0, 0.0, None).unwrap_err();
        assert!(err.to_string().contains("diag_shift"), "{err}");
    }
}
