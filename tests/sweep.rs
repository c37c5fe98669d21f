//! Sweep specifications, the local executor (kill and rerun), and collect.

mod common;

use annealscape::sweep::{prepare_sweep, read_status, RunState, SweepError, SweepSpec};
use common::{annealscape, temp_dir};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A small fast base: L = 3 or 4 quantum runs of a few hundred steps.
const TINY: &str = r#"
preset = "quick"
[axes]
"anneal.warmup_steps" = 10
"anneal.final_samples" = 200
"#;

#[test]
fn specifications_expand_ranges_lists_and_exclusions_and_refuse_bad_axes() {
    let spec = SweepSpec::parse(
        &format!(
            "{TINY}\"lattice.size\" = [3, 4, 5]\n\"anneal.start\" = [0, 1, 10]\nseed = \"0..5\"\n\
             [[exclude]]\n\"lattice.size\" = 5\n\"anneal.start\" = 10\n"
        ),
        "test",
    )
    .unwrap();
    // 3 × 3 × 6 = 54, less the 6 seeds of (L = 5, B0 = 10).
    assert_eq!(spec.points.len(), 48);
    assert_eq!(spec.points[0].id, "size3-start0-seed0");
    assert_eq!(spec.points[5].id, "size3-start0-seed5");
    assert!(spec
        .points
        .iter()
        .all(|p| !p.id.starts_with("size5-start10")));
    let p = spec
        .points
        .iter()
        .find(|p| p.id == "size4-start10-seed2")
        .unwrap();
    assert_eq!(p.config.lattice.size, 4);
    assert_eq!(p.config.anneal.start, 10.0);
    assert_eq!(p.config.seed, 2);
    assert_eq!(p.config.anneal.warmup_steps, 10);
    // Stepped ranges and strings.
    let spec = SweepSpec::parse(
        &format!("{TINY}seed = \"0..10:5\"\n\"anneal.estimator\" = [\"authors\", \"standard\"]\n"),
        "test",
    )
    .unwrap();
    let ids: Vec<&str> = spec.points.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids[..3],
        [
            "seed0-estimatorauthors",
            "seed0-estimatorstandard",
            "seed5-estimatorauthors"
        ]
    );
    assert_eq!(spec.points.len(), 6);
    // An axis that is not a configuration field is refused with its name.
    let e =
        SweepSpec::parse(&format!("{TINY}\"anneal.temprature\" = [1, 2]\n"), "test").unwrap_err();
    assert!(e.to_string().contains("anneal.temprature"), "{e}");
    let e = SweepSpec::parse(&format!("{TINY}\"lattice.size\" = [3, 1000]\n"), "test").unwrap_err();
    assert!(e.to_string().contains("lattice.size"), "{e}");
    // An empty sweep is refused: an empty list, or everything excluded.
    let e = SweepSpec::parse(&format!("{TINY}seed = []\n"), "test").unwrap_err();
    assert!(
        e.to_string().contains("seed") && e.to_string().contains("empty"),
        "{e}"
    );
    let e = SweepSpec::parse(
        &format!("{TINY}seed = [1, 2]\n[[exclude]]\n\"anneal.warmup_steps\" = 10\n"),
        "test",
    )
    .unwrap_err();
    assert!(matches!(e, SweepError::Empty), "{e}");
    let e = SweepSpec::parse("[axes]\nseed = [1]\n", "test").unwrap_err();
    assert!(e.to_string().contains("preset"), "{e}");
    let e = SweepSpec::parse(&format!("{TINY}seed = \"5..1\"\n"), "test").unwrap_err();
    assert!(e.to_string().contains("empty"), "{e}");
    let e = SweepSpec::parse(&format!("{TINY}seed = \"0..100000000\"\n"), "test").unwrap_err();
    assert!(e.to_string().contains("more than"), "{e}");
}

#[test]
fn an_axis_of_bundles_gives_each_run_its_bundles_settings_and_refuses_an_unknown_name() {
    let text = format!(
        "{TINY}remedy = [\"adam\", \"sr\"]\nseed = [0, 1]\n\
         [bundles.remedy.adam]\n\
         [bundles.remedy.sr]\n\"optimizer.kind\" = \"sr\"\n\"optimizer.learning_rate\" = 0.1\n\
         [[exclude]]\nremedy = \"sr\"\nseed = 1\n"
    );
    let spec = SweepSpec::parse(&text, "test").unwrap();
    let ids: Vec<&str> = spec.points.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        ["remedyadam-seed0", "remedyadam-seed1", "remedysr-seed0"]
    );
    let base = annealscape::run::RunConfig::preset("quick").unwrap();
    let adam = &spec.points[0].config;
    assert_eq!(adam.anneal.learning_rate, base.anneal.learning_rate);
    assert_eq!(adam.anneal.optimizer.kind, base.anneal.optimizer.kind);
    let sr = &spec.points[2].config;
    assert_eq!(sr.anneal.learning_rate, 0.1);
    assert_ne!(sr.anneal.optimizer.kind, base.anneal.optimizer.kind);
    assert_eq!(sr.seed, 0);
    // A value that names no bundle, and bundles of a key that is no axis, are refused by name.
    let e = SweepSpec::parse(&text.replace("\"sr\"", "\"sgd\""), "test").unwrap_err();
    assert!(
        e.to_string()
            .contains("\"sgd\" names no bundle (its bundles: adam, sr)"),
        "{e}"
    );
    let e = SweepSpec::parse(&format!("{text}[bundles.other.x]\n"), "test").unwrap_err();
    assert!(
        e.to_string().contains("other") && e.to_string().contains("not an axis"),
        "{e}"
    );
}

#[test]
fn a_killed_sweep_completes_on_rerun_without_redoing_finished_runs() {
    let dir = temp_dir("sweep-kill");
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("spec.toml");
    std::fs::write(
        &spec,
        format!("{TINY}\"lattice.size\" = 4\n\"anneal.anneal_steps\" = 1500\nseed = \"0..3\"\n"),
    )
    .unwrap();
    let out = dir.join("sweep");
    let mut child = Command::new(env!("CARGO_BIN_EXE_annealscape"))
        .args([
            "sweep",
            spec.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--jobs",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once the first run is done and the second has a resume point.
    let first = out.join("runs/seed0");
    let second = out.join("runs/seed1");
    let start = Instant::now();
    while !(first.join("summary.toml").exists() && second.join("resume.npz").exists()) {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the sweep made no progress"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(read_status(&first), RunState::Done);
    assert_eq!(
        read_status(&second),
        RunState::Interrupted,
        "a killed run reads as interrupted"
    );
    let finished_at = std::fs::metadata(first.join("summary.toml"))
        .unwrap()
        .modified()
        .unwrap();
    let again = annealscape(&[
        "sweep",
        spec.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let table = String::from_utf8(again.stdout).unwrap();
    assert_eq!(table.matches("\tdone\t").count(), 4, "{table}");
    assert_eq!(
        std::fs::metadata(first.join("summary.toml"))
            .unwrap()
            .modified()
            .unwrap(),
        finished_at,
        "a finished run is not run again"
    );
    // The resumed run equals the same run uninterrupted.
    let reference = dir.join("reference");
    let single = dir.join("single.toml");
    std::fs::write(
        &single,
        format!("{TINY}\"lattice.size\" = 4\n\"anneal.anneal_steps\" = 1500\nseed = 1\n"),
    )
    .unwrap();
    let r = annealscape(&[
        "sweep",
        single.to_str().unwrap(),
        "--out",
        reference.to_str().unwrap(),
    ]);
    assert!(r.status.success());
    assert_eq!(
        common::metrics_without_seconds(&second),
        common::metrics_without_seconds(&reference.join("runs/run"))
    );
    assert_eq!(
        std::fs::read(second.join("summary.toml")).unwrap(),
        std::fs::read(reference.join("runs/run/summary.toml")).unwrap()
    );
    // The same folder with another specification is refused.
    std::fs::write(&single, format!("{TINY}seed = [7, 8]\n")).unwrap();
    let other = annealscape(&[
        "sweep",
        single.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(other.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&other.stderr).contains("holds another sweep"));
}

#[test]
fn collect_lists_a_failed_run_with_its_message_and_a_rerun_starts_it_again() {
    let dir = temp_dir("sweep-collect");
    let text = format!("{TINY}\"lattice.size\" = 3\n\"anneal.anneal_steps\" = 30\nseed = [0, 1]\n");
    let sweep = prepare_sweep(&dir, &text, "test").unwrap();
    // Run seed1 cannot make its checkpoints folder: a file stands in the way.
    std::fs::create_dir_all(dir.join("runs/seed1")).unwrap();
    std::fs::write(dir.join("runs/seed1/checkpoints"), "in the way").unwrap();
    std::fs::write(dir.join("spec.toml"), &text).unwrap();
    let spec = dir.join("spec.toml");
    let out = annealscape(&[
        "sweep",
        spec.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "a failed run fails the command");
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 run(s) failed"));
    let status =
        String::from_utf8(annealscape(&["sweep-status", dir.to_str().unwrap()]).stdout).unwrap();
    assert!(status.contains("seed0\tdone\t"), "{status}");
    assert!(
        status.contains("seed1\tfailed\t") && status.contains("checkpoints"),
        "{status}"
    );
    assert!(annealscape(&["collect", dir.to_str().unwrap()])
        .status
        .success());
    let mut reader = csv::Reader::from_path(dir.join("runs.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][col("status")], "done");
    assert_eq!(&rows[0][col("seed")], "0");
    let summary: toml::Value =
        toml::from_str(&std::fs::read_to_string(dir.join("runs/seed0/summary.toml")).unwrap())
            .unwrap();
    assert_eq!(
        rows[0][col("energy_mean")].parse::<f64>().unwrap(),
        summary["energy_mean"].as_float().unwrap()
    );
    // The warm-up objective against the exact E0(B0 = 1) at L = 3.
    assert!(
        (rows[0][col("warmup_exact")].parse::<f64>().unwrap() - (-1.0424644045491087)).abs() < 1e-9
    );
    assert_eq!(&rows[1][col("status")], "failed");
    assert!(
        rows[1][col("message")].contains("checkpoints"),
        "{:?}",
        &rows[1]
    );
    assert_eq!(&rows[1][col("energy_mean")], "");
    // Clearing the obstacle and rerunning starts the failed run again and finishes it.
    std::fs::remove_file(dir.join("runs/seed1/checkpoints")).unwrap();
    let again = annealscape(&[
        "sweep",
        spec.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(read_status(&dir.join("runs/seed1")), RunState::Done);
    let _ = sweep;
}

#[test]
fn collect_summarises_the_exact_distances_curvature_and_landscapes_a_run_measured() {
    let dir = temp_dir("sweep-collect-diagnostics");
    let text = format!(
        "{TINY}\"lattice.size\" = 3\n\"anneal.anneal_steps\" = 40\n\"diagnostics.exact_every\" = 10\n\
         \"diagnostics.curvature_every\" = 20\nseed = 0\n"
    );
    let sweep = prepare_sweep(&dir, &text, "test").unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let state = annealscape::sweep::run_one(&sweep, &sweep.spec.points[0], &stop).unwrap();
    assert_eq!(state, RunState::Done);
    let run = dir.join("runs/run");
    let out = annealscape(&[
        "landscape",
        "--run",
        run.to_str().unwrap(),
        "--snapshot",
        "completion",
        "--points",
        "5",
        "--samples",
        "50",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = annealscape::sweep::collect(&sweep).unwrap();
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let row = &rows[1];
    // The last exact row's energy error and the largest sharpness ratio, read back
    // independently (KL is a thermal quantity: empty for this quantum run).
    let exact = std::fs::read_to_string(run.join("exact.csv")).unwrap();
    let header: Vec<&str> = exact.lines().next().unwrap().split(',').collect();
    let error = header.iter().position(|h| *h == "energy_error").unwrap();
    let last: Vec<&str> = exact.lines().last().unwrap().split(',').collect();
    assert_eq!(
        row[col("final_energy_error")].parse::<f64>().unwrap(),
        last[error].parse::<f64>().unwrap()
    );
    assert_eq!(row[col("final_kl_reverse")], "");
    let curvature = std::fs::read_to_string(run.join("curvature.csv")).unwrap();
    let header: Vec<&str> = curvature.lines().next().unwrap().split(',').collect();
    let (s, t) = (
        header.iter().position(|h| *h == "sharpness").unwrap(),
        header
            .iter()
            .position(|h| *h == "gradient_descent_threshold")
            .unwrap(),
    );
    let ratio = curvature
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<f64> = l
                .split(',')
                .map(|x| x.parse().unwrap_or(f64::NAN))
                .collect();
            f[s] / f[t]
        })
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(
        (row[col("max_sharpness_ratio")].parse::<f64>().unwrap() - ratio).abs()
            < 1e-12 * ratio.abs()
    );
    assert!(
        row[col("roughness")].starts_with("completion-"),
        "{}",
        row[col("roughness")]
    );
    assert!(!row[col("min_gap")].is_empty());
}
