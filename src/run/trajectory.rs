//! The parameter path of a run, thinned so it stays bounded however long the run is.

use ndarray::{Array1, Array2};
use std::path::Path;

use ndarray_npy::NpzReader;

use super::RunError;
use crate::files::write_npz_atomically;
use crate::nn::Params;

/// Parameter vectors recorded every `stride` steps; when full, every other point is dropped
/// and the stride doubles, so the points stay evenly spread over the whole run.
#[derive(Debug, Clone)]
pub struct Trajectory {
    capacity: usize,
    stride: usize,
    steps: Vec<i64>,
    xs: Vec<f64>,
    points: Vec<Array1<f64>>,
}

impl Trajectory {
    /// An empty trajectory keeping at most `capacity` (≥ 2) points.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(2),
            stride: 1,
            steps: Vec::new(),
            xs: Vec::new(),
            points: Vec::new(),
        }
    }

    /// Offer the parameters after `step` (−1 for the initial weights) at X = `x`.
    pub fn record(&mut self, step: i64, x: f64, params: &Params) {
        if (step + 1) % self.stride as i64 != 0 {
            return;
        }
        if self.points.len() == self.capacity {
            self.thin();
            if (step + 1) % self.stride as i64 != 0 {
                return;
            }
        }
        self.steps.push(step);
        self.xs.push(x);
        self.points.push(params.to_flat());
    }

    fn thin(&mut self) {
        keep_even_positions(&mut self.steps);
        keep_even_positions(&mut self.xs);
        keep_even_positions(&mut self.points);
        self.stride *= 2;
    }

    /// Most points kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The recording stride (doubles at each thinning); saved for resume.
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// The recorded values of X, one per point.
    pub fn xs(&self) -> &[f64] {
        &self.xs
    }

    /// The held points as rows (no extra point appended).
    pub fn points(&self) -> Array2<f64> {
        self.matrix_with(None).2
    }

    /// A trajectory holding exactly these points, as saved in `resume.npz`; `None` if the parts
    /// do not fit each other.
    pub fn restore(
        capacity: usize,
        stride: usize,
        steps: Vec<i64>,
        xs: Vec<f64>,
        points: Array2<f64>,
    ) -> Option<Self> {
        let fits = capacity >= 2
            && stride >= 1
            && stride.is_power_of_two()
            && steps.len() == xs.len()
            && steps.len() == points.nrows()
            && steps.len() <= capacity;
        fits.then(|| Self {
            capacity,
            stride,
            steps,
            xs,
            points: points.rows().into_iter().map(|r| r.to_owned()).collect(),
        })
    }

    /// Number of points held.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether no point is held.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The recorded steps (−1 = initial weights).
    pub fn steps(&self) -> &[i64] {
        &self.steps
    }

    /// The points as rows of a matrix, with `last` appended if it is not the latest point.
    pub fn matrix_with(
        &self,
        last: Option<(i64, f64, &Params)>,
    ) -> (Vec<i64>, Vec<f64>, Array2<f64>) {
        let mut steps = self.steps.clone();
        let mut xs = self.xs.clone();
        let mut rows: Vec<&Array1<f64>> = self.points.iter().collect();
        let extra;
        if let Some((step, x, params)) = last {
            if steps.last() != Some(&step) {
                extra = params.to_flat();
                steps.push(step);
                xs.push(x);
                rows.push(&extra);
            }
        }
        let dim = rows.first().map_or(0, |r| r.len());
        let mut m = Array2::zeros((rows.len(), dim));
        for (i, r) in rows.iter().enumerate() {
            m.row_mut(i).assign(r);
        }
        (steps, xs, m)
    }

    /// The points as `trajectory.npz` holds them, with `last` appended if it is not the latest
    /// point.
    pub fn file_with(&self, last: Option<(i64, f64, &Params)>) -> TrajectoryFile {
        let (steps, xs, params) = self.matrix_with(last);
        TrajectoryFile {
            steps: Array1::from(steps),
            x: Array1::from(xs),
            params,
        }
    }

    /// Write `trajectory.npz`: `steps`, `x` and `params` (one row per point), atomically.
    pub fn save(&self, path: &Path, last: Option<(i64, f64, &Params)>) -> std::io::Result<()> {
        self.file_with(last).write(path)
    }
}

/// The parameter path of a run as `trajectory.npz` stores it: the one type that writes and
/// reads the file.
#[derive(Debug, Clone, PartialEq)]
pub struct TrajectoryFile {
    /// The step after which each point was taken (−1 = the initial weights).
    pub steps: Array1<i64>,
    /// T or B at each point.
    pub x: Array1<f64>,
    /// One parameter vector per row.
    pub params: Array2<f64>,
}

impl TrajectoryFile {
    /// Write it to `path` atomically.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        write_npz_atomically(path, |npz| {
            let err = std::io::Error::other;
            npz.add_array("steps", &self.steps).map_err(err)?;
            npz.add_array("x", &self.x).map_err(err)?;
            npz.add_array("params", &self.params).map_err(err)?;
            Ok(())
        })
    }

    /// Read `path`, refusing a file whose arrays do not fit each other.
    pub fn read(path: &Path) -> Result<Self, RunError> {
        let file = std::fs::File::open(path)
            .map_err(|e| RunError::io(path, format!("{e} (is the run folder complete?)")))?;
        let mut npz = NpzReader::new(file).map_err(|e| RunError::io(path, e))?;
        let name =
            |name: &str, e: ndarray_npy::ReadNpzError| RunError::io(path, format!("{name}: {e}"));
        let steps: Array1<i64> = npz.by_name("steps").map_err(|e| name("steps", e))?;
        let x: Array1<f64> = npz.by_name("x").map_err(|e| name("x", e))?;
        let params: Array2<f64> = npz.by_name("params").map_err(|e| name("params", e))?;
        if params.nrows() != steps.len() || x.len() != steps.len() {
            return Err(RunError::io(
                path,
                format!(
                    "{} steps, {} values of x and {} parameter rows: the file is damaged",
                    steps.len(),
                    x.len(),
                    params.nrows()
                ),
            ));
        }
        Ok(Self { steps, x, params })
    }
}

/// Drop the entries at odd positions.
/// The steps `trajectory.npz` holds at the end of a run of `total_steps` steps keeping at most
/// `capacity` points: the thinned points (the initial weights, step −1, first) and the last
/// step. Each is in the file from the moment the run passes it, so a film planned on them can
/// be computed while the run goes on.
pub fn kept_steps(capacity: usize, total_steps: usize) -> Vec<i64> {
    // The same thinning as `Trajectory::record`, on the steps alone.
    let capacity = capacity.max(2);
    let mut stride = 1i64;
    let mut kept = Vec::with_capacity(capacity);
    for step in -1..total_steps as i64 {
        if (step + 1) % stride != 0 {
            continue;
        }
        if kept.len() == capacity {
            keep_even_positions(&mut kept);
            stride *= 2;
            if (step + 1) % stride != 0 {
                continue;
            }
        }
        kept.push(step);
    }
    let last = total_steps as i64 - 1;
    if kept.last() != Some(&last) {
        kept.push(last);
    }
    kept
}

fn keep_even_positions<T>(v: &mut Vec<T>) {
    let mut position = 0;
    v.retain(|_| {
        position += 1;
        position % 2 == 1
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::TensorSpec;

    #[test]
    fn stays_bounded_and_evenly_spread() {
        let p = Params::zeros(vec![TensorSpec::vector("x", 3)]);
        let mut t = Trajectory::new(8);
        t.record(-1, 1.0, &p);
        for step in 0..1000 {
            t.record(step, 1.0, &p);
        }
        assert!(t.len() <= 8, "{}", t.len());
        let s = t.steps();
        assert_eq!(s[0], -1);
        let gaps: Vec<i64> = s.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(gaps.iter().all(|&g| g == gaps[0]), "{s:?}");
        assert!(*s.last().unwrap() >= 1000 - 2 * gaps[0], "{s:?}");
    }

    #[test]
    fn kept_steps_are_what_a_run_keeps_and_never_dropped_once_passed() {
        let p = Params::zeros(vec![TensorSpec::vector("x", 1)]);
        for (capacity, total) in [(2, 5), (8, 1000), (8, 7), (400, 51_001), (5, 64)] {
            let planned = kept_steps(capacity, total);
            // The last step is the run's newest point, appended to the file when it is written.
            let last_planned = *planned.last().unwrap();
            let mut t = Trajectory::new(capacity);
            t.record(-1, 1.0, &p);
            for step in 0..total as i64 {
                t.record(step, 1.0, &p);
                // Every planned step the run has passed is held now.
                if step % 97 == 0 || step + 1 == total as i64 {
                    for s in planned.iter().filter(|&&s| s < last_planned && s <= step) {
                        assert!(t.steps().contains(s), "{capacity} {total}: {s} at {step}");
                    }
                }
            }
            let last = total as i64 - 1;
            let file = t.file_with(Some((last, 0.0, &p)));
            assert_eq!(
                planned,
                file.steps.to_vec(),
                "capacity {capacity}, {total} steps"
            );
        }
    }
}
