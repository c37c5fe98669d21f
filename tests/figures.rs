//! Figures as files: PNGs decode at the requested size, SVGs are well formed and hold the
//! contours, the embedded heatmap and the colour-bar labels; bad requests are refused.

use annealscape::analysis::{Existing, LandscapeRequest, RunFolder};
use annealscape::anneal::Silent;
use annealscape::figures::{render, ColorScale, LandscapeFigure};
use annealscape::landscape::{BiasDirection, DirectionKind, SurfaceEstimator, SurfaceSpec};
use annealscape::run::{run_blocking, RunConfig};
use std::sync::atomic::AtomicBool;

fn landscape_run(name: &str) -> (std::path::PathBuf, annealscape::landscape::Landscape) {
    let dir = std::env::temp_dir().join(format!("annealscape-fig-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = RunConfig::preset("quick")
        .unwrap()
        .with_overrides(&[
            "lattice.size=3".into(),
            "anneal.warmup_steps=10".into(),
            "anneal.anneal_steps=30".into(),
            "anneal.final_samples=100".into(),
        ])
        .unwrap();
    run_blocking(&config, &dir, &mut Silent).unwrap();
    let request = LandscapeRequest {
        directions: DirectionKind::Filter,
        direction_seed: 1,
        bias: BiasDirection::Zero,
        spec: SurfaceSpec {
            points: 21,
            samples: 50,
            estimator: SurfaceEstimator::Crn,
            ..SurfaceSpec::default()
        },
        pair: Default::default(),
        to: None,
    };
    let folder = RunFolder::open(&dir).unwrap();
    let (l, _) = folder
        .landscape(
            "completion",
            &request,
            &AtomicBool::new(false),
            Existing::WriteBeside,
            |_, _, _| {},
        )
        .unwrap()
        .unwrap();
    (dir, l)
}

#[test]
fn png_decodes_at_the_requested_size() {
    let (dir, l) = landscape_run("png");
    let figure = LandscapeFigure {
        panels: vec![(&l, "completion".into())],
        scale: ColorScale::default(),
    };
    for (scale, (w, h)) in [(1.0, (600, 560)), (2.0, (1200, 1120))] {
        let path = dir.join(format!("figures/l{scale}.png"));
        render(&figure, &path, scale).unwrap();
        let img = image::open(&path).unwrap();
        assert_eq!((img.width(), img.height()), (w, h));
        // Not blank: the heatmap brings many colours.
        let rgb = img.to_rgb8();
        let distinct: std::collections::HashSet<[u8; 3]> = rgb.pixels().map(|p| p.0).collect();
        assert!(distinct.len() > 50, "{} colours", distinct.len());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn svg_holds_contours_the_raster_and_colorbar_labels() {
    let (dir, l) = landscape_run("svg");
    let figure = LandscapeFigure {
        panels: vec![
            (&l, "completion".into()),
            (&l, "again".into()),
            (&l, "third".into()),
        ],
        scale: ColorScale::default(),
    };
    let path = dir.join("figures/stages.svg");
    render(&figure, &path, 1.0).unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(
        svg.matches("<image").count(),
        3,
        "one embedded heatmap per panel"
    );
    assert!(svg.contains("data:image/png;base64,"));
    assert!(svg.matches("<polyline").count() >= 3, "contour lines");
    assert!(svg.contains("E_loc"), "colour-bar label");
    assert!(svg.len() < 300_000, "{} bytes", svg.len());
    // Balanced tags: every opened element is closed.
    let opens = svg.matches("<text").count();
    assert_eq!(opens, svg.matches("</text>").count());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_extension_is_refused_with_the_path() {
    let (dir, l) = landscape_run("ext");
    let figure = LandscapeFigure {
        panels: vec![(&l, "x".into())],
        scale: ColorScale::default(),
    };
    let err = render(&figure, &dir.join("figure.jpg"), 1.0)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("figure.jpg") && err.contains(".png or .svg"),
        "{err}"
    );
    let err = render(&figure, &dir.join("f.png"), 100.0)
        .unwrap_err()
        .to_string();
    assert!(err.contains("scale"), "{err}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_annealscape"))
        .args([
            "figure",
            "--run",
            dir.to_str().unwrap(),
            "--kind",
            "stages",
            "--out",
            dir.join("x.png").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warmup-filter.npz") && err.contains("annealscape landscape"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn curves_lattice_and_modes_figures_from_a_run_folder() {
    let (dir, _) = landscape_run("kinds");
    let bin = env!("CARGO_BIN_EXE_annealscape");
    for (kind, size) in [
        ("curves", (1100, 480)),
        ("lattice", (640, 600)),
        // The run measured the exact p(g): the modes figure has its second panel.
        ("modes", (1300, 480)),
        ("distances", (1500, 460)),
    ] {
        let out_path = dir.join(format!("figures/{kind}.png"));
        let out = std::process::Command::new(bin)
            .args([
                "figure",
                "--run",
                dir.to_str().unwrap(),
                "--kind",
                kind,
                "--scale",
                "1",
            ])
            .arg("--out")
            .arg(&out_path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{kind}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let img = image::open(&out_path).unwrap();
        assert_eq!((img.width(), img.height()), size, "{kind}");
        let svg_path = dir.join(format!("figures/{kind}.svg"));
        let out = std::process::Command::new(bin)
            .args(["figure", "--run", dir.to_str().unwrap(), "--kind", kind])
            .arg("--out")
            .arg(&svg_path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{kind} svg");
        let svg = std::fs::read_to_string(&svg_path).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{kind}"
        );
    }
    let out = std::process::Command::new(bin)
        .args([
            "figure",
            "--run",
            dir.to_str().unwrap(),
            "--kind",
            "lattice",
            "--index",
            "100000",
            "--out",
            dir.join("never.png").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--index 100000"));
    std::fs::remove_dir_all(&dir).unwrap();
}
