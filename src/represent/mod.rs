//! Representability (SPEC §9): how close a network can come to an exact target at all, apart
//! from whether annealing gets it there. A cell is fitted by the forward KL
//! KL(p*‖q) = Σ_e p*(e) ln(p*(e)/q(e)) over all 2^N configurations (N ≤ 16), with its exact
//! gradient −Σ_e p*(e) ∇ln q(e), until the KL stops improving.
//!
//! Targets: the Boltzmann distribution at T, |ψ₀(B)|² of the transverse-field model, or the
//! uniform mixture of the 2^k ground states. Uses the network interface, the physics and the
//! exact distances; knows nothing of annealing.

mod fit;
mod target;

pub use fit::{
    fidelity, forward_kl, kl_gradient, represent, FitOutcome, FitPoint, FitSettings, FitStep,
    RepresentOptimizer, StopReason,
};
pub use target::{ExactTarget, TargetKind, MAX_REPRESENT_SITES};

use thiserror::Error;

/// Why a fit could not be set up or went wrong.
#[derive(Debug, Error)]
pub enum RepresentError {
    /// The lattice is too large to enumerate.
    #[error(
        "represent enumerates all 2^N configurations: N = {sites} is above {max}; choose L ≤ 4"
    )]
    TooLarge {
        /// N.
        sites: usize,
        /// The largest N.
        max: usize,
    },
    /// A temperature or field outside the allowed range.
    #[error("{name} = {value} is out of range: {fix}")]
    BadValue {
        /// The setting's name.
        name: &'static str,
        /// Its value.
        value: f64,
        /// What to give instead.
        fix: &'static str,
    },
    /// A setting the fit cannot run with.
    #[error("{0}")]
    Settings(String),
    /// The exact ground state could not be computed.
    #[error(transparent)]
    Physics(#[from] crate::physics::PhysicsError),
    /// The natural-gradient step failed.
    #[error("step {step}: {source}")]
    Natural {
        /// The step it failed at.
        step: usize,
        /// Why.
        source: crate::nn::NaturalError,
    },
    /// The KL became NaN or infinite; the network is left at the best weights so far.
    #[error("step {step}: the KL is {kl}: lower the learning rate")]
    NonFinite {
        /// The step.
        step: usize,
        /// The value.
        kl: f64,
    },
}
