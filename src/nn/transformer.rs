//! A small causal transformer over the raster order: one layer, two heads, learned positions.
//!
//! Position s reads the bit before it (a start token at s = 0): x_s = E[e_{s−1}] + P_s. Then
//!
//! - q, k, v = x W_q, x W_k, x W_v; head j (dimensions [lo_j, hi_j), d/2 each, the second the
//!   larger when d is odd) attends causally: a_s = Σ_{t≤s} softmax_t(q_s·k_t/√d_j) v_t;
//! - y = x + a W_o, z = y + act(y W_1 + b_1) W_2 + b_2 (an MLP twice as wide as d);
//! - p(e_s | e_<s) = softmax(z_s W + c).
//!
//! z_s depends on x_≤s, that is on e_<s, so sampling goes position by position with a
//! key-value cache (each position's k and v computed once and kept). A flipped bit e_i changes
//! only positions after i: the single-flip pass keeps the cache before i + 1 and reruns the
//! rest. Back-propagation is written out below and checked against central differences in
//! `tests/nn_cells.rs`. There is no layer normalisation: at one layer and d ≈ 20 it is not
//! needed to train, and the paper's small networks have none.

use super::logistic::{log_sigmoid, sigmoid};
use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, Axis};
use rand::{Rng, RngExt};

use super::rnn2d::Activation;
use super::{Autoregressive, LayoutError, Params, TensorSpec};

const EMBED: usize = 0;
const POSITION: usize = 1;
const WQ: usize = 2;
const WK: usize = 3;
const WV: usize = 4;
const WO: usize = 5;
const W1: usize = 6;
const B1: usize = 7;
const W2: usize = 8;
const B2: usize = 9;
const W: usize = 10;
const C: usize = 11;

/// The parameter layout over `sites` positions with model width `width`: 8d² + (N + 8)d + 2.
pub fn transformer_tensor_specs(sites: usize, width: usize) -> Vec<TensorSpec> {
    let d = width;
    vec![
        TensorSpec::matrix("transformer/embed", 3, d),
        TensorSpec::matrix("transformer/position", sites, d),
        TensorSpec::matrix("transformer/W_q", d, d),
        TensorSpec::matrix("transformer/W_k", d, d),
        TensorSpec::matrix("transformer/W_v", d, d),
        TensorSpec::matrix("transformer/W_o", d, d),
        TensorSpec::matrix("transformer/W_1", d, 2 * d),
        TensorSpec::vector("transformer/b_1", 2 * d),
        TensorSpec::matrix("transformer/W_2", 2 * d, d),
        TensorSpec::vector("transformer/b_2", d),
        TensorSpec::matrix("transformer/W", d, 2),
        TensorSpec::vector("transformer/c", 2),
    ]
}

/// A one-layer, two-head causal transformer over an L × L lattice.
#[derive(Debug, Clone, PartialEq)]
pub struct Transformer {
    size: usize,
    width: usize,
    activation: Activation,
    params: Params,
}

/// One row's pass: every position's activations (what the cache and back-propagation need).
#[derive(Debug, Clone)]
struct RowPass {
    x: Array2<f64>,
    q: Array2<f64>,
    k: Array2<f64>,
    v: Array2<f64>,
    /// Attention weights of each head, (N, N), row s over t ≤ s.
    attention: [Array2<f64>; 2],
    a: Array2<f64>,
    y: Array2<f64>,
    hidden: Array2<f64>,
    z: Array2<f64>,
    /// d_s = ℓ_1 − ℓ_0.
    logits: Array1<f64>,
    /// log p(e_s | e_<s).
    terms: Array1<f64>,
}

impl Transformer {
    /// A transformer with Glorot-uniform matrices, N(0, 0.1²)-like uniform embeddings and
    /// positions, and zero biases.
    pub fn init<R: Rng + ?Sized>(
        size: usize,
        width: usize,
        activation: Activation,
        rng: &mut R,
    ) -> Self {
        let n = size * size;
        let specs = transformer_tensor_specs(n, width);
        let mut params = Params::zeros(specs.clone());
        for (i, spec) in specs.iter().enumerate() {
            if let [rows, cols] = spec.shape[..] {
                let limit = if i == EMBED || i == POSITION {
                    0.3
                } else {
                    (6.0 / (rows + cols) as f64).sqrt()
                };
                for x in params.slice_mut(i) {
                    *x = limit * (2.0 * rng.random::<f64>() - 1.0);
                }
            }
        }
        Self::from_params(size, width, activation, params)
            .expect("layout built from the same sizes")
    }

    /// A transformer with the given parameters, refused if their layout does not match (or
    /// the width is below 2, which two heads need).
    pub fn from_params(
        size: usize,
        width: usize,
        activation: Activation,
        params: Params,
    ) -> Result<Self, LayoutError> {
        if params.specs() != transformer_tensor_specs(size * size, width).as_slice() || width < 2 {
            return Err(LayoutError::Network {
                cell: "transformer",
                hidden: width,
            });
        }
        Ok(Self {
            size,
            width,
            activation,
            params,
        })
    }

    /// The two heads' dimension ranges.
    fn heads(&self) -> [(usize, usize); 2] {
        let half = self.width / 2;
        [(0, half), (half, self.width)]
    }

    fn new_pass(&self) -> RowPass {
        let (n, d) = (self.sites(), self.width);
        RowPass {
            x: Array2::zeros((n, d)),
            q: Array2::zeros((n, d)),
            k: Array2::zeros((n, d)),
            v: Array2::zeros((n, d)),
            attention: [Array2::zeros((n, n)), Array2::zeros((n, n))],
            a: Array2::zeros((n, d)),
            y: Array2::zeros((n, d)),
            hidden: Array2::zeros((n, 2 * d)),
            z: Array2::zeros((n, d)),
            logits: Array1::zeros(n),
            terms: Array1::zeros(n),
        }
    }

    /// Positions `from..N` of one row, reading the cache before `from`; with `uniform`, each
    /// bit is drawn (e_s = 1 iff u_s < p(e_s = 1 | e_<s)).
    fn run(
        &self,
        bits: &mut [u8],
        uniform: Option<ArrayView1<f64>>,
        from: usize,
        pass: &mut RowPass,
    ) {
        let p = &self.params;
        let w = p.matrix(W);
        let wdiff = &w.column(1) - &w.column(0);
        let cdiff = p.vector(C)[1] - p.vector(C)[0];
        for s in from..self.sites() {
            let token = if s == 0 { 2 } else { usize::from(bits[s - 1]) };
            let x = &p.matrix(EMBED).row(token) + &p.matrix(POSITION).row(s);
            pass.q.row_mut(s).assign(&x.dot(&p.matrix(WQ)));
            pass.k.row_mut(s).assign(&x.dot(&p.matrix(WK)));
            pass.v.row_mut(s).assign(&x.dot(&p.matrix(WV)));
            pass.x.row_mut(s).assign(&x);
            let mut a = Array1::zeros(self.width);
            for (j, &(lo, hi)) in self.heads().iter().enumerate() {
                let scale = 1.0 / ((hi - lo) as f64).sqrt();
                let q = pass.q.slice(s![s, lo..hi]);
                let scores: Vec<f64> = (0..=s)
                    .map(|t| q.dot(&pass.k.slice(s![t, lo..hi])) * scale)
                    .collect();
                let top = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let weights: Vec<f64> = scores.iter().map(|v| (v - top).exp()).collect();
                let total: f64 = weights.iter().sum();
                for (t, wt) in weights.iter().enumerate() {
                    let pt = wt / total;
                    pass.attention[j][[s, t]] = pt;
                    a.slice_mut(s![lo..hi])
                        .scaled_add(pt, &pass.v.slice(s![t, lo..hi]));
                }
            }
            let y = &x + &a.dot(&p.matrix(WO));
            let mut hidden = y.dot(&p.matrix(W1)) + p.vector(B1);
            hidden.mapv_inplace(|v| self.activation.apply(v));
            let z = &y + &hidden.dot(&p.matrix(W2)) + p.vector(B2);
            let d = z.dot(&wdiff) + cdiff;
            if let Some(u) = uniform {
                bits[s] = u8::from(u[s] < sigmoid(d));
            }
            pass.a.row_mut(s).assign(&a);
            pass.y.row_mut(s).assign(&y);
            pass.hidden.row_mut(s).assign(&hidden);
            pass.z.row_mut(s).assign(&z);
            pass.logits[s] = d;
            pass.terms[s] = log_sigmoid(if bits[s] == 1 { d } else { -d });
        }
    }

    fn evaluate_row(&self, row: ArrayView1<u8>) -> RowPass {
        let mut bits = row.to_vec();
        let mut pass = self.new_pass();
        self.run(&mut bits, None, 0, &mut pass);
        pass
    }

    /// grad ← grad + weight·∇ log p of one row.
    fn backward_row(&self, bits: ArrayView1<u8>, weight: f64, pass: &RowPass, grad: &mut Params) {
        let p = &self.params;
        let n = self.sites();
        // ∂/∂d_s of log p = e_s − σ(d_s); ℓ_1 − ℓ_0 = d, so ∂/∂ℓ_1 = −∂/∂ℓ_0 = that.
        let dd = Array1::from_shape_fn(n, |s| {
            weight * (f64::from(bits[s]) - sigmoid(pass.logits[s]))
        });
        let mut dl = Array2::zeros((n, 2));
        dl.column_mut(1).assign(&dd);
        dl.column_mut(0).assign(&(-&dd));
        add_matrix(grad, W, &pass.z.t().dot(&dl));
        add(grad.slice_mut(C), &dl.sum_axis(Axis(0)));
        let dz = dl.dot(&p.matrix(W).t());
        // z = y + act(y W1 + b1) W2 + b2.
        add_matrix(grad, W2, &pass.hidden.t().dot(&dz));
        add(grad.slice_mut(B2), &dz.sum_axis(Axis(0)));
        let mut dpre = dz.dot(&p.matrix(W2).t());
        let activation = self.activation;
        dpre.zip_mut_with(&pass.hidden, |g, &h| {
            *g *= activation.derivative_from_output(h)
        });
        add_matrix(grad, W1, &pass.y.t().dot(&dpre));
        add(grad.slice_mut(B1), &dpre.sum_axis(Axis(0)));
        let dy = &dz + &dpre.dot(&p.matrix(W1).t());
        // y = x + a Wo.
        add_matrix(grad, WO, &pass.a.t().dot(&dy));
        let da = dy.dot(&p.matrix(WO).t());
        let mut dq = Array2::<f64>::zeros(pass.q.raw_dim());
        let mut dk = Array2::<f64>::zeros(pass.k.raw_dim());
        let mut dv = Array2::<f64>::zeros(pass.v.raw_dim());
        for (j, &(lo, hi)) in self.heads().iter().enumerate() {
            let scale = 1.0 / ((hi - lo) as f64).sqrt();
            let attention = &pass.attention[j];
            let da_j = da.slice(s![.., lo..hi]);
            let v_j = pass.v.slice(s![.., lo..hi]);
            // a = P v: ∂P = ∂a vᵀ, ∂v = Pᵀ ∂a; softmax rows: ∂S = P ⊙ (∂P − Σ_t P ∂P).
            let dp = da_j.dot(&v_j.t());
            dv.slice_mut(s![.., lo..hi])
                .scaled_add(1.0, &attention.t().dot(&da_j));
            let mut ds = Array2::<f64>::zeros((n, n));
            for s in 0..n {
                let inner: f64 = (0..=s).map(|t| attention[[s, t]] * dp[[s, t]]).sum();
                for t in 0..=s {
                    ds[[s, t]] = attention[[s, t]] * (dp[[s, t]] - inner) * scale;
                }
            }
            dq.slice_mut(s![.., lo..hi])
                .scaled_add(1.0, &ds.dot(&pass.k.slice(s![.., lo..hi])));
            dk.slice_mut(s![.., lo..hi])
                .scaled_add(1.0, &ds.t().dot(&pass.q.slice(s![.., lo..hi])));
        }
        add_matrix(grad, WQ, &pass.x.t().dot(&dq));
        add_matrix(grad, WK, &pass.x.t().dot(&dk));
        add_matrix(grad, WV, &pass.x.t().dot(&dv));
        let dx = &dy
            + &dq.dot(&p.matrix(WQ).t())
            + &dk.dot(&p.matrix(WK).t())
            + &dv.dot(&p.matrix(WV).t());
        add_matrix(grad, POSITION, &dx);
        let mut de = grad.matrix_mut(EMBED);
        for s in 0..n {
            let token = if s == 0 { 2 } else { usize::from(bits[s - 1]) };
            let mut row = de.row_mut(token);
            row += &dx.row(s);
        }
    }
}

/// grad[i] ← grad[i] + m.
fn add_matrix(grad: &mut Params, i: usize, m: &Array2<f64>) {
    let mut g = grad.matrix_mut(i);
    g += m;
}

fn add(target: &mut [f64], values: &Array1<f64>) {
    for (t, v) in target.iter_mut().zip(values) {
        *t += v;
    }
}

impl Autoregressive for Transformer {
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
        let mut row_bits = vec![0u8; self.sites()];
        let mut pass = self.new_pass();
        for r in 0..bits.nrows() {
            self.run(&mut row_bits, Some(uniforms.row(r)), 0, &mut pass);
            bits.row_mut(r).assign(&ArrayView1::from(&row_bits));
            log_p[r] = pass.terms.sum();
        }
    }

    fn log_prob(&self, bits: ArrayView2<u8>, mut log_p: ArrayViewMut1<f64>, _: &mut ()) {
        for (r, row) in bits.rows().into_iter().enumerate() {
            log_p[r] = self.evaluate_row(row).terms.sum();
        }
    }

    fn log_prob_single_flips(
        &self,
        bits: ArrayView2<u8>,
        mut log_p: ArrayViewMut1<f64>,
        mut flipped: ArrayViewMut2<f64>,
        _: &mut (),
    ) {
        let n = self.sites();
        for (r, row) in bits.rows().into_iter().enumerate() {
            let original = self.evaluate_row(row);
            log_p[r] = original.terms.sum();
            let mut work = row.to_vec();
            for i in 0..n {
                // The cache up to i does not see e_i: keep it and rerun the later positions.
                let mut pass = original.clone();
                work[i] ^= 1;
                self.run(&mut work, None, i + 1, &mut pass);
                let d = original.logits[i];
                let own = log_sigmoid(if work[i] == 1 { d } else { -d });
                flipped[[r, i]] =
                    original.terms.slice(s![..i]).sum() + own + pass.terms.slice(s![i + 1..]).sum();
                work[i] ^= 1;
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
        for (r, row) in bits.rows().into_iter().enumerate() {
            let pass = self.evaluate_row(row);
            self.backward_row(row, weights[r], &pass, grad);
        }
    }
}
