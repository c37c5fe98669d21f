//! What one step and the final evaluation report (SPEC §3 metrics).

use serde::Serialize;

use super::Phase;

/// Metrics of one annealing step; energies, objective and entropy are per spin.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct StepMetrics {
    /// Step index, from 0.
    pub step: usize,
    /// Warm-up, anneal or final.
    pub phase: Phase,
    /// Temperature T (0 for quantum runs).
    pub temperature: f64,
    /// Transverse field B (0 for thermal runs).
    pub field: f64,
    /// ⟨H⟩/N over the step's samples.
    pub energy_mean: f64,
    /// Variance of H/N over the samples.
    pub energy_var: f64,
    /// Lowest H/N among the samples.
    pub energy_min: f64,
    /// ⟨O_loc⟩/N: free energy (thermal) or ⟨E_loc⟩ (quantum) per spin.
    pub objective_mean: f64,
    /// Variance of O_loc/N.
    pub objective_var: f64,
    /// Entropy estimate −⟨log p⟩/N.
    pub entropy: f64,
    /// (⟨H⟩ − E₀)/N.
    pub residual_energy: f64,
    /// Fraction of samples that are ground states.
    pub ground_state_fraction: f64,
    /// Distinct configurations among the samples.
    pub distinct_samples: usize,
    /// Distinct ground states drawn at any step so far, warm-up included.
    pub ground_states_found: usize,
    /// Distinct ground states drawn in the last 1,000 steps (this one included).
    #[serde(default)]
    pub ground_states_recent: usize,
    /// Δf = ⟨F_loc⟩/N − f(T) = T·KL(q‖p_T)/N from the step's samples (thermal runs where f is
    /// exact; empty otherwise).
    #[serde(default)]
    pub free_energy_gap: Option<f64>,
    /// Standard error of Δf.
    #[serde(default)]
    pub free_energy_gap_stderr: Option<f64>,
    /// Norm of the last mini-batch gradient.
    pub gradient_norm: f64,
    /// ‖θ after − θ before‖: how far the step's updates moved the weights.
    #[serde(default)]
    pub update_norm: Option<f64>,
    /// Median over the parameters of Adam's √v̂ + ε after the step (the per-coordinate step
    /// is lr·m̂ over it: a small value means a large step for a given gradient).
    #[serde(default)]
    pub preconditioner_median: Option<f64>,
    /// Smallest √v̂ + ε.
    #[serde(default)]
    pub preconditioner_min: Option<f64>,
    /// Largest |O_loc − median| over the median absolute deviation of the step's samples
    /// (empty when more than half the samples share one value, so the deviation is 0).
    #[serde(default)]
    pub local_tail: Option<f64>,
    /// Largest |O_loc − median|/N itself.
    #[serde(default)]
    pub local_tail_deviation: Option<f64>,
    /// log p of that sample.
    #[serde(default)]
    pub local_tail_log_p: Option<f64>,
    /// RVQA's entropy temperature T_f at this step (empty unless the anneal is regularised;
    /// `objective_mean` is then ⟨E_loc + T_f log p⟩/N).
    #[serde(default)]
    pub entropy_temperature: Option<f64>,
    /// Wall-clock seconds since the run started.
    pub seconds: f64,
}

impl StepMetrics {
    /// Column names of `metrics.csv`, in order.
    pub const COLUMNS: [&'static str; 26] = [
        "step",
        "phase",
        "temperature",
        "field",
        "energy_mean",
        "energy_var",
        "energy_min",
        "objective_mean",
        "objective_var",
        "entropy",
        "residual_energy",
        "ground_state_fraction",
        "distinct_samples",
        "ground_states_found",
        "ground_states_recent",
        "free_energy_gap",
        "free_energy_gap_stderr",
        "gradient_norm",
        "update_norm",
        "preconditioner_median",
        "preconditioner_min",
        "local_tail",
        "local_tail_deviation",
        "local_tail_log_p",
        "entropy_temperature",
        "seconds",
    ];

    /// Columns that runs written before them lack (read as empty or 0).
    pub const LATER_COLUMNS: [&'static str; 10] = [
        "ground_states_recent",
        "free_energy_gap",
        "free_energy_gap_stderr",
        "update_norm",
        "preconditioner_median",
        "preconditioner_min",
        "local_tail",
        "local_tail_deviation",
        "local_tail_log_p",
        "entropy_temperature",
    ];

    /// The first real-valued column holding NaN or infinity, if any.
    pub fn non_finite_column(&self) -> Option<&'static str> {
        let values = [
            ("temperature", self.temperature),
            ("field", self.field),
            ("energy_mean", self.energy_mean),
            ("energy_var", self.energy_var),
            ("energy_min", self.energy_min),
            ("objective_mean", self.objective_mean),
            ("objective_var", self.objective_var),
            ("entropy", self.entropy),
            ("residual_energy", self.residual_energy),
            ("ground_state_fraction", self.ground_state_fraction),
            ("gradient_norm", self.gradient_norm),
            ("free_energy_gap", self.free_energy_gap.unwrap_or(0.0)),
            (
                "free_energy_gap_stderr",
                self.free_energy_gap_stderr.unwrap_or(0.0),
            ),
            ("seconds", self.seconds),
        ];
        values
            .iter()
            .find(|(_, v)| !v.is_finite())
            .map(|(name, _)| *name)
    }
}

/// The median ([`crate::stats::median`]) and the minimum of a list (NaN for an empty one).
pub fn median_and_min(values: &[f64]) -> (f64, f64) {
    if values.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let min = values.iter().cloned().fold(f64::INFINITY, f64::min);
    (crate::stats::median(values), min)
}

/// The sample whose O_loc lies farthest from the median: (|O − median| over the median absolute
/// deviation, or `None` when that deviation is 0; |O − median|; its index).
pub fn local_tail(local: &[f64]) -> Option<(Option<f64>, f64, usize)> {
    let (median, _) = median_and_min(local);
    let deviations: Vec<f64> = local.iter().map(|o| (o - median).abs()).collect();
    let (mad, _) = median_and_min(&deviations);
    let (index, &largest) = deviations
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))?;
    let ratio = (mad > 0.0).then(|| largest / mad);
    Some((ratio, largest, index))
}

/// How often one configuration was drawn in the final evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ModeCount {
    /// The configuration as a 0/1 string in raster order.
    pub configuration: String,
    /// Number of draws.
    pub count: usize,
    /// Energy per spin.
    pub energy: f64,
    /// Its ground-state id, if it is a ground state.
    pub ground_state: Option<String>,
}

/// The final evaluation on a large sample at X = 0.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct FinalSummary {
    /// Number of samples drawn.
    pub samples: usize,
    /// ⟨H⟩/N.
    pub energy_mean: f64,
    /// Variance of H/N.
    pub energy_var: f64,
    /// Lowest H/N drawn.
    pub energy_min: f64,
    /// Exact E₀/N.
    pub ground_energy: f64,
    /// Fraction of samples that are ground states.
    pub ground_state_fraction: f64,
    /// Distinct configurations drawn.
    pub distinct_configurations: usize,
    /// Distinct ground states among the final samples.
    pub ground_states_found: usize,
    /// Distinct ground states drawn at any training step, the near-uniform warm-up included
    /// (so it says little about the end of the run: see the last-1,000-steps count).
    #[serde(alias = "ground_states_found_in_training")]
    pub ground_states_drawn_any_step: usize,
    /// Distinct ground states drawn in the last 1,000 training steps.
    #[serde(default)]
    pub ground_states_drawn_last_1000_steps: usize,
    /// k: there are 2^k ground states.
    pub degeneracy_log2: usize,
    /// The most frequent configurations, most frequent first (at most 64).
    pub modes: Vec<ModeCount>,
}

impl FinalSummary {
    /// A few human-readable lines.
    pub fn describe(&self) -> String {
        format!(
            "final evaluation on {} samples: <E>/N = {:.6} (E0/N = {:.6}), var {:.3e}, min {:.6}\n\
             ground-state fraction {:.4}, distinct configurations {}, ground states found {} of 2^{} (drawn in the last 1,000 steps: {}; at any step, warm-up included: {})",
            self.samples,
            self.energy_mean,
            self.ground_energy,
            self.energy_var,
            self.energy_min,
            self.ground_state_fraction,
            self.distinct_configurations,
            self.ground_states_found,
            self.degeneracy_log2,
            self.ground_states_drawn_last_1000_steps,
            self.ground_states_drawn_any_step
        )
    }
}

/// Mean and population variance.
pub fn mean_var(values: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let n = values.clone().count().max(1) as f64;
    let mean = values.clone().sum::<f64>() / n;
    let var = values.map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var)
}

/// The objective per spin recorded after each of `steps` in `rows` (ordered by step, as a run
/// writes them); NaN where there is no row, e.g. −1 for the initial weights. The path of a
/// landscape or film is drawn in 3D at these, its own values.
pub fn objective_at_steps(rows: &[StepMetrics], steps: impl IntoIterator<Item = i64>) -> Vec<f64> {
    steps
        .into_iter()
        .map(|s| {
            let Ok(step) = usize::try_from(s) else {
                return f64::NAN;
            };
            let k = rows.partition_point(|m| m.step < step);
            rows.get(k)
                .filter(|m| m.step == step)
                .map_or(f64::NAN, |m| m.objective_mean)
        })
        .collect()
}
