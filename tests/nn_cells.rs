//! Every cell behind `Network` (`network.cell`) at L = 3: normalisation over all 512
//! configurations, sampled frequencies against p, ∇log p against central differences, the
//! single-flip pass against teacher forcing of each flipped configuration, the NPZ round trip,
//! the parameter count beside the 2D RNN's, and a `represent` fit to another seed's network.
//! Each runs for every cell in `Cell::ALL`, in each activation, plain and code-symmetrised.

mod common;

use std::ops::ControlFlow;

use annealscape::distance::log_probs_of_all;
use annealscape::nn::{
    load_npz, save_npz, Activation, Autoregressive, Cell, Network, NetworkConfig, NetworkWorkspace,
    Symmetry,
};
use annealscape::physics::all_configurations;
use annealscape::represent::{represent, ExactTarget, FitSettings, RepresentOptimizer, TargetKind};
use ndarray::{Array1, Array2};
use rand::{rngs::StdRng, RngExt, SeedableRng};

/// Every cell, with the other activation and with the code symmetry besides the plain elu.
fn variants(hidden: usize) -> Vec<NetworkConfig> {
    let mut out = Vec::new();
    for cell in Cell::ALL {
        let plain = NetworkConfig {
            cell,
            hidden,
            ..NetworkConfig::default()
        };
        out.push(plain);
        out.push(NetworkConfig {
            activation: Activation::Tanh,
            ..plain
        });
        out.push(NetworkConfig {
            symmetry: Symmetry::Code,
            ..plain
        });
    }
    out
}

fn network(config: NetworkConfig, seed: u64) -> Network {
    let mut net = config.init(3, &mut StdRng::seed_from_u64(seed));
    // Non-zero biases too, so every tensor is exercised.
    let mut rng = StdRng::seed_from_u64(seed + 100);
    for x in net.params_mut().flat_mut().iter_mut() {
        *x += 0.3 * (2.0 * rng.random::<f64>() - 1.0);
    }
    net
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

fn name(config: &NetworkConfig) -> String {
    format!(
        "{} {:?} {:?}",
        config.cell.name(),
        config.activation,
        config.symmetry
    )
}

#[test]
fn probabilities_sum_to_one_over_all_configurations() {
    for config in variants(12) {
        let net = network(config, 1);
        let total: f64 = log_probs(&net, &all_configurations(9))
            .iter()
            .map(|l| l.exp())
            .sum();
        assert!(
            (total - 1.0).abs() < 1e-12,
            "{}: Σp = {total}",
            name(&config)
        );
    }
}

#[test]
fn sampled_frequencies_match_exact_probabilities() {
    for config in variants(10) {
        let net = network(config, 4);
        let exact: Vec<f64> = log_probs(&net, &all_configurations(9))
            .iter()
            .map(|x| x.exp())
            .collect();
        let draws = 100_000;
        let (bits, lp) = net.sample(draws, &mut StdRng::seed_from_u64(5));
        let mut counts = vec![0usize; 512];
        for (m, row) in bits.rows().into_iter().enumerate() {
            let code: usize = row
                .iter()
                .enumerate()
                .map(|(i, &b)| (b as usize) << i)
                .sum();
            counts[code] += 1;
            assert!(
                (lp[m] - exact[code].ln()).abs() < 1e-12,
                "{}: the sample's log p",
                name(&config)
            );
        }
        let (chi2, bound) = common::chi_square(&counts, &exact, draws);
        assert!(
            chi2 < bound,
            "{}: χ² = {chi2:.1} (bound {bound:.1})",
            name(&config)
        );
    }
}

#[test]
fn gradient_matches_central_finite_differences_for_every_tensor() {
    for config in variants(8) {
        let net = network(config, 6);
        let bits = all_configurations(9)
            .slice(ndarray::s![..40, ..])
            .to_owned();
        let weights = Array1::from_shape_fn(40, |m| 0.5 + (m as f64 * 0.37).sin());
        let mut grad = net.params().zeros_like();
        let mut ws = NetworkWorkspace::default();
        net.accumulate_grad(bits.view(), weights.view(), &mut grad, &mut ws);
        let value = |flat: &Array1<f64>| -> f64 {
            let mut moved = net.clone();
            moved.params_mut().flat_mut().assign(flat);
            log_probs(&moved, &bits).dot(&weights)
        };
        let h = 1e-6;
        let p0 = net.params().clone();
        for t in 0..p0.specs().len() {
            let offset = p0.offset(t);
            let len = p0.slice(t).len();
            for k in [offset, offset + len / 2, offset + len - 1] {
                let mut plus = p0.flat().to_owned();
                plus[k] += h;
                let mut minus = p0.flat().to_owned();
                minus[k] -= h;
                let numeric = (value(&plus) - value(&minus)) / (2.0 * h);
                let exact = grad.flat()[k];
                assert!(
                    (numeric - exact).abs() < 1e-6 * (1.0 + exact.abs()),
                    "{}: {} entry {k}: {numeric} against {exact}",
                    name(&config),
                    p0.specs()[t].name
                );
            }
        }
    }
}

#[test]
fn single_flip_pass_equals_teacher_forcing_of_each_flipped_row() {
    for config in variants(14) {
        let net = network(config, 7);
        let bits = all_configurations(9)
            .slice(ndarray::s![100..160, ..])
            .to_owned();
        let mut log_p = Array1::zeros(60);
        let mut flipped = Array2::zeros((60, 9));
        let mut ws = NetworkWorkspace::default();
        net.log_prob_single_flips(bits.view(), log_p.view_mut(), flipped.view_mut(), &mut ws);
        let direct = log_probs(&net, &bits);
        for m in 0..60 {
            assert!((log_p[m] - direct[m]).abs() < 1e-12, "{}", name(&config));
        }
        for i in 0..9 {
            let mut moved = bits.clone();
            moved.column_mut(i).mapv_inplace(|b| b ^ 1);
            let direct = log_probs(&net, &moved);
            for m in 0..60 {
                assert!(
                    (flipped[[m, i]] - direct[m]).abs() < 1e-11,
                    "{}: row {m} site {i}: {} against {}",
                    name(&config),
                    flipped[[m, i]],
                    direct[m]
                );
            }
        }
    }
}

#[test]
fn npz_round_trip_refusals_by_name_and_parameter_counts_beside_the_rnns() {
    let dir = common::temp_dir("cells-npz");
    for config in variants(9) {
        let net = network(config, 8);
        let path = dir.join(format!("{}.npz", config.cell.name()));
        save_npz(&path, net.params()).unwrap();
        let back = Network::from_params(config, 3, load_npz(&path, net.params()).unwrap()).unwrap();
        assert_eq!(&back, &net, "{}", name(&config));
        // Another width's tensors are refused by name.
        let wider = network(
            NetworkConfig {
                hidden: 10,
                ..config
            },
            8,
        );
        let err = load_npz(&path, wider.params()).unwrap_err().to_string();
        assert!(
            err.contains(&format!("{}/", config.cell.name())),
            "{}: {err}",
            name(&config)
        );
    }
    // The widths the docs give for equal parameter count, within 10 % of the 2D RNN's 3,482.
    let rnn = NetworkConfig::default().parameter_count(3);
    assert_eq!(rnn, 3_482);
    for (cell, size, hidden, count) in [
        (Cell::Made, 3, 183, 2 * 9 * 183 + 183 + 9),
        (Cell::Made, 4, 105, 2 * 16 * 105 + 105 + 16),
    ] {
        let config = NetworkConfig {
            cell,
            hidden,
            ..NetworkConfig::default()
        };
        let net = config.init(size, &mut StdRng::seed_from_u64(0));
        assert_eq!(net.params().len(), count);
        let ratio = count as f64 / rnn as f64;
        assert!(
            (0.9..=1.1).contains(&ratio),
            "{} at L = {size}: {count}",
            cell.name()
        );
    }
}

#[test]
fn represent_fits_each_new_cell_to_another_seeds_network_of_the_same_cell() {
    for cell in Cell::ALL.into_iter().filter(|c| *c != Cell::Rnn2d) {
        let config = NetworkConfig {
            cell,
            hidden: 12,
            ..NetworkConfig::default()
        };
        let other = network(config, 30);
        let target = ExactTarget::from_log_probs(
            TargetKind::GroundStates,
            log_probs_of_all(&other),
            Array2::zeros((1, 9)),
        )
        .unwrap();
        let mut net = config.init(3, &mut StdRng::seed_from_u64(31));
        let settings = FitSettings {
            optimizer: RepresentOptimizer::Adam {
                learning_rate: 1e-2,
            },
            max_steps: 5000,
            patience: 500,
            kl_floor: 1e-4,
            ..FitSettings::default()
        };
        let outcome =
            represent(&mut net, &target, &settings, |_| ControlFlow::Continue(())).unwrap();
        assert!(
            outcome.best_kl < 1e-3,
            "{}: best KL {} from {} after {} steps",
            cell.name(),
            outcome.best_kl,
            outcome.initial_kl,
            outcome.steps
        );
    }
}
