//! Linear algebra the science needs and no crate offers in this form: Lanczos with full
//! reorthogonalisation over one "apply A to v" function. It knows nothing of spins or networks,
//! so the physics (quantum ground states) and the curvature diagnostics share it.

mod krylov;
mod lanczos;

pub use krylov::Krylov;
pub use lanczos::{lanczos, Eigenpairs, LanczosError, LanczosSettings, Spectrum};
