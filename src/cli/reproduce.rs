//! `annealscape reproduce`: the paper's study in one command, here or on Slurm.

use clap::Args;
use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use super::study_runner::{duration, StudyArgs, StudyRunner};
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
    /// Where, which part and how.
    #[command(flatten)]
    pub study: StudyArgs,
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
    plan.restrict_all(&args.study.only)?;
    Ok(plan)
}

/// `annealscape reproduce …`.
pub fn reproduce(args: ReproduceArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let plan = plan(&args)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = args.study.jobs.unwrap_or(cores).max(1);
    eprintln!(
        "reproduce --{}: {} runs; estimated {} on {jobs} core(s)",
        plan.length.name(),
        plan.runs(),
        duration(plan.estimated_seconds(jobs))
    );
    let runner = StudyRunner::new(
        format!("reproduce --{}", plan.length.name()),
        plan.spec_text(),
        &args.study,
    );
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
