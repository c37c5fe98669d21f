//! The report's outcome table (SPEC §5.3) and the L = 3 mode-collapse table (SPEC §5.4).

use std::fmt::Write;

use crate::anneal::Estimator;
use crate::physics::{GroundStates, Lattice};
use crate::run::read_summary;

use super::paper::{paper_outcome, MODE_COLLAPSE};
use super::StudyRun;

/// A ground state is "held" by a final sample when at least this share of it is on it (one
/// sample of the paper's 100).
pub const HELD_SHARE: f64 = 0.01;

/// Finished runs at (L, B₀) with `estimator`.
pub fn cell(runs: &[StudyRun], size: usize, start: f64, estimator: Estimator) -> Vec<&StudyRun> {
    runs.iter()
        .filter(|r| r.done() && r.size == size && r.start == start && r.estimator == estimator)
        .collect()
}

/// The (L, B₀) pairs present, in order.
pub fn grid(runs: &[StudyRun]) -> Vec<(usize, f64)> {
    let mut g: Vec<(usize, f64)> = Vec::new();
    for r in runs {
        if !g.contains(&(r.size, r.start)) {
            g.push((r.size, r.start));
        }
    }
    g.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    g
}

/// Ground states at L.
pub fn ground_state_count(size: usize) -> usize {
    Lattice::new(size).map_or(0, |l| {
        1usize << GroundStates::new(l).degeneracy_log2().min(40)
    })
}

/// Runs whose most frequent final configuration is a ground state.
pub fn top_on_ground(runs: &[&StudyRun]) -> usize {
    runs.iter().filter(|r| r.top_defects() == Some(0.0)).count()
}

/// How a count of ours compares with the paper's.
fn agreement(ours: usize, n: usize, paper: usize, paper_n: usize) -> &'static str {
    let scaled = paper as f64 * n as f64 / paper_n.max(1) as f64;
    let d = (ours as f64 - scaled).abs();
    if d < 0.5 {
        "agrees"
    } else if d <= 1.5 {
        "within one run"
    } else {
        "differs"
    }
}

/// Section (a); returns the markdown and the verdict counts (agrees, within one, differs).
pub fn outcome_table(runs: &[StudyRun], estimator: Estimator) -> (String, [usize; 3]) {
    let mut md = String::new();
    let mut verdicts = [0usize; 3];
    md.push_str(
        "| L (ground states) | B₀ | top configuration a ground state | all final samples ground states | the others: ⟨E⟩/N (defects of the top configuration) | paper: reached E₀ | |\n|---|---|---|---|---|---|---|\n",
    );
    for (size, start) in grid(runs) {
        let c = cell(runs, size, start, estimator);
        if c.is_empty() {
            continue;
        }
        let top = top_on_ground(&c);
        let all = c.iter().filter(|r| r.reached()).count();
        let others: Vec<String> = c
            .iter()
            .filter(|r| r.top_defects() != Some(0.0))
            .map(|r| {
                format!(
                    "seed {}: {:.4} ({})",
                    r.seed,
                    r.number("energy_mean").unwrap_or(f64::NAN),
                    r.top_defects().map_or("?".into(), |d| format!("{d:.0}"))
                )
            })
            .collect();
        let (paper, verdict) = match paper_outcome(size, start) {
            Some(p) => {
                let v = agreement(top, c.len(), p.reached, p.runs);
                verdicts[match v {
                    "agrees" => 0,
                    "within one run" => 1,
                    _ => 2,
                }] += 1;
                (
                    format!(
                        "{}/{}{}",
                        p.reached,
                        p.runs,
                        if p.text.is_empty() {
                            String::new()
                        } else {
                            format!("; {}", p.text)
                        }
                    ),
                    v,
                )
            }
            None => ("—".into(), ""),
        };
        let _ = writeln!(
            md,
            "| {size} ({}) | {start} | {top}/{n} | {all}/{n} | {} | {paper} | {verdict} |",
            ground_state_count(size),
            if others.is_empty() {
                "—".into()
            } else {
                others.join("; ")
            },
            n = c.len(),
        );
    }
    (md, verdicts)
}

/// Section (b): which ground states each L = 3 run ended on, from the final samples.
pub fn mode_collapse_table(runs: &[StudyRun], estimator: Estimator) -> String {
    let mut md = String::new();
    md.push_str("| B₀ | seed | final ⟨E⟩/N | ground states held (id: share of the final sample) | collapsed on the uniform state (≥ 99 %) |\n|---|---|---|---|---|\n");
    let mut on_ground = 0;
    let mut single = 0;
    let mut uniform_by_start: Vec<(f64, usize)> = Vec::new();
    let mut multi: Vec<String> = Vec::new();
    let mut three_or_more = 0;
    let l3: Vec<&StudyRun> = runs
        .iter()
        .filter(|r| r.done() && r.size == 3 && r.estimator == estimator)
        .collect();
    for r in &l3 {
        let Some(s) = read_summary(&r.dir).ok().flatten() else {
            continue;
        };
        let held: Vec<(String, f64)> = s
            .modes
            .iter()
            .filter_map(|m| {
                let share = m.count as f64 / s.samples.max(1) as f64;
                m.ground_state
                    .clone()
                    .filter(|_| share >= HELD_SHARE)
                    .map(|g| (g, share))
            })
            .collect();
        let top_share = s
            .modes
            .first()
            .map_or(0.0, |m| m.count as f64 / s.samples.max(1) as f64);
        // Collapsed as the paper means it: (nearly) the whole sample on the uniform state.
        let uniform_only = held.len() == 1 && held[0].0 == "0" && held[0].1 >= 1.0 - HELD_SHARE;
        if r.top_defects() == Some(0.0) {
            on_ground += 1;
            if held.len() == 1 && top_share >= 1.0 - HELD_SHARE {
                single += 1;
            }
            if uniform_only {
                match uniform_by_start.iter_mut().find(|u| u.0 == r.start) {
                    Some(u) => u.1 += 1,
                    None => uniform_by_start.push((r.start, 1)),
                }
            }
            if held.len() >= 2 {
                multi.push(format!(
                    "B₀ = {}, seed {} ({})",
                    r.start,
                    r.seed,
                    held.iter()
                        .map(|(g, s)| format!("{g}: {:.0} %", 100.0 * s))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if held.len() >= 3 {
                three_or_more += 1;
            }
        }
        let _ = writeln!(
            md,
            "| {} | {} | {:.4} | {} | {} |",
            r.start,
            r.seed,
            s.energy_mean,
            if held.is_empty() {
                "none".into()
            } else {
                held.iter()
                    .map(|(g, s)| format!("{g}: {:.1} %", 100.0 * s))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            if uniform_only { "yes" } else { "no" }
        );
    }
    if l3.is_empty() {
        return "No finished L = 3 runs.\n".into();
    }
    let uniform: usize = uniform_by_start.iter().map(|u| u.1).sum();
    let by_start: Vec<String> = uniform_by_start
        .iter()
        .map(|(b, k)| format!("B₀ = {b}: {k}"))
        .collect();
    let _ = write!(
        md,
        "\n**Ours:** of {on_ground} runs whose top final configuration is a ground state, {single} put all but <1 % of the samples on one configuration, {uniform} of them on the uniform state (id 0, configuration 00…0, the paper's trivial all-down state; {}); {} held two or more ground states{}; {three_or_more} held three or more.\n\n**Paper** (SPEC §5.4, B₀ = 0, 1, 10 × 6 seeds): {MODE_COLLAPSE}.\n",
        if by_start.is_empty() { "none".into() } else { by_start.join(", ") },
        multi.len(),
        if multi.is_empty() { String::new() } else { format!(" — {}", multi.join("; ")) },
    );
    md
}
