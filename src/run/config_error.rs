//! Why a configuration could not be read: the file, the line and the key where the parser knows
//! them, or the field a value is out of range for.

use thiserror::Error;

use crate::anneal::FieldError;

/// A configuration that could not be read or is invalid; the message names the field.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ConfigError {
    /// The TOML could not be parsed or has unknown or mistyped fields.
    #[error("{source_name}{}: {message}", location(*.line, key.as_deref()))]
    Parse {
        /// Where the text came from.
        source_name: String,
        /// The line of the text (from 1), where the parser knows it.
        line: Option<usize>,
        /// The dotted key of that line, where there is one.
        key: Option<String>,
        /// The parser's message.
        message: String,
    },
    /// A value is out of range.
    #[error(transparent)]
    Invalid(#[from] FieldError),
    /// A `--set` value of the wrong type or an unknown `--set` key.
    #[error("--set {item}: {message}")]
    OverrideValue {
        /// The `key=value` as given.
        item: String,
        /// The dotted key.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A preset name is unknown.
    #[error("unknown preset '{name}': choose one of {known}")]
    UnknownPreset {
        /// The name given.
        name: String,
        /// The presets available.
        known: String,
    },
    /// A `--set` override is malformed.
    #[error("--set '{0}': write key=value with a dotted key, e.g. anneal.anneal_steps=2000")]
    Override(String),
}

fn location(line: Option<usize>, key: Option<&str>) -> String {
    match (line, key) {
        (Some(line), Some(key)) => format!(" line {line} (key {key})"),
        (Some(line), None) => format!(" line {line}"),
        (None, Some(key)) => format!(" (key {key})"),
        (None, None) => String::new(),
    }
}

impl ConfigError {
    /// The dotted key the error is about, when it is about one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid(e) => Some(e.field),
            Self::Parse { key, .. } => key.as_deref(),
            Self::OverrideValue { key, .. } => Some(key),
            _ => None,
        }
    }
}

/// The line (from 1) holding byte `offset` of `text`, and the dotted key written on it (the
/// last `[table]` header above it, then the key before `=`).
pub(super) fn locate(text: &str, offset: usize) -> (usize, Option<String>) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let this = text.lines().nth(line - 1).unwrap_or("");
    let table = before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && !l.starts_with("[["))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    let key = this
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('['))
        .map(|k| match &table {
            Some(t) => format!("{t}.{k}"),
            None => k,
        });
    (line, key)
}
