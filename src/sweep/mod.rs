//! Sweeps: many runs from one specification, on this machine or as a Slurm job array, with a
//! status per run kept in the sweep folder so that rerunning resumes and nothing needs an
//! accounting database.
//!
//! ```text
//! SWEEP/sweep.toml         the specification, as given
//! SWEEP/runs/ID/           one run folder per point (ID readable from the axes)
//! SWEEP/runs/ID/status.toml  running (pid, host), stopped (step) or failed (message); done =
//!                            summary.toml; SWEEP/runs/ID/lock is held while a process runs it
//! SWEEP/runs.csv           `collect`: one row per run
//! SWEEP/slurm/             array.sbatch, tasks.txt (task index → run ID), the tasks' logs
//! ```

mod collect;
mod error;
mod folder;
mod local;
mod slurm;
mod spec;

pub use crate::run::{read_status, status_evidence, write_status, RunState, StatusFile};
pub use collect::{collect, collect_rows, damaged_rows, COLUMNS, RUNS_FILE};
pub use error::SweepError;
pub use folder::{check_sweep_folder, open_sweep, prepare_sweep, run_dir, Sweep, SPEC_FILE};
pub use local::{run_local, run_one, LocalOptions, SweepProgress};
pub use slurm::{array_script, submit, task_ids, SlurmOptions, TASKS_FILE};
pub use spec::{expand_axis, same_value, value_text, Axis, SweepPoint, SweepSpec, MAX_RUNS};
