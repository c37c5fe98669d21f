//! Memory a run will need, estimated from its configuration before any work starts, so a
//! setting that cannot fit is refused with the settings named instead of aborting mid-run.

use super::{RunConfig, RunError};
use crate::anneal::{AnnealKind, EVALUATION_CHUNK};

/// Most memory the kept trajectory may take (its file is the same size).
pub const MAX_TRAJECTORY_BYTES: usize = 1 << 30;

/// Bytes of the largest buffers of a run of `config`: hidden states of a step's samples (and
/// of the single-flip pass for quantum runs), the mini-batch backward pass, the trajectory and
/// the final evaluation's histogram.
pub fn run_memory_bytes(config: &RunConfig) -> f64 {
    let n = (config.lattice.size * config.lattice.size) as f64;
    let h = config.network.hidden as f64;
    let m = config.anneal.samples as f64;
    let batch = m / config.anneal.minibatches.max(1) as f64;
    let p = config.network.parameter_count(config.lattice.size) as f64;
    let sampling = 8.0 * n * m * (2.0 * h + 1.0);
    let flips = match config.anneal.kind {
        // The flip pass keeps, per row, the N flipped rows' log p and one column of states.
        AnnealKind::Quantum if config.anneal.start > 0.0 => 8.0 * m * n * (h + 2.0),
        _ => 0.0,
    };
    let backward = 8.0 * n * batch * 4.0 * h;
    let trajectory = 8.0 * p * config.output.trajectory_points as f64;
    let evaluation = 8.0 * n * EVALUATION_CHUNK as f64 * (2.0 * h + 1.0)
        + config.anneal.final_samples as f64 * (n + 64.0 + 8.0);
    sampling + flips + backward + trajectory + evaluation
}

/// The memory this process may use, in bytes: the machine's (`MemTotal` of /proc/meminfo), or
/// less under an address-space limit; `None` where it cannot be read.
pub fn machine_memory_bytes() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    let total = kb * 1024.0;
    // A process capped by `ulimit -v` (or a batch system's address-space limit) has less.
    Some(address_space_limit().map_or(total, |cap| cap.min(total)))
}

/// This process's address-space limit (`ulimit -v`), if it has one.
fn address_space_limit() -> Option<f64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct it is given.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) };
    (rc == 0 && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur as f64)
}

fn gb(bytes: f64) -> String {
    format!("{:.1} GB", bytes / 1e9)
}

/// Refuse a configuration whose run would not fit: the trajectory above
/// [`MAX_TRAJECTORY_BYTES`], or the whole above 80 % of the machine's memory.
pub fn check_resources(config: &RunConfig) -> Result<(), RunError> {
    let p = config.network.parameter_count(config.lattice.size);
    let trajectory = p
        .saturating_mul(8)
        .saturating_mul(config.output.trajectory_points);
    if trajectory > MAX_TRAJECTORY_BYTES {
        return Err(RunError::Resources(format!(
            "output.trajectory_points = {} with network.hidden = {} ({p} parameters) keeps {} of trajectory (limit {}): lower output.trajectory_points to {} or fewer",
            config.output.trajectory_points,
            config.network.hidden,
            gb(trajectory as f64),
            gb(MAX_TRAJECTORY_BYTES as f64),
            MAX_TRAJECTORY_BYTES / (8 * p)
        )));
    }
    let need = run_memory_bytes(config);
    if let Some(have) = machine_memory_bytes() {
        if need > 0.8 * have {
            return Err(RunError::Resources(format!(
                "lattice.size = {} with anneal.samples = {}, network.hidden = {} and anneal.final_samples = {} needs about {}; this machine has {}: lower anneal.samples (or raise anneal.minibatches), network.hidden or anneal.final_samples",
                config.lattice.size,
                config.anneal.samples,
                config.network.hidden,
                config.anneal.final_samples,
                gb(need),
                gb(have)
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_paper_fits_and_a_huge_batch_does_not() {
        let paper = RunConfig::preset("paper-quantum-L5").unwrap();
        assert!(
            run_memory_bytes(&paper) < 1e8,
            "{}",
            run_memory_bytes(&paper)
        );
        let huge = paper
            .with_overrides(&["lattice.size=64".into(), "anneal.samples=100000".into()])
            .unwrap();
        // 4096 sites × 1e5 samples × 81 states of 8 bytes is 265 GB for sampling alone.
        assert!(run_memory_bytes(&huge) > 2.6e11);
        if machine_memory_bytes().is_some_and(|m| m < 2e11) {
            let err = check_resources(&huge).unwrap_err().to_string();
            assert!(err.contains("anneal.samples = 100000"), "{err}");
        }
    }
}
