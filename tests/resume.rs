//! Resume and determinism: a run killed with SIGKILL and resumed, a run stopped and resumed,
//! and the same seed on 1, 2 and 3 threads all end with the same files, bit for bit (every
//! column of metrics.csv but `seconds`).

mod common;

use annealscape::anneal::{Control, Observer, ObserverError, Outcome, StepView};
use annealscape::run::{resume_blocking, run_blocking, RunConfig};
use ndarray::{ArrayD, IxDyn};
use ndarray_npy::NpzReader;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn short(kind: &str, steps: usize) -> RunConfig {
    let base = if kind == "thermal" {
        "thermal-L8"
    } else {
        "quick"
    };
    RunConfig::preset(base)
        .unwrap()
        .with_overrides(&[
            "lattice.size=4".into(),
            "network.hidden=12".into(),
            "anneal.warmup_steps=20".into(),
            format!("anneal.anneal_steps={steps}"),
            "anneal.train_steps=2".into(),
            "anneal.samples=60".into(),
            "anneal.minibatches=3".into(),
            "anneal.final_samples=2500".into(),
            "output.trajectory_points=16".into(),
            "output.resume_every=25".into(),
            "diagnostics.exact_every=20".into(),
            "seed=3".into(),
        ])
        .unwrap()
}

fn npz_arrays(path: &Path) -> Vec<(String, Vec<u64>)> {
    let mut npz = NpzReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut names = npz.names().unwrap();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let bits: Vec<u64> = match npz.by_name::<ndarray::OwnedRepr<f64>, IxDyn>(&name) {
                Ok(a) => a.iter().map(|v| v.to_bits()).collect(),
                Err(_) => {
                    let a: ArrayD<i64> = npz.by_name(&name).unwrap();
                    a.iter().map(|&v| v as u64).collect()
                }
            };
            (name, bits)
        })
        .collect()
}

/// Every file two run folders hold, compared: metrics (but seconds), checkpoints and the
/// trajectory array by array, bit for bit, samples, modes and summary as text.
fn assert_same_run(a: &Path, b: &Path) {
    assert_eq!(
        common::metrics_without_seconds(a),
        common::metrics_without_seconds(b)
    );
    for name in [
        "summary.toml",
        "config.toml",
        "samples/final_modes.tsv",
        "exact.csv",
        "ground_state_probabilities.csv",
    ] {
        let (x, y) = (a.join(name), b.join(name));
        assert_eq!(
            std::fs::read_to_string(&x).unwrap(),
            std::fs::read_to_string(&y).unwrap(),
            "{name} differs"
        );
    }
    for sub in ["checkpoints", "samples"] {
        let mut files: Vec<_> = std::fs::read_dir(a.join(sub))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != "stopped.npz" && n != "stopped.txt")
            .collect();
        files.sort();
        assert!(!files.is_empty());
        for f in files {
            let (x, y) = (a.join(sub).join(&f), b.join(sub).join(&f));
            if sub == "checkpoints" {
                assert_eq!(npz_arrays(&x), npz_arrays(&y), "{f:?} differs");
            } else {
                assert_eq!(
                    std::fs::read(&x).unwrap(),
                    std::fs::read(&y).unwrap(),
                    "{f:?} differs"
                );
            }
        }
    }
    assert_eq!(
        npz_arrays(&a.join("trajectory.npz")),
        npz_arrays(&b.join("trajectory.npz"))
    );
}

/// Asks to stop as soon as the final evaluation begins (Ctrl-C there).
struct StopInEvaluation;

impl Observer for StopInEvaluation {
    fn on_step(&mut self, _step: &StepView<'_>) -> Result<Control, ObserverError> {
        Ok(Control::Continue)
    }
    fn stop_requested(&mut self) -> bool {
        true
    }
}

fn run_on(threads: usize, config: &RunConfig, dir: &Path) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let outcome = pool.install(|| run_blocking(config, dir, &mut annealscape::anneal::Silent));
    assert!(matches!(outcome, Ok(Outcome::Finished(_))), "{outcome:?}");
}

#[test]
fn the_same_seed_gives_the_same_run_on_one_two_and_three_threads() {
    for kind in ["quantum", "thermal"] {
        let config = short(kind, 40);
        let dirs: Vec<_> = [1, 2, 3]
            .iter()
            .map(|t| common::temp_dir(&format!("threads-{kind}-{t}")))
            .collect();
        for (t, dir) in [1, 2, 3].iter().zip(&dirs) {
            run_on(*t, &config, dir);
        }
        assert_same_run(&dirs[0], &dirs[1]);
        assert_same_run(&dirs[0], &dirs[2]);
        for d in dirs {
            std::fs::remove_dir_all(d).unwrap();
        }
    }
}

#[test]
fn an_f32_run_is_the_same_on_one_and_two_threads_and_resumes_bit_for_bit() {
    let mut config = short("quantum", 40);
    config.network.precision = annealscape::nn::Precision::F32;
    let dirs: Vec<_> = [1, 2]
        .iter()
        .map(|t| common::temp_dir(&format!("threads-f32-{t}")))
        .collect();
    for (t, dir) in [1, 2].iter().zip(&dirs) {
        run_on(*t, &config, dir);
    }
    assert_same_run(&dirs[0], &dirs[1]);
    let parts = common::temp_dir("parts-f32");
    let stopped = run_blocking(&config, &parts, &mut common::StopAt(37)).unwrap();
    assert_eq!(stopped, Outcome::Stopped { steps: 37 });
    let resumed = resume_blocking(&parts, &mut annealscape::anneal::Silent).unwrap();
    assert!(matches!(resumed, Outcome::Finished(_)));
    assert_same_run(&dirs[0], &parts);
    for d in dirs.into_iter().chain([parts]) {
        std::fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn a_stopped_run_resumed_equals_the_run_uninterrupted() {
    for kind in ["quantum", "thermal"] {
        let config = short(kind, 40);
        let whole = common::temp_dir(&format!("whole-{kind}"));
        let parts = common::temp_dir(&format!("parts-{kind}"));
        run_on(2, &config, &whole);
        // Stop between resume points (step 37 of 101), then resume: metrics.csv is cut back.
        let stopped = run_blocking(&config, &parts, &mut common::StopAt(37)).unwrap();
        assert_eq!(stopped, Outcome::Stopped { steps: 37 });
        let resumed = resume_blocking(&parts, &mut annealscape::anneal::Silent).unwrap();
        assert!(matches!(resumed, Outcome::Finished(_)));
        assert_same_run(&whole, &parts);
        // A finished run is not resumed again.
        let err = resume_blocking(&parts, &mut annealscape::anneal::Silent).unwrap_err();
        assert!(err.to_string().contains("finished"), "{err}");
        std::fs::remove_dir_all(&whole).unwrap();
        std::fs::remove_dir_all(&parts).unwrap();
    }
}

#[test]
fn a_stop_during_the_final_evaluation_keeps_a_resumable_run() {
    let config = short("quantum", 30);
    let total = config.anneal.schedule().total_steps();
    let whole = common::temp_dir("eval-whole");
    let parts = common::temp_dir("eval-parts");
    run_on(2, &config, &whole);
    let stopped = run_blocking(&config, &parts, &mut StopInEvaluation).unwrap();
    assert_eq!(stopped, Outcome::Stopped { steps: total });
    assert!(parts.join("checkpoints/stopped.npz").exists());
    assert!(!parts.join("summary.toml").exists());
    let resumed = resume_blocking(&parts, &mut annealscape::anneal::Silent).unwrap();
    assert!(matches!(resumed, Outcome::Finished(_)));
    assert_same_run(&whole, &parts);
    std::fs::remove_dir_all(&whole).unwrap();
    std::fs::remove_dir_all(&parts).unwrap();
}

#[test]
fn a_run_killed_with_sigkill_and_resumed_equals_the_run_uninterrupted() {
    killed_and_resumed(&short("quantum", 400), "kill");
}

#[test]
fn every_optimiser_resumes_bit_for_bit_after_sigkill() {
    for kind in ["amsgrad", "adam-clipped", "sgd", "sr"] {
        let mut overrides = vec![format!("optimizer.kind={kind}")];
        if kind == "sgd" || kind == "sr" {
            // Plain and natural gradient steps need a larger rate than Adam's normalised ones.
            overrides.push("optimizer.learning_rate=0.05".into());
        }
        if kind == "sr" {
            // SPRING: its previous step is part of the state.
            overrides.push("optimizer.momentum=0.5".into());
            overrides.push("optimizer.minibatches=3".into());
        }
        let config = short("quantum", 400).with_overrides(&overrides).unwrap();
        let (whole, killed) = killed_and_resumed_keep(&config, &format!("kill-{kind}"));
        // AMSGrad's running maximum is part of the state a checkpoint carries (and
        // resume.npz: the resumed run could not have matched without it).
        let checkpoint = killed.join("checkpoints").join("completion.npz");
        let names = NpzReader::new(std::fs::File::open(checkpoint).unwrap())
            .unwrap()
            .names()
            .unwrap();
        assert_eq!(
            names.iter().any(|n| n.starts_with("adam/vmax")),
            kind == "amsgrad",
            "{kind}: {names:?}"
        );
        assert_eq!(
            names.iter().any(|n| n.starts_with("sr/phi")),
            kind == "sr",
            "{kind}: {names:?}"
        );
        for p in [&whole, &killed] {
            std::fs::remove_dir_all(p).unwrap();
        }
    }
}

#[test]
fn every_cell_runs_the_same_on_one_and_two_threads_and_resumes_bit_for_bit_after_sigkill() {
    for cell in annealscape::nn::Cell::ALL
        .into_iter()
        .filter(|c| !c.is_rnn2d())
    {
        let name = cell.name();
        let config = short("quantum", 400)
            .with_overrides(&[
                format!("network.cell={name}"),
                "network.hidden=8".into(),
                // L = 3 keeps the transformer's run (rows one at a time) short.
                "lattice.size=3".into(),
            ])
            .unwrap();
        let (whole, killed) = killed_and_resumed_keep(&config, &format!("kill-{name}"));
        // The checkpoints hold the cell's own tensors, under its documented names.
        let checkpoint = killed.join("checkpoints").join("completion.npz");
        let names = NpzReader::new(std::fs::File::open(checkpoint).unwrap())
            .unwrap()
            .names()
            .unwrap();
        assert!(
            names.iter().any(|n| n.starts_with(&format!("{name}/")))
                && !names.iter().any(|n| n.starts_with("rnn2d/")),
            "{name}: {names:?}"
        );
        let short_run = short("quantum", 40)
            .with_overrides(&[
                format!("network.cell={name}"),
                "network.hidden=8".into(),
                // L = 3 keeps the transformer's run (rows one at a time) short.
                "lattice.size=3".into(),
            ])
            .unwrap();
        let dirs: Vec<_> = [1, 2]
            .iter()
            .map(|t| common::temp_dir(&format!("threads-{name}-{t}")))
            .collect();
        for (t, dir) in [1, 2].iter().zip(&dirs) {
            run_on(*t, &short_run, dir);
        }
        assert_same_run(&dirs[0], &dirs[1]);
        for p in dirs.iter().chain([&whole, &killed]) {
            std::fs::remove_dir_all(p).unwrap();
        }
    }
}

fn killed_and_resumed(config: &RunConfig, tag: &str) {
    let (whole, killed) = killed_and_resumed_keep(config, tag);
    for p in [&whole, &killed] {
        std::fs::remove_dir_all(p).unwrap();
    }
}

/// Run `config` whole, and again killed with SIGKILL mid-run and resumed; assert the two runs
/// are the same and return their folders.
fn killed_and_resumed_keep(config: &RunConfig, tag: &str) -> (PathBuf, PathBuf) {
    let toml = common::temp_dir(&format!("{tag}-config")).with_extension("toml");
    std::fs::write(&toml, config.to_toml()).unwrap();
    let whole = common::temp_dir(&format!("{tag}-whole"));
    let killed = common::temp_dir(&format!("{tag}-killed"));
    let status = common::command()
        .args(["anneal", "--config"])
        .arg(&toml)
        .arg("--out")
        .arg(&whole)
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");

    let mut child = common::command()
        .args(["anneal", "--config"])
        .arg(&toml)
        .arg("--out")
        .arg(&killed)
        .stderr(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it mid-run, once it is past a few resume points.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let lines = std::fs::read_to_string(killed.join("metrics.csv"))
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if lines > 300 {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it could be killed"
        );
        assert!(Instant::now() < deadline, "the run made no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(!killed.join("summary.toml").exists());
    let out = common::command()
        .args(["anneal", "--resume"])
        .arg(&killed)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_run(&whole, &killed);
    std::fs::remove_file(&toml).unwrap();
    (whole, killed)
}

#[test]
fn the_portable_kernels_give_one_run_on_any_number_of_threads_too() {
    let config = short("quantum", 40);
    let toml = common::temp_dir("portable-config").with_extension("toml");
    std::fs::write(&toml, config.to_toml()).unwrap();
    let run = |threads: &str, portable: bool, name: &str| {
        let dir = common::temp_dir(name);
        let mut command = common::command();
        command
            .args(["anneal", "--config"])
            .arg(&toml)
            .arg("--out")
            .arg(&dir)
            .env("RAYON_NUM_THREADS", threads);
        if portable {
            command.env("ANNEALSCAPE_PORTABLE", "1");
        } else {
            command.env_remove("ANNEALSCAPE_PORTABLE");
        }
        let out = command.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    };
    let one = run("1", true, "portable-1");
    let two = run("2", true, "portable-2");
    assert_same_run(&one, &two);
    if annealscape::nn::rnn2d::use_avx2() {
        // The switch takes effect: FMA and separate multiply-adds round differently.
        let fused = run("2", false, "fused-2");
        assert_ne!(
            common::metrics_without_seconds(&one),
            common::metrics_without_seconds(&fused)
        );
        std::fs::remove_dir_all(fused).unwrap();
    }
    for d in [one, two] {
        std::fs::remove_dir_all(d).unwrap();
    }
    std::fs::remove_file(&toml).unwrap();
}
