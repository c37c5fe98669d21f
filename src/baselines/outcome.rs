//! What a set of independent baseline runs ended with, and its summary.

use std::collections::BTreeMap;

use ndarray::ArrayView1;

use crate::physics::GroundStates;

/// The end of R independent runs of one baseline at one budget.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcomes {
    /// Number of spins N.
    pub sites: usize,
    /// The exact ground energy E₀ = −N·J/2.
    pub ground_energy: f64,
    /// Each run's final energy (total, not per spin): SA's last configuration, PT's lowest
    /// energy found, SQA's best slice.
    pub energies: Vec<f64>,
    /// Each run's final configuration (bits in raster order) when it is a ground state.
    pub ground_states: Vec<Option<Vec<u8>>>,
    /// Elementary updates done (spin-flip attempts, all runs).
    pub updates: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Mean, spread and success of the residual energy ε_res = (E − E₀)/N over the runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Number of runs.
    pub runs: usize,
    /// Mean ε_res.
    pub mean: f64,
    /// Standard error of the mean (0 for one run).
    pub stderr: f64,
    /// Smallest ε_res.
    pub min: f64,
    /// Median ε_res: robust where a few runs fail badly and the rest do well.
    pub median: f64,
    /// Fraction of runs that ended at E₀.
    pub ground_state_fraction: f64,
}

impl Outcomes {
    /// ε_res of every run.
    pub fn residual_energies(&self) -> Vec<f64> {
        let n = self.sites as f64;
        self.energies
            .iter()
            .map(|e| (e - self.ground_energy) / n)
            .collect()
    }

    /// The summary over runs.
    pub fn summary(&self) -> Summary {
        let eps = self.residual_energies();
        let (mean, stderr) = mean_and_stderr(&eps);
        let reached = self.ground_states.iter().filter(|g| g.is_some()).count();
        Summary {
            runs: eps.len(),
            mean,
            stderr,
            min: eps.iter().copied().fold(f64::INFINITY, f64::min),
            median: crate::stats::median(&eps),
            ground_state_fraction: reached as f64 / eps.len().max(1) as f64,
        }
    }

    /// Elementary updates per second.
    pub fn updates_per_second(&self) -> f64 {
        self.updates as f64 / self.seconds.max(1e-9)
    }

    /// Each run's ground-state id (as the modes view names them), or `None` if it ended
    /// above E₀.
    pub fn ground_state_ids(&self, states: &GroundStates) -> Vec<Option<String>> {
        self.ground_states
            .iter()
            .map(|g| {
                g.as_ref().and_then(|bits| {
                    let bits = ndarray::Array1::from_vec(bits.clone());
                    states.id(ArrayView1::from(&bits)).map(|id| id.to_string())
                })
            })
            .collect()
    }

    /// How many runs ended in each ground state, most frequent first.
    pub fn ground_state_counts(&self, states: &GroundStates) -> Vec<(String, usize)> {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for id in self.ground_state_ids(states).into_iter().flatten() {
            *counts.entry(id).or_default() += 1;
        }
        let mut counts: Vec<_> = counts.into_iter().collect();
        // Ties in id order: decimal ids sort by length first, so 2 comes before 16.
        counts.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| a.0.len().cmp(&b.0.len()))
                .then_with(|| a.0.cmp(&b.0))
        });
        counts
    }
}

/// Mean and standard error of the mean.
pub fn mean_and_stderr(values: &[f64]) -> (f64, f64) {
    let m = values.len() as f64;
    if values.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = values.iter().sum::<f64>() / m;
    if values.len() < 2 {
        return (mean, 0.0);
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (m - 1.0);
    (mean, (var / m).sqrt())
}
