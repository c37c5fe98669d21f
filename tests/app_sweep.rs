//! The sweep window, driven with a real small sweep folder (kittest).

mod common;

use annealscape::app::panels;
use annealscape::app::{AppCommand, AppState, ExactLine, SweepCurve, SweepView};
use annealscape::sweep::{collect_rows, prepare_sweep, run_one};
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;

#[test]
fn the_sweep_window_lists_sorts_filters_and_overlays_runs() {
    // A folder of this process (the picture shows the view's own path, not this one).
    let dir = common::temp_dir("app-sweep");
    let text =
        "preset = \"quick\"\n[axes]\n\"lattice.size\" = [3, 4]\n\"anneal.warmup_steps\" = 10\n\
                \"anneal.anneal_steps\" = 30\n\"anneal.final_samples\" = 200\nseed = [0, 1]\n";
    let sweep = prepare_sweep(&dir, text, "test").unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    // Three of the four runs done; size4-seed1 left pending.
    for p in &sweep.spec.points[..3] {
        run_one(&sweep, p, &stop).unwrap();
    }
    let mut rows = collect_rows(&sweep);
    let header = rows.remove(0);
    // Wall times differ run to run (and the column shows at the picture's edge): fix them.
    let wall = header.iter().position(|h| h == "wall_seconds").unwrap();
    for row in rows.iter_mut().filter(|r| !r[wall].is_empty()) {
        row[wall] = "0.5".into();
    }
    let mut state = AppState::new("quick", "runs".into()).unwrap();
    let mut view = SweepView {
        dir: std::path::PathBuf::from("sweeps/study"),
        header,
        rows,
        axes: sweep.spec.axes.len(),
        ..Default::default()
    };
    assert!(
        view.in_progress(),
        "a pending run keeps the table refreshing"
    );
    // Curves as the job would load them, for two ticked runs.
    for id in ["size3-seed0", "size4-seed0"] {
        view.selected.insert(id.to_string());
        let run = dir.join("runs").join(id);
        let curve = SweepCurve::load(&run);
        let metrics = annealscape::run::read_run_metrics(&run).unwrap();
        assert_eq!(curve.size, if id.starts_with("size3") { 3 } else { 4 });
        assert_eq!(
            curve.by_step.len(),
            metrics.rows.len(),
            "short runs are not thinned"
        );
        // Against B: the descent only, from B0 = 1 down to 0.
        assert_eq!(curve.by_x.first().unwrap()[0], metrics.rows[10].field);
        assert_eq!(curve.by_x.last().unwrap()[0], 0.0);
        view.curves.insert(id.to_string(), curve);
        let (size, line) = ExactLine::load(&run).unwrap();
        view.exact.insert(size, line);
    }
    // The exact E0(B)/N at L = 3 ends at B = 0 on the classical ground energy -1/2.
    let e3 = &view.exact[&3];
    assert!((e3.points[0][1] + 0.5).abs() < 1e-9, "{:?}", e3.points[0]);
    assert_eq!(e3.xmax, 1.0);
    // Seeds pooled: one group per size, three runs done of four.
    let groups = view.outcome_groups();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].label, "lattice_size = 3");
    assert_eq!((groups[0].runs, groups[0].done), (2, 2));
    assert_eq!((groups[1].runs, groups[1].done), (2, 1));
    view.against_x = true;
    // Colour by the first axis that varies: lattice_size here, seed (axis 4) once every size is
    // equal.
    assert_eq!(view.first_varying_axis(), 0);
    let mut one_size = view.clone();
    for r in &mut one_size.rows {
        r[1] = "3".into();
    }
    assert_eq!(
        one_size.first_varying_axis(),
        4,
        "the axes: size, three fixed settings, seed"
    );
    state.sweep = Some(view);
    common::require_vulkan();
    let mut h = Harness::builder()
        .with_size(egui::vec2(900.0, 560.0))
        .build_ui_state(
            |ui, (state, commands): &mut (AppState, Vec<AppCommand>)| {
                egui::CentralPanel::default_margins().show(ui, |ui| {
                    commands.extend(panels::sweep::ui_contents(ui, state));
                });
            },
            (state, Vec::new()),
        );
    h.run();
    h.get_by_label_contains("4 runs: 3 done, 1 pending");
    h.snapshot("sweep_window");
    // Opening a run from the table asks for that run folder.
    h.get_by_label("open size3-seed0").click();
    h.run();
    assert_eq!(
        h.state().1,
        vec![AppCommand::OpenRun(std::path::PathBuf::from(
            "sweeps/study/runs/size3-seed0"
        ))]
    );
    h.get_by_label("Untick all").click();
    h.run();
    assert!(h.state().0.sweep.as_ref().unwrap().selected.is_empty());
    // Sort by seed (descending after two clicks): the first row shown is a seed-1 run.
    h.get_by_label("seed").click();
    h.run();
    h.get_by_label("seed ^").click();
    h.run();
    let view = h.state().0.sweep.clone().unwrap();
    let seed = view.column("seed").unwrap();
    assert_eq!(view.rows[view.visible()[0]][seed], "1");
    // Filter on the status.
    h.state_mut().0.sweep.as_mut().unwrap().filter = "pending".into();
    h.run();
    let view = h.state().0.sweep.clone().unwrap();
    assert_eq!(view.visible().len(), 1);
    assert_eq!(view.rows[view.visible()[0]][0], "size4-seed1");
}

#[test]
fn a_remedies_folder_is_coloured_by_remedy() {
    let row = |id: &str, target: &str, remedy: &str| {
        [id, target, remedy, "0", "done"].map(String::from).to_vec()
    };
    let mut view = SweepView {
        header: ["id", "target", "remedy", "seed", "status"]
            .map(String::from)
            .to_vec(),
        rows: vec![
            row("a", "quantum", "adam"),
            row("b", "thermal", "adam"),
            row("c", "quantum", "sr"),
        ],
        axes: 3,
        ..Default::default()
    };
    // target varies first, but a remedies study is read remedy against remedy.
    assert_eq!(view.first_varying_axis(), 1);
    // Where every run has one remedy, the first varying axis again.
    for r in &mut view.rows {
        r[2] = "adam".into();
    }
    assert_eq!(view.first_varying_axis(), 0);
}
