//! The L × L triangular torus: sites, up-triangles and plane coordinates.

use super::PhysicsError;

/// Smallest supported linear size.
pub const MIN_SIZE: usize = 2;
/// Largest supported linear size.
pub const MAX_SIZE: usize = 256;

/// A site given by its row and column on the torus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Site {
    /// Row r, 0 ≤ r < L.
    pub row: usize,
    /// Column c, 0 ≤ c < L.
    pub col: usize,
}

/// An L × L triangular lattice with periodic boundaries and one up-triangle per site.
///
/// Site (r, c) has linear index i = r·L + c; triangle t(r, c) = {(r, c), (r, c+1), (r+1, c)}
/// shares the index of its corner (r, c).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Lattice {
    l: usize,
}

impl Lattice {
    /// The lattice of linear size `l`, refused outside [`MIN_SIZE`]..=[`MAX_SIZE`].
    pub fn new(l: usize) -> Result<Self, PhysicsError> {
        if !(MIN_SIZE..=MAX_SIZE).contains(&l) {
            return Err(PhysicsError::LatticeSize {
                l,
                min: MIN_SIZE,
                max: MAX_SIZE,
            });
        }
        Ok(Self { l })
    }

    /// Linear size L.
    pub fn size(&self) -> usize {
        self.l
    }

    /// Number of spins N = L² (also the number of triangles).
    pub fn sites(&self) -> usize {
        self.l * self.l
    }

    /// Linear index of site (r, c), both taken mod L.
    pub fn index(&self, row: isize, col: isize) -> usize {
        let l = self.l as isize;
        (row.rem_euclid(l) * l + col.rem_euclid(l)) as usize
    }

    /// Row and column of linear index `i`.
    pub fn site(&self, i: usize) -> Site {
        Site {
            row: i / self.l,
            col: i % self.l,
        }
    }

    /// The three sites of up-triangle `t`, in the order (r, c), (r, c+1), (r+1, c).
    pub fn triangle(&self, t: usize) -> [usize; 3] {
        let Site { row, col } = self.site(t);
        let (r, c) = (row as isize, col as isize);
        [self.index(r, c), self.index(r, c + 1), self.index(r + 1, c)]
    }

    /// The three triangles containing site `i`: t(r, c), t(r, c−1), t(r−1, c).
    pub fn triangles_of(&self, i: usize) -> [usize; 3] {
        let Site { row, col } = self.site(i);
        let (r, c) = (row as isize, col as isize);
        [self.index(r, c), self.index(r, c - 1), self.index(r - 1, c)]
    }

    /// Plane position of site `i` for drawing: x = c + r/2, y = r·√3/2.
    pub fn position(&self, i: usize) -> (f64, f64) {
        let Site { row, col } = self.site(i);
        (
            col as f64 + row as f64 / 2.0,
            row as f64 * 3f64.sqrt() / 2.0,
        )
    }

    /// Plane positions of the corners of triangle `t` drawn without wrapping around the torus.
    pub fn triangle_corners(&self, t: usize) -> [(f64, f64); 3] {
        let (x, y) = self.position(t);
        let h = 3f64.sqrt() / 2.0;
        [(x, y), (x + 1.0, y), (x + 0.5, y + h)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spin_lies_in_exactly_three_triangles() {
        let lattice = Lattice::new(5).unwrap();
        let mut count = vec![0; lattice.sites()];
        for t in 0..lattice.sites() {
            for s in lattice.triangle(t) {
                count[s] += 1;
            }
        }
        assert!(count.iter().all(|&c| c == 3));
        for i in 0..lattice.sites() {
            for t in lattice.triangles_of(i) {
                assert!(
                    lattice.triangle(t).contains(&i),
                    "site {i} not in triangle {t}"
                );
            }
        }
    }

    #[test]
    fn sizes_outside_the_range_are_refused_with_the_value() {
        for l in [0, 1, 257] {
            let err = Lattice::new(l).unwrap_err().to_string();
            assert!(err.contains(&format!("L = {l}")), "{err}");
        }
        assert!(Lattice::new(256).is_ok());
    }
}
