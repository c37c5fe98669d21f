//! The study's table (`DIR/cells.csv`), figure (`DIR/figures/kl-vs-x.png`) and report
//! (`DIR/report.md`): at each X, the anneal's KL beside the fit's, and which limits the anneal.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::table::{describe_cell, write_csv};
use super::{anneal_point, fits::read_fits, kind_name, target_kind, CellsPlan, FitRecord};
use crate::analysis::RunFolder;
use crate::figures::{render, KlFigure, KlPanel, KlSeries};
use crate::physics::{Lattice, NewmanMoore, QuantumStateCache};
use crate::represent::ExactTarget;
use crate::study::{StudyError, REPORT_FILE};
use crate::sweep::{collect_rows, read_status, run_dir, RunState, Sweep};

/// KL (nats) below which a cell counts as representing the target: for a quantum target a
/// fidelity of about 0.99 or better.
pub const REPRESENTED_KL: f64 = 1e-2;

/// One run at one X.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub(super) id: String,
    /// The `cell` axis's label (rnn2d, made183).
    pub(super) cell: String,
    pub(super) network: crate::nn::NetworkConfig,
    pub(super) parameters: usize,
    pub(super) size: usize,
    pub(super) target: &'static str,
    pub(super) seed: u64,
    pub(super) x: f64,
    pub(super) anneal: super::AnnealPoint,
    pub(super) jump_x: Option<f64>,
    pub(super) fit: Option<FitRecord>,
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    })
}

fn jump_of_runs(sweep: &Sweep) -> Vec<(String, Option<f64>)> {
    let rows = collect_rows(sweep);
    let Some(header) = rows.first() else {
        return Vec::new();
    };
    let column = header.iter().position(|h| h == "jump_x");
    rows.iter()
        .skip(1)
        .map(|r| {
            let jump = column.and_then(|c| r.get(c)).and_then(|v| v.parse().ok());
            (r[0].clone(), jump)
        })
        .collect()
}

fn rows(sweep: &Sweep, plan: &CellsPlan) -> Result<Vec<Row>, StudyError> {
    let fits = read_fits(&sweep.dir);
    let jumps = jump_of_runs(sweep);
    let states = QuantumStateCache::in_memory();
    let mut out = Vec::new();
    for point in &sweep.spec.points {
        let dir = run_dir(&sweep.dir, &point.id);
        if read_status(&dir) != RunState::Done {
            continue;
        }
        let config = &point.config;
        let (size, target) = (config.lattice.size, kind_name(config.anneal.kind));
        let folder = RunFolder::open(&dir).map_err(|e| StudyError::io(&dir, e))?;
        let model = NewmanMoore::new(
            Lattice::new(size).map_err(|e| StudyError::io(&dir, e))?,
            config.lattice.coupling,
        )
        .map_err(|e| StudyError::io(&dir, e))?;
        let jump_x = jumps.iter().find(|j| j.0 == point.id).and_then(|j| j.1);
        let network = config.network.in_f64();
        let cell = super::plan::CellChoice { network, size }.label();
        for x in plan.points(target) {
            let exact = ExactTarget::new(&model, target_kind(target, x), &states)
                .map_err(|e| StudyError::io(&dir, e))?;
            let fit = fits
                .iter()
                .find(|f| {
                    f.cell == network.cell.name()
                        && f.hidden == network.hidden
                        && f.size == size
                        && f.target == target
                        && f.x == x
                        && f.seed == config.seed
                })
                .cloned();
            out.push(Row {
                id: point.id.clone(),
                cell: cell.clone(),
                network,
                parameters: network.parameter_count(size),
                size,
                target,
                seed: config.seed,
                x,
                anneal: anneal_point(&folder, &exact, x)?,
                jump_x,
                fit,
            });
        }
    }
    Ok(out)
}

/// What limits the anneal at one X, from the medians over seeds.
pub fn verdict(anneal_kl: f64, fit_kl: f64) -> &'static str {
    if anneal_kl <= REPRESENTED_KL {
        "the anneal follows the target"
    } else if fit_kl <= REPRESENTED_KL {
        "training: the cell represents the target, the anneal does not reach it"
    } else if anneal_kl <= 3.0 * fit_kl {
        "representation: the anneal is as close as the cell can be"
    } else {
        "both: the cell cannot represent it, and the anneal is further still"
    }
}

/// Write `DIR/cells.csv`, `DIR/figures/kl-vs-x.png` and `DIR/report.md`; returns the report's
/// path.
pub fn write_report(sweep: &Sweep, plan: &CellsPlan, seconds: f64) -> Result<PathBuf, StudyError> {
    let rows = rows(sweep, plan)?;
    write_csv(&sweep.dir.join("cells.csv"), &rows)?;
    let mut groups: Vec<(String, usize, &'static str)> = rows
        .iter()
        .map(|r| (r.cell.clone(), r.size, r.target))
        .collect();
    groups.sort();
    groups.dedup();
    // The paper's network first, then the others in the plan's order.
    let order = |label: &str| {
        plan.cells
            .iter()
            .position(|c| label.starts_with(c.name()))
            .unwrap_or(usize::MAX)
    };
    groups.sort_by_key(|g| (order(&g.0), g.1, g.2));
    let mut summary = Vec::new();

    let mut panels = Vec::new();
    let mut text = String::new();
    let _ = writeln!(
        text,
        "# annealscape cells --{}: representability against trainability (SPEC §9)\n",
        plan.length.name()
    );
    let settings = plan.fit_settings();
    let _ = writeln!(
        text,
        "At each X, two exact forward KLs KL(p*_X ‖ q) in nats over all 2^N configurations:\n\n\
         - **anneal**: each cell at the paper's 2D RNN's size (3,482 parameters, n_h = 40; other cells at the \
         width whose count is nearest, within 10 %) annealed with the paper's settings over {} steps \
         (quantum from B = 1 with the authors' estimator, thermal from T = 1 with the standard one); q is the weights \
         the trajectory holds nearest X (the last such point: at X₀ the end of the warm-up).\n\
         - **fit**: the same cell and width from a fresh initialisation (the run's seed), fitted to p*_X by `represent` \
         (exact gradients, {}; at most {} steps, stopping after {} steps without a relative improvement of {:e}); \
         its best KL. A fit that ran out of steps was still improving: its KL is an upper bound on what the cell \
         can reach, and the column \"fit steps\" says so.\n\n\
         The cell **represents** the target where the fit's KL is at most {REPRESENTED_KL:e} nats. \
         The **gap** is the anneal's KL over the fit's. Targets: quantum |ψ₀(B)|², thermal the Boltzmann \
         distribution at T. Medians over seeds; every seed is in `cells.csv`. This invocation took {:.0} s (runs and fits finished earlier are not redone).\n",
        plan.base_config().anneal.schedule().total_steps(),
        match settings.optimizer {
            crate::represent::RepresentOptimizer::Adam { learning_rate } => format!("Adam at η = {learning_rate}"),
            crate::represent::RepresentOptimizer::Sr { learning_rate, shift } => format!("the natural gradient at η = {learning_rate}, λ = {shift}"),
        },
        settings.max_steps, settings.patience, settings.min_improvement, seconds
    );
    let mut sections = String::new();
    for (cell, size, target) in &groups {
        let (size, target) = (*size, *target);
        let symbol = if target == "quantum" { "B" } else { "T" };
        let group: Vec<&Row> = rows
            .iter()
            .filter(|r| &r.cell == cell && r.size == size && r.target == target)
            .collect();
        let network = group[0].network;
        let describe = describe_cell(&network, group[0].parameters);
        let seeds = {
            let mut s: Vec<u64> = group.iter().map(|r| r.seed).collect();
            s.sort();
            s.dedup();
            s.len()
        };
        let jumps: Vec<f64> = {
            let mut j: Vec<(String, f64)> = group
                .iter()
                .filter_map(|r| r.jump_x.map(|x| (r.id.clone(), x)))
                .collect();
            j.dedup();
            j.into_iter().map(|j| j.1).collect()
        };
        let text = &mut sections;
        let _ = writeln!(
            text,
            "## {describe}: L = {size}, {target} ({seeds} seed{})\n",
            if seeds == 1 { "" } else { "s" }
        );
        let jump_text = if jumps.is_empty() {
            "no run jumped".to_string()
        } else {
            format!(
                "{} of {seeds} runs jumped, first at {symbol} = {}",
                jumps.len(),
                jumps
                    .iter()
                    .map(|x| format!("{x:.3}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let _ = writeln!(text, "Jumps: {jump_text}.\n");
        let _ = writeln!(
            text,
            "| {symbol} | anneal KL | fit KL | gap | anneal fidelity | fit fidelity | fit steps | what limits the anneal |\n|---|---|---|---|---|---|---|---|"
        );
        let mut xs: Vec<f64> = group.iter().map(|r| r.x).collect();
        xs.sort_by(|a, b| b.partial_cmp(a).expect("finite"));
        xs.dedup();
        let (mut anneal_median, mut fit_median) = (Vec::new(), Vec::new());
        let mut lost = None;
        let mut last_verdict = "no fit yet";
        let mut follows_at = Vec::new();
        for &x in &xs {
            let at: Vec<&&Row> = group.iter().filter(|r| r.x == x).collect();
            let a = median(at.iter().map(|r| r.anneal.kl).collect());
            let f = median(
                at.iter()
                    .filter_map(|r| r.fit.as_ref().map(|f| f.best_kl))
                    .collect(),
            );
            let af = median(at.iter().filter_map(|r| r.anneal.fidelity).collect());
            let ff = median(
                at.iter()
                    .filter_map(|r| r.fit.as_ref().and_then(|f| f.fidelity))
                    .collect(),
            );
            let steps = median(
                at.iter()
                    .filter_map(|r| r.fit.as_ref().map(|f| f.steps as f64))
                    .collect(),
            );
            let out_of_steps = at
                .iter()
                .filter(|r| r.fit.as_ref().is_some_and(|f| f.stop == "max-steps"))
                .count();
            if let Some(a) = a {
                anneal_median.push((x, a));
            }
            if let Some(f) = f {
                fit_median.push((x, f));
                if f > REPRESENTED_KL && lost.is_none() {
                    lost = Some(x);
                }
            }
            let show = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.2e}"));
            let fid = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.5}"));
            let why = match (a, f) {
                (Some(a), Some(f)) => verdict(a, f),
                _ => "no fit yet",
            };
            last_verdict = why;
            if a.is_some_and(|a| a <= REPRESENTED_KL) {
                follows_at.push(x.to_string());
            }
            let gap = match (a, f) {
                (Some(a), Some(f)) => format!("{:.1}", a / f),
                _ => "—".into(),
            };
            let _ = writeln!(
                text,
                "| {x} | {} | {} | {gap} | {} | {} | {} | {why} |",
                show(a),
                show(f),
                fid(af),
                fid(ff),
                steps.map_or("—".into(), |s| if out_of_steps > 0 {
                    format!("{s:.0} ({out_of_steps} still improving)")
                } else {
                    format!("{s:.0}")
                })
            );
        }
        let _ = writeln!(
            text,
            "\n{}\n",
            match lost {
                Some(x) => format!(
                    "{describe} stops representing the target (fit KL above {REPRESENTED_KL:e}) at {symbol} = {x}, going down."
                ),
                None if fit_median.is_empty() => "No fit has finished yet.".into(),
                None => format!(
                    "{describe} represents the target at every {symbol} measured (fit KL at most {REPRESENTED_KL:e})."
                ),
            }
        );
        let lowest = xs.last().copied();
        summary.push(format!(
            "| {cell} | {} | {size} | {target} | {} | {} | {} |",
            group[0].parameters,
            match (lost, fit_median.is_empty()) {
                (_, true) => "—".to_string(),
                (Some(x), _) => format!("above {symbol} = {x}"),
                (None, _) => format!("every {symbol} down to {}", lowest.unwrap_or(f64::NAN)),
            },
            if follows_at.is_empty() {
                "nowhere on the grid".to_string()
            } else {
                format!("at {symbol} = {}", follows_at.join(", "))
            },
            match lowest {
                Some(x) => format!("{symbol} = {x}: {last_verdict}"),
                None => "—".into(),
            }
        ));
        panels.push(KlPanel {
            title: format!("{cell}, L = {size}, {target}"),
            symbol: symbol.into(),
            series: vec![
                KlSeries {
                    label: "anneal (paper's Adam)".into(),
                    color: 3,
                    seeds: group.iter().map(|r| (r.x, r.anneal.kl)).collect(),
                    median: anneal_median,
                },
                KlSeries {
                    label: "fit (exact gradients)".into(),
                    color: 0,
                    seeds: group
                        .iter()
                        .filter_map(|r| r.fit.as_ref().map(|f| (r.x, f.best_kl)))
                        .collect(),
                    median: fit_median,
                },
            ],
            jumps,
            threshold: REPRESENTED_KL,
        });
    }
    let figures = sweep.dir.join("figures");
    std::fs::create_dir_all(&figures).map_err(|e| StudyError::io(&figures, e))?;
    let figure = KlFigure {
        title: "Each cell: the KL the anneal reaches against the KL the cell can reach".into(),
        panels,
    };
    render(&figure, &figures.join("kl-vs-x.png"), 1.0)?;
    let _ = writeln!(
        text,
        "## Summary\n\n| cell | parameters | L | target | the fit represents the target (KL ≤ {REPRESENTED_KL:e}) | the anneal follows it | at the lowest X |\n|---|---|---|---|---|---|---|\n{}\n",
        summary.join("\n")
    );
    text.push_str(&sections);
    let _ = writeln!(text, "![KL against X](figures/kl-vs-x.png)\n");
    let path = sweep.dir.join(REPORT_FILE);
    crate::files::write_atomically(&path, |w| std::io::Write::write_all(w, text.as_bytes()))
        .map_err(|e| StudyError::io(&path, e))?;
    Ok(path)
}
