//! The network a diagnostic command measures: a run's snapshot, or a bare checkpoint with the
//! lattice, kind and B or T it belongs to (`distance` and `curvature` take the same arguments).

use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// What the bare checkpoint was trained on.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// A transverse-field anneal: --x is B.
    Quantum,
    /// A temperature anneal: --x is T.
    Thermal,
}

/// A run's snapshot (`--run`, `--snapshot`) or a bare checkpoint (`--checkpoint`, `--l`,
/// `--kind`, `--x`, `--coupling`).
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// A run folder (with --snapshot).
    #[arg(long, conflicts_with = "checkpoint")]
    pub run: Option<PathBuf>,
    /// The snapshot of --run: init, warmup, mid1…mid5, completion, manual-STEP, stopped.
    #[arg(long, default_value = "completion")]
    pub snapshot: String,
    /// A bare checkpoint (with --l, --kind and --x).
    #[arg(long, requires_all = ["l", "kind", "x"])]
    pub checkpoint: Option<PathBuf>,
    /// Lattice size of the bare checkpoint.
    #[arg(long)]
    pub l: Option<usize>,
    /// Quantum or thermal, for the bare checkpoint.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// B or T to measure at (a run's snapshot uses its own unless this is given).
    #[arg(long)]
    pub x: Option<f64>,
    /// Coupling J of the bare checkpoint.
    #[arg(long, default_value_t = 1.0)]
    pub coupling: f64,
}
