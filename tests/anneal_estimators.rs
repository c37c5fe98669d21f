//! The annealing objectives and estimators against exact enumeration at L = 3.

use annealscape::anneal::{AnnealKind, Estimator, Objective};
use annealscape::nn::{Autoregressive, Network, NetworkConfig, NetworkWorkspace, Params};
use annealscape::physics::{Lattice, NewmanMoore};
use ndarray::{Array1, Array2};
use rand::{rngs::StdRng, RngExt, SeedableRng};

const L: usize = 3;
const N: usize = 9;

fn setup(seed: u64) -> (NewmanMoore, Network) {
    let lattice = Lattice::new(L).unwrap();
    let mut rng = StdRng::seed_from_u64(seed);
    let net = NetworkConfig {
        hidden: 10,
        ..Default::default()
    }
    .init(L, &mut rng);
    (NewmanMoore::new(lattice, 1.0).unwrap(), net)
}

fn all_configurations() -> Array2<u8> {
    Array2::from_shape_fn((1 << N, N), |(s, i)| ((s >> i) & 1) as u8)
}

/// Exact ⟨H − BΣX⟩ = ψᵀ H_B ψ with ψ = √p, from the Hamiltonian's action on the full vector
/// (independent of the local-energy code).
fn exact_quantum_energy(model: &NewmanMoore, net: &Network, b: f64) -> f64 {
    let all = all_configurations();
    let mut lp = Array1::zeros(1 << N);
    net.log_prob(all.view(), lp.view_mut(), &mut NetworkWorkspace::default());
    let psi = lp.mapv(|l| (0.5 * l).exp());
    let energies = model.energies(all.view());
    (0..1usize << N)
        .map(|s| {
            let off: f64 = (0..N).map(|i| psi[s ^ (1 << i)]).sum();
            psi[s] * (energies[s] * psi[s] - b * off)
        })
        .sum()
}

fn exact_free_energy(model: &NewmanMoore, net: &Network, t: f64) -> f64 {
    let all = all_configurations();
    let mut lp = Array1::zeros(1 << N);
    net.log_prob(all.view(), lp.view_mut(), &mut NetworkWorkspace::default());
    let energies = model.energies(all.view());
    lp.iter()
        .zip(energies.iter())
        .map(|(&l, &e)| l.exp() * (e + t * l))
        .sum()
}

/// Local values and log p of every configuration, and the exact gradient
/// Σ_e p(e)(O(e) − ⟨O⟩)∇log p(e).
fn exact_gradient(model: &NewmanMoore, net: &Network, objective: Objective) -> (f64, Params) {
    let all = all_configurations();
    let mut ws = vec![NetworkWorkspace::default(), NetworkWorkspace::default()];
    let mut lp = Array1::zeros(1 << N);
    net.log_prob(all.view(), lp.view_mut(), &mut ws[0]);
    let energies = model.energies(all.view());
    let mut local = Array1::zeros(1 << N);
    objective.local_values(
        net,
        all.view(),
        lp.view(),
        energies.view(),
        &mut ws,
        local.view_mut(),
    );
    let p = lp.mapv(f64::exp);
    let mean = p.dot(&local);
    let weights = &p * &local.mapv(|o| o - mean);
    let mut grad = net.params().zeros_like();
    net.accumulate_grad(all.view(), weights.view(), &mut grad, &mut ws[0]);
    (mean, grad)
}

#[test]
fn mean_local_energy_is_the_exact_quantum_expectation() {
    let (model, net) = setup(1);
    for b in [0.0, 0.4, 1.3] {
        let (mean, _) = exact_gradient(&model, &net, Objective::new(AnnealKind::Quantum, b));
        let exact = exact_quantum_energy(&model, &net, b);
        assert!((mean - exact).abs() < 1e-10, "B = {b}: {mean} vs {exact}");
    }
    let (mean, _) = exact_gradient(&model, &net, Objective::new(AnnealKind::Thermal, 0.7));
    assert!((mean - exact_free_energy(&model, &net, 0.7)).abs() < 1e-10);
}

#[test]
fn exact_gradient_formula_matches_finite_differences_of_the_objective() {
    let (model, net) = setup(2);
    let mut rng = StdRng::seed_from_u64(9);
    let mut direction = net.params().zeros_like();
    direction
        .flat_mut()
        .iter_mut()
        .for_each(|x| *x = rng.random_range(-1.0..1.0));
    for (kind, x) in [(AnnealKind::Quantum, 0.8), (AnnealKind::Thermal, 0.6)] {
        let (_, grad) = exact_gradient(&model, &net, Objective::new(kind, x));
        let value = |t: f64| {
            let mut moved = net.clone();
            moved.params_mut().axpy(t, &direction);
            match kind {
                AnnealKind::Quantum => exact_quantum_energy(&model, &moved, x),
                AnnealKind::Thermal => exact_free_energy(&model, &moved, x),
            }
        };
        let h = 1e-5;
        let fd = (value(h) - value(-h)) / (2.0 * h);
        let an = grad.dot(&direction);
        assert!(
            (fd - an).abs() < 1e-6 * an.abs().max(1.0),
            "{kind:?}: directional derivative {an} vs finite difference {fd}"
        );
    }
}

/// Average the mini-batch estimator over many batches and compare with its expectation.
fn estimator_average(
    model: &NewmanMoore,
    net: &Network,
    objective: Objective,
    estimator: Estimator,
    batch: usize,
    batches: usize,
) -> Params {
    let mut rng = StdRng::seed_from_u64(11);
    let mut ws = vec![NetworkWorkspace::default(), NetworkWorkspace::default()];
    let mut total = net.params().zeros_like();
    let mut local = Array1::zeros(batch);
    let mut weights = Array1::zeros(batch);
    for _ in 0..batches {
        let (bits, lp) = net.sample(batch, &mut rng);
        let energies = model.energies(bits.view());
        objective.local_values(
            net,
            bits.view(),
            lp.view(),
            energies.view(),
            &mut ws,
            local.view_mut(),
        );
        estimator.weights(local.view(), weights.view_mut());
        net.accumulate_grad(bits.view(), weights.view(), &mut total, &mut ws[0]);
    }
    total.scale(1.0 / batches as f64);
    total
}

#[test]
fn standard_estimator_averages_to_the_exact_gradient() {
    let (model, net) = setup(3);
    let (batch, batches) = (10, 20_000);
    for (kind, x) in [(AnnealKind::Thermal, 0.8), (AnnealKind::Quantum, 0.8)] {
        let objective = Objective::new(kind, x);
        let (_, exact) = exact_gradient(&model, &net, objective);
        let mut avg =
            estimator_average(&model, &net, objective, Estimator::Standard, batch, batches);
        // The mini-batch baseline scales the expectation by (1 − 1/M).
        avg.scale(1.0 / (1.0 - 1.0 / batch as f64));
        let mut diff = avg.clone();
        diff.axpy(-1.0, &exact);
        let rel = diff.norm() / exact.norm();
        assert!(rel < 0.05, "{kind:?}: relative error {rel:.4}");
    }
}

#[test]
fn authors_estimator_averages_to_twice_the_gradient_plus_a_known_bias() {
    // E[(2/M)Σ_m E_m∇log p_m] = 2∇⟨E⟩; the baseline (2/M)Σ_m (Ē/4)∇log p_m keeps only its
    // j = m terms in expectation, ∇⟨E⟩/(2M). Together: 2(1 − 1/(4M))·∇⟨E⟩.
    let (model, net) = setup(4);
    let (batch, batches) = (10, 20_000);
    let objective = Objective::new(AnnealKind::Quantum, 0.8);
    let (_, exact) = exact_gradient(&model, &net, objective);
    let mut avg = estimator_average(&model, &net, objective, Estimator::Authors, batch, batches);
    avg.scale(1.0 / (2.0 * (1.0 - 1.0 / (4.0 * batch as f64))));
    let mut diff = avg.clone();
    diff.axpy(-1.0, &exact);
    let rel = diff.norm() / exact.norm();
    assert!(rel < 0.1, "relative error {rel:.4}");
}
