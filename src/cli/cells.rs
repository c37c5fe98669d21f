//! `annealscape cells`: representability against trainability (SPEC §9) in one command: the
//! anneals as a sweep (here or on Slurm), the fits at the same X, the report.

use clap::Args;
use std::io::Write;

use super::represent::CellArg;
use super::study_runner::{StudyArgs, StudyRunner};
use super::CliError;
use crate::cells::{compute_fits, write_report, CellsLength, CellsPlan};
use crate::study::StudyError;

/// Arguments of `annealscape cells`.
#[derive(Debug, Args)]
pub struct CellsArgs {
    /// L = 3, quantum and thermal, seeds 0–2 at the paper's length: the default (about
    /// an hour on two cores).
    #[arg(long, conflicts_with = "full")]
    pub quick: bool,
    /// L = 3 and 4, seeds 0–5 (hours: each L = 4 fit enumerates 2^16 configurations a step).
    #[arg(long)]
    pub full: bool,
    /// The cells compared, each at the 2D RNN's parameter count (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', default_values = ["rnn2d", "gru2d", "tensorized2d", "made", "transformer"])]
    pub cells: Vec<CellArg>,
    /// A tiny grid for the test suite.
    #[arg(long, hide = true, conflicts_with_all = ["quick", "full"])]
    pub test_grid: bool,
    /// Where, which part and how.
    #[command(flatten)]
    pub study: StudyArgs,
}

/// `annealscape cells …`.
pub fn cells(args: CellsArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let length = if args.test_grid {
        CellsLength::Test
    } else if args.full {
        CellsLength::Full
    } else {
        CellsLength::Quick
    };
    let cells: Vec<_> = args.cells.iter().map(|c| c.cell()).collect();
    let mut plan = CellsPlan::new(length, &cells);
    plan.restrict_all(&args.study.only)?;
    eprintln!(
        "cells --{}: {} anneals, then a fit at each of {} B and {} T values per seed",
        length.name(),
        plan.runs()?,
        plan.points("quantum").len(),
        plan.points("thermal").len()
    );
    let runner = StudyRunner::new(
        format!("cells --{}", length.name()),
        plan.spec_text(),
        &args.study,
    );
    runner.run(
        out,
        &mut |sweep, stop| {
            compute_fits(sweep, &plan, stop, &|line| eprintln!("{line}")).map_err(|e| match e {
                StudyError::Interrupted => CliError::Interrupted,
                other => other.into(),
            })
        },
        &|sweep, seconds| write_report(sweep, &plan, seconds),
    )
}
