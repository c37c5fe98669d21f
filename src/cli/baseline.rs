//! `annealscape baseline sa|pt|sqa`: R independent classical runs at one budget, summarised
//! as one TSV row; `--per-run FILE` keeps each run's final energy and ground state.

use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;

use super::CliError;
use crate::baselines::{
    parallel_tempering, quantum_annealing, simulated_annealing, Annealing, Outcomes,
    QuantumAnnealing, Tempering,
};
use crate::physics::{GroundStates, Lattice, NewmanMoore};

/// Settings every baseline shares.
#[derive(Debug, Clone, Args)]
pub struct Common {
    /// Linear size L.
    #[arg(long = "l")]
    pub l: usize,
    /// τ: sweeps of the anneal (PT: sweeps summed over replicas).
    #[arg(long)]
    pub sweeps: usize,
    /// Independent runs R.
    #[arg(long, default_value_t = 64)]
    pub runs: usize,
    /// Seed of every random number.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Write each run's final energy, ε_res and ground-state id to this TSV file.
    #[arg(long, value_name = "FILE")]
    pub per_run: Option<PathBuf>,
}

/// The baselines.
#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Simulated annealing: Metropolis sweeps with T falling linearly from T₀ to 0.
    Sa {
        #[command(flatten)]
        common: Common,
        /// T₀, the first sweep's temperature.
        #[arg(long, default_value_t = 2.0, allow_negative_numbers = true)]
        t0: f64,
    },
    /// Parallel tempering on a geometric ladder; ε_res of the lowest energy found.
    Pt {
        #[command(flatten)]
        common: Common,
        /// Number of replicas M.
        #[arg(long, default_value_t = 16)]
        replicas: usize,
        /// Lowest temperature of the ladder.
        #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
        t_min: f64,
        /// Highest temperature of the ladder.
        #[arg(long, default_value_t = 2.0, allow_negative_numbers = true)]
        t_max: f64,
    },
    /// Simulated quantum annealing: path-integral Monte Carlo with B falling from B₀ to 0.
    Sqa {
        #[command(flatten)]
        common: Common,
        /// B₀, the first sweep's transverse field.
        #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
        b0: f64,
        /// Trotter slices P.
        #[arg(long, default_value_t = 20)]
        slices: usize,
        /// Temperature T of the path integral.
        #[arg(long, default_value_t = 0.05, allow_negative_numbers = true)]
        t: f64,
    },
}

impl BaselineCommand {
    /// The shared settings.
    pub fn common(&self) -> &Common {
        match self {
            Self::Sa { common, .. } | Self::Pt { common, .. } | Self::Sqa { common, .. } => common,
        }
    }

    /// The method's name in tables: `sa`, `pt` or `sqa`.
    pub fn method(&self) -> &'static str {
        match self {
            Self::Sa { .. } => "sa",
            Self::Pt { .. } => "pt",
            Self::Sqa { .. } => "sqa",
        }
    }
}

/// What one baseline call gives: the outcomes, plus what only some methods have.
#[derive(Debug, Clone)]
pub struct BaselineResult {
    /// Final energies and ground states.
    pub outcomes: Outcomes,
    /// SQA: each run's slice-averaged final energy.
    pub slice_average: Option<Vec<f64>>,
    /// PT: the budget at which each run first saw E₀.
    pub first_hits: Option<Vec<Option<u64>>>,
}

/// Refuse a number of runs whose results would not fit in memory (half of what this process may
/// use): each run keeps its energy and, when it ends on a ground state, its configuration (a
/// byte a spin), and its spins, PT's replicas and SQA's slices are N bits a run each.
fn check_memory(cmd: &BaselineCommand, sites: usize) -> Result<(), CliError> {
    let runs = cmd.common().runs;
    let copies = match cmd {
        BaselineCommand::Sa { .. } => 1,
        BaselineCommand::Pt { replicas, .. } => *replicas,
        BaselineCommand::Sqa { slices, .. } => *slices,
    };
    let per_run = 64.0 + sites as f64 + (copies * sites) as f64 / 8.0;
    let need = runs as f64 * per_run;
    let have = crate::run::machine_memory_bytes().unwrap_or(f64::INFINITY) * 0.5;
    if need > have {
        return Err(CliError::Usage(format!(
            "--runs {runs} would keep about {:.1} GB of results (about {per_run:.0} bytes a run at L = {}), more than the {:.1} GB this machine can give: use at most --runs {}",
            need / 1e9,
            (sites as f64).sqrt(),
            have / 1e9,
            (have / per_run) as u64
        )));
    }
    Ok(())
}

/// Run the baseline `cmd` with `sweeps` in place of its own (the scaling command varies it).
pub fn run_baseline(
    cmd: &BaselineCommand,
    l: usize,
    sweeps: usize,
) -> Result<BaselineResult, CliError> {
    let c = cmd.common();
    let model = NewmanMoore::new(Lattice::new(l)?, 1.0)?;
    check_memory(cmd, model.lattice().sites())?;
    Ok(match cmd {
        BaselineCommand::Sa { t0, .. } => {
            let mut settings = Annealing::new(*model.lattice(), sweeps, c.runs, c.seed);
            settings.t0 = *t0;
            BaselineResult {
                outcomes: simulated_annealing(&settings)?,
                slice_average: None,
                first_hits: None,
            }
        }
        BaselineCommand::Pt {
            replicas,
            t_min,
            t_max,
            ..
        } => {
            let out = parallel_tempering(&Tempering {
                model,
                replicas: *replicas,
                t_min: *t_min,
                t_max: *t_max,
                budget: sweeps,
                runs: c.runs,
                seed: c.seed,
            })?;
            BaselineResult {
                outcomes: out.outcomes,
                slice_average: None,
                first_hits: Some(out.first_hits),
            }
        }
        BaselineCommand::Sqa { b0, slices, t, .. } => {
            let out = quantum_annealing(&QuantumAnnealing {
                model,
                slices: *slices,
                t: *t,
                b0: *b0,
                sweeps,
                runs: c.runs,
                seed: c.seed,
            })?;
            BaselineResult {
                outcomes: out.outcomes,
                slice_average: Some(out.slice_average),
                first_hits: None,
            }
        }
    })
}

/// `annealscape baseline …`.
pub fn baseline(cmd: BaselineCommand, out: &mut dyn Write) -> Result<(), CliError> {
    let c = cmd.common().clone();
    let result = run_baseline(&cmd, c.l, c.sweeps)?;
    let o = &result.outcomes;
    let s = o.summary();
    let mut header = String::from(
        "L\tsweeps\truns\teps_res_mean\teps_res_stderr\teps_res_min\tground_state_fraction\tupdates_per_second\tseconds",
    );
    let mut row = format!(
        "{}\t{}\t{}\t{:.6e}\t{:.3e}\t{:.6e}\t{:.4}\t{:.4e}\t{:.4}",
        c.l,
        c.sweeps,
        s.runs,
        s.mean,
        s.stderr,
        s.min,
        s.ground_state_fraction,
        o.updates_per_second(),
        o.seconds
    );
    if let Some(avg) = &result.slice_average {
        let n = o.sites as f64;
        let eps: Vec<f64> = avg.iter().map(|e| (e - o.ground_energy) / n).collect();
        header.push_str("\teps_res_slice_average");
        row.push_str(&format!(
            "\t{:.6e}",
            crate::baselines::mean_and_stderr(&eps).0
        ));
    }
    if let Some(hits) = &result.first_hits {
        header.push_str("\tfirst_hit_median");
        row.push_str(&format!("\t{}", median_hit(hits)));
    }
    writeln!(out, "{header}\n{row}")?;
    let states = GroundStates::new(Lattice::new(c.l)?);
    if states.degeneracy_log2() > 0 {
        let counts = o.ground_state_counts(&states);
        let listed: Vec<String> = counts.iter().map(|(id, k)| format!("{id} x{k}")).collect();
        eprintln!(
            "ground states reached ({} of {} distinct, ids as in the modes view): {}",
            counts.len(),
            1u128 << states.degeneracy_log2().min(127),
            if listed.is_empty() {
                "none".into()
            } else {
                listed.join(", ")
            }
        );
    }
    if let Some(path) = &c.per_run {
        write_per_run(path, &result, &states)?;
    }
    Ok(())
}

/// The median first-hit budget, `never` if half the runs never hit E₀.
fn median_hit(hits: &[Option<u64>]) -> String {
    let mut sorted: Vec<u64> = hits.iter().map(|h| h.unwrap_or(u64::MAX)).collect();
    sorted.sort_unstable();
    match sorted.get(sorted.len() / 2) {
        Some(&h) if h != u64::MAX => h.to_string(),
        _ => "never".into(),
    }
}

fn write_per_run(
    path: &std::path::Path,
    r: &BaselineResult,
    states: &GroundStates,
) -> Result<(), CliError> {
    let o = &r.outcomes;
    let ids = o.ground_state_ids(states);
    let eps = o.residual_energies();
    let mut text = String::from("run\tenergy\teps_res\tground_state");
    if r.slice_average.is_some() {
        text.push_str("\tslice_average_energy");
    }
    if r.first_hits.is_some() {
        text.push_str("\tfirst_hit");
    }
    text.push('\n');
    for (i, e) in o.energies.iter().enumerate() {
        text.push_str(&format!(
            "{i}\t{e}\t{:.6e}\t{}",
            eps[i],
            ids[i].as_deref().unwrap_or("")
        ));
        if let Some(avg) = &r.slice_average {
            text.push_str(&format!("\t{}", avg[i]));
        }
        if let Some(hits) = &r.first_hits {
            text.push_str(&format!(
                "\t{}",
                hits[i].map(|h| h.to_string()).unwrap_or_default()
            ));
        }
        text.push('\n');
    }
    crate::files::write_atomically(path, |w| w.write_all(text.as_bytes()))
        .map_err(|e| CliError::Runtime(anyhow::anyhow!("cannot write {}: {e}", path.display())))
}
