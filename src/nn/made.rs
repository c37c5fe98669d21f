//! MADE, the masked dense autoregressive network (Germain, Gregor, Murray & Larochelle 2015),
//! with one hidden layer over the N sites in raster order.
//!
//! With x_i = 2e_i − 1 and hidden unit k given a degree m(k) ∈ {1, …, N − 1} (cyclically,
//! k mod (N − 1) + 1):
//!
//! - a_k = b_k + Σ_{i < m(k)} x_i W1[i, k], h = act(a) (`network.activation`: elu or tanh);
//! - ℓ_s = c_s + Σ_{k : m(k) ≤ s} h_k W2[k, s], p(e_s = 1 | e_<s) = σ(ℓ_s).
//!
//! Site s sees unit k only when m(k) ≤ s, and unit k sees only inputs i < m(k) ≤ s, so ℓ_s
//! depends on e_<s alone: p(e) = Π_s p(e_s | e_<s) is normalised and sampled exactly site by
//! site. Masked weights are stored (the tensors are dense, `made/W1` N × H, `made/b` H,
//! `made/W2` H × N, `made/c` N) but never used, and their gradient is zero.
//!
//! Sampling reuses the prefix: a is accumulated input by input and each unit's act is taken
//! once, when its last input is known. A flipped site i changes only the units that see it, by
//! −2x_i W1[i, ·], and only the conditionals after i.

use super::logistic::{log_sigmoid, sigmoid};
use ndarray::{s, Array2, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, Axis};
use rand::{Rng, RngExt};

use super::rnn2d::Activation;
use super::{Autoregressive, LayoutError, Params, TensorSpec};

/// Index of `made/W1` (N × H).
const W1: usize = 0;
/// Index of `made/b` (H).
const B: usize = 1;
/// Index of `made/W2` (H × N).
const W2: usize = 2;
/// Index of `made/c` (N).
const C: usize = 3;

/// The parameter layout of a MADE over `sites` sites with `hidden` units.
pub fn made_tensor_specs(sites: usize, hidden: usize) -> Vec<TensorSpec> {
    vec![
        TensorSpec::matrix("made/W1", sites, hidden),
        TensorSpec::vector("made/b", hidden),
        TensorSpec::matrix("made/W2", hidden, sites),
        TensorSpec::vector("made/c", sites),
    ]
}

/// Parameters stored for `sites` and `hidden`: 2NH + H + N (masked entries included).
pub fn made_parameter_count(sites: usize, hidden: usize) -> usize {
    2 * sites * hidden + hidden + sites
}

/// A one-hidden-layer MADE over an L × L lattice.
#[derive(Debug, Clone, PartialEq)]
pub struct Made {
    size: usize,
    hidden: usize,
    activation: Activation,
    params: Params,
    /// m(k) of each hidden unit.
    degrees: Vec<usize>,
}

impl Made {
    /// A MADE with Glorot-uniform weights (b and c zero).
    pub fn init<R: Rng + ?Sized>(
        size: usize,
        hidden: usize,
        activation: Activation,
        rng: &mut R,
    ) -> Self {
        let n = size * size;
        let mut params = Params::zeros(made_tensor_specs(n, hidden));
        let limit = (6.0 / (n + hidden) as f64).sqrt();
        for i in [W1, W2] {
            for x in params.slice_mut(i) {
                *x = limit * (2.0 * rng.random::<f64>() - 1.0);
            }
        }
        Self::from_params(size, hidden, activation, params)
            .expect("layout built from the same sizes")
    }

    /// A MADE with the given parameters, refused if their layout does not match.
    pub fn from_params(
        size: usize,
        hidden: usize,
        activation: Activation,
        params: Params,
    ) -> Result<Self, LayoutError> {
        let n = size * size;
        if params.specs() != made_tensor_specs(n, hidden).as_slice() || n < 2 {
            return Err(LayoutError::Network {
                cell: "made",
                hidden,
            });
        }
        let degrees = (0..hidden).map(|k| k % (n - 1) + 1).collect();
        Ok(Self {
            size,
            hidden,
            activation,
            params,
            degrees,
        })
    }

    /// Hidden units H.
    pub fn hidden(&self) -> usize {
        self.hidden
    }

    /// L.
    pub fn size(&self) -> usize {
        self.size
    }

    /// W1 with its masked entries zero (input i reaches unit k iff i < m(k)).
    fn masked_w1(&self) -> Array2<f64> {
        let mut w = self.params.matrix(W1).to_owned();
        for ((i, k), v) in w.indexed_iter_mut() {
            if i >= self.degrees[k] {
                *v = 0.0;
            }
        }
        w
    }

    /// W2 with its masked entries zero (unit k reaches site s iff m(k) ≤ s).
    fn masked_w2(&self) -> Array2<f64> {
        let mut w = self.params.matrix(W2).to_owned();
        for ((k, s), v) in w.indexed_iter_mut() {
            if self.degrees[k] > s {
                *v = 0.0;
            }
        }
        w
    }

    fn inputs(bits: ArrayView2<u8>) -> Array2<f64> {
        bits.mapv(|b| 2.0 * f64::from(b) - 1.0)
    }

    /// act(a) in place.
    fn activate(&self, a: &mut Array2<f64>) {
        let act = self.activation;
        a.mapv_inplace(|x| act.apply(x));
    }

    /// Hidden states and logits of every row: h = act(x W1 + b), ℓ = h W2 + c.
    fn forward(
        &self,
        x: &Array2<f64>,
        w1: &Array2<f64>,
        w2: &Array2<f64>,
    ) -> (Array2<f64>, Array2<f64>) {
        let mut h = x.dot(w1);
        h += &self.params.vector(B);
        self.activate(&mut h);
        let mut logits = h.dot(w2);
        logits += &self.params.vector(C);
        (h, logits)
    }

    /// Σ_s log p(e_s | e_<s) of each row from its logits.
    fn log_p_of(bits: ArrayView2<u8>, logits: &Array2<f64>, mut out: ArrayViewMut1<f64>) {
        for ((row, l), o) in bits
            .rows()
            .into_iter()
            .zip(logits.rows())
            .zip(out.iter_mut())
        {
            *o = row
                .iter()
                .zip(l)
                .map(|(&e, &z)| log_sigmoid(if e == 1 { z } else { -z }))
                .sum();
        }
    }
}

impl Autoregressive for Made {
    type Workspace = ();

    fn sites(&self) -> usize {
        self.size * self.size
    }

    fn params(&self) -> &Params {
        &self.params
    }

    fn params_mut(&mut self) -> &mut Params {
        &mut self.params
    }

    fn sample_with(
        &self,
        uniforms: ArrayView2<f64>,
        mut bits: ArrayViewMut2<u8>,
        mut log_p: ArrayViewMut1<f64>,
        _: &mut (),
    ) {
        let n = self.sites();
        let (w1, w2) = (self.masked_w1(), self.masked_w2());
        let rows = bits.nrows();
        let mut a = Array2::from_shape_fn((rows, self.hidden), |(_, k)| self.params.vector(B)[k]);
        let mut h = Array2::<f64>::zeros((rows, self.hidden));
        log_p.fill(0.0);
        // Units by degree: those of degree s are complete once inputs 0..s are in.
        let mut by_degree = vec![Vec::new(); n];
        for (k, &m) in self.degrees.iter().enumerate() {
            by_degree[m].push(k);
        }
        let c = self.params.vector(C);
        for s in 0..n {
            for &k in &by_degree[s] {
                for r in 0..rows {
                    h[[r, k]] = self.activation.apply(a[[r, k]]);
                }
            }
            let logits = h.dot(&w2.column(s));
            for r in 0..rows {
                let z = logits[r] + c[s];
                let one = uniforms[[r, s]] < sigmoid(z);
                bits[[r, s]] = u8::from(one);
                log_p[r] += log_sigmoid(if one { z } else { -z });
                let x = if one { 1.0 } else { -1.0 };
                a.row_mut(r).scaled_add(x, &w1.row(s));
            }
        }
    }

    fn log_prob(&self, bits: ArrayView2<u8>, log_p: ArrayViewMut1<f64>, _: &mut ()) {
        let (_, logits) = self.forward(&Self::inputs(bits), &self.masked_w1(), &self.masked_w2());
        Self::log_p_of(bits, &logits, log_p);
    }

    fn log_prob_single_flips(
        &self,
        bits: ArrayView2<u8>,
        mut log_p: ArrayViewMut1<f64>,
        mut flipped: ArrayViewMut2<f64>,
        _: &mut (),
    ) {
        let n = self.sites();
        let x = Self::inputs(bits);
        let (w1, w2) = (self.masked_w1(), self.masked_w2());
        let mut a = x.dot(&w1);
        a += &self.params.vector(B);
        let mut h = a.clone();
        self.activate(&mut h);
        let mut logits = h.dot(&w2);
        logits += &self.params.vector(C);
        Self::log_p_of(bits, &logits, log_p.view_mut());
        // Per row, the log-conditionals' prefix sums: sites ≤ i keep theirs under a flip of i
        // (site i's own term flips sign of its bit, with the same logit).
        let terms = Array2::from_shape_fn(logits.raw_dim(), |(r, s)| {
            let z = logits[[r, s]];
            log_sigmoid(if bits[[r, s]] == 1 { z } else { -z })
        });
        for i in 0..n {
            // Units seeing input i move by −2x_i W1[i, ·]; sites after i see new logits.
            let mut moved = a.clone();
            for (mut row, &xi) in moved.rows_mut().into_iter().zip(x.column(i)) {
                row.scaled_add(-2.0 * xi, &w1.row(i));
            }
            h.assign(&moved);
            self.activate(&mut h);
            let later = h.dot(&w2.slice(s![.., i + 1..]));
            for r in 0..bits.nrows() {
                let before: f64 = terms.row(r).slice(s![..i]).sum();
                let z = logits[[r, i]];
                let own = log_sigmoid(if bits[[r, i]] == 1 { -z } else { z });
                let after: f64 = (i + 1..n)
                    .map(|t| {
                        let z = later[[r, t - i - 1]] + self.params.vector(C)[t];
                        log_sigmoid(if bits[[r, t]] == 1 { z } else { -z })
                    })
                    .sum();
                flipped[[r, i]] = before + own + after;
            }
        }
    }

    fn accumulate_grad(
        &self,
        bits: ArrayView2<u8>,
        weights: ArrayView1<f64>,
        grad: &mut Params,
        _: &mut (),
    ) {
        let x = Self::inputs(bits);
        let (w1, w2) = (self.masked_w1(), self.masked_w2());
        let (h, logits) = self.forward(&x, &w1, &w2);
        // ∂ log p / ∂ℓ_s = e_s − σ(ℓ_s), weighted per row.
        let dl = Array2::from_shape_fn(logits.raw_dim(), |(r, s)| {
            weights[r] * (f64::from(bits[[r, s]]) - sigmoid(logits[[r, s]]))
        });
        let dw2 = h.t().dot(&dl);
        let dc = dl.sum_axis(Axis(0));
        let mut da = dl.dot(&w2.t());
        let act = self.activation;
        da.zip_mut_with(&h, |d, &hv| *d *= act.derivative_from_output(hv));
        let dw1 = x.t().dot(&da);
        let db = da.sum_axis(Axis(0));
        // Masked entries get no gradient: their weights are never used.
        let mut g = grad.matrix_mut(W1);
        for ((i, k), v) in g.indexed_iter_mut() {
            if i < self.degrees[k] {
                *v += dw1[[i, k]];
            }
        }
        let mut g = grad.matrix_mut(W2);
        for ((k, s), v) in g.indexed_iter_mut() {
            if self.degrees[k] <= s {
                *v += dw2[[k, s]];
            }
        }
        for (v, d) in grad.slice_mut(B).iter_mut().zip(&db) {
            *v += d;
        }
        for (v, d) in grad.slice_mut(C).iter_mut().zip(&dc) {
            *v += d;
        }
    }
}
