//! The bad-input corpus: each class of bad or extreme input, run as a real process with its
//! address space capped, must end with a non-zero exit and a message naming the value — never
//! a panic, an abort, a hang or a silently wrong answer.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Address-space cap of every process here (4 GiB): an unbounded allocation aborts instead of
/// taking the machine.
const MEMORY_KB: u64 = 4 << 20;

struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Run the binary with `args`, memory-capped, killed after `limit`.
fn run(args: &[&str], limit: Duration) -> Ran {
    let bin = env!("CARGO_BIN_EXE_annealscape");
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_KB}; exec '{bin}' {}",
            quoted.join(" ")
        ))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("annealscape {args:?} hung (killed after {limit:?})");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    Ran {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

/// `args` must be refused: exit code 1 or 2 (not a signal), no panic, the message holding
/// every needle.
fn refused(args: &[&str], needles: &[&str]) {
    let r = run(args, Duration::from_secs(60));
    assert!(
        matches!(r.code, Some(1) | Some(2)),
        "{args:?}: exit {:?}, stderr {}",
        r.code,
        r.stderr
    );
    assert!(
        !r.stderr.contains("panicked"),
        "{args:?} panicked: {}",
        r.stderr
    );
    for needle in needles {
        assert!(
            r.stderr.contains(needle),
            "{args:?}: message lacks '{needle}': {}",
            r.stderr
        );
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A small finished run to damage in copies.
fn small_run(root: &Path) -> PathBuf {
    let dir = root.join("run");
    let r = run(
        &[
            "anneal",
            "--preset",
            "quick",
            "--set",
            "anneal.anneal_steps=20",
            "--set",
            "anneal.warmup_steps=5",
            "--set",
            "anneal.final_samples=200",
            "--out",
            s(&dir),
        ],
        Duration::from_secs(120),
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    dir
}

fn copy_run(from: &Path, to: &Path) {
    let status = Command::new("cp")
        .arg("-r")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn configuration_values_that_cannot_work_are_refused_naming_the_key() {
    let anneal = |set: &[&str], needles: &[&str]| {
        let mut args = vec!["anneal", "--preset", "quick", "--out", "/nonexistent/never"];
        for s in set {
            args.push("--set");
            args.push(s);
        }
        refused(&args, needles);
    };
    anneal(
        &["anneal.samples=1e9"],
        &["anneal.samples", "1e9", "expected a whole number"],
    );
    anneal(&["anneal.samples=lots"], &["anneal.samples"]);
    anneal(
        &["anneal.minibatches=100"],
        &["anneal.minibatches = 100", "every gradient zero"],
    );
    anneal(
        &[
            "anneal.anneal_steps=9223372036854775807",
            "anneal.train_steps=2",
        ],
        &["more than 100000000 steps"],
    );
    anneal(
        &["anneal.warmup_steps=9223372036854775807"],
        &["anneal.warmup_steps"],
    );
    anneal(&["lattice.coupling=1e300"], &["lattice.coupling", "1e300"]);
    anneal(&["lattice.size=1000"], &["lattice.size", "1000"]);
    anneal(&["anneal.bogus=1"], &["bogus"]);
    anneal(&["anneal..samples=1"], &["key=value"]);
    anneal(
        &["lattice.size=64", "anneal.samples=100000"],
        &[
            "lattice.size = 64",
            "anneal.samples = 100000",
            "this machine has",
        ],
    );
    anneal(
        &["output.trajectory_points=100000", "network.hidden=1024"],
        &[
            "output.trajectory_points = 100000",
            "lower output.trajectory_points",
        ],
    );
}

#[test]
fn a_config_file_error_names_the_line_and_the_key() {
    let dir = common::temp_dir("bad-config");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("c.toml");
    let text = annealscape::run::PRESETS[0]
        .1
        .replace("\nsamples = 100\n", "\nsamples = \"many\"\n");
    std::fs::write(&path, &text).unwrap();
    let line = text.lines().position(|l| l.contains("\"many\"")).unwrap() + 1;
    refused(
        &["anneal", "--config", s(&path), "--out", s(&dir.join("o"))],
        &[&format!("line {line}"), "anneal.samples"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn value_lists_and_exact_limits_are_refused_before_work_starts() {
    refused(
        &["exact", "thermo", "--l", "6", "--t", "0..1e18:1e-9"],
        &["more than"],
    );
    refused(
        &["exact", "thermo", "--l", "6", "--t", "0..1e308:1e-308"],
        &["more than"],
    );
    refused(
        &["exact", "degeneracy", "--l", "2..18446744073709551615"],
        &["18446744073709551615"],
    );
    refused(&["exact", "thermo", "--l", "6", "--t", "nan"], &["nan"]);
}

#[test]
fn exact_entropy_at_tiny_temperature_tends_to_k_ln2_over_n() {
    // L = 6 has k = 4: s → 4 ln 2 / 36 as T → 0 (and the free energy stays finite).
    let r = run(
        &["exact", "thermo", "--l", "6", "--t", "1e-3,1e-6,1e-12"],
        Duration::from_secs(60),
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let want = 4.0 * std::f64::consts::LN_2 / 36.0;
    let rows: Vec<Vec<&str>> = r
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 3, "{}", r.stdout);
    for row in rows {
        let f: f64 = row[2].parse().unwrap();
        let e: f64 = row[3].parse().unwrap();
        let s: f64 = row[4].parse().unwrap();
        assert!(
            (s - want).abs() < 1e-9,
            "T = {}: s = {s}, want {want}",
            row[1]
        );
        assert!((e + 0.5).abs() < 1e-9 && f.is_finite(), "{row:?}");
    }
}

#[test]
fn damaged_run_folders_are_refused_or_read_up_to_the_damage() {
    let root = common::temp_dir("bad-runs");
    std::fs::create_dir_all(&root).unwrap();
    let good = small_run(&root);

    // Snapshot names never leave the run folder.
    refused(
        &[
            "landscape",
            "--run",
            s(&good),
            "--snapshot",
            "../../../../etc/passwd",
        ],
        &["no snapshot", "init"],
    );

    // Non-finite weights in a checkpoint are refused by eval and landscape.
    let poisoned = root.join("poisoned");
    copy_run(&good, &poisoned);
    let ck = poisoned.join("checkpoints/completion.npz");
    let layout = annealscape::nn::Params::zeros(annealscape::nn::rnn2d::tensor_specs(20));
    let mut params = annealscape::nn::load_npz(&ck, &layout).unwrap();
    params.flat_mut()[3] = f64::NAN;
    annealscape::nn::save_npz(&ck, &params).unwrap();
    let configs = root.join("configs.txt");
    std::fs::write(&configs, "0000000000000000\n").unwrap();
    refused(
        &[
            "eval",
            "--checkpoint",
            s(&ck),
            "--configs",
            s(&configs),
            "--b",
            "0",
        ],
        &["non-finite", "rnn2d/U_left"],
    );
    refused(
        &[
            "landscape",
            "--run",
            s(&poisoned),
            "--snapshot",
            "completion",
            "--points",
            "5",
        ],
        &["non-finite"],
    );

    // A configurations file too large to read is refused before it is read (a sparse file).
    let huge = root.join("huge.txt");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(300 << 20)
        .unwrap();
    refused(
        &[
            "eval",
            "--checkpoint",
            s(&good.join("checkpoints/completion.npz")),
            "--configs",
            s(&huge),
            "--b",
            "0",
        ],
        &["split the file"],
    );
    std::fs::remove_file(&huge).unwrap();

    // A config edited after the run is refused, naming both values.
    let edited = root.join("edited");
    copy_run(&good, &edited);
    let config = std::fs::read_to_string(edited.join("config.toml")).unwrap();
    std::fs::write(
        edited.join("config.toml"),
        config.replace("hidden = 20", "hidden = 30"),
    )
    .unwrap();
    refused(
        &[
            "figure",
            "--run",
            s(&edited),
            "--kind",
            "curves",
            "--out",
            s(&root.join("c.png")),
        ],
        &["network.hidden = 30", "says 20"],
    );
    std::fs::write(
        edited.join("config.toml"),
        config.replace("size = 4", "size = 5"),
    )
    .unwrap();
    refused(
        &["landscape", "--run", s(&edited), "--snapshot", "completion"],
        &["lattice.size = 5", "says 4"],
    );

    // A value that cannot be read is an error naming the line, never a NaN in a figure.
    let garbled = root.join("garbled");
    copy_run(&good, &garbled);
    let metrics = std::fs::read_to_string(garbled.join("metrics.csv")).unwrap();
    let mut lines: Vec<String> = metrics.lines().map(str::to_string).collect();
    let fields: Vec<&str> = lines[3].split(',').collect();
    let mut broken: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
    broken[4] = "abc".into();
    lines[3] = broken.join(",");
    std::fs::write(garbled.join("metrics.csv"), lines.join("\n") + "\n").unwrap();
    refused(
        &[
            "figure",
            "--run",
            s(&garbled),
            "--kind",
            "curves",
            "--out",
            s(&root.join("g.png")),
        ],
        &["metrics.csv line 4", "energy_mean"],
    );

    // A partial last line (a crash mid-write) is left out with a warning naming it.
    let partial = root.join("partial");
    copy_run(&good, &partial);
    let cut = &metrics[..metrics.len() - 10];
    std::fs::write(partial.join("metrics.csv"), cut).unwrap();
    let png = root.join("p.png");
    let r = run(
        &[
            "figure",
            "--run",
            s(&partial),
            "--kind",
            "curves",
            "--out",
            s(&png),
        ],
        Duration::from_secs(60),
    );
    let last_line = cut.lines().count();
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("line {last_line} is partial")),
        "{}",
        r.stderr
    );

    // Resume without a resume state, or of a finished run, says why.
    refused(&["anneal", "--resume", s(&good)], &["finished"]);
    std::fs::remove_file(partial.join("summary.toml")).unwrap();
    std::fs::remove_file(partial.join("resume.npz")).unwrap();
    refused(
        &["anneal", "--resume", s(&partial)],
        &["resume.npz", "not found"],
    );

    // A landscape that would take days is refused before it starts.
    refused(
        &[
            "landscape",
            "--run",
            s(&good),
            "--snapshot",
            "completion",
            "--points",
            "1001",
            "--samples",
            "100000",
        ],
        &["hours", "lower the points or the samples"],
    );

    // Landscape files whose arrays do not fit each other, and contour requests that would
    // take minutes, are refused.
    let land = run(
        &[
            "landscape",
            "--run",
            s(&good),
            "--snapshot",
            "completion",
            "--points",
            "5",
        ],
        Duration::from_secs(120),
    );
    assert_eq!(land.code, Some(0), "{}", land.stderr);
    refused(
        &[
            "figure",
            "--run",
            s(&good),
            "--kind",
            "landscape",
            "--landscape",
            "completion-filter",
            "--contours",
            "100000",
            "--out",
            s(&root.join("l.png")),
        ],
        &["--contours 100000"],
    );
    let file = good.join("landscapes/completion-filter.npz");
    let l = annealscape::landscape::load_landscape(&file).unwrap();
    let mut bad = l.clone();
    bad.surface.alpha = ndarray::Array1::zeros(3);
    annealscape::landscape::save_landscape(&file, &bad).unwrap();
    refused(
        &[
            "figure",
            "--run",
            s(&good),
            "--kind",
            "landscape",
            "--landscape",
            "completion-filter",
            "--out",
            s(&root.join("l.png")),
        ],
        &["alpha"],
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn cluster_and_overwrite_inputs_are_refused_with_what_to_do() {
    let root = common::temp_dir("bad-cluster");
    std::fs::create_dir_all(&root).unwrap();
    let good = small_run(&root);
    let spec = root.join("spec.toml");
    let write_spec = |axes: &str| {
        std::fs::write(&spec, format!("preset = \"quick\"\n[axes]\n{axes}\n")).unwrap();
    };
    let sweep_dir = root.join("sweep");
    let sweep = |extra: &[&str], needles: &[&str]| {
        let mut args = vec!["sweep", s(&spec), "--out", s(&sweep_dir)];
        args.extend_from_slice(extra);
        refused(&args, needles);
    };
    // Duplicate points and exclusions that exclude nothing.
    write_spec("seed = [30, 30]");
    sweep(&[], &["axis 'seed'", "30", "list each value once"]);
    write_spec("seed = [1, 1.0]");
    sweep(&[], &["axis 'seed'", "1.0", "list each value once"]);
    write_spec("seed = [1, 2]\n[[exclude]]\nseed = 3");
    sweep(&[], &["[[exclude]]", "value 3", "not on the axis"]);
    // Slurm options that Slurm would refuse or that would change the job script.
    write_spec("seed = [1, 2]");
    sweep(
        &["--slurm", "--partition", "debug\ntouch X", "--dry-run"],
        &["--partition", "no spaces, newlines"],
    );
    sweep(
        &["--slurm", "--time", "1h", "--dry-run"],
        &["--time 1h", "2:00:00"],
    );
    sweep(
        &["--slurm", "--cpus-per-task", "0", "--dry-run"],
        &["--cpus-per-task 0"],
    );
    assert!(!sweep_dir.exists(), "a dry run writes nothing");
    // A dry run into another sweep's folder is refused as the real run is.
    write_spec("seed = [1, 2]\n\"anneal.anneal_steps\" = 5");
    let r = run(
        &["sweep", s(&spec), "--out", s(&sweep_dir), "--jobs", "1"],
        Duration::from_secs(120),
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    write_spec("seed = [3, 4]");
    sweep(&["--slurm", "--dry-run"], &["holds another sweep"]);
    // A task without a task list.
    refused(
        &["sweep", "--task", "0", s(&sweep_dir)],
        &["tasks.txt", "submit the sweep first"],
    );
    // A folder holding a run's files, and a path too long for the run's files.
    let partial = root.join("partial");
    std::fs::create_dir_all(&partial).unwrap();
    std::fs::write(partial.join("config.toml"), "x").unwrap();
    refused(
        &["anneal", "--preset", "quick", "--out", s(&partial)],
        &["config.toml", "choose a new --out folder"],
    );
    let mut long = root.clone();
    while long.as_os_str().len() < 4045 {
        long = long.join("a".repeat(200));
    }
    let long_s = long.to_str().unwrap().to_string();
    let r = run(
        &["anneal", "--preset", "quick", "--out", &long_s],
        Duration::from_secs(30),
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("shorter path"), "{}", r.stderr);
    assert!(!r.stderr.contains("ZipWriter"), "{}", r.stderr);
    // Small ones: bounded baseline memory, honest curvature errors, finite contour levels,
    // a checkpoint that is not one, a negative range, --only lists, an empty report.
    refused(
        &[
            "baseline",
            "sa",
            "--l",
            "4",
            "--sweeps",
            "10",
            "--runs",
            "100000000",
        ],
        &["--runs 100000000", "use at most --runs"],
    );
    let curvature = |flag: &str, value: &str, needles: &[&str]| {
        refused(
            &[
                "curvature",
                "--run",
                s(&good),
                "--snapshot",
                "completion",
                flag,
                value,
            ],
            needles,
        );
    };
    curvature("--batches", "0", &["--batches 0", "at least 2"]);
    curvature("--probes", "1", &["--probes 1", "at least 2"]);
    curvature("--probes", "0", &["--probes 0", "at least 2"]);
    refused(
        &[
            "figure",
            "--run",
            s(&good),
            "--kind",
            "landscape",
            "--levels",
            "nan,1",
            "--out",
            s(&root.join("f.png")),
        ],
        &["--levels", "NaN", "finite"],
    );
    std::fs::write(root.join("c.txt"), "0000000000000000\n").unwrap();
    refused(
        &[
            "eval",
            "--checkpoint",
            s(&good.join("config.toml")),
            "--configs",
            s(&root.join("c.txt")),
            "--b",
            "1",
        ],
        &["not a checkpoint", "checkpoints/completion.npz"],
    );
    refused(
        &["landscape", "--run", s(&good), "--range", "-1"],
        &["--range", "-1", "above 0"],
    );
    let only = |values: &[&str]| {
        let mut args = vec!["reproduce", "--dry-run", "--out", "/nonexistent/study"];
        for v in values {
            args.push("--only");
            args.push(v);
        }
        run(&args, Duration::from_secs(30))
    };
    let listed = only(&["lattice.size=3,4"]);
    assert_eq!(listed.code, Some(0), "{}", listed.stderr);
    assert_eq!(listed.stdout, only(&["lattice.size=3..4"]).stdout);
    let union = only(&["seed=0", "seed=1"]);
    assert_eq!(union.code, Some(0), "{}", union.stderr);
    assert_eq!(union.stdout, only(&["seed=0,1"]).stdout);
    let empty = root.join("empty-study");
    let r = run(
        &["reproduce", "--report-only", "--out", s(&empty)],
        Duration::from_secs(20),
    );
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("nothing to report"), "{}", r.stderr);
    std::fs::remove_dir_all(&root).unwrap();
}
