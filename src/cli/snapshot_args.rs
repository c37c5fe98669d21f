//! The network a diagnostic command measures: a run's snapshot, or a bare checkpoint with the
//! lattice, kind and B or T it belongs to (`distance` and `curvature` take the same arguments).

use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

use super::CliError;
use crate::analysis::RunFolder;
use crate::anneal::{AnnealKind, Objective};
use crate::nn::{load_npz, tensor_shapes, Cell, Network, NetworkConfig, Params};
use crate::physics::{Lattice, NewmanMoore};
use crate::run::{checkpoint_path, RunConfig};

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

/// The network a diagnostic command measures, with what it was trained on.
pub struct SnapshotTarget {
    /// The network.
    pub net: Network,
    /// The model it was trained on.
    pub model: NewmanMoore,
    /// Quantum or thermal.
    pub kind: AnnealKind,
    /// B or T to measure at.
    pub x: f64,
    /// The checkpoint file the network was read from.
    pub checkpoint: PathBuf,
    /// The run's configuration (`None` for a bare checkpoint).
    pub config: Option<RunConfig>,
}

impl SnapshotTarget {
    /// The objective the run descended at X (with its RVQA term); a bare checkpoint's is
    /// unregularised.
    pub fn objective(&self) -> Objective {
        match &self.config {
            Some(config) => config.anneal.objective(self.x),
            None => Objective::new(self.kind, self.x),
        }
    }
}

impl SnapshotArgs {
    /// The network these arguments name: a run's snapshot, taken at the X the run recorded
    /// unless --x is given, or a bare checkpoint with its --l, --kind and --x.
    pub fn resolve(&self) -> Result<SnapshotTarget, CliError> {
        match (&self.run, &self.checkpoint) {
            (Some(run), None) => {
                let folder = RunFolder::open(run)?;
                let net = folder.network(&self.snapshot)?;
                let config = folder.config().clone();
                let x = match self.x {
                    Some(x) => x,
                    None => folder.snapshot_x(&self.snapshot).ok_or_else(|| {
                        CliError::Usage(format!(
                            "cannot tell when snapshot '{}' was taken: give --x",
                            self.snapshot
                        ))
                    })?,
                };
                let lattice = Lattice::new(config.lattice.size)?;
                Ok(SnapshotTarget {
                    net,
                    model: NewmanMoore::new(lattice, config.lattice.coupling)?,
                    kind: config.anneal.kind,
                    x,
                    checkpoint: checkpoint_path(run, &self.snapshot)?,
                    config: Some(config),
                })
            }
            (None, Some(checkpoint)) => {
                // clap's `requires_all` guarantees these three with --checkpoint.
                let (Some(l), Some(kind), Some(x)) = (self.l, self.kind, self.x) else {
                    return Err(CliError::Usage(
                        "--checkpoint needs --l L --kind quantum|thermal --x X".into(),
                    ));
                };
                Ok(SnapshotTarget {
                    net: network_of_checkpoint(checkpoint, l)?,
                    model: NewmanMoore::new(Lattice::new(l)?, self.coupling)?,
                    kind: match kind {
                        KindArg::Quantum => AnnealKind::Quantum,
                        KindArg::Thermal => AnnealKind::Thermal,
                    },
                    x,
                    checkpoint: checkpoint.clone(),
                    config: None,
                })
            }
            _ => Err(CliError::Usage(
                "give --run RUN [--snapshot NAME], or --checkpoint CK --l L --kind quantum|thermal --x X".into(),
            )),
        }
    }
}

/// The network stored in a bare checkpoint: its cell and hidden width read from the bias
/// tensor's name and length (`rnn2d/b`, `made/b`); the activation is the default (elu), as a
/// bare checkpoint does not record it.
pub fn network_of_checkpoint(path: &Path, l: usize) -> Result<Network, CliError> {
    let shapes = tensor_shapes(path)?;
    let (cell, hidden) = Cell::of_tensors(&shapes).ok_or_else(|| {
        CliError::Usage(format!(
            "{} has neither rnn2d/b nor made/b: not a network checkpoint",
            path.display()
        ))
    })?;
    let config = NetworkConfig {
        cell,
        hidden,
        ..NetworkConfig::default()
    };
    let params = load_npz(path, &Params::zeros(config.tensor_specs(l)))?;
    Network::from_params(config, l, params).map_err(CliError::from)
}
