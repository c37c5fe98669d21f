//! The 3D renderer checked by pixels on small images: where the camera puts the centre of a
//! bowl, uniform shading of a plane, and the depth test hiding a far peak behind a near one.

use annealscape::figures::{
    Camera, ColorMap, ColorScale, HeightScale, SurfaceScene, CAMERA_DISTANCE, CENTRE_COLOUR,
    HEIGHT, PIXELS_PER_UNIT,
};
use ndarray::Array2;

const BACKGROUND: [u8; 3] = [255, 255, 255];

fn axis(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| -1.0 + 2.0 * i as f64 / (n - 1) as f64)
        .collect()
}

fn grid(n: usize, f: impl Fn(f64, f64) -> f64) -> Array2<f64> {
    let a = axis(n);
    Array2::from_shape_fn((n, n), |(r, c)| f(a[c], a[r]))
}

fn scene<'a>(
    axis: &'a [f64],
    values: &'a Array2<f64>,
    range: Option<(f64, f64)>,
    centre: bool,
) -> SurfaceScene<'a> {
    SurfaceScene {
        alpha: axis,
        beta: axis,
        values: values.view(),
        path: Vec::new(),
        centre,
        scale: ColorScale {
            map: ColorMap::Viridis,
            range,
            contours: 0,
            ..ColorScale::default()
        },
        height: HeightScale::Linear,
        height_range: None,
    }
}

#[test]
fn the_centre_of_a_bowl_lands_where_the_camera_maths_says() {
    let n = 41;
    let a = axis(n);
    let bowl = grid(n, |x, y| x * x + y * y);
    let (w, h) = (400u32, 300u32);
    for (azimuth, elevation) in [(30.0f64, 35.0f64), (-70.0, 60.0), (0.0, 10.0)] {
        let camera = Camera {
            azimuth,
            elevation,
            zoom: 1.0,
        };
        let image = scene(&a, &bowl, None, true).render(&camera, w, h, BACKGROUND);
        // The bowl's bottom (0, 0, 0) is the lowest value: height −HEIGHT/2. Rotating about the
        // vertical axis leaves it on the axis; tilting by e puts it at screen y = z cos e and
        // depth −z sin e; perspective scales by D / (D + depth).
        let z = -HEIGHT / 2.0;
        let e = elevation.to_radians();
        let f = CAMERA_DISTANCE / (CAMERA_DISTANCE - z * e.sin());
        let s = PIXELS_PER_UNIT * h as f64;
        let (px, py) = (w as f64 / 2.0, h as f64 / 2.0 - s * f * z * e.cos());
        let pixel = image.get_pixel(px as u32, py as u32).0;
        assert_eq!(
            &pixel[..3],
            &CENTRE_COLOUR,
            "azimuth {azimuth}, elevation {elevation}: centre expected at ({px:.1}, {py:.1})"
        );
        // The marker is a small dot there, not a smear.
        let away = image.get_pixel(px as u32 + 8, py as u32).0;
        assert_ne!(&away[..3], &CENTRE_COLOUR);
    }
}

#[test]
fn a_tilted_plane_renders_with_uniform_shading() {
    let n = 31;
    let a = axis(n);
    let plane = grid(n, |x, y| 0.3 * x - 0.2 * y);
    // A huge fixed colour range gives every value the same colour, so any change across the
    // plane would be shading; heights then follow a plane of their own.
    let mut s = scene(&a, &plane, Some((-1e6, 1e6)), false);
    let image = s.render(&Camera::default(), 200, 160, BACKGROUND);
    let mut colours: Vec<[u8; 3]> = image
        .pixels()
        .map(|p| [p.0[0], p.0[1], p.0[2]])
        .filter(|p| *p != BACKGROUND)
        .collect();
    let drawn = colours.len();
    colours.sort_unstable();
    colours.dedup();
    assert!(drawn > 2000, "the plane covers the image ({drawn} pixels)");
    assert_eq!(colours.len(), 1, "one shade over the plane: {colours:?}");

    // A bowl under the same colours shows several shades: the shading does vary with slope.
    let bowl = grid(n, |x, y| x * x + y * y);
    s.values = bowl.view();
    let image = s.render(&Camera::default(), 200, 160, BACKGROUND);
    let mut shades: Vec<[u8; 3]> = image
        .pixels()
        .map(|p| [p.0[0], p.0[1], p.0[2]])
        .filter(|p| *p != BACKGROUND)
        .collect();
    shades.sort_unstable();
    shades.dedup();
    assert!(shades.len() > 10, "{} shades on a bowl", shades.len());
}

#[test]
fn the_depth_test_hides_a_far_peak_behind_a_near_one() {
    let n = 61;
    let a = axis(n);
    let peak = |x: f64, y: f64, y0: f64, height: f64, width: f64| {
        height * (-(x * x + (y - y0) * (y - y0)) / (2.0 * width * width)).exp()
    };
    // Looking along +β from a low camera: β = −0.5 is near, β = +0.5 far. The grid is drawn
    // row by row from β = −1, so without a depth test the far peak would be painted last.
    let near = |x: f64, y: f64| peak(x, y, -0.5, 1.0, 0.15);
    let far = |x: f64, y: f64| peak(x, y, 0.5, 0.7, 0.3);
    let both = grid(n, |x, y| near(x, y) + far(x, y));
    let near_only = grid(n, near);
    let far_only = grid(n, far);
    let camera = Camera {
        azimuth: 0.0,
        elevation: 15.0,
        zoom: 1.0,
    };
    let (w, h) = (300u32, 240u32);
    let range = Some((0.0, 1.0));
    let render = |v: &Array2<f64>| {
        let mut s = scene(&a, v, range, false);
        s.height_range = range;
        s.render(&camera, w, h, BACKGROUND)
    };
    let (both_image, near_image, far_image) =
        (render(&both), render(&near_only), render(&far_only));
    // A point on the near peak's face, a little below its apex.
    let mut s = scene(&a, &near_only, range, false);
    s.height_range = range;
    let (x, y, _) = camera.project(s.point(0.0, -0.5, 1.0), w, h);
    // Down the near peak's face from its apex, the first pixel where the far peak is drawn
    // too (when alone) and looks different.
    let x = x as u32;
    let y = (y as u32..y as u32 + 40)
        .find(|&y| {
            let (f, n) = (far_image.get_pixel(x, y).0, near_image.get_pixel(x, y).0);
            f[..3] != BACKGROUND && n[..3] != BACKGROUND && f != n
        })
        .expect("the far peak lies behind the near one's face");
    assert_eq!(
        both_image.get_pixel(x, y).0,
        near_image.get_pixel(x, y).0,
        "the near peak hides the far one"
    );
}
