//! Loss landscapes (SPEC §4): directions (filter-normalised, gaussian, PCA), surfaces of the
//! annealing objective on a grid around a weight snapshot, roughness, the training path
//! projected on the plane, and their files.

mod directions;
mod error;
mod pca;
mod projection;
mod store;
mod surface;

pub use directions::{
    filter_normalize, gaussian, pca_directions, random_directions, BiasDirection, DirectionKind,
    Directions,
};
pub use error::LandscapeError;
pub use pca::{leading_components, symmetric_eigen};
pub use projection::project_path;
pub use store::{load_landscape, save_landscape, Landscape, LandscapeSettings};
pub use surface::{
    compute_surface, exact_value, Surface, SurfaceEstimator, SurfaceSpec, MAX_EXACT_SITES,
};
