//! The `annealscape exact` command line: outputs, exit codes and messages.

mod common;

use common::{annealscape, num, reference_table};
use std::process::Output;

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn degeneracy_reproduces_the_reference_file_exactly() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/reference/ground_state_degeneracy.tsv"
    );
    let want = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("missing {path}: {e}"));
    let got = stdout(&annealscape(&["exact", "degeneracy", "--l", "2..32"]));
    assert_eq!(got, want);
}

#[test]
fn thermo_agrees_with_the_reference_table() {
    let got = stdout(&annealscape(&[
        "exact",
        "thermo",
        "--l",
        "2,3,4,8,16",
        "--t",
        "0.25,0.5,1,2,5",
    ]));
    let lines: Vec<&str> = got.lines().collect();
    assert_eq!(lines[0], "L\tT\tf\te\ts\tmethod");
    let table = reference_table("thermodynamics.tsv");
    assert_eq!(lines.len() - 1, table.len());
    for (line, row) in lines[1..].iter().zip(&table) {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields[0], row[0]);
        for col in 1..5 {
            assert!(
                (num(fields[col]) - num(&row[col])).abs() < 1e-9,
                "{line} vs {row:?}"
            );
        }
    }
}

#[test]
fn ground_energy_agrees_with_the_reference_table() {
    let got = stdout(&annealscape(&[
        "exact",
        "ground-energy",
        "--l",
        "2..4",
        "--b",
        "0,0.25,0.4,0.5,0.6,0.75,1,2",
        "--no-cache",
    ]));
    let table = reference_table("transverse_field_ground_energy.tsv");
    let lines: Vec<&str> = got.lines().skip(1).collect();
    assert_eq!(lines.len(), table.len());
    for (line, row) in lines.iter().zip(&table) {
        let fields: Vec<&str> = line.split('\t').collect();
        let method = if num(fields[1]) == 0.0 {
            "classical"
        } else {
            "lanczos"
        };
        assert_eq!((fields[0], fields[3]), (row[0].as_str(), method));
        assert!(
            (num(fields[2]) - num(&row[2])).abs() < 1e-8,
            "{line} vs {row:?}"
        );
    }
}

#[test]
fn ground_energy_cache_is_written_and_reused() {
    let dir = std::env::temp_dir().join(format!("annealscape-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir_arg = dir.to_str().unwrap();
    let args = [
        "exact",
        "ground-energy",
        "--l",
        "3",
        "--b",
        "0.5",
        "--cache",
        dir_arg,
    ];
    let first = stdout(&annealscape(&args));
    let file = dir.join("ground_energy/L3_J1.0_B0.5.txt");
    assert!(
        file.exists(),
        "cache file {} was not written",
        file.display()
    );
    // A planted value proves the second call reads the cache instead of recomputing.
    std::fs::write(&file, "-0.123\n").unwrap();
    let second = stdout(&annealscape(&args));
    assert!(first.contains("-0.6043911687"), "{first}");
    assert!(second.contains("-0.1230000000"), "{second}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_values_exit_2_with_one_line_naming_the_value() {
    for (args, needle) in [
        (vec!["exact", "degeneracy", "--l", "300"], "L = 300"),
        (vec!["exact", "degeneracy", "--l", "2..x"], "'x'"),
        (vec!["exact", "thermo", "--l", "4", "--t", "-1"], "T = -1"),
        (
            vec!["exact", "thermo", "--l", "6", "--t", "1", "--brute-force"],
            "L = 6",
        ),
        (
            vec!["exact", "ground-energy", "--l", "7", "--b", "1"],
            "L = 7",
        ),
        (
            vec!["exact", "ground-energy", "--l", "3", "--b", "1", "--j", "0"],
            "J = 0",
        ),
        (vec!["exact", "frobnicate"], "frobnicate"),
    ] {
        let out = annealscape(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().next().unwrap_or("");
        assert!(first.contains(needle), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
    }
}
