//! Series against step on a logarithmic y axis: the panel the distances and curvature figures
//! share (axes, bounds, lines, optional dots); each figure adds its own markers and legend.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::output::{draw_error, Canvas, FigureError};

/// A log axis' chart: step across, a log scale up.
pub(super) type LogChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, LogCoord<f64>>>;

/// One series: its points, its colour and its legend name.
pub(super) type Series<S> = (Vec<(f64, f64)>, RGBColor, S);

/// What a log axis does with values it cannot show (zero or negative).
#[derive(Debug, Clone, Copy)]
pub(super) enum Below {
    /// Draw them at this floor (an exact distance of 0 is still a point).
    Floor(f64),
    /// Leave them out (a quantity that is positive when measured).
    Drop,
}

/// How one log panel looks.
pub(super) struct LogPanel<'a> {
    /// The y axis' label.
    pub y_desc: &'a str,
    /// The last step, the x axis' end.
    pub last_step: f64,
    /// Zero and negative values.
    pub below: Below,
    /// A dot on every point of series of at most 400 points.
    pub dots: bool,
    /// Written on the panel when every series is empty.
    pub empty_note: Option<&'a str>,
}

/// Line width for a series of `points`: thick lines on a dense zigzag grow long miter spikes
/// at every sharp turn, so dense series are drawn one pixel wide.
pub(super) fn stroke(c: Canvas, points: usize) -> u32 {
    if points > 300 {
        1
    } else {
        c.px(1.5).max(1) as u32
    }
}

impl Below {
    /// Where `v` is drawn, if it is.
    fn shown(self, v: f64) -> Option<f64> {
        match self {
            _ if !v.is_finite() => None,
            Below::Floor(floor) => Some(v.max(floor)),
            Below::Drop => (v > 0.0).then_some(v),
        }
    }
}

/// The log axis' range for `values` as `below` shows them: a factor 2 of margin, at least a
/// decade.
pub(super) fn log_bounds(values: impl Iterator<Item = f64>, below: Below) -> (f64, f64) {
    let (lo, hi) = values
        .filter_map(|v| below.shown(v))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if lo.is_finite() {
        (lo / 2.0, (hi * 2.0).max(lo * 10.0))
    } else {
        (1e-6, 1.0)
    }
}

impl LogPanel<'_> {
    /// Draw the axes and `series` (points, colour, legend name) on `area`; the chart and its
    /// y range come back for the figure's markers and legend.
    pub fn draw<'b, DB: DrawingBackend, S: Into<String>>(
        &self,
        area: &'b DrawingArea<DB, Shift>,
        c: Canvas,
        series: Vec<Series<S>>,
    ) -> Result<(LogChart<'b, DB>, (f64, f64)), FigureError> {
        let values = series.iter().flat_map(|s| s.0.iter().map(|p| p.1));
        let (lo, hi) = log_bounds(values, self.below);
        let mut chart = ChartBuilder::on(area)
            .margin(c.px(10.0))
            .x_label_area_size(c.px(40.0))
            .y_label_area_size(c.px(70.0))
            .build_cartesian_2d(0.0..self.last_step, (lo..hi).log_scale())
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .x_desc("step")
            .x_labels(6)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_desc(self.y_desc)
            .y_label_formatter(&|v| format!("{v:.0e}"))
            .label_style(c.font(12.0))
            .draw()
            .map_err(draw_error)?;
        if let Some(note) = self
            .empty_note
            .filter(|_| series.iter().all(|s| s.0.is_empty()))
        {
            chart
                .draw_series(std::iter::once(Text::new(
                    note.to_string(),
                    (0.05 * self.last_step, (lo * hi).sqrt()),
                    c.font(13.0),
                )))
                .map_err(draw_error)?;
        }
        for (points, color, name) in series {
            let points: Vec<(f64, f64)> = points
                .into_iter()
                .filter_map(|(x, y)| self.below.shown(y).map(|y| (x, y)))
                .collect();
            let dots = self.dots && points.len() <= 400;
            chart
                .draw_series(LineSeries::new(
                    points.clone(),
                    color.stroke_width(stroke(c, points.len())),
                ))
                .map_err(draw_error)?
                .label(name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
            if dots {
                chart
                    .draw_series(
                        points
                            .into_iter()
                            .map(|p| Circle::new(p, c.px(2.0).max(1), color.filled())),
                    )
                    .map_err(draw_error)?;
            }
        }
        Ok((chart, (lo, hi)))
    }
}
