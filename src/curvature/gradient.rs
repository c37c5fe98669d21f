//! The per-spin objective O(θ) at a fixed T or B and its exact gradient in θ, from one of two
//! sources (SPEC §6.1): enumeration of all 2^N configurations, or a fixed set of samples drawn
//! at the centre θ* and reweighted, Ô(θ) = b + (1/M) Σ w_m(θ)·(O_loc(e_m; θ) − b).
//!
//! Both gradients are exact for their objective, so their central differences are
//! Hessian-vector products of that objective (unlike differences of the usual gradient
//! estimator at common random numbers, whose samples do not move with θ).

use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;

use crate::anneal::Objective;
use crate::distance::log_probs_of_all;
use crate::nn::{Autoregressive, Params};
use crate::physics::NewmanMoore;

/// Flipped-neighbour terms below this fraction of a batch's largest coefficient are left out:
/// each is under 1e−14 of the largest term, so even differenced with a step of 1e−7 one that
/// is in at θ and out at θ + hv moves a product by about 1e−7 of its size.
const NEGLIGIBLE: f64 = 1e-14;

/// Configurations per chunk of the enumeration (its gradients are summed in chunk order, so
/// the result does not depend on the thread count).
const CHUNK: usize = 1024;

/// An objective whose gradient is known exactly at every θ, as batches of independent
/// estimates (one batch for the enumeration).
#[derive(Debug, Clone)]
pub enum Source {
    /// Enumerate every configuration (N ≤ [`super::MAX_EXACT_SITES`]).
    Exact(ExactObjective),
    /// Reweight a fixed set of samples from p_θ*.
    Sampled(SampledObjective),
}

/// Objective values and gradients of each batch, and the weights that combine them.
#[derive(Debug, Clone)]
pub struct BatchGradients {
    /// O of each batch.
    pub values: Vec<f64>,
    /// ∇O of each batch, flat in parameter order.
    pub gradients: Vec<Array1<f64>>,
    /// The share of each batch in the whole estimate (they sum to 1).
    pub weights: Vec<f64>,
}

impl BatchGradients {
    /// The whole estimate's value.
    pub fn value(&self) -> f64 {
        self.values
            .iter()
            .zip(&self.weights)
            .map(|(v, w)| v * w)
            .sum()
    }

    /// The whole estimate's gradient.
    pub fn gradient(&self) -> Array1<f64> {
        let mut out = Array1::zeros(self.gradients[0].len());
        for (g, &w) in self.gradients.iter().zip(&self.weights) {
            out.scaled_add(w, g);
        }
        out
    }
}

impl Source {
    /// O and ∇O at the network's weights.
    pub fn gradients<A: Autoregressive>(&self, net: &A) -> BatchGradients {
        match self {
            Self::Exact(exact) => exact.gradients(net),
            Self::Sampled(sampled) => sampled.gradients(net),
        }
    }

    /// Number of batches (1 for the enumeration).
    pub fn batches(&self) -> usize {
        match self {
            Self::Exact(_) => 1,
            Self::Sampled(s) => s.ranges.len(),
        }
    }
}

/// The objective by enumeration: energies of all 2^N configurations are computed once.
#[derive(Debug, Clone)]
pub struct ExactObjective {
    objective: Objective,
    energies: Array1<f64>,
    sites: usize,
}

impl ExactObjective {
    /// The objective of `model` at `objective`'s T or B (the caller checks N is small enough).
    pub fn new(model: &NewmanMoore, objective: Objective) -> Self {
        let n = model.lattice().sites();
        let all = crate::physics::all_configurations(n);
        Self {
            objective,
            energies: model.energies(all.view()),
            sites: n,
        }
    }

    /// O and the weights c_s of ∇O = Σ_s c_s ∇log p_s: thermal c = p(H + T log p − F)/N;
    /// quantum, with ψ = √p, c = (ψ(Hψ) − pE)/N since ∇E = Σ_s ψ_s(H_Bψ)_s ∇log p_s. Written
    /// with ψ so that a vanishing p never multiplies an overflowing amplitude ratio.
    fn weights(&self, log_p: ArrayView1<f64>) -> (f64, Array1<f64>) {
        let n = self.sites as f64;
        let p = log_p.mapv(f64::exp);
        let h = &self.energies;
        let (value, mut c) =
            match self.objective {
                Objective::Thermal { temperature } => {
                    let local = h + &(&log_p * temperature);
                    let c = Array1::from_shape_fn(p.len(), |s| {
                        if p[s] > 0.0 {
                            p[s] * local[s]
                        } else {
                            0.0
                        }
                    });
                    (c.sum(), c)
                }
                Objective::Quantum { field, entropy } => {
                    let psi = log_p.mapv(|l| (0.5 * l).exp());
                    let c: Array1<f64> = (0..p.len())
                        .into_par_iter()
                        .map(|s| {
                            let off: f64 = (0..self.sites).map(|i| psi[s ^ (1 << i)]).sum();
                            // RVQA's T_f·p log p, zero where p underflows (as the thermal case).
                            let regulariser = if p[s] > 0.0 {
                                entropy * p[s] * log_p[s]
                            } else {
                                0.0
                            };
                            psi[s] * (h[s] * psi[s] - field * off) + regulariser
                        })
                        .collect::<Vec<_>>()
                        .into();
                    (c.sum(), c)
                }
            };
        c.zip_mut_with(&p, |c, &p| *c = (*c - p * value) / n);
        (value / n, c)
    }

    fn gradients<A: Autoregressive>(&self, net: &A) -> BatchGradients {
        let log_p = log_probs_of_all(net);
        let (value, c) = self.weights(log_p.view());
        let n = self.sites;
        let parts: Vec<Params> = c
            .as_slice()
            .expect("fresh array")
            .par_chunks(CHUNK)
            .enumerate()
            .map_init(A::Workspace::default, |ws, (k, chunk)| {
                let base = k * CHUNK;
                let bits = crate::physics::configurations(base, chunk.len(), n);
                let mut grad = net.params().zeros_like();
                net.accumulate_grad(bits.view(), ArrayView1::from(chunk), &mut grad, ws);
                grad
            })
            .collect();
        BatchGradients {
            values: vec![value],
            gradients: vec![sum_in_order(parts, net.params())],
            weights: vec![1.0],
        }
    }
}

fn sum_in_order(parts: Vec<Params>, like: &Params) -> Array1<f64> {
    let mut total = like.zeros_like();
    for p in &parts {
        total.axpy(1.0, p);
    }
    total.to_flat()
}

/// The reweighted estimator of SPEC §6.1 on samples drawn once at θ*, split into batches
/// that each make an independent estimate (their spread gives standard errors).
#[derive(Debug, Clone)]
pub struct SampledObjective {
    objective: Objective,
    samples: Array2<u8>,
    log_p_center: Array1<f64>,
    energies: Array1<f64>,
    /// b: the mean of O_loc/N at θ*.
    baseline: f64,
    ranges: Vec<std::ops::Range<usize>>,
}

impl SampledObjective {
    /// The estimator on `samples` (rows drawn from `center`), in `batches` contiguous batches.
    pub fn new<A: Autoregressive>(
        center: &A,
        model: &NewmanMoore,
        objective: Objective,
        samples: Array2<u8>,
        batches: usize,
    ) -> Self {
        let m = samples.nrows();
        let energies = model.energies(samples.view());
        let mut this = Self {
            objective,
            log_p_center: Array1::zeros(m),
            samples,
            energies,
            baseline: 0.0,
            ranges: split(m, batches),
        };
        let local = this.local_at(center);
        this.log_p_center = local.iter().map(|l| l.log_p).collect();
        this.baseline = local.iter().map(|l| l.value).sum::<f64>() / m.max(1) as f64;
        this
    }

    /// Number of samples M.
    pub fn samples(&self) -> usize {
        self.samples.nrows()
    }

    /// log p, O_loc/N and the flip amplitudes r_i = √(p(e⁽ⁱ⁾)/p(e)) of every sample.
    fn local_at<A: Autoregressive>(&self, net: &A) -> Vec<Local> {
        let n = self.samples.ncols();
        let quantum = matches!(self.objective, Objective::Quantum { field, .. } if field != 0.0);
        self.ranges
            .par_iter()
            .map_init(A::Workspace::default, |ws, range| {
                let bits = self.samples.slice(s![range.clone(), ..]);
                let mut lp = Array1::zeros(bits.nrows());
                let mut flipped = Array2::zeros((bits.nrows(), if quantum { n } else { 0 }));
                if quantum {
                    net.log_prob_single_flips(bits, lp.view_mut(), flipped.view_mut(), ws);
                } else {
                    net.log_prob(bits, lp.view_mut(), ws);
                }
                range
                    .clone()
                    .enumerate()
                    .map(|(r, m)| {
                        let ratios: Vec<f64> = flipped
                            .row(r)
                            .iter()
                            .map(|&f| (0.5 * (f - lp[r])).exp())
                            .collect();
                        let value = match self.objective {
                            Objective::Thermal { temperature } => {
                                self.energies[m] + temperature * lp[r]
                            }
                            Objective::Quantum { field, entropy } => {
                                self.energies[m] - field * ratios.iter().sum::<f64>()
                                    + entropy * lp[r]
                            }
                        };
                        Local {
                            log_p: lp[r],
                            value: value / n as f64,
                            ratios,
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .flatten()
            .collect()
    }

    /// Each batch's Ô and ∇Ô = (1/M) Σ w[(O_loc − b)∇log p + ∇O_loc], with ∇O_loc = T∇log p
    /// (thermal) or −(B/2) Σ_i r_i (∇log p(e⁽ⁱ⁾) − ∇log p(e)) + T_f∇log p (quantum), all per
    /// spin.
    fn gradients<A: Autoregressive>(&self, net: &A) -> BatchGradients {
        let n = self.samples.ncols();
        let local = self.local_at(net);
        let m_total = self.samples();
        let results: Vec<(f64, Array1<f64>)> = self
            .ranges
            .par_iter()
            .map_init(A::Workspace::default, |ws, range| {
                let size = range.len() as f64;
                let mut value = self.baseline;
                let mut rows: Vec<ArrayView1<u8>> = Vec::new();
                let mut flips: Vec<(usize, usize)> = Vec::new();
                let mut coefficients = Vec::with_capacity(range.len());
                let mut flip_coefficients = Vec::new();
                for m in range.clone() {
                    let l = &local[m];
                    let w = (l.log_p - self.log_p_center[m]).exp();
                    value += w * (l.value - self.baseline) / size;
                    let own = match self.objective {
                        Objective::Thermal { temperature } => {
                            l.value - self.baseline + temperature / n as f64
                        }
                        Objective::Quantum { field, entropy } => {
                            l.value - self.baseline
                                + (0.5 * field * l.ratios.iter().sum::<f64>() + entropy) / n as f64
                        }
                    };
                    rows.push(self.samples.row(m));
                    coefficients.push(w * own / size);
                    if let Objective::Quantum { field, .. } = self.objective {
                        for (i, r) in l.ratios.iter().enumerate() {
                            flips.push((m, i));
                            flip_coefficients.push(-w * 0.5 * field * r / (n as f64 * size));
                        }
                    }
                }
                // A flipped neighbour far less likely than its sample adds nothing a double
                // can hold; leaving its row out of the backward pass is most of the saving late
                // in an anneal, when nearly every single flip makes three defects.
                let largest = coefficients
                    .iter()
                    .chain(&flip_coefficients)
                    .fold(0.0f64, |a, c| a.max(c.abs()));
                let keep = |c: &f64| c.abs() > NEGLIGIBLE * largest;
                let flips: Vec<(usize, usize)> = flips
                    .into_iter()
                    .zip(&flip_coefficients)
                    .filter(|(_, c)| keep(c))
                    .map(|(f, _)| f)
                    .collect();
                flip_coefficients.retain(keep);
                let mut bits = Array2::zeros((rows.len() + flips.len(), n));
                for (r, row) in rows.iter().enumerate() {
                    bits.row_mut(r).assign(row);
                }
                for (k, &(m, i)) in flips.iter().enumerate() {
                    let mut row = bits.row_mut(rows.len() + k);
                    row.assign(&self.samples.row(m));
                    row[i] ^= 1;
                }
                coefficients.extend(flip_coefficients);
                let coefficients = Array1::from(coefficients);
                let mut grad = net.params().zeros_like();
                net.accumulate_grad(bits.view(), coefficients.view(), &mut grad, ws);
                (value, grad.to_flat())
            })
            .collect();
        let (values, gradients) = results.into_iter().unzip();
        BatchGradients {
            values,
            gradients,
            weights: self
                .ranges
                .iter()
                .map(|r| r.len() as f64 / m_total as f64)
                .collect(),
        }
    }

    /// The samples, one per row.
    pub fn configurations(&self) -> ArrayView2<'_, u8> {
        self.samples.view()
    }
}

struct Local {
    log_p: f64,
    value: f64,
    ratios: Vec<f64>,
}

/// `m` items in `batches` contiguous ranges of near-equal size (no empty range).
fn split(m: usize, batches: usize) -> Vec<std::ops::Range<usize>> {
    let b = batches.clamp(1, m.max(1));
    (0..b).map(|k| k * m / b..(k + 1) * m / b).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_cover_the_samples() {
        let r = split(10, 3);
        assert_eq!(r, vec![0..3, 3..6, 6..10]);
        assert_eq!(split(2, 5).len(), 2);
    }
}
