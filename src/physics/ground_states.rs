//! Ground states of the Newman–Moore model as a linear subspace of GF(2)^N.
//!
//! A triangle is satisfied iff e_a ⊕ e_b ⊕ e_c = 0, so in a ground state row r+1 is fixed by
//! row r through the row map F(x)_c = x_c ⊕ x_{c+1}, and a first row x extends to a ground
//! state iff F^L(x) = x. The ground states are therefore the kernel of the L × L circulant
//! system F^L + I, found by bit-packed elimination in O(L³/64) — fast to L = 256.

use ndarray::{Array1, ArrayView1};
use std::fmt;

use super::gf2::{BitMatrix, BitVec};
use super::{Lattice, PhysicsError};

/// Largest log₂ degeneracy for which [`GroundStates::enumerate`] lists every ground state.
pub const MAX_ENUMERATED_DEGENERACY_LOG2: usize = 20;

/// Stable name of one ground state: the coordinates of its first row in the basis.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroundStateId(BitVec);

impl GroundStateId {
    /// The coordinates as 0/1 bytes, one per basis vector.
    pub fn coordinates(&self) -> Vec<u8> {
        self.0.to_bits()
    }
}

impl fmt::Display for GroundStateId {
    /// Decimal for k ≤ 64 (coordinate i is bit i), otherwise a 0/1 string.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.len() <= 64 {
            write!(f, "{}", self.0.words().first().copied().unwrap_or(0))
        } else {
            let s: String = self
                .0
                .to_bits()
                .iter()
                .map(|b| (b'0' + b) as char)
                .collect();
            f.write_str(&s)
        }
    }
}

/// The ground-state space of a lattice: a basis of first rows and the tools to use it.
#[derive(Debug, Clone)]
pub struct GroundStates {
    lattice: Lattice,
    /// Basis of first rows (length L each); coordinate i is read at `free[i]`.
    basis: Vec<BitVec>,
    free: Vec<usize>,
}

/// Column 0 of the power T^L of a translation-invariant row map T, as a bit vector of length L.
///
/// `map_of_unit` is T(e₀); since T commutes with translations, column j of T^L is column 0
/// shifted by j, so the whole circulant matrix follows from this one column.
fn circulant_power_column(l: usize, map_of_unit: &[usize]) -> Vec<u8> {
    let mut x = vec![0u8; l];
    x[0] = 1;
    for _ in 0..l {
        let mut next = vec![0u8; l];
        for (c, &xc) in x.iter().enumerate() {
            if xc == 1 {
                for &offset in map_of_unit {
                    next[(c + offset) % l] ^= 1;
                }
            }
        }
        x = next;
    }
    x
}

/// Kernel of T^L + I for the row map whose image of e₀ has ones at `map_of_unit`.
fn periodic_row_kernel(l: usize, map_of_unit: &[usize]) -> super::gf2::NullSpace {
    let column = circulant_power_column(l, map_of_unit);
    let mut m = BitMatrix::zeros(l, l);
    for j in 0..l {
        for c in 0..l {
            if column[(c + l - j) % l] == 1 {
                m.toggle(c, j);
            }
        }
        m.toggle(j, j);
    }
    m.null_space()
}

/// Next row of a ground state: F(x)_c = x_c ⊕ x_{c+1}.
fn next_row(row: &[u8], out: &mut [u8]) {
    let l = row.len();
    for c in 0..l {
        out[c] = row[c] ^ row[(c + 1) % l];
    }
}

impl GroundStates {
    /// The ground-state space of `lattice`, found through the row map.
    pub fn new(lattice: Lattice) -> Self {
        let l = lattice.size();
        // F(e₀) has ones at columns 0 and L−1 (x_{c+1} = 1 for c = L−1).
        let ns = periodic_row_kernel(l, &[0, l - 1]);
        Self {
            lattice,
            basis: ns.basis,
            free: ns.free,
        }
    }

    /// The lattice.
    pub fn lattice(&self) -> &Lattice {
        &self.lattice
    }

    /// k = log₂ of the number of ground states.
    pub fn degeneracy_log2(&self) -> usize {
        self.basis.len()
    }

    /// The basis of first rows (each of length L).
    pub fn basis_rows(&self) -> &[BitVec] {
        &self.basis
    }

    /// The ground state whose first row is `row` (which must satisfy F^L(x) = x).
    pub fn from_first_row(&self, row: &[u8]) -> Array1<u8> {
        let l = self.lattice.size();
        debug_assert_eq!(row.len(), l);
        let mut out = Array1::<u8>::zeros(l * l);
        let slice = out.as_slice_mut().expect("fresh array is contiguous");
        slice[..l].copy_from_slice(row);
        for r in 1..l {
            let (done, rest) = slice.split_at_mut(r * l);
            next_row(&done[(r - 1) * l..], &mut rest[..l]);
        }
        out
    }

    /// The k basis ground states as full configurations.
    pub fn basis_configurations(&self) -> Vec<Array1<u8>> {
        self.basis
            .iter()
            .map(|b| self.from_first_row(&b.to_bits()))
            .collect()
    }

    /// Whether `bits` is a ground state (has no defect).
    pub fn contains(&self, bits: ArrayView1<u8>) -> bool {
        let l = self.lattice.size();
        (0..l).all(|r| {
            (0..l).all(|c| {
                let here = bits[r * l + c];
                let right = bits[r * l + (c + 1) % l];
                let below = bits[((r + 1) % l) * l + c];
                (here ^ right ^ below) & 1 == 0
            })
        })
    }

    /// The id of `bits` if it is a ground state, `None` otherwise.
    pub fn id(&self, bits: ArrayView1<u8>) -> Option<GroundStateId> {
        if !self.contains(bits) {
            return None;
        }
        let coords = self.free.iter().map(|&f| bits[f] & 1);
        Some(GroundStateId(BitVec::from_bits(coords)))
    }

    /// The ground state with the given coordinates in the basis.
    pub fn from_coordinates(&self, coords: &[u8]) -> Array1<u8> {
        let mut row = BitVec::zeros(self.lattice.size());
        for (b, &x) in self.basis.iter().zip(coords) {
            if x & 1 == 1 {
                row.xor_assign(b);
            }
        }
        self.from_first_row(&row.to_bits())
    }

    /// Every ground state, lazily, in Gray-code order; refused when k exceeds
    /// [`MAX_ENUMERATED_DEGENERACY_LOG2`].
    pub fn enumerate(&self) -> Result<impl Iterator<Item = Array1<u8>> + '_, PhysicsError> {
        let k = self.degeneracy_log2();
        if k > MAX_ENUMERATED_DEGENERACY_LOG2 {
            return Err(PhysicsError::TooManyGroundStates {
                k,
                max: MAX_ENUMERATED_DEGENERACY_LOG2,
            });
        }
        let mut row = BitVec::zeros(self.lattice.size());
        Ok((0u64..1 << k).map(move |i| {
            if i > 0 {
                row.xor_assign(&self.basis[i.trailing_zeros() as usize]);
            }
            self.from_first_row(&row.to_bits())
        }))
    }
}

/// A basis of the code C: sets of triangles whose spin products multiply to +1 identically
/// (every site covered an even number of times), each a bit vector over triangle indices.
///
/// Such a set u satisfies u(r−1, c) = u(r, c) ⊕ u(r, c−1): it is fixed by its last row y
/// through G(y)_c = y_c ⊕ y_{c−1} with G^L(y) = y, another L × L circulant system.
pub fn codeword_basis(lattice: &Lattice) -> Vec<BitVec> {
    let l = lattice.size();
    let ns = periodic_row_kernel(l, &[0, 1]);
    ns.basis
        .iter()
        .map(|y| {
            let mut word = BitVec::zeros(l * l);
            let mut row = y.to_bits();
            for r in (0..l).rev() {
                for (c, &b) in row.iter().enumerate() {
                    if b == 1 {
                        word.set(r * l + c, true);
                    }
                }
                row = (0..l).map(|c| row[c] ^ row[(c + l - 1) % l]).collect();
            }
            word
        })
        .collect()
}

/// k(L) by plain elimination of the N × N triangle–site incidence matrix: an independent
/// check of the row-map method, O(N³/64), for small lattices.
pub fn ground_state_dimension_by_elimination(lattice: &Lattice) -> usize {
    let n = lattice.sites();
    let mut a = BitMatrix::zeros(n, n);
    for t in 0..n {
        for s in lattice.triangle(t) {
            a.set(t, s, true);
        }
    }
    n - a.rank()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::physics::NewmanMoore;

    #[test]
    fn small_degeneracies_follow_the_spec() {
        for (l, k) in [(2, 0), (3, 2), (4, 0), (5, 0), (6, 4), (7, 6), (8, 0)] {
            let gs = GroundStates::new(Lattice::new(l).unwrap());
            assert_eq!(gs.degeneracy_log2(), k, "L = {l}");
        }
    }

    #[test]
    fn codewords_cover_every_site_an_even_number_of_times() {
        for l in [3, 6, 7, 9] {
            let lat = Lattice::new(l).unwrap();
            let words = codeword_basis(&lat);
            assert_eq!(words.len(), GroundStates::new(lat).degeneracy_log2());
            for w in &words {
                assert!(!w.is_zero());
                let mut cover = vec![0u32; lat.sites()];
                for t in 0..lat.sites() {
                    if w.get(t) {
                        for s in lat.triangle(t) {
                            cover[s] += 1;
                        }
                    }
                }
                assert!(cover.iter().all(|c| c % 2 == 0), "L = {l}");
            }
        }
    }

    #[test]
    fn ids_round_trip_through_coordinates() {
        let lat = Lattice::new(7).unwrap();
        let gs = GroundStates::new(lat);
        let model = NewmanMoore::new(lat, 1.0).unwrap();
        let coords = [1, 0, 1, 1, 0, 0];
        let state = gs.from_coordinates(&coords);
        assert_eq!(model.defect_count(state.view()), 0);
        assert_eq!(gs.id(state.view()).unwrap().coordinates(), coords.to_vec());
        assert_eq!(gs.id(state.view()).unwrap().to_string(), "13");
        let mut excited = state.clone();
        excited[3] ^= 1;
        assert!(gs.id(excited.view()).is_none());
    }
}
