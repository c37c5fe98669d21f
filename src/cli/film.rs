//! `annealscape film`: the landscape along the whole anneal in one fixed plane (SPEC §10),
//! stored in `RUN/films/NAME.npz`, with its exports (GIF, MP4, PNG frames, VTK).

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

use super::landscape::{EstimatorArg, PairArg};
use super::CliError;
use crate::analysis::{FilmEvent, FilmRequest, FrameChoice, RunFolder};
use crate::figures::{frame_images, write_gif, write_mp4, write_pngs, ColorScale};
use crate::landscape::{
    write_film_vtk, BiasDirection, DirectionKind, Film, FilmColour, HessianPair, SurfaceEstimator,
    SurfaceSpec, PREVIEW_POINTS,
};

/// The planes a film can be drawn in: one for the whole run.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FilmDirectionArg {
    /// The two leading principal components of the whole trajectory (shows the path).
    Pca,
    /// Filter-normalised random directions, drawn once around the last point (the initial
    /// weights for --planned).
    Filter,
    /// Unnormalised Gaussian directions, drawn once.
    Gaussian,
    /// The Hessian's eigenvectors at --hessian-at.
    Hessian,
}

/// Shared or per-frame colour range.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColourArg {
    /// One range for the whole film, so colours compare across frames.
    Shared,
    /// Each frame its own range (written on the frame).
    PerFrame,
}

/// Arguments of `annealscape film`.
#[derive(Debug, Args)]
pub struct FilmArgs {
    /// The run folder.
    #[arg(long)]
    pub run: PathBuf,
    /// Frames spread evenly over the stored trajectory.
    #[arg(long, default_value_t = 60, conflicts_with = "steps")]
    pub frames: usize,
    /// Hand-picked steps instead (comma-separated; each goes to the nearest stored point).
    #[arg(long, value_delimiter = ',')]
    pub steps: Option<Vec<i64>>,
    /// Plan the --frames frames over the whole run from its configuration, around the initial
    /// weights, so the film can be computed while the run goes on: each call adds the frames
    /// the run has reached (trajectory.npz is updated at every snapshot). Needs a plane fixed
    /// from the start: filter, gaussian or hessian.
    #[arg(long, conflicts_with = "steps")]
    pub planned: bool,
    /// The plane, fixed for the whole film.
    #[arg(long, value_enum, default_value = "pca")]
    pub directions: FilmDirectionArg,
    /// Hessian directions: the snapshot they are taken at.
    #[arg(long, default_value = "mid3")]
    pub hessian_at: String,
    /// Hessian directions: the top two eigenvectors, or the top and the bottom.
    #[arg(long, value_enum, default_value = "top")]
    pub pair: PairArg,
    /// Filter directions: biases get the bias itself instead of zero.
    #[arg(long)]
    pub bias_copy: bool,
    /// α and β run over [−range, range].
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub range: f64,
    /// Points per axis of every frame.
    #[arg(long, default_value_t = 51)]
    pub points: usize,
    /// Samples per point.
    #[arg(long, default_value_t = 100)]
    pub samples: usize,
    /// How values are estimated (crn by default: the same random numbers at every point and
    /// frame, so a frame changes only where the landscape does).
    #[arg(long, value_enum, default_value = "crn")]
    pub estimator: EstimatorArg,
    /// Seed of the directions and the samples.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// One colour range for the film, or one per frame.
    #[arg(long, value_enum, default_value = "shared")]
    pub colour: ColourArg,
    /// The film's name under RUN/films/ (default: the directions' name).
    #[arg(long)]
    pub name: Option<String>,
    /// Write the film as an animated GIF here.
    #[arg(long)]
    pub gif: Option<PathBuf>,
    /// Write the film as MP4 (H.264) here; needs ffmpeg on the PATH.
    #[arg(long)]
    pub mp4: Option<PathBuf>,
    /// Write every frame as DIR/frame-NNN.png.
    #[arg(long)]
    pub png_dir: Option<PathBuf>,
    /// Write every frame as DIR/frame-NNN.vts and DIR/film.pvd (ParaView, the step as time).
    #[arg(long)]
    pub vtk_dir: Option<PathBuf>,
    /// Milliseconds per frame in the GIF and MP4.
    #[arg(long, default_value_t = 150)]
    pub delay_ms: u32,
    /// Pixel scale of the exported frames (1 = 600 × 560).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
}

impl FilmArgs {
    fn request(&self) -> FilmRequest {
        let directions = match self.directions {
            FilmDirectionArg::Pca => DirectionKind::Pca,
            FilmDirectionArg::Filter => DirectionKind::Filter,
            FilmDirectionArg::Gaussian => DirectionKind::Gaussian,
            FilmDirectionArg::Hessian => DirectionKind::Hessian,
        };
        FilmRequest {
            frames: match &self.steps {
                Some(steps) => FrameChoice::Steps(steps.clone()),
                None if self.planned => FrameChoice::Planned(self.frames),
                None => FrameChoice::Even(self.frames),
            },
            directions,
            direction_seed: self.seed,
            bias: if self.bias_copy {
                BiasDirection::Copy
            } else {
                BiasDirection::Zero
            },
            hessian_at: self.hessian_at.clone(),
            pair: match self.pair {
                PairArg::Top => HessianPair::Top,
                PairArg::TopBottom => HessianPair::TopBottom,
            },
            spec: SurfaceSpec {
                range: self.range,
                points: self.points,
                samples: self.samples,
                estimator: match self.estimator {
                    EstimatorArg::Fresh => SurfaceEstimator::Fresh,
                    EstimatorArg::Crn => SurfaceEstimator::Crn,
                    EstimatorArg::Exact => SurfaceEstimator::Exact,
                },
                seed: self.seed,
                one_dimensional: false,
            },
            colour: match self.colour {
                ColourArg::Shared => FilmColour::Shared,
                ColourArg::PerFrame => FilmColour::PerFrame,
            },
            name: self
                .name
                .clone()
                .unwrap_or_else(|| directions.name().to_string()),
        }
    }
}

/// Run `annealscape film`.
pub fn film(args: FilmArgs, out: &mut dyn Write) -> Result<(), CliError> {
    if !(1..=60_000).contains(&args.delay_ms) {
        return Err(CliError::Usage(format!(
            "--delay-ms {}: give 1 to 60000 milliseconds per frame",
            args.delay_ms
        )));
    }
    let folder = RunFolder::open(&args.run)?;
    let request = args.request();
    if let Some(name) = &args.name {
        if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
            return Err(CliError::Usage(format!(
                "--name {name:?}: give a plain file name (no slashes, not starting with a dot)"
            )));
        }
    }
    let mut film = folder.prepare_film(&request)?;
    let k = film.frames();
    let reached = film.frames_reached();
    let todo_frames = (0..k)
        .filter(|&j| film.is_reached(j) && !film.is_done(j))
        .count();
    let todo_previews = (0..k)
        .filter(|&j| film.is_reached(j) && !film.has_preview(j))
        .count();
    let path = folder.film_path(&request.name);
    if reached < k {
        eprintln!(
            "the run has reached {reached} of the {k} planned frames (its trajectory ends at step {}); run this again as it goes on",
            film.path_steps.last().copied().unwrap_or(-1)
        );
    }
    if todo_frames == 0 {
        eprintln!(
            "{}: all {reached} frames reached are stored with these settings; reusing them",
            path.display()
        );
    } else {
        eprintln!(
            "film of {k} frames ({} to compute), {}² points each, {} directions, into {}",
            todo_frames,
            args.points,
            request.directions.name(),
            path.display()
        );
    }
    let preview_points = (PREVIEW_POINTS * PREVIEW_POINTS) as f64;
    let full_points = (args.points * args.points) as f64;
    let total = todo_previews as f64 * preview_points + todo_frames as f64 * full_points;
    let bar = (std::io::stderr().is_terminal() && todo_frames > 0).then(|| {
        let bar = ProgressBar::new(total as u64);
        bar.set_style(
            ProgressStyle::with_template("{msg} {bar:30} {percent}% of the points, ETA {eta}")
                .expect("valid template"),
        );
        bar
    });
    // Ctrl-C, SIGTERM and SIGHUP stop at the next row; finished frames stay in the file.
    let cancel = super::signals::stop_flag();
    let started = Instant::now();
    let mut estimate: Option<f64> = None;
    let mut refined = false;
    let mut done_points = 0.0;
    let finished = folder.compute_film(&mut film, &request.name, &cancel, |_, event| {
        match event {
            FilmEvent::Preview { .. } => done_points += preview_points,
            FilmEvent::Row { .. } => done_points += args.points as f64,
            FilmEvent::Frame { .. } => {}
        }
        if estimate.is_none() && done_points >= 0.02 * total {
            // The first 2 % of the points (previews) time this machine, past the pool's
            // start-up: the rest scales with the points.
            let seconds = started.elapsed().as_secs_f64() * total / done_points;
            estimate = Some(seconds);
            let line = format!("estimated {}", super::study_runner::duration(seconds));
            match &bar {
                Some(bar) => bar.println(line),
                None => eprintln!("{line}"),
            }
        }
        if let (FilmEvent::Frame { .. }, false) = (event, refined) {
            // Full frames run more points a row than the previews, so more efficiently: the
            // first of them gives the better estimate.
            refined = true;
            let left = started.elapsed().as_secs_f64() * (total / done_points - 1.0);
            let line = format!(
                "after the first full frame: {} to go",
                super::study_runner::duration(left)
            );
            match &bar {
                Some(bar) => bar.println(line),
                None => eprintln!("{line}"),
            }
        }
        if let Some(bar) = &bar {
            bar.set_message(match event {
                FilmEvent::Preview { frame } => format!("preview {}/{k}", frame + 1),
                FilmEvent::Row { frame, .. } | FilmEvent::Frame { frame } => {
                    format!("frame {}/{k}", frame + 1)
                }
            });
            bar.set_position(done_points as u64);
        }
    })?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    if !finished {
        eprintln!(
            "stopped{}: {} of {k} frames are stored in {}; run the same command again to compute the rest",
            super::signals::received()
                .map(|s| format!(" by {}", super::signals::name(s)))
                .unwrap_or_default(),
            film.frames_done(),
            path.display()
        );
        return Err(CliError::Interrupted);
    }
    let taken = started.elapsed().as_secs_f64();
    if todo_frames > 0 {
        eprintln!(
            "computed in {} (estimated {}), {:.0} points/s",
            super::study_runner::duration(taken),
            estimate
                .map(super::study_runner::duration)
                .unwrap_or_else(|| "—".into()),
            total / taken.max(1e-9)
        );
    }
    writeln!(out, "frame\tstep\tphase\tx\tcentre\troughness")?;
    for j in 0..k {
        let centre = film.values[[j, args.points / 2, args.points / 2]];
        let roughness = film
            .frame_landscape(j)
            .map_or(f64::NAN, |l| l.settings.roughness);
        writeln!(
            out,
            "{}\t{}\t{}\t{:.4}\t{centre:.6}\t{roughness:.3e}",
            j + 1,
            film.settings.frame_steps[j],
            film.settings
                .frame_phases
                .get(j)
                .map(String::as_str)
                .unwrap_or(""),
            film.xs[j]
        )?;
    }
    let reach = (0..k)
        .flat_map(|j| film.path_to(j))
        .map(|(a, b, _, _)| a.abs().max(b.abs()))
        .fold(0.0, f64::max);
    if reach > args.range {
        eprintln!(
            "note: the path reaches {reach:.2} from a frame's centre, beyond --range {}: --range {:.1} shows all of it",
            args.range,
            (1.05 * reach * 10.0).ceil() / 10.0
        );
    }
    export(&film, &args)?;
    eprintln!("film: {}", path.display());
    Ok(())
}

/// The exports the arguments ask for.
fn export(film: &Film, args: &FilmArgs) -> Result<(), CliError> {
    if let Some(dir) = &args.vtk_dir {
        let files = write_film_vtk(film, &dir.join("film.pvd"))
            .map_err(|e| CliError::Runtime(anyhow::anyhow!("{}: {e}", dir.display())))?;
        eprintln!(
            "VTK: {} frames and {}",
            files,
            dir.join("film.pvd").display()
        );
    }
    if args.gif.is_none() && args.mp4.is_none() && args.png_dir.is_none() {
        return Ok(());
    }
    let images = frame_images(film, &ColorScale::default(), args.scale)?;
    if let Some(dir) = &args.png_dir {
        let names = write_pngs(dir, &images)?;
        eprintln!("PNG: {} frames in {}", names.len(), dir.display());
    }
    if let Some(gif) = &args.gif {
        write_gif(gif, &images, args.delay_ms)?;
        eprintln!("GIF: {}", gif.display());
    }
    if let Some(mp4) = &args.mp4 {
        write_mp4(mp4, &images, 1000.0 / args.delay_ms as f64)?;
        eprintln!("MP4: {}", mp4.display());
    }
    Ok(())
}
