//! Parameters in NumPy's `.npz` format, one array per named tensor.

use ndarray::{ArrayD, IxDyn};
use ndarray_npy::NpzReader;
use std::fs::File;
use std::path::Path;
use thiserror::Error;

use super::{Optimizer, OptimizerConfig, OptimizerState, Params};
use crate::files::write_npz_atomically;

/// Why a parameter file could not be read or written.
#[derive(Debug, Error)]
pub enum NpzError {
    /// The file could not be opened, read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What failed.
        message: String,
    },
    /// A tensor the network needs is not in the file.
    #[error("{path}: tensor '{name}' is missing (the file holds: {found})")]
    Missing {
        /// The file.
        path: String,
        /// The missing tensor.
        name: String,
        /// The names present.
        found: String,
    },
    /// The file holds a tensor the network does not have.
    #[error("{path}: unexpected tensor '{name}' (expected only: {expected})")]
    Extra {
        /// The file.
        path: String,
        /// The unexpected tensor.
        name: String,
        /// The names expected.
        expected: String,
    },
    /// A tensor holds NaN or infinity.
    #[error("{path}: tensor '{name}' holds {count} non-finite values (NaN or infinity): the checkpoint is from a run that diverged; use an earlier checkpoint")]
    NonFinite {
        /// The file.
        path: String,
        /// The tensor.
        name: String,
        /// How many entries are NaN or infinite.
        count: usize,
    },
    /// A tensor has the wrong shape.
    #[error("{path}: tensor '{name}' has shape {found:?}, expected {expected:?}")]
    Shape {
        /// The file.
        path: String,
        /// The tensor.
        name: String,
        /// Its shape in the file.
        found: Vec<usize>,
        /// The shape the network needs.
        expected: Vec<usize>,
    },
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> NpzError {
    NpzError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Names of the optimiser's state in a checkpoint: first and second moments as flat vectors
/// in the parameters' flat order, and the update count (SGD's moments are zero).
pub const ADAM_TENSORS: [&str; 3] = ["adam/m", "adam/v", "adam/t"];

/// AMSGrad's running maximum of the bias-corrected second moment v̂, flat, beside
/// [`ADAM_TENSORS`].
pub const AMSGRAD_MAX: &str = "adam/vmax";

/// SPRING's previous step φ, flat, beside [`ADAM_TENSORS`].
pub const SPRING_PREVIOUS: &str = "sr/phi";

/// Write each tensor of `params` under its name, atomically.
pub fn save_npz(path: &Path, params: &Params) -> Result<(), NpzError> {
    save_checkpoint(path, params, None)
}

/// Write the parameters and, when given, the optimiser's state (`adam/m`, `adam/v`,
/// `adam/t`, and AMSGrad's `adam/vmax`).
pub fn save_checkpoint(
    path: &Path,
    params: &Params,
    optimiser: Option<&Optimizer>,
) -> Result<(), NpzError> {
    write_npz_atomically(path, |npz| {
        let err = std::io::Error::other;
        for (i, spec) in params.specs().iter().enumerate() {
            let array = ArrayD::from_shape_vec(IxDyn(&spec.shape), params.slice(i).to_vec())
                .expect("spec shape matches the slice");
            npz.add_array(spec.name.as_str(), &array).map_err(err)?;
        }
        if let Some(adam) = optimiser {
            let (m, v) = adam.moments();
            npz.add_array(ADAM_TENSORS[0], &m.to_flat()).map_err(err)?;
            npz.add_array(ADAM_TENSORS[1], &v.to_flat()).map_err(err)?;
            npz.add_array(ADAM_TENSORS[2], &ndarray::arr1(&[i64::from(adam.steps())]))
                .map_err(err)?;
            if let Some(max) = adam.max_second() {
                npz.add_array(AMSGRAD_MAX, &max.to_flat()).map_err(err)?;
            }
            if let Some(phi) = adam.previous_step() {
                npz.add_array(SPRING_PREVIOUS, &phi.to_flat())
                    .map_err(err)?;
            }
        }
        Ok(())
    })
    .map_err(|e| io_error(path, e))
}

/// Read parameters laid out like `template`: every tensor by name, shapes checked, values
/// finite; Adam's tensors (`adam/*`) are allowed beside them and ignored.
pub fn load_npz(path: &Path, template: &Params) -> Result<Params, NpzError> {
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    let mut npz = NpzReader::new(file).map_err(|e| io_error(path, e))?;
    let names = npz.names().map_err(|e| io_error(path, e))?;
    let p = path.display().to_string();
    let expected: Vec<&str> = template.specs().iter().map(|s| s.name.as_str()).collect();
    let is_known = |n: &str| expected.contains(&n) || ADAM_TENSORS.contains(&n);
    if let Some(extra) = names.iter().find(|n| !is_known(n.as_str())) {
        return Err(NpzError::Extra {
            path: p,
            name: extra.clone(),
            expected: expected.join(", "),
        });
    }
    let mut params = template.zeros_like();
    for (i, spec) in template.specs().iter().enumerate() {
        if !names.contains(&spec.name) {
            return Err(NpzError::Missing {
                path: p,
                name: spec.name.clone(),
                found: names.join(", "),
            });
        }
        let array: ArrayD<f64> = npz
            .by_name(&spec.name)
            .map_err(|e| io_error(path, format!("tensor '{}': {e}", spec.name)))?;
        if array.shape() != spec.shape.as_slice() {
            return Err(NpzError::Shape {
                path: p,
                name: spec.name.clone(),
                found: array.shape().to_vec(),
                expected: spec.shape.clone(),
            });
        }
        let bad = array.iter().filter(|v| !v.is_finite()).count();
        if bad > 0 {
            return Err(NpzError::NonFinite {
                path: p,
                name: spec.name.clone(),
                count: bad,
            });
        }
        for (dst, src) in params.slice_mut(i).iter_mut().zip(array.iter()) {
            *dst = *src;
        }
    }
    Ok(params)
}

/// The optimiser's state stored beside the parameters in a checkpoint laid out like
/// `template`, as an optimiser with `config`; `None` when the checkpoint has no `adam/*`
/// tensors. AMSGrad needs `adam/vmax` too.
pub fn load_optimiser(
    path: &Path,
    template: &Params,
    config: OptimizerConfig,
) -> Result<Option<Optimizer>, NpzError> {
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    let mut npz = NpzReader::new(file).map_err(|e| io_error(path, e))?;
    let names = npz.names().map_err(|e| io_error(path, e))?;
    if !ADAM_TENSORS.iter().all(|t| names.iter().any(|n| n == t)) {
        return Ok(None);
    }
    let p = path.display().to_string();
    let mut moment = |name: &str| -> Result<Params, NpzError> {
        let array: ArrayD<f64> = npz
            .by_name(name)
            .map_err(|e| io_error(path, format!("tensor '{name}': {e}")))?;
        if array.shape() != [template.len()] {
            return Err(NpzError::Shape {
                path: p.clone(),
                name: name.into(),
                found: array.shape().to_vec(),
                expected: vec![template.len()],
            });
        }
        let bad = array.iter().filter(|v| !v.is_finite()).count();
        if bad > 0 {
            return Err(NpzError::NonFinite {
                path: p.clone(),
                name: name.into(),
                count: bad,
            });
        }
        let flat = ndarray::Array1::from_iter(array.iter().copied());
        Ok(template.with_flat(flat).expect("length checked above"))
    };
    let first = moment(ADAM_TENSORS[0])?;
    let second = moment(ADAM_TENSORS[1])?;
    let max_second = names
        .iter()
        .any(|n| n.strip_suffix(".npy").unwrap_or(n) == AMSGRAD_MAX)
        .then(|| moment(AMSGRAD_MAX))
        .transpose()?;
    let previous_step = names
        .iter()
        .any(|n| n.strip_suffix(".npy").unwrap_or(n) == SPRING_PREVIOUS)
        .then(|| moment(SPRING_PREVIOUS))
        .transpose()?;
    let t: ArrayD<i64> = npz
        .by_name(ADAM_TENSORS[2])
        .map_err(|e| io_error(path, format!("tensor 'adam/t': {e}")))?;
    let steps = t
        .iter()
        .next()
        .copied()
        .unwrap_or(0)
        .clamp(0, i64::from(i32::MAX)) as i32;
    Optimizer::from_state(
        config,
        OptimizerState {
            first,
            second,
            max_second,
            previous_step,
            steps,
        },
    )
    .map(Some)
    .map_err(|e| io_error(path, e))
}

/// Names and shapes of the parameter tensors stored in `path` (to infer a network's size);
/// Adam's tensors are left out.
pub fn tensor_shapes(path: &Path) -> Result<Vec<(String, Vec<usize>)>, NpzError> {
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    let mut npz = NpzReader::new(file).map_err(|e| io_error(path, e))?;
    let names = npz.names().map_err(|e| io_error(path, e))?;
    names
        .into_iter()
        .filter(|name| {
            !ADAM_TENSORS.contains(&name.as_str()) && name != AMSGRAD_MAX && name != SPRING_PREVIOUS
        })
        .map(|name| {
            let a: ArrayD<f64> = npz.by_name(&name).map_err(|e| io_error(path, e))?;
            Ok((name, a.shape().to_vec()))
        })
        .collect()
}
