//! `annealscape cells`: representability against trainability (SPEC §9). The anneals are a
//! sweep (the paper's 2D RNN annealed at L = 3 and 4, quantum from B = 1 and thermal from
//! T = 1); after them, at each of a few X on the way down, two exact forward KLs to the same
//! target are set side by side:
//!
//! - the anneal's: KL(p*_X‖q) of the weights the trajectory holds nearest X;
//! - representability's: the smallest KL a fit by exact gradients (`represent`) reaches from a
//!   fresh network of the same cell and size.
//!
//! A cell that represents the target but whose anneal sits far above it fails in the learning,
//! not in the ansatz. Fits are stored one file each under `DIR/fits/`, so a rerun continues.

mod fits;
mod plan;
mod report;
mod table;

pub use fits::{
    anneal_point, compute_fits, fit_file, kind_name, nearest_point, read_fits, target_kind,
    AnnealPoint, FitRecord,
};
pub use plan::{CellsLength, CellsPlan};
pub use report::{verdict, write_report, REPRESENTED_KL};
