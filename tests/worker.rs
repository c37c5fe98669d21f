//! The worker thread: start, events, pause/resume, stop, snapshot, failures.

mod common;

use common::temp_dir;

use annealscape::run::{Command, Event, RunConfig, TrajectoryFile, Worker};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn short_config(anneal_steps: usize) -> RunConfig {
    RunConfig::preset("quick")
        .unwrap()
        .with_overrides(&[
            "anneal.warmup_steps=5".into(),
            format!("anneal.anneal_steps={anneal_steps}"),
            "anneal.final_samples=200".into(),
            "output.live_every=2".into(),
        ])
        .unwrap()
}

/// Receive light events until one matches, with a generous timeout against hangs.
fn wait_for(worker: &Worker, mut pred: impl FnMut(&Event) -> bool) -> Vec<Event> {
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while std::time::Instant::now() < deadline {
        let batch = worker.drain();
        if batch.is_empty() {
            std::thread::sleep(Duration::from_millis(2));
            continue;
        }
        for e in batch {
            let done = pred(&e);
            seen.push(e);
            if done {
                return seen;
            }
        }
    }
    panic!(
        "timed out; last events: {:?}",
        seen.iter().rev().take(3).collect::<Vec<_>>()
    );
}

#[test]
fn a_run_streams_steps_weights_samples_and_finishes() {
    let wakes = Arc::new(AtomicUsize::new(0));
    let w = wakes.clone();
    let worker = Worker::spawn(Arc::new(move || {
        w.fetch_add(1, Ordering::Relaxed);
    }));
    let dir = temp_dir("worker-run");
    worker.send(Command::Start(Box::new(short_config(20)), dir.clone()));
    let events = wait_for(&worker, |e| {
        matches!(e, Event::Finished(_) | Event::Failed(_))
    });
    assert!(
        matches!(events.last(), Some(Event::Finished(_))),
        "{:?}",
        events.last()
    );
    let steps = events
        .iter()
        .filter(|e| matches!(e, Event::Step(_)))
        .count();
    assert_eq!(steps, 5 + 20 * 2 + 1);
    assert!(events.iter().any(|e| matches!(e, Event::Weights { .. })));
    assert!(events.iter().any(|e| matches!(e, Event::Samples { .. })));
    let snapshots: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            Event::SnapshotSaved { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(snapshots.first(), Some(&"init"));
    assert_eq!(snapshots.last(), Some(&"completion"));
    assert!(wakes.load(Ordering::Relaxed) >= steps);
    // The path trajectory.npz holds comes with every snapshot, at every resume point (here
    // only the end of the schedule: 46 steps, one every 500) and at the end, growing from the
    // initial weights; the last one is the file's content.
    let paths: Vec<&TrajectoryFile> = events
        .iter()
        .filter_map(|e| match e {
            Event::Trajectory(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect();
    assert_eq!(
        paths.len(),
        snapshots.len() + 2,
        "one per snapshot, one at the resume point and one at the end"
    );
    assert_eq!(
        paths[0].steps.to_vec(),
        vec![-1],
        "the init snapshot's path"
    );
    assert!(paths
        .windows(2)
        .all(|w| w[0].steps.len() <= w[1].steps.len()));
    let stored = TrajectoryFile::read(&dir.join("trajectory.npz")).unwrap();
    assert_eq!(*paths[paths.len() - 1], stored);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn pause_snapshot_resume_and_stop() {
    let worker = Worker::spawn(Arc::new(|| {}));
    let dir = temp_dir("worker-stop");
    worker.send(Command::Start(Box::new(short_config(5000)), dir.clone()));
    // The time a step takes here and now, so the paused window below is long enough for many.
    wait_for(&worker, |e| matches!(e, Event::Step(m) if m.step >= 3));
    let started = Instant::now();
    let mut last = 0;
    wait_for(&worker, |e| {
        if let Event::Step(m) = e {
            last = m.step;
        }
        last >= 13
    });
    let per_step = started.elapsed() / 10;
    worker.send(Command::Pause);
    let mut paused_at = last;
    wait_for(&worker, |e| {
        if let Event::Step(m) = e {
            paused_at = m.step;
        }
        matches!(e, Event::Paused(true))
    });
    // While paused no step arrives, over a window as long as twenty steps (at least 200 ms).
    std::thread::sleep((per_step * 20).max(Duration::from_millis(200)));
    let during = worker.drain();
    assert!(
        during
            .iter()
            .filter(|e| matches!(e, Event::Step(_)))
            .count()
            <= 1,
        "steps arrived while paused"
    );
    worker.send(Command::Snapshot);
    worker.send(Command::Resume);
    // The snapshot comes at the first step after the resume.
    wait_for(
        &worker,
        |e| matches!(e, Event::SnapshotSaved { name, .. } if name.starts_with("manual-")),
    );
    // Resumed, the step counter moves on again: the pause, not a slow step, held it.
    wait_for(
        &worker,
        |e| matches!(e, Event::Step(m) if m.step > paused_at + 2),
    );
    worker.send(Command::Stop);
    let events = wait_for(&worker, |e| {
        matches!(e, Event::Stopped { .. } | Event::Failed(_))
    });
    assert!(matches!(events.last(), Some(Event::Stopped { .. })));
    assert!(dir.join("checkpoints/stopped.npz").exists());
    // Continued, the run hands over the path kept so far before its first step.
    let kept = TrajectoryFile::read(&dir.join("trajectory.npz")).unwrap();
    worker.send(Command::Continue(dir.clone()));
    let events = wait_for(&worker, |e| matches!(e, Event::Step(_) | Event::Failed(_)));
    let handed: Vec<&TrajectoryFile> = events
        .iter()
        .filter_map(|e| match e {
            Event::Trajectory(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect();
    assert_eq!(handed.len(), 1, "{} events", events.len());
    assert_eq!(handed[0].steps, kept.steps);
    assert_eq!(handed[0].params, kept.params);
    worker.send(Command::Stop);
    wait_for(&worker, |e| {
        matches!(e, Event::Stopped { .. } | Event::Failed(_))
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unwritable_folder_is_reported_and_the_worker_stays_usable() {
    let worker = Worker::spawn(Arc::new(|| {}));
    let blocker = temp_dir("worker-file");
    std::fs::write(&blocker, "not a folder").unwrap();
    worker.send(Command::Start(
        Box::new(short_config(2)),
        blocker.join("run"),
    ));
    let events = wait_for(&worker, |e| {
        matches!(e, Event::Failed(_) | Event::Finished(_))
    });
    match events.last() {
        Some(Event::Failed(message)) => assert!(message.contains("cannot write"), "{message}"),
        other => panic!("expected a failure, got {other:?}"),
    }
    let dir = temp_dir("worker-after");
    worker.send(Command::Start(Box::new(short_config(2)), dir.clone()));
    let events = wait_for(&worker, |e| {
        matches!(e, Event::Failed(_) | Event::Finished(_))
    });
    assert!(matches!(events.last(), Some(Event::Finished(_))));
    std::fs::remove_file(&blocker).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_ui_that_does_not_drain_never_holds_the_run_back_and_loses_no_lifecycle_event() {
    // Room for 16 events, a run of 206 steps, and nobody draining until the run has ended.
    let worker = Worker::spawn_with_capacity(Arc::new(|| {}), 16);
    let dir = temp_dir("worker-full");
    worker.send(Command::Start(Box::new(short_config(100)), dir.clone()));
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while !dir.join("summary.toml").exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the run waited for the UI"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let events = wait_for(&worker, |e| matches!(e, Event::Finished(_)));
    let snapshots = events
        .iter()
        .filter(|e| matches!(e, Event::SnapshotSaved { .. }))
        .count();
    assert_eq!(snapshots, 8, "init, warmup, mid1…mid5, completion");
    let dropped: usize = events
        .iter()
        .map(|e| match e {
            Event::StepsDropped(n) => *n,
            _ => 0,
        })
        .sum();
    let steps = events
        .iter()
        .filter(|e| matches!(e, Event::Step(_)))
        .count();
    assert!(dropped > 0, "the channel filled up");
    assert!(matches!(events.first(), Some(Event::Started { .. })));
    // Every step is accounted for, and all of them are in metrics.csv.
    let table = annealscape::run::read_run_metrics(&dir).unwrap();
    assert_eq!(table.rows.len(), 206);
    assert!(steps + dropped >= 206 - 16, "{steps} + {dropped}");
    std::fs::remove_dir_all(&dir).unwrap();
}
