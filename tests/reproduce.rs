//! `annealscape reproduce`: the study's plan, and a whole study on the test-only grid whose
//! report tables are checked against the run folders read independently here.

mod common;

use common::{annealscape, temp_dir};
use std::path::Path;
use std::process::Output;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The most frequent final configuration's ground-state id, read from summary.toml.
fn top_ground_state(run: &Path) -> Option<String> {
    let text = std::fs::read_to_string(run.join("summary.toml")).unwrap();
    let t: toml::Table = toml::from_str(&text).unwrap();
    let modes = t["modes"].as_array().unwrap();
    modes[0]
        .get("ground_state")
        .map(|g| g.as_str().unwrap().to_string())
}

fn energy_mean(run: &Path) -> f64 {
    let text = std::fs::read_to_string(run.join("summary.toml")).unwrap();
    let t: toml::Table = toml::from_str(&text).unwrap();
    t["energy_mean"].as_float().unwrap()
}

/// SPEC §4's roughness, written out here: the mean |difference| of neighbouring values along
/// each axis, averaged over the two axes.
fn roughness(values: &ndarray::Array2<f64>) -> f64 {
    let (rows, cols) = values.dim();
    let mut along_alpha = 0.0;
    for i in 0..rows {
        for j in 1..cols {
            along_alpha += (values[[i, j]] - values[[i, j - 1]]).abs();
        }
    }
    let mut along_beta = 0.0;
    for j in 0..cols {
        for i in 1..rows {
            along_beta += (values[[i, j]] - values[[i - 1, j]]).abs();
        }
    }
    let pairs = (rows * (cols - 1)) as f64;
    0.5 * (along_alpha / pairs + along_beta / ((cols * (rows - 1)) as f64))
}

#[test]
fn the_plan_is_the_papers_grid_and_bad_restrictions_are_refused() {
    let dir = temp_dir("reproduce-plan");
    let out = dir.to_str().unwrap();
    let full = annealscape(&["reproduce", "--full", "--out", out, "--dry-run"]);
    assert!(full.status.success(), "{}", stderr(&full));
    assert!(
        stderr(&full).contains("108 runs; estimated"),
        "{}",
        stderr(&full)
    );
    let spec =
        annealscape::sweep::SweepSpec::parse(&String::from_utf8_lossy(&full.stdout), "t").unwrap();
    assert_eq!(spec.points.len(), 3 * 3 * 2 * 6);
    assert!(spec
        .points
        .iter()
        .all(|p| p.config.anneal.schedule().total_steps() == 51_001));
    // The quick study shortens the descent, not the warm-up the paper's numbers are about.
    let quick = annealscape(&[
        "reproduce",
        "--out",
        out,
        "--dry-run",
        "--only",
        "lattice.size=3",
    ]);
    let spec =
        annealscape::sweep::SweepSpec::parse(&String::from_utf8_lossy(&quick.stdout), "t").unwrap();
    assert_eq!(spec.points.len(), 36);
    assert!(spec.points.iter().all(|p| p.config.lattice.size == 3
        && p.config.anneal.warmup_steps == 1000
        && p.config.anneal.schedule().total_steps() == 2001));
    let seeds = annealscape(&[
        "reproduce",
        "--out",
        out,
        "--dry-run",
        "--only",
        "seed=0..2",
    ]);
    let spec =
        annealscape::sweep::SweepSpec::parse(&String::from_utf8_lossy(&seeds.stdout), "t").unwrap();
    assert_eq!(spec.points.len(), 3 * 3 * 2 * 3);
    for (only, named) in [
        ("lattice.size=7", "7 is not a value"),
        ("network.hidden=3", "network.hidden"),
        ("seed", "KEY=VALUES"),
    ] {
        let o = annealscape(&["reproduce", "--out", out, "--dry-run", "--only", only]);
        assert_eq!(o.status.code(), Some(2), "{only}");
        assert!(stderr(&o).contains(named), "{only}: {}", stderr(&o));
    }
}

#[test]
fn a_test_grid_study_writes_a_report_whose_tables_match_the_run_folders() {
    let dir = temp_dir("reproduce-study");
    let out = dir.to_str().unwrap();
    let o = annealscape(&["reproduce", "--test-grid", "--out", out]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = std::fs::read_to_string(dir.join("report.md")).unwrap();
    for heading in [
        "## Where the numbers agree with the paper",
        "## (a) Outcomes",
        "## (b) Mode collapse at L = 3",
        "## (c) ⟨E⟩ against B",
        "## (d) The warm-up",
        "## (e) Landscapes",
        "## (f) The authors' estimator against the standard one",
    ] {
        assert!(report.contains(heading), "missing {heading}:\n{report}");
    }
    for figure in [
        "figures/energy_vs_field_L3.png",
        "figures/landscapes_L3_B0.png",
        "figures/landscapes_L3_B1.png",
    ] {
        assert!(report.contains(figure), "{figure} not in the report");
        let bytes = std::fs::read(dir.join(figure)).unwrap();
        assert_eq!(&bytes[1..4], b"PNG", "{figure}");
    }
    let csv = std::fs::read_to_string(dir.join("runs.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 8);

    // (a): the runs whose top final configuration is a ground state, counted from summary.toml.
    for start in ["0", "1"] {
        let on_ground = (0..2)
            .filter(|seed| {
                let run = dir.join(format!("runs/start{start}.0-estimatorauthors-seed{seed}"));
                top_ground_state(&run).is_some()
            })
            .count();
        let row = format!("| 3 (4) | {start} | {on_ground}/2 |");
        assert!(report.contains(&row), "no row {row}:\n{report}");
    }
    // (b): one row per L = 3 authors run with its final energy.
    for start in ["0", "1"] {
        for seed in 0..2 {
            let run = dir.join(format!("runs/start{start}.0-estimatorauthors-seed{seed}"));
            let row = format!("| {start} | {seed} | {:.4} |", energy_mean(&run));
            assert!(report.contains(&row), "no row {row}:\n{report}");
        }
    }
    // (e): the warm-up roughness of seed 0 at B0 = 1, recomputed from the stored surface.
    let stored = annealscape::landscape::load_landscape(
        &dir.join("runs/start1.0-estimatorauthors-seed0/landscapes/warmup-gaussian.npz"),
    )
    .unwrap();
    assert_eq!(stored.surface.values.dim(), (11, 11));
    let r = roughness(&stored.surface.values);
    assert!(
        report.contains(&format!("| {r:.3} (0.020–0.026,")),
        "warm-up roughness {r:.3}:\n{report}"
    );

    // Rerunning redoes nothing and rewrites the report.
    let metrics = dir.join("runs/start1.0-estimatorauthors-seed0/metrics.csv");
    let before = std::fs::metadata(&metrics).unwrap().modified().unwrap();
    std::fs::remove_file(dir.join("report.md")).unwrap();
    let again = annealscape(&["reproduce", "--test-grid", "--out", out]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stderr(&again).contains("(0 to do"), "{}", stderr(&again));
    assert!(
        !stderr(&again).contains("landscape 1/"),
        "landscapes recomputed"
    );
    assert_eq!(
        std::fs::metadata(&metrics).unwrap().modified().unwrap(),
        before
    );
    assert!(dir.join("report.md").exists());
    // --report-only runs nothing and writes the report from what is there.
    std::fs::remove_file(dir.join("report.md")).unwrap();
    let report_only = annealscape(&["reproduce", "--test-grid", "--out", out, "--report-only"]);
    assert!(report_only.status.success(), "{}", stderr(&report_only));
    assert!(
        !stderr(&report_only).contains("to do"),
        "{}",
        stderr(&report_only)
    );
    assert!(dir.join("report.md").exists());
    // A study restricted by --only speaks only of what ran: no comparison with an estimator
    // that did not run, and no "0 of 0".
    let authors_only = dir.join("authors-only");
    let o = annealscape(&[
        "reproduce",
        "--test-grid",
        "--only",
        "anneal.estimator=authors",
        "--only",
        "seed=0",
        "--out",
        authors_only.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let restricted = std::fs::read_to_string(authors_only.join("report.md")).unwrap();
    assert!(
        restricted.contains("the standard estimator was not in this study"),
        "{restricted}"
    );
    for absent in ["## (f)", "with the standard one", "0 of 0"] {
        assert!(!restricted.contains(absent), "{absent}:\n{restricted}");
    }
    assert!(restricted.contains("## (b) Mode collapse at L = 3"));
    // Another grid into the same folder is refused, naming the fix.
    let other = annealscape(&["reproduce", "--test-grid", "--only", "seed=0", "--out", out]);
    assert_eq!(other.status.code(), Some(2));
    assert!(
        stderr(&other).contains("choose a new --out folder"),
        "{}",
        stderr(&other)
    );
}
