//! `represent`: the exact forward-KL fit (SPEC §9). Its KL, gradient and fidelity are checked
//! against sums written out here and against central differences; fits reach KL < 1e−3 on
//! targets the 2D RNN provably contains.

mod common;

use std::ops::ControlFlow;

use annealscape::distance::log_probs_of_all;
use annealscape::nn::{load_npz, save_npz, Autoregressive, Network, NetworkConfig};
use annealscape::physics::{all_configurations, Lattice, NewmanMoore, QuantumStateCache};
use annealscape::represent::{
    forward_kl, kl_gradient, represent, ExactTarget, FitSettings, RepresentOptimizer, StopReason,
    TargetKind,
};
use ndarray::{Array1, Array2};
use rand::{rngs::StdRng, SeedableRng};

fn network(size: usize, hidden: usize, seed: u64) -> Network {
    let config = NetworkConfig {
        hidden,
        ..NetworkConfig::default()
    };
    config.init(size, &mut StdRng::seed_from_u64(seed))
}

fn model(size: usize) -> NewmanMoore {
    NewmanMoore::new(Lattice::new(size).unwrap(), 1.0).unwrap()
}

/// i.i.d. Bernoulli(p) on every site: the 2D RNN holds it exactly (W = 0, c₁ − c₀ = logit p).
fn iid_target(sites: usize, p: f64) -> ExactTarget {
    let log_p = Array1::from_iter((0..1usize << sites).map(|s| {
        let ones = s.count_ones() as f64;
        ones * p.ln() + (sites as f64 - ones) * (1.0 - p).ln()
    }));
    ExactTarget::from_log_probs(TargetKind::GroundStates, log_p, Array2::zeros((1, sites))).unwrap()
}

fn quiet(_: &annealscape::represent::FitStep) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

#[test]
fn the_thermal_target_and_its_kl_are_the_boltzmann_sums() {
    let m = model(3);
    let t = 0.7;
    let target = ExactTarget::new(
        &m,
        TargetKind::Thermal { t },
        &QuantumStateCache::in_memory(),
    )
    .unwrap();
    let all = all_configurations(9);
    let energies = m.energies(all.view());
    let z: f64 = energies.iter().map(|e| (-e / t).exp()).sum();
    let net = network(3, 6, 4);
    let log_q = log_probs_of_all(&net);
    let mut kl = 0.0;
    for s in 0..512 {
        let p = (-energies[s] / t).exp() / z;
        assert!((target.log_p[s].exp() - p).abs() < 1e-14);
        kl += p * (p.ln() - log_q[s]);
    }
    assert!((forward_kl(&target, &log_q) - kl).abs() < 1e-12 * kl.max(1.0));
}

#[test]
fn the_ground_state_mixture_holds_only_the_ground_states() {
    let m = model(3);
    let target = ExactTarget::new(
        &m,
        TargetKind::GroundStates,
        &QuantumStateCache::in_memory(),
    )
    .unwrap();
    let all = all_configurations(9);
    let energies = m.energies(all.view());
    let e0 = energies.iter().cloned().fold(f64::INFINITY, f64::min);
    let ground: Vec<usize> = (0..512).filter(|&s| energies[s] <= e0 + 1e-9).collect();
    assert_eq!(ground.len(), 4, "L = 3 has 4 ground states");
    assert_eq!(target.support(), ground);
    for &s in &ground {
        assert!((target.log_p[s] - 0.25f64.ln()).abs() < 1e-14);
    }
    assert_eq!(target.ground_states.nrows(), 4);
}

#[test]
fn the_kl_gradient_matches_central_differences() {
    let m = model(3);
    let target = ExactTarget::new(
        &m,
        TargetKind::Quantum { b: 0.6 },
        &QuantumStateCache::in_memory(),
    )
    .unwrap();
    let net = network(3, 5, 9);
    let grad = kl_gradient(&net, &target);
    let h = 1e-5;
    let n = net.params().len();
    for k in [0, 7, n / 3, n / 2, n - 3, n - 1] {
        let kl_at = |delta: f64| {
            let mut moved = net.clone();
            moved.params_mut().flat_mut()[k] += delta;
            forward_kl(&target, &log_probs_of_all(&moved))
        };
        let numeric = (kl_at(h) - kl_at(-h)) / (2.0 * h);
        let exact = grad.flat()[k];
        assert!(
            (numeric - exact).abs() < 1e-7 * (1.0 + exact.abs()),
            "parameter {k}: central difference {numeric}, gradient {exact}"
        );
    }
}

#[test]
fn adam_fits_an_iid_product_below_1e_minus_3() {
    let target = iid_target(9, 0.3);
    let mut net = network(3, 8, 1);
    let settings = FitSettings {
        optimizer: RepresentOptimizer::Adam {
            learning_rate: 1e-2,
        },
        max_steps: 3000,
        patience: 300,
        kl_floor: 1e-4,
        ..FitSettings::default()
    };
    let outcome = represent(&mut net, &target, &settings, quiet).unwrap();
    assert!(
        outcome.best_kl < 1e-3,
        "best KL {} after {} steps ({:?})",
        outcome.best_kl,
        outcome.steps,
        outcome.stop
    );
    // The network is left at the best weights, and the reported KL is theirs.
    let again = forward_kl(&target, &log_probs_of_all(&net));
    assert!((again - outcome.best_kl).abs() < 1e-12);
    assert!(outcome.initial_kl > 10.0 * outcome.best_kl);
    assert_eq!(outcome.curve[0].step, 0);
    assert!((outcome.curve[0].kl - outcome.initial_kl).abs() < 1e-15);
}

#[test]
fn the_natural_gradient_fits_an_iid_product_below_1e_minus_3() {
    let target = iid_target(9, 0.7);
    let mut net = network(3, 6, 2);
    let settings = FitSettings {
        optimizer: RepresentOptimizer::Sr {
            learning_rate: 0.1,
            shift: 0.1,
        },
        max_steps: 400,
        patience: 100,
        kl_floor: 1e-4,
        ..FitSettings::default()
    };
    let outcome = represent(&mut net, &target, &settings, quiet).unwrap();
    assert!(
        outcome.best_kl < 1e-3,
        "best KL {} after {} steps",
        outcome.best_kl,
        outcome.steps
    );
}

#[test]
fn a_fit_reaches_another_seeds_network_from_its_checkpoint() {
    let dir = common::temp_dir("represent-other-seed");
    let other = network(3, 12, 17);
    let path = dir.join("other.npz");
    save_npz(&path, other.params()).unwrap();
    let params = load_npz(&path, other.params()).unwrap();
    let read = Network::from_params(other.config(), 3, params).unwrap();
    let target = ExactTarget::from_log_probs(
        TargetKind::GroundStates,
        log_probs_of_all(&read),
        Array2::zeros((1, 9)),
    )
    .unwrap();
    let mut net = network(3, 12, 3);
    let settings = FitSettings {
        optimizer: RepresentOptimizer::Adam {
            learning_rate: 1e-2,
        },
        max_steps: 6_000,
        patience: 1000,
        kl_floor: 1e-4,
        ..FitSettings::default()
    };
    let outcome = represent(&mut net, &target, &settings, quiet).unwrap();
    assert!(
        outcome.best_kl < 1e-3,
        "best KL {} from {} after {} steps",
        outcome.best_kl,
        outcome.initial_kl,
        outcome.steps
    );
}

#[test]
fn the_stop_rule_ends_a_fit_that_no_longer_improves() {
    // η = 1e−9 cannot move the KL by a relative 1e−3: the fit stops after the patience.
    let target = iid_target(9, 0.3);
    let mut net = network(3, 4, 5);
    let settings = FitSettings {
        optimizer: RepresentOptimizer::Adam {
            learning_rate: 1e-9,
        },
        max_steps: 1000,
        patience: 25,
        ..FitSettings::default()
    };
    let outcome = represent(&mut net, &target, &settings, quiet).unwrap();
    assert_eq!(outcome.stop, StopReason::Converged);
    assert_eq!(outcome.steps, 25);
    // The observer can stop it too.
    let mut seen = 0;
    let outcome = represent(&mut net, &target, &settings, |s| {
        seen = s.step;
        if s.step == 3 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .unwrap();
    assert_eq!(
        (outcome.stop, outcome.steps, seen),
        (StopReason::Stopped, 3, 3)
    );
}

#[test]
fn the_quantum_fit_reports_the_fidelity_of_its_best_weights() {
    let m = model(3);
    let cache = QuantumStateCache::in_memory();
    let target = ExactTarget::new(&m, TargetKind::Quantum { b: 0.8 }, &cache).unwrap();
    let psi = cache.get(&m, 0.8).unwrap().amplitudes;
    let mut net = network(3, 6, 6);
    let settings = FitSettings {
        max_steps: 30,
        ..FitSettings::default()
    };
    let outcome = represent(&mut net, &target, &settings, quiet).unwrap();
    let log_q = log_probs_of_all(&net);
    let overlap: f64 = (0..512).map(|s| psi[s] * (0.5 * log_q[s]).exp()).sum();
    assert!((outcome.fidelity.unwrap() - overlap * overlap).abs() < 1e-12);
    assert!(outcome.modes.effective_modes >= 1.0 && outcome.modes.effective_modes <= 4.0);
}

#[test]
fn bad_settings_and_sizes_are_refused_by_name() {
    let m = model(5);
    let err = ExactTarget::new(
        &m,
        TargetKind::Thermal { t: 1.0 },
        &QuantumStateCache::in_memory(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("N = 25"), "{err}");
    let err = ExactTarget::new(
        &model(3),
        TargetKind::Thermal { t: 0.0 },
        &QuantumStateCache::in_memory(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("T = 0"), "{err}");
    let sr = FitSettings {
        optimizer: RepresentOptimizer::Sr {
            learning_rate: 0.1,
            shift: 0.1,
        },
        ..FitSettings::default()
    };
    assert!(sr.validate(16).unwrap_err().to_string().contains("N ≤ 12"));
    let mut net = network(2, 4, 0);
    let err = represent(
        &mut net,
        &iid_target(9, 0.5),
        &FitSettings::default(),
        quiet,
    )
    .unwrap_err();
    assert!(err.to_string().contains("4 sites"), "{err}");
}

#[test]
fn the_command_writes_the_summary_the_curve_and_the_best_weights() {
    let dir = common::temp_dir("represent-cli");
    let out = dir.join("fit");
    let text = common::ok(common::annealscape(&[
        "represent",
        "--l",
        "3",
        "--target",
        "thermal",
        "--x",
        "1.0",
        "--hidden",
        "6",
        "--max-steps",
        "40",
        "--out",
        out.to_str().unwrap(),
    ]));
    assert!(text.contains("best_kl\t"), "{text}");
    let summary: toml::Table =
        toml::from_str(&std::fs::read_to_string(out.join("represent.toml")).unwrap()).unwrap();
    assert_eq!(summary["stop"].as_str(), Some("max-steps"));
    assert_eq!(summary["steps"].as_integer(), Some(40));
    let best = summary["best_kl"].as_float().unwrap();
    let curve = std::fs::read_to_string(out.join("kl.csv")).unwrap();
    let kls: Vec<f64> = curve
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(kls.len(), 41);
    let smallest = kls.iter().cloned().fold(f64::INFINITY, f64::min);
    assert!((smallest - best).abs() < 1e-12 * best);
    // The stored weights have that KL.
    let template = network(3, 6, 0);
    let params = load_npz(&out.join("best.npz"), template.params()).unwrap();
    let net = Network::from_params(template.config(), 3, params).unwrap();
    let target = ExactTarget::new(
        &model(3),
        TargetKind::Thermal { t: 1.0 },
        &QuantumStateCache::in_memory(),
    )
    .unwrap();
    assert!((forward_kl(&target, &log_probs_of_all(&net)) - best).abs() < 1e-12 * best);
    // MADE at the 2D RNN's size: 183 units, 3,486 parameters at L = 3.
    let made_dir = dir.join("made");
    let text = common::ok(common::annealscape(&[
        "represent",
        "--cell",
        "made",
        "--l",
        "3",
        "--target",
        "ground",
        "--max-steps",
        "3",
        "--out",
        made_dir.to_str().unwrap(),
    ]));
    assert!(
        text.contains("cell\tmade") && text.contains("parameters\t3486"),
        "{text}"
    );
    let bad = common::annealscape(&[
        "represent",
        "--cell",
        "made",
        "--from",
        "x.npz",
        "--target",
        "ground",
        "--out",
        "/tmp/x",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("network.cell"));
    // A bad value is refused by name, and a folder holding something else is left alone.
    let bad = common::annealscape(&[
        "represent",
        "--l",
        "3",
        "--target",
        "ground",
        "--x",
        "0.5",
        "--out",
        "/tmp/x",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--x 0.5"));
    let taken = dir.join("taken");
    std::fs::create_dir_all(&taken).unwrap();
    std::fs::write(taken.join("other.txt"), "mine").unwrap();
    let bad = common::annealscape(&[
        "represent",
        "--l",
        "3",
        "--target",
        "ground",
        "--out",
        taken.to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("other.txt"));
}
