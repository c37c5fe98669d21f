//! Loss landscapes (SPEC §4, §6.3): directions (filter-normalised, gaussian, PCA, Hessian
//! eigenvectors, Adam's update, the line between two snapshots), surfaces of the
//! annealing objective on a grid around a weight snapshot, roughness, the training path
//! projected on the plane, and their files.

mod directions;
mod error;
mod film;
mod pca;
mod projection;
mod store;
mod surface;
mod vtk;

pub use directions::{
    filter_normalize, gaussian, interpolation_directions, pca_directions, random_directions,
    vector_directions, BiasDirection, DirectionKind, Directions, HessianPair,
};
pub use error::LandscapeError;
pub use film::{
    even_frames, load_film, save_film, Film, FilmColour, FilmPath, FilmSettings, MAX_FRAMES,
    PREVIEW_POINTS,
};
pub use pca::{leading_components, symmetric_eigen};
pub use projection::project_path;
pub use store::{load_landscape, save_landscape, Landscape, LandscapeSettings};
pub use surface::{
    compute_surface, exact_value, Surface, SurfaceEstimator, SurfaceSpec, MAX_EXACT_SITES,
};
pub use vtk::{write_film_vtk, write_pvd, write_vts};
