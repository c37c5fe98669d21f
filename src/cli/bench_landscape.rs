//! `annealscape bench landscape`: grid points per second against the FLOP floor of a point.
//!
//! A quantum point samples M configurations and runs the single-flip pass on the U distinct
//! ones; its floor is the FLOPs this algorithm must do (a multiply-add counts 2) at this
//! machine's dgemm rate, measured here on one core and doubled for the two threads. The
//! arithmetic, with n_h = h, N = L² sites:
//! - sampling, per distinct prefix and site: the fused recurrent product [h_left | h_up] ·
//!   [U_left; U_up], 2·(2h)·h, plus the row's elementwise work (elu, the logit's dot product
//!   and its softplus), 3h + 4;
//! - single flips, per distinct configuration: at site s the left product runs on s blocks of
//!   rows and the up product on max(s + 1 − L, 1) blocks (s ≥ L), 2h² each, and s + 1 blocks
//!   take the elementwise work — Σ = N(N−1)/2 + (N−L)(N−L+1)/2 products (510 at L = 5) and
//!   N(N+1)/2 elementwise rows (325).

use ndarray::Array2;
use rand::{rngs::StdRng, SeedableRng};
use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use super::CliError;
use crate::anneal::{distinct_rows, Objective};
use crate::landscape::{
    compute_surface, random_directions, BiasDirection, DirectionKind, SurfaceSpec,
};
use crate::nn::{Autoregressive, Network, NetworkConfig};
use crate::physics::{Lattice, NewmanMoore};

/// FLOPs of sampling: `prefixes[s]` distinct prefixes run site s.
fn sampling_flops(hidden: usize, prefixes: &[usize]) -> f64 {
    let h = hidden as f64;
    let per_row = 4.0 * h * h + 3.0 * h + 4.0;
    prefixes.iter().map(|&g| g as f64 * per_row).sum()
}

/// FLOPs of the single-flip pass over `distinct` configurations.
fn flip_flops(size: usize, hidden: usize, distinct: usize) -> f64 {
    let (l, n, h) = (size, size * size, hidden as f64);
    let products: usize = n * (n - 1) / 2
        + (l..n)
            .map(|s| (s + 1).saturating_sub(l).max(1))
            .sum::<usize>();
    let elementwise = n * (n + 1) / 2;
    distinct as f64 * (products as f64 * 2.0 * h * h + elementwise as f64 * (3.0 * h + 4.0))
}

/// Distinct prefixes at each site of a batch of samples.
fn prefix_counts(bits: &Array2<u8>) -> Vec<usize> {
    (0..bits.ncols())
        .map(|s| distinct_rows(bits.slice(ndarray::s![.., ..s])).0.nrows())
        .collect()
}

/// GFLOP/s of one core on a large dgemm (matrixmultiply, 512³), the rate the floor assumes.
pub(super) fn dgemm_rate() -> f64 {
    let n = 512;
    let a = Array2::from_shape_fn((n, n), |(i, j)| ((i * 7 + j) % 13) as f64 * 0.1);
    let mut c = Array2::<f64>::zeros((n, n));
    let start = Instant::now();
    let mut calls = 0;
    while calls < 2 || start.elapsed() < Duration::from_millis(600) {
        ndarray::linalg::general_mat_mul(1.0, &a, &a, 0.0, &mut c);
        calls += 1;
    }
    std::hint::black_box(&c);
    2.0 * (n * n * n) as f64 * calls as f64 / start.elapsed().as_secs_f64() / 1e9
}

/// A network whose samples repeat, as a trained one's do: the initial weights times 6.
fn peaked(net: &Network, size: usize) -> Result<Network, CliError> {
    let flat = net.params().flat().mapv(|x| 6.0 * x);
    let params = net
        .params()
        .with_flat(flat)
        .map_err(|e| CliError::Runtime(anyhow::anyhow!("{e}")))?;
    Network::from_params(NetworkConfig::default(), size, params)
        .map_err(|e| CliError::Runtime(anyhow::anyhow!("{e}")))
}

/// Points per second of quantum and thermal landscapes (fresh samples, M = 100, both cores)
/// against the floor of a point.
pub fn landscape_suite(out: &mut dyn Write) -> Result<(), CliError> {
    let rate = dgemm_rate();
    let threads = rayon::current_num_threads();
    writeln!(
        out,
        "# floor: this algorithm's FLOPs at {rate:.1} GFLOP/s a core (matrixmultiply dgemm 512³) on {threads} threads"
    )?;
    writeln!(
        out,
        "case\tpoints_per_second\tgrid_51x51_s\tgrid_201x201_s\tdistinct\tmflop_per_point\tfloor_points_per_second\ttimes_floor"
    )?;
    for (l, quantum, peak) in [
        (4, true, false),
        (5, true, false),
        (5, true, true),
        (4, false, false),
        (5, false, false),
    ] {
        let lattice = Lattice::new(l)?;
        let model = NewmanMoore::new(lattice, 1.0)?;
        let mut rng = StdRng::seed_from_u64(2);
        let mut net = NetworkConfig::default().init(l, &mut rng);
        if peak {
            net = peaked(&net, l)?;
        }
        let objective = if quantum {
            Objective::quantum(1.0)
        } else {
            Objective::Thermal { temperature: 1.0 }
        };
        let dirs = random_directions(DirectionKind::Filter, net.params(), 3, BiasDirection::Zero);
        let spec = SurfaceSpec {
            points: 16,
            // Close to the centre, so every point samples like the centre (the floor is
            // counted there).
            range: if peak { 0.05 } else { 1.0 },
            ..SurfaceSpec::default()
        };
        // The centre's samples give the counts the floor is made of.
        let (bits, _) = net.sample(spec.samples, &mut StdRng::seed_from_u64(5));
        let distinct = distinct_rows(bits.view()).0.nrows();
        let mut flops = sampling_flops(40, &prefix_counts(&bits));
        if quantum {
            flops += flip_flops(l, 40, distinct);
        }
        let start = Instant::now();
        compute_surface(
            &net,
            &model,
            objective,
            &dirs,
            &spec,
            &AtomicBool::new(false),
            |_, _, _| {},
        );
        let points_per_second = 256.0 / start.elapsed().as_secs_f64();
        let floor = threads as f64 * rate * 1e9 / flops;
        let name = match (quantum, peak) {
            (true, false) => "quantum",
            (true, true) => "quantum peaked",
            (false, _) => "thermal",
        };
        writeln!(
            out,
            "{name} L={l}\t{points_per_second:.1}\t{:.1}\t{:.1}\t{distinct}\t{:.1}\t{floor:.0}\t{:.2}",
            51.0 * 51.0 / points_per_second,
            201.0 * 201.0 / points_per_second,
            flops / 1e6,
            floor / points_per_second
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flop_counts_follow_the_stated_arithmetic() {
        // L = 5: 300 left and 210 up products, 325 elementwise rows, h = 40.
        let per_config = 510.0 * 3200.0 + 325.0 * 124.0;
        assert_eq!(flip_flops(5, 40, 100), 100.0 * per_config);
        // L = 2: sites 1, 2, 3 take 1, 2, 3 left blocks, sites 2, 3 one and two up blocks.
        assert_eq!(flip_flops(2, 1, 1), 9.0 * 2.0 + 10.0 * 7.0);
        assert_eq!(sampling_flops(40, &[1, 2, 4]), 7.0 * (6400.0 + 124.0));
        let bits = ndarray::arr2(&[[0u8, 1, 1], [0, 1, 0], [1, 1, 0]]);
        assert_eq!(prefix_counts(&bits), vec![1, 2, 2]);
    }
}
