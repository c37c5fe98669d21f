//! How landscape values map to colours: a colour map, a fixed or percentile-clamped range, a
//! linear or log scale, and the contour levels drawn over it.

use super::ColorMap;

/// How values map to colours.
#[derive(Debug, Clone, PartialEq)]
pub struct ColorScale {
    /// The map.
    pub map: ColorMap,
    /// Clamp outliers to these percentiles of the values (e.g. (2, 98)).
    pub clamp_percentiles: Option<(f64, f64)>,
    /// Fixed range instead of the data's.
    pub range: Option<(f64, f64)>,
    /// Colour by log10(v − min + 10⁻³·span), labels in the original values.
    pub log: bool,
    /// Number of contour levels (0 = none), evenly spaced in colour.
    pub contours: usize,
    /// Explicit contour levels in the plotted values (replace `contours`).
    pub levels: Option<Vec<f64>>,
}

impl Default for ColorScale {
    fn default() -> Self {
        Self {
            map: ColorMap::Viridis,
            clamp_percentiles: None,
            range: None,
            log: false,
            contours: 8,
            levels: None,
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let pos = (p / 100.0).clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

impl ColorScale {
    /// The range of `values` after the fixed range or the percentile clamp; non-finite
    /// values (rows not computed yet) are skipped.
    pub fn value_range(&self, values: impl Iterator<Item = f64>) -> (f64, f64) {
        if let Some(r) = self.range {
            return r;
        }
        let mut all: Vec<f64> = values.filter(|v| v.is_finite()).collect();
        if all.is_empty() {
            return (0.0, 1.0);
        }
        all.sort_by(f64::total_cmp);
        let (lo, hi) = match self.clamp_percentiles {
            Some((a, b)) => (percentile(&all, a), percentile(&all, b)),
            None => (all[0], all[all.len() - 1]),
        };
        if hi > lo {
            (lo, hi)
        } else {
            (
                lo - 0.5e-6_f64.max(lo.abs() * 1e-9),
                hi + 0.5e-6_f64.max(hi.abs() * 1e-9),
            )
        }
    }

    /// Position of `v` in the colour scale, 0…1.
    pub fn position(&self, v: f64, (lo, hi): (f64, f64)) -> f64 {
        let v = v.clamp(lo, hi);
        if self.log {
            let eps = 1e-3 * (hi - lo);
            ((v - lo + eps).log10() - eps.log10()) / ((hi - lo + eps).log10() - eps.log10())
        } else {
            (v - lo) / (hi - lo)
        }
    }

    /// The colour of value `v` in `range` (the app's heatmap uses the same map).
    pub fn rgb(&self, v: f64, range: (f64, f64)) -> [u8; 3] {
        self.map.rgb(self.position(v, range))
    }
}
