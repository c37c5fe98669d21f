//! Errors of the physics layer: each names the bad value and says what is allowed.

use thiserror::Error;

/// What can go wrong when a user-supplied value reaches the physics layer.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum PhysicsError {
    /// The linear size is outside what the program supports.
    #[error("lattice size L = {l} is out of range: choose L from {min} to {max}")]
    LatticeSize {
        /// The requested size.
        l: usize,
        /// Smallest allowed size.
        min: usize,
        /// Largest allowed size.
        max: usize,
    },
    /// The coupling must be a positive finite number (the ground states assume J > 0).
    #[error("coupling J = {0} is not allowed: J must be a positive finite number, e.g. 1")]
    Coupling(f64),
    /// The temperature must be finite and non-negative.
    #[error("temperature T = {0} is not allowed: T must be a finite number >= 0")]
    Temperature(f64),
    /// The transverse field must be finite.
    #[error("transverse field B = {0} is not allowed: B must be a finite number")]
    Field(f64),
    /// An exact method was asked for a lattice too large for it.
    #[error("{method} needs L <= {max} (got L = {l}): {hint}")]
    TooLarge {
        /// Which method refused.
        method: &'static str,
        /// The requested size.
        l: usize,
        /// Largest size the method supports.
        max: usize,
        /// What to do instead.
        hint: &'static str,
    },
    /// Enumeration of ground states was asked for a degeneracy too large to list.
    #[error("cannot enumerate 2^{k} ground states (limit 2^{max}): use the basis or the ground-state id instead")]
    TooManyGroundStates {
        /// log2 of the degeneracy.
        k: usize,
        /// Largest k that can be enumerated.
        max: usize,
    },
    /// A configuration string or array does not describe a configuration of this lattice.
    #[error("configuration {what}: expected {expected} characters of 0 or 1 in raster order")]
    Configuration {
        /// What was wrong with it.
        what: String,
        /// Required length N = L².
        expected: usize,
    },
    /// The Sierpinski pattern does not fit on the lattice.
    #[error("a Sierpinski excitation with 2^{m} rows does not fit on L = {l}: choose m with 2^m < L (m <= {max_m})")]
    SierpinskiSize {
        /// Requested generation.
        m: u32,
        /// Lattice size.
        l: usize,
        /// Largest allowed generation.
        max_m: u32,
    },
    /// Lanczos did not converge within its iteration budget.
    #[error("Lanczos did not converge for L = {l}, B = {b} after {iterations} iterations (last change {change:e})")]
    NotConverged {
        /// Lattice size.
        l: usize,
        /// Field.
        b: f64,
        /// Iterations done.
        iterations: usize,
        /// Last relative change of the lowest Ritz value.
        change: f64,
    },
}
