//! The ground state ψ₀(B) and the gap Δ(B) = E₁ − E₀ of H_B = H − B Σ_i X_i for N ≤ 16, by
//! Lanczos with full reorthogonalisation (SPEC §6.4).
//!
//! Two gaps, because on a degenerate lattice they tell different stories:
//! - the *full* gap E₁ − E₀ (the second eigenvalue of H_B, from a start vector with weight in
//!   every sector). On a lattice with 2^k > 1 classical ground states it closes as B → 0: the
//!   ground states are mapped onto each other by XOR with a code word, a symmetry of H_B, and
//!   their other combinations split from ψ₀ only by tunnelling — collapsing onto one ground
//!   state costs almost nothing.
//! - the *symmetric* gap, to the next level in ψ₀'s own sector (the states invariant under
//!   every symmetry of H_B, reached from the uniform start): the gap an exact adiabatic sweep
//!   has to respect, since H_B and ∂H/∂B = −Σ X never mix sectors.
//!
//! ψ₀ itself comes from the uniform start (Perron–Frobenius: ψ₀ > 0 for B ≠ 0). At B = 0 on a
//! degenerate lattice ψ₀ is one vector of the ground space, not the unique ground state.

use ndarray::Array1;
use ndarray_npy::{NpzReader, NpzWriter};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::thermo::packed_defects;
use super::{NewmanMoore, PhysicsError};
use crate::linalg::{lanczos, LanczosSettings, Spectrum};

/// Largest N for which ψ₀ is computed (2^16 amplitudes).
pub const MAX_EXACT_STATE_SITES: usize = 16;

/// ψ₀, E₀ and E₁ of H_B at one field.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantumGroundState {
    /// The field B.
    pub field: f64,
    /// Ground energy E₀ (whole lattice, not per spin).
    pub e0: f64,
    /// The second eigenvalue E₁ of H_B (whole spectrum).
    pub e1: Option<f64>,
    /// The next level in ψ₀'s symmetry sector, when the sector has one.
    pub e1_symmetric: Option<f64>,
    /// ψ₀ over the 2^N basis states (state s has spin i = bit i of s), unit norm, Σ ψ₀ ≥ 0.
    pub amplitudes: Vec<f64>,
    /// ‖H ψ₀ − E₀ ψ₀‖.
    pub residual: f64,
}

impl QuantumGroundState {
    /// Δ(B) = E₁ − E₀ over the whole spectrum (whole lattice, not per spin).
    pub fn gap(&self) -> Option<f64> {
        self.e1.map(|e1| (e1 - self.e0).max(0.0))
    }

    /// The gap to the next level in ψ₀'s symmetry sector.
    pub fn gap_symmetric(&self) -> Option<f64> {
        self.e1_symmetric.map(|e1| (e1 - self.e0).max(0.0))
    }
}

/// ψ₀(B), E₀ and E₁ on `model`'s lattice (N ≤ 16).
pub fn quantum_ground_state(
    model: &NewmanMoore,
    b: f64,
) -> Result<QuantumGroundState, PhysicsError> {
    let lattice = model.lattice();
    let (l, n) = (lattice.size(), lattice.sites());
    if n > MAX_EXACT_STATE_SITES {
        return Err(PhysicsError::TooLarge {
            method: "the exact quantum ground state",
            l,
            max: 4,
            hint: "it stores 2^N amplitudes and is offered for N <= 16",
        });
    }
    if !b.is_finite() {
        return Err(PhysicsError::Field(b));
    }
    let j = model.coupling();
    let dim = 1usize << n;
    let diagonal: Vec<f64> = (0..dim as u64)
        .map(|s| j * f64::from(packed_defects(s, l)))
        .collect();
    // Relative to the classical E₀ = −NJ/2: diagonal J·D ≥ 0.
    let apply = |v: &[f64], w: &mut [f64]| {
        w.par_iter_mut().enumerate().for_each(|(s, w_s)| {
            let flips: f64 = (0..n).map(|i| v[s ^ (1 << i)]).sum();
            *w_s = diagonal[s] * v[s] - b * flips;
        });
    };
    let settings = LanczosSettings {
        wanted: 2,
        max_iterations: 400,
        tolerance: 1e-11,
    };
    let failed = |e: crate::linalg::LanczosError| PhysicsError::NotConverged {
        l,
        b,
        iterations: settings.max_iterations,
        change: match e {
            crate::linalg::LanczosError::NotConverged { residual, .. } => residual,
            _ => f64::NAN,
        },
    };
    let pairs = lanczos(apply, &vec![1.0; dim], Spectrum::Lowest, settings).map_err(failed)?;
    let mut amplitudes = pairs.vectors[0].clone();
    if amplitudes.iter().sum::<f64>() < 0.0 {
        amplitudes.iter_mut().for_each(|a| *a = -*a);
    }
    // The whole spectrum's E₁: the lowest level of H + c·ψ₀ψ₀ᵀ (Wielandt deflation, c above
    // the spread of the spectrum, so ψ₀ is lifted out of the way), from a fixed irregular start
    // with weight in every sector. Only the eigenvalue is kept, so a looser residual will do:
    // its error is of order residual²/gap.
    let lift = 2.0 * (j * n as f64 + b.abs() * n as f64) + 1.0;
    let psi0 = &amplitudes;
    let deflated = |v: &[f64], w: &mut [f64]| {
        apply(v, w);
        let c = lift * psi0.iter().zip(v).map(|(p, x)| p * x).sum::<f64>();
        w.iter_mut().zip(psi0).for_each(|(w, p)| *w += c * p);
    };
    let irregular: Vec<f64> = (0..dim)
        .map(|s| {
            let h = (s as u64 ^ 0x9e37_79b9_7f4a_7c15).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            0.5 + ((h >> 11) as f64) / (1u64 << 53) as f64
        })
        .collect();
    let loose = LanczosSettings {
        wanted: 1,
        tolerance: 1e-7,
        ..settings
    };
    let whole = lanczos(deflated, &irregular, Spectrum::Lowest, loose).map_err(failed)?;
    let shift = model.ground_energy();
    Ok(QuantumGroundState {
        field: b,
        e0: shift + pairs.values[0],
        e1: whole.values.first().map(|e| shift + e),
        e1_symmetric: pairs.values.get(1).map(|e| shift + e),
        amplitudes,
        residual: pairs.residuals[0],
    })
}

/// Smallest N whose ψ₀ is kept on disk (N = 16 takes about 0.3 s, N = 9 a millisecond).
pub const MIN_STORED_SITES: usize = 12;

/// ψ₀(B) kept in memory for the run and, when a folder is given, on disk keyed by (L, J, B)
/// like the ground-energy cache: an anneal holds each B for several steps and many runs share
/// a schedule.
#[derive(Debug, Default)]
pub struct QuantumStateCache {
    dir: Option<PathBuf>,
    memory: Mutex<HashMap<(usize, u64, u64), QuantumGroundState>>,
}

impl QuantumStateCache {
    /// A cache in memory only.
    pub fn in_memory() -> Self {
        Self::default()
    }

    /// A cache in memory backed by `dir` (created on first write).
    pub fn in_folder(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: Some(dir.into()),
            memory: Mutex::default(),
        }
    }

    fn path(dir: &Path, model: &NewmanMoore, b: f64) -> PathBuf {
        dir.join("quantum_ground_state").join(format!(
            "L{}_J{:?}_B{:?}.npz",
            model.lattice().size(),
            model.coupling(),
            b
        ))
    }

    fn read(path: &Path, b: f64, dim: usize) -> Option<QuantumGroundState> {
        let file = std::fs::File::open(path).ok()?;
        let mut npz = NpzReader::new(file).ok()?;
        let psi: Array1<f64> = npz.by_name("psi.npy").ok()?;
        let energies: Array1<f64> = npz.by_name("energies.npy").ok()?;
        let residual: Array1<f64> = npz.by_name("residual.npy").ok()?;
        let finite = |a: &Array1<f64>| a.iter().all(|x| x.is_finite());
        // E₀, E₁ and the symmetric E₁ (NaN where absent).
        if psi.len() != dim || energies.len() != 3 || !finite(&psi) || !energies[0].is_finite() {
            return None;
        }
        let level = |i: usize| Some(energies[i]).filter(|e| e.is_finite());
        Some(QuantumGroundState {
            field: b,
            e0: energies[0],
            e1: level(1),
            e1_symmetric: level(2),
            amplitudes: psi.to_vec(),
            residual: residual.first().copied().unwrap_or(0.0),
        })
    }

    fn write(path: &Path, state: &QuantumGroundState) -> std::io::Result<()> {
        let mut bytes = Cursor::new(Vec::new());
        {
            let mut npz = NpzWriter::new(&mut bytes);
            let energies = vec![
                state.e0,
                state.e1.unwrap_or(f64::NAN),
                state.e1_symmetric.unwrap_or(f64::NAN),
            ];
            let add = |npz: &mut NpzWriter<_>, name: &str, values: Vec<f64>| {
                npz.add_array(name, &Array1::from(values))
                    .map_err(std::io::Error::other)
            };
            add(&mut npz, "psi", state.amplitudes.clone())?;
            add(&mut npz, "energies", energies)?;
            add(&mut npz, "residual", vec![state.residual])?;
            npz.finish().map_err(std::io::Error::other)?;
        }
        crate::files::write_atomically(path, |w| w.write_all(bytes.get_ref()))
    }

    /// ψ₀(B) from memory, the folder, or Lanczos (then kept in both). A folder that cannot be
    /// written costs only the reuse: the state is still returned.
    pub fn get(&self, model: &NewmanMoore, b: f64) -> Result<QuantumGroundState, PhysicsError> {
        let key = (
            model.lattice().size(),
            model.coupling().to_bits(),
            b.to_bits(),
        );
        if let Some(state) = self.memory.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(state);
        }
        let sites = model.lattice().sites();
        let dim = 1usize << sites.min(MAX_EXACT_STATE_SITES);
        // Below this size Lanczos takes less time than writing a file safely (fsync): measured
        // at N = 9, the folder made each measurement several times slower.
        let path = self
            .dir
            .as_deref()
            .filter(|_| sites >= MIN_STORED_SITES)
            .map(|d| Self::path(d, model, b));
        let state = match path.as_deref().and_then(|p| Self::read(p, b, dim)) {
            Some(state) => state,
            None => {
                let state = quantum_ground_state(model, b)?;
                if let Some(p) = &path {
                    // Best effort: a read-only cache only costs recomputation.
                    let _ = Self::write(p, &state);
                }
                state
            }
        };
        if let Ok(mut memory) = self.memory.lock() {
            // A schedule visits each B once or a few times: keep a bounded number in memory.
            if memory.len() >= 64 {
                memory.clear();
            }
            memory.insert(key, state.clone());
        }
        Ok(state)
    }
}
