//! Two-dimensional recurrent cells over the raster order beyond the paper's vanilla one: the
//! gated 2D RNN (`gru2d`) and the tensorised 2D RNN (`tensorized2d`) of the annealing literature
//! (Hibat-Allah, Inack, Wiersema, Melko & Carrasquilla 2021). Both share the 2D RNN's wiring:
//! site s = r·L + c reads its "left" neighbour s − 1 (across a row end too, as the authors' 2D
//! RNN does) and its "up" neighbour s − L, a missing neighbour contributing zeros, and
//! p(e_s | e_<s) = softmax(h_s W + c).
//!
//! Only the cell's step differs (`steps.rs`); this module runs it over the sites: sampling,
//! teacher-forced log p, the single-flip pass (which keeps every state before the flipped site
//! and recomputes only the later ones) and back-propagation through the lattice, each over a
//! whole batch of rows per site.

mod steps;

use super::logistic::{log_sigmoid, sigmoid};
use ndarray::{
    s, Array1, Array2, Array3, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, Axis,
};
use rand::{Rng, RngExt};

pub use steps::GridKind;

use super::rnn2d::Activation;
use super::{Autoregressive, LayoutError, Params, TensorSpec};
use steps::StepCache;

/// The parameter layout of a `kind` cell with `hidden` units (names as in DESIGN.md).
pub fn grid_tensor_specs(kind: GridKind, hidden: usize) -> Vec<TensorSpec> {
    let mut specs = kind.step_specs(hidden);
    let prefix = kind.name();
    specs.push(TensorSpec::matrix(&format!("{prefix}/W"), hidden, 2));
    specs.push(TensorSpec::vector(&format!("{prefix}/c"), 2));
    specs
}

/// A gated or tensorised 2D RNN over an L × L lattice.
#[derive(Debug, Clone, PartialEq)]
pub struct GridRnn {
    kind: GridKind,
    size: usize,
    hidden: usize,
    activation: Activation,
    params: Params,
}

/// What a pass over the sites keeps: each site's states and log-conditionals, and for the
/// backward pass each step's cache and the logit differences.
struct Pass {
    /// h of every site, (N, rows, hidden).
    states: Array3<f64>,
    /// log p(e_s | e_<s), (rows, N).
    terms: Array2<f64>,
    /// Logit difference d_s = ℓ_1 − ℓ_0 of every site, (rows, N).
    logits: Array2<f64>,
    /// Each site's step cache (kept only for back-propagation).
    caches: Vec<StepCache>,
}

impl GridRnn {
    /// A `kind` cell with Glorot-uniform matrices and zero biases.
    pub fn init<R: Rng + ?Sized>(
        kind: GridKind,
        size: usize,
        hidden: usize,
        activation: Activation,
        rng: &mut R,
    ) -> Self {
        let mut params = Params::zeros(grid_tensor_specs(kind, hidden));
        for (i, spec) in grid_tensor_specs(kind, hidden).iter().enumerate() {
            if let [rows, cols] = spec.shape[..] {
                let limit = (6.0 / (rows + cols) as f64).sqrt();
                for x in params.slice_mut(i) {
                    *x = limit * (2.0 * rng.random::<f64>() - 1.0);
                }
            }
        }
        Self::from_params(kind, size, hidden, activation, params)
            .expect("layout built from the same sizes")
    }

    /// A cell with the given parameters, refused if their layout does not match.
    pub fn from_params(
        kind: GridKind,
        size: usize,
        hidden: usize,
        activation: Activation,
        params: Params,
    ) -> Result<Self, LayoutError> {
        if params.specs() != grid_tensor_specs(kind, hidden).as_slice() {
            return Err(LayoutError::Network {
                cell: kind.name(),
                hidden,
            });
        }
        Ok(Self {
            kind,
            size,
            hidden,
            activation,
            params,
        })
    }

    fn output_index(&self) -> usize {
        self.params.specs().len() - 2
    }

    /// W[:, 1] − W[:, 0] and c_1 − c_0: the logit difference is h·wdiff + cdiff.
    fn output(&self) -> (Array1<f64>, f64) {
        let w = self.params.matrix(self.output_index());
        let c = self.params.vector(self.output_index() + 1);
        (&w.column(1) - &w.column(0), c[1] - c[0])
    }

    /// Run the sites `from..N` over `bits` (sampling each site from `uniforms` if given),
    /// reading the states before `from` from `pass`.
    fn run(
        &self,
        bits: &mut Array2<u8>,
        uniforms: Option<ArrayView2<f64>>,
        from: usize,
        pass: &mut Pass,
        keep_caches: bool,
    ) {
        let (n, l) = (self.sites(), self.size);
        let (wdiff, cdiff) = self.output();
        for site in from..n {
            let left = (site >= 1).then(|| site - 1);
            let up = (site >= l).then(|| site - l);
            let (h, cache) = self.kind.forward(
                &self.params,
                bits.nrows(),
                self.hidden,
                self.activation,
                left.map(|t| bits.column(t)),
                up.map(|t| bits.column(t)),
                left.map(|t| pass.states.index_axis(Axis(0), t)),
                up.map(|t| pass.states.index_axis(Axis(0), t)),
            );
            let d = h.dot(&wdiff) + cdiff;
            for (r, &dr) in d.iter().enumerate() {
                if let Some(u) = uniforms {
                    bits[[r, site]] = u8::from(u[[r, site]] < sigmoid(dr));
                }
                let one = bits[[r, site]] == 1;
                pass.terms[[r, site]] = log_sigmoid(if one { dr } else { -dr });
                pass.logits[[r, site]] = dr;
            }
            pass.states.index_axis_mut(Axis(0), site).assign(&h);
            if keep_caches {
                pass.caches.push(cache);
            }
        }
    }

    fn new_pass(&self, rows: usize) -> Pass {
        let n = self.sites();
        Pass {
            states: Array3::zeros((n, rows, self.hidden)),
            terms: Array2::zeros((rows, n)),
            logits: Array2::zeros((rows, n)),
            caches: Vec::new(),
        }
    }

    /// A teacher-forced pass over `bits`.
    fn evaluate(&self, bits: ArrayView2<u8>, keep_caches: bool) -> Pass {
        let mut pass = self.new_pass(bits.nrows());
        let mut owned = bits.to_owned();
        self.run(&mut owned, None, 0, &mut pass, keep_caches);
        pass
    }
}

impl Autoregressive for GridRnn {
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
        let mut pass = self.new_pass(bits.nrows());
        let mut owned = Array2::zeros(bits.raw_dim());
        self.run(&mut owned, Some(uniforms), 0, &mut pass, false);
        bits.assign(&owned);
        log_p.assign(&pass.terms.sum_axis(Axis(1)));
    }

    fn log_prob(&self, bits: ArrayView2<u8>, mut log_p: ArrayViewMut1<f64>, _: &mut ()) {
        log_p.assign(&self.evaluate(bits, false).terms.sum_axis(Axis(1)));
    }

    fn log_prob_single_flips(
        &self,
        bits: ArrayView2<u8>,
        mut log_p: ArrayViewMut1<f64>,
        mut flipped: ArrayViewMut2<f64>,
        _: &mut (),
    ) {
        let n = self.sites();
        let original = self.evaluate(bits, false);
        log_p.assign(&original.terms.sum_axis(Axis(1)));
        let mut work = bits.to_owned();
        let mut pass = self.new_pass(bits.nrows());
        for i in 0..n {
            // States up to i do not see e_i: keep them, flip e_i, run the sites after it.
            pass.states.assign(&original.states);
            work.column_mut(i).mapv_inplace(|b| b ^ 1);
            self.run(&mut work, None, i + 1, &mut pass, false);
            for r in 0..bits.nrows() {
                let before: f64 = original.terms.slice(s![r, ..i]).sum();
                let d = original.logits[[r, i]];
                let own = log_sigmoid(if work[[r, i]] == 1 { d } else { -d });
                let after: f64 = pass.terms.slice(s![r, i + 1..]).sum();
                flipped[[r, i]] = before + own + after;
            }
            work.column_mut(i).mapv_inplace(|b| b ^ 1);
        }
    }

    fn accumulate_grad(
        &self,
        bits: ArrayView2<u8>,
        weights: ArrayView1<f64>,
        grad: &mut Params,
        _: &mut (),
    ) {
        let (n, l, h) = (self.sites(), self.size, self.hidden);
        let pass = self.evaluate(bits, true);
        let out = self.output_index();
        let w = self.params.matrix(out).to_owned();
        let mut d_states = Array3::<f64>::zeros((n, bits.nrows(), h));
        for site in (0..n).rev() {
            // ∂ log p(e_s) / ∂ℓ_k = [e_s = k] − p_k, weighted per row.
            let mut dl = Array2::zeros((bits.nrows(), 2));
            for r in 0..bits.nrows() {
                let p1 = sigmoid(pass.logits[[r, site]]);
                let e = f64::from(bits[[r, site]]);
                dl[[r, 1]] = weights[r] * (e - p1);
                dl[[r, 0]] = -dl[[r, 1]];
            }
            let state = pass.states.index_axis(Axis(0), site);
            let mut gw = grad.matrix_mut(out);
            gw += &state.t().dot(&dl);
            let dc = dl.sum_axis(Axis(0));
            for (g, d) in grad.slice_mut(out + 1).iter_mut().zip(&dc) {
                *g += d;
            }
            let dh = &d_states.index_axis(Axis(0), site) + &dl.dot(&w.t());
            let left = (site >= 1).then(|| site - 1);
            let up = (site >= l).then(|| site - l);
            let d_neighbours = self.kind.backward(
                &self.params,
                self.activation,
                &pass.caches[site],
                dh.view(),
                grad,
            );
            if let Some(t) = left {
                let mut target = d_states.index_axis_mut(Axis(0), t);
                target += &d_neighbours.slice(s![.., ..h]);
            }
            if let Some(t) = up {
                let mut target = d_states.index_axis_mut(Axis(0), t);
                target += &d_neighbours.slice(s![.., h..]);
            }
        }
    }
}
