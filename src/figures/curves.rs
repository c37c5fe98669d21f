//! Training curves: ⟨E⟩/N and the objective against step and against T or B, with the
//! exact E₀(B) (L ≤ 5) or f(T) curve.

use super::output::rgb;
use super::tab10;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::output::{draw_error, draw_legend, Canvas, Figure, FigureError, Raster};

/// The metrics columns a curves figure uses.
#[derive(Debug, Clone, Default)]
pub struct Curves {
    /// Step.
    pub step: Vec<f64>,
    /// T or B.
    pub x: Vec<f64>,
    /// ⟨E⟩/N.
    pub energy: Vec<f64>,
    /// Variance of E/N.
    pub energy_var: Vec<f64>,
    /// ⟨O_loc⟩/N.
    pub objective: Vec<f64>,
}

impl Curves {
    /// The columns of step metrics already in memory (the app's live run).
    pub fn from_metrics(metrics: &[crate::anneal::StepMetrics]) -> Self {
        Self {
            step: metrics.iter().map(|m| m.step as f64).collect(),
            x: metrics.iter().map(|m| m.temperature.max(m.field)).collect(),
            energy: metrics.iter().map(|m| m.energy_mean).collect(),
            energy_var: metrics.iter().map(|m| m.energy_var).collect(),
            objective: metrics.iter().map(|m| m.objective_mean).collect(),
        }
    }
}

/// Curves with the exact reference.
pub struct CurvesFigure {
    /// The run's metrics.
    pub curves: Curves,
    /// `T` or `B`.
    pub symbol: String,
    /// The exact curve (X, value per spin) and its name.
    pub exact: Option<(Vec<(f64, f64)>, String)>,
    /// Title.
    pub title: String,
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if lo.is_finite() && hi > lo {
        let pad = 0.05 * (hi - lo);
        (lo - pad, hi + pad)
    } else if lo.is_finite() {
        (lo - 0.5, lo + 0.5)
    } else {
        (0.0, 1.0)
    }
}

impl Figure for CurvesFigure {
    fn size(&self) -> (u32, u32) {
        (1100, 480)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        c: Canvas,
    ) -> Result<Vec<Raster>, FigureError> {
        let d = &self.curves;
        let (top, body) = root.split_vertically(c.px(30.0));
        top.draw_text(&self.title, &c.font(14.0), (c.px(10.0), c.px(8.0)))
            .map_err(draw_error)?;
        let panels = body.split_evenly((1, 2));
        let exact_values = self.exact.iter().flat_map(|(p, _)| p.iter().map(|q| q.1));
        let (ylo, yhi) = bounds(
            d.energy
                .iter()
                .chain(&d.objective)
                .copied()
                .chain(exact_values),
        );
        let energy_color = rgb(tab10::BLUE);
        let objective_color = rgb(tab10::ORANGE);
        let last = d.step.last().copied().unwrap_or(1.0).max(1.0);
        // Against step, with a ±σ band for the energy.
        let mut chart = ChartBuilder::on(&panels[0])
            .margin(c.px(10.0))
            .x_label_area_size(c.px(40.0))
            .y_label_area_size(c.px(64.0))
            .build_cartesian_2d(0.0..last, ylo..yhi)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .x_desc("step")
            .y_desc("per spin")
            .label_style(c.font(12.0))
            .draw()
            .map_err(draw_error)?;
        let thin = (d.step.len() / 2000).max(1);
        let band: Vec<(f64, f64)> = (0..d.step.len())
            .step_by(thin)
            .map(|i| (d.step[i], d.energy[i] + d.energy_var[i].max(0.0).sqrt()))
            .chain(
                (0..d.step.len())
                    .step_by(thin)
                    .rev()
                    .map(|i| (d.step[i], d.energy[i] - d.energy_var[i].max(0.0).sqrt())),
            )
            .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(
                band,
                energy_color.mix(0.2).filled(),
            )))
            .map_err(draw_error)?;
        for (values, color, name) in [
            (&d.energy, energy_color, "<E>/N (band: ±σ)"),
            (&d.objective, objective_color, "objective/N"),
        ] {
            chart
                .draw_series(LineSeries::new(
                    (0..d.step.len())
                        .step_by(thin)
                        .map(|i| (d.step[i], values[i])),
                    color.stroke_width(c.px(1.5).max(1) as u32),
                ))
                .map_err(draw_error)?
                .label(name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
        }
        draw_legend(&mut chart, c, SeriesLabelPosition::UpperRight)?;
        // Against the annealed quantity, with the exact curve.
        let xmax =
            d.x.iter()
                .copied()
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max)
                .max(1e-3);
        let mut chart = ChartBuilder::on(&panels[1])
            .margin(c.px(10.0))
            .x_label_area_size(c.px(40.0))
            .y_label_area_size(c.px(64.0))
            .build_cartesian_2d(0.0..xmax * 1.02, ylo..yhi)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .x_desc(self.symbol.as_str())
            .y_desc("per spin")
            .label_style(c.font(12.0))
            .draw()
            .map_err(draw_error)?;
        for (values, color, name) in [
            (&d.energy, energy_color, "<E>/N"),
            (&d.objective, objective_color, "objective/N"),
        ] {
            chart
                .draw_series((0..d.step.len()).step_by(thin).map(|i| {
                    Circle::new(
                        (d.x[i], values[i]),
                        c.px(1.5).max(1),
                        color.mix(0.5).filled(),
                    )
                }))
                .map_err(draw_error)?
                .label(name)
                .legend(move |(x, y)| Circle::new((x + 8, y), 3, color.filled()));
        }
        if let Some((points, name)) = &self.exact {
            chart
                .draw_series(LineSeries::new(
                    points.clone(),
                    BLACK.stroke_width(c.px(2.0) as u32),
                ))
                .map_err(draw_error)?
                .label(name.as_str())
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], BLACK.stroke_width(2))
                });
        }
        draw_legend(&mut chart, c, SeriesLabelPosition::UpperRight)?;
        Ok(Vec::new())
    }
}
