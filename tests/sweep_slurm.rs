//! A sweep as a real Slurm job array on a single-node cluster (tests/slurm/local-slurm.sh),
//! checked against the local executor run for run.

mod common;

use common::{annealscape, ok, temp_dir};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The cluster: the one `.ci/run` started (SLURM_CONF), or one started here and stopped on drop.
struct Cluster {
    started: Option<PathBuf>,
}

impl Cluster {
    fn up() -> Self {
        let running = std::env::var_os("SLURM_CONF").is_some()
            && Command::new("sinfo")
                .arg("-h")
                .output()
                .is_ok_and(|o| o.status.success());
        if running {
            return Self { started: None };
        }
        let dir = temp_dir("slurm");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slurm/local-slurm.sh");
        let out = Command::new("bash")
            .arg(&script)
            .arg("up")
            .arg(&dir)
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "cannot start Slurm (needs root and Debian's slurm packages): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::env::set_var("SLURM_CONF", dir.join("slurm.conf"));
        Self { started: Some(dir) }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(dir) = &self.started {
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slurm/local-slurm.sh");
            let _ = Command::new("bash")
                .arg(script)
                .arg("down")
                .arg(dir)
                .output();
        }
    }
}

#[test]
#[ignore = "starts a real single-node Slurm (root, Debian packages): run with --include-ignored"]
fn a_sweep_runs_as_a_slurm_array_and_equals_the_local_executor() {
    let _cluster = Cluster::up();
    let dir = temp_dir("sweep-slurm");
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("spec.toml");
    std::fs::write(
        &spec,
        "preset = \"quick\"\n[axes]\n\"lattice.size\" = 3\n\"anneal.warmup_steps\" = 10\n\
         \"anneal.anneal_steps\" = 60\n\"anneal.final_samples\" = 200\nseed = \"0..5\"\n",
    )
    .unwrap();
    let slurm = dir.join("slurm");
    let (spec_s, slurm_s) = (spec.to_str().unwrap(), slurm.to_str().unwrap());
    let script = ok(annealscape(&[
        "sweep",
        spec_s,
        "--out",
        slurm_s,
        "--slurm",
        "--max-running",
        "2",
        "--dry-run",
    ]));
    assert!(script.contains("#SBATCH --array=0-5%2\n"), "{script}");
    assert!(
        script.contains("sweep --task \"$SLURM_ARRAY_TASK_ID\""),
        "{script}"
    );
    let binary = std::fs::canonicalize(env!("CARGO_BIN_EXE_annealscape")).unwrap();
    assert!(
        script.contains(&format!("exec '{}'", binary.display())),
        "{script}"
    );
    let answer = ok(annealscape(&[
        "sweep", spec_s, "--out", slurm_s, "--slurm", "--wait",
    ]));
    assert!(answer.contains("Submitted batch job"), "{answer}");
    assert!(slurm.join("slurm/array.sbatch").is_file());
    let status = ok(annealscape(&["sweep-status", slurm_s]));
    assert_eq!(status.matches("\tdone\t").count(), 6, "{status}");
    for a in 0..6 {
        let log = std::fs::read_to_string(slurm.join(format!("slurm/task-{a}.out"))).unwrap();
        assert!(log.contains(&format!("task {a}: run seed")), "{log}");
    }
    // The same specification on the local executor gives the same runs, file for file.
    let local = dir.join("local");
    ok(annealscape(&[
        "sweep",
        spec_s,
        "--out",
        local.to_str().unwrap(),
        "--jobs",
        "2",
    ]));
    for seed in 0..6 {
        let (a, b) = (
            slurm.join(format!("runs/seed{seed}")),
            local.join(format!("runs/seed{seed}")),
        );
        assert_eq!(
            common::metrics_without_seconds(&a),
            common::metrics_without_seconds(&b),
            "seed {seed}"
        );
        assert_eq!(
            std::fs::read(a.join("summary.toml")).unwrap(),
            std::fs::read(b.join("summary.toml")).unwrap()
        );
    }
    // Nothing left to submit.
    let again = ok(annealscape(&["sweep", spec_s, "--out", slurm_s, "--slurm"]));
    assert!(again.contains("nothing to submit"), "{again}");

    // reproduce --slurm --wait: the runs as an array, then the landscapes and the report here.
    let study = dir.join("study");
    let study_s = study.to_str().unwrap();
    let answer = ok(annealscape(&[
        "reproduce",
        "--test-grid",
        "--out",
        study_s,
        "--slurm",
        "--wait",
    ]));
    assert!(answer.contains("Submitted batch job"), "{answer}");
    assert!(answer.contains("report.md"), "{answer}");
    let status = ok(annealscape(&["sweep-status", study_s]));
    assert_eq!(status.matches("\tdone\t").count(), 8, "{status}");
    let report = std::fs::read_to_string(study.join("report.md")).unwrap();
    assert!(report.contains("Runs: 8 of 8 finished"), "{report}");
    assert!(study.join("figures/landscapes_L3_B1.png").is_file());
}

#[test]
#[ignore = "starts a real single-node Slurm (root, Debian packages): run with --include-ignored"]
fn a_task_past_its_time_limit_ends_stopped_and_the_next_submission_finishes_it() {
    let _cluster = Cluster::up();
    let dir = temp_dir("sweep-slurm-time");
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("spec.toml");
    // 60,000 steps, about three minutes on one core here (15,000 B values took under the 1.5
    // minutes a 1-minute limit can run once AVX-512 kernels came): well past Slurm's shortest
    // time limit (1 minute, enforced up to half a minute late), so some submission is stopped.
    std::fs::write(
        &spec,
        "preset = \"quick\"\n[axes]\n\"anneal.anneal_steps\" = 30000\n\"output.resume_every\" = 100\n",
    )
    .unwrap();
    let (slurm, local) = (dir.join("slurm"), dir.join("local"));
    let spec_s = spec.to_str().unwrap();
    // The reference on the local executor, on the other core meanwhile.
    let reference = Command::new(env!("CARGO_BIN_EXE_annealscape"))
        .args([
            "sweep",
            spec_s,
            "--out",
            local.to_str().unwrap(),
            "--jobs",
            "1",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let run = slurm.join("runs/run");
    let mut stops = Vec::new();
    for submission in 1..=16 {
        let out = annealscape(&[
            "sweep",
            spec_s,
            "--out",
            slurm.to_str().unwrap(),
            "--slurm",
            "--time",
            "1",
            "--wait",
        ]);
        let status = ok(annealscape(&["sweep-status", slurm.to_str().unwrap()]));
        if status.contains("\tdone\t") {
            assert!(out.status.success(), "submission {submission}");
            break;
        }
        // Stopped at the time limit: the status says so (not `running`), the command says
        // what to do, and the task's log says why.
        assert_eq!(out.status.code(), Some(1), "submission {submission}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("submit the same command again"), "{stderr}");
        assert!(status.contains("run\tstopped\tstopped after"), "{status}");
        let log = std::fs::read_to_string(slurm.join("slurm/task-0.out")).unwrap();
        assert!(
            log.contains("stopped after") && log.contains("SIGTERM"),
            "{log}"
        );
        stops.push(status);
    }
    assert!(
        !stops.is_empty(),
        "the run finished within one time limit: lengthen it so the test sees a stop"
    );
    assert!(
        run.join("summary.toml").is_file(),
        "not done after 8 submissions"
    );
    let reference = reference.wait_with_output().unwrap();
    assert!(
        reference.status.success(),
        "{}",
        String::from_utf8_lossy(&reference.stderr)
    );
    let local = local.join("runs/run");
    assert_eq!(
        common::metrics_without_seconds(&run),
        common::metrics_without_seconds(&local)
    );
    assert_eq!(
        std::fs::read(run.join("summary.toml")).unwrap(),
        std::fs::read(local.join("summary.toml")).unwrap()
    );
}
