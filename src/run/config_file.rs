//! A run configuration as its TOML file lays it out: the optimiser is its own table,
//! `[optimizer]`, and its learning rate may be given there or as `anneal.learning_rate` (the
//! older name); in memory both live in `anneal`, so the anneal layer reads one value.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::config::{LatticeConfig, OutputConfig, RunConfig};
use super::DiagnosticsConfig;
use crate::anneal::{AnnealConfig, OptimizerSettings};
use crate::nn::{NetworkConfig, OptimizerKind};

/// A file whose learning rate cannot be told.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum FileError {
    /// Both names given, with different values.
    #[error("anneal.learning_rate = {anneal} and optimizer.learning_rate = {optimizer} are the same setting and differ: keep one (anneal.learning_rate is its older name)")]
    LearningRates {
        /// `anneal.learning_rate`.
        anneal: f64,
        /// `optimizer.learning_rate`.
        optimizer: f64,
    },
    /// Neither name given.
    #[error("missing the learning rate: set optimizer.learning_rate (or anneal.learning_rate; the paper's is 1e-3)")]
    NoLearningRate,
}

/// `[optimizer]` as written: the settings of [`OptimizerSettings`] and `learning_rate`, the
/// same setting as `anneal.learning_rate` (which configurations from before `[optimizer]`
/// carry). A file may give it in either place, or in both with the same value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct OptimizerTable {
    /// The update rule.
    #[serde(default)]
    pub kind: OptimizerKind,
    /// The learning rate, if given here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learning_rate: Option<f64>,
    /// β₁ (absent: the paper's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta1: Option<f64>,
    /// β₂.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta2: Option<f64>,
    /// ε.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epsilon: Option<f64>,
    /// SR's λ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diag_shift: Option<f64>,
    /// SPRING's μ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub momentum: Option<f64>,
    /// SR's updates per step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minibatches: Option<usize>,
}

/// A run configuration as its TOML file lays it out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RunConfigFile {
    #[serde(default)]
    description: String,
    #[serde(default)]
    seed: u64,
    lattice: LatticeConfig,
    #[serde(default)]
    network: NetworkConfig,
    /// `anneal.learning_rate` absent reads as NaN here, resolved from `[optimizer]`.
    anneal: AnnealConfig,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    optimizer: Option<OptimizerTable>,
    #[serde(default)]
    output: OutputConfig,
    #[serde(default)]
    diagnostics: DiagnosticsConfig,
}

impl TryFrom<RunConfigFile> for RunConfig {
    type Error = FileError;

    fn try_from(file: RunConfigFile) -> Result<Self, FileError> {
        let table = file.optimizer.unwrap_or_default();
        let mut anneal = file.anneal;
        let given = (!anneal.learning_rate.is_nan()).then_some(anneal.learning_rate);
        anneal.learning_rate = match (given, table.learning_rate) {
            (Some(anneal), Some(optimizer)) if anneal != optimizer => {
                return Err(FileError::LearningRates { anneal, optimizer })
            }
            (Some(a), _) => a,
            (None, Some(o)) => o,
            (None, None) => return Err(FileError::NoLearningRate),
        };
        let defaults = OptimizerSettings::default();
        anneal.optimizer = OptimizerSettings {
            kind: table.kind,
            beta1: table.beta1.unwrap_or(defaults.beta1),
            beta2: table.beta2.unwrap_or(defaults.beta2),
            epsilon: table.epsilon.unwrap_or(defaults.epsilon),
            diag_shift: table.diag_shift.unwrap_or(defaults.diag_shift),
            momentum: table.momentum.unwrap_or(defaults.momentum),
            minibatches: table.minibatches.unwrap_or(defaults.minibatches),
        };
        Ok(Self {
            description: file.description,
            seed: file.seed,
            lattice: file.lattice,
            network: file.network,
            anneal,
            output: file.output,
            diagnostics: file.diagnostics,
        })
    }
}

impl From<RunConfig> for RunConfigFile {
    fn from(config: RunConfig) -> Self {
        let o = config.anneal.optimizer;
        let defaults = OptimizerSettings::default();
        let differs = |value: f64, default: f64| (value != default).then_some(value);
        let optimizer = (!o.is_default()).then(|| OptimizerTable {
            kind: o.kind,
            learning_rate: None,
            beta1: differs(o.beta1, defaults.beta1),
            beta2: differs(o.beta2, defaults.beta2),
            epsilon: differs(o.epsilon, defaults.epsilon),
            diag_shift: differs(o.diag_shift, defaults.diag_shift),
            momentum: differs(o.momentum, defaults.momentum),
            minibatches: (o.minibatches != defaults.minibatches).then_some(o.minibatches),
        });
        Self {
            description: config.description,
            seed: config.seed,
            lattice: config.lattice,
            network: config.network,
            anneal: config.anneal,
            optimizer,
            output: config.output,
            diagnostics: config.diagnostics,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_optimizer_table_reads_writes_and_shares_the_learning_rate() {
        let base = RunConfig::preset("paper-quantum-L4").unwrap();
        assert_eq!(base.anneal.optimizer, OptimizerSettings::default());
        assert!(!base.to_toml().contains("[optimizer]"));
        let c = base
            .with_overrides(&[
                "optimizer.kind=amsgrad".into(),
                "optimizer.beta2=0.99".into(),
                "optimizer.learning_rate=0.01".into(),
            ])
            .unwrap();
        assert_eq!(c.anneal.optimizer.kind, OptimizerKind::Amsgrad);
        assert_eq!(c.anneal.optimizer.beta2, 0.99);
        assert_eq!(c.anneal.optimizer.beta1, 0.9);
        assert_eq!(c.anneal.learning_rate, 0.01);
        let text = c.to_toml();
        assert!(
            text.contains("[optimizer]") && text.contains("kind = \"amsgrad\""),
            "{text}"
        );
        assert_eq!(RunConfig::from_toml(&text, "x").unwrap(), c);

        // The learning rate under [optimizer] only, under both names equal, or differing.
        let without = text.replace("learning_rate = 0.01\n", "");
        assert!(RunConfig::from_toml(&without, "x").is_err());
        let moved = without.replace("[optimizer]\n", "[optimizer]\nlearning_rate = 0.01\n");
        assert_eq!(RunConfig::from_toml(&moved, "x").unwrap(), c);
        let both = text.replace("[optimizer]\n", "[optimizer]\nlearning_rate = 0.01\n");
        assert_eq!(RunConfig::from_toml(&both, "x").unwrap(), c);
        let differ = text.replace("[optimizer]\n", "[optimizer]\nlearning_rate = 0.02\n");
        let err = RunConfig::from_toml(&differ, "x").unwrap_err().to_string();
        assert!(
            err.contains("anneal.learning_rate = 0.01")
                && err.contains("optimizer.learning_rate = 0.02"),
            "{err}"
        );
        for (item, field) in [
            ("optimizer.kind=lbfgs", "adam-clipped"),
            ("optimizer.beta1=1", "optimizer.beta1"),
            ("optimizer.epsilon=0", "optimizer.epsilon"),
            ("optimizer.momentum=1", "optimizer.momentum"),
            ("optimizer.diag_shift=0", "optimizer.diag_shift"),
        ] {
            let err = base.with_overrides(&[item.into()]).unwrap_err().to_string();
            assert!(err.contains(field), "{item}: {err}");
        }
    }

    #[test]
    fn precision_is_written_only_when_it_is_f32() {
        let base = RunConfig::preset("paper-quantum-L4").unwrap();
        assert!(!base.to_toml().contains("precision"));
        let c = base
            .with_overrides(&["network.precision=f32".into()])
            .unwrap();
        assert_eq!(c.network.precision, crate::nn::Precision::F32);
        assert!(c.to_toml().contains("precision = \"f32\""));
        assert_eq!(RunConfig::from_toml(&c.to_toml(), "x").unwrap(), c);
        let err = base
            .with_overrides(&["network.precision=f16".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("f16") && err.contains("f32"), "{err}");
    }
}
