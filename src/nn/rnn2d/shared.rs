//! Sampling that computes each distinct prefix once. Samples that agree on sites 0..s share
//! h_s and the conditional of site s, so the recurrence runs on the distinct prefixes alone:
//! a trained network, whose samples mostly repeat, samples M configurations at the cost of a
//! few. The draws are the same rule (e_s = 1 when u_s < p(e_s = 1 | prefix)); only the number
//! of rows the products see changes, so the bits can differ from the batched pass in the last
//! place.

use ndarray::{ArrayView2, ArrayViewMut1, ArrayViewMut2};

use super::activation::activate;
use super::kernels::gemm_acc;
use super::prepared::{ensure, log_pair, logits_and_tails, start_row, Buffers};
use super::real::Real;
use super::Rnn2d;

impl Rnn2d {
    /// Draw one configuration per row of `uniforms` into `bits` with its log p, running the
    /// recurrence once per distinct prefix.
    pub(super) fn sample_shared<T: Real>(
        &self,
        uniforms: ArrayView2<f64>,
        mut bits: ArrayViewMut2<u8>,
        mut log_p: ArrayViewMut1<f64>,
        ws: &mut Buffers<T>,
    ) {
        let (l, n, h) = (self.size, self.size * self.size, self.hidden());
        let rows = bits.nrows();
        if rows == 0 {
            return;
        }
        self.prepare(ws);
        ensure(&mut ws.hidden, (n, rows, h));
        ensure(&mut ws.inputs, (rows, 2 * h));
        log_p.fill(0.0);
        let act = self.config.activation;
        // group[site·rows + m]: the prefix group of row m at `site` (its sites 0..site); the
        // group's hidden state h_site is row `group` of `ws.hidden[site]`.
        let mut group = vec![0u32; n * rows];
        let mut first_row = vec![0usize];
        // (log p(1), log p(0), p(1)) of each group at the current site.
        let mut pairs: Vec<(f64, f64, f64)> = Vec::with_capacity(rows);
        let mut next_id: Vec<u32> = Vec::with_capacity(2 * rows);
        for site in 0..n {
            if site > 0 {
                // A group of site − 1 splits by the bit drawn there.
                let parents = first_row.len();
                next_id.clear();
                next_id.resize(2 * parents, u32::MAX);
                first_row.clear();
                for m in 0..rows {
                    let key = 2 * group[(site - 1) * rows + m] as usize
                        + usize::from(bits[[m, site - 1]] & 1);
                    if next_id[key] == u32::MAX {
                        next_id[key] = first_row.len() as u32;
                        first_row.push(m);
                    }
                    group[site * rows + m] = next_id[key];
                }
            }
            let groups = first_row.len();
            let block = rows * h;
            let hidden = ws
                .hidden
                .as_slice_mut()
                .expect("hidden states are contiguous");
            let (done, rest) = hidden.split_at_mut(site * block);
            let out_rows = &mut rest[..groups * h];
            {
                let inputs = ws.inputs.as_slice_mut().expect("inputs are contiguous");
                let bias = ws.bias.as_slice().expect("bias table is contiguous");
                // A neighbour's hidden state is its prefix group's row at that site.
                let neighbour = |s: usize, m: usize| {
                    (bits[[m, s]], s * block + group[s * rows + m] as usize * h)
                };
                for (g, &m) in first_row.iter().enumerate() {
                    start_row(
                        bias,
                        done,
                        (site >= 1).then(|| neighbour(site - 1, m)),
                        (site >= l).then(|| neighbour(site - l, m)),
                        &mut out_rows[g * h..(g + 1) * h],
                        &mut inputs[g * 2 * h..(g + 1) * 2 * h],
                    );
                }
            }
            let mut out = ArrayViewMut2::from_shape((groups, h), out_rows).expect("group rows");
            if site > 0 {
                let inputs = ws.inputs.slice(ndarray::s![..groups, ..]);
                gemm_acc(inputs, ws.fused.view(), out.view_mut());
            }
            activate(act, out.as_slice_mut().expect("hidden rows are contiguous"));
            logits_and_tails(
                out.view(),
                &ws.wdiff,
                ws.cdiff,
                &mut ws.logits,
                &mut ws.tails,
            );
            pairs.clear();
            pairs.extend((0..groups).map(|g| {
                let (lp1, lp0) = log_pair(ws.logits[g], ws.tails[g]);
                (lp1, lp0, lp1.exp())
            }));
            for m in 0..rows {
                let (lp1, lp0, p1) = pairs[group[site * rows + m] as usize];
                let e = u8::from(uniforms[[m, site]] < p1);
                bits[[m, site]] = e;
                log_p[m] += if e == 1 { lp1 } else { lp0 };
            }
        }
    }
}
