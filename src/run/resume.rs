//! `RUN/resume.npz`: the whole state of a run — parameters, Adam's moments and step count, the
//! random generator's position, the schedule position, the trajectory kept so far and the ground
//! states found — written atomically, so `anneal --resume` continues bit for bit.

use ndarray::{arr1, Array, Array1, Array2, ArrayD, Dimension};
use ndarray_npy::{NpzReader, ReadableElement};
use std::fs::File;
use std::path::{Path, PathBuf};
use thiserror::Error;

use super::Trajectory;
use crate::anneal::{AnnealState, RngState, SettledPosition};
use crate::files::write_npz_atomically;
use crate::nn::{OptimizerState, Params, AMSGRAD_MAX, SPRING_PREVIOUS};

/// A settled schedule's descent value and dwell (u64 [value, dwell]).
pub const SETTLED_POSITION: &str = "settled/position";
/// X of the last step a settled schedule took.
pub const SETTLED_X: &str = "settled/x";
/// The objective at the last steps at the settled schedule's value.
pub const SETTLED_RECENT: &str = "settled/recent";

/// File name of the resume state inside a run folder.
pub const RESUME_FILE: &str = super::RunLayout::RESUME;

/// Why `resume.npz` could not be read or written.
#[derive(Debug, Error)]
pub enum ResumeError {
    /// The file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// The file is not a resume state of this run.
    #[error("{path}: {message} — the file is damaged or from another run; resume from a copy of the run folder or start again")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What does not fit.
        message: String,
    },
}

/// The state of a run and of its trajectory, as saved.
#[derive(Debug, Clone)]
pub struct ResumePoint {
    /// The annealing loop's state.
    pub state: AnnealState,
    /// The trajectory kept so far.
    pub trajectory: Trajectory,
    /// The configuration the run was started with (`config.toml` as written then); absent in
    /// resume files written before it was kept.
    pub config: Option<String>,
}

/// Write `resume.npz` for `state`, `trajectory` and the run's configuration (`config_toml`, the
/// text of its `config.toml`, so a resume can refuse an edited one), atomically.
pub fn save_resume(
    path: &Path,
    state: &AnnealState,
    trajectory: &Trajectory,
    config_toml: &str,
) -> Result<(), ResumeError> {
    let k = state.found.first().map_or(0, Vec::len);
    let mut found = Array2::<u8>::zeros((state.found.len(), k));
    for (mut row, coords) in found.rows_mut().into_iter().zip(&state.found) {
        row.assign(&Array1::from(coords.clone()));
    }
    let word_pos = [(state.rng.word_pos >> 64) as u64, state.rng.word_pos as u64];
    write_npz_atomically(path, |npz| {
        let err = std::io::Error::other;
        npz.add_array("step", &arr1(&[state.step as u64]))
            .map_err(err)?;
        npz.add_array("elapsed_seconds", &arr1(&[state.elapsed_seconds]))
            .map_err(err)?;
        npz.add_array("params", &state.params.to_flat())
            .map_err(err)?;
        npz.add_array("adam/m", &state.adam.first.to_flat())
            .map_err(err)?;
        npz.add_array("adam/v", &state.adam.second.to_flat())
            .map_err(err)?;
        npz.add_array("adam/t", &arr1(&[i64::from(state.adam.steps)]))
            .map_err(err)?;
        if let Some(max) = &state.adam.max_second {
            npz.add_array(AMSGRAD_MAX, &max.to_flat()).map_err(err)?;
        }
        if let Some(phi) = &state.adam.previous_step {
            npz.add_array(SPRING_PREVIOUS, &phi.to_flat())
                .map_err(err)?;
        }
        if let Some(position) = &state.settled {
            npz.add_array(
                SETTLED_POSITION,
                &arr1(&[position.value as u64, position.dwell as u64]),
            )
            .map_err(err)?;
            npz.add_array(SETTLED_X, &arr1(&[position.last_x]))
                .map_err(err)?;
            npz.add_array(SETTLED_RECENT, &Array1::from(position.recent.clone()))
                .map_err(err)?;
        }
        npz.add_array("rng/key", &Array1::from(state.rng.key.to_vec()))
            .map_err(err)?;
        npz.add_array("rng/stream", &arr1(&[state.rng.stream]))
            .map_err(err)?;
        npz.add_array("rng/word_pos", &arr1(&word_pos))
            .map_err(err)?;
        npz.add_array("found", &found).map_err(err)?;
        let last: Vec<u64> = state.found_last_step.iter().map(|&s| s as u64).collect();
        npz.add_array("found_last_step", &Array1::from(last))
            .map_err(err)?;
        npz.add_array(
            "trajectory/shape",
            &arr1(&[trajectory.capacity() as u64, trajectory.stride() as u64]),
        )
        .map_err(err)?;
        npz.add_array(
            "trajectory/steps",
            &Array1::from(trajectory.steps().to_vec()),
        )
        .map_err(err)?;
        npz.add_array("trajectory/x", &Array1::from(trajectory.xs().to_vec()))
            .map_err(err)?;
        npz.add_array("trajectory/params", &trajectory.points())
            .map_err(err)?;
        npz.add_array(
            "config_toml",
            &Array1::from(config_toml.as_bytes().to_vec()),
        )
        .map_err(err)?;
        Ok(())
    })
    .map_err(|e| ResumeError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Read `resume.npz`; `layout` is the network's parameter layout (from the run's config).
pub fn load_resume(path: &Path, layout: &Params) -> Result<ResumePoint, ResumeError> {
    let io = |e: &dyn std::fmt::Display| ResumeError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let damaged = |message: String| ResumeError::Damaged {
        path: path.to_path_buf(),
        message,
    };
    let file = File::open(path).map_err(|e| io(&e))?;
    let mut npz = NpzReader::new(file).map_err(|e| damaged(e.to_string()))?;
    let mut reals = |name: &str| -> Result<Array1<f64>, ResumeError> { read(&mut npz, name, path) };
    let params = reals("params")?;
    let first = reals("adam/m")?;
    let second = reals("adam/v")?;
    let elapsed = reals("elapsed_seconds")?;
    let xs = reals("trajectory/x")?;
    let step: Array1<u64> = read(&mut npz, "step", path)?;
    let adam_t: Array1<i64> = read(&mut npz, "adam/t", path)?;
    let key: Array1<u8> = read(&mut npz, "rng/key", path)?;
    let stream: Array1<u64> = read(&mut npz, "rng/stream", path)?;
    let word_pos: Array1<u64> = read(&mut npz, "rng/word_pos", path)?;
    let shape: Array1<u64> = read(&mut npz, "trajectory/shape", path)?;
    let steps: Array1<i64> = read(&mut npz, "trajectory/steps", path)?;
    let found: Array2<u8> = read(&mut npz, "found", path)?;
    // Absent in resume files written before the last-drawn steps were kept: as if drawn at 0.
    let found_last_step: Vec<usize> =
        match npz.by_name::<ndarray::OwnedRepr<u64>, ndarray::Ix1>("found_last_step.npy") {
            Ok(steps) => steps.iter().map(|&s| s as usize).collect(),
            Err(_) => vec![0; found.nrows()],
        };
    let points: Array2<f64> = read(&mut npz, "trajectory/params", path)?;
    // Only AMSGrad runs write it; whether the run needs it is the annealer's to say.
    let names = npz.names().map_err(|e| damaged(e.to_string()))?;
    let has = |name: &str| {
        names
            .iter()
            .any(|n| n.strip_suffix(".npy").unwrap_or(n) == name)
    };
    let (has_max, has_phi) = (has(AMSGRAD_MAX), has(SPRING_PREVIOUS));
    let max_second: Option<Array1<f64>> = has_max
        .then(|| read(&mut npz, AMSGRAD_MAX, path))
        .transpose()?;
    let previous_step: Option<Array1<f64>> = has_phi
        .then(|| read(&mut npz, SPRING_PREVIOUS, path))
        .transpose()?;
    let settled = if has(SETTLED_POSITION) {
        let position: Array1<u64> = read(&mut npz, SETTLED_POSITION, path)?;
        let x: Array1<f64> = read(&mut npz, SETTLED_X, path)?;
        let recent: Array1<f64> = read(&mut npz, SETTLED_RECENT, path)?;
        if position.len() != 2 || x.len() != 1 {
            return Err(damaged(format!(
                "'{SETTLED_POSITION}' has {} entries and '{SETTLED_X}' {}, expected 2 and 1",
                position.len(),
                x.len()
            )));
        }
        if !(x[0].is_finite() && recent.iter().all(|v| v.is_finite())) {
            return Err(damaged(
                "the settled schedule's X or objective values hold NaN or infinity".into(),
            ));
        }
        Some(SettledPosition {
            value: usize::try_from(position[0]).map_err(|e| damaged(e.to_string()))?,
            dwell: usize::try_from(position[1]).map_err(|e| damaged(e.to_string()))?,
            recent: recent.to_vec(),
            last_x: x[0],
        })
    } else {
        None
    };
    let config = match npz.by_name::<ndarray::OwnedRepr<u8>, ndarray::Ix1>("config_toml.npy") {
        Ok(bytes) => Some(
            String::from_utf8(bytes.to_vec())
                .map_err(|_| damaged("'config_toml' is not UTF-8 text".into()))?,
        ),
        Err(_) => None,
    };

    let p = layout.len();
    let with = |flat: Array1<f64>, what: &str| {
        if !flat.iter().all(|v| v.is_finite()) {
            return Err(damaged(format!("{what} hold NaN or infinity")));
        }
        layout
            .with_flat(flat)
            .map_err(|e| damaged(format!("{what}: {e}")))
    };
    let scalar = |len: usize, name: &str, want: usize| {
        (len == want)
            .then_some(())
            .ok_or_else(|| damaged(format!("'{name}' has {len} entries, expected {want}")))
    };
    scalar(step.len(), "step", 1)?;
    scalar(adam_t.len(), "adam/t", 1)?;
    scalar(key.len(), "rng/key", 32)?;
    scalar(stream.len(), "rng/stream", 1)?;
    scalar(word_pos.len(), "rng/word_pos", 2)?;
    scalar(shape.len(), "trajectory/shape", 2)?;
    scalar(elapsed.len(), "elapsed_seconds", 1)?;
    if points.ncols() != p && points.nrows() > 0 {
        return Err(damaged(format!(
            "trajectory points have {} entries, the network {p}",
            points.ncols()
        )));
    }
    let state = AnnealState {
        step: usize::try_from(step[0]).map_err(|e| damaged(e.to_string()))?,
        params: with(params, "parameters")?,
        adam: OptimizerState {
            first: with(first, "Adam's first moments")?,
            second: with(second, "Adam's second moments")?,
            max_second: max_second
                .map(|m| with(m, "AMSGrad's running maximum"))
                .transpose()?,
            previous_step: previous_step
                .map(|m| with(m, "SPRING's previous step"))
                .transpose()?,
            steps: i32::try_from(adam_t[0]).map_err(|e| damaged(format!("adam/t: {e}")))?,
        },
        rng: RngState {
            key: key.to_vec().try_into().expect("length checked"),
            stream: stream[0],
            word_pos: (u128::from(word_pos[0]) << 64) | u128::from(word_pos[1]),
        },
        found: found.rows().into_iter().map(|r| r.to_vec()).collect(),
        found_last_step,
        elapsed_seconds: elapsed[0],
        settled,
    };
    let capacity = usize::try_from(shape[0]).unwrap_or(0);
    let stride = usize::try_from(shape[1]).unwrap_or(0);
    let trajectory = Trajectory::restore(capacity, stride, steps.to_vec(), xs.to_vec(), points)
        .ok_or_else(|| damaged("the trajectory's parts do not fit each other".into()))?;
    Ok(ResumePoint {
        state,
        trajectory,
        config,
    })
}

/// The array `name` with `D` dimensions (`Ix1` or `Ix2`); a missing array or another shape
/// names the array.
fn read<T: ReadableElement, D: Dimension>(
    npz: &mut NpzReader<File>,
    name: &str,
    path: &Path,
) -> Result<Array<T, D>, ResumeError> {
    let damaged = |message: String| ResumeError::Damaged {
        path: path.to_path_buf(),
        message,
    };
    let a: ArrayD<T> = npz
        .by_name(name)
        .map_err(|e| damaged(format!("'{name}': {e}")))?;
    let shape = a.shape().to_vec();
    a.into_dimensionality().map_err(|_| {
        damaged(format!(
            "'{name}' has shape {shape:?}, expected {} dimensions",
            D::NDIM.unwrap_or(0)
        ))
    })
}
