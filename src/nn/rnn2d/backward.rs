//! Hand-written back-propagation of Σ_m w_m·log p(e_m) through the 2D recurrence.

use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis};

use super::kernels::gemm_acc;
use super::prepared::{ensure, Buffers};
use super::real::Real;
use super::{Rnn2d, B, C, U_LEFT, U_UP, W};
use crate::nn::Params;

/// Where back-propagation puts what it finds.
pub(super) enum Sink<'a> {
    /// grad ← grad + Σ_m w_m ∇ log p(e_m).
    Sum(&'a mut Params),
    /// Row m ← w_m ∇ log p(e_m), flat in parameter order (per-sample log-derivatives).
    PerRow(ArrayViewMut2<'a, f64>),
}

impl Rnn2d {
    /// Back-propagate Σ_m weights[m]·log p(bits[m]) into `sink`, computed in `T` and added to
    /// the f64 result once at the end. Rows never mix, so the per-row results are the same
    /// chain with one accumulator per row.
    pub(super) fn backward<T: Real>(
        &self,
        bits: ArrayView2<u8>,
        weights: ArrayView1<f64>,
        mut sink: Sink<'_>,
        ws: &mut Buffers<T>,
    ) {
        let (l, n, h) = (self.size, self.size * self.size, self.hidden());
        let a = bits.nrows();
        // Teacher-forced pass: fills ws.hidden for every site.
        let mut own_bits = std::mem::take(&mut ws.bits);
        ensure(&mut own_bits, (a, n));
        own_bits.assign(&bits);
        let mut log_p = std::mem::take(&mut ws.row_log_p);
        ensure(&mut log_p, a);
        self.forward(
            super::forward::Mode::Evaluate,
            own_bits.view_mut(),
            log_p.view_mut(),
            ws,
        );
        ws.row_log_p = log_p;
        ws.bits = own_bits;

        ensure(&mut ws.grad_hidden, (n, a, h));
        ws.grad_hidden.fill(T::zero());
        // Pre-activation gradients and inputs of every site, so the recurrent weight gradient
        // is one tall product at the end instead of N few-row ones.
        ensure(&mut ws.grad_pre, (n * a, h));
        ensure(&mut ws.site_inputs, (n * a, 2 * h));
        ensure(&mut ws.grad_inputs, (a, 2 * h));
        ensure(&mut ws.fused_t, (h, 2 * h));
        ws.fused_t.assign(&ws.fused.t());
        let act = self.config.activation;

        // Per-call accumulators, applied to `grad` once at the end (per-row updates through
        // tensor views were a tenth of a step).
        let zero = T::zero();
        // One set of accumulators, or one per row.
        let sets = match sink {
            Sink::Sum(_) => 1,
            Sink::PerRow(_) => a,
        };
        let mut output_sum = vec![zero; sets * h]; // Σ g·h: W[:, 1] gains it, W[:, 0] loses it
        let mut output_bias = vec![zero; sets];
        // Rows e = 0, 1 of U_left (first h) and U_up (last h).
        let mut one_hot = vec![zero; sets * 2 * 2 * h];
        let mut bias_sum = vec![zero; sets * h];
        let wdiff = ws.wdiff.as_slice().expect("contiguous").to_vec();
        for site in (0..n).rev() {
            let block = a * h;
            let rows = site * a..(site + 1) * a;
            {
                let hidden = ws.hidden.as_slice().expect("contiguous");
                let hs = &hidden[site * block..(site + 1) * block];
                let grad_hidden = ws.grad_hidden.as_slice_mut().expect("contiguous");
                let gh = &mut grad_hidden[site * block..(site + 1) * block];
                let grad_pre = ws.grad_pre.as_slice_mut().expect("contiguous");
                let gp = &mut grad_pre[site * block..(site + 1) * block];
                for m in 0..a {
                    let set = if sets == 1 { 0 } else { m };
                    let output_sum = &mut output_sum[set * h..(set + 1) * h];
                    let bias_sum = &mut bias_sum[set * h..(set + 1) * h];
                    let one_hot = &mut one_hot[set * 4 * h..(set + 1) * 4 * h];
                    let h_row = &hs[m * h..(m + 1) * h];
                    // Output layer: d = h·wdiff + cdiff, ∂ log p(e)/∂d = e − σ(d).
                    let d: T = h_row.iter().zip(&wdiff).map(|(&x, &y)| x * y).sum::<T>() + ws.cdiff;
                    let p1 = T::one() / (T::one() + (-d).exp());
                    let e = if ws.bits[[m, site]] & 1 == 1 {
                        T::one()
                    } else {
                        zero
                    };
                    let g = T::narrow(weights[m]) * (e - p1);
                    let gh_row = &mut gh[m * h..(m + 1) * h];
                    for k in 0..h {
                        output_sum[k] += g * h_row[k];
                        gh_row[k] += g * wdiff[k];
                    }
                    output_bias[set] += g;
                    // Through the nonlinearity.
                    let gp_row = &mut gp[m * h..(m + 1) * h];
                    for k in 0..h {
                        gp_row[k] = gh_row[k] * act.derivative_from_output(h_row[k]);
                        bias_sum[k] += gp_row[k];
                    }
                    // One-hot inputs select a row of U_left / U_up.
                    if site >= 1 {
                        let e = usize::from(ws.bits[[m, site - 1]] & 1);
                        for k in 0..h {
                            one_hot[e * 2 * h + k] += gp_row[k];
                        }
                    }
                    if site >= l {
                        let e = usize::from(ws.bits[[m, site - l]] & 1);
                        for k in 0..h {
                            one_hot[e * 2 * h + h + k] += gp_row[k];
                        }
                    }
                }
                // Inputs of this site, as the forward pass built them (zero at site 0).
                let inputs = ws.site_inputs.as_slice_mut().expect("contiguous");
                for m in 0..a {
                    let x = &mut inputs[(site * a + m) * 2 * h..(site * a + m + 1) * 2 * h];
                    let (x_left, x_up) = x.split_at_mut(h);
                    match site.checked_sub(1) {
                        Some(t) => x_left.copy_from_slice(&hidden[t * block + m * h..][..h]),
                        None => x_left.fill(zero),
                    }
                    match site.checked_sub(l) {
                        Some(t) => x_up.copy_from_slice(&hidden[t * block + m * h..][..h]),
                        None => x_up.fill(zero),
                    }
                }
            }
            if site == 0 {
                continue;
            }
            let grad_pre = ws.grad_pre.slice(s![rows, ..]);
            ws.grad_inputs.fill(zero);
            gemm_acc(grad_pre, ws.fused_t.view(), ws.grad_inputs.view_mut());
            let mut gh_left = ws.grad_hidden.index_axis_mut(Axis(0), site - 1);
            gh_left += &ws.grad_inputs.slice(s![.., ..h]);
            if site >= l {
                let mut gh_up = ws.grad_hidden.index_axis_mut(Axis(0), site - l);
                gh_up += &ws.grad_inputs.slice(s![.., h..]);
            }
        }
        ensure(&mut ws.grad_fused, (2 * h, h));
        match &mut sink {
            Sink::Sum(grad) => {
                general_mat_mul(
                    T::one(),
                    &ws.site_inputs.t(),
                    &ws.grad_pre,
                    zero,
                    &mut ws.grad_fused,
                );
                let gf = ws.grad_fused.mapv(T::wide);
                add_set(
                    grad,
                    h,
                    (&output_sum, output_bias[0], &one_hot, &bias_sum),
                    &gf,
                );
            }
            Sink::PerRow(out) => {
                let mut inputs = Array2::<T>::zeros((n, 2 * h));
                let mut pre = Array2::<T>::zeros((n, h));
                for m in 0..a {
                    // This row's inputs and pre-activation gradients at every site.
                    for site in 0..n {
                        inputs
                            .row_mut(site)
                            .assign(&ws.site_inputs.row(site * a + m));
                        pre.row_mut(site).assign(&ws.grad_pre.row(site * a + m));
                    }
                    general_mat_mul(T::one(), &inputs.t(), &pre, zero, &mut ws.grad_fused);
                    let gf = ws.grad_fused.mapv(T::wide);
                    let mut grad = self.params.zeros_like();
                    let set = (
                        &output_sum[m * h..(m + 1) * h],
                        output_bias[m],
                        &one_hot[m * 4 * h..(m + 1) * 4 * h],
                        &bias_sum[m * h..(m + 1) * h],
                    );
                    add_set(&mut grad, h, set, &gf);
                    out.row_mut(m).assign(&grad.flat());
                }
            }
        }
    }
}

/// Add one set of accumulators (Σ g·h, Σ g, the one-hot rows, Σ of the pre-activation
/// gradients) and the fused recurrent block's gradient `gf` to `grad`.
fn add_set<T: Real>(
    grad: &mut Params,
    h: usize,
    (output_sum, output_bias, one_hot, bias_sum): (&[T], T, &[T], &[T]),
    gf: &ndarray::Array2<f64>,
) {
    {
        let mut gw = grad.matrix_mut(W);
        for k in 0..h {
            gw[[k, 1]] += output_sum[k].wide();
            gw[[k, 0]] -= output_sum[k].wide();
        }
    }
    let gc = grad.slice_mut(C);
    gc[1] += output_bias.wide();
    gc[0] -= output_bias.wide();
    for (b, s) in grad.slice_mut(B).iter_mut().zip(bias_sum) {
        *b += s.wide();
    }
    for e in 0..2 {
        let mut left = grad.matrix_mut(U_LEFT);
        for k in 0..h {
            left[[e, k]] += one_hot[e * 2 * h + k].wide();
        }
        let mut up = grad.matrix_mut(U_UP);
        for k in 0..h {
            up[[e, k]] += one_hot[e * 2 * h + h + k].wide();
        }
    }
    grad.matrix_mut(U_LEFT)
        .slice_mut(s![2.., ..])
        .scaled_add(1.0, &gf.slice(s![..h, ..]));
    grad.matrix_mut(U_UP)
        .slice_mut(s![2.., ..])
        .scaled_add(1.0, &gf.slice(s![h.., ..]));
}
