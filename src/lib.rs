//! annealscape: neural annealing of autoregressive networks on the Newman–Moore model.
//!
//! The layers, each using only those above it: [`physics`] (the model and its exact
//! answers) and [`cli`] (the command line). Networks, annealing, landscapes, figures and the
//! app follow the layout in the README.

pub mod anneal;
pub mod app;
pub mod cli;
pub mod figures;
pub mod files;
pub mod landscape;
pub mod nn;
pub mod physics;
pub mod run;
