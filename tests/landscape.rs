//! Landscapes against exact answers: centre values, exact enumeration, common random
//! numbers, PCA paths, roughness, files and refusals.

use annealscape::analysis::{Existing, LandscapeRequest, RunFolder};
use annealscape::anneal::{Objective, Silent};
use annealscape::landscape::{
    compute_surface, exact_value, load_landscape, random_directions, BiasDirection, DirectionKind,
    Surface, SurfaceEstimator, SurfaceSpec,
};
use annealscape::nn::{Autoregressive, NetworkWorkspace};
use annealscape::physics::{Lattice, NewmanMoore};
use annealscape::run::{run_blocking, RunConfig};
use ndarray::{Array1, Array2};
use rand::{rngs::StdRng, RngExt, SeedableRng};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

/// A short L = 3 quantum run, made once per test.
fn small_run(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("annealscape-ls-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = RunConfig::preset("quick")
        .unwrap()
        .with_overrides(&[
            "lattice.size=3".into(),
            "anneal.warmup_steps=20".into(),
            "anneal.anneal_steps=60".into(),
            "anneal.final_samples=100".into(),
        ])
        .unwrap();
    run_blocking(&config, &dir, &mut Silent).unwrap();
    dir
}

fn request(
    directions: DirectionKind,
    estimator: SurfaceEstimator,
    points: usize,
) -> LandscapeRequest {
    LandscapeRequest {
        directions,
        direction_seed: 5,
        bias: BiasDirection::Zero,
        spec: SurfaceSpec {
            range: 0.5,
            points,
            samples: 200,
            estimator,
            seed: 9,
            one_dimensional: false,
        },
        pair: Default::default(),
        to: None,
    }
}

#[test]
fn centre_value_is_the_objective_at_the_snapshot() {
    let dir = small_run("centre");
    let folder = RunFolder::open(&dir).unwrap();
    let cancel = AtomicBool::new(false);
    let req = request(DirectionKind::Filter, SurfaceEstimator::Crn, 5);
    let (landscape, _) = folder
        .landscape("mid3", &req, &cancel, Existing::WriteBeside, |_, _, _| {})
        .unwrap()
        .unwrap();
    // Direct evaluation at θ* with the same uniforms.
    let net = folder.network("mid3").unwrap();
    let model = NewmanMoore::new(Lattice::new(3).unwrap(), 1.0).unwrap();
    let mut rng = StdRng::seed_from_u64(9);
    let uniforms = Array2::from_shape_simple_fn((200, 9), || rng.random::<f64>());
    let mut bits = Array2::zeros((200, 9));
    let mut lp = Array1::zeros(200);
    let mut ws = vec![NetworkWorkspace::default()];
    net.sample_with(uniforms.view(), bits.view_mut(), lp.view_mut(), &mut ws[0]);
    let energies = model.energies(bits.view());
    let mut local = Array1::zeros(200);
    let objective = Objective::quantum(landscape.settings.x);
    objective.local_values(
        &net,
        bits.view(),
        lp.view(),
        energies.view(),
        &mut ws,
        local.view_mut(),
    );
    let direct = local.mean().unwrap() / 9.0;
    let centre = landscape.surface.values[[2, 2]];
    assert!((centre - direct).abs() < 1e-12, "{centre} vs {direct}");
    assert!(landscape.settings.x > 0.0 && landscape.settings.x < 1.0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn exact_estimator_equals_brute_force_enumeration() {
    let dir = small_run("exact");
    let folder = RunFolder::open(&dir).unwrap();
    let cancel = AtomicBool::new(false);
    let req = request(DirectionKind::Gaussian, SurfaceEstimator::Exact, 3);
    let (landscape, _) = folder
        .landscape("mid2", &req, &cancel, Existing::WriteBeside, |_, _, _| {})
        .unwrap()
        .unwrap();
    let b = landscape.settings.x;
    let model = NewmanMoore::new(Lattice::new(3).unwrap(), 1.0).unwrap();
    let center = folder.network("mid2").unwrap();
    let dirs = random_directions(
        DirectionKind::Gaussian,
        center.params(),
        5,
        BiasDirection::Zero,
    );
    for (j, &beta) in landscape.surface.beta.iter().enumerate() {
        for (i, &alpha) in landscape.surface.alpha.iter().enumerate() {
            let mut net = center.clone();
            net.params_mut().axpy(alpha, &dirs.delta);
            net.params_mut().axpy(beta, &dirs.eta);
            // ψᵀ(H − BΣX)ψ over all 512 states, written out here independently.
            let all = Array2::from_shape_fn((512, 9), |(s, k)| ((s >> k) & 1) as u8);
            let mut lp = Array1::zeros(512);
            net.log_prob(all.view(), lp.view_mut(), &mut NetworkWorkspace::default());
            let psi = lp.mapv(|l| (0.5 * l).exp());
            let h = model.energies(all.view());
            let e: f64 = (0..512usize)
                .map(|s| {
                    psi[s] * (h[s] * psi[s] - b * (0..9).map(|k| psi[s ^ (1 << k)]).sum::<f64>())
                })
                .sum::<f64>()
                / 9.0;
            let got = landscape.surface.values[[j, i]];
            assert!((got - e).abs() < 1e-10, "({alpha}, {beta}): {got} vs {e}");
            assert_eq!(landscape.surface.stderr[[j, i]], 0.0);
        }
    }
    let mut ws = NetworkWorkspace::default();
    let centre = exact_value(&center, &model, Objective::quantum(b), &mut ws);
    assert!((landscape.surface.values[[1, 1]] - centre).abs() < 1e-10);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn common_random_numbers_repeat_exactly_and_rows_arrive_in_order() {
    let dir = small_run("crn");
    let folder = RunFolder::open(&dir).unwrap();
    let cancel = AtomicBool::new(false);
    let req = request(DirectionKind::Filter, SurfaceEstimator::Crn, 7);
    let mut rows = Vec::new();
    let (a, _) = folder
        .landscape(
            "completion",
            &req,
            &cancel,
            Existing::WriteBeside,
            |j, v, _| rows.push((j, v.len())),
        )
        .unwrap()
        .unwrap();
    let (b, path) = folder
        .landscape(
            "completion",
            &req,
            &cancel,
            Existing::WriteBeside,
            |_, _, _| {},
        )
        .unwrap()
        .unwrap();
    assert_eq!(a.surface, b.surface);
    assert_eq!(rows, (0..7).map(|j| (j, 7)).collect::<Vec<_>>());
    // The file holds what was computed, settings included.
    let back = load_landscape(&path).unwrap();
    assert_eq!(back.surface, b.surface);
    assert_eq!(back.settings, b.settings);
    // A cancelled computation returns nothing.
    let cancelled = AtomicBool::new(true);
    assert!(folder
        .landscape(
            "completion",
            &req,
            &cancelled,
            Existing::WriteBeside,
            |_, _, _| {}
        )
        .unwrap()
        .is_none());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn pca_path_ends_at_the_origin_with_valid_variance_ratios() {
    let dir = small_run("pca");
    let folder = RunFolder::open(&dir).unwrap();
    let cancel = AtomicBool::new(false);
    let req = request(DirectionKind::Pca, SurfaceEstimator::Fresh, 3);
    let (l, _) = folder
        .landscape(
            "completion",
            &req,
            &cancel,
            Existing::WriteBeside,
            |_, _, _| {},
        )
        .unwrap()
        .unwrap();
    let n = l.path_alpha.len();
    assert!(l.path_alpha[n - 1].abs() < 1e-12 && l.path_beta[n - 1].abs() < 1e-12);
    let [r1, r2] = l.settings.explained.unwrap();
    assert!((0.0..=1.0).contains(&r1) && (0.0..=1.0).contains(&r2) && r1 + r2 <= 1.0 + 1e-12);
    assert!(r1 >= r2);
    assert!(
        l.settings.cosine.abs() < 1e-10,
        "PCA directions are orthogonal"
    );
    // The path moves in the PCA plane (it barely moves along random directions).
    let span = l.path_alpha.iter().fold(0.0f64, |m, a| m.max(a.abs()));
    assert!(span > 0.0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn roughness_of_a_known_surface() {
    // values = 2α + β on a 3 × 3 grid with spacing 1: differences 2 along α, 1 along β.
    let axis = Array1::from(vec![-1.0, 0.0, 1.0]);
    let values = Array2::from_shape_fn((3, 3), |(j, i)| 2.0 * axis[i] + axis[j]);
    let s = Surface {
        alpha: axis.clone(),
        beta: axis,
        values: values.clone(),
        stderr: Array2::zeros((3, 3)),
    };
    assert!((s.roughness() - 1.5).abs() < 1e-15);
}

#[test]
fn surfaces_compute_without_a_run_folder_and_refuse_bad_specs() {
    let lattice = Lattice::new(3).unwrap();
    let model = NewmanMoore::new(lattice, 1.0).unwrap();
    let mut rng = StdRng::seed_from_u64(1);
    let net = annealscape::nn::NetworkConfig::default().init(3, &mut rng);
    let dirs = random_directions(DirectionKind::Filter, net.params(), 1, BiasDirection::Zero);
    let spec = SurfaceSpec {
        points: 4,
        one_dimensional: true,
        ..Default::default()
    };
    let s = compute_surface(
        &net,
        &model,
        Objective::Thermal { temperature: 0.5 },
        &dirs,
        &spec,
        &AtomicBool::new(false),
        |_, _, _| {},
    )
    .unwrap();
    assert_eq!(s.values.dim(), (1, 4));
    assert!(s.stderr.iter().all(|&e| e > 0.0));
    for (bad, needle) in [
        (SurfaceSpec { points: 1, ..spec }, "points"),
        (
            SurfaceSpec {
                range: -1.0,
                ..spec
            },
            "range",
        ),
        (SurfaceSpec { samples: 0, ..spec }, "samples"),
    ] {
        assert!(bad.validate(9).unwrap_err().to_string().contains(needle));
    }
    let exact = SurfaceSpec {
        estimator: SurfaceEstimator::Exact,
        ..spec
    };
    assert!(exact
        .validate(25)
        .unwrap_err()
        .to_string()
        .contains("N <= 16"));
}

#[test]
fn the_command_line_refuses_bad_options_naming_them() {
    let dir = small_run("cli");
    let run = dir.to_str().unwrap();
    let bin = env!("CARGO_BIN_EXE_annealscape");
    for (args, needle) in [
        (vec!["landscape", "--run", run, "--points", "1"], "points"),
        (
            vec!["landscape", "--run", run, "--snapshot", "mid9"],
            "no snapshot 'mid9'",
        ),
        (
            vec!["landscape", "--run", "/nonexistent", "--points", "5"],
            "config.toml",
        ),
        (
            vec!["landscape", "--run", run, "--directions", "sideways"],
            "sideways",
        ),
    ] {
        let out = std::process::Command::new(bin)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    let out = std::process::Command::new(bin)
        .args([
            "landscape",
            "--run",
            run,
            "--snapshot",
            "all",
            "--points",
            "3",
            "--samples",
            "20",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1 + 8, "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
