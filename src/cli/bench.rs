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
    /// Annealing steps per second with the paper's settings, and one landscape evaluation.
    Anneal,
    /// Landscape grid points per second (fresh, M = 100), both cores.
    Landscape,
    /// Spin updates per second of simulated annealing, parallel tempering and SQA.
    Baselines,
    /// Frames per second of the 3D surface while it rotates (one core).
    Render,
    /// Every cell's annealing step and landscape point at L = 5 against its FLOP floor.
    Cells,
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

/// Call `f` in batches of `batch` for about `budget`: the mean time per call, the mean of the
/// fastest batch (what the code costs when nothing else takes the core: on a shared host the
/// mean can be twice it) and the calls made.
pub(super) fn time_batches(
    budget: Duration,
    batch: usize,
    mut f: impl FnMut(),
) -> (f64, f64, usize) {
    let start = Instant::now();
    let (mut calls, mut best) = (0, f64::INFINITY);
    while calls == 0 || start.elapsed() < budget {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        best = best.min(t.elapsed().as_secs_f64() / batch as f64);
        calls += batch;
    }
    (start.elapsed().as_secs_f64() / calls as f64, best, calls)
}

/// Run a suite and print `case  seconds  throughput` rows.
pub fn run(suite: Suite, full: bool, out: &mut dyn Write) -> Result<(), CliError> {
    match suite {
        Suite::Anneal => return anneal_suite(out),
        Suite::Landscape => return super::bench_landscape::landscape_suite(out),
        Suite::Baselines => return super::bench_baselines::run(out),
        Suite::Render => return render_suite(out),
        Suite::Cells => return super::bench_cells::cells_suite(out),
        Suite::Physics => {}
    }
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

/// Steps per second of the paper's step (n_h = 40, M = 100, K = 10) at fixed X, so every
/// step pays the full objective (B = 1 or T = 1), in f64 (the paper's) and in f32, and the
/// natural gradient's step at L = 4 and 5.
fn anneal_suite(out: &mut dyn Write) -> Result<(), CliError> {
    use crate::anneal::{AnnealConfig, AnnealKind, Objective};
    use crate::nn::{Autoregressive, NetworkConfig, Precision};
    writeln!(
        out,
        "case\tsteps_per_second\tms_per_step\tbest_ms_per_step\tsteps"
    )?;
    let cases = [
        (AnnealKind::Quantum, 3),
        (AnnealKind::Quantum, 4),
        (AnnealKind::Quantum, 5),
        (AnnealKind::Quantum, 8),
        (AnnealKind::Thermal, 8),
        (AnnealKind::Thermal, 16),
    ];
    // Every case in f64 and f32 with Adam, then the natural gradient (minSR, one update from
    // all M samples) at L = 4 and 5.
    let variants = cases
        .into_iter()
        .flat_map(|case| [(case, Precision::F64, false), (case, Precision::F32, false)])
        .chain([4, 5].map(|l| ((AnnealKind::Quantum, l), Precision::F64, true)));
    for ((kind, l), precision, natural) in variants {
        let optimizer = if natural {
            crate::anneal::OptimizerSettings {
                kind: crate::nn::OptimizerKind::Sr,
                ..Default::default()
            }
        } else {
            Default::default()
        };
        let config = AnnealConfig {
            optimizer,
            ..super::bench_cells::paper_step(kind)
        };
        let mut annealer = crate::anneal::Annealer::new(
            Lattice::new(l)?,
            1.0,
            NetworkConfig {
                precision,
                ..NetworkConfig::default()
            },
            &config,
            0,
        )?;
        annealer.step()?; // warm the buffers
        let (secs, best, calls) = time_batches(Duration::from_secs(3), 5, || {
            annealer.step().expect("benchmark step");
        });
        writeln!(
            out,
            "{kind:?} L={l} {}{}\t{:.1}\t{:.2}\t{:.2}\t{calls}",
            if precision.is_f64() { "f64" } else { "f32" },
            if natural { " sr" } else { "" },
            1.0 / secs,
            secs * 1e3,
            best * 1e3
        )?;
    }
    // One landscape point: 100 fresh samples and the quantum objective at L = 5.
    let lattice = Lattice::new(5)?;
    let model = NewmanMoore::new(lattice, 1.0)?;
    let mut rng = StdRng::seed_from_u64(1);
    let net = NetworkConfig::default().init(5, &mut rng);
    let threads = rayon::current_num_threads().max(1);
    let mut workspaces: Vec<_> = (0..threads).map(|_| Default::default()).collect();
    let mut local = ndarray::Array1::zeros(100);
    let (secs, best, calls) = time_batches(Duration::from_secs(3), 5, || {
        let (bits, lp) = net.sample(100, &mut rng);
        let energies = model.energies(bits.view());
        Objective::quantum(1.0).local_values(
            &net,
            bits.view(),
            lp.view(),
            energies.view(),
            &mut workspaces,
            local.view_mut(),
        );
    });
    writeln!(
        out,
        "landscape point L=5 quantum (100 samples + E_loc)\t{:.1}\t{:.2}\t{:.2}\t{calls}",
        1.0 / secs,
        secs * 1e3,
        best * 1e3
    )?;
    Ok(())
}

/// Grid points per second of fresh-sample landscapes (M = 100, n_h = 40) over both cores,
/// with the 51 × 51 and 201 × 201 times they imply.
/// Frames per second of the software 3D renderer turning a 101 × 101 surface (20,000
/// triangles, contours, centre) at the app's and a figure's image sizes.
fn render_suite(out: &mut dyn Write) -> Result<(), CliError> {
    use crate::figures::{Camera, ColorScale, HeightScale, SurfaceScene};
    let n = 101;
    let axis: Vec<f64> = (0..n)
        .map(|i| -1.0 + 2.0 * i as f64 / (n - 1) as f64)
        .collect();
    let values = ndarray::Array2::from_shape_fn((n, n), |(r, c)| {
        let (a, b) = (axis[c], axis[r]);
        a * a + 0.5 * b * b + 0.1 * (7.0 * a).sin() * (5.0 * b).cos()
    });
    let path: Vec<[f64; 3]> = (0..200)
        .map(|i| {
            let t = i as f64 / 199.0;
            [0.8 * (1.0 - t), 0.5 * (1.0 - t), 1.0 - t]
        })
        .collect();
    writeln!(out, "case	ms_per_frame	frames_per_second")?;
    for (w, h) in [(800u32, 600u32), (1280, 960)] {
        let scene = SurfaceScene {
            alpha: &axis,
            beta: &axis,
            values: values.view(),
            path: path.clone(),
            centre: true,
            scale: ColorScale::default(),
            height: HeightScale::Linear,
            height_range: None,
        };
        let mut azimuth = 0.0;
        let (secs, _) = time_per_call(Duration::from_secs(2), || {
            azimuth += 3.0;
            let camera = Camera {
                azimuth,
                ..Camera::default()
            };
            std::hint::black_box(scene.render(&camera, w, h, [255, 255, 255]));
        });
        writeln!(
            out,
            "surface 101x101 at {w}x{h}\t{:.2}\t{:.1}",
            1e3 * secs,
            1.0 / secs
        )?;
    }
    Ok(())
}
