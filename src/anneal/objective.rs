//! Local values of the annealing objectives (SPEC §3).
//!
//! Thermal: F_loc = H + T·log p, whose mean is the variational free energy.
//! Quantum (ψ = √p): E_loc(e) = H(e) − B·Σ_i exp(½[log p(e⁽ⁱ⁾) − log p(e)]), plus T_f·log p
//! when the anneal is entropy-regularised (RVQA, SPEC §8.3).

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1};
use rayon::prelude::*;
use std::collections::HashMap;

use super::AnnealKind;
use crate::nn::Autoregressive;

/// The objective at one value of the annealed quantity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Objective {
    /// Free energy at temperature T.
    Thermal {
        /// Temperature.
        temperature: f64,
    },
    /// Energy of H − BΣX, less T_f times the entropy of p when regularised (RVQA).
    Quantum {
        /// Transverse field.
        field: f64,
        /// RVQA's T_f (0: the plain quantum objective ⟨E⟩).
        entropy: f64,
    },
}

impl Objective {
    /// The objective of `kind` at X = `x`, unregularised.
    pub fn new(kind: AnnealKind, x: f64) -> Self {
        match kind {
            AnnealKind::Thermal => Self::Thermal { temperature: x },
            AnnealKind::Quantum => Self::quantum(x),
        }
    }

    /// The plain quantum objective ⟨H − BΣX⟩ at field B.
    pub const fn quantum(field: f64) -> Self {
        Self::Quantum {
            field,
            entropy: 0.0,
        }
    }

    /// The temperature multiplying log p in the local value: T (thermal) or T_f (quantum).
    pub fn log_p_weight(&self) -> f64 {
        match *self {
            Self::Thermal { temperature } => temperature,
            Self::Quantum { entropy, .. } => entropy,
        }
    }

    /// O_loc for each sample, given its classical energy H and log p.
    ///
    /// The quantum case evaluates each distinct configuration once (late in training most
    /// samples repeat) and splits them over the workspaces' threads.
    pub fn local_values<N: Autoregressive>(
        &self,
        net: &N,
        bits: ArrayView2<u8>,
        log_p: ArrayView1<f64>,
        energies: ArrayView1<f64>,
        workspaces: &mut [N::Workspace],
        out: ArrayViewMut1<f64>,
    ) {
        match *self {
            Self::Quantum { field, .. } if field != 0.0 => {
                let (unique, index) = distinct_rows(bits);
                self.local_values_of_distinct(
                    net,
                    unique.view(),
                    &index,
                    log_p,
                    energies,
                    workspaces,
                    out,
                );
            }
            // Only the quantum case looks at the configurations themselves.
            _ => self.local_values_of_distinct(
                net,
                bits.slice(ndarray::s![..0, ..]),
                &[],
                log_p,
                energies,
                workspaces,
                out,
            ),
        }
    }

    /// [`Objective::local_values`] for samples already reduced to their distinct rows
    /// (`index[m]` is sample m's row of `unique`), so a caller that needs the distinct rows
    /// anyway does not hash the batch twice.
    #[allow(clippy::too_many_arguments)]
    pub fn local_values_of_distinct<N: Autoregressive>(
        &self,
        net: &N,
        unique: ArrayView2<u8>,
        index: &[usize],
        log_p: ArrayView1<f64>,
        energies: ArrayView1<f64>,
        workspaces: &mut [N::Workspace],
        mut out: ArrayViewMut1<f64>,
    ) {
        match *self {
            Self::Thermal { temperature } => {
                out.assign(&(&energies + &(&log_p * temperature)));
            }
            Self::Quantum {
                field: 0.0,
                entropy,
            } => out.assign(&(&energies + &(&log_p * entropy))),
            Self::Quantum { field, entropy } => {
                let sums = flip_amplitude_sums(net, unique, workspaces);
                for (m, o) in out.iter_mut().enumerate() {
                    *o = energies[m] - field * sums[index[m]] + entropy * log_p[m];
                }
            }
        }
    }
}

/// The distinct rows of `bits` and, for each row, the index of its distinct row.
pub fn distinct_rows(bits: ArrayView2<u8>) -> (Array2<u8>, Vec<usize>) {
    let mut seen: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut order = Vec::new();
    let index = bits
        .rows()
        .into_iter()
        .map(|row| {
            let key = row.to_vec();
            let next = seen.len();
            *seen.entry(key).or_insert_with(|| {
                order.push(row);
                next
            })
        })
        .collect();
    let mut unique = Array2::zeros((order.len(), bits.ncols()));
    for (u, row) in order.into_iter().enumerate() {
        unique.row_mut(u).assign(&row);
    }
    (unique, index)
}

/// Σ_i exp(½[log p(e⁽ⁱ⁾) − log p(e)]) for each row, rows split over the workspaces.
pub fn flip_amplitude_sums<N: Autoregressive>(
    net: &N,
    bits: ArrayView2<u8>,
    workspaces: &mut [N::Workspace],
) -> Array1<f64> {
    let rows = bits.nrows();
    let chunks = workspaces.len().clamp(1, rows.max(1));
    let per = rows.div_ceil(chunks);
    let parts: Vec<Vec<f64>> = workspaces[..chunks]
        .par_iter_mut()
        .enumerate()
        .map(|(c, ws)| {
            let range = (c * per).min(rows)..((c + 1) * per).min(rows);
            if range.is_empty() {
                return Vec::new();
            }
            let part = bits.slice(ndarray::s![range.clone(), ..]);
            let mut lp = Array1::zeros(part.nrows());
            let mut flipped = Array2::zeros((part.nrows(), part.ncols()));
            net.log_prob_single_flips(part, lp.view_mut(), flipped.view_mut(), ws);
            flipped
                .rows()
                .into_iter()
                .zip(lp.iter())
                .map(|(row, &l)| row.iter().map(|&f| (0.5 * (f - l)).exp()).sum())
                .collect()
        })
        .collect();
    parts.into_iter().flatten().collect()
}
