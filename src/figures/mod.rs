//! Publication figures drawn with plotters (PNG and SVG), shared by the app and the command
//! line. Text uses egui's own font, so no system font is needed.

mod cells;
mod color_scale;
mod colormap;
mod contour;
mod curvature;
mod curves;
mod distances;
mod field_curves;
mod film;
mod landscape;
mod landscape3d;
mod lattice;
mod log_panel;
mod modes;
mod output;
mod remedies;
mod scaling;
mod surface3d;
pub mod tab10;

pub use cells::{KlFigure, KlPanel, KlSeries};
pub use color_scale::ColorScale;
pub use colormap::ColorMap;
pub use contour::{contour_lines, contour_segments, even_levels, Segment};
pub use curvature::CurvatureFigure;
pub use curves::{Curves, CurvesFigure};
pub use distances::DistancesFigure;
pub use field_curves::{FieldCurvesFigure, FieldPanel, FieldRun};
pub use film::{
    ffmpeg_available, frame_image, frame_images, frame_title, write_gif, write_mp4, write_pngs,
};
pub use landscape::{caption, value_name, LandscapeFigure};
pub use landscape3d::Landscape3dFigure;
pub use lattice::LatticeFigure;
pub use modes::ModesFigure;
pub use output::{
    base64, rasterise, register_fonts, render, write_atomically_bytes, Canvas, Figure, FigureError,
    Raster, FONT,
};
pub use remedies::{CostPanel, CostPoint, CoverageCostFigure};
pub use scaling::{ScalingFigure, ScalingPoint, ScalingSeries};
pub use surface3d::{
    Camera, HeightScale, SurfaceScene, CAMERA_DISTANCE, CENTRE_COLOUR, HEIGHT, PATH_COLOUR,
    PIXELS_PER_UNIT,
};
