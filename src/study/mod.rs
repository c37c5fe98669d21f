//! `reproduce`: the paper's study (SPEC §5) as one built-in sweep, the landscapes of its
//! seed-0 runs, and a report that sets every table beside the paper's numbers.
//!
//! ```text
//! DIR/sweep.toml, DIR/runs/ID/, DIR/runs.csv   the sweep (see [`crate::sweep`])
//! DIR/report.md                                the report
//! DIR/figures/                                 its figures
//! ```

mod error;
mod landscapes;
mod outcomes;
mod paper;
mod plan;
mod report;
mod rows;
mod tables;

pub use error::StudyError;
pub use landscapes::{
    compute_landscape, has_landscapes, landscape_path, pending_landscapes, LandscapeTask,
};
pub use plan::{restrict_axes, LandscapePlan, StudyLength, StudyPlan, LANDSCAPE_SNAPSHOTS};
pub(crate) use report::{exact_curve, field_curve, runs_line};
pub use report::{write_report, REPORT_FILE};
pub use rows::{study_runs, StudyRun};
