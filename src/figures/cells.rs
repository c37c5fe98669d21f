//! The cells study's figure: per (L, target) the exact forward KL the anneal reaches and the
//! one a fit reaches, against X, log scale, each seed faint and the median bold, with the
//! anneal's jumps marked and the representability threshold drawn.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::output::{draw_error, draw_legend, Canvas, Figure, FigureError, Raster, PALETTE};

/// One curve of a panel.
#[derive(Debug, Clone, PartialEq)]
pub struct KlSeries {
    /// Legend text.
    pub label: String,
    /// Colour index.
    pub color: usize,
    /// (X, KL) of every seed.
    pub seeds: Vec<(f64, f64)>,
    /// (X, median KL), in X order.
    pub median: Vec<(f64, f64)>,
}

/// One (L, target).
#[derive(Debug, Clone, PartialEq)]
pub struct KlPanel {
    /// E.g. "L = 3, quantum".
    pub title: String,
    /// "B" or "T".
    pub symbol: String,
    /// The curves.
    pub series: Vec<KlSeries>,
    /// X of each run's first jump.
    pub jumps: Vec<f64>,
    /// The KL below which the cell counts as representing the target.
    pub threshold: f64,
}

/// Panels in a row.
#[derive(Debug, Clone, PartialEq)]
pub struct KlFigure {
    /// Title line.
    pub title: String,
    /// The panels.
    pub panels: Vec<KlPanel>,
}

impl KlPanel {
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        c: Canvas,
    ) -> Result<(), FigureError> {
        let values = self
            .series
            .iter()
            .flat_map(|s| s.seeds.iter().chain(&s.median).copied())
            .chain(self.jumps.iter().map(|x| (*x, f64::NAN)));
        let (mut x_lo, mut x_hi, mut y_lo, mut y_hi) =
            (f64::INFINITY, 0.0f64, f64::INFINITY, 0.0f64);
        for (x, y) in values {
            if x.is_finite() {
                x_lo = x_lo.min(x);
                x_hi = x_hi.max(x);
            }
            if y.is_finite() && y > 0.0 {
                y_lo = y_lo.min(y);
                y_hi = y_hi.max(y);
            }
        }
        if x_lo >= x_hi || x_lo.is_nan() {
            (x_lo, x_hi) = (0.0, 1.0);
        }
        let (y_lo, y_hi) = if y_lo <= y_hi {
            (
                y_lo.min(self.threshold) / 3.0,
                y_hi.max(self.threshold) * 3.0,
            )
        } else {
            (1e-4, 10.0)
        };
        let pad = 0.04 * (x_hi - x_lo);
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, c.font(14.0))
            .margin(c.px(10.0))
            .x_label_area_size(c.px(40.0))
            .y_label_area_size(c.px(64.0))
            .build_cartesian_2d(x_lo - pad..x_hi + pad, (y_lo..y_hi).log_scale())
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .x_desc(self.symbol.as_str())
            .y_desc("KL(p* || q), nats")
            .y_label_formatter(&|v| format!("{v:.0e}"))
            .label_style(c.font(11.0))
            .draw()
            .map_err(draw_error)?;
        let line = c.px(1.5).max(1) as u32;
        for (i, &x) in self.jumps.iter().enumerate() {
            let series = chart
                .draw_series([PathElement::new(
                    vec![(x, y_lo), (x, y_hi)],
                    RED.mix(0.45).stroke_width(line),
                )])
                .map_err(draw_error)?;
            if i == 0 {
                series.label("anneal's first jump").legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], RED.mix(0.45).stroke_width(line))
                });
            }
        }
        chart
            .draw_series([PathElement::new(
                vec![(x_lo - pad, self.threshold), (x_hi + pad, self.threshold)],
                BLACK.mix(0.6).stroke_width(line),
            )])
            .map_err(draw_error)?
            .label(format!("KL = {:.0e}", self.threshold))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], BLACK.mix(0.6).stroke_width(line))
            });
        for s in &self.series {
            let color = PALETTE[s.color % PALETTE.len()];
            chart
                .draw_series(
                    s.seeds
                        .iter()
                        .filter(|p| p.1 > 0.0 && p.1.is_finite())
                        .map(|&p| Circle::new(p, c.px(2.5).max(1), color.mix(0.35).filled())),
                )
                .map_err(draw_error)?;
            let median: Vec<(f64, f64)> = s
                .median
                .iter()
                .copied()
                .filter(|p| p.1 > 0.0 && p.1.is_finite())
                .collect();
            chart
                .draw_series(LineSeries::new(
                    median.clone(),
                    color.stroke_width(c.px(2.0).max(1) as u32),
                ))
                .map_err(draw_error)?
                .label(s.label.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
                });
            chart
                .draw_series(
                    median
                        .iter()
                        .map(|&p| Circle::new(p, c.px(4.0).max(2), color.filled())),
                )
                .map_err(draw_error)?;
        }
        draw_legend(&mut chart, c, SeriesLabelPosition::MiddleRight)
    }
}

impl KlFigure {
    /// Rows and columns of panels: one row when there are at most four, else two columns (a
    /// study's cells one per row, quantum beside thermal).
    fn grid(&self) -> (usize, usize) {
        let n = self.panels.len().max(1);
        if n <= 4 {
            (1, n)
        } else {
            (n.div_ceil(2), 2)
        }
    }
}

impl Figure for KlFigure {
    fn size(&self) -> (u32, u32) {
        let (rows, columns) = self.grid();
        (540 * columns as u32, 30 + 430 * rows as u32)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        c: Canvas,
    ) -> Result<Vec<Raster>, FigureError> {
        root.fill(&WHITE).map_err(draw_error)?;
        let root = root.titled(&self.title, c.font(16.0)).map_err(draw_error)?;
        for (panel, area) in self
            .panels
            .iter()
            .zip(root.split_evenly(self.grid()).iter())
        {
            panel.draw(area, c)?;
        }
        Ok(Vec::new())
    }
}
