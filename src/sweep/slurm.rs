//! The Slurm executor: one array task per unfinished run, each running
//! `annealscape sweep --task INDEX SWEEP` through the binary that submitted it — the local
//! executor's own `run_one`, so a requeued task resumes.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{read_status, run_dir, RunState, Sweep, SweepError};

/// The task list: line i is the run ID of array task i.
pub const TASKS_FILE: &str = "slurm/tasks.txt";

/// What `sbatch` is asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlurmOptions {
    /// `--partition`.
    pub partition: Option<String>,
    /// `--time` (Slurm's format, e.g. 2:00:00).
    pub time: Option<String>,
    /// `--cpus-per-task` (also each run's threads).
    pub cpus_per_task: usize,
    /// At most this many tasks at once (`%K`).
    pub max_running: Option<usize>,
}

impl SlurmOptions {
    /// Refuse a value that Slurm would reject or that would change the job script: `--time` in
    /// one of Slurm's formats, a partition name without whitespace or shell characters, at least
    /// one core and one running task.
    pub fn validate(&self) -> Result<(), SweepError> {
        let bad = |option: &'static str, value: String, message: &str| SweepError::SlurmOption {
            option,
            value,
            message: message.to_string(),
        };
        if let Some(t) = &self.time {
            if !is_slurm_time(t) {
                return Err(bad(
                    "--time",
                    t.clone(),
                    "is not a Slurm time: write MINUTES, MINUTES:SECONDS, HOURS:MINUTES:SECONDS, DAYS-HOURS, DAYS-HOURS:MINUTES or DAYS-HOURS:MINUTES:SECONDS (e.g. 2:00:00)",
                ));
            }
        }
        if let Some(p) = &self.partition {
            let allowed = |c: char| c.is_ascii_alphanumeric() || "_-.,+".contains(c);
            if p.is_empty() || !p.chars().all(allowed) {
                return Err(bad(
                    "--partition",
                    p.escape_debug().to_string(),
                    "is not a partition name: use letters, digits and _ - . , + only (no spaces, newlines or shell characters); `sinfo -s` lists the partitions",
                ));
            }
        }
        if self.cpus_per_task == 0 {
            return Err(bad("--cpus-per-task", "0".into(), "must be at least 1"));
        }
        if self.max_running == Some(0) {
            return Err(bad(
                "--max-running",
                "0".into(),
                "must be at least 1 (leave it out for no limit)",
            ));
        }
        Ok(())
    }
}

/// Whether `text` is one of Slurm's time formats (`sbatch --time`), or `UNLIMITED`.
fn is_slurm_time(text: &str) -> bool {
    let number = |t: &str| !t.is_empty() && t.len() <= 9 && t.bytes().all(|b| b.is_ascii_digit());
    if text.eq_ignore_ascii_case("unlimited") || text.eq_ignore_ascii_case("infinite") {
        return true;
    }
    let (days, rest) = match text.split_once('-') {
        Some((d, r)) => (Some(d), r),
        None => (None, text),
    };
    let parts: Vec<&str> = rest.split(':').collect();
    if !parts.iter().all(|p| number(p)) || days.is_some_and(|d| !number(d)) {
        return false;
    }
    (1..=3).contains(&parts.len())
}

/// Quote for a POSIX shell.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The job-array script for `tasks` (run IDs) of `sweep`, run by `binary`.
pub fn array_script(
    sweep: &Sweep,
    tasks: &[String],
    binary: &Path,
    options: &SlurmOptions,
) -> String {
    let logs = sweep.dir.join("slurm");
    let throttle = options
        .max_running
        .map(|k| format!("%{k}"))
        .unwrap_or_default();
    let mut s = String::from(
        "#!/bin/bash\n# Written by `annealscape sweep --slurm`: one task per unfinished run.\n",
    );
    s.push_str("#SBATCH --job-name=annealscape-sweep\n");
    s.push_str(&format!(
        "#SBATCH --array=0-{}{throttle}\n",
        tasks.len().saturating_sub(1)
    ));
    s.push_str(&format!(
        "#SBATCH --cpus-per-task={}\n",
        options.cpus_per_task.max(1)
    ));
    s.push_str(&format!(
        "#SBATCH --output={}/task-%a.out\n",
        logs.display()
    ));
    if let Some(p) = &options.partition {
        s.push_str(&format!("#SBATCH --partition={p}\n"));
    }
    if let Some(t) = &options.time {
        s.push_str(&format!("#SBATCH --time={t}\n"));
    }
    s.push_str("#SBATCH --requeue\n");
    s.push_str("export RAYON_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"\n");
    s.push_str(&format!(
        "exec {} sweep --task \"$SLURM_ARRAY_TASK_ID\" {}\n",
        quoted(&binary.display().to_string()),
        quoted(&sweep.dir.display().to_string())
    ));
    s
}

/// The run IDs of the array's tasks, in task order.
pub fn task_ids(sweep_dir: &Path) -> Result<Vec<String>, SweepError> {
    let path = sweep_dir.join(TASKS_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        SweepError::io(
            &path,
            format!("{e}: `sweep --task` runs one task of an array that `sweep SPEC --out {} --slurm` submitted, and reads the run IDs from this file; submit the sweep first (or run it here without --task)", sweep_dir.display()),
        )
    })?;
    Ok(text
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}

/// Write `slurm/array.sbatch` and `slurm/tasks.txt` for the unfinished runs and submit it.
/// With `dry_run` nothing is submitted and the script is returned; otherwise sbatch's
/// answer ("Submitted batch job N"). With `wait`, sbatch waits for the array to end.
pub fn submit(
    sweep: &Sweep,
    options: &SlurmOptions,
    dry_run: bool,
    wait: bool,
) -> Result<String, SweepError> {
    options.validate()?;
    let tasks: Vec<String> = sweep
        .spec
        .points
        .iter()
        .filter(|p| {
            !matches!(
                read_status(&run_dir(&sweep.dir, &p.id)),
                RunState::Done | RunState::Running { .. } | RunState::Damaged(_)
            )
        })
        .map(|p| p.id.clone())
        .collect();
    if tasks.is_empty() {
        return Ok("every run is done, running or damaged: nothing to submit".into());
    }
    let binary: PathBuf = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map_err(|e| SweepError::Slurm(format!("cannot find this program's path: {e}")))?;
    let script = array_script(sweep, &tasks, &binary, options);
    if dry_run {
        return Ok(script);
    }
    let slurm_dir = sweep.dir.join("slurm");
    std::fs::create_dir_all(&slurm_dir).map_err(|e| SweepError::io(&slurm_dir, e))?;
    let tasks_path = sweep.dir.join(TASKS_FILE);
    crate::files::write_atomically(&tasks_path, |w| {
        std::io::Write::write_all(w, (tasks.join("\n") + "\n").as_bytes())
    })
    .map_err(|e| SweepError::io(&tasks_path, e))?;
    let script_path = slurm_dir.join("array.sbatch");
    crate::files::write_atomically(&script_path, |w| {
        std::io::Write::write_all(w, script.as_bytes())
    })
    .map_err(|e| SweepError::io(&script_path, e))?;
    let mut cmd = Command::new("sbatch");
    if wait {
        cmd.arg("--wait");
    }
    let out = cmd.arg(&script_path).output().map_err(|e| {
        SweepError::Slurm(format!("cannot run sbatch ({e}): is Slurm installed and SLURM_CONF set? (use --dry-run to see the script)"))
    })?;
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if wait && !out.status.success() && stdout.contains("Submitted batch job") {
        // sbatch --wait exits with the array's worst task: a task that reached its time limit
        // (SIGTERM, exit 143) has left its run stopped, to be continued by the next submission.
        return Ok(format!(
            "{stdout}\nthe array has ended, not every task finished ({}): `sweep-status` shows which; submit again to continue stopped runs",
            out.status
        ));
    }
    if !out.status.success() {
        return Err(SweepError::Slurm(format!(
            "sbatch exited with {}: {} {}",
            out.status,
            stdout,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(stdout)
}
