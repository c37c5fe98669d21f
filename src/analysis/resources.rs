//! What a landscape asks of the machine, checked before it starts.

use super::AnalysisError;
use crate::anneal::AnnealKind;
use crate::landscape::{SurfaceEstimator, SurfaceSpec};
use crate::run::{machine_memory_bytes, RunConfig};

fn gb(bytes: f64) -> String {
    format!("{:.1} GB", bytes / 1e9)
}

/// Site evaluations per second of a landscape on two cores, conservatively (measured:
/// `bench anneal` gives 122 points/s for 100 samples at L = 5 with the quantum flip pass, about
/// 7.6e6 site evaluations per second).
const LANDSCAPE_SITES_PER_SECOND: f64 = 5e6;

/// Longest landscape accepted, in estimated hours.
pub const MAX_LANDSCAPE_HOURS: f64 = 48.0;

/// Refuse a landscape whose points would not fit in memory or would take more than
/// [`MAX_LANDSCAPE_HOURS`]: each point draws `spec.samples` configurations (and for quantum
/// objectives evaluates their N single flips) on each of the landscape threads at once.
pub fn check_landscape(config: &RunConfig, spec: &SurfaceSpec) -> Result<(), AnalysisError> {
    let n = (config.lattice.size * config.lattice.size) as f64;
    let h = config.network.hidden as f64;
    let samples = spec.samples as f64;
    let points = (spec.points * spec.points) as f64;
    let threads = rayon::current_num_threads().max(1) as f64;
    let quantum = config.anneal.kind == AnnealKind::Quantum;
    let memory = threads * 8.0 * n * samples * (2.0 * h + 1.0 + if quantum { 1.0 } else { 0.0 });
    if let Some(have) = machine_memory_bytes() {
        if memory > 0.8 * have {
            return Err(AnalysisError::Resources(format!(
                "a landscape point with samples = {} at lattice.size = {} on {threads} threads needs about {}; this machine has {}: lower the landscape's samples",
                spec.samples,
                config.lattice.size,
                gb(memory),
                gb(have)
            )));
        }
    }
    let work = match spec.estimator {
        SurfaceEstimator::Exact => points * 2f64.powf(n) * n,
        _ => points * samples * n * if quantum { n } else { 1.0 },
    };
    let hours = work / LANDSCAPE_SITES_PER_SECOND / 3600.0;
    if hours > MAX_LANDSCAPE_HOURS {
        return Err(AnalysisError::Resources(format!(
            "a landscape of {0} × {0} points with samples = {1} at lattice.size = {2} would take about {hours:.0} hours (limit {MAX_LANDSCAPE_HOURS}): lower the points or the samples",
            spec.points, spec.samples, config.lattice.size
        )));
    }
    Ok(())
}
