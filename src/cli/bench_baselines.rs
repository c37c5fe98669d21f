//! `annealscape bench baselines`: spin updates per second of SA, PT and SQA.

use std::io::Write;

use super::CliError;
use crate::baselines::{
    parallel_tempering, quantum_annealing, simulated_annealing, Annealing, QuantumAnnealing,
    ScalarLattice, Stream, Tempering,
};
use crate::physics::{Lattice, NewmanMoore};

/// Print `case  seconds  updates_per_second` rows.
pub fn run(out: &mut dyn Write) -> Result<(), CliError> {
    writeln!(out, "case\tseconds\tupdates_per_second")?;
    for (l, sweeps, runs) in [
        (32, 2000, 64),
        (32, 2000, 128),
        (64, 500, 128),
        (16, 5000, 128),
    ] {
        let settings = Annealing::new(Lattice::new(l)?, sweeps, runs, 1);
        let o = simulated_annealing(&settings)?;
        writeln!(
            out,
            "SA multi-spin L={l} tau={sweeps} runs={runs}\t{:.3}\t{:.3e}",
            o.seconds,
            o.updates_per_second()
        )?;
    }
    let lattice = Lattice::new(32)?;
    let stream = Stream::new(1, 2, 0);
    let mut scalar = ScalarLattice::random(lattice.sites(), 0, &stream);
    let start = std::time::Instant::now();
    let sweeps = 20;
    for s in 0..sweeps {
        scalar.sweep(
            &lattice,
            &stream,
            s,
            0,
            1.0,
            2.0 * (1.0 - s as f64 / sweeps as f64),
        );
    }
    let secs = start.elapsed().as_secs_f64();
    writeln!(
        out,
        "SA scalar reference L=32 tau={sweeps} runs=1\t{secs:.3}\t{:.3e}",
        (sweeps as usize * lattice.sites()) as f64 / secs
    )?;
    let model = NewmanMoore::new(Lattice::new(16)?, 1.0)?;
    let pt = Tempering {
        model,
        replicas: 16,
        t_min: 0.1,
        t_max: 2.0,
        budget: 16 * 1000,
        runs: 128,
        seed: 1,
    };
    let o = parallel_tempering(&pt)?;
    writeln!(
        out,
        "PT L=16 M=16 rounds=1000 runs=128\t{:.3}\t{:.3e}",
        o.outcomes.seconds,
        o.outcomes.updates_per_second()
    )?;
    let sqa = QuantumAnnealing {
        model,
        slices: 20,
        t: 0.05,
        b0: 1.0,
        sweeps: 500,
        runs: 4,
        seed: 1,
    };
    let o = quantum_annealing(&sqa)?;
    writeln!(
        out,
        "SQA L=16 P=20 tau=500 runs=4\t{:.3}\t{:.3e}",
        o.outcomes.seconds,
        o.outcomes.updates_per_second()
    )?;
    Ok(())
}
