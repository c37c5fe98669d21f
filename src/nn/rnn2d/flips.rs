//! log p of every single-flip neighbour of a batch, reusing the conditionals before the flip.
//!
//! Flipping bit i leaves h_s unchanged for s ≤ i, so the A·N flipped configurations are
//! evaluated together with the A originals as A·(N+1) rows in blocks: block 0 holds the
//! originals, block i+1 the flips at site i. At site s only blocks 0..=s differ from the
//! originals, a contiguous prefix of rows, so the total work is about half of N + 1 separate
//! passes. Only the last L + 1 sites' hidden states are kept (a ring), since a site reads only
//! s − 1 and s − L; the rows that read their own block's states form a prefix of a ring slot
//! and multiply in place, and the rest share one product of the originals' rows.

use ndarray::{s, ArrayView2, ArrayViewMut1, ArrayViewMut2};

use super::activation::activate;
use super::kernels::gemm_acc;
use super::prepared::{bias_index, ensure, log_pair, logits_and_tails, Buffers};
use super::real::Real;
use super::Rnn2d;

impl Rnn2d {
    pub(super) fn single_flips<T: Real>(
        &self,
        bits: ArrayView2<u8>,
        mut log_p: ArrayViewMut1<f64>,
        mut flipped: ArrayViewMut2<f64>,
        ws: &mut Buffers<T>,
    ) {
        let (l, n, h) = (self.size, self.size * self.size, self.hidden());
        let a = bits.nrows();
        let total_rows = a * (n + 1);
        self.prepare(ws);
        // Grown, never shrunk: a landscape's points have different numbers of distinct
        // samples, and a fresh ring is megabytes of zeroed pages. Every row is written at its
        // site before it is read, so old contents do no harm.
        let (slots, capacity, width) = ws.ring.dim();
        if (slots, width) != (l + 1, h) || capacity < total_rows {
            ws.ring = ndarray::Array3::zeros((l + 1, total_rows, h));
        }
        ensure(&mut ws.row_log_p, total_rows);
        ws.row_log_p.fill(0.0);
        let act = self.config.activation;
        for site in 0..n {
            let rows = a * (site + 1);
            let slot = site % (l + 1);
            // Slots of sites s − 1 and s − L: (s − 1) mod (L + 1) and (s − L) mod (L + 1).
            let left_slot = (site + l) % (l + 1);
            let up_slot = (site + 1) % (l + 1);
            // Split the ring so the output slot is mutable while the two input slots are read.
            let (mut out, ring_left, ring_up) = ws.ring.multi_slice_mut((
                s![slot, .., ..],
                s![left_slot, .., ..],
                s![up_slot, .., ..],
            ));
            {
                // Plain slices: this loop touches every row of every site.
                let out = out.as_slice_mut().expect("ring slots are contiguous");
                let bias = ws.bias.as_slice().expect("bias table is contiguous");
                for block in 0..=site {
                    let flip = block.checked_sub(1);
                    for m in 0..a {
                        let r = block * a + m;
                        let flipped_bit = |s: usize| bits[[m, s]] ^ u8::from(flip == Some(s));
                        let left = (site >= 1).then(|| flipped_bit(site - 1));
                        let up = (site >= l).then(|| flipped_bit(site - l));
                        let b = bias_index(left, up) * h;
                        out[r * h..(r + 1) * h].copy_from_slice(&bias[b..b + h]);
                    }
                }
            }
            // Block b > 0 (the flip at i = b − 1) reads its own hidden states after the flip
            // and the originals' (block 0) at or before it. Own rows form a prefix of the
            // ring slot, so they multiply in place; the rest reuse the originals' product.
            ensure(&mut ws.original_product, (a, h));
            let (u_left, u_up) = (ws.fused.slice(s![..h, ..]), ws.fused.slice(s![h.., ..]));
            let neighbours = [
                (site >= 1, &ring_left, u_left, site),
                (site >= l, &ring_up, u_up, (site + 1).saturating_sub(l)),
            ];
            for (present, ring_rows, weights, own_blocks) in neighbours {
                if !present {
                    continue;
                }
                // Blocks 0..own_blocks read their own rows; the others read block 0's.
                // Few rows (a handful of distinct samples, late in an anneal) go to the
                // register kernel: matrixmultiply would pack the weights at every call.
                let original = &mut ws.original_product;
                original.fill(T::zero());
                gemm_acc(ring_rows.slice(s![..a, ..]), weights, original.view_mut());
                if own_blocks > 1 {
                    let own = a..own_blocks * a;
                    gemm_acc(
                        ring_rows.slice(s![own.clone(), ..]),
                        weights,
                        out.slice_mut(s![own, ..]),
                    );
                }
                for block in std::iter::once(0).chain(own_blocks.max(1)..=site) {
                    let mut rows = out.slice_mut(s![block * a..(block + 1) * a, ..]);
                    rows += &*original;
                }
            }
            let mut active = out.slice_mut(s![..rows, ..]);
            activate(
                act,
                active.as_slice_mut().expect("ring rows are contiguous"),
            );
            logits_and_tails(
                active.view(),
                &ws.wdiff,
                ws.cdiff,
                &mut ws.logits,
                &mut ws.tails,
            );
            for r in 0..rows {
                let m = r % a;
                let (lp1, lp0) = log_pair(ws.logits[r], ws.tails[r]);
                let (lp_e, lp_other) = if bits[[m, site]] & 1 == 1 {
                    (lp1, lp0)
                } else {
                    (lp0, lp1)
                };
                if r < a {
                    // The flip at this very site: originals' prefix plus the other class.
                    ws.row_log_p[(site + 1) * a + m] = ws.row_log_p[m] + lp_other;
                }
                ws.row_log_p[r] += lp_e;
            }
        }
        log_p.assign(&ws.row_log_p.slice(s![..a]));
        for i in 0..n {
            flipped
                .column_mut(i)
                .assign(&ws.row_log_p.slice(s![(i + 1) * a..(i + 2) * a]));
        }
    }
}
