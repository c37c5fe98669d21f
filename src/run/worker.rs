//! The worker thread: owns one run at a time, takes typed commands, sends typed events.
//!
//! Light events (step metrics, lifecycle, and every `live_every` steps the samples, a few KB)
//! go through a bounded channel ([`LIGHT_CAPACITY`] events, a few MB). While it is full, step
//! metrics and samples are dropped (every step is in `metrics.csv`, and the count dropped is
//! reported) and the few lifecycle events wait in order in the worker until there is room, so
//! the run never waits for the UI; only the run's last event is sent with a wait. The weights go through a channel of
//! capacity one that the worker keeps fresh by dropping the stale entry, so a slow UI always
//! gets the latest weights and never blocks the run.

use crossbeam_channel::{bounded, unbounded, Receiver, Sender, TryRecvError, TrySendError};
use ndarray::Array2;
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use super::{
    read_config, resume_claimed_for, run_blocking_for, RunClaim, RunConfig, RunError, RunObserver,
    TrajectoryFile,
};
use crate::anneal::{
    Control, CurvatureRow, DistanceRow, FinalSummary, Observer, ObserverError, Outcome,
    SnapshotView, StepMetrics, StepView,
};
use crate::nn::Params;

/// What the UI asks of the worker.
#[derive(Debug, Clone)]
pub enum Command {
    /// Start a run writing to the folder.
    Start(Box<RunConfig>, PathBuf),
    /// Continue the stopped or interrupted run in the folder from its `resume.npz`.
    Continue(PathBuf),
    /// Pause after the current step.
    Pause,
    /// Resume a paused run.
    Resume,
    /// Stop the run (a `stopped` checkpoint is written).
    Stop,
    /// Take a snapshot after the current step.
    Snapshot,
    /// End the worker thread.
    Shutdown,
}

/// What the worker reports.
#[derive(Debug, Clone)]
pub enum Event {
    /// A run started.
    Started {
        /// Its folder.
        dir: PathBuf,
        /// Its configuration.
        config: Box<RunConfig>,
    },
    /// One step's metrics (boxed: the other events are small and frequent too).
    Step(Box<StepMetrics>),
    /// Current weights (coalesced).
    Weights {
        /// Step after which they were taken.
        step: usize,
        /// The weights.
        params: Arc<Params>,
    },
    /// The samples of a step (every `live_every` steps).
    Samples {
        /// Step that drew them.
        step: usize,
        /// One configuration per row.
        samples: Arc<Array2<u8>>,
    },
    /// A snapshot was written.
    SnapshotSaved {
        /// Its name.
        name: String,
        /// Step after which it was taken.
        step: Option<usize>,
        /// The weights.
        params: Arc<Params>,
    },
    /// Paused or resumed.
    Paused(bool),
    /// The schedule completed.
    Finished(Box<FinalSummary>),
    /// The run was stopped on request.
    Stopped {
        /// Steps completed.
        steps: usize,
    },
    /// The run failed; files written so far are kept.
    Failed(String),
    /// Step events the UI was too slow to take (the channel was full); they are in metrics.csv.
    StepsDropped(usize),
    /// The exact distances at the cadence or at the end (never dropped: they are rare).
    Distances(Box<DistanceRow>),
    /// A row of `curvature.csv`, as it is measured.
    Curvature(Box<CurvatureRow>),
    /// The parameter path `trajectory.npz` holds, each time it is written (at the start of a
    /// resumed run, at every snapshot and at the end): the landscapes' PCA and drawn path.
    Trajectory(Arc<TrajectoryFile>),
}

/// Most light events waiting for the UI.
pub const LIGHT_CAPACITY: usize = 16_384;

/// Handle to the worker thread.
pub struct Worker {
    commands: Sender<Command>,
    events: Receiver<Event>,
    heavy: Receiver<Event>,
    handle: Option<JoinHandle<()>>,
}

struct Reporter {
    events: Sender<Event>,
    heavy: Sender<Event>,
    heavy_drain: Receiver<Event>,
    commands: Receiver<Command>,
    live_every: usize,
    wake: Arc<dyn Fn() + Send + Sync>,
    paused: bool,
    dropped: usize,
    /// Lifecycle events not yet taken by a full channel, oldest first.
    pending: VecDeque<Event>,
}

impl Reporter {
    /// A lifecycle event: never lost, never waited for (it queues while the channel is full).
    fn send(&mut self, event: Event) {
        self.pending.push_back(event);
        self.flush();
        (self.wake)();
    }

    /// Move queued lifecycle events into the channel while it has room.
    fn flush(&mut self) {
        while let Some(event) = self.pending.pop_front() {
            match self.events.try_send(event) {
                Ok(()) => {}
                Err(TrySendError::Full(event)) => {
                    self.pending.push_front(event);
                    return;
                }
                Err(TrySendError::Disconnected(_)) => {
                    self.pending.clear();
                    return;
                }
            }
        }
    }

    /// The run's last event, after everything queued, waiting for room: the run is over.
    fn finish(mut self, event: Event) {
        if self.dropped > 0 {
            self.pending.push_back(Event::StepsDropped(self.dropped));
        }
        self.pending.push_back(event);
        for event in self.pending.drain(..) {
            if self.events.send(event).is_err() {
                break;
            }
        }
        (self.wake)();
    }

    /// A step event: dropped if the UI is behind, so the run never waits for it.
    fn offer(&mut self, event: Event) {
        self.flush();
        if self.dropped > 0
            && self
                .events
                .try_send(Event::StepsDropped(self.dropped))
                .is_ok()
        {
            self.dropped = 0;
        }
        if self.events.try_send(event).is_err() {
            self.dropped += 1;
        }
        (self.wake)();
    }

    fn send_heavy(&self, event: Event) {
        // Capacity one: drop the stale entry so the newest is what the UI finds.
        let _ = self.heavy_drain.try_recv();
        let _ = self.heavy.try_send(event);
        (self.wake)();
    }

    /// Apply pending commands; blocks while paused. Returns what the loop should do.
    fn poll(&mut self) -> Control {
        let mut control = Control::Continue;
        loop {
            let next = if self.paused {
                self.commands.recv().map_err(|_| TryRecvError::Disconnected)
            } else {
                self.commands.try_recv()
            };
            match next {
                Ok(Command::Pause) => {
                    self.paused = true;
                    self.send(Event::Paused(true));
                }
                Ok(Command::Resume) => {
                    self.paused = false;
                    self.send(Event::Paused(false));
                }
                Ok(Command::Stop | Command::Shutdown) | Err(TryRecvError::Disconnected) => {
                    return Control::Stop
                }
                Ok(Command::Snapshot) => control = Control::Snapshot,
                Ok(Command::Start(..) | Command::Continue(..)) => {
                    self.send(Event::Failed(
                        "a run is already going: stop it before starting another".into(),
                    ));
                }
                Err(TryRecvError::Empty) => return control,
            }
        }
    }
}

impl Observer for Reporter {
    fn on_step(&mut self, view: &StepView<'_>) -> Result<Control, ObserverError> {
        let step = view.metrics.step;
        self.offer(Event::Step(Box::new(view.metrics.clone())));
        if step.is_multiple_of(self.live_every) {
            self.send_heavy(Event::Weights {
                step,
                params: Arc::new(view.params.clone()),
            });
            self.offer(Event::Samples {
                step,
                samples: Arc::new(view.samples.to_owned()),
            });
        }
        Ok(self.poll())
    }

    fn on_distances(&mut self, row: &DistanceRow) -> Result<(), ObserverError> {
        self.send(Event::Distances(Box::new(row.clone())));
        Ok(())
    }

    fn on_curvature(&mut self, row: &CurvatureRow) -> Result<(), ObserverError> {
        self.send(Event::Curvature(Box::new(row.clone())));
        Ok(())
    }

    fn on_snapshot(&mut self, s: &SnapshotView<'_>) -> Result<(), ObserverError> {
        self.send(Event::SnapshotSaved {
            name: s.name.to_string(),
            step: s.step,
            params: Arc::new(s.params.clone()),
        });
        Ok(())
    }

    fn stop_requested(&mut self) -> bool {
        self.poll() == Control::Stop
    }
}

impl RunObserver for Reporter {
    fn wants_trajectory(&self) -> bool {
        true
    }

    fn on_trajectory(&mut self, trajectory: TrajectoryFile) {
        self.send(Event::Trajectory(Arc::new(trajectory)));
    }
}

impl Worker {
    /// Spawn the worker; `wake` is called after every event (the app passes a repaint request).
    pub fn spawn(wake: Arc<dyn Fn() + Send + Sync>) -> Self {
        Self::spawn_with_capacity(wake, LIGHT_CAPACITY)
    }

    /// [`Worker::spawn`] with room for `capacity` light events (tests use a small one).
    pub fn spawn_with_capacity(wake: Arc<dyn Fn() + Send + Sync>, capacity: usize) -> Self {
        let (command_tx, command_rx) = unbounded();
        let (event_tx, event_rx) = bounded(capacity.max(1));
        let (heavy_tx, heavy_rx) = bounded(1);
        let heavy_drain = heavy_rx.clone();
        let handle = std::thread::Builder::new()
            .name("annealscape-worker".into())
            .spawn(move || {
                while let Ok(command) = command_rx.recv() {
                    let (config, dir, resume) = match command {
                        Command::Start(config, dir) => (Ok(config), dir, false),
                        Command::Continue(dir) => (read_config(&dir).map(Box::new), dir, true),
                        Command::Shutdown => return,
                        _ => continue,
                    };
                    let config = match config {
                        Ok(config) => config,
                        Err(e) => {
                            let _ = event_tx.send(Event::Failed(e.to_string()));
                            wake();
                            continue;
                        }
                    };
                    let mut reporter = Reporter {
                        events: event_tx.clone(),
                        heavy: heavy_tx.clone(),
                        heavy_drain: heavy_drain.clone(),
                        commands: command_rx.clone(),
                        live_every: config.output.live_every,
                        wake: wake.clone(),
                        paused: false,
                        dropped: 0,
                        pending: VecDeque::new(),
                    };
                    reporter.send(Event::Started {
                        dir: dir.clone(),
                        config: config.clone(),
                    });
                    let result = catch_unwind(AssertUnwindSafe(|| {
                        if resume {
                            RunClaim::claim(&dir)
                                .and_then(|claim| resume_claimed_for(&claim, &mut reporter))
                        } else {
                            run_blocking_for(&config, &dir, &mut reporter)
                        }
                    }));
                    reporter.finish(final_event(result));
                }
            })
            .expect("the worker thread starts");
        Self {
            commands: command_tx,
            events: event_rx,
            heavy: heavy_rx,
            handle: Some(handle),
        }
    }

    /// Send a command (ignored if the worker has ended).
    pub fn send(&self, command: Command) {
        let _ = self.commands.send(command);
    }

    /// Every event waiting, light ones in order, then the latest heavy one.
    pub fn drain(&self) -> Vec<Event> {
        let mut out: Vec<Event> = self.events.try_iter().collect();
        out.extend(self.heavy.try_iter());
        out
    }

    /// Block for the next light event (tests and the command line).
    pub fn recv(&self) -> Option<Event> {
        self.events.recv().ok()
    }
}

impl Drop for Worker {
    /// Stop any run and join the thread, so closing the window ends the run cleanly.
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Stop);
        let _ = self.commands.send(Command::Shutdown);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

/// The event that ends a run: its outcome, its error, or the message of a panic caught on
/// the worker thread (the UI then shows it instead of freezing).
fn final_event(result: std::thread::Result<Result<Outcome, RunError>>) -> Event {
    match result {
        Ok(Ok(Outcome::Finished(summary))) => Event::Finished(Box::new(summary)),
        Ok(Ok(Outcome::Stopped { steps })) => Event::Stopped { steps },
        Ok(Err(e)) => Event::Failed(e.to_string()),
        Err(panic) => Event::Failed(format!("the worker panicked: {}", panic_message(&panic))),
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_a_run_becomes_a_failure_naming_it() {
        // (The panics print their messages; the hook is left alone as tests run in parallel.)
        let caught =
            catch_unwind(|| -> Result<Outcome, RunError> { panic!("index 7 out of range") });
        let formatted = catch_unwind(|| -> Result<Outcome, RunError> { panic!("step {}", 12) });
        match final_event(caught) {
            Event::Failed(m) => assert_eq!(m, "the worker panicked: index 7 out of range"),
            other => panic!("{other:?}"),
        }
        match final_event(formatted) {
            Event::Failed(m) => assert_eq!(m, "the worker panicked: step 12"),
            other => panic!("{other:?}"),
        }
        match final_event(Ok(Ok(Outcome::Stopped { steps: 3 }))) {
            Event::Stopped { steps } => assert_eq!(steps, 3),
            other => panic!("{other:?}"),
        }
    }
}
