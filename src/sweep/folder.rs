//! The sweep folder: its specification, written once and checked on every rerun.

use std::path::{Path, PathBuf};

use super::{SweepError, SweepSpec};

/// The specification's file in a sweep folder.
pub const SPEC_FILE: &str = "sweep.toml";

/// An opened sweep: its folder and expanded specification.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The folder (absolute).
    pub dir: PathBuf,
    /// The specification.
    pub spec: SweepSpec,
}

/// The run folder of run `id`.
pub fn run_dir(sweep: &Path, id: &str) -> PathBuf {
    sweep.join("runs").join(id)
}

/// Files a sweep or a study writes at the top of its folder: found in a folder without a
/// `sweep.toml`, they belong to something else and are not overwritten.
const SWEEP_OUTPUTS: [&str; 4] = ["runs.csv", "report.md", "runs", "slurm"];

/// Check, writing nothing, that the folder `dir` can hold the sweep of the specification text
/// `text`: a folder with another `sweep.toml` is refused, and so is one without a `sweep.toml`
/// that holds a runs table, a report, runs or Slurm files (another sweep's, or someone's own).
/// Dry runs check with this; [`prepare_sweep`] checks the same before it writes.
pub fn check_sweep_folder(dir: &Path, text: &str, origin: &str) -> Result<Sweep, SweepError> {
    let spec = SweepSpec::parse(text, origin)?;
    let dir = std::path::absolute(dir).map_err(|e| SweepError::io(dir, e))?;
    match std::fs::read_to_string(dir.join(SPEC_FILE)) {
        Ok(existing) if existing != text => return Err(SweepError::Different(dir)),
        Ok(_) => {}
        Err(_) => {
            let foreign: Vec<&str> = SWEEP_OUTPUTS
                .into_iter()
                .filter(|name| {
                    let path = dir.join(name);
                    std::fs::read_dir(&path).map_or(path.exists(), |mut e| e.next().is_some())
                })
                .collect();
            if !foreign.is_empty() {
                return Err(SweepError::Foreign {
                    dir,
                    files: foreign.join(", "),
                });
            }
        }
    }
    Ok(Sweep { dir, spec })
}

/// Create (or reopen) the sweep folder `dir` for the specification text `text`, after
/// [`check_sweep_folder`].
pub fn prepare_sweep(dir: &Path, text: &str, origin: &str) -> Result<Sweep, SweepError> {
    let spec = check_sweep_folder(dir, text, origin)?.spec;
    std::fs::create_dir_all(dir.join("runs")).map_err(|e| SweepError::io(dir, e))?;
    let dir = dir.canonicalize().map_err(|e| SweepError::io(dir, e))?;
    let path = dir.join(SPEC_FILE);
    if !path.exists() {
        crate::files::write_atomically(&path, |w| std::io::Write::write_all(w, text.as_bytes()))
            .map_err(|e| SweepError::io(&path, e))?;
    }
    Ok(Sweep { dir, spec })
}

/// Open an existing sweep folder.
pub fn open_sweep(dir: &Path) -> Result<Sweep, SweepError> {
    let path = dir.join(SPEC_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        SweepError::io(
            &path,
            format!("{e}: is this a sweep folder (made by `annealscape sweep SPEC --out DIR`)?"),
        )
    })?;
    let spec = SweepSpec::parse(&text, &path.display().to_string())?;
    let dir = dir.canonicalize().map_err(|e| SweepError::io(dir, e))?;
    Ok(Sweep { dir, spec })
}
