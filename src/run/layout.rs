//! A run folder's layout (DESIGN.md "Files a run writes"): the name of every file and folder a
//! run writes, in one place, used by the code that writes them and by the code that reads them.

use std::path::{Path, PathBuf};

/// The names in a run folder.
#[derive(Debug, Clone, Copy)]
pub struct RunLayout;

impl RunLayout {
    /// Every setting of the run, the seed included.
    pub const CONFIG: &'static str = "config.toml";
    /// One row per step.
    pub const METRICS: &'static str = "metrics.csv";
    /// The final evaluation; its presence means the run has finished.
    pub const SUMMARY: &'static str = "summary.toml";
    /// The whole state of the run, for `--resume`.
    pub const RESUME: &'static str = "resume.npz";
    /// Parameter vectors along the run, thinned.
    pub const TRAJECTORY: &'static str = "trajectory.npz";
    /// Running, stopped or failed (absent once finished).
    pub const STATUS: &'static str = "status.toml";
    /// The advisory lock held while a process runs the run.
    pub const LOCK: &'static str = "lock";
    /// Exact distances along the anneal.
    pub const EXACT: &'static str = "exact.csv";
    /// The exact p(g) of every ground state at each exact row.
    pub const PROBABILITIES: &'static str = "ground_state_probabilities.csv";
    /// Curvature along the anneal.
    pub const CURVATURE: &'static str = "curvature.csv";
    /// Parameters at each snapshot, `NAME.npz`.
    pub const CHECKPOINTS: &'static str = "checkpoints";
    /// Samples at each snapshot, `NAME.txt`, and the final modes.
    pub const SAMPLES: &'static str = "samples";
    /// The final evaluation's modes, inside [`RunLayout::SAMPLES`].
    pub const FINAL_MODES: &'static str = "final_modes.tsv";
    /// Stored landscapes, `SNAPSHOT-DIRECTIONS.npz`.
    pub const LANDSCAPES: &'static str = "landscapes";
    /// Films of the landscape along the run, one NPZ each.
    pub const FILMS: &'static str = "films";
    /// Hessian spectra at snapshots, `NAME.npz`.
    pub const CURVATURE_SPECTRA: &'static str = "curvature";
    /// Figures and screenshots.
    pub const FIGURES: &'static str = "figures";

    /// The checkpoint of snapshot `name` in the run folder `dir`.
    pub fn checkpoint(dir: &Path, name: &str) -> PathBuf {
        dir.join(Self::CHECKPOINTS).join(format!("{name}.npz"))
    }

    /// The samples of snapshot `name` in the run folder `dir`.
    pub fn samples(dir: &Path, name: &str) -> PathBuf {
        dir.join(Self::SAMPLES).join(format!("{name}.txt"))
    }
}
