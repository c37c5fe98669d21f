//! The landscape view's choice of directions: random, PCA, the Hessian's eigenvectors (top two
//! or top and bottom), Adam's update, the natural-gradient step, or the line to another
//! snapshot.

use egui::Ui;

use crate::app::landscape_view::LandscapeView;
use crate::landscape::DirectionKind;

/// The directions combo and, for Hessian and interpolation slices, their one extra choice.
pub fn ui(ui: &mut Ui, view: &mut LandscapeView, snapshots: &[String]) {
    egui::ComboBox::from_label("directions")
        .selected_text(format!("{:?}", view.directions).to_lowercase())
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut view.directions, DirectionKind::Filter, "filter");
            ui.selectable_value(&mut view.directions, DirectionKind::Gaussian, "gaussian");
            ui.selectable_value(&mut view.directions, DirectionKind::Pca, "pca");
            ui.selectable_value(&mut view.directions, DirectionKind::Hessian, "hessian")
                .on_hover_text("eigenvectors of the Hessian, scaled to |theta*|");
            ui.selectable_value(&mut view.directions, DirectionKind::Update, "update")
                .on_hover_text("Adam's step and the top eigenvector orthogonal to it (a snapshot's checkpoint)");
            ui.selectable_value(&mut view.directions, DirectionKind::Natural, "natural")
                .on_hover_text("the natural-gradient step and the top eigenvector orthogonal to it");
            ui.selectable_value(
                &mut view.directions,
                DirectionKind::Interpolate,
                "interpolate",
            )
            .on_hover_text("the line from the centre snapshot to another, t in [-0.25, 1.25]");
        });
    if view.directions == DirectionKind::Hessian {
        ui.selectable_value(
            &mut view.pair,
            crate::landscape::HessianPair::Top,
            "top two",
        );
        ui.selectable_value(
            &mut view.pair,
            crate::landscape::HessianPair::TopBottom,
            "top, bottom",
        );
    }
    if view.directions == DirectionKind::Interpolate {
        egui::ComboBox::from_label("to")
            .selected_text(view.to.clone().unwrap_or_else(|| "choose".into()))
            .show_ui(ui, |ui| {
                for name in snapshots {
                    ui.selectable_value(&mut view.to, Some(name.clone()), name);
                }
            });
    }
}
