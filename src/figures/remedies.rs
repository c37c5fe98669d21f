//! The remedies study's coverage against cost: one panel per (L, target), one point per
//! remedy at its cost relative to the paper's Adam, with its 95 % interval.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::output::{draw_error, Canvas, Figure, FigureError, Raster, PALETTE};

/// One remedy in one panel.
#[derive(Debug, Clone, PartialEq)]
pub struct CostPoint {
    /// The remedy's name, written beside the point.
    pub label: String,
    /// Its colour's index (the same remedy has the same colour in every panel).
    pub color: usize,
    /// Wall time relative to the baseline's.
    pub cost: f64,
    /// The value drawn (coverage or success rate).
    pub value: f64,
    /// Its 95 % interval.
    pub interval: (f64, f64),
}

/// One (L, target).
#[derive(Debug, Clone, PartialEq)]
pub struct CostPanel {
    /// E.g. "L = 3, quantum".
    pub title: String,
    /// E.g. "coverage (effective modes / 4)".
    pub y_label: String,
    /// The remedies.
    pub points: Vec<CostPoint>,
}

/// Panels in a row-major grid.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageCostFigure {
    /// Title line.
    pub title: String,
    /// The panels.
    pub panels: Vec<CostPanel>,
    /// Panels per row.
    pub columns: usize,
}

impl CostPanel {
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        c: Canvas,
    ) -> Result<(), FigureError> {
        let costs = self
            .points
            .iter()
            .map(|p| p.cost)
            .filter(|x| x.is_finite() && *x > 0.0);
        let (lo, hi) = costs.fold((1.0f64, 1.0f64), |(a, b), x| (a.min(x), b.max(x)));
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, c.font(14.0))
            .margin(c.px(10.0))
            .x_label_area_size(c.px(40.0))
            .y_label_area_size(c.px(56.0))
            .build_cartesian_2d((lo / 1.6..hi * 1.6).log_scale(), -0.05f64..1.08)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .x_desc("wall time relative to the paper's Adam")
            .y_desc(self.y_label.as_str())
            .x_labels(4)
            .x_label_formatter(&|v| format!("{v:.1}"))
            .label_style(c.font(11.0))
            .draw()
            .map_err(draw_error)?;
        for p in &self.points {
            if !(p.cost.is_finite() && p.cost > 0.0 && p.value.is_finite()) {
                continue;
            }
            let color = PALETTE[p.color % PALETTE.len()];
            let (a, b) = (p.interval.0.max(-0.05), p.interval.1.min(1.08));
            chart
                .draw_series([PathElement::new(
                    vec![(p.cost, a), (p.cost, b)],
                    color.stroke_width(c.px(1.5).max(1) as u32),
                )])
                .map_err(draw_error)?;
            chart
                .draw_series([Circle::new(
                    (p.cost, p.value),
                    c.px(4.0).max(2),
                    color.filled(),
                )])
                .map_err(draw_error)?;
            chart
                // Beside the marker, not under it.
                .draw_series([Text::new(
                    p.label.clone(),
                    (p.cost * 1.06, p.value + 0.02),
                    c.font(11.0).color(&color),
                )])
                .map_err(draw_error)?;
        }
        Ok(())
    }
}

impl Figure for CoverageCostFigure {
    fn size(&self) -> (u32, u32) {
        let columns = self.columns.max(1);
        let rows = self.panels.len().div_ceil(columns).max(1);
        (520 * columns as u32, 50 + 400 * rows as u32)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        c: Canvas,
    ) -> Result<Vec<Raster>, FigureError> {
        root.fill(&WHITE).map_err(draw_error)?;
        let root = root.titled(&self.title, c.font(16.0)).map_err(draw_error)?;
        let columns = self.columns.max(1);
        let rows = self.panels.len().div_ceil(columns).max(1);
        for (panel, area) in self
            .panels
            .iter()
            .zip(root.split_evenly((rows, columns)).iter())
        {
            panel.draw(area, c)?;
        }
        Ok(Vec::new())
    }
}
