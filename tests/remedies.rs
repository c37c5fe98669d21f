//! `annealscape remedies`: the plan's grid counted here, refused restrictions, and a whole
//! study on the test-only grid whose report is checked against the run folders read
//! independently here.

mod common;

use common::{annealscape, temp_dir};
use std::path::Path;

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn the_grid_has_every_remedy_where_it_applies_and_bad_restrictions_are_refused() {
    let dir = temp_dir("remedies-plan");
    let out = dir.to_str().unwrap();
    // Counted by hand: quantum runs take all eleven remedies, but exact only at L = 3 and the
    // two code symmetries only on degenerate lattices (L = 3, 6, 7; L = 4 and 5 have one
    // ground state); thermal runs take two fewer (no RVQA, no separate standard estimator).
    let count =
        |l: usize, all: usize| all - usize::from(l != 3) - 2 * usize::from(l == 4 || l == 5);
    let quantum = |sizes: &[usize]| sizes.iter().map(|&l| count(l, 11)).sum::<usize>();
    let thermal = |sizes: &[usize]| sizes.iter().map(|&l| count(l, 9)).sum::<usize>();
    let full = (quantum(&[3, 4, 5, 6, 7]) + thermal(&[3, 4, 5, 6, 7])) * 6;
    let quick = (quantum(&[3, 4, 6]) + thermal(&[3])) * 6;
    for (flag, runs) in [("--full", full), ("--quick", quick)] {
        let o = annealscape(&["remedies", flag, "--out", out, "--dry-run"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("{runs} runs; estimated")),
            "{flag}: {}",
            stderr(&o)
        );
    }
    let o = annealscape(&[
        "remedies",
        "--out",
        out,
        "--dry-run",
        "--only",
        "remedy=sr,adam",
        "--only",
        "lattice.size=4",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("12 runs"), "{}", stderr(&o));
    let spec = String::from_utf8_lossy(&o.stdout);
    assert!(spec.contains("remedy = [\"adam\", \"sr\"]"), "{spec}");
    let o = annealscape(&[
        "remedies",
        "--out",
        out,
        "--dry-run",
        "--only",
        "remedy=nope",
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("nope"), "{}", stderr(&o));
    let o = annealscape(&[
        "remedies",
        "--out",
        out,
        "--dry-run",
        "--only",
        "remedy=rvqa",
        "--only",
        "lattice.size=3",
        "--only",
        "target=thermal",
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("leave no run"), "{}", stderr(&o));
    assert!(!dir.exists(), "a dry run writes nothing");
}

/// The final coverage of a run: ground-state mass × effective modes / 4, from the last row
/// of its exact.csv.
fn final_coverage(run: &Path) -> f64 {
    let mut reader = csv::Reader::from_path(run.join("exact.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (modes, mass) = (column("effective_modes"), column("ground_state_mass"));
    let last = reader.records().last().unwrap().unwrap();
    last[modes].parse::<f64>().unwrap() / 4.0 * last[mass].parse::<f64>().unwrap()
}

/// The mean final ground-state mass of runs (exact.csv's last rows).
fn coverage_mass(runs: &[std::path::PathBuf]) -> f64 {
    runs.iter()
        .map(|run| {
            let mut reader = csv::Reader::from_path(run.join("exact.csv")).unwrap();
            let header = reader.headers().unwrap().clone();
            let mass = header
                .iter()
                .position(|h| h == "ground_state_mass")
                .unwrap();
            let last = reader.records().last().unwrap().unwrap();
            last[mass].parse::<f64>().unwrap()
        })
        .sum::<f64>()
        / runs.len() as f64
}

/// Whether the most frequent final configuration is a ground state (summary.toml).
fn top_is_ground_state(run: &Path) -> bool {
    let text = std::fs::read_to_string(run.join("summary.toml")).unwrap();
    let t: toml::Table = toml::from_str(&text).unwrap();
    let ground = t["ground_energy"].as_float().unwrap();
    let top = t["modes"].as_array().unwrap()[0]["energy"]
        .as_float()
        .unwrap();
    (top - ground).abs() < 1e-9
}

#[test]
fn a_test_grid_study_scores_every_remedy_from_its_run_folders_and_a_rerun_redoes_nothing() {
    let dir = temp_dir("remedies-grid");
    let out = dir.to_str().unwrap();
    let o = annealscape(&["remedies", "--test-grid", "--out", out]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = std::fs::read_to_string(dir.join("report.md")).unwrap();
    for section in [
        "## Settings",
        "## The remedies",
        "## Summary",
        "## Rankings",
        "### L = 3, quantum",
        "### L = 3, thermal",
        "| translations | not run:",
    ] {
        assert!(report.contains(section), "{section}:\n{report}");
    }
    for figure in [
        "coverage-cost.png",
        "curves-L3-quantum.png",
        "curves-L3-thermal.png",
    ] {
        let bytes = std::fs::read(dir.join("figures").join(figure)).unwrap();
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
            "{figure}"
        );
        assert!(report.contains(&format!("figures/{figure}")), "{figure}");
    }
    // Each cell's row, against the runs read here: successes and the coverage.
    let runs = dir.join("runs");
    let cells = [
        (
            "quantum",
            &[
                "adam",
                "adam-standard",
                "amsgrad",
                "sr",
                "exact",
                "code",
                "code-after",
                "rvqa",
                "settled",
                "hidden-2x",
                "samples-10x",
            ][..],
        ),
        (
            "thermal",
            &[
                "adam",
                "amsgrad",
                "sr",
                "exact",
                "code",
                "code-after",
                "settled",
                "hidden-2x",
                "samples-10x",
            ][..],
        ),
    ];
    let mut rows_checked = 0;
    for (target, remedies) in cells {
        let section = report
            .split(&format!("### L = 3, {target}"))
            .nth(1)
            .unwrap()
            .split("###")
            .next()
            .unwrap();
        for remedy in remedies {
            let folders: Vec<_> = (0..2)
                .map(|seed| runs.join(format!("target{target}-remedy{remedy}-seed{seed}")))
                .collect();
            let successes = folders.iter().filter(|f| top_is_ground_state(f)).count();
            let coverage = folders.iter().map(|f| final_coverage(f)).sum::<f64>() / 2.0;
            let row = section
                .lines()
                .find(|l| l.contains(&format!("| {remedy} |")))
                .unwrap_or_else(|| panic!("{target} {remedy}:\n{section}"));
            assert!(row.contains("| 2/2 |"), "{row}");
            assert!(row.contains(&format!("| {successes}/2 (")), "{row}");
            assert!(
                row.contains(&format!("| {coverage:.3} ± ")),
                "{coverage}: {row}"
            );
            if remedy.starts_with("code") {
                // Every ground state equally likely by construction: the coverage is the mass.
                let mass = coverage_mass(&folders);
                assert!(
                    (coverage - mass).abs() < 1e-9,
                    "{remedy}: {coverage} {mass}"
                );
            }
            rows_checked += 1;
        }
        assert!(!section.contains("| rvqa |") || target == "quantum");
    }
    assert_eq!(rows_checked, 20);
    assert!(report.contains("| adam | 2/2 |") && report.contains("| baseline |"));
    // Rerunning redoes nothing and rewrites the report.
    let metrics = runs.join("targetquantum-remedyadam-seed0/metrics.csv");
    let before = std::fs::metadata(&metrics).unwrap().modified().unwrap();
    std::fs::remove_file(dir.join("report.md")).unwrap();
    let o = annealscape(&["remedies", "--test-grid", "--out", out]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("0 to do"), "{}", stderr(&o));
    assert_eq!(
        std::fs::metadata(&metrics).unwrap().modified().unwrap(),
        before
    );
    assert!(dir.join("report.md").exists());
    // Another grid into the same folder is refused.
    let o = annealscape(&["remedies", "--quick", "--out", out]);
    assert!(!o.status.success());
    std::fs::remove_dir_all(dir).unwrap();
}
