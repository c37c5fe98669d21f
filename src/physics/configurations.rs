//! The 2^N configurations of N spins in the one order every exact table uses (energies,
//! log p, ψ, gradients): configuration s has bit i of s at site i.

use ndarray::Array2;

/// Configurations `first .. first + count`, one per row (a chunk of an enumeration).
pub fn configurations(first: usize, count: usize, sites: usize) -> Array2<u8> {
    Array2::from_shape_fn((count, sites), |(r, i)| (((first + r) >> i) & 1) as u8)
}

/// All 2^`sites` configurations, one per row (the caller keeps `sites` small: 2^N rows).
pub fn all_configurations(sites: usize) -> Array2<u8> {
    configurations(0, 1 << sites, sites)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_s_holds_the_bits_of_s_and_chunks_continue_the_enumeration() {
        let all = all_configurations(3);
        assert_eq!(all.nrows(), 8);
        assert_eq!(all.row(6).to_vec(), vec![0, 1, 1]);
        assert_eq!(configurations(5, 2, 3), all.slice(ndarray::s![5..7, ..]));
    }
}
