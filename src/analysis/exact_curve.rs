//! The exact reference drawn under a run's curves: f(T) for thermal runs, E₀(B)/N for quantum
//! runs at L ≤ 5 (L = 5 only from the ground-energy cache, since one Lanczos takes ~30 s).

use thiserror::Error;

use crate::anneal::AnnealKind;
use crate::physics::{
    ground_energy, ExactThermo, GroundEnergyCache, Lattice, NewmanMoore, PhysicsError,
};
use crate::run::RunConfig;

/// Why a run has no exact reference curve.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ExactCurveError {
    /// The model itself cannot be built.
    #[error(transparent)]
    Model(#[from] PhysicsError),
    /// L = 5 is only read from the cache, and the cache holds nothing for it.
    #[error("no cached E0(B) at L = 5: fill the cache with `annealscape exact ground-energy --l 5 --b 0..{xmax}:{step}`")]
    NotCached {
        /// Largest field asked for.
        xmax: f64,
        /// Field step of the curve.
        step: f64,
    },
    /// Lanczos cannot reach this size.
    #[error("no exact E0(B) at L = {0}: Lanczos is limited to L <= 5")]
    TooLarge(usize),
}

/// An exact curve over X in [0, xmax] with its legend, or why there is none.
pub fn exact_curve(
    config: &RunConfig,
    xmax: f64,
) -> Result<(Vec<(f64, f64)>, String), ExactCurveError> {
    let lattice = Lattice::new(config.lattice.size)?;
    let model = NewmanMoore::new(lattice, config.lattice.coupling)?;
    let xmax = xmax.max(1e-3);
    match config.anneal.kind {
        AnnealKind::Thermal => {
            let exact = ExactThermo::new(model);
            let points = (0..=60)
                .filter_map(|k| {
                    let t = xmax * k as f64 / 60.0;
                    exact.at(t).ok().map(|th| (t, th.f))
                })
                .collect();
            Ok((points, "exact f(T)".into()))
        }
        AnnealKind::Quantum if config.lattice.size <= 5 => {
            let cache = GroundEnergyCache::default_location();
            let size = config.lattice.size;
            let points: Vec<(f64, f64)> = (0..=20)
                .filter_map(|k| {
                    // Rounded so the cache keys of repeated requests agree.
                    let b = (xmax * k as f64 / 20.0 * 1e9).round() / 1e9;
                    match (&cache, size) {
                        (Some(c), 5) => c.get(&model, b).map(|e| (b, e)),
                        (Some(c), _) => c.ground_energy(&model, b).ok().map(|e| (b, e.per_spin)),
                        (None, 5) => None,
                        (None, _) => ground_energy(&model, b).ok().map(|e| (b, e.per_spin)),
                    }
                })
                .collect();
            if points.is_empty() {
                return Err(ExactCurveError::NotCached {
                    xmax,
                    step: xmax / 20.0,
                });
            }
            Ok((points, "exact E0(B)/N".into()))
        }
        AnnealKind::Quantum => Err(ExactCurveError::TooLarge(config.lattice.size)),
    }
}
