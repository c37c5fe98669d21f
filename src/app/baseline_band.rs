//! "SA at this budget": simulated annealing (and SQA for quantum runs) at the shown run's L and
//! annealing length, and SA given the run's wall-clock time, computed in the background and
//! drawn as bands at the end of the Curves view.

use crate::baselines::{
    quantum_annealing, simulated_annealing, Annealing, BaselineError, QuantumAnnealing, Summary,
};
use crate::physics::{Lattice, NewmanMoore, PhysicsError};

/// Why a run has no baseline band.
#[derive(Debug, thiserror::Error)]
pub enum BandError {
    /// The run's lattice is not one the model takes.
    #[error(transparent)]
    Physics(#[from] PhysicsError),
    /// A baseline refused its settings (say, a budget beyond its limit).
    #[error(transparent)]
    Baseline(#[from] BaselineError),
}

/// SA runs behind a band: one packed word, so 64 cost what one does.
pub const SA_RUNS: usize = 64;
/// SQA runs behind its band.
pub const SQA_RUNS: usize = 8;
/// The longest matched-time SA computed in the app (a few seconds at L = 16).
pub const MAX_MATCHED_SWEEPS: usize = 1_000_000;

/// The baseline of the shown run.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum BaselineBand {
    /// Not asked for yet (or the run has not finished).
    #[default]
    None,
    /// Being computed.
    Pending,
    /// Computed.
    Ready(Box<Band>),
    /// Why there is none.
    Unavailable(String),
}

/// The baselines at one run's budget.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// E₀/N, where ε_res = 0 is drawn.
    pub ground_energy: f64,
    /// τ = the run's N_anneal, in sweeps.
    pub tau: usize,
    /// SA at τ.
    pub sa: Summary,
    /// SA with the run's wall-clock time: the τ it affords (capped at
    /// [`MAX_MATCHED_SWEEPS`]), whether it was capped, and its summary.
    pub matched: Option<(usize, bool, Summary)>,
    /// SQA (P = 20, T = 0.05, B₀ = 1) at τ, for quantum runs.
    pub sqa: Option<Summary>,
}

impl Band {
    /// One line for the toolbar.
    pub fn describe(&self) -> String {
        let eps = |s: &Summary| {
            format!(
                "eps {:.2e} ± {:.0e} ({}/{} at E0)",
                s.mean,
                s.stderr,
                (s.ground_state_fraction * s.runs as f64).round(),
                s.runs
            )
        };
        let mut text = format!("SA at tau = {} sweeps: {}", self.tau, eps(&self.sa));
        if let Some((tau, capped, s)) = &self.matched {
            let cap = if *capped { " (capped)" } else { "" };
            text.push_str(&format!("; same wall time, tau = {tau}{cap}: {}", eps(s)));
        }
        if let Some(s) = &self.sqa {
            text.push_str(&format!("; SQA: {}", eps(s)));
        }
        text
    }
}

/// Compute the band for a run of size `l` annealed over `anneal_steps` X values that took
/// `seconds` of wall-clock time.
pub fn at_budget(
    l: usize,
    anneal_steps: usize,
    quantum: bool,
    seconds: f64,
    seed: u64,
) -> Result<Band, BandError> {
    let lattice = Lattice::new(l)?;
    let model = NewmanMoore::new(lattice, 1.0)?;
    let tau = anneal_steps.max(1);
    let sa = simulated_annealing(&Annealing::new(lattice, tau, SA_RUNS, seed))?;
    // One packed run of τ sweeps costs what all 64 cost: the wall time buys that many sweeps.
    let sweeps_per_second = sa.updates_per_second() / (SA_RUNS * lattice.sites()) as f64;
    let affordable = (seconds * sweeps_per_second).floor();
    let matched = if affordable > tau as f64 {
        let capped = affordable > MAX_MATCHED_SWEEPS as f64;
        let t = if capped {
            MAX_MATCHED_SWEEPS
        } else {
            affordable as usize
        };
        let out = simulated_annealing(&Annealing::new(lattice, t, SA_RUNS, seed))?;
        Some((t, capped, out.summary()))
    } else {
        None
    };
    let sqa = if quantum {
        let out = quantum_annealing(&QuantumAnnealing {
            model,
            slices: 20,
            t: 0.05,
            b0: 1.0,
            sweeps: tau,
            runs: SQA_RUNS,
            seed,
        })?;
        Some(out.outcomes.summary())
    } else {
        None
    };
    Ok(Band {
        ground_energy: model.ground_energy() / lattice.sites() as f64,
        tau,
        sa: sa.summary(),
        matched,
        sqa,
    })
}
