//! The objective on a grid of the slice θ* + α·δ + β·η, computed row by row over all cores.

use ndarray::{Array1, Array2};
use rand::{rngs::StdRng, RngExt, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};

use super::Directions;
use super::LandscapeError;
use crate::anneal::{mean_var, Objective};
use crate::nn::{Autoregressive, Network, NetworkWorkspace};
use crate::physics::NewmanMoore;

/// Largest N for exact enumeration of the objective.
pub const MAX_EXACT_SITES: usize = 16;

/// How the value at a grid point is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SurfaceEstimator {
    /// M fresh samples per point (the paper's).
    #[default]
    Fresh,
    /// Common random numbers: the same uniforms at every point, so neighbouring points differ
    /// only through the weights.
    Crn,
    /// Exact enumeration of all 2^N configurations (N ≤ 16); no sampling error.
    Exact,
}

/// The grid and estimator of a surface.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurfaceSpec {
    /// α and β run over [−range, range].
    pub range: f64,
    /// Points per axis.
    pub points: usize,
    /// Samples per point (fresh and crn).
    pub samples: usize,
    /// The estimator.
    pub estimator: SurfaceEstimator,
    /// Seed of the samples.
    pub seed: u64,
    /// A 1D slice along δ only (β = 0).
    pub one_dimensional: bool,
}

impl Default for SurfaceSpec {
    fn default() -> Self {
        Self {
            range: 1.0,
            points: 51,
            samples: 100,
            estimator: SurfaceEstimator::Fresh,
            seed: 0,
            one_dimensional: false,
        }
    }
}

impl SurfaceSpec {
    /// Check the values; the message names the option and the allowed range.
    pub fn validate(&self, sites: usize) -> Result<(), LandscapeError> {
        let option = |option, message: String| Err(LandscapeError::Option { option, message });
        if !(self.range.is_finite() && self.range > 0.0 && self.range <= 1e3) {
            return option(
                "range",
                format!(
                    "range must be a number above 0 and at most 1000 (got {})",
                    self.range
                ),
            );
        }
        if !(2..=1001).contains(&self.points) {
            return option(
                "points",
                format!(
                    "points must be from 2 to 1001 per axis (got {})",
                    self.points
                ),
            );
        }
        if !(1..=100_000).contains(&self.samples) {
            return option(
                "samples",
                format!("samples must be from 1 to 100000 (got {})", self.samples),
            );
        }
        if self.estimator == SurfaceEstimator::Exact && sites > MAX_EXACT_SITES {
            return option("estimator", format!(
                "the exact estimator enumerates 2^N states and needs N <= {MAX_EXACT_SITES} (L <= 4); got N = {sites}: use fresh or crn"
            ));
        }
        Ok(())
    }

    /// The axis values: `points` evenly spaced over [−range, range].
    pub fn axis(&self) -> Array1<f64> {
        Array1::linspace(-self.range, self.range, self.points)
    }
}

/// Values per spin on the grid: `values[[j, i]]` at (α_i, β_j), with standard errors.
#[derive(Debug, Clone, PartialEq)]
pub struct Surface {
    /// α axis.
    pub alpha: Array1<f64>,
    /// β axis (one entry, 0, for a 1D slice).
    pub beta: Array1<f64>,
    /// Objective per spin.
    pub values: Array2<f64>,
    /// Standard error of each value (0 for exact).
    pub stderr: Array2<f64>,
}

impl Surface {
    /// Mean absolute difference between neighbouring grid values, averaged over both axes
    /// (one axis for a 1D slice): SPEC §4's roughness.
    pub fn roughness(&self) -> f64 {
        let v = &self.values;
        let mean_abs = |diffs: Vec<f64>| {
            (!diffs.is_empty())
                .then(|| diffs.iter().map(|d| d.abs()).sum::<f64>() / diffs.len() as f64)
        };
        let along_alpha = mean_abs(
            v.rows()
                .into_iter()
                .flat_map(|r| {
                    r.windows(2)
                        .into_iter()
                        .map(|w| w[1] - w[0])
                        .collect::<Vec<_>>()
                })
                .collect(),
        );
        let along_beta = mean_abs(
            v.columns()
                .into_iter()
                .flat_map(|c| {
                    c.windows(2)
                        .into_iter()
                        .map(|w| w[1] - w[0])
                        .collect::<Vec<_>>()
                })
                .collect(),
        );
        match (along_alpha, along_beta) {
            (Some(a), Some(b)) => 0.5 * (a + b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => 0.0,
        }
    }
}

/// Where the samples of a point come from.
enum Draws<'a> {
    Fresh(u64),
    Common(&'a Array2<f64>),
}

/// The objective per spin and its standard error for the network `net`.
fn evaluate(
    net: &Network,
    model: &NewmanMoore,
    objective: Objective,
    samples: usize,
    draws: Draws<'_>,
    ws: &mut NetworkWorkspace,
) -> (f64, f64) {
    let n = model.lattice().sites();
    let owned;
    let uniforms = match draws {
        Draws::Common(u) => u,
        Draws::Fresh(seed) => {
            let mut rng = StdRng::seed_from_u64(seed);
            owned = Array2::from_shape_simple_fn((samples, net.uniform_columns()), || {
                rng.random::<f64>()
            });
            &owned
        }
    };
    let mut bits = Array2::zeros((samples, n));
    let mut log_p = Array1::zeros(samples);
    // Shared prefixes: a trained network's samples mostly repeat.
    net.sample_sharing_prefixes(uniforms.view(), bits.view_mut(), log_p.view_mut(), ws);
    let energies = model.energies(bits.view());
    let mut local = Array1::zeros(samples);
    objective.local_values(
        net,
        bits.view(),
        log_p.view(),
        energies.view(),
        std::slice::from_mut(ws),
        local.view_mut(),
    );
    let (mean, var) = mean_var(local.iter().map(|o| o / n as f64));
    (mean, (var / samples as f64).sqrt())
}

/// The exact objective per spin by enumerating every configuration (N ≤ 16).
pub fn exact_value(
    net: &Network,
    model: &NewmanMoore,
    objective: Objective,
    ws: &mut NetworkWorkspace,
) -> f64 {
    let n = model.lattice().sites();
    let all = crate::physics::all_configurations(n);
    let mut lp = Array1::zeros(1 << n);
    net.log_prob(all.view(), lp.view_mut(), ws);
    let energies = model.energies(all.view());
    // ψ = √p form: Σ_s ψ_s (H_s ψ_s − B Σ_i ψ_{s⊕i}) stays finite where p underflows, whereas
    // p·E_loc would multiply 0 by an overflowing amplitude ratio.
    let psi = lp.mapv(|l| (0.5 * l).exp());
    let total: f64 = (0..1usize << n)
        .map(|s| match objective {
            Objective::Thermal { temperature } => {
                let p = psi[s] * psi[s];
                if p > 0.0 {
                    p * (energies[s] + temperature * lp[s])
                } else {
                    0.0
                }
            }
            Objective::Quantum { field, entropy } => {
                let off: f64 = (0..n).map(|i| psi[s ^ (1 << i)]).sum();
                let p = psi[s] * psi[s];
                let regulariser = if p > 0.0 { entropy * p * lp[s] } else { 0.0 };
                psi[s] * (energies[s] * psi[s] - field * off) + regulariser
            }
        })
        .sum();
    total / n as f64
}

/// Compute the surface around `center` (whose weights are θ*), calling `on_row(j, values,
/// stderr)` as each β row completes; `None` if `cancel` was set (checked between rows).
pub fn compute_surface(
    center: &Network,
    model: &NewmanMoore,
    objective: Objective,
    directions: &Directions,
    spec: &SurfaceSpec,
    cancel: &AtomicBool,
    mut on_row: impl FnMut(usize, &[f64], &[f64]),
) -> Option<Surface> {
    let alpha = spec.axis();
    let beta = if spec.one_dimensional {
        Array1::zeros(1)
    } else {
        spec.axis()
    };
    let common = (spec.estimator == SurfaceEstimator::Crn).then(|| {
        let mut rng = StdRng::seed_from_u64(spec.seed);
        Array2::from_shape_simple_fn((spec.samples, center.uniform_columns()), || {
            rng.random::<f64>()
        })
    });
    let mut values = Array2::zeros((beta.len(), alpha.len()));
    let mut stderr = Array2::zeros((beta.len(), alpha.len()));
    for (j, &b) in beta.iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        let row: Vec<(f64, f64)> = alpha
            .as_slice()
            .expect("linspace is contiguous")
            .par_iter()
            .enumerate()
            .map_init(NetworkWorkspace::default, |ws, (i, &a)| {
                let mut net = center.clone();
                let params = net.params_mut();
                params.axpy(a, &directions.delta);
                params.axpy(b, &directions.eta);
                match spec.estimator {
                    SurfaceEstimator::Exact => (exact_value(&net, model, objective, ws), 0.0),
                    SurfaceEstimator::Crn => evaluate(
                        &net,
                        model,
                        objective,
                        spec.samples,
                        Draws::Common(common.as_ref().expect("crn uniforms")),
                        ws,
                    ),
                    SurfaceEstimator::Fresh => {
                        let point = (j * alpha.len() + i) as u64;
                        let seed = spec.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ point;
                        evaluate(&net, model, objective, spec.samples, Draws::Fresh(seed), ws)
                    }
                }
            })
            .collect();
        for (i, &(v, e)) in row.iter().enumerate() {
            values[[j, i]] = v;
            stderr[[j, i]] = e;
        }
        on_row(
            j,
            values.row(j).as_slice().expect("row"),
            stderr.row(j).as_slice().expect("row"),
        );
    }
    Some(Surface {
        alpha,
        beta,
        values,
        stderr,
    })
}
