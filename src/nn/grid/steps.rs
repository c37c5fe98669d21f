//! One site's step of each 2D cell, for a batch of rows, and its back-propagation.
//!
//! With x = one-hot(e) of the left and up neighbours (zeros where missing) and
//! h_cat = [h_left; h_up]:
//!
//! - **gru2d** (gated): z = [x_left; x_up; h_cat],
//!   u = σ(z U_gate + b_gate), h̃ = act(z U_cand + b_cand), h = u ⊙ h̃ + (1 − u) ⊙ (h_cat M);
//! - **tensorized2d** (bilinear in input and state): h = act([x_left; x_up]ᵀ T h_cat + b), the
//!   tensor T holding one 2n_h × n_h matrix per input entry, so each neighbour's bit picks
//!   the matrix its state is multiplied by. It is computed as one product z T with
//!   z = [x_left,0 h_cat; x_left,1 h_cat; x_up,0 h_cat; x_up,1 h_cat] (8n_h wide, half zeros).

use crate::nn::logistic::sigmoid;
use ndarray::{s, Array2, ArrayView1, ArrayView2, Axis};

use crate::nn::rnn2d::Activation;
use crate::nn::{Params, TensorSpec};

/// Which 2D cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GridKind {
    /// The gated 2D RNN.
    Gru,
    /// The tensorised 2D RNN.
    Tensorized,
}

/// What a step keeps for its back-propagation.
#[derive(Debug, Clone)]
pub enum StepCache {
    /// gru2d: z, h_cat, the gate u, the candidate h̃ and the carried state h_cat M.
    Gru {
        z: Array2<f64>,
        u: Array2<f64>,
        candidate: Array2<f64>,
        carried: Array2<f64>,
    },
    /// tensorized2d: z, which blocks of z are on, and the output h.
    Tensorized {
        z: Array2<f64>,
        on: Array2<f64>,
        h: Array2<f64>,
    },
}

fn activate(activation: Activation, a: &mut Array2<f64>) {
    a.mapv_inplace(|x| activation.apply(x));
}

/// [h_left; h_up] per row, zeros for a missing neighbour.
fn concat(
    rows: usize,
    hidden: usize,
    hl: Option<ArrayView2<f64>>,
    hu: Option<ArrayView2<f64>>,
) -> Array2<f64> {
    let mut out = Array2::zeros((rows, 2 * hidden));
    if let Some(hl) = hl {
        out.slice_mut(s![.., ..hidden]).assign(&hl);
    }
    if let Some(hu) = hu {
        out.slice_mut(s![.., hidden..]).assign(&hu);
    }
    out
}

/// Whether row r's neighbour bit is `value` (0 where the neighbour is missing).
fn is(bits: Option<ArrayView1<u8>>, r: usize, value: u8) -> f64 {
    bits.map_or(0.0, |b| f64::from(u8::from(b[r] == value)))
}

impl GridKind {
    /// The name in configurations and tensor prefixes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Gru => "gru2d",
            Self::Tensorized => "tensorized2d",
        }
    }

    /// The step's tensors (the output W, c follow them).
    pub(super) fn step_specs(self, h: usize) -> Vec<TensorSpec> {
        match self {
            Self::Gru => vec![
                TensorSpec::matrix("gru2d/U_gate", 4 + 2 * h, h),
                TensorSpec::vector("gru2d/b_gate", h),
                TensorSpec::matrix("gru2d/U_cand", 4 + 2 * h, h),
                TensorSpec::vector("gru2d/b_cand", h),
                TensorSpec::matrix("gru2d/M", 2 * h, h),
            ],
            Self::Tensorized => vec![
                TensorSpec::matrix("tensorized2d/T", 8 * h, h),
                TensorSpec::vector("tensorized2d/b", h),
            ],
        }
    }

    /// One site's step for every row: h and what back-propagation needs.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn forward(
        self,
        params: &Params,
        rows: usize,
        hidden: usize,
        activation: Activation,
        xl: Option<ArrayView1<u8>>,
        xu: Option<ArrayView1<u8>>,
        hl: Option<ArrayView2<f64>>,
        hu: Option<ArrayView2<f64>>,
    ) -> (Array2<f64>, StepCache) {
        let h_cat = concat(rows, hidden, hl, hu);
        match self {
            Self::Gru => {
                let mut z = Array2::zeros((rows, 4 + 2 * hidden));
                for r in 0..rows {
                    z[[r, 0]] = is(xl, r, 0);
                    z[[r, 1]] = is(xl, r, 1);
                    z[[r, 2]] = is(xu, r, 0);
                    z[[r, 3]] = is(xu, r, 1);
                }
                z.slice_mut(s![.., 4..]).assign(&h_cat);
                let mut u = z.dot(&params.matrix(0)) + params.vector(1);
                u.mapv_inplace(sigmoid);
                let mut candidate = z.dot(&params.matrix(2)) + params.vector(3);
                activate(activation, &mut candidate);
                let carried = h_cat.dot(&params.matrix(4));
                let mut h = &u * &candidate;
                ndarray::Zip::from(&mut h)
                    .and(&u)
                    .and(&carried)
                    .for_each(|h, &u, &m| *h += (1.0 - u) * m);
                (
                    h,
                    StepCache::Gru {
                        z,
                        u,
                        candidate,
                        carried,
                    },
                )
            }
            Self::Tensorized => {
                let mut z = Array2::zeros((rows, 8 * hidden));
                let mut on = Array2::zeros((rows, 4));
                for r in 0..rows {
                    let blocks = [is(xl, r, 0), is(xl, r, 1), is(xu, r, 0), is(xu, r, 1)];
                    for (k, &b) in blocks.iter().enumerate() {
                        on[[r, k]] = b;
                        if b != 0.0 {
                            z.slice_mut(s![r, 2 * hidden * k..2 * hidden * (k + 1)])
                                .assign(&h_cat.row(r));
                        }
                    }
                }
                let mut h = z.dot(&params.matrix(0)) + params.vector(1);
                activate(activation, &mut h);
                (h.clone(), StepCache::Tensorized { z, on, h })
            }
        }
    }

    /// Back-propagate ∂/∂h of one site: add the step's parameter gradients to `grad` and
    /// return ∂/∂[h_left; h_up] (rows × 2n_h).
    pub(super) fn backward(
        self,
        params: &Params,
        activation: Activation,
        cache: &StepCache,
        dh: ArrayView2<f64>,
        grad: &mut Params,
    ) -> Array2<f64> {
        match cache {
            StepCache::Gru {
                z,
                u,
                candidate,
                carried,
            } => {
                let hidden = dh.ncols();
                // h = u h̃ + (1 − u) m.
                let mut da_gate = Array2::zeros(dh.raw_dim());
                let mut da_cand = Array2::zeros(dh.raw_dim());
                let mut d_carried = Array2::zeros(dh.raw_dim());
                ndarray::Zip::from(&mut da_gate)
                    .and(&dh)
                    .and(u)
                    .and(candidate)
                    .and(carried)
                    .for_each(|dg, &d, &u, &c, &m| *dg = d * (c - m) * u * (1.0 - u));
                ndarray::Zip::from(&mut da_cand)
                    .and(&mut d_carried)
                    .and(&dh)
                    .and(u)
                    .and(candidate)
                    .for_each(|dc, dm, &d, &u, &c| {
                        *dc = d * u * activation.derivative_from_output(c);
                        *dm = d * (1.0 - u);
                    });
                let h_cat = z.slice(s![.., 4..]);
                let mut g = grad.matrix_mut(0);
                g += &z.t().dot(&da_gate);
                add(grad.slice_mut(1), &da_gate.sum_axis(Axis(0)));
                let mut g = grad.matrix_mut(2);
                g += &z.t().dot(&da_cand);
                add(grad.slice_mut(3), &da_cand.sum_axis(Axis(0)));
                let mut g = grad.matrix_mut(4);
                g += &h_cat.t().dot(&d_carried);
                let dz = da_gate.dot(&params.matrix(0).t()) + da_cand.dot(&params.matrix(2).t());
                let mut d_cat = dz.slice(s![.., 4..]).to_owned();
                d_cat += &d_carried.dot(&params.matrix(4).t());
                debug_assert_eq!(d_cat.ncols(), 2 * hidden);
                d_cat
            }
            StepCache::Tensorized { z, on, h } => {
                let hidden = dh.ncols();
                let mut da = dh.to_owned();
                da.zip_mut_with(h, |d, &hv| *d *= activation.derivative_from_output(hv));
                let mut g = grad.matrix_mut(0);
                g += &z.t().dot(&da);
                add(grad.slice_mut(1), &da.sum_axis(Axis(0)));
                let dz = da.dot(&params.matrix(0).t());
                let mut d_cat = Array2::zeros((dh.nrows(), 2 * hidden));
                for r in 0..dh.nrows() {
                    for k in 0..4 {
                        if on[[r, k]] != 0.0 {
                            let block = dz.slice(s![r, 2 * hidden * k..2 * hidden * (k + 1)]);
                            let mut row = d_cat.row_mut(r);
                            row += &block;
                        }
                    }
                }
                d_cat
            }
        }
    }
}

fn add(target: &mut [f64], values: &ndarray::Array1<f64>) {
    for (t, v) in target.iter_mut().zip(values) {
        *t += v;
    }
}
