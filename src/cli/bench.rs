//! `annealscape bench`: speed of the physics core, printed as a table (never asserted).

use ndarray::Array2;
use rand::{rngs::StdRng, RngExt, SeedableRng};
use std::io::Write;
use std::time::{Duration, Instant};

use super::CliError;
use crate::physics::{
    ground_energy, BruteForceThermo, ExactThermo, GroundStates, Lattice, NewmanMoore,
};

/// The benchmark suites.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Suite {
    /// Energies, ground states, brute-force thermodynamics and Lanczos.
    Physics,
}

/// Run `f` until at least `budget` has passed (at least once) and return seconds per call.
fn time_per_call(budget: Duration, mut f: impl FnMut()) -> (f64, usize) {
    let start = Instant::now();
    let mut calls = 0;
    while calls == 0 || start.elapsed() < budget {
        f();
        calls += 1;
    }
    (start.elapsed().as_secs_f64() / calls as f64, calls)
}

/// Run a suite and print `case  seconds  throughput` rows.
pub fn run(suite: Suite, full: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let Suite::Physics = suite;
    let budget = Duration::from_secs(2);
    writeln!(out, "case\tseconds_per_call\tthroughput\tcalls")?;

    let lattice = Lattice::new(64)?;
    let model = NewmanMoore::new(lattice, 1.0)?;
    let mut rng = StdRng::seed_from_u64(7);
    let batch = Array2::from_shape_fn((1000, lattice.sites()), |_| rng.random_range(0..2u8));
    let mut energies = ndarray::Array1::zeros(1000);
    let (secs, calls) = time_per_call(budget, || {
        model.energies_into(batch.view(), energies.view_mut());
        std::hint::black_box(&energies);
    });
    writeln!(
        out,
        "batch energy L=64 (1000 configs)\t{secs:.3e}\t{:.3e} spins/s\t{calls}",
        1000.0 * lattice.sites() as f64 / secs
    )?;

    for l in [256, 255] {
        let lat = Lattice::new(l)?;
        let mut k = 0;
        let (secs, calls) = time_per_call(budget, || {
            k = GroundStates::new(lat).degeneracy_log2();
        });
        writeln!(out, "k(L) at L={l} (k={k})\t{secs:.3e}\t-\t{calls}")?;
    }

    let lat = Lattice::new(72)?;
    let (secs, calls) = time_per_call(budget, || {
        std::hint::black_box(ExactThermo::new(NewmanMoore::new(lat, 1.0).unwrap()));
    });
    writeln!(
        out,
        "code-word enumerator L=72 (k=16)\t{secs:.3e}\t-\t{calls}"
    )?;

    let five = NewmanMoore::new(Lattice::new(5)?, 1.0)?;
    let (secs, calls) = time_per_call(budget, || {
        std::hint::black_box(BruteForceThermo::new(five).unwrap());
    });
    writeln!(
        out,
        "brute-force thermo L=5 (2^25 states)\t{secs:.3e}\t{:.3e} states/s\t{calls}",
        (1u64 << 25) as f64 / secs
    )?;

    let sizes: &[usize] = if full { &[4, 5] } else { &[4] };
    for &l in sizes {
        let m = NewmanMoore::new(Lattice::new(l)?, 1.0)?;
        let mut iterations = 0;
        let (secs, calls) = time_per_call(Duration::ZERO, || {
            iterations = ground_energy(&m, 0.5).unwrap().iterations;
        });
        writeln!(
            out,
            "Lanczos L={l} B=0.5 ({iterations} iterations)\t{secs:.3e}\t{:.3e} s/iteration\t{calls}",
            secs / iterations as f64
        )?;
    }
    Ok(())
}
