//! The 2D RNN behind the `Autoregressive` interface: its passes in the configured precision.

use super::{Rnn2d, Rnn2dWorkspace};
use crate::nn::{Autoregressive, Params};

impl Autoregressive for Rnn2d {
    type Workspace = Rnn2dWorkspace;

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
        uniforms: ndarray::ArrayView2<f64>,
        bits: ndarray::ArrayViewMut2<u8>,
        log_p: ndarray::ArrayViewMut1<f64>,
        ws: &mut Rnn2dWorkspace,
    ) {
        self.plain_sample_with(uniforms, bits, log_p, ws);
    }

    fn sample_sharing_prefixes(
        &self,
        uniforms: ndarray::ArrayView2<f64>,
        bits: ndarray::ArrayViewMut2<u8>,
        log_p: ndarray::ArrayViewMut1<f64>,
        ws: &mut Rnn2dWorkspace,
    ) {
        self.plain_sample_shared(uniforms, bits, log_p, ws);
    }

    fn log_prob(
        &self,
        bits: ndarray::ArrayView2<u8>,
        log_p: ndarray::ArrayViewMut1<f64>,
        ws: &mut Rnn2dWorkspace,
    ) {
        self.plain_log_prob(bits, log_p, ws);
    }

    fn log_prob_single_flips(
        &self,
        bits: ndarray::ArrayView2<u8>,
        log_p: ndarray::ArrayViewMut1<f64>,
        flipped: ndarray::ArrayViewMut2<f64>,
        ws: &mut Rnn2dWorkspace,
    ) {
        self.plain_single_flips(bits, log_p, flipped, ws);
    }

    fn accumulate_grad(
        &self,
        bits: ndarray::ArrayView2<u8>,
        weights: ndarray::ArrayView1<f64>,
        grad: &mut Params,
        ws: &mut Rnn2dWorkspace,
    ) {
        self.plain_accumulate_grad(bits, weights, grad, ws);
    }

    fn log_derivatives(
        &self,
        bits: ndarray::ArrayView2<u8>,
        out: ndarray::ArrayViewMut2<f64>,
        ws: &mut Rnn2dWorkspace,
    ) {
        self.plain_log_derivatives(bits, out, ws);
    }
}
