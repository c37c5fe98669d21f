//! The two-class output every cell shares: p(e = 1) = σ(d) for the logit difference d.

/// log σ(z), stable for large |z|.
pub(crate) fn log_sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        -(-z).exp().ln_1p()
    } else {
        z - z.exp().ln_1p()
    }
}

/// σ(z) = 1 / (1 + e^−z).
pub(crate) fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}
