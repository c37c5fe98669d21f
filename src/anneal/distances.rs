//! Exact distances along the anneal (SPEC §6.4): the per-step free-energy gap and, at a
//! cadence and at the end, the enumerated distances of the `distance` layer.

use serde::{Deserialize, Serialize};

use super::{AnnealError, AnnealKind, Annealer, Phase};
use crate::distance::{DistanceTarget, Distances, TargetKind};
use crate::nn::{Autoregressive, Network, Precision};
use crate::physics::{ExactThermo, ThermoMethod};

/// Ground states drawn within this many steps count as "drawn recently".
pub const RECENT_STEPS: usize = 1000;

impl From<AnnealKind> for TargetKind {
    fn from(kind: AnnealKind) -> Self {
        match kind {
            AnnealKind::Thermal => Self::Thermal,
            AnnealKind::Quantum => Self::Quantum,
        }
    }
}

/// One row of `exact.csv`: the exact distances at one step (the network that drew that step's
/// samples), or at the end (phase `final`, step = the schedule's length, X = 0). A quantity
/// that does not apply at this size or X is empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistanceRow {
    /// Step index (the schedule's length for the final row).
    pub step: usize,
    /// Warm-up, anneal or final.
    pub phase: Phase,
    /// T (0 for quantum runs).
    pub temperature: f64,
    /// B (0 for thermal runs).
    pub field: f64,
    /// KL(q‖p_T)/N (thermal, N ≤ 20, T > 0).
    #[serde(default)]
    pub kl_reverse: Option<f64>,
    /// KL(p_T‖q)/N (thermal, N ≤ 20).
    #[serde(default)]
    pub kl_forward: Option<f64>,
    /// (Σ ψ₀ √q)² (quantum, N ≤ 16; not at B = 0 on a degenerate lattice).
    #[serde(default)]
    pub fidelity: Option<f64>,
    /// (⟨√q|H_B|√q⟩ − E₀(B))/N (quantum, N ≤ 16).
    #[serde(default)]
    pub energy_error: Option<f64>,
    /// Δ(B) = E₁ − E₀, the whole spectrum's gap (quantum, N ≤ 16); it closes as B → 0 where
    /// there are several classical ground states.
    #[serde(default)]
    pub gap: Option<f64>,
    /// The gap to the next level in ψ₀'s symmetry sector (quantum, N ≤ 16): what an exact
    /// adiabatic sweep must respect.
    #[serde(default)]
    pub gap_symmetric: Option<f64>,
    /// ⟨E_loc⟩/N − E₀(B)/N from the step's samples, against E₀(B) interpolated on the
    /// ground-energy cache (quantum, N > 16 with a cached grid: L = 5).
    #[serde(default)]
    pub energy_error_sampled: Option<f64>,
    /// Its sampling standard error.
    #[serde(default)]
    pub energy_error_sampled_stderr: Option<f64>,
    /// The bound on the interpolation error of E₀(B)/N in it.
    #[serde(default)]
    pub energy_error_interpolation: Option<f64>,
    /// Σ_g p(g) over the ground states (k ≤ 16).
    #[serde(default)]
    pub ground_state_mass: Option<f64>,
    /// exp(H(π)), π = p(g)/mass.
    #[serde(default)]
    pub effective_modes: Option<f64>,
    /// KL(π‖uniform over the 2^k ground states) = k ln 2 − H(π).
    #[serde(default)]
    pub kl_to_uniform_ground_states: Option<f64>,
    /// ln p(g) of every ground state, g in id order (not a CSV column).
    #[serde(skip)]
    pub ground_state_log_probs: Vec<f64>,
}

impl DistanceRow {
    /// Column names of `exact.csv`, in order.
    pub const COLUMNS: [&'static str; 16] = [
        "step",
        "phase",
        "temperature",
        "field",
        "kl_reverse",
        "kl_forward",
        "fidelity",
        "energy_error",
        "gap",
        "gap_symmetric",
        "energy_error_sampled",
        "energy_error_sampled_stderr",
        "energy_error_interpolation",
        "ground_state_mass",
        "effective_modes",
        "kl_to_uniform_ground_states",
    ];

    /// The row of `distances` measured at `step` in `phase` with X = `x`.
    pub fn new(step: usize, phase: Phase, kind: AnnealKind, x: f64, d: Distances) -> Self {
        let (temperature, field) = match kind {
            AnnealKind::Thermal => (x, 0.0),
            AnnealKind::Quantum => (0.0, x),
        };
        Self {
            step,
            phase,
            temperature,
            field,
            kl_reverse: d.thermal.and_then(|t| t.kl_reverse),
            kl_forward: d.thermal.map(|t| t.kl_forward),
            fidelity: d.quantum.and_then(|q| q.fidelity),
            energy_error: d.quantum.map(|q| q.energy_error),
            gap: d.quantum.and_then(|q| q.gap),
            gap_symmetric: d.quantum.and_then(|q| q.gap_symmetric),
            energy_error_sampled: None,
            energy_error_sampled_stderr: None,
            energy_error_interpolation: None,
            ground_state_mass: d.modes.as_ref().map(|m| m.mass),
            effective_modes: d.modes.as_ref().map(|m| m.effective_modes),
            kl_to_uniform_ground_states: d.modes.as_ref().map(|m| m.kl_to_uniform),
            ground_state_log_probs: d.modes.map(|m| m.log_probs).unwrap_or_default(),
        }
    }

    /// The first value that is NaN or infinite, if any.
    pub fn non_finite_column(&self) -> Option<&'static str> {
        let values = [
            ("temperature", Some(self.temperature)),
            ("field", Some(self.field)),
            ("kl_reverse", self.kl_reverse),
            ("kl_forward", self.kl_forward),
            ("fidelity", self.fidelity),
            ("energy_error", self.energy_error),
            ("gap", self.gap),
            ("gap_symmetric", self.gap_symmetric),
            ("energy_error_sampled", self.energy_error_sampled),
            (
                "energy_error_sampled_stderr",
                self.energy_error_sampled_stderr,
            ),
            (
                "energy_error_interpolation",
                self.energy_error_interpolation,
            ),
            ("ground_state_mass", self.ground_state_mass),
            ("effective_modes", self.effective_modes),
            (
                "kl_to_uniform_ground_states",
                self.kl_to_uniform_ground_states,
            ),
        ];
        values
            .iter()
            .find(|(_, v)| v.is_some_and(|v| !v.is_finite()))
            .map(|(name, _)| *name)
    }
}

/// Hand a row to the observer; its failure stops the run at the row's step.
pub(super) fn report_distances(
    observer: &mut dyn super::Observer,
    row: &DistanceRow,
) -> Result<(), AnnealError> {
    observer
        .on_distances(row)
        .map_err(|e| AnnealError::Observer {
            step: row.step,
            message: e.to_string(),
        })
}

/// The exact free energy per spin at each T, for the per-step gap Δf.
pub(super) struct FreeEnergyReference {
    thermo: ExactThermo,
}

impl FreeEnergyReference {
    pub(super) fn new(model: crate::physics::NewmanMoore) -> Self {
        Self {
            thermo: ExactThermo::new(model),
        }
    }

    /// f(T), or `None` where only a bound is known (k > 24).
    pub(super) fn at(&self, t: f64) -> Option<f64> {
        let thermo = self.thermo.at(t).ok()?;
        (thermo.method != ThermoMethod::ClosedFormBound).then_some(thermo.f)
    }
}

/// The enumerated distances and how often they are measured.
pub(super) struct DistanceCadence {
    pub(super) target: DistanceTarget,
    pub(super) every: usize,
}

impl Annealer {
    /// Measure the exact distances every `every` steps (0 = never) and at the end, against
    /// `target`.
    pub fn set_distances(&mut self, target: DistanceTarget, every: usize) {
        self.distances = (every > 0).then_some(DistanceCadence { target, every });
    }

    /// The distances of the network now, if `step` is on the cadence or `at_end`; `objective`
    /// is the step's (mean, variance) of O_loc/N, for the sampled energy error.
    pub(super) fn distances_due(
        &self,
        step: usize,
        phase: Phase,
        x: f64,
        at_end: bool,
        objective: Option<(f64, f64)>,
    ) -> Result<Option<DistanceRow>, AnnealError> {
        let Some(cadence) = self.distances.as_ref() else {
            return Ok(None);
        };
        if !step.is_multiple_of(cadence.every) && !at_end {
            return Ok(None);
        }
        // Exact distances in f64 whatever the run trains in: an f32 run's p over all 2^N
        // configurations would carry its rounding into the KL divergence.
        let net = match self.net.config().precision {
            Precision::F64 => std::borrow::Cow::Borrowed(&self.net),
            Precision::F32 => std::borrow::Cow::Owned(
                Network::from_params(
                    self.net.config().in_f64(),
                    self.net.size(),
                    self.net.params().clone(),
                )
                .expect("the network's own layout"),
            ),
        };
        // A code-after run reports the symmetrised distribution.
        let d = cadence.target.measure(net.reporting().as_ref(), x)?;
        let mut row = DistanceRow::new(step, phase, self.config.kind, x, d);
        if let Some((mean, var)) = objective {
            if let Some(e) = cadence
                .target
                .sampled_energy_error(x, mean, var, self.config.samples)
            {
                row.energy_error_sampled = Some(e.value);
                row.energy_error_sampled_stderr = Some(e.stderr);
                row.energy_error_interpolation = Some(e.interpolation);
            }
        }
        Ok(Some(row))
    }
}
