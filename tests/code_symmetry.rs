//! The code-symmetrised network (SPEC §8.2) against an enumeration written here at L = 3: the
//! ground-state code found from the energies of all 512 configurations, p_sym as the orbit
//! average of the plain network's p, its gradient by central differences, its samples by a
//! chi-square test, its quantum local energy against the dense ⟨ψ|H_B|ψ⟩; and runs with
//! `network.symmetry = "code"` and `"code-after"`.

mod common;

use annealscape::nn::{Autoregressive, Network, NetworkConfig, NetworkWorkspace, Symmetry};
use annealscape::physics::{Lattice, NewmanMoore};
use annealscape::run::{run_blocking, RunConfig};
use ndarray::{Array1, Array2};
use rand::{rngs::StdRng, RngExt, SeedableRng};

const N: usize = 9;

fn all_configurations() -> Array2<u8> {
    Array2::from_shape_fn((1 << N, N), |(s, i)| ((s >> i) & 1) as u8)
}

fn index(bits: ndarray::ArrayView1<u8>) -> usize {
    bits.iter()
        .enumerate()
        .map(|(i, &b)| (b as usize) << i)
        .sum()
}

/// The plain network and the same weights symmetrised, n_h = 4 (62 parameters).
fn networks(seed: u64) -> (Network, Network) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut plain = NetworkConfig {
        hidden: 4,
        ..Default::default()
    }
    .init(3, &mut rng);
    for x in plain.params_mut().slice_mut(4) {
        *x = rng.random_range(-0.5..0.5);
    }
    let symmetric = Network::from_params(
        NetworkConfig {
            hidden: 4,
            symmetry: Symmetry::Code,
            ..Default::default()
        },
        3,
        plain.params().clone(),
    )
    .unwrap();
    (plain, symmetric)
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

/// The ground states as configuration indices, found here from the energies.
fn code_words() -> Vec<usize> {
    let model = NewmanMoore::new(Lattice::new(3).unwrap(), 1.0).unwrap();
    let energies = model.energies(all_configurations().view());
    let e0 = energies.fold(f64::INFINITY, |a, &b| a.min(b));
    (0..1 << N).filter(|&s| energies[s] == e0).collect()
}

#[test]
fn p_sym_is_the_normalised_orbit_average_and_invariant_under_every_codeword() {
    let (plain, symmetric) = networks(1);
    let all = all_configurations();
    let code = code_words();
    assert_eq!(code.len(), 4);
    assert!(
        code.contains(&0),
        "the code is linear: it holds the zero word"
    );
    let p = log_probs(&plain, &all).mapv(f64::exp);
    let p_sym = log_probs(&symmetric, &all).mapv(f64::exp);
    assert!((p_sym.sum() - 1.0).abs() < 1e-12, "{}", p_sym.sum());
    let mut largest = 0.0f64;
    for s in 0..1 << N {
        let average = code.iter().map(|&c| p[s ^ c]).sum::<f64>() / 4.0;
        largest = largest.max((p_sym[s] - average).abs() / average);
        for &c in &code {
            assert!(
                (p_sym[s ^ c] - p_sym[s]).abs() <= 1e-12 * p_sym[s],
                "{s} ⊕ {c}"
            );
        }
    }
    assert!(largest < 1e-12, "relative error {largest}");
    // The plain network is not symmetric, so the test can fail.
    assert!((p[code[1]] - p[0]).abs() > 1e-3 * p[0]);
}

#[test]
fn the_gradient_of_log_p_sym_matches_central_differences_and_the_per_row_derivatives() {
    let (_, symmetric) = networks(2);
    let all = all_configurations();
    let rows: Vec<usize> = vec![0, 37, 200, 511];
    let bits = Array2::from_shape_fn((rows.len(), N), |(m, i)| all[[rows[m], i]]);
    let mut ws = NetworkWorkspace::default();
    let mut per_row = Array2::zeros((rows.len(), symmetric.params().len()));
    symmetric.log_derivatives(bits.view(), per_row.view_mut(), &mut ws);
    let h = 1e-5;
    for (m, _) in rows.iter().enumerate() {
        let one = bits.slice(ndarray::s![m..m + 1, ..]).to_owned();
        let mut grad = symmetric.params().zeros_like();
        symmetric.accumulate_grad(one.view(), ndarray::arr1(&[1.0]).view(), &mut grad, &mut ws);
        let analytic = grad.flat().to_owned();
        for p in 0..symmetric.params().len() {
            let mut shifted = symmetric.clone();
            shifted.params_mut().flat_mut()[p] += h;
            let up = log_probs(&shifted, &one)[0];
            shifted.params_mut().flat_mut()[p] -= 2.0 * h;
            let down = log_probs(&shifted, &one)[0];
            let numeric = (up - down) / (2.0 * h);
            assert!(
                (analytic[p] - numeric).abs() < 1e-7 * (1.0 + numeric.abs()),
                "row {m}, parameter {p}: {} against {numeric}",
                analytic[p]
            );
            assert!((per_row[[m, p]] - analytic[p]).abs() < 1e-12);
        }
    }
}

#[test]
fn samples_follow_p_sym_by_a_chi_square_test() {
    let (_, symmetric) = networks(3);
    let all = all_configurations();
    let p_sym = log_probs(&symmetric, &all).mapv(f64::exp);
    let draws = 200_000;
    let mut rng = StdRng::seed_from_u64(5);
    assert_eq!(symmetric.uniform_columns(), N + 1);
    let (bits, log_p) = symmetric.sample(draws, &mut rng);
    let mut counts = vec![0usize; 1 << N];
    for (m, row) in bits.rows().into_iter().enumerate() {
        let s = index(row);
        counts[s] += 1;
        assert!((log_p[m] - p_sym[s].ln()).abs() < 1e-12);
    }
    let chi2: f64 = (0..1 << N)
        .map(|s| {
            let expected = draws as f64 * p_sym[s];
            (counts[s] as f64 - expected).powi(2) / expected
        })
        .sum();
    // 511 degrees of freedom: mean 511, standard deviation 32; 5σ above.
    assert!(chi2 < 511.0 + 5.0 * 32.0, "chi-square {chi2}");
}

#[test]
fn the_quantum_local_energy_averages_to_the_dense_expectation() {
    let (_, symmetric) = networks(4);
    let all = all_configurations();
    let model = NewmanMoore::new(Lattice::new(3).unwrap(), 1.0).unwrap();
    let energies = model.energies(all.view());
    let b = 0.7;
    let log_p = log_probs(&symmetric, &all);
    let mut lp = Array1::zeros(1 << N);
    let mut flipped = Array2::zeros((1 << N, N));
    symmetric.log_prob_single_flips(
        all.view(),
        lp.view_mut(),
        flipped.view_mut(),
        &mut NetworkWorkspace::default(),
    );
    let mut local_mean = 0.0;
    let mut dense = 0.0;
    for s in 0..1 << N {
        assert!((lp[s] - log_p[s]).abs() < 1e-12);
        for i in 0..N {
            // Teacher forcing of the flipped configuration.
            assert!(
                (flipped[[s, i]] - log_p[s ^ (1 << i)]).abs() < 1e-12,
                "{s} flip {i}"
            );
        }
        let local = energies[s]
            - b * (0..N)
                .map(|i| (0.5 * (flipped[[s, i]] - lp[s])).exp())
                .sum::<f64>();
        local_mean += log_p[s].exp() * local;
        // ⟨ψ|H_B|ψ⟩ with ψ = √p, H_B = H − B Σ σˣ, built from the amplitudes alone.
        let psi = (0.5 * log_p[s]).exp();
        let off: f64 = (0..N).map(|i| (0.5 * log_p[s ^ (1 << i)]).exp()).sum();
        dense += psi * (energies[s] * psi - b * off);
    }
    assert!(
        (local_mean - dense).abs() < 1e-10,
        "{local_mean} against {dense}"
    );
}

fn symmetric_run(symmetry: &str) -> RunConfig {
    RunConfig::preset("quick")
        .unwrap()
        .with_overrides(&[
            "lattice.size=3".into(),
            "network.hidden=8".into(),
            format!("network.symmetry={symmetry}"),
            "anneal.start=1".into(),
            "anneal.warmup_steps=100".into(),
            "anneal.anneal_steps=100".into(),
            "anneal.train_steps=1".into(),
            "anneal.final_samples=2000".into(),
            "diagnostics.exact_every=50".into(),
        ])
        .unwrap()
}

/// The last row's effective modes and ground-state mass, from exact.csv.
fn last_modes(dir: &std::path::Path) -> (f64, f64) {
    let mut reader = csv::Reader::from_path(dir.join("exact.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (modes, mass) = (col("effective_modes"), col("ground_state_mass"));
    let last = reader.records().last().unwrap().unwrap();
    (last[modes].parse().unwrap(), last[mass].parse().unwrap())
}

#[test]
fn symmetric_runs_hold_every_ground_state_equally_and_the_config_refuses_a_large_code() {
    for symmetry in ["code", "code-after"] {
        let dir = common::temp_dir(&format!("symmetry-{symmetry}"));
        run_blocking(
            &symmetric_run(symmetry),
            &dir,
            &mut annealscape::anneal::Silent,
        )
        .unwrap();
        let (modes, mass) = last_modes(&dir);
        // All four ground states carry equal probability by construction.
        assert!((modes - 4.0).abs() < 1e-9, "{symmetry}: {modes}");
        assert!(
            mass > 0.5,
            "{symmetry}: the anneal reached the ground states ({mass})"
        );
        let summary = std::fs::read_to_string(dir.join("summary.toml")).unwrap();
        assert!(
            summary.contains("ground_states_found = 4"),
            "{symmetry}:\n{summary}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
    // A stopped symmetric run resumes bit for bit (its samples take N + 1 uniforms each).
    let mut config = symmetric_run("code");
    config.output.resume_every = 50;
    let (whole, parts) = (
        common::temp_dir("symmetry-whole"),
        common::temp_dir("symmetry-parts"),
    );
    run_blocking(&config, &whole, &mut annealscape::anneal::Silent).unwrap();
    run_blocking(&config, &parts, &mut common::StopAt(130)).unwrap();
    annealscape::run::resume_blocking(&parts, &mut annealscape::anneal::Silent).unwrap();
    assert_eq!(
        common::metrics_without_seconds(&whole),
        common::metrics_without_seconds(&parts)
    );
    for d in [whole, parts] {
        std::fs::remove_dir_all(d).unwrap();
    }
    // L = 12 has 2^8 ground states, above the limit of 2^6.
    let err = RunConfig::preset("quick")
        .unwrap()
        .with_overrides(&["lattice.size=12".into(), "network.symmetry=code".into()])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("network.symmetry") && err.contains("L = 12") && err.contains("\"none\""),
        "{err}"
    );
}
