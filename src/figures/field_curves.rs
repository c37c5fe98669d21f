//! ⟨E⟩/N against the field B for many runs, one panel per (estimator, B₀), with the exact
//! ground energy E₀(B)/N drawn under them and each run's first energy jump marked.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::output::{draw_error, draw_legend, Canvas, Figure, FigureError, Raster, PALETTE};

/// One run's curve.
#[derive(Debug, Clone)]
pub struct FieldRun {
    /// Legend text, e.g. "seed 0".
    pub label: String,
    /// (B, ⟨E⟩/N) along the descent.
    pub points: Vec<(f64, f64)>,
    /// (B, ⟨E⟩/N) at its first jump, if it had one.
    pub jump: Option<(f64, f64)>,
}

/// One panel.
#[derive(Debug, Clone)]
pub struct FieldPanel {
    /// Its title, e.g. "authors' estimator, B0 = 1".
    pub title: String,
    /// The horizontal axis, e.g. "field B (the anneal runs right to left)".
    pub x_label: String,
    /// The vertical axis, e.g. "<E>/N".
    pub y_label: String,
    /// The exact curve's legend, e.g. "exact E0(B)/N".
    pub exact_label: String,
    /// The exact curve (E₀(B)/N or f(T)), in X order.
    pub exact: Vec<(f64, f64)>,
    /// The runs.
    pub runs: Vec<FieldRun>,
}

/// Panels in a grid of `columns` columns.
#[derive(Debug, Clone)]
pub struct FieldCurvesFigure {
    /// Title line.
    pub title: String,
    /// Panels, row by row.
    pub panels: Vec<FieldPanel>,
    /// Panels per row.
    pub columns: usize,
}

fn span(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.05).max(1e-3);
    (lo - pad, hi + pad)
}

impl FieldPanel {
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        c: Canvas,
    ) -> Result<(), FigureError> {
        let all = || {
            self.exact
                .iter()
                .chain(self.runs.iter().flat_map(|r| r.points.iter()))
        };
        let (x0, x1) = span(all().map(|p| p.0));
        let (y0, y1) = span(all().map(|p| p.1));
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, c.font(14.0))
            .margin(c.px(8.0))
            .x_label_area_size(c.px(36.0))
            .y_label_area_size(c.px(60.0))
            .build_cartesian_2d(x0.max(0.0)..x1, y0..y1)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .label_style(c.font(11.0))
            .draw()
            .map_err(draw_error)?;
        if !self.exact.is_empty() {
            chart
                .draw_series(LineSeries::new(
                    self.exact.clone(),
                    BLACK.stroke_width(c.px(2.0).max(1) as u32),
                ))
                .map_err(draw_error)?
                .label(self.exact_label.clone())
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLACK));
        }
        for (k, run) in self.runs.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(run.points.clone(), color.stroke_width(1)))
                .map_err(draw_error)?
                .label(run.label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
            if let Some(p) = run.jump {
                chart
                    .draw_series([TriangleMarker::new(p, c.px(6.0), color.filled())])
                    .map_err(draw_error)?;
            }
        }
        draw_legend(&mut chart, c, SeriesLabelPosition::UpperRight)
    }
}

impl Figure for FieldCurvesFigure {
    fn size(&self) -> (u32, u32) {
        let columns = self.columns.max(1);
        let rows = self.panels.len().div_ceil(columns).max(1);
        (560 * columns as u32, 60 + 420 * rows as u32)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        c: Canvas,
    ) -> Result<Vec<Raster>, FigureError> {
        root.fill(&WHITE).map_err(draw_error)?;
        let title = format!("{} - triangles: first energy jump", self.title);
        let root = root.titled(&title, c.font(16.0)).map_err(draw_error)?;
        let columns = self.columns.max(1);
        let rows = self.panels.len().div_ceil(columns).max(1);
        let areas = root.split_evenly((rows, columns));
        for (panel, area) in self.panels.iter().zip(areas.iter()) {
            panel.draw(area, c)?;
        }
        Ok(Vec::new())
    }
}
