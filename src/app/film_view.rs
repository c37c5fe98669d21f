//! The landscape view's film mode: the film's settings, the frames computed so far, the frame
//! on show and the playback clock; and the 3D view's camera. No egui here.

use ndarray::{s, Array1};
use std::sync::Arc;

use super::landscape_view::Grid;
use crate::analysis::{FilmRequest, FrameChoice};
use crate::figures::{Camera, HeightScale};
use crate::landscape::{
    BiasDirection, DirectionKind, Film, FilmColour, HessianPair, SurfaceEstimator, SurfaceSpec,
    PREVIEW_POINTS,
};

/// Film settings, the film, playback and the 3D camera.
#[derive(Debug, Clone)]
pub struct FilmView {
    /// The landscape view shows the film instead of a still.
    pub active: bool,
    /// Frames to compute.
    pub frames: usize,
    /// Plan the frames over the whole run, so they are added as a live run reaches them.
    pub planned: bool,
    /// Show each frame as it arrives (a planned film of a live run, until the user scrubs or
    /// plays).
    pub follow_newest: bool,
    /// Points per axis of each frame.
    pub points: usize,
    /// α, β over [−range, range].
    pub range: f64,
    /// Samples per point.
    pub samples: usize,
    /// The fixed plane: pca, filter or gaussian.
    pub directions: DirectionKind,
    /// Estimator.
    pub estimator: SurfaceEstimator,
    /// The film as far as it is computed.
    pub film: Option<Arc<Film>>,
    /// The frame on show.
    pub frame: usize,
    /// Playing.
    pub playing: bool,
    /// Frames per second while playing.
    pub fps: f64,
    /// Seconds since the frame on show appeared (playback).
    pub clock: f64,
    /// A job is computing the film.
    pub computing: bool,
    /// The last failure.
    pub error: Option<String>,
    /// Show the landscape (still or frame) as a 3D surface.
    pub three_d: bool,
    /// The 3D camera.
    pub camera: Camera,
    /// 3D heights log10(value − min).
    pub log_height: bool,
    /// Bumped whenever the frame on show or its data changes.
    pub revision: u64,
    /// A stored film to show once the run being opened is open, and the step to show.
    pub pending: Option<(String, Option<i64>)>,
}

impl Default for FilmView {
    fn default() -> Self {
        Self {
            active: false,
            frames: 30,
            planned: false,
            follow_newest: false,
            points: 31,
            range: 1.0,
            samples: 100,
            directions: DirectionKind::Pca,
            estimator: SurfaceEstimator::Crn,
            film: None,
            frame: 0,
            playing: false,
            fps: 4.0,
            clock: 0.0,
            computing: false,
            error: None,
            three_d: false,
            camera: Camera::default(),
            log_height: false,
            revision: 0,
            pending: None,
        }
    }
}

impl FilmView {
    /// What to compute (stored as `RUN/films/app-DIRS.npz`).
    pub fn request(&self) -> FilmRequest {
        FilmRequest {
            frames: if self.planned {
                FrameChoice::Planned(self.frames)
            } else {
                FrameChoice::Even(self.frames)
            },
            directions: self.directions,
            direction_seed: 0,
            bias: BiasDirection::Zero,
            hessian_at: "mid3".into(),
            pair: HessianPair::Top,
            spec: SurfaceSpec {
                range: self.range,
                points: self.points,
                samples: self.samples,
                estimator: self.estimator,
                seed: 0,
                one_dimensional: false,
            },
            colour: FilmColour::Shared,
            name: if self.planned {
                format!("app-live-{}", self.directions.name())
            } else {
                format!("app-{}", self.directions.name())
            },
        }
    }

    /// Forget the film (another run).
    pub fn clear(&mut self) {
        self.film = None;
        self.frame = 0;
        self.playing = false;
        self.computing = false;
        self.error = None;
        self.revision += 1;
    }

    /// A newer state of the film arrived from its job.
    pub fn update(&mut self, film: Film) {
        self.frame = self.frame.min(film.frames().saturating_sub(1));
        if self.follow_newest && !self.playing {
            let newest = (0..film.frames())
                .rev()
                .find(|&j| film.is_done(j) || film.has_preview(j));
            self.frame = newest.unwrap_or(self.frame);
        }
        self.film = Some(Arc::new(film));
        self.revision += 1;
    }

    /// Take the settings of a stored film into the form, so Compute film asks for it again.
    pub fn adopt_settings(&mut self) {
        if let Some(film) = &self.film {
            let s = &film.settings;
            self.frames = s.frame_steps.len();
            self.planned = s.planned;
            self.points = s.spec.points;
            self.range = s.spec.range;
            self.samples = s.spec.samples;
            self.directions = s.directions;
            self.estimator = s.spec.estimator;
        }
    }

    /// Show frame `j` (clamped to the film).
    pub fn show(&mut self, j: usize) {
        let last = self
            .film
            .as_ref()
            .map_or(0, |f| f.frames().saturating_sub(1));
        self.frame = j.min(last);
        self.clock = 0.0;
        self.revision += 1;
    }

    /// Show the frame nearest `step`.
    pub fn jump_to_step(&mut self, step: i64) {
        self.follow_newest = false;
        if let Some(film) = &self.film {
            let nearest = (0..film.frames())
                .min_by_key(|&j| (film.settings.frame_steps[j] - step).unsigned_abs())
                .unwrap_or(0);
            self.show(nearest);
        }
    }

    /// Let `dt` seconds pass: while playing, step through the frames at `fps`, looping.
    pub fn advance(&mut self, dt: f64) {
        let Some(film) = &self.film else {
            return;
        };
        if !self.playing || film.frames() == 0 || self.fps.is_nan() || self.fps <= 0.0 {
            return;
        }
        self.clock += dt;
        let period = 1.0 / self.fps;
        if self.clock >= period {
            let skip = (self.clock / period).floor() as usize;
            let next = (self.frame + skip) % film.frames();
            self.show(next);
        }
    }

    /// The step of the frame on show.
    pub fn frame_step(&self) -> Option<i64> {
        let film = self.film.as_ref()?;
        film.settings.frame_steps.get(self.frame).copied()
    }

    /// The frame on show as a grid: at full resolution when computed, else its preview, else
    /// nothing yet.
    pub fn frame_grid(&self) -> Option<Grid> {
        let film = self.film.as_ref()?;
        let j = self.frame;
        if j >= film.frames() {
            return None;
        }
        if film.is_done(j) {
            let values = film.values.slice(s![j, .., ..]).to_owned();
            let stderr = film.stderr.slice(s![j, .., ..]).to_owned();
            return Some(Grid {
                rows_done: values.nrows(),
                alpha: film.alpha.clone(),
                beta: film.beta.clone(),
                values,
                stderr,
            });
        }
        if film.has_preview(j) {
            let axis = Array1::linspace(
                -film.settings.spec.range,
                film.settings.spec.range,
                PREVIEW_POINTS,
            );
            let values = film.preview.slice(s![j, .., ..]).to_owned();
            return Some(Grid {
                rows_done: PREVIEW_POINTS,
                stderr: values.mapv(|_| f64::NAN),
                alpha: axis.clone(),
                beta: axis,
                values,
            });
        }
        None
    }

    /// Whether the frame on show is only its coarse preview.
    pub fn showing_preview(&self) -> bool {
        self.film
            .as_ref()
            .is_some_and(|f| self.frame < f.frames() && !f.is_done(self.frame))
    }

    /// 3D heights.
    pub fn height(&self) -> HeightScale {
        if self.log_height {
            HeightScale::Log
        } else {
            HeightScale::Linear
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landscape::{FilmPath, FilmSettings};
    use ndarray::Array2;

    fn film(steps: Vec<i64>) -> Film {
        let k = steps.len();
        let settings = FilmSettings {
            kind: "quantum".into(),
            size: 3,
            directions: DirectionKind::Pca,
            direction_seed: 0,
            bias: BiasDirection::Zero,
            pair: HessianPair::Top,
            hessian_at: None,
            spec: SurfaceSpec {
                points: 3,
                ..SurfaceSpec::default()
            },
            frame_steps: steps.clone(),
            frame_phases: vec!["anneal".into(); k],
            colour: FilmColour::Shared,
            planned: false,
            cosine: 0.0,
            explained: None,
            axis_labels: None,
        };
        let path = FilmPath {
            alpha: Array1::zeros(k),
            beta: Array1::zeros(k),
            steps: Array1::from(steps),
            values: Array1::zeros(k),
            frame_points: (0..k as u64).collect(),
            directions: Array2::zeros((2, 1)),
        };
        Film::empty(settings, Array1::zeros(k), path)
    }

    #[test]
    fn playback_loops_at_the_frame_rate_and_jumps_to_the_nearest_step() {
        let mut view = FilmView {
            fps: 4.0,
            ..FilmView::default()
        };
        view.update(film(vec![0, 100, 200, 300]));
        view.advance(1.0);
        assert_eq!(view.frame, 0, "paused: the clock does not move the film");
        view.playing = true;
        view.advance(0.2);
        assert_eq!(view.frame, 0);
        view.advance(0.1);
        assert_eq!(view.frame, 1, "a quarter second a frame");
        view.advance(0.75);
        assert_eq!(view.frame, 0, "three frames later it has looped");
        view.jump_to_step(260);
        assert_eq!((view.frame, view.frame_step()), (3, Some(300)));
        assert!(view.frame_grid().is_none(), "nothing computed yet");
        assert!(view.showing_preview());
    }
}
