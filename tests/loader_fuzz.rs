//! Random bytes and random TOML fed to every loader a user's files reach — configuration,
//! checkpoints, metrics, landscapes, resume states — must give an error or a value, never a
//! panic.

mod common;

use annealscape::nn::rnn2d::tensor_specs;
use annealscape::nn::{load_npz, Params};
use annealscape::run::{load_resume, read_metrics, RunConfig};
use proptest::prelude::*;
use std::path::PathBuf;

fn scratch(name: &str) -> PathBuf {
    let dir = common::temp_dir(&format!("fuzz-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("file")
}

/// A valid NPZ (a real checkpoint) with bytes overwritten at random places.
fn damaged_checkpoint(edits: &[(usize, u8)]) -> Vec<u8> {
    let path = scratch("template");
    let params = Params::zeros(tensor_specs(3));
    annealscape::nn::save_npz(&path, &params).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    for &(at, value) in edits {
        let i = at % bytes.len();
        bytes[i] = value;
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn config_text_never_panics(text in "\\PC{0,400}") {
        let _ = RunConfig::from_toml(&text, "fuzz");
    }

    #[test]
    fn config_with_random_values_never_panics(
        key in prop::sample::select(vec![
            "lattice.size", "lattice.coupling", "anneal.samples", "anneal.minibatches",
            "anneal.warmup_steps", "anneal.anneal_steps", "anneal.train_steps", "anneal.start",
            "anneal.learning_rate", "network.hidden", "output.trajectory_points", "seed",
        ]),
        value in prop_oneof![
            any::<i64>().prop_map(|v| v.to_string()),
            any::<f64>().prop_map(|v| format!("{v:?}")),
            "[a-z]{0,8}",
        ],
    ) {
        let base = RunConfig::preset("quick").unwrap();
        if let Ok(c) = base.with_overrides(&[format!("{key}={value}")]) {
            // Whatever is accepted is a runnable configuration.
            prop_assert!(c.validate().is_ok());
            prop_assert!(c.anneal.checked_total_steps().is_some());
        }
    }

    #[test]
    fn npz_loaders_never_panic(
        edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        random in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let path = scratch("npz");
        let layout = Params::zeros(tensor_specs(3));
        for bytes in [damaged_checkpoint(&edits), random] {
            std::fs::write(&path, &bytes).unwrap();
            let _ = load_npz(&path, &layout);
            let _ = load_resume(&path, &layout);
            let _ = annealscape::landscape::load_landscape(&path);
        }
    }

    #[test]
    fn metrics_reader_never_panics(text in "[0-9a-z,.\\-e\\n]{0,600}") {
        let path = scratch("metrics");
        let header = annealscape::anneal::StepMetrics::COLUMNS.join(",");
        for body in [text.clone(), format!("{header}\n{text}")] {
            std::fs::write(&path, body).unwrap();
            if let Ok(table) = read_metrics(&path) {
                for row in &table.rows {
                    prop_assert!(row.non_finite_column().is_none());
                }
            }
        }
    }
}
