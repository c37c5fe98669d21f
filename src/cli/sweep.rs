//! `annealscape sweep`, `sweep-status` and `collect`: many runs from one specification, here
//! or as a Slurm job array.

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use super::CliError;
use crate::sweep::{
    check_sweep_folder, collect, open_sweep, prepare_sweep, read_status, run_dir, run_local,
    run_one, status_evidence, submit, task_ids, LocalOptions, RunState, SlurmOptions,
    SweepProgress,
};

/// The Slurm executor's options, shared by `sweep` and `reproduce`.
#[derive(Debug, Args)]
pub struct SlurmArgs {
    /// Submit a Slurm job array instead of running here.
    #[arg(long)]
    pub slurm: bool,
    /// Slurm partition.
    #[arg(long, requires = "slurm")]
    pub partition: Option<String>,
    /// Slurm time limit per task, e.g. 2:00:00.
    #[arg(long, requires = "slurm")]
    pub time: Option<String>,
    /// Cores per Slurm task (each run's threads).
    #[arg(long, default_value_t = 1, requires = "slurm")]
    pub cpus_per_task: usize,
    /// At most this many Slurm tasks at once.
    #[arg(long, requires = "slurm")]
    pub max_running: Option<usize>,
    /// Wait for the array to finish (sbatch --wait).
    #[arg(long, requires = "slurm")]
    pub wait: bool,
}

impl SlurmArgs {
    /// The executor's options.
    pub fn options(&self) -> SlurmOptions {
        SlurmOptions {
            partition: self.partition.clone(),
            time: self.time.clone(),
            cpus_per_task: self.cpus_per_task,
            max_running: self.max_running,
        }
    }
}

/// Arguments of `annealscape sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The sweep specification (TOML); with --task, the sweep folder.
    pub spec: PathBuf,
    /// The sweep folder (created; rerunning the same command continues it).
    #[arg(long, required_unless_present = "task")]
    pub out: Option<PathBuf>,
    /// Runs at a time (default: one per core).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Threads per run (default: the cores divided among the jobs).
    #[arg(long)]
    pub threads_per_run: Option<usize>,
    /// The Slurm executor's settings.
    #[command(flatten)]
    pub slurm: SlurmArgs,
    /// Print the job script instead of submitting it.
    #[arg(long, requires = "slurm")]
    pub dry_run: bool,
    /// Run array task INDEX of the sweep folder given as SPEC (what the job script calls).
    #[arg(long, value_name = "INDEX", conflicts_with_all = ["out", "slurm"])]
    pub task: Option<usize>,
}

/// Say what a signal stopped and how to go on, for a sweep or a study.
pub(super) fn interrupted() -> CliError {
    eprintln!(
        "stopped{}: finished runs and landscapes are kept, each stopped run wrote its resume state and a `stopped` status; run the same command again to continue",
        super::signals::received()
            .map(|s| format!(" by {}", super::signals::name(s)))
            .unwrap_or_default()
    );
    CliError::Interrupted
}

/// One bar over runs.
struct Bar(ProgressBar);

impl SweepProgress for Bar {
    fn started(&self, id: &str) {
        self.0.set_message(format!("running {id}"));
    }
    fn finished(&self, id: &str, state: &RunState) {
        self.0.inc(1);
        if let RunState::Failed(m) = state {
            self.0.println(format!("{id} failed: {m}"));
        }
    }
}

/// `annealscape sweep …`.
pub fn sweep(args: SweepArgs, out: &mut dyn Write) -> Result<(), CliError> {
    if let Some(index) = args.task {
        return task(&args.spec, index);
    }
    let dir = args
        .out
        .clone()
        .expect("clap requires --out without --task");
    let text = std::fs::read_to_string(&args.spec)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", args.spec.display())))?;
    let origin = args.spec.display().to_string();
    let sweep = if args.dry_run {
        check_sweep_folder(&dir, &text, &origin)
    } else {
        prepare_sweep(&dir, &text, &origin)
    }?;
    if args.slurm.slurm {
        let answer = submit(&sweep, &args.slurm.options(), args.dry_run, args.slurm.wait)?;
        writeln!(out, "{answer}")?;
        if args.slurm.wait {
            return unfinished_after_wait(&sweep);
        }
        return Ok(());
    }
    let stop = stop_on_ctrl_c();
    let failed = execute_locally(&sweep, args.jobs, args.threads_per_run, &stop)?;
    status_table(&sweep.dir, out)?;
    if failed > 0 {
        return Err(CliError::Runtime(anyhow::anyhow!(
            "{failed} run(s) failed (see sweep-status); rerunning the same command starts them again"
        )));
    }
    Ok(())
}

/// After `sbatch --wait`: an error naming how many runs the array left unfinished (a task that
/// hit its time limit leaves its run stopped; the next submission continues it).
pub(super) fn unfinished_after_wait(sweep: &crate::sweep::Sweep) -> Result<(), CliError> {
    let left: Vec<String> = sweep
        .spec
        .points
        .iter()
        .filter_map(|p| {
            let state = read_status(&run_dir(&sweep.dir, &p.id));
            (state != RunState::Done).then(|| format!("{} {}", p.id, state.word()))
        })
        .collect();
    if left.is_empty() {
        return Ok(());
    }
    Err(CliError::Runtime(anyhow::anyhow!(
        "the array ended with {} of {} runs unfinished ({}): submit the same command again to continue them",
        left.len(),
        sweep.spec.points.len(),
        left.join(", ")
    )))
}

/// A flag set by Ctrl-C, SIGTERM or SIGHUP: the executors stop at the next step and keep the
/// files; each stopped run writes its resume state and a `stopped` status.
pub(super) fn stop_on_ctrl_c() -> Arc<AtomicBool> {
    super::signals::stop_flag()
}

/// Run the sweep's unfinished runs here, `jobs` at a time, with one progress bar; returns how
/// many failed.
pub(super) fn execute_locally(
    sweep: &crate::sweep::Sweep,
    jobs: Option<usize>,
    threads_per_run: Option<usize>,
    stop: &Arc<AtomicBool>,
) -> Result<usize, CliError> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = jobs.unwrap_or(cores).max(1);
    let threads = threads_per_run.unwrap_or((cores / jobs).max(1)).max(1);
    let todo = sweep
        .spec
        .points
        .iter()
        .filter(|p| read_status(&run_dir(&sweep.dir, &p.id)) != RunState::Done)
        .count();
    eprintln!(
        "sweep of {} runs into {} ({} to do, {jobs} at a time, {threads} thread(s) each)",
        sweep.spec.points.len(),
        sweep.dir.display(),
        todo
    );
    let bar = ProgressBar::new(todo as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} runs, ETA {eta} {msg}")
            .expect("valid template"),
    );
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let options = LocalOptions {
        jobs,
        threads_per_run: threads,
    };
    let results = run_local(sweep, &options, stop, &Bar(bar.clone()))?;
    bar.finish_and_clear();
    let elsewhere = results
        .iter()
        .filter(|r| matches!(r.1, RunState::Running { .. }))
        .count();
    if elsewhere > 0 {
        eprintln!("{elsewhere} run(s) are held by another process and were left to it (sweep-status shows where)");
    }
    Ok(results
        .iter()
        .filter(|r| matches!(r.1, RunState::Failed(_)))
        .count())
}

/// One array task: run its run to the end (or resume it).
fn task(sweep_dir: &std::path::Path, index: usize) -> Result<(), CliError> {
    let sweep = open_sweep(sweep_dir)?;
    let ids = task_ids(&sweep.dir)?;
    let id = ids.get(index).ok_or_else(|| {
        CliError::Usage(format!(
            "task {index} is not in {} ({} tasks)",
            crate::sweep::TASKS_FILE,
            ids.len()
        ))
    })?;
    let point = sweep
        .spec
        .points
        .iter()
        .find(|p| &p.id == id)
        .ok_or_else(|| CliError::Usage(format!("run {id} is not in the sweep's specification")))?;
    // Slurm sends SIGTERM at the time limit and on preemption, then SIGKILL after KillWait:
    // stop at the next step, write the resume state and a `stopped` status.
    let stop = stop_on_ctrl_c();
    eprintln!("task {index}: run {id}");
    match run_one(&sweep, point, &stop)? {
        RunState::Done => Ok(()),
        RunState::Failed(m) => Err(CliError::Runtime(anyhow::anyhow!("run {id} failed: {m}"))),
        RunState::Stopped { step } => {
            eprintln!(
                "task {index}: run {id} stopped after {step} steps by {}; its resume state is written: submit the sweep again (annealscape sweep SPEC --out {} --slurm) to continue it",
                super::signals::received().map_or("a stop request", super::signals::name),
                sweep.dir.display()
            );
            Err(CliError::Interrupted)
        }
        RunState::Running { host, pid } => Err(CliError::Runtime(anyhow::anyhow!(
            "run {id} is running in another process (host {host}, pid {pid}): this task left it alone"
        ))),
        other => Err(CliError::Runtime(anyhow::anyhow!(
            "run {id} left {}: {}",
            other.word(),
            status_evidence(&run_dir(&sweep.dir, id), &other)
        ))),
    }
}

fn status_table(dir: &std::path::Path, out: &mut dyn Write) -> Result<(), CliError> {
    let sweep = open_sweep(dir)?;
    // The message says how the state is known: the lock, status.toml or summary.toml.
    writeln!(out, "id\tstatus\tmessage")?;
    let mut counts = std::collections::BTreeMap::new();
    for p in &sweep.spec.points {
        let dir = run_dir(&sweep.dir, &p.id);
        let state = read_status(&dir);
        *counts.entry(state.word()).or_insert(0usize) += 1;
        let message = status_evidence(&dir, &state);
        writeln!(out, "{}\t{}\t{message}", p.id, state.word())?;
    }
    let summary: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    eprintln!("{} runs: {}", sweep.spec.points.len(), summary.join(", "));
    Ok(())
}

/// `annealscape sweep-status SWEEP`.
pub fn sweep_status(dir: PathBuf, out: &mut dyn Write) -> Result<(), CliError> {
    status_table(&dir, out)
}

/// `annealscape collect SWEEP`.
pub fn collect_runs(dir: PathBuf, out: &mut dyn Write) -> Result<(), CliError> {
    let sweep = open_sweep(&dir)?;
    let rows = collect(&sweep)?;
    writeln!(
        out,
        "wrote {} ({} runs)",
        sweep.dir.join(crate::sweep::RUNS_FILE).display(),
        rows.len() - 1
    )?;
    let damaged = crate::sweep::damaged_rows(&rows);
    if damaged.is_empty() {
        return Ok(());
    }
    for (id, message) in &damaged {
        eprintln!("{id}: damaged: {message}");
    }
    Err(CliError::Runtime(anyhow::anyhow!(
        "{} run(s) are damaged (their rows say `damaged`, the outcome left blank): fix or remove those run folders, then rerun the sweep to run them again",
        damaged.len()
    )))
}
