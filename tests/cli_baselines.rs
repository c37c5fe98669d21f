//! `annealscape baseline` and `annealscape scaling` as a user runs them.

mod common;

use common::{annealscape, ok, temp_dir};

fn table(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

#[test]
fn baseline_sa_prints_one_row_and_keeps_every_run() {
    let dir = temp_dir("baseline-sa");
    std::fs::create_dir_all(&dir).unwrap();
    let per_run = dir.join("runs.tsv");
    let out = ok(annealscape(&[
        "baseline",
        "sa",
        "--l",
        "16",
        "--sweeps",
        "200",
        "--runs",
        "64",
        "--seed",
        "3",
        "--per-run",
        per_run.to_str().unwrap(),
    ]));
    let t = table(&out);
    assert_eq!(
        t[0][..8].join("\t"),
        "L\tsweeps\truns\teps_res_mean\teps_res_stderr\teps_res_min\tground_state_fraction\tupdates_per_second"
    );
    assert_eq!(t.len(), 2);
    assert_eq!(&t[1][..3], ["16", "200", "64"]);
    let mean: f64 = t[1][3].parse().unwrap();
    let min: f64 = t[1][5].parse().unwrap();
    let rows = table(&std::fs::read_to_string(&per_run).unwrap());
    assert_eq!(rows[0], ["run", "energy", "eps_res", "ground_state"]);
    assert_eq!(rows.len(), 65);
    let eps: Vec<f64> = rows[1..]
        .iter()
        .map(|r| {
            let e: f64 = r[1].parse().unwrap();
            // E = E0 + J·defects: an integer above −N/2, and eps = (E − E0)/N.
            assert_eq!(e.fract(), 0.0);
            let eps: f64 = r[2].parse().unwrap();
            assert!((eps - (e + 128.0) / 256.0).abs() < 1e-6);
            eps
        })
        .collect();
    let recomputed = eps.iter().sum::<f64>() / 64.0;
    assert!(
        (recomputed - mean).abs() < 1e-6 * mean.max(1e-3),
        "{recomputed} vs {mean}"
    );
    assert_eq!(eps.iter().copied().fold(f64::INFINITY, f64::min), min);
    // The same seed gives the same runs; another seed other runs.
    let again = ok(annealscape(&[
        "baseline", "sa", "--l", "16", "--sweeps", "200", "--seed", "3",
    ]));
    assert_eq!(table(&again)[1][3], t[1][3]);
    let other = ok(annealscape(&[
        "baseline", "sa", "--l", "16", "--sweeps", "200", "--seed", "4",
    ]));
    assert_ne!(table(&other)[1][3], t[1][3]);
}

#[test]
fn baseline_runs_at_a_degenerate_size_name_the_ground_states_they_reach() {
    let dir = temp_dir("baseline-ids");
    std::fs::create_dir_all(&dir).unwrap();
    let per_run = dir.join("runs.tsv");
    let out = annealscape(&[
        "baseline",
        "sa",
        "--l",
        "7",
        "--sweeps",
        "3000",
        "--runs",
        "64",
        "--per-run",
        per_run.to_str().unwrap(),
    ]);
    let t = table(&ok(&out));
    let fraction: f64 = t[1][6].parse().unwrap();
    let rows = table(&std::fs::read_to_string(&per_run).unwrap());
    let ids: Vec<u64> = rows[1..]
        .iter()
        .filter(|r| !r[3].is_empty())
        .map(|r| {
            assert_eq!(
                r[2].parse::<f64>().unwrap(),
                0.0,
                "an id only for runs at E0"
            );
            r[3].parse().unwrap()
        })
        .collect();
    assert!(fraction > 0.0, "3000 sweeps at L = 7 reach E0 sometimes");
    assert_eq!(ids.len() as f64, (fraction * 64.0).round());
    // L = 7 has 2^6 ground states; ids are their coordinates in the basis.
    assert!(ids.iter().all(|&id| id < 64));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ground states reached ("), "{stderr}");
    let pt = ok(annealscape(&[
        "baseline", "pt", "--l", "4", "--sweeps", "1600", "--runs", "8",
    ]));
    assert!(table(&pt)[0].last().unwrap() == "first_hit_median");
    let sqa = ok(annealscape(&[
        "baseline", "sqa", "--l", "4", "--sweeps", "50", "--runs", "4", "--slices", "8",
    ]));
    assert!(table(&sqa)[0].last().unwrap() == "eps_res_slice_average");
}

#[test]
fn bad_baseline_and_scaling_values_exit_2_naming_them() {
    for (args, expected) in [
        (
            vec![
                "baseline", "sa", "--l", "8", "--sweeps", "10", "--runs", "0",
            ],
            "runs = 0",
        ),
        (
            vec!["baseline", "sa", "--l", "8", "--sweeps", "0"],
            "sweeps = 0",
        ),
        (
            vec!["baseline", "sa", "--l", "8", "--sweeps", "10", "--t0", "-1"],
            "t0 = -1",
        ),
        (
            vec![
                "baseline", "sqa", "--l", "8", "--sweeps", "10", "--slices", "1",
            ],
            "slices = 1",
        ),
        (
            vec![
                "baseline", "pt", "--l", "8", "--sweeps", "10", "--t-min", "3",
            ],
            "t_min = 3",
        ),
        (
            vec!["baseline", "sa", "--l", "1", "--sweeps", "10"],
            "L = 1",
        ),
        (
            vec![
                "baseline",
                "sa",
                "--l",
                "256",
                "--sweeps",
                "100000000",
                "--runs",
                "100000",
            ],
            "updates",
        ),
        (
            vec!["scaling", "--method", "sa", "--l", "8", "--tau", "0..10"],
            "tau = 0",
        ),
        (
            vec!["scaling", "--method", "sa", "--l", "8"],
            "--method needs --l and --tau",
        ),
        (
            vec!["scaling", "--out", "/nonexistent/x.csv"],
            "nothing to do",
        ),
        (
            vec!["scaling", "--runs-from", "/nonexistent"],
            "no finished run",
        ),
    ] {
        let out = annealscape(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn scaling_writes_the_table_fits_and_figure_and_takes_neural_runs_beside_sa() {
    let dir = temp_dir("scaling");
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("scaling.csv");
    let png = dir.join("scaling.png");
    let fits = ok(annealscape(&[
        "scaling",
        "--method",
        "sa",
        "--l",
        "4,8",
        "--tau",
        "10..1000",
        "--runs",
        "64",
        "--out",
        csv.to_str().unwrap(),
    ]));
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows = table(&text.replace(',', "\t"));
    assert_eq!(
        rows[0].join(","),
        "method,L,tau,runs,eps_res_mean,eps_res_stderr,ground_state_fraction,eps_res_min,eps_res_median,updates,seconds,cpu_seconds_per_run"
    );
    // 10..1000 at two per decade: 10, 32, 100, 316, 1000.
    let taus: Vec<&str> = rows[1..6].iter().map(|r| r[2].as_str()).collect();
    assert_eq!(taus, ["10.0", "32.0", "100.0", "316.0", "1000.0"]);
    assert_eq!(rows.len(), 11);
    for r in &rows[1..] {
        let (l, tau): (f64, f64) = (r[1].parse().unwrap(), r[2].parse().unwrap());
        assert_eq!(
            r[9].parse::<f64>().unwrap(),
            tau * l * l,
            "SA updates per run = tau·N"
        );
    }
    assert!(fits.starts_with("series\tlaw\tformula\ta\texponent\tchi2\taic\tdelta_aic\tpoints\n"));
    assert!(fits.contains("SA L=8\t"), "{fits}");
    // A short neural run enters the same table at its N_anneal.
    let run = dir.join("run");
    ok(annealscape(&[
        "anneal",
        "--preset",
        "quick",
        "--set",
        "anneal.anneal_steps=20",
        "--set",
        "anneal.warmup_steps=10",
        "--set",
        "anneal.final_samples=200",
        "--out",
        run.to_str().unwrap(),
    ]));
    ok(annealscape(&[
        "scaling",
        "--runs-from",
        dir.to_str().unwrap(),
        "--append",
        "--out",
        csv.to_str().unwrap(),
        "--figure",
        png.to_str().unwrap(),
    ]));
    let text = std::fs::read_to_string(&csv).unwrap();
    let neural: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("neural-quantum,"))
        .collect();
    assert_eq!(neural.len(), 1, "{text}");
    let f: Vec<&str> = neural[0].split(',').collect();
    assert_eq!(&f[1..4], ["4", "20.0", "1"]);
    let summary: toml::Value =
        toml::from_str(&std::fs::read_to_string(run.join("summary.toml")).unwrap()).unwrap();
    let eps =
        summary["energy_mean"].as_float().unwrap() - summary["ground_energy"].as_float().unwrap();
    assert!((f[4].parse::<f64>().unwrap() - eps.max(0.0)).abs() < 1e-12);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("sa,")).count(),
        10,
        "SA rows kept"
    );
    assert!(std::fs::metadata(&png).unwrap().len() > 10_000);
}
