//! What a network is, as plain data: the cell (`network.cell`), the code symmetry and the
//! `[network]` table, with each cell's parameter layout and initial weights.

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::{Network, Plain};
use crate::nn::grid::{grid_tensor_specs, GridKind, GridRnn};
use crate::nn::made::{made_tensor_specs, Made};
use crate::nn::rnn2d::{self, Activation, Precision};
use crate::nn::transformer::{transformer_tensor_specs, Transformer};
use crate::nn::TensorSpec;

/// Which autoregressive cell (`network.cell`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Cell {
    /// The paper's 2D vanilla RNN.
    #[default]
    Rnn2d,
    /// The gated 2D RNN (GRU-like update gate).
    Gru2d,
    /// The tensorised 2D RNN (bilinear in input and hidden state).
    Tensorized2d,
    /// The masked dense network (MADE), one hidden layer.
    Made,
    /// A one-layer, two-head causal transformer with learned positions.
    Transformer,
}

impl Cell {
    /// Every cell, in the order the docs list them.
    pub const ALL: [Cell; 5] = [
        Cell::Rnn2d,
        Cell::Gru2d,
        Cell::Tensorized2d,
        Cell::Made,
        Cell::Transformer,
    ];

    /// The name in configurations and tensor prefixes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Rnn2d => "rnn2d",
            Self::Gru2d => "gru2d",
            Self::Tensorized2d => "tensorized2d",
            Self::Made => "made",
            Self::Transformer => "transformer",
        }
    }

    /// The vector of length `hidden` a checkpoint of this cell holds.
    fn width_tensor(self) -> &'static str {
        match self {
            Self::Rnn2d => "rnn2d/b",
            Self::Gru2d => "gru2d/b_gate",
            Self::Tensorized2d => "tensorized2d/b",
            Self::Made => "made/b",
            Self::Transformer => "transformer/b_2",
        }
    }

    pub(super) fn grid(self) -> Option<GridKind> {
        match self {
            Self::Gru2d => Some(GridKind::Gru),
            Self::Tensorized2d => Some(GridKind::Tensorized),
            Self::Rnn2d | Self::Made | Self::Transformer => None,
        }
    }

    /// Whether this is the default (left out of a written config, so configs written before
    /// the option existed read and hash the same).
    pub fn is_rnn2d(&self) -> bool {
        *self == Self::Rnn2d
    }

    /// The hidden width (1 to 1,024) whose parameter count on an L × L lattice is nearest
    /// `parameters`: how cells are compared at equal size (the 2D RNN's 3,482 at n_h = 40).
    pub fn hidden_matching(self, size: usize, parameters: usize) -> usize {
        (1..=1024)
            .min_by_key(|&hidden| {
                NetworkConfig {
                    cell: self,
                    hidden,
                    ..NetworkConfig::default()
                }
                .parameter_count(size)
                .abs_diff(parameters)
            })
            .expect("a non-empty range")
    }

    /// The cell whose tensors a checkpoint holds, told by a bias vector's name (`rnn2d/b`,
    /// `gru2d/b_gate`, `tensorized2d/b`, `made/b`), with its hidden width.
    pub fn of_tensors(shapes: &[(String, Vec<usize>)]) -> Option<(Cell, usize)> {
        Cell::ALL.into_iter().find_map(|cell| {
            shapes
                .iter()
                .find(|(name, _)| name == cell.width_tensor())
                .and_then(|(_, shape)| shape.first().copied())
                .map(|hidden| (cell, hidden))
        })
    }
}

/// Whether the network's distribution is averaged over the ground-state code (SPEC §8.2,
/// `network.symmetry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Symmetry {
    /// The plain network (the paper's).
    #[default]
    None,
    /// p_sym(e) = 2^{−k} Σ_c p(e ⊕ c) in training and everywhere else.
    Code,
    /// The plain network is trained; what the run reports of it (the final sample, the exact
    /// distances and ground-state modes) is of p_sym.
    CodeAfter,
}

impl Symmetry {
    /// Whether this is the default (left out of a written config).
    pub fn is_none(&self) -> bool {
        *self == Self::None
    }
}

/// Plain-data description of a network (the run configuration's `[network]` table);
/// [`NetworkConfig::init`] builds it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// The cell (default rnn2d, the paper's).
    #[serde(default, skip_serializing_if = "Cell::is_rnn2d")]
    pub cell: Cell,
    /// Hidden units (paper: 40): n_h of the 2D RNN, H of MADE's hidden layer.
    pub hidden: usize,
    /// Hidden nonlinearity of every cell (paper: elu).
    #[serde(default)]
    pub activation: Activation,
    /// Float type of the passes (default f64; f32 is the 2D RNN's only).
    #[serde(default, skip_serializing_if = "Precision::is_f64")]
    pub precision: Precision,
    /// Averaging over the ground-state code (default none).
    #[serde(default, skip_serializing_if = "Symmetry::is_none")]
    pub symmetry: Symmetry,
}

/// Parameters of the paper's 2D RNN (n_h = 40): the size other cells are matched to.
pub const PAPER_PARAMETERS: usize = 3_482;

impl Default for NetworkConfig {
    fn default() -> Self {
        Self {
            cell: Cell::Rnn2d,
            hidden: 40,
            activation: Activation::Elu,
            precision: Precision::F64,
            symmetry: Symmetry::None,
        }
    }
}

impl NetworkConfig {
    /// The same network in f64: what every diagnostic (distances, curvature, landscapes,
    /// `eval`) evaluates with, whatever precision the run trained in.
    pub fn in_f64(self) -> Self {
        Self {
            precision: Precision::F64,
            ..self
        }
    }

    /// The parameter layout on an L × L lattice, names as in DESIGN.md.
    pub fn tensor_specs(&self, size: usize) -> Vec<TensorSpec> {
        match self.cell {
            Cell::Rnn2d => rnn2d::tensor_specs(self.hidden),
            Cell::Made => made_tensor_specs(size * size, self.hidden),
            Cell::Gru2d => grid_tensor_specs(GridKind::Gru, self.hidden),
            Cell::Tensorized2d => grid_tensor_specs(GridKind::Tensorized, self.hidden),
            Cell::Transformer => transformer_tensor_specs(size * size, self.hidden),
        }
    }

    /// Number of parameters on an L × L lattice.
    pub fn parameter_count(&self, size: usize) -> usize {
        self.tensor_specs(size).iter().map(TensorSpec::len).sum()
    }

    /// A network for an L × L lattice with the cell's initial weights.
    pub fn init<R: Rng + ?Sized>(&self, size: usize, rng: &mut R) -> Network {
        let plain = match self.cell {
            Cell::Rnn2d => Plain::Rnn2d(rnn2d::init(*self, size, rng)),
            Cell::Made => Plain::Made(Made::init(size, self.hidden, self.activation, rng)),
            Cell::Transformer => {
                Plain::Transformer(Transformer::init(size, self.hidden, self.activation, rng))
            }
            Cell::Gru2d | Cell::Tensorized2d => Plain::Grid(GridRnn::init(
                self.cell.grid().expect("a 2D cell"),
                size,
                self.hidden,
                self.activation,
                rng,
            )),
        };
        Network::around(*self, size, plain).expect("layout built from the same config")
    }

    /// Why this configuration cannot build a network, if it cannot.
    pub fn unsupported(&self) -> Option<String> {
        match (self.cell, self.precision) {
            (Cell::Rnn2d, _) | (_, Precision::F64) => None,
            (cell, Precision::F32) => Some(format!(
                "network.precision = \"f32\" is the rnn2d cell's only: use precision = \"f64\" with cell = \"{}\"",
                cell.name()
            )),
        }
    }
}
