//! Simulated quantum annealing (SPEC §7): path-integral Monte Carlo of H − BΣX at temperature T
//! with P Trotter slices, weight exp(−(β/P) Σ_k H(σ^k) + J⊥ Σ_k Σ_i σ_i^k σ_i^{k+1}),
//! J⊥ = −½ ln tanh(βB/P), periodic in k. A sweep is P·N local moves in raster order, slice by
//! slice, then N moves flipping one site in every slice. B falls linearly from B₀ to 0.

use std::time::Instant;

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;

use crate::physics::NewmanMoore;

use super::error::{at_least_one, budget, positive, BaselineError};
use super::outcome::{mean_and_stderr, Outcomes};
use super::stream::Stream;
use super::words::Neighbours;

const DOMAIN_RUNS: u64 = 21;

/// The P × N spin bits of one path, slice-major.
#[derive(Debug, Clone)]
struct Path {
    slices: usize,
    bits: Vec<u8>,
}

/// Acceptance probabilities of one sweep, from the couplings at its B.
struct Rates {
    /// Local move with d defects among the site's triangles and m aligned time neighbours.
    local: [[f64; 3]; 4],
    /// Column move with D defects summed over the slices, D = 0 … 3P.
    column: Vec<f64>,
}

impl Rates {
    fn new(j: f64, beta: f64, b: f64, p: usize) -> Self {
        let tau = beta / p as f64;
        let j_perp = -0.5 * (tau * b).tanh().ln();
        let mut local = [[0.0; 3]; 4];
        for (d, row) in local.iter_mut().enumerate() {
            for (m, rate) in row.iter_mut().enumerate() {
                // m = 1 leaves the time bonds unchanged; written apart so that J⊥ = ∞ (B → 0)
                // never meets 0·∞.
                let bonds = if m == 1 {
                    0.0
                } else {
                    -2.0 * j_perp * (2.0 * m as f64 - 2.0)
                };
                let log_w = -tau * j * (3.0 - 2.0 * d as f64) + bonds;
                *rate = log_w.exp().min(1.0);
            }
        }
        let column = (0..=3 * p)
            .map(|d| {
                (-tau * j * (3.0 * p as f64 - 2.0 * d as f64))
                    .exp()
                    .min(1.0)
            })
            .collect();
        Self { local, column }
    }
}

impl Path {
    fn random(slices: usize, sites: usize, rng: &mut Xoshiro256PlusPlus) -> Self {
        let bits = (0..slices * sites)
            .map(|_| rng.random::<bool>() as u8)
            .collect();
        Self { slices, bits }
    }

    fn defects_at(&self, nb: &Neighbours, k: usize, i: usize) -> usize {
        let n = nb.sites();
        let s = &self.bits[k * n..(k + 1) * n];
        let [a, b, c, d, e, f] = nb.of(i);
        let here = s[i];
        ((here ^ s[a as usize] ^ s[b as usize])
            + (here ^ s[c as usize] ^ s[d as usize])
            + (here ^ s[e as usize] ^ s[f as usize])) as usize
    }

    fn sweep(&mut self, nb: &Neighbours, rates: &Rates, rng: &mut Xoshiro256PlusPlus) {
        let (n, p) = (nb.sites(), self.slices);
        for k in 0..p {
            let (before, after) = ((k + p - 1) % p, (k + 1) % p);
            for i in 0..n {
                let d = self.defects_at(nb, k, i);
                let here = self.bits[k * n + i];
                let m = (self.bits[before * n + i] == here) as usize
                    + (self.bits[after * n + i] == here) as usize;
                let rate = rates.local[d][m];
                if rate >= 1.0 || rng.random::<f64>() < rate {
                    self.bits[k * n + i] ^= 1;
                }
            }
        }
        for i in 0..n {
            let total: usize = (0..p).map(|k| self.defects_at(nb, k, i)).sum();
            let rate = rates.column[total];
            if rate >= 1.0 || rng.random::<f64>() < rate {
                for k in 0..p {
                    self.bits[k * n + i] ^= 1;
                }
            }
        }
    }

    /// Defects of each slice.
    fn slice_defects(&self, lattice: &crate::physics::Lattice) -> Vec<usize> {
        let n = lattice.sites();
        (0..self.slices)
            .map(|k| {
                let s = &self.bits[k * n..(k + 1) * n];
                (0..n)
                    .filter(|&t| {
                        let [a, b, c] = lattice.triangle(t);
                        s[a] ^ s[b] ^ s[c] == 1
                    })
                    .count()
            })
            .collect()
    }

    /// Σ_k Σ_i σ_i^k σ_i^{k+1}, periodic in k.
    fn time_bonds(&self, n: usize) -> f64 {
        let p = self.slices;
        (0..p)
            .map(|k| {
                let next = (k + 1) % p;
                (0..n)
                    .map(|i| {
                        if self.bits[k * n + i] == self.bits[next * n + i] {
                            1.0
                        } else {
                            -1.0
                        }
                    })
                    .sum::<f64>()
            })
            .sum()
    }
}

fn run_rng(seed: u64, run: usize) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(Stream::new(seed, DOMAIN_RUNS, run as u64).word(0))
}

/// The settings of R independent simulated-quantum-annealing runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuantumAnnealing {
    /// The model.
    pub model: NewmanMoore,
    /// P, the number of Trotter slices (SPEC default 20).
    pub slices: usize,
    /// The temperature T (SPEC default 0.05J).
    pub t: f64,
    /// B₀, the first sweep's field (SPEC default 1).
    pub b0: f64,
    /// τ, the number of sweeps; B_s = B₀(1 − s/τ).
    pub sweeps: usize,
    /// R, the number of independent runs.
    pub runs: usize,
    /// The seed of every random number.
    pub seed: u64,
}

/// What R SQA runs ended with.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantumOutcomes {
    /// The best slice of each run (and its ground state, if it is one).
    pub outcomes: Outcomes,
    /// The slice-averaged energy of each run's last path.
    pub slice_average: Vec<f64>,
}

impl QuantumAnnealing {
    fn validate(&self) -> Result<(), BaselineError> {
        if self.slices < 2 {
            return Err(BaselineError::Slices(self.slices));
        }
        at_least_one("sweeps", self.sweeps)?;
        at_least_one("runs", self.runs)?;
        positive("t", self.t)?;
        positive("b0", self.b0)?;
        budget(((self.slices + 1) * self.sweeps * self.model.lattice().sites() * self.runs) as u128)
    }
}

/// Run SQA and report the best slice of each run and the slice average.
pub fn quantum_annealing(settings: &QuantumAnnealing) -> Result<QuantumOutcomes, BaselineError> {
    settings.validate()?;
    let start = Instant::now();
    let model = settings.model;
    let lattice = *model.lattice();
    let nb = Neighbours::new(&lattice);
    let n = lattice.sites();
    let beta = 1.0 / settings.t;
    let rates: Vec<Rates> = (0..settings.sweeps)
        .map(|s| {
            let b = settings.b0 * (1.0 - s as f64 / settings.sweeps as f64);
            Rates::new(model.coupling(), beta, b, settings.slices)
        })
        .collect();
    let ends: Vec<(f64, f64, Option<Vec<u8>>)> = (0..settings.runs)
        .into_par_iter()
        .map(|run| {
            let mut rng = run_rng(settings.seed, run);
            let mut path = Path::random(settings.slices, n, &mut rng);
            for r in &rates {
                path.sweep(&nb, r, &mut rng);
            }
            let defects = path.slice_defects(&lattice);
            let (best_k, &best) = defects
                .iter()
                .enumerate()
                .min_by_key(|(_, d)| **d)
                .expect("P ≥ 2");
            let mean = defects.iter().sum::<usize>() as f64 / defects.len() as f64;
            let state = (best == 0).then(|| path.bits[best_k * n..(best_k + 1) * n].to_vec());
            let j = model.coupling();
            (
                model.ground_energy() + j * best as f64,
                model.ground_energy() + j * mean,
                state,
            )
        })
        .collect();
    Ok(QuantumOutcomes {
        outcomes: Outcomes {
            sites: n,
            ground_energy: model.ground_energy(),
            energies: ends.iter().map(|e| e.0).collect(),
            ground_states: ends.iter().map(|e| e.2.clone()).collect(),
            updates: ((settings.slices + 1) * n * settings.sweeps * settings.runs) as u64,
            seconds: start.elapsed().as_secs_f64(),
        },
        slice_average: ends.iter().map(|e| e.1).collect(),
    })
}

/// Path-integral Monte Carlo at a fixed field and temperature, to check the estimator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuantumEquilibrium {
    /// The model.
    pub model: NewmanMoore,
    /// P, the number of Trotter slices.
    pub slices: usize,
    /// The temperature T.
    pub t: f64,
    /// The field B.
    pub b: f64,
    /// Sweeps left out at the start.
    pub burn_in: usize,
    /// Sweeps measured.
    pub sweeps: usize,
    /// Independent runs.
    pub runs: usize,
    /// The seed.
    pub seed: u64,
}

/// The thermodynamic estimator of ⟨H − BΣX⟩/N at P slices:
/// E = ⟨(1/P)Σ_k H(σ^k)⟩ − N·B·coth(2a) + (B/P)/sinh(2a)·⟨Σ_{k,i} σ_i^k σ_i^{k+1}⟩, a = βB/P,
/// which is −∂ ln Z_P/∂β of the Trotter partition function. Returns (mean, stderr over runs).
pub fn quantum_equilibrium(settings: &QuantumEquilibrium) -> Result<(f64, f64), BaselineError> {
    if settings.slices < 2 {
        return Err(BaselineError::Slices(settings.slices));
    }
    at_least_one("sweeps", settings.sweeps)?;
    at_least_one("runs", settings.runs)?;
    positive("t", settings.t)?;
    positive("b", settings.b)?;
    let model = settings.model;
    let lattice = *model.lattice();
    let nb = Neighbours::new(&lattice);
    let (n, p) = (lattice.sites(), settings.slices);
    budget(((p + 1) * (settings.burn_in + settings.sweeps) * n * settings.runs) as u128)?;
    let beta = 1.0 / settings.t;
    let a = beta * settings.b / p as f64;
    let rates = Rates::new(model.coupling(), beta, settings.b, p);
    let j = model.coupling();
    let per_run: Vec<f64> = (0..settings.runs)
        .into_par_iter()
        .map(|run| {
            let mut rng = run_rng(settings.seed, run);
            let mut path = Path::random(p, n, &mut rng);
            let mut sum = 0.0;
            for s in 0..settings.burn_in + settings.sweeps {
                path.sweep(&nb, &rates, &mut rng);
                if s >= settings.burn_in {
                    let classical = path.slice_defects(&lattice).iter().sum::<usize>() as f64 * j
                        / p as f64
                        - j * n as f64 / 2.0;
                    let kinetic = -(n as f64) * settings.b / (2.0 * a).tanh()
                        + settings.b / p as f64 / (2.0 * a).sinh() * path.time_bonds(n);
                    sum += classical + kinetic;
                }
            }
            sum / (settings.sweeps * n) as f64
        })
        .collect();
    Ok(mean_and_stderr(&per_run))
}
