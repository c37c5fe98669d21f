//! `annealscape scaling`: ε_res against annealing length for SA, PT or SQA over sizes and τ,
//! neural runs from run folders beside them, the three laws of SPEC §7 fitted per series, a CSV
//! and a log–log figure.

use clap::{Args, ValueEnum};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use super::baseline::{run_baseline, BaselineCommand, Common};
use super::values::{sizes_arg, Sizes};
use super::CliError;
use crate::analysis::{find_neural_runs, neural_rows, read_scaling, write_scaling, ScalingRow};
use crate::baselines::scaling::{fit_all, Fit, Point};
use crate::figures::{render, ScalingFigure, ScalingPoint, ScalingSeries};

/// A classical method.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Method {
    /// Simulated annealing.
    Sa,
    /// Parallel tempering (τ = sweeps summed over replicas).
    Pt,
    /// Simulated quantum annealing.
    Sqa,
}

/// Arguments of `annealscape scaling`.
#[derive(Debug, Args)]
pub struct ScalingArgs {
    /// The classical method to run (leave out to only add --runs-from or redraw --out).
    #[arg(long, value_enum)]
    pub method: Option<Method>,
    /// Linear sizes, e.g. 8,16,32,64.
    #[arg(long = "l", value_parser = sizes_arg)]
    pub sizes: Option<Sizes>,
    /// Annealing lengths: a list (10,100,1000) or a log range a..b[:per_decade], e.g. 10..1e6
    /// (2 per decade unless given).
    #[arg(long, value_parser = taus_arg)]
    pub tau: Option<Taus>,
    /// Independent runs per point.
    #[arg(long, default_value_t = 32)]
    pub runs: usize,
    /// Seed of every random number.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// SA: first temperature.
    #[arg(long, default_value_t = 2.0, allow_negative_numbers = true)]
    pub t0: f64,
    /// PT: replicas.
    #[arg(long, default_value_t = 16)]
    pub replicas: usize,
    /// PT: lowest temperature.
    #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
    pub t_min: f64,
    /// PT: highest temperature.
    #[arg(long, default_value_t = 2.0, allow_negative_numbers = true)]
    pub t_max: f64,
    /// SQA: first field.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub b0: f64,
    /// SQA: Trotter slices.
    #[arg(long, default_value_t = 20)]
    pub slices: usize,
    /// SQA: temperature.
    #[arg(long, default_value_t = 0.05, allow_negative_numbers = true)]
    pub t: f64,
    /// Run folders (or folders holding them, e.g. a sweep) whose finished neural runs enter the
    /// table: ε_res of the final evaluation against N_anneal.
    #[arg(long = "runs-from", value_name = "DIR")]
    pub runs_from: Vec<PathBuf>,
    /// Cores each neural run used, for its CPU seconds (default: this machine's; give 1 for
    /// runs made with RAYON_NUM_THREADS=1).
    #[arg(long, value_name = "N")]
    pub neural_threads: Option<usize>,
    /// The CSV written.
    #[arg(long, default_value = "scaling.csv")]
    pub out: PathBuf,
    /// Keep the rows already in --out (a row of the same method, L and τ is replaced).
    #[arg(long)]
    pub append: bool,
    /// Also draw the figure here (PNG or SVG).
    #[arg(long, value_name = "PATH")]
    pub figure: Option<PathBuf>,
}

/// A parsed list of annealing lengths.
#[derive(Debug, Clone, PartialEq)]
pub struct Taus(pub Vec<usize>);

/// Most annealing lengths one --tau may give.
const MAX_TAUS: usize = 200;

/// [`parse_taus`] for clap.
pub fn taus_arg(text: &str) -> Result<Taus, String> {
    parse_taus(text).map(Taus)
}

/// Annealing lengths from lists and log ranges `a..b[:per_decade]`, rounded and deduplicated.
pub fn parse_taus(text: &str) -> Result<Vec<usize>, String> {
    let number = |s: &str| -> Result<f64, String> {
        let v: f64 = s
            .trim()
            .parse()
            .map_err(|_| format!("'{s}' is not a number (use e.g. 1000, 1e4 or 10..1e5)"))?;
        if (1.0..=1e12).contains(&v) {
            Ok(v)
        } else {
            Err(format!(
                "tau = {s} is out of range: give sweeps from 1 to 1e12"
            ))
        }
    };
    let mut out = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if let Some((a, rest)) = item.split_once("..") {
            let (b, per) = match rest.split_once(':') {
                Some((b, p)) => (
                    b,
                    p.trim()
                        .parse::<usize>()
                        .map_err(|_| format!("'{p}' is not a whole number of points per decade"))?,
                ),
                None => (rest, 2),
            };
            let (a, b) = (number(a)?, number(b)?);
            if b < a || per == 0 {
                return Err(format!(
                    "range '{item}' is empty: write a..b with a <= b (and :k with k >= 1)"
                ));
            }
            let count = ((b / a).log10() * per as f64 + 1e-9).floor() as usize + 1;
            if count + out.len() > MAX_TAUS {
                return Err(format!(
                    "'{item}' gives more than {MAX_TAUS} lengths: use fewer per decade"
                ));
            }
            out.extend(
                (0..count).map(|k| (a * 10f64.powf(k as f64 / per as f64)).round() as usize),
            );
        } else {
            out.push(number(item)?.round() as usize);
        }
    }
    out.sort_unstable();
    out.dedup();
    if out.is_empty() {
        return Err("no annealing length given: use e.g. --tau 10..1e5".into());
    }
    Ok(out)
}

impl ScalingArgs {
    fn baseline(&self, method: Method) -> BaselineCommand {
        let common = Common {
            l: 0,
            sweeps: 0,
            runs: self.runs,
            seed: self.seed,
            per_run: None,
        };
        match method {
            Method::Sa => BaselineCommand::Sa {
                common,
                t0: self.t0,
            },
            Method::Pt => BaselineCommand::Pt {
                common,
                replicas: self.replicas,
                t_min: self.t_min,
                t_max: self.t_max,
            },
            Method::Sqa => BaselineCommand::Sqa {
                common,
                b0: self.b0,
                slices: self.slices,
                t: self.t,
            },
        }
    }
}

/// The rows of one classical method over sizes and lengths.
fn classical_rows(args: &ScalingArgs, method: Method) -> Result<Vec<ScalingRow>, CliError> {
    let (Some(sizes), Some(taus)) = (&args.sizes, &args.tau) else {
        return Err(CliError::Usage(
            "--method needs --l and --tau, e.g. --l 16,32 --tau 10..1e5".into(),
        ));
    };
    let cmd = args.baseline(method);
    let threads = rayon::current_num_threads();
    let mut rows = Vec::new();
    for &l in &sizes.0 {
        for &tau in &taus.0 {
            let r = run_baseline(&cmd, l, tau)?;
            let o = &r.outcomes;
            let s = o.summary();
            let units = match method {
                Method::Sa | Method::Pt => args.runs.div_ceil(64),
                Method::Sqa => args.runs,
            };
            eprintln!(
                "{} L={l} tau={tau}: eps_res {:.4e} ± {:.1e}, at E0 {:.2}, {:.2} s",
                cmd.method(),
                s.mean,
                s.stderr,
                s.ground_state_fraction,
                o.seconds
            );
            rows.push(ScalingRow {
                method: cmd.method().into(),
                l,
                tau: tau as f64,
                runs: s.runs,
                eps_res_mean: s.mean,
                eps_res_stderr: s.stderr,
                ground_state_fraction: s.ground_state_fraction,
                eps_res_min: s.min,
                eps_res_median: s.median,
                updates: o.updates as f64 / s.runs as f64,
                seconds: o.seconds,
                cpu_seconds_per_run: o.seconds * threads.min(units) as f64 / s.runs as f64,
            });
        }
    }
    Ok(rows)
}

/// The rows grouped into series by method and L, with their fits.
pub fn series_of(rows: &[ScalingRow]) -> Vec<ScalingSeries> {
    let mut groups: BTreeMap<(String, usize), Vec<&ScalingRow>> = BTreeMap::new();
    for r in rows {
        groups.entry((r.method.clone(), r.l)).or_default().push(r);
    }
    groups
        .into_iter()
        .map(|((method, l), mut rows)| {
            rows.sort_by(|a, b| a.tau.total_cmp(&b.tau));
            let points: Vec<Point> = rows
                .iter()
                .map(|r| Point {
                    tau: r.tau,
                    mean: r.eps_res_mean,
                    stderr: r.eps_res_stderr,
                })
                .collect();
            ScalingSeries {
                label: format!("{} L={l}", method.to_uppercase()),
                points: rows
                    .iter()
                    .map(|r| ScalingPoint {
                        tau: r.tau,
                        mean: r.eps_res_mean,
                        stderr: r.eps_res_stderr,
                        median: r.eps_res_median,
                        cpu_seconds: r.cpu_seconds_per_run,
                    })
                    .collect(),
                fits: fit_all(&points),
            }
        })
        .collect()
}

fn fit_line(out: &mut dyn Write, series: &str, f: &Fit, best: f64) -> std::io::Result<()> {
    writeln!(
        out,
        "{series}\t{}\t{}\t{:.4e}\t{:.4e}\t{:.3}\t{:.3}\t{:.3}\t{}",
        f.law.name(),
        f.law.formula(),
        f.a,
        f.exponent,
        f.chi2,
        f.aic,
        f.aic - best,
        f.points
    )
}

/// `annealscape scaling …`.
pub fn scaling(args: ScalingArgs, out: &mut dyn Write) -> Result<(), CliError> {
    if args.method.is_none() && args.runs_from.is_empty() && !args.out.is_file() {
        return Err(CliError::Usage(format!(
            "nothing to do: give --method sa|pt|sqa, --runs-from DIR, or an existing --out ({} is not there)",
            args.out.display()
        )));
    }
    let redraw_only = args.method.is_none() && args.runs_from.is_empty();
    let mut rows = if (args.append || redraw_only) && args.out.is_file() {
        read_scaling(&args.out)?
    } else {
        Vec::new()
    };
    let mut fresh = Vec::new();
    if let Some(method) = args.method {
        fresh.extend(classical_rows(&args, method)?);
    }
    for dir in &args.runs_from {
        let runs = find_neural_runs(dir)?;
        if runs.is_empty() {
            return Err(CliError::Usage(format!(
                "no finished run (config.toml and summary.toml) under {}",
                dir.display()
            )));
        }
        let threads = args
            .neural_threads
            .unwrap_or_else(rayon::current_num_threads)
            .max(1);
        fresh.extend(neural_rows(&runs, threads));
    }
    rows.retain(|r| {
        !fresh
            .iter()
            .any(|f| f.method == r.method && f.l == r.l && f.tau == r.tau)
    });
    rows.extend(fresh);
    rows.sort_by(|a, b| {
        (&a.method, a.l)
            .cmp(&(&b.method, b.l))
            .then(a.tau.total_cmp(&b.tau))
    });
    if !redraw_only {
        write_scaling(&args.out, &rows)?;
    }
    let series = series_of(&rows);
    writeln!(
        out,
        "series\tlaw\tformula\ta\texponent\tchi2\taic\tdelta_aic\tpoints"
    )?;
    for s in &series {
        let best = s.fits.first().map(|f| f.aic).unwrap_or(0.0);
        for f in &s.fits {
            fit_line(out, &s.label, f, best)?;
        }
    }
    if let Some(path) = &args.figure {
        let figure = ScalingFigure {
            title: "Residual energy against annealing length and CPU time (Newman-Moore)".into(),
            series,
        };
        render(&figure, path, 1.0)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
