//! The fit: exact forward-KL gradients over all 2^N configurations, Adam or the natural
//! gradient, and the stop rule.

use std::ops::ControlFlow;

use ndarray::{s, Array1, Array2};
use rayon::prelude::*;

use super::{ExactTarget, RepresentError};
use crate::distance::{log_probs_of, log_probs_of_all, ModeDistance};
use crate::nn::{
    sample_space_step, Autoregressive, Optimizer, OptimizerConfig, OptimizerKind, Params,
};

/// Rows per backward pass: bounded buffers at N = 16, and two chunks or more for two cores.
const CHUNK: usize = 2048;

/// Largest N the natural gradient enumerates: its sample-space matrix is 2^N × 2^N.
pub const MAX_SR_SITES: usize = 12;

/// How the weights move.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RepresentOptimizer {
    /// Adam (β = 0.9, 0.999, ε = 1e−8) on the exact gradient.
    Adam {
        /// η.
        learning_rate: f64,
    },
    /// The exact natural gradient: θ ← θ − η (S + λ)⁻¹ g with S the Fisher matrix of q,
    /// solved in sample space (N ≤ 12).
    Sr {
        /// η.
        learning_rate: f64,
        /// λ.
        shift: f64,
    },
}

/// When to stop, and how to move.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitSettings {
    /// The optimiser.
    pub optimizer: RepresentOptimizer,
    /// Most steps.
    pub max_steps: usize,
    /// The stop rule: stop once `patience` steps pass without the KL falling below
    /// (1 − `min_improvement`) × its value at the last improvement.
    pub patience: usize,
    /// The relative fall that counts as an improvement.
    pub min_improvement: f64,
    /// Stop as soon as the KL is below this (nothing is left to represent).
    pub kl_floor: f64,
}

impl Default for FitSettings {
    /// Adam at η = 1e−3, at most 20,000 steps, patience 1,000 steps at a relative 1e−3, floor
    /// 1e−10.
    fn default() -> Self {
        Self {
            optimizer: RepresentOptimizer::Adam {
                learning_rate: 1e-3,
            },
            max_steps: 20_000,
            patience: 1_000,
            min_improvement: 1e-3,
            kl_floor: 1e-10,
        }
    }
}

impl FitSettings {
    /// Refuse settings the fit cannot run with, naming the value and the fix.
    pub fn validate(&self, sites: usize) -> Result<(), RepresentError> {
        let positive = |name: &'static str, value: f64| {
            if value.is_finite() && value > 0.0 {
                Ok(())
            } else {
                Err(RepresentError::BadValue {
                    name,
                    value,
                    fix: "give a positive finite number",
                })
            }
        };
        match self.optimizer {
            RepresentOptimizer::Adam { learning_rate } => positive("learning rate", learning_rate)?,
            RepresentOptimizer::Sr {
                learning_rate,
                shift,
            } => {
                positive("learning rate", learning_rate)?;
                positive("SR shift", shift)?;
                if sites > MAX_SR_SITES {
                    return Err(RepresentError::Settings(format!(
                        "the exact natural gradient needs N ≤ {MAX_SR_SITES} (its matrix is 2^N × 2^N); N = {sites}: use Adam"
                    )));
                }
            }
        }
        if self.max_steps == 0 || self.patience == 0 {
            return Err(RepresentError::Settings(format!(
                "max steps ({}) and patience ({}) must be at least 1",
                self.max_steps, self.patience
            )));
        }
        if !(0.0..1.0).contains(&self.min_improvement) {
            return Err(RepresentError::BadValue {
                name: "min improvement",
                value: self.min_improvement,
                fix: "give a relative improvement from 0 to below 1 (default 1e-3)",
            });
        }
        if self.kl_floor.is_nan() || self.kl_floor < 0.0 {
            return Err(RepresentError::BadValue {
                name: "KL floor",
                value: self.kl_floor,
                fix: "give 0 or a positive number",
            });
        }
        Ok(())
    }
}

/// One step as the observer sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitStep {
    /// The step (0 = the starting weights).
    pub step: usize,
    /// KL(p*‖q) at the weights before the step's update.
    pub kl: f64,
    /// The smallest KL so far.
    pub best_kl: f64,
}

/// A point of the KL curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitPoint {
    /// The step.
    pub step: usize,
    /// KL(p*‖q) there.
    pub kl: f64,
}

/// Why a fit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The stop rule: no improvement within the patience.
    Converged,
    /// The KL fell below the floor.
    Floor,
    /// The step budget ran out while the KL was still falling.
    MaxSteps,
    /// The observer asked to stop (a signal).
    Stopped,
}

impl StopReason {
    /// The word written to files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Converged => "converged",
            Self::Floor => "floor",
            Self::MaxSteps => "max-steps",
            Self::Stopped => "stopped",
        }
    }
}

/// What a fit reached.
#[derive(Debug, Clone)]
pub struct FitOutcome {
    /// The smallest KL(p*‖q), in nats (not per spin).
    pub best_kl: f64,
    /// The step it was reached at.
    pub best_step: usize,
    /// The weights there.
    pub best_params: Params,
    /// KL at the start.
    pub initial_kl: f64,
    /// Steps taken.
    pub steps: usize,
    /// Why it stopped.
    pub stop: StopReason,
    /// (Σ ψ₀ √q)² at the best weights (quantum targets).
    pub fidelity: Option<f64>,
    /// q's ground-state probabilities at the best weights (effective modes and mass).
    pub modes: ModeDistance,
    /// KL against step: every step up to 100, then every tenth up to 1,000, then every
    /// hundredth, and the last.
    pub curve: Vec<FitPoint>,
}

/// KL(p*‖q) = Σ_{p* > 0} p* (ln p* − ln q) from ln q of every configuration.
pub fn forward_kl(target: &ExactTarget, log_q: &Array1<f64>) -> f64 {
    target
        .log_p
        .iter()
        .zip(log_q)
        .filter(|(lp, _)| **lp > f64::NEG_INFINITY)
        .map(|(lp, lq)| lp.exp() * (lp - lq))
        .sum()
}

/// (Σ_e ψ₀(e) √q(e))² for a quantum target, from ln q of every configuration.
pub fn fidelity(target: &ExactTarget, log_q: &Array1<f64>) -> Option<f64> {
    target.amplitudes.as_ref().map(|psi| {
        let overlap: f64 = psi
            .iter()
            .zip(log_q)
            .map(|(a, lq)| a * (0.5 * lq).exp())
            .sum();
        (overlap * overlap).min(1.0)
    })
}

fn kept_on_curve(step: usize) -> bool {
    step <= 100 || (step <= 1000 && step.is_multiple_of(10)) || step.is_multiple_of(100)
}

/// Fit `net` to `target` from its current weights; `observe` sees every step and may stop the
/// fit. The network is left at the best weights found.
pub fn represent<A: Autoregressive>(
    net: &mut A,
    target: &ExactTarget,
    settings: &FitSettings,
    mut observe: impl FnMut(&FitStep) -> ControlFlow<()>,
) -> Result<FitOutcome, RepresentError> {
    if net.sites() != target.sites {
        return Err(RepresentError::Settings(format!(
            "the network has {} sites and the target {}: fit a network of the target's lattice",
            net.sites(),
            target.sites
        )));
    }
    settings.validate(target.sites)?;
    let support = target.support();
    let bits = rows_of(&support, target.sites);
    let weights = Array1::from_iter(support.iter().map(|&s| -target.log_p[s].exp()));
    let mut adam = match settings.optimizer {
        RepresentOptimizer::Adam { learning_rate } => Some(Optimizer::new(
            OptimizerConfig {
                kind: OptimizerKind::Adam,
                learning_rate,
                ..OptimizerConfig::default()
            },
            net.params(),
        )),
        RepresentOptimizer::Sr { .. } => None,
    };

    let mut curve = Vec::new();
    let mut best = (f64::INFINITY, 0usize, net.params().clone());
    let mut initial_kl = f64::NAN;
    let mut anchor = (f64::INFINITY, 0usize);
    let mut step = 0usize;
    let stop = loop {
        let log_q = log_probs_of_all(&*net);
        let kl = forward_kl(target, &log_q);
        if !kl.is_finite() {
            net.params_mut().flat_mut().assign(&best.2.flat());
            return Err(RepresentError::NonFinite { step, kl });
        }
        if step == 0 {
            initial_kl = kl;
        }
        if kl < best.0 {
            best = (kl, step, net.params().clone());
        }
        if kl < anchor.0 * (1.0 - settings.min_improvement) {
            anchor = (kl, step);
        }
        if kept_on_curve(step) {
            curve.push(FitPoint { step, kl });
        }
        let seen = FitStep {
            step,
            kl,
            best_kl: best.0,
        };
        if observe(&seen).is_break() {
            break StopReason::Stopped;
        }
        if kl < settings.kl_floor {
            break StopReason::Floor;
        }
        if step - anchor.1 >= settings.patience {
            break StopReason::Converged;
        }
        if step >= settings.max_steps {
            break StopReason::MaxSteps;
        }
        let grad = exact_gradient(&*net, bits.view(), weights.view());
        match (&mut adam, settings.optimizer) {
            (Some(adam), _) => adam.update(net.params_mut(), &grad),
            (
                None,
                RepresentOptimizer::Sr {
                    learning_rate,
                    shift,
                },
            ) => {
                let phi = natural_direction(&*net, target, &log_q, shift)
                    .map_err(|source| RepresentError::Natural { step, source })?;
                net.params_mut().axpy(-learning_rate, &phi);
            }
            (None, RepresentOptimizer::Adam { .. }) => unreachable!("Adam is built above"),
        }
        step += 1;
    };
    if curve.last().is_none_or(|p| p.step != step) {
        // The last point, whatever the thinning.
        let kl = forward_kl(target, &log_probs_of_all(&*net));
        curve.push(FitPoint { step, kl });
    }
    let (best_kl, best_step, best_params) = best;
    net.params_mut().flat_mut().assign(&best_params.flat());
    let log_q = log_probs_of_all(&*net);
    let fidelity = fidelity(target, &log_q);
    let modes =
        ModeDistance::from_log_probs(log_probs_of(&*net, target.ground_states.view()).to_vec());
    Ok(FitOutcome {
        best_kl,
        best_step,
        best_params,
        initial_kl,
        steps: step,
        stop,
        fidelity,
        modes,
        curve,
    })
}

/// The configurations with the given indices, one per row (site i = bit i).
fn rows_of(indices: &[usize], sites: usize) -> Array2<u8> {
    Array2::from_shape_fn((indices.len(), sites), |(m, i)| {
        ((indices[m] >> i) & 1) as u8
    })
}

/// ∇_θ KL(p*‖q) = −Σ_e p*(e) ∇ln q(e), exactly, over the configurations p* holds.
pub fn kl_gradient<A: Autoregressive>(net: &A, target: &ExactTarget) -> Params {
    let support = target.support();
    let bits = rows_of(&support, target.sites);
    let weights = Array1::from_iter(support.iter().map(|&s| -target.log_p[s].exp()));
    exact_gradient(net, bits.view(), weights.view())
}

/// Σ_m weights[m] ∇ln q(bits[m]) in parallel chunks, summed in chunk order so the result does
/// not depend on the number of threads.
fn exact_gradient<A: Autoregressive>(
    net: &A,
    bits: ndarray::ArrayView2<u8>,
    weights: ndarray::ArrayView1<f64>,
) -> Params {
    let chunks = bits.nrows().div_ceil(CHUNK);
    let parts: Vec<Params> = (0..chunks)
        .into_par_iter()
        .map_init(A::Workspace::default, |ws, c| {
            let rows = c * CHUNK..((c + 1) * CHUNK).min(bits.nrows());
            let mut grad = net.params().zeros_like();
            net.accumulate_grad(
                bits.slice(s![rows.clone(), ..]),
                weights.slice(s![rows]),
                &mut grad,
                ws,
            );
            grad
        })
        .collect();
    let mut total = net.params().zeros_like();
    for part in &parts {
        total.axpy(1.0, part);
    }
    total
}

/// (S + λ)⁻¹ g with S = Σ_s q(s) (O_s − Ō)(O_s − Ō)ᵀ the Fisher matrix of q and
/// g = −Σ_s p*(s) O_s, solved in sample space: with D̄ = √q ⊙ (O − Ō) and ε = −p*/√q,
/// D̄ᵀε = g − Ō·Σp* = g (Ō = Σ q O = ∇Σq = 0), so φ = D̄ᵀ(D̄D̄ᵀ + λ)⁻¹ε.
fn natural_direction<A: Autoregressive>(
    net: &A,
    target: &ExactTarget,
    log_q: &Array1<f64>,
    shift: f64,
) -> Result<Params, crate::nn::NaturalError> {
    let n = target.sites;
    let all = crate::physics::all_configurations(n);
    let mut d = Array2::zeros((all.nrows(), net.params().len()));
    net.log_derivatives(all.view(), d.view_mut(), &mut A::Workspace::default());
    let q = log_q.mapv(f64::exp);
    let mean = q.dot(&d);
    let root = q.mapv(f64::sqrt);
    let mut dbar = d;
    for (mut row, &r) in dbar.rows_mut().into_iter().zip(&root) {
        row -= &mean;
        row *= r;
    }
    // A configuration q gives no weight carries none in S; its ε is −p*/√q, which the
    // zero row of D̄ multiplies, so it is left out rather than divided by zero.
    let eps = Array1::from_iter(target.log_p.iter().zip(&root).map(|(lp, r)| {
        if *r > 0.0 {
            -lp.exp() / r
        } else {
            0.0
        }
    }));
    let phi = sample_space_step(dbar.view(), eps.view(), shift, 0.0, None)?;
    Ok(net
        .params()
        .with_flat(phi)
        .expect("φ has one entry per parameter"))
}
