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
use annealscape::nn::{load_npz, save_npz, Autoregressive, Network, NetworkConfig, Params};
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
fn network(seed: u64, scale: f64) -> Network {
    let config = NetworkConfig {
        hidden: 8,
        ..NetworkConfig::default()
    };
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut net = config.init(L, &mut rng);
    net.params_mut().scale(scale);
    let path = common::temp_dir(&format!("distances-{seed}")).join("net.npz");
    save_npz(&path, net.params()).unwrap();
    let params = load_npz(&path, &Params::zeros(tensor_specs(8))).unwrap();
    Network::from_params(config, L, params).unwrap()
}

fn log_q(net: &Network) -> Vec<f64> {
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
    for b in [0.05, 0.2, 0.6, 1.5] {
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
        let e1_symmetric = values
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
        // B > 0: ψ₀ is unique, so the whole spectrum's gap is the second eigenvalue's.
        close(q.gap.unwrap(), values[1] - values[0], 1e-8, "gap");
        close(
            q.gap_symmetric.unwrap(),
            e1_symmetric - values[0],
            1e-8,
            "symmetric gap",
        );
        assert!(
            values[1] - values[0] < e1_symmetric - values[0],
            "L = 3: the whole gap is smaller"
        );
    }
}

#[test]
fn a_uniform_network_at_a_huge_field_has_fidelity_one() {
    let config = NetworkConfig {
        hidden: 8,
        ..NetworkConfig::default()
    };
    let net = Network::from_params(config, L, Params::zeros(tensor_specs(8))).unwrap();
    let q = target(TargetKind::Quantum)
        .measure(&net, 1e6)
        .unwrap()
        .quantum
        .unwrap();
    close(q.fidelity.unwrap(), 1.0, 1e-9, "fidelity");
}

#[test]
fn a_network_collapsed_on_one_ground_state_has_one_mode() {
    let config = NetworkConfig {
        hidden: 8,
        ..NetworkConfig::default()
    };
    let mut params = Params::zeros(tensor_specs(8));
    let c = params.index_of("rnn2d/c").unwrap();
    params.slice_mut(c).copy_from_slice(&[40.0, -40.0]);
    let net = Network::from_params(config, L, params).unwrap();
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

fn short_run(kind: &str, every: usize) -> annealscape::run::RunConfig {
    annealscape::run::RunConfig::preset("paper-quantum-L3")
        .unwrap()
        .with_overrides(&[
            "anneal.estimator=standard".into(),
            format!("anneal.kind={kind}"),
            "network.hidden=8".into(),
            "anneal.warmup_steps=10".into(),
            "anneal.anneal_steps=20".into(),
            "anneal.train_steps=2".into(),
            "anneal.samples=40".into(),
            "anneal.minibatches=2".into(),
            "anneal.final_samples=500".into(),
            format!("diagnostics.exact_every={every}"),
        ])
        .unwrap()
}

#[test]
fn a_run_writes_exact_rows_at_the_cadence_and_at_the_end() {
    use annealscape::analysis::RunFolder;
    use annealscape::run::{read_distances, run_blocking};
    let dir = common::temp_dir("distances-run");
    let config = short_run("quantum", 7);
    run_blocking(&config, &dir, &mut annealscape::anneal::Silent).unwrap();
    let table = read_distances(&dir).unwrap().expect("exact.csv written");
    let total = config.anneal.schedule().total_steps();
    let steps: Vec<usize> = table.rows.iter().map(|r| r.step).collect();
    let mut expected: Vec<usize> = (0..total).step_by(7).collect();
    expected.push(total);
    assert_eq!(steps, expected);
    for row in &table.rows {
        assert_eq!(
            row.ground_state_log_probs.len(),
            4,
            "p(g) of the 4 ground states"
        );
        let mass: f64 = row.ground_state_log_probs.iter().map(|l| l.exp()).sum();
        close(
            mass,
            row.ground_state_mass.unwrap(),
            1e-12,
            "mass from the bars",
        );
        assert!(row.energy_error.unwrap() >= -1e-12, "variational: {row:?}");
        if row.field > 0.0 {
            let f = row.fidelity.unwrap();
            assert!((0.0..=1.0).contains(&f));
        }
    }
    // The final row measures the completion weights at B = 0.
    let last = table.rows.last().unwrap();
    assert_eq!(last.field, 0.0);
    assert_eq!(last.fidelity, None, "degenerate ground space at B = 0");
    assert_eq!(last.gap, Some(0.0));
    let net = RunFolder::open(&dir)
        .unwrap()
        .network("completion")
        .unwrap();
    let d = target(TargetKind::Quantum).measure(&net, 0.0).unwrap();
    assert_eq!(d.modes.unwrap().mass, last.ground_state_mass.unwrap());

    // The command line prints the same numbers for that snapshot.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_annealscape"))
        .args(["distance", "--run"])
        .arg(&dir)
        .args(["--snapshot", "completion"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let value = |name: &str| -> Option<f64> {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}\t")))
            .map(|v| v.parse().unwrap())
    };
    assert_eq!(text.lines().next(), Some("quantity\tvalue"));
    assert_eq!(value("ground_state_mass"), last.ground_state_mass);
    assert_eq!(value("effective_modes"), last.effective_modes);
    assert_eq!(value("energy_error"), last.energy_error);
    assert_eq!(value("fidelity"), None);
    let notes = String::from_utf8(out.stderr).unwrap();
    assert!(
        notes.contains("fidelity with one ground state is not defined"),
        "{notes}"
    );

    // --symmetrise measures p_sym: the ground states are one orbit of the code, so the mass
    // is kept and spread evenly over all four (what `code-after` reports).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_annealscape"))
        .args(["distance", "--symmetrise", "--run"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", out);
    let text = String::from_utf8(out.stdout).unwrap();
    let value = |name: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}\t")))
            .map(|v| v.parse().unwrap())
            .unwrap_or_else(|| panic!("{name} in {text}"))
    };
    close(
        value("ground_state_mass"),
        last.ground_state_mass.unwrap(),
        1e-12,
        "the mass symmetrised",
    );
    close(value("effective_modes"), 4.0, 1e-9, "all four modes equal");
    close(
        value("kl_to_uniform_ground_states"),
        0.0,
        1e-9,
        "uniform over the ground states",
    );
}

#[test]
fn the_per_step_free_energy_gap_is_the_objective_less_the_exact_free_energy() {
    use annealscape::run::{read_run_metrics, run_blocking};
    let dir = common::temp_dir("distances-thermal");
    let config = short_run("thermal", 10);
    run_blocking(&config, &dir, &mut annealscape::anneal::Silent).unwrap();
    let rows = read_run_metrics(&dir).unwrap().rows;
    let e: Vec<f64> = (0..DIM).map(energy).collect();
    for row in rows.iter().filter(|r| r.temperature > 0.0) {
        let t = row.temperature;
        let top = e.iter().map(|e| -e / t).fold(f64::NEG_INFINITY, f64::max);
        let log_z = top + e.iter().map(|e| (-e / t - top).exp()).sum::<f64>().ln();
        let f = -t * log_z / N as f64;
        close(
            row.free_energy_gap.unwrap(),
            row.objective_mean - f,
            1e-12,
            "Δf",
        );
        let stderr = (row.objective_var / 40.0).sqrt();
        close(
            row.free_energy_gap_stderr.unwrap(),
            stderr,
            1e-12,
            "stderr of Δf",
        );
    }
    // KL(q‖p_T) at the cadence: T·KL/N agrees with the sampled gap within a few errors.
    let table = annealscape::run::read_distances(&dir).unwrap().unwrap();
    for row in table.rows.iter().filter(|r| r.temperature > 0.0) {
        let step = &rows[row.step];
        let exact = row.temperature * row.kl_reverse.unwrap();
        let gap = step.free_energy_gap.unwrap();
        let err = step.free_energy_gap_stderr.unwrap();
        assert!(
            (gap - exact).abs() < 5.0 * err + 1e-9,
            "step {}: {gap} ± {err} against {exact}",
            row.step
        );
    }
}

#[test]
fn at_l5_the_sampled_energy_error_uses_the_cached_grid() {
    // A fabricated concave E₀(B)/N on a grid in a private cache: this checks the plumbing
    // (interpolation, columns), not the physics of L = 5.
    let cache = common::temp_dir("distances-grid");
    let e0 = |b: f64| -0.5 - 0.3 * b * b;
    std::fs::create_dir_all(cache.join("ground_energy")).unwrap();
    let grid: Vec<f64> = (0..=10).map(|i| 0.1 * i as f64).collect();
    for &b in &grid {
        std::fs::write(
            cache
                .join("ground_energy")
                .join(format!("L5_J1.0_B{b:?}.txt")),
            format!("{:?}\n", e0(b)),
        )
        .unwrap();
    }
    let dir = cache.join("run");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_annealscape"))
        .env("ANNEALSCAPE_CACHE", &cache)
        .args(["anneal", "--preset", "quick", "--out"])
        .arg(&dir)
        .args([
            "--set",
            "lattice.size=5",
            "--set",
            "network.hidden=6",
            "--set",
            "anneal.warmup_steps=4",
            "--set",
            "anneal.anneal_steps=20",
            "--set",
            "anneal.train_steps=1",
            "--set",
            "anneal.samples=20",
            "--set",
            "anneal.minibatches=2",
            "--set",
            "anneal.final_samples=100",
            "--set",
            "diagnostics.exact_every=3",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let rows = annealscape::run::read_run_metrics(&dir).unwrap().rows;
    let table = annealscape::run::read_distances(&dir).unwrap().unwrap();
    let mut checked = 0;
    for row in table
        .rows
        .iter()
        .filter(|r| r.phase != annealscape::anneal::Phase::Final)
    {
        let b = row.field;
        let i = grid
            .iter()
            .rposition(|&g| g <= b)
            .unwrap()
            .min(grid.len() - 2);
        let t = (b - grid[i]) / (grid[i + 1] - grid[i]);
        let interpolated = e0(grid[i]) + t * (e0(grid[i + 1]) - e0(grid[i]));
        let step = &rows[row.step];
        close(
            row.energy_error_sampled.unwrap(),
            step.objective_mean - interpolated,
            1e-12,
            "sampled error",
        );
        close(
            row.energy_error_sampled_stderr.unwrap(),
            (step.objective_var / 20.0).sqrt(),
            1e-12,
            "stderr",
        );
        // The bound covers the true interpolation error of this parabola: 0.3·h²/4 at most.
        let true_error = (interpolated - e0(b)).abs();
        let bound = row.energy_error_interpolation.unwrap();
        assert!(
            true_error <= bound + 1e-15,
            "B = {b}: {true_error} > {bound}"
        );
        assert_eq!(row.fidelity, None, "N = 25 is not enumerated");
        checked += 1;
    }
    assert!(checked >= 7);
}

#[test]
fn older_or_damaged_exact_files_do_not_stop_a_run_from_opening() {
    use annealscape::run::{read_distances, run_blocking};
    let dir = common::temp_dir("distances-old");
    run_blocking(
        &short_run("quantum", 10),
        &dir,
        &mut annealscape::anneal::Silent,
    )
    .unwrap();
    // An exact.csv written before some columns existed still reads.
    std::fs::write(
        dir.join("exact.csv"),
        "step,phase,temperature,field,fidelity,effective_modes\n0,warmup,0.0,1.0,0.5,3.2\n",
    )
    .unwrap();
    let rows = read_distances(&dir).unwrap().unwrap().rows;
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].fidelity, rows[0].gap_symmetric), (Some(0.5), None));
    // A damaged one is a warning in the app, and the run still opens.
    std::fs::write(
        dir.join("exact.csv"),
        "step,phase,temperature,field\nx,y,z,w\n",
    )
    .unwrap();
    let opened = annealscape::app::read_run(&dir).unwrap();
    assert!(opened.distances.is_empty());
    let warning = opened.warning.unwrap();
    assert!(
        warning.contains("exact distances not shown") && warning.contains("exact.csv"),
        "{warning}"
    );
    assert!(!opened.metrics.is_empty());
}
