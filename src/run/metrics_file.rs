//! Reading a run's `metrics.csv` back into step metrics (the app opens finished runs).

use std::path::Path;

use crate::anneal::{Phase, StepMetrics};

/// Every step of `metrics.csv`, read by column name; a missing column or a malformed number
/// names the line.
pub fn read_metrics(path: &Path) -> Result<Vec<StepMetrics>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let mut columns = [0usize; StepMetrics::COLUMNS.len()];
    for (slot, name) in columns.iter_mut().zip(StepMetrics::COLUMNS) {
        *slot = header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| format!("{}: no column '{name}'", path.display()))?;
    }
    let mut out = Vec::new();
    for (n, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').collect();
        let bad = |what: &str| format!("{}: line {}: bad {what}", path.display(), n + 2);
        let field = |i: usize| fields.get(columns[i]).copied().unwrap_or("");
        let real = |i: usize| {
            field(i)
                .parse::<f64>()
                .map_err(|_| bad(StepMetrics::COLUMNS[i]))
        };
        let count = |i: usize| {
            field(i)
                .parse::<usize>()
                .map_err(|_| bad(StepMetrics::COLUMNS[i]))
        };
        out.push(StepMetrics {
            step: count(0)?,
            phase: field(1).parse::<Phase>().map_err(|_| bad("phase"))?,
            temperature: real(2)?,
            field: real(3)?,
            energy_mean: real(4)?,
            energy_var: real(5)?,
            energy_min: real(6)?,
            objective_mean: real(7)?,
            objective_var: real(8)?,
            entropy: real(9)?,
            residual_energy: real(10)?,
            ground_state_fraction: real(11)?,
            distinct_samples: count(12)?,
            ground_states_found: count(13)?,
            gradient_norm: real(14)?,
            seconds: real(15)?,
        });
    }
    Ok(out)
}
