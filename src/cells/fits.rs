//! Both KLs of the study: the anneal's at the trajectory point nearest each X, and the fit's
//! from a fresh network, one file per fit so a rerun continues.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use rand::SeedableRng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::CellsPlan;
use crate::analysis::RunFolder;
use crate::distance::{log_probs_of, log_probs_of_all, ModeDistance};
use crate::nn::{Cell, NetworkConfig};
use crate::physics::{Lattice, NewmanMoore, QuantumStateCache};
use crate::represent::{fidelity, forward_kl, represent, ExactTarget, TargetKind};
use crate::study::StudyError;
use crate::sweep::{read_status, run_dir, RunState, Sweep};

/// A fit's result as stored in `DIR/fits/NAME.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitRecord {
    /// The cell (`network.cell`: rnn2d, made).
    pub cell: String,
    /// Hidden units.
    pub hidden: usize,
    /// Parameters.
    pub parameters: usize,
    /// L.
    pub size: usize,
    /// quantum or thermal.
    pub target: String,
    /// B or T.
    pub x: f64,
    /// The seed of the fresh network.
    pub seed: u64,
    /// The smallest KL(p*‖q) in nats.
    pub best_kl: f64,
    /// The step it was reached at.
    pub best_step: usize,
    /// KL of the fresh network.
    pub initial_kl: f64,
    /// Steps taken.
    pub steps: usize,
    /// converged, floor or max-steps.
    pub stop: String,
    /// (Σ ψ₀ √q)² (quantum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fidelity: Option<f64>,
    /// Effective ground-state modes of the fitted q.
    pub effective_modes: f64,
    /// Wall time.
    pub seconds: f64,
}

/// The anneal at one X: the trajectory point nearest it and its exact distances.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnealPoint {
    /// The X asked for.
    pub x: f64,
    /// The X of the point taken.
    pub x_taken: f64,
    /// Its step.
    pub step: i64,
    /// KL(p*_x‖q) in nats.
    pub kl: f64,
    /// (Σ ψ₀ √q)² (quantum).
    pub fidelity: Option<f64>,
    /// Effective ground-state modes.
    pub effective_modes: f64,
}

/// `DIR/fits/TARGET-LSIZE-xX-seedS.toml` for the 2D RNN (the names a one-cell study gave), and
/// `DIR/fits/CELLHIDDEN-TARGET-LSIZE-xX-seedS.toml` for another cell.
pub fn fit_file(
    dir: &Path,
    network: &NetworkConfig,
    size: usize,
    target: &str,
    x: f64,
    seed: u64,
) -> PathBuf {
    let cell = match network.cell {
        Cell::Rnn2d => String::new(),
        other => format!("{}{}-", other.name(), network.hidden),
    };
    dir.join("fits")
        .join(format!("{cell}{target}-L{size}-x{x}-seed{seed}.toml"))
}

/// quantum or thermal.
pub fn kind_name(kind: crate::anneal::AnnealKind) -> &'static str {
    match kind {
        crate::anneal::AnnealKind::Quantum => "quantum",
        crate::anneal::AnnealKind::Thermal => "thermal",
    }
}

/// The exact target of a `target` anneal at X = `x`.
pub fn target_kind(target: &str, x: f64) -> TargetKind {
    if target == "quantum" {
        TargetKind::Quantum { b: x }
    } else {
        TargetKind::Thermal { t: x }
    }
}

/// The trajectory point whose X is nearest `x`, the last of them if several are (at X₀ the end
/// of the warm-up, the weights trained longest there).
pub fn nearest_point(xs: &ndarray::Array1<f64>, x: f64) -> Option<usize> {
    let nearest = xs
        .iter()
        .map(|xi| (xi - x).abs())
        .fold(f64::INFINITY, f64::min);
    (0..xs.len())
        .rev()
        .find(|&i| (xs[i] - x).abs() <= nearest + 1e-12)
}

/// The anneal of `folder` at X = `x`: the trajectory's last point among those nearest `x`
/// (so X₀ is the end of the warm-up, the weights trained longest there).
pub fn anneal_point(
    folder: &RunFolder,
    target: &ExactTarget,
    x: f64,
) -> Result<AnnealPoint, StudyError> {
    let trajectory = folder.trajectory();
    let point = nearest_point(&trajectory.x, x)
        .ok_or_else(|| StudyError::io(folder.dir(), "the trajectory holds no point"))?;
    let net = folder
        .trajectory_network(point)
        .map_err(|e| StudyError::io(folder.dir(), e))?;
    let log_q = log_probs_of_all(&net);
    let modes =
        ModeDistance::from_log_probs(log_probs_of(&net, target.ground_states.view()).to_vec());
    Ok(AnnealPoint {
        x,
        x_taken: trajectory.x[point],
        step: trajectory.steps[point],
        kl: forward_kl(target, &log_q),
        fidelity: fidelity(target, &log_q),
        effective_modes: modes.effective_modes,
    })
}

/// One fit the study still needs.
struct FitJob {
    size: usize,
    target: &'static str,
    x: f64,
    seed: u64,
    network: NetworkConfig,
    model: NewmanMoore,
    path: PathBuf,
}

/// Every fit the study needs that is not stored yet: for each finished run's (L, target,
/// seed), a fresh network fitted at each of the plan's X, two at a time on two cores. Stops
/// between fits when `stop` is raised; `say` hears one line per fit.
pub fn compute_fits(
    sweep: &Sweep,
    plan: &CellsPlan,
    stop: &AtomicBool,
    say: &(dyn Fn(String) + Sync),
) -> Result<(), StudyError> {
    let mut jobs = Vec::new();
    for point in &sweep.spec.points {
        if read_status(&run_dir(&sweep.dir, &point.id)) != RunState::Done {
            continue;
        }
        let config = &point.config;
        let size = config.lattice.size;
        let target = kind_name(config.anneal.kind);
        let model = NewmanMoore::new(
            Lattice::new(size).map_err(|e| StudyError::io(&sweep.dir, e))?,
            config.lattice.coupling,
        )
        .map_err(|e| StudyError::io(&sweep.dir, e))?;
        for x in plan.points(target) {
            let network = config.network.in_f64();
            let path = fit_file(&sweep.dir, &network, size, target, x, config.seed);
            if !path.exists() {
                jobs.push(FitJob {
                    size,
                    target,
                    x,
                    seed: config.seed,
                    network,
                    model,
                    path,
                });
            }
        }
    }
    // Seed by seed, and within a seed every cell and target at one X before the next X, taken
    // in that order: a study stopped part way has every cell's first seed rather than one
    // cell's every seed.
    jobs.sort_by(|a, b| {
        (a.seed, b.x, a.target)
            .partial_cmp(&(b.seed, a.x, b.target))
            .expect("finite X")
    });
    let states = QuantumStateCache::in_memory();
    let settings = plan.fit_settings();
    jobs.iter().par_bridge().try_for_each(|job| {
        if stop.load(Ordering::Relaxed) {
            return Err(StudyError::Interrupted);
        }
        let record = fit_one(job, &settings, &states, stop)?;
        let text = toml::to_string(&record).expect("a fit record serialises");
        let path = &job.path;
        std::fs::create_dir_all(path.parent().expect("fits/ has a parent"))
            .map_err(|e| StudyError::io(path, e))?;
        crate::files::write_atomically(path, |w| std::io::Write::write_all(w, text.as_bytes()))
            .map_err(|e| StudyError::io(path, e))?;
        say(format!(
            "fit {} L = {} {} X = {} seed {}: KL {:.3e} after {} steps ({:.0} s)",
            job.network.cell.name(),
            job.size,
            job.target,
            job.x,
            job.seed,
            record.best_kl,
            record.steps,
            record.seconds
        ));
        Ok(())
    })
}

fn fit_one(
    job: &FitJob,
    settings: &crate::represent::FitSettings,
    states: &QuantumStateCache,
    stop: &AtomicBool,
) -> Result<FitRecord, StudyError> {
    let target = ExactTarget::new(&job.model, target_kind(job.target, job.x), states)
        .map_err(|e| StudyError::io(&job.path, e))?;
    let network = job.network;
    let mut net = network.init(job.size, &mut rand::rngs::StdRng::seed_from_u64(job.seed));
    let clock = std::time::Instant::now();
    let outcome = represent(&mut net, &target, settings, |_| {
        if stop.load(Ordering::Relaxed) {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    })
    .map_err(|e| StudyError::io(&job.path, e))?;
    if outcome.stop == crate::represent::StopReason::Stopped {
        return Err(StudyError::Interrupted);
    }
    Ok(FitRecord {
        cell: network.cell.name().into(),
        hidden: network.hidden,
        parameters: crate::nn::Autoregressive::params(&net).len(),
        size: job.size,
        target: job.target.into(),
        x: job.x,
        seed: job.seed,
        best_kl: outcome.best_kl,
        best_step: outcome.best_step,
        initial_kl: outcome.initial_kl,
        steps: outcome.steps,
        stop: outcome.stop.name().into(),
        fidelity: outcome.fidelity,
        effective_modes: outcome.modes.effective_modes,
        seconds: clock.elapsed().as_secs_f64(),
    })
}

/// The stored fits (those that read).
pub fn read_fits(dir: &Path) -> Vec<FitRecord> {
    let Ok(entries) = std::fs::read_dir(dir.join("fits")) else {
        return Vec::new();
    };
    let mut fits: Vec<FitRecord> = entries
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .filter_map(|t| toml::from_str(&t).ok())
        .collect();
    fits.sort_by(|a, b| {
        (&a.cell, a.hidden, a.size, &a.target, b.x, a.seed)
            .partial_cmp(&(&b.cell, b.hidden, b.size, &b.target, a.x, b.seed))
            .expect("finite X")
    });
    fits
}
