//! Exact distances (SPEC §6.4) at L = 3 against an independent enumeration written here:
//! plain loops for the energies, the Boltzmann weights, the ground states and the KL
//! divergences, and a dense 512 × 512 diagonalisation (nalgebra) for ψ₀ and the gap. Only the
//! network's log p comes from the project, read back from a saved checkpoint.

mod common;

use nalgebra::{DMatrix, SymmetricEigen};
use ndarray::{Array1, Array2};
use rand::SeedableRng;

use annealscape::distance::{DistanceTarget, TargetKind};
use annealscape::nn::rnn2d::tensor_specs;
use annealscape::nn::{load_npz, save_npz, Autoregressive, Params, Rnn2d, Rnn2dConfig};
use annealscape::physics::{Lattice, NewmanMoore, QuantumStateCache};

const L: usize = 3;
const N: usize = L * L;
const DIM: usize = 1 << N;

/// H(s) = (1/2) Σ_{r,c} σ(r,c) σ(r,c+1) σ(r+1,c), σ = 2e − 1, bit r·L + c of s.
fn energy(s: usize) -> f64 {
    let sigma = |r: usize, c: usize| {
        if (s >> ((r % L) * L + c % L)) & 1 == 1 {
            1.0
        } else {
            -1.0
        }
    };
    let mut e = 0.0;
    for r in 0..L {
        for c in 0..L {
            e += 0.5 * sigma(r, c) * sigma(r, c + 1) * sigma(r + 1, c);
        }
    }
    e
}

/// A peaked network (weights scaled up), saved and read back as a checkpoint.
fn network(seed: u64, scale: f64) -> Rnn2d {
    let config = Rnn2dConfig {
        hidden: 8,
        ..Rnn2dConfig::default()
    };
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut net = config.init(L, &mut rng);
    net.params_mut().scale(scale);
    let path = common::temp_dir(&format!("distances-{seed}")).join("net.npz");
    save_npz(&path, net.params()).unwrap();
    let params = load_npz(&path, &Params::zeros(tensor_specs(8))).unwrap();
    Rnn2d::from_params(config, L, params).unwrap()
}

fn log_q(net: &Rnn2d) -> Vec<f64> {
    let all = Array2::from_shape_fn((DIM, N), |(s, i)| ((s >> i) & 1) as u8);
    let mut out = Array1::zeros(DIM);
    net.log_prob(all.view(), out.view_mut(), &mut Default::default());
    out.to_vec()
}

fn target(kind: TargetKind) -> DistanceTarget {
    let model = NewmanMoore::new(Lattice::new(L).unwrap(), 1.0).unwrap();
    DistanceTarget::new(model, kind, QuantumStateCache::in_memory())
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: {a} against {b}");
}

#[test]
fn thermal_kl_both_ways_match_plain_enumeration() {
    let net = network(1, 3.0);
    let lq = log_q(&net);
    let e: Vec<f64> = (0..DIM).map(energy).collect();
    for t in [0.3, 1.0, 2.5] {
        let w: Vec<f64> = e.iter().map(|e| (-e / t).exp()).collect();
        let z: f64 = w.iter().sum();
        let (mut reverse, mut forward) = (0.0, 0.0);
        for s in 0..DIM {
            // In logs: q underflows to 0 on some states of a peaked network.
            let log_p = (w[s] / z).ln();
            reverse += lq[s].exp() * (lq[s] - log_p);
            forward += (w[s] / z) * (log_p - lq[s]);
        }
        let d = target(TargetKind::Thermal).measure(&net, t).unwrap();
        let thermal = d.thermal.unwrap();
        close(
            thermal.kl_reverse.unwrap(),
            reverse / N as f64,
            1e-10,
            "KL(q||p)",
        );
        close(thermal.kl_forward, forward / N as f64, 1e-10, "KL(p||q)");
    }
    // T = 0: p_0 is uniform on the 4 ground states; only the forward KL is finite.
    let ground: Vec<usize> = (0..DIM).filter(|&s| energy(s) == -4.5).collect();
    assert_eq!(ground.len(), 4);
    let forward: f64 = ground.iter().map(|&s| 0.25 * (0.25f64.ln() - lq[s])).sum();
    let thermal = target(TargetKind::Thermal)
        .measure(&net, 0.0)
        .unwrap()
        .thermal
        .unwrap();
    assert_eq!(thermal.kl_reverse, None);
    close(thermal.kl_forward, forward / N as f64, 1e-10, "KL(p0||q)");
}

#[test]
fn ground_state_probabilities_and_effective_modes_match_plain_enumeration() {
    let net = network(2, 1.0);
    let lq = log_q(&net);
    let ground: Vec<usize> = (0..DIM).filter(|&s| energy(s) == -4.5).collect();
    let p: Vec<f64> = ground.iter().map(|&s| lq[s].exp()).collect();
    let mass: f64 = p.iter().sum();
    let entropy: f64 = p
        .iter()
        .map(|x| x / mass)
        .filter(|pi| *pi > 0.0)
        .map(|pi| -pi * pi.ln())
        .sum();
    let modes = target(TargetKind::Quantum)
        .measure(&net, 0.5)
        .unwrap()
        .modes
        .unwrap();
    let mut ours: Vec<f64> = modes.log_probs.iter().map(|l| l.exp()).collect();
    let mut theirs = p.clone();
    ours.sort_by(f64::total_cmp);
    theirs.sort_by(f64::total_cmp);
    for (a, b) in ours.iter().zip(&theirs) {
        close(*a, *b, 1e-12, "p(g)");
    }
    close(modes.mass, mass, 1e-12, "ground-state mass");
    assert!(
        modes.effective_modes > 1.2,
        "a spread network: {}",
        modes.effective_modes
    );
    close(
        modes.effective_modes,
        entropy.exp(),
        1e-10,
        "effective modes",
    );
    close(
        modes.kl_to_uniform,
        4f64.ln() - entropy,
        1e-10,
        "KL to uniform",
    );
}

/// Eigenvalues and eigenvectors of the dense H_B, lowest first.
fn dense(b: f64) -> (Vec<f64>, DMatrix<f64>) {
    let h = DMatrix::from_fn(DIM, DIM, |s, t| {
        if s == t {
            energy(s)
        } else if (s ^ t).count_ones() == 1 {
            -b
        } else {
            0.0
        }
    });
    let eig = SymmetricEigen::new(h);
    let mut order: Vec<usize> = (0..DIM).collect();
    order.sort_by(|&i, &j| eig.eigenvalues[i].total_cmp(&eig.eigenvalues[j]));
    let values = order.iter().map(|&i| eig.eigenvalues[i]).collect();
    let vectors = DMatrix::from_fn(DIM, DIM, |r, c| eig.eigenvectors[(r, order[c])]);
    (values, vectors)
}

#[test]
fn fidelity_energy_error_and_gap_match_dense_diagonalisation() {
    let net = network(3, 2.0);
    let lq = log_q(&net);
    let psi: Vec<f64> = lq.iter().map(|l| (0.5 * l).exp()).collect();
    for b in [0.2, 0.6, 1.5] {
        let (values, vectors) = dense(b);
        let overlap: f64 = (0..DIM).map(|s| vectors[(s, 0)] * psi[s]).sum();
        let mut energy_q = 0.0;
        for s in 0..DIM {
            let off: f64 = (0..N).map(|i| psi[s ^ (1 << i)]).sum();
            energy_q += psi[s] * (energy(s) * psi[s] - b * off);
        }
        // E₁ in ψ₀'s sector: the next level whose eigenspace holds some of the uniform vector.
        let uniform_weight = |level: f64| -> f64 {
            (0..DIM)
                .filter(|&c| (values[c] - level).abs() < 1e-9)
                .map(|c| {
                    let u: f64 = (0..DIM).map(|s| vectors[(s, c)]).sum::<f64>();
                    u * u / DIM as f64
                })
                .sum()
        };
        let e1 = values
            .iter()
            .copied()
            .filter(|&v| v > values[0] + 1e-9)
            .find(|&v| uniform_weight(v) > 1e-12)
            .unwrap();
        let q = target(TargetKind::Quantum)
            .measure(&net, b)
            .unwrap()
            .quantum
            .unwrap();
        close(q.fidelity.unwrap(), overlap * overlap, 1e-9, "fidelity");
        close(
            q.energy_error,
            (energy_q - values[0]) / N as f64,
            1e-9,
            "energy error",
        );
        close(q.gap.unwrap(), e1 - values[0], 1e-8, "gap");
    }
}

#[test]
fn a_uniform_network_at_a_huge_field_has_fidelity_one() {
    let config = Rnn2dConfig {
        hidden: 8,
        ..Rnn2dConfig::default()
    };
    let net = Rnn2d::from_params(config, L, Params::zeros(tensor_specs(8))).unwrap();
    let q = target(TargetKind::Quantum)
        .measure(&net, 1e6)
        .unwrap()
        .quantum
        .unwrap();
    close(q.fidelity.unwrap(), 1.0, 1e-9, "fidelity");
}

#[test]
fn a_network_collapsed_on_one_ground_state_has_one_mode() {
    let config = Rnn2dConfig {
        hidden: 8,
        ..Rnn2dConfig::default()
    };
    let mut params = Params::zeros(tensor_specs(8));
    let c = params.index_of("rnn2d/c").unwrap();
    params.slice_mut(c).copy_from_slice(&[40.0, -40.0]);
    let net = Rnn2d::from_params(config, L, params).unwrap();
    let modes = target(TargetKind::Thermal)
        .measure(&net, 1.0)
        .unwrap()
        .modes
        .unwrap();
    close(modes.effective_modes, 1.0, 1e-9, "effective modes");
    close(modes.kl_to_uniform, 2.0 * 2f64.ln(), 1e-9, "KL to uniform");
    close(modes.mass, 1.0, 1e-9, "mass");
}

#[test]
fn the_sampled_free_energy_gap_converges_to_t_times_kl() {
    use rand::RngExt;
    let net = network(4, 2.0);
    let lq = log_q(&net);
    let t = 1.0;
    let e: Vec<f64> = (0..DIM).map(energy).collect();
    let z: f64 = e.iter().map(|e| (-e / t).exp()).sum();
    let f_exact = -t * z.ln() / N as f64;
    let reverse: f64 = (0..DIM)
        .map(|s| lq[s].exp() * (lq[s] + e[s] / t + z.ln()))
        .sum();
    let expected = t * reverse / N as f64;
    let mut rng = rand::rngs::StdRng::seed_from_u64(9);
    let mut previous_error = f64::INFINITY;
    for m in [100usize, 1_000, 20_000] {
        let uniforms = Array2::from_shape_simple_fn((m, N), || rng.random::<f64>());
        let mut bits = Array2::zeros((m, N));
        let mut lp = Array1::zeros(m);
        net.sample_with(
            uniforms.view(),
            bits.view_mut(),
            lp.view_mut(),
            &mut Default::default(),
        );
        let gaps: Vec<f64> = (0..m)
            .map(|r| {
                let s: usize = (0..N).map(|i| (bits[[r, i]] as usize) << i).sum();
                (e[s] + t * lp[r]) / N as f64 - f_exact
            })
            .collect();
        let mean = gaps.iter().sum::<f64>() / m as f64;
        let var = gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / (m - 1) as f64;
        let stderr = (var / m as f64).sqrt();
        assert!(
            (mean - expected).abs() < 4.0 * stderr,
            "M = {m}: {mean} ± {stderr} against {expected}"
        );
        assert!(stderr < previous_error);
        previous_error = stderr;
    }
}
