//! Whole anneals: reaching the ground state, variational bounds, run folders, failures.

mod common;

use common::temp_dir;

use annealscape::anneal::{
    AnnealConfig, AnnealKind, Annealer, Estimator, Observer, Outcome, ScheduleShape, Silent,
};
use annealscape::nn::{Autoregressive, Network, NetworkConfig, NetworkWorkspace};
use annealscape::physics::{ground_energy, ExactThermo, Lattice, NewmanMoore};
use annealscape::run::{run_blocking, RunConfig, RunWriter};
use ndarray::{Array1, Array2};

fn config(kind: AnnealKind, start: f64, warmup: usize, anneal: usize) -> AnnealConfig {
    AnnealConfig {
        kind,
        start,
        warmup_steps: warmup,
        anneal_steps: anneal,
        train_steps: 2,
        schedule: ScheduleShape::Linear,
        end_ratio: 1e-3,
        samples: 100,
        minibatches: 10,
        learning_rate: 2e-3,
        estimator: Estimator::Standard,
        final_samples: 2000,
        gradient: Default::default(),
        optimizer: Default::default(),
        entropy_start: 0.0,
        settle_window: annealscape::anneal::SettleRule::default().window,
        settle_tolerance: annealscape::anneal::SettleRule::default().tolerance,
        max_dwell: annealscape::anneal::SettleRule::default().max_dwell,
    }
}

fn small_net() -> NetworkConfig {
    NetworkConfig {
        hidden: 20,
        ..Default::default()
    }
}

fn finish(annealer: &mut Annealer) -> annealscape::anneal::FinalSummary {
    match annealer.run(&mut Silent).unwrap() {
        Outcome::Finished(summary) => summary,
        other => panic!("run did not finish: {other:?}"),
    }
}

#[test]
fn thermal_anneal_at_l4_reaches_the_ground_state() {
    let lattice = Lattice::new(4).unwrap();
    let cfg = config(AnnealKind::Thermal, 1.0, 100, 600);
    let mut annealer = Annealer::new(lattice, 1.0, small_net(), &cfg, 1).unwrap();
    let summary = finish(&mut annealer);
    assert!(
        summary.ground_state_fraction > 0.99 && (summary.energy_min + 0.5).abs() < 1e-12,
        "{}",
        summary.describe()
    );
}

#[test]
fn quantum_anneal_at_l3_reaches_a_ground_state() {
    let lattice = Lattice::new(3).unwrap();
    let cfg = config(AnnealKind::Quantum, 1.0, 100, 600);
    let mut annealer = Annealer::new(lattice, 1.0, small_net(), &cfg, 2).unwrap();
    let summary = finish(&mut annealer);
    assert!(
        summary.ground_state_fraction > 0.99,
        "{}",
        summary.describe()
    );
    assert!(summary.ground_states_found >= 1 && summary.degeneracy_log2 == 2);
    assert!((summary.energy_mean + 0.5).abs() < 1e-2);
}

fn all_configurations(n: usize) -> Array2<u8> {
    Array2::from_shape_fn((1 << n, n), |(s, i)| ((s >> i) & 1) as u8)
}

fn exact_log_probs(net: &Network, n: usize) -> (Array2<u8>, Array1<f64>) {
    let all = all_configurations(n);
    let mut lp = Array1::zeros(1 << n);
    net.log_prob(all.view(), lp.view_mut(), &mut NetworkWorkspace::default());
    (all, lp)
}

/// Train at a fixed X for a while and return the annealer.
fn trained_at(kind: AnnealKind, x: f64, steps: usize) -> Annealer {
    let lattice = Lattice::new(3).unwrap();
    let cfg = config(kind, x, steps, 0);
    let mut annealer = Annealer::new(lattice, 1.0, small_net(), &cfg, 3).unwrap();
    for _ in 0..steps {
        annealer.step().unwrap();
    }
    annealer
}

#[test]
fn variational_free_energy_stays_above_the_exact_one() {
    let t = 0.7;
    let annealer = trained_at(AnnealKind::Thermal, t, 300);
    let model = NewmanMoore::new(Lattice::new(3).unwrap(), 1.0).unwrap();
    let (all, lp) = exact_log_probs(annealer.network(), 9);
    let energies = model.energies(all.view());
    let f_var: f64 = lp
        .iter()
        .zip(&energies)
        .map(|(&l, &e)| l.exp() * (e + t * l))
        .sum::<f64>()
        / 9.0;
    let f_exact = ExactThermo::new(model).at(t).unwrap().f;
    assert!(f_var >= f_exact, "F/N = {f_var} below the exact {f_exact}");
    // Training moved it towards the exact value (the untrained network is far above).
    assert!(f_var - f_exact < 0.05, "F/N = {f_var}, exact {f_exact}");
}

#[test]
fn variational_energy_stays_above_the_exact_ground_energy() {
    let b = 0.6;
    let annealer = trained_at(AnnealKind::Quantum, b, 300);
    let model = NewmanMoore::new(Lattice::new(3).unwrap(), 1.0).unwrap();
    let (all, lp) = exact_log_probs(annealer.network(), 9);
    let psi = lp.mapv(|l| (0.5 * l).exp());
    let energies = model.energies(all.view());
    let e_var: f64 = (0..512usize)
        .map(|s| {
            let off: f64 = (0..9).map(|i| psi[s ^ (1 << i)]).sum();
            psi[s] * (energies[s] * psi[s] - b * off)
        })
        .sum::<f64>()
        / 9.0;
    let e0 = ground_energy(&model, b).unwrap().per_spin;
    assert!(e_var >= e0 - 1e-12, "E/N = {e_var} below E0/N = {e0}");
    assert!(e_var - e0 < 0.05, "E/N = {e_var}, E0/N = {e0}");
}

#[test]
fn a_run_folder_holds_every_file_of_the_design() {
    let dir = temp_dir("folder");
    let config = RunConfig::preset("quick")
        .unwrap()
        .with_overrides(&[
            "anneal.warmup_steps=10".into(),
            "anneal.anneal_steps=30".into(),
            "anneal.final_samples=500".into(),
            "output.trajectory_points=8".into(),
        ])
        .unwrap();
    let outcome = run_blocking(&config, &dir, &mut Silent).unwrap();
    assert!(matches!(outcome, Outcome::Finished(_)));
    for name in [
        "init",
        "warmup",
        "mid1",
        "mid2",
        "mid3",
        "mid4",
        "mid5",
        "completion",
    ] {
        assert!(
            dir.join(format!("checkpoints/{name}.npz")).exists(),
            "{name}"
        );
    }
    assert!(dir.join("samples/completion.txt").exists());
    assert!(dir.join("samples/final_modes.tsv").exists());
    assert!(dir.join("summary.toml").exists());
    let saved = RunConfig::from_file(&dir.join("config.toml")).unwrap();
    assert_eq!(saved, config);
    let metrics = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
    let header: Vec<&str> = metrics.lines().next().unwrap().split(',').collect();
    for column in [
        "step",
        "phase",
        "temperature",
        "field",
        "energy_mean",
        "energy_var",
        "objective_mean",
        "objective_var",
        "entropy",
        "residual_energy",
        "ground_state_fraction",
        "distinct_samples",
        "ground_states_found",
        "seconds",
    ] {
        assert!(header.contains(&column), "missing column {column}");
    }
    assert_eq!(metrics.lines().count(), 1 + 10 + 30 * 2 + 1);
    // The trajectory is bounded and ends at the last step.
    let file = std::fs::File::open(dir.join("trajectory.npz")).unwrap();
    let mut npz = ndarray_npy::NpzReader::new(file).unwrap();
    let steps: Array1<i64> = npz.by_name("steps").unwrap();
    let params: Array2<f64> = npz.by_name("params").unwrap();
    assert!(steps.len() <= 9 && steps[0] == -1 && *steps.last().unwrap() == 70);
    assert_eq!(params.nrows(), steps.len());
    // A second run into the same folder is refused.
    let err = run_blocking(&config, &dir, &mut Silent).unwrap_err();
    assert!(err.to_string().contains("already holds a run"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_nan_stops_the_run_naming_the_step_and_keeps_the_files() {
    let dir = temp_dir("nan");
    let config = RunConfig::preset("quick").unwrap();
    let mut annealer = annealscape::run::annealer(&config).unwrap();
    let mut writer = RunWriter::create(&dir, &config).unwrap();
    for _ in 0..3 {
        let metrics = annealer.step().unwrap();
        let view = annealscape::anneal::StepView {
            metrics: &metrics,
            samples: annealer.samples(),
            params: annealer.network().params(),
            optimiser: annealer.optimiser(),
            update: annealer.last_update(),
        };
        writer.on_step(&view).unwrap();
    }
    annealer.network_mut().params_mut().flat_mut()[5] = f64::NAN;
    let err = annealer.step().unwrap_err().to_string();
    assert!(
        err.contains("step 3") && err.contains("not finite"),
        "{err}"
    );
    let metrics = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
    assert_eq!(
        metrics.lines().count(),
        4,
        "header and three finished steps"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let lattice = Lattice::new(3).unwrap();
    let cfg = config(AnnealKind::Quantum, 1.0, 5, 5);
    let run = || {
        let mut a = Annealer::new(lattice, 1.0, small_net(), &cfg, 9).unwrap();
        (0..10)
            .map(|_| a.step().unwrap().objective_mean)
            .collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}
