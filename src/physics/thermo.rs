//! Exact thermodynamics per spin (free energy f, energy e, entropy s) at temperature T.
//!
//! Z = (2 cosh βJ/2)^N · Σ_{u ∈ C} tanh(βJ/2)^{|u|} (SPEC §1), where C is the code of
//! triangle sets whose spin product is identically +1. For k = 0 only u = ∅ contributes
//! (the closed form); for 0 < k ≤ [`MAX_CODEWORD_LOG2`] the weight enumerator of C is
//! computed once and summed at each T; above that the closed form is reported with the
//! rigorous bound 0 ≤ ln Z − N ln(2 cosh βJ/2) ≤ k ln 2. Brute force over 2^N states
//! (N ≤ 25) is an independent path.

use rayon::prelude::*;
use std::fmt;

use super::gf2::BitVec;
use super::ground_states::codeword_basis;
use super::{GroundStates, Lattice, NewmanMoore, PhysicsError};

/// Largest k for which the code-word sum is evaluated exactly (2^k code words).
pub const MAX_CODEWORD_LOG2: usize = 24;
/// Largest N for brute-force enumeration of all 2^N states.
pub const MAX_BRUTE_FORCE_SITES: usize = 25;

/// How a thermodynamic value was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThermoMethod {
    /// Closed form of independent triangles (exact for k = 0).
    ClosedForm,
    /// Exact sum over the 2^k code words.
    CodewordSum,
    /// Closed form for k > 24: f is an upper bound, see [`Thermodynamics::f_lower`].
    ClosedFormBound,
    /// Enumeration of all 2^N states.
    BruteForce,
}

impl fmt::Display for ThermoMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ClosedForm => "closed_form",
            Self::CodewordSum => "codeword_sum",
            Self::ClosedFormBound => "closed_form_bound",
            Self::BruteForce => "brute_force",
        })
    }
}

/// Free energy, energy and entropy per spin at one temperature.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thermodynamics {
    /// Temperature T.
    pub t: f64,
    /// Free energy per spin f = −T ln Z / N.
    pub f: f64,
    /// Energy per spin e = ⟨H⟩ / N.
    pub e: f64,
    /// Entropy per spin s = (e − f)/T (k ln 2 / N at T = 0).
    pub s: f64,
    /// How the values were obtained.
    pub method: ThermoMethod,
    /// For [`ThermoMethod::ClosedFormBound`]: the lower end of the rigorous interval for f
    /// (f itself is the upper end); `None` when f is exact.
    pub f_lower: Option<f64>,
}

/// ln(2 cosh x), stable for large |x|.
fn ln_2cosh(x: f64) -> f64 {
    let a = x.abs();
    a + (-2.0 * a).exp().ln_1p()
}

/// sech²(x) = 1 − tanh²(x), without cancellation at large |x|.
fn sech2(x: f64) -> f64 {
    let q = (-2.0 * x.abs()).exp();
    4.0 * q / ((1.0 + q) * (1.0 + q))
}

fn check_temperature(t: f64) -> Result<(), PhysicsError> {
    if t.is_finite() && t >= 0.0 {
        Ok(())
    } else {
        Err(PhysicsError::Temperature(t))
    }
}

/// Exact thermodynamics of one lattice, with the code-word weights computed once.
#[derive(Debug, Clone)]
pub struct ExactThermo {
    model: NewmanMoore,
    k: usize,
    /// A_w = number of code words of weight w (only for 0 < k ≤ 24).
    weights: Option<Vec<f64>>,
}

impl ExactThermo {
    /// Prepare the exact thermodynamics of `model`'s lattice.
    pub fn new(model: NewmanMoore) -> Self {
        let lattice = *model.lattice();
        let k = GroundStates::new(lattice).degeneracy_log2();
        let weights = (k > 0 && k <= MAX_CODEWORD_LOG2).then(|| weight_enumerator(&lattice));
        Self { model, k, weights }
    }

    /// log₂ of the ground-state degeneracy.
    pub fn degeneracy_log2(&self) -> usize {
        self.k
    }

    /// The code-word weight enumerator A_w, when it was computed.
    pub fn weight_enumerator(&self) -> Option<&[f64]> {
        self.weights.as_deref()
    }

    /// f, e and s per spin at temperature `t` ≥ 0.
    pub fn at(&self, t: f64) -> Result<Thermodynamics, PhysicsError> {
        check_temperature(t)?;
        let j = self.model.coupling();
        let n = self.model.lattice().sites() as f64;
        let method = match (self.k, &self.weights) {
            (0, _) => ThermoMethod::ClosedForm,
            (_, Some(_)) => ThermoMethod::CodewordSum,
            (_, None) => ThermoMethod::ClosedFormBound,
        };
        let bound_gap = (method == ThermoMethod::ClosedFormBound)
            .then(|| t * self.k as f64 * std::f64::consts::LN_2 / n);
        if t == 0.0 {
            let s = self.k as f64 * std::f64::consts::LN_2 / n;
            return Ok(Thermodynamics {
                t,
                f: -j / 2.0,
                e: -j / 2.0,
                s,
                method,
                f_lower: bound_gap.map(|_| -j / 2.0),
            });
        }
        let x = j / (2.0 * t);
        let mut ln_z = n * ln_2cosh(x);
        let mut energy = -n * (j / 2.0) * x.tanh();
        // S = ln Z + βE, written without the difference of two O(N·x) terms (which loses every
        // digit as T → 0): per site ln(1 + q) + x(1 − tanh x), with q = e^{−2x} and
        // 1 − tanh x = 2q/(1 + q).
        let q = (-2.0 * x).exp();
        let mut entropy = n * (q.ln_1p() + x * 2.0 * q / (1.0 + q));
        if let Some(weights) = &self.weights {
            let th = x.tanh();
            let (mut sum, mut dsum) = (0.0, 0.0);
            for (w, &count) in weights.iter().enumerate() {
                if count == 0.0 {
                    continue;
                }
                sum += count * th.powi(w as i32);
                if w > 0 {
                    dsum += count * w as f64 * th.powi(w as i32 - 1);
                }
            }
            ln_z += sum.ln();
            // d/dβ of ln Σ A_w th^w, with dth/dβ = (J/2) sech²(x).
            let d_energy = dsum * (j / 2.0) * sech2(x) / sum;
            energy -= d_energy;
            entropy += sum.ln() - d_energy / t;
        }
        let f = -t * ln_z / n;
        let e = energy / n;
        Ok(Thermodynamics {
            t,
            f,
            e,
            s: entropy / n,
            method,
            f_lower: bound_gap.map(|gap| f - gap),
        })
    }
}

/// A_w for every weight w, by a Gray-code walk over the 2^k code words, split over threads.
fn weight_enumerator(lattice: &Lattice) -> Vec<f64> {
    let basis = codeword_basis(lattice);
    let k = basis.len();
    let n = lattice.sites();
    // Each chunk fixes the top bits of the Gray-code index and walks the low ones.
    let low_bits = k.min(16);
    let chunks = 1u64 << (k - low_bits);
    let counts = (0..chunks)
        .into_par_iter()
        .map(|chunk| {
            let mut counts = vec![0u64; n + 1];
            let mut word = BitVec::zeros(n);
            let start = chunk << low_bits;
            let gray = start ^ (start >> 1);
            for (i, b) in basis.iter().enumerate() {
                if (gray >> i) & 1 == 1 {
                    word.xor_assign(b);
                }
            }
            counts[word.count_ones()] += 1;
            for i in 1..1u64 << low_bits {
                word.xor_assign(&basis[i.trailing_zeros() as usize]);
                counts[word.count_ones()] += 1;
            }
            counts
        })
        .reduce(|| vec![0u64; n + 1], add_counts);
    counts.into_iter().map(|c| c as f64).collect()
}

/// Sum two histograms of equal length (the reduction of the parallel enumerations).
fn add_counts(mut a: Vec<u64>, b: Vec<u64>) -> Vec<u64> {
    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
    a
}

/// Defect count of a state packed into the low N = L² bits of `state` (bit i = site i).
pub(crate) fn packed_defects(state: u64, l: usize) -> u32 {
    let mask = (1u64 << l) - 1;
    let row = |r: usize| (state >> (r * l)) & mask;
    (0..l)
        .map(|r| {
            let x = row(r);
            // Bit c of `right` is bit c+1 of x: the right neighbour of column c.
            let right = (x >> 1) | ((x & 1) << (l - 1));
            (x ^ right ^ row((r + 1) % l)).count_ones()
        })
        .sum()
}

/// Thermodynamics by enumerating all 2^N states into a histogram of defect counts.
#[derive(Debug, Clone)]
pub struct BruteForceThermo {
    model: NewmanMoore,
    /// g(D): number of states with D defects.
    histogram: Vec<u64>,
}

impl BruteForceThermo {
    /// Enumerate all states of `model` (N ≤ 25), over all cores.
    pub fn new(model: NewmanMoore) -> Result<Self, PhysicsError> {
        let lattice = model.lattice();
        let (l, n) = (lattice.size(), lattice.sites());
        if n > MAX_BRUTE_FORCE_SITES {
            return Err(PhysicsError::TooLarge {
                method: "brute-force enumeration",
                l,
                max: 5,
                hint: "use the exact code-word method instead",
            });
        }
        let chunk_bits = n.min(16);
        let histogram = (0..1u64 << (n - chunk_bits))
            .into_par_iter()
            .map(|chunk| {
                let mut h = vec![0u64; n + 1];
                let base = chunk << chunk_bits;
                for low in 0..1u64 << chunk_bits {
                    h[packed_defects(base | low, l) as usize] += 1;
                }
                h
            })
            .reduce(|| vec![0u64; n + 1], add_counts);
        Ok(Self { model, histogram })
    }

    /// Number of states with D defects, for D = 0..=N.
    pub fn density_of_states(&self) -> &[u64] {
        &self.histogram
    }

    /// f, e and s per spin at temperature `t` ≥ 0.
    pub fn at(&self, t: f64) -> Result<Thermodynamics, PhysicsError> {
        check_temperature(t)?;
        let j = self.model.coupling();
        let n = self.model.lattice().sites() as f64;
        let e0 = -j / 2.0;
        if t == 0.0 {
            return Ok(Thermodynamics {
                t,
                f: e0,
                e: e0,
                s: (self.histogram[0] as f64).ln() / n,
                method: ThermoMethod::BruteForce,
                f_lower: None,
            });
        }
        // Boltzmann weights relative to the ground state, so the largest term is g(0) ≥ 1.
        let beta = 1.0 / t;
        let (mut z, mut ez) = (0.0, 0.0);
        for (d, &g) in self.histogram.iter().enumerate() {
            let w = g as f64 * (-beta * j * d as f64).exp();
            z += w;
            ez += w * j * d as f64;
        }
        let f = e0 - t * z.ln() / n;
        let e = e0 + ez / z / n;
        // S = ln Z + β(E − E₀) with Z relative to the ground state: two non-negative terms, so
        // no digits are lost as T → 0 (unlike (e − f)/T).
        Ok(Thermodynamics {
            t,
            f,
            e,
            s: (z.ln() + beta * ez / z) / n,
            method: ThermoMethod::BruteForce,
            f_lower: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_defects_agree_with_the_byte_path() {
        let lat = Lattice::new(3).unwrap();
        let model = NewmanMoore::new(lat, 1.0).unwrap();
        for s in 0..512u64 {
            let bits: Vec<u8> = (0..9).map(|i| ((s >> i) & 1) as u8).collect();
            assert_eq!(
                packed_defects(s, 3) as usize,
                model.defect_count(ndarray::ArrayView1::from(&bits))
            );
        }
    }

    #[test]
    fn zero_temperature_entropy_counts_ground_states() {
        let model = NewmanMoore::new(Lattice::new(3).unwrap(), 1.0).unwrap();
        let th = ExactThermo::new(model).at(0.0).unwrap();
        assert!((th.s - 4f64.ln() / 9.0).abs() < 1e-15);
        assert!(ExactThermo::new(model).at(-1.0).is_err());
    }
}
