//! Property tests of the physics core: flips, fractal excitations, ground states.

use annealscape::physics::{GroundStates, Lattice, NewmanMoore, SierpinskiExcitation};
use ndarray::Array1;
use proptest::prelude::*;

fn config_strategy() -> impl Strategy<Value = (usize, Vec<u8>)> {
    (2usize..12).prop_flat_map(|l| (Just(l), prop::collection::vec(0u8..2, l * l)))
}

proptest! {
    #[test]
    fn delta_energy_equals_the_difference_of_full_energies(
        (l, bits) in config_strategy(), site in 0usize..1000
    ) {
        let model = NewmanMoore::new(Lattice::new(l).unwrap(), 1.0).unwrap();
        let site = site % (l * l);
        let bits = Array1::from(bits);
        let flipped = model.flipped(bits.view(), site);
        let de = model.delta_energy(bits.view(), site);
        prop_assert_eq!(de, model.energy(flipped.view()) - model.energy(bits.view()));
        prop_assert!([-3.0, -1.0, 1.0, 3.0].contains(&de));
    }

    #[test]
    fn a_sierpinski_flip_leaves_exactly_three_defects(
        l in 3usize..40, apex in 0usize..2000, seed_gs in 0u64..64
    ) {
        let lat = Lattice::new(l).unwrap();
        let model = NewmanMoore::new(lat, 1.0).unwrap();
        let gs = GroundStates::new(lat);
        let coords: Vec<u8> = (0..gs.degeneracy_log2()).map(|i| ((seed_gs >> (i % 64)) & 1) as u8).collect();
        let ground = gs.from_coordinates(&coords);
        let max_m = usize::BITS - 1 - (l - 1).leading_zeros();
        for m in 0..=max_m {
            let pattern = SierpinskiExcitation::new(lat, apex % (l * l), m).unwrap();
            prop_assert_eq!(pattern.sites().len(), 3usize.pow(m));
            let mut excited = ground.clone();
            pattern.apply(excited.view_mut());
            prop_assert_eq!(model.defect_count(excited.view()), 3, "L = {}, m = {}", l, m);
            let mut defects = pattern.defects();
            defects.sort_unstable();
            let mut seen: Vec<usize> = model.defect_map(excited.view()).iter().enumerate()
                .filter(|(_, &d)| d).map(|(t, _)| t).collect();
            seen.sort_unstable();
            prop_assert_eq!(seen, defects.to_vec());
        }
    }

    #[test]
    fn degeneracy_doubles_with_the_lattice(l in 2usize..=128) {
        let k = |l| GroundStates::new(Lattice::new(l).unwrap()).degeneracy_log2();
        prop_assert_eq!(k(2 * l), 2 * k(l));
    }
}

#[test]
fn degeneracy_rules_of_the_spec_hold_to_256() {
    let k = |l| GroundStates::new(Lattice::new(l).unwrap()).degeneracy_log2();
    for m in 1..=8 {
        assert_eq!(k(1 << m), 0, "L = 2^{m} has a unique ground state");
        if m >= 2 {
            let l = (1 << m) - 1;
            assert_eq!(k(l), l - 1, "L = 2^{m} − 1 has the maximal degeneracy");
        }
    }
}

#[test]
fn enumerated_ground_states_are_distinct_defect_free_and_2_to_the_k() {
    for l in [2, 3, 6, 7, 9, 12, 14, 15] {
        let lat = Lattice::new(l).unwrap();
        let model = NewmanMoore::new(lat, 1.0).unwrap();
        let gs = GroundStates::new(lat);
        let k = gs.degeneracy_log2();
        let mut ids = std::collections::HashSet::new();
        let mut count = 0usize;
        for state in gs.enumerate().unwrap() {
            assert_eq!(model.defect_count(state.view()), 0, "L = {l}");
            assert!(
                ids.insert(gs.id(state.view()).unwrap()),
                "L = {l}: repeated id"
            );
            count += 1;
        }
        assert_eq!(count, 1 << k, "L = {l}");
    }
}

#[test]
fn brute_force_finds_no_ground_state_outside_the_basis_span() {
    // L = 3: every zero-defect configuration among all 512 has an id, and there are 4.
    let lat = Lattice::new(3).unwrap();
    let model = NewmanMoore::new(lat, 1.0).unwrap();
    let gs = GroundStates::new(lat);
    let ground: Vec<Array1<u8>> = (0..512u32)
        .map(|s| (0..9).map(|i| ((s >> i) & 1) as u8).collect::<Array1<u8>>())
        .filter(|c| model.defect_count(c.view()) == 0)
        .collect();
    assert_eq!(ground.len(), 4);
    assert!(ground.iter().all(|c| gs.id(c.view()).is_some()));
}

#[test]
fn enumeration_is_refused_when_too_large() {
    let gs = GroundStates::new(Lattice::new(31).unwrap());
    let err = gs
        .enumerate()
        .err()
        .expect("k = 30 is too many")
        .to_string();
    assert!(err.contains("2^30"), "{err}");
}
