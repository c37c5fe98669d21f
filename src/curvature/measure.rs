//! One curvature measurement at a point of training: the Hessian's extremes and trace, Adam's
//! preconditioned sharpness and optionally the density, with the settings that made it.

use ndarray::Array2;
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};
use std::time::Instant;

use super::gradient::{ExactObjective, SampledObjective, Source};
use super::hessian::{Differencing, Hessian, Operator, Scaled};
use super::sharpness::Preconditioner;
use super::spectrum::{
    extremes, hutchinson, rademacher, Density, Estimate, ExtremeSettings, Extremes, Ritz,
};
use super::{CurvatureError, MAX_EXACT_SITES};
use crate::anneal::Objective;
use crate::nn::{Autoregressive, Network};
use crate::physics::NewmanMoore;

/// How the Hessian is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CurvatureEstimator {
    /// Enumeration of all 2^N configurations (N ≤ 16).
    Exact,
    /// The reweighted estimator on M samples drawn at the centre.
    Sampled,
}

impl CurvatureEstimator {
    /// The name used in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Sampled => "sampled",
        }
    }
}

/// Everything a measurement depends on (stored with its results).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvatureSettings {
    /// Exact or sampled.
    pub estimator: CurvatureEstimator,
    /// M for the sampled estimator.
    pub samples: usize,
    /// Batches the M samples are split into for standard errors.
    pub batches: usize,
    /// Eigenpairs from the top.
    pub top: usize,
    /// Eigenpairs from the bottom.
    pub bottom: usize,
    /// Most Hessian-vector products for the extremes (and again for the preconditioned one).
    pub max_products: usize,
    /// Residual tolerance relative to the largest |Ritz value|.
    pub tolerance: f64,
    /// Rademacher probes for Hutchinson's trace.
    pub probes: usize,
    /// Random starts of the stochastic Lanczos quadrature (0 = no density).
    pub density_starts: usize,
    /// Lanczos steps per start of the quadrature.
    pub density_steps: usize,
    /// The factor from the per-spin objective to the loss Adam descends
    /// ([`super::loss_scale`]); the preconditioned sharpness is of that loss.
    pub loss_scale: f64,
    /// Central (tests, snapshots) or forward differences (along the anneal).
    #[serde(default)]
    pub differencing: Differencing,
    /// Most products for the preconditioned operator's space (0 = as `max_products`).
    #[serde(default)]
    pub preconditioned_products: usize,
    /// Seeds the samples, the start vectors and the probes.
    pub seed: u64,
}

impl Default for CurvatureSettings {
    fn default() -> Self {
        Self {
            estimator: CurvatureEstimator::Exact,
            samples: 1000,
            batches: 10,
            top: 3,
            bottom: 3,
            max_products: 200,
            tolerance: 1e-6,
            probes: 20,
            density_starts: 0,
            density_steps: 40,
            loss_scale: 1.0,
            differencing: Differencing::Central,
            preconditioned_products: 0,
            seed: 0,
        }
    }
}

/// The result of one measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct CurvatureReport {
    /// Top and bottom eigenpairs of H (per-spin objective).
    pub extremes: Extremes,
    /// tr(H).
    pub trace: Estimate,
    /// λ_max of P^(−1/2)·(loss_scale·H)·P^(−1/2), with its Ritz vector (in the scaled
    /// coordinates), when Adam's state was given.
    pub preconditioned: Option<Ritz>,
    /// The spectral density, when asked for.
    pub density: Option<Density>,
    /// Hessian-vector products used in all.
    pub products: usize,
    /// Wall time.
    pub seconds: f64,
}

/// Start vectors carried from one measurement to the next along a run: the previous top and
/// bottom eigenvectors span most of what the next space needs, so fewer products suffice.
#[derive(Debug, Clone, PartialEq)]
pub struct WarmStart {
    /// Start for the Hessian's space.
    pub hessian: Vec<f64>,
    /// Start for the preconditioned operator's space.
    pub preconditioned: Option<Vec<f64>>,
}

impl CurvatureReport {
    /// Starts for the next measurement: top + bottom vector, and the preconditioned vector.
    pub fn warm_start(&self) -> WarmStart {
        let top = &self.extremes.top[0].vector;
        let hessian = match self.extremes.bottom.first() {
            Some(b) => top.iter().zip(&b.vector).map(|(t, b)| t + b).collect(),
            None => top.clone(),
        };
        WarmStart {
            hessian,
            preconditioned: self.preconditioned.as_ref().map(|r| r.vector.clone()),
        }
    }
}

/// The Hessian of `objective` (per spin) at `center`, by `settings.estimator`.
pub fn hessian_at(
    center: &Network,
    model: &NewmanMoore,
    objective: Objective,
    settings: &CurvatureSettings,
) -> Result<Hessian<Network>, CurvatureError> {
    let n = model.lattice().sites();
    let source = match settings.estimator {
        CurvatureEstimator::Exact => {
            if n > MAX_EXACT_SITES {
                return Err(CurvatureError::TooLarge {
                    sites: n,
                    max: MAX_EXACT_SITES,
                });
            }
            Source::Exact(ExactObjective::new(model, objective))
        }
        CurvatureEstimator::Sampled => {
            let (samples, _) =
                center.sample(settings.samples, &mut StdRng::seed_from_u64(settings.seed));
            sampled_source(center, model, objective, samples, settings.batches)?
        }
    };
    Ok(Hessian::new(center.clone(), source).with_differencing(settings.differencing))
}

/// The sampled source on given samples (drawn from `center`).
pub fn sampled_source(
    center: &Network,
    model: &NewmanMoore,
    objective: Objective,
    samples: Array2<u8>,
    batches: usize,
) -> Result<Source, CurvatureError> {
    if samples.nrows() < 2 {
        return Err(CurvatureError::TooFewSamples(samples.nrows()));
    }
    Ok(Source::Sampled(SampledObjective::new(
        center, model, objective, samples, batches,
    )))
}

/// `start`, or a seeded random vector if there is none, mixed with a little noise so a warm
/// start still reaches directions it lacks.
fn start_vector(dim: usize, start: Option<&Vec<f64>>, rng: &mut StdRng) -> Vec<f64> {
    let noise = rademacher(dim, rng);
    match start {
        Some(s) if s.len() == dim && s.iter().any(|x| *x != 0.0) => {
            let norm = s.iter().map(|x| x * x).sum::<f64>().sqrt();
            let scale = 0.1 / (dim as f64).sqrt();
            s.iter()
                .zip(&noise)
                .map(|(x, z)| x / norm + scale * z)
                .collect()
        }
        _ => noise,
    }
}

/// Measure the curvature of `hessian`: extremes, trace, the preconditioned sharpness when
/// `preconditioner` is given, the density when `settings.density_starts > 0`.
pub fn measure<A: Autoregressive + Clone>(
    hessian: &Hessian<A>,
    preconditioner: Option<&Preconditioner>,
    settings: &CurvatureSettings,
    warm: Option<&WarmStart>,
) -> Result<CurvatureReport, CurvatureError> {
    let started = Instant::now();
    let before = hessian.products();
    let dim = hessian.dim();
    let mut rng = StdRng::seed_from_u64(settings.seed ^ 0x5eed_cafe);
    let limits = ExtremeSettings {
        top: settings.top.max(1),
        bottom: settings.bottom,
        max_products: settings.max_products,
        tolerance: settings.tolerance,
    };
    let start = start_vector(dim, warm.map(|w| &w.hessian), &mut rng);
    let found = extremes(hessian, &start, limits)?;
    let trace = hutchinson(hessian, settings.probes, settings.seed ^ 0x7ace);
    let preconditioned = match preconditioner {
        Some(p) => {
            let d: Vec<f64> = p
                .inverse_sqrt()
                .iter()
                .map(|d| d * settings.loss_scale.sqrt())
                .collect();
            let scaled = Scaled::new(hessian, d);
            let start = start_vector(dim, warm.and_then(|w| w.preconditioned.as_ref()), &mut rng);
            let top = ExtremeSettings {
                top: 1,
                bottom: 0,
                max_products: match settings.preconditioned_products {
                    0 => settings.max_products,
                    k => k,
                },
                ..limits
            };
            extremes(&scaled, &start, top)?.top.into_iter().next()
        }
        None => None,
    };
    let density = if settings.density_starts > 0 {
        Some(Density::estimate(
            hessian,
            settings.density_starts,
            settings.density_steps,
            settings.seed ^ 0xd5,
        )?)
    } else {
        None
    };
    Ok(CurvatureReport {
        extremes: found,
        trace,
        preconditioned,
        density,
        products: hessian.products() - before,
        seconds: started.elapsed().as_secs_f64(),
    })
}
