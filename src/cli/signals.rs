//! SIGINT, SIGTERM and SIGHUP stop a long command at its next step. Slurm sends SIGTERM at a
//! time limit and on preemption, then SIGKILL after KillWait (30 s by default); a closed
//! terminal sends SIGHUP. Each is Ctrl-C: the run writes its resume state and a `stopped`
//! status, the command says how to continue and exits with 128 + the signal's number. A second
//! signal ends the process at once, for a user who does not want to wait for the step.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// The signals that stop a run.
const STOP_SIGNALS: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// The flag and the number of the last stop signal, installed once per process.
struct Handlers {
    stop: Arc<AtomicBool>,
    signal: Arc<AtomicUsize>,
}

static HANDLERS: OnceLock<Handlers> = OnceLock::new();

fn handlers() -> &'static Handlers {
    HANDLERS.get_or_init(|| {
        let stop = Arc::new(AtomicBool::new(false));
        let signal = Arc::new(AtomicUsize::new(0));
        for sig in STOP_SIGNALS {
            // Order matters: the shutdown checks the flag before this signal sets it, so the
            // first signal stops at the next step and only a second one exits at once.
            let _ =
                signal_hook::flag::register_conditional_shutdown(sig, 128 + sig, Arc::clone(&stop));
            let _ = signal_hook::flag::register_usize(sig, Arc::clone(&signal), sig as usize);
            let _ = signal_hook::flag::register(sig, Arc::clone(&stop));
        }
        Handlers { stop, signal }
    })
}

/// A flag set by SIGINT, SIGTERM or SIGHUP: the long commands poll it once a step. Installing
/// it replaces the signals' default action (death) for the rest of the process, so only
/// commands that poll it call this.
pub fn stop_flag() -> Arc<AtomicBool> {
    Arc::clone(&handlers().stop)
}

/// The signal that set the stop flag, if any.
pub fn received() -> Option<i32> {
    let h = HANDLERS.get()?;
    h.stop
        .load(Ordering::SeqCst)
        .then(|| h.signal.load(Ordering::SeqCst) as i32)
        .filter(|&s| s > 0)
}

/// The signal's conventional name, for messages.
pub fn name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "SIGINT (Ctrl-C)",
        SIGTERM => "SIGTERM",
        SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

/// The exit code of a command stopped by `signal` (130 for Ctrl-C, 143 for SIGTERM, 129 for
/// SIGHUP), as a shell reports a process the signal killed.
pub fn exit_code(signal: Option<i32>) -> i32 {
    128 + signal.unwrap_or(SIGINT)
}
