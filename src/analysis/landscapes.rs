//! Landscapes of a run folder's snapshots, stored in `RUN/landscapes/NAME-DIRS.npz`.

use ndarray::Array2;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use super::AnalysisError;
use crate::landscape::{
    compute_surface, load_landscape, pca_directions, project_path, random_directions,
    save_landscape, BiasDirection, DirectionKind, HessianPair, Landscape, LandscapeSettings,
    SurfaceSpec,
};
use crate::nn::{load_npz, Autoregressive, Network, Params};
use crate::physics::{Lattice, NewmanMoore};
use crate::run::{
    checkpoint_path, read_config, snapshot_names, RunConfig, RunLayout, TrajectoryFile,
};

/// What to compute around one snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct LandscapeRequest {
    /// Filter, gaussian or PCA.
    pub directions: DirectionKind,
    /// Seed of random directions.
    pub direction_seed: u64,
    /// Biases in filter directions.
    pub bias: BiasDirection,
    /// Grid and estimator.
    pub spec: SurfaceSpec,
    /// Which eigenvectors a Hessian slice spans.
    pub pair: HessianPair,
    /// The snapshot an interpolation goes to.
    pub to: Option<String>,
}

/// A run folder opened for landscapes: its configuration and trajectory, read from disk
/// ([`RunFolder::open`]) or handed over by a caller that already holds them (the app).
#[derive(Debug, Clone)]
pub struct RunFolder {
    dir: PathBuf,
    config: RunConfig,
    trajectory: Arc<TrajectoryFile>,
}

impl RunFolder {
    /// Open `dir` (it must hold `config.toml` and `trajectory.npz`).
    pub fn open(dir: &Path) -> Result<Self, AnalysisError> {
        let config = read_config(dir)?;
        let trajectory = TrajectoryFile::read(&dir.join(RunLayout::TRAJECTORY))?;
        Ok(Self::new(dir, config, Arc::new(trajectory)))
    }

    /// The run in `dir` with the configuration and trajectory the caller holds.
    pub fn new(dir: &Path, config: RunConfig, trajectory: Arc<TrajectoryFile>) -> Self {
        Self {
            dir: dir.to_path_buf(),
            config,
            trajectory,
        }
    }

    /// The run folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The run's configuration.
    pub fn config(&self) -> &RunConfig {
        &self.config
    }

    /// The run's parameter path.
    pub fn trajectory(&self) -> &Arc<TrajectoryFile> {
        &self.trajectory
    }

    /// The snapshots present, in the order they were taken.
    pub fn snapshots(&self) -> Vec<String> {
        let mut names = snapshot_names(&self.dir);
        names.sort_by_key(|n| self.snapshot_step(n).unwrap_or(i64::MAX));
        names
    }

    /// The step after which snapshot `name` was taken (−1 for init).
    pub fn snapshot_step(&self, name: &str) -> Option<i64> {
        if name == "init" {
            return Some(-1);
        }
        if let Some(step) = name.strip_prefix("manual-").and_then(|s| s.parse().ok()) {
            return Some(step);
        }
        if name == "stopped" {
            return self.trajectory.steps.last().copied();
        }
        self.config
            .anneal
            .schedule()
            .snapshot_steps()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s as i64)
    }

    /// T or B when snapshot `name` was taken.
    pub fn snapshot_x(&self, name: &str) -> Option<f64> {
        self.x_after(self.snapshot_step(name)?)
    }

    /// T or B of step `step` (−1: before the first, X₀). A settled schedule's X depends on the
    /// run, so it is read from `metrics.csv`; the others' follows from the step.
    pub fn x_after(&self, step: i64) -> Option<f64> {
        let schedule = self.config.anneal.schedule();
        if step < 0 {
            return Some(schedule.start);
        }
        let step = usize::try_from(step).ok()?;
        if schedule.shape != crate::anneal::ScheduleShape::Settled {
            return Some(schedule.at(step).1);
        }
        let metrics = crate::run::read_metrics(&self.dir.join(RunLayout::METRICS)).ok()?;
        metrics
            .rows
            .iter()
            .find(|m| m.step == step)
            .map(|m| m.temperature.max(m.field))
    }

    /// The model the run anneals.
    pub fn model(&self) -> Result<NewmanMoore, AnalysisError> {
        let lattice =
            Lattice::new(self.config.lattice.size).map_err(crate::anneal::AnnealError::from)?;
        Ok(NewmanMoore::new(lattice, self.config.lattice.coupling)
            .map_err(crate::anneal::AnnealError::from)?)
    }

    /// The network of snapshot `name`.
    pub fn network(&self, name: &str) -> Result<Network, AnalysisError> {
        let path = checkpoint_path(&self.dir, name)?;
        let layout = Params::zeros(self.config.network.tensor_specs(self.config.lattice.size));
        let params = load_npz(&path, &layout)?;
        Ok(Network::from_params(
            self.config.network.in_f64(),
            self.config.lattice.size,
            params,
        )?)
    }

    /// Compute the landscape around snapshot `name`, calling `on_row` as rows finish, and
    /// store it (see [`RunFolder::store`] for `existing`); `Ok(None)` if cancelled.
    pub fn landscape(
        &self,
        name: &str,
        request: &LandscapeRequest,
        cancel: &AtomicBool,
        existing: Existing,
        on_row: impl FnMut(usize, &[f64], &[f64]),
    ) -> Result<Option<(Landscape, PathBuf)>, AnalysisError> {
        let net = self.network(name)?;
        let step = self.snapshot_step(name).ok_or_else(|| {
            AnalysisError::io(
                self.dir.join(RunLayout::CHECKPOINTS),
                format!("cannot tell when snapshot '{name}' was taken"),
            )
        })?;
        match self.landscape_around(name, step, net, request, cancel, on_row)? {
            Some(landscape) => {
                let out = self.store(&landscape, existing)?;
                Ok(Some((landscape, out)))
            }
            None => Ok(None),
        }
    }

    /// Compute the landscape around the weights of `net`, taken after `step` (−1 for init),
    /// named `name` — the app's "now" view of live weights; [`RunFolder::store`] keeps it.
    pub fn landscape_around(
        &self,
        name: &str,
        step: i64,
        net: Network,
        request: &LandscapeRequest,
        cancel: &AtomicBool,
        on_row: impl FnMut(usize, &[f64], &[f64]),
    ) -> Result<Option<Landscape>, AnalysisError> {
        let config = &self.config;
        let model = self.model()?;
        request.spec.validate(model.lattice().sites())?;
        super::check_landscape(config, &request.spec)?;
        let x = self.x_after(step).ok_or_else(|| AnalysisError::Io {
            path: self.dir.join(RunLayout::METRICS),
            message: format!(
                "has no row for step {step}, whose X a settled schedule needs: the file lost rows; restore the run folder from a copy"
            ),
        })?;
        let objective = config.anneal.objective(x);
        let (directions, net, spec, axis_labels) = match request.directions {
            DirectionKind::Pca => (
                pca_directions(net.params(), self.trajectory.params.view())?,
                net,
                request.spec,
                None,
            ),
            DirectionKind::Filter | DirectionKind::Gaussian => {
                let d = random_directions(
                    request.directions,
                    net.params(),
                    request.direction_seed,
                    request.bias,
                );
                (d, net, request.spec, None)
            }
            _ => {
                let c = self.choose_directions(name, net, request, objective, &model)?;
                (c.directions, c.center, c.spec, c.labels)
            }
        };
        let Some(surface) =
            compute_surface(&net, &model, objective, &directions, &spec, cancel, on_row)
        else {
            return Ok(None);
        };
        let (path_alpha, path_beta) = project_path(
            self.trajectory.params.view(),
            net.params().flat(),
            &directions,
        );
        let mut dirs = Array2::zeros((2, net.params().len()));
        dirs.row_mut(0).assign(&directions.delta.flat());
        dirs.row_mut(1).assign(&directions.eta.flat());
        let landscape = Landscape {
            settings: LandscapeSettings {
                snapshot: name.to_string(),
                step,
                kind: format!("{:?}", config.anneal.kind).to_lowercase(),
                x,
                size: config.lattice.size,
                directions: request.directions,
                direction_seed: request.direction_seed,
                bias: request.bias,
                spec,
                cosine: directions.cosine(),
                explained: directions.explained,
                roughness: surface.roughness(),
                barrier: (request.directions == DirectionKind::Interpolate)
                    .then(|| {
                        super::slice_directions::barrier(
                            surface.alpha.as_slice().expect("fresh axis"),
                            surface.values.row(0).as_slice().expect("fresh row"),
                        )
                    })
                    .flatten(),
                axis_labels,
                pair: request.pair,
                to: request.to.clone(),
            },
            surface,
            path_alpha,
            path_beta,
            path_steps: self.trajectory.steps.clone(),
            directions: dirs,
        };
        Ok(Some(landscape))
    }

    /// Store `landscape` as `RUN/landscapes/SNAPSHOT-DIRS.npz` and return the path. A file there
    /// that holds a landscape with other settings is replaced only with
    /// [`Existing::Overwrite`]; otherwise this one goes beside it, as `SNAPSHOT-DIRS-2.npz` (or
    /// the first free number, or the numbered file with the same settings).
    pub fn store(
        &self,
        landscape: &Landscape,
        existing: Existing,
    ) -> Result<PathBuf, AnalysisError> {
        let kind_name = match (&landscape.settings.directions, &landscape.settings.to) {
            (DirectionKind::Interpolate, Some(to)) => format!("interpolate-{to}"),
            (DirectionKind::Hessian, _) if landscape.settings.pair == HessianPair::TopBottom => {
                "hessian-topbottom".to_string()
            }
            (kind, _) => kind.name().to_string(),
        };
        let folder = self.dir.join(RunLayout::LANDSCAPES);
        let stem = format!("{}-{kind_name}", landscape.settings.snapshot);
        let mut out = folder.join(format!("{stem}.npz"));
        if existing == Existing::WriteBeside {
            let mut number = 1;
            while out.exists() && !same_settings(&out, &landscape.settings) {
                number += 1;
                if number > MAX_NUMBERED {
                    return Err(AnalysisError::io(
                        &folder,
                        format!("holds {MAX_NUMBERED} landscapes named {stem}-N.npz: remove some, or pass --overwrite to replace {stem}.npz"),
                    ));
                }
                out = folder.join(format!("{stem}-{number}.npz"));
            }
        }
        save_landscape(&out, landscape)
            .map_err(|e| AnalysisError::io(&out, format!("cannot write: {e}")))?;
        Ok(out)
    }
}

/// What [`RunFolder::store`] does with a stored landscape of the same name and other settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Keep it and write the new one beside it, numbered.
    WriteBeside,
    /// Replace it (`landscape --overwrite`; a study recomputing its own landscapes).
    Overwrite,
}

/// Most numbered landscapes of one name kept beside each other.
const MAX_NUMBERED: usize = 999;

/// Whether the landscape stored at `path` was asked for with the same settings as `settings`
/// (then recomputing it gives it again, and replacing it loses nothing).
fn same_settings(path: &Path, settings: &LandscapeSettings) -> bool {
    load_landscape(path).is_ok_and(|stored| {
        let s = &stored.settings;
        s.snapshot == settings.snapshot
            && s.directions == settings.directions
            && s.direction_seed == settings.direction_seed
            && s.bias == settings.bias
            && s.spec == settings.spec
            && s.pair == settings.pair
            && s.to == settings.to
    })
}
