//! Exact distances of the network to its target (SPEC §6.4): the thermal KL divergences and
//! the quantum fidelity by enumeration, and the exact probability of every ground state by
//! teacher forcing. Uses the network and the physics; knows nothing of training.

mod enumeration;
mod modes;
mod quantum;
mod thermal;

use ndarray::Array2;

pub use enumeration::{log_probs_of, log_probs_of_all, log_sum_exp};
pub use modes::{collapse_onset, ModeDistance, COLLAPSE_THRESHOLD};
pub use quantum::{quantum_distance, QuantumDistance};
pub use thermal::{thermal_distance, ThermalDistance};

use crate::nn::Autoregressive;
use crate::physics::{
    GroundEnergyGrid, GroundStates, NewmanMoore, PhysicsError, QuantumStateCache,
    MAX_EXACT_STATE_SITES,
};

/// Largest N for the thermal KL divergences (2^20 configurations).
pub const MAX_THERMAL_SITES: usize = 20;
/// Largest k for the ground-state probabilities (2^16 teacher-forced passes).
pub const MAX_MODE_DEGENERACY_LOG2: usize = 16;

/// Which exact target the network is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// The Boltzmann distribution p_T at temperature X.
    Thermal,
    /// The ground state of H − XΣ X.
    Quantum,
}

/// Every exact distance that applies at one point of an anneal.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Distances {
    /// Thermal runs with N ≤ 20.
    pub thermal: Option<ThermalDistance>,
    /// Quantum runs with N ≤ 16.
    pub quantum: Option<QuantumDistance>,
    /// Lattices with k ≤ 16.
    pub modes: Option<ModeDistance>,
}

/// What the network is measured against: the model, its ground states and the exact
/// quantum ground states, prepared once per run.
pub struct DistanceTarget {
    model: NewmanMoore,
    kind: TargetKind,
    k: usize,
    ground_configurations: Option<Array2<u8>>,
    energies: Option<Vec<f64>>,
    ground_mask: Option<Vec<bool>>,
    quantum_states: QuantumStateCache,
    energy_grid: Option<GroundEnergyGrid>,
}

/// ⟨E_loc⟩/N − E₀(B)/N from a step's samples, against E₀(B) interpolated on the cached grid
/// (L = 5, where ψ₀ has too many amplitudes to enumerate).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampledEnergyError {
    /// The estimate.
    pub value: f64,
    /// Its sampling standard error.
    pub stderr: f64,
    /// The bound on the interpolation error of E₀(B)/N.
    pub interpolation: f64,
}

impl DistanceTarget {
    /// The target of a `kind` anneal on `model`; ψ₀(B) is taken from `quantum_states`.
    pub fn new(model: NewmanMoore, kind: TargetKind, quantum_states: QuantumStateCache) -> Self {
        let lattice = *model.lattice();
        let n = lattice.sites();
        let ground_states = GroundStates::new(lattice);
        let k = ground_states.degeneracy_log2();
        let ground_configurations = (k <= MAX_MODE_DEGENERACY_LOG2).then(|| {
            let mut rows = Array2::zeros((1 << k, n));
            for (g, mut row) in rows.rows_mut().into_iter().enumerate() {
                let coords: Vec<u8> = (0..k).map(|c| ((g >> c) & 1) as u8).collect();
                row.assign(&ground_states.from_coordinates(&coords));
            }
            rows
        });
        let limit = match kind {
            TargetKind::Thermal => MAX_THERMAL_SITES,
            TargetKind::Quantum => MAX_EXACT_STATE_SITES,
        };
        let energies = (n <= limit).then(|| {
            let all = crate::physics::all_configurations(n);
            model.energies(all.view()).to_vec()
        });
        let ground_mask = energies.as_ref().map(|e| {
            let e0 = model.ground_energy();
            let tolerance = 1e-9 * (1.0 + e0.abs());
            e.iter().map(|x| (x - e0).abs() <= tolerance).collect()
        });
        Self {
            model,
            kind,
            k,
            ground_configurations,
            energies,
            ground_mask,
            quantum_states,
            energy_grid: None,
        }
    }

    /// Use cached E₀(B) values for the sampled energy error where ψ₀ cannot be enumerated.
    pub fn with_energy_grid(mut self, grid: Option<GroundEnergyGrid>) -> Self {
        if self.kind == TargetKind::Quantum && !self.enumerates() {
            self.energy_grid = grid;
        }
        self
    }

    /// The sampled energy error of a step with ⟨E_loc⟩/N = `mean` and variance `var` over
    /// `samples` samples at field `b`, where the grid covers `b`.
    pub fn sampled_energy_error(
        &self,
        b: f64,
        mean: f64,
        var: f64,
        samples: usize,
    ) -> Option<SampledEnergyError> {
        let e0 = self.energy_grid.as_ref()?.at(b)?;
        Some(SampledEnergyError {
            value: mean - e0.per_spin,
            stderr: (var / samples.max(1) as f64).sqrt(),
            interpolation: e0.error_bound,
        })
    }

    /// The model.
    pub fn model(&self) -> &NewmanMoore {
        &self.model
    }

    /// k: 2^k ground states.
    pub fn degeneracy_log2(&self) -> usize {
        self.k
    }

    /// Whether the enumerated distances (KL or fidelity) apply at this size.
    pub fn enumerates(&self) -> bool {
        self.energies.is_some()
    }

    /// Whether the ground-state probabilities apply (k ≤ 16).
    pub fn has_modes(&self) -> bool {
        self.ground_configurations.is_some()
    }

    /// Why a quantity is absent at this size, one line each (for the command line's notes).
    pub fn absences(&self) -> Vec<String> {
        let n = self.model.lattice().sites();
        let mut notes = Vec::new();
        if !self.enumerates() {
            notes.push(match self.kind {
                TargetKind::Thermal => format!("kl_reverse and kl_forward need N <= {MAX_THERMAL_SITES} (2^N configurations are enumerated); N = {n}"),
                TargetKind::Quantum => format!("fidelity, energy_error and gap need N <= {MAX_EXACT_STATE_SITES} (the exact ground state has 2^N amplitudes); N = {n}"),
            });
        }
        if !self.has_modes() {
            notes.push(format!(
                "the ground-state probabilities need k <= {MAX_MODE_DEGENERACY_LOG2} (2^k ground states); k = {}",
                self.k
            ));
        }
        notes
    }

    /// Every distance that applies, for the network `net` at X = `x` (T or B).
    pub fn measure<A: Autoregressive>(&self, net: &A, x: f64) -> Result<Distances, PhysicsError> {
        let n = self.model.lattice().sites();
        let modes = self
            .ground_configurations
            .as_ref()
            .map(|g| ModeDistance::from_log_probs(log_probs_of(net, g.view()).to_vec()));
        let (mut thermal, mut quantum) = (None, None);
        if let (Some(energies), Some(mask)) = (&self.energies, &self.ground_mask) {
            let log_q = log_probs_of_all(net);
            let log_q = log_q.as_slice().expect("contiguous");
            match self.kind {
                TargetKind::Thermal => {
                    thermal = Some(thermal_distance(log_q, energies, mask, x, n));
                }
                TargetKind::Quantum => {
                    let target = self.quantum_states.get(&self.model, x)?;
                    quantum = Some(quantum_distance(log_q, energies, &target, self.k > 0));
                }
            }
        }
        Ok(Distances {
            thermal,
            quantum,
            modes,
        })
    }
}
