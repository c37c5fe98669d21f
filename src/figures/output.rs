//! Rendering to PNG or SVG: one drawing function serves both backends; text uses egui's own
//! font, registered with plotters once, so no system font is needed.

use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use std::io::Cursor;
use std::path::Path;
use std::sync::Once;

use crate::files::write_atomically;

/// The font family every figure uses (egui's Ubuntu-Light).
pub const FONT: &str = "sans-serif";

/// Register egui's font with plotters (idempotent).
pub fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for style in [
            FontStyle::Normal,
            FontStyle::Bold,
            FontStyle::Italic,
            FontStyle::Oblique,
        ] {
            // The font bytes are valid TrueType shipped inside egui: registration cannot fail
            // in a way a user could fix, so a failure just leaves plotters' default.
            let _ = plotters::style::register_font(FONT, style, epaint_default_fonts::UBUNTU_LIGHT);
        }
    });
}

/// The ten colours of series told apart by colour alone ([`super::tab10::ALL`]).
pub const PALETTE: [RGBColor; 10] = {
    let mut out = [RGBColor(0, 0, 0); 10];
    let mut k = 0;
    while k < 10 {
        out[k] = rgb(super::tab10::ALL[k]);
        k += 1;
    }
    out
};

/// A palette entry as a plotters colour.
pub const fn rgb(c: super::tab10::Rgb) -> RGBColor {
    RGBColor(c[0], c[1], c[2])
}

/// A raster to place under the vector drawing of an SVG (heatmaps stay small that way).
pub struct Raster {
    /// Pixel rectangle (x0, y0, x1, y1) in figure coordinates.
    pub rect: (i32, i32, i32, i32),
    /// Row-major RGB pixels, top row first.
    pub pixels: image::RgbImage,
}

/// Why a figure could not be made.
#[derive(Debug, thiserror::Error)]
pub enum FigureError {
    /// The output path's extension is not png or svg.
    #[error("{0}: the file name must end in .png or .svg")]
    Format(String),
    /// Drawing failed.
    #[error("drawing failed: {0}")]
    Draw(String),
    /// Writing failed.
    #[error("cannot write {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What failed.
        message: String,
    },
    /// The data needed is missing or unusable.
    #[error("{0}")]
    Data(String),
}

/// How a figure is being drawn.
#[derive(Debug, Clone, Copy)]
pub struct Canvas {
    /// Multiply every size (fonts, lines, margins) by this.
    pub scale: f64,
    /// SVG: heatmaps are returned as [`Raster`]s instead of drawn cell by cell.
    pub vector: bool,
}

impl Canvas {
    /// A length in pixels at this scale.
    pub fn px(&self, logical: f64) -> i32 {
        (logical * self.scale).round() as i32
    }

    /// A font of `size` logical points.
    pub fn font(&self, size: f64) -> TextStyle<'static> {
        TextStyle::from((FONT, size * self.scale).into_font())
    }
}

/// Draw a chart's series legend in the figures' common style.
pub fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    c: Canvas,
    position: SeriesLabelPosition,
) -> Result<(), FigureError> {
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK.mix(0.3))
        .label_font(c.font(11.5))
        .position(position)
        .draw()
        .map_err(draw_error)
}

/// Something that can be drawn on any plotters backend.
pub trait Figure {
    /// Logical size in pixels.
    fn size(&self) -> (u32, u32);
    /// Draw on `root`; return the rasters an SVG should embed.
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        canvas: Canvas,
    ) -> Result<Vec<Raster>, FigureError>;
}

/// A drawing backend's error as a figure error.
pub fn draw_error(e: impl std::fmt::Display) -> FigureError {
    FigureError::Draw(e.to_string())
}

/// Write `figure` to `path`: `.png` at `scale` × its logical size, or `.svg`.
pub fn render(figure: &impl Figure, path: &Path, scale: f64) -> Result<(), FigureError> {
    register_fonts();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let (w, h) = figure.size();
    let io = |e: std::io::Error| FigureError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    match ext.as_deref() {
        Some("png") => {
            let image = rasterise(figure, scale)?;
            let mut png = Vec::new();
            image
                .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
                .map_err(draw_error)?;
            write_atomically(path, |f| std::io::Write::write_all(f, &png)).map_err(io)
        }
        Some("svg") => {
            let mut text = String::new();
            let rasters;
            {
                let root = SVGBackend::with_string(&mut text, (w, h)).into_drawing_area();
                root.fill(&WHITE).map_err(draw_error)?;
                rasters = figure.draw(
                    &root,
                    Canvas {
                        scale: 1.0,
                        vector: true,
                    },
                )?;
                root.present().map_err(draw_error)?;
            }
            let text = embed_rasters(text, &rasters)?;
            write_atomically(path, |f| std::io::Write::write_all(f, text.as_bytes())).map_err(io)
        }
        _ => Err(FigureError::Format(path.display().to_string())),
    }
}

/// Write `bytes` to `path` atomically, as a figure error naming the file.
pub fn write_atomically_bytes(path: &Path, bytes: &[u8]) -> Result<(), FigureError> {
    write_atomically(path, |f| std::io::Write::write_all(f, bytes)).map_err(|e| FigureError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// Draw `figure` into an RGB image at `scale` × its logical size (PNG files, film frames).
pub fn rasterise(figure: &impl Figure, scale: f64) -> Result<image::RgbImage, FigureError> {
    register_fonts();
    if !(scale.is_finite() && (0.25..=8.0).contains(&scale)) {
        return Err(FigureError::Draw(format!(
            "scale must be from 0.25 to 8 (got {scale})"
        )));
    }
    let (w, h) = figure.size();
    let (pw, ph) = (
        (w as f64 * scale).round() as u32,
        (h as f64 * scale).round() as u32,
    );
    let mut buffer = vec![255u8; (pw * ph * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (pw, ph)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        figure.draw(
            &root,
            Canvas {
                scale,
                vector: false,
            },
        )?;
        root.present().map_err(draw_error)?;
    }
    image::RgbImage::from_raw(pw, ph, buffer)
        .ok_or_else(|| FigureError::Draw("pixel buffer has the wrong size".into()))
}

/// Insert the rasters as PNG `<image>` elements right after the background, so every
/// vector element (axes, contours, paths) is drawn over them.
fn embed_rasters(svg: String, rasters: &[Raster]) -> Result<String, FigureError> {
    if rasters.is_empty() {
        return Ok(svg);
    }
    let mut images = String::new();
    for r in rasters {
        let mut png = Vec::new();
        r.pixels
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .map_err(draw_error)?;
        let (x0, y0, x1, y1) = r.rect;
        images.push_str(&format!(
            "<image x=\"{x0}\" y=\"{y0}\" width=\"{}\" height=\"{}\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"data:image/png;base64,{}\"/>\n",
            x1 - x0,
            y1 - y0,
            base64(&png)
        ));
    }
    // The background is the first element after the opening tag.
    let after_open = svg
        .find('>')
        .map(|i| i + 1)
        .ok_or_else(|| FigureError::Draw("empty SVG".into()))?;
    let insert_at = svg[after_open..]
        .find("/>")
        .map(|i| after_open + i + 2)
        .unwrap_or(after_open);
    let mut out = svg;
    out.insert_str(insert_at, &format!("\n{images}"));
    Ok(out)
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(T[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_of_known_strings() {
        assert_eq!(super::base64(b"Man"), "TWFu");
        assert_eq!(super::base64(b"Ma"), "TWE=");
        assert_eq!(super::base64(b"M"), "TQ==");
        assert_eq!(super::base64(b""), "");
    }
}
