//! `annealscape remedies`: every remedy against the paper's Adam in one command, here or on
//! Slurm.

use clap::Args;
use std::io::Write;

use super::study_runner::{duration, StudyArgs, StudyRunner};
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
    /// Where, which part and how.
    #[command(flatten)]
    pub study: StudyArgs,
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
    plan.restrict_all(&args.study.only)?;
    if plan.runs() == 0 {
        return Err(CliError::Usage(
            "the --only choices leave no run (e.g. only rvqa with only thermal runs): widen them"
                .into(),
        ));
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = args.study.jobs.unwrap_or(cores).max(1);
    eprintln!(
        "remedies --{}: {} runs; estimated {} on {jobs} core(s)",
        length.name(),
        plan.runs(),
        duration(plan.estimated_seconds(jobs))
    );
    let runner = StudyRunner::new(
        format!("remedies --{}", length.name()),
        plan.spec_text(),
        &args.study,
    );
    runner.run(out, &mut |_, _| Ok(()), &|sweep, seconds| {
        write_report(sweep, &plan, seconds)
    })
}
