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
    /// The network's exact p(g) of every ground state at the end (by id), when measured.
    pub exact: Option<Vec<f64>>,
}

/// Most exact bars drawn; beyond, the largest ones.
const MAX_EXACT_BARS: usize = 64;

impl ModesFigure {
    /// Bars of the exact p(g): (id, p), in id order or, beyond 64, the 64 largest.
    fn exact_bars(&self) -> Vec<(usize, f64)> {
        let Some(p) = &self.exact else {
            return Vec::new();
        };
        let mut bars: Vec<(usize, f64)> = p.iter().copied().enumerate().collect();
        if bars.len() > MAX_EXACT_BARS {
            bars.sort_by(|a, b| b.1.total_cmp(&a.1));
            bars.truncate(MAX_EXACT_BARS);
        }
        bars
    }

    fn draw_exact<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        c: Canvas,
    ) -> Result<(), FigureError> {
        let bars = self.exact_bars();
        let total = self.exact.as_ref().map_or(0, Vec::len);
        let mass: f64 = self.exact.iter().flatten().sum();
        let top = bars.iter().map(|b| b.1).fold(0.0, f64::max).max(1e-6) * 1.12;
        let title = if total > MAX_EXACT_BARS {
            format!("exact p(g) at the end: {MAX_EXACT_BARS} largest of {total} · mass {mass:.4}")
        } else {
            format!("exact p(g) of the {total} ground states at the end · mass {mass:.4}")
        };
        let mut chart = ChartBuilder::on(area)
            .caption(title, c.font(15.0))
            .margin(c.px(12.0))
            .x_label_area_size(c.px(40.0))
            .y_label_area_size(c.px(60.0))
            .build_cartesian_2d(-0.5..(bars.len().max(1) as f64 - 0.5), 0.0..top)
            .map_err(draw_error)?;
        let ids: Vec<usize> = bars.iter().map(|b| b.0).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("ground state id")
            .y_desc("p(g), teacher-forced")
            .x_labels(bars.len().clamp(1, 32))
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 {
                    ids.get(i as usize)
                        .map(|g| g.to_string())
                        .unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .label_style(c.font(12.0))
            .draw()
            .map_err(draw_error)?;
        let ground = RGBColor(40, 160, 80);
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (_, p))| {
                Rectangle::new(
                    [(i as f64 - 0.4, 0.0), (i as f64 + 0.4, *p)],
                    ground.filled(),
                )
            }))
            .map_err(draw_error)?;
        Ok(())
    }
}

impl Figure for ModesFigure {
    fn size(&self) -> (u32, u32) {
        if self.exact.is_some() {
            (1300, 480)
        } else {
            (760, 480)
        }
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        c: Canvas,
    ) -> Result<Vec<Raster>, FigureError> {
        let root = if self.exact.is_some() {
            let (left, right) = root.split_horizontally(c.px(720.0));
            self.draw_exact(&right, c)?;
            left
        } else {
            root.clone()
        };
        let root = &root;
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
