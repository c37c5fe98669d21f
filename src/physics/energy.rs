//! Energies, single-flip changes and defects of the classical Newman–Moore Hamiltonian.
//!
//! Configurations are bits e ∈ {0, 1} stored one per `u8` in raster order; a batch is an
//! `M × N` array with one configuration per row. A triangle is a defect iff
//! e_a ⊕ e_b ⊕ e_c = 1 (its spin product is +1), so E = J·(defects − N/2).

use ndarray::{Array1, ArrayView1, ArrayView2, ArrayViewMut1, Axis};

use super::{Lattice, PhysicsError};

/// The classical Newman–Moore Hamiltonian H = (J/2) Σ_t σ_a σ_b σ_c on a lattice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewmanMoore {
    lattice: Lattice,
    coupling: f64,
}

impl NewmanMoore {
    /// The model on `lattice` with coupling `j` (positive and finite).
    pub fn new(lattice: Lattice, j: f64) -> Result<Self, PhysicsError> {
        if !(j.is_finite() && j > 0.0) {
            return Err(PhysicsError::Coupling(j));
        }
        Ok(Self {
            lattice,
            coupling: j,
        })
    }

    /// The lattice the model lives on.
    pub fn lattice(&self) -> &Lattice {
        &self.lattice
    }

    /// The coupling J.
    pub fn coupling(&self) -> f64 {
        self.coupling
    }

    /// Ground-state energy E₀ = −N·J/2 (the all-down state is always a ground state).
    pub fn ground_energy(&self) -> f64 {
        -0.5 * self.coupling * self.lattice.sites() as f64
    }

    /// Number of defect triangles of one configuration.
    pub fn defect_count(&self, bits: ArrayView1<u8>) -> usize {
        debug_assert_eq!(bits.len(), self.lattice.sites());
        match bits.as_slice() {
            Some(slice) => defects_of_slice(slice, self.lattice.size()),
            None => defects_of_slice(&bits.to_vec(), self.lattice.size()),
        }
    }

    /// Energy of one configuration, E = E₀ + J·(number of defects).
    pub fn energy(&self, bits: ArrayView1<u8>) -> f64 {
        self.ground_energy() + self.coupling * self.defect_count(bits) as f64
    }

    /// Energies of a batch (one configuration per row) written into `out`.
    pub fn energies_into(&self, batch: ArrayView2<u8>, mut out: ArrayViewMut1<f64>) {
        debug_assert_eq!(batch.nrows(), out.len());
        for (row, e) in batch.axis_iter(Axis(0)).zip(out.iter_mut()) {
            *e = self.energy(row);
        }
    }

    /// Energies of a batch (one configuration per row).
    pub fn energies(&self, batch: ArrayView2<u8>) -> Array1<f64> {
        let mut out = Array1::zeros(batch.nrows());
        self.energies_into(batch, out.view_mut());
        out
    }

    /// Whether triangle `t` is a defect (spin product +1).
    pub fn is_defect(&self, bits: ArrayView1<u8>, t: usize) -> bool {
        let [a, b, c] = self.lattice.triangle(t);
        (bits[a] ^ bits[b] ^ bits[c]) & 1 == 1
    }

    /// Defect map: entry t is true where triangle t is a defect.
    pub fn defect_map(&self, bits: ArrayView1<u8>) -> Array1<bool> {
        (0..self.lattice.sites())
            .map(|t| self.is_defect(bits, t))
            .collect()
    }

    /// Energy change of flipping spin `site`: ΔE = −J·Σ_{t ∋ i} τ_t, one of {−3, −1, 1, 3}·J.
    pub fn delta_energy(&self, bits: ArrayView1<u8>, site: usize) -> f64 {
        // A defect (τ = +1) disappears and a satisfied triangle (τ = −1) becomes one.
        let tau_sum: i32 = self
            .lattice
            .triangles_of(site)
            .iter()
            .map(|&t| if self.is_defect(bits, t) { 1 } else { -1 })
            .sum();
        -self.coupling * f64::from(tau_sum)
    }

    /// The configuration connected to `bits` by the transverse field at `site` (X_i flips it).
    pub fn flipped(&self, bits: ArrayView1<u8>, site: usize) -> Array1<u8> {
        let mut out = bits.to_owned();
        out[site] ^= 1;
        out
    }
}

/// Defect count of a raster-order slice of an `l × l` configuration.
///
/// Split into the contiguous part of each row and the wrap-around column so that the inner
/// loop is a straight XOR-and-sum over bytes that the compiler vectorises.
pub(crate) fn defects_of_slice(bits: &[u8], l: usize) -> usize {
    let mut total = 0usize;
    for r in 0..l {
        let row = &bits[r * l..(r + 1) * l];
        let next_start = ((r + 1) % l) * l;
        let next = &bits[next_start..next_start + l];
        let mut acc = 0u32;
        for c in 0..l - 1 {
            acc += u32::from((row[c] ^ row[c + 1] ^ next[c]) & 1);
        }
        acc += u32::from((row[l - 1] ^ row[0] ^ next[l - 1]) & 1);
        total += acc as usize;
    }
    total
}

/// Parse one configuration given as a string of `0` and `1` in raster order.
pub fn parse_configuration(text: &str, lattice: &Lattice) -> Result<Array1<u8>, PhysicsError> {
    let n = lattice.sites();
    let text = text.trim();
    let bad = |what: String| PhysicsError::Configuration { what, expected: n };
    if text.len() != n {
        return Err(bad(format!(
            "'{}' has {} characters for L = {}",
            shorten(text),
            text.chars().count(),
            lattice.size()
        )));
    }
    text.bytes()
        .enumerate()
        .map(|(i, ch)| match ch {
            b'0' => Ok(0),
            b'1' => Ok(1),
            _ => Err(bad(format!(
                "'{}' has '{}' at position {i}",
                shorten(text),
                ch as char
            ))),
        })
        .collect()
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= 40 {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(40).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn model(l: usize) -> NewmanMoore {
        NewmanMoore::new(Lattice::new(l).unwrap(), 1.0).unwrap()
    }

    /// Energy straight from the definition (J/2) Σ σσσ, as an independent path.
    fn energy_from_spins(m: &NewmanMoore, bits: &[u8]) -> f64 {
        let lat = m.lattice();
        (0..lat.sites())
            .map(|t| {
                let p: f64 = lat
                    .triangle(t)
                    .iter()
                    .map(|&s| 2.0 * f64::from(bits[s]) - 1.0)
                    .product();
                0.5 * m.coupling() * p
            })
            .sum()
    }

    #[test]
    fn all_down_is_a_ground_state_and_all_up_is_all_defects() {
        let m = model(4);
        let down = Array1::<u8>::zeros(16);
        assert_eq!(m.energy(down.view()), -8.0);
        let up = Array1::<u8>::ones(16);
        assert_eq!(m.defect_count(up.view()), 16);
        assert_eq!(m.energy(up.view()), 8.0);
    }

    #[test]
    fn energy_matches_the_spin_product_definition() {
        let m = model(3);
        for code in 0..512u32 {
            let bits: Vec<u8> = (0..9).map(|i| ((code >> i) & 1) as u8).collect();
            let e = m.energy(ArrayView1::from(&bits));
            assert_eq!(e, energy_from_spins(&m, &bits), "config {code:09b}");
        }
    }

    #[test]
    fn batch_energies_match_single_ones() {
        let m = model(2);
        let batch = array![[0u8, 0, 0, 0], [1, 0, 0, 0], [1, 1, 1, 1]];
        assert_eq!(m.energies(batch.view()).to_vec(), vec![-2.0, 1.0, 2.0]);
    }

    #[test]
    fn parse_names_the_bad_character_and_length() {
        let lat = Lattice::new(2).unwrap();
        assert_eq!(
            parse_configuration("0110", &lat).unwrap().to_vec(),
            vec![0, 1, 1, 0]
        );
        let err = parse_configuration("01x0", &lat).unwrap_err().to_string();
        assert!(err.contains("'x' at position 2"), "{err}");
        let err = parse_configuration("011", &lat).unwrap_err().to_string();
        assert!(err.contains("3 characters"), "{err}");
    }

    #[test]
    fn bad_coupling_is_refused() {
        let lat = Lattice::new(3).unwrap();
        for j in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(NewmanMoore::new(lat, j).is_err());
        }
    }
}
