//! Simulated annealing (SPEC §7): raster-order Metropolis sweeps with T_s = T₀(1 − s/τ) for
//! s = 0 … τ−1 from uniformly random spins, 64 runs per word, groups of 64 on all cores.

use std::time::Instant;

use rayon::prelude::*;

use crate::physics::{Lattice, NewmanMoore};

use super::error::{at_least_one, budget, positive, BaselineError};
use super::outcome::{mean_and_stderr, Outcomes};
use super::stream::Stream;
use super::words::{Neighbours, SpinWords, Thresholds};

/// Stream domains: starts and sweeps never share words.
pub(crate) const DOMAIN_START: u64 = 1;
pub(crate) const DOMAIN_SWEEPS: u64 = 2;

/// The settings of R independent simulated-annealing runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Annealing {
    /// The model (lattice and coupling J).
    pub model: NewmanMoore,
    /// τ, the number of sweeps.
    pub sweeps: usize,
    /// T₀, the first sweep's temperature (SPEC default 2J).
    pub t0: f64,
    /// R, the number of independent runs.
    pub runs: usize,
    /// The seed of every random number.
    pub seed: u64,
}

impl Annealing {
    /// SPEC §7's defaults (J = 1, T₀ = 2) on lattice `l`.
    pub fn new(lattice: Lattice, sweeps: usize, runs: usize, seed: u64) -> Self {
        let model = NewmanMoore::new(lattice, 1.0).expect("J = 1 is valid");
        Self {
            model,
            sweeps,
            t0: 2.0 * model.coupling(),
            runs,
            seed,
        }
    }

    /// Refuse settings that cannot run.
    pub fn validate(&self) -> Result<(), BaselineError> {
        at_least_one("sweeps", self.sweeps)?;
        at_least_one("runs", self.runs)?;
        positive("t0", self.t0)?;
        budget(self.sweeps as u128 * self.model.lattice().sites() as u128 * self.runs as u128)
    }

    /// The streams of group `g` (runs 64g … 64g + 63): its starting spins and its sweeps.
    pub fn streams(&self, g: usize) -> (Stream, Stream) {
        (
            Stream::new(self.seed, DOMAIN_START, g as u64),
            Stream::new(self.seed, DOMAIN_SWEEPS, g as u64),
        )
    }

    /// The temperature of sweep `s`.
    pub fn temperature(&self, s: usize) -> f64 {
        self.t0 * (1.0 - s as f64 / self.sweeps as f64)
    }
}

/// The lane mask of group `g` when `runs` runs are packed 64 to a group.
pub(crate) fn group_lanes(g: usize, runs: usize) -> u64 {
    let left = runs - 64 * g;
    if left >= 64 {
        u64::MAX
    } else {
        (1u64 << left) - 1
    }
}

/// Run the annealing and report each run's final energy and, if it is one, ground state.
pub fn simulated_annealing(settings: &Annealing) -> Result<Outcomes, BaselineError> {
    settings.validate()?;
    let start = Instant::now();
    let model = settings.model;
    let lattice = *model.lattice();
    let nb = Neighbours::new(&lattice);
    let n = lattice.sites();
    let groups = settings.runs.div_ceil(64);
    let thresholds: Vec<Thresholds> = (0..settings.sweeps)
        .map(|s| Thresholds::metropolis(model.coupling(), settings.temperature(s)))
        .collect();
    let ends: Vec<(SpinWords, [u32; 64])> = (0..groups)
        .into_par_iter()
        .map(|g| {
            let lanes = group_lanes(g, settings.runs);
            let (start, sweeps) = settings.streams(g);
            let mut spins = SpinWords::random(n, lanes, &start);
            for (s, &t) in thresholds.iter().enumerate() {
                spins.sweep(&nb, &sweeps, s as u64, t);
            }
            let defects = spins.defects(&nb);
            (spins, defects)
        })
        .collect();
    let mut energies = Vec::with_capacity(settings.runs);
    let mut ground_states = Vec::with_capacity(settings.runs);
    for (g, (spins, defects)) in ends.iter().enumerate() {
        for (lane, &d) in defects.iter().enumerate().take(settings.runs - 64 * g) {
            energies.push(model.ground_energy() + model.coupling() * d as f64);
            ground_states.push((d == 0).then(|| spins.lane(lane)));
        }
    }
    Ok(Outcomes {
        sites: n,
        ground_energy: model.ground_energy(),
        energies,
        ground_states,
        updates: (settings.sweeps * n * settings.runs) as u64,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// The equilibrium energy per spin at a fixed temperature (τ = ∞), measured by R runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Equilibrium {
    /// Mean over runs of each run's time-averaged energy per spin.
    pub energy: f64,
    /// Standard error over the (independent) runs.
    pub stderr: f64,
}

/// Metropolis at constant `t` for `burn_in` + `sweeps` sweeps from random spins, averaging the
/// energy per spin after every one of the last `sweeps`.
pub fn equilibrium_energy(
    model: NewmanMoore,
    t: f64,
    burn_in: usize,
    sweeps: usize,
    runs: usize,
    seed: u64,
) -> Result<Equilibrium, BaselineError> {
    positive("t", t)?;
    at_least_one("sweeps", sweeps)?;
    at_least_one("runs", runs)?;
    let lattice = *model.lattice();
    let nb = Neighbours::new(&lattice);
    let n = lattice.sites();
    budget(((burn_in + sweeps) * n * runs) as u128)?;
    let thresholds = Thresholds::metropolis(model.coupling(), t);
    let sums: Vec<[f64; 64]> = (0..runs.div_ceil(64))
        .into_par_iter()
        .map(|g| {
            let lanes = group_lanes(g, runs);
            let mut spins = SpinWords::random(n, lanes, &Stream::new(seed, DOMAIN_START, g as u64));
            let stream = Stream::new(seed, DOMAIN_SWEEPS, g as u64);
            let mut sums = [0.0; 64];
            for s in 0..burn_in + sweeps {
                spins.sweep(&nb, &stream, s as u64, thresholds);
                if s >= burn_in {
                    for (sum, d) in sums.iter_mut().zip(spins.defects(&nb)) {
                        *sum += d as f64;
                    }
                }
            }
            sums
        })
        .collect();
    let j = model.coupling();
    let per_run: Vec<f64> = sums
        .iter()
        .enumerate()
        .flat_map(|(g, s)| s[..64.min(runs - 64 * g)].to_vec())
        .map(|d| -j / 2.0 + j * d / (sweeps * n) as f64)
        .collect();
    let (energy, stderr) = mean_and_stderr(&per_run);
    Ok(Equilibrium { energy, stderr })
}
