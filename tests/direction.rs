//! The direction of one update: the natural gradient against −c(S + λI)⁻¹∇O built in the
//! test from its own enumeration and a dense solve, and the `direction` command.

mod common;

use annealscape::anneal::Objective;
use annealscape::curvature::{update_direction, CurvatureEstimator, DirectionMethod};
use annealscape::nn::{load_npz, save_npz, Autoregressive, NetworkConfig, NetworkWorkspace};
use annealscape::physics::{all_configurations, Lattice, NewmanMoore};
use nalgebra::{DMatrix, DVector};
use ndarray::{Array1, Array2};
use rand::{rngs::StdRng, SeedableRng};

#[test]
fn the_natural_direction_is_the_dense_solve_of_the_fisher_matrix() {
    let model = NewmanMoore::new(Lattice::new(3).unwrap(), 1.0).unwrap();
    let (field, shift) = (0.6, 1e-3);
    let net = NetworkConfig {
        hidden: 4,
        ..Default::default()
    }
    .init(3, &mut StdRng::seed_from_u64(8));
    let p_len = net.params().len();
    assert_eq!(p_len, 62);
    // The test's own enumeration: p, E_loc = E − B Σ_i √(p(s⊕i)/p(s)), D row by row.
    let all = all_configurations(9);
    let mut ws = NetworkWorkspace::default();
    let mut log_p = Array1::zeros(512);
    net.log_prob(all.view(), log_p.view_mut(), &mut ws);
    let p = log_p.mapv(f64::exp);
    let energies = model.energies(all.view());
    let local: Array1<f64> = (0..512)
        .map(|s| energies[s] - field * (0..9).map(|i| (p[s ^ (1 << i)] / p[s]).sqrt()).sum::<f64>())
        .collect();
    let mut d = Array2::zeros((512, p_len));
    for s in 0..512 {
        let mut g = net.params().zeros_like();
        net.accumulate_grad(
            all.slice(ndarray::s![s..s + 1, ..]),
            ndarray::arr1(&[1.0]).view(),
            &mut g,
            &mut ws,
        );
        d.row_mut(s).assign(&g.flat());
    }
    let mean_d = p.dot(&d);
    let energy = p.dot(&local);
    let mut s_matrix = DMatrix::<f64>::zeros(p_len, p_len);
    let mut grad = DVector::<f64>::zeros(p_len);
    for s in 0..512 {
        let row = DVector::from_iterator(p_len, d.row(s).iter().copied());
        s_matrix += p[s] * &row * row.transpose();
        grad += p[s] * (local[s] - energy) / 9.0 * &row;
    }
    let mean = DVector::from_iterator(p_len, mean_d.iter().copied());
    s_matrix -= &mean * mean.transpose();
    for i in 0..p_len {
        s_matrix[(i, i)] += shift;
    }
    let want = -2.0 * s_matrix.lu().solve(&grad).unwrap();
    let found = update_direction(
        &net,
        &model,
        Objective::quantum(field),
        DirectionMethod::Natural { diag_shift: shift },
        CurvatureEstimator::Exact,
        0,
        0,
        None,
    )
    .unwrap();
    let norm = want.norm();
    let diff = found
        .direction
        .iter()
        .zip(want.iter())
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        .sqrt();
    assert!(
        diff < 1e-8 * norm,
        "relative difference {:.2e}",
        diff / norm
    );
    // And the gradient it is compared with is the test's ∇O.
    let gdiff = found
        .gradient
        .iter()
        .zip(grad.iter())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(gdiff < 1e-10 * grad.amax(), "{gdiff:e}");
    assert!(found.cosine_with_descent() > 0.0);
}

#[test]
fn the_direction_command_writes_the_descent_and_names_what_it_lacks() {
    let dir = common::temp_dir("direction");
    std::fs::create_dir_all(&dir).unwrap();
    let net = NetworkConfig {
        hidden: 6,
        ..Default::default()
    }
    .init(3, &mut StdRng::seed_from_u64(2));
    let checkpoint = dir.join("net.npz");
    save_npz(&checkpoint, net.params()).unwrap();
    let out = dir.join("gradient.npz");
    let run = |method: &str, out: &std::path::Path| {
        common::command()
            .args(["direction", "--checkpoint"])
            .arg(&checkpoint)
            .args([
                "--l", "3", "--kind", "quantum", "--x", "0.5", "--method", method, "--out",
            ])
            .arg(out)
            .output()
            .unwrap()
    };
    let done = run("gradient", &out);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let text = String::from_utf8_lossy(&done.stdout);
    assert!(text.contains("cosine_with_descent\t1.000000"), "{text}");
    let written = load_npz(&out, &net.params().zeros_like()).unwrap();
    assert!(written.norm() > 0.0);
    let natural = run("natural", &dir.join("natural.npz"));
    assert!(
        natural.status.success(),
        "{}",
        String::from_utf8_lossy(&natural.stderr)
    );
    let cosine: f64 = String::from_utf8_lossy(&natural.stdout)
        .lines()
        .find_map(|l| {
            l.strip_prefix("cosine_with_descent\t")
                .map(|v| v.parse().unwrap())
        })
        .unwrap();
    assert!(cosine > 0.0 && cosine < 1.0, "{cosine}");
    // A bare network has no Adam state: the error says what to use instead.
    let adam = run("adam", &dir.join("adam.npz"));
    assert_eq!(adam.status.code(), Some(2)); // a usage error: ask for what the file has
    let err = String::from_utf8_lossy(&adam.stderr);
    assert!(
        err.contains("no Adam state") && err.contains("--method gradient"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
