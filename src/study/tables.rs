//! The report's tables on jumps (c), the warm-up (d), roughness (e) and the two estimators (f).

use std::fmt::Write;

use crate::anneal::Estimator;

use super::outcomes::{cell, grid, top_on_ground};
use super::paper::{paper_roughness, WARMUP_B1};
use super::{StudyRun, LANDSCAPE_SNAPSHOTS};

/// The median of the finite values, if any.
fn median(mut v: Vec<f64>) -> Option<f64> {
    v.retain(|x| x.is_finite());
    (!v.is_empty()).then(|| crate::stats::median(&v))
}

fn range(v: &[f64]) -> Option<(f64, f64)> {
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    lo.is_finite().then_some((lo, hi))
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or("—".into(), |x| format!("{x:.digits$}"))
}

/// Section (c): where each annealed run first jumped, by (L, B₀) and estimator.
pub fn jump_table(runs: &[StudyRun]) -> (String, usize, usize, Vec<f64>) {
    let mut md = String::from(
        "| L | B₀ | estimator | runs with a jump | first jump: B (size of ⟨E⟩/N step) by seed |\n|---|---|---|---|---|\n",
    );
    let (mut jumped, mut annealed, mut at) = (0, 0, Vec::new());
    for (size, start) in grid(runs).into_iter().filter(|g| g.1 > 0.0) {
        for est in [Estimator::Authors, Estimator::Standard] {
            let c = cell(runs, size, start, est);
            if c.is_empty() {
                continue;
            }
            let with: Vec<&&StudyRun> = c
                .iter()
                .filter(|r| r.number("jumps").unwrap_or(0.0) > 0.0)
                .collect();
            if est == Estimator::Authors {
                annealed += c.len();
                jumped += with.len();
                at.extend(with.iter().filter_map(|r| r.number("jump_x")));
            }
            let list: Vec<String> = with
                .iter()
                .map(|r| {
                    format!(
                        "{}: {} ({:+.3})",
                        r.seed,
                        opt(r.number("jump_x"), 3),
                        r.number("jump_size").unwrap_or(f64::NAN)
                    )
                })
                .collect();
            let _ = writeln!(
                md,
                "| {size} | {start} | {} | {}/{} | {} |",
                c[0].estimator_name(),
                with.len(),
                c.len(),
                if list.is_empty() {
                    "—".into()
                } else {
                    list.join(", ")
                }
            );
        }
    }
    (md, jumped, annealed, at)
}

/// Section (d): the end of the warm-up against the exact E₀(B₀) and SPEC §5.1; returns the
/// markdown and (overlapping, compared) B₀ = 1 ranges.
pub fn warmup_table(runs: &[StudyRun]) -> (String, usize, usize) {
    let mut md = String::from(
        "| L | B₀ | ⟨E⟩/N, mean of the last 100 warm-up steps (range over seeds) | exact E₀(B₀)/N | error (range) | error / abs(E₀) | paper (B₀ = 1) | |\n|---|---|---|---|---|---|---|---|\n",
    );
    let (mut overlap, mut compared) = (0, 0);
    for (size, start) in grid(runs) {
        let c = cell(runs, size, start, Estimator::Authors);
        let warm: Vec<f64> = c
            .iter()
            .filter_map(|r| r.number("warmup_objective"))
            .collect();
        let err: Vec<f64> = c.iter().filter_map(|r| r.number("warmup_error")).collect();
        let Some((lo, hi)) = range(&warm) else {
            continue;
        };
        let exact = c.iter().find_map(|r| r.number("warmup_exact"));
        let paper = (start == 1.0)
            .then(|| WARMUP_B1.iter().find(|w| w.0 == size))
            .flatten();
        let verdict = match paper {
            Some(&(_, plo, phi)) => {
                compared += 1;
                if hi < plo {
                    "below the paper's"
                } else if lo > phi {
                    "above the paper's"
                } else {
                    overlap += 1;
                    "overlaps"
                }
            }
            None => "",
        };
        let _ = writeln!(
            md,
            "| {size} | {start} | {lo:.4} … {hi:.4} | {} | {} | {} | {} | {verdict} |",
            opt(exact, 4),
            range(&err).map_or("—".into(), |(a, b)| format!("{a:+.4} … {b:+.4}")),
            range(&err)
                .zip(exact.filter(|e| *e != 0.0))
                .map_or("—".into(), |((a, b), e)| format!(
                    "{:.1} … {:.1} %",
                    100.0 * a / e.abs(),
                    100.0 * b / e.abs()
                )),
            paper.map_or("—".into(), |p| format!("{:.3} … {:.3}", p.1, p.2)),
        );
    }
    (md, overlap, compared)
}

/// Section (e): roughness of the seed-0 landscapes at the six snapshots, against SPEC §5.5
/// for `directions = "gaussian"`; returns the markdown and (inside, above, below) counts.
pub fn roughness_table(runs: &[StudyRun], directions: &str) -> (String, [usize; 3]) {
    let mut md = format!("| L, B₀ | {} |\n|---|", LANDSCAPE_SNAPSHOTS.join(" | "));
    md.push_str(&"---|".repeat(LANDSCAPE_SNAPSHOTS.len()));
    md.push('\n');
    let mut counts = [0usize; 3];
    for (size, start) in grid(runs) {
        let Some(r) = cell(runs, size, start, Estimator::Authors)
            .into_iter()
            .find(|r| r.seed == 0)
        else {
            continue;
        };
        let paper = (directions == "gaussian")
            .then(|| paper_roughness(size, start))
            .flatten();
        let cells: Vec<String> = LANDSCAPE_SNAPSHOTS
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let ours = r.roughness(&format!("{name}-{directions}"));
                match (ours, paper) {
                    (Some(v), Some(p)) => {
                        let (lo, hi) = p[k];
                        let mark = if v < lo {
                            counts[2] += 1;
                            "below"
                        } else if v > hi {
                            counts[1] += 1;
                            "above"
                        } else {
                            counts[0] += 1;
                            "inside"
                        };
                        format!("{v:.3} ({lo:.3}–{hi:.3}, {mark})")
                    }
                    (Some(v), None) => format!("{v:.3}"),
                    (None, _) => "—".into(),
                }
            })
            .collect();
        let _ = writeln!(md, "| {size}, {start} | {} |", cells.join(" | "));
    }
    (md, counts)
}

/// Section (f): the authors' estimator against the standard one, cell by cell.
pub fn estimator_table(runs: &[StudyRun]) -> String {
    let mut md = String::from(
        "| L | B₀ | estimator | top configuration a ground state | runs with a jump | median first-jump B | distinct final configurations (mean) | ground states in the final sample (mean) | collapse onto one mode: step (median) | max Adam sharpness / 38/η (median) |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for (size, start) in grid(runs) {
        for est in [Estimator::Authors, Estimator::Standard] {
            let c = cell(runs, size, start, est);
            if c.is_empty() {
                continue;
            }
            let mean = |col: &str| {
                let v: Vec<f64> = c.iter().filter_map(|r| r.number(col)).collect();
                (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
            };
            let med = |col: &str| median(c.iter().filter_map(|r| r.number(col)).collect());
            let jumped = c
                .iter()
                .filter(|r| r.number("jumps").unwrap_or(0.0) > 0.0)
                .count();
            let _ = writeln!(
                md,
                "| {size} | {start} | {} | {}/{n} | {} | {} | {} | {} | {} | {} |",
                c[0].estimator_name(),
                top_on_ground(&c),
                if start > 0.0 {
                    format!("{jumped}/{}", c.len())
                } else {
                    "—".into()
                },
                if start > 0.0 {
                    opt(med("jump_x"), 3)
                } else {
                    "—".into()
                },
                opt(mean("distinct_configurations"), 1),
                opt(mean("ground_states_found"), 2),
                opt(med("collapse_step"), 0),
                opt(med("max_preconditioned_ratio"), 3),
                n = c.len(),
            );
        }
    }
    md
}
