//! The scalar reference: one lattice, one spin at a time, with exactly the uniforms the packed
//! sweep gives its lane. Slow on purpose and written from the physics layer's own triangle
//! table, so a test comparing it with [`super::SpinWords`] checks the packing, not itself.

use crate::physics::Lattice;

use super::stream::{threshold, Stream};

/// One lattice's spin bits, updated in raster order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScalarLattice {
    bits: Vec<u8>,
}

impl ScalarLattice {
    /// The start lane `lane` of [`super::SpinWords::random`] gets from the same stream.
    pub fn random(sites: usize, lane: usize, stream: &Stream) -> Self {
        let bits = (0..sites as u64)
            .map(|i| ((stream.word(i) >> lane) & 1) as u8)
            .collect();
        Self { bits }
    }

    /// The spin bits in raster order.
    pub fn bits(&self) -> &[u8] {
        &self.bits
    }

    /// Defects among the three triangles of site `i`.
    fn defects_at(&self, lattice: &Lattice, i: usize) -> usize {
        lattice
            .triangles_of(i)
            .into_iter()
            .filter(|&t| {
                let [a, b, c] = lattice.triangle(t);
                self.bits[a] ^ self.bits[b] ^ self.bits[c] == 1
            })
            .count()
    }

    /// One Metropolis sweep at temperature `t`: accept iff ΔE ≤ 0 or U < ⌊e^(−ΔE/T)·2⁶⁴⌋,
    /// with U this lane's uniform for attempt (sweep, i).
    pub fn sweep(
        &mut self,
        lattice: &Lattice,
        stream: &Stream,
        sweep: u64,
        lane: usize,
        j: f64,
        t: f64,
    ) {
        let n = self.bits.len() as u64;
        for i in 0..self.bits.len() {
            let defects = self.defects_at(lattice, i) as f64;
            let delta = j * (3.0 - 2.0 * defects);
            let accept = delta <= 0.0 || {
                let u = stream.lane_uniform(sweep * n + i as u64, lane);
                u < threshold((-delta / t).exp())
            };
            if accept {
                self.bits[i] ^= 1;
            }
        }
    }

    /// The number of defect triangles.
    pub fn defects(&self, lattice: &Lattice) -> usize {
        (0..self.bits.len())
            .filter(|&t| {
                let [a, b, c] = lattice.triangle(t);
                self.bits[a] ^ self.bits[b] ^ self.bits[c] == 1
            })
            .count()
    }
}
