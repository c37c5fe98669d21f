//! Publication figures drawn with plotters (PNG and SVG), shared by the app and the command
//! line. Text uses egui's own font, so no system font is needed.

mod color_scale;
mod colormap;
mod contour;
mod curvature;
mod curves;
mod distances;
mod field_curves;
mod landscape;
mod lattice;
mod log_panel;
mod modes;
mod output;
mod remedies;
mod scaling;
pub mod tab10;

pub use color_scale::ColorScale;
pub use colormap::ColorMap;
pub use contour::{contour_lines, contour_segments, even_levels, Segment};
pub use curvature::CurvatureFigure;
pub use curves::{Curves, CurvesFigure};
pub use distances::DistancesFigure;
pub use field_curves::{FieldCurvesFigure, FieldPanel, FieldRun};
pub use landscape::{caption, value_name, LandscapeFigure};
pub use lattice::LatticeFigure;
pub use modes::ModesFigure;
pub use output::{base64, register_fonts, render, Canvas, Figure, FigureError, Raster, FONT};
pub use remedies::{CostPanel, CostPoint, CoverageCostFigure};
pub use scaling::{ScalingFigure, ScalingPoint, ScalingSeries};
