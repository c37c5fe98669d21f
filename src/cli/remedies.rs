//! `annealscape remedies`: every remedy against the paper's Adam in one command, here or on
//! Slurm.

use clap::Args;
use std::io::Write;
use std::path::PathBuf;

use super::study_runner::{duration, StudyRunner};
use super::sweep::SlurmArgs;
use super::CliError;
use crate::remedies::{write_report, RemediesLength, RemediesPlan};

/// Arguments of `annealscape remedies`.
#[derive(Debug, Args)]
pub struct RemediesArgs {
    /// 801-step runs on L = 3 (quantum and thermal), 4 and 6 (quantum), seeds 0–5: the default.
    #[arg(long, conflicts_with = "full")]
    pub quick: bool,
    /// The paper's length (51,001 steps) on L = 3–7, quantum and thermal, seeds 0–5: days on
    /// two cores, meant for --slurm.
    #[arg(long)]
    pub full: bool,
    /// A tiny grid for the test suite.
    #[arg(long, hide = true, conflicts_with_all = ["quick", "full"])]
    pub test_grid: bool,
    /// The study folder (a sweep folder; rerunning the same command continues it).
    #[arg(long)]
    pub out: PathBuf,
    /// Keep only some values of an axis (lattice.size, target, remedy, seed), e.g.
    /// --only remedy=adam,sr or --only seed=0..2; repeating a key keeps the union of its values
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
    /// finished (or add --wait) for the report.
    #[command(flatten)]
    pub slurm: SlurmArgs,
}

/// `annealscape remedies …`.
pub fn remedies(args: RemediesArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let length = if args.test_grid {
        RemediesLength::Test
    } else if args.full {
        RemediesLength::Full
    } else {
        RemediesLength::Quick
    };
    let mut plan = RemediesPlan::new(length);
    plan.restrict_all(&args.only)?;
    if plan.runs() == 0 {
        return Err(CliError::Usage(
            "the --only choices leave no run (e.g. only rvqa with only thermal runs): widen them"
                .into(),
        ));
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = args.jobs.unwrap_or(cores).max(1);
    eprintln!(
        "remedies --{}: {} runs; estimated {} on {jobs} core(s)",
        length.name(),
        plan.runs(),
        duration(plan.estimated_seconds(jobs))
    );
    let runner = StudyRunner {
        origin: format!("remedies --{}", length.name()),
        spec_text: plan.spec_text(),
        out: &args.out,
        jobs: args.jobs,
        dry_run: args.dry_run,
        report_only: args.report_only,
        slurm: &args.slurm,
    };
    runner.run(out, &mut |_, _| Ok(()), &|sweep, seconds| {
        write_report(sweep, &plan, seconds)
    })
}
