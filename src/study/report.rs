//! `DIR/report.md` and its figures: every table of the study beside the paper's numbers, with
//! a summary that says where they agree and where they do not.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use crate::anneal::{Estimator, Phase};
use crate::figures::{
    render, ColorScale, FieldCurvesFigure, FieldPanel, FieldRun, LandscapeFigure,
};
use crate::landscape::load_landscape;
use crate::physics::{refine_concave, GroundEnergyCache, Lattice, NewmanMoore};
use crate::run::read_run_metrics;
use crate::sweep::{collect, Sweep};

use super::landscapes::landscape_path;
use super::outcomes::{cell, grid, mode_collapse_table, outcome_table};
use super::paper::JUMP;
use super::tables::{estimator_table, jump_table, roughness_table, warmup_table};
use super::{study_runs, StudyError, StudyLength, StudyPlan, StudyRun};

/// The report's file name.
pub const REPORT_FILE: &str = "report.md";

/// Most points drawn per curve (the curves are averaged down to this).
const CURVE_POINTS: usize = 400;

/// Where the exact E₀(B)/N starts: every 0.2 up to 1 (and 2.5, 5, 7.5, 10 above), refined by
/// [`refine_concave`] where a chord would leave the curve.
fn exact_fields(bmax: f64) -> Vec<f64> {
    let mut b: Vec<f64> = (0..=5)
        .map(|k| k as f64 * 0.2)
        .filter(|&b| b <= bmax + 1e-9)
        .collect();
    if bmax > 1.0 {
        b.extend([2.5, 5.0, 7.5, 10.0].iter().filter(|&&x| x <= bmax + 1e-9));
    }
    b
}

/// How far a drawn chord may sit below the exact E₀(B)/N: 10⁻³ per spin (the bound reached is
/// twice that), under a line's width in every panel of the field figure.
const EXACT_TOLERANCE: f64 = 1e-3;

/// Most fields computed beyond [`exact_fields`] (at L = 5 each costs about 20 s once; values
/// are cached).
const EXACT_REFINEMENTS: usize = 64;

/// E₀(B)/N dense enough that its chords are within `2 · EXACT_TOLERANCE` of the curve (E₀ is
/// concave), from the cache where it holds the values; and the bound reached.
pub(crate) fn exact_curve(size: usize, coupling: f64, bmax: f64) -> (Vec<(f64, f64)>, f64) {
    let Some(model) = Lattice::new(size)
        .ok()
        .and_then(|l| NewmanMoore::new(l, coupling).ok())
    else {
        return (Vec::new(), f64::INFINITY);
    };
    let cache = GroundEnergyCache::default_location();
    let energy = |b: f64| {
        let e = match &cache {
            Some(c) => c.ground_energy(&model, b),
            None => crate::physics::ground_energy(&model, b),
        };
        e.ok().map(|g| g.per_spin)
    };
    let start: Vec<(f64, f64)> = exact_fields(bmax)
        .into_iter()
        .filter_map(|b| energy(b).map(|e| (b, e)))
        .collect();
    refine_concave(
        start,
        EXACT_TOLERANCE,
        1.0 / 512.0,
        EXACT_REFINEMENTS,
        energy,
    )
}

/// A run's ⟨E_loc⟩/N against B along the descent, averaged down to [`CURVE_POINTS`].
pub(crate) fn field_curve(run: &StudyRun) -> FieldRun {
    let rows = read_run_metrics(&run.dir)
        .map(|t| t.rows)
        .unwrap_or_default();
    let descent: Vec<(f64, f64)> = rows
        .iter()
        .filter(|m| m.phase != Phase::Warmup)
        // X is B or T: the other of the two is 0 throughout a run.
        .map(|m| (m.field + m.temperature, m.objective_mean))
        .collect();
    let chunk = descent.len().div_ceil(CURVE_POINTS).max(1);
    let points: Vec<(f64, f64)> = descent
        .chunks(chunk)
        .map(|c| {
            let n = c.len() as f64;
            (
                c.iter().map(|p| p.0).sum::<f64>() / n,
                c.iter().map(|p| p.1).sum::<f64>() / n,
            )
        })
        .collect();
    let jump = run.number("jump_x").and_then(|b| {
        points
            .iter()
            .min_by(|p, q| (p.0 - b).abs().total_cmp(&(q.0 - b).abs()))
            .copied()
    });
    FieldRun {
        label: format!("seed {}", run.seed),
        points,
        jump,
    }
}

/// The ⟨E⟩-against-B figure of size L: rows authors / standard, columns the annealed B₀.
/// The ⟨E⟩/N-against-B figure at `size`, and the bound on its exact curve's drawing error.
fn field_figure(
    runs: &[StudyRun],
    size: usize,
    coupling: f64,
    dir: &Path,
) -> Result<Option<(String, f64)>, StudyError> {
    let starts: Vec<f64> = grid(runs)
        .into_iter()
        .filter(|g| g.0 == size && g.1 > 0.0)
        .map(|g| g.1)
        .collect();
    // One exact curve per B₀, shared by both estimators' panels (L = 5 costs ~20 s a value).
    let (exact, bounds): (Vec<Vec<(f64, f64)>>, Vec<f64>) = starts
        .iter()
        .map(|&start| exact_curve(size, coupling, start))
        .unzip();
    let bound = bounds.into_iter().fold(0.0, f64::max);
    let mut panels = Vec::new();
    for est in [Estimator::Authors, Estimator::Standard] {
        for (&start, exact) in starts.iter().zip(&exact) {
            let c = cell(runs, size, start, est);
            if c.is_empty() {
                continue;
            }
            panels.push(FieldPanel {
                title: format!("{} estimator, B0 = {start}", c[0].estimator_name()),
                x_label: "field B (the anneal runs right to left)".into(),
                y_label: "<E>/N".into(),
                exact_label: "exact E0(B)/N".into(),
                exact: exact.clone(),
                runs: c.iter().map(|r| field_curve(r)).collect(),
            });
        }
    }
    if panels.is_empty() {
        return Ok(None);
    }
    let name = format!("figures/energy_vs_field_L{size}.png");
    let figure = FieldCurvesFigure {
        title: format!("L = {size}: <E_loc>/N against B, every seed"),
        columns: starts.len().max(1),
        panels,
    };
    render(&figure, &dir.join(&name), 1.0)?;
    Ok(Some((name, bound)))
}

/// The three-stage gaussian landscape figure of the seed-0 run at (L, B₀).
fn stage_figure(
    run: &StudyRun,
    plan: &StudyPlan,
    dir: &Path,
) -> Result<Option<String>, StudyError> {
    let gaussian = plan.landscapes()[0];
    let stages = ["warmup", "mid3", "completion"];
    let loaded: Vec<_> = stages
        .iter()
        .filter_map(|s| load_landscape(&landscape_path(&run.dir, s, &gaussian)).ok())
        .collect();
    if loaded.len() != stages.len() {
        return Ok(None);
    }
    let name = format!("figures/landscapes_L{}_B{}.png", run.size, run.start);
    let figure = LandscapeFigure {
        panels: loaded
            .iter()
            .zip(stages)
            .map(|(l, s)| (l, format!("{s}: B = {:.3}", l.settings.x)))
            .collect(),
        scale: ColorScale::default(),
    };
    render(&figure, &dir.join(&name), 1.0)?;
    Ok(Some(name))
}

/// A duration in words: seconds under a minute, minutes under two hours, else hours.
pub(crate) fn minutes(seconds: f64) -> String {
    if seconds < 60.0 {
        format!("{seconds:.0} s")
    } else if seconds < 7200.0 {
        format!("{:.1} min", seconds / 60.0)
    } else {
        format!("{:.2} h", seconds / 3600.0)
    }
}

/// The report's line on its runs: how many finished and failed (with their messages), their
/// wall time, and this invocation's.
pub(crate) fn runs_line(runs: &[StudyRun], wall_seconds: f64) -> String {
    let done = runs.iter().filter(|r| r.done()).count();
    let failed: Vec<String> = runs
        .iter()
        .filter(|r| r.status == "failed")
        .map(|r| format!("{}: {}", r.id, r.message))
        .collect();
    format!(
        "- Runs: {done} of {} finished{}; their wall times add up to {}; this invocation took {} (runs finished earlier are not redone).\n",
        runs.len(),
        if failed.is_empty() {
            String::new()
        } else {
            format!(", {} failed ({})", failed.len(), failed.join("; "))
        },
        minutes(runs.iter().filter_map(|r| r.number("wall_seconds")).sum()),
        minutes(wall_seconds)
    )
}

/// 51001 as "51,001".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (k, ch) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// What the plan ran, in words.
fn settings(plan: &StudyPlan) -> String {
    let c = plan.base_config();
    let [g, f] = plan.landscapes();
    let axes: Vec<String> = plan
        .axes
        .iter()
        .map(|(k, v)| {
            format!(
                "{k} ∈ {{{}}}",
                v.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    let mut s = format!(
        "- Length: **{}** — {} warm-up steps, {} B values × {} steps ({} steps a run); the paper: 1,000 warm-up steps, 10,000 values × 5 steps (51,001).\n- Grid: {} ({} runs). Network: {} hidden units, {} samples a step, {} Adam minibatches, learning rate {}. Final sample: {} configurations (the paper's: 100).\n- Landscapes (seed 0, authors' estimator, the six snapshots of SPEC §5.5): gaussian directions over ±{} with {}×{} points (spacing {:.3}; the paper's: ±1, 201×201, 0.01), filter directions over ±{} with {}×{} points; {} fresh samples a point.\n",
        plan.length.name(),
        thousands(c.anneal.warmup_steps),
        thousands(c.anneal.anneal_steps),
        c.anneal.train_steps,
        thousands(c.anneal.schedule().total_steps()),
        axes.join(", "),
        plan.runs(),
        c.network.hidden,
        c.anneal.samples,
        c.anneal.minibatches,
        c.anneal.learning_rate,
        thousands(c.anneal.final_samples),
        g.spec.range,
        g.spec.points,
        g.spec.points,
        2.0 * g.spec.range / (g.spec.points.max(2) - 1) as f64,
        f.spec.range,
        f.spec.points,
        f.spec.points,
        g.spec.samples,
    );
    match plan.length {
        StudyLength::Full => {}
        StudyLength::Quick => s.push_str("- **This is a reduced study**: the field descends in 1,000 steps instead of the paper's 50,000, so its outcomes test the same code on a 25 times faster anneal and are not expected to match the paper's counts; `--full` runs the paper's settings. Its gaussian landscapes keep the paper's spacing over ±0.5, which leaves out the outer region where perturbed networks are nearly deterministic and their estimates quiet, so its roughness runs above the paper's (at L = 3, B₀ = 1, seed 0, end of warm-up: 0.037 over ±0.5, 0.023 over ±1 with 201×201).\n"),
        StudyLength::Test => s.push_str("- **This is the test suite's tiny grid**: a few dozen steps a run; its numbers say nothing about the physics.\n"),
    }
    s
}

/// Collect the sweep, draw the figures and write `DIR/report.md`; returns its path.
pub fn write_report(
    sweep: &Sweep,
    plan: &StudyPlan,
    wall_seconds: f64,
) -> Result<PathBuf, StudyError> {
    let rows = collect(sweep)?;
    let runs = study_runs(sweep, &rows);
    let dir = &sweep.dir;
    let figures = dir.join("figures");
    std::fs::create_dir_all(&figures).map_err(|e| StudyError::io(&figures, e))?;
    let (outcomes, verdicts) = outcome_table(&runs, Estimator::Authors);
    let (outcomes_standard, _) = outcome_table(&runs, Estimator::Standard);
    let (jumps, jumped, annealed, jump_at) = jump_table(&runs);
    let (warmup, overlap, compared) = warmup_table(&runs);
    let (rough, rough_counts) = roughness_table(&runs, "gaussian");
    let (rough_filter, _) = roughness_table(&runs, "filter");
    let mut md = String::new();
    let _ = write!(
        md,
        "# annealscape reproduce --{}: the paper's study\n\nNeural annealing of the Newman–Moore model (Inack, Morawetz, Melko 2022), every table beside the paper's numbers (SPEC §5). Written by `annealscape reproduce`; the runs are in `runs/`, one row each in `runs.csv` (columns in docs/sweeps.md), the figures in `figures/`.\n\n## Settings\n\n{}{}\n",
        plan.length.name(),
        settings(plan),
        runs_line(&runs, wall_seconds)
    );
    let rough_total: usize = rough_counts.iter().sum();
    let (authors_top, standard_top) = (
        count_top(&runs, Estimator::Authors),
        count_top(&runs, Estimator::Standard),
    );
    let median_jump = (!jump_at.is_empty()).then(|| crate::stats::median(&jump_at));
    // A report restricted by --only speaks only of what ran.
    let ran = |estimator| runs.iter().any(|r| r.estimator == estimator);
    let (authors, standard) = (ran(Estimator::Authors), ran(Estimator::Standard));
    let estimators = match (authors, standard) {
        (true, true) => format!(
            "with the authors' estimator {} of {} finished runs end with a ground state on top, with the standard one {} of {}",
            authors_top.0, authors_top.1, standard_top.0, standard_top.1
        ),
        (true, false) => format!(
            "with the authors' estimator {} of {} finished runs end with a ground state on top (the standard estimator was not in this study)",
            authors_top.0, authors_top.1
        ),
        (false, true) => format!(
            "with the standard estimator {} of {} finished runs end with a ground state on top (the authors' estimator was not in this study)",
            standard_top.0, standard_top.1
        ),
        (false, false) => "no run finished".to_string(),
    };
    let _ = write!(
        md,
        "## Where the numbers agree with the paper and where they do not\n\n- **Outcomes** (a, authors' estimator, runs whose top final configuration is a ground state): {}\n- **Warm-up** (d): {overlap} of {compared} B₀ = 1 ranges of ⟨E⟩/N at the end of the warm-up overlap the paper's.\n- **Jumps** (c): {jumped} of {annealed} annealed runs with the authors' estimator jumped; the median first jump is at B = {}. Paper: {JUMP}.\n- **Roughness** (e, gaussian directions, seed 0): {} of {rough_total} values inside the paper's range over seeds, {} above, {} below.\n- **Estimators** (f): {estimators}.\n\n",
        if authors {
            format!(
                "{} of {} (L, B₀) cells have the paper's count, {} are within one run, {} differ.",
                verdicts[0],
                verdicts.iter().sum::<usize>(),
                verdicts[1],
                verdicts[2]
            )
        } else {
            "the authors' estimator was not in this study.".to_string()
        },
        median_jump.map_or("—".into(), |b| format!("{b:.3}")),
        rough_counts[0],
        rough_counts[1],
        rough_counts[2],
    );
    if authors {
        let _ = write!(
            md,
            "## (a) Outcomes at completion (B = 0), authors' estimator\n\n\"Top configuration\" is the most frequent one of the final sample; the paper's \"reached E₀\" is its 100-sample energy at E₀, where all samples were one configuration in every run but one. Defects are (E − E₀)·N/J of the top configuration.\n\n{outcomes}\n"
        );
    }
    if authors && runs.iter().any(|r| r.size == 3) {
        let _ = write!(
            md,
            "## (b) Mode collapse at L = 3 (4 ground states), authors' estimator\n\nGround states by id (0 is the uniform configuration); a ground state is held when at least 1 % of the final sample is on it.\n\n{}\n",
            mode_collapse_table(&runs, Estimator::Authors)
        );
    }
    md.push_str("## (c) ⟨E⟩ against B, and the first energy jump\n\n");
    let sizes: Vec<usize> = {
        let mut s: Vec<usize> = runs.iter().map(|r| r.size).collect();
        s.dedup();
        s
    };
    for &size in &sizes {
        if let Some((name, bound)) =
            field_figure(&runs, size, plan.base_config().lattice.coupling, dir)?
        {
            let _ = writeln!(
                md,
                "![L = {size}]({name})\n\nThe exact E₀(B)/N (black) is drawn from Lanczos values refined until every chord is within {bound:.1e} per spin of the curve (E₀ is concave in B, so the chords lie below it by at most that).\n"
            );
        }
    }
    let _ = write!(
        md,
        "{jumps}\n## (d) The warm-up against the exact E₀(B₀)\n\n{warmup}\nThe paper: ⟨E⟩ sits 2.5–4.5 % above E₀(B) near B = 1, close to the product state's −B; with B₀ = 10 that is −10 per spin.\n\n## (e) Landscapes at three stages and the roughness\n\n"
    );
    for (size, start) in grid(&runs) {
        if let Some(r) = cell(&runs, size, start, Estimator::Authors)
            .into_iter()
            .find(|r| r.seed == 0)
        {
            if let Some(name) = stage_figure(r, plan, dir)? {
                let _ = writeln!(md, "![L = {size}, B₀ = {start}]({name})\n");
            }
        }
    }
    let _ = write!(
        md,
        "Roughness (SPEC §4: mean absolute difference of value/N between neighbouring points) of the gaussian directions, seed 0; in brackets the paper's range over seeds (±1, 201×201):\n\n{rough}\nFilter-normalised directions (no paper numbers):\n\n{rough_filter}"
    );
    if standard {
        let heading = if authors {
            "The authors' estimator against the standard one"
        } else {
            "The standard estimator"
        };
        let _ = write!(
            md,
            "## (f) {heading}\n\n{}\nOutcomes with the standard estimator:\n\n{outcomes_standard}",
            estimator_table(&runs)
        );
    }
    let path = dir.join(REPORT_FILE);
    crate::files::write_atomically(&path, |f| std::io::Write::write_all(f, md.as_bytes()))
        .map_err(|e| StudyError::io(&path, e))?;
    Ok(path)
}

/// (runs with a ground state on top, finished runs) for `estimator`.
fn count_top(runs: &[StudyRun], estimator: Estimator) -> (usize, usize) {
    let done: Vec<&StudyRun> = runs
        .iter()
        .filter(|r| r.done() && r.estimator == estimator)
        .collect();
    (super::outcomes::top_on_ground(&done), done.len())
}
