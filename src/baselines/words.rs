//! 64 independent Newman–Moore lattices packed into the bits of one `u64` per site
//! (multi-spin coding): bit r of word i is the spin bit e_i of lattice ("lane") r, so a
//! triangle's defect bits for all 64 lanes are the XOR of three words.

use crate::physics::Lattice;

use super::stream::{accept_below, Stream};

/// Sites of the other two corners of each of the three triangles containing a site.
#[derive(Debug, Clone)]
pub struct Neighbours {
    pairs: Vec<[u32; 6]>,
    /// For each triangle, its corners (r, c+1) and (r+1, c) besides (r, c).
    corners: Vec<[u32; 2]>,
}

impl Neighbours {
    /// The table for `lattice`.
    pub fn new(lattice: &Lattice) -> Self {
        let n = lattice.sites();
        let pairs = (0..n)
            .map(|i| {
                let mut row = [0u32; 6];
                for (k, t) in lattice.triangles_of(i).into_iter().enumerate() {
                    let others: Vec<usize> = lattice
                        .triangle(t)
                        .into_iter()
                        .filter(|&s| s != i)
                        .collect();
                    row[2 * k] = others[0] as u32;
                    row[2 * k + 1] = others[1] as u32;
                }
                row
            })
            .collect();
        let corners = (0..n)
            .map(|t| {
                let [_, b, c] = lattice.triangle(t);
                [b as u32, c as u32]
            })
            .collect();
        Self { pairs, corners }
    }

    /// The other corners of the triangles t(r, c), t(r, c−1), t(r−1, c) of site `i`.
    pub fn of(&self, i: usize) -> [u32; 6] {
        self.pairs[i]
    }

    /// The number of sites.
    pub fn sites(&self) -> usize {
        self.pairs.len()
    }
}

/// Per-lane acceptance thresholds of one Metropolis sweep: a flip that leaves one defect
/// among its three triangles (ΔE = +J) or none (ΔE = +3J) is accepted iff the lane's uniform
/// is below `one` or `none`; flips that lower or keep the energy always are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// For ΔE = +J.
    pub one: u64,
    /// For ΔE = +3J.
    pub none: u64,
}

impl Thresholds {
    /// The Metropolis thresholds exp(−ΔE/T) at temperature `t` for coupling `j`.
    pub fn metropolis(j: f64, t: f64) -> Self {
        Self {
            one: super::stream::threshold((-j / t).exp()),
            none: super::stream::threshold((-3.0 * j / t).exp()),
        }
    }
}

/// 64 lattices in one array of words.
#[derive(Debug, Clone)]
pub struct SpinWords {
    words: Vec<u64>,
    lanes: u64,
}

impl SpinWords {
    /// Uniformly random spins in the lanes set in `lanes`, from word i of `stream` for site i.
    pub fn random(sites: usize, lanes: u64, stream: &Stream) -> Self {
        let words = (0..sites as u64).map(|i| stream.word(i) & lanes).collect();
        Self { words, lanes }
    }

    /// The lanes in use.
    pub fn lanes(&self) -> u64 {
        self.lanes
    }

    /// One raster-order Metropolis sweep, numbered `sweep` so that attempt (sweep, i) reads
    /// words 64·(sweep·N + i) … of `stream`. Returns nothing; lanes not in use stay put.
    pub fn sweep(&mut self, nb: &Neighbours, stream: &Stream, sweep: u64, t: Thresholds) {
        let n = self.words.len() as u64;
        let w = &mut self.words;
        for i in 0..w.len() {
            let [a, b, c, d, e, f] = nb.pairs[i];
            let s = w[i];
            let t1 = s ^ w[a as usize] ^ w[b as usize];
            let t2 = s ^ w[c as usize] ^ w[d as usize];
            let t3 = s ^ w[e as usize] ^ w[f as usize];
            let two_or_more = (t1 & t2) | (t3 & (t1 | t2));
            let exactly_one = (t1 ^ t2 ^ t3) & !two_or_more;
            let none = !(t1 | t2 | t3);
            let classes = [
                (exactly_one & self.lanes, t.one),
                (none & self.lanes, t.none),
            ];
            let chance = accept_below(stream, sweep * n + i as u64, &classes);
            w[i] = s ^ ((two_or_more | chance) & self.lanes);
        }
    }

    /// The number of defects of every lane (0 for lanes not in use), counted with bit-sliced
    /// adders so the cost is a few operations per triangle rather than per lane.
    pub fn defects(&self, nb: &Neighbours) -> [u32; 64] {
        let mut planes = [0u64; 32];
        for (t, &[b, c]) in nb.corners.iter().enumerate() {
            let mut carry =
                (self.words[t] ^ self.words[b as usize] ^ self.words[c as usize]) & self.lanes;
            for plane in planes.iter_mut() {
                if carry == 0 {
                    break;
                }
                let next = *plane & carry;
                *plane ^= carry;
                carry = next;
            }
        }
        let mut counts = [0u32; 64];
        for (lane, count) in counts.iter_mut().enumerate() {
            *count = planes
                .iter()
                .enumerate()
                .map(|(k, p)| (((p >> lane) & 1) as u32) << k)
                .sum();
        }
        counts
    }

    /// The spin bits of one lane in raster order.
    pub fn lane(&self, lane: usize) -> Vec<u8> {
        self.words.iter().map(|w| ((w >> lane) & 1) as u8).collect()
    }

    /// Exchange the lanes set in `mask` between `self` and `other` (parallel tempering).
    pub fn swap_lanes(&mut self, other: &mut SpinWords, mask: u64) {
        if mask == 0 {
            return;
        }
        for (a, b) in self.words.iter_mut().zip(other.words.iter_mut()) {
            let x = (*a ^ *b) & mask;
            *a ^= x;
            *b ^= x;
        }
    }
}
