//! Publication figures drawn with plotters (PNG and SVG), shared by the app and the command
//! line. Text uses egui's own font, so no system font is needed.

mod colormap;
mod contour;
mod landscape;
mod output;

pub use colormap::ColorMap;
pub use contour::{contour_lines, contour_segments, even_levels, Segment};
pub use landscape::{caption, value_name, ColorScale, LandscapeFigure};
pub use output::{base64, register_fonts, render, Canvas, Figure, FigureError, Raster, FONT};
