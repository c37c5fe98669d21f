//! The updates of a sampled step: K optimiser updates on shuffled mini-batches (or the
//! natural gradient's), each gradient summed over the fixed parts in order.

use ndarray::{s, Array1, Array2, ArrayView2};
use rand::seq::SliceRandom;
use rayon::prelude::*;

use super::partition::part_range;
use super::{AnnealError, Annealer};
use crate::nn::Autoregressive;

impl Annealer {
    /// K Adam updates on shuffled mini-batches; returns the last gradient's norm.
    pub(super) fn train_on(
        &mut self,
        bits: ArrayView2<u8>,
        local: ndarray::ArrayView1<f64>,
        step: usize,
    ) -> Result<f64, AnnealError> {
        if self.config.optimizer.kind == crate::nn::OptimizerKind::Sr {
            return self.natural_updates(bits, local, step);
        }
        let k = self.config.minibatches;
        let size = self.config.samples / k;
        let mut order: Vec<usize> = (0..self.config.samples).collect();
        order.shuffle(&mut self.rng);
        let mut batch = Array2::zeros((size, bits.ncols()));
        let mut batch_local = Array1::zeros(size);
        let mut weights = Array1::zeros(size);
        let mut norm = 0.0;
        for chunk in order.chunks(size) {
            for (r, &i) in chunk.iter().enumerate() {
                batch.row_mut(r).assign(&bits.row(i));
                batch_local[r] = local[i];
            }
            self.config
                .estimator
                .weights(batch_local.view(), weights.view_mut());
            // The mini-batch in its fixed parts, one gradient buffer each, summed in part order.
            let net = &self.net;
            self.grads
                .par_iter_mut()
                .zip(self.workspaces.par_iter_mut())
                .enumerate()
                .for_each(|(p, (grad, ws))| {
                    grad.fill_zero();
                    let range = part_range(p, size);
                    if !range.is_empty() {
                        net.accumulate_grad(
                            batch.slice(s![range.clone(), ..]),
                            weights.slice(s![range]),
                            grad,
                            ws,
                        );
                    }
                });
            let (first, rest) = self.grads.split_at_mut(1);
            for g in rest.iter() {
                first[0].axpy(1.0, g);
            }
            norm = self.apply_update(step)?;
        }
        Ok(norm)
    }

    /// Take one optimiser step with the gradient summed into `grads[0]`; returns its norm.
    pub(super) fn apply_update(&mut self, step: usize) -> Result<f64, AnnealError> {
        let grad = &self.grads[0];
        if !grad.is_finite() {
            return Err(AnnealError::NonFinite {
                step,
                quantity: "the gradient",
                hint: "a local objective is huge (a rare sample with a tiny p): lower anneal.learning_rate or use more anneal.samples",
            });
        }
        let norm = grad.norm();
        self.optimiser.update(self.net.params_mut(), grad);
        if !self.net.params().is_finite() {
            return Err(AnnealError::NonFinite {
                step,
                quantity: "the network parameters",
                hint: "the optimiser's step overflowed: lower anneal.learning_rate",
            });
        }
        Ok(norm)
    }
}
