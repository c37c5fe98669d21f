//! Hand-written back-propagation of Σ_m w_m·log p(e_m) through the 2D recurrence.

use ndarray::linalg::general_mat_mul;
use ndarray::{s, ArrayView1, ArrayView2, Axis, Zip};

use super::kernels::gemm_acc;
use super::prepared::ensure;
use super::{Rnn2d, Rnn2dWorkspace, B, C, U_LEFT, U_UP, W};
use crate::nn::Params;

impl Rnn2d {
    /// grad ← grad + Σ_m weights[m]·∇ log p(bits[m]).
    pub(super) fn backward(
        &self,
        bits: ArrayView2<u8>,
        weights: ArrayView1<f64>,
        grad: &mut Params,
        ws: &mut Rnn2dWorkspace,
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
        ws.grad_hidden.fill(0.0);
        // Pre-activation gradients and inputs of every site, so the recurrent weight gradient
        // is one tall product at the end instead of N few-row ones.
        ensure(&mut ws.grad_pre, (n * a, h));
        ensure(&mut ws.site_inputs, (n * a, 2 * h));
        ensure(&mut ws.grad_inputs, (a, 2 * h));
        ensure(&mut ws.fused_t, (h, 2 * h));
        ws.fused_t.assign(&ws.fused.t());
        let act = self.config.activation;

        for site in (0..n).rev() {
            let hs = ws.hidden.index_axis(Axis(0), site);
            // Output layer: d = h·wdiff + cdiff, ∂ log p(e)/∂d = e − σ(d).
            {
                let mut gh = ws.grad_hidden.index_axis_mut(Axis(0), site);
                for m in 0..a {
                    let d = hs.row(m).dot(&ws.wdiff) + ws.cdiff;
                    let p1 = 1.0 / (1.0 + (-d).exp());
                    let g = weights[m] * (f64::from(ws.bits[[m, site]] & 1) - p1);
                    if g == 0.0 {
                        continue;
                    }
                    let mut gw = grad.matrix_mut(W);
                    for k in 0..h {
                        gw[[k, 1]] += g * hs[[m, k]];
                        gw[[k, 0]] -= g * hs[[m, k]];
                    }
                    let gc = grad.slice_mut(C);
                    gc[1] += g;
                    gc[0] -= g;
                    gh.row_mut(m).scaled_add(g, &ws.wdiff);
                }
            }
            let rows = site * a..(site + 1) * a;
            // Through the nonlinearity.
            Zip::from(ws.grad_pre.slice_mut(s![rows.clone(), ..]))
                .and(&ws.grad_hidden.index_axis(Axis(0), site))
                .and(&hs)
                .for_each(|gp, &gh, &hv| *gp = gh * act.derivative_from_output(hv));
            {
                let gb = grad.slice_mut(B);
                for row in ws.grad_pre.slice(s![rows.clone(), ..]).rows() {
                    for (b, &g) in gb.iter_mut().zip(row) {
                        *b += g;
                    }
                }
            }
            if site == 0 {
                // No inputs: its rows of the input matrix stay zero.
                ws.site_inputs.slice_mut(s![rows, ..]).fill(0.0);
                continue;
            }
            let grad_pre = ws.grad_pre.slice(s![rows.clone(), ..]);
            // Inputs of this site, as the forward pass built them.
            for m in 0..a {
                let mut x = ws.site_inputs.row_mut(site * a + m);
                x.slice_mut(s![..h])
                    .assign(&ws.hidden.slice(s![site - 1, m, ..]));
                if site >= l {
                    x.slice_mut(s![h..])
                        .assign(&ws.hidden.slice(s![site - l, m, ..]));
                } else {
                    x.slice_mut(s![h..]).fill(0.0);
                }
            }
            // One-hot inputs select a row of U_left / U_up.
            for m in 0..a {
                let e = usize::from(ws.bits[[m, site - 1]] & 1);
                grad.matrix_mut(U_LEFT)
                    .row_mut(e)
                    .scaled_add(1.0, &grad_pre.row(m));
                if site >= l {
                    let e = usize::from(ws.bits[[m, site - l]] & 1);
                    grad.matrix_mut(U_UP)
                        .row_mut(e)
                        .scaled_add(1.0, &grad_pre.row(m));
                }
            }
            ws.grad_inputs.fill(0.0);
            gemm_acc(grad_pre, ws.fused_t.view(), ws.grad_inputs.view_mut());
            let mut gh_left = ws.grad_hidden.index_axis_mut(Axis(0), site - 1);
            gh_left += &ws.grad_inputs.slice(s![.., ..h]);
            if site >= l {
                let mut gh_up = ws.grad_hidden.index_axis_mut(Axis(0), site - l);
                gh_up += &ws.grad_inputs.slice(s![.., h..]);
            }
        }
        ensure(&mut ws.grad_fused, (2 * h, h));
        general_mat_mul(
            1.0,
            &ws.site_inputs.t(),
            &ws.grad_pre,
            0.0,
            &mut ws.grad_fused,
        );
        let gf = &ws.grad_fused;
        grad.matrix_mut(U_LEFT)
            .slice_mut(s![2.., ..])
            .scaled_add(1.0, &gf.slice(s![..h, ..]));
        grad.matrix_mut(U_UP)
            .slice_mut(s![2.., ..])
            .scaled_add(1.0, &gf.slice(s![h.., ..]));
    }
}
