//! Ground energy E₀(B) of H_B = H − B Σ_i X_i by Lanczos on all 2^N amplitudes (L ≤ 5).
//!
//! The matrix is never stored: the diagonal is the defect count of each basis state (one
//! byte each) and X_i connects state s to s ⊕ 2^i. Two vectors suffice because the new
//! Lanczos vector is formed in place over the oldest one. The start vector is uniform: it
//! lies in the translation- and symmetry-invariant sector that holds the ground state
//! (positive by Perron–Frobenius for B ≠ 0), and overlaps every classical ground state at B = 0.

use rayon::prelude::*;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::thermo::packed_defects;
use super::{NewmanMoore, PhysicsError};

/// Largest L for which Lanczos on the full Hilbert space is offered (2^25 amplitudes).
pub const MAX_LANCZOS_SIZE: usize = 5;
const MAX_ITERATIONS: usize = 3000;
/// Relative change of the lowest Ritz value below which Lanczos has converged; the Ritz
/// value's error is quadratic in the residual, so this is well inside 1e−9 relative.
const TOLERANCE: f64 = 1e-13;
/// Largest Ritz residual accepted, relative to the energy scale.
const RESIDUAL_TOLERANCE: f64 = 1e-8;
/// States updated together (1 MiB of amplitudes): partners through the low 17 bits stay in
/// cache, the 8 higher bits each stream one other block (2^17 measured best at L = 5).
const BLOCK: usize = 1 << 17;

/// The ground energy of the transverse-field Hamiltonian at one field.
#[derive(Debug, Clone, PartialEq)]
pub struct GroundEnergy {
    /// Ground energy per spin E₀(B)/N.
    pub per_spin: f64,
    /// Lanczos iterations used (0 when read from the cache).
    pub iterations: usize,
    /// Whether the value came from the cache.
    pub cached: bool,
    /// Why a computed value could not be stored in the cache (it is still right).
    pub not_stored: Option<String>,
}

/// Ground energy per spin of H − B Σ X on `model`'s lattice (L ≤ 5), by Lanczos.
pub fn ground_energy(model: &NewmanMoore, b: f64) -> Result<GroundEnergy, PhysicsError> {
    let lattice = model.lattice();
    let (l, n) = (lattice.size(), lattice.sites());
    if l > MAX_LANCZOS_SIZE {
        return Err(PhysicsError::TooLarge {
            method: "Lanczos on the full Hilbert space",
            l,
            max: MAX_LANCZOS_SIZE,
            hint: "2^N amplitudes do not fit in memory beyond L = 5",
        });
    }
    if !b.is_finite() {
        return Err(PhysicsError::Field(b));
    }
    if b == 0.0 {
        // H is diagonal: its minimum is the classical ground energy, which every lattice attains
        // (all spins down), so no Lanczos is needed — and from the uniform start the ground
        // state has weight 2^k / 2^N only, which makes the iteration slow to notice it.
        return Ok(GroundEnergy {
            per_spin: model.ground_energy() / n as f64,
            iterations: 0,
            cached: false,
            not_stored: None,
        });
    }
    let j = model.coupling();
    let dim = 1usize << n;
    let diagonal: Vec<u8> = (0..dim as u64)
        .into_par_iter()
        .map(|s| packed_defects(s, l) as u8)
        .collect();
    // Energies relative to E₀ = −NJ/2: diagonal entries J·D ≥ 0.
    let block_len = BLOCK.min(dim);
    let apply = |v: &[f64], w: &mut [f64], beta: f64| {
        w.par_chunks_mut(block_len).enumerate().for_each_init(
            || vec![0.0; block_len],
            |flips, (block, out)| {
                let base = block * block_len;
                flip_sum(v, base, n, flips);
                for (k, w_s) in out.iter_mut().enumerate() {
                    let s = base + k;
                    *w_s = j * f64::from(diagonal[s]) * v[s] - b * flips[k] - beta * *w_s;
                }
            },
        );
    };

    let mut v = vec![1.0 / (dim as f64).sqrt(); dim];
    let mut w = vec![0.0; dim];
    let (mut alphas, mut betas) = (Vec::new(), Vec::new());
    let mut beta = 0.0;
    let mut previous = f64::INFINITY;
    let mut change = f64::INFINITY;
    let mut settled = 0;
    for iteration in 1..=MAX_ITERATIONS {
        // w ← H v − β v_prev, in place over v_prev.
        apply(&v, &mut w, beta);
        let alpha = ordered_dot(&w, &v);
        w.par_iter_mut().zip(&v).for_each(|(a, b)| *a -= alpha * b);
        alphas.push(alpha);
        let lowest = lowest_tridiagonal_eigenvalue(&alphas, &betas);
        change = (lowest - previous).abs() / lowest.abs().max(j);
        previous = lowest;
        settled = if change < TOLERANCE { settled + 1 } else { 0 };
        let norm = ordered_dot(&w, &w).sqrt();
        // An invariant subspace (β ≈ 0) means the Ritz value is exact. Otherwise ask for two
        // quiet iterations in a row and a small Ritz residual: the lowest state can carry so
        // little of the start vector (one ground state in 2^25 at L = 5, B = 0) that the Ritz
        // value stalls for a few iterations far from the answer.
        let converged = settled >= 2
            && ritz_residual(&alphas, &betas, lowest, norm)
                < RESIDUAL_TOLERANCE * lowest.abs().max(j);
        if converged || norm < 1e-12 * (alpha.abs() + j) {
            let e0 = model.ground_energy() + lowest;
            return Ok(GroundEnergy {
                per_spin: e0 / n as f64,
                iterations: iteration,
                cached: false,
                not_stored: None,
            });
        }
        beta = norm;
        betas.push(beta);
        w.par_iter_mut().for_each(|a| *a /= beta);
        std::mem::swap(&mut v, &mut w);
    }
    Err(PhysicsError::NotConverged {
        l,
        b,
        iterations: MAX_ITERATIONS,
        change,
    })
}

/// a·b summed over fixed blocks in block order, so every run rounds the same way (rayon's own
/// `sum` splits by work stealing, and the B = 0 case at L = 5 — one ground state in 2^25 of
/// the start vector — once stalled in CI on such a difference).
fn ordered_dot(a: &[f64], b: &[f64]) -> f64 {
    let partial: Vec<f64> = a
        .par_chunks(BLOCK)
        .zip(b.par_chunks(BLOCK))
        .map(|(x, y)| x.iter().zip(y).map(|(p, q)| p * q).sum::<f64>())
        .collect();
    partial.iter().sum()
}

/// flips[k] = Σ_i v[(base + k) ⊕ 2^i] for one block of states, as contiguous vector adds:
/// a bit inside the block swaps halves of sub-blocks, a bit above it reads another whole
/// block. (Gathering the N partners of each state one by one was memory-latency bound.)
fn flip_sum(v: &[f64], base: usize, n: usize, flips: &mut [f64]) {
    let len = flips.len();
    flips.fill(0.0);
    for i in 0..n {
        let bit = 1usize << i;
        if bit >= len {
            let partner = &v[base ^ bit..(base ^ bit) + len];
            flips.iter_mut().zip(partner).for_each(|(f, p)| *f += p);
        } else if bit < 8 {
            for (k, f) in flips.iter_mut().enumerate() {
                *f += v[base + (k ^ bit)];
            }
        } else {
            for start in (0..len).step_by(2 * bit) {
                let (lo, hi) = (base + start, base + start + bit);
                let (f_lo, f_hi) = flips[start..start + 2 * bit].split_at_mut(bit);
                f_lo.iter_mut()
                    .zip(&v[hi..hi + bit])
                    .for_each(|(f, p)| *f += p);
                f_hi.iter_mut()
                    .zip(&v[lo..lo + bit])
                    .for_each(|(f, p)| *f += p);
            }
        }
    }
}

/// Lowest eigenvalue of the symmetric tridiagonal matrix (diagonal `a`, off-diagonal `b`)
/// by bisection on the Sturm sequence count, to full precision.
/// ‖H x − θ x‖ for the Ritz vector x of the Ritz value θ (the lowest eigenvalue of the
/// tridiagonal T with diagonal `a` and off-diagonal `b`): β_next·|y_m| for the normalised
/// eigenvector y of T, found by two steps of inverse iteration just below θ, where T − σI is
/// positive definite so elimination without pivoting is stable.
fn ritz_residual(a: &[f64], b: &[f64], theta: f64, beta_next: f64) -> f64 {
    let m = a.len();
    let scale = a.iter().chain(b).fold(1e-300_f64, |s, x| s.max(x.abs()));
    let sigma = theta - 1e-10 * scale;
    // An irregular start, so that no symmetry of T makes it orthogonal to the eigenvector.
    let mut y: Vec<f64> = (0..m)
        .map(|i| 1.0 + 0.5 * (1.7 * i as f64 + 0.3).sin())
        .collect();
    let (mut c, mut r) = (vec![0.0; m], vec![0.0; m]);
    for _ in 0..2 {
        for i in 0..m {
            let off = if i > 0 { b[i - 1] } else { 0.0 };
            let denom = a[i] - sigma - if i > 0 { off * c[i - 1] } else { 0.0 };
            c[i] = if i + 1 < m { b[i] / denom } else { 0.0 };
            r[i] = (y[i] - if i > 0 { off * r[i - 1] } else { 0.0 }) / denom;
        }
        for i in (0..m).rev() {
            y[i] = r[i] - if i + 1 < m { c[i] * y[i + 1] } else { 0.0 };
        }
        let norm = y.iter().map(|v| v * v).sum::<f64>().sqrt();
        y.iter_mut().for_each(|v| *v /= norm);
    }
    beta_next * y[m - 1].abs()
}

fn lowest_tridiagonal_eigenvalue(a: &[f64], b: &[f64]) -> f64 {
    let m = a.len();
    // Gershgorin interval.
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for i in 0..m {
        let r = b.get(i).map_or(0.0, |x| x.abs()) + if i > 0 { b[i - 1].abs() } else { 0.0 };
        lo = lo.min(a[i] - r);
        hi = hi.max(a[i] + r);
    }
    let count_below = |x: f64| {
        let mut count = 0;
        let mut d = 1.0;
        for i in 0..m {
            let off = if i > 0 { b[i - 1] * b[i - 1] } else { 0.0 };
            d = a[i] - x - if i > 0 { off / d } else { 0.0 };
            if d == 0.0 {
                d = f64::MIN_POSITIVE;
            }
            if d < 0.0 {
                count += 1;
            }
        }
        count
    };
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if count_below(mid) >= 1 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    0.5 * (lo + hi)
}

/// A folder of computed ground energies keyed by (L, J, B), so curves are drawn without
/// recomputing. Each value is one small text file, written atomically.
#[derive(Debug, Clone)]
pub struct GroundEnergyCache {
    dir: PathBuf,
}

impl GroundEnergyCache {
    /// A cache in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The default cache: `$ANNEALSCAPE_CACHE`, else `$XDG_CACHE_HOME/annealscape`, else
    /// `$HOME/.cache/annealscape`; `None` when none of these is set.
    pub fn default_location() -> Option<Self> {
        let base = std::env::var_os("ANNEALSCAPE_CACHE")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("annealscape"))
            })
            .or_else(|| {
                std::env::var_os("HOME").map(|d| PathBuf::from(d).join(".cache/annealscape"))
            })?;
        Some(Self::new(base))
    }

    /// The folder holding the values.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, model: &NewmanMoore, b: f64) -> PathBuf {
        self.dir.join("ground_energy").join(format!(
            "L{}_J{:?}_B{:?}.txt",
            model.lattice().size(),
            model.coupling(),
            b
        ))
    }

    /// The cached value, if present and readable (a damaged file counts as absent).
    pub fn get(&self, model: &NewmanMoore, b: f64) -> Option<f64> {
        let text = fs::read_to_string(self.path(model, b)).ok()?;
        text.trim().parse::<f64>().ok().filter(|x| x.is_finite())
    }

    /// Store a value; written to a temporary name and renamed so readers never see half a file.
    pub fn put(&self, model: &NewmanMoore, b: f64, per_spin: f64) -> std::io::Result<()> {
        crate::files::write_atomically(&self.path(model, b), |w| writeln!(w, "{per_spin:?}"))
    }

    /// The ground energy from the cache, or computed by Lanczos and stored.
    ///
    /// A cache that cannot be written does not fail the computation: the result says why in
    /// `not_stored`, for the caller to report.
    pub fn ground_energy(&self, model: &NewmanMoore, b: f64) -> Result<GroundEnergy, PhysicsError> {
        if let Some(per_spin) = self.get(model, b) {
            return Ok(GroundEnergy {
                per_spin,
                iterations: 0,
                cached: true,
                not_stored: None,
            });
        }
        let mut result = ground_energy(model, b)?;
        if let Err(e) = self.put(model, b, result.per_spin) {
            result.not_stored = Some(format!(
                "cannot write the ground-energy cache in {}: {e} (the value is right but not kept; choose another folder with --cache DIR or ANNEALSCAPE_CACHE)",
                self.dir.display()
            ));
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ritz_residual_is_beta_times_the_last_eigenvector_component() {
        // T = [[2, 1], [1, 2]]: lowest eigenvalue 1 with eigenvector (1, −1)/√2.
        let theta = lowest_tridiagonal_eigenvalue(&[2.0, 2.0], &[1.0]);
        assert!((theta - 1.0).abs() < 1e-12);
        let r = ritz_residual(&[2.0, 2.0], &[1.0], theta, 0.5);
        assert!((r - 0.5 / 2f64.sqrt()).abs() < 1e-9, "{r}");
        // A 1×1 T: the eigenvector is (1), the residual β itself.
        assert!((ritz_residual(&[3.0], &[], 3.0, 0.25) - 0.25).abs() < 1e-12);
    }

    #[test]
    fn tridiagonal_eigenvalue_of_a_known_matrix() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
        let low = lowest_tridiagonal_eigenvalue(&[2.0, 2.0], &[1.0]);
        assert!((low - 1.0).abs() < 1e-14);
    }

    #[test]
    fn a_cache_that_cannot_be_written_is_reported_and_the_value_still_right() {
        let blocker =
            std::env::temp_dir().join(format!("annealscape-cache-{}", std::process::id()));
        fs::write(&blocker, "a file, not a folder").unwrap();
        let model = NewmanMoore::new(crate::physics::Lattice::new(2).unwrap(), 1.0).unwrap();
        let cached = GroundEnergyCache::new(blocker.join("sub"))
            .ground_energy(&model, 0.5)
            .unwrap();
        let direct = ground_energy(&model, 0.5).unwrap();
        assert_eq!(cached.per_spin, direct.per_spin);
        let why = cached.not_stored.expect("the failed write is reported");
        assert!(
            why.contains("cannot write the ground-energy cache"),
            "{why}"
        );
        fs::remove_file(&blocker).unwrap();
    }
}
