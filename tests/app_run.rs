//! The whole app driven through kittest on real, short runs: start → events → finish, a
//! landscape, an export through a typed path, a failed run, pause/resume/stop; and the export
//! writers on their own.

mod common;

use annealscape::analysis::Existing;
use annealscape::app::{
    write_data, write_figure, AnnealscapeApp, AppOptions, ExactCurve, ExportContent, ExportError,
    RunStatus, View,
};
use annealscape::figures::{CurvesFigure, Figure, LandscapeFigure, LatticeFigure, ModesFigure};
use annealscape::landscape::{load_landscape, SurfaceEstimator};
use annealscape::run::{RunConfig, TrajectoryFile};
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use std::path::Path;
use std::time::{Duration, Instant};

/// Step the harness until `done` holds, sleeping between frames (the worker runs in real
/// time); fails naming `what` after `limit`.
fn step_until(
    h: &mut Harness<'_, AnnealscapeApp>,
    what: &str,
    limit: Duration,
    done: impl Fn(&AnnealscapeApp) -> bool,
) {
    let start = Instant::now();
    while !done(h.state()) {
        assert!(
            start.elapsed() < limit,
            "timed out waiting for {what}; status {:?}, messages {:?}",
            h.state().state.status,
            h.state().state.messages
        );
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    h.step();
}

/// "Open run…" without a file dialog: type `dir` and press Open.
fn open_typed(h: &mut Harness<'_, AnnealscapeApp>, dir: &Path) {
    h.get_by_label("Open run…").click();
    h.run_steps(3);
    h.state_mut().state.open_path = Some(dir.display().to_string());
    h.run_steps(2);
    h.get_by_label("Open").click();
}

fn small(config: &RunConfig, anneal_steps: usize) -> RunConfig {
    config
        .with_overrides(&[
            "lattice.size=3".into(),
            "network.hidden=8".into(),
            "anneal.warmup_steps=5".into(),
            format!("anneal.anneal_steps={anneal_steps}"),
            "anneal.train_steps=1".into(),
            "anneal.samples=20".into(),
            "anneal.minibatches=2".into(),
            "anneal.final_samples=200".into(),
            "output.live_every=2".into(),
        ])
        .unwrap()
}

#[test]
fn the_app_runs_an_anneal_computes_a_landscape_exports_and_survives_failures() {
    let dir = common::temp_dir("app-run");
    std::fs::create_dir_all(&dir).unwrap();
    std::env::set_var("ANNEALSCAPE_CACHE", dir.join("cache"));
    let ctx = egui::Context::default();
    let options = AppOptions {
        runs_dir: dir.join("runs"),
        ..AppOptions::default()
    };
    let mut app = AnnealscapeApp::new(&ctx, options).unwrap();
    app.state.dialog_available = false;
    app.state.form.config = small(&app.state.form.config, 30);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut AnnealscapeApp| app.show(ui), app);
    h.step();

    // Start → events → finished.
    h.get_by_label("Start").click();
    let limit = Duration::from_secs(120);
    step_until(&mut h, "the run to finish", limit, |a| {
        a.state.status == RunStatus::Finished
    });
    let s = &h.state().state;
    let total = s.run.total_steps();
    assert_eq!(total, 5 + 30 + 1);
    assert_eq!(s.run.metrics.len(), total, "one metrics row per step");
    assert!(s.run.metrics.windows(2).all(|w| w[1].step == w[0].step + 1));
    let summary = s.run.summary.as_ref().expect("final evaluation");
    assert_eq!(summary.samples, 200);
    assert!(!s.run.live_modes.is_empty());
    let run_dir = s.run.dir.clone().unwrap();
    assert!(run_dir.join("summary.toml").exists());
    assert!(s.run.snapshots.iter().any(|x| x.name == "completion"));
    step_until(&mut h, "the exact curve", limit, |a| {
        matches!(a.state.run.exact, ExactCurve::Ready(..))
    });

    // A landscape around the completion snapshot, exact (N = 9), stored in the run folder
    // (after any landscape that followed the live weights has finished).
    step_until(&mut h, "the live landscape", limit, |a| {
        !a.state.landscape.computing
    });
    // Following: the landscape on show is centred on the newest live weights, and the path the
    // app holds (from the worker's events, not read back) is what trajectory.npz holds.
    {
        let s = &h.state().state;
        let (step, _) = s.run.weights.as_ref().expect("live weights");
        let followed = s.landscape.result.as_ref().expect("a followed landscape");
        assert_eq!(followed.settings.snapshot, format!("now-{step}"));
        let held = s.run.folder.as_ref().expect("the run's path").trajectory();
        let stored = TrajectoryFile::read(&run_dir.join("trajectory.npz")).unwrap();
        assert_eq!(**held, stored);
    }
    // The request takes the configuration and path the app holds: with config.toml and
    // trajectory.npz moved away, a landscape around a snapshot still computes.
    let hidden = ["config.toml", "trajectory.npz"];
    for name in hidden {
        std::fs::rename(run_dir.join(name), run_dir.join(format!("{name}.away"))).unwrap();
    }
    {
        let view = &mut h.state_mut().state.landscape;
        view.follow_live = false;
        view.source = "completion".into();
        view.points = 5;
        view.estimator = SurfaceEstimator::Exact;
    }
    h.get_by_label("Compute").click();
    h.step();
    assert!(
        h.state().state.landscape.result.is_none(),
        "the click started a new landscape"
    );
    step_until(&mut h, "the landscape", limit, |a| {
        a.state.landscape.result.is_some() && !a.state.landscape.computing
    });
    for name in hidden {
        std::fs::rename(run_dir.join(format!("{name}.away")), run_dir.join(name)).unwrap();
    }
    let stored = run_dir.join("landscapes/completion-filter.npz");
    let landscape = load_landscape(&stored).unwrap();
    assert_eq!(landscape.surface.values.dim(), (5, 5));
    let centre = landscape.surface.values[[2, 2]];
    let last = h.state().state.run.metrics.last().unwrap().energy_mean;
    assert!(
        centre <= last + 0.5 && centre >= -0.5 - 1e-9,
        "centre value {centre} is an energy per spin at B = 0 (E0/N = -0.5)"
    );

    // Export without a file dialog: the typed path is asked for, then written.
    let buttons: Vec<_> = h.get_all_by_label("Export figure…").collect();
    buttons[0].click();
    h.step();
    let out = dir.join("exports/curves.svg");
    {
        let export = h
            .state_mut()
            .state
            .export
            .as_mut()
            .expect("the typed-path window");
        assert_eq!(export.view, View::Curves);
        assert!(export.reason.contains("No file dialog"));
        export.path = out.display().to_string();
    }
    // A new window is laid out invisibly in its first frame.
    h.run_steps(3);
    h.get_by_label("Save").click();
    step_until(&mut h, "the export", limit, |a| {
        a.state.messages.iter().any(|m| m.text.starts_with("wrote"))
    });
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.contains("<svg") && svg.contains("</svg>"));

    // A run that cannot write its folder fails with a message; the app stays usable.
    let blocker = dir.join("blocker");
    std::fs::write(&blocker, "a file where a folder should be").unwrap();
    h.state_mut().state.form.runs_dir = blocker.join("runs");
    h.step();
    h.get_by_label("Start").click();
    step_until(&mut h, "the failure", limit, |a| {
        matches!(a.state.status, RunStatus::Failed(_))
    });
    assert!(h.state().state.messages.iter().any(|m| m.error));

    // A long run: pause, resume, stop; the stopped checkpoint is written.
    h.state_mut().state.form.runs_dir = dir.join("runs");
    h.state_mut().state.form.config = small(&h.state().state.form.config, 1_000_000);
    h.step();
    h.get_by_label("Start").click();
    step_until(&mut h, "steps of the long run", limit, |a| {
        a.state.status == RunStatus::Running && a.state.run.metrics.len() > 5
    });
    // The time a step takes here and now, so the paused window below is long enough for many.
    let (started, from) = (Instant::now(), h.state().state.run.metrics.len());
    step_until(&mut h, "ten more steps", limit, |a| {
        a.state.run.metrics.len() >= from + 10
    });
    let per_step = started.elapsed() / (h.state().state.run.metrics.len() - from) as u32;
    h.get_by_label("Pause").click();
    step_until(&mut h, "the pause", limit, |a| {
        a.state.status == RunStatus::Paused
    });
    let paused_at = h.state().state.run.metrics.len();
    std::thread::sleep((per_step * 20).max(Duration::from_millis(200)));
    h.step();
    assert!(
        h.state().state.run.metrics.len() <= paused_at + 1,
        "no steps while paused (a window of twenty steps)"
    );
    h.get_by_label("Resume").click();
    step_until(&mut h, "the resume", limit, |a| {
        a.state.status == RunStatus::Running
    });
    // Resumed, the step counter moves on again: the pause, not a slow step, held it.
    step_until(&mut h, "steps after the resume", limit, |a| {
        a.state.run.metrics.len() > paused_at + 2
    });
    h.get_by_label("Stop").click();
    step_until(&mut h, "the stop", limit, |a| {
        matches!(a.state.status, RunStatus::Stopped(_))
    });
    let long_dir = h.state().state.run.dir.clone().unwrap();
    assert!(long_dir.join("checkpoints/stopped.npz").exists());

    // Open run… without a file dialog: type the first run's folder; it is browsed as it was.
    open_typed(&mut h, &run_dir);
    step_until(&mut h, "the opened run", limit, |a| {
        a.state.status == RunStatus::Opened
    });
    let s = &h.state().state;
    assert_eq!(s.run.metrics.len(), total);
    assert_eq!(s.run.summary.as_ref().unwrap().samples, 200);
    assert_eq!(s.landscape.source, "completion");
    assert!(
        s.run.samples.is_some(),
        "the last snapshot's samples are shown"
    );
    // The form now holds the opened run's configuration, so Start reruns what is shown.
    let opened_config = annealscape::run::read_config(&run_dir).unwrap();
    assert_eq!(s.form.config, opened_config);
    assert!(s.form.preset.starts_with("run "), "{}", s.form.preset);
    // A finished run gets its classical baselines in the background.
    step_until(&mut h, "the baseline band", limit, |a| {
        matches!(
            a.state.run.baseline,
            annealscape::app::BaselineBand::Ready(_)
        )
    });
    if let annealscape::app::BaselineBand::Ready(band) = &h.state().state.run.baseline {
        assert_eq!(band.tau, opened_config.anneal.anneal_steps);
        assert_eq!(band.sa.runs, 64);
        assert!(band.sqa.is_some(), "a quantum run gets SQA too");
    }
    // Dropping the app stops and joins the worker (the test would hang otherwise).
    drop(h);
}

#[test]
fn export_writers_draw_every_view_and_refuse_bad_extensions() {
    let dir = common::temp_dir("app-export");
    std::fs::create_dir_all(&dir).unwrap();
    let config = small(&RunConfig::preset("quick").unwrap(), 20);
    let run = dir.join("run");
    annealscape::run::run_blocking(&config, &run, &mut annealscape::anneal::Silent).unwrap();
    let opened = annealscape::app::read_run(&run).unwrap();
    assert_eq!(opened.metrics.len(), config.anneal.schedule().total_steps());
    let summary = opened.summary.clone().expect("summary.toml read back");
    let (_, samples) = opened
        .samples
        .clone()
        .expect("samples of the last snapshot");
    let model =
        annealscape::physics::NewmanMoore::new(annealscape::physics::Lattice::new(3).unwrap(), 1.0)
            .unwrap();
    let folder = annealscape::analysis::RunFolder::open(&run).unwrap();
    let request = annealscape::app::LandscapeView {
        points: 5,
        estimator: SurfaceEstimator::Exact,
        ..Default::default()
    }
    .request();
    let (landscape, _) = folder
        .landscape(
            "completion",
            &request,
            &Default::default(),
            Existing::WriteBeside,
            |_, _, _| {},
        )
        .unwrap()
        .unwrap();
    let landscape = std::sync::Arc::new(landscape);

    let contents: Vec<(&str, ExportContent, (u32, u32))> = vec![
        (
            "curves",
            ExportContent::Curves {
                metrics: opened.metrics.clone(),
                symbol: "B".into(),
                exact: None,
                title: config.title(),
            },
            CurvesFigure {
                curves: Default::default(),
                symbol: String::new(),
                exact: None,
                title: String::new(),
            }
            .size(),
        ),
        (
            "landscape",
            ExportContent::Landscape {
                landscape: landscape.clone(),
                scale: Default::default(),
            },
            LandscapeFigure {
                panels: vec![(landscape.as_ref(), String::new())],
                scale: Default::default(),
            }
            .size(),
        ),
        (
            "lattice",
            ExportContent::Lattice {
                model,
                bits: samples.row(0).to_vec(),
                title: "sample".into(),
            },
            LatticeFigure {
                model,
                bits: Vec::new(),
                title: String::new(),
            }
            .size(),
        ),
        (
            "modes",
            ExportContent::Modes {
                modes: summary.modes.clone(),
                samples: summary.samples,
                degeneracy_log2: summary.degeneracy_log2,
                exact: None,
            },
            ModesFigure {
                modes: Vec::new(),
                samples: 0,
                ground_states_found: 0,
                degeneracy_log2: 0,
                exact: None,
            }
            .size(),
        ),
    ];
    for (name, content, (w, h)) in &contents {
        let png = dir.join(format!("{name}.png"));
        write_figure(content, &png).unwrap();
        let image = image::open(&png).unwrap().to_rgb8();
        assert_eq!(
            image.dimensions(),
            (2 * w, 2 * h),
            "{name}: PNG at twice the size"
        );
        let first = image.get_pixel(0, 0);
        assert!(image.pixels().any(|p| p != first), "{name}: PNG is blank");
        let svg = dir.join(format!("{name}.svg"));
        write_figure(content, &svg).unwrap();
        assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
        let csv = dir.join(format!("{name}.csv"));
        write_data(content, &csv).unwrap();
        let text = std::fs::read_to_string(&csv).unwrap();
        let rows = text.lines().count() - 1;
        let expected = match content {
            ExportContent::Curves { metrics, .. } => metrics.len(),
            ExportContent::Landscape { .. } => 25,
            ExportContent::Lattice { .. } => 9,
            ExportContent::Modes { modes, .. } => modes.len(),
            ExportContent::Film { film, .. } => film.alpha.len() * film.beta.len(),
        };
        assert_eq!(rows, expected, "{name}: CSV rows");
        let error = write_figure(content, &dir.join(format!("{name}.jpg"))).unwrap_err();
        assert!(
            matches!(&error, ExportError::Extension { ext, .. } if ext == "jpg"),
            "{error:?}"
        );
        assert!(error.to_string().contains(".png or .svg"), "{error}");
        let error = write_data(content, &dir.join(format!("{name}.xlsx"))).unwrap_err();
        assert!(
            matches!(&error, ExportError::Extension { ext, .. } if ext == "xlsx"),
            "{error:?}"
        );
    }
    // A landscape's data also goes to NPZ and reads back the same.
    let npz = dir.join("landscape.npz");
    write_data(&contents[1].1, &npz).unwrap();
    let back = load_landscape(&npz).unwrap();
    assert_eq!(back.surface.values, landscape.surface.values);
    // The metrics CSV the app writes is the run's own metrics.csv, row for row.
    let own = std::fs::read_to_string(run.join("metrics.csv")).unwrap();
    let exported = std::fs::read_to_string(dir.join("curves.csv")).unwrap();
    assert_eq!(own, exported);
    // An unwritable path is an error naming it, not a panic.
    let error = write_data(&contents[0].1, Path::new("/proc/annealscape/curves.csv")).unwrap_err();
    assert!(matches!(error, ExportError::Io { .. }), "{error:?}");
    assert!(
        error.to_string().contains("/proc/annealscape/curves.csv"),
        "{error}"
    );
}

#[test]
fn a_failing_followed_landscape_turns_follow_off_and_stale_exact_curves_are_ignored() {
    let dir = common::temp_dir("app-take");
    let options = AppOptions {
        runs_dir: dir.join("runs"),
        ..AppOptions::default()
    };
    let mut app = AnnealscapeApp::new(&egui::Context::default(), options).unwrap();
    assert!(app.state.landscape.follow_live);
    let current = app.landscapes().id();
    app.take(annealscape::app::JobResult::LandscapeDone {
        id: current,
        result: Err(annealscape::app::LandscapeJobError::Panicked(
            "pca needs at least 3 trajectory points".into(),
        )),
    });
    assert!(!app.state.landscape.follow_live);
    let last = app.state.messages.last().unwrap();
    assert!(
        last.error && last.text.contains("follow turned off"),
        "{last:?}"
    );
    // An exact curve computed for another run folder does not replace this run's.
    app.state.run.dir = Some(dir.join("runs/b"));
    app.take(annealscape::app::JobResult::Exact {
        dir: Some(dir.join("runs/a")),
        result: Ok((vec![(0.0, -0.5)], "exact".into())),
    });
    assert_eq!(app.state.run.exact, ExactCurve::None);
    app.take(annealscape::app::JobResult::Exact {
        dir: Some(dir.join("runs/b")),
        result: Ok((vec![(0.0, -0.5)], "exact".into())),
    });
    assert!(matches!(app.state.run.exact, ExactCurve::Ready(..)));
}

#[test]
fn an_opened_unfinished_run_is_resumed_from_the_app_and_finishes_as_it_would_have() {
    let dir = common::temp_dir("app-resume");
    let limit = Duration::from_secs(120);
    let options = AppOptions {
        runs_dir: dir.join("runs"),
        ..AppOptions::default()
    };
    let mut app = AnnealscapeApp::new(&egui::Context::default(), options).unwrap();
    app.state.dialog_available = false;
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut AnnealscapeApp| app.show(ui), app);
    // Slow enough (a long warm-up) to stop it part-way.
    let mut config = small(&RunConfig::preset("quick").unwrap(), 50)
        .with_overrides(&[
            "anneal.warmup_steps=3000".into(),
            "output.resume_every=20".into(),
        ])
        .unwrap();
    config.seed = 5;
    let total = config.anneal.schedule().total_steps();
    h.state_mut().state.form.config = config.clone();
    h.step();
    h.get_by_label("Start").click();
    step_until(&mut h, "some steps", limit, |a| {
        a.state.run.metrics.len() > 50
    });
    h.get_by_label("Stop").click();
    step_until(&mut h, "the stop", limit, |a| {
        matches!(a.state.status, RunStatus::Stopped(_))
    });
    let run_dir = h.state().state.run.dir.clone().unwrap();
    assert!(run_dir.join("resume.npz").exists());

    open_typed(&mut h, &run_dir);
    step_until(&mut h, "the opened run", limit, |a| {
        a.state.status == RunStatus::Opened && a.state.run.resumable
    });
    h.get_by_label("Resume run").click();
    step_until(&mut h, "the resumed run to finish", limit, |a| {
        a.state.status == RunStatus::Finished
    });
    let steps: Vec<usize> = h.state().state.run.metrics.iter().map(|m| m.step).collect();
    assert_eq!(
        steps,
        (0..total).collect::<Vec<_>>(),
        "every step once, in order"
    );
    drop(h);

    // The same run uninterrupted gives the same numbers.
    let whole = dir.join("whole");
    annealscape::run::run_blocking(&config, &whole, &mut annealscape::anneal::Silent).unwrap();
    let a = annealscape::run::read_run_metrics(&whole).unwrap().rows;
    let b = annealscape::run::read_run_metrics(&run_dir).unwrap().rows;
    let strip = |rows: Vec<annealscape::anneal::StepMetrics>| {
        rows.into_iter()
            .map(|mut m| {
                m.seconds = 0.0;
                m
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(a), strip(b));
    assert_eq!(
        std::fs::read_to_string(whole.join("summary.toml")).unwrap(),
        std::fs::read_to_string(run_dir.join("summary.toml")).unwrap()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_live_film_gets_its_frames_while_the_run_goes_on() {
    let dir = common::temp_dir("app-live-film");
    std::fs::create_dir_all(&dir).unwrap();
    std::env::set_var("ANNEALSCAPE_CACHE", dir.join("cache"));
    let ctx = egui::Context::default();
    let options = AppOptions {
        runs_dir: dir.join("runs"),
        live_film: Some(4),
        ..AppOptions::default()
    };
    let mut app = AnnealscapeApp::new(&ctx, options).unwrap();
    app.state.dialog_available = false;
    app.state.form.config = small(&app.state.form.config, 3000)
        .with_overrides(&["output.resume_every=100".into()])
        .unwrap();
    app.state.film.points = 5;
    app.state.film.samples = 20;
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut AnnealscapeApp| app.show(ui), app);
    h.step();
    h.get_by_label("Start").click();
    let start = Instant::now();
    let mut seen_live = false;
    loop {
        let s = &h.state().state;
        if let Some(film) = &s.film.film {
            if s.status == RunStatus::Running
                && film.frames_done() >= 1
                && film.frames_reached() < film.frames()
            {
                seen_live = true;
                // The view shows the newest frame computed.
                let newest = (0..4)
                    .rev()
                    .find(|&j| film.is_done(j) || film.has_preview(j));
                assert_eq!(Some(s.film.frame), newest);
            }
            if s.status == RunStatus::Finished && !s.film.computing && film.frames_done() == 4 {
                break;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "timed out; status {:?}, film {:?}, messages {:?}",
            s.status,
            s.film
                .film
                .as_ref()
                .map(|f| (f.frames_done(), f.frames_reached())),
            s.messages
        );
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(seen_live, "no frame was shown before the run ended");
    // The file holds the whole planned film: asking for it again computes nothing.
    let s = &h.state().state;
    let run_dir = s.run.dir.clone().unwrap();
    let folder = annealscape::analysis::RunFolder::open(&run_dir).unwrap();
    let request = s.film.request();
    assert_eq!(request.name, "app-live-filter");
    let mut film = folder.prepare_film(&request).unwrap();
    assert_eq!(film.frames_done(), 4);
    assert_eq!(film.settings.frame_steps[3], 5 + 3000);
    let mut computed = 0;
    folder
        .compute_film(
            &mut film,
            &request.name,
            &std::sync::atomic::AtomicBool::new(false),
            |_, _| computed += 1,
        )
        .unwrap();
    assert_eq!(computed, 0);
}
