//! Residual-energy scaling (SPEC §7): ε_res against annealing length and against CPU time per
//! run, log–log, one series per method and size, each with its best-fitting law (by AIC).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::output::{draw_error, draw_legend, Canvas, Figure, FigureError, Raster, PALETTE};
use crate::baselines::scaling::Fit;

/// One method at one size.
#[derive(Debug, Clone)]
pub struct ScalingSeries {
    /// Legend text, e.g. "SA L=32".
    pub label: String,
    /// The points, in τ order.
    pub points: Vec<ScalingPoint>,
    /// The fitted laws, best first.
    pub fits: Vec<Fit>,
}

/// One point of a series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScalingPoint {
    /// τ.
    pub tau: f64,
    /// Mean ε_res.
    pub mean: f64,
    /// Its standard error.
    pub stderr: f64,
    /// Median ε_res, drawn as an open circle.
    pub median: f64,
    /// CPU seconds per run.
    pub cpu_seconds: f64,
}

/// The data of a scaling figure.
#[derive(Debug, Clone)]
pub struct ScalingFigure {
    /// Title line.
    pub title: String,
    /// The series.
    pub series: Vec<ScalingSeries>,
}

/// ε_res = 0 (every run at E₀) is drawn at the bottom of the axis, as an open marker.
fn bounds(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if lo.is_finite() {
        (lo / pad, (hi * pad).max(lo * 10.0))
    } else {
        (1e-4, 1.0)
    }
}

/// The legend entry of a series: its label and its best law.
fn legend(s: &ScalingSeries) -> String {
    match s.fits.first() {
        Some(f) => {
            let symbol = match f.law {
                crate::baselines::scaling::Law::Power => "alpha",
                crate::baselines::scaling::Law::Logarithmic => "zeta",
                crate::baselines::scaling::Law::Freezing => "c",
            };
            let others: Vec<String> = s.fits[1..]
                .iter()
                .map(|o| format!("{} +{:.0}", o.law.name(), o.aic - f.aic))
                .collect();
            format!(
                "{}: {} {symbol}={:.3} (dAIC {})",
                s.label,
                f.law.name(),
                f.exponent,
                if others.is_empty() {
                    "-".into()
                } else {
                    others.join(", ")
                }
            )
        }
        None => format!("{} (too few points to fit)", s.label),
    }
}

impl ScalingFigure {
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        c: Canvas,
        by_time: bool,
    ) -> Result<(), FigureError> {
        let x_of = |p: &ScalingPoint| if by_time { p.cpu_seconds } else { p.tau };
        let (xlo, xhi) = bounds(
            self.series.iter().flat_map(|s| s.points.iter().map(x_of)),
            1.5,
        );
        let (ylo, yhi) = bounds(
            self.series.iter().flat_map(|s| {
                s.points
                    .iter()
                    .flat_map(|p| [p.mean, p.mean + p.stderr, p.median])
            }),
            2.0,
        );
        let mut chart = ChartBuilder::on(area)
            .margin(c.px(10.0))
            .x_label_area_size(c.px(40.0))
            .y_label_area_size(c.px(70.0))
            .build_cartesian_2d((xlo..xhi).log_scale(), (ylo..yhi).log_scale())
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .x_desc(if by_time {
                "CPU seconds per run (matched wall-clock)"
            } else {
                "annealing length tau (sweeps; neural: N_anneal)"
            })
            .y_desc("residual energy per spin eps_res")
            .x_label_formatter(&|v| format!("{v:.0e}"))
            .y_label_formatter(&|v| format!("{v:.0e}"))
            .label_style(c.font(12.0))
            .draw()
            .map_err(draw_error)?;
        for (k, s) in self.series.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            let pts: Vec<(f64, f64)> = s
                .points
                .iter()
                .filter(|p| p.mean > 0.0)
                .map(|p| (x_of(p), p.mean))
                .collect();
            let name = if by_time { s.label.clone() } else { legend(s) };
            chart
                .draw_series(
                    pts.iter()
                        .map(|&p| Circle::new(p, c.px(3.0).max(2), color.filled())),
                )
                .map_err(draw_error)?
                .label(name)
                .legend(move |(x, y)| Circle::new((x + 8, y), 4, color.filled()));
            // Medians far from the mean show a bimodal outcome (a few runs failing badly).
            chart
                .draw_series(s.points.iter().filter(|p| p.median > 0.0).map(|p| {
                    Circle::new((x_of(p), p.median), c.px(4.5).max(3), color.stroke_width(1))
                }))
                .map_err(draw_error)?;
            for p in s.points.iter().filter(|p| p.mean > 0.0) {
                let (x, lo, hi) = (x_of(p), (p.mean - p.stderr).max(ylo), p.mean + p.stderr);
                chart
                    .draw_series(LineSeries::new(
                        vec![(x, lo), (x, hi)],
                        color.stroke_width(1),
                    ))
                    .map_err(draw_error)?;
            }
            // Every run at E₀: an open triangle on the floor.
            chart
                .draw_series(s.points.iter().filter(|p| p.mean <= 0.0).map(|p| {
                    TriangleMarker::new((x_of(p), ylo * 1.05), c.px(4.0), color.stroke_width(1))
                }))
                .map_err(draw_error)?;
            if by_time {
                chart
                    .draw_series(LineSeries::new(pts.clone(), color.mix(0.5).stroke_width(1)))
                    .map_err(draw_error)?;
            } else if let Some(fit) = s.fits.first() {
                let (t0, t1) = s.points.iter().fold((f64::INFINITY, 0.0f64), |(a, b), p| {
                    (a.min(p.tau), b.max(p.tau))
                });
                let curve: Vec<(f64, f64)> = (0..=60)
                    .map(|i| t0 * (t1 / t0).powf(i as f64 / 60.0))
                    .map(|t| (t, fit.eval(t).clamp(ylo, yhi)))
                    .collect();
                chart
                    .draw_series(LineSeries::new(
                        curve,
                        color.stroke_width(c.px(1.5).max(1) as u32),
                    ))
                    .map_err(draw_error)?;
            }
        }
        // The upper corners away from the data: long runs are low and right, fast ones left.
        let corner = if by_time {
            SeriesLabelPosition::UpperLeft
        } else {
            SeriesLabelPosition::UpperRight
        };
        draw_legend(&mut chart, c, corner)
    }
}

impl Figure for ScalingFigure {
    fn size(&self) -> (u32, u32) {
        (1500, 640)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        c: Canvas,
    ) -> Result<Vec<Raster>, FigureError> {
        root.fill(&WHITE).map_err(draw_error)?;
        let title = format!("{} - filled: mean +- stderr, open: median", self.title);
        let root = root.titled(&title, c.font(16.0)).map_err(draw_error)?;
        let (left, right) = root.split_horizontally(root.dim_in_pixel().0 * 58 / 100);
        self.panel(&left, c, false)?;
        self.panel(&right, c, true)?;
        Ok(Vec::new())
    }
}
