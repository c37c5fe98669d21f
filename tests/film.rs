//! Films of the landscape along the anneal (SPEC §10): frames against `landscape` at the same
//! point, resume and reuse, the path on each frame, the GIF and the VTK files read back.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};

use annealscape::analysis::{
    Existing, FilmEvent, FilmRequest, FrameChoice, LandscapeRequest, RunFolder,
};
use annealscape::landscape::{
    compute_surface, load_film, BiasDirection, DirectionKind, Directions, FilmColour, HessianPair,
    SurfaceEstimator, SurfaceSpec,
};
use annealscape::nn::Autoregressive;
use annealscape::physics::{Lattice, NewmanMoore};
use annealscape::run::{run_blocking, RunConfig};

fn short_run(name: &str, overrides: &[&str]) -> std::path::PathBuf {
    let dir = common::temp_dir(name);
    let mut all: Vec<String> = [
        "anneal.estimator=standard",
        "network.hidden=6",
        "anneal.warmup_steps=5",
        "anneal.anneal_steps=20",
        "anneal.train_steps=2",
        "anneal.samples=30",
        "anneal.minibatches=1",
        "anneal.final_samples=200",
        "diagnostics.exact_every=0",
        "diagnostics.curvature_every=0",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    all.extend(overrides.iter().map(|s| s.to_string()));
    let config = RunConfig::preset("paper-quantum-L3")
        .unwrap()
        .with_overrides(&all)
        .unwrap();
    run_blocking(&config, &dir, &mut annealscape::anneal::Silent).unwrap();
    dir
}

fn request(estimator: SurfaceEstimator, frames: usize, name: &str) -> FilmRequest {
    FilmRequest {
        frames: FrameChoice::Even(frames),
        directions: DirectionKind::Pca,
        direction_seed: 3,
        bias: BiasDirection::Zero,
        hessian_at: "mid3".into(),
        pair: HessianPair::Top,
        spec: SurfaceSpec {
            range: 0.6,
            points: 7,
            samples: 25,
            estimator,
            seed: 5,
            one_dimensional: false,
        },
        colour: FilmColour::Shared,
        name: name.into(),
    }
}

#[test]
fn each_frame_is_the_surface_at_its_trajectory_point_to_the_last_bit() {
    let dir = short_run("film-frames", &[]);
    let folder = RunFolder::open(&dir).unwrap();
    let model = NewmanMoore::new(Lattice::new(3).unwrap(), 1.0).unwrap();
    for estimator in [SurfaceEstimator::Crn, SurfaceEstimator::Exact] {
        let request = request(estimator, 5, &format!("{estimator:?}"));
        let mut film = folder.prepare_film(&request).unwrap();
        assert!(folder
            .compute_film(&mut film, &request.name, &AtomicBool::new(false), |_, _| {})
            .unwrap());
        assert_eq!(film.frames_done(), 5);
        // Frames in step order, spread from the first stored point to the last.
        let trajectory = folder.trajectory();
        let steps = &film.settings.frame_steps;
        assert!(steps.windows(2).all(|w| w[0] < w[1]), "{steps:?}");
        assert_eq!(steps[0], trajectory.steps[0]);
        assert_eq!(*steps.last().unwrap(), *trajectory.steps.last().unwrap());
        let layout = folder.trajectory_network(0).unwrap();
        let directions = Directions {
            kind: DirectionKind::Pca,
            delta: layout
                .params()
                .with_flat(film.directions.row(0).to_owned())
                .unwrap(),
            eta: layout
                .params()
                .with_flat(film.directions.row(1).to_owned())
                .unwrap(),
            explained: None,
        };
        for (j, &step) in steps.iter().enumerate() {
            let point = film.centre_point(j);
            assert_eq!(trajectory.steps[point], step);
            let net = folder.trajectory_network(point).unwrap();
            let objective = folder.config().anneal.objective(trajectory.x[point]);
            let surface = compute_surface(
                &net,
                &model,
                objective,
                &directions,
                &request.spec,
                &AtomicBool::new(false),
                |_, _, _| {},
            )
            .unwrap();
            let frame = film.values.index_axis(ndarray::Axis(0), j);
            assert!(
                frame.iter().zip(surface.values.iter()).all(|(a, b)| a == b),
                "{estimator:?} frame {j} differs from the surface at step {step}"
            );
            // The path drawn on frame j runs from the first point to the frame's own.
            let path = film.path_to(j);
            assert_eq!(path.len(), point + 1);
            let (a, b, path_step, _) = *path.last().unwrap();
            assert_eq!((a, b, path_step), (0.0, 0.0, step));
        }
        // The path carries the objective the run recorded at each of its steps.
        let rows = annealscape::run::read_run_metrics(&dir).unwrap().rows;
        let recorded: std::collections::HashMap<i64, f64> = rows
            .iter()
            .map(|r| (r.step as i64, r.objective_mean))
            .collect();
        for (i, &step) in film.path_steps.iter().enumerate() {
            match recorded.get(&step) {
                Some(&v) => assert_eq!(film.path_values[i], v, "step {step}"),
                None => assert!(film.path_values[i].is_nan(), "step {step} has no row"),
            }
        }
        assert!(
            film.path_values[0].is_nan(),
            "the initial weights have no row"
        );
        // The last frame is the pca landscape `landscape` computes around the completion
        // checkpoint at B = 0 (weights read from another file).
        let landscape_request = LandscapeRequest {
            directions: DirectionKind::Pca,
            direction_seed: 3,
            bias: BiasDirection::Zero,
            spec: request.spec,
            pair: HessianPair::Top,
            to: None,
        };
        let (landscape, _) = folder
            .landscape(
                "completion",
                &landscape_request,
                &AtomicBool::new(false),
                Existing::Overwrite,
                |_, _, _| {},
            )
            .unwrap()
            .unwrap();
        assert_eq!(landscape.settings.x, film.xs[4]);
        assert_eq!(
            landscape.surface.values,
            film.values.index_axis(ndarray::Axis(0), 4)
        );
    }
}

#[test]
fn a_stopped_film_resumes_to_the_same_frames_and_a_finished_one_is_reused() {
    let dir = short_run("film-resume", &[]);
    let folder = RunFolder::open(&dir).unwrap();
    let whole_request = request(SurfaceEstimator::Crn, 4, "whole");
    let mut whole = folder.prepare_film(&whole_request).unwrap();
    folder
        .compute_film(&mut whole, "whole", &AtomicBool::new(false), |_, _| {})
        .unwrap();

    let request = request(SurfaceEstimator::Crn, 4, "stopped");
    let mut film = folder.prepare_film(&request).unwrap();
    let cancel = AtomicBool::new(false);
    let mut previews = 0;
    let finished = folder
        .compute_film(&mut film, "stopped", &cancel, |_, event| match event {
            FilmEvent::Preview { .. } => previews += 1,
            FilmEvent::Frame { frame: 1 } => cancel.store(true, Ordering::Relaxed),
            _ => {}
        })
        .unwrap();
    assert!(!finished);
    assert_eq!(
        previews, 4,
        "every frame's preview comes before any full frame"
    );
    let stored = load_film(&folder.film_path("stopped")).unwrap();
    assert_eq!(stored.frames_done(), 2);
    assert!(stored.is_done(0) && stored.is_done(1) && !stored.is_done(2));

    let mut again = folder.prepare_film(&request).unwrap();
    assert_eq!(again.frames_done(), 2, "the stored frames are picked up");
    let mut computed = Vec::new();
    folder
        .compute_film(&mut again, "stopped", &AtomicBool::new(false), |_, e| {
            if let FilmEvent::Frame { frame } = e {
                computed.push(frame)
            }
        })
        .unwrap();
    assert_eq!(computed, vec![2, 3]);
    assert_eq!(again.values, whole.values);

    let mut reused = folder.prepare_film(&request).unwrap();
    let mut events = 0;
    folder
        .compute_film(&mut reused, "stopped", &AtomicBool::new(false), |_, _| {
            events += 1
        })
        .unwrap();
    assert_eq!(events, 0, "a finished film is not computed again");

    // Other settings under the same name start afresh.
    let mut other = request.clone();
    other.spec.range = 0.3;
    assert_eq!(folder.prepare_film(&other).unwrap().frames_done(), 0);
}

#[test]
fn more_frames_than_stored_points_is_refused_naming_the_fix() {
    let dir = short_run("film-refuse", &["output.trajectory_points=8"]);
    let folder = RunFolder::open(&dir).unwrap();
    let points = folder.trajectory().steps.len();
    let e = folder
        .prepare_film(&request(SurfaceEstimator::Crn, points + 1, "x"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&format!("keeps {points} points")) && e.contains("trajectory_points"),
        "{e}"
    );
    let mut update = request(SurfaceEstimator::Crn, 3, "x");
    update.directions = DirectionKind::Update;
    let e = folder.prepare_film(&update).unwrap_err().to_string();
    assert!(e.contains("one plane for the whole run"), "{e}");
}

/// The numbers of the `<DataArray Name="NAME">` element of a VTK XML file.
fn vtk_array(text: &str, name: &str) -> Vec<f64> {
    let open = format!("Name=\"{name}\"");
    let start = text.find(&open).unwrap_or_else(|| panic!("{name} in file"));
    let body_start = start + text[start..].find('>').unwrap() + 1;
    let body_end = body_start + text[body_start..].find("</DataArray>").unwrap();
    text[body_start..body_end]
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect()
}

#[test]
fn the_command_writes_a_gif_of_k_frames_and_vtk_that_reads_back() {
    use image::AnimationDecoder;
    let dir = short_run("film-cli", &[]);
    let out = common::temp_dir("film-cli-out");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_annealscape"))
        .args(["film", "--frames", "3", "--points", "5", "--samples", "20"])
        .args(["--delay-ms", "120", "--scale", "0.5", "--run"])
        .arg(&dir)
        .arg("--gif")
        .arg(out.join("film.gif"))
        .arg("--vtk-dir")
        .arg(out.join("vtk"))
        .arg("--png-dir")
        .arg(out.join("png"))
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let film = load_film(&dir.join("films/pca.npz")).unwrap();

    let file = std::io::BufReader::new(std::fs::File::open(out.join("film.gif")).unwrap());
    let frames = image::codecs::gif::GifDecoder::new(file)
        .unwrap()
        .into_frames()
        .collect_frames()
        .unwrap();
    assert_eq!(frames.len(), 3);
    let png = image::open(out.join("png/frame-001.png")).unwrap();
    for frame in &frames {
        assert_eq!(frame.buffer().dimensions(), (png.width(), png.height()));
        assert_eq!(frame.delay().numer_denom_ms(), (120, 1));
    }
    assert_eq!(
        (png.width(), png.height()),
        (300, 280),
        "600 × 560 at scale 0.5"
    );

    // A frame as a 3D figure, PNG and SVG; a frame the film does not have is refused.
    let figure = |frame: &str, file: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_annealscape"))
            .args([
                "figure",
                "--kind",
                "landscape3d",
                "--film",
                "pca",
                "--scale",
                "0.5",
            ])
            .args(["--frame", frame, "--run"])
            .arg(&dir)
            .arg("--out")
            .arg(out.join(file))
            .output()
            .unwrap()
    };
    assert!(figure("2", "f2.png").status.success());
    let png3d = image::open(out.join("f2.png")).unwrap();
    assert_eq!(
        (png3d.width(), png3d.height()),
        (380, 320),
        "760 × 640 at 0.5"
    );
    assert!(figure("2", "f2.svg").status.success());
    let svg = std::fs::read_to_string(out.join("f2.svg")).unwrap();
    assert!(
        svg.contains("<image") && svg.contains("frame 2/3"),
        "{}",
        &svg[..200]
    );
    let refused = figure("4", "f4.png");
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("frames 1 to 3"), "{message}");

    let pvd = std::fs::read_to_string(out.join("vtk/film.pvd")).unwrap();
    let times: Vec<f64> = pvd
        .split("timestep=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect();
    let steps: Vec<f64> = film
        .settings
        .frame_steps
        .iter()
        .map(|&s| s as f64)
        .collect();
    assert_eq!(times, steps);
    for j in 0..3 {
        let text =
            std::fs::read_to_string(out.join(format!("vtk/frame-{:03}.vts", j + 1))).unwrap();
        assert!(text.contains("WholeExtent=\"0 4 0 4 0 0\""));
        let values = vtk_array(&text, "objective");
        let stored: Vec<f64> = film
            .values
            .index_axis(ndarray::Axis(0), j)
            .iter()
            .copied()
            .collect();
        assert_eq!(values, stored, "frame {j} reads back exactly");
        // The points are (α, β, value), α fastest.
        let points = vtk_array(
            &text.replace("NumberOfComponents", "Name=\"points\" N"),
            "points",
        );
        assert_eq!(points.len(), 3 * 25);
        assert_eq!(points[0], -1.0);
        assert_eq!(points[3], film.alpha[1]);
        assert_eq!(points[3 * 5 + 1], film.beta[1]);
        assert_eq!(points[2], stored[0]);
    }
}

/// `film --mp4` on a fresh short run, with `path` as the PATH ffmpeg is looked up in.
fn film_mp4(
    name: &str,
    path: Option<&std::path::Path>,
) -> (std::path::PathBuf, std::path::PathBuf, std::process::Output) {
    let dir = short_run(name, &[]);
    let mp4 = common::temp_dir(&format!("{name}-out")).join("film.mp4");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_annealscape"));
    command
        .args([
            "film",
            "--frames",
            "2",
            "--points",
            "3",
            "--samples",
            "10",
            "--run",
        ])
        .arg(&dir)
        .arg("--mp4")
        .arg(&mp4);
    if let Some(path) = path {
        command.env("PATH", path);
    }
    let output = command.output().unwrap();
    (dir, mp4, output)
}

#[test]
fn mp4_without_ffmpeg_is_refused_naming_the_fix_and_the_film_is_kept() {
    let empty = common::temp_dir("film-no-ffmpeg-path");
    std::fs::create_dir_all(&empty).unwrap();
    let (dir, mp4, result) = film_mp4("film-no-mp4", Some(&empty));
    assert!(!result.status.success());
    let message = String::from_utf8_lossy(&result.stderr);
    assert!(message.contains("ffmpeg is not on the PATH"), "{message}");
    assert!(!mp4.exists());
    assert_eq!(
        load_film(&dir.join("films/pca.npz")).unwrap().frames_done(),
        2
    );
}

#[test]
#[ignore = "needs ffmpeg on the PATH (scripts/test installs it)"]
fn mp4_is_h264_with_every_frame() {
    assert!(
        annealscape::figures::ffmpeg_available(),
        "ffmpeg is not on the PATH: scripts/test installs it"
    );
    let (_, mp4, result) = film_mp4("film-mp4", None);
    assert!(result.status.success(), "{result:?}");
    // An MP4 opens with its ftyp box; ffprobe reads the stream back.
    let bytes = std::fs::read(&mp4).unwrap();
    assert_eq!(&bytes[4..8], b"ftyp");
    let probe = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-show_entries"])
        .arg("stream=codec_name,pix_fmt,nb_read_frames,width,height")
        .args(["-of", "default=nw=1"])
        .arg(&mp4)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&probe.stdout);
    for want in ["codec_name=h264", "pix_fmt=yuv420p", "nb_read_frames=2"] {
        assert!(text.contains(want), "{want} not in {text}");
    }
    // Written beside under a partial name and renamed: nothing else is left.
    let left: Vec<_> = std::fs::read_dir(mp4.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("film.mp4")]);
}

/// The run folder as a live run's would be after step `step`: the points kept so far.
fn folder_at(folder: &RunFolder, step: i64) -> RunFolder {
    let full = folder.trajectory();
    let keep = full.steps.iter().filter(|&&s| s <= step).count();
    let trajectory = annealscape::run::TrajectoryFile {
        steps: full.steps.slice(ndarray::s![..keep]).to_owned(),
        x: full.x.slice(ndarray::s![..keep]).to_owned(),
        params: full.params.slice(ndarray::s![..keep, ..]).to_owned(),
    };
    RunFolder::new(
        folder.dir(),
        folder.config().clone(),
        std::sync::Arc::new(trajectory),
    )
}

#[test]
fn a_planned_film_grows_with_the_run_and_ends_as_the_film_computed_at_once() {
    let dir = short_run("film-planned", &["output.trajectory_points=8"]);
    let folder = RunFolder::open(&dir).unwrap();
    let planned = |name: &str| FilmRequest {
        frames: FrameChoice::Planned(4),
        directions: DirectionKind::Filter,
        ..request(SurfaceEstimator::Crn, 4, name)
    };
    // Planned from the configuration (5 + 20·2 + 1 = 46 steps, 8 points kept): on steps the
    // finished trajectory holds, from the initial weights to the last step.
    let kept = annealscape::run::kept_steps(8, 46);
    assert_eq!(folder.trajectory().steps.to_vec(), kept);
    // Halfway: the frames the run has passed are computed, the others wait.
    let live = folder_at(&folder, 20);
    let request = planned("live");
    let mut film = live.prepare_film(&request).unwrap();
    let steps = film.settings.frame_steps.clone();
    assert_eq!(steps[0], -1);
    assert_eq!(*steps.last().unwrap(), 45);
    assert!(steps.iter().all(|s| kept.contains(s)), "{steps:?}");
    let reached = steps.iter().filter(|&&s| s <= 20).count();
    assert!((1..4).contains(&reached), "{steps:?}");
    assert_eq!(film.frames_reached(), reached);
    assert!(live
        .compute_film(&mut film, &request.name, &AtomicBool::new(false), |_, _| {})
        .unwrap());
    assert_eq!(film.frames_done(), reached);
    for j in reached..4 {
        assert!(!film.is_reached(j) && !film.has_preview(j) && film.xs[j].is_nan());
    }
    // The run went on: only the frames it reached since are computed, the rest read back.
    let mut film = folder.prepare_film(&request).unwrap();
    assert_eq!((film.frames_done(), film.frames_reached()), (reached, 4));
    let mut computed = 0;
    assert!(folder
        .compute_film(&mut film, &request.name, &AtomicBool::new(false), |_, e| {
            computed += usize::from(matches!(e, FilmEvent::Frame { .. }));
        })
        .unwrap());
    assert_eq!(computed, 4 - reached);
    // The same as the planned film of the finished run, to the last bit.
    let at_once = planned("at-once");
    let mut whole = folder.prepare_film(&at_once).unwrap();
    folder
        .compute_film(
            &mut whole,
            &at_once.name,
            &AtomicBool::new(false),
            |_, _| {},
        )
        .unwrap();
    assert_eq!(whole.values, film.values);
    assert_eq!(whole.xs, film.xs);
    // The plane is the filter directions drawn around the initial weights, and each frame is
    // the surface at its own step.
    let origin = folder.trajectory_network(0).unwrap();
    let drawn = annealscape::landscape::random_directions(
        DirectionKind::Filter,
        origin.params(),
        3,
        BiasDirection::Zero,
    );
    assert_eq!(film.directions.row(0), drawn.delta.flat());
    assert_eq!(film.directions.row(1), drawn.eta.flat());
    let model = NewmanMoore::new(Lattice::new(3).unwrap(), 1.0).unwrap();
    let trajectory = folder.trajectory();
    for j in [0, 3] {
        let point = film.centre_point(j);
        assert_eq!(trajectory.steps[point], steps[j]);
        let surface = compute_surface(
            &folder.trajectory_network(point).unwrap(),
            &model,
            folder.config().anneal.objective(trajectory.x[point]),
            &drawn,
            &request.spec,
            &AtomicBool::new(false),
            |_, _, _| {},
        )
        .unwrap();
        assert_eq!(surface.values, film.values.index_axis(ndarray::Axis(0), j));
        let (a, b, step, _) = *film.path_to(j).last().unwrap();
        assert_eq!((a, b, step), (0.0, 0.0, steps[j]));
    }
    // pca cannot be planned: it needs the whole trajectory.
    let err = live
        .prepare_film(&FilmRequest {
            directions: DirectionKind::Pca,
            ..planned("pca")
        })
        .unwrap_err()
        .to_string();
    assert!(err.contains("filter") && err.contains("--frames"), "{err}");
}
