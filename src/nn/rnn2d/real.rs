//! The floating-point type a pass computes in: f64 (the default, every exact comparison) or
//! f32 (`network.precision = "f32"`: twice the SIMD lanes and half the memory traffic).
//! Parameters, Adam and the log-probabilities a pass returns stay f64 either way: a pass
//! converts the weights once, computes hidden states in `T`, and sums log p over the sites in
//! f64, where N terms of size ~1 would otherwise lose digits.

use std::fmt::Debug;
use std::iter::Sum;
use std::ops::{AddAssign, SubAssign};

use ndarray::{LinalgScalar, ScalarOperand};
use num_traits::Float;

use super::activation;
use super::kernels;

/// A float the recurrence can run in, with its own SIMD kernels.
pub trait Real:
    LinalgScalar + Float + ScalarOperand + AddAssign + SubAssign + Sum + Default + Debug + Send + Sync
{
    /// Round an f64 to this type.
    fn narrow(x: f64) -> Self;
    /// Widen to f64 (exact).
    fn wide(self) -> f64;
    /// elu in place, with the widest kernel the CPU has.
    fn elu_in_place(values: &mut [Self]);
    /// out (rows × n) += x (rows × k) · w (k × n) for few rows, all row-major and contiguous.
    fn rows_axpy(k: usize, n: usize, x: &[Self], w: &[Self], out: &mut [Self]);
    /// out[i] = log1p(e^−|d[i]|): libm's in f64 (so the f64 bits are the ones they always
    /// were), a vectorised polynomial in f32.
    fn softplus_tails(d: &[Self], out: &mut [Self]);
}

impl Real for f64 {
    #[inline]
    fn narrow(x: f64) -> Self {
        x
    }
    #[inline]
    fn wide(self) -> f64 {
        self
    }
    fn elu_in_place(values: &mut [Self]) {
        activation::elu_f64(values);
    }
    fn rows_axpy(k: usize, n: usize, x: &[Self], w: &[Self], out: &mut [Self]) {
        kernels::rows_axpy_f64(k, n, x, w, out);
    }
    fn softplus_tails(d: &[Self], out: &mut [Self]) {
        activation::softplus_tails_f64(d, out);
    }
}

impl Real for f32 {
    #[inline]
    fn narrow(x: f64) -> Self {
        x as f32
    }
    #[inline]
    fn wide(self) -> f64 {
        f64::from(self)
    }
    fn elu_in_place(values: &mut [Self]) {
        activation::elu_f32(values);
    }
    fn rows_axpy(k: usize, n: usize, x: &[Self], w: &[Self], out: &mut [Self]) {
        kernels::rows_axpy_f32(k, n, x, w, out);
    }
    fn softplus_tails(d: &[Self], out: &mut [Self]) {
        activation::softplus_tails_f32(d, out);
    }
}
