//! Sampling and teacher-forced log p: one pass over the sites with the batch in lockstep.

use ndarray::{ArrayView2, ArrayViewMut1, ArrayViewMut2};

use super::activation::activate;
use super::kernels::gemm_acc;
use super::prepared::{ensure, log_pair, logits_and_tails, start_row, Buffers};
use super::real::Real;
use super::Rnn2d;

/// What a forward pass does at each site.
pub(super) enum Mode<'a> {
    /// Draw e_s from the conditional with these uniforms (one row per configuration).
    Sample(ArrayView2<'a, f64>),
    /// Read e_s from the bits given.
    Evaluate,
}

impl Rnn2d {
    /// Run the recurrence over all sites, storing every hidden state in `ws.hidden`.
    ///
    /// In `Sample` mode the bits are written to `bits`; in `Evaluate` mode they are read from
    /// it. `log_p` receives log p of each row.
    pub(super) fn forward<T: Real>(
        &self,
        mode: Mode<'_>,
        mut bits: ArrayViewMut2<u8>,
        mut log_p: ArrayViewMut1<f64>,
        ws: &mut Buffers<T>,
    ) {
        let (l, n, h) = (self.size, self.size * self.size, self.hidden());
        let rows = bits.nrows();
        self.prepare(ws);
        ensure(&mut ws.hidden, (n, rows, h));
        ensure(&mut ws.inputs, (rows, 2 * h));
        log_p.fill(0.0);
        let act = self.config.activation;
        for site in 0..n {
            let block = rows * h;
            let hidden = ws
                .hidden
                .as_slice_mut()
                .expect("hidden states are contiguous");
            let (done, rest) = hidden.split_at_mut(site * block);
            let out_rows = &mut rest[..block];
            {
                let inputs = ws.inputs.as_slice_mut().expect("inputs are contiguous");
                let bias = ws.bias.as_slice().expect("bias table is contiguous");
                for m in 0..rows {
                    let left =
                        (site >= 1).then(|| (bits[[m, site - 1]], (site - 1) * block + m * h));
                    let up = (site >= l).then(|| (bits[[m, site - l]], (site - l) * block + m * h));
                    start_row(
                        bias,
                        done,
                        left,
                        up,
                        &mut out_rows[m * h..(m + 1) * h],
                        &mut inputs[m * 2 * h..(m + 1) * 2 * h],
                    );
                }
            }
            let mut out = ArrayViewMut2::from_shape((rows, h), out_rows).expect("row block");
            if site > 0 {
                gemm_acc(ws.inputs.view(), ws.fused.view(), out.view_mut());
            }
            activate(act, out.as_slice_mut().expect("hidden rows are contiguous"));
            logits_and_tails(
                out.view(),
                &ws.wdiff,
                ws.cdiff,
                &mut ws.logits,
                &mut ws.tails,
            );
            for m in 0..rows {
                let (lp1, lp0) = log_pair(ws.logits[m], ws.tails[m]);
                let e = match &mode {
                    Mode::Sample(u) => {
                        let e = u8::from(u[[m, site]] < lp1.exp());
                        bits[[m, site]] = e;
                        e
                    }
                    Mode::Evaluate => bits[[m, site]] & 1,
                };
                log_p[m] += if e == 1 { lp1 } else { lp0 };
            }
        }
    }
}
