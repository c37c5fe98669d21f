//! Simulated annealing, parallel tempering and SQA against exact answers (SPEC §7).

use annealscape::baselines::{
    equilibrium_energy, parallel_tempering, quantum_annealing, simulated_annealing, Annealing,
    BaselineError, Neighbours, QuantumAnnealing, ScalarLattice, SpinWords, Stream, Tempering,
    Thresholds,
};
use annealscape::physics::{ExactThermo, GroundStates, Lattice, NewmanMoore, ThermoMethod};

fn model(l: usize) -> NewmanMoore {
    NewmanMoore::new(Lattice::new(l).unwrap(), 1.0).unwrap()
}

/// Defects counted from the triangle definition, written here.
fn defects(l: usize, bits: &[u8]) -> usize {
    (0..l * l)
        .filter(|&t| {
            let (r, c) = (t / l, t % l);
            bits[t] ^ bits[r * l + (c + 1) % l] ^ bits[((r + 1) % l) * l + c] == 1
        })
        .count()
}

#[test]
fn the_packed_sweep_equals_the_scalar_reference_bit_for_bit() {
    // 70 runs: a full group and a group of 6 lanes; L = 5 has a unique ground state, L = 6 not.
    for l in [5, 6] {
        let lattice = Lattice::new(l).unwrap();
        let settings = Annealing::new(lattice, 40, 70, 9);
        let outcomes = simulated_annealing(&settings).unwrap();
        for run in [0usize, 1, 37, 63, 64, 69] {
            let (g, lane) = (run / 64, run % 64);
            let (start, sweeps) = settings.streams(g);
            let mut scalar = ScalarLattice::random(lattice.sites(), lane, &start);
            for s in 0..settings.sweeps {
                scalar.sweep(
                    &lattice,
                    &sweeps,
                    s as u64,
                    lane,
                    1.0,
                    settings.temperature(s),
                );
            }
            let e = -(lattice.sites() as f64) / 2.0 + defects(l, scalar.bits()) as f64;
            assert_eq!(outcomes.energies[run], e, "L = {l}, run {run}");
        }
        // And the whole configuration, lane by lane, after every sweep of a hot schedule.
        let nb = Neighbours::new(&lattice);
        let (start, sweeps) = settings.streams(0);
        let mut packed = SpinWords::random(lattice.sites(), u64::MAX, &start);
        let mut scalars: Vec<ScalarLattice> = (0..64)
            .map(|lane| ScalarLattice::random(lattice.sites(), lane, &start))
            .collect();
        for s in 0..10u64 {
            let t = 0.3 + 0.2 * s as f64;
            packed.sweep(&nb, &sweeps, s, Thresholds::metropolis(1.0, t));
            for (lane, scalar) in scalars.iter_mut().enumerate() {
                scalar.sweep(&lattice, &sweeps, s, lane, 1.0, t);
                assert_eq!(
                    packed.lane(lane),
                    scalar.bits(),
                    "L = {l}, sweep {s}, lane {lane}"
                );
            }
        }
        let counts = packed.defects(&nb);
        for (lane, scalar) in scalars.iter().enumerate() {
            assert_eq!(counts[lane] as usize, defects(l, scalar.bits()));
        }
    }
}

#[test]
fn fixed_temperature_sa_matches_the_exact_energy_at_bijective_l8() {
    for t in [0.6f64, 1.0, 2.0] {
        let exact = -0.5 * (0.5 / t).tanh();
        let eq = equilibrium_energy(model(8), t, 500, 4000, 128, 3).unwrap();
        let z = (eq.energy - exact) / eq.stderr;
        assert!(
            z.abs() < 4.0,
            "T = {t}: {} ± {} vs exact {exact}",
            eq.energy,
            eq.stderr
        );
        assert!(eq.stderr < 2e-3, "T = {t}: stderr {}", eq.stderr);
    }
}

#[test]
fn fixed_temperature_sa_matches_the_codeword_sum_at_l6() {
    let thermo = ExactThermo::new(model(6));
    for t in [0.6, 1.5] {
        let exact = thermo.at(t).unwrap();
        assert_eq!(exact.method, ThermoMethod::CodewordSum);
        let eq = equilibrium_energy(model(6), t, 500, 4000, 128, 4).unwrap();
        let z = (eq.energy - exact.e) / eq.stderr;
        assert!(
            z.abs() < 4.0,
            "T = {t}: {} ± {} vs exact {}",
            eq.energy,
            eq.stderr,
            exact.e
        );
    }
}

/// ⟨H⟩/N at L = 2 from the 16 states, and their Boltzmann weights.
fn boltzmann_l2(t: f64) -> Vec<f64> {
    let w: Vec<f64> = (0..16u32)
        .map(|x| {
            let bits: Vec<u8> = (0..4).map(|i| ((x >> i) & 1) as u8).collect();
            (-(defects(2, &bits) as f64 - 2.0) / t).exp()
        })
        .collect();
    let z: f64 = w.iter().sum();
    w.iter().map(|v| v / z).collect()
}

#[test]
fn metropolis_sweeps_at_l2_have_the_boltzmann_distribution_as_their_fixed_point() {
    let t = 0.8;
    let pi = boltzmann_l2(t);
    // The acceptance rule as a matrix: site i's update, then the raster sweep's product.
    let accept = |delta: f64| -> f64 {
        if delta <= 0.0 {
            1.0
        } else {
            annealscape::baselines::threshold((-delta / t).exp()) as f64 / 2f64.powi(64)
        }
    };
    let energy = |x: usize| {
        let bits: Vec<u8> = (0..4).map(|i| ((x >> i) & 1) as u8).collect();
        defects(2, &bits) as f64 - 2.0
    };
    let mut sweep = nalgebra::DMatrix::<f64>::identity(16, 16);
    for i in 0..4 {
        let mut p = nalgebra::DMatrix::<f64>::zeros(16, 16);
        for x in 0..16 {
            let y = x ^ (1 << i);
            let a = accept(energy(y) - energy(x));
            p[(x, y)] = a;
            p[(x, x)] = 1.0 - a;
        }
        for x in 0..16 {
            for y in 0..16 {
                let flow = pi[x] * p[(x, y)] - pi[y] * p[(y, x)];
                assert!(
                    flow.abs() < 1e-15,
                    "detailed balance at site {i}: {x} -> {y}"
                );
            }
        }
        sweep *= p;
    }
    // The sweep matrix's stationary vector (power iteration) is π.
    let mut v = nalgebra::DVector::from_element(16, 1.0 / 16.0);
    for _ in 0..2000 {
        v = sweep.transpose() * v;
    }
    for x in 0..16 {
        assert!(
            (v[x] - pi[x]).abs() < 1e-12,
            "state {x}: {} vs {}",
            v[x],
            pi[x]
        );
    }
    // And the packed chain samples it: per-lane state frequencies against π.
    let lattice = Lattice::new(2).unwrap();
    let nb = Neighbours::new(&lattice);
    let stream = Stream::new(5, 2, 0);
    let mut spins = SpinWords::random(4, u64::MAX, &Stream::new(5, 1, 0));
    let sweeps = 4000;
    let mut freq = vec![[0.0f64; 16]; 64];
    for s in 0..sweeps + 100 {
        spins.sweep(&nb, &stream, s as u64, Thresholds::metropolis(1.0, t));
        if s >= 100 {
            for (lane, f) in freq.iter_mut().enumerate() {
                let bits = spins.lane(lane);
                let x: usize = (0..4).map(|i| (bits[i] as usize) << i).sum();
                f[x] += 1.0 / sweeps as f64;
            }
        }
    }
    for x in 0..16 {
        let per_lane: Vec<f64> = freq.iter().map(|f| f[x]).collect();
        let (mean, se) = annealscape::baselines::mean_and_stderr(&per_lane);
        assert!(
            (mean - pi[x]).abs() < 4.0 * se + 1e-9,
            "state {x}: {mean} ± {se} vs {}",
            pi[x]
        );
    }
}

#[test]
fn every_parallel_tempering_replica_has_the_exact_energy_of_its_temperature_at_l4() {
    let pt = Tempering {
        model: model(4),
        replicas: 6,
        t_min: 0.3,
        t_max: 2.0,
        budget: 6 * 20_000,
        runs: 64,
        seed: 2,
    };
    let out = parallel_tempering(&pt).unwrap();
    for (t, (e, se)) in out.temperatures.iter().zip(&out.ladder_energies) {
        let exact = -0.5 * (0.5 / t).tanh();
        assert!(
            (e - exact).abs() < 4.0 * se,
            "T = {t}: {e} ± {se} vs {exact}"
        );
    }
    // At L = 4 (one ground state) every run finds it, and says when.
    assert!(out.outcomes.energies.iter().all(|&e| e == -8.0));
    assert!(out
        .first_hits
        .iter()
        .all(|h| h.is_some_and(|b| b % 6 == 0 && b > 0)));
}

#[test]
fn slow_annealing_reaches_the_ground_states_and_names_them() {
    let lattice = Lattice::new(3).unwrap();
    let out = simulated_annealing(&Annealing::new(lattice, 2000, 64, 1)).unwrap();
    let s = out.summary();
    // Even at L = 3 a run can freeze with defects that no single flip removes.
    assert!(s.ground_state_fraction > 0.9, "{s:?}");
    let states = GroundStates::new(lattice);
    let counts = out.ground_state_counts(&states);
    let reached = out.energies.iter().filter(|&&e| e == -4.5).count();
    assert_eq!(counts.iter().map(|c| c.1).sum::<usize>(), reached);
    assert_eq!(reached as f64 / 64.0, s.ground_state_fraction);
    // From random starts all four ground states of L = 3 are reached.
    assert_eq!(counts.len(), 4, "{counts:?}");
    let sqa = QuantumAnnealing {
        model: model(3),
        slices: 8,
        t: 0.05,
        b0: 1.0,
        sweeps: 500,
        runs: 16,
        seed: 1,
    };
    let q = quantum_annealing(&sqa).unwrap();
    assert!(q.outcomes.summary().ground_state_fraction > 0.5);
    for (best, avg) in q.outcomes.energies.iter().zip(&q.slice_average) {
        assert!(best <= avg);
    }
}

#[test]
fn bad_settings_are_refused_with_the_value_named() {
    let lattice = Lattice::new(4).unwrap();
    let mut a = Annealing::new(lattice, 10, 0, 1);
    assert_eq!(
        simulated_annealing(&a).unwrap_err(),
        BaselineError::Zero {
            name: "runs",
            value: 0
        }
    );
    a.runs = 1;
    a.t0 = f64::NAN;
    assert!(simulated_annealing(&a)
        .unwrap_err()
        .to_string()
        .contains("t0 = NaN"));
    a.t0 = 2.0;
    a.sweeps = usize::MAX / 2;
    assert!(matches!(
        simulated_annealing(&a).unwrap_err(),
        BaselineError::TooLarge { .. }
    ));
    let pt = Tempering {
        model: model(4),
        replicas: 4,
        t_min: 2.0,
        t_max: 0.5,
        budget: 100,
        runs: 1,
        seed: 0,
    };
    assert!(parallel_tempering(&pt)
        .unwrap_err()
        .to_string()
        .contains("t_min = 2"));
}

#[test]
fn each_scaling_law_is_recovered_from_its_own_curve_and_wins_the_aic() {
    use annealscape::baselines::scaling::{fit, fit_all, Law, Point};
    let taus = [
        10.0f64, 31.6, 100.0, 316.0, 1000.0, 3162.0, 1e4, 31623.0, 1e5,
    ];
    type Curve = (Law, fn(f64) -> f64, f64);
    let curves: [Curve; 3] = [
        (Law::Power, |t: f64| 0.3 * t.powf(-0.4), 0.4),
        (Law::Logarithmic, |t: f64| 0.3 * t.ln().powf(-1.7), 1.7),
        (
            Law::Freezing,
            |t: f64| 0.3 * (-(t.ln() / 0.8).sqrt()).exp(),
            0.8,
        ),
    ];
    for (law, f, exponent) in curves {
        // ±2 % errors, the points themselves on the curve.
        let points: Vec<Point> = taus
            .iter()
            .map(|&tau| Point {
                tau,
                mean: f(tau),
                stderr: 0.02 * f(tau),
            })
            .collect();
        let own = fit(law, &points).unwrap();
        assert!(
            (own.exponent - exponent).abs() < 1e-9 * exponent,
            "{law:?}: {}",
            own.exponent
        );
        assert!((own.a - 0.3).abs() < 1e-9 && own.chi2 < 1e-12);
        assert_eq!(
            fit_all(&points)[0].law,
            law,
            "{law:?} should win its own curve"
        );
    }
    // Points at ε = 0 (every run at E₀) cannot enter a log fit.
    let zeros = [Point {
        tau: 10.0,
        mean: 0.0,
        stderr: 0.0,
    }; 5];
    assert!(fit(Law::Power, &zeros).is_none());
}
