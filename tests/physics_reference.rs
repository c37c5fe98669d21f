//! The physics core against the reference tables and against independent exact methods.

mod common;

use annealscape::physics::{
    ground_energy, ground_state_dimension_by_elimination, BruteForceThermo, ExactThermo,
    GroundStates, Lattice, NewmanMoore, ThermoMethod,
};
use common::{num, reference_table};

fn model(l: usize) -> NewmanMoore {
    NewmanMoore::new(Lattice::new(l).unwrap(), 1.0).unwrap()
}

#[test]
fn degeneracy_matches_the_reference_table() {
    for row in reference_table("ground_state_degeneracy.tsv") {
        let l: usize = row[0].parse().unwrap();
        let k: usize = row[1].parse().unwrap();
        let gs = GroundStates::new(Lattice::new(l).unwrap());
        assert_eq!(gs.degeneracy_log2(), k, "L = {l}");
        assert_eq!(row[2], two_to_the(k), "L = {l}");
    }
}

fn two_to_the(k: usize) -> String {
    (1u64 << k).to_string()
}

#[test]
fn row_map_agrees_with_full_incidence_elimination() {
    for l in 2..=24 {
        let lat = Lattice::new(l).unwrap();
        assert_eq!(
            GroundStates::new(lat).degeneracy_log2(),
            ground_state_dimension_by_elimination(&lat),
            "L = {l}"
        );
    }
}

#[test]
fn thermodynamics_matches_the_reference_table() {
    for row in reference_table("thermodynamics.tsv") {
        let (l, t) = (row[0].parse().unwrap(), num(&row[1]));
        let th = ExactThermo::new(model(l)).at(t).unwrap();
        for (name, got, want) in [
            ("f", th.f, num(&row[2])),
            ("e", th.e, num(&row[3])),
            ("s", th.s, num(&row[4])),
        ] {
            assert!(
                (got - want).abs() < 1e-9,
                "L = {l}, T = {t}: {name} = {got}, reference {want}"
            );
        }
        assert!(th.f_lower.is_none(), "L = {l} should be exact");
    }
}

#[test]
fn brute_force_matches_the_reference_table_for_small_lattices() {
    for l in 2..=4 {
        let bf = BruteForceThermo::new(model(l)).unwrap();
        for row in reference_table("thermodynamics.tsv")
            .into_iter()
            .filter(|r| r[0] == l.to_string())
        {
            let th = bf.at(num(&row[1])).unwrap();
            assert_eq!(th.method, ThermoMethod::BruteForce);
            assert!((th.f - num(&row[2])).abs() < 1e-9, "L = {l}");
            assert!((th.e - num(&row[3])).abs() < 1e-9, "L = {l}");
            assert!((th.s - num(&row[4])).abs() < 1e-9, "L = {l}");
        }
    }
}

#[test]
fn brute_force_density_of_states_counts_ground_states() {
    for l in 2..=4 {
        let bf = BruteForceThermo::new(model(l)).unwrap();
        let k = GroundStates::new(Lattice::new(l).unwrap()).degeneracy_log2();
        assert_eq!(bf.density_of_states()[0], 1 << k, "L = {l}");
        assert_eq!(
            bf.density_of_states().iter().sum::<u64>(),
            1 << (l * l),
            "L = {l}"
        );
    }
}

/// ln Z(β) for an L × L lattice by the row-to-row transfer matrix, Z = Tr T^L: an
/// implementation independent of the code-word method (it never mentions GF(2)).
fn transfer_matrix_ln_z(l: usize, beta: f64) -> f64 {
    let states = 1usize << l;
    let spin = |x: usize, c: usize| if (x >> (c % l)) & 1 == 1 { 1.0 } else { -1.0 };
    // Energies shifted by +L/2 so every entry is ≤ 1.
    let t: Vec<f64> = (0..states * states)
        .map(|idx| {
            let (x, y) = (idx / states, idx % states);
            let e: f64 = (0..l)
                .map(|c| 0.5 * spin(x, c) * spin(x, c + 1) * spin(y, c))
                .sum();
            (-beta * (e + 0.5 * l as f64)).exp()
        })
        .collect();
    let mut trace = 0.0;
    for start in 0..states {
        let mut v = vec![0.0; states];
        v[start] = 1.0;
        for _ in 0..l {
            let mut next = vec![0.0; states];
            for (x, &vx) in v.iter().enumerate() {
                if vx != 0.0 {
                    for y in 0..states {
                        next[y] += vx * t[x * states + y];
                    }
                }
            }
            v = next;
        }
        trace += v[start];
    }
    trace.ln() + beta * 0.5 * (l * l) as f64
}

#[test]
fn degenerate_lattices_beyond_the_table_agree_with_the_transfer_matrix() {
    for l in [6, 7] {
        let n = (l * l) as f64;
        let exact = ExactThermo::new(model(l));
        assert_eq!(exact.degeneracy_log2(), if l == 6 { 4 } else { 6 });
        for t in [0.25, 0.5, 1.0, 2.0] {
            let th = exact.at(t).unwrap();
            assert_eq!(th.method, ThermoMethod::CodewordSum);
            let beta = 1.0 / t;
            let f_tm = -t * transfer_matrix_ln_z(l, beta) / n;
            let h = 1e-5;
            let e_tm = -(transfer_matrix_ln_z(l, beta + h) - transfer_matrix_ln_z(l, beta - h))
                / (2.0 * h)
                / n;
            assert!(
                (th.f - f_tm).abs() < 1e-10,
                "L = {l}, T = {t}: f {} vs {f_tm}",
                th.f
            );
            assert!(
                (th.e - e_tm).abs() < 1e-7,
                "L = {l}, T = {t}: e {} vs {e_tm}",
                th.e
            );
            // The degenerate lattice differs from the closed form, and by no more than k ln 2.
            let closed = -t * (2.0 * (0.5 / t).cosh()).ln();
            let k = exact.degeneracy_log2() as f64;
            assert!(th.f <= closed + 1e-15);
            assert!(th.f >= closed - t * k * std::f64::consts::LN_2 / n - 1e-15);
        }
    }
}

#[test]
fn code_word_sum_agrees_with_brute_force_at_l3() {
    let exact = ExactThermo::new(model(3));
    let bf = BruteForceThermo::new(model(3)).unwrap();
    for t in [0.1, 0.3, 0.7, 1.5, 10.0] {
        let (a, b) = (exact.at(t).unwrap(), bf.at(t).unwrap());
        assert!((a.f - b.f).abs() < 1e-12, "T = {t}");
        assert!((a.e - b.e).abs() < 1e-12, "T = {t}");
    }
}

#[test]
fn large_degeneracy_reports_a_rigorous_bound() {
    // L = 30 has k = 28 > 24: the closed form with an interval for f.
    let th = ExactThermo::new(model(30)).at(0.5).unwrap();
    assert_eq!(th.method, ThermoMethod::ClosedFormBound);
    let lower = th.f_lower.expect("a bound comes with its lower end");
    let gap = 0.5 * 28.0 * std::f64::consts::LN_2 / 900.0;
    assert!((th.f - lower - gap).abs() < 1e-15);
}

#[test]
fn ground_energy_matches_the_reference_table() {
    for row in reference_table("transverse_field_ground_energy.tsv") {
        let (l, b, want) = (row[0].parse().unwrap(), num(&row[1]), num(&row[2]));
        let got = ground_energy(&model(l), b).unwrap().per_spin;
        assert!(
            (got - want).abs() < 1e-8,
            "L = {l}, B = {b}: e0 = {got}, reference {want}"
        );
    }
}

#[test]
fn ground_energy_is_refused_beyond_l5() {
    let err = ground_energy(&model(6), 0.5).unwrap_err().to_string();
    assert!(err.contains("L = 6") && err.contains("L <= 5"), "{err}");
    assert!(ground_energy(&model(3), f64::NAN).is_err());
}

/// Slow (≈ 1 minute in release): Lanczos on 2^25 amplitudes. Run with `--include-ignored`.
#[test]
#[ignore = "slow: Lanczos at L = 5; CI runs it in release with --include-ignored"]
fn ground_energy_at_l5_respects_the_variational_bounds() {
    let m = model(5);
    assert!((ground_energy(&m, 0.0).unwrap().per_spin + 0.5).abs() < 1e-12);
    for b in [0.5, 1.0] {
        let e = ground_energy(&m, b).unwrap().per_spin;
        // Below both product states (all-down classical, all-plus in X), above the sum of norms.
        assert!(e < -0.5 && e < -b, "B = {b}: {e}");
        assert!(e > -0.5 - b, "B = {b}: {e}");
        // L = 5 lies between the L = 4 value and the large-L limit at B = 1 (−1.042…).
        if b == 1.0 {
            assert!((e + 1.0422).abs() < 2e-3, "B = 1: {e}");
        }
    }
}
