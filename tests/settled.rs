//! The settled schedule (SPEC §8.3): a run spends exactly the linear schedule's steps, visits
//! every linear value in order and ends at X = 0; X is recorded per step and is what snapshots,
//! events and landscapes use; a stopped run resumes bit for bit; bad settings are refused.

mod common;

use annealscape::analysis::RunFolder;
use annealscape::anneal::{Annealer, Outcome, Phase, SettledPosition, Silent};
use annealscape::physics::Lattice;
use annealscape::run::{read_metrics, resume_blocking, run_blocking, RunConfig};

fn settled(tolerance: f64) -> RunConfig {
    RunConfig::preset("quick")
        .unwrap()
        .with_overrides(&[
            "lattice.size=3".into(),
            "network.hidden=8".into(),
            "anneal.start=1".into(),
            "anneal.schedule=settled".into(),
            "anneal.warmup_steps=20".into(),
            "anneal.anneal_steps=30".into(),
            "anneal.train_steps=5".into(),
            "anneal.settle_window=2".into(),
            format!("anneal.settle_tolerance={tolerance}"),
            "anneal.max_dwell=12".into(),
            "anneal.final_samples=500".into(),
            "output.resume_every=25".into(),
            "seed=3".into(),
        ])
        .unwrap()
}

#[test]
fn a_settled_run_spends_the_linear_budget_and_visits_every_value_in_order() {
    // Tolerance 1: every value counts as settled after 2w = 4 steps, so X moves on before the
    // linear schedule's 5 steps and the saved steps go to the last values.
    let config = settled(1.0);
    let dir = common::temp_dir("settled-run");
    let outcome = run_blocking(&config, &dir, &mut Silent).unwrap();
    assert!(matches!(outcome, Outcome::Finished(_)), "{outcome:?}");
    let rows = read_metrics(&dir.join("metrics.csv")).unwrap().rows;
    assert_eq!(rows.len(), 20 + 30 * 5 + 1);
    let last = rows.last().unwrap();
    assert_eq!((last.phase, last.field), (Phase::Final, 0.0));
    assert!(rows[..20]
        .iter()
        .all(|r| r.phase == Phase::Warmup && r.field == 1.0));
    let descent: Vec<f64> = rows[20..rows.len() - 1].iter().map(|r| r.field).collect();
    // Each step's X is one of the linear values 1 − k/30, k never decreasing, each visited.
    let ks: Vec<usize> = descent
        .iter()
        .map(|x| {
            let k = ((1.0 - x) * 30.0).round() as usize;
            assert!((x - (1.0 - k as f64 / 30.0)).abs() < 1e-12, "X = {x}");
            k
        })
        .collect();
    assert!(ks.windows(2).all(|w| w[1] == w[0] || w[1] == w[0] + 1));
    let dwell = |k: usize| ks.iter().filter(|&&v| v == k).count();
    assert_eq!((ks[0], *ks.last().unwrap()), (0, 29));
    assert_eq!(dwell(0), 4);
    assert!((0..30).all(|k| (1..=12).contains(&dwell(k))));
    assert_eq!(dwell(29), 12, "the last value takes what was saved");
    // A snapshot's X is the recorded one, not the linear schedule's at that step.
    let folder = RunFolder::open(&dir).unwrap();
    let mid = folder.snapshot_step("mid3").unwrap() as usize;
    assert_eq!(folder.snapshot_x("mid3"), Some(rows[mid].field));
    let linear = config.anneal.schedule().at(mid).1;
    assert_ne!(
        rows[mid].field, linear,
        "step {mid}: the test should tell them apart"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_stopped_settled_run_resumes_bit_for_bit() {
    // A tolerance the sampled objective meets at some values and not others.
    let config = settled(2e-2);
    let whole = common::temp_dir("settled-whole");
    run_blocking(&config, &whole, &mut Silent).unwrap();
    let parts = common::temp_dir("settled-parts");
    // Stop mid-descent, past a resume point, so the position in resume.npz is used.
    let stopped = run_blocking(&config, &parts, &mut common::StopAt(93)).unwrap();
    assert_eq!(stopped, Outcome::Stopped { steps: 93 });
    let resumed = resume_blocking(&parts, &mut Silent);
    assert!(matches!(resumed, Ok(Outcome::Finished(_))), "{resumed:?}");
    assert_eq!(
        common::metrics_without_seconds(&whole),
        common::metrics_without_seconds(&parts)
    );
    // The run did not simply follow the linear schedule.
    let rows = read_metrics(&whole.join("metrics.csv")).unwrap().rows;
    let linear = config.anneal.schedule();
    assert!(rows.iter().any(|r| r.field != linear.at(r.step).1));
    for d in [whole, parts] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn bad_settling_settings_are_refused_by_name() {
    let refused = |overrides: &[&str]| {
        let mut all: Vec<String> = vec!["anneal.schedule=settled".into()];
        all.extend(overrides.iter().map(|s| s.to_string()));
        RunConfig::preset("quick")
            .unwrap()
            .with_overrides(&all)
            .unwrap_err()
            .to_string()
    };
    let dwell = refused(&["anneal.train_steps=5", "anneal.max_dwell=4"]);
    assert!(
        dwell.contains("anneal.max_dwell = 4") && dwell.contains("anneal.train_steps = 5"),
        "{dwell}"
    );
    let window = refused(&["anneal.settle_window=0"]);
    assert!(
        window.contains("anneal.settle_window") && window.contains("(got 0)"),
        "{window}"
    );
    let tolerance = refused(&["anneal.settle_tolerance=-1"]);
    assert!(tolerance.contains("anneal.settle_tolerance"), "{tolerance}");
    // A linear schedule ignores the settling keys' values but a written config keeps defaults out.
    let linear = RunConfig::preset("quick").unwrap();
    assert!(!linear.to_toml().contains("settle_window"));
}

#[test]
fn a_saved_position_outside_the_schedule_is_refused_on_resume() {
    let config = settled(2e-2);
    let mut annealer = annealscape::run::annealer(&config).unwrap();
    for _ in 0..40 {
        annealer.step().unwrap();
    }
    let resume = |state| {
        Annealer::resume(
            Lattice::new(3).unwrap(),
            config.lattice.coupling,
            config.network,
            &config.anneal,
            state,
        )
    };
    // The untouched state resumes.
    assert!(resume(annealer.state()).is_ok());
    type Damage = fn(&mut SettledPosition);
    let damaged: [(&str, Damage); 3] = [
        ("value 30", |p| p.value = 30),
        ("dwell 13", |p| p.dwell = 13),
        ("5 recent values", |p| p.recent = vec![0.0; 5]),
    ];
    for (what, damage) in damaged {
        let mut state = annealer.state();
        damage(
            state
                .settled
                .as_mut()
                .expect("a settled run saves its position"),
        );
        let err = resume(state).err().expect("a damaged position is refused");
        assert!(err.to_string().contains(what), "{what}: {err}");
    }
}
