//! `annealscape reproduce`: the paper's study in one command, here or on Slurm.

use clap::Args;
use std::io::Write;
use std::path::PathBuf;

use super::sweep::{execute_locally, stop_on_ctrl_c, unfinished_after_wait, SlurmArgs};
use super::CliError;
use crate::study::{compute_landscape, pending_landscapes, write_report, StudyLength, StudyPlan};
use crate::sweep::{check_sweep_folder, prepare_sweep, read_status, run_dir, submit, RunState};

/// Arguments of `annealscape reproduce`.
#[derive(Debug, Args)]
pub struct ReproduceArgs {
    /// The reduced study (2,001 steps a run, landscapes over ±0.5): the default.
    #[arg(long, conflicts_with = "full")]
    pub quick: bool,
    /// The paper's settings (51,001 steps a run, landscapes over ±1 at 201 × 201): hours.
    #[arg(long)]
    pub full: bool,
    /// A tiny grid for the test suite.
    #[arg(long, hide = true, conflicts_with_all = ["quick", "full"])]
    pub test_grid: bool,
    /// The study folder (a sweep folder; rerunning the same command continues it).
    #[arg(long)]
    pub out: PathBuf,
    /// Keep only some values of an axis, e.g. --only lattice.size=3, --only lattice.size=3,4 or
    /// --only seed=0..2; repeating a key keeps the union of its values
    /// (repeatable).
    #[arg(long, value_name = "KEY=VALUES")]
    pub only: Vec<String>,
    /// Runs at a time (default: one per core).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Print the sweep specification (with --slurm: the job script) and the estimated time,
    /// and stop.
    #[arg(long)]
    pub dry_run: bool,
    /// Write the report from what has finished, running nothing (e.g. while an array runs).
    #[arg(long, conflicts_with = "dry_run")]
    pub report_only: bool,
    /// Run the study as a Slurm job array; rerun the same command without --slurm when it has
    /// finished (or add --wait) for the landscapes and the report.
    #[command(flatten)]
    pub slurm: SlurmArgs,
}

/// The plan the arguments describe.
fn plan(args: &ReproduceArgs) -> Result<StudyPlan, CliError> {
    let length = if args.test_grid {
        StudyLength::Test
    } else if args.full {
        StudyLength::Full
    } else {
        StudyLength::Quick
    };
    let mut plan = StudyPlan::new(length);
    plan.restrict_all(&args.only)?;
    Ok(plan)
}

/// Wall time as "1 h 05 min".
fn duration(seconds: f64) -> String {
    let minutes = (seconds / 60.0).round() as u64;
    if minutes >= 60 {
        format!("{} h {:02} min", minutes / 60, minutes % 60)
    } else {
        format!("{minutes} min")
    }
}

/// `annealscape reproduce …`.
pub fn reproduce(args: ReproduceArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let plan = plan(&args)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = args.jobs.unwrap_or(cores).max(1);
    eprintln!(
        "reproduce --{}: {} runs; estimated {} on {jobs} core(s)",
        plan.length.name(),
        plan.runs(),
        duration(plan.estimated_seconds(jobs))
    );
    let origin = format!("annealscape reproduce --{}", plan.length.name());
    // A dry run (and a report of what exists) checks the folder without writing: it must be
    // this study's or new, as for the real run.
    let sweep = if args.dry_run || args.report_only {
        check_sweep_folder(&args.out, &plan.spec_text(), &origin)
    } else {
        prepare_sweep(&args.out, &plan.spec_text(), &origin)
    }?;
    if args.dry_run && !args.slurm.slurm {
        write!(out, "{}", plan.spec_text())?;
        return Ok(());
    }
    let began = std::time::Instant::now();
    if args.report_only {
        let finished = sweep
            .spec
            .points
            .iter()
            .filter(|p| read_status(&run_dir(&sweep.dir, &p.id)) == RunState::Done)
            .count();
        if finished == 0 {
            return Err(CliError::Usage(format!(
                "no run of this study has finished in {}: there is nothing to report; run the study first (the same command without --report-only)",
                args.out.display()
            )));
        }
        let report = write_report(&sweep, &plan, began.elapsed().as_secs_f64())?;
        writeln!(out, "wrote {}", report.display())?;
        return Ok(());
    }
    if args.slurm.slurm {
        let answer = submit(&sweep, &args.slurm.options(), args.dry_run, args.slurm.wait)?;
        writeln!(out, "{answer}")?;
        if args.slurm.wait && !args.dry_run {
            unfinished_after_wait(&sweep)?;
        }
        if args.dry_run || !args.slurm.wait {
            eprintln!(
                "when the array has finished, rerun this command without --slurm: it skips the finished runs, computes the landscapes and writes {}",
                args.out.join(crate::study::REPORT_FILE).display()
            );
            return Ok(());
        }
    }
    let stop = stop_on_ctrl_c();
    let failed = execute_locally(&sweep, args.jobs, Some(1), &stop)?;
    if failed > 0 {
        eprintln!("{failed} run(s) failed: the report lists them; rerunning this command starts them again");
    }
    let tasks = pending_landscapes(&sweep, &plan.landscapes());
    for (k, task) in tasks.iter().enumerate() {
        eprintln!(
            "landscape {}/{}: {} {} ({} directions, {}×{})",
            k + 1,
            tasks.len(),
            task.run,
            task.snapshot,
            task.plan.directions.name(),
            task.plan.spec.points,
            task.plan.spec.points
        );
        compute_landscape(&sweep, task, &stop)?;
    }
    let report = write_report(&sweep, &plan, began.elapsed().as_secs_f64())?;
    writeln!(out, "wrote {}", report.display())?;
    Ok(())
}
