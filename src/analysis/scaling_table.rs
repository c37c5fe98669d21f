//! The residual-energy scaling table (`annealscape scaling`): one row per method, L and τ,
//! for classical baselines and for neural runs read from run folders.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::anneal::AnnealKind;
use crate::baselines::mean_and_stderr;
use crate::run::{read_config, read_run_metrics, read_summary, RunError, RunLayout};

/// One point of ε_res(τ): a method at one size and annealing length, over its runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalingRow {
    /// `sa`, `pt`, `sqa`, `neural-quantum` or `neural-thermal`.
    pub method: String,
    /// Linear size L.
    #[serde(rename = "L")]
    pub l: usize,
    /// τ: sweeps (PT: summed over replicas) or, for neural runs, N_anneal (X values).
    pub tau: f64,
    /// Number of runs.
    pub runs: usize,
    /// Mean ε_res = (E − E₀)/N.
    pub eps_res_mean: f64,
    /// Its standard error.
    pub eps_res_stderr: f64,
    /// Fraction of runs at E₀ (neural: final ⟨E⟩ within 1e−9 of E₀).
    pub ground_state_fraction: f64,
    /// Smallest ε_res.
    pub eps_res_min: f64,
    /// Median ε_res (neural runs are often bimodal: most near E₀, a few far above).
    #[serde(default)]
    pub eps_res_median: f64,
    /// Elementary updates per run (SA: τ·N spin flips; SQA: τ·(P+1)·N; neural: conditionals
    /// evaluated, estimated from the steps).
    pub updates: f64,
    /// Wall-clock seconds of the whole row (all runs, all cores).
    pub seconds: f64,
    /// CPU seconds per run: seconds × threads / runs (neural: a run's own wall time × threads).
    pub cpu_seconds_per_run: f64,
}

/// Read a scaling CSV.
pub fn read_scaling(path: &Path) -> Result<Vec<ScalingRow>, RunError> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| RunError::io(path, e))?;
    reader
        .deserialize()
        .collect::<Result<Vec<ScalingRow>, _>>()
        .map_err(|e| RunError::io(path, e))
}

/// Write a scaling CSV (atomically).
pub fn write_scaling(path: &Path, rows: &[ScalingRow]) -> Result<(), RunError> {
    let mut bytes = Vec::new();
    {
        let mut w = csv::Writer::from_writer(&mut bytes);
        for row in rows {
            w.serialize(row).map_err(|e| RunError::io(path, e))?;
        }
        w.flush().map_err(|e| RunError::io(path, e))?;
    }
    crate::files::write_atomically(path, |f| std::io::Write::write_all(f, &bytes))
        .map_err(|e| RunError::io(path, e))
}

/// One finished neural run, as the scaling table sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct NeuralOutcome {
    /// The run folder.
    pub dir: PathBuf,
    /// Quantum or thermal.
    pub kind: AnnealKind,
    /// Linear size L.
    pub l: usize,
    /// N_anneal, the number of X values of the descent.
    pub anneal_steps: usize,
    /// ε_res of the final evaluation.
    pub eps_res: f64,
    /// Wall-clock seconds of the run.
    pub seconds: f64,
    /// Conditionals evaluated (estimate): per step M·N to sample plus M·N to train, and for
    /// quantum runs M·N·N more for the flipped neighbours' amplitudes.
    pub updates: f64,
}

/// Every finished run folder under `root` (the folder itself, or any depth below it).
pub fn find_neural_runs(root: &Path) -> Result<Vec<NeuralOutcome>, RunError> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if dir.join(RunLayout::CONFIG).is_file() && dir.join(RunLayout::SUMMARY).is_file() {
            found.push(neural_outcome(&dir)?);
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut subdirs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        subdirs.sort();
        stack.extend(subdirs.into_iter().rev());
    }
    found.sort_by(|a, b| a.dir.cmp(&b.dir));
    Ok(found)
}

fn neural_outcome(dir: &Path) -> Result<NeuralOutcome, RunError> {
    let config = read_config(dir)?;
    let summary = read_summary(dir)?.ok_or_else(|| RunError::io(dir, "no summary.toml"))?;
    let metrics = read_run_metrics(dir)?;
    let l = config.lattice.size;
    let n = (l * l) as f64;
    let m = config.anneal.samples as f64;
    let per_step = match config.anneal.kind {
        AnnealKind::Thermal => 2.0 * m * n,
        AnnealKind::Quantum => 2.0 * m * n + m * n * n,
    };
    Ok(NeuralOutcome {
        dir: dir.to_path_buf(),
        kind: config.anneal.kind,
        l,
        anneal_steps: config.anneal.anneal_steps,
        eps_res: summary.energy_mean - summary.ground_energy,
        seconds: metrics.rows.last().map(|r| r.seconds).unwrap_or(0.0),
        updates: per_step * metrics.rows.len() as f64,
    })
}

/// Neural runs grouped by kind, L and N_anneal into scaling rows; a neural run is taken to
/// have used `threads` cores.
pub fn neural_rows(runs: &[NeuralOutcome], threads: usize) -> Vec<ScalingRow> {
    let mut groups: BTreeMap<(String, usize, usize), Vec<&NeuralOutcome>> = BTreeMap::new();
    for r in runs {
        let method = match r.kind {
            AnnealKind::Quantum => "neural-quantum",
            AnnealKind::Thermal => "neural-thermal",
        };
        groups
            .entry((method.to_string(), r.l, r.anneal_steps))
            .or_default()
            .push(r);
    }
    groups
        .into_iter()
        .map(|((method, l, tau), runs)| {
            let eps: Vec<f64> = runs.iter().map(|r| r.eps_res.max(0.0)).collect();
            let (mean, stderr) = mean_and_stderr(&eps);
            let k = runs.len() as f64;
            ScalingRow {
                method,
                l,
                tau: tau as f64,
                runs: runs.len(),
                eps_res_mean: mean,
                eps_res_stderr: stderr,
                ground_state_fraction: eps.iter().filter(|&&e| e < 1e-9).count() as f64 / k,
                eps_res_min: eps.iter().copied().fold(f64::INFINITY, f64::min),
                eps_res_median: crate::stats::median(&eps),
                updates: runs.iter().map(|r| r.updates).sum::<f64>() / k,
                seconds: runs.iter().map(|r| r.seconds).sum(),
                cpu_seconds_per_run: runs.iter().map(|r| r.seconds).sum::<f64>() / k
                    * threads as f64,
            }
        })
        .collect()
}
