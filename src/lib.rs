//! annealscape: neural annealing of autoregressive networks on the Newman–Moore model.
//!
//! The layers, each using only those listed before it: [`physics`] (the model and its exact
//! answers, nothing of networks), [`baselines`] (SA, PT and SQA, physics only), [`nn`] (parameters, the 2D RNN, Adam), [`distance`] (exact distances),
//! [`represent`] (fits to exact targets), [`anneal`] (the
//! annealing loop and its observers), [`landscape`] (directions and surfaces), [`run`]
//! (configurations, run folders, the worker thread), [`analysis`] (what reads a run folder:
//! landscapes around its snapshots, slice directions, the exact curve, scaling tables),
//! [`sweep`] (many runs, here or on Slurm),
//! [`figures`] (plotters drawings), [`study`] (the paper's study: `reproduce`), [`remedies`]
//! (the remedies study: `remedies`), [`cells`] (representability against trainability: `cells`); then
//! two faces on the same code: [`cli`] (the command line) and [`app`] (the desktop app, the
//! only module that knows egui).

#![warn(missing_docs)]

pub mod analysis;
pub mod anneal;
pub mod app;
pub mod baselines;
pub mod cells;
pub mod cli;
pub mod curvature;
pub mod distance;
pub mod figures;
pub mod files;
pub mod landscape;
pub mod linalg;
pub mod nn;
pub mod physics;
pub mod remedies;
pub mod represent;
pub mod run;
pub mod stats;
pub mod study;
pub mod sweep;
