//! `DIR/report.md` of the remedies study: a ranking table per (L, target) scored per SPEC §8.4,
//! the coverage-against-cost figure, and the best remedy's curves beside the baseline's.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use crate::figures::{
    render, CostPanel, CostPoint, CoverageCostFigure, FieldCurvesFigure, FieldPanel,
};
use crate::physics::{ExactThermo, Lattice, NewmanMoore};
use crate::study::{exact_curve, field_curve, runs_line, study_runs, StudyError, StudyRun};
use crate::sweep::{collect, Sweep};

use super::plan::{LeftOut, RemediesPlan, BASELINE, NOT_BUILT, REMEDIES};
use super::score::{score, RemedyScore, Verdict};

/// The report's file name.
pub const REPORT_FILE: &str = "report.md";

/// Points of the exact thermal curve f(T).
const THERMAL_CURVE_POINTS: usize = 120;

fn optional(v: Option<f64>, digits: usize) -> String {
    v.filter(|x| x.is_finite())
        .map_or("—".into(), |x| format!("{x:.digits$}"))
}

/// The index of `remedy` in [`REMEDIES`] (its colour in every figure).
fn color_of(remedy: &str) -> usize {
    REMEDIES.iter().position(|r| r.name == remedy).unwrap_or(0)
}

/// The scores of one cell, best first: by the headline (coverage or success rate), then by
/// cost; unscored last.
fn ranked(scores: &[RemedyScore], size: usize, target: &str) -> Vec<RemedyScore> {
    let mut cell: Vec<RemedyScore> = scores
        .iter()
        .filter(|s| s.size == size && s.target == target)
        .cloned()
        .collect();
    cell.sort_by(|a, b| {
        let h = |s: &RemedyScore| s.headline().map_or(f64::NEG_INFINITY, |h| h.0);
        h(b).total_cmp(&h(a)).then(
            a.relative_cost
                .unwrap_or(f64::INFINITY)
                .total_cmp(&b.relative_cost.unwrap_or(f64::INFINITY)),
        )
    });
    cell
}

/// The (L, target) cells in sweep order.
fn cells(scores: &[RemedyScore]) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for s in scores {
        if !out.iter().any(|c| c.0 == s.size && c.1 == s.target) {
            out.push((s.size, s.target.clone()));
        }
    }
    out
}

fn ranking_table(md: &mut String, cell: &[RemedyScore]) {
    let quantum = cell.first().is_some_and(|s| s.target == "quantum");
    let g = cell.first().map_or(1, |s| s.ground_states);
    let _ = writeln!(
        md,
        "| rank | remedy | runs done | reached E₀ (95 % interval) | coverage: mass × effective modes / {g} | collapsed (median step) | jumps per run (median first {}) | final ⟨E⟩/N − E₀/N | final {} | wall s | cost × | against the baseline |\n|---|---|---|---|---|---|---|---|---|---|---|---|",
        if quantum { "B" } else { "T" },
        if quantum { "fidelity" } else { "reverse KL" }
    );
    for (rank, s) in cell.iter().enumerate() {
        let coverage = match s.coverage {
            Some((m, se)) => format!("{m:.3} ± {se:.3}"),
            None if g == 1 => "— (one ground state)".into(),
            None => "—".into(),
        };
        let collapsed = if s.ground_states > 1 && s.done > 0 {
            format!(
                "{}/{}{}",
                s.collapsed,
                s.done,
                s.collapse_step
                    .map_or(String::new(), |c| format!(" ({c:.0})"))
            )
        } else {
            "—".into()
        };
        let _ = writeln!(
            md,
            "| {} | {} | {}/{} | {}/{} ({:.2}–{:.2}) | {coverage} | {collapsed} | {:.1} ({}) | {} | {} | {} | {} | {} |",
            rank + 1,
            s.remedy,
            s.done,
            s.runs,
            s.successes,
            s.done,
            s.success_interval.0,
            s.success_interval.1,
            s.jumps,
            optional(s.first_jump_x, 3),
            optional(s.residual_energy, 4),
            if quantum {
                optional(s.fidelity, 4)
            } else {
                optional(s.kl_reverse, 4)
            },
            optional(s.wall_seconds, if s.wall_seconds.is_some_and(|w| w < 10.0) { 1 } else { 0 }),
            optional(s.relative_cost, 2),
            s.verdict.words()
        );
    }
    md.push('\n');
}

/// The exact curve under a cell's runs: E₀(B)/N at L ≤ 4, f(T) at any L.
fn exact_reference(size: usize, target: &str, start: f64) -> (String, Vec<(f64, f64)>) {
    if target == "quantum" {
        if size > 4 {
            return ("exact E0(B)/N (not drawn above L = 4)".into(), Vec::new());
        }
        return ("exact E0(B)/N".into(), exact_curve(size, 1.0, start).0);
    }
    let Some(thermo) = Lattice::new(size)
        .ok()
        .and_then(|l| NewmanMoore::new(l, 1.0).ok())
        .map(ExactThermo::new)
    else {
        return ("exact f(T)".into(), Vec::new());
    };
    let points = (0..=THERMAL_CURVE_POINTS)
        .map(|i| start * i as f64 / THERMAL_CURVE_POINTS as f64)
        .filter_map(|t| thermo.at(t).ok().map(|th| (t, th.f)))
        .collect();
    ("exact f(T)".into(), points)
}

/// The ⟨objective⟩-against-X figure of one cell: the baseline's seeds beside the best
/// remedy's. Returns the file name.
fn curves_figure(
    runs: &[StudyRun],
    size: usize,
    target: &str,
    best: &str,
    start: f64,
    dir: &Path,
) -> Result<String, StudyError> {
    let quantum = target == "quantum";
    let (exact_label, exact) = exact_reference(size, target, start);
    let panel = |remedy: &str| FieldPanel {
        title: format!("L = {size}, {target}: {remedy}"),
        x_label: if quantum {
            "field B (the anneal runs right to left)".into()
        } else {
            "temperature T (the anneal runs right to left)".into()
        },
        y_label: if quantum {
            "<E_loc>/N".into()
        } else {
            "F/N".into()
        },
        exact_label: exact_label.clone(),
        exact: exact.clone(),
        runs: runs
            .iter()
            .filter(|r| {
                r.done()
                    && r.size == size
                    && r.text("target") == target
                    && r.text("remedy") == remedy
            })
            .map(field_curve)
            .collect(),
    };
    let figure = FieldCurvesFigure {
        title: format!("L = {size}, {target}: the paper's Adam beside the best remedy ({best})"),
        panels: vec![panel(BASELINE), panel(best)],
        columns: 2,
    };
    let name = format!("curves-L{size}-{target}.png");
    render(&figure, &dir.join(&name), 1.0)?;
    Ok(name)
}

/// The coverage-against-cost figure. Returns the file name.
fn cost_figure(scores: &[RemedyScore], dir: &Path) -> Result<String, StudyError> {
    let panels = cells(scores)
        .into_iter()
        .map(|(size, target)| {
            let cell = ranked(scores, size, &target);
            let g = cell.first().map_or(1, |s| s.ground_states);
            CostPanel {
                title: format!("L = {size}, {target}"),
                y_label: if g > 1 {
                    format!("coverage (mass x effective modes / {g})")
                } else {
                    "runs reaching E0".into()
                },
                points: cell
                    .iter()
                    .filter_map(|s| {
                        let (value, lo, hi) = s.headline()?;
                        Some(CostPoint {
                            label: s.remedy.clone(),
                            color: color_of(&s.remedy),
                            cost: s.relative_cost?,
                            value,
                            interval: (lo, hi),
                        })
                    })
                    .collect(),
            }
        })
        .collect::<Vec<_>>();
    let figure = CoverageCostFigure {
        title: "Each remedy's coverage (degenerate lattices) or success rate (one ground state) against its cost, 95 % intervals".into(),
        columns: panels.len().clamp(1, 3),
        panels,
    };
    let name = "coverage-cost.png".to_string();
    render(&figure, &dir.join(&name), 1.0)?;
    Ok(name)
}

/// The plain summary: per cell, which remedies clear the baseline's interval and which do not.
fn summary(scores: &[RemedyScore]) -> String {
    let mut md = String::new();
    for (size, target) in cells(scores) {
        let cell = ranked(scores, size, &target);
        let names = |v: Verdict| -> Vec<String> {
            cell.iter()
                .filter(|s| s.verdict == v)
                .map(|s| s.remedy.clone())
                .collect()
        };
        let g = cell.first().map_or(1, |s| s.ground_states);
        let measure = if g > 1 {
            "coverage of the ground states"
        } else {
            "rate of reaching E₀"
        };
        let list = |v: Vec<String>| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.join(", ")
            }
        };
        let base = cell.iter().find(|s| s.remedy == BASELINE);
        let _ = writeln!(
            md,
            "- **L = {size}, {target}** ({measure}; the baseline {}): clear the baseline's interval: {}; below it: {}; within it: {}.",
            base.and_then(|b| b.headline())
                .map_or("did not finish".into(), |h| format!("{:.2} ({:.2}–{:.2})", h.0, h.1, h.2)),
            list(names(Verdict::Helps)),
            list(names(Verdict::Hurts)),
            list(names(Verdict::Within)),
        );
    }
    md
}

/// Write `DIR/report.md` and its figures from what has finished; returns the report's path.
pub fn write_report(
    sweep: &Sweep,
    plan: &RemediesPlan,
    wall_seconds: f64,
) -> Result<PathBuf, StudyError> {
    let rows = collect(sweep)?;
    let runs = study_runs(sweep, &rows);
    let scores = score(&runs);
    let dir = &sweep.dir;
    let figures = dir.join("figures");
    std::fs::create_dir_all(&figures).map_err(|e| StudyError::io(&figures, e))?;
    let base = plan.base_config();
    let mut md = String::new();
    let _ = write!(
        md,
        "# annealscape remedies --{}: what changes the outcome\n\nEvery remedy of SPEC §8 against the paper's Adam at the same step budget, scored per SPEC §8.4 over seeds. Written by `annealscape remedies`; the runs are in `runs/`, one row each in `runs.csv` (columns in docs/sweeps.md), the figures in `figures/`.\n\n## Settings\n\n- Runs of {} steps ({} warm-up, {} values × {}), n_h = {}, M = {}; quantum from B₀ = {}, thermal from T₀ = {}; seeds {}.\n{}- A run *reaches E₀* when the most frequent configuration of its final sample is a ground state. *Coverage* is the exact effective number of ground states at the end (exp of the entropy of p over the 2^k ground states, normalised) over 2^k, times the ground states' total probability: a network far from every ground state spreads its little mass there evenly, and that is not coverage. *Collapsed* counts runs whose effective modes fell below 1.5 and stayed there to the end (the collapse onset of docs/distances.md). A remedy **helps** where its 95 % interval (Wilson for the success rate; mean ± 1.96 standard errors for the coverage, which decides on degenerate lattices) lies above the baseline's, and *hurts* where it lies below.\n\n",
        plan.length.name(),
        base.anneal.schedule().total_steps(),
        base.anneal.warmup_steps,
        base.anneal.anneal_steps,
        base.anneal.train_steps,
        base.network.hidden,
        base.anneal.samples,
        base.anneal.start,
        base.anneal.start,
        plan.values("seed")
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        runs_line(&runs, wall_seconds)
    );
    md.push_str("## The remedies\n\n| remedy | what it is | settings |\n|---|---|---|\n");
    for r in REMEDIES {
        let settings: Vec<String> = r
            .settings
            .iter()
            .map(|(k, v)| format!("`{k} = {v}`"))
            .collect();
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            r.name,
            r.summary,
            if settings.is_empty() {
                "the base".into()
            } else {
                settings.join(", ")
            }
        );
    }
    for (name, why) in NOT_BUILT {
        let _ = writeln!(md, "| {name} | not run: {why} | — |");
    }
    // Why cells are missing, each reason once with the cells it removes.
    let mut left_out: Vec<(LeftOut, Vec<String>)> = Vec::new();
    for (size, target) in plan
        .values("lattice.size")
        .iter()
        .filter_map(|v| v.as_integer())
        .flat_map(|s| ["quantum", "thermal"].map(|t| (s, t)))
    {
        if plan.skipped_cells.contains(&(size, target)) {
            let why = plan
                .applies(size, target, BASELINE)
                .expect_err("a skipped cell refuses every remedy");
            left_out.push((why, vec!["every remedy".into()]));
            continue;
        }
        for r in REMEDIES {
            if let Err(why) = plan.applies(size, target, r.name) {
                let cell = format!("{} at L = {size} {target}", r.name);
                match left_out.iter_mut().find(|(w, _)| *w == why) {
                    Some((_, cells)) => cells.push(cell),
                    None => left_out.push((why, vec![cell])),
                }
            }
        }
    }
    if !left_out.is_empty() {
        md.push_str("\nLeft out of the grid:\n\n");
        for (why, cells) in left_out {
            let _ = writeln!(md, "- {why} ({}).", cells.join(", "));
        }
    }
    md.push_str("\n## Summary\n\n");
    md.push_str(&summary(&scores));
    let cost = cost_figure(&scores, &figures)?;
    let _ = writeln!(md, "\n![coverage against cost](figures/{cost})\n");
    md.push_str("## Rankings\n\n");
    for (size, target) in cells(&scores) {
        let cell = ranked(&scores, size, &target);
        let _ = writeln!(md, "### L = {size}, {target}\n");
        ranking_table(&mut md, &cell);
        let best = cell
            .iter()
            .find(|s| s.remedy != BASELINE && s.done > 0)
            .map(|s| s.remedy.clone());
        if let Some(best) = best {
            let name = curves_figure(&runs, size, &target, &best, base.anneal.start, &figures)?;
            let _ = writeln!(
                md,
                "The objective against {} for the baseline and the best-ranked remedy ({best}); triangles mark each run's first energy jump:\n\n![curves](figures/{name})\n",
                if target == "quantum" { "B" } else { "T" }
            );
        }
    }
    let path = dir.join(REPORT_FILE);
    crate::files::write_atomically(&path, |w| std::io::Write::write_all(w, md.as_bytes()))
        .map_err(|e| StudyError::io(&path, e))?;
    Ok(path)
}
