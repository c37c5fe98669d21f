//! Exact distances along the anneal (SPEC §6.4): how far the network is from its target, the
//! gap Δ(B), and how its weight spreads over the ground states, with the energy jumps and the
//! collapse onset marked.

use super::log_panel::{stroke, Below, LogPanel};
use super::output::rgb;
use super::tab10;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::output::{draw_error, draw_legend, Canvas, Figure, FigureError, Raster};
use crate::anneal::DistanceRow;

/// The data of a distances figure.
pub struct DistancesFigure {
    /// Title line.
    pub title: String,
    /// Whether the run is quantum (B) or thermal (T).
    pub quantum: bool,
    /// The exact rows, in step order (the final row last).
    pub rows: Vec<DistanceRow>,
    /// Per step: (step, Δf, its standard error) for thermal runs.
    pub free_energy_gap: Vec<(f64, f64, f64)>,
    /// Steps of the energy jumps.
    pub jumps: Vec<f64>,
    /// Step of the collapse onset.
    pub collapse: Option<f64>,
    /// 2^k.
    pub ground_states: usize,
}

/// Where a log axis may start: values below are drawn at the floor.
const LOG_FLOOR: f64 = 1e-12;

const JUMP: RGBColor = rgb(tab10::RED);
const COLLAPSE: RGBColor = rgb(tab10::PURPLE);
const BLUE: RGBColor = rgb(tab10::BLUE);
const ORANGE: RGBColor = rgb(tab10::ORANGE);
const GREEN: RGBColor = rgb(tab10::GREEN);
const TEAL: RGBColor = rgb(tab10::CYAN);

type Series = (Vec<(f64, f64)>, RGBColor, &'static str);

impl DistancesFigure {
    fn series(&self, pick: impl Fn(&DistanceRow) -> Option<f64>) -> Vec<(f64, f64)> {
        self.rows
            .iter()
            .filter_map(|r| pick(r).map(|v| (r.step as f64, v)))
            .collect()
    }

    fn last_step(&self) -> f64 {
        self.rows
            .last()
            .map(|r| r.step as f64)
            .into_iter()
            .chain(self.free_energy_gap.last().map(|p| p.0))
            .fold(1.0, f64::max)
    }

    fn markers<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
        &self,
        chart: &mut ChartContext<'_, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
        (lo, hi): (f64, f64),
        c: Canvas,
    ) -> Result<(), FigureError> {
        for (i, &s) in self.jumps.iter().enumerate() {
            let series = chart
                .draw_series(LineSeries::new(
                    vec![(s, lo), (s, hi)],
                    JUMP.mix(0.6).stroke_width(1),
                ))
                .map_err(draw_error)?;
            if i == 0 {
                series
                    .label("energy jump")
                    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], JUMP));
            }
        }
        if let Some(s) = self.collapse {
            chart
                .draw_series(LineSeries::new(
                    vec![(s, lo), (s, hi)],
                    COLLAPSE.stroke_width(c.px(2.0).max(1) as u32),
                ))
                .map_err(draw_error)?
                .label("collapse onset")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], COLLAPSE));
        }
        Ok(())
    }

    /// A panel of log-scale series against step.
    fn log_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        c: Canvas,
        y_desc: &str,
        series: Vec<Series>,
        minimum_of: Option<&[(f64, f64)]>,
    ) -> Result<(), FigureError> {
        let panel = LogPanel {
            y_desc,
            last_step: self.last_step(),
            below: Below::Floor(LOG_FLOOR),
            dots: true,
            empty_note: Some("not measured at this size"),
        };
        let (mut chart, (lo, hi)) = panel.draw(area, c, series)?;
        if let Some(points) = minimum_of {
            // The smallest value while the field is on: where an anneal must be slowest.
            let on: Vec<(f64, f64, f64)> = points
                .iter()
                .filter_map(|&(step, v)| {
                    let row = self.rows.iter().find(|r| r.step as f64 == step)?;
                    (row.field > 0.0).then_some((step, v, row.field))
                })
                .collect();
            if let Some(&(step, v, b)) = on.iter().min_by(|a, b| a.1.total_cmp(&b.1)) {
                chart
                    .draw_series(std::iter::once(Circle::new(
                        (step, v.max(LOG_FLOOR)),
                        c.px(4.0),
                        TEAL.filled(),
                    )))
                    .map_err(draw_error)?;
                chart
                    .draw_series(std::iter::once(Text::new(
                        format!("min {v:.3} at B = {b:.3}"),
                        (step, v.max(LOG_FLOOR) * 1.3),
                        c.font(11.0),
                    )))
                    .map_err(draw_error)?;
            }
        }
        self.markers(&mut chart, (lo, hi), c)?;
        draw_legend(&mut chart, c, SeriesLabelPosition::LowerLeft)
    }

    fn modes_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        c: Canvas,
    ) -> Result<(), FigureError> {
        let modes = self.series(|r| r.effective_modes);
        let mass = self.series(|r| r.ground_state_mass);
        let top = (self.ground_states.max(1) as f64 * 1.08).max(1.5);
        let mut chart = ChartBuilder::on(area)
            .margin(c.px(10.0))
            .x_label_area_size(c.px(40.0))
            .y_label_area_size(c.px(50.0))
            .right_y_label_area_size(c.px(50.0))
            .build_cartesian_2d(0.0..self.last_step(), 0.0..top)
            .map_err(draw_error)?
            .set_secondary_coord(0.0..self.last_step(), 0.0..1.05);
        chart
            .configure_mesh()
            .x_desc("step")
            .x_labels(6)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_desc(format!("effective modes (of {})", self.ground_states))
            .label_style(c.font(12.0))
            .draw()
            .map_err(draw_error)?;
        chart
            .configure_secondary_axes()
            .y_desc("ground-state mass")
            .label_style(c.font(12.0))
            .draw()
            .map_err(draw_error)?;
        chart
            .draw_series(LineSeries::new(
                vec![(0.0, 1.5), (self.last_step(), 1.5)],
                COLLAPSE.mix(0.4).stroke_width(1),
            ))
            .map_err(draw_error)?;
        chart
            .draw_series(LineSeries::new(
                modes.clone(),
                BLUE.stroke_width(stroke(c, modes.len())),
            ))
            .map_err(draw_error)?
            .label("effective modes exp H(pi)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLUE));
        chart
            .draw_secondary_series(LineSeries::new(
                mass.clone(),
                ORANGE.stroke_width(stroke(c, mass.len())),
            ))
            .map_err(draw_error)?
            .label("ground-state mass (right)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], ORANGE));
        for &s in &self.jumps {
            chart
                .draw_series(LineSeries::new(
                    vec![(s, 0.0), (s, top)],
                    JUMP.mix(0.6).stroke_width(1),
                ))
                .map_err(draw_error)?;
        }
        if let Some(s) = self.collapse {
            chart
                .draw_series(LineSeries::new(
                    vec![(s, 0.0), (s, top)],
                    COLLAPSE.stroke_width(c.px(2.0).max(1) as u32),
                ))
                .map_err(draw_error)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::MiddleRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font(c.font(11.0))
            .draw()
            .map_err(draw_error)?;
        Ok(())
    }
}

impl Figure for DistancesFigure {
    fn size(&self) -> (u32, u32) {
        (1500, 460)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        c: Canvas,
    ) -> Result<Vec<Raster>, FigureError> {
        let (top, body) = root.split_vertically(c.px(30.0));
        top.draw_text(&self.title, &c.font(14.0), (c.px(10.0), c.px(8.0)))
            .map_err(draw_error)?;
        let panels = body.split_evenly((1, 3));
        let enumerated = self
            .rows
            .iter()
            .any(|r| r.energy_error.is_some() || r.kl_forward.is_some());
        if !enumerated {
            // N too large to enumerate: the ground-state mass and the spread over the ground
            // states are what is exact.
            let mass = self.series(|r| r.ground_state_mass);
            let kl = self.series(|r| r.kl_to_uniform_ground_states);
            if self.free_energy_gap.is_empty() {
                self.log_panel(
                    &panels[0],
                    c,
                    "ground-state mass (exact)",
                    vec![(mass, ORANGE, "sum of p(g)")],
                    None,
                )?;
            } else {
                let sampled = self.free_energy_gap.iter().map(|p| (p.0, p.1)).collect();
                self.log_panel(
                    &panels[0],
                    c,
                    "free-energy gap per spin",
                    vec![
                        (sampled, ORANGE, "sampled <F_loc>/N - f(T)"),
                        (mass, GREEN, "ground-state mass"),
                    ],
                    None,
                )?;
            }
            self.log_panel(
                &panels[1],
                c,
                "KL(pi||uniform) over ground states",
                vec![(kl, BLUE, "k ln 2 - H(pi)")],
                None,
            )?;
        } else if self.quantum {
            let series = vec![
                (
                    self.series(|r| r.fidelity.map(|f| 1.0 - f)),
                    BLUE,
                    "1 - fidelity",
                ),
                (
                    self.series(|r| r.energy_error),
                    ORANGE,
                    "exact energy error / N",
                ),
            ];
            self.log_panel(
                &panels[0],
                c,
                "distance to the ground state of H_B",
                series,
                None,
            )?;
            let symmetric = self.series(|r| r.gap_symmetric);
            let gaps = vec![
                (self.series(|r| r.gap), GREEN, "gap E1 - E0"),
                (symmetric.clone(), TEAL, "gap in the sector of psi0"),
            ];
            self.log_panel(&panels[1], c, "gap (whole lattice)", gaps, Some(&symmetric))?;
        } else {
            let sampled: Vec<(f64, f64)> = {
                let thin = (self.free_energy_gap.len() / 2000).max(1);
                self.free_energy_gap
                    .iter()
                    .step_by(thin)
                    .map(|p| (p.0, p.1))
                    .collect()
            };
            let exact = self.series(|r| r.kl_reverse.map(|k| k * r.temperature));
            self.log_panel(
                &panels[0],
                c,
                "free-energy gap per spin",
                vec![
                    (sampled, ORANGE, "sampled <F_loc>/N - f(T)"),
                    (exact, BLUE, "exact T KL(q||p_T)/N"),
                ],
                None,
            )?;
            let forward = self.series(|r| r.kl_forward);
            self.log_panel(
                &panels[1],
                c,
                "KL(p_T||q)/N (missing modes)",
                vec![(forward, GREEN, "forward KL")],
                None,
            )?;
        }
        self.modes_panel(&panels[2], c)?;
        Ok(Vec::new())
    }
}
