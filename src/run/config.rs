//! The run configuration: TOML with every setting, validated before a run starts.

use serde::{Deserialize, Serialize};
use std::path::Path;

use super::config_error::locate;
use super::ConfigError;
use crate::anneal::{AnnealConfig, FieldError, GradientSource, MAX_EXACT_GRADIENT_SITES};
use crate::nn::NetworkConfig;
use crate::physics::Lattice;

/// Largest lattice a network run accepts (N = 4096 sites).
pub const MAX_RUN_SIZE: usize = 64;

/// `[lattice]`: the model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatticeConfig {
    /// Linear size L.
    pub size: usize,
    /// Coupling J.
    #[serde(default = "one")]
    pub coupling: f64,
}

fn one() -> f64 {
    1.0
}

/// 400 keeps between 201 and 400 points once a run is longer than that (the stride doubles
/// when it fills), so a film can always have 200 frames.
fn default_trajectory_points() -> usize {
    400
}

fn default_live_every() -> usize {
    10
}

fn default_resume_every() -> usize {
    500
}

/// Largest coupling |J| accepted: energies of every lattice stay far from overflow.
pub const MAX_COUPLING: f64 = 1e6;

/// `[output]`: what the run folder and the live views receive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    /// Most parameter vectors kept in `trajectory.npz` (thinned evenly as the run grows: a
    /// long run keeps between half of them and all).
    #[serde(default = "default_trajectory_points")]
    pub trajectory_points: usize,
    /// Send weights and samples to live views every this many steps.
    #[serde(default = "default_live_every")]
    pub live_every: usize,
    /// Write `resume.npz` every this many steps (and when the run stops); 0 = only on stop.
    #[serde(default = "default_resume_every")]
    pub resume_every: usize,
}

impl Default for OutputConfig {
    fn default() -> Self {
        Self {
            trajectory_points: default_trajectory_points(),
            live_every: default_live_every(),
            resume_every: default_resume_every(),
        }
    }
}

/// Everything that defines a run; one seed gives the same run. On disk the optimiser is its
/// own table, `[optimizer]` (see [`super::config_file`]); in memory it is `anneal.optimizer`, so
/// the anneal layer gets everything it runs from one value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    try_from = "super::config_file::RunConfigFile",
    into = "super::config_file::RunConfigFile"
)]
pub struct RunConfig {
    /// One line saying what the configuration is for.
    #[serde(default)]
    pub description: String,
    /// Seed of every random stream (initial weights, samples, shuffles).
    #[serde(default)]
    pub seed: u64,
    /// The model.
    pub lattice: LatticeConfig,
    /// The network.
    #[serde(default)]
    pub network: NetworkConfig,
    /// The schedule, objective and optimiser.
    pub anneal: AnnealConfig,
    /// Run-folder and live-view settings.
    #[serde(default)]
    pub output: OutputConfig,
    /// Diagnostics measured along the anneal.
    #[serde(default)]
    pub diagnostics: super::DiagnosticsConfig,
}

/// The presets shipped in `assets/presets/`, by name.
pub const PRESETS: [(&str, &str); 7] = [
    ("quick", include_str!("../../assets/presets/quick.toml")),
    (
        "modes-L6",
        include_str!("../../assets/presets/modes-L6.toml"),
    ),
    (
        "paper-quantum-L3",
        include_str!("../../assets/presets/paper-quantum-L3.toml"),
    ),
    (
        "paper-quantum-L4",
        include_str!("../../assets/presets/paper-quantum-L4.toml"),
    ),
    (
        "paper-quantum-L5",
        include_str!("../../assets/presets/paper-quantum-L5.toml"),
    ),
    (
        "paper-nofield-L4",
        include_str!("../../assets/presets/paper-nofield-L4.toml"),
    ),
    (
        "thermal-L8",
        include_str!("../../assets/presets/thermal-L8.toml"),
    ),
];

impl RunConfig {
    /// Parse TOML text (`source_name` appears in errors) and validate it.
    pub fn from_toml(text: &str, source_name: &str) -> Result<Self, ConfigError> {
        let config = Self::parse(text, source_name)?;
        config.validate()?;
        Ok(config)
    }

    /// Parse without validating (overrides are validated once, after the last, so their
    /// order does not matter).
    fn parse(text: &str, source_name: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| {
            let (line, key) = match e.span() {
                Some(span) => {
                    let (line, key) = locate(text, span.start);
                    (Some(line), key)
                }
                None => (None, None),
            };
            ConfigError::Parse {
                source_name: source_name.to_string(),
                line,
                key,
                message: plain_types(e.message()),
            }
        })
    }

    /// Read and validate a TOML file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Parse {
            source_name: path.display().to_string(),
            line: None,
            key: None,
            message: e.to_string(),
        })?;
        Self::from_toml(&text, &path.display().to_string())
    }

    /// A shipped preset by name.
    pub fn preset(name: &str) -> Result<Self, ConfigError> {
        let (_, text) =
            PRESETS
                .iter()
                .find(|(n, _)| *n == name)
                .ok_or_else(|| ConfigError::UnknownPreset {
                    name: name.to_string(),
                    known: PRESETS.map(|(n, _)| n).join(", "),
                })?;
        Self::from_toml(text, &format!("preset {name}"))
    }

    /// Apply `key=value` overrides (dotted keys, TOML values; a bare word is a string),
    /// then validate again. A mistyped value names its key.
    pub fn with_overrides(&self, overrides: &[String]) -> Result<Self, ConfigError> {
        let mut config = self.clone();
        for item in overrides {
            config = config.with_override(item)?;
        }
        config.validate()?;
        Ok(config)
    }

    fn with_override(&self, item: &str) -> Result<Self, ConfigError> {
        let mut table = toml::Table::try_from(self).expect("a run configuration is a table");
        let (key, raw) = item
            .split_once('=')
            .ok_or_else(|| ConfigError::Override(item.to_string()))?;
        let (key, raw) = (key.trim(), raw.trim());
        // One setting under two names: an override of either replaces it (a file that gives
        // both differently is refused instead).
        let key = if key == "optimizer.learning_rate" {
            "anneal.learning_rate"
        } else {
            key
        };
        if key.is_empty() || key.split('.').any(str::is_empty) {
            return Err(ConfigError::Override(item.to_string()));
        }
        let value = parse_value(raw);
        let mut parts: Vec<&str> = key.split('.').collect();
        let last = parts.pop().expect("split yields one part");
        let mut node = &mut table;
        for part in parts {
            node = node
                .entry(part.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                .as_table_mut()
                .ok_or_else(|| ConfigError::OverrideValue {
                    item: item.to_string(),
                    key: key.to_string(),
                    message: format!("'{part}' is a value, not a table"),
                })?;
        }
        node.insert(last.to_string(), value);
        let text = toml::to_string(&table).expect("a TOML table serialises");
        Self::parse(&text, "--set").map_err(|e| match e {
            ConfigError::Parse { message, .. } => ConfigError::OverrideValue {
                item: item.to_string(),
                key: key.to_string(),
                message: format!("{key}: {message}"),
            },
            other => other,
        })
    }

    /// Check every value; errors name the field and the allowed range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let size = self.lattice.size;
        if !(2..=MAX_RUN_SIZE).contains(&size) {
            return Err(FieldError::new(
                "lattice.size",
                format!(
                    "lattice.size must be from 2 to {MAX_RUN_SIZE} for a network run (got {size})"
                ),
            )
            .into());
        }
        Lattice::new(size).map_err(|e| FieldError::new("lattice.size", e.to_string()))?;
        let j = self.lattice.coupling;
        if !(j.is_finite() && j > 0.0 && j <= MAX_COUPLING) {
            return Err(FieldError::new(
                "lattice.coupling",
                format!("lattice.coupling must be a positive number up to {MAX_COUPLING:e} (got {j:?}); energies are in units of J, so J = 1 loses nothing"),
            )
            .into());
        }
        if !(1..=1024).contains(&self.network.hidden) {
            return Err(FieldError::new(
                "network.hidden",
                format!(
                    "network.hidden must be from 1 to 1024 (got {})",
                    self.network.hidden
                ),
            )
            .into());
        }
        if let Some(why) = self.network.unsupported() {
            return Err(FieldError::new("network.precision", why).into());
        }
        if !self.network.symmetry.is_none()
            && crate::nn::code_symmetry::CodeWords::of_lattice(size).is_none()
        {
            return Err(FieldError::new(
                "network.symmetry",
                crate::nn::LayoutError::Symmetry { size }.to_string(),
            )
            .into());
        }
        self.anneal.validate()?;
        if self.anneal.gradient == GradientSource::Exact && size * size > MAX_EXACT_GRADIENT_SITES {
            return Err(FieldError::new(
                "anneal.gradient",
                format!(
                    "anneal.gradient = \"exact\" enumerates all 2^N configurations, up to N = {MAX_EXACT_GRADIENT_SITES} (L = 4); L = {size} has N = {}: use \"sampled\"",
                    size * size
                ),
            )
            .into());
        }
        if self.anneal.gradient == GradientSource::Exact
            && self.anneal.optimizer.kind == crate::nn::OptimizerKind::Sr
            && size * size > crate::anneal::MAX_EXACT_NATURAL_SITES
        {
            return Err(FieldError::new(
                "optimizer.kind",
                crate::anneal::exact_natural_refusal(size, size * size),
            )
            .into());
        }
        self.diagnostics.validate(size * size)?;
        if !(2..=100_000).contains(&self.output.trajectory_points) {
            return Err(FieldError::new(
                "output.trajectory_points",
                format!(
                    "output.trajectory_points must be from 2 to 100000 (got {})",
                    self.output.trajectory_points
                ),
            )
            .into());
        }
        if self.output.live_every == 0 {
            return Err(FieldError::new(
                "output.live_every",
                "output.live_every must be at least 1 (got 0)",
            )
            .into());
        }
        Ok(())
    }

    /// One line naming the run for figure titles: size, kind, X₀, seed and length.
    pub fn title(&self) -> String {
        let symbol = self.anneal.kind.symbol();
        format!(
            "L={} {} from {symbol}0={} · seed {} · {} steps",
            self.lattice.size,
            format!("{:?}", self.anneal.kind).to_lowercase(),
            self.anneal.start,
            self.seed,
            self.anneal.schedule().total_steps()
        )
    }

    /// The configuration as TOML (every setting, the seed included).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a run configuration always serialises")
    }
}

/// serde's type names in the words of a configuration (`expected usize` → `expected a whole
/// number`).
fn plain_types(message: &str) -> String {
    [
        (
            "expected usize",
            "expected a whole number (no decimal point or exponent)",
        ),
        (
            "expected u64",
            "expected a whole number (no decimal point or exponent)",
        ),
        ("expected f64", "expected a number"),
    ]
    .iter()
    .fold(message.to_string(), |m, (from, to)| m.replace(from, to))
}

/// A TOML value from the text after `=`; anything that is not valid TOML is a string.
fn parse_value(raw: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_and_validates() {
        for (name, _) in PRESETS {
            RunConfig::preset(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let paper = RunConfig::preset("paper-quantum-L4").unwrap();
        assert_eq!(paper.anneal.schedule().total_steps(), 51_001);
    }

    #[test]
    fn overrides_change_values_and_round_trip() {
        let base = RunConfig::preset("paper-quantum-L4").unwrap();
        let c = base
            .with_overrides(&[
                "anneal.anneal_steps=2000".into(),
                "network.activation=tanh".into(),
                "seed=7".into(),
            ])
            .unwrap();
        assert_eq!(c.anneal.anneal_steps, 2000);
        assert_eq!(c.seed, 7);
        assert_eq!(c.network.activation, crate::nn::Activation::Tanh);
        assert_eq!(RunConfig::from_toml(&c.to_toml(), "x").unwrap(), c);
    }

    #[test]
    fn errors_name_the_field() {
        let base = RunConfig::preset("quick").unwrap();
        let cases = [
            ("anneal.minibatches=7", "multiple of anneal.minibatches"),
            ("anneal.learning_rate=-1", "anneal.learning_rate"),
            ("lattice.size=1", "lattice.size"),
            ("anneal.bogus=1", "bogus"),
            ("anneal.kind=sideways", "sideways"),
            ("network.hidden=0", "network.hidden"),
        ];
        for (set, needle) in cases {
            let err = base.with_overrides(&[set.into()]).unwrap_err().to_string();
            assert!(err.contains(needle), "{set}: {err}");
        }
        let err = base
            .with_overrides(&["network.cell=made".into(), "network.precision=f32".into()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("network.precision") && err.contains("rnn2d"),
            "{err}"
        );
        let err = base
            .with_overrides(&["network.cell=lstm".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("lstm"), "{err}");
        let made = base.with_overrides(&["network.cell=made".into()]).unwrap();
        assert_eq!(made.network.cell, crate::nn::Cell::Made);
        let err = RunConfig::preset("nope").unwrap_err().to_string();
        assert!(err.contains("quick"), "{err}");
        let err = base
            .with_overrides(&["noequals".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("key=value"), "{err}");
    }
}
