//! Fractal excitations: flipping a Pascal triangle mod 2 leaves exactly three defects.

use ndarray::{Array1, ArrayViewMut1};

use super::{Lattice, PhysicsError};

/// The flip pattern of a Pascal triangle mod 2 with 2^m rows whose apex is at a given site.
///
/// Row j below the apex (r₀, c₀) flips the spins (r₀ + j, c₀ − i) with C(j, i) odd. Every
/// triangle inside the pattern covers an even number of flipped spins (that is Pascal's rule
/// mod 2), so only three triangles change: t(r₀−1, c₀) above the apex and the two at the ends
/// of the last, all-ones row. Those three defects sit at the corners of a triangle of side 2^m.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SierpinskiExcitation {
    lattice: Lattice,
    sites: Vec<usize>,
    defects: [usize; 3],
}

impl SierpinskiExcitation {
    /// The pattern of generation `m` (2^m rows, 3^m spins) with apex at linear index `apex`.
    ///
    /// Refused unless 2^m < L, so that the pattern does not wrap onto itself.
    pub fn new(lattice: Lattice, apex: usize, m: u32) -> Result<Self, PhysicsError> {
        let l = lattice.size();
        let max_m = (usize::BITS - 1 - (l - 1).leading_zeros()).min(31);
        if m > 31 || (1usize << m) >= l {
            return Err(PhysicsError::SierpinskiSize { m, l, max_m });
        }
        let height = 1usize << m;
        let apex_site = lattice.site(apex % lattice.sites());
        let (r0, c0) = (apex_site.row as isize, apex_site.col as isize);
        let mut row = vec![1u8];
        let mut sites = Vec::new();
        for j in 0..height {
            for (i, &b) in row.iter().enumerate() {
                if b == 1 {
                    sites.push(lattice.index(r0 + j as isize, c0 - i as isize));
                }
            }
            // Pascal's rule mod 2: C(j+1, i) = C(j, i) ⊕ C(j, i−1).
            let mut next = vec![0u8; row.len() + 1];
            for i in 0..next.len() {
                let a = row.get(i).copied().unwrap_or(0);
                let b = if i > 0 { row[i - 1] } else { 0 };
                next[i] = a ^ b;
            }
            row = next;
        }
        let last = r0 + height as isize - 1;
        let defects = [
            lattice.index(r0 - 1, c0),
            lattice.index(last, c0),
            lattice.index(last, c0 - height as isize),
        ];
        Ok(Self {
            lattice,
            sites,
            defects,
        })
    }

    /// The flipped sites (3^m of them).
    pub fn sites(&self) -> &[usize] {
        &self.sites
    }

    /// The three defect triangles the flip creates on a ground state.
    pub fn defects(&self) -> [usize; 3] {
        self.defects
    }

    /// Flip the pattern's spins in `bits` (turns a ground state into a three-defect state).
    pub fn apply(&self, mut bits: ArrayViewMut1<u8>) {
        for &s in &self.sites {
            bits[s] ^= 1;
        }
    }

    /// The pattern as a 0/1 mask over the lattice's sites.
    pub fn mask(&self) -> Array1<u8> {
        let mut mask = Array1::zeros(self.lattice.sites());
        self.apply(mask.view_mut());
        mask
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::physics::NewmanMoore;

    #[test]
    fn generation_two_flips_nine_spins_and_leaves_three_defects() {
        let lat = Lattice::new(8).unwrap();
        let model = NewmanMoore::new(lat, 1.0).unwrap();
        let pattern = SierpinskiExcitation::new(lat, lat.index(2, 5), 2).unwrap();
        assert_eq!(pattern.sites().len(), 9);
        let mask = pattern.mask();
        let mut found: Vec<usize> = (0..lat.sites())
            .filter(|&t| model.is_defect(mask.view(), t))
            .collect();
        found.sort_unstable();
        let mut expected = pattern.defects().to_vec();
        expected.sort_unstable();
        assert_eq!(found, expected);
    }

    #[test]
    fn too_large_a_pattern_is_refused() {
        let lat = Lattice::new(8).unwrap();
        let err = SierpinskiExcitation::new(lat, 0, 3)
            .unwrap_err()
            .to_string();
        assert!(err.contains("2^3") && err.contains("m <= 2"), "{err}");
    }
}
