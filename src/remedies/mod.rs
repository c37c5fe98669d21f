//! `remedies`: every remedy of SPEC §8 (AMSGrad, the natural gradient, exact gradients, RVQA,
//! the settled schedule, a wider network, more samples) against the paper's Adam as one
//! built-in sweep, scored per SPEC §8.4 in a report.
//!
//! ```text
//! DIR/sweep.toml, DIR/runs/ID/, DIR/runs.csv   the sweep (see [`crate::sweep`]); the axes
//!                                              lattice.size, target, remedy, seed
//! DIR/report.md                                the report
//! DIR/figures/                                 its figures
//! ```

mod plan;
mod report;
mod score;

pub use plan::{
    LeftOut, RemediesLength, RemediesPlan, Remedy, BASELINE, NOT_BUILT, REMEDIES, TARGETS,
};
pub use report::{write_report, REPORT_FILE};
pub use score::{score, RemedyScore, Verdict};
