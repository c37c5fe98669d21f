//! The study's table `DIR/cells.csv` (one row per run and X) and the cells' names in the report.

use std::path::Path;

use super::report::Row;
use crate::study::StudyError;

fn cell_text(v: Option<f64>) -> String {
    v.map_or(String::new(), |v| format!("{v:e}"))
}

pub(super) fn write_csv(path: &Path, rows: &[Row]) -> Result<(), StudyError> {
    crate::files::write_atomically(path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        let err = std::io::Error::other;
        csv.write_record([
            "id",
            "cell",
            "hidden",
            "parameters",
            "lattice_size",
            "target",
            "seed",
            "x",
            "anneal_x",
            "anneal_step",
            "anneal_kl",
            "anneal_fidelity",
            "anneal_effective_modes",
            "jump_x",
            "fit_kl",
            "fit_steps",
            "fit_stop",
            "fit_fidelity",
            "fit_effective_modes",
            "gap",
        ])
        .map_err(err)?;
        for r in rows {
            let fit = r.fit.as_ref();
            csv.write_record([
                r.id.clone(),
                r.network.cell.name().to_string(),
                r.network.hidden.to_string(),
                r.parameters.to_string(),
                r.size.to_string(),
                r.target.to_string(),
                r.seed.to_string(),
                r.x.to_string(),
                r.anneal.x_taken.to_string(),
                r.anneal.step.to_string(),
                format!("{:e}", r.anneal.kl),
                cell_text(r.anneal.fidelity),
                r.anneal.effective_modes.to_string(),
                cell_text(r.jump_x),
                cell_text(fit.map(|f| f.best_kl)),
                fit.map_or(String::new(), |f| f.steps.to_string()),
                fit.map_or(String::new(), |f| f.stop.clone()),
                cell_text(fit.and_then(|f| f.fidelity)),
                cell_text(fit.map(|f| f.effective_modes)),
                cell_text(fit.map(|f| r.anneal.kl / f.best_kl)),
            ])
            .map_err(err)?;
        }
        csv.flush()
    })
    .map_err(|e| StudyError::io(path, e))
}

/// "the 2D RNN (n_h = 40, 3,482 parameters)", "MADE (H = 183, 3,486 parameters)".
pub(super) fn describe_cell(network: &crate::nn::NetworkConfig, parameters: usize) -> String {
    match network.cell {
        crate::nn::Cell::Rnn2d => {
            format!(
                "the 2D RNN (n_h = {}, {parameters} parameters)",
                network.hidden
            )
        }
        crate::nn::Cell::Gru2d => format!(
            "the gated 2D RNN (n_h = {}, {parameters} parameters)",
            network.hidden
        ),
        crate::nn::Cell::Tensorized2d => format!(
            "the tensorised 2D RNN (n_h = {}, {parameters} parameters)",
            network.hidden
        ),
        crate::nn::Cell::Made => format!("MADE (H = {}, {parameters} parameters)", network.hidden),
        crate::nn::Cell::Transformer => format!(
            "the transformer (d = {}, {parameters} parameters)",
            network.hidden
        ),
    }
}
