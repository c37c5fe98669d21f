//! Sampling and teacher-forced log p: one pass over the sites with the batch in lockstep.

use ndarray::linalg::general_mat_mul;
use ndarray::{s, ArrayView2, ArrayViewMut1, ArrayViewMut2, Axis};

use super::prepared::{bias_index, ensure, softplus};
use super::{Rnn2d, Rnn2dWorkspace};

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
    pub(super) fn forward(
        &self,
        mode: Mode<'_>,
        mut bits: ArrayViewMut2<u8>,
        mut log_p: ArrayViewMut1<f64>,
        ws: &mut Rnn2dWorkspace,
    ) {
        let (l, n, h) = (self.size, self.size * self.size, self.hidden());
        let rows = bits.nrows();
        self.prepare(ws);
        ensure(&mut ws.hidden, (n, rows, h));
        ensure(&mut ws.inputs, (rows, 2 * h));
        log_p.fill(0.0);
        let act = self.config.activation;
        for site in 0..n {
            let (done, mut rest) = ws.hidden.view_mut().split_at(Axis(0), site);
            let mut out = rest.index_axis_mut(Axis(0), 0);
            for m in 0..rows {
                let left = (site >= 1).then(|| bits[[m, site - 1]]);
                let up = (site >= l).then(|| bits[[m, site - l]]);
                out.row_mut(m).assign(&ws.bias.row(bias_index(left, up)));
                let mut x = ws.inputs.row_mut(m);
                match left {
                    Some(_) => x
                        .slice_mut(s![..h])
                        .assign(&done.slice(s![site - 1, m, ..])),
                    None => x.slice_mut(s![..h]).fill(0.0),
                }
                match up {
                    Some(_) => x
                        .slice_mut(s![h..])
                        .assign(&done.slice(s![site - l, m, ..])),
                    None => x.slice_mut(s![h..]).fill(0.0),
                }
            }
            if site > 0 {
                general_mat_mul(1.0, &ws.inputs, &ws.fused, 1.0, &mut out);
            }
            out.mapv_inplace(|mut x| {
                act.apply(&mut x);
                x
            });
            for m in 0..rows {
                let d = out.row(m).dot(&ws.wdiff) + ws.cdiff;
                let (lp1, lp0) = (-softplus(-d), -softplus(d));
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
