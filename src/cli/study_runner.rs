//! What `reproduce` and `remedies` share: a built-in sweep written to a folder, run here or on
//! Slurm, then whatever the study computes after its runs, then its report.

use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use super::sweep::{execute_locally, stop_on_ctrl_c, unfinished_after_wait, SlurmArgs};
use super::CliError;
use crate::study::StudyError;
use crate::sweep::{
    check_sweep_folder, prepare_sweep, read_status, run_dir, submit, RunState, Sweep,
};

/// The arguments `reproduce` and `remedies` share: where, which part, how.
#[derive(Debug, Args)]
pub struct StudyArgs {
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
    /// finished (or add --wait) for the rest and the report.
    #[command(flatten)]
    pub slurm: SlurmArgs,
}

/// A study's sweep and how the command was asked to run it.
pub(super) struct StudyRunner<'a> {
    /// The command's name and length, e.g. `remedies --quick`.
    pub origin: String,
    /// The generated sweep specification.
    pub spec_text: String,
    /// The study folder.
    pub out: &'a Path,
    /// Runs at a time (default: one per core).
    pub jobs: Option<usize>,
    /// Print the specification (or the job script) and stop.
    pub dry_run: bool,
    /// Write the report from what has finished, running nothing.
    pub report_only: bool,
    /// Slurm submission.
    pub slurm: &'a SlurmArgs,
}

/// What a study computes after its runs and before its report (e.g. `reproduce`'s
/// landscapes), stopping when the flag is raised.
pub(super) type AfterRuns<'a> = dyn FnMut(&Sweep, &Arc<AtomicBool>) -> Result<(), CliError> + 'a;

/// Wall time as "1 h 05 min", or "45 s" under two minutes.
pub(super) fn duration(seconds: f64) -> String {
    if seconds < 119.5 {
        return format!("{:.0} s", seconds.max(0.0));
    }
    let minutes = (seconds / 60.0).round() as u64;
    if minutes >= 60 {
        format!("{} h {:02} min", minutes / 60, minutes % 60)
    } else {
        format!("{minutes} min")
    }
}

impl<'a> StudyRunner<'a> {
    /// The runner of `args` for the study `origin` (e.g. `remedies --quick`) with its
    /// generated specification.
    pub fn new(origin: String, spec_text: String, args: &'a StudyArgs) -> Self {
        Self {
            origin,
            spec_text,
            out: &args.out,
            jobs: args.jobs,
            dry_run: args.dry_run,
            report_only: args.report_only,
            slurm: &args.slurm,
        }
    }

    /// Run the study: the sweep (skipping finished runs), then `after_runs` (e.g. landscapes),
    /// then `report`, whose path is printed.
    pub fn run(
        &self,
        out: &mut dyn Write,
        after_runs: &mut AfterRuns<'_>,
        report: &dyn Fn(&Sweep, f64) -> Result<PathBuf, StudyError>,
    ) -> Result<(), CliError> {
        let origin = format!("annealscape {}", self.origin);
        // A dry run (and a report of what exists) checks the folder without writing: it must
        // be this study's or new, as for the real run.
        let sweep = if self.dry_run || self.report_only {
            check_sweep_folder(self.out, &self.spec_text, &origin)
        } else {
            prepare_sweep(self.out, &self.spec_text, &origin)
        }?;
        if self.dry_run && !self.slurm.slurm {
            write!(out, "{}", self.spec_text)?;
            return Ok(());
        }
        let began = std::time::Instant::now();
        if self.report_only {
            let finished = sweep
                .spec
                .points
                .iter()
                .filter(|p| read_status(&run_dir(&sweep.dir, &p.id)) == RunState::Done)
                .count();
            if finished == 0 {
                return Err(CliError::Usage(format!(
                    "no run of this study has finished in {}: there is nothing to report; run the study first (the same command without --report-only)",
                    self.out.display()
                )));
            }
            let path = report(&sweep, began.elapsed().as_secs_f64())?;
            writeln!(out, "wrote {}", path.display())?;
            return Ok(());
        }
        if self.slurm.slurm {
            let answer = submit(&sweep, &self.slurm.options(), self.dry_run, self.slurm.wait)?;
            writeln!(out, "{answer}")?;
            if self.slurm.wait && !self.dry_run {
                unfinished_after_wait(&sweep)?;
            }
            if self.dry_run || !self.slurm.wait {
                eprintln!(
                    "when the array has finished, rerun this command without --slurm: it skips the finished runs and writes {}",
                    self.out.join(crate::study::REPORT_FILE).display()
                );
                return Ok(());
            }
        }
        let stop = stop_on_ctrl_c();
        let failed = execute_locally(&sweep, self.jobs, Some(1), &stop)?;
        if failed > 0 {
            eprintln!("{failed} run(s) failed: the report lists them; rerunning this command starts them again");
        }
        after_runs(&sweep, &stop)?;
        let path = report(&sweep, began.elapsed().as_secs_f64())?;
        writeln!(out, "wrote {}", path.display())?;
        Ok(())
    }
}
