//! MADE (masked dense autoregressive network) at L = 3: normalisation over all 512
//! configurations, sampled frequencies against p, ∇log p against central differences, the
//! single-flip pass against teacher forcing of each flipped configuration, the NPZ round trip,
//! and a `represent` fit to another seed's network.

mod common;

use std::ops::ControlFlow;

use annealscape::distance::log_probs_of_all;
use annealscape::nn::{
    load_npz, made_parameter_count, save_npz, Autoregressive, Made, Params, Rnn2dConfig,
};
use annealscape::physics::all_configurations;
use annealscape::represent::{represent, ExactTarget, FitSettings, RepresentOptimizer, TargetKind};
use ndarray::{Array1, Array2};
use rand::{rngs::StdRng, RngExt, SeedableRng};

fn made(hidden: usize, seed: u64) -> Made {
    let mut net = Made::init(3, hidden, &mut StdRng::seed_from_u64(seed));
    // Non-zero biases too, so every tensor is exercised.
    let mut rng = StdRng::seed_from_u64(seed + 100);
    for x in net.params_mut().flat_mut().iter_mut() {
        *x += 0.3 * (2.0 * rng.random::<f64>() - 1.0);
    }
    net
}

fn log_probs(net: &Made, bits: &Array2<u8>) -> Array1<f64> {
    let mut out = Array1::zeros(bits.nrows());
    net.log_prob(bits.view(), out.view_mut(), &mut ());
    out
}

#[test]
fn probabilities_sum_to_one_over_all_configurations() {
    let net = made(20, 1);
    let total: f64 = log_probs(&net, &all_configurations(9))
        .iter()
        .map(|l| l.exp())
        .sum();
    assert!((total - 1.0).abs() < 1e-12, "Σp = {total}");
}

#[test]
fn sampled_frequencies_match_exact_probabilities() {
    let net = made(16, 4);
    let exact: Vec<f64> = log_probs(&net, &all_configurations(9))
        .iter()
        .map(|x| x.exp())
        .collect();
    let draws = 200_000;
    let (bits, lp) = net.sample(draws, &mut StdRng::seed_from_u64(5));
    let mut counts = vec![0usize; 512];
    for (m, row) in bits.rows().into_iter().enumerate() {
        let code: usize = row
            .iter()
            .enumerate()
            .map(|(i, &b)| (b as usize) << i)
            .sum();
        counts[code] += 1;
        assert!((lp[m] - exact[code].ln()).abs() < 1e-12);
    }
    let (chi2, bound) = common::chi_square(&counts, &exact, draws);
    assert!(chi2 < bound, "χ² = {chi2:.1} (bound {bound:.1})");
}

#[test]
fn gradient_matches_central_finite_differences_for_every_tensor() {
    let net = made(10, 6);
    let bits = all_configurations(9)
        .slice(ndarray::s![..40, ..])
        .to_owned();
    let weights = Array1::from_shape_fn(40, |m| 0.5 + (m as f64 * 0.37).sin());
    let mut grad = net.params().zeros_like();
    net.accumulate_grad(bits.view(), weights.view(), &mut grad, &mut ());
    let value = |p: &Params| -> f64 {
        let mut moved = net.clone();
        moved.params_mut().flat_mut().assign(&p.flat());
        log_probs(&moved, &bits).dot(&weights)
    };
    let h = 1e-6;
    let p0 = net.params().clone();
    for t in 0..p0.specs().len() {
        let offset = p0.offset(t);
        let len = p0.slice(t).len();
        for k in [offset, offset + len / 2, offset + len - 1] {
            let mut plus = p0.clone();
            plus.flat_mut()[k] += h;
            let mut minus = p0.clone();
            minus.flat_mut()[k] -= h;
            let numeric = (value(&plus) - value(&minus)) / (2.0 * h);
            let exact = grad.flat()[k];
            assert!(
                (numeric - exact).abs() < 1e-6 * (1.0 + exact.abs()),
                "{} entry {k}: {numeric} against {exact}",
                p0.specs()[t].name
            );
        }
    }
}

#[test]
fn single_flip_pass_equals_teacher_forcing_of_each_flipped_row() {
    let net = made(14, 7);
    let bits = all_configurations(9)
        .slice(ndarray::s![100..160, ..])
        .to_owned();
    let mut log_p = Array1::zeros(60);
    let mut flipped = Array2::zeros((60, 9));
    net.log_prob_single_flips(bits.view(), log_p.view_mut(), flipped.view_mut(), &mut ());
    let direct = log_probs(&net, &bits);
    for m in 0..60 {
        assert!((log_p[m] - direct[m]).abs() < 1e-12);
    }
    for i in 0..9 {
        let mut moved = bits.clone();
        moved.column_mut(i).mapv_inplace(|b| b ^ 1);
        let direct = log_probs(&net, &moved);
        for m in 0..60 {
            assert!(
                (flipped[[m, i]] - direct[m]).abs() < 1e-11,
                "row {m} site {i}: {} against {}",
                flipped[[m, i]],
                direct[m]
            );
        }
    }
}

#[test]
fn npz_round_trip_and_a_parameter_count_beside_the_rnns() {
    let dir = common::temp_dir("made-npz");
    let net = made(9, 8);
    let path = dir.join("made.npz");
    save_npz(&path, net.params()).unwrap();
    let back = Made::from_params(3, 9, load_npz(&path, net.params()).unwrap()).unwrap();
    assert_eq!(&back, &net);
    // Another width's tensors are refused by name.
    let err = load_npz(&path, made(10, 8).params())
        .unwrap_err()
        .to_string();
    assert!(err.contains("made/W1"), "{err}");
    // 183 units at L = 3 store 2·9·183 + 183 + 9 parameters, within 10 % of the 2D RNN's.
    let rnn = Rnn2dConfig::default().init(3, &mut StdRng::seed_from_u64(0));
    let count = made_parameter_count(9, 183);
    assert_eq!(
        Made::init(3, 183, &mut StdRng::seed_from_u64(0))
            .params()
            .len(),
        count
    );
    let ratio = count as f64 / rnn.params().len() as f64;
    assert!(
        (0.9..=1.1).contains(&ratio),
        "{count} against {}",
        rnn.params().len()
    );
}

#[test]
fn represent_fits_a_made_to_another_seeds_made() {
    let other = made(12, 30);
    let target = ExactTarget::from_log_probs(
        TargetKind::GroundStates,
        log_probs_of_all(&other),
        Array2::zeros((1, 9)),
    )
    .unwrap();
    let mut net = Made::init(3, 12, &mut StdRng::seed_from_u64(31));
    let settings = FitSettings {
        optimizer: RepresentOptimizer::Adam {
            learning_rate: 1e-2,
        },
        max_steps: 5000,
        patience: 500,
        kl_floor: 1e-4,
        ..FitSettings::default()
    };
    let outcome = represent(&mut net, &target, &settings, |_| ControlFlow::Continue(())).unwrap();
    assert!(
        outcome.best_kl < 1e-3,
        "best KL {} from {} after {} steps",
        outcome.best_kl,
        outcome.initial_kl,
        outcome.steps
    );
}
