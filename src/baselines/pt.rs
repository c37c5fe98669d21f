//! Parallel tempering (SPEC §7): M replicas on a geometric ladder T_min … T_max, one sweep
//! each per round, then exchanges of neighbours (even pairs on even rounds, odd on odd) with
//! probability min(1, exp((β_i − β_j)(E_i − E_j))). 64 independent instances per word.

use std::time::Instant;

use rayon::prelude::*;

use crate::physics::NewmanMoore;

use super::error::{at_least_one, budget, positive, BaselineError};
use super::outcome::{mean_and_stderr, Outcomes};
use super::sa::group_lanes;
use super::stream::{threshold, Stream};
use super::words::{Neighbours, SpinWords, Thresholds};

const DOMAIN_START: u64 = 11;
const DOMAIN_SWEEPS: u64 = 12;
const DOMAIN_EXCHANGES: u64 = 13;

/// The settings of R independent parallel-tempering runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tempering {
    /// The model.
    pub model: NewmanMoore,
    /// M, the number of replicas.
    pub replicas: usize,
    /// The lowest temperature of the ladder.
    pub t_min: f64,
    /// The highest temperature of the ladder.
    pub t_max: f64,
    /// The budget in sweeps summed over replicas; rounds = ⌈budget / M⌉.
    pub budget: usize,
    /// R, the number of independent runs.
    pub runs: usize,
    /// The seed of every random number.
    pub seed: u64,
}

/// What R parallel-tempering runs found.
#[derive(Debug, Clone, PartialEq)]
pub struct TemperingOutcomes {
    /// Lowest energy found by each run (any replica, any round) and the ground state it hit.
    pub outcomes: Outcomes,
    /// For each run, the budget (sweeps summed over replicas) after which E₀ was first seen.
    pub first_hits: Vec<Option<u64>>,
    /// The ladder, lowest temperature first.
    pub temperatures: Vec<f64>,
    /// Mean energy per spin at each ladder temperature over the second half of the rounds,
    /// with its standard error over runs.
    pub ladder_energies: Vec<(f64, f64)>,
}

impl Tempering {
    /// Refuse settings that cannot run.
    pub fn validate(&self) -> Result<(), BaselineError> {
        at_least_one("replicas", self.replicas)?;
        at_least_one("budget", self.budget)?;
        at_least_one("runs", self.runs)?;
        positive("t_min", self.t_min)?;
        positive("t_max", self.t_max)?;
        if self.replicas > 1 && self.t_min >= self.t_max {
            return Err(BaselineError::Ladder {
                t_min: self.t_min,
                t_max: self.t_max,
            });
        }
        budget(
            self.rounds() as u128
                * (self.replicas * self.model.lattice().sites() * self.runs) as u128,
        )
    }

    /// Rounds of one sweep per replica.
    pub fn rounds(&self) -> usize {
        self.budget.div_ceil(self.replicas)
    }

    /// The geometric ladder T_m = T_min·(T_max/T_min)^(m/(M−1)).
    pub fn temperatures(&self) -> Vec<f64> {
        let m = self.replicas;
        if m == 1 {
            return vec![self.t_min];
        }
        (0..m)
            .map(|k| self.t_min * (self.t_max / self.t_min).powf(k as f64 / (m - 1) as f64))
            .collect()
    }
}

/// One group's result: lowest defects, first hit round, hit configuration, ladder sums.
struct GroupEnd {
    best: [u32; 64],
    first_hit: [Option<u64>; 64],
    hit_states: Vec<Option<Vec<u8>>>,
    ladder_sums: Vec<[f64; 64]>,
}

fn run_group(settings: &Tempering, nb: &Neighbours, g: usize) -> GroupEnd {
    let m = settings.replicas;
    let n = nb.sites();
    let j = settings.model.coupling();
    let lanes = group_lanes(g, settings.runs);
    let temps = settings.temperatures();
    let thresholds: Vec<Thresholds> = temps
        .iter()
        .map(|&t| Thresholds::metropolis(j, t))
        .collect();
    let mut replicas: Vec<SpinWords> = (0..m)
        .map(|k| {
            SpinWords::random(
                n,
                lanes,
                &Stream::new(settings.seed, DOMAIN_START, (g * m + k) as u64),
            )
        })
        .collect();
    let streams: Vec<Stream> = (0..m)
        .map(|k| Stream::new(settings.seed, DOMAIN_SWEEPS, (g * m + k) as u64))
        .collect();
    let exchanges = Stream::new(settings.seed, DOMAIN_EXCHANGES, g as u64);
    let rounds = settings.rounds();
    let measure_from = rounds / 2;
    let mut end = GroupEnd {
        best: [u32::MAX; 64],
        first_hit: [None; 64],
        hit_states: vec![None; 64],
        ladder_sums: vec![[0.0; 64]; m],
    };
    for round in 0..rounds {
        let mut defects: Vec<[u32; 64]> = Vec::with_capacity(m);
        for k in 0..m {
            replicas[k].sweep(nb, &streams[k], round as u64, thresholds[k]);
            defects.push(replicas[k].defects(nb));
        }
        for lane in (0..64).filter(|l| lanes >> l & 1 == 1) {
            for k in 0..m {
                let d = defects[k][lane];
                end.best[lane] = end.best[lane].min(d);
                if d == 0 && end.first_hit[lane].is_none() {
                    end.first_hit[lane] = Some(((round + 1) * m) as u64);
                    end.hit_states[lane] = Some(replicas[k].lane(lane));
                }
                if round >= measure_from {
                    end.ladder_sums[k][lane] += d as f64;
                }
            }
        }
        for k in (round % 2..m.saturating_sub(1)).step_by(2) {
            let gain = (1.0 / temps[k] - 1.0 / temps[k + 1]) * j;
            let mut mask = 0u64;
            for lane in (0..64).filter(|l| lanes >> l & 1 == 1) {
                // E_k − E_{k+1} in units of J: the exchange exponent is (β_k − β_{k+1})(E_k − E_{k+1}).
                let exponent = gain * (defects[k][lane] as f64 - defects[k + 1][lane] as f64);
                let counter = ((round * m + k) * 64 + lane) as u64;
                if exponent >= 0.0 || exchanges.word(counter) < threshold(exponent.exp()) {
                    mask |= 1 << lane;
                }
            }
            let (low, high) = replicas.split_at_mut(k + 1);
            low[k].swap_lanes(&mut high[0], mask);
        }
    }
    end
}

/// Run parallel tempering: lowest energy against budget, first hitting time of E₀ and the
/// ladder's equilibrium energies.
pub fn parallel_tempering(settings: &Tempering) -> Result<TemperingOutcomes, BaselineError> {
    settings.validate()?;
    let start = Instant::now();
    let model = settings.model;
    let lattice = *model.lattice();
    let nb = Neighbours::new(&lattice);
    let n = lattice.sites();
    let ends: Vec<GroupEnd> = (0..settings.runs.div_ceil(64))
        .into_par_iter()
        .map(|g| run_group(settings, &nb, g))
        .collect();
    let j = model.coupling();
    let mut energies = Vec::new();
    let mut ground_states = Vec::new();
    let mut first_hits = Vec::new();
    let m = settings.replicas;
    let mut per_slot: Vec<Vec<f64>> = vec![Vec::new(); m];
    let measured = (settings.rounds() - settings.rounds() / 2) as f64;
    for (g, end) in ends.into_iter().enumerate() {
        for lane in 0..64.min(settings.runs - 64 * g) {
            energies.push(model.ground_energy() + j * end.best[lane] as f64);
            ground_states.push(end.hit_states[lane].clone());
            first_hits.push(end.first_hit[lane]);
            for (k, slot) in per_slot.iter_mut().enumerate() {
                slot.push(-j / 2.0 + j * end.ladder_sums[k][lane] / (measured * n as f64));
            }
        }
    }
    Ok(TemperingOutcomes {
        outcomes: Outcomes {
            sites: n,
            ground_energy: model.ground_energy(),
            energies,
            ground_states,
            updates: (settings.rounds() * m * n * settings.runs) as u64,
            seconds: start.elapsed().as_secs_f64(),
        },
        first_hits,
        temperatures: settings.temperatures(),
        ladder_energies: per_slot.iter().map(|s| mean_and_stderr(s)).collect(),
    })
}
