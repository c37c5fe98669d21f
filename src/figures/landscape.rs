//! Landscape figures: heatmap with contour lines, colour bar and the projected training
//! path; one panel, or the paper's three stages with one shared colour range.

use ndarray::Array2;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::contour::{contour_lines, even_levels};
use super::output::{draw_error, draw_legend, Canvas, Figure, FigureError, Raster};
use super::ColorScale;
use crate::landscape::{DirectionKind, Landscape, SurfaceEstimator};

/// One or more landscape panels sharing a colour scale.
pub struct LandscapeFigure<'a> {
    /// The panels with their titles.
    pub panels: Vec<(&'a Landscape, String)>,
    /// Colours and contours.
    pub scale: ColorScale,
}

impl LandscapeFigure<'_> {
    /// The shared value range (after clamping) of all panels.
    pub fn value_range(&self) -> (f64, f64) {
        self.scale.value_range(
            self.panels
                .iter()
                .flat_map(|(l, _)| l.surface.values.iter().copied()),
        )
    }

    fn position(&self, v: f64, range: (f64, f64)) -> f64 {
        self.scale.position(v, range)
    }

    fn color(&self, v: f64, range: (f64, f64)) -> RGBColor {
        let [r, g, b] = self.scale.rgb(v, range);
        RGBColor(r, g, b)
    }
}

/// Axis names for the directions of a landscape.
fn axis_names(l: &Landscape) -> (String, String) {
    if let Some([a, b]) = &l.settings.axis_labels {
        return (a.clone(), b.clone());
    }
    match (l.settings.directions, l.settings.explained) {
        (DirectionKind::Pca, Some([a, b])) => (
            format!("α (PC1, {:.1} % of variance)", 100.0 * a),
            format!("β (PC2, {:.1} %)", 100.0 * b),
        ),
        (kind, _) => {
            let name = format!("{kind:?}").to_lowercase();
            (
                format!("α ({name} direction δ)"),
                format!("β ({name} direction η)"),
            )
        }
    }
}

/// The one-line description of a landscape's settings.
pub fn caption(l: &Landscape) -> String {
    let s = &l.settings;
    let symbol = if s.kind == "thermal" { "T" } else { "B" };
    let estimator = match s.spec.estimator {
        SurfaceEstimator::Fresh => format!("fresh M={}", s.spec.samples),
        SurfaceEstimator::Crn => format!("CRN M={}", s.spec.samples),
        SurfaceEstimator::Exact => "exact".to_string(),
    };
    format!(
        "L={} {} {symbol}={:.3} step {} ({}) · {:?} directions, seed {} · {estimator} · roughness {:.2e}",
        s.size,
        s.kind,
        s.x,
        s.step,
        s.snapshot,
        s.directions,
        s.direction_seed,
        s.roughness
    )
}

impl Figure for LandscapeFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (120 + 480 * self.panels.len() as u32, 560)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        c: Canvas,
    ) -> Result<Vec<Raster>, FigureError> {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| draw_error(e);
        let range = self.value_range();
        let (w, _) = root.dim_in_pixel();
        let (top, body) = root.split_vertically(c.px(34.0));
        if let Some((first, _)) = self.panels.first() {
            let mut text = caption(first);
            if self.panels.len() > 1 {
                // Stages differ in step and X; keep what they share.
                let shared: Vec<&str> = text.split(" · ").skip(1).collect();
                let s = &first.settings;
                text = format!(
                    "L={} {} · {} · shared colour range",
                    s.size,
                    s.kind,
                    shared[..shared.len().saturating_sub(1)].join(" · ")
                );
            }
            top.draw_text(&text, &c.font(13.0), (c.px(10.0), c.px(10.0)))
                .map_err(err)?;
        }
        let colorbar_width = c.px(120.0) as u32;
        let (panels_area, bar_area) = body.split_horizontally(w.saturating_sub(colorbar_width));
        let areas = panels_area.split_evenly((1, self.panels.len().max(1)));
        let mut rasters = Vec::new();
        for ((landscape, title), area) in self.panels.iter().zip(areas.iter()) {
            if let Some(r) = self.draw_panel(area, landscape, title, range, c)? {
                rasters.push(r);
            }
        }
        self.draw_colorbar(&bar_area, range, c, self.panels.first().map(|p| p.0))?;
        Ok(rasters)
    }
}

impl LandscapeFigure<'_> {
    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        l: &Landscape,
        title: &str,
        range: (f64, f64),
        c: Canvas,
    ) -> Result<Option<Raster>, FigureError> {
        let s = &l.surface;
        let (na, nb) = (s.alpha.len(), s.beta.len());
        let da = if na > 1 { s.alpha[1] - s.alpha[0] } else { 1.0 };
        let (a0, a1) = (s.alpha[0] - da / 2.0, s.alpha[na - 1] + da / 2.0);
        let (xname, yname) = axis_names(l);
        if nb == 1 {
            return self.draw_slice(area, l, title, &xname, c).map(|_| None);
        }
        let db = s.beta[1] - s.beta[0];
        let (b0, b1) = (s.beta[0] - db / 2.0, s.beta[nb - 1] + db / 2.0);
        let mut chart = ChartBuilder::on(area)
            .caption(title, c.font(15.0))
            .margin(c.px(8.0))
            .x_label_area_size(c.px(44.0))
            .y_label_area_size(c.px(56.0))
            .build_cartesian_2d(a0..a1, b0..b1)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(xname)
            .y_desc(yname)
            .label_style(c.font(12.0))
            .axis_desc_style(c.font(13.0))
            .draw()
            .map_err(draw_error)?;
        let mut raster = None;
        if c.vector {
            let (xr, yr) = chart.plotting_area().get_pixel_range();
            let mut pixels = image::RgbImage::new(na as u32, nb as u32);
            for j in 0..nb {
                for i in 0..na {
                    let RGBColor(r, g, b) = self.color(s.values[[j, i]], range);
                    // Image rows run top-down, β upward.
                    pixels.put_pixel(i as u32, (nb - 1 - j) as u32, image::Rgb([r, g, b]));
                }
            }
            raster = Some(Raster {
                rect: (xr.start, yr.start, xr.end, yr.end),
                pixels,
            });
        } else {
            chart
                .draw_series(
                    (0..nb)
                        .flat_map(|j| (0..na).map(move |i| (i, j)))
                        .map(|(i, j)| {
                            let (x, y) = (s.alpha[i], s.beta[j]);
                            Rectangle::new(
                                [(x - da / 2.0, y - db / 2.0), (x + da / 2.0, y + db / 2.0)],
                                self.color(s.values[[j, i]], range).filled(),
                            )
                        }),
                )
                .map_err(draw_error)?;
        }
        // Contours on the coloured (clamped, possibly log) values.
        let levels: Vec<f64> = match &self.scale.levels {
            Some(values) => values
                .iter()
                .filter(|v| (range.0..=range.1).contains(*v))
                .map(|&v| self.position(v, range))
                .collect(),
            None => even_levels(0.0, 1.0, self.scale.contours),
        };
        if !levels.is_empty() {
            let positions =
                Array2::from_shape_fn((nb, na), |(j, i)| self.position(s.values[[j, i]], range));
            let to_data = |(i, j): (f64, f64)| (s.alpha[0] + i * da, s.beta[0] + j * db);
            for level in levels {
                let lines = contour_lines(positions.view(), level);
                chart
                    .draw_series(lines.into_iter().map(|line| {
                        PathElement::new(
                            line.into_iter().map(to_data).collect::<Vec<_>>(),
                            ShapeStyle::from(&BLACK.mix(0.55))
                                .stroke_width(c.px(1.0).max(1) as u32),
                        )
                    }))
                    .map_err(draw_error)?;
            }
        }
        self.draw_path(&mut chart, l, c)?;
        Ok(raster)
    }

    fn draw_path<'a, DB: DrawingBackend + 'a>(
        &self,
        chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
        l: &Landscape,
        c: Canvas,
    ) -> Result<(), FigureError> {
        let points: Vec<(f64, f64)> = l
            .path_alpha
            .iter()
            .zip(&l.path_beta)
            .map(|(&a, &b)| (a, b))
            .collect();
        let (Some(&start), Some(&end)) = (points.first(), points.last()) else {
            return Ok(());
        };
        // Markers only where they are really inside the plot (plotters would pin them to
        // the border); the path itself is clipped.
        let (xr, yr) = (chart.x_range(), chart.y_range());
        let inside = move |(x, y): (f64, f64)| xr.contains(&x) && yr.contains(&y);
        let style = ShapeStyle::from(&WHITE).stroke_width(c.px(2.0).max(1) as u32);
        chart
            .draw_series(LineSeries::new(points.clone(), style))
            .map_err(draw_error)?
            .label("training path (projected)")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
        let r = c.px(5.0);
        chart
            .draw_series(
                std::iter::once(start)
                    .filter(|p| inside(*p))
                    .map(|p| Circle::new(p, r, RGBColor(40, 200, 80).filled())),
            )
            .map_err(draw_error)?
            .label("start")
            .legend(move |(x, y)| Circle::new((x + 8, y), r, RGBColor(40, 200, 80).filled()));
        chart
            .draw_series(std::iter::once(end).filter(|p| inside(*p)).map(|p| {
                Cross::new(
                    p,
                    r + 1,
                    ShapeStyle::from(&RED).stroke_width(c.px(2.5) as u32),
                )
            }))
            .map_err(draw_error)?
            .label("end")
            .legend(move |(x, y)| {
                Cross::new((x + 8, y), r, ShapeStyle::from(&RED).stroke_width(2))
            });
        draw_legend(chart, c, SeriesLabelPosition::LowerRight)
    }

    fn draw_slice<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        l: &Landscape,
        title: &str,
        xname: &str,
        c: Canvas,
    ) -> Result<(), FigureError> {
        let s = &l.surface;
        let values: Vec<(f64, f64, f64)> = (0..s.alpha.len())
            .map(|i| (s.alpha[i], s.values[[0, i]], s.stderr[[0, i]]))
            .collect();
        let lo = values
            .iter()
            .map(|v| v.1 - v.2)
            .fold(f64::INFINITY, f64::min);
        let hi = values
            .iter()
            .map(|v| v.1 + v.2)
            .fold(f64::NEG_INFINITY, f64::max);
        let pad = ((hi - lo) * 0.05).max(1e-9);
        let mut chart = ChartBuilder::on(area)
            .caption(title, c.font(15.0))
            .margin(c.px(8.0))
            .x_label_area_size(c.px(44.0))
            .y_label_area_size(c.px(70.0))
            .build_cartesian_2d(
                s.alpha[0]..s.alpha[s.alpha.len() - 1],
                (lo - pad)..(hi + pad),
            )
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .x_desc(xname)
            .y_desc(value_name(l))
            .label_style(c.font(12.0))
            .draw()
            .map_err(draw_error)?;
        chart
            .draw_series(values.iter().map(|&(a, v, e)| {
                PathElement::new(vec![(a, v - e), (a, v + e)], BLUE.mix(0.4).stroke_width(1))
            }))
            .map_err(draw_error)?;
        chart
            .draw_series(LineSeries::new(
                values.iter().map(|v| (v.0, v.1)),
                BLUE.stroke_width(c.px(2.0) as u32),
            ))
            .map_err(draw_error)?;
        Ok(())
    }

    fn draw_colorbar<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        (lo, hi): (f64, f64),
        c: Canvas,
        first: Option<&Landscape>,
    ) -> Result<(), FigureError> {
        let mut chart = ChartBuilder::on(area)
            .margin_top(c.px(40.0))
            .margin_bottom(c.px(52.0))
            .margin_right(c.px(8.0))
            .y_label_area_size(c.px(0.0))
            .right_y_label_area_size(c.px(62.0))
            .build_cartesian_2d(0.0..1.0, lo..hi)
            .map_err(draw_error)?
            .set_secondary_coord(0.0..1.0, lo..hi);
        let steps = 128;
        chart
            .draw_series((0..steps).map(|k| {
                let (v0, v1) = (
                    lo + (hi - lo) * k as f64 / steps as f64,
                    lo + (hi - lo) * (k + 1) as f64 / steps as f64,
                );
                Rectangle::new(
                    [(0.0, v0), (1.0, v1)],
                    self.color(0.5 * (v0 + v1), (lo, hi)).filled(),
                )
            }))
            .map_err(draw_error)?;
        chart
            .configure_secondary_axes()
            .y_desc(first.map(value_name).unwrap_or_default())
            .label_style(c.font(11.0))
            .axis_desc_style(c.font(12.0))
            .y_labels(6)
            .draw()
            .map_err(draw_error)?;
        Ok(())
    }
}

/// The name of the plotted value.
pub fn value_name(l: &Landscape) -> String {
    if l.settings.kind == "thermal" {
        "F/N (free energy per spin)".into()
    } else {
        "<E_loc>/N (energy per spin)".into()
    }
}
