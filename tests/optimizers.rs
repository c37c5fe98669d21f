//! The natural gradient on the real network: minSR (sample space) against SR in parameter
//! space built in the test from the samples' log-derivatives, a short SR anneal reaching the
//! ground energy, and the pairs that are refused.

use annealscape::anneal::{Outcome, Silent};
use annealscape::nn::{
    centred, sample_space_step, Autoregressive, NetworkConfig, NetworkWorkspace,
};
use annealscape::physics::{Lattice, NewmanMoore};
use annealscape::run::RunConfig;
use nalgebra::{DMatrix, DVector};
use ndarray::Array2;
use rand::{rngs::StdRng, SeedableRng};

#[test]
fn minsr_equals_sr_in_parameter_space_on_a_sampled_batch() {
    let model = NewmanMoore::new(Lattice::new(3).unwrap(), 1.0).unwrap();
    let net = NetworkConfig {
        hidden: 4,
        ..Default::default()
    }
    .init(3, &mut StdRng::seed_from_u64(3));
    let (bits, log_p) = net.sample(40, &mut StdRng::seed_from_u64(4));
    let mut ws = vec![NetworkWorkspace::default()];
    let mut local = ndarray::Array1::zeros(40);
    annealscape::anneal::Objective::quantum(0.5).local_values(
        &net,
        bits.view(),
        log_p.view(),
        model.energies(bits.view()).view(),
        &mut ws,
        local.view_mut(),
    );
    let p = net.params().len();
    let mut d = Array2::zeros((40, p));
    net.log_derivatives(bits.view(), d.view_mut(), &mut ws[0]);
    let (dbar, eps) = centred(d.view(), local.view());
    let shift = 1e-3;
    let phi = sample_space_step(dbar.view(), eps.view(), shift, 0.0, None).unwrap();
    // (S + λI)φ = g in parameter space, S = D̄ᵀD̄ and g = D̄ᵀε, by a dense LU solve.
    let s = dbar.t().dot(&dbar);
    let g = dbar.t().dot(&eps);
    let a = DMatrix::from_fn(p, p, |i, j| s[[i, j]] + if i == j { shift } else { 0.0 });
    let want = a
        .lu()
        .solve(&DVector::from_iterator(p, g.iter().copied()))
        .unwrap();
    let scale = want.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    for (x, y) in phi.iter().zip(want.iter()) {
        assert!((x - y).abs() < 1e-10 * scale, "{x} vs {y}");
    }
}

#[test]
fn a_short_sr_anneal_at_l3_reaches_the_ground_energy() {
    let config = RunConfig::preset("quick")
        .unwrap()
        .with_overrides(&[
            "lattice.size=3".into(),
            "network.hidden=12".into(),
            "optimizer.kind=sr".into(),
            "optimizer.learning_rate=0.1".into(),
            "anneal.warmup_steps=50".into(),
            "anneal.anneal_steps=1000".into(),
            "anneal.final_samples=2000".into(),
        ])
        .unwrap();
    let mut annealer = annealscape::run::annealer(&config).unwrap();
    let summary = match annealer.run(&mut Silent).unwrap() {
        Outcome::Finished(summary) => summary,
        other => panic!("{other:?}"),
    };
    assert!(
        summary.ground_state_fraction > 0.95 && (summary.energy_min + 0.5).abs() < 1e-12,
        "{}",
        summary.describe()
    );
}

#[test]
fn sr_refuses_the_authors_estimator_and_exact_gradients_by_name() {
    let base = RunConfig::preset("paper-quantum-L3").unwrap();
    let err = base
        .with_overrides(&["optimizer.kind=sr".into()])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("anneal.estimator") && err.contains("standard"),
        "{err}"
    );
    // SR with exact gradients solves a 2^N × 2^N system: L = 3 yes, L = 4 no.
    let exact = [
        "optimizer.kind=sr".to_string(),
        "anneal.estimator=standard".into(),
        "anneal.gradient=exact".into(),
    ];
    assert!(base.with_overrides(&exact).is_ok());
    let mut at_four = exact.to_vec();
    at_four.push("lattice.size=4".into());
    let err = base.with_overrides(&at_four).unwrap_err().to_string();
    assert!(
        err.contains("anneal.gradient") && err.contains("N = 16"),
        "{err}"
    );
    // The order of the overrides does not matter: validation comes after the last.
    assert!(base
        .with_overrides(&[
            "optimizer.kind=sr".into(),
            "anneal.estimator=standard".into()
        ])
        .is_ok());
}

/// One exact SR step moves the weights by η·N times the natural direction `direction`
/// computes at the step's start (c and the per-spin scaling included), and a short exact SR
/// anneal reaches the ground energy.
#[test]
fn an_exact_sr_step_is_the_natural_direction_and_anneals_to_the_ground_state() {
    let config = RunConfig::preset("quick")
        .unwrap()
        .with_overrides(&[
            "lattice.size=3".into(),
            "network.hidden=6".into(),
            "optimizer.kind=sr".into(),
            "optimizer.learning_rate=0.05".into(),
            "anneal.gradient=exact".into(),
            "anneal.warmup_steps=50".into(),
            "anneal.anneal_steps=300".into(),
            "anneal.final_samples=2000".into(),
        ])
        .unwrap();
    let mut annealer = annealscape::run::annealer(&config).unwrap();
    let before = annealer.network().clone();
    annealer.step().unwrap();
    let model = NewmanMoore::new(Lattice::new(3).unwrap(), 1.0).unwrap();
    let direction = annealscape::curvature::update_direction(
        &before,
        &model,
        annealscape::anneal::Objective::quantum(config.anneal.start),
        annealscape::curvature::DirectionMethod::Natural {
            diag_shift: config.anneal.optimizer.diag_shift,
        },
        annealscape::curvature::CurvatureEstimator::Exact,
        0,
        0,
        None,
    )
    .unwrap()
    .direction;
    let want = direction * (0.05 * 9.0);
    let moved = annealer.last_update().to_flat();
    let diff = (&moved - &want).mapv(|d| d * d).sum().sqrt();
    let norm = want.dot(&want).sqrt();
    assert!(
        norm > 0.0 && diff < 1e-9 * norm,
        "relative {:.2e}",
        diff / norm
    );
    let summary = match annealer.run(&mut Silent).unwrap() {
        Outcome::Finished(summary) => summary,
        other => panic!("{other:?}"),
    };
    assert!(
        summary.ground_state_fraction > 0.95 && (summary.energy_min + 0.5).abs() < 1e-12,
        "{}",
        summary.describe()
    );
}
