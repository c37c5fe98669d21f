//! The ground state nearest to a configuration, by exhaustive search over the 2^k ground
//! states (the decoding problem is hard in general; the app's lattices are small).

use ndarray::{Array1, ArrayView1};

use super::GroundStates;

/// The ground state at the least Hamming distance from `bits`, and that distance; `None`
/// when 2^k · N exceeds `budget` spin comparisons (the search would stall the caller).
pub fn nearest_ground_state(
    ground_states: &GroundStates,
    bits: ArrayView1<u8>,
    budget: usize,
) -> Option<(Array1<u8>, usize)> {
    let k = ground_states.degeneracy_log2();
    let work = 1usize.checked_shl(k as u32)?.checked_mul(bits.len())?;
    if k >= usize::BITS as usize - 1 || work > budget {
        return None;
    }
    let mut best: Option<(Array1<u8>, usize)> = None;
    for state in ground_states.enumerate().ok()? {
        let distance = state
            .iter()
            .zip(bits.iter())
            .filter(|(a, b)| a != b)
            .count();
        if best.as_ref().is_none_or(|(_, d)| distance < *d) {
            let done = distance == 0;
            best = Some((state, distance));
            if done {
                break;
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::physics::{Lattice, SierpinskiExcitation};

    #[test]
    fn a_ground_state_with_a_few_flips_is_found_again() {
        let lattice = Lattice::new(6).unwrap();
        let ground = GroundStates::new(lattice);
        let states: Vec<Array1<u8>> = ground.enumerate().unwrap().collect();
        let target = states[states.len() - 1].clone();
        let mut bits = target.clone();
        bits[3] ^= 1;
        bits[17] ^= 1;
        let (found, distance) = nearest_ground_state(&ground, bits.view(), 1 << 30).unwrap();
        assert_eq!(distance, 2);
        assert_eq!(found, target);
        // A Sierpinski excitation of generation 1 flips 3 spins: distance 3 unless another
        // ground state is closer, which a brute-force minimum over all states settles.
        let flip = SierpinskiExcitation::new(lattice, 7, 1).unwrap();
        let mut excited = target.clone();
        flip.apply(excited.view_mut());
        let brute = states
            .iter()
            .map(|s| s.iter().zip(excited.iter()).filter(|(a, b)| a != b).count())
            .min()
            .unwrap();
        let (_, d) = nearest_ground_state(&ground, excited.view(), 1 << 30).unwrap();
        assert_eq!(d, brute);
        assert!(nearest_ground_state(&ground, bits.view(), 10).is_none());
    }
}
