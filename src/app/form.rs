//! The run form: a configuration being edited, its validation and where the run will go.

use std::path::PathBuf;

use crate::physics::{GroundStates, Lattice};
use crate::run::{ConfigError, RunConfig};

/// The fields the form edits, by their configuration key (errors name them).
pub const FIELDS: [&str; 21] = [
    "lattice.size",
    "anneal.kind",
    "anneal.start",
    "anneal.warmup_steps",
    "anneal.anneal_steps",
    "anneal.train_steps",
    "network.cell",
    "network.hidden",
    "anneal.samples",
    "anneal.minibatches",
    "anneal.learning_rate",
    "anneal.estimator",
    "optimizer.kind",
    "anneal.gradient",
    "optimizer.diag_shift",
    "optimizer.momentum",
    "anneal.entropy_start",
    "anneal.schedule",
    "anneal.settle_window",
    "anneal.settle_tolerance",
    "anneal.max_dwell",
];

/// A configuration being edited.
#[derive(Debug, Clone, PartialEq)]
pub struct RunForm {
    /// The preset last loaded.
    pub preset: String,
    /// The values as edited.
    pub config: RunConfig,
    /// The folder under which run folders are made.
    pub runs_dir: PathBuf,
    degeneracy: Option<(usize, usize)>,
}

impl RunForm {
    /// A form holding preset `name`.
    pub fn from_preset(name: &str, runs_dir: PathBuf) -> Result<Self, ConfigError> {
        let config = RunConfig::preset(name)?;
        Ok(Self {
            preset: name.to_string(),
            config,
            runs_dir,
            degeneracy: None,
        })
    }

    /// Replace the values with preset `name`.
    pub fn load_preset(&mut self, name: &str) -> Result<(), ConfigError> {
        self.config = RunConfig::preset(name)?;
        self.preset = name.to_string();
        Ok(())
    }

    /// Load an opened run's configuration, so Start reruns what is shown; `label` takes the
    /// preset's place in the form (e.g. "run L4-s0").
    pub fn load_config(&mut self, config: RunConfig, label: String) {
        self.config = config;
        self.preset = label;
        self.degeneracy = None;
    }

    /// The first invalid value: the field it belongs to (one of [`FIELDS`], or `None` for
    /// an error that names no single field) and the reason.
    pub fn error(&self) -> Option<(Option<&'static str>, String)> {
        let error = self.config.validate().err()?;
        let field = error
            .field()
            .and_then(|name| FIELDS.iter().find(|f| **f == name).copied());
        Some((field, error.to_string()))
    }

    /// The reason `field` is invalid, if the first error is about it.
    pub fn field_error(&self, field: &str) -> Option<String> {
        match self.error() {
            Some((Some(f), message)) if f == field => Some(message),
            _ => None,
        }
    }

    /// k of the 2^k ground states at the form's L (cached per L), or `None` for an invalid L.
    pub fn degeneracy_log2(&mut self) -> Option<usize> {
        let l = self.config.lattice.size;
        if let Some((cached_l, k)) = self.degeneracy {
            if cached_l == l {
                return Some(k);
            }
        }
        let lattice = Lattice::new(l).ok()?;
        let k = GroundStates::new(lattice).degeneracy_log2();
        self.degeneracy = Some((l, k));
        Some(k)
    }

    /// A fresh run folder under `runs_dir`, named after the preset and the time.
    pub fn new_run_dir(&self) -> PathBuf {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let base = format!(
            "{}-L{}-s{}-{}",
            self.preset, self.config.lattice.size, self.config.seed, seconds
        );
        let mut dir = self.runs_dir.join(&base);
        let mut n = 1;
        while dir.exists() {
            n += 1;
            dir = self.runs_dir.join(format!("{base}-{n}"));
        }
        dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_attached_to_the_field_they_name() {
        let mut form = RunForm::from_preset("quick", PathBuf::from("runs")).unwrap();
        assert!(form.error().is_none());
        form.config.anneal.minibatches = 7;
        let (field, message) = form.error().unwrap();
        assert_eq!(field, Some("anneal.minibatches"));
        assert!(message.contains("multiple"), "{message}");
        // The error about train_steps sits under train_steps, not anneal_steps.
        form.config.anneal.minibatches = 10;
        form.config.anneal.train_steps = 0;
        assert_eq!(form.error().unwrap().0, Some("anneal.train_steps"));
        form.config.anneal.train_steps = 2;
        // The schedule's length cannot overflow: the form refuses it.
        form.config.anneal.anneal_steps = usize::MAX / 2;
        assert_eq!(form.error().unwrap().0, Some("anneal.anneal_steps"));
        form.config.anneal.anneal_steps = 1000;
        form.config.anneal.minibatches = 10;
        form.config.lattice.size = 1;
        assert!(form.field_error("lattice.size").is_some());
        assert!(form.degeneracy_log2().is_none());
        // k from the reference table (tests/data/reference): L = 4 → 0, L = 6 → 4.
        form.config.lattice.size = 4;
        assert_eq!(form.degeneracy_log2(), Some(0));
        form.config.lattice.size = 6;
        assert_eq!(form.degeneracy_log2(), Some(4));
    }
}
