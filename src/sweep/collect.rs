//! `collect`: one row per run of a sweep — its axes, its state, and the outcome of finished
//! runs — in `SWEEP/runs.csv` (snake_case columns, documented in docs/sweeps.md).

use std::path::Path;

use crate::anneal::{run_energy_jumps, AnnealKind, Phase};
use crate::physics::{ExactThermo, GroundEnergyCache, Lattice, NewmanMoore};
use crate::run::{read_run_metrics, read_summary, RunLayout};

use super::{read_status, run_dir, value_text, RunState, Sweep, SweepError};

/// The file `collect` writes.
pub const RUNS_FILE: &str = "runs.csv";

/// Columns after the axes.
pub const COLUMNS: [&str; 26] = [
    "status",
    "message",
    "energy_mean",
    "ground_energy",
    "reached_ground_state",
    "top_mode_defects",
    "distinct_configurations",
    "ground_states_found",
    "ground_state_ids",
    "jump_x",
    "jump_size",
    "jumps",
    "warmup_objective",
    "warmup_exact",
    "warmup_error",
    "roughness",
    "final_kl_reverse",
    "final_fidelity",
    "final_energy_error",
    "min_gap",
    "collapse_step",
    "final_effective_modes",
    "final_ground_state_mass",
    "max_sharpness_ratio",
    "max_preconditioned_ratio",
    "wall_seconds",
];

/// Warm-up steps averaged for the warm-up error.
const WARMUP_TAIL: usize = 100;

/// The exact value per spin of the warm-up's objective at X₀: E₀(B₀) for quantum runs with
/// L ≤ 5 (cached Lanczos), the free energy f(T₀) for thermal runs.
fn warmup_exact(
    kind: AnnealKind,
    l: usize,
    j: f64,
    x0: f64,
    cache: Option<&GroundEnergyCache>,
) -> Option<f64> {
    let model = NewmanMoore::new(Lattice::new(l).ok()?, j).ok()?;
    match kind {
        AnnealKind::Thermal => ExactThermo::new(model).at(x0).ok().map(|t| t.f),
        AnnealKind::Quantum if l <= 5 => match cache {
            Some(c) => c.ground_energy(&model, x0).ok().map(|g| g.per_spin),
            None => crate::physics::ground_energy(&model, x0)
                .ok()
                .map(|g| g.per_spin),
        },
        AnnealKind::Quantum => None,
    }
}

fn number(v: Option<f64>) -> String {
    v.map(|x| format!("{x}")).unwrap_or_default()
}

/// The run's summary and metrics as `figure` reads them; a file that does not read makes the
/// run damaged, with the file and line, instead of a row of blanks.
fn read_outcome(
    dir: &Path,
    state: RunState,
) -> (
    RunState,
    Option<crate::anneal::FinalSummary>,
    Vec<crate::anneal::StepMetrics>,
) {
    let summary = match read_summary(dir) {
        Ok(s) => s,
        Err(e) => return (RunState::Damaged(e.to_string()), None, Vec::new()),
    };
    let metrics = if dir.join(RunLayout::METRICS).exists() || state == RunState::Done {
        match read_run_metrics(dir) {
            Ok(t) => t.rows,
            Err(e) => return (RunState::Damaged(e.to_string()), None, Vec::new()),
        }
    } else {
        Vec::new()
    };
    (state, summary, metrics)
}

/// One run's row after its axis values, and its state (damaged when a file does not read).
fn outcome_row(
    dir: &Path,
    state: RunState,
    point: &super::SweepPoint,
    cache: Option<&GroundEnergyCache>,
) -> (RunState, Vec<String>) {
    let (state, summary, metrics) = read_outcome(dir, state);
    let message = match &state {
        RunState::Failed(m) | RunState::Damaged(m) => m.replace(['\n', '\r'], " "),
        _ => String::new(),
    };
    let mut row = vec![state.word().to_string(), message];
    let config = &point.config;
    let n = (config.lattice.size * config.lattice.size) as f64;
    let j = config.lattice.coupling;
    match &summary {
        Some(s) => {
            let top = s.modes.first();
            row.extend([
                format!("{}", s.energy_mean),
                format!("{}", s.ground_energy),
                format!("{}", (s.energy_mean - s.ground_energy).abs() < 1e-9),
                top.map(|m| format!("{}", ((m.energy - s.ground_energy) * n / j).round()))
                    .unwrap_or_default(),
                s.distinct_configurations.to_string(),
                s.ground_states_found.to_string(),
                s.modes
                    .iter()
                    .filter_map(|m| m.ground_state.clone())
                    .collect::<Vec<_>>()
                    .join(" "),
            ]);
        }
        None => row.extend(std::iter::repeat_n(String::new(), 7)),
    }
    let total = config.anneal.schedule().total_steps();
    // Jumps of the descent: a warm-up's first fast drop is training, not instability.
    let warmup = config.anneal.warmup_steps;
    let jumps: Vec<usize> = run_energy_jumps(&metrics, total, j)
        .into_iter()
        .filter(|&k| k >= warmup)
        .collect();
    let window = (total / 100).max(10);
    let first = jumps.first().map(|&k| {
        let before = &metrics[k.saturating_sub(window)..k];
        let after = &metrics[k..(k + window).min(metrics.len())];
        let mean = |rows: &[crate::anneal::StepMetrics]| {
            rows.iter().map(|m| m.energy_mean).sum::<f64>() / rows.len().max(1) as f64
        };
        (
            metrics[k].temperature.max(metrics[k].field),
            mean(after) - mean(before),
        )
    });
    row.push(number(first.map(|f| f.0)));
    row.push(number(first.map(|f| f.1)));
    row.push(jumps.len().to_string());
    let warm: Vec<f64> = metrics
        .iter()
        .filter(|m| m.phase == Phase::Warmup)
        .map(|m| m.objective_mean)
        .collect();
    let tail = &warm[warm.len().saturating_sub(WARMUP_TAIL)..];
    let warm_mean = (!tail.is_empty()).then(|| tail.iter().sum::<f64>() / tail.len() as f64);
    let exact = warm_mean.and_then(|_| {
        warmup_exact(
            config.anneal.kind,
            config.lattice.size,
            j,
            config.anneal.start,
            cache,
        )
    });
    row.push(number(warm_mean));
    row.push(number(exact));
    row.push(number(warm_mean.zip(exact).map(|(a, b)| a - b)));
    row.push(roughness(dir));
    row.extend(distance_summary(dir, config.lattice.size));
    row.extend(curvature_summary(dir));
    row.push(number(metrics.last().map(|m| m.seconds)));
    (state, row)
}

/// `NAME-DIRS=roughness` for every stored landscape, `;`-separated, by file name.
fn roughness(dir: &Path) -> String {
    let Ok(entries) = std::fs::read_dir(dir.join(RunLayout::LANDSCAPES)) else {
        return String::new();
    };
    let mut files: Vec<std::path::PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "npz"))
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|p| {
            let l = crate::landscape::load_landscape(p).ok()?;
            let name = p.file_stem()?.to_string_lossy().into_owned();
            Some(format!("{name}={:.6}", l.surface.roughness()))
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// The last exact row's KL, fidelity and energy error, the smallest gap while the field or
/// temperature was on, the collapse onset and the last effective number of ground states
/// and the ground states' total probability (empty where the run measured none).
fn distance_summary(dir: &Path, l: usize) -> [String; 7] {
    let Some(table) = crate::run::read_distances(dir).ok().flatten() else {
        return Default::default();
    };
    let rows = &table.rows;
    let last = rows.last();
    let min_gap = rows
        .iter()
        .filter(|r| r.field.max(r.temperature) > 0.0)
        .filter_map(|r| r.gap)
        .fold(None, |m: Option<f64>, g| Some(m.map_or(g, |m| m.min(g))));
    let ground_states = Lattice::new(l).map_or(1, |lat| {
        1usize
            << crate::physics::GroundStates::new(lat)
                .degeneracy_log2()
                .min(40)
    });
    let modes: Vec<(usize, f64)> = rows
        .iter()
        .filter_map(|r| r.effective_modes.map(|e| (r.step, e)))
        .collect();
    let collapse = crate::distance::collapse_onset(&modes, ground_states);
    [
        number(last.and_then(|r| r.kl_reverse)),
        number(last.and_then(|r| r.fidelity)),
        number(last.and_then(|r| r.energy_error)),
        number(min_gap),
        collapse.map(|s| s.to_string()).unwrap_or_default(),
        number(modes.last().map(|m| m.1)),
        number(rows.iter().rev().find_map(|r| r.ground_state_mass)),
    ]
}

/// The largest sharpness over 2/η and preconditioned sharpness over 38/η along the run.
fn curvature_summary(dir: &Path) -> [String; 2] {
    let Some((rows, _)) = crate::run::read_curvature(dir).ok().flatten() else {
        return Default::default();
    };
    let max = |v: Vec<f64>| {
        v.into_iter()
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))
    };
    [
        number(max(rows
            .iter()
            .map(|r| r.sharpness / r.gradient_descent_threshold)
            .collect())),
        number(max(rows
            .iter()
            .filter_map(|r| r.preconditioned_sharpness.map(|p| p / r.adam_threshold))
            .collect())),
    ]
}

/// The rows of `runs.csv` (header first), read from the sweep folder as it is now; a run whose
/// summary or metrics do not read has the status `damaged` and the file and line as message.
pub fn collect_rows(sweep: &Sweep) -> Vec<Vec<String>> {
    let cache = GroundEnergyCache::default_location();
    let mut rows = Vec::new();
    let mut header: Vec<String> = vec!["id".into()];
    header.extend(sweep.spec.axes.iter().map(|a| a.key.replace('.', "_")));
    header.extend(COLUMNS.iter().map(|c| c.to_string()));
    rows.push(header);
    for point in &sweep.spec.points {
        let dir = run_dir(&sweep.dir, &point.id);
        let state = read_status(&dir);
        let mut row = vec![point.id.clone()];
        row.extend(point.values.iter().map(|(_, v)| value_text(v)));
        row.extend(outcome_row(&dir, state, point, cache.as_ref()).1);
        rows.push(row);
    }
    rows
}

/// Write `SWEEP/runs.csv` and return its rows (header first). The file is written whole even
/// when runs are damaged; the caller counts them with [`damaged_rows`].
pub fn collect(sweep: &Sweep) -> Result<Vec<Vec<String>>, SweepError> {
    let rows = collect_rows(sweep);
    let path = sweep.dir.join(RUNS_FILE);
    let mut bytes = Vec::new();
    {
        let mut w = csv::Writer::from_writer(&mut bytes);
        for r in &rows {
            w.write_record(r).map_err(|e| SweepError::io(&path, e))?;
        }
        w.flush().map_err(|e| SweepError::io(&path, e))?;
    }
    crate::files::write_atomically(&path, |f| std::io::Write::write_all(f, &bytes))
        .map_err(|e| SweepError::io(&path, e))?;
    Ok(rows)
}

/// The `(id, message)` of every damaged run in `rows` (as [`collect_rows`] returns them).
pub fn damaged_rows(rows: &[Vec<String>]) -> Vec<(String, String)> {
    let Some(header) = rows.first() else {
        return Vec::new();
    };
    let (Some(status), Some(message)) = (
        header.iter().position(|h| h == "status"),
        header.iter().position(|h| h == "message"),
    ) else {
        return Vec::new();
    };
    rows[1..]
        .iter()
        .filter(|r| r.get(status).map(String::as_str) == Some("damaged"))
        .map(|r| (r[0].clone(), r.get(message).cloned().unwrap_or_default()))
        .collect()
}
