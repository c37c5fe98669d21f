//! What `reproduce` runs: the paper's grid (SPEC §5) as a sweep specification, at full, quick
//! or test length, optionally restricted to part of an axis, with its landscapes and an
//! estimate of its cost.

use crate::landscape::{DirectionKind, SurfaceEstimator, SurfaceSpec};
use crate::run::RunConfig;
use crate::sweep::{expand_axis, same_value, SweepError};

/// How long the study's runs are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StudyLength {
    /// The paper's settings: 1,000 warm-up steps, 10,000 B values × 5 steps (51,001 steps).
    Full,
    /// 1,000 warm-up steps, 1,000 B values × 1 step (2,001 steps), landscapes over ±0.5.
    Quick,
    /// A tiny grid for the test suite: L = 3, B₀ ∈ {0, 1}, two seeds, a few dozen steps.
    Test,
}

impl StudyLength {
    /// The word used in the report and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Quick => "quick",
            Self::Test => "test",
        }
    }
}

/// The snapshots of SPEC §5.5 whose landscapes are computed and tabulated.
pub const LANDSCAPE_SNAPSHOTS: [&str; 6] = ["init", "warmup", "mid1", "mid3", "mid5", "completion"];

/// One kind of landscape computed for every seed-0 run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LandscapePlan {
    /// Gaussian (the authors') or filter-normalised.
    pub directions: DirectionKind,
    /// Grid and estimator.
    pub spec: SurfaceSpec,
}

/// The study to run: its length and its axes (possibly restricted by `--only`).
#[derive(Debug, Clone, PartialEq)]
pub struct StudyPlan {
    /// Full, quick or test.
    pub length: StudyLength,
    /// The axes in ID order: `lattice.size`, `anneal.start`, `anneal.estimator`, `seed`.
    pub axes: Vec<(String, Vec<toml::Value>)>,
}

fn ints(v: &[i64]) -> Vec<toml::Value> {
    v.iter().map(|&i| toml::Value::Integer(i)).collect()
}

fn floats(v: &[f64]) -> Vec<toml::Value> {
    v.iter().map(|&x| toml::Value::Float(x)).collect()
}

fn strings(v: &[&str]) -> Vec<toml::Value> {
    v.iter()
        .map(|s| toml::Value::String(s.to_string()))
        .collect()
}

/// A number as f64, whether written as an integer or a float.
fn as_number(v: &toml::Value) -> Option<f64> {
    v.as_float().or(v.as_integer().map(|i| i as f64))
}

impl StudyPlan {
    /// The whole grid at `length`.
    pub fn new(length: StudyLength) -> Self {
        let (sizes, starts, seeds): (&[i64], &[f64], &[i64]) = match length {
            StudyLength::Test => (&[3], &[0.0, 1.0], &[0, 1]),
            _ => (&[3, 4, 5], &[0.0, 1.0, 10.0], &[0, 1, 2, 3, 4, 5]),
        };
        Self {
            length,
            axes: vec![
                ("lattice.size".into(), ints(sizes)),
                ("anneal.start".into(), floats(starts)),
                ("anneal.estimator".into(), strings(&["authors", "standard"])),
                ("seed".into(), ints(seeds)),
            ],
        }
    }

    /// Keep only some values of axes, from `--only` assignments (see [`restrict_axes`]).
    pub fn restrict_all(&mut self, assignments: &[String]) -> Result<(), SweepError> {
        restrict_axes(&mut self.axes, assignments)
    }

    /// Keep only some values of one axis (see [`restrict_axes`]).
    pub fn restrict(&mut self, assignment: &str) -> Result<(), SweepError> {
        self.restrict_all(&[assignment.to_string()])
    }

    /// The base configuration every run starts from (the paper's L = 3 preset, its length
    /// changed for the quick and test studies).
    pub fn base_config(&self) -> RunConfig {
        let mut c = RunConfig::preset("paper-quantum-L3").expect("shipped preset");
        c.description = format!(
            "annealscape reproduce --{}: the paper's study (SPEC §5)",
            self.length.name()
        );
        match self.length {
            StudyLength::Full => {}
            StudyLength::Quick => {
                c.anneal.anneal_steps = 1000;
                c.anneal.train_steps = 1;
            }
            StudyLength::Test => {
                c.anneal.warmup_steps = 30;
                c.anneal.anneal_steps = 24;
                c.anneal.train_steps = 1;
                c.anneal.final_samples = 500;
                c.diagnostics.curvature_every = Some(20);
            }
        }
        c
    }

    /// The sweep specification, as written to `DIR/sweep.toml`.
    pub fn spec_text(&self) -> String {
        let mut axes = toml::Table::new();
        for (key, values) in &self.axes {
            axes.insert(key.clone(), toml::Value::Array(values.clone()));
        }
        let config: toml::Table =
            toml::from_str(&self.base_config().to_toml()).expect("a configuration is TOML");
        let mut file = toml::Table::new();
        file.insert("axes".into(), toml::Value::Table(axes));
        file.insert("config".into(), toml::Value::Table(config));
        format!(
            "# annealscape reproduce --{}: the paper's study as a sweep. Written by the command; \
             rerunning it continues this folder.\n{}",
            self.length.name(),
            toml::to_string(&file).expect("tables serialise")
        )
    }

    /// The landscapes computed for seed 0 of each (L, B₀) with the authors' estimator.
    pub fn landscapes(&self) -> [LandscapePlan; 2] {
        let (range, points, filter_points) = match self.length {
            StudyLength::Full => (1.0, 201, 51),
            // The paper's spacing (0.01) over a quarter of its area: roughness depends on the
            // spacing, so a coarser ±1 grid would not be comparable with SPEC §5.5.
            StudyLength::Quick => (0.5, 101, 51),
            StudyLength::Test => (0.05, 11, 5),
        };
        let spec = |range, points| SurfaceSpec {
            range,
            points,
            samples: 100,
            estimator: SurfaceEstimator::Fresh,
            seed: 0,
            one_dimensional: false,
        };
        [
            LandscapePlan {
                directions: DirectionKind::Gaussian,
                spec: spec(range, points),
            },
            LandscapePlan {
                directions: DirectionKind::Filter,
                spec: spec(1.0, filter_points),
            },
        ]
    }

    /// The values of one axis.
    pub fn values(&self, key: &str) -> &[toml::Value] {
        self.axes
            .iter()
            .find(|a| a.0 == key)
            .map_or(&[], |a| a.1.as_slice())
    }

    /// Runs in the study.
    pub fn runs(&self) -> usize {
        self.axes.iter().map(|a| a.1.len()).product()
    }

    /// Seconds the study should take on `cores` cores with one single-threaded run per core,
    /// from per-step and per-point costs measured on a 2-core machine (L = 3: `bench`-like
    /// timings of 2,001-step runs; L = 4 and 5: whole `paper-quantum` runs two at a time,
    /// 2026-12-06; this VM's speed varies by up to 2× from hour to hour).
    pub fn estimated_seconds(&self, cores: usize) -> f64 {
        let c = self.base_config();
        let steps = c.anneal.schedule().total_steps() as f64;
        let runs_per_size = self.runs() as f64 / self.values("lattice.size").len().max(1) as f64;
        let landscapes_per_size = (self.values("anneal.start").len() * LANDSCAPE_SNAPSHOTS.len())
            as f64
            * f64::from(u8::from(
                self.values("seed")
                    .iter()
                    .any(|s| same_value(s, &toml::Value::Integer(0)))
                    && self
                        .values("anneal.estimator")
                        .iter()
                        .any(|e| e.as_str() == Some("authors")),
            ));
        let points: f64 = self
            .landscapes()
            .iter()
            .map(|p| (p.spec.points * p.spec.points) as f64)
            .sum();
        let mut core_seconds = 0.0;
        for size in self.values("lattice.size").iter().filter_map(as_number) {
            // Seconds per training step and per landscape point, single-threaded, and the
            // exact curve's Lanczos values (refined until drawn exactly; cached afterwards).
            let (step, point, lanczos) = match size as i64 {
                3 => (3.5e-3, 2.9e-4, 0.0),
                4 => (5.1e-3, 6.0e-4, 60.0),
                _ => (9.5e-3, 1.0e-3, 50.0 * 40.0),
            };
            core_seconds +=
                runs_per_size * steps * step + landscapes_per_size * points * point + lanczos;
        }
        core_seconds / cores.max(1) as f64
    }
}

/// Keep only some values of a study's axes, from `--only` assignments: `KEY=VALUE`,
/// `KEY=V1,V2`, `KEY=[V1, V2]` or `seed=0..2`. Several assignments of one key keep the union
/// of their values; a key or value that is not on the study's axes is refused by name.
pub fn restrict_axes(
    axes: &mut [(String, Vec<toml::Value>)],
    assignments: &[String],
) -> Result<(), SweepError> {
    let mut by_key: Vec<(String, Vec<toml::Value>)> = Vec::new();
    for assignment in assignments {
        let (key, wanted) = wanted(axes, assignment)?;
        match by_key.iter_mut().find(|(k, _)| *k == key) {
            Some((_, values)) => values.extend(wanted),
            None => by_key.push((key, wanted)),
        }
    }
    for (key, wanted) in by_key {
        let axis = axes
            .iter_mut()
            .find(|a| a.0 == key)
            .expect("wanted() checked the key");
        axis.1.retain(|v| wanted.iter().any(|w| same_value(v, w)));
    }
    Ok(())
}

/// The key of an `--only` assignment and the values it names, each checked to be on the
/// study's axis.
fn wanted(
    axes: &[(String, Vec<toml::Value>)],
    assignment: &str,
) -> Result<(String, Vec<toml::Value>), SweepError> {
    let keys: Vec<String> = axes.iter().map(|a| a.0.clone()).collect();
    let (key, text) = assignment.split_once('=').ok_or_else(|| SweepError::Axis {
        key: assignment.to_string(),
        message: format!(
            "write --only KEY=VALUES, e.g. --only lattice.size=3 (axes: {})",
            keys.join(", ")
        ),
    })?;
    let key = key.trim();
    let text = text.trim();
    let axis = axes
        .iter()
        .find(|a| a.0 == key)
        .ok_or_else(|| SweepError::Axis {
            key: key.to_string(),
            message: format!("is not an axis of the study (axes: {})", keys.join(", ")),
        })?;
    // A TOML value where one parses (3, 1.0, [3, 4]); otherwise a word or a range.
    let parse = |text: &str| {
        toml::from_str::<toml::Table>(&format!("v = {text}"))
            .ok()
            .and_then(|t| t.get("v").cloned())
            .unwrap_or_else(|| toml::Value::String(text.to_string()))
    };
    // A list with or without brackets ([3, 4], 3,4, adam,sr) is its items, each parsed alone
    // so bare words may be listed.
    let value = match text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        Some(inner) => toml::Value::Array(inner.split(',').map(|i| parse(i.trim())).collect()),
        None if text.contains(',') => {
            toml::Value::Array(text.split(',').map(|i| parse(i.trim())).collect())
        }
        None => parse(text),
    };
    let wanted = expand_axis(key, &value)?;
    for w in &wanted {
        if !axis.1.iter().any(|v| same_value(v, w)) {
            let allowed: Vec<String> = axis.1.iter().map(|v| v.to_string()).collect();
            return Err(SweepError::Axis {
                key: key.to_string(),
                message: format!(
                    "{w} is not a value of the study's axis (its values: {})",
                    allowed.join(", ")
                ),
            });
        }
    }
    Ok((key.to_string(), wanted))
}
