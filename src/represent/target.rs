//! The exact targets a network is fitted to, as ln p* over all 2^N configurations
//! (configuration s has site i = bit i of s, as everywhere in `distance`).

use ndarray::{Array1, Array2};

use super::RepresentError;
use crate::distance::log_sum_exp;
use crate::physics::{GroundStates, NewmanMoore, QuantumGroundState, QuantumStateCache};

/// Largest N `represent` enumerates: 2^16 configurations, each with a backward pass a step.
pub const MAX_REPRESENT_SITES: usize = 16;

/// Which exact distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TargetKind {
    /// The Boltzmann distribution p_T(e) ∝ exp(−E(e)/T), T > 0.
    Thermal {
        /// T.
        t: f64,
    },
    /// |ψ₀(B)|² of H − B Σ σˣ, B > 0.
    Quantum {
        /// B.
        b: f64,
    },
    /// The uniform mixture of the 2^k ground states (T → 0 of the thermal target).
    GroundStates,
}

impl TargetKind {
    /// The control parameter X (T or B), or 0 for the ground-state mixture.
    pub fn x(&self) -> f64 {
        match *self {
            Self::Thermal { t } => t,
            Self::Quantum { b } => b,
            Self::GroundStates => 0.0,
        }
    }

    /// Short name: thermal, quantum or ground.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Thermal { .. } => "thermal",
            Self::Quantum { .. } => "quantum",
            Self::GroundStates => "ground",
        }
    }
}

/// ln p*(s) for every configuration s, with what the fit reports against it.
#[derive(Debug, Clone)]
pub struct ExactTarget {
    /// What it is.
    pub kind: TargetKind,
    /// N.
    pub sites: usize,
    /// ln p*(s), −∞ where p* is zero (only for the ground-state mixture).
    pub log_p: Array1<f64>,
    /// ψ₀ (quantum targets), for the fidelity (Σ ψ₀ √q)².
    pub amplitudes: Option<Vec<f64>>,
    /// The 2^k ground states, one per row (for the effective modes of q).
    pub ground_states: Array2<u8>,
}

impl ExactTarget {
    /// The target `kind` of `model`; ψ₀(B) is taken from `quantum_states`.
    pub fn new(
        model: &NewmanMoore,
        kind: TargetKind,
        quantum_states: &QuantumStateCache,
    ) -> Result<Self, RepresentError> {
        let lattice = *model.lattice();
        let n = lattice.sites();
        if n > MAX_REPRESENT_SITES {
            return Err(RepresentError::TooLarge {
                sites: n,
                max: MAX_REPRESENT_SITES,
            });
        }
        let all = crate::physics::all_configurations(n);
        let energies = model.energies(all.view());
        let ground = GroundStates::new(lattice);
        let mut ground_states = Array2::zeros((1 << ground.degeneracy_log2(), n));
        for (row, word) in ground_states
            .rows_mut()
            .into_iter()
            .zip(ground.enumerate()?)
        {
            let mut row = row;
            row.assign(&word);
        }
        let mut amplitudes = None;
        let log_p = match kind {
            TargetKind::Thermal { t } => {
                if !(t.is_finite() && t > 0.0) {
                    return Err(RepresentError::BadValue {
                        name: "T",
                        value: t,
                        fix: "give a temperature above 0 (the T = 0 target is --target ground)",
                    });
                }
                let log_z = log_sum_exp(energies.iter().map(|e| -e / t));
                energies.mapv(|e| -e / t - log_z)
            }
            TargetKind::Quantum { b } => {
                if !(b.is_finite() && b > 0.0) {
                    return Err(RepresentError::BadValue {
                        name: "B",
                        value: b,
                        fix: "give a field above 0 (at B = 0 |ψ₀|² is not unique: use --target ground)",
                    });
                }
                let QuantumGroundState {
                    amplitudes: psi, ..
                } = quantum_states.get(model, b)?;
                let log_p = psi.iter().map(|a| (a * a).ln()).collect();
                amplitudes = Some(psi);
                log_p
            }
            TargetKind::GroundStates => {
                let e0 = model.ground_energy();
                let tolerance = 1e-9 * (1.0 + e0.abs());
                let count = ground_states.nrows() as f64;
                energies.mapv(|e| {
                    if (e - e0).abs() <= tolerance {
                        -count.ln()
                    } else {
                        f64::NEG_INFINITY
                    }
                })
            }
        };
        Ok(Self {
            kind,
            sites: n,
            log_p,
            amplitudes,
            ground_states,
        })
    }

    /// A target given directly as ln p* over all 2^N configurations (tests, and a network's own
    /// distribution); it must be normalised.
    pub fn from_log_probs(
        kind: TargetKind,
        log_p: Array1<f64>,
        ground_states: Array2<u8>,
    ) -> Result<Self, RepresentError> {
        let dim = log_p.len();
        if !dim.is_power_of_two() || dim.trailing_zeros() as usize > MAX_REPRESENT_SITES {
            return Err(RepresentError::Settings(format!(
                "a target needs 2^N probabilities with N ≤ {MAX_REPRESENT_SITES} (got {dim})"
            )));
        }
        let total = log_sum_exp(log_p.iter().copied());
        if total.is_nan() || total.abs() >= 1e-9 {
            return Err(RepresentError::Settings(format!(
                "the target's probabilities sum to exp({total}), not 1"
            )));
        }
        Ok(Self {
            kind,
            sites: dim.trailing_zeros() as usize,
            log_p,
            amplitudes: None,
            ground_states,
        })
    }

    /// The configurations p* puts mass on (all but those of a mixture's excited states).
    pub fn support(&self) -> Vec<usize> {
        (0..self.log_p.len())
            .filter(|&s| self.log_p[s] > f64::NEG_INFINITY)
            .collect()
    }
}
