//! Fidelity and exact energy of ψ = √q against the ground state of H_B.

use crate::physics::QuantumGroundState;

/// The quantum distances; fidelity is absent where ψ₀ is not unique (B = 0 with 2^k > 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuantumDistance {
    /// (Σ_s ψ₀(s) √q(s))².
    pub fidelity: Option<f64>,
    /// (⟨√q|H_B|√q⟩ − E₀(B))/N.
    pub energy_error: f64,
    /// Δ(B) = E₁ − E₀ over the whole spectrum (whole lattice).
    pub gap: Option<f64>,
    /// The gap to the next level in ψ₀'s symmetry sector.
    pub gap_symmetric: Option<f64>,
}

/// Distances of √q (from log q of every configuration) to `target`; `energies` are the
/// classical H(s), `degenerate_at_zero` whether the lattice has 2^k > 1 ground states.
pub fn quantum_distance(
    log_q: &[f64],
    energies: &[f64],
    target: &QuantumGroundState,
    degenerate_at_zero: bool,
) -> QuantumDistance {
    let dim = log_q.len();
    let n = dim.trailing_zeros() as usize;
    let b = target.field;
    let psi: Vec<f64> = log_q.iter().map(|l| (0.5 * l).exp()).collect();
    let mut overlap = 0.0;
    let mut energy = 0.0;
    for s in 0..dim {
        overlap += target.amplitudes[s] * psi[s];
        let off: f64 = (0..n).map(|i| psi[s ^ (1 << i)]).sum();
        energy += psi[s] * (energies[s] * psi[s] - b * off);
    }
    let degenerate = b == 0.0 && degenerate_at_zero;
    QuantumDistance {
        fidelity: (!degenerate).then_some((overlap * overlap).min(1.0)),
        energy_error: (energy - target.e0) / n as f64,
        gap: if degenerate { Some(0.0) } else { target.gap() },
        gap_symmetric: target.gap_symmetric(),
    }
}
