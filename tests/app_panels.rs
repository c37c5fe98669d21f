//! The app's panels driven by kittest with fixed, injected state (no live worker decides what
//! a picture shows), with small snapshot images in tests/snapshots/.

mod common;

use annealscape::anneal::{FinalSummary, Phase, StepMetrics};
use annealscape::app::panels;
use annealscape::app::{
    apply_all, AppCommand, AppState, Band, BaselineBand, ExactCurve, LatticeSource, RunStatus, View,
};
use annealscape::landscape::{
    BiasDirection, DirectionKind, Landscape, LandscapeSettings, Surface, SurfaceEstimator,
    SurfaceSpec,
};
use annealscape::nn::Params;
use annealscape::physics::{GroundStates, Lattice};
use annealscape::run::{Event, RunConfig};
use egui_kittest::kittest::{NodeT, Queryable};
use egui_kittest::Harness;
use ndarray::{Array1, Array2};
use std::sync::Arc;

/// An L = 6 quantum run (k = 4: 16 ground states) of 300 steps whose energy jumps at step
/// 150, with a batch of samples near ground states and a fixed exact curve.
fn fixture() -> AppState {
    // Paths are shown in the pictures, so they are fixed (nothing is written there).
    let dir = std::path::PathBuf::from("fixture");
    let mut state = AppState::new("quick", dir.join("runs")).unwrap();
    state.dialog_available = false;
    let config = RunConfig::preset("quick")
        .unwrap()
        .with_overrides(&[
            "lattice.size=6".into(),
            "anneal.warmup_steps=20".into(),
            "anneal.anneal_steps=140".into(),
            "anneal.train_steps=2".into(),
        ])
        .unwrap();
    let total = config.anneal.schedule().total_steps();
    let mut events = vec![Event::Started {
        dir: dir.join("runs/fixture"),
        config: Box::new(config.clone()),
    }];
    for step in 0..total {
        let (_, field) = config.anneal.schedule().at(step);
        let energy = if step < 150 { -0.1 } else { -0.45 } - 0.0002 * step as f64;
        events.push(Event::Step(Box::new(StepMetrics {
            step,
            phase: if step < 20 {
                Phase::Warmup
            } else {
                Phase::Anneal
            },
            temperature: 0.0,
            field,
            energy_mean: energy,
            energy_var: 0.004,
            energy_min: energy - 0.1,
            objective_mean: -1.0 + 0.5 * step as f64 / total as f64,
            objective_var: 0.001,
            entropy: 0.6 * (1.0 - step as f64 / total as f64),
            residual_energy: energy + 0.5,
            ground_state_fraction: 0.0,
            distinct_samples: 40,
            ground_states_found: (step / 40).min(16),
            ground_states_recent: (step / 40).min(16),
            free_energy_gap: None,
            free_energy_gap_stderr: None,
            gradient_norm: 0.1,
            update_norm: Some(0.01 * (1.0 + (step % 13) as f64 / 13.0)),
            preconditioner_median: Some(1e-2 / (1.0 + step as f64 / 100.0)),
            preconditioner_min: Some(1e-6),
            local_tail: Some(4.0),
            local_tail_deviation: Some(0.2),
            local_tail_log_p: Some(-3.0),
            entropy_temperature: None,
            seconds: step as f64 / 100.0,
        })));
    }
    // Samples: the 16 ground states, one with two flipped spins, the first drawn twice.
    let lattice = Lattice::new(6).unwrap();
    let ground: Vec<Array1<u8>> = GroundStates::new(lattice).enumerate().unwrap().collect();
    let mut samples = Array2::zeros((18, 36));
    for (i, g) in ground.iter().enumerate() {
        samples.row_mut(i + 1).assign(g);
    }
    samples.row_mut(0).assign(&ground[3]);
    samples[[0, 7]] ^= 1;
    samples[[0, 20]] ^= 1;
    samples.row_mut(17).assign(&ground[0]);
    events.push(Event::Samples {
        step: 290,
        samples: Arc::new(samples),
    });
    events.push(Event::SnapshotSaved {
        name: "init".into(),
        step: None,
        params: Arc::new(Params::zeros(annealscape::nn::rnn2d::tensor_specs(20))),
    });
    apply_all(&mut state, events);
    state.run.exact = ExactCurve::Ready(
        (0..=10)
            .map(|k| (k as f64 / 10.0, -0.5 - 0.5 * (k as f64 / 10.0).powi(2)))
            .collect(),
        "exact E0(B)/N".into(),
    );
    state
}

/// A 21 × 21 bowl with a projected path, as a finished landscape.
fn bowl() -> Landscape {
    let axis = Array1::linspace(-1.0, 1.0, 21);
    let values = Array2::from_shape_fn((21, 21), |(j, i)| {
        -0.5 + 0.3 * (axis[i] * axis[i] + 0.5 * axis[j] * axis[j])
    });
    let surface = Surface {
        alpha: axis.clone(),
        beta: axis.clone(),
        stderr: Array2::from_elem((21, 21), 0.01),
        values,
    };
    Landscape {
        settings: LandscapeSettings {
            snapshot: "now-290".into(),
            step: 290,
            kind: "quantum".into(),
            x: 0.3,
            size: 6,
            directions: DirectionKind::Filter,
            direction_seed: 0,
            bias: BiasDirection::Zero,
            spec: SurfaceSpec {
                range: 1.0,
                points: 21,
                samples: 100,
                estimator: SurfaceEstimator::Fresh,
                seed: 0,
                one_dimensional: false,
            },
            cosine: 0.01,
            explained: None,
            roughness: surface.roughness(),
            axis_labels: None,
            barrier: None,
            pair: Default::default(),
            to: None,
        },
        surface,
        path_alpha: Array1::linspace(0.8, 0.0, 12),
        path_beta: Array1::from_shape_fn(12, |k| 0.5 * (1.0 - k as f64 / 11.0).powi(2)),
        path_steps: Array1::from_shape_fn(12, |k| k as i64 * 25),
        directions: Array2::zeros((2, 3)),
    }
}

type PanelFn = fn(&mut egui::Ui, &mut AppState) -> Vec<AppCommand>;

/// A harness drawing one panel; the commands it returns are collected beside the state.
fn harness(
    panel: PanelFn,
    state: AppState,
    size: (f32, f32),
) -> Harness<'static, (AppState, Vec<AppCommand>)> {
    common::require_vulkan();
    Harness::builder()
        .with_size(egui::vec2(size.0, size.1))
        .build_ui_state(
            move |ui, (state, commands): &mut (AppState, Vec<AppCommand>)| {
                egui::CentralPanel::default_margins().show(ui, |ui| {
                    commands.extend(panel(ui, state));
                });
            },
            (state, Vec::new()),
        )
}

#[test]
fn curves_panel_marks_the_jump_and_switches_to_field_axis() {
    let state = fixture();
    assert_eq!(state.run.jumps.len(), 1, "{:?}", state.run.jumps);
    let jump = state.run.jumps[0];
    assert!((140..=160).contains(&jump), "jump at {jump}");
    let mut h = harness(panels::curves::ui, state, (640.0, 420.0));
    h.run();
    h.get_by_label("1 energy jump(s)");
    h.snapshot("curves_step_axis");
    h.get_by_label("against B").click();
    h.run();
    assert!(h.state().0.curves.against_x);
    h.snapshot("curves_field_axis");
}

#[test]
fn run_panel_marks_invalid_values_and_disables_start() {
    let state = fixture();
    let mut h = harness(panels::run::ui, state, (320.0, 760.0));
    h.state_mut().0.status = RunStatus::Idle;
    h.state_mut().0.form.config.lattice.size = 6;
    h.run();
    h.get_by_label("N = 36 · 2^4 = 16 ground states");
    h.get_by_label("Start").click();
    h.run();
    assert_eq!(h.state().1, vec![AppCommand::Start]);
    h.state_mut().0.form.config.anneal.minibatches = 7;
    h.run();
    h.get_by_label_contains("must be a multiple of anneal.minibatches");
    assert!(h.get_by_label("Start").accesskit_node().is_disabled());
    h.snapshot("run_panel_invalid");
    // While a run goes the form is locked and Stop is offered.
    h.state_mut().0.form.config.anneal.minibatches = 10;
    h.state_mut().0.status = RunStatus::Running;
    h.run();
    assert!(h.get_by_label("Start").accesskit_node().is_disabled());
    h.get_by_label("Stop").click();
    h.run();
    assert_eq!(h.state().1.last(), Some(&AppCommand::Stop));
}

#[test]
fn run_panel_offers_the_settled_schedule_and_rvqa_and_names_a_bad_dwell() {
    let state = fixture();
    let mut h = harness(panels::run::ui, state, (320.0, 900.0));
    h.state_mut().0.status = RunStatus::Idle;
    {
        let anneal = &mut h.state_mut().0.form.config.anneal;
        anneal.schedule = annealscape::anneal::ScheduleShape::Settled;
        anneal.entropy_start = 0.5;
        anneal.train_steps = 5;
        anneal.max_dwell = 3;
    }
    h.run();
    h.get_by_label("Settle window w");
    h.get_by_label("Settle tolerance");
    h.get_by_label("Entropy T_f0");
    h.get_by_label("Symmetry");
    h.get_by_label_contains("anneal.max_dwell = 3 must be at least anneal.train_steps = 5");
    assert!(h.get_by_label("Start").accesskit_node().is_disabled());
    h.snapshot("run_panel_settled");
}

#[test]
fn run_panel_refuses_the_code_symmetry_where_the_code_is_too_large() {
    let state = fixture();
    let mut h = harness(panels::run::ui, state, (320.0, 900.0));
    h.state_mut().0.status = RunStatus::Idle;
    {
        let config = &mut h.state_mut().0.form.config;
        config.lattice.size = 12;
        config.network.symmetry = annealscape::nn::Symmetry::Code;
    }
    h.run();
    h.get_by_label_contains("more than 2^6");
    assert!(h.get_by_label("Start").accesskit_node().is_disabled());
    h.state_mut().0.form.config.lattice.size = 6;
    h.run();
    assert!(!h.get_by_label("Start").accesskit_node().is_disabled());
}

#[test]
fn landscape_panel_shows_the_surface_path_and_roughness() {
    let mut state = fixture();
    state.landscape.follow_live = false;
    let landscape = bowl();
    let roughness = landscape.settings.roughness;
    state.landscape.finish(landscape);
    let mut h = harness(panels::landscape::ui, state, (640.0, 480.0));
    h.run();
    h.get_by_label(&format!("roughness {roughness:.4}"));
    h.get_by_label("centre: step 290");
    h.snapshot("landscape_bowl");
    h.get_by_label("Compute").click();
    h.run();
    assert_eq!(h.state().1, vec![AppCommand::ComputeLandscape]);
}

#[test]
fn landscape_heatmap_puts_high_beta_on_top_and_grey_where_not_computed() {
    let mut view = annealscape::app::LandscapeView {
        points: 3,
        color_mode: annealscape::app::ColorMode::Auto,
        ..Default::default()
    };
    view.begin(0, false);
    view.add_row(0, &[0.0, 0.0, 0.0], &[0.0; 3]);
    view.add_row(1, &[1.0, 1.0, 1.0], &[0.0; 3]);
    let image = panels::landscape::heatmap_image(view.grid.as_ref().unwrap(), &view.scale());
    assert_eq!(image.size, [3, 3]);
    // Top image row is β row 2 (not computed): grey; bottom row is β row 0: the low colour.
    assert_eq!(image.pixels[0], egui::Color32::from_gray(90));
    let [r, g, b] = annealscape::figures::ColorMap::Viridis.rgb(0.0);
    assert_eq!(image.pixels[6], egui::Color32::from_rgb(r, g, b));
    let [r, g, b] = annealscape::figures::ColorMap::Viridis.rgb(1.0);
    assert_eq!(image.pixels[3], egui::Color32::from_rgb(r, g, b));
}

#[test]
fn lattice_panel_finds_the_nearest_ground_state_and_shows_a_fracton() {
    let state = fixture();
    let mut h = harness(panels::lattice::ui, state, (640.0, 420.0));
    h.run();
    // Sample 0 is ground state 3 with two flipped spins.
    h.get_by_label("nearest ground state: 2 spins differ (ringed)");
    h.snapshot("lattice_sample");
    h.get_by_label("fracton demo").click();
    h.run();
    assert_eq!(h.state().0.lattice.source, LatticeSource::Fracton);
    h.get_by_label_contains("3 defect triangles");
    h.snapshot("lattice_fracton");
}

#[test]
fn modes_panel_counts_distinct_configurations_and_ground_states() {
    let state = fixture();
    let modes = &state.run.live_modes;
    assert_eq!(modes.len(), 17);
    assert_eq!(modes[0].count, 2, "ground state 0 was drawn twice");
    assert_eq!(
        modes.iter().filter(|m| m.ground_state.is_some()).count(),
        16
    );
    let mut h = harness(panels::modes::ui, state, (640.0, 420.0));
    h.run();
    h.get_by_label("latest batch: 17 distinct of 18 samples · 16 ground states among them · found so far 7 of 2^4");
    h.snapshot("modes_batch");
}

#[test]
fn the_shell_lays_out_all_views_and_exports_through_a_typed_path_without_a_dialog() {
    let mut state = fixture();
    state.landscape.follow_live = false;
    state.landscape.finish(bowl());
    common::require_vulkan();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_ui_state(
            |ui, (state, commands): &mut (AppState, Vec<AppCommand>)| {
                commands.extend(panels::shell(ui, state));
            },
            (state, Vec::new()),
        );
    h.run();
    for view in View::ALL {
        h.get_by_label(view.title());
    }
    let figure_buttons: Vec<_> = h.get_all_by_label("Export figure…").collect();
    assert_eq!(figure_buttons.len(), 4);
    figure_buttons[1].click();
    h.run();
    assert_eq!(h.state().1, vec![AppCommand::Export(View::Landscape, true)]);
    h.snapshot("shell");
}

#[test]
fn a_finished_run_summary_reaches_the_run_panel() {
    let mut state = fixture();
    apply_all(
        &mut state,
        [Event::Finished(Box::new(FinalSummary {
            samples: 1000,
            energy_mean: -0.49,
            energy_var: 1e-4,
            energy_min: -0.5,
            ground_energy: -0.5,
            ground_state_fraction: 0.9,
            distinct_configurations: 12,
            ground_states_found: 3,
            ground_states_drawn_any_step: 5,
            ground_states_drawn_last_1000_steps: 3,
            degeneracy_log2: 4,
            modes: Vec::new(),
        }))],
    );
    assert_eq!(state.status, RunStatus::Finished);
    let mut h = harness(panels::run::ui, state, (320.0, 900.0));
    h.run();
    h.get_by_label(
        "ground states found: 3 of 2^4 (drawn in the last 1,000 steps 3, at any step 5)",
    );
}

/// Exact distances of the fixture run at every 10th step, collapsing at step 200: the
/// effective modes fall from 16 to 1, the mass rises, ground state 5 takes everything.
fn with_distances(mut state: AppState) -> AppState {
    use annealscape::anneal::DistanceRow;
    let mut events = Vec::new();
    for step in (0..300).step_by(10) {
        let collapsed = step >= 200;
        let log_probs: Vec<f64> = (0..16)
            .map(|g| match (collapsed, g) {
                (true, 5) => -0.01,
                (true, _) => -9.0,
                (false, _) => -20.0 + (g as f64) * 0.01,
            })
            .collect();
        events.push(Event::Distances(Box::new(DistanceRow {
            step,
            phase: Phase::Anneal,
            temperature: 0.0,
            field: 1.0 - step as f64 / 300.0,
            kl_reverse: None,
            kl_forward: None,
            fidelity: None,
            energy_error: None,
            gap: None,
            gap_symmetric: None,
            energy_error_sampled: None,
            energy_error_sampled_stderr: None,
            energy_error_interpolation: None,
            ground_state_mass: Some(if collapsed {
                0.99
            } else {
                1e-6 * (1.0 + step as f64)
            }),
            effective_modes: Some(if collapsed { 1.0 } else { 15.9 }),
            kl_to_uniform_ground_states: Some(if collapsed { 2.77 } else { 0.01 }),
            ground_state_log_probs: log_probs,
        })));
    }
    apply_all(&mut state, events);
    state
}

#[test]
fn curves_panel_shows_the_exact_distances_and_the_collapse_onset() {
    let state = with_distances(fixture());
    assert_eq!(state.run.distances.collapse, Some(200));
    let mut h = harness(panels::curves::ui, state, (640.0, 520.0));
    h.run();
    h.get_by_label("collapse onset: step 200");
    h.get_by_label("exact distances");
    h.snapshot("curves_distances");
}

#[test]
fn modes_panel_shows_the_exact_ground_state_probabilities() {
    let state = with_distances(fixture());
    let mut h = harness(panels::modes::ui, state, (640.0, 520.0));
    h.run();
    h.get_by_label(
        "exact at step 290: ground-state mass 0.9900 · effective modes 1.00 · KL to uniform 2.770",
    );
    h.snapshot("modes_exact");
}

/// Curvature rows every 10 steps: the preconditioned sharpness climbs to 38/η at the jump
/// (step 150), λ_min dips below 0 there; one stored density.
fn with_curvature(mut state: AppState) -> AppState {
    use annealscape::anneal::CurvatureRow;
    let mut events = Vec::new();
    for step in (0..300).step_by(10) {
        let rise = (step as f64 / 150.0).min(1.0);
        events.push(Event::Curvature(Box::new(CurvatureRow {
            step,
            phase: Phase::Anneal,
            temperature: 0.0,
            field: 1.0 - step as f64 / 300.0,
            estimator: "sampled".into(),
            samples: 100,
            lambda_max: 2.0 + 3.0 * rise,
            lambda_max_stderr: 0.3,
            lambda_min: if step == 150 { -0.8 } else { -0.05 },
            lambda_min_stderr: 0.02,
            trace: 10.0,
            trace_stderr: 1.0,
            loss_scale: 32.4,
            sharpness: 32.4 * (2.0 + 3.0 * rise),
            gradient_descent_threshold: 2000.0,
            preconditioned_sharpness: Some(100.0 * 380f64.powf(rise)),
            preconditioned_sharpness_stderr: Some(5.0),
            adam_threshold: 38_000.0,
            learning_rate: 1e-3,
            relative_residual: 1e-3,
            products: 16,
            seconds: 0.5,
            step_first_order: Some(-0.01),
            step_second_order: Some(0.002 + 0.02 * rise),
            step_overshoot: Some(0.2 + 2.0 * rise),
        })));
    }
    apply_all(&mut state, events);
    let grid: Vec<f64> = (0..200).map(|i| -1.0 + 7.0 * i as f64 / 199.0).collect();
    let values = grid
        .iter()
        .map(|x| {
            0.9 * (-x * x * 50.0).exp() * 2.8 + 0.1 * (-(x - 5.0) * (x - 5.0) * 20.0).exp() * 2.5
        })
        .collect();
    state.run.densities = vec![annealscape::app::Density {
        snapshot: "mid3".into(),
        grid,
        values,
    }];
    state
}

#[test]
fn the_curvature_tab_shows_sharpness_against_both_thresholds_and_the_density() {
    let state = with_curvature(fixture());
    let mut h = harness(panels::curves::ui, state, (900.0, 640.0));
    h.run();
    h.get_by_label("curvature").click();
    h.run();
    assert!(h.state().0.curves.curvature);
    h.get_by_label("density at");
    h.snapshot("curves_curvature");
}

#[test]
fn the_curves_view_draws_sa_and_sqa_at_the_run_s_budget() {
    // Computed for real at L = 3: 64 SA runs at tau = 200 sweeps, SA with two
    // seconds of wall time, 8 SQA runs.
    let band = annealscape::app::at_budget(3, 200, true, 2.0, 0).unwrap();
    assert_eq!(band.tau, 200);
    assert_eq!(band.sa.runs, 64);
    let (tau, _, matched) = band.matched.expect("two seconds buy more than 200 sweeps");
    assert!(tau > 200);
    // Longer annealing does not do worse (SA at L = 3 reaches E0 nearly always).
    assert!(matched.mean <= band.sa.mean + 3.0 * band.sa.stderr.max(1e-3));
    assert_eq!(band.sqa.map(|s| s.runs), Some(8));
    assert_eq!(band.ground_energy, -0.5);
    let text = band.describe();
    assert!(text.starts_with("SA at tau = 200 sweeps: eps "), "{text}");
    let mut state = fixture();
    // A fixed band so the snapshot does not depend on timing.
    let summary = |mean: f64, stderr: f64, fraction: f64| annealscape::baselines::Summary {
        runs: 64,
        mean,
        stderr,
        min: 0.0,
        median: mean,
        ground_state_fraction: fraction,
    };
    state.run.baseline = BaselineBand::Ready(Box::new(Band {
        ground_energy: -0.5,
        tau: 200,
        sa: summary(0.08, 0.01, 0.5),
        matched: Some((50_000, false, summary(0.02, 0.005, 0.9))),
        sqa: Some(summary(0.15, 0.02, 0.2)),
    }));
    let mut h = harness(panels::curves::ui, state, (640.0, 420.0));
    h.run();
    h.get_by_label(
        "SA at tau = 200 sweeps: eps 8.00e-2 ± 1e-2 (32/64 at E0); same wall time, tau = 50000: eps 2.00e-2 ± 5e-3 (58/64 at E0); SQA: eps 1.50e-1 ± 2e-2 (13/64 at E0)",
    );
    h.snapshot("curves_baseline");
}

/// A film of four 11 × 11 frames at steps 50–200: bowls whose floor sinks frame by frame,
/// with the path along the diagonal.
fn film() -> annealscape::landscape::Film {
    use annealscape::landscape::{Film, FilmColour, FilmPath, FilmSettings, HessianPair};
    let steps = vec![50i64, 100, 150, 200];
    let settings = FilmSettings {
        kind: "quantum".into(),
        size: 6,
        directions: DirectionKind::Pca,
        direction_seed: 0,
        bias: BiasDirection::Zero,
        pair: HessianPair::Top,
        hessian_at: None,
        spec: SurfaceSpec {
            range: 1.0,
            points: 11,
            samples: 100,
            estimator: SurfaceEstimator::Crn,
            seed: 0,
            one_dimensional: false,
        },
        frame_steps: steps.clone(),
        frame_phases: vec!["anneal".into(); 4],
        colour: FilmColour::Shared,
        planned: false,
        cosine: 0.0,
        explained: Some([0.8, 0.1]),
        axis_labels: None,
    };
    let path = FilmPath {
        alpha: Array1::linspace(0.9, 0.0, 4),
        beta: Array1::linspace(0.6, 0.0, 4),
        steps: Array1::from(steps),
        values: Array1::from(vec![-0.3, -0.4, -0.5, -0.55]),
        frame_points: Array1::from(vec![0u64, 1, 2, 3]),
        directions: Array2::zeros((2, 3)),
    };
    let mut film = Film::empty(settings, Array1::from(vec![0.8, 0.6, 0.4, 0.2]), path);
    let axis = Array1::linspace(-1.0, 1.0, 11);
    for j in 0..4 {
        for r in 0..11 {
            for c in 0..11 {
                film.values[[j, r, c]] =
                    -0.3 - 0.1 * j as f64 + 0.3 * (axis[c] * axis[c] + 0.5 * axis[r] * axis[r]);
                film.stderr[[j, r, c]] = 0.0;
            }
        }
    }
    film
}

#[test]
fn the_film_scrubber_moves_the_frame_and_the_curves_cursor_follows() {
    let mut state = fixture();
    state.landscape.follow_live = false;
    state.film.active = true;
    state.film.update(film());
    let mut h = harness(panels::landscape::ui, state, (640.0, 520.0));
    h.run();
    h.get_by_label_contains("step 50 (anneal) · B = 0.800 · frame 1/4");
    h.get_by_role_and_label(egui::accesskit::Role::Slider, "frame")
        .set_value_accesskit(3.0);
    h.run();
    assert_eq!(h.state().0.film.frame, 2);
    h.get_by_label_contains("step 150 (anneal) · B = 0.400 · frame 3/4");
    h.snapshot("landscape_film_frame");
    h.get_by_label("Play").click();
    h.run();
    assert!(h.state().0.film.playing);
    h.state_mut().0.film.playing = false;
    h.get_by_label("Compute film").click();
    h.run();
    assert_eq!(h.state().1, vec![AppCommand::ComputeFilm]);
}

#[test]
fn the_curves_mark_the_film_frame_on_show() {
    let mut state = fixture();
    state.film.update(film());
    state.film.show(2);
    let mut h = harness(panels::curves::ui, state, (640.0, 420.0));
    h.run();
    assert!(
        h.query_by_label("film frame").is_none(),
        "no cursor while the view shows a still"
    );
    h.state_mut().0.film.active = true;
    h.run();
    h.get_by_label("film frame");
    h.snapshot("curves_film_cursor");
}

#[test]
fn the_landscape_turns_into_a_3d_surface() {
    let mut state = fixture();
    state.landscape.follow_live = false;
    state.film.active = true;
    state.film.update(film());
    state.film.three_d = true;
    let mut h = harness(panels::landscape::ui, state, (640.0, 520.0));
    h.run();
    h.get_by_label_contains("drag to turn");
    h.snapshot("landscape_film_3d");
    let before = h.state().0.film.camera;
    h.get_by_label("log height").click();
    h.run();
    assert!(h.state().0.film.log_height);
    assert_eq!(h.state().0.film.camera, before);
}

#[test]
fn in_film_mode_the_landscape_view_exports_the_frame_and_the_film() {
    use annealscape::app::{write_data, write_figure, ExportContent};
    let mut state = fixture();
    state.landscape.follow_live = false;
    state.film.active = true;
    let mut partial = film();
    // Frame 4 is still being computed.
    partial
        .values
        .slice_mut(ndarray::s![3, .., ..])
        .fill(f64::NAN);
    state.film.update(partial);
    state.film.show(1);
    let content = panels::export_content(&state, View::Landscape).unwrap();
    assert!(matches!(
        content,
        ExportContent::Film {
            frame: 1,
            three_d: None,
            ..
        }
    ));
    let dir = common::temp_dir("app-film-export");
    for name in ["frame.png", "frame.svg", "film.gif"] {
        write_figure(&content, &dir.join(name)).unwrap();
    }
    let png = image::open(dir.join("frame.png")).unwrap();
    assert!(png.width() > 600 && png.height() > 500);
    let svg = std::fs::read_to_string(dir.join("frame.svg")).unwrap();
    assert!(svg.contains("step 100"), "the SVG names the frame's step");
    // The GIF holds the three computed frames.
    let gif = std::fs::File::open(dir.join("film.gif")).unwrap();
    let decoder = image::codecs::gif::GifDecoder::new(std::io::BufReader::new(gif)).unwrap();
    use image::AnimationDecoder;
    assert_eq!(decoder.into_frames().count(), 3);
    // Data: the frame's grid, the film itself, and VTK of the computed frames.
    write_data(&content, &dir.join("frame.csv")).unwrap();
    let csv = std::fs::read_to_string(dir.join("frame.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 11 * 11);
    write_data(&content, &dir.join("film.npz")).unwrap();
    let back = annealscape::landscape::load_film(&dir.join("film.npz")).unwrap();
    assert_eq!(back.frames_done(), 3);
    write_data(&content, &dir.join("vtk/film.pvd")).unwrap();
    let pvd = std::fs::read_to_string(dir.join("vtk/film.pvd")).unwrap();
    assert_eq!(pvd.matches("<DataSet").count(), 3);
    assert!(dir.join("vtk/frame-003.vts").exists() && !dir.join("vtk/frame-004.vts").exists());
    // Other extensions are refused by name; the frame being computed has no figure yet.
    let err = write_figure(&content, &dir.join("film.txt"))
        .unwrap_err()
        .to_string();
    assert!(err.contains(".gif or .mp4"), "{err}");
    let err = write_data(&content, &dir.join("film.txt"))
        .unwrap_err()
        .to_string();
    assert!(err.contains(".pvd"), "{err}");
    state.film.show(3);
    let content = panels::export_content(&state, View::Landscape).unwrap();
    let err = write_figure(&content, &dir.join("late.png"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not computed yet"), "{err}");
    // In 3D the frame is drawn as the surface with the view's camera.
    state.film.show(2);
    state.film.three_d = true;
    let content = panels::export_content(&state, View::Landscape).unwrap();
    assert!(matches!(
        content,
        ExportContent::Film {
            three_d: Some(_),
            ..
        }
    ));
    write_figure(&content, &dir.join("frame3d.svg")).unwrap();
    let svg = std::fs::read_to_string(dir.join("frame3d.svg")).unwrap();
    assert!(svg.contains("azimuth"), "the 3D legend names the camera");
}
