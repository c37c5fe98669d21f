//! The landscape as a shaded 3D height field (SPEC §10), drawn by a small software rasteriser
//! into an RGBA image, so the app, the command line and the tests share one renderer and no
//! GPU is needed: flat-shaded triangles with a depth buffer, contour lines where the colour
//! level changes, the path at its own objective values and the centre marked.

use image::{Rgba, RgbaImage};
use ndarray::ArrayView2;

use super::ColorScale;

/// Distance of the eye from the centre of the scene, in scene units (the grid spans [−1, 1]).
pub const CAMERA_DISTANCE: f64 = 4.0;

/// Height of the scene's value axis, in scene units: values span [−HEIGHT/2, HEIGHT/2].
pub const HEIGHT: f64 = 0.9;

/// Pixels per scene unit at zoom 1, as a fraction of the image's smaller side.
pub const PIXELS_PER_UNIT: f64 = 0.36;

/// Where the surface is seen from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Camera {
    /// Rotation about the vertical axis, degrees (0: looking along +β).
    pub azimuth: f64,
    /// Angle above the horizon, degrees (90: from straight above).
    pub elevation: f64,
    /// Magnification (1: the grid fills about three quarters of the image).
    pub zoom: f64,
}

impl Default for Camera {
    fn default() -> Self {
        Self {
            azimuth: 35.0,
            elevation: 30.0,
            zoom: 1.0,
        }
    }
}

impl Camera {
    /// Pixel position and depth (larger is farther) of the scene point `p` in a `w` × `h`
    /// image: rotate by the azimuth about z, tilt by the elevation, then perspective.
    pub fn project(&self, p: [f64; 3], w: u32, h: u32) -> (f64, f64, f64) {
        let (sa, ca) = self.azimuth.to_radians().sin_cos();
        let (se, ce) = self.elevation.clamp(-89.0, 89.0).to_radians().sin_cos();
        let x1 = ca * p[0] - sa * p[1];
        let y1 = sa * p[0] + ca * p[1];
        let screen_x = x1;
        let screen_y = y1 * se + p[2] * ce;
        let depth = y1 * ce - p[2] * se;
        let f = CAMERA_DISTANCE / (CAMERA_DISTANCE + depth);
        let s = PIXELS_PER_UNIT * w.min(h) as f64 * self.zoom;
        (
            w as f64 / 2.0 + s * f * screen_x,
            h as f64 / 2.0 - s * f * screen_y,
            depth,
        )
    }

    /// The unit vector from the scene towards the eye, for shading.
    fn towards_eye(&self) -> [f64; 3] {
        let (sa, ca) = self.azimuth.to_radians().sin_cos();
        let (se, ce) = self.elevation.clamp(-89.0, 89.0).to_radians().sin_cos();
        // The inverse rotation of the view direction (0, −cos e, sin e).
        let (x1, y1, z) = (0.0, -ce, se);
        [ca * x1 + sa * y1, -sa * x1 + ca * y1, z]
    }
}

/// How values become heights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeightScale {
    /// The value itself.
    #[default]
    Linear,
    /// log10(value − min + 10⁻³·span): the floor of a deep bowl opens up.
    Log,
}

/// A surface to draw: the grid, its values, the path and how to colour it.
pub struct SurfaceScene<'a> {
    /// α axis.
    pub alpha: &'a [f64],
    /// β axis.
    pub beta: &'a [f64],
    /// `values[[row, col]]` at (α_col, β_row).
    pub values: ArrayView2<'a, f64>,
    /// The path as (α, β, its own objective value) per point, drawn where it lies over the grid.
    pub path: Vec<[f64; 3]>,
    /// Mark the centre (α, β) = (0, 0).
    pub centre: bool,
    /// Colours, range and contour count (`contours` levels, 0 = none).
    pub scale: ColorScale,
    /// Heights linear or log.
    pub height: HeightScale,
    /// The values at the bottom and top of the height axis (`None`: the values' own range;
    /// a film passes its shared range so frames compare).
    pub height_range: Option<(f64, f64)>,
}

/// The colour the centre is marked with.
pub const CENTRE_COLOUR: [u8; 3] = [230, 30, 40];

/// The colour of the path.
pub const PATH_COLOUR: [u8; 3] = [255, 255, 255];

impl SurfaceScene<'_> {
    /// The value range of the colours.
    pub fn range(&self) -> (f64, f64) {
        self.scale.value_range(self.values.iter().copied())
    }

    /// The value range of the height axis.
    pub fn height_range(&self) -> (f64, f64) {
        self.height_range.unwrap_or_else(|| {
            ColorScale {
                range: None,
                clamp_percentiles: None,
                ..self.scale.clone()
            }
            .value_range(self.values.iter().copied())
        })
    }

    /// Height in scene units of value `v` on the height axis `(lo, hi)`.
    fn height_in(&self, v: f64, (lo, hi): (f64, f64)) -> f64 {
        let t = match self.height {
            HeightScale::Linear => (v.clamp(lo, hi) - lo) / (hi - lo),
            HeightScale::Log => {
                let eps = 1e-3 * (hi - lo);
                let v = v.clamp(lo, hi);
                ((v - lo + eps).log10() - eps.log10()) / ((hi - lo + eps).log10() - eps.log10())
            }
        };
        HEIGHT * (t - 0.5)
    }

    /// The scene point of (α, β, value): α and β scaled so the grid spans [−1, 1], the value
    /// on the height axis.
    pub fn point(&self, a: f64, b: f64, v: f64) -> [f64; 3] {
        self.point_in(a, b, v, self.height_range())
    }

    fn point_in(&self, a: f64, b: f64, v: f64, heights: (f64, f64)) -> [f64; 3] {
        let span = |axis: &[f64], x: f64| {
            let (lo, hi) = (axis[0], axis[axis.len() - 1]);
            if hi > lo {
                2.0 * (x - lo) / (hi - lo) - 1.0
            } else {
                0.0
            }
        };
        [
            span(self.alpha, a),
            span(self.beta, b),
            self.height_in(v, heights),
        ]
    }

    /// Draw the scene into a `w` × `h` image on `background`.
    pub fn render(&self, camera: &Camera, w: u32, h: u32, background: [u8; 3]) -> RgbaImage {
        let mut target = Target::new(w, h, background);
        let range = self.range();
        let heights = self.height_range();
        let (rows, cols) = self.values.dim();
        if rows < 2 || cols < 2 || self.alpha.len() != cols || self.beta.len() != rows {
            return target.image;
        }
        let levels = self.scale.contours.max(1) as f64;
        let eye = camera.towards_eye();
        let vertex = |r: usize, c: usize| {
            let v = self.values[[r, c]];
            let p = self.point_in(self.alpha[c], self.beta[r], v, heights);
            let (x, y, d) = camera.project(p, w, h);
            Vertex {
                world: p,
                screen: [x, y, d],
                colour: self.scale.position(v, range),
            }
        };
        for r in 0..rows - 1 {
            for c in 0..cols - 1 {
                let (v00, v01, v10, v11) = (
                    vertex(r, c),
                    vertex(r, c + 1),
                    vertex(r + 1, c),
                    vertex(r + 1, c + 1),
                );
                for tri in [[&v00, &v01, &v11], [&v00, &v11, &v10]] {
                    if tri.iter().any(|v| !v.colour.is_finite()) {
                        continue;
                    }
                    let light = lambert(tri, eye);
                    target.fill(tri, light, |t| {
                        let [r, g, b] = self.scale.map.rgb(t);
                        [r, g, b]
                    });
                }
            }
        }
        if self.scale.contours > 0 {
            target.contours(levels);
        }
        // The path at its own values; a little nearer than the surface so it is not hidden by
        // the triangles it lies on.
        let bias = 0.08;
        let points: Vec<Option<(f64, f64, f64)>> = self
            .path
            .iter()
            .map(|&[a, b, v]| {
                let inside = (self.alpha[0]..=self.alpha[cols - 1]).contains(&a)
                    && (self.beta[0]..=self.beta[rows - 1]).contains(&b)
                    && v.is_finite();
                inside.then(|| camera.project(self.point_in(a, b, v, heights), w, h))
            })
            .collect();
        for pair in points.windows(2) {
            if let (Some(p), Some(q)) = (pair[0], pair[1]) {
                target.line(p, q, bias, PATH_COLOUR);
            }
        }
        if self.centre {
            let (r, c) = (rows / 2, cols / 2);
            let v = self.values[[r, c]];
            if v.is_finite() {
                let p = camera.project(self.point_in(0.0, 0.0, v, heights), w, h);
                target.dot(p, 4.0, CENTRE_COLOUR);
            }
        }
        target.image
    }
}

struct Vertex {
    world: [f64; 3],
    screen: [f64; 3],
    colour: f64,
}

/// Diffuse light from the eye's side plus an ambient floor, from the triangle's world normal.
fn lambert(tri: [&Vertex; 3], eye: [f64; 3]) -> f64 {
    let sub = |a: [f64; 3], b: [f64; 3]| [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
    let u = sub(tri[1].world, tri[0].world);
    let v = sub(tri[2].world, tri[0].world);
    let n = [
        u[1] * v[2] - u[2] * v[1],
        u[2] * v[0] - u[0] * v[2],
        u[0] * v[1] - u[1] * v[0],
    ];
    let len = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt();
    if len == 0.0 {
        return 1.0;
    }
    // The light sits above and behind the eye, so slopes facing it are bright.
    let light = [eye[0] * 0.5, eye[1] * 0.5, eye[2] * 0.5 + 0.8];
    let l = (light[0] * light[0] + light[1] * light[1] + light[2] * light[2]).sqrt();
    let cos = ((n[0] * light[0] + n[1] * light[1] + n[2] * light[2]) / (len * l)).abs();
    0.35 + 0.65 * cos
}

/// The image with its depth buffer and the colour position of each surface pixel.
struct Target {
    image: RgbaImage,
    depth: Vec<f64>,
    position: Vec<f64>,
    w: u32,
    h: u32,
}

impl Target {
    fn new(w: u32, h: u32, background: [u8; 3]) -> Self {
        let [r, g, b] = background;
        Self {
            image: RgbaImage::from_pixel(w, h, Rgba([r, g, b, 255])),
            depth: vec![f64::INFINITY; (w * h) as usize],
            position: vec![f64::NAN; (w * h) as usize],
            w,
            h,
        }
    }

    /// Fill a triangle: barycentric over its bounding box, depth-tested, the colour position
    /// interpolated and shaded by `light`.
    fn fill(&mut self, tri: [&Vertex; 3], light: f64, colour: impl Fn(f64) -> [u8; 3]) {
        let [a, b, c] = tri.map(|v| v.screen);
        let area = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
        if area.abs() < 1e-12 {
            return;
        }
        let x0 = a[0].min(b[0]).min(c[0]).floor().max(0.0) as u32;
        let x1 = a[0].max(b[0]).max(c[0]).ceil().min(self.w as f64 - 1.0);
        let y0 = a[1].min(b[1]).min(c[1]).floor().max(0.0) as u32;
        let y1 = a[1].max(b[1]).max(c[1]).ceil().min(self.h as f64 - 1.0);
        if x1 < 0.0 || y1 < 0.0 {
            return;
        }
        for y in y0..=y1 as u32 {
            for x in x0..=x1 as u32 {
                let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
                let w0 = ((b[0] - px) * (c[1] - py) - (b[1] - py) * (c[0] - px)) / area;
                let w1 = ((c[0] - px) * (a[1] - py) - (c[1] - py) * (a[0] - px)) / area;
                let w2 = 1.0 - w0 - w1;
                if w0 < -1e-9 || w1 < -1e-9 || w2 < -1e-9 {
                    continue;
                }
                let d = w0 * a[2] + w1 * b[2] + w2 * c[2];
                let i = (y * self.w + x) as usize;
                if d >= self.depth[i] {
                    continue;
                }
                self.depth[i] = d;
                let t = w0 * tri[0].colour + w1 * tri[1].colour + w2 * tri[2].colour;
                self.position[i] = t;
                let [r, g, bl] = colour(t);
                let shade = |v: u8| (v as f64 * light).round().clamp(0.0, 255.0) as u8;
                self.image
                    .put_pixel(x, y, Rgba([shade(r), shade(g), shade(bl), 255]));
            }
        }
    }

    /// Darken surface pixels where the colour level differs from a neighbour's: contour lines
    /// that follow the surface.
    fn contours(&mut self, levels: f64) {
        let level = |t: f64| (t * levels).floor().min(levels - 1.0);
        let (w, h) = (self.w as usize, self.h as usize);
        let mut marks = Vec::new();
        for y in 0..h.saturating_sub(1) {
            for x in 0..w.saturating_sub(1) {
                let i = y * w + x;
                let t = self.position[i];
                if t.is_nan() {
                    continue;
                }
                for j in [i + 1, i + w] {
                    let u = self.position[j];
                    // Across a silhouette the neighbour is another part of the surface.
                    let near = (self.depth[j] - self.depth[i]).abs() < 0.05;
                    if !u.is_nan() && near && level(u) != level(t) {
                        marks.push(i);
                        break;
                    }
                }
            }
        }
        for i in marks {
            let p = self.image.get_pixel_mut((i % w) as u32, (i / w) as u32);
            for k in 0..3 {
                p.0[k] = (p.0[k] as f64 * 0.45) as u8;
            }
        }
    }

    /// A depth-tested line from `p` to `q`, `bias` nearer than its own depth.
    fn line(&mut self, p: (f64, f64, f64), q: (f64, f64, f64), bias: f64, colour: [u8; 3]) {
        let steps = ((q.0 - p.0).abs().max((q.1 - p.1).abs()).ceil() as usize).max(1);
        for k in 0..=steps {
            let t = k as f64 / steps as f64;
            let (x, y, d) = (
                p.0 + t * (q.0 - p.0),
                p.1 + t * (q.1 - p.1),
                p.2 + t * (q.2 - p.2) - bias,
            );
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                self.plot(x + dx as f64 - 0.5, y + dy as f64 - 0.5, d, colour);
            }
        }
    }

    /// A round dot of `radius` pixels drawn over everything.
    fn dot(&mut self, p: (f64, f64, f64), radius: f64, colour: [u8; 3]) {
        let r = radius.ceil() as i64;
        for dy in -r..=r {
            for dx in -r..=r {
                if ((dx * dx + dy * dy) as f64) <= radius * radius {
                    self.plot(p.0 + dx as f64, p.1 + dy as f64, f64::NEG_INFINITY, colour);
                }
            }
        }
    }

    fn plot(&mut self, x: f64, y: f64, d: f64, [r, g, b]: [u8; 3]) {
        if x < 0.0 || y < 0.0 || x >= self.w as f64 || y >= self.h as f64 {
            return;
        }
        let (x, y) = (x as u32, y as u32);
        let i = (y * self.w + x) as usize;
        if d <= self.depth[i] {
            self.depth[i] = d.max(f64::MIN);
            self.image.put_pixel(x, y, Rgba([r, g, b, 255]));
        }
    }
}
