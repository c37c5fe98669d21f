//! The natural-gradient updates of a step (`optimizer.kind = "sr"`, SPEC §8.1): the samples'
//! log-derivatives D from one backward pass per part, then minSR or SPRING in sample space.

use ndarray::{s, Array2, ArrayView1, ArrayView2, Axis};
use rand::seq::SliceRandom;
use rayon::prelude::*;

use super::partition::part_rows;
use super::{AnnealError, AnnealKind, Annealer};
use crate::nn::{centred, sample_space_step, Autoregressive};

impl Annealer {
    /// `optimizer.minibatches` natural-gradient updates on shuffled groups of the samples
    /// (one from all M by default); returns the last force D̄ᵀε's norm.
    pub(super) fn natural_updates(
        &mut self,
        bits: ArrayView2<u8>,
        local: ArrayView1<f64>,
        step: usize,
    ) -> Result<f64, AnnealError> {
        let settings = self.config.optimizer;
        let m = bits.nrows();
        let mut order: Vec<usize> = (0..m).collect();
        if settings.minibatches > 1 {
            order.shuffle(&mut self.rng);
        }
        let size = m / settings.minibatches;
        // ψ = √p: the quantum step is twice the Fisher one (SPEC §8.1).
        let c = match self.config.kind {
            AnnealKind::Quantum => 2.0,
            AnnealKind::Thermal => 1.0,
        };
        let mut norm = 0.0;
        for group in order.chunks(size) {
            let rows = bits.select(Axis(0), group);
            let values = local.select(Axis(0), group);
            let d = self.log_derivatives_parts(rows.view());
            let (dbar, eps) = centred(d.view(), values.view());
            norm = self.apply_natural(dbar.view(), eps.view(), c, step)?;
        }
        Ok(norm)
    }

    /// `optimizer.minibatches` natural-gradient updates with exact sums over all 2^N
    /// configurations (N ≤ 12): rows √p_s(D_s − Σp D) and √p_s(O_s − Ō), with p and O from the
    /// step's start and D at the current weights; returns the last force's norm.
    pub(super) fn exact_natural_updates(
        &mut self,
        all: ArrayView2<u8>,
        p: ArrayView1<f64>,
        local: ArrayView1<f64>,
        step: usize,
    ) -> Result<f64, AnnealError> {
        let c = match self.config.kind {
            AnnealKind::Quantum => 2.0,
            AnnealKind::Thermal => 1.0,
        };
        let root = p.mapv(f64::sqrt);
        let mean_o = p.dot(&local);
        let eps: ndarray::Array1<f64> = root
            .iter()
            .zip(local)
            .map(|(r, o)| r * (o - mean_o))
            .collect();
        let mut norm = 0.0;
        for _ in 0..self.config.optimizer.minibatches {
            let d = self.log_derivatives_parts(all);
            let mean_d = p.dot(&d);
            let dbar = (&d - &mean_d) * root.view().insert_axis(Axis(1));
            norm = self.apply_natural(dbar.view(), eps.view(), c, step)?;
        }
        Ok(norm)
    }

    /// D of `bits` (rows × P) in the fixed parts.
    fn log_derivatives_parts(&mut self, bits: ArrayView2<u8>) -> Array2<f64> {
        let mut d = Array2::zeros((bits.nrows(), self.net.params().len()));
        let per = part_rows(bits.nrows());
        let net = &self.net;
        let chunks: Vec<_> = d.axis_chunks_iter_mut(Axis(0), per).collect();
        chunks
            .into_par_iter()
            .zip(self.workspaces.par_iter_mut())
            .enumerate()
            .for_each(|(part, (out, ws))| {
                let start = part * per;
                let end = start + out.nrows();
                net.log_derivatives(bits.slice(s![start..end, ..]), out, ws);
            });
        d
    }

    /// One natural-gradient update from the centred rows; returns the force D̄ᵀε's norm.
    fn apply_natural(
        &mut self,
        dbar: ArrayView2<f64>,
        eps: ArrayView1<f64>,
        c: f64,
        step: usize,
    ) -> Result<f64, AnnealError> {
        let settings = self.config.optimizer;
        let force = dbar.t().dot(&eps);
        let norm = force.dot(&force).sqrt();
        {
            let previous = self.optimiser.previous_step().map(|p| p.to_flat());
            let phi = sample_space_step(
                dbar.view(),
                eps.view(),
                settings.diag_shift,
                settings.momentum,
                previous.as_ref().map(|p| p.view()),
            )
            .map_err(|e| AnnealError::NonFinite {
                step,
                quantity: "the natural-gradient step",
                hint: match e {
                    crate::nn::NaturalError::NotPositiveDefinite { .. } => {
                        "D̄D̄ᵀ + λI is not positive definite: raise optimizer.diag_shift"
                    }
                    crate::nn::NaturalError::NonFinite => {
                        "lower optimizer.learning_rate or raise optimizer.diag_shift"
                    }
                },
            })?;
            let phi = self
                .net
                .params()
                .with_flat(phi)
                .expect("φ has one entry per parameter");
            self.optimiser
                .natural_update(self.net.params_mut(), &phi, c);
            if !self.net.params().is_finite() {
                return Err(AnnealError::NonFinite {
                    step,
                    quantity: "the network parameters",
                    hint: "the natural-gradient step overflowed: lower optimizer.learning_rate or raise optimizer.diag_shift",
                });
            }
        }
        Ok(norm)
    }
}
