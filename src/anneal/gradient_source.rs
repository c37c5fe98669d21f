//! Where a step's gradient comes from (SPEC §8.1): M samples (the paper's), or every one of
//! the 2^N configurations weighted by p (N ≤ 16), which removes all sampling noise — what is
//! left of a jump or a collapse then belongs to the objective and the optimiser.

use ndarray::{s, Array1, Array2, ArrayView1};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::metrics::{local_tail, mean_var};
use super::objective::distinct_rows;
use super::partition::{part_range, PARTS};
use super::state::RunRng;
use super::{AnnealError, Annealer, Estimator, Objective, Phase};
use crate::nn::Autoregressive;
use rand::SeedableRng;

/// Largest lattice (in sites) exact gradients enumerate: 2^16 configurations, each with its N
/// flipped neighbours for the quantum objective.
pub const MAX_EXACT_GRADIENT_SITES: usize = 16;

/// Largest lattice (in sites) the exact natural gradient enumerates: its sample-space matrix is
/// 2^N × 2^N and D is 2^N × P.
pub const MAX_EXACT_NATURAL_SITES: usize = 12;

/// Rows per pass when enumerating, so the single-flip pass's buffers stay bounded (at N = 16
/// a pass over all 2^16 rows would hold 1.8 GB of hidden states).
const CHUNK: usize = 2048;

/// The gradient of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum GradientSource {
    /// Means over the step's M samples, on K shuffled mini-batches (the paper's).
    #[default]
    Sampled,
    /// p-weighted sums over all 2^N configurations: K updates per step, each the exact
    /// gradient at the current weights of the objective's estimate at the step's start.
    Exact,
}

impl GradientSource {
    /// Whether this is the paper's (left out of a written configuration).
    pub fn is_sampled(&self) -> bool {
        *self == Self::Sampled
    }
}

/// What a step's source measured, before the metrics are assembled.
pub(super) struct StepStatistics {
    /// The step's samples (for exact gradients, a sample drawn for display only).
    pub bits: Array2<u8>,
    /// Their energies.
    pub energies: Array1<f64>,
    /// Distinct configurations among them.
    pub distinct: usize,
    /// ⟨E⟩/N and its variance (sample or exact).
    pub energy_moments: (f64, f64),
    /// ⟨O_loc⟩/N and its variance (sample or exact).
    pub objective_moments: (f64, f64),
    /// −⟨log p⟩/N.
    pub entropy: f64,
    /// The last update's gradient norm.
    pub gradient_norm: f64,
    /// The farthest local value: (ratio to the MAD, deviation per spin, its log p).
    pub tail: Option<(Option<f64>, f64, f64)>,
}

/// The configurations of an enumerated step, with what does not change between steps.
pub(super) struct Enumeration {
    all: Array2<u8>,
    energies: Array1<f64>,
}

impl Annealer {
    /// The paper's step: M samples, their local values, K mini-batch updates.
    pub(super) fn sampled_step(
        &mut self,
        step: usize,
        phase: Phase,
        x: f64,
        objective: Objective,
    ) -> Result<StepStatistics, AnnealError> {
        let m = self.config.samples;
        let n = self.model.lattice().sites() as f64;
        let (bits, log_p) = self.draw(m);
        let energies = self.model.energies(bits.view());
        let mut local = Array1::zeros(m);
        let (unique, index) = distinct_rows(bits.view());
        objective.local_values_of_distinct(
            &self.net,
            unique.view(),
            &index,
            log_p.view(),
            energies.view(),
            &mut self.workspaces,
            local.view_mut(),
        );
        check_finite(step, log_p.view(), local.view())?;
        let objective_moments = mean_var(local.iter().map(|o| o / n));
        // The exact distances of the network that drew this step's samples, before it learns.
        self.pending_row = self.distances_due(step, phase, x, false, Some(objective_moments))?;
        let gradient_norm = self.train_on(bits.view(), local.view(), step)?;
        let tail = local_tail(local.as_slice().expect("fresh array"))
            .map(|(ratio, deviation, index)| (ratio, deviation / n, log_p[index]));
        Ok(StepStatistics {
            energy_moments: mean_var(energies.iter().map(|e| e / n)),
            entropy: -log_p.mean().unwrap_or(0.0) / n,
            distinct: unique.nrows(),
            bits,
            energies,
            objective_moments,
            gradient_norm,
            tail,
        })
    }

    /// An exact step: p, log p and the local value of every configuration, K updates with the
    /// p-weighted gradient, and a display sample from its own stream (stream step + 1 of the
    /// run's seed: the run's own generator is untouched, and a resumed run draws the same).
    pub(super) fn exact_step(
        &mut self,
        step: usize,
        phase: Phase,
        x: f64,
        objective: Objective,
    ) -> Result<StepStatistics, AnnealError> {
        let n = self.model.lattice().sites() as f64;
        let Enumeration {
            all,
            energies: energies_all,
        } = match self.enumeration.take() {
            Some(enumeration) => enumeration,
            None => {
                let all = crate::physics::all_configurations(self.model.lattice().sites());
                let energies = self.model.energies(all.view());
                Enumeration { all, energies }
            }
        };
        let rows = all.nrows();
        let mut log_p = Array1::zeros(rows);
        let mut local = Array1::zeros(rows);
        for start in (0..rows).step_by(CHUNK) {
            let range = start..(start + CHUNK).min(rows);
            let chunk = all.slice(s![range.clone(), ..]);
            self.log_prob_parts(chunk, log_p.slice_mut(s![range.clone()]));
            objective.local_values(
                &self.net,
                chunk,
                log_p.slice(s![range.clone()]),
                energies_all.slice(s![range.clone()]),
                &mut self.workspaces,
                local.slice_mut(s![range]),
            );
        }
        check_finite(step, log_p.view(), local.view())?;
        let p = log_p.mapv(f64::exp);
        let weighted = |values: &Array1<f64>| {
            let mean = p.dot(values) / n;
            let var = p
                .iter()
                .zip(values)
                .map(|(p, v)| p * (v / n - mean).powi(2))
                .sum::<f64>();
            (mean, var)
        };
        let objective_moments = weighted(&local);
        let energy_moments = weighted(&energies_all);
        let entropy = -p.dot(&log_p) / n;
        self.pending_row = self.distances_due(step, phase, x, false, Some(objective_moments))?;

        let mut gradient_norm = 0.0;
        if self.config.optimizer.kind == crate::nn::OptimizerKind::Sr {
            gradient_norm = self.exact_natural_updates(all.view(), p.view(), local.view(), step)?;
        } else {
            let weights = exact_weights(self.config.estimator, p.view(), local.view());
            for _ in 0..self.config.minibatches {
                gradient_norm = self.exact_update(all.view(), weights.view(), step)?;
            }
        }

        let mut display = RunRng::from_seed(self.rng.get_seed());
        display.set_stream(step as u64 + 1);
        let (bits, _) = self.draw_with(self.config.samples, &mut display);
        let energies = self.model.energies(bits.view());
        let distinct = distinct_rows(bits.view()).0.nrows();
        self.enumeration = Some(Enumeration {
            all,
            energies: energies_all,
        });
        Ok(StepStatistics {
            bits,
            energies,
            distinct,
            energy_moments,
            objective_moments,
            entropy,
            gradient_norm,
            tail: None,
        })
    }

    /// log p of `bits` in the fixed parts.
    fn log_prob_parts(
        &mut self,
        bits: ndarray::ArrayView2<u8>,
        mut out: ndarray::ArrayViewMut1<f64>,
    ) {
        let rows = bits.nrows();
        let net = &self.net;
        let outs: Vec<_> = out
            .axis_chunks_iter_mut(ndarray::Axis(0), super::partition::part_rows(rows))
            .collect();
        outs.into_par_iter()
            .zip(self.workspaces.par_iter_mut())
            .enumerate()
            .for_each(|(part, (out, ws))| {
                net.log_prob(bits.slice(s![part_range(part, rows), ..]), out, ws);
            });
    }

    /// One update with Σ_s weights_s ∇log p_s over every configuration, summed per part in
    /// chunk order and the parts in order (the same bits on any number of threads).
    fn exact_update(
        &mut self,
        all: ndarray::ArrayView2<u8>,
        weights: ArrayView1<f64>,
        step: usize,
    ) -> Result<f64, AnnealError> {
        let rows = all.nrows();
        for grad in &mut self.grads {
            grad.fill_zero();
        }
        let net = &self.net;
        for start in (0..rows).step_by(CHUNK) {
            let len = CHUNK.min(rows - start);
            self.grads
                .par_iter_mut()
                .zip(self.workspaces.par_iter_mut())
                .enumerate()
                .for_each(|(part, (grad, ws))| {
                    let range = part_range(part, len);
                    if !range.is_empty() {
                        let range = start + range.start..start + range.end;
                        net.accumulate_grad(
                            all.slice(s![range.clone(), ..]),
                            weights.slice(s![range]),
                            grad,
                            ws,
                        );
                    }
                });
        }
        let (first, rest) = self.grads.split_at_mut(1);
        for g in rest.iter().take(PARTS - 1) {
            first[0].axpy(1.0, g);
        }
        self.apply_update(step)
    }
}

/// Why SR with exact gradients is refused on a lattice of `sites` > [`MAX_EXACT_NATURAL_SITES`].
pub fn exact_natural_refusal(size: usize, sites: usize) -> String {
    format!(
        "optimizer.kind = \"sr\" with anneal.gradient = \"exact\" solves a 2^N × 2^N system, up to N = {MAX_EXACT_NATURAL_SITES} (L = 3); L = {size} has N = {sites}: use anneal.gradient = \"sampled\""
    )
}

/// The weights c_s of the exact gradient Σ_s c_s ∇log p_s: p_s(O_s − Ō) for the standard
/// estimator; for the authors' surrogate 2p_s(O_s − Ō/4), which with exact sums is twice
/// the standard gradient (Σ_s p_s ∇log p_s = 0), so Adam runs the same but for ε.
pub fn exact_weights(
    estimator: Estimator,
    p: ArrayView1<f64>,
    local: ArrayView1<f64>,
) -> Array1<f64> {
    let mean = p.dot(&local);
    let (scale, baseline) = match estimator {
        Estimator::Standard => (1.0, mean),
        Estimator::Authors => (2.0, mean / 4.0),
    };
    p.iter()
        .zip(local)
        .map(|(p, o)| scale * p * (o - baseline))
        .collect()
}

fn check_finite(
    step: usize,
    log_p: ArrayView1<f64>,
    local: ArrayView1<f64>,
) -> Result<(), AnnealError> {
    if !log_p.iter().all(|v| v.is_finite()) {
        return Err(AnnealError::NonFinite {
            step,
            quantity: "log p of a sample",
            hint: "the network's weights have grown too large: lower anneal.learning_rate",
        });
    }
    if !local.iter().all(|v| v.is_finite()) {
        return Err(AnnealError::NonFinite {
            step,
            quantity: "the local objective",
            hint: "a sample's flipped neighbour has vanishing probability (quantum) or log p diverged: lower anneal.learning_rate or anneal.start",
        });
    }
    Ok(())
}
