//! Curvature in runs: `curvature.csv` along an anneal, the `curvature` command's table and
//! file, and the slices of SPEC §6.3 — the curvature of a `hessian` slice at its centre is λ₁,
//! an `interpolate` slice passes through both snapshots' objective values, the `update` slice's
//! axes are orthogonal. L = 3, exact estimator, values checked against independent evaluations.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use annealscape::analysis::{Existing, LandscapeRequest, RunFolder};
use annealscape::anneal::{Objective, Silent};
use annealscape::curvature::{
    extremes, hessian_at, rademacher, CurvatureSettings, ExtremeSettings,
};
use annealscape::landscape::{
    exact_value, BiasDirection, DirectionKind, HessianPair, SurfaceEstimator, SurfaceSpec,
};
use annealscape::nn::{Autoregressive, NetworkWorkspace};
use annealscape::physics::{Lattice, NewmanMoore};
use annealscape::run::{read_curvature, run_blocking, RunConfig};
use rand::SeedableRng;

fn small_run(name: &str, extra: &[&str]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("annealscape-cr-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut overrides: Vec<String> = [
        "lattice.size=3",
        "network.hidden=8",
        "anneal.warmup_steps=20",
        "anneal.anneal_steps=60",
        "anneal.final_samples=100",
        "diagnostics.exact_every=0",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    overrides.extend(extra.iter().map(|s| s.to_string()));
    let config = RunConfig::preset("quick")
        .unwrap()
        .with_overrides(&overrides)
        .unwrap();
    run_blocking(&config, &dir, &mut Silent).unwrap();
    dir
}

fn model() -> NewmanMoore {
    NewmanMoore::new(Lattice::new(3).unwrap(), 1.0).unwrap()
}

/// λ₁ of the exact Hessian at a snapshot, converged (central differences, full Krylov space).
fn top_eigenvalue(folder: &RunFolder, name: &str, x: f64) -> f64 {
    let net = folder.network(name).unwrap();
    let settings = CurvatureSettings::default();
    let h = hessian_at(&net, &model(), Objective::quantum(x), &settings).unwrap();
    let start = rademacher(
        net.params().len(),
        &mut rand::rngs::StdRng::seed_from_u64(1),
    );
    let found = extremes(
        &h,
        &start,
        ExtremeSettings {
            top: 1,
            bottom: 0,
            max_products: 200,
            tolerance: 1e-8,
        },
    )
    .unwrap();
    found.top[0].value
}

fn request(directions: DirectionKind, range: f64, points: usize) -> LandscapeRequest {
    LandscapeRequest {
        directions,
        direction_seed: 2,
        bias: BiasDirection::Zero,
        spec: SurfaceSpec {
            range,
            points,
            samples: 100,
            estimator: SurfaceEstimator::Exact,
            seed: 0,
            one_dimensional: true,
        },
        pair: HessianPair::Top,
        to: None,
    }
}

#[test]
fn curvature_along_the_anneal_is_logged_at_the_cadence() {
    let dir = small_run("along", &["diagnostics.curvature_every=1"]);
    let (rows, warning) = read_curvature(&dir).unwrap().expect("curvature.csv");
    assert!(warning.is_none());
    let steps: Vec<usize> = rows.iter().map(|r| r.step).collect();
    let total = std::fs::read_to_string(dir.join("metrics.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert_eq!(steps, (0..total).collect::<Vec<_>>());
    for r in &rows {
        assert_eq!(r.estimator, "exact");
        assert!(r.lambda_max >= r.lambda_min, "{r:?}");
        assert!((r.adam_threshold - 38.0 / 0.002).abs() < 1e-6);
        assert!((r.gradient_descent_threshold - 1000.0).abs() < 1e-9);
        // The descended loss is N(1 − 1/m) times the per-spin objective, m = 10.
        assert!((r.loss_scale - 9.0 * 0.9).abs() < 1e-12);
        assert!((r.sharpness - r.loss_scale * r.lambda_max).abs() < 1e-9 * r.sharpness.abs());
        assert!(r.preconditioned_sharpness.is_some_and(|p| p > 0.0));
        // 6 + 5 + 2 for the spectrum and the trace, one for the step's quadratic model.
        assert!(r.products > 0 && r.products <= 6 + 5 + 2 + 1);
        let (first, second) = (r.step_first_order.unwrap(), r.step_second_order.unwrap());
        let overshoot = r.step_overshoot.unwrap();
        assert!(
            first.is_finite() && first != 0.0 && second.is_finite(),
            "{r:?}"
        );
        assert!((overshoot - second / first.abs()).abs() <= 1e-12 * overshoot.abs());
    }
    // The last row measures the weights the completion snapshot holds: its few warm-started
    // forward-difference products against a converged λ₁ (central differences, 200 products).
    let folder = RunFolder::open(&dir).unwrap();
    let converged = top_eigenvalue(&folder, "completion", 0.0);
    let last = rows.last().unwrap();
    assert_eq!(last.field, 0.0);
    assert!(
        (last.lambda_max - converged).abs() <= 0.02 * converged.abs(),
        "probe λ_max {} against converged {converged}",
        last.lambda_max
    );
    // The figure draws from the same files.
    let png = dir.join("figures").join("curvature.png");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_annealscape"))
        .args(["figure", "--kind", "curvature", "--run"])
        .arg(&dir)
        .arg("--out")
        .arg(&png)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::metadata(&png).unwrap().len() > 20_000);
}

#[test]
fn a_hessian_slice_curves_by_lambda_one_at_its_centre() {
    let dir = small_run("hessian", &[]);
    let folder = RunFolder::open(&dir).unwrap();
    let x = folder.snapshot_x("mid3").unwrap();
    let cancel = AtomicBool::new(false);
    let (landscape, path) = folder
        .landscape(
            "mid3",
            &request(DirectionKind::Hessian, 2e-4, 5),
            &cancel,
            Existing::WriteBeside,
            |_, _, _| {},
        )
        .unwrap()
        .unwrap();
    assert!(path.ends_with("mid3-hessian.npz"), "{}", path.display());
    let v = landscape.surface.values.row(0).to_vec();
    let h = landscape.surface.alpha[1] - landscape.surface.alpha[0];
    let second = (v[3] - 2.0 * v[2] + v[1]) / (h * h);
    let norm = folder.network("mid3").unwrap().params().norm();
    let lambda = top_eigenvalue(&folder, "mid3", x);
    // α = 1 is a step of ‖θ*‖ along v₁, so d²O/dα² = ‖θ*‖²·λ₁. Second differences of the
    // objective itself carry elu's kinks (~1e−3), hence 1 %.
    let measured = second / (norm * norm);
    assert!(
        (measured - lambda).abs() <= 1e-2 * lambda.abs(),
        "second difference {measured} against λ₁ {lambda}"
    );
    let labels = landscape.settings.axis_labels.clone().unwrap();
    assert!(
        labels[0].contains("lambda1") && labels[0].contains("|theta*|"),
        "{labels:?}"
    );
}

#[test]
fn an_interpolation_passes_through_both_snapshots() {
    let dir = small_run("interp", &[]);
    let folder = RunFolder::open(&dir).unwrap();
    let x = folder.snapshot_x("mid2").unwrap();
    let cancel = AtomicBool::new(false);
    let mut req = request(DirectionKind::Interpolate, 1.0, 25);
    req.to = Some("mid4".into());
    let (landscape, path) = folder
        .landscape("mid2", &req, &cancel, Existing::WriteBeside, |_, _, _| {})
        .unwrap()
        .unwrap();
    assert!(
        path.ends_with("mid2-interpolate-mid4.npz"),
        "{}",
        path.display()
    );
    let alpha = landscape.surface.alpha.to_vec();
    assert_eq!(alpha.len() % 6, 1);
    assert!((alpha[0] + 0.75).abs() < 1e-12 && (alpha[alpha.len() - 1] - 0.75).abs() < 1e-12);
    let values = landscape.surface.values.row(0).to_vec();
    let at = |t: f64| {
        values[alpha
            .iter()
            .position(|a| (a + 0.5 - t).abs() < 1e-9)
            .unwrap()]
    };
    let objective = Objective::quantum(x);
    let mut ws = NetworkWorkspace::default();
    let a = exact_value(
        &folder.network("mid2").unwrap(),
        &model(),
        objective,
        &mut ws,
    );
    let b = exact_value(
        &folder.network("mid4").unwrap(),
        &model(),
        objective,
        &mut ws,
    );
    assert!((at(0.0) - a).abs() < 1e-10, "{} against {a}", at(0.0));
    assert!((at(1.0) - b).abs() < 1e-10, "{} against {b}", at(1.0));
    let barrier = landscape.settings.barrier.unwrap();
    let inside = alpha
        .iter()
        .zip(&values)
        .filter(|(al, _)| (-0.5 - 1e-9..=0.5 + 1e-9).contains(*al))
        .map(|(_, v)| *v)
        .fold(f64::NEG_INFINITY, f64::max);
    assert!((barrier - (inside - a.max(b))).abs() < 1e-12 && barrier >= 0.0);
}

#[test]
fn an_update_slice_has_orthogonal_axes_and_the_adam_step_first() {
    let dir = small_run("update", &[]);
    let folder = RunFolder::open(&dir).unwrap();
    let cancel = AtomicBool::new(false);
    let mut req = request(DirectionKind::Update, 0.1, 5);
    req.spec.one_dimensional = false;
    let (landscape, _) = folder
        .landscape("mid3", &req, &cancel, Existing::WriteBeside, |_, _, _| {})
        .unwrap()
        .unwrap();
    assert!(
        landscape.settings.cosine.abs() < 1e-10,
        "{}",
        landscape.settings.cosine
    );
    let norm = folder.network("mid3").unwrap().params().norm();
    let delta = landscape.directions.row(0);
    assert!((delta.dot(&delta).sqrt() - norm).abs() < 1e-9 * norm);
    // δ is Adam's step −m̂/(√v̂ + ε) from the checkpoint's moments.
    let layout = annealscape::nn::Params::zeros(annealscape::nn::rnn2d::tensor_specs(8));
    let adam = annealscape::nn::load_optimiser(
        &dir.join("checkpoints").join("mid3.npz"),
        &layout,
        annealscape::nn::OptimizerConfig::default(),
    )
    .unwrap()
    .unwrap();
    let step = annealscape::curvature::Preconditioner::from_adam(&adam)
        .unwrap()
        .step_direction;
    let cosine = step.dot(&delta) / (step.dot(&step).sqrt() * norm);
    assert!((cosine - 1.0).abs() < 1e-12, "{cosine}");
    // The init checkpoint has no Adam update yet: the request is refused with the reason.
    let err = folder
        .landscape("init", &req, &cancel, Existing::WriteBeside, |_, _, _| {})
        .unwrap_err();
    assert!(err.to_string().contains("Adam"), "{err}");
}

#[test]
fn a_natural_slice_has_the_natural_step_first_and_an_orthogonal_second_axis() {
    let dir = small_run("natural", &[]);
    let folder = RunFolder::open(&dir).unwrap();
    let cancel = AtomicBool::new(false);
    let mut req = request(DirectionKind::Natural, 0.1, 5);
    req.spec.one_dimensional = false;
    let (landscape, _) = folder
        .landscape("mid3", &req, &cancel, Existing::WriteBeside, |_, _, _| {})
        .unwrap()
        .unwrap();
    assert!(landscape.settings.cosine.abs() < 1e-10);
    // δ is the natural step −c(S + λI)⁻¹∇O at λ = 1e−3, scaled to |θ*|.
    let net = folder.network("mid3").unwrap();
    let model =
        annealscape::physics::NewmanMoore::new(annealscape::physics::Lattice::new(3).unwrap(), 1.0)
            .unwrap();
    let x = folder.snapshot_x("mid3").unwrap();
    let step = annealscape::curvature::update_direction(
        &net,
        &model,
        annealscape::anneal::Objective::quantum(x),
        annealscape::curvature::DirectionMethod::Natural { diag_shift: 1e-3 },
        annealscape::curvature::CurvatureEstimator::Exact,
        0,
        0,
        None,
    )
    .unwrap()
    .direction;
    let delta = landscape.directions.row(0);
    let cosine = step.dot(&delta) / (step.dot(&step).sqrt() * delta.dot(&delta).sqrt());
    assert!((cosine - 1.0).abs() < 1e-12, "{cosine}");
}

#[test]
fn the_curvature_command_prints_its_table_and_stores_the_spectrum() {
    let dir = small_run("cli", &[]);
    let bin = env!("CARGO_BIN_EXE_annealscape");
    let out = std::process::Command::new(bin)
        .args(["curvature", "--run"])
        .arg(&dir)
        .args([
            "--snapshot",
            "mid3",
            "--top",
            "2",
            "--bottom",
            "2",
            "--density",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "which\trank\tvalue\tstderr");
    let kinds: Vec<String> = lines[1..]
        .iter()
        .map(|l| l.split('\t').take(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        kinds,
        [
            "top 1",
            "top 2",
            "bottom 1",
            "bottom 2",
            "trace 0",
            "preconditioned 1",
            "threshold 0"
        ]
    );
    let value = |i: usize| lines[i].split('\t').nth(2).unwrap().parse::<f64>().unwrap();
    let folder = RunFolder::open(&dir).unwrap();
    let lambda = top_eigenvalue(&folder, "mid3", folder.snapshot_x("mid3").unwrap());
    assert!(
        (value(1) - lambda).abs() < 1e-6 * lambda.abs(),
        "{} against {lambda}",
        value(1)
    );
    assert!(value(1) >= value(2) && value(3) <= value(4));
    let stored = dir.join("curvature").join("mid3.npz");
    let vectors = annealscape::curvature::read_vectors(&stored, "top").unwrap();
    assert_eq!(
        vectors.dim(),
        (2, folder.network("mid3").unwrap().params().len())
    );
    let (grid, phi) = annealscape::curvature::read_density(&stored)
        .unwrap()
        .unwrap();
    let integral: f64 = phi.iter().sum::<f64>() * (grid[1] - grid[0]);
    assert!((integral - 1.0).abs() < 1e-3, "{integral}");
    // A bare checkpoint with the exact estimator above N = 16 is refused, naming the fix.
    let out = std::process::Command::new(bin)
        .args(["curvature", "--checkpoint"])
        .arg(dir.join("checkpoints").join("mid3.npz"))
        .args([
            "--l",
            "5",
            "--kind",
            "quantum",
            "--x",
            "0.5",
            "--estimator",
            "exact",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--estimator sampled"));
}
