//! The 2D RNN against exact answers: normalisation, finite-difference gradients, sampling
//! frequencies, the single-flip fast path, and NPZ round trips.

mod common;

use annealscape::nn::{
    load_npz, save_npz, Activation, Autoregressive, Network, NetworkConfig, NetworkWorkspace,
    Params,
};
use ndarray::{Array1, Array2};
use rand::{rngs::StdRng, RngExt, SeedableRng};

fn network(l: usize, hidden: usize, activation: Activation, seed: u64) -> Network {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut net = NetworkConfig {
        hidden,
        activation,
        ..Default::default()
    }
    .init(l, &mut rng);
    // Non-zero output bias so every tensor carries gradient signal.
    for x in net.params_mut().slice_mut(4) {
        *x = rng.random_range(-0.5..0.5);
    }
    net
}

fn all_configurations(n: usize) -> Array2<u8> {
    Array2::from_shape_fn((1 << n, n), |(s, i)| ((s >> i) & 1) as u8)
}

fn log_probs(net: &Network, bits: &Array2<u8>) -> Array1<f64> {
    let mut out = Array1::zeros(bits.nrows());
    net.log_prob(
        bits.view(),
        out.view_mut(),
        &mut NetworkWorkspace::default(),
    );
    out
}

#[test]
fn probabilities_sum_to_one_over_all_configurations() {
    for (l, activation) in [
        (3, Activation::Elu),
        (3, Activation::Tanh),
        (2, Activation::Elu),
    ] {
        let net = network(l, 40, activation, 1);
        let lp = log_probs(&net, &all_configurations(l * l));
        let total: f64 = lp.iter().map(|x| x.exp()).sum();
        assert!((total - 1.0).abs() < 1e-12, "L = {l}: Σp = {total}");
    }
}

#[test]
fn gradient_matches_central_finite_differences_for_every_tensor() {
    for activation in [Activation::Elu, Activation::Tanh] {
        let net = network(3, 7, activation, 2);
        let mut rng = StdRng::seed_from_u64(3);
        let bits = Array2::from_shape_fn((5, 9), |_| rng.random_range(0..2u8));
        let weights = Array1::from_shape_fn(5, |_| rng.random_range(-1.0..1.0));
        let objective = |p: &Params| {
            let mut n2 = net.clone();
            *n2.params_mut() = p.clone();
            log_probs(&n2, &bits).dot(&weights)
        };
        let mut grad = net.params().zeros_like();
        net.accumulate_grad(
            bits.view(),
            weights.view(),
            &mut grad,
            &mut NetworkWorkspace::default(),
        );
        let h = 1e-5;
        for (t, spec) in net.params().specs().iter().enumerate() {
            let (mut diff2, mut norm2) = (0.0, 0.0);
            for k in 0..spec.len() {
                let idx = net.params().offset(t) + k;
                let mut plus = net.params().clone();
                plus.flat_mut()[idx] += h;
                let mut minus = net.params().clone();
                minus.flat_mut()[idx] -= h;
                let fd = (objective(&plus) - objective(&minus)) / (2.0 * h);
                let an = grad.flat()[idx];
                diff2 += (fd - an).powi(2);
                norm2 += an * an;
            }
            let rel = diff2.sqrt() / norm2.sqrt();
            assert!(norm2 > 0.0, "{}: zero gradient", spec.name);
            assert!(
                rel < 1e-6,
                "{activation:?} {}: relative error {rel:e}",
                spec.name
            );
        }
    }
}

#[test]
fn sampled_frequencies_match_exact_probabilities() {
    let net = network(3, 8, Activation::Elu, 4);
    let exact: Vec<f64> = log_probs(&net, &all_configurations(9))
        .iter()
        .map(|x| x.exp())
        .collect();
    let draws = 200_000;
    let mut rng = StdRng::seed_from_u64(5);
    let (bits, lp) = net.sample(draws, &mut rng);
    let mut counts = vec![0usize; 512];
    for (m, row) in bits.rows().into_iter().enumerate() {
        let code: usize = row
            .iter()
            .enumerate()
            .map(|(i, &b)| (b as usize) << i)
            .sum();
        counts[code] += 1;
        // The log p reported while sampling is the configuration's exact log p.
        assert!((lp[m] - exact[code].ln()).abs() < 1e-12);
    }
    // The rarest states pooled so every cell expects at least 5 draws; five standard deviations
    // above the mean χ² is a fixed-seed safety margin.
    let (chi2, bound) = common::chi_square(&counts, &exact, draws);
    assert!(chi2 < bound, "χ² = {chi2:.1} (bound {bound:.1})");
}

#[test]
fn single_flip_fast_path_equals_naive_passes() {
    for l in [2, 3, 4] {
        let net = network(l, 40, Activation::Elu, 6);
        let n = l * l;
        let mut rng = StdRng::seed_from_u64(7);
        let bits = Array2::from_shape_fn((6, n), |_| rng.random_range(0..2u8));
        let mut ws = NetworkWorkspace::default();
        let mut lp = Array1::zeros(6);
        let mut flipped = Array2::zeros((6, n));
        net.log_prob_single_flips(bits.view(), lp.view_mut(), flipped.view_mut(), &mut ws);
        assert!((&lp - &log_probs(&net, &bits))
            .iter()
            .all(|d| d.abs() < 1e-12));
        for i in 0..n {
            let mut b = bits.clone();
            b.column_mut(i).mapv_inplace(|x| x ^ 1);
            let naive = log_probs(&net, &b);
            for m in 0..6 {
                assert!(
                    (flipped[[m, i]] - naive[m]).abs() < 1e-12,
                    "L = {l}, m = {m}, flip {i}: {} vs {}",
                    flipped[[m, i]],
                    naive[m]
                );
            }
        }
        // Reusing the workspace with another batch shape gives the same answers.
        let one = bits.slice(ndarray::s![..1, ..]).to_owned();
        let mut lp1 = Array1::zeros(1);
        let mut f1 = Array2::zeros((1, n));
        net.log_prob_single_flips(one.view(), lp1.view_mut(), f1.view_mut(), &mut ws);
        assert!((f1[[0, n - 1]] - flipped[[0, n - 1]]).abs() < 1e-12);
    }
}

#[test]
fn parameter_count_is_the_papers() {
    let net = network(4, 40, Activation::Elu, 0);
    assert_eq!(net.params().len(), 3482);
}

#[test]
fn npz_round_trip_and_refusals_name_the_tensor() {
    let dir = std::env::temp_dir().join(format!("annealscape-npz-{}", std::process::id()));
    let path = dir.join("p.npz");
    let net = network(3, 5, Activation::Elu, 8);
    save_npz(&path, net.params()).unwrap();
    let back = load_npz(&path, net.params()).unwrap();
    assert_eq!(&back, net.params());

    let bigger = network(3, 6, Activation::Elu, 8);
    let err = load_npz(&path, bigger.params()).unwrap_err().to_string();
    assert!(
        err.contains("rnn2d/U_left") && err.contains("shape"),
        "{err}"
    );

    let mut fewer = Params::zeros(net.params().specs()[..4].to_vec());
    fewer.flat_mut().fill(1.0);
    save_npz(&path, &fewer).unwrap();
    let err = load_npz(&path, net.params()).unwrap_err().to_string();
    assert!(err.contains("'rnn2d/c' is missing"), "{err}");

    let err = load_npz(&path, &fewer.clone()).map(|_| ());
    assert!(err.is_ok());
    let small = Params::zeros(net.params().specs()[..3].to_vec());
    let err = load_npz(&path, &small).unwrap_err().to_string();
    assert!(err.contains("unexpected tensor 'rnn2d/W'"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn per_sample_log_derivatives_are_each_rows_gradient() {
    for (l, activation) in [(3, Activation::Elu), (4, Activation::Tanh)] {
        let net = network(l, 7, activation, 21);
        let mut rng = StdRng::seed_from_u64(22);
        let bits = Array2::from_shape_fn((6, l * l), |_| rng.random_range(0..2u8));
        let mut ws = NetworkWorkspace::default();
        let mut d = Array2::zeros((6, net.params().len()));
        net.log_derivatives(bits.view(), d.view_mut(), &mut ws);
        for m in 0..6 {
            let mut alone = net.params().zeros_like();
            net.accumulate_grad(
                bits.slice(ndarray::s![m..m + 1, ..]),
                ndarray::arr1(&[1.0]).view(),
                &mut alone,
                &mut ws,
            );
            let diff = (&d.row(m) - &alone.flat()).mapv(f64::abs).sum();
            let norm = alone.flat().mapv(f64::abs).sum();
            assert!(
                norm > 0.0 && diff <= 1e-12 * norm,
                "L = {l}, row {m}: {diff:e}"
            );
        }
        // Weighted, the rows sum to the batch gradient.
        let weights = Array1::from_shape_fn(6, |_| rng.random_range(-1.0..1.0));
        let mut grad = net.params().zeros_like();
        net.accumulate_grad(bits.view(), weights.view(), &mut grad, &mut ws);
        let summed = weights.dot(&d);
        let diff = (&summed - &grad.flat()).mapv(f64::abs).sum();
        assert!(
            diff <= 1e-12 * grad.flat().mapv(f64::abs).sum(),
            "L = {l}: {diff:e}"
        );
    }
}

#[test]
fn sampling_by_shared_prefixes_draws_the_same_configurations() {
    use annealscape::nn::Precision;
    for (l, scale, precision) in [
        (3, 1.0, Precision::F64),
        (4, 1.0, Precision::F64),
        (4, 6.0, Precision::F64),
        (5, 6.0, Precision::F64),
        (4, 6.0, Precision::F32),
    ] {
        let mut net = network(l, 12, Activation::Elu, 8);
        // Larger weights make a peaked distribution whose samples repeat, as a trained
        // network's do: then most prefixes are shared.
        let scaled: Vec<f64> = net.params().flat().iter().map(|x| x * scale).collect();
        let params = net.params().with_flat(Array1::from(scaled)).unwrap();
        net = Network::from_params(
            NetworkConfig {
                hidden: 12,
                precision,
                ..Default::default()
            },
            l,
            params,
        )
        .unwrap();
        for net in [net.clone(), net.symmetrised().unwrap()] {
            let n = l * l;
            let m = 300;
            let mut rng = StdRng::seed_from_u64(9);
            let u =
                Array2::from_shape_simple_fn((m, net.uniform_columns()), || rng.random::<f64>());
            let mut ws = NetworkWorkspace::default();
            let (mut a, mut b) = (Array2::zeros((m, n)), Array2::zeros((m, n)));
            let (mut la, mut lb) = (Array1::zeros(m), Array1::zeros(m));
            net.sample_with(u.view(), a.view_mut(), la.view_mut(), &mut ws);
            net.sample_sharing_prefixes(u.view(), b.view_mut(), lb.view_mut(), &mut ws);
            assert_eq!(a, b, "L = {l}, scale {scale}, {precision:?}");
            let tolerance = if precision == Precision::F32 {
                1e-4
            } else {
                1e-12
            };
            let teacher = log_probs(&net, &b);
            for k in 0..m {
                assert!((lb[k] - la[k]).abs() < tolerance * la[k].abs().max(1.0));
                assert!((lb[k] - teacher[k]).abs() < tolerance * teacher[k].abs().max(1.0));
            }
            if scale > 1.0 {
                let distinct = annealscape::anneal::distinct_rows(b.view()).0.nrows();
                assert!(distinct < m / 3, "L = {l}: {distinct} distinct of {m}");
            }
        }
    }
}
