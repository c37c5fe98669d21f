//! `figure --kind landscape3d`: the 3D surface as a PNG or SVG (the rendered surface embedded
//! as an image, the title and value range as text over it).

use image::RgbImage;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::output::{draw_error, Canvas, Figure, FigureError, Raster};
use super::surface3d::{Camera, HeightScale, SurfaceScene};

/// A rendered surface with its title.
pub struct Landscape3dFigure<'a> {
    /// The surface.
    pub scene: SurfaceScene<'a>,
    /// The camera.
    pub camera: Camera,
    /// The title line.
    pub title: String,
}

impl Landscape3dFigure<'_> {
    fn legend(&self) -> String {
        let (lo, hi) = self.scene.range();
        let height = match self.scene.height {
            HeightScale::Linear => "height: the value",
            HeightScale::Log => "height: log10(value − min)",
        };
        format!(
            "{height} · colour {lo:.4} … {hi:.4} · white: the path at its own values · red: the centre · azimuth {:.0}°, elevation {:.0}°",
            self.camera.azimuth, self.camera.elevation
        )
    }
}

impl Figure for Landscape3dFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (760, 640)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        c: Canvas,
    ) -> Result<Vec<Raster>, FigureError> {
        let (w, h) = root.dim_in_pixel();
        let top = c.px(52.0).max(0) as u32;
        root.draw_text(&self.title, &c.font(14.0), (c.px(10.0), c.px(8.0)))
            .map_err(draw_error)?;
        root.draw_text(&self.legend(), &c.font(11.0), (c.px(10.0), c.px(30.0)))
            .map_err(draw_error)?;
        let body_h = h.saturating_sub(top).max(1);
        let image = self.scene.render(&self.camera, w, body_h, [255, 255, 255]);
        if c.vector {
            let rgb: RgbImage = image::DynamicImage::ImageRgba8(image).to_rgb8();
            return Ok(vec![Raster {
                rect: (0, top as i32, w as i32, (top + body_h) as i32),
                pixels: rgb,
            }]);
        }
        for (x, y, p) in image.enumerate_pixels() {
            if p.0[..3] != [255, 255, 255] {
                root.draw_pixel(
                    (x as i32, (y + top) as i32),
                    &RGBColor(p.0[0], p.0[1], p.0[2]),
                )
                .map_err(draw_error)?;
            }
        }
        Ok(Vec::new())
    }
}
