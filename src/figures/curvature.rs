//! Curvature along the anneal (SPEC §6.1–6.2): the sharpness of the descended loss against 2/η
//! and Adam's preconditioned sharpness against 38/η, λ_min (saddles), the optimiser's side
//! (update norm, √v̂, the step's overshoot of its quadratic model against 1), with the energy
//! jumps marked; and the spectral density at snapshots.

use super::log_panel::{log_bounds, Below, LogPanel};
use super::output::rgb;
use super::tab10;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::output::{draw_error, draw_legend, Canvas, Figure, FigureError, Raster};
use crate::anneal::CurvatureRow;

/// The data of a curvature figure.
pub struct CurvatureFigure {
    /// Title line.
    pub title: String,
    /// `curvature.csv`'s rows.
    pub rows: Vec<CurvatureRow>,
    /// Steps of the energy jumps.
    pub jumps: Vec<f64>,
    /// Per step (thinned): (step, update norm, median √v̂ + ε).
    pub optimiser: Vec<(f64, f64, f64)>,
    /// (step, gap) from the exact distances, when measured.
    pub gap: Vec<(f64, f64)>,
    /// Spectral densities at snapshots: (name, λ grid, φ).
    pub densities: Vec<(String, Vec<f64>, Vec<f64>)>,
}

const JUMP: RGBColor = rgb(tab10::RED);
const BLUE: RGBColor = rgb(tab10::BLUE);
const ORANGE: RGBColor = rgb(tab10::ORANGE);
const GREEN: RGBColor = rgb(tab10::GREEN);
const PURPLE: RGBColor = rgb(tab10::PURPLE);
const LIGHT_BLUE: RGBColor = RGBColor(140, 185, 225);
const LIGHT_ORANGE: RGBColor = RGBColor(255, 190, 130);
const GREY: RGBColor = RGBColor(110, 110, 110);
const BROWN: RGBColor = rgb(tab10::BROWN);
const LIGHT_BROWN: RGBColor = RGBColor(200, 160, 150);
const PALETTE: [RGBColor; 5] = [BLUE, ORANGE, GREEN, PURPLE, JUMP];

type Series = (Vec<(f64, f64)>, RGBColor, String);

impl CurvatureFigure {
    fn last_step(&self) -> f64 {
        self.rows
            .last()
            .map(|r| r.step as f64)
            .into_iter()
            .chain(self.optimiser.last().map(|p| p.0))
            .fold(1.0, f64::max)
    }

    fn series(&self, pick: impl Fn(&CurvatureRow) -> Option<f64>) -> Vec<(f64, f64)> {
        self.rows
            .iter()
            .filter_map(|r| pick(r).map(|v| (r.step as f64, v)))
            .collect()
    }

    /// Log-scale series against step, with the energy jumps as vertical lines.
    fn log_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        c: Canvas,
        y_desc: &str,
        series: Vec<Series>,
    ) -> Result<(), FigureError> {
        let panel = LogPanel {
            y_desc,
            last_step: self.last_step(),
            below: Below::Drop,
            dots: false,
            empty_note: None,
        };
        let (mut chart, (lo, hi)) = panel.draw(area, c, series)?;
        self.jumps_on(&mut chart, lo, hi)?;
        draw_legend(&mut chart, c, SeriesLabelPosition::LowerLeft)
    }

    fn jumps_on<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
        &self,
        chart: &mut ChartContext<'_, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
        lo: f64,
        hi: f64,
    ) -> Result<(), FigureError> {
        for (i, &s) in self.jumps.iter().enumerate() {
            let drawn = chart
                .draw_series(LineSeries::new(
                    vec![(s, lo), (s, hi)],
                    JUMP.mix(0.6).stroke_width(1),
                ))
                .map_err(draw_error)?;
            if i == 0 {
                drawn
                    .label("energy jump")
                    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], JUMP));
            }
        }
        Ok(())
    }

    /// λ_min per spin (negative: a saddle) on a linear axis with the zero line.
    fn saddle_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        c: Canvas,
    ) -> Result<(), FigureError> {
        let low = self.series(|r| Some(r.lambda_min));
        let (mut lo, mut hi) = low
            .iter()
            .fold((0.0f64, 0.0f64), |(a, b), p| (a.min(p.1), b.max(p.1)));
        let pad = 0.05 * (hi - lo).max(1e-9);
        lo -= pad;
        hi += pad;
        let mut chart = ChartBuilder::on(area)
            .margin(c.px(10.0))
            .x_label_area_size(c.px(40.0))
            .y_label_area_size(c.px(70.0))
            .build_cartesian_2d(0.0..self.last_step(), lo..hi)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .x_desc("step")
            .x_labels(6)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_desc("lambda_min of H (per spin)")
            .label_style(c.font(12.0))
            .draw()
            .map_err(draw_error)?;
        chart
            .draw_series(LineSeries::new(
                vec![(0.0, 0.0), (self.last_step(), 0.0)],
                GREY.stroke_width(1),
            ))
            .map_err(draw_error)?;
        chart
            .draw_series(LineSeries::new(
                low.clone(),
                GREEN.stroke_width(c.px(1.5).max(1) as u32),
            ))
            .map_err(draw_error)?
            .label("lambda_min (below 0: a saddle)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], GREEN));
        self.jumps_on(&mut chart, lo, hi)?;
        draw_legend(&mut chart, c, SeriesLabelPosition::LowerLeft)
    }

    fn density_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        c: Canvas,
    ) -> Result<(), FigureError> {
        let (x0, x1) = self
            .densities
            .iter()
            .flat_map(|d| d.1.iter().copied())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let values = self.densities.iter().flat_map(|d| d.2.iter().copied());
        let (lo, hi) = log_bounds(values, Below::Drop);
        let lo = lo.max(hi * 1e-8);
        let mut chart = ChartBuilder::on(area)
            .margin(c.px(10.0))
            .x_label_area_size(c.px(40.0))
            .y_label_area_size(c.px(70.0))
            .build_cartesian_2d(x0..x1, (lo..hi).log_scale())
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .x_desc("eigenvalue of H (per spin)")
            .y_desc("spectral density (SLQ)")
            .y_label_formatter(&|v| format!("{v:.0e}"))
            .label_style(c.font(12.0))
            .draw()
            .map_err(draw_error)?;
        for (i, (name, grid, phi)) in self.densities.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let points: Vec<(f64, f64)> = grid
                .iter()
                .zip(phi)
                .map(|(&x, &y)| (x, y.max(lo)))
                .collect();
            chart
                .draw_series(LineSeries::new(
                    points,
                    color.stroke_width(c.px(1.5).max(1) as u32),
                ))
                .map_err(draw_error)?
                .label(name.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
        }
        draw_legend(&mut chart, c, SeriesLabelPosition::UpperRight)
    }
}

impl Figure for CurvatureFigure {
    fn size(&self) -> (u32, u32) {
        (1500, 900)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        c: Canvas,
    ) -> Result<Vec<Raster>, FigureError> {
        let (top, body) = root.split_vertically(c.px(30.0));
        top.draw_text(&self.title, &c.font(14.0), (c.px(10.0), c.px(8.0)))
            .map_err(draw_error)?;
        let panels = body.split_evenly((2, 2));
        let threshold = |pick: fn(&CurvatureRow) -> f64| self.series(|r| Some(pick(r)));
        self.log_panel(
            &panels[0],
            c,
            "sharpness of the descended loss",
            vec![
                (
                    self.series(|r| Some(r.sharpness)),
                    BLUE,
                    "lambda_max (x loss scale)".into(),
                ),
                (
                    threshold(|r| r.gradient_descent_threshold),
                    LIGHT_BLUE,
                    "2/eta".into(),
                ),
                (
                    self.series(|r| r.preconditioned_sharpness),
                    ORANGE,
                    "preconditioned lambda_max(P^-1 H)".into(),
                ),
                (
                    threshold(|r| r.adam_threshold),
                    LIGHT_ORANGE,
                    "38/eta (Adam)".into(),
                ),
            ],
        )?;
        self.saddle_panel(&panels[1], c)?;
        let thin = (self.optimiser.len() / 3000).max(1);
        let mut side: Vec<Series> = vec![
            (
                self.optimiser
                    .iter()
                    .step_by(thin)
                    .map(|p| (p.0, p.1))
                    .collect(),
                PURPLE,
                "update norm |delta theta| per step".into(),
            ),
            (
                self.optimiser
                    .iter()
                    .step_by(thin)
                    .map(|p| (p.0, p.2))
                    .collect(),
                GREEN,
                "median sqrt(v) + eps".into(),
            ),
        ];
        if !self.gap.is_empty() {
            side.push((self.gap.clone(), GREY, "gap E1 - E0 (exact)".into()));
        }
        // The step's quadratic model: above 1 the step overshoots it (negative ratios, a step
        // along negative curvature, fall below the log axis).
        let overshoot = self.series(|r| r.step_overshoot);
        if !overshoot.is_empty() {
            side.push((overshoot, BROWN, "step overshoot D2/|D1|".into()));
            side.push((
                vec![(0.0, 1.0), (self.last_step(), 1.0)],
                LIGHT_BROWN,
                "overshoot = 1".into(),
            ));
        }
        self.log_panel(&panels[2], c, "optimiser side", side)?;
        if self.densities.is_empty() {
            panels[3]
                .draw_text(
                    "no spectral density stored: annealscape curvature --run RUN --snapshot NAME --density",
                    &c.font(13.0),
                    (c.px(20.0), c.px(40.0)),
                )
                .map_err(draw_error)?;
        } else {
            self.density_panel(&panels[3], c)?;
        }
        Ok(Vec::new())
    }
}
