//! `annealscape reproduce`: the paper's study in one command, here or on Slurm.

use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use super::study_runner::{duration, StudyRunner};
use super::sweep::SlurmArgs;
use super::CliError;
use crate::study::{compute_landscape, pending_landscapes, write_report, StudyLength, StudyPlan};
use crate::sweep::Sweep;

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
    let runner = StudyRunner {
        origin: format!("reproduce --{}", plan.length.name()),
        spec_text: plan.spec_text(),
        out: &args.out,
        jobs: args.jobs,
        dry_run: args.dry_run,
        report_only: args.report_only,
        slurm: &args.slurm,
    };
    let mut landscapes = |sweep: &Sweep, stop: &Arc<AtomicBool>| -> Result<(), CliError> {
        let tasks = pending_landscapes(sweep, &plan.landscapes());
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
            compute_landscape(sweep, task, stop)?;
        }
        Ok(())
    };
    runner.run(out, &mut landscapes, &|sweep, seconds| {
        write_report(sweep, &plan, seconds)
    })
}
