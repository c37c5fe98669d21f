//! Bit-packed linear algebra over GF(2): vectors, matrices, rank and null spaces.

/// A bit vector of fixed length packed into 64-bit words.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BitVec {
    len: usize,
    words: Vec<u64>,
}

impl BitVec {
    /// The zero vector of length `len`.
    pub fn zeros(len: usize) -> Self {
        Self {
            len,
            words: vec![0; len.div_ceil(64)],
        }
    }

    /// The vector whose bit i is `bits[i] & 1`.
    pub fn from_bits(bits: impl IntoIterator<Item = u8>) -> Self {
        let bits: Vec<u8> = bits.into_iter().collect();
        let mut v = Self::zeros(bits.len());
        for (i, b) in bits.into_iter().enumerate() {
            if b & 1 == 1 {
                v.set(i, true);
            }
        }
        v
    }

    /// Length in bits.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the vector has length zero.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bit `i`.
    pub fn get(&self, i: usize) -> bool {
        (self.words[i / 64] >> (i % 64)) & 1 == 1
    }

    /// Set bit `i` to `value`.
    pub fn set(&mut self, i: usize, value: bool) {
        let mask = 1u64 << (i % 64);
        if value {
            self.words[i / 64] |= mask;
        } else {
            self.words[i / 64] &= !mask;
        }
    }

    /// Flip bit `i`.
    pub fn toggle(&mut self, i: usize) {
        self.words[i / 64] ^= 1u64 << (i % 64);
    }

    /// self ← self ⊕ other (lengths must agree).
    pub fn xor_assign(&mut self, other: &BitVec) {
        debug_assert_eq!(self.len, other.len);
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a ^= b;
        }
    }

    /// Number of ones (Hamming weight).
    pub fn count_ones(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether every bit is zero.
    pub fn is_zero(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// The packed words (bits beyond `len` are zero).
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// The bits as 0/1 bytes.
    pub fn to_bits(&self) -> Vec<u8> {
        (0..self.len).map(|i| u8::from(self.get(i))).collect()
    }
}

/// A dense matrix over GF(2) stored as bit-packed rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BitMatrix {
    cols: usize,
    rows: Vec<BitVec>,
}

/// Result of Gaussian elimination: the pivot column of each independent row.
struct Echelon {
    pivots: Vec<usize>,
}

impl BitMatrix {
    /// The zero matrix with `rows` rows and `cols` columns.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            cols,
            rows: vec![BitVec::zeros(cols); rows],
        }
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.rows.len()
    }

    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.cols
    }

    /// Entry (r, c).
    pub fn get(&self, r: usize, c: usize) -> bool {
        self.rows[r].get(c)
    }

    /// Set entry (r, c).
    pub fn set(&mut self, r: usize, c: usize, value: bool) {
        self.rows[r].set(c, value);
    }

    /// Flip entry (r, c): adding 1 over GF(2).
    pub fn toggle(&mut self, r: usize, c: usize) {
        self.rows[r].toggle(c);
    }

    /// Row `r`.
    pub fn row(&self, r: usize) -> &BitVec {
        &self.rows[r]
    }

    /// Reduce to reduced row-echelon form in place.
    fn reduce(&mut self) -> Echelon {
        let mut pivots = Vec::new();
        let mut next = 0;
        for col in 0..self.cols {
            let Some(found) = (next..self.rows.len()).find(|&r| self.rows[r].get(col)) else {
                continue;
            };
            self.rows.swap(next, found);
            let pivot_row = self.rows[next].clone();
            for (r, row) in self.rows.iter_mut().enumerate() {
                if r != next && row.get(col) {
                    row.xor_assign(&pivot_row);
                }
            }
            pivots.push(col);
            next += 1;
            if next == self.rows.len() {
                break;
            }
        }
        Echelon { pivots }
    }

    /// Rank over GF(2).
    pub fn rank(&self) -> usize {
        self.clone().reduce().pivots.len()
    }

    /// A basis of the null space {x : A·x = 0}.
    ///
    /// Basis vector f has bit f set for its own free column and zero at every other free
    /// column, so the coordinates of a null vector x in this basis are x's bits at the free
    /// columns, in order.
    pub fn null_space(&self) -> NullSpace {
        let mut reduced = self.clone();
        let Echelon { pivots } = reduced.reduce();
        let is_pivot = {
            let mut v = vec![false; self.cols];
            for &p in &pivots {
                v[p] = true;
            }
            v
        };
        let free: Vec<usize> = (0..self.cols).filter(|&c| !is_pivot[c]).collect();
        let basis = free
            .iter()
            .map(|&f| {
                let mut x = BitVec::zeros(self.cols);
                x.set(f, true);
                for (row, &p) in pivots.iter().enumerate() {
                    if reduced.rows[row].get(f) {
                        x.set(p, true);
                    }
                }
                x
            })
            .collect();
        NullSpace { basis, free }
    }

    /// Matrix–vector product over GF(2).
    pub fn mul_vec(&self, x: &BitVec) -> BitVec {
        let mut out = BitVec::zeros(self.rows.len());
        for (r, row) in self.rows.iter().enumerate() {
            let parity: u32 = row
                .words()
                .iter()
                .zip(x.words())
                .map(|(a, b)| (a & b).count_ones())
                .sum();
            out.set(r, parity % 2 == 1);
        }
        out
    }
}

/// A null-space basis together with the free columns that index it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NullSpace {
    /// Basis vectors, one per free column.
    pub basis: Vec<BitVec>,
    /// The free column of each basis vector.
    pub free: Vec<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_space_of_a_small_matrix() {
        // Rows: x0 + x1 = 0, x1 + x2 = 0 → null space {000, 111}.
        let mut a = BitMatrix::zeros(2, 3);
        a.set(0, 0, true);
        a.set(0, 1, true);
        a.set(1, 1, true);
        a.set(1, 2, true);
        assert_eq!(a.rank(), 2);
        let ns = a.null_space();
        assert_eq!(ns.basis.len(), 1);
        assert_eq!(ns.basis[0].to_bits(), vec![1, 1, 1]);
        assert!(a.mul_vec(&ns.basis[0]).is_zero());
    }

    #[test]
    fn rank_plus_nullity_is_the_column_count_on_wide_rows() {
        // 70 columns crosses a word boundary.
        let mut a = BitMatrix::zeros(5, 70);
        for r in 0..5 {
            a.set(r, r * 13, true);
            a.set(r, 69 - r, true);
        }
        a.set(4, 0, true);
        let ns = a.null_space();
        assert_eq!(a.rank() + ns.basis.len(), 70);
        for v in &ns.basis {
            assert!(a.mul_vec(v).is_zero());
        }
    }
}
