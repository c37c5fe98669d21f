//! `annealscape cells`: a whole study on the test-only grid, its table checked against the run
//! folders and fit files read independently here, and a rerun that redoes nothing.

mod common;

use annealscape::analysis::RunFolder;
use annealscape::cells::{verdict, REPRESENTED_KL};
use annealscape::distance::log_probs_of_all;
use annealscape::physics::{all_configurations, Lattice, NewmanMoore};
use common::{annealscape, temp_dir};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn the_verdict_separates_training_from_representation() {
    let small = REPRESENTED_KL / 10.0;
    assert!(verdict(small, small / 2.0).contains("follows"));
    assert!(verdict(1.0, small).starts_with("training"));
    assert!(verdict(0.5, 0.4).starts_with("representation"));
    assert!(verdict(5.0, 0.4).starts_with("both"));
}

#[test]
fn a_test_grid_study_sets_each_anneal_beside_its_fit() {
    let dir = temp_dir("cells-study");
    let out = dir.join("study");
    let o = annealscape(&["cells", "--test-grid", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    // Every cell at the 2D RNN's parameter count: MADE with H = 183 (3,486 parameters).
    for heading in [
        "## the 2D RNN (n_h = 40, 3482 parameters): L = 3, quantum (1 seed)",
        "## the 2D RNN (n_h = 40, 3482 parameters): L = 3, thermal (1 seed)",
        "## MADE (H = 183, 3486 parameters): L = 3, quantum (1 seed)",
        "## MADE (H = 183, 3486 parameters): L = 3, thermal (1 seed)",
        "| made183 | 3486 | 3 | thermal |",
        "## the gated 2D RNN (n_h = 23, 3452 parameters): L = 3, quantum (1 seed)",
        "## the tensorised 2D RNN (n_h = 21, 3593 parameters): L = 3, thermal (1 seed)",
        "## the transformer (d = 20, 3542 parameters): L = 3, quantum (1 seed)",
    ] {
        assert!(report.contains(heading), "{heading}: {report}");
    }
    let png = std::fs::read(out.join("figures/kl-vs-x.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");

    let csv = std::fs::read_to_string(out.join("cells.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    // Every cell, two B and two T values, one seed.
    assert_eq!(rows.len(), 4 * annealscape::nn::Cell::ALL.len());
    for cell in annealscape::nn::Cell::ALL {
        assert_eq!(
            rows.iter()
                .filter(|r| r[col("cell")] == cell.name())
                .count(),
            4,
            "{}",
            cell.name()
        );
    }
    let model = NewmanMoore::new(Lattice::new(3).unwrap(), 1.0).unwrap();
    let energies = model.energies(all_configurations(9).view());
    for row in rows.iter().filter(|r| r[col("target")] == "thermal") {
        // The anneal's KL: the trajectory's weights at the step named, against the Boltzmann
        // distribution summed out here.
        let t: f64 = row[col("x")].parse().unwrap();
        let folder = RunFolder::open(&out.join("runs").join(&row[col("id")])).unwrap();
        let trajectory = folder.trajectory();
        let step: i64 = row[col("anneal_step")].parse().unwrap();
        let point = trajectory.steps.iter().position(|&s| s == step).unwrap();
        assert!((trajectory.x[point] - t).abs() < 0.05, "X near {t}");
        let log_q = log_probs_of_all(&folder.trajectory_network(point).unwrap());
        let z: f64 = energies.iter().map(|e| (-e / t).exp()).sum();
        let kl: f64 = (0..512)
            .map(|s| {
                let p = (-energies[s] / t).exp() / z;
                p * (p.ln() - log_q[s])
            })
            .sum();
        let written: f64 = row[col("anneal_kl")].parse().unwrap();
        assert!((written - kl).abs() < 1e-10 * kl, "{written} against {kl}");
        // The fit's KL is the one its file holds, and the gap their ratio; the fit is of the
        // run's own cell and width.
        let prefix = match row[col("cell")].as_str() {
            "rnn2d" => String::new(),
            cell => format!("{cell}{}-", row[col("hidden")]),
        };
        let fit: toml::Table = toml::from_str(
            &std::fs::read_to_string(out.join(format!("fits/{prefix}thermal-L3-x{t}-seed0.toml")))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(fit["cell"].as_str(), Some(row[col("cell")].as_str()));
        assert_eq!(
            fit["parameters"].as_integer().unwrap().to_string(),
            row[col("parameters")]
        );
        let fit_kl = fit["best_kl"].as_float().unwrap();
        let written_fit: f64 = row[col("fit_kl")].parse().unwrap();
        assert!((written_fit - fit_kl).abs() < 1e-12 * fit_kl);
        let gap: f64 = row[col("gap")].parse().unwrap();
        assert!((gap - kl / fit_kl).abs() < 1e-9 * gap);
        assert!(fit_kl < fit["initial_kl"].as_float().unwrap());
    }
    for row in rows.iter().filter(|r| r[col("target")] == "quantum") {
        let f: f64 = row[col("anneal_fidelity")].parse().unwrap();
        assert!((0.0..=1.0).contains(&f));
        assert!(!row[col("fit_fidelity")].is_empty());
    }

    // `represent --from-run` starts from the same weights the table took at that X.
    let quantum = rows
        .iter()
        .find(|r| r[col("target")] == "quantum" && r[col("x")] == "0.5" && r[col("cell")] == "made")
        .unwrap();
    let fit_dir = dir.join("warm");
    let run = out.join("runs").join(&quantum[col("id")]);
    let o = annealscape(&[
        "represent",
        "--from-run",
        run.to_str().unwrap(),
        "--target",
        "quantum",
        "--x",
        "0.5",
        "--max-steps",
        "5",
        "--out",
        fit_dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary: toml::Table =
        toml::from_str(&std::fs::read_to_string(fit_dir.join("represent.toml")).unwrap()).unwrap();
    let anneal_kl: f64 = quantum[col("anneal_kl")].parse().unwrap();
    let initial = summary["initial_kl"].as_float().unwrap();
    assert!(
        (initial - anneal_kl).abs() < 1e-12 * anneal_kl,
        "{initial} against {anneal_kl}"
    );
    assert!(summary["start"]
        .as_str()
        .unwrap()
        .contains(&format!("step {}", quantum[col("anneal_step")])));
    assert!(summary["best_kl"].as_float().unwrap() <= initial);

    // A rerun runs nothing and fits nothing again.
    let fit = out.join("fits/quantum-L3-x1-seed0.toml");
    let before = std::fs::metadata(&fit).unwrap().modified().unwrap();
    let o = annealscape(&["cells", "--test-grid", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("seed 0: KL"), "{}", stderr(&o));
    assert_eq!(std::fs::metadata(&fit).unwrap().modified().unwrap(), before);
}
