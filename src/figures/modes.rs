//! The final evaluation's distinct configurations: counts, ground states marked.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::output::{draw_error, draw_legend, Canvas, Figure, FigureError, Raster};
use crate::anneal::ModeCount;

/// A histogram of the most frequent configurations.
pub struct ModesFigure {
    /// Most frequent first.
    pub modes: Vec<ModeCount>,
    /// Samples drawn.
    pub samples: usize,
    /// Distinct ground states among them.
    pub ground_states_found: usize,
    /// k (2^k ground states).
    pub degeneracy_log2: usize,
}

impl Figure for ModesFigure {
    fn size(&self) -> (u32, u32) {
        (760, 480)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        c: Canvas,
    ) -> Result<Vec<Raster>, FigureError> {
        let shown: Vec<&ModeCount> = self.modes.iter().take(32).collect();
        let max = shown.iter().map(|m| m.count).max().unwrap_or(1) as f64;
        let title = format!(
            "final samples: {} · ground states found {} of 2^{} = {}",
            self.samples,
            self.ground_states_found,
            self.degeneracy_log2,
            if self.degeneracy_log2 < 63 {
                (1u64 << self.degeneracy_log2).to_string()
            } else {
                format!("2^{}", self.degeneracy_log2)
            }
        );
        let mut chart = ChartBuilder::on(root)
            .caption(title, c.font(15.0))
            .margin(c.px(12.0))
            .x_label_area_size(c.px(40.0))
            .y_label_area_size(c.px(60.0))
            .build_cartesian_2d(-0.5..(shown.len().max(1) as f64 - 0.5), 0.0..(max * 1.12))
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("distinct configurations, most frequent first")
            .y_desc("count")
            .x_labels(shown.len().clamp(1, 32))
            .x_label_formatter(&|x| {
                if (x - x.round()).abs() < 1e-6 && *x >= 0.0 {
                    format!("{}", x.round() as usize + 1)
                } else {
                    String::new()
                }
            })
            // Counts are whole: small maxima get half-integer ticks, which stay unlabelled.
            .y_label_formatter(&|y| {
                if (y - y.round()).abs() < 1e-9 {
                    format!("{y:.0}")
                } else {
                    String::new()
                }
            })
            .label_style(c.font(12.0))
            .draw()
            .map_err(draw_error)?;
        let ground = RGBColor(40, 160, 80);
        let other = RGBColor(150, 150, 150);
        chart
            .draw_series(shown.iter().enumerate().map(|(i, m)| {
                let color = if m.ground_state.is_some() {
                    ground
                } else {
                    other
                };
                Rectangle::new(
                    [(i as f64 - 0.4, 0.0), (i as f64 + 0.4, m.count as f64)],
                    color.filled(),
                )
            }))
            .map_err(draw_error)?
            .label("ground state")
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], ground.filled()));
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(0.0, 0.0), (0.0, 0.0)],
                other.filled(),
            )))
            .map_err(draw_error)?
            .label("excited")
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], other.filled()));
        // Counts above the bars: rare modes are invisible as bars.
        chart
            .draw_series(shown.iter().enumerate().map(|(i, m)| {
                Text::new(
                    m.count.to_string(),
                    (i as f64 - 0.3, m.count as f64 + 0.02 * max),
                    c.font(10.0),
                )
            }))
            .map_err(draw_error)?;
        draw_legend(&mut chart, c, SeriesLabelPosition::UpperRight)?;
        Ok(Vec::new())
    }
}
