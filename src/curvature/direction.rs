//! The direction one update would take from a network (SPEC §8.1): the plain descent −∇O, the
//! natural-gradient step −c(S + λI)⁻¹∇O, or Adam's −m̂/(√v̂ + ε), with ∇O the gradient of the
//! per-spin objective, exact (enumeration) or from samples.

use ndarray::{s, Array1, Array2, Axis};
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::sharpness::Preconditioner;
use super::{CurvatureError, CurvatureEstimator, MAX_EXACT_SITES};
use crate::anneal::Objective;
use crate::nn::{sample_space_step, Autoregressive, Network, NetworkWorkspace, Optimizer};
use crate::physics::NewmanMoore;

/// Largest N the natural direction enumerates (the exact natural gradient's limit).
pub use crate::anneal::MAX_EXACT_NATURAL_SITES;

/// Rows per pass of the enumeration.
const CHUNK: usize = 2048;

/// Which update's direction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DirectionMethod {
    /// −∇O.
    Gradient,
    /// −c(S + λI)⁻¹∇O, c = 1 thermal, 2 quantum.
    Natural {
        /// λ.
        diag_shift: f64,
    },
    /// Adam's −m̂/(√v̂ + ε) from a stored optimiser state.
    Adam,
}

/// A direction with the gradient it is compared with.
#[derive(Debug, Clone)]
pub struct Direction {
    /// The direction, flat in parameter order.
    pub direction: Array1<f64>,
    /// ∇O of the per-spin objective at the network.
    pub gradient: Array1<f64>,
}

impl Direction {
    /// |direction|.
    pub fn norm(&self) -> f64 {
        self.direction.dot(&self.direction).sqrt()
    }

    /// The cosine of the direction with −∇O.
    pub fn cosine_with_descent(&self) -> f64 {
        let g = self.gradient.dot(&self.gradient).sqrt();
        -self.direction.dot(&self.gradient) / (self.norm() * g).max(1e-300)
    }
}

/// The rows an estimate is made of: configurations, their weights in the means (p, or 1/M),
/// log p and local values.
struct Rows {
    bits: Array2<u8>,
    weights: Array1<f64>,
    local: Array1<f64>,
}

fn rows(
    net: &Network,
    model: &NewmanMoore,
    objective: Objective,
    estimator: CurvatureEstimator,
    samples: usize,
    seed: u64,
) -> Result<Rows, CurvatureError> {
    let n = model.lattice().sites();
    let bits = match estimator {
        CurvatureEstimator::Exact => {
            if n > MAX_EXACT_SITES {
                return Err(CurvatureError::TooLarge {
                    sites: n,
                    max: MAX_EXACT_SITES,
                });
            }
            crate::physics::all_configurations(n)
        }
        CurvatureEstimator::Sampled => net.sample(samples, &mut StdRng::seed_from_u64(seed)).0,
    };
    let rows = bits.nrows();
    let energies = model.energies(bits.view());
    let mut log_p = Array1::zeros(rows);
    let mut local = Array1::zeros(rows);
    let mut workspaces = vec![NetworkWorkspace::default(), NetworkWorkspace::default()];
    for start in (0..rows).step_by(CHUNK) {
        let range = start..(start + CHUNK).min(rows);
        let chunk = bits.slice(s![range.clone(), ..]);
        net.log_prob(
            chunk,
            log_p.slice_mut(s![range.clone()]),
            &mut workspaces[0],
        );
        objective.local_values(
            net,
            chunk,
            log_p.slice(s![range.clone()]),
            energies.slice(s![range.clone()]),
            &mut workspaces,
            local.slice_mut(s![range]),
        );
    }
    let weights = match estimator {
        CurvatureEstimator::Exact => log_p.mapv(f64::exp),
        CurvatureEstimator::Sampled => Array1::from_elem(rows, 1.0 / rows as f64),
    };
    Ok(Rows {
        bits,
        weights,
        local,
    })
}

/// ∇O of the per-spin objective: Σ_s w_s (O_s − Ō) ∇log p_s / N.
fn gradient(net: &Network, r: &Rows, sites: usize) -> Array1<f64> {
    let mean = r.weights.dot(&r.local);
    let c: Array1<f64> = r
        .weights
        .iter()
        .zip(&r.local)
        .map(|(w, o)| w * (o - mean) / sites as f64)
        .collect();
    let mut grad = net.params().zeros_like();
    let mut ws = NetworkWorkspace::default();
    for start in (0..r.bits.nrows()).step_by(CHUNK) {
        let range = start..(start + CHUNK).min(r.bits.nrows());
        net.accumulate_grad(
            r.bits.slice(s![range.clone(), ..]),
            c.slice(s![range]),
            &mut grad,
            &mut ws,
        );
    }
    grad.to_flat()
}

/// The direction `method` takes from `net` (Adam's needs `optimiser`).
#[allow(clippy::too_many_arguments)]
pub fn update_direction(
    net: &Network,
    model: &NewmanMoore,
    objective: Objective,
    method: DirectionMethod,
    estimator: CurvatureEstimator,
    samples: usize,
    seed: u64,
    optimiser: Option<&Optimizer>,
) -> Result<Direction, CurvatureError> {
    let sites = model.lattice().sites();
    if let (DirectionMethod::Natural { .. }, CurvatureEstimator::Exact) = (method, estimator) {
        if sites > MAX_EXACT_NATURAL_SITES {
            return Err(CurvatureError::TooLarge {
                sites,
                max: MAX_EXACT_NATURAL_SITES,
            });
        }
    }
    let r = rows(net, model, objective, estimator, samples, seed)?;
    let gradient = gradient(net, &r, sites);
    let direction = match method {
        DirectionMethod::Gradient => -&gradient,
        DirectionMethod::Adam => {
            optimiser
                .and_then(Preconditioner::from_adam)
                .ok_or(CurvatureError::NoOptimiserState)?
                .step_direction
        }
        DirectionMethod::Natural { diag_shift } => {
            // Rows √w_s(D_s − D̄) and √w_s(O_s − Ō): D̄ᵀD̄ = S, D̄ᵀε = the total gradient.
            let mut d = Array2::zeros((r.bits.nrows(), net.params().len()));
            net.log_derivatives(
                r.bits.view(),
                d.view_mut(),
                &mut NetworkWorkspace::default(),
            );
            let mean_d = r.weights.dot(&d);
            let mean_o = r.weights.dot(&r.local);
            let root = r.weights.mapv(f64::sqrt);
            let dbar = (&d - &mean_d) * root.view().insert_axis(Axis(1));
            let eps: Array1<f64> = root
                .iter()
                .zip(&r.local)
                .map(|(w, o)| w * (o - mean_o))
                .collect();
            let phi = sample_space_step(dbar.view(), eps.view(), diag_shift, 0.0, None)
                .map_err(|e| CurvatureError::Natural(e.to_string()))?;
            let c = match objective {
                Objective::Quantum { .. } => 2.0,
                Objective::Thermal { .. } => 1.0,
            };
            phi * (-c / sites as f64)
        }
    };
    Ok(Direction {
        direction,
        gradient,
    })
}
