//! `network.precision = "f32"` against the f64 network with the same weights: log p, the
//! single-flip log p and the gradient within stated tolerances at L = 3 and 5, and a short
//! f32 anneal that reaches the ground energy at L = 4.

use annealscape::anneal::Objective;
use annealscape::anneal::Silent;
use annealscape::anneal::{AnnealConfig, AnnealKind, Annealer, Estimator, Outcome, ScheduleShape};
use annealscape::nn::{Autoregressive, Network, NetworkConfig, NetworkWorkspace, Precision};
use annealscape::physics::{Lattice, NewmanMoore};
use ndarray::{Array1, Array2};
use rand::{rngs::StdRng, RngExt, SeedableRng};

/// The paper's network (n_h = 40) with random weights, a non-zero output bias, in both
/// precisions.
fn pair(l: usize, seed: u64) -> (Network, Network) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut wide = NetworkConfig::default().init(l, &mut rng);
    for x in wide.params_mut().slice_mut(4) {
        *x = rng.random_range(-0.5..0.5);
    }
    let config = NetworkConfig {
        precision: Precision::F32,
        ..wide.config()
    };
    let narrow = Network::from_params(config, l, wide.params().clone()).unwrap();
    (wide, narrow)
}

fn random_bits(rows: usize, n: usize, seed: u64) -> Array2<u8> {
    let mut rng = StdRng::seed_from_u64(seed);
    Array2::from_shape_fn((rows, n), |_| rng.random_range(0..2u8))
}

fn max_abs_diff(a: &Array1<f64>, b: &Array1<f64>) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn f32_log_p_and_single_flips_agree_with_f64() {
    for l in [3, 5] {
        let n = l * l;
        let (wide, narrow) = pair(l, 10 + l as u64);
        let bits = random_bits(200, n, l as u64);
        let mut ws = NetworkWorkspace::default();
        let (mut lp64, mut lp32) = (Array1::zeros(200), Array1::zeros(200));
        wide.log_prob(bits.view(), lp64.view_mut(), &mut ws);
        narrow.log_prob(bits.view(), lp32.view_mut(), &mut ws);
        let err = max_abs_diff(&lp64, &lp32);
        eprintln!("L = {l}: max |Δ log p| = {err:.2e}");
        assert!(err > 0.0, "L = {l}: the f32 pass gave the f64 bits");
        assert!(err < 1e-6 * n as f64, "L = {l}: max |Δ log p| = {err:.2e}");

        let (mut own64, mut own32) = (Array1::zeros(200), Array1::zeros(200));
        let (mut fl64, mut fl32) = (Array2::zeros((200, n)), Array2::zeros((200, n)));
        wide.log_prob_single_flips(bits.view(), own64.view_mut(), fl64.view_mut(), &mut ws);
        narrow.log_prob_single_flips(bits.view(), own32.view_mut(), fl32.view_mut(), &mut ws);
        // The flip pass multiplies by other kernels than the plain one, so in f32 it agrees
        // with it to f32's rounding, not bit for bit.
        let own_err = max_abs_diff(&own32, &lp32);
        eprintln!("L = {l}: max |Δ log p| between the f32 passes = {own_err:.2e}");
        assert!(own_err < 1e-6 * n as f64, "L = {l}: {own_err:.2e}");
        let flip_err = (&fl64 - &fl32).iter().fold(0.0f64, |m, d| m.max(d.abs()));
        eprintln!("L = {l}: max |Δ log p(flipped)| = {flip_err:.2e}");
        assert!(flip_err < 1e-6 * n as f64, "L = {l}: {flip_err:.2e}");
    }
}

#[test]
fn f32_local_energies_agree_with_f64() {
    let l = 5;
    let (wide, narrow) = pair(l, 40);
    let model = NewmanMoore::new(Lattice::new(l).unwrap(), 1.0).unwrap();
    let mut rng = StdRng::seed_from_u64(41);
    let (bits, lp) = wide.sample(100, &mut rng);
    let energies = model.energies(bits.view());
    let objective = Objective::quantum(1.0);
    let mut workspaces = vec![NetworkWorkspace::default(), NetworkWorkspace::default()];
    let (mut e64, mut e32) = (Array1::zeros(100), Array1::zeros(100));
    let mut lp32 = Array1::zeros(100);
    narrow.log_prob(bits.view(), lp32.view_mut(), &mut workspaces[0]);
    objective.local_values(
        &wide,
        bits.view(),
        lp.view(),
        energies.view(),
        &mut workspaces,
        e64.view_mut(),
    );
    objective.local_values(
        &narrow,
        bits.view(),
        lp32.view(),
        energies.view(),
        &mut workspaces,
        e32.view_mut(),
    );
    let err = max_abs_diff(&e64, &e32);
    let scale = e64.iter().fold(0.0f64, |m, e| m.max(e.abs()));
    eprintln!("L = 5: max |Δ E_loc| = {err:.2e} (|E_loc| up to {scale:.1})");
    assert!(err > 0.0 && err < 4e-6 * scale, "{err:.2e}");
}

#[test]
fn f32_gradient_agrees_with_f64() {
    for l in [3, 5] {
        let n = l * l;
        let (wide, narrow) = pair(l, 20 + l as u64);
        let bits = random_bits(10, n, 30 + l as u64);
        let mut rng = StdRng::seed_from_u64(l as u64);
        let weights = Array1::from_shape_fn(10, |_| rng.random_range(-1.0..1.0));
        let mut ws = NetworkWorkspace::default();
        let mut g64 = wide.params().zeros_like();
        let mut g32 = wide.params().zeros_like();
        wide.accumulate_grad(bits.view(), weights.view(), &mut g64, &mut ws);
        narrow.accumulate_grad(bits.view(), weights.view(), &mut g32, &mut ws);
        for (t, spec) in wide.params().specs().iter().enumerate() {
            let (a, b) = (g64.slice(t), g32.slice(t));
            let diff = a
                .iter()
                .zip(b)
                .map(|(x, y)| (x - y).powi(2))
                .sum::<f64>()
                .sqrt();
            let norm = a.iter().map(|x| x * x).sum::<f64>().sqrt();
            eprintln!(
                "L = {l} {}: relative difference {:.2e}",
                spec.name,
                diff / norm
            );
            assert!(norm > 0.0);
            assert!(
                diff / norm < 1e-5,
                "L = {l} {}: {:.2e}",
                spec.name,
                diff / norm
            );
        }
    }
}

#[test]
fn an_f32_quantum_anneal_at_l4_reaches_the_ground_energy() {
    let cfg = AnnealConfig {
        kind: AnnealKind::Quantum,
        start: 1.0,
        warmup_steps: 100,
        anneal_steps: 800,
        train_steps: 2,
        schedule: ScheduleShape::Linear,
        end_ratio: 1e-3,
        samples: 100,
        minibatches: 10,
        learning_rate: 2e-3,
        estimator: Estimator::Standard,
        final_samples: 2000,
        gradient: Default::default(),
        optimizer: Default::default(),
        entropy_start: 0.0,
        settle_window: annealscape::anneal::SettleRule::default().window,
        settle_tolerance: annealscape::anneal::SettleRule::default().tolerance,
        max_dwell: annealscape::anneal::SettleRule::default().max_dwell,
    };
    let network = NetworkConfig {
        hidden: 20,
        precision: Precision::F32,
        ..Default::default()
    };
    let mut annealer = Annealer::new(Lattice::new(4).unwrap(), 1.0, network, &cfg, 3).unwrap();
    let summary = match annealer.run(&mut Silent).unwrap() {
        Outcome::Finished(summary) => summary,
        other => panic!("run did not finish: {other:?}"),
    };
    assert!(
        summary.ground_state_fraction > 0.99 && (summary.energy_min + 0.5).abs() < 1e-12,
        "{}",
        summary.describe()
    );
}
