//! One configuration on the triangular lattice: spins coloured, defect triangles marked.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::output::{draw_error, Canvas, Figure, FigureError, Raster};
use crate::physics::{Lattice, NewmanMoore};

/// A configuration to draw.
pub struct LatticeFigure {
    /// The model (its lattice gives the geometry).
    pub model: NewmanMoore,
    /// Bits in raster order.
    pub bits: Vec<u8>,
    /// A title line.
    pub title: String,
}

impl Figure for LatticeFigure {
    fn size(&self) -> (u32, u32) {
        (640, 600)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        c: Canvas,
    ) -> Result<Vec<Raster>, FigureError> {
        let lattice: &Lattice = self.model.lattice();
        let l = lattice.size() as f64;
        let bits = ndarray::ArrayView1::from(&self.bits[..]);
        let defects = self.model.defect_count(bits);
        let energy = self.model.energy(bits) / lattice.sites() as f64;
        let title = format!(
            "{} · E/N = {energy:.4} · {defects} defect triangle{}",
            self.title,
            if defects == 1 { "" } else { "s" }
        );
        let h = 3f64.sqrt() / 2.0;
        let mut chart = ChartBuilder::on(root)
            .caption(title, c.font(15.0))
            .margin(c.px(16.0))
            .build_cartesian_2d(-0.8..(l + l / 2.0 + 0.3), -0.8..(l * h + 0.3))
            .map_err(draw_error)?;
        let defect_fill = RGBColor(220, 50, 47).mix(0.75);
        chart
            .draw_series((0..lattice.sites()).map(|t| {
                let corners: Vec<(f64, f64)> = lattice.triangle_corners(t).to_vec();
                if self.model.is_defect(bits, t) {
                    Polygon::new(corners, defect_fill.filled())
                } else {
                    Polygon::new(corners, RGBColor(235, 235, 235).filled())
                }
            }))
            .map_err(draw_error)?;
        chart
            .draw_series((0..lattice.sites()).map(|t| {
                let mut corners: Vec<(f64, f64)> = lattice.triangle_corners(t).to_vec();
                corners.push(corners[0]);
                PathElement::new(corners, BLACK.mix(0.35).stroke_width(1))
            }))
            .map_err(draw_error)?;
        let radius = (c.px(220.0) as f64 / l).clamp(2.0, 18.0 * c.scale) as i32;
        chart
            .draw_series((0..lattice.sites()).map(|i| {
                let color = if self.bits[i] == 1 {
                    RGBColor(30, 30, 30)
                } else {
                    RGBColor(250, 250, 250)
                };
                EmptyElement::at(lattice.position(i))
                    + Circle::new((0, 0), radius, color.filled())
                    + Circle::new((0, 0), radius, BLACK.stroke_width(1))
            }))
            .map_err(draw_error)?;
        root.draw_text(
            "black: spin up (e = 1) · white: spin down (e = 0) · red: defect triangle (spin product +1, costs J)",
            &c.font(12.0),
            (c.px(16.0), root.dim_in_pixel().1 as i32 - c.px(22.0)),
        )
        .map_err(draw_error)?;
        Ok(Vec::new())
    }
}
