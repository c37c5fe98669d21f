//! Spectra from Hessian-vector products (SPEC §6.1): extreme Ritz pairs from one Krylov space,
//! Hutchinson's trace, and the spectral density by stochastic Lanczos quadrature, each with
//! standard errors from the operator's batches.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::hessian::{Operator, Product};
use super::CurvatureError;
use crate::linalg::{Krylov, Spectrum};

/// One Ritz pair of the operator.
#[derive(Debug, Clone, PartialEq)]
pub struct Ritz {
    /// The Ritz value.
    pub value: f64,
    /// Its standard error over the operator's batches (0 for exact operators): the spread of
    /// xᵀA_b x at the Ritz vector x, first-order perturbation theory for an eigenvalue.
    pub stderr: f64,
    /// ‖A x − θ x‖.
    pub residual: f64,
    /// The unit Ritz vector x.
    pub vector: Vec<f64>,
}

/// The extreme Ritz pairs of one Krylov space.
#[derive(Debug, Clone, PartialEq)]
pub struct Extremes {
    /// Largest first.
    pub top: Vec<Ritz>,
    /// Most negative first.
    pub bottom: Vec<Ritz>,
    /// Operator applications used.
    pub products: usize,
}

/// How many pairs and how hard to look.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExtremeSettings {
    /// Pairs from the top.
    pub top: usize,
    /// Pairs from the bottom.
    pub bottom: usize,
    /// Most products.
    pub max_products: usize,
    /// Stop when every wanted residual is below this × the largest |Ritz value|.
    pub tolerance: f64,
}

/// The standard error of the weighted mean Σ w_b x_b of independent batch estimates x_b.
pub fn batch_stderr(values: &[f64], weights: &[f64]) -> f64 {
    let b = values.len();
    if b < 2 {
        return 0.0;
    }
    let mean: f64 = values.iter().zip(weights).map(|(x, w)| x * w).sum();
    let spread: f64 = values
        .iter()
        .zip(weights)
        .map(|(x, w)| w * w * (x - mean) * (x - mean))
        .sum();
    (spread * b as f64 / (b - 1) as f64).sqrt()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// A Krylov space of `op` from `start`, keeping every product's batches.
fn space<O: Operator>(
    op: &O,
    start: &[f64],
    steps: usize,
    mut stop: impl FnMut(&Krylov) -> bool,
) -> Result<(Krylov, Vec<Product>), CurvatureError> {
    let mut products = Vec::new();
    let space = Krylov::build(
        |v, w| {
            let p = op.apply(v);
            w.copy_from_slice(&p.mean);
            products.push(p);
        },
        start,
        steps,
        &mut stop,
    )?;
    products.truncate(space.steps());
    Ok((space, products))
}

/// Each batch's projection QᵀA_bQ of the operator on the Krylov basis (none for one batch:
/// exact operators have no spread).
fn projections(space: &Krylov, products: &[Product]) -> Vec<Vec<Vec<f64>>> {
    let batches = products[0].batches.len();
    if batches < 2 {
        return Vec::new();
    }
    let basis = space.basis();
    (0..batches)
        .map(|b| {
            basis
                .iter()
                .map(|q| products.iter().map(|p| dot(q, &p.batches[b])).collect())
                .collect()
        })
        .collect()
}

fn ritz_of(space: &Krylov, products: &[Product], end: Spectrum, wanted: usize) -> Vec<Ritz> {
    let pairs = space.ritz(end, wanted);
    let coefficients = space.ritz_coefficients(end, wanted);
    let projected = projections(space, products);
    let weights = &products[0].weights;
    pairs
        .values
        .iter()
        .zip(pairs.vectors)
        .zip(&pairs.residuals)
        .zip(coefficients)
        .map(|(((&value, vector), &residual), y)| {
            let quotients: Vec<f64> = projected
                .iter()
                .map(|g| g.iter().zip(&y).map(|(row, &yj)| yj * dot(row, &y)).sum())
                .collect();
            Ritz {
                value,
                stderr: batch_stderr(&quotients, weights),
                residual,
                vector,
            }
        })
        .collect()
}

/// The top and bottom Ritz pairs of one Krylov space of `op` grown from `start`.
pub fn extremes<O: Operator>(
    op: &O,
    start: &[f64],
    settings: ExtremeSettings,
) -> Result<Extremes, CurvatureError> {
    let ExtremeSettings {
        top,
        bottom,
        max_products,
        tolerance,
    } = settings;
    let wanted = top.max(bottom).max(1);
    let converged = |s: &Krylov| {
        if s.steps() < 2 * wanted || s.steps() % 2 == 1 {
            return false;
        }
        let scale = s.scale();
        let worst = |end, k| s.residuals(end, k).into_iter().fold(0.0, f64::max);
        worst(Spectrum::Highest, top) <= tolerance * scale
            && worst(Spectrum::Lowest, bottom) <= tolerance * scale
    };
    let (space, products) = space(op, start, max_products, converged)?;
    Ok(Extremes {
        top: ritz_of(&space, &products, Spectrum::Highest, top),
        bottom: ritz_of(&space, &products, Spectrum::Lowest, bottom),
        products: space.steps(),
    })
}

/// A Rademacher vector (entries ±1).
pub fn rademacher(dim: usize, rng: &mut StdRng) -> Vec<f64> {
    (0..dim)
        .map(|_| if rng.random::<bool>() { 1.0 } else { -1.0 })
        .collect()
}

/// An estimate with its standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The value.
    pub value: f64,
    /// Its standard error.
    pub stderr: f64,
}

/// Hutchinson's trace tr(A) ≈ mean of zᵀAz over `probes` Rademacher vectors. The standard
/// error adds the spread over probes to the spread over batches (for sampled operators).
pub fn hutchinson<O: Operator>(op: &O, probes: usize, seed: u64) -> Estimate {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut per_probe = Vec::new();
    let mut per_batch: Vec<f64> = Vec::new();
    let mut weights = Vec::new();
    for _ in 0..probes.max(1) {
        let z = rademacher(op.dim(), &mut rng);
        let p = op.apply(&z);
        per_probe.push(dot(&z, &p.mean));
        if per_batch.is_empty() {
            per_batch = vec![0.0; p.batches.len()];
            weights = p.weights.clone();
        }
        for (acc, b) in per_batch.iter_mut().zip(&p.batches) {
            *acc += dot(&z, b) / probes.max(1) as f64;
        }
    }
    let r = per_probe.len() as f64;
    let value = per_probe.iter().sum::<f64>() / r;
    let probe_var = if r > 1.0 {
        per_probe.iter().map(|t| (t - value).powi(2)).sum::<f64>() / (r * (r - 1.0))
    } else {
        0.0
    };
    let batch = batch_stderr(&per_batch, &weights);
    Estimate {
        value,
        stderr: (probe_var + batch * batch).sqrt(),
    }
}

/// The spectral density by stochastic Lanczos quadrature: for each random start, Gauss nodes
/// (Ritz values) and weights (squared first components).
#[derive(Debug, Clone, PartialEq)]
pub struct Density {
    /// Ritz values of each start.
    pub nodes: Vec<Vec<f64>>,
    /// Their weights (each start's sum to 1).
    pub weights: Vec<Vec<f64>>,
    /// Dimension of the operator.
    pub dim: usize,
}

impl Density {
    /// `starts` normalised Rademacher starts, `steps` Lanczos steps each.
    pub fn estimate<O: Operator>(
        op: &O,
        starts: usize,
        steps: usize,
        seed: u64,
    ) -> Result<Self, CurvatureError> {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut nodes = Vec::new();
        let mut weights = Vec::new();
        for _ in 0..starts.max(1) {
            let z = rademacher(op.dim(), &mut rng);
            let (space, _) = space(op, &z, steps, |_| false)?;
            let (t, w) = space.quadrature();
            nodes.push(t);
            weights.push(w);
        }
        Ok(Self {
            nodes,
            weights,
            dim: op.dim(),
        })
    }

    /// ∫ λ φ(λ) dλ = the mean of the Ritz values weighted, ≈ tr(A)/dim.
    pub fn mean(&self) -> f64 {
        let per_start: f64 = self
            .nodes
            .iter()
            .zip(&self.weights)
            .map(|(t, w)| dot(t, w))
            .sum();
        per_start / self.nodes.len() as f64
    }

    /// The smallest and largest Ritz value over all starts.
    pub fn range(&self) -> (f64, f64) {
        self.nodes
            .iter()
            .flatten()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            })
    }

    /// The Gaussian-broadened density φ on `points` points spanning the nodes ± 4 widths,
    /// width σ = `relative_width` × the nodes' range: (λ, φ(λ)).
    pub fn curve(&self, points: usize, relative_width: f64) -> (Vec<f64>, Vec<f64>) {
        let (lo, hi) = self.range();
        let sigma = (relative_width * (hi - lo)).max(1e-12 * hi.abs().max(lo.abs()).max(1.0));
        let (a, b) = (lo - 4.0 * sigma, hi + 4.0 * sigma);
        let points = points.max(2);
        let grid: Vec<f64> = (0..points)
            .map(|i| a + (b - a) * i as f64 / (points - 1) as f64)
            .collect();
        let norm = 1.0 / (sigma * (2.0 * std::f64::consts::PI).sqrt() * self.nodes.len() as f64);
        let values = grid
            .iter()
            .map(|&x| {
                let mut phi = 0.0;
                for (t, w) in self.nodes.iter().zip(&self.weights) {
                    for (&t, &w) in t.iter().zip(w) {
                        let z = (x - t) / sigma;
                        phi += w * (-0.5 * z * z).exp();
                    }
                }
                phi * norm
            })
            .collect();
        (grid, values)
    }
}
