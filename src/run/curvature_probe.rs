//! Curvature along the anneal (`[diagnostics] curvature_every`): after every N-th step the
//! probe measures λ_max, λ_min, the trace and Adam's preconditioned sharpness of the network
//! the step left, at that step's T or B, and `curvature.csv` keeps the rows.
//!
//! To stay cheap it uses few Hessian-vector products per row, each Krylov space started from
//! the previous row's eigenvectors (the weights move little between rows, so the old top and
//! bottom directions span most of the new ones). Rows after a resume start cold, so they agree
//! with an uninterrupted run's within their residuals, not bit for bit.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::metrics_file::{read_rows, truncate_metrics};
use super::{RunConfig, RunError};
use crate::anneal::{AnnealKind, CurvatureRow, StepView};
use crate::curvature::{
    adam_threshold, gradient_descent_threshold, hessian_at, loss_scale, measure, CurvatureError,
    CurvatureEstimator, CurvatureSettings, Differencing, Hessian, Operator, Preconditioner,
    WarmStart, MAX_EXACT_SITES,
};
use crate::nn::{Network, Params};
use crate::physics::{Lattice, NewmanMoore};

/// Name of the table in a run folder.
pub const CURVATURE_FILE: &str = super::RunLayout::CURVATURE;
/// Hessian-vector products of the Krylov space for both ends of H along the anneal (with
/// 8 + 6 the L = 5 paper run spent 20.6 % of its time on curvature; with 6 + 5, 15.0 %).
pub const PROBE_PRODUCTS: usize = 6;
/// Products of the preconditioned operator's space along the anneal.
pub const PROBE_PRECONDITIONED_PRODUCTS: usize = 5;
/// Hutchinson probes per row along the anneal.
pub const PROBE_PROBES: usize = 2;

/// The estimator the probe uses when the configuration does not say: the enumeration when it
/// costs no more than four sampled gradients would (L = 3), the sampled one otherwise.
pub fn auto_curvature_estimator(config: &RunConfig) -> CurvatureEstimator {
    let n = config.lattice.size * config.lattice.size;
    let sampled_rows = config.anneal.samples * (n + 1);
    if n <= MAX_EXACT_SITES && (1usize << n) <= 4 * sampled_rows {
        CurvatureEstimator::Exact
    } else {
        CurvatureEstimator::Sampled
    }
}

/// Measures the rows of `curvature.csv`.
pub struct CurvatureProbe {
    every: usize,
    model: NewmanMoore,
    config: RunConfig,
    settings: CurvatureSettings,
    warm: Option<WarmStart>,
}

impl CurvatureProbe {
    /// The probe `config` asks for, `None` when `curvature_every` is 0 or absent.
    pub fn new(config: &RunConfig) -> Option<Self> {
        let every = config.diagnostics.curvature_every.unwrap_or(0);
        if every == 0 {
            return None;
        }
        let lattice = Lattice::new(config.lattice.size).ok()?;
        let model = NewmanMoore::new(lattice, config.lattice.coupling).ok()?;
        let estimator = config
            .diagnostics
            .curvature_estimator
            .unwrap_or_else(|| auto_curvature_estimator(config));
        let minibatch = config.anneal.samples / config.anneal.minibatches.max(1);
        let settings = CurvatureSettings {
            estimator,
            samples: config
                .diagnostics
                .curvature_samples
                .unwrap_or(config.anneal.samples),
            batches: 10,
            top: 1,
            bottom: 1,
            max_products: PROBE_PRODUCTS,
            tolerance: 1e-3,
            probes: PROBE_PROBES,
            density_starts: 0,
            density_steps: 0,
            loss_scale: loss_scale(config.anneal.estimator, lattice.sites(), minibatch),
            differencing: Differencing::Forward,
            preconditioned_products: PROBE_PRECONDITIONED_PRODUCTS,
            seed: config.seed,
        };
        Some(Self {
            every,
            model,
            config: config.clone(),
            settings,
            warm: None,
        })
    }

    /// Make every measurement fail (too few samples), to test that a failed row is skipped.
    #[cfg(test)]
    pub(super) fn starve(&mut self) {
        self.settings.estimator = CurvatureEstimator::Sampled;
        self.settings.samples = 1;
    }

    /// Whether step `step` gets a row.
    pub fn due(&self, step: usize) -> bool {
        step.is_multiple_of(self.every)
    }

    /// The row for the step `view` reports.
    pub fn measure(&mut self, view: &StepView<'_>) -> Result<CurvatureRow, CurvatureError> {
        let m = view.metrics;
        let net = Network::from_params(
            self.config.network.in_f64(),
            self.config.lattice.size,
            view.params.clone(),
        )
        .expect("the run's own layout");
        let x = m.temperature.max(m.field);
        let objective = self.config.anneal.objective(x);
        let settings = CurvatureSettings {
            seed: self.settings.seed ^ (m.step as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            ..self.settings
        };
        let hessian = hessian_at(&net, &self.model, objective, &settings)?;
        let preconditioner = Preconditioner::from_adam(view.optimiser);
        let report = measure(
            &hessian,
            preconditioner.as_ref(),
            &settings,
            self.warm.as_ref(),
        )
        .inspect_err(|_| self.warm = None)?;
        self.warm = Some(report.warm_start());
        let model = step_model(&hessian, view.update, settings.loss_scale);
        let top = &report.extremes.top[0];
        let bottom = report.extremes.bottom.first().unwrap_or(top);
        let adam = view.optimiser.config();
        let relative = |r: &crate::curvature::Ritz| r.residual / r.value.abs().max(1e-300);
        let (temperature, field) = match self.config.anneal.kind {
            AnnealKind::Thermal => (x, 0.0),
            AnnealKind::Quantum => (0.0, x),
        };
        Ok(CurvatureRow {
            step: m.step,
            phase: m.phase,
            temperature,
            field,
            estimator: settings.estimator.name().into(),
            samples: match settings.estimator {
                CurvatureEstimator::Exact => 0,
                CurvatureEstimator::Sampled => settings.samples,
            },
            lambda_max: top.value,
            lambda_max_stderr: top.stderr,
            lambda_min: bottom.value,
            lambda_min_stderr: bottom.stderr,
            trace: report.trace.value,
            trace_stderr: report.trace.stderr,
            loss_scale: settings.loss_scale,
            sharpness: settings.loss_scale * top.value,
            gradient_descent_threshold: gradient_descent_threshold(adam.learning_rate),
            preconditioned_sharpness: report.preconditioned.as_ref().map(|r| r.value),
            preconditioned_sharpness_stderr: report.preconditioned.as_ref().map(|r| r.stderr),
            adam_threshold: adam_threshold(&adam),
            learning_rate: adam.learning_rate,
            relative_residual: relative(top).max(relative(bottom)),
            products: report.products + usize::from(model.is_some()),
            seconds: report.seconds,
            step_first_order: model.map(|m| m.0),
            step_second_order: model.map(|m| m.1),
            step_overshoot: model.map(|m| m.1 / m.0.abs()),
        })
    }
}

/// The step's quadratic model along its update Δθ (SPEC §8.1), centred where the step began:
/// L(θ − Δθ + sΔθ) ≈ L(θ − Δθ) + sΔ₁ + s²Δ₂, L = `loss_scale`·O. The Hessian is taken at θ,
/// after the step (the probe's point), with one more Hessian-vector product: Δ₂ = ½ΔθᵀHΔθ and
/// Δ₁ = ∇L(θ)ᵀΔθ − ΔθᵀHΔθ, the gradient carried back along the step (exact for a quadratic).
/// `None` for a step that did not move.
fn step_model(hessian: &Hessian<Network>, update: &Params, loss_scale: f64) -> Option<(f64, f64)> {
    let delta = update.to_flat();
    if !delta.iter().any(|d| *d != 0.0) {
        return None;
    }
    let gradient = hessian.at_center().gradient();
    let curved = hessian.apply(delta.as_slice().expect("fresh array")).mean;
    let curvature: f64 = delta.iter().zip(&curved).map(|(d, h)| d * h).sum();
    Some((
        loss_scale * (gradient.dot(&delta) - curvature),
        0.5 * loss_scale * curvature,
    ))
}

/// Appends rows to `curvature.csv`, one flushed line each.
pub struct CurvatureWriter {
    path: PathBuf,
    csv: Option<csv::Writer<File>>,
}

impl CurvatureWriter {
    /// The writer for the run folder `dir` (the file is created with the first row).
    pub fn new(dir: &Path) -> Self {
        Self {
            path: dir.join(CURVATURE_FILE),
            csv: None,
        }
    }

    /// Continue after a resume: the table is cut back to the steps before `steps`.
    pub fn reopen(dir: &Path, steps: usize) -> Result<Self, RunError> {
        let path = dir.join(CURVATURE_FILE);
        if path.exists() {
            truncate_metrics(&path, steps)?;
        }
        Ok(Self::new(dir))
    }

    /// Write one row.
    pub fn write(&mut self, row: &CurvatureRow) -> Result<(), RunError> {
        if self.csv.is_none() {
            let header = CurvatureRow::COLUMNS.map(String::from).to_vec();
            self.csv = Some(super::exact_file::open_appending(&self.path, Some(header))?);
        }
        let csv = self.csv.as_mut().expect("opened above");
        csv.serialize(row)
            .and_then(|_| Ok(csv.flush()?))
            .map_err(|e| RunError::io(&self.path, e))
    }
}

/// Rows read from a table, and the warning for a partial last line.
pub type Rows<T> = (Vec<T>, Option<String>);

/// The rows of the run in `dir`'s `curvature.csv` and the warning for a partial last line;
/// `None` when the run measured none.
pub fn read_curvature(dir: &Path) -> Result<Option<Rows<CurvatureRow>>, RunError> {
    let path = dir.join(CURVATURE_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let required = &CurvatureRow::COLUMNS[..15];
    read_rows(&path, required, CurvatureRow::non_finite_column).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anneal::Objective;
    use crate::curvature::{ExactObjective, Source};
    use crate::nn::{Autoregressive, NetworkConfig};
    use rand::{RngExt, SeedableRng};

    /// Δ₁ and Δ₂ against differences of the exact objective's value along Δθ around where the
    /// step began: L(θ₀ + tΔθ) = L(θ₀) + tΔ₁ + t²Δ₂ + O(t³), θ₀ = θ − Δθ.
    #[test]
    fn the_step_model_matches_differences_of_the_exact_objective() {
        let model = NewmanMoore::new(Lattice::new(3).unwrap(), 1.0).unwrap();
        let objective = Objective::quantum(0.7);
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let before = NetworkConfig {
            hidden: 6,
            ..Default::default()
        }
        .init(3, &mut rng);
        let source = || Source::Exact(ExactObjective::new(&model, objective));
        let mut update = before.params().zeros_like();
        for d in update.flat_mut().iter_mut() {
            *d = 0.01 * (2.0 * rng.random::<f64>() - 1.0);
        }
        let mut after = before.clone();
        after.params_mut().axpy(1.0, &update);
        let hessian = Hessian::new(after.clone(), source());
        let scale = 2.5;
        let (first, second) = step_model(&hessian, &update, scale).unwrap();
        let value = |t: f64| {
            let mut moved = before.clone();
            moved.params_mut().axpy(t, &update);
            scale * source().gradients(&moved).value()
        };
        let t = 1e-2;
        let (plus, zero, minus) = (value(t), value(0.0), value(-t));
        let fd_first = (plus - minus) / (2.0 * t);
        let fd_second = (plus - 2.0 * zero + minus) / (2.0 * t * t);
        eprintln!("Δ₁ {first} ({fd_first}), Δ₂ {second} ({fd_second})");
        assert!(
            (first - fd_first).abs() < 1e-3 * fd_first.abs(),
            "Δ₁ {first} against {fd_first}"
        );
        // The Hessian is taken after the step, so Δ₂ differs from half the second derivative
        // where it began by the third-order term: 1.3 % here.
        assert!(
            (second - fd_second).abs() < 3e-2 * fd_second.abs(),
            "Δ₂ {second} against {fd_second}"
        );
        // The model predicts the step's whole change of the loss.
        let change = value(1.0) - zero;
        assert!(
            (first + second - change).abs() < 1e-2 * change.abs(),
            "{change}"
        );
        assert!(step_model(&hessian, &before.params().zeros_like(), scale).is_none());
    }
}
