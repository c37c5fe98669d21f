//! Classical baselines on the Newman–Moore model (SPEC §7): what a physicist would try
//! instead of a neural network — simulated annealing, parallel tempering and simulated
//! quantum annealing — and the residual-energy scaling laws their results are fitted by.
//!
//! Uses only [`crate::physics`]. SA and PT run 64 independent lattices in the bits of one word
//! per site (multi-spin coding); each lane still draws its own uniform per attempt, from a
//! counter-based stream, so the scalar reference reproduces any lane bit for bit.

mod error;
mod outcome;
mod pt;
mod sa;
mod scalar;
pub mod scaling;
mod sqa;
mod stream;
mod words;

pub use error::{BaselineError, MAX_UPDATES};
pub use outcome::{mean_and_stderr, Outcomes, Summary};
pub use pt::{parallel_tempering, Tempering, TemperingOutcomes};
pub use sa::{equilibrium_energy, simulated_annealing, Annealing, Equilibrium};
pub use scalar::ScalarLattice;
pub use sqa::{
    quantum_annealing, quantum_equilibrium, QuantumAnnealing, QuantumEquilibrium, QuantumOutcomes,
};
pub use stream::{accept_below, threshold, Stream};
pub use words::{Neighbours, SpinWords, Thresholds};
