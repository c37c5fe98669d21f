//! The paper's 2D vanilla RNN (SPEC §2), sites in raster order s = r·L + c.
//!
//! h_s = act([x_left; h_left]·U_left + [x_up; h_up]·U_up + b) with x = one-hot(e),
//! "left" = s − 1 (the previous site in the sequence, even across a row end — the authors'
//! choice), "up" = s − L, missing neighbours contributing zeros, and
//! p(e_s | e_<s) = softmax(h_s·W + c). The two hidden-to-hidden blocks are fused into one
//! matrix `[U_left[2..]; U_up[2..]]` so each site costs one GEMM of the batch's
//! `[h_left | h_up]` rows, and the one-hot rows plus b are a 9-entry bias table.

mod activation;
mod autoregressive;
mod backward;
mod flips;
mod forward;
mod kernels;
mod prepared;
mod real;
mod shared;
mod simd;

use ndarray::Array2;
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

pub use real::Real;
pub use simd::use_avx2;

use super::{LayoutError, NetworkConfig, Params, TensorSpec};
pub use prepared::Rnn2dWorkspace;

/// Index of `rnn2d/U_left` in the parameter list.
pub const U_LEFT: usize = 0;
/// Index of `rnn2d/U_up`.
pub const U_UP: usize = 1;
/// Index of `rnn2d/b`.
pub const B: usize = 2;
/// Index of `rnn2d/W`.
pub const W: usize = 3;
/// Index of `rnn2d/c`.
pub const C: usize = 4;

/// The hidden-layer nonlinearity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// elu(x) = x for x > 0, eˣ − 1 otherwise (the paper's).
    #[default]
    Elu,
    /// tanh.
    Tanh,
}

impl Activation {
    /// act(x) in f64, for the cells written with scalar loops.
    #[inline]
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Self::Elu => {
                if x > 0.0 {
                    x
                } else {
                    x.exp_m1()
                }
            }
            Self::Tanh => x.tanh(),
        }
    }

    /// Derivative expressed through the output h = act(x).
    #[inline]
    pub fn derivative_from_output<T: Real>(self, h: T) -> T {
        match self {
            Self::Elu => {
                if h > T::zero() {
                    T::one()
                } else {
                    h + T::one()
                }
            }
            Self::Tanh => T::one() - h * h,
        }
    }
}

/// The floating-point type of the network's passes (`network.precision`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// Double precision (the paper's, and every exact comparison's).
    #[default]
    F64,
    /// Single precision for hidden states, products and gradients; parameters, Adam and
    /// every sum over sites or samples stay f64.
    F32,
}

impl Precision {
    /// Whether this is the default (left out of a written config, so configs written before
    /// the option existed read and hash the same).
    pub fn is_f64(&self) -> bool {
        *self == Self::F64
    }
}

/// The parameter layout of a 2D RNN with `hidden` units, names as in DESIGN.md.
pub fn tensor_specs(hidden: usize) -> Vec<TensorSpec> {
    vec![
        TensorSpec::matrix("rnn2d/U_left", 2 + hidden, hidden),
        TensorSpec::matrix("rnn2d/U_up", 2 + hidden, hidden),
        TensorSpec::vector("rnn2d/b", hidden),
        TensorSpec::matrix("rnn2d/W", hidden, 2),
        TensorSpec::vector("rnn2d/c", 2),
    ]
}

/// A 2D RNN for an L × L lattice with Glorot-uniform weights (b uses ±√(3/n_h), c = 0).
pub(in crate::nn) fn init<R: Rng + ?Sized>(
    config: NetworkConfig,
    size: usize,
    rng: &mut R,
) -> Rnn2d {
    let h = config.hidden;
    let mut params = Params::zeros(tensor_specs(h));
    let mut fill = |params: &mut Params, i: usize, limit: f64| {
        for x in params.slice_mut(i) {
            *x = limit * (2.0 * rng.random::<f64>() - 1.0);
        }
    };
    let glorot = |fan_in: usize, fan_out: usize| (6.0 / (fan_in + fan_out) as f64).sqrt();
    fill(&mut params, U_LEFT, glorot(2 + h, h));
    fill(&mut params, U_UP, glorot(2 + h, h));
    fill(&mut params, B, (3.0 / h as f64).sqrt());
    fill(&mut params, W, glorot(h, 2));
    Rnn2d::from_params(config, size, params).expect("layout built from the same config")
}

/// A 2D RNN over an L × L lattice: the plain cell (the code symmetry is applied around it by
/// [`super::Network`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Rnn2d {
    config: NetworkConfig,
    size: usize,
    params: Params,
}

impl Rnn2d {
    /// A network with the given parameters, refused if their layout does not match.
    pub fn from_params(
        config: NetworkConfig,
        size: usize,
        params: Params,
    ) -> Result<Self, LayoutError> {
        if params.specs() != tensor_specs(config.hidden).as_slice() {
            return Err(LayoutError::Network {
                cell: "rnn2d",
                hidden: config.hidden,
            });
        }
        Ok(Self {
            config,
            size,
            params,
        })
    }

    /// Linear lattice size L.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Hidden units n_h.
    pub fn hidden(&self) -> usize {
        self.config.hidden
    }

    /// The fused hidden-to-hidden matrix [U_left[2..]; U_up[2..]] (2n_h × n_h).
    fn fused_recurrent(&self) -> Array2<f64> {
        let h = self.hidden();
        let mut out = Array2::zeros((2 * h, h));
        out.slice_mut(ndarray::s![..h, ..])
            .assign(&self.params.matrix(U_LEFT).slice(ndarray::s![2.., ..]));
        out.slice_mut(ndarray::s![h.., ..])
            .assign(&self.params.matrix(U_UP).slice(ndarray::s![2.., ..]));
        out
    }
}

/// The passes in the configured precision.
impl Rnn2d {
    fn plain_sample_with(
        &self,
        uniforms: ndarray::ArrayView2<f64>,
        bits: ndarray::ArrayViewMut2<u8>,
        log_p: ndarray::ArrayViewMut1<f64>,
        ws: &mut Rnn2dWorkspace,
    ) {
        let mode = forward::Mode::Sample(uniforms);
        match self.config.precision {
            Precision::F64 => self.forward(mode, bits, log_p, &mut ws.f64),
            Precision::F32 => self.forward(mode, bits, log_p, &mut ws.f32),
        }
    }

    fn plain_sample_shared(
        &self,
        uniforms: ndarray::ArrayView2<f64>,
        bits: ndarray::ArrayViewMut2<u8>,
        log_p: ndarray::ArrayViewMut1<f64>,
        ws: &mut Rnn2dWorkspace,
    ) {
        match self.config.precision {
            Precision::F64 => self.sample_shared(uniforms, bits, log_p, &mut ws.f64),
            Precision::F32 => self.sample_shared(uniforms, bits, log_p, &mut ws.f32),
        }
    }

    fn plain_log_prob(
        &self,
        bits: ndarray::ArrayView2<u8>,
        log_p: ndarray::ArrayViewMut1<f64>,
        ws: &mut Rnn2dWorkspace,
    ) {
        let mut owned = bits.to_owned();
        let (mode, bits) = (forward::Mode::Evaluate, owned.view_mut());
        match self.config.precision {
            Precision::F64 => self.forward(mode, bits, log_p, &mut ws.f64),
            Precision::F32 => self.forward(mode, bits, log_p, &mut ws.f32),
        }
    }

    fn plain_single_flips(
        &self,
        bits: ndarray::ArrayView2<u8>,
        log_p: ndarray::ArrayViewMut1<f64>,
        flipped: ndarray::ArrayViewMut2<f64>,
        ws: &mut Rnn2dWorkspace,
    ) {
        match self.config.precision {
            Precision::F64 => self.single_flips(bits, log_p, flipped, &mut ws.f64),
            Precision::F32 => self.single_flips(bits, log_p, flipped, &mut ws.f32),
        }
    }

    fn plain_accumulate_grad(
        &self,
        bits: ndarray::ArrayView2<u8>,
        weights: ndarray::ArrayView1<f64>,
        grad: &mut Params,
        ws: &mut Rnn2dWorkspace,
    ) {
        let sink = backward::Sink::Sum(grad);
        match self.config.precision {
            Precision::F64 => self.backward(bits, weights, sink, &mut ws.f64),
            Precision::F32 => self.backward(bits, weights, sink, &mut ws.f32),
        }
    }

    fn plain_log_derivatives(
        &self,
        bits: ndarray::ArrayView2<u8>,
        out: ndarray::ArrayViewMut2<f64>,
        ws: &mut Rnn2dWorkspace,
    ) {
        let ones = ndarray::Array1::ones(bits.nrows());
        let sink = backward::Sink::PerRow(out);
        match self.config.precision {
            Precision::F64 => self.backward(bits, ones.view(), sink, &mut ws.f64),
            Precision::F32 => self.backward(bits, ones.view(), sink, &mut ws.f32),
        }
    }
}
