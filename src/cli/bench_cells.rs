//! `annealscape bench cells`: every cell's annealing step and landscape point at the 2D RNN's
//! parameter count, beside its FLOP count and floor.
//!
//! The FLOPs counted are each cell's matrix products, a multiply-add counted as 2, as the passes
//! are written (`nn::grid`, `nn::made`; the 2D RNN through the same per-site count), for M rows:
//!
//! - a per-site pass of a recurrent cell costs f per row: rnn2d 2·(2n_h)·n_h, gru2d
//!   2·(2(4 + 2n_h)n_h + 2n_h·n_h), tensorized2d 2·(8n_h)·n_h; MADE's whole pass 2·2NH;
//! - a quantum step is sampling (one pass), the single-flip pass (recurrent cells rerun the
//!   N(N − 1)/2 sites after each flip; MADE the later conditionals, H·N(N − 1)), and the
//!   gradient (a teacher-forced pass and its back-propagation, 3 passes);
//! - a landscape point is sampling and the single-flip pass.
//!
//! The floor is those FLOPs at the large-dgemm rate of this machine on one core
//! (`bench landscape`'s), times the threads the step uses.

use std::io::Write;
use std::time::Duration;

use rand::{rngs::StdRng, SeedableRng};

use super::CliError;
use crate::anneal::{AnnealConfig, AnnealKind, Estimator, Objective, ScheduleShape};
use crate::nn::{Autoregressive, Cell, NetworkConfig, PAPER_PARAMETERS};
use crate::physics::{Lattice, NewmanMoore};

/// FLOPs of one per-row pass of `cell` with `hidden` units over N sites.
pub fn pass_flops(cell: Cell, sites: usize, hidden: usize) -> f64 {
    let (n, h) = (sites as f64, hidden as f64);
    match cell {
        Cell::Rnn2d => n * 2.0 * 2.0 * h * h,
        Cell::Gru2d => n * 2.0 * (2.0 * (4.0 + 2.0 * h) * h + 2.0 * h * h),
        Cell::Tensorized2d => n * 2.0 * 8.0 * h * h,
        Cell::Made => 2.0 * 2.0 * n * h,
        // q, k, v, W_o and the MLP (16d² a position), attention over t ≤ s (4(s + 1)d).
        Cell::Transformer => n * 16.0 * h * h + 2.0 * h * n * (n + 1.0),
    }
}

/// FLOPs of the single-flip pass of one row.
pub fn flip_flops(cell: Cell, sites: usize, hidden: usize) -> f64 {
    let n = sites as f64;
    match cell {
        Cell::Made => hidden as f64 * n * (n - 1.0),
        Cell::Transformer => {
            let d = hidden as f64;
            16.0 * d * d * n * (n - 1.0) / 2.0 + 4.0 * d * (n - 1.0) * n * (n + 1.0) / 3.0
        }
        _ => pass_flops(cell, sites, hidden) / n * n * (n - 1.0) / 2.0,
    }
}

/// FLOPs of a quantum step over `rows` samples: sampling, the flip pass and the gradient.
pub fn step_flops(cell: Cell, sites: usize, hidden: usize, rows: usize) -> f64 {
    let pass = pass_flops(cell, sites, hidden);
    rows as f64 * (pass + flip_flops(cell, sites, hidden) + 3.0 * pass)
}

/// The `cells` suite: the step and a landscape point of every cell at L = 5, M = 100.
pub fn cells_suite(out: &mut dyn Write) -> Result<(), CliError> {
    let rate = super::bench_landscape::dgemm_rate();
    let threads = rayon::current_num_threads().max(1);
    writeln!(
        out,
        "# floor: each cell's FLOPs (see `bench cells` in docs/speed.md) at {rate:.1} GFLOP/s a core (matrixmultiply dgemm 512³) on {threads} threads"
    )?;
    writeln!(
        out,
        "case\thidden\tparameters\tms\tbest_ms\tmflop\tfloor_ms\ttimes_floor"
    )?;
    let l = 5;
    let lattice = Lattice::new(l)?;
    let model = NewmanMoore::new(lattice, 1.0)?;
    let n = lattice.sites();
    let rows = 100;
    for cell in Cell::ALL {
        let network = NetworkConfig {
            cell,
            hidden: cell.hidden_matching(l, PAPER_PARAMETERS),
            ..NetworkConfig::default()
        };
        let mut annealer = crate::anneal::Annealer::new(
            lattice,
            1.0,
            network,
            &paper_step(AnnealKind::Quantum),
            0,
        )?;
        annealer.step()?; // warm the buffers
        let (secs, best, _) = super::bench::time_batches(Duration::from_secs(3), 3, || {
            annealer.step().expect("benchmark step");
        });
        let flops = step_flops(cell, n, network.hidden, rows);
        row(
            out, cell, &network, l, "step", secs, best, flops, rate, threads,
        )?;

        let mut rng = StdRng::seed_from_u64(1);
        let net = network.init(l, &mut rng);
        let mut workspaces: Vec<_> = (0..threads).map(|_| Default::default()).collect();
        let mut local = ndarray::Array1::zeros(rows);
        let (secs, best, _) = super::bench::time_batches(Duration::from_secs(3), 3, || {
            let (bits, lp) = net.sample(rows, &mut rng);
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
        let flops = rows as f64
            * (pass_flops(cell, n, network.hidden) + flip_flops(cell, n, network.hidden));
        row(
            out,
            cell,
            &network,
            l,
            "landscape point",
            secs,
            best,
            flops,
            rate,
            threads,
        )?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn row(
    out: &mut dyn Write,
    cell: Cell,
    network: &NetworkConfig,
    l: usize,
    what: &str,
    secs: f64,
    best: f64,
    flops: f64,
    rate: f64,
    threads: usize,
) -> Result<(), CliError> {
    let floor = flops / (rate * 1e9 * threads as f64);
    writeln!(
        out,
        "{} L={l} {what}\t{}\t{}\t{:.2}\t{:.2}\t{:.1}\t{:.3}\t{:.1}",
        cell.name(),
        network.hidden,
        network.parameter_count(l),
        secs * 1e3,
        best * 1e3,
        flops / 1e6,
        floor * 1e3,
        best / floor
    )?;
    Ok(())
}

/// The paper's step (M = 100, K = 10, Adam at 10⁻³) held at X₀ = 1.
pub(super) fn paper_step(kind: AnnealKind) -> AnnealConfig {
    AnnealConfig {
        kind,
        start: 1.0,
        warmup_steps: 1_000_000,
        anneal_steps: 0,
        train_steps: 1,
        schedule: ScheduleShape::Linear,
        end_ratio: 1e-3,
        samples: 100,
        minibatches: 10,
        learning_rate: 1e-3,
        estimator: Estimator::Standard,
        final_samples: 100,
        gradient: Default::default(),
        optimizer: Default::default(),
        entropy_start: 0.0,
        settle_window: crate::anneal::SettleRule::default().window,
        settle_tolerance: crate::anneal::SettleRule::default().tolerance,
        max_dwell: crate::anneal::SettleRule::default().max_dwell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flop_counts_follow_the_stated_arithmetic() {
        // gru2d at n_h = 2 over N = 4 sites: per site 2·(2·(4 + 4)·2 + 4·2) = 80.
        assert_eq!(pass_flops(Cell::Gru2d, 4, 2), 4.0 * 80.0);
        // Its flip pass reruns 4·3/2 = 6 sites.
        assert_eq!(flip_flops(Cell::Gru2d, 4, 2), 6.0 * 80.0);
        // MADE, N = 4, H = 3: 2·2·4·3 = 48 a pass, 3·4·3 = 36 the flips.
        assert_eq!(pass_flops(Cell::Made, 4, 3), 48.0);
        assert_eq!(flip_flops(Cell::Made, 4, 3), 36.0);
        assert_eq!(
            step_flops(Cell::Made, 4, 3, 10),
            10.0 * (48.0 + 36.0 + 144.0)
        );
    }
}
