//! The landscape as a 3D surface in the app: the shared software renderer draws into a texture
//! the size of the view; dragging turns the camera, scrolling zooms.

use egui::{Sense, Ui};
use std::hash::{Hash, Hasher};

use super::landscape::Shown;
use crate::figures::{Camera, HeightScale, SurfaceScene};

/// Largest texture the view renders (a larger view scales it up): keeps turning smooth.
const MAX_PIXELS: f32 = 1100.0;

/// Draw `shown` as a surface seen by `camera`, turned by dragging and zoomed by scrolling.
pub fn ui(ui: &mut Ui, shown: &Shown<'_>, camera: &mut Camera, height: HeightScale) {
    let available = ui.available_size() - egui::vec2(0.0, 20.0);
    let size = available.max(egui::vec2(120.0, 120.0));
    let (rect, response) = ui.allocate_exact_size(size, Sense::drag());
    if response.dragged() {
        let d = response.drag_delta();
        camera.azimuth = (camera.azimuth - 0.4 * d.x as f64).rem_euclid(360.0);
        camera.elevation = (camera.elevation + 0.3 * d.y as f64).clamp(0.0, 89.0);
    }
    if response.hovered() {
        let scroll = ui.ctx().input(|i| i.smooth_scroll_delta.y);
        if scroll != 0.0 {
            camera.zoom = (camera.zoom * (0.002 * scroll as f64).exp()).clamp(0.2, 8.0);
        }
    }
    let scale_down = (MAX_PIXELS / size.x.max(size.y)).min(1.0);
    let (w, h) = (
        (size.x * scale_down).round().max(1.0) as u32,
        (size.y * scale_down).round().max(1.0) as u32,
    );
    let texture = texture(ui, shown, camera, height, (w, h));
    ui.painter().image(
        texture.id(),
        rect,
        egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
        egui::Color32::WHITE,
    );
    ui.label(format!(
        "drag to turn · scroll to zoom · white: the path at its own values · red: the centre · azimuth {:.0}°, elevation {:.0}°",
        camera.azimuth, camera.elevation
    ));
}

fn texture(
    ui: &Ui,
    shown: &Shown<'_>,
    camera: &Camera,
    height: HeightScale,
    (w, h): (u32, u32),
) -> egui::TextureHandle {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    shown.key.hash(&mut hasher);
    format!("{:?}{camera:?}{height:?}{w}x{h}", shown.scale).hash(&mut hasher);
    shown.grid.rows_done.hash(&mut hasher);
    let key = hasher.finish();
    let id = egui::Id::unique("landscape-3d-texture");
    if let Some((k, handle)) = ui.data(|d| d.get_temp::<(u64, egui::TextureHandle)>(id)) {
        if k == key {
            return handle;
        }
    }
    let grid = shown.grid;
    let (Some(alpha), Some(beta)) = (grid.alpha.as_slice(), grid.beta.as_slice()) else {
        return ui.ctx().load_texture(
            "landscape-3d",
            egui::ColorImage::new([1, 1], vec![egui::Color32::WHITE]),
            egui::TextureOptions::LINEAR,
        );
    };
    let scene = SurfaceScene {
        alpha,
        beta,
        values: grid.values.view(),
        path: shown.path3.clone(),
        centre: true,
        scale: shown.scale.clone(),
        height,
        height_range: shown.scale.range,
    };
    let image = scene.render(camera, w, h, [255, 255, 255]);
    let colour = egui::ColorImage::from_rgba_unmultiplied([w as usize, h as usize], image.as_raw());
    let handle = ui
        .ctx()
        .load_texture("landscape-3d", colour, egui::TextureOptions::LINEAR);
    ui.data_mut(|d| d.insert_temp(id, (key, handle.clone())));
    handle
}
