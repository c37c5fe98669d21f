//! The directions of SPEC §6.3 for a run's snapshot: Hessian eigenvectors, Adam's update with
//! the top eigenvector, and the line to another snapshot — with axis labels that say what the
//! unit is.

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::{AnalysisError, LandscapeRequest, RunFolder};
use crate::anneal::Objective;
use crate::curvature::{
    extremes, hessian_at, rademacher, update_direction, CurvatureEstimator, CurvatureSettings,
    DirectionMethod, ExtremeSettings, Preconditioner, Ritz, MAX_EXACT_NATURAL_SITES,
};
use crate::landscape::{
    interpolation_directions, vector_directions, DirectionKind, Directions, HessianPair,
    SurfaceSpec,
};
use crate::nn::{load_optimiser, Autoregressive, Network, Params};
use crate::physics::NewmanMoore;
use crate::run::checkpoint_path;

/// Samples of the sampled estimator behind Hessian directions above N = 16.
pub const DIRECTION_SAMPLES: usize = 1000;

/// Largest N whose Hessian directions are computed by enumeration (above, sampled: an exact
/// product at N = 16 costs about a second).
pub const DIRECTION_EXACT_SITES: usize = 12;

/// Directions chosen for a slice, the network it is centred on, the grid and the axis labels.
pub(super) struct Chosen {
    pub directions: Directions,
    pub center: Network,
    pub spec: SurfaceSpec,
    pub labels: Option<[String; 2]>,
}

fn curvature_failed(e: impl std::fmt::Display) -> AnalysisError {
    AnalysisError::Resources(format!("the Hessian directions could not be computed: {e}"))
}

/// The top eigenpairs (and the bottom one when asked) of the Hessian at `net`.
fn eigenpairs(
    net: &Network,
    model: &NewmanMoore,
    objective: Objective,
    top: usize,
    bottom: usize,
    seed: u64,
) -> Result<(Vec<Ritz>, Vec<Ritz>), AnalysisError> {
    let n = model.lattice().sites();
    let settings = CurvatureSettings {
        estimator: if n <= DIRECTION_EXACT_SITES {
            CurvatureEstimator::Exact
        } else {
            CurvatureEstimator::Sampled
        },
        samples: DIRECTION_SAMPLES,
        seed,
        ..CurvatureSettings::default()
    };
    let hessian = hessian_at(net, model, objective, &settings).map_err(curvature_failed)?;
    let start = rademacher(net.params().len(), &mut StdRng::seed_from_u64(seed));
    let found = extremes(
        &hessian,
        &start,
        ExtremeSettings {
            top,
            bottom,
            max_products: 80,
            tolerance: 1e-4,
        },
    )
    .map_err(curvature_failed)?;
    Ok((found.top, found.bottom))
}

/// The smallest 6k + 1 at or above `points`, so t = 0 and t = 1 fall on grid points.
pub fn interpolation_points(points: usize) -> usize {
    let k = points.saturating_sub(1).div_ceil(6).max(2);
    6 * k + 1
}

/// max_{t ∈ [0, 1]} O(θ(t)) − max(O(θ_a), O(θ_b)) on a 1D interpolation grid (α = t − 1/2).
pub fn barrier(alpha: &[f64], values: &[f64]) -> Option<f64> {
    let at = |t: f64| {
        alpha
            .iter()
            .position(|a| (a + 0.5 - t).abs() < 1e-9)
            .map(|i| values[i])
    };
    let (a, b) = (at(0.0)?, at(1.0)?);
    let inside = alpha
        .iter()
        .zip(values)
        .filter(|(a, _)| (-0.5 - 1e-9..=0.5 + 1e-9).contains(*a))
        .map(|(_, v)| *v)
        .fold(f64::NEG_INFINITY, f64::max);
    Some(inside - a.max(b))
}

/// λ of the natural-gradient slice's S + λI.
const NATURAL_DIAG_SHIFT: f64 = 1e-3;

impl RunFolder {
    /// The directions `request` asks for around snapshot `name` (weights `net`).
    pub(super) fn choose_directions(
        &self,
        name: &str,
        net: Network,
        request: &LandscapeRequest,
        objective: Objective,
        model: &NewmanMoore,
    ) -> Result<Chosen, AnalysisError> {
        let theta = net.params().clone();
        let seed = request.direction_seed;
        let (directions, labels, center, spec) = match request.directions {
            DirectionKind::Hessian => {
                let bottom = usize::from(request.pair == HessianPair::TopBottom);
                let (top, low) = eigenpairs(&net, model, objective, 2 - bottom, bottom, seed)?;
                let second = if bottom == 1 { &low[0] } else { &top[1] };
                let d = vector_directions(
                    DirectionKind::Hessian,
                    &theta,
                    &top[0].vector,
                    &second.vector,
                    false,
                )?;
                let which = if bottom == 1 { "v_min" } else { "v2" };
                let labels = [
                    format!(
                        "alpha (x |theta*| along v1 of H, lambda1 = {:.4})",
                        top[0].value
                    ),
                    format!(
                        "beta (x |theta*| along {which}, lambda = {:.4})",
                        second.value
                    ),
                ];
                (d, Some(labels), net, request.spec)
            }
            DirectionKind::Update => {
                let layout = Params::zeros(
                    self.config()
                        .network
                        .tensor_specs(self.config().lattice.size),
                );
                let path = checkpoint_path(self.dir(), name)?;
                let adam = self.config().anneal.optimizer_config();
                let step = load_optimiser(&path, &layout, adam)?
                    .as_ref()
                    .and_then(Preconditioner::from_adam)
                    .ok_or_else(|| {
                        AnalysisError::io(&path, "has no Adam state (an SGD run, or no update yet): the update direction needs a checkpoint written by an Adam-family run")
                    })?
                    .step_direction;
                let (top, _) = eigenpairs(&net, model, objective, 1, 0, seed)?;
                let step = step.to_vec();
                let d =
                    vector_directions(DirectionKind::Update, &theta, &step, &top[0].vector, true)?;
                let labels = [
                    "alpha (x |theta*| along Adam's step -m/(sqrt(v)+eps))".to_string(),
                    format!(
                        "beta (x |theta*| along v1 of H orthogonal to the step, lambda1 = {:.4})",
                        top[0].value
                    ),
                ];
                (d, Some(labels), net, request.spec)
            }
            DirectionKind::Natural => {
                let estimator = if model.lattice().sites() <= MAX_EXACT_NATURAL_SITES {
                    CurvatureEstimator::Exact
                } else {
                    CurvatureEstimator::Sampled
                };
                let method = DirectionMethod::Natural {
                    diag_shift: NATURAL_DIAG_SHIFT,
                };
                let step =
                    update_direction(&net, model, objective, method, estimator, 1000, seed, None)
                        .map_err(|e| {
                            AnalysisError::Resources(format!("the natural-gradient direction: {e}"))
                        })?
                        .direction
                        .to_vec();
                let (top, _) = eigenpairs(&net, model, objective, 1, 0, seed)?;
                let d =
                    vector_directions(DirectionKind::Natural, &theta, &step, &top[0].vector, true)?;
                let labels = [
                    format!("alpha (x |theta*| along the natural-gradient step, lambda = {NATURAL_DIAG_SHIFT})"),
                    format!(
                        "beta (x |theta*| along v1 of H orthogonal to the step, lambda1 = {:.4})",
                        top[0].value
                    ),
                ];
                (d, Some(labels), net, request.spec)
            }
            DirectionKind::Interpolate => {
                let to = request.to.as_deref().ok_or_else(|| {
                    AnalysisError::Resources(
                        "an interpolation needs the snapshot to go to (--to NAME)".into(),
                    )
                })?;
                let other = self.network(to)?;
                let d = interpolation_directions(&theta, other.params());
                let mut center = net;
                center.params_mut().axpy(0.5, &d.delta);
                let spec = SurfaceSpec {
                    range: 0.75,
                    points: interpolation_points(request.spec.points),
                    one_dimensional: true,
                    ..request.spec
                };
                let labels = [
                    format!("t - 1/2 (t = 0: {name}, t = 1: {to})"),
                    String::new(),
                ];
                (d, Some(labels), center, spec)
            }
            _ => unreachable!("random and PCA directions are chosen by the caller"),
        };
        Ok(Chosen {
            directions,
            center,
            spec,
            labels,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_grids_hold_both_ends() {
        assert_eq!(interpolation_points(51), 55);
        assert_eq!(interpolation_points(7), 13);
        let p = interpolation_points(25);
        let alpha: Vec<f64> = (0..p)
            .map(|i| -0.75 + 1.5 * i as f64 / (p - 1) as f64)
            .collect();
        // O(t) = 4t(1 − t) + 0.1t: ends 0 and 0.1, a hump of 1.0506 at t = 0.5125; the grid
        // has t = 1/2, where the hump is 1.05, so the barrier is 1.05 − 0.1.
        let values: Vec<f64> = alpha
            .iter()
            .map(|a| {
                let t = a + 0.5;
                4.0 * t * (1.0 - t) + 0.1 * t
            })
            .collect();
        let b = barrier(&alpha, &values).unwrap();
        assert!((0.95 - 1e-12..=1.050_625 - 0.1).contains(&b), "{b}");
    }
}
