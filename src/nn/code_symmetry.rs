//! The code-symmetrised distribution (SPEC §8.2): p_sym(e) = 2^{−k} Σ_{c∈C} p(e ⊕ c) over the
//! ground-state code C, built from a network's plain passes over each configuration's orbit
//! {e ⊕ c}. Every identity here is exact:
//!
//! - log p_sym(e) = logsumexp_c log p(e ⊕ c) − k ln 2;
//! - the single-flip neighbours' orbits are the flipped orbit: (e ⊕ c)^i = e^i ⊕ c, so one
//!   single-flip pass over the orbit gives log p_sym of every e^i;
//! - ∇ log p_sym(e) = Σ_c π_c ∇ log p(e ⊕ c) with π_c = p(e ⊕ c) / Σ_c′ p(e ⊕ c′);
//! - sampling: e ~ p, then e ⊕ c with c uniform in C, is exact, because p_sym is the law of
//!   e ⊕ c.
//!
//! A network whose configuration asks for the symmetry applies these in its `Autoregressive`
//! implementation, so every objective, estimator, optimiser, landscape, curvature and distance
//! takes it unchanged.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, Axis};

use crate::physics::{GroundStates, Lattice};

/// Most codewords a symmetrised network averages over (k ≤ 6: L = 7's 64 ground states). Each
/// log p costs 2^k teacher-forced passes, a quantum local energy 2^k single-flip passes.
pub const MAX_CODE_WORDS_LOG2: usize = 6;

/// The ground-state code C of an L × L lattice: its 2^k words as rows of bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeWords {
    k: usize,
    words: Array2<u8>,
}

impl CodeWords {
    /// The code of the L × L lattice, computed once per size and shared; `None` when k exceeds
    /// [`MAX_CODE_WORDS_LOG2`] or L is not a lattice size.
    pub fn of_lattice(size: usize) -> Option<Arc<CodeWords>> {
        static CACHE: OnceLock<Mutex<HashMap<usize, Option<Arc<CodeWords>>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(size)
            .or_insert_with(|| {
                let ground = GroundStates::new(Lattice::new(size).ok()?);
                let k = ground.degeneracy_log2();
                if k > MAX_CODE_WORDS_LOG2 {
                    return None;
                }
                let n = size * size;
                let mut words = Array2::zeros((1 << k, n));
                for (j, word) in ground.enumerate().ok()?.enumerate() {
                    words.row_mut(j).assign(&word);
                }
                Some(Arc::new(CodeWords { k, words }))
            })
            .clone()
    }

    /// k = log₂ of the number of words.
    pub fn log2(&self) -> usize {
        self.k
    }

    /// Number of words 2^k.
    pub fn len(&self) -> usize {
        self.words.nrows()
    }

    /// Whether there are no words (never: the zero word is always in the code).
    pub fn is_empty(&self) -> bool {
        self.words.nrows() == 0
    }

    /// The words, one per row.
    pub fn words(&self) -> ArrayView2<'_, u8> {
        self.words.view()
    }

    /// Every row's orbit: row m·K + j is `bits[m] ⊕ word j`.
    pub fn orbits(&self, bits: ArrayView2<u8>) -> Array2<u8> {
        let k = self.len();
        let mut out = Array2::zeros((bits.nrows() * k, bits.ncols()));
        for (m, row) in bits.rows().into_iter().enumerate() {
            for (j, word) in self.words.rows().into_iter().enumerate() {
                let mut target = out.row_mut(m * k + j);
                ndarray::Zip::from(&mut target)
                    .and(&row)
                    .and(&word)
                    .for_each(|t, &b, &w| *t = b ^ w);
            }
        }
        out
    }

    /// log p_sym of each configuration from the plain log p of its orbit (`orbit_log_p`, K
    /// consecutive entries per configuration): logsumexp − k ln 2.
    pub fn symmetrise(&self, orbit_log_p: ArrayView1<f64>, mut out: ArrayViewMut1<f64>) {
        let shift = self.k as f64 * std::f64::consts::LN_2;
        for (o, group) in out.iter_mut().zip(orbit_log_p.exact_chunks(self.len())) {
            *o = log_sum_exp(group) - shift;
        }
    }

    /// π of each orbit row: p(e ⊕ c) normalised over the orbit of e.
    pub fn orbit_weights(&self, orbit_log_p: ArrayView1<f64>) -> Array1<f64> {
        let mut pi = Array1::zeros(orbit_log_p.len());
        for (mut w, group) in pi
            .exact_chunks_mut(self.len())
            .into_iter()
            .zip(orbit_log_p.exact_chunks(self.len()))
        {
            let top = log_sum_exp(group);
            ndarray::Zip::from(&mut w)
                .and(&group)
                .for_each(|w, &l| *w = (l - top).exp());
        }
        pi
    }

    /// Rows of `per_orbit_row` (K per configuration) averaged with the orbit weights π.
    pub fn weighted_rows(
        &self,
        pi: ArrayView1<f64>,
        per_orbit_row: ArrayView2<f64>,
    ) -> Array2<f64> {
        let k = self.len();
        let mut out = Array2::zeros((per_orbit_row.nrows() / k, per_orbit_row.ncols()));
        for (m, mut row) in out.axis_iter_mut(Axis(0)).enumerate() {
            for j in 0..k {
                row.scaled_add(pi[m * k + j], &per_orbit_row.row(m * k + j));
            }
        }
        out
    }
}

/// ln Σ exp(x), stable; −∞ for an all −∞ group.
fn log_sum_exp(x: ArrayView1<f64>) -> f64 {
    let top = x.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    if top == f64::NEG_INFINITY {
        return top;
    }
    top + x.iter().map(|v| (v - top).exp()).sum::<f64>().ln()
}
