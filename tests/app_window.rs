//! The real window: the binary opens the app under Xvfb, starts the quick preset, saves a
//! screenshot after some frames and quits. Needs `xvfb-run` and Mesa (see `.ci/run`), so it is
//! ignored by a plain `cargo test` and run by the README's test command.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
#[ignore = "opens a real window: needs xvfb-run and Mesa (apt-get install xvfb xauth libgl1-mesa-dri)"]
fn the_app_window_opens_trains_and_saves_a_screenshot_under_xvfb() {
    let dir = common::temp_dir("app-window");
    std::fs::create_dir_all(&dir).unwrap();
    let shot = dir.join("window.png");
    let mut child = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1600x1000x24"])
        .arg(env!("CARGO_BIN_EXE_annealscape"))
        .arg("--start")
        .arg("--runs")
        .arg(dir.join("runs"))
        .arg("--screenshot")
        .arg(&shot)
        .args(["--frames", "90"])
        .env("ANNEALSCAPE_CACHE", dir.join("cache"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run xvfb-run ({e}): install xvfb and xauth, e.g. `apt-get install xvfb xauth`")
        });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            panic!("the app did not quit within 180 s after --screenshot");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        status.success(),
        "exit {status}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stdout.contains("window.png"),
        "the path is printed: {stdout}"
    );
    let image = image::open(&shot).unwrap().to_rgba8();
    assert_eq!(image.dimensions(), (1600, 1000), "the window's size");
    let mut colours = std::collections::HashSet::new();
    for p in image.pixels().step_by(7) {
        colours.insert(p.0);
    }
    assert!(
        colours.len() > 50,
        "only {} colours: a blank window?",
        colours.len()
    );
    // --start began the quick preset: its run folder has steps.
    let runs: Vec<_> = std::fs::read_dir(dir.join("runs")).unwrap().collect();
    assert_eq!(runs.len(), 1);
    let run = runs[0].as_ref().unwrap().path();
    let metrics = std::fs::read_to_string(run.join("metrics.csv")).unwrap();
    assert!(metrics.lines().count() > 1, "no steps were written");
}
