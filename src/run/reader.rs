//! The one reader of run folders, used by the app, the command line and the figures. It
//! tolerates what a crash leaves (a partial last line of `metrics.csv`, no summary yet) and
//! refuses what would mislead: a `config.toml` edited after the run, a snapshot name that
//! would read outside the folder, values that cannot be read.

use super::RunLayout;
use ndarray::Array2;
use std::path::{Path, PathBuf};

use super::metrics_file::{read_metrics, MetricsTable};
use super::{RunConfig, RunError};
use crate::anneal::FinalSummary;
use crate::nn::tensor_shapes;

/// The configuration of the run in `dir`, checked against the files the run wrote: the hidden
/// width against its checkpoints, the lattice size against its samples.
pub fn read_config(dir: &Path) -> Result<RunConfig, RunError> {
    let path = dir.join(RunLayout::CONFIG);
    if !path.exists() {
        return Err(RunError::NotFound {
            path,
            message: "not found: a run folder holds config.toml (is this the folder `anneal --out` made?)".into(),
        });
    }
    let config = RunConfig::from_file(&path)?;
    check_hidden(dir, &config)?;
    check_sites(dir, &config)?;
    Ok(config)
}

fn check_hidden(dir: &Path, config: &RunConfig) -> Result<(), RunError> {
    let Some(name) = snapshot_names(dir).into_iter().next() else {
        return Ok(());
    };
    let path = dir.join(RunLayout::CHECKPOINTS).join(format!("{name}.npz"));
    let shapes = tensor_shapes(&path)?;
    let found = shapes
        .iter()
        .find(|(n, _)| n == "rnn2d/W")
        .and_then(|(_, shape)| shape.first().copied());
    match found {
        Some(h) if h != config.network.hidden => Err(RunError::Mismatch {
            path: dir.to_path_buf(),
            setting: "network.hidden",
            config: config.network.hidden,
            evidence: format!("checkpoints/{name}.npz"),
            found: h,
        }),
        _ => Ok(()),
    }
}

fn check_sites(dir: &Path, config: &RunConfig) -> Result<(), RunError> {
    let Ok(entries) = std::fs::read_dir(dir.join(RunLayout::SAMPLES)) else {
        return Ok(());
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let Some(file) = files.first() else {
        return Ok(());
    };
    let text = std::fs::read_to_string(file).map_err(|e| RunError::io(file, e))?;
    let Some(line) = text.lines().next() else {
        return Ok(());
    };
    let size = config.lattice.size;
    if line.len() != size * size {
        let side = (line.len() as f64).sqrt().round() as usize;
        return Err(RunError::Mismatch {
            path: dir.to_path_buf(),
            setting: "lattice.size",
            config: size,
            evidence: format!(
                "samples/{} ({} spins a row)",
                file.file_name().unwrap_or_default().to_string_lossy(),
                line.len()
            ),
            found: side,
        });
    }
    Ok(())
}

/// `metrics.csv` of the run in `dir` (see [`read_metrics`] for what a crash leaves).
pub fn read_run_metrics(dir: &Path) -> Result<MetricsTable, RunError> {
    read_metrics(&dir.join(RunLayout::METRICS))
}

/// `summary.toml`, or `None` if the run has not finished.
pub fn read_summary(dir: &Path) -> Result<Option<FinalSummary>, RunError> {
    read_toml_file(&dir.join(RunLayout::SUMMARY))
}

/// A TOML file of the run folder read into `T`, or `None` when it does not exist; a file that
/// does not read is an error naming its line.
pub(super) fn read_toml_file<T: serde::de::DeserializeOwned>(
    path: &Path,
) -> Result<Option<T>, RunError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(RunError::io(path, e)),
    };
    toml::from_str(&text)
        .map(Some)
        .map_err(|e| RunError::Table {
            path: path.to_path_buf(),
            line: e
                .span()
                .map_or(1, |span| super::config_error::locate(&text, span.start).0),
            message: format!("{} (the file does not read)", e.message()),
        })
}

/// The checkpoints present, by name (unsorted order of the folder is sorted by name).
pub fn snapshot_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join(RunLayout::CHECKPOINTS))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| {
                    e.file_name()
                        .to_str()
                        .and_then(|n| n.strip_suffix(".npz"))
                        .filter(|n| !n.starts_with('.'))
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The checkpoint file of snapshot `name`: a plain name (letters, digits, `-`, `_`) among the
/// folder's checkpoints, so a name can never reach outside the run folder.
pub fn checkpoint_path(dir: &Path, name: &str) -> Result<PathBuf, RunError> {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let names = snapshot_names(dir);
    if !plain || !names.iter().any(|n| n == name) {
        return Err(RunError::NotFound {
            path: dir.join(RunLayout::CHECKPOINTS),
            message: format!(
                "no snapshot '{name}': choose one of {}",
                if names.is_empty() {
                    "(none yet)".to_string()
                } else {
                    names.join(", ")
                }
            ),
        });
    }
    Ok(dir.join(RunLayout::CHECKPOINTS).join(format!("{name}.npz")))
}

/// The samples saved with snapshot `name`, as rows of `sites` bits; lines of another length
/// are an error naming the line.
pub fn read_samples(dir: &Path, name: &str, sites: usize) -> Result<Array2<u8>, RunError> {
    checkpoint_path(dir, name)?;
    let path = dir.join(RunLayout::SAMPLES).join(format!("{name}.txt"));
    let text = std::fs::read_to_string(&path).map_err(|e| RunError::io(&path, e))?;
    let mut bits = Vec::new();
    let mut rows = 0;
    for (i, line) in text.lines().enumerate() {
        let ok = line.len() == sites && line.bytes().all(|b| b == b'0' || b == b'1');
        if !ok {
            return Err(RunError::Table {
                path: path.clone(),
                line: i + 1,
                message: format!("expected {sites} characters of 0/1"),
            });
        }
        bits.extend(line.bytes().map(|b| b - b'0'));
        rows += 1;
    }
    Ok(Array2::from_shape_vec((rows, sites), bits).expect("rows × sites bits"))
}
