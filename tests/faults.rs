//! What happens on a cluster every day, with real processes: SIGTERM and SIGHUP mid-run (Slurm's
//! time limit, a closed terminal), a stale `running` status left by a host that is gone, two
//! sweeps started on one folder, and results that must not be overwritten.

mod common;

use common::{annealscape, metrics_without_seconds, ok, temp_dir};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A run of a few thousand steps at L = 4 that resumes every 25 steps: long enough to be
/// signalled mid-run, short enough to finish in seconds.
const SETTINGS: [&str; 9] = [
    "network.hidden=12",
    "anneal.warmup_steps=20",
    "anneal.anneal_steps=1500",
    "anneal.train_steps=2",
    "anneal.samples=60",
    "anneal.minibatches=3",
    "anneal.final_samples=2000",
    "output.resume_every=25",
    "diagnostics.exact_every=50",
];

fn anneal_args(out: &Path) -> Vec<String> {
    let mut args: Vec<String> = vec!["anneal".into(), "--preset".into(), "quick".into()];
    for s in SETTINGS {
        args.push("--set".into());
        args.push(s.into());
    }
    args.push("--out".into());
    args.push(out.display().to_string());
    args
}

/// Wait until `dir` holds a resume point and `metrics.csv` has more than `rows` lines.
fn wait_mid_run(child: &mut Child, dir: &Path, rows: usize) {
    let start = Instant::now();
    loop {
        let lines = std::fs::read_to_string(dir.join("metrics.csv"))
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if lines > rows && dir.join("resume.npz").exists() {
            return;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it could be signalled"
        );
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no progress in {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: kill only sends a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, sig) }, 0);
}

fn same_run(a: &Path, b: &Path) {
    assert_eq!(metrics_without_seconds(a), metrics_without_seconds(b));
    assert_eq!(
        std::fs::read(a.join("summary.toml")).unwrap(),
        std::fs::read(b.join("summary.toml")).unwrap()
    );
    assert_eq!(
        std::fs::read(a.join("exact.csv")).unwrap(),
        std::fs::read(b.join("exact.csv")).unwrap()
    );
}

/// The uninterrupted run every interrupted one is compared with, made once per test.
fn reference(dir: &Path) -> PathBuf {
    let whole = dir.join("whole");
    ok(common::command()
        .args(anneal_args(&whole))
        .output()
        .unwrap());
    whole
}

#[test]
fn sigterm_and_sighup_stop_a_run_that_resumes_to_the_uninterrupted_result() {
    let dir = temp_dir("faults-signals");
    let whole = reference(&dir);
    for (sig, code, name) in [
        (libc::SIGTERM, 143, "SIGTERM"),
        (libc::SIGHUP, 129, "SIGHUP"),
    ] {
        let run = dir.join(name);
        let mut child = common::command()
            .args(anneal_args(&run))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_mid_run(&mut child, &run, 200);
        let sent = Instant::now();
        signal(&child, sig);
        let out = child.wait_with_output().unwrap();
        let stopped_in = sent.elapsed();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(code), "{name}: {stdout}");
        assert!(
            stopped_in < Duration::from_secs(10),
            "{name}: {stopped_in:?}"
        );
        assert!(stdout.contains(&format!("by {name}")), "{stdout}");
        assert!(
            stdout.contains(&format!("annealscape anneal --resume {}", run.display())),
            "{stdout}"
        );
        let status = std::fs::read_to_string(run.join("status.toml")).unwrap();
        assert!(status.contains("state = \"stopped\""), "{status}");
        assert!(run.join("checkpoints/stopped.npz").is_file());
        ok(annealscape(&["anneal", "--resume", s(&run)]));
        assert!(
            !run.join("status.toml").exists(),
            "a finished run has no status file"
        );
        same_run(&whole, &run);
    }
}

/// A sweep folder as `sweep --slurm` leaves it: the specification and the task list.
fn slurm_folder(dir: &Path, spec: &str, ids: &[&str]) {
    std::fs::create_dir_all(dir.join("slurm")).unwrap();
    std::fs::write(dir.join("sweep.toml"), spec).unwrap();
    std::fs::write(dir.join("slurm/tasks.txt"), ids.join("\n") + "\n").unwrap();
}

fn spec_text(seeds: &str) -> String {
    let mut text = String::from("preset = \"quick\"\n[axes]\n");
    for s in SETTINGS {
        let (k, v) = s.split_once('=').unwrap();
        text.push_str(&format!("\"{k}\" = {v}\n"));
    }
    text.push_str(&format!("seed = {seeds}\n"));
    text
}

#[test]
fn sigterm_to_a_slurm_task_leaves_its_run_stopped_and_a_rerun_finishes_it() {
    let dir = temp_dir("faults-task");
    let whole = reference(&dir);
    let sweep = dir.join("sweep");
    slurm_folder(&sweep, &spec_text("0"), &["run"]);
    let run = sweep.join("runs/run");
    let mut child = common::command()
        .args(["sweep", "--task", "0", s(&sweep)])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_mid_run(&mut child, &run, 200);
    let status = ok(annealscape(&["sweep-status", s(&sweep)]));
    assert!(status.contains("\trunning\tlock held"), "{status}");
    signal(&child, libc::SIGTERM);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("stopped after"), "{stderr}");
    assert!(stderr.contains("submit the sweep again"), "{stderr}");
    let status = ok(annealscape(&["sweep-status", s(&sweep)]));
    assert!(status.contains("\tstopped\t"), "{status}");
    // The next task (a resubmission) continues it; the local executor would too.
    ok(annealscape(&["sweep", "--task", "0", s(&sweep)]));
    same_run(&whole, &run);
}

#[test]
fn a_stale_running_status_from_another_host_is_taken_over() {
    let dir = temp_dir("faults-stale");
    let whole = reference(&dir);
    let sweep = dir.join("sweep");
    let spec = dir.join("spec.toml");
    std::fs::write(&spec, spec_text("0")).unwrap();
    let mut child = common::command()
        .args(["sweep", s(&spec), "--out", s(&sweep)])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let run = sweep.join("runs/run");
    wait_mid_run(&mut child, &run, 200);
    child.kill().unwrap();
    child.wait().unwrap();
    // As a node that is gone leaves it: running, on a host that is not this one.
    std::fs::write(
        run.join("status.toml"),
        "state = \"running\"\nhost = \"node-that-is-gone\"\npid = 4242\n",
    )
    .unwrap();
    let status = ok(annealscape(&["sweep-status", s(&sweep)]));
    assert!(status.contains("\tinterrupted\t"), "{status}");
    assert!(
        status.contains("node-that-is-gone, pid 4242, but the lock is free"),
        "{status}"
    );
    ok(annealscape(&["sweep", s(&spec), "--out", s(&sweep)]));
    same_run(&whole, &run);
}

#[test]
fn two_sweeps_on_one_folder_run_every_run_once() {
    let dir = temp_dir("faults-two-sweeps");
    let spec = dir.join("spec.toml");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(&spec, spec_text("\"0..3\"")).unwrap();
    let sweep = dir.join("sweep");
    let start = |_: usize| {
        common::command()
            .args(["sweep", s(&spec), "--out", s(&sweep), "--jobs", "1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (start(0), start(1));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    for out in [&a, &b] {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let status = ok(annealscape(&["sweep-status", s(&sweep)]));
    assert_eq!(status.matches("\tdone\t").count(), 4, "{status}");
    // Each run ran once: one header, one row per step and per exact-distance step.
    let total = 20 + 1500 * 2 + 1;
    for seed in 0..4 {
        let run = sweep.join(format!("runs/seed{seed}"));
        let metrics = metrics_without_seconds(&run);
        assert_eq!(metrics.len(), total + 1, "seed {seed}");
        let exact = std::fs::read_to_string(run.join("exact.csv")).unwrap();
        let steps: Vec<&str> = exact
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap())
            .collect();
        let mut unique = steps.clone();
        unique.dedup();
        assert_eq!(steps, unique, "seed {seed}: exact.csv has a step twice");
    }
}

#[test]
fn stored_results_are_not_overwritten_without_asking() {
    let dir = temp_dir("faults-overwrite");
    // A folder with a run's config and summary but no metrics.csv is refused.
    let partial = dir.join("partial");
    std::fs::create_dir_all(&partial).unwrap();
    std::fs::write(partial.join("config.toml"), "x").unwrap();
    std::fs::write(partial.join("summary.toml"), "y").unwrap();
    let out = common::command()
        .args(anneal_args(&partial))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("already holds a run that has finished"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(partial.join("config.toml")).unwrap(),
        "x"
    );

    // A landscape asked again with other settings goes beside the stored one.
    let run = reference(&dir);
    let land = |points: &str, extra: &[&str]| {
        let mut args = vec![
            "landscape",
            "--run",
            s(&run),
            "--snapshot",
            "warmup",
            "--points",
            points,
            "--samples",
            "20",
        ];
        args.extend_from_slice(extra);
        annealscape(&args)
    };
    ok(land("5", &[]));
    let first = run.join("landscapes/warmup-filter.npz");
    let stored = std::fs::read(&first).unwrap();
    let out = land("7", &[]);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("warmup-filter-2.npz"), "{stderr}");
    assert_eq!(
        std::fs::read(&first).unwrap(),
        stored,
        "the old file is kept"
    );
    assert!(run.join("landscapes/warmup-filter-2.npz").is_file());
    // The same settings again reuse their own file; --overwrite replaces the first.
    ok(land("7", &[]));
    assert!(!run.join("landscapes/warmup-filter-3.npz").exists());
    ok(land("7", &["--overwrite"]));
    assert_ne!(std::fs::read(&first).unwrap(), stored);

    // A folder with someone else's report is not a study's.
    let foreign = dir.join("foreign");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("report.md"), "my notes").unwrap();
    let out = annealscape(&["reproduce", "--test-grid", "--out", s(&foreign)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("report.md"), "{stderr}");
    assert!(stderr.contains("choose a new --out folder"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(foreign.join("report.md")).unwrap(),
        "my notes"
    );
}

#[test]
fn a_resume_refuses_an_edited_configuration_and_metrics_that_lost_rows() {
    let dir = temp_dir("faults-resume-checks");
    let run = dir.join("run");
    let mut child = common::command()
        .args(anneal_args(&run))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_mid_run(&mut child, &run, 200);
    signal(&child, libc::SIGTERM);
    assert_eq!(child.wait().unwrap().code(), Some(143));
    let config = std::fs::read_to_string(run.join("config.toml")).unwrap();
    let edited = config.replace("learning_rate = 0.002", "learning_rate = 0.02");
    assert_ne!(edited, config);
    std::fs::write(run.join("config.toml"), &edited).unwrap();
    let out = annealscape(&["anneal", "--resume", s(&run)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("anneal.learning_rate was 0.002, is 0.02"),
        "{stderr}"
    );
    std::fs::write(run.join("config.toml"), &config).unwrap();
    // metrics.csv cut back to 10 steps, before the resume point.
    let metrics = std::fs::read_to_string(run.join("metrics.csv")).unwrap();
    let short: String = metrics.lines().take(11).map(|l| format!("{l}\n")).collect();
    std::fs::write(run.join("metrics.csv"), &short).unwrap();
    let out = annealscape(&["anneal", "--resume", s(&run)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("holds 10 steps but the resume state is at step"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(run.join("metrics.csv")).unwrap(),
        short
    );
    // Restored, it continues.
    std::fs::write(run.join("metrics.csv"), &metrics).unwrap();
    ok(annealscape(&["anneal", "--resume", s(&run)]));
    assert!(run.join("summary.toml").is_file());
}

#[test]
fn collect_marks_a_run_whose_files_do_not_read_as_damaged() {
    let dir = temp_dir("faults-damaged");
    let spec = dir.join("spec.toml");
    std::fs::create_dir_all(&dir).unwrap();
    let text = spec_text("[0, 1]").replace("anneal_steps\" = 1500", "anneal_steps\" = 40");
    std::fs::write(&spec, text).unwrap();
    let sweep = dir.join("sweep");
    ok(annealscape(&["sweep", s(&spec), "--out", s(&sweep)]));
    let bad = sweep.join("runs/seed1/metrics.csv");
    let metrics = std::fs::read_to_string(&bad).unwrap();
    let mut lines: Vec<String> = metrics.lines().map(str::to_string).collect();
    lines[5] = lines[5].replacen(',', ",oops", 2);
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();
    let out = annealscape(&["collect", s(&sweep)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("seed1: damaged"), "{stderr}");
    assert!(stderr.contains("line 6"), "{stderr}");
    let runs = std::fs::read_to_string(sweep.join("runs.csv")).unwrap();
    let row = runs.lines().find(|l| l.starts_with("seed1,")).unwrap();
    assert!(row.contains(",damaged,"), "{row}");
    let row0 = runs.lines().find(|l| l.starts_with("seed0,")).unwrap();
    assert!(row0.contains(",done,"), "{row0}");
    // A summary that does not read makes the run damaged for sweep-status and the executor.
    std::fs::write(sweep.join("runs/seed0/summary.toml"), "energy_mean = [").unwrap();
    let status = ok(annealscape(&["sweep-status", s(&sweep)]));
    assert!(status.contains("seed0\tdamaged\t"), "{status}");
    assert!(status.contains("line 1"), "{status}");
    ok(annealscape(&["sweep", s(&spec), "--out", s(&sweep)]));
    assert_eq!(
        std::fs::read_to_string(sweep.join("runs/seed0/summary.toml")).unwrap(),
        "energy_mean = [",
        "a damaged run is left for the user"
    );
}
