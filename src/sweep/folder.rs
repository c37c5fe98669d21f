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

/// Create (or reopen) the sweep folder `dir` for the specification text `text`: a folder that
/// already holds a different specification is refused.
pub fn prepare_sweep(dir: &Path, text: &str, origin: &str) -> Result<Sweep, SweepError> {
    let spec = SweepSpec::parse(text, origin)?;
    std::fs::create_dir_all(dir.join("runs")).map_err(|e| SweepError::io(dir, e))?;
    let dir = dir.canonicalize().map_err(|e| SweepError::io(dir, e))?;
    let path = dir.join(SPEC_FILE);
    match std::fs::read_to_string(&path) {
        Ok(existing) if existing != text => return Err(SweepError::Different(dir)),
        Ok(_) => {}
        Err(_) => {
            crate::files::write_atomically(&path, |w| std::io::Write::write_all(w, text.as_bytes()))
                .map_err(|e| SweepError::io(&path, e))?
        }
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
