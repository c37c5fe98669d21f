//! The Newman–Moore model: lattice, energies, defects, ground states over GF(2), exact
//! references (thermodynamics, transverse-field ground energy) and fractal excitations.
//!
//! Conventions follow SPEC §1: spins σ = 2e − 1 for bits e ∈ {0, 1}, one "up" triangle
//! t(r, c) = {(r, c), (r, c+1), (r+1, c)} per site on an L × L torus, and
//! H = (J/2) Σ_t σ_a σ_b σ_c − B Σ_i X_i. Nothing here knows about networks.

mod configurations;
mod energy;
mod energy_grid;
mod error;
pub mod gf2;
mod ground_states;
mod lattice;
mod nearest_ground_state;
mod quantum_state;
mod sierpinski;
mod thermo;
mod transverse_field;

pub use configurations::{all_configurations, configurations};
pub use energy::{parse_configuration, NewmanMoore};
pub use energy_grid::{default_grid, refine_concave, GroundEnergyGrid, InterpolatedEnergy};
pub use error::PhysicsError;
pub use ground_states::{
    codeword_basis, ground_state_dimension_by_elimination, GroundStateId, GroundStates,
    MAX_ENUMERATED_DEGENERACY_LOG2,
};
pub use lattice::{Lattice, Site, MAX_SIZE, MIN_SIZE};
pub use nearest_ground_state::nearest_ground_state;
pub use quantum_state::{
    quantum_ground_state, QuantumGroundState, QuantumStateCache, MAX_EXACT_STATE_SITES,
};
pub use sierpinski::SierpinskiExcitation;
pub use thermo::{
    BruteForceThermo, ExactThermo, ThermoMethod, Thermodynamics, MAX_BRUTE_FORCE_SITES,
    MAX_CODEWORD_LOG2,
};
pub use transverse_field::{ground_energy, GroundEnergy, GroundEnergyCache, MAX_LANCZOS_SIZE};
