//! Exact gradients (anneal.gradient = "exact"): the p-weighted gradient against central
//! differences of the energy computed from the wave function in the test, a short exact anneal
//! reaching the ground energy, thread independence, resume, and the size limit.

mod common;

use annealscape::anneal::{
    exact_weights, AnnealConfig, Annealer, Estimator, GradientSource, Objective, Outcome, Silent,
};
use annealscape::nn::{Autoregressive, Network, NetworkConfig, NetworkWorkspace};
use annealscape::physics::{all_configurations, Lattice, NewmanMoore};
use annealscape::run::{resume_blocking, run_blocking, RunConfig};
use ndarray::Array1;
use rand::{rngs::StdRng, SeedableRng};

/// ⟨ψ|H − BΣσˣ|ψ⟩ with ψ = √p, from p over all configurations: Σ p E − B Σ_s Σ_i √(p_s p_s⊕i).
fn energy(net: &Network, model: &NewmanMoore, field: f64) -> f64 {
    let n = model.lattice().sites();
    let all = all_configurations(n);
    let mut log_p = Array1::zeros(all.nrows());
    net.log_prob(
        all.view(),
        log_p.view_mut(),
        &mut NetworkWorkspace::default(),
    );
    let p = log_p.mapv(f64::exp);
    let classical = p.dot(&model.energies(all.view()));
    let mut transverse = 0.0;
    for s in 0..all.nrows() {
        for i in 0..n {
            // Row s of the enumeration holds the bits of s (bit i at site i).
            transverse += (p[s] * p[s ^ (1 << i)]).sqrt();
        }
    }
    classical - field * transverse
}

#[test]
fn the_exact_gradient_equals_central_differences_of_the_energy() {
    let model = NewmanMoore::new(Lattice::new(3).unwrap(), 1.0).unwrap();
    let field = 0.7;
    let mut rng = StdRng::seed_from_u64(11);
    let net = NetworkConfig {
        hidden: 4,
        ..Default::default()
    }
    .init(3, &mut rng);
    assert_eq!(net.params().len(), 62);
    let all = all_configurations(9);
    let mut ws = vec![NetworkWorkspace::default(), NetworkWorkspace::default()];
    let mut log_p = Array1::zeros(512);
    net.log_prob(all.view(), log_p.view_mut(), &mut ws[0]);
    let mut local = Array1::zeros(512);
    Objective::quantum(field).local_values(
        &net,
        all.view(),
        log_p.view(),
        model.energies(all.view()).view(),
        &mut ws,
        local.view_mut(),
    );
    let p = log_p.mapv(f64::exp);
    for (estimator, factor) in [(Estimator::Standard, 1.0), (Estimator::Authors, 2.0)] {
        let weights = exact_weights(estimator, p.view(), local.view());
        let mut grad = net.params().zeros_like();
        net.accumulate_grad(all.view(), weights.view(), &mut grad, &mut ws[0]);
        let h = 1e-5;
        let (mut diff2, mut norm2) = (0.0, 0.0);
        for k in 0..grad.len() {
            let at = |t: f64| {
                let mut moved = net.clone();
                moved.params_mut().flat_mut()[k] += t;
                energy(&moved, &model, field)
            };
            let fd = factor * (at(h) - at(-h)) / (2.0 * h);
            diff2 += (grad.flat()[k] - fd).powi(2);
            norm2 += fd * fd;
        }
        let relative = (diff2 / norm2).sqrt();
        assert!(
            relative < 1e-7,
            "{estimator:?}: relative difference {relative:.2e}"
        );
    }
}

fn exact_config(l_size: usize) -> RunConfig {
    RunConfig::preset("quick")
        .unwrap()
        .with_overrides(&[
            format!("lattice.size={l_size}"),
            "network.hidden=12".into(),
            "anneal.gradient=exact".into(),
            "anneal.warmup_steps=50".into(),
            "anneal.anneal_steps=300".into(),
            "anneal.train_steps=2".into(),
            "anneal.final_samples=2000".into(),
            "output.resume_every=100".into(),
            "seed=4".into(),
        ])
        .unwrap()
}

#[test]
fn a_short_exact_anneal_at_l3_reaches_the_ground_energy() {
    let config = exact_config(3);
    let a: AnnealConfig = config.anneal.clone();
    assert_eq!(a.gradient, GradientSource::Exact);
    let mut annealer = annealscape::run::annealer(&config).unwrap();
    let summary = match annealer.run(&mut Silent).unwrap() {
        Outcome::Finished(summary) => summary,
        other => panic!("{other:?}"),
    };
    assert!(
        summary.ground_state_fraction > 0.99 && (summary.energy_min + 0.5).abs() < 1e-12,
        "{}",
        summary.describe()
    );
}

#[test]
fn an_exact_run_is_the_same_on_one_and_two_threads_and_after_a_stop() {
    let config = exact_config(3);
    let run_on = |threads: usize, tag: &str| {
        let dir = common::temp_dir(tag);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let outcome = pool.install(|| run_blocking(&config, &dir, &mut Silent));
        assert!(matches!(outcome, Ok(Outcome::Finished(_))), "{outcome:?}");
        dir
    };
    let one = run_on(1, "exact-1");
    let two = run_on(2, "exact-2");
    let metrics = common::metrics_without_seconds;
    assert_eq!(metrics(&one), metrics(&two));
    // Stopped at step 170 by a signal-like request, then resumed.
    let parts = common::temp_dir("exact-parts");
    let stopped = run_blocking(&config, &parts, &mut common::StopAt(170)).unwrap();
    assert_eq!(stopped, Outcome::Stopped { steps: 170 });
    assert!(matches!(
        resume_blocking(&parts, &mut Silent),
        Ok(Outcome::Finished(_))
    ));
    assert_eq!(metrics(&one), metrics(&parts));
    for d in [one, two, parts] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn exact_gradients_are_refused_above_sixteen_sites_naming_the_setting() {
    let config = AnnealConfig {
        gradient: GradientSource::Exact,
        ..RunConfig::preset("quick").unwrap().anneal
    };
    let err = Annealer::new(
        Lattice::new(5).unwrap(),
        1.0,
        NetworkConfig::default(),
        &config,
        0,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        err.contains("anneal.gradient") && err.contains("N = 25"),
        "{err}"
    );
    let err = RunConfig::preset("quick")
        .unwrap()
        .with_overrides(&["lattice.size=5".into(), "anneal.gradient=exact".into()])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("anneal.gradient") && err.contains("sampled"),
        "{err}"
    );
}
