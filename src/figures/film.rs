//! A film's frames as pictures and the exports people put in talks: every frame as PNG, the
//! film as an animated GIF and, when `ffmpeg` is on the PATH, as MP4 (H.264, yuv420p, so it
//! plays in slides).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use image::codecs::gif::{GifEncoder, Repeat};
use image::{Delay, Frame, RgbImage, RgbaImage};

use super::output::{draw_error, rasterise, write_atomically_bytes, FigureError};
use super::{ColorScale, LandscapeFigure};
use crate::landscape::{Film, FilmColour};

/// What is written on frame `j`: its number, step, phase, T or B and the colour range.
pub fn frame_title(film: &Film, j: usize) -> String {
    let s = &film.settings;
    let symbol = if s.kind == "thermal" { "T" } else { "B" };
    let phase = s
        .frame_phases
        .get(j)
        .map(String::as_str)
        .unwrap_or("anneal");
    let colour = match s.colour {
        FilmColour::Shared => "one colour range for the film",
        FilmColour::PerFrame => "this frame's colour range",
    };
    format!(
        "frame {}/{} · step {} ({phase}) · {symbol} = {:.3} · {colour}",
        j + 1,
        film.frames(),
        s.frame_steps[j],
        film.xs[j]
    )
}

/// Frame `j` drawn as the landscape figure (heatmap, contours, the path up to the frame) with
/// the film's colour range; `None` until the frame is computed.
pub fn frame_image(
    film: &Film,
    j: usize,
    scale: &ColorScale,
    pixel_scale: f64,
) -> Result<Option<RgbImage>, FigureError> {
    let Some(landscape) = film.frame_landscape(j) else {
        return Ok(None);
    };
    let scale = ColorScale {
        range: scale.range.or(film.value_range(j)),
        ..scale.clone()
    };
    let figure = LandscapeFigure {
        panels: vec![(&landscape, frame_title(film, j))],
        scale,
    };
    rasterise(&figure, pixel_scale).map(Some)
}

/// Every computed frame, in order.
pub fn frame_images(
    film: &Film,
    scale: &ColorScale,
    pixel_scale: f64,
) -> Result<Vec<RgbImage>, FigureError> {
    let mut images = Vec::new();
    for j in 0..film.frames() {
        if let Some(image) = frame_image(film, j, scale, pixel_scale)? {
            images.push(image);
        }
    }
    if images.is_empty() {
        return Err(FigureError::Data(
            "the film has no computed frame yet: run `annealscape film` to compute it".into(),
        ));
    }
    Ok(images)
}

/// Write the frames as an animated GIF that loops, `delay_ms` per frame.
pub fn write_gif(path: &Path, images: &[RgbImage], delay_ms: u32) -> Result<(), FigureError> {
    let mut bytes = Vec::new();
    {
        let mut encoder = GifEncoder::new_with_speed(&mut bytes, 10);
        encoder.set_repeat(Repeat::Infinite).map_err(draw_error)?;
        for image in images {
            let rgba: RgbaImage = image::DynamicImage::ImageRgb8(image.clone()).to_rgba8();
            let frame = Frame::from_parts(rgba, 0, 0, Delay::from_numer_denom_ms(delay_ms, 1));
            encoder.encode_frame(frame).map_err(draw_error)?;
        }
    }
    write_atomically_bytes(path, &bytes)
}

/// Write every frame as `DIR/frame-NNN.png`; returns the files.
pub fn write_pngs(dir: &Path, images: &[RgbImage]) -> Result<Vec<String>, FigureError> {
    std::fs::create_dir_all(dir).map_err(|e| FigureError::Io {
        path: dir.display().to_string(),
        message: e.to_string(),
    })?;
    let mut names = Vec::new();
    for (j, image) in images.iter().enumerate() {
        let name = format!("frame-{:03}.png", j + 1);
        write_atomically_bytes(&dir.join(&name), &png_bytes(image)?)?;
        names.push(name);
    }
    Ok(names)
}

fn png_bytes(image: &RgbImage) -> Result<Vec<u8>, FigureError> {
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(draw_error)?;
    Ok(png)
}

/// Whether `ffmpeg` runs here.
pub fn ffmpeg_available() -> bool {
    Command::new("ffmpeg")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Encode the frames as H.264 MP4 (yuv420p, even dimensions) at `fps` by piping PNGs to
/// `ffmpeg`; an error that says so when ffmpeg is not on the PATH.
pub fn write_mp4(path: &Path, images: &[RgbImage], fps: f64) -> Result<(), FigureError> {
    if !ffmpeg_available() {
        return Err(FigureError::Data(format!(
            "{}: ffmpeg is not on the PATH, so no MP4 is written (install it, e.g. `apt-get install ffmpeg`; the GIF and PNG frames need nothing)",
            path.display()
        )));
    }
    // ffmpeg writes beside the target under a name ending in .mp4 (it picks the container by
    // the extension), renamed into place only once complete.
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .map_err(|e| FigureError::Draw(format!("{}: cannot create: {e}", parent.display())))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "film.mp4".into());
    let partial = parent.join(format!(".{name}.partial.mp4"));
    let result = run_ffmpeg(&partial, images, fps).and_then(|()| {
        std::fs::rename(&partial, path)
            .map_err(|e| FigureError::Draw(format!("{}: cannot write: {e}", path.display())))
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// Pipe the frames as PNG into ffmpeg, which writes H.264 in yuv420p to `out`.
fn run_ffmpeg(out: &Path, images: &[RgbImage], fps: f64) -> Result<(), FigureError> {
    let mut child = Command::new("ffmpeg")
        .args(["-y", "-loglevel", "error", "-f", "image2pipe", "-framerate"])
        .arg(format!("{fps}"))
        .args(["-i", "-", "-c:v", "libx264", "-pix_fmt", "yuv420p"])
        // yuv420p needs even width and height.
        .args(["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2:color=white"])
        .arg(out)
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| FigureError::Draw(format!("cannot start ffmpeg: {e}")))?;
    let mut written = Ok(());
    {
        let mut stdin = child.stdin.take().expect("piped stdin");
        for image in images {
            let bytes = png_bytes(image)?;
            if let Err(e) = stdin.write_all(&bytes) {
                written = Err(FigureError::Draw(format!("ffmpeg stopped reading: {e}")));
                break;
            }
        }
    }
    // Waited for even when it stopped reading, so no process is left behind.
    let status = child
        .wait()
        .map_err(|e| FigureError::Draw(format!("ffmpeg: {e}")))?;
    if !status.success() {
        return Err(FigureError::Draw(format!(
            "ffmpeg failed ({status}) writing {}",
            out.display()
        )));
    }
    written
}
