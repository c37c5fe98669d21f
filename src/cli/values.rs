//! Parsing of the list-and-range values accepted by `--l`, `--t` and `--b`.

use crate::physics::{MAX_SIZE, MIN_SIZE};

/// Most values one list may expand to (a typo such as `0..1e9` must not hang the program).
const MAX_VALUES: usize = 100_000;

/// A parsed list of lattice sizes.
#[derive(Debug, Clone, PartialEq)]
pub struct Sizes(pub Vec<usize>);

/// A parsed list of real values.
#[derive(Debug, Clone, PartialEq)]
pub struct Reals(pub Vec<f64>);

/// [`parse_sizes`] for clap.
pub fn sizes_arg(text: &str) -> Result<Sizes, String> {
    parse_sizes(text).map(Sizes)
}

/// [`parse_reals`] for clap.
pub fn reals_arg(text: &str) -> Result<Reals, String> {
    parse_reals(text).map(Reals)
}

/// Lattice sizes from `a..b` (inclusive), `a..b:step` and comma lists, e.g. `2..8,16`.
pub fn parse_sizes(text: &str) -> Result<Vec<usize>, String> {
    let mut out = Vec::new();
    for item in items(text)? {
        let int = |s: &str| {
            s.trim()
                .parse::<usize>()
                .map_err(|_| format!("'{s}' is not a whole number (use e.g. 4, 2..8 or 3,5,7)"))
        };
        match split_range(item) {
            Some((a, b, step)) => {
                let (a, b) = (int(a)?, int(b)?);
                let step = step.map(int).transpose()?.unwrap_or(1);
                if step == 0 || b < a {
                    return Err(format!(
                        "range '{item}' is empty: write a..b with a <= b and a step >= 1"
                    ));
                }
                let count = (b - a) / step + 1;
                if count.saturating_add(out.len()) > MAX_VALUES {
                    return Err(format!(
                        "range '{item}' expands to more than {MAX_VALUES} values: use a larger step"
                    ));
                }
                out.extend((a..=b).step_by(step));
            }
            None => out.push(int(item)?),
        }
        check_count(out.len())?;
    }
    if let Some(&l) = out.iter().find(|&&l| !(MIN_SIZE..=MAX_SIZE).contains(&l)) {
        return Err(format!(
            "L = {l} is out of range: choose L from {MIN_SIZE} to {MAX_SIZE}"
        ));
    }
    Ok(out)
}

/// Real values from `a..b` (step 1), `a..b:step` and comma lists, e.g. `0..1:0.25,2`.
pub fn parse_reals(text: &str) -> Result<Vec<f64>, String> {
    let mut out = Vec::new();
    for item in items(text)? {
        let real = |s: &str| {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| format!("'{s}' is not a finite number (use e.g. 0.5, 0..1:0.25)"))
        };
        match split_range(item) {
            Some((a, b, step)) => {
                let (a, b) = (real(a)?, real(b)?);
                let step = step.map(real).transpose()?.unwrap_or(1.0);
                if step <= 0.0 || b < a {
                    return Err(format!(
                        "range '{item}' is empty: write a..b:step with a <= b and step > 0"
                    ));
                }
                // Counted in floating point before anything is expanded: a count too large
                // for the list (or for usize) is refused, never wrapped to an empty list.
                let span = ((b - a) / step + 1e-9).floor() + 1.0;
                if !(span.is_finite() && span + out.len() as f64 <= MAX_VALUES as f64) {
                    return Err(format!(
                        "range '{item}' expands to more than {MAX_VALUES} values: use a larger step"
                    ));
                }
                let count = span as usize;
                // Round away the representation error of a + i·step (0.30000000000000004).
                out.extend((0..count).map(|i| round12(a + i as f64 * step)));
            }
            None => out.push(real(item)?),
        }
        check_count(out.len())?;
    }
    Ok(out)
}

fn round12(x: f64) -> f64 {
    let scaled = (x * 1e12).round() / 1e12;
    if scaled.is_finite() {
        scaled
    } else {
        x
    }
}

fn items(text: &str) -> Result<Vec<&str>, String> {
    let items: Vec<&str> = text.split(',').map(str::trim).collect();
    if items.iter().any(|s| s.is_empty()) {
        return Err(format!(
            "'{text}' has an empty item: separate values with single commas"
        ));
    }
    Ok(items)
}

/// `a..b` or `a..b:step` → (a, b, step).
fn split_range(item: &str) -> Option<(&str, &str, Option<&str>)> {
    let (a, rest) = item.split_once("..")?;
    Some(match rest.split_once(':') {
        Some((b, step)) => (a, b, Some(step)),
        None => (a, rest, None),
    })
}

fn check_count(n: usize) -> Result<(), String> {
    if n > MAX_VALUES {
        Err(format!(
            "the list expands to more than {MAX_VALUES} values: use a larger step"
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_accept_ranges_lists_and_steps() {
        assert_eq!(parse_sizes("2..5").unwrap(), vec![2, 3, 4, 5]);
        assert_eq!(parse_sizes("3, 5,8..12:2").unwrap(), vec![3, 5, 8, 10, 12]);
        assert!(parse_sizes("300").unwrap_err().contains("L = 300"));
        assert!(parse_sizes("5..2").unwrap_err().contains("'5..2'"));
        assert!(parse_sizes("x").unwrap_err().contains("'x'"));
        assert!(parse_sizes("2,,3").is_err());
    }

    #[test]
    fn reals_accept_ranges_with_steps() {
        assert_eq!(parse_reals("0.25,0.5,1").unwrap(), vec![0.25, 0.5, 1.0]);
        assert_eq!(
            parse_reals("0..1:0.1").unwrap()[3],
            0.3,
            "rounding removes representation error"
        );
        assert_eq!(parse_reals("0..1:0.1").unwrap().len(), 11);
        assert_eq!(parse_reals("1..3").unwrap(), vec![1.0, 2.0, 3.0]);
        assert!(parse_reals("nan").is_err());
        assert!(parse_reals("0..1e12:1e-6")
            .unwrap_err()
            .contains("larger step"));
    }
}
