//! The annealing loop: sample, evaluate the local objective, K Adam updates on shuffled
//! mini-batches, report; snapshots on the schedule; a final evaluation at X = 0.

use ndarray::{Array1, Array2, Axis};
use rand::RngExt;
use rayon::prelude::*;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use thiserror::Error;

use super::config::FieldError;
use super::distances::{
    report_distances, DistanceCadence, DistanceRow, FreeEnergyReference, RECENT_STEPS,
};
use super::gradient_source::{
    exact_natural_refusal, GradientSource, StepStatistics, MAX_EXACT_GRADIENT_SITES,
    MAX_EXACT_NATURAL_SITES,
};
use super::observer::{Control, Observer, SnapshotView, StepView};
use super::partition::{part_rows, PARTS};
use super::state::{run_rng, RunRng};
use super::{
    AnnealConfig, AnnealKind, FinalSummary, Objective, Phase, Schedule, ScheduleShape,
    SettledPosition, StepMetrics,
};
use crate::nn::{
    Autoregressive, Network, NetworkConfig, NetworkWorkspace, Optimizer, OptimizerConfig, Params,
};
use crate::physics::{GroundStateId, GroundStates, Lattice, NewmanMoore, PhysicsError};

/// Why an anneal stopped early.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum AnnealError {
    /// A NaN or infinity appeared.
    #[error("step {step}: {quantity} is not finite (NaN or infinity); the run stopped, files written so far are kept — {hint}")]
    NonFinite {
        /// The step.
        step: usize,
        /// Which quantity.
        quantity: &'static str,
        /// What is likely to help, given the quantity.
        hint: &'static str,
    },
    /// The settings are out of range.
    #[error(transparent)]
    Config(#[from] FieldError),
    /// The model cannot be built.
    #[error(transparent)]
    Model(#[from] PhysicsError),
    /// A saved state does not belong to this configuration.
    #[error("the saved state does not fit this run: {0}")]
    State(String),
    /// An observer failed (for example a file could not be written).
    #[error("step {step}: {message}")]
    Observer {
        /// The step (or the total for the final report).
        step: usize,
        /// The observer's message.
        message: String,
    },
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The schedule completed and the final evaluation ran.
    Finished(FinalSummary),
    /// The observer asked to stop after this many steps.
    Stopped {
        /// Steps completed.
        steps: usize,
    },
}

/// One annealing run of a 2D RNN on the Newman–Moore model.
pub struct Annealer {
    pub(super) config: AnnealConfig,
    pub(super) model: NewmanMoore,
    pub(super) ground_states: GroundStates,
    pub(super) schedule: Schedule,
    /// Where a settled schedule is (`None` for the others, whose X follows from the step).
    pub(super) settled: Option<SettledPosition>,
    pub(super) net: Network,
    pub(super) optimiser: Optimizer,
    /// Δθ of the last step's updates.
    pub(super) last_update: Params,
    /// All 2^N configurations and their energies, for exact gradients (built at the first step).
    pub(super) enumeration: Option<super::gradient_source::Enumeration>,
    pub(super) rng: RunRng,
    pub(super) step: usize,
    /// Each ground state drawn in training, with the last step it was drawn at.
    pub(super) found: HashMap<GroundStateId, usize>,
    free_energy: Option<FreeEnergyReference>,
    pub(super) distances: Option<DistanceCadence>,
    pub(super) pending_row: Option<DistanceRow>,
    pub(super) workspaces: Vec<NetworkWorkspace>,
    pub(super) grads: Vec<Params>,
    pub(super) samples: Array2<u8>,
    pub(super) started: Instant,
    pub(super) elapsed_before: Duration,
    resume_every: Option<usize>,
}

impl Annealer {
    /// A fresh run: network initialised from `seed`, which also drives every sample.
    pub fn new(
        lattice: Lattice,
        coupling: f64,
        network: NetworkConfig,
        config: &AnnealConfig,
        seed: u64,
    ) -> Result<Self, AnnealError> {
        config.validate()?;
        let sites = lattice.sites();
        if config.gradient == GradientSource::Exact && sites > MAX_EXACT_GRADIENT_SITES {
            return Err(FieldError::new(
                "anneal.gradient",
                format!(
                    "anneal.gradient = \"exact\" enumerates all 2^N configurations, up to N = {MAX_EXACT_GRADIENT_SITES} (L = 4); L = {} has N = {sites}: use \"sampled\"",
                    lattice.size()
                ),
            )
            .into());
        }
        if config.gradient == GradientSource::Exact
            && config.optimizer.kind == crate::nn::OptimizerKind::Sr
            && sites > MAX_EXACT_NATURAL_SITES
        {
            return Err(FieldError::new(
                "optimizer.kind",
                exact_natural_refusal(lattice.size(), sites),
            )
            .into());
        }
        if !network.symmetry.is_none()
            && crate::nn::code_symmetry::CodeWords::of_lattice(lattice.size()).is_none()
        {
            return Err(FieldError::new(
                "network.symmetry",
                crate::nn::LayoutError::Symmetry {
                    size: lattice.size(),
                }
                .to_string(),
            )
            .into());
        }
        let model = NewmanMoore::new(lattice, coupling)?;
        let mut rng = run_rng(seed);
        let net = network.init(lattice.size(), &mut rng);
        let optimiser = Optimizer::new(Self::optimizer_config(config), net.params());
        Ok(Self {
            config: config.clone(),
            model,
            ground_states: GroundStates::new(lattice),
            schedule: config.schedule(),
            settled: (config.schedule == ScheduleShape::Settled).then(SettledPosition::default),
            grads: vec![net.params().zeros_like(); PARTS],
            last_update: net.params().zeros_like(),
            enumeration: None,
            net,
            optimiser,
            rng,
            step: 0,
            found: HashMap::new(),
            free_energy: (config.kind == AnnealKind::Thermal)
                .then(|| FreeEnergyReference::new(model)),
            distances: None,
            pending_row: None,
            workspaces: (0..PARTS).map(|_| NetworkWorkspace::default()).collect(),
            samples: Array2::zeros((0, lattice.sites())),
            started: Instant::now(),
            elapsed_before: Duration::ZERO,
            resume_every: None,
        })
    }

    pub(super) fn optimizer_config(config: &AnnealConfig) -> OptimizerConfig {
        config.optimizer_config()
    }

    /// Offer the state to the observer every `steps` steps (0 = only at the end of the schedule
    /// and when the run stops); without this call it is never offered.
    pub fn set_resume_every(&mut self, steps: usize) {
        self.resume_every = Some(steps);
    }

    /// Draw `n` samples in the fixed parts (uniforms drawn in order, so the result does not
    /// depend on the thread count).
    pub(super) fn draw(&mut self, n: usize) -> (Array2<u8>, Array1<f64>) {
        draw_samples(&self.net, &mut self.workspaces, n, &mut self.rng)
    }

    /// Draw `n` samples with `rng`'s uniforms (the exact step's display sample).
    pub(super) fn draw_with(&mut self, n: usize, rng: &mut RunRng) -> (Array2<u8>, Array1<f64>) {
        draw_samples(&self.net, &mut self.workspaces, n, rng)
    }

    /// One step: sample (or enumerate), evaluate, K optimiser updates. Returns the step's
    /// metrics.
    pub fn step(&mut self) -> Result<StepMetrics, AnnealError> {
        let step = self.step;
        let (phase, x) = match &self.settled {
            Some(position) => position.at(&self.schedule, step),
            None => self.schedule.at(step),
        };
        let m = self.config.samples;
        let n = self.model.lattice().sites() as f64;
        let objective = self.config.objective(x);
        let before = self.net.params().clone();
        let StepStatistics {
            bits,
            energies,
            distinct,
            energy_moments,
            objective_moments: (objective_mean, objective_var),
            entropy,
            gradient_norm,
            tail,
        } = match self.config.gradient {
            GradientSource::Sampled => self.sampled_step(step, phase, x, objective)?,
            GradientSource::Exact => self.exact_step(step, phase, x, objective)?,
        };
        self.last_update
            .flat_mut()
            .assign(&self.net.params().flat());
        self.last_update.axpy(-1.0, &before);
        let (update_norm, preconditioner) = self.optimiser_side();

        let e0 = self.model.ground_energy();
        let mut ground = 0usize;
        for row in bits.rows() {
            if let Some(id) = self.ground_states.id(row) {
                ground += 1;
                self.found.insert(id, step);
            }
        }
        let recent_from = (step + 1).saturating_sub(RECENT_STEPS);
        let recent = self.found.values().filter(|&&s| s >= recent_from).count();
        let (energy_mean, energy_var) = energy_moments;
        // ⟨F_loc⟩/N − f(T) = T·KL(q‖p_T)/N, from the samples already drawn.
        let free_energy_gap = self
            .free_energy
            .as_ref()
            .and_then(|f| f.at(x))
            .map(|f| objective_mean - f);
        let free_energy_gap_stderr = free_energy_gap.map(|_| (objective_var / m as f64).sqrt());
        let metrics = StepMetrics {
            step,
            phase,
            temperature: if self.config.kind == AnnealKind::Thermal {
                x
            } else {
                0.0
            },
            field: if self.config.kind == AnnealKind::Quantum {
                x
            } else {
                0.0
            },
            energy_mean,
            energy_var,
            energy_min: energies.iter().cloned().fold(f64::INFINITY, f64::min) / n,
            objective_mean,
            objective_var,
            entropy,
            residual_energy: energy_mean - e0 / n,
            ground_state_fraction: ground as f64 / m as f64,
            distinct_samples: distinct,
            ground_states_found: self.found.len(),
            ground_states_recent: recent,
            free_energy_gap,
            free_energy_gap_stderr,
            gradient_norm,
            update_norm: Some(update_norm),
            preconditioner_median: preconditioner.map(|p| p.0),
            preconditioner_min: preconditioner.map(|p| p.1),
            local_tail: tail.and_then(|t| t.0),
            local_tail_deviation: tail.map(|t| t.1),
            local_tail_log_p: tail.map(|t| t.2),
            entropy_temperature: match objective {
                Objective::Quantum { entropy, .. } if self.config.entropy_start > 0.0 => {
                    Some(entropy)
                }
                _ => None,
            },
            seconds: self.elapsed().as_secs_f64(),
        };
        self.samples = bits;
        if let Some(position) = &mut self.settled {
            position.record(&self.schedule, step, phase, x, metrics.objective_mean);
        }
        self.step += 1;
        Ok(metrics)
    }

    /// Run the whole schedule, reporting to `observer`; snapshots as in SPEC §4.
    pub fn run(&mut self, observer: &mut dyn Observer) -> Result<Outcome, AnnealError> {
        let snapshots = self.schedule.snapshot_steps();
        let total = self.schedule.total_steps();
        if self.step == 0 {
            self.snapshot(observer, "init", None)?;
        }
        while self.step < total {
            let metrics = self.step()?;
            let step = metrics.step;
            let control = observer
                .on_step(&StepView {
                    metrics: &metrics,
                    samples: self.samples.view(),
                    params: self.net.params(),
                    optimiser: &self.optimiser,
                    update: &self.last_update,
                })
                .map_err(|e| AnnealError::Observer {
                    step,
                    message: e.to_string(),
                })?;
            if let Some(row) = self.pending_row.take() {
                report_distances(observer, &row)?;
            }
            for (name, _) in snapshots.iter().filter(|(_, s)| *s == step) {
                self.snapshot(observer, name, Some(step))?;
            }
            let due = self
                .resume_every
                .is_some_and(|every| every > 0 && self.step.is_multiple_of(every));
            match control {
                Control::Continue => {}
                Control::Snapshot => {
                    self.snapshot(observer, &format!("manual-{step}"), Some(step))?
                }
                Control::Stop => return self.stop(observer, step),
            }
            if due || self.step == total {
                self.offer_state(observer)?;
            }
        }
        let summary = match self.evaluate(observer) {
            Some(summary) => summary,
            None => return self.stop(observer, total - 1),
        };
        if let Some(row) = self.distances_due(total, Phase::Final, 0.0, true, None)? {
            report_distances(observer, &row)?;
        }
        observer
            .on_finish(&summary)
            .map_err(|e| AnnealError::Observer {
                step: total,
                message: e.to_string(),
            })?;
        Ok(Outcome::Finished(summary))
    }

    /// The `stopped` snapshot and the state, then the outcome of a stopped run.
    fn stop(&mut self, observer: &mut dyn Observer, step: usize) -> Result<Outcome, AnnealError> {
        self.snapshot(observer, "stopped", Some(step))?;
        self.offer_state(observer)?;
        Ok(Outcome::Stopped { steps: self.step })
    }

    fn offer_state(&self, observer: &mut dyn Observer) -> Result<(), AnnealError> {
        if self.resume_every.is_none() {
            return Ok(());
        }
        observer
            .on_state(&self.state())
            .map_err(|e| AnnealError::Observer {
                step: self.step,
                message: e.to_string(),
            })
    }

    fn snapshot(
        &self,
        observer: &mut dyn Observer,
        name: &str,
        step: Option<usize>,
    ) -> Result<(), AnnealError> {
        let x = match (step, &self.settled) {
            (None, _) => self.schedule.start,
            // Snapshots are taken after the step they name, the last one taken.
            (Some(_), Some(position)) => position.last_x,
            (Some(s), None) => self.schedule.at(s).1,
        };
        observer
            .on_snapshot(&SnapshotView {
                name,
                step,
                x,
                params: self.net.params(),
                optimiser: &self.optimiser,
                samples: self.samples.view(),
            })
            .map_err(|e| AnnealError::Observer {
                step: step.unwrap_or(0),
                message: e.to_string(),
            })
    }
}

/// `n` samples of `net` with `rng`'s uniforms, drawn in order and sampled in the fixed parts.
pub(super) fn draw_samples(
    net: &Network,
    workspaces: &mut [NetworkWorkspace],
    n: usize,
    rng: &mut RunRng,
) -> (Array2<u8>, Array1<f64>) {
    let sites = net.sites();
    let uniforms = Array2::from_shape_simple_fn((n, net.uniform_columns()), || rng.random::<f64>());
    let mut bits = Array2::zeros((n, sites));
    let mut log_p = Array1::zeros(n);
    let per = part_rows(n);
    let bit_chunks: Vec<_> = bits.axis_chunks_iter_mut(Axis(0), per).collect();
    let log_p_chunks: Vec<_> = log_p.axis_chunks_iter_mut(Axis(0), per).collect();
    let uniform_chunks: Vec<_> = uniforms.axis_chunks_iter(Axis(0), per).collect();
    bit_chunks
        .into_par_iter()
        .zip(log_p_chunks)
        .zip(uniform_chunks)
        .zip(workspaces.par_iter_mut())
        .for_each(|(((b, l), u), ws)| net.sample_with(u, b, l, ws));
    (bits, log_p)
}
