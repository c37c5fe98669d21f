//! Sweep specifications (TOML): a base configuration, axes of values and exclusions, expanded
//! into the run points of a sweep, each with an ID readable from its axes.
//!
//! ```toml
//! preset = "paper-quantum-L4"        # or a [config] table
//! [axes]
//! "lattice.size" = [3, 4, 5]
//! "anneal.start" = [0, 1, 10]
//! seed = "0..5"                      # inclusive ranges, "a..b:step" too
//! [[exclude]]
//! "lattice.size" = 5
//! "anneal.start" = 10
//! ```
//!
//! An axis may also name bundles of settings instead of one setting's values (the remedies
//! study's `remedy` axis): each value is a bundle's name, and the run takes the bundle's
//! settings. A bundle may be empty (the base as it is).
//!
//! ```toml
//! [axes]
//! remedy = ["adam", "sr"]
//! [bundles.remedy.adam]
//! [bundles.remedy.sr]
//! "optimizer.kind" = "sr"
//! "optimizer.learning_rate" = 0.1
//! ```

use serde::Deserialize;

use crate::run::RunConfig;

use super::SweepError;

/// Most runs one sweep may expand to (a typo such as `seed = "0..1e9"` must not hang).
pub const MAX_RUNS: usize = 100_000;

/// The file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecFile {
    preset: Option<String>,
    config: Option<toml::Table>,
    #[serde(default)]
    axes: toml::Table,
    #[serde(default)]
    exclude: Vec<toml::Table>,
    /// Axis key → bundle name → the bundle's settings.
    #[serde(default)]
    bundles: toml::Table,
}

/// One axis: a configuration key and its values, in the order given.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Dotted configuration key, e.g. `anneal.start`, or `seed`.
    pub key: String,
    /// The values, as TOML values.
    pub values: Vec<toml::Value>,
}

/// One run of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPoint {
    /// Its ID, e.g. `size3-start1-seed0`: a folder name made of the axes.
    pub id: String,
    /// The axis values, in axis order.
    pub values: Vec<(String, toml::Value)>,
    /// The resolved configuration.
    pub config: RunConfig,
}

/// A parsed and expanded sweep.
#[derive(Debug, Clone)]
pub struct SweepSpec {
    /// The axes, in the order given.
    pub axes: Vec<Axis>,
    /// Every run, in axis order (the last axis fastest).
    pub points: Vec<SweepPoint>,
}

/// A value as it appears in an override `key=value` and in IDs.
pub fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.1}"),
        other => other.to_string(),
    }
}

/// Expand an axis value list: a TOML array, one value, or a string range `a..b[:step]`.
pub fn expand_axis(key: &str, v: &toml::Value) -> Result<Vec<toml::Value>, SweepError> {
    axis_values(key, v)
}

fn axis_values(key: &str, v: &toml::Value) -> Result<Vec<toml::Value>, SweepError> {
    let bad = |message: String| SweepError::Axis {
        key: key.to_string(),
        message,
    };
    match v {
        toml::Value::Array(items) if items.is_empty() => Err(bad("the list is empty".into())),
        toml::Value::Array(items) => Ok(items.clone()),
        toml::Value::String(s) if s.contains("..") => {
            let (range, step) = match s.split_once(':') {
                Some((r, st)) => (r, st.trim()),
                None => (s.as_str(), "1"),
            };
            let (a, b) = range.split_once("..").expect("contains ..");
            let int = |t: &str| {
                t.trim().parse::<i64>().map_err(|_| {
                    bad(format!("'{s}' is not a range of whole numbers (write e.g. \"0..5\" or \"0..10:2\")"))
                })
            };
            let (a, b, step) = (int(a)?, int(b)?, int(step)?);
            if b < a || step < 1 {
                return Err(bad(format!(
                    "range '{s}' is empty: write a..b with a <= b and step >= 1"
                )));
            }
            let count = ((b - a) / step + 1) as usize;
            if count > MAX_RUNS {
                return Err(bad(format!("range '{s}' has more than {MAX_RUNS} values")));
            }
            Ok((0..count as i64)
                .map(|k| toml::Value::Integer(a + k * step))
                .collect())
        }
        other => Ok(vec![other.clone()]),
    }
}

/// The short name of a key in IDs: its last segment unless another axis shares it.
fn short_names(keys: &[String]) -> Vec<String> {
    keys.iter()
        .map(|k| {
            let last = k.rsplit('.').next().unwrap_or(k);
            let shared = keys
                .iter()
                .filter(|o| o.rsplit('.').next() == Some(last))
                .count()
                > 1;
            if shared {
                k.replace('.', "_")
            } else {
                last.to_string()
            }
        })
        .collect()
}

/// Keep an ID a portable folder name.
fn id_part(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl SweepSpec {
    /// Parse and expand `text` (from `origin`, for messages): every point is resolved into a
    /// configuration, so an axis that is not a configuration field is refused by name.
    pub fn parse(text: &str, origin: &str) -> Result<Self, SweepError> {
        let file: SpecFile = toml::from_str(text).map_err(|e| SweepError::Parse {
            origin: origin.to_string(),
            message: e.message().to_string(),
        })?;
        let base = match (&file.preset, &file.config) {
            (Some(_), Some(_)) => {
                return Err(SweepError::Base("give preset or [config], not both".into()))
            }
            (Some(name), None) => RunConfig::preset(name),
            (None, Some(table)) => {
                RunConfig::from_toml(&toml::to_string(table).unwrap_or_default(), "[config]")
            }
            (None, None) => {
                return Err(SweepError::Base(
                    "give a base: preset = \"NAME\" or a [config] table".into(),
                ))
            }
        }
        .map_err(|e| SweepError::Base(e.to_string()))?;
        let axes: Vec<Axis> = file
            .axes
            .iter()
            .map(|(key, v)| {
                Ok(Axis {
                    key: key.clone(),
                    values: axis_values(key, v)?,
                })
            })
            .collect::<Result<_, SweepError>>()?;
        let total = axes.iter().try_fold(1usize, |n, a| {
            n.checked_mul(a.values.len()).filter(|&n| n <= MAX_RUNS)
        });
        if total.is_none() {
            return Err(SweepError::TooMany { max: MAX_RUNS });
        }
        for axis in &axes {
            check_distinct(axis)?;
        }
        for ex in &file.exclude {
            if let Some(key) = ex.keys().find(|k| !axes.iter().any(|a| &a.key == *k)) {
                return Err(SweepError::Axis {
                    key: key.clone(),
                    message: "an [[exclude]] names a key that is not an axis".into(),
                });
            }
            for (key, value) in ex {
                let axis = axes.iter().find(|a| &a.key == key).expect("checked above");
                if !axis.values.iter().any(|v| same_value(v, value)) {
                    return Err(SweepError::Axis {
                        key: key.clone(),
                        message: format!(
                            "an [[exclude]] names the value {value}, which is not on the axis ({}): it would exclude nothing; correct or remove it",
                            axis.values.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                        ),
                    });
                }
            }
        }
        let bundles = bundle_tables(&file.bundles, &axes)?;
        let names = short_names(&axes.iter().map(|a| a.key.clone()).collect::<Vec<_>>());
        // Axes with one value set the base for every run; they are left out of the IDs.
        let mut points: Vec<SweepPoint> = Vec::new();
        // Run ID → index in `points`: a sweep may have 100,000 runs.
        let mut ids: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut index = vec![0usize; axes.len()];
        loop {
            let values: Vec<(String, toml::Value)> = axes
                .iter()
                .zip(&index)
                .map(|(a, &i)| (a.key.clone(), a.values[i].clone()))
                .collect();
            let excluded = file.exclude.iter().any(|ex| {
                ex.iter().all(|(k, v)| {
                    values
                        .iter()
                        .any(|(key, val)| key == k && same_value(val, v))
                })
            });
            if !excluded {
                let mut overrides: Vec<String> = Vec::new();
                for (k, v) in &values {
                    match bundles.get(k) {
                        Some(named) => overrides.extend(bundle_overrides(k, named, v)?),
                        None => overrides.push(format!("{k}={}", override_text(v))),
                    }
                }
                let config = base
                    .with_overrides(&overrides)
                    .map_err(|e| SweepError::Axis {
                        key: values
                            .iter()
                            .map(|v| v.0.clone())
                            .find(|k| e.to_string().contains(k.as_str()))
                            .unwrap_or_else(|| describe(&values)),
                        message: e.to_string(),
                    })?;
                let parts: Vec<String> = values
                    .iter()
                    .zip(&names)
                    .zip(&axes)
                    .filter(|(_, a)| a.values.len() > 1)
                    .map(|(((_, v), n), _)| id_part(&format!("{n}{}", value_text(v))))
                    .collect();
                let id = if parts.is_empty() {
                    "run".to_string()
                } else {
                    parts.join("-")
                };
                if let Some(other) = ids.get(&id).map(|&i| &points[i]) {
                    return Err(SweepError::Axis {
                        key: axes.iter().map(|a| a.key.clone()).collect::<Vec<_>>().join(", "),
                        message: format!(
                            "two runs get the ID '{id}' (values {} and {}): they would write one folder; make the values differ in letters and digits",
                            describe(&other.values),
                            describe(&values)
                        ),
                    });
                }
                ids.insert(id.clone(), points.len());
                points.push(SweepPoint { id, values, config });
            }
            // The last axis fastest.
            let mut k = axes.len();
            loop {
                if k == 0 {
                    if points.is_empty() {
                        return Err(SweepError::Empty);
                    }
                    return Ok(Self { axes, points });
                }
                k -= 1;
                index[k] += 1;
                if index[k] < axes[k].values.len() {
                    break;
                }
                index[k] = 0;
            }
        }
    }
}

/// Refuse an axis that lists one value twice (after resolving: `[30, 30]`, `[1, 1.0]`): the two
/// runs would have one ID and write one folder at the same time.
fn check_distinct(axis: &Axis) -> Result<(), SweepError> {
    // Keyed as `same_value` compares: numbers by value (1 = 1.0), the rest by their text. An axis
    // may hold 100,000 values, so a hash map, not pairwise comparison.
    let key = |v: &toml::Value| match v.as_float().or(v.as_integer().map(|i| i as f64)) {
        Some(x) => format!("n{:?}", x + 0.0),
        None => format!("v{v}"),
    };
    let mut seen = std::collections::HashMap::new();
    for (i, a) in axis.values.iter().enumerate() {
        if let Some(&j) = seen.get(&key(a)) {
            return Err(SweepError::Axis {
                key: axis.key.clone(),
                message: format!(
                    "values {} (position {}) and {a} (position {}) are the same run: list each value once",
                    axis.values[j],
                    j + 1,
                    i + 1
                ),
            });
        }
        seen.insert(key(a), i);
    }
    Ok(())
}

/// The bundles of the spec by axis key, each checked to belong to an axis.
fn bundle_tables<'a>(
    bundles: &'a toml::Table,
    axes: &[Axis],
) -> Result<std::collections::HashMap<String, &'a toml::Table>, SweepError> {
    let mut out = std::collections::HashMap::new();
    for (key, named) in bundles {
        let bad = |message: String| SweepError::Axis {
            key: key.clone(),
            message,
        };
        if !axes.iter().any(|a| &a.key == key) {
            return Err(bad(
                "[bundles] names a key that is not an axis: add the axis or remove its bundles"
                    .into(),
            ));
        }
        let named = named.as_table().ok_or_else(|| {
            bad("write its bundles as tables: [bundles.KEY.NAME] with settings under it".into())
        })?;
        out.insert(key.clone(), named);
    }
    Ok(out)
}

/// The settings of the bundle the axis `key` names by `value`.
fn bundle_overrides(
    key: &str,
    named: &toml::Table,
    value: &toml::Value,
) -> Result<Vec<String>, SweepError> {
    let names = || named.keys().cloned().collect::<Vec<_>>().join(", ");
    let bundle = value
        .as_str()
        .and_then(|name| named.get(name))
        .and_then(toml::Value::as_table)
        .ok_or_else(|| SweepError::Axis {
            key: key.to_string(),
            message: format!("{value} names no bundle (its bundles: {})", names()),
        })?;
    Ok(bundle
        .iter()
        .map(|(k, v)| format!("{k}={}", override_text(v)))
        .collect())
}

/// `key = value, …` for messages.
fn describe(values: &[(String, toml::Value)]) -> String {
    values
        .iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Equal as configuration values (an integer axis value matches a float exclusion, 1 = 1.0).
pub fn same_value(a: &toml::Value, b: &toml::Value) -> bool {
    match (
        a.as_float().or(a.as_integer().map(|i| i as f64)),
        b.as_float().or(b.as_integer().map(|i| i as f64)),
    ) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// A value as the right-hand side of `--set` (strings bare, the rest as TOML).
fn override_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
