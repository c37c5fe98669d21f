//! `[diagnostics]`: how often the exact distances are measured (SPEC §6.4), and the target
//! they are measured against.

use serde::{Deserialize, Serialize};

use super::RunConfig;
use crate::anneal::{AnnealKind, FieldError};
use crate::curvature::{CurvatureEstimator, MAX_EXACT_SITES};
use crate::distance::{DistanceTarget, MAX_MODE_DEGENERACY_LOG2, MAX_THERMAL_SITES};
use crate::physics::{
    GroundEnergyCache, GroundEnergyGrid, GroundStates, Lattice, NewmanMoore, QuantumStateCache,
    MAX_EXACT_STATE_SITES,
};

/// `[diagnostics]`: extra measurements along the anneal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiagnosticsConfig {
    /// Measure the exact distances every this many steps (0 = never). Absent: chosen from
    /// the cost so they take a few per cent of the run ([`auto_exact_every`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exact_every: Option<usize>,
    /// Measure the curvature (SPEC §6.1–6.2) every this many steps into `curvature.csv`
    /// (0 or absent = never; the paper presets set it to about 100 rows per run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curvature_every: Option<usize>,
    /// `exact` or `sampled`; absent: exact where the enumeration is cheap (L = 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curvature_estimator: Option<CurvatureEstimator>,
    /// Samples of the sampled estimator; absent: the run's `anneal.samples`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curvature_samples: Option<usize>,
}

impl DiagnosticsConfig {
    /// Check the curvature settings against the lattice of `sites` sites.
    pub fn validate(&self, sites: usize) -> Result<(), FieldError> {
        if self.curvature_estimator == Some(CurvatureEstimator::Exact) && sites > MAX_EXACT_SITES {
            return Err(FieldError::new(
                "diagnostics.curvature_estimator",
                format!("diagnostics.curvature_estimator = \"exact\" enumerates 2^N configurations and N = {sites} is above {MAX_EXACT_SITES}: use \"sampled\""),
            ));
        }
        if let Some(m) = self.curvature_samples {
            if !(2..=1_000_000).contains(&m) {
                return Err(FieldError::new(
                    "diagnostics.curvature_samples",
                    format!("diagnostics.curvature_samples must be from 2 to 1000000 (got {m})"),
                ));
            }
        }
        Ok(())
    }
}

/// Estimated share of a run's time the automatic cadence lets the exact distances take (the
/// estimate below counts network passes only; measured overheads came out about twice it).
const AUTO_SHARE: f64 = 0.03;
/// Fewest steps between automatic measurements: a row also costs its bookkeeping and two
/// flushed CSV lines, about a millisecond, whatever the size.
const AUTO_MIN_EVERY: usize = 10;
/// Most rows the automatic cadence writes over a run (the file stays small at any length).
const AUTO_MAX_ROWS: usize = 2000;

/// The cadence chosen for `config` when `exact_every` is absent: the cost of one measurement
/// (teacher-forced passes over 2^N configurations and 2^k ground states) against one step's
/// (M samples, their single-flip neighbours for quantum runs, and the gradient), counted in
/// passes of the network over one configuration.
pub fn auto_exact_every(config: &RunConfig) -> usize {
    let Ok(lattice) = Lattice::new(config.lattice.size) else {
        return 0;
    };
    let n = lattice.sites();
    let k = GroundStates::new(lattice).degeneracy_log2();
    let limit = match config.anneal.kind {
        AnnealKind::Thermal => MAX_THERMAL_SITES,
        AnnealKind::Quantum => MAX_EXACT_STATE_SITES,
    };
    let mut exact = 0.0;
    if n <= limit {
        exact += (1u64 << n) as f64;
    }
    if k <= MAX_MODE_DEGENERACY_LOG2 {
        exact += (1u64 << k) as f64;
    }
    let m = config.anneal.samples as f64;
    let step = match config.anneal.kind {
        AnnealKind::Thermal => 4.0 * m,
        AnnealKind::Quantum => m * (4.0 + n as f64 / 2.0),
    };
    let total = config.anneal.checked_total_steps().unwrap_or(1).max(1);
    let by_cost = (exact / (AUTO_SHARE * step)).ceil() as usize;
    by_cost
        .max(total.div_ceil(AUTO_MAX_ROWS))
        .max(AUTO_MIN_EVERY)
}

impl RunConfig {
    /// Steps between exact-distance measurements (0 = off).
    pub fn exact_every(&self) -> usize {
        self.diagnostics
            .exact_every
            .unwrap_or_else(|| auto_exact_every(self))
    }
}

/// The target of `config`'s run; ψ₀(B) is cached beside the ground energies
/// (`$ANNEALSCAPE_CACHE` …) so runs with the same schedule share it.
pub fn distance_target(config: &RunConfig) -> Option<DistanceTarget> {
    let lattice = Lattice::new(config.lattice.size).ok()?;
    let model = NewmanMoore::new(lattice, config.lattice.coupling).ok()?;
    let energies = GroundEnergyCache::default_location();
    let cache = match &energies {
        Some(dir) => QuantumStateCache::in_folder(dir.dir()),
        None => QuantumStateCache::in_memory(),
    };
    // L = 5: the sampled energy error against E₀(B) interpolated between cached fields.
    let grid = energies.and_then(|c| GroundEnergyGrid::from_cache(&c, &model));
    Some(DistanceTarget::new(model, config.anneal.kind.into(), cache).with_energy_grid(grid))
}
