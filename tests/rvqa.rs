//! RVQA (SPEC §8.3): the entropy-regularised quantum objective E_loc + T_f·log p. At B = 0 it
//! is the thermal objective at T = T_f; its exact gradient is the derivative of
//! ⟨ψ|H − BΣσˣ|ψ⟩ − T_f·S(p) computed in the test; a run reports T_f = T_f0·B/B₀ per step and
//! reaches the ground energy as T_f and B fall to 0; bad settings are refused by name.

use annealscape::anneal::{exact_weights, Estimator, Objective, Outcome, Silent};
use annealscape::nn::{Autoregressive, Network, NetworkConfig, NetworkWorkspace};
use annealscape::physics::{all_configurations, Lattice, NewmanMoore};
use annealscape::run::{read_metrics, run_blocking, RunConfig};
use ndarray::Array1;
use rand::{rngs::StdRng, SeedableRng};

mod common;

fn small_network(seed: u64) -> Network {
    let mut rng = StdRng::seed_from_u64(seed);
    NetworkConfig {
        hidden: 4,
        ..Default::default()
    }
    .init(3, &mut rng)
}

/// Local values of `objective` at every configuration of the L = 3 lattice, with log p.
fn local_values(net: &Network, objective: Objective) -> (Array1<f64>, Array1<f64>) {
    let model = NewmanMoore::new(Lattice::new(3).unwrap(), 1.0).unwrap();
    let all = all_configurations(9);
    let mut ws = vec![NetworkWorkspace::default(), NetworkWorkspace::default()];
    let mut log_p = Array1::zeros(512);
    net.log_prob(all.view(), log_p.view_mut(), &mut ws[0]);
    let mut local = Array1::zeros(512);
    objective.local_values(
        net,
        all.view(),
        log_p.view(),
        model.energies(all.view()).view(),
        &mut ws,
        local.view_mut(),
    );
    (log_p, local)
}

#[test]
fn at_zero_field_the_regularised_objective_is_the_thermal_one() {
    let net = small_network(3);
    let t = 0.8;
    let (_, rvqa) = local_values(
        &net,
        Objective::Quantum {
            field: 0.0,
            entropy: t,
        },
    );
    let (_, thermal) = local_values(&net, Objective::Thermal { temperature: t });
    assert_eq!(rvqa, thermal);
    // With a field the log p term is added to the plain quantum local energy.
    let (log_p, rvqa) = local_values(
        &net,
        Objective::Quantum {
            field: 0.6,
            entropy: t,
        },
    );
    let (_, plain) = local_values(&net, Objective::quantum(0.6));
    for s in 0..512 {
        let want = plain[s] + t * log_p[s];
        assert!((rvqa[s] - want).abs() <= 1e-12 * want.abs().max(1.0), "{s}");
    }
}

/// ⟨ψ|H − BΣσˣ|ψ⟩ − T·S(p) with ψ = √p, from p over all configurations.
fn regularised_energy(net: &Network, field: f64, t: f64) -> f64 {
    let model = NewmanMoore::new(Lattice::new(3).unwrap(), 1.0).unwrap();
    let all = all_configurations(9);
    let mut log_p = Array1::zeros(512);
    net.log_prob(
        all.view(),
        log_p.view_mut(),
        &mut NetworkWorkspace::default(),
    );
    let p = log_p.mapv(f64::exp);
    let energies = model.energies(all.view());
    let mut total = 0.0;
    for s in 0..512 {
        total += p[s] * (energies[s] + t * log_p[s]);
        for i in 0..9 {
            total -= field * (p[s] * p[s ^ (1 << i)]).sqrt();
        }
    }
    total
}

#[test]
fn the_exact_regularised_gradient_equals_central_differences() {
    let net = small_network(7);
    let (field, t) = (0.7, 0.5);
    let (log_p, local) = local_values(&net, Objective::Quantum { field, entropy: t });
    let weights = exact_weights(
        Estimator::Standard,
        log_p.mapv(f64::exp).view(),
        local.view(),
    );
    let all = all_configurations(9);
    let mut grad = net.params().zeros_like();
    net.accumulate_grad(
        all.view(),
        weights.view(),
        &mut grad,
        &mut NetworkWorkspace::default(),
    );
    let h = 1e-5;
    let (mut diff2, mut norm2) = (0.0, 0.0);
    for k in 0..grad.len() {
        let at = |d: f64| {
            let mut moved = net.clone();
            moved.params_mut().flat_mut()[k] += d;
            regularised_energy(&moved, field, t)
        };
        let fd = (at(h) - at(-h)) / (2.0 * h);
        diff2 += (grad.flat()[k] - fd).powi(2);
        norm2 += fd * fd;
    }
    let relative = (diff2 / norm2).sqrt();
    assert!(relative < 1e-7, "relative difference {relative:.2e}");
}

#[test]
fn a_regularised_run_reports_its_entropy_temperature_and_reaches_the_ground_energy() {
    let config = RunConfig::preset("quick")
        .unwrap()
        .with_overrides(&[
            "lattice.size=3".into(),
            "network.hidden=12".into(),
            "anneal.start=1".into(),
            "anneal.entropy_start=0.5".into(),
            "anneal.warmup_steps=100".into(),
            "anneal.anneal_steps=400".into(),
            "anneal.train_steps=2".into(),
            "anneal.final_samples=2000".into(),
            "seed=2".into(),
        ])
        .unwrap();
    let dir = common::temp_dir("rvqa-run");
    let outcome = run_blocking(&config, &dir, &mut Silent).unwrap();
    let Outcome::Finished(summary) = outcome else {
        panic!("{outcome:?}")
    };
    let rows = read_metrics(&dir.join("metrics.csv")).unwrap().rows;
    for row in &rows {
        let want = 0.5 * row.field / 1.0;
        let found = row.entropy_temperature.expect("an RVQA run writes T_f");
        assert!((found - want).abs() < 1e-12, "step {}: {found}", row.step);
    }
    assert!(
        summary.ground_state_fraction > 0.99 && (summary.energy_min + 0.5).abs() < 1e-12,
        "{}",
        summary.describe()
    );
    // The configuration written to the run folder keeps the setting.
    let written = std::fs::read_to_string(dir.join("config.toml")).unwrap();
    assert!(written.contains("entropy_start = 0.5"), "{written}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_entropy_settings_are_refused_by_name() {
    let refused = |overrides: &[&str]| {
        let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
        RunConfig::preset("quick")
            .unwrap()
            .with_overrides(&overrides)
            .unwrap_err()
            .to_string()
    };
    let thermal = refused(&["anneal.kind=thermal", "anneal.entropy_start=0.5"]);
    assert!(
        thermal.contains("anneal.entropy_start") && thermal.contains("quantum"),
        "{thermal}"
    );
    let negative = refused(&["anneal.entropy_start=-1"]);
    assert!(negative.contains("(got -1)"), "{negative}");
    let no_field = refused(&["anneal.start=0", "anneal.entropy_start=0.5"]);
    assert!(no_field.contains("anneal.start"), "{no_field}");
    let nan = refused(&["anneal.entropy_start=nan"]);
    assert!(nan.contains("anneal.entropy_start"), "{nan}");
}
