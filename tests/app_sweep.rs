//! The sweep window, driven with a real small sweep folder (kittest).

mod common;

use annealscape::app::panels;
use annealscape::app::{AppCommand, AppState, SweepView};
use annealscape::sweep::{collect_rows, prepare_sweep, run_one};
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;

#[test]
fn the_sweep_window_lists_sorts_filters_and_overlays_runs() {
    // Fixed path: it is shown in the picture.
    let dir = std::env::temp_dir().join("annealscape-app-sweep-fixed");
    let _ = std::fs::remove_dir_all(&dir);
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
        let metrics = annealscape::run::read_run_metrics(&dir.join("runs").join(id)).unwrap();
        view.curves.insert(
            id.to_string(),
            metrics
                .rows
                .iter()
                .map(|m| [m.step as f64, m.energy_mean])
                .collect(),
        );
    }
    state.sweep = Some(view);
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
