//! Hessian-vector products of the per-spin objective by central differences of its exact
//! gradient (SPEC §6.1), batch by batch, behind one [`Operator`] interface that the spectra
//! and the preconditioned sharpness are written against.

use ndarray::{Array1, ArrayView1};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::gradient::{BatchGradients, Source};
use crate::nn::Autoregressive;

/// Size of the difference step as a fraction of max(1, ‖θ*‖). Central differences err by
/// h²·|∇³O|/6 from truncation and by ~ε_mach·|∇O|/h from rounding; the two balance near
/// h ≈ ε_mach^(1/3) ≈ 6e−6 (relative), leaving both near 1e−10 of the result. elu's second
/// derivative jumps at 0, so a product is off wherever a pre-activation lies within h of 0:
/// a small h makes that rare, which is why the step is not larger.
pub const RELATIVE_STEP: f64 = 3e-6;

/// The step of one-sided differences: truncation ∝ h and rounding ∝ ε_mach/h balance near
/// h ≈ √ε_mach ≈ 1e−8 (relative), leaving about 1e−7 of the result — plenty where sampling
/// noise is percent-level, at half the cost of central differences.
pub const RELATIVE_STEP_FORWARD: f64 = 1e-7;

/// How a product is differenced from gradients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Differencing {
    /// (∇O(θ + hv) − ∇O(θ − hv))/2h: two gradients per product, error ~1e−10.
    #[default]
    Central,
    /// (∇O(θ + hv) − ∇O(θ))/h: one gradient per product (the centre's is kept), error ~1e−7.
    Forward,
}

/// A symmetric linear operator A on flat parameter vectors, applied as a whole estimate and
/// batch by batch (the batches' spread gives standard errors; one batch for exact operators).
pub trait Operator: Sync {
    /// Length of the vectors.
    fn dim(&self) -> usize;
    /// A v, and each batch's A_b v.
    fn apply(&self, v: &[f64]) -> Product;
}

/// One product A v and its batches.
#[derive(Debug, Clone)]
pub struct Product {
    /// The whole estimate, Σ_b weight_b A_b v.
    pub mean: Vec<f64>,
    /// Each batch's A_b v.
    pub batches: Vec<Vec<f64>>,
    /// The batches' shares (sum to 1).
    pub weights: Vec<f64>,
}

impl Product {
    /// A product with no batch structure (exact operators).
    pub fn single(mean: Vec<f64>) -> Self {
        Self {
            batches: vec![mean.clone()],
            mean,
            weights: vec![1.0],
        }
    }
}

/// The Hessian of the per-spin objective at the centre network's weights θ*.
pub struct Hessian<A: Autoregressive + Clone> {
    center: A,
    theta: Array1<f64>,
    source: Source,
    scale: f64,
    differencing: Differencing,
    center_gradients: std::sync::OnceLock<BatchGradients>,
    products: AtomicUsize,
}

impl<A: Autoregressive + Clone> Hessian<A> {
    /// The Hessian of `source`'s objective at `center`.
    pub fn new(center: A, source: Source) -> Self {
        let theta = center.params().to_flat();
        let norm = theta.dot(&theta).sqrt();
        Self {
            center,
            theta,
            source,
            scale: norm.max(1.0),
            differencing: Differencing::Central,
            center_gradients: std::sync::OnceLock::new(),
            products: AtomicUsize::new(0),
        }
    }

    /// The same Hessian with products differenced `differencing`-wise.
    pub fn with_differencing(mut self, differencing: Differencing) -> Self {
        self.differencing = differencing;
        self
    }

    /// The objective's value and gradient at θ* (computed once).
    pub fn at_center(&self) -> BatchGradients {
        self.center_gradients
            .get_or_init(|| self.source.gradients(&self.center))
            .clone()
    }

    /// The objective's value and gradient at θ* + t·v.
    pub fn gradients_at(&self, v: ArrayView1<f64>, t: f64) -> BatchGradients {
        let mut net = self.center.clone();
        let mut flat = net.params_mut().flat_mut();
        flat.assign(&self.theta);
        flat.scaled_add(t, &v);
        self.source.gradients(&net)
    }

    /// The centre network.
    pub fn center(&self) -> &A {
        &self.center
    }

    /// Where the Hessian is taken.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Products computed so far (each costs two gradients).
    pub fn products(&self) -> usize {
        self.products.load(Ordering::Relaxed)
    }
}

impl<A: Autoregressive + Clone> Operator for Hessian<A> {
    fn dim(&self) -> usize {
        self.theta.len()
    }

    fn apply(&self, v: &[f64]) -> Product {
        self.products.fetch_add(1, Ordering::Relaxed);
        let v = ArrayView1::from(v);
        let norm = v.dot(&v).sqrt();
        if norm == 0.0 {
            return Product {
                mean: vec![0.0; v.len()],
                batches: vec![vec![0.0; v.len()]; self.source.batches()],
                weights: vec![1.0 / self.source.batches() as f64; self.source.batches()],
            };
        }
        let (plus, minus, width) = match self.differencing {
            Differencing::Central => {
                let h = RELATIVE_STEP * self.scale / norm;
                (self.gradients_at(v, h), self.gradients_at(v, -h), 2.0 * h)
            }
            Differencing::Forward => {
                let h = RELATIVE_STEP_FORWARD * self.scale / norm;
                (self.gradients_at(v, h), self.at_center(), h)
            }
        };
        let batches: Vec<Vec<f64>> = plus
            .gradients
            .iter()
            .zip(&minus.gradients)
            .map(|(p, m)| ((p - m) / width).to_vec())
            .collect();
        let mut mean = vec![0.0; v.len()];
        for (b, &w) in batches.iter().zip(&plus.weights) {
            mean.iter_mut().zip(b).for_each(|(m, x)| *m += w * x);
        }
        Product {
            mean,
            batches,
            weights: plus.weights,
        }
    }
}

/// D A D for a diagonal D: the preconditioned operator P^(−1/2) A P^(−1/2) when D = P^(−1/2).
pub struct Scaled<'a, O: Operator> {
    inner: &'a O,
    diagonal: Vec<f64>,
}

impl<'a, O: Operator> Scaled<'a, O> {
    /// D A D with D = diag(`diagonal`).
    pub fn new(inner: &'a O, diagonal: Vec<f64>) -> Self {
        Self { inner, diagonal }
    }
}

impl<O: Operator> Operator for Scaled<'_, O> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }

    fn apply(&self, v: &[f64]) -> Product {
        let scaled: Vec<f64> = v.iter().zip(&self.diagonal).map(|(x, d)| x * d).collect();
        let mut p = self.inner.apply(&scaled);
        let d = &self.diagonal;
        let scale = |x: &mut Vec<f64>| x.iter_mut().zip(d).for_each(|(x, d)| *x *= d);
        scale(&mut p.mean);
        p.batches.iter_mut().for_each(scale);
        p
    }
}

/// A dense symmetric matrix as an operator (tests, and closed-form checks).
pub struct Dense(pub ndarray::Array2<f64>);

impl Operator for Dense {
    fn dim(&self) -> usize {
        self.0.nrows()
    }

    fn apply(&self, v: &[f64]) -> Product {
        Product::single(self.0.dot(&ArrayView1::from(v)).to_vec())
    }
}
