//! Screenshots of the window: requested from egui, written as PNG off the UI thread.

use crossbeam_channel::Sender;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::export::ExportError;
use super::jobs::JobResult;

/// Write an egui image as PNG (the folder is created).
pub fn save_png(path: &Path, image: &egui::ColorImage) -> Result<(), ExportError> {
    let [width, height] = image.size;
    let bytes: Vec<u8> = image
        .pixels
        .iter()
        .flat_map(|c| c.to_srgba_unmultiplied())
        .collect();
    let buffer = image::RgbaImage::from_raw(width as u32, height as u32, bytes)
        .ok_or(ExportError::Pixels { width, height })?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| ExportError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    buffer
        .save_with_format(path, image::ImageFormat::Png)
        .map_err(|e| ExportError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(e),
        })
}

/// Ask egui for a screenshot of the next frame and write it to `path`; with `quit`, close
/// the window once it is written (the `--screenshot` smoke test).
pub fn request(ctx: &egui::Context, path: PathBuf, report: Sender<JobResult>, quit: bool) {
    let ctx2 = ctx.clone();
    ctx.request_screenshot(move |image: Arc<egui::ColorImage>| {
        std::thread::spawn(move || {
            let result = save_png(&path, &image);
            if quit {
                match &result {
                    Ok(()) => println!("{}", path.display()),
                    Err(e) => eprintln!("error: {e}"),
                }
                ctx2.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            let _ = report.send(JobResult::Written(result.map(|_| path)));
            ctx2.request_repaint();
        });
    });
    ctx.request_repaint();
}
