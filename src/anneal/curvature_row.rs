//! One row of `curvature.csv` (SPEC §6.1–6.2): the curvature of the per-spin objective at one
//! step, measured by the run layer's probe with the `curvature` module. Plain data here, so
//! observers can receive it without the loop knowing how it is measured.

use serde::{Deserialize, Serialize};

use super::Phase;

/// The curvature at one step: the network after that step's updates, at that step's T or B.
/// Eigenvalues and the trace are of the Hessian of the per-spin objective; the sharpnesses
/// are of the loss the updates descend, `loss_scale` times it, so they compare with 2/η and
/// 38/η directly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurvatureRow {
    /// Step index.
    pub step: usize,
    /// Warm-up or anneal.
    pub phase: Phase,
    /// T (0 for quantum runs).
    pub temperature: f64,
    /// B (0 for thermal runs).
    pub field: f64,
    /// `exact` or `sampled`.
    pub estimator: String,
    /// Samples of the sampled estimator (0 for exact).
    pub samples: usize,
    /// λ_max of the per-spin Hessian.
    pub lambda_max: f64,
    /// Its standard error over batches (0 for exact).
    pub lambda_max_stderr: f64,
    /// λ_min (negative: a saddle direction).
    pub lambda_min: f64,
    /// Its standard error.
    pub lambda_min_stderr: f64,
    /// tr(H) by Hutchinson.
    pub trace: f64,
    /// Its standard error (probes and batches).
    pub trace_stderr: f64,
    /// The factor from the per-spin objective to the descended loss.
    pub loss_scale: f64,
    /// loss_scale·λ_max, against 2/η.
    pub sharpness: f64,
    /// 2/η.
    pub gradient_descent_threshold: f64,
    /// λ_max(P^(−1/2)·loss_scale·H·P^(−1/2)), P = diag(√v̂ + ε) (empty before the first update).
    #[serde(default)]
    pub preconditioned_sharpness: Option<f64>,
    /// Its standard error.
    #[serde(default)]
    pub preconditioned_sharpness_stderr: Option<f64>,
    /// (2 + 2β₁)/((1 − β₁)η) = 38/η.
    pub adam_threshold: f64,
    /// η.
    pub learning_rate: f64,
    /// Largest Lanczos residual ‖Hx − λx‖ over |λ| among the pairs reported.
    pub relative_residual: f64,
    /// Hessian-vector products used.
    pub products: usize,
    /// Wall time of the measurement.
    pub seconds: f64,
    /// The step's own quadratic model (SPEC §8.1), Δθ the step's updates, centred where the
    /// step began: L(θ₀ + sΔθ) ≈ L(θ₀) + sΔ₁ + s²Δ₂, L = loss_scale·O; Δ₁ = ∇L(θ₀)ᵀΔθ (carried
    /// back from the probe's point θ₀ + Δθ; empty in files from before it was measured).
    #[serde(default)]
    pub step_first_order: Option<f64>,
    /// Δ₂ = ½ Δθᵀ ∇²L Δθ.
    #[serde(default)]
    pub step_second_order: Option<f64>,
    /// Δ₂/|Δ₁|: above 1 the step overshoots its quadratic model.
    #[serde(default)]
    pub step_overshoot: Option<f64>,
}

impl CurvatureRow {
    /// Column names of `curvature.csv`, in order.
    pub const COLUMNS: [&'static str; 25] = [
        "step",
        "phase",
        "temperature",
        "field",
        "estimator",
        "samples",
        "lambda_max",
        "lambda_max_stderr",
        "lambda_min",
        "lambda_min_stderr",
        "trace",
        "trace_stderr",
        "loss_scale",
        "sharpness",
        "gradient_descent_threshold",
        "preconditioned_sharpness",
        "preconditioned_sharpness_stderr",
        "adam_threshold",
        "learning_rate",
        "relative_residual",
        "products",
        "seconds",
        "step_first_order",
        "step_second_order",
        "step_overshoot",
    ];

    /// T or B.
    pub fn x(&self) -> f64 {
        self.temperature.max(self.field)
    }

    /// The first real-valued column holding NaN or infinity, if any.
    pub fn non_finite_column(&self) -> Option<&'static str> {
        [
            ("lambda_max", self.lambda_max),
            ("lambda_min", self.lambda_min),
            ("trace", self.trace),
            ("sharpness", self.sharpness),
            (
                "preconditioned_sharpness",
                self.preconditioned_sharpness.unwrap_or(0.0),
            ),
        ]
        .iter()
        .find(|(_, v)| !v.is_finite())
        .map(|(n, _)| *n)
    }
}
