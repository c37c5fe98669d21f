//! Autoregressive neural networks: parameters, the [`Autoregressive`] interface, the
//! paper's 2D RNN, the masked dense network (MADE), the [`Network`] that holds either (`network.cell`) and the optimisers (Adam and its variants, SGD). Knows nothing of the physics.

mod autoregressive;
pub mod code_symmetry;
pub mod grid;
mod logistic;
pub mod made;
mod natural;
mod network;
mod npz;
mod optimizer;
mod params;
pub mod rnn2d;
pub mod transformer;

pub use autoregressive::Autoregressive;
pub use made::{made_parameter_count, made_tensor_specs, Made};
pub use natural::{centred, sample_space_step, NaturalError};
pub use network::{Cell, Network, NetworkConfig, NetworkWorkspace, Symmetry, PAPER_PARAMETERS};
pub use npz::{
    load_npz, load_optimiser, save_checkpoint, save_npz, tensor_shapes, NpzError, ADAM_TENSORS,
    AMSGRAD_MAX, SPRING_PREVIOUS,
};
pub use optimizer::{Optimizer, OptimizerConfig, OptimizerKind, OptimizerState, StateError};
pub use params::{Filter, LayoutError, Params, TensorSpec};
pub use rnn2d::{Activation, Precision, Rnn2d, Rnn2dWorkspace};
