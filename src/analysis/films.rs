//! Films of a run folder (SPEC §10), stored in `RUN/films/NAME.npz`: the frames are chosen
//! from the stored trajectory, every frame gets a coarse preview before any is computed at
//! full resolution, and the file is rewritten after each full frame so a stopped film resumes.

use ndarray::{Array1, Array2};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use super::{AnalysisError, LandscapeRequest, RunFolder};
use crate::landscape::{
    compute_surface, even_frames, load_film, pca_directions, project_path, random_directions,
    save_film, BiasDirection, DirectionKind, Directions, Film, FilmColour, FilmPath, FilmSettings,
    HessianPair, SurfaceSpec, PREVIEW_POINTS,
};
use crate::nn::{Autoregressive, Network, Params};
use crate::physics::NewmanMoore;
use crate::run::{kept_steps, RunLayout, TrajectoryFile};

/// Where the frames of a film are centred.
#[derive(Debug, Clone, PartialEq)]
pub enum FrameChoice {
    /// K frames spread evenly over the stored trajectory.
    Even(usize),
    /// The stored trajectory points nearest these steps.
    Steps(Vec<i64>),
    /// K frames planned over the whole run from its configuration, on steps the trajectory
    /// keeps to the end, so frames are added as a live run passes them. The plane is fixed
    /// from the start (filter or gaussian around the initial weights, or the Hessian at a
    /// snapshot already taken).
    Planned(usize),
}

/// What film to compute.
#[derive(Debug, Clone, PartialEq)]
pub struct FilmRequest {
    /// Which frames.
    pub frames: FrameChoice,
    /// pca, filter, gaussian or hessian.
    pub directions: DirectionKind,
    /// Seed of random directions (and of the Hessian's Lanczos start).
    pub direction_seed: u64,
    /// Biases in filter directions.
    pub bias: BiasDirection,
    /// The snapshot whose Hessian gives the directions (hessian only).
    pub hessian_at: String,
    /// Which Hessian eigenvectors.
    pub pair: HessianPair,
    /// Grid and estimator of every frame.
    pub spec: SurfaceSpec,
    /// Shared or per-frame colour range.
    pub colour: FilmColour,
    /// File name under `RUN/films/` without `.npz`.
    pub name: String,
}

/// What happens while a film is computed, for progress bars and live views.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FilmEvent {
    /// Frame `frame`'s preview is done.
    Preview {
        /// The frame.
        frame: usize,
    },
    /// A row of frame `frame` at full resolution is done.
    Row {
        /// The frame.
        frame: usize,
        /// The row (β index).
        row: usize,
    },
    /// Frame `frame` is done at full resolution and the file holds it.
    Frame {
        /// The frame.
        frame: usize,
    },
}

impl RunFolder {
    /// The film's file: `RUN/films/NAME.npz`.
    pub fn film_path(&self, name: &str) -> PathBuf {
        self.dir()
            .join(RunLayout::FILMS)
            .join(format!("{name}.npz"))
    }

    /// The film `request` asks for, before any frame is computed: its settings, the frames'
    /// X, the path and the directions — or the stored film of the same settings, with the
    /// frames it already holds (then computing it again continues where it stopped).
    pub fn prepare_film(&self, request: &FilmRequest) -> Result<Film, AnalysisError> {
        let config = self.config();
        let model = self.model()?;
        request.spec.validate(model.lattice().sites())?;
        super::check_landscape(config, &request.spec)?;
        let trajectory = self.trajectory().clone();
        let points = trajectory.steps.len();
        let planned = matches!(request.frames, FrameChoice::Planned(_));
        let frame_steps: Vec<i64> = match &request.frames {
            FrameChoice::Even(k) => even_frames(points, *k)?
                .into_iter()
                .map(|p| trajectory.steps[p])
                .collect(),
            FrameChoice::Steps(steps) => nearest_points(&trajectory.steps, steps)?
                .into_iter()
                .map(|p| trajectory.steps[p])
                .collect(),
            FrameChoice::Planned(k) => {
                check_fixed_plane(request.directions)?;
                let kept = kept_steps(
                    config.output.trajectory_points,
                    config.anneal.schedule().total_steps(),
                );
                even_frames(kept.len(), *k)?
                    .into_iter()
                    .map(|p| kept[p])
                    .collect()
            }
        };
        // A planned film is drawn around the initial weights, which exist from the start; the
        // others around the run's last point.
        let origin_point = if planned { 0 } else { points - 1 };
        let origin = self.trajectory_network(origin_point)?;
        let schedule = config.anneal.schedule();
        let mut settings = FilmSettings {
            kind: format!("{:?}", config.anneal.kind).to_lowercase(),
            size: config.lattice.size,
            directions: request.directions,
            direction_seed: request.direction_seed,
            bias: request.bias,
            pair: request.pair,
            hessian_at: (request.directions == DirectionKind::Hessian)
                .then(|| request.hessian_at.clone()),
            spec: request.spec,
            frame_phases: frame_steps
                .iter()
                .map(|&step| match usize::try_from(step) {
                    Ok(step) => schedule.at(step).0.to_string(),
                    Err(_) => "init".to_string(),
                })
                .collect(),
            frame_steps,
            colour: request.colour,
            planned,
            cosine: 0.0,
            explained: None,
            axis_labels: None,
        };
        // A stored film of the same request is reused before any direction is computed
        // (Hessian directions take a while).
        let path = self.film_path(&request.name);
        if let Ok(mut stored) = load_film(&path) {
            if stored.settings.same_request(&settings) {
                // The colour range is how frames are drawn, not what they hold.
                stored.settings.colour = request.colour;
                if stored.path_steps == trajectory.steps {
                    return Ok(stored);
                }
                if planned {
                    // The run went on: the frames it had reached stay, the path grows.
                    let path = self.film_path_over(&stored.settings, &stored.directions)?;
                    stored.xs = frame_xs(&trajectory, &stored.settings.frame_steps, &path);
                    stored.set_path(path);
                    return Ok(stored);
                }
            }
        }
        let (directions, axis_labels) = self.film_directions(request, &origin, &model)?;
        settings.cosine = directions.cosine();
        settings.explained = directions.explained;
        settings.axis_labels = axis_labels;
        let mut dirs = Array2::zeros((2, origin.params().len()));
        dirs.row_mut(0).assign(&directions.delta.flat());
        dirs.row_mut(1).assign(&directions.eta.flat());
        let path = self.film_path_over(&settings, &dirs)?;
        let xs = frame_xs(&trajectory, &settings.frame_steps, &path);
        Ok(Film::empty(settings, xs, path))
    }

    /// Compute the frames `film` lacks — first the preview of every frame, then each frame at
    /// full resolution, writing the file after each — calling `on_event` as they finish.
    /// Frames the run has not reached (a planned film of a live run) are left for later.
    /// A stored film of other settings under the same name is replaced. `Ok(false)` if
    /// cancelled (the file then holds every frame finished before).
    pub fn compute_film(
        &self,
        film: &mut Film,
        name: &str,
        cancel: &AtomicBool,
        mut on_event: impl FnMut(&Film, FilmEvent),
    ) -> Result<bool, AnalysisError> {
        let config = self.config();
        let model = self.model()?;
        let directions = self.directions_of(&film.settings, &film.directions)?;
        let out = self.film_path(name);
        if let Some(folder) = out.parent() {
            std::fs::create_dir_all(folder)
                .map_err(|e| AnalysisError::io(folder, format!("cannot create: {e}")))?;
        }
        let preview_spec = SurfaceSpec {
            points: PREVIEW_POINTS,
            ..film.settings.spec
        };
        let mut computed_previews = false;
        // A planned film of a run still going on leaves the frames it has not reached.
        for j in 0..film.frames() {
            if film.has_preview(j) || !film.is_reached(j) {
                continue;
            }
            computed_previews = true;
            let net = self.trajectory_network(film.centre_point(j))?;
            let objective = config.anneal.objective(film.xs[j]);
            let Some(surface) = compute_surface(
                &net,
                &model,
                objective,
                &directions,
                &preview_spec,
                cancel,
                |_, _, _| {},
            ) else {
                return Ok(false);
            };
            film.preview
                .slice_mut(ndarray::s![j, .., ..])
                .assign(&surface.values);
            on_event(film, FilmEvent::Preview { frame: j });
        }
        for j in 0..film.frames() {
            if film.is_done(j) || !film.is_reached(j) {
                continue;
            }
            let net = self.trajectory_network(film.centre_point(j))?;
            let objective = config.anneal.objective(film.xs[j]);
            let mut rows = Vec::new();
            let surface = compute_surface(
                &net,
                &model,
                objective,
                &directions,
                &film.settings.spec,
                cancel,
                |row, _, _| rows.push(row),
            );
            let Some(surface) = surface else {
                return Ok(false);
            };
            for row in rows {
                on_event(film, FilmEvent::Row { frame: j, row });
            }
            film.values
                .slice_mut(ndarray::s![j, .., ..])
                .assign(&surface.values);
            film.stderr
                .slice_mut(ndarray::s![j, .., ..])
                .assign(&surface.stderr);
            save_film(&out, film)
                .map_err(|e| AnalysisError::io(&out, format!("cannot write: {e}")))?;
            on_event(film, FilmEvent::Frame { frame: j });
        }
        // Previews computed for frames already stored are kept too; a film reused whole is not
        // written again.
        if computed_previews {
            save_film(&out, film)
                .map_err(|e| AnalysisError::io(&out, format!("cannot write: {e}")))?;
        }
        Ok(true)
    }

    /// The film's δ and η (rows of `rows`) as directions of this run's network.
    fn directions_of(
        &self,
        settings: &FilmSettings,
        rows: &Array2<f64>,
    ) -> Result<Directions, AnalysisError> {
        let layout = self.trajectory_network(0)?;
        Ok(Directions {
            kind: settings.directions,
            delta: layout.params().with_flat(rows.row(0).to_owned())?,
            eta: layout.params().with_flat(rows.row(1).to_owned())?,
            explained: settings.explained,
        })
    }

    /// The trajectory held now projected on the film's plane around its origin (the initial
    /// weights for a planned film, else the last point), each frame on the point of its step
    /// — or on the newest point while the run has not reached it.
    fn film_path_over(
        &self,
        settings: &FilmSettings,
        rows: &Array2<f64>,
    ) -> Result<FilmPath, AnalysisError> {
        let trajectory = self.trajectory();
        let last = trajectory.steps.len() - 1;
        let origin = if settings.planned { 0 } else { last };
        let directions = self.directions_of(settings, rows)?;
        let (alpha, beta) = project_path(
            trajectory.params.view(),
            trajectory.params.row(origin),
            &directions,
        );
        let frame_points = settings
            .frame_steps
            .iter()
            .map(|step| {
                trajectory
                    .steps
                    .iter()
                    .position(|s| s == step)
                    .unwrap_or(last) as u64
            })
            .collect();
        Ok(FilmPath {
            alpha,
            beta,
            steps: trajectory.steps.clone(),
            values: self.recorded_objective(&trajectory.steps),
            frame_points,
            directions: rows.clone(),
        })
    }

    /// The network at trajectory point `point`.
    pub fn trajectory_network(&self, point: usize) -> Result<Network, AnalysisError> {
        let config = self.config();
        let layout = Params::zeros(config.network.tensor_specs(config.lattice.size));
        let params = layout.with_flat(self.trajectory().params.row(point).to_owned())?;
        Ok(Network::from_params(
            config.network.in_f64(),
            config.lattice.size,
            params,
        )?)
    }

    /// The film's directions around its origin (the last trajectory point, or the initial weights
    /// for a planned film) and their labels.
    fn film_directions(
        &self,
        request: &FilmRequest,
        origin: &Network,
        model: &NewmanMoore,
    ) -> Result<(Directions, Option<[String; 2]>), AnalysisError> {
        match request.directions {
            DirectionKind::Pca => Ok((
                pca_directions(origin.params(), self.trajectory().params.view())?,
                None,
            )),
            DirectionKind::Filter | DirectionKind::Gaussian => Ok((
                random_directions(
                    request.directions,
                    origin.params(),
                    request.direction_seed,
                    request.bias,
                ),
                None,
            )),
            DirectionKind::Hessian => {
                let name = &request.hessian_at;
                let net = self.network(name)?;
                let x = self.snapshot_x(name).ok_or_else(|| {
                    AnalysisError::io(
                        self.dir().join(RunLayout::CHECKPOINTS),
                        format!("cannot tell when snapshot '{name}' was taken"),
                    )
                })?;
                let objective = self.config().anneal.objective(x);
                let landscape_request = LandscapeRequest {
                    directions: DirectionKind::Hessian,
                    direction_seed: request.direction_seed,
                    bias: request.bias,
                    spec: request.spec,
                    pair: request.pair,
                    to: None,
                };
                let chosen =
                    self.choose_directions(name, net, &landscape_request, objective, model)?;
                Ok((chosen.directions, chosen.labels))
            }
            other => Err(AnalysisError::Request(format!(
                "a film needs one plane for the whole run: pca, filter, gaussian or hessian (at a chosen snapshot); {} directions belong to one snapshot",
                other.name()
            ))),
        }
    }

    /// The objective per spin `metrics.csv` recorded after each of `steps` (NaN where there
    /// is no row, e.g. before the first step).
    fn recorded_objective(&self, steps: &Array1<i64>) -> Array1<f64> {
        let rows = crate::run::read_metrics(&self.dir().join(RunLayout::METRICS))
            .map(|m| m.rows)
            .unwrap_or_default();
        crate::anneal::objective_at_steps(&rows, steps.iter().copied()).into()
    }
}

/// X at each frame's point; NaN for a frame the run has not reached.
fn frame_xs(trajectory: &TrajectoryFile, frame_steps: &[i64], path: &FilmPath) -> Array1<f64> {
    frame_steps
        .iter()
        .zip(&path.frame_points)
        .map(|(&step, &p)| {
            let p = p as usize;
            if trajectory.steps[p] == step {
                trajectory.x[p]
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// A film planned before the run ends needs its plane before the path exists.
fn check_fixed_plane(kind: DirectionKind) -> Result<(), AnalysisError> {
    match kind {
        DirectionKind::Filter | DirectionKind::Gaussian | DirectionKind::Hessian => Ok(()),
        other => Err(AnalysisError::Request(format!(
            "a planned film fixes its plane before the run ends: use filter, gaussian or hessian (at a snapshot already taken); {} directions need the whole trajectory or one snapshot — film the finished run with --frames instead",
            other.name()
        ))),
    }
}

/// The trajectory point nearest each asked step, in step order; an error naming the step if
/// two asked steps fall on one point.
fn nearest_points(stored: &Array1<i64>, asked: &[i64]) -> Result<Vec<usize>, AnalysisError> {
    if asked.len() < 2 {
        return Err(AnalysisError::Request(format!(
            "a film needs at least 2 steps (got {})",
            asked.len()
        )));
    }
    let mut points: Vec<usize> = asked
        .iter()
        .map(|&step| {
            (0..stored.len())
                .min_by_key(|&i| (stored[i] - step).unsigned_abs())
                .expect("a trajectory has points")
        })
        .collect();
    points.sort_unstable();
    if let Some(w) = points.windows(2).find(|w| w[0] == w[1]) {
        return Err(AnalysisError::Request(format!(
            "two of the asked steps fall on the stored point at step {}: the trajectory keeps {} points; ask for steps further apart",
            stored[w[0]],
            stored.len()
        )));
    }
    Ok(points)
}
