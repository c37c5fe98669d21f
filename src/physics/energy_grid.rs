//! E₀(B) between the fields the ground-energy cache holds (L = 5, where each value costs half
//! a minute of Lanczos): linear interpolation with a stated error bound.
//!
//! E₀(B) is concave (a minimum of functions linear in B), so the chord lies below the curve
//! and the error on an interval of width h is at most h²/8 · max|E₀''|; E₀'' is estimated from
//! the second divided differences of the neighbouring grid points.

use super::{GroundEnergyCache, NewmanMoore};

/// The cached E₀(B)/N of one (L, J), sorted by B.
#[derive(Debug, Clone, PartialEq)]
pub struct GroundEnergyGrid {
    points: Vec<(f64, f64)>,
}

/// An interpolated E₀(B)/N and the bound on its error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InterpolatedEnergy {
    /// E₀(B)/N.
    pub per_spin: f64,
    /// |error| is at most this (0 on a grid point).
    pub error_bound: f64,
}

impl GroundEnergyGrid {
    /// The fields cached for `model` in `cache` (`None` with fewer than three).
    pub fn from_cache(cache: &GroundEnergyCache, model: &NewmanMoore) -> Option<Self> {
        let prefix = format!("L{}_J{:?}_B", model.lattice().size(), model.coupling());
        let dir = cache.dir().join("ground_energy");
        let mut points: Vec<(f64, f64)> = std::fs::read_dir(&dir)
            .ok()?
            .filter_map(|entry| {
                let name = entry.ok()?.file_name().into_string().ok()?;
                let b: f64 = name
                    .strip_prefix(&prefix)?
                    .strip_suffix(".txt")?
                    .parse()
                    .ok()?;
                let e = cache.get(model, b)?;
                b.is_finite().then_some((b, e))
            })
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        points.dedup_by(|a, b| a.0 == b.0);
        Self::new(points)
    }

    /// A grid of (B, E₀/N) points (`None` with fewer than three).
    pub fn new(mut points: Vec<(f64, f64)>) -> Option<Self> {
        points.retain(|p| p.0.is_finite() && p.1.is_finite());
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        (points.len() >= 3).then_some(Self { points })
    }

    /// The fields covered.
    pub fn range(&self) -> (f64, f64) {
        (self.points[0].0, self.points[self.points.len() - 1].0)
    }

    /// E₀(B)/N at `b` inside the grid, with its error bound; `None` outside.
    pub fn at(&self, b: f64) -> Option<InterpolatedEnergy> {
        let p = &self.points;
        let (lo, hi) = self.range();
        if !(lo..=hi).contains(&b) {
            return None;
        }
        let i = p.partition_point(|q| q.0 <= b).clamp(1, p.len() - 1);
        let ((b0, e0), (b1, e1)) = (p[i - 1], p[i]);
        if b == b0 {
            return Some(InterpolatedEnergy {
                per_spin: e0,
                error_bound: 0.0,
            });
        }
        let t = (b - b0) / (b1 - b0);
        // |E₀''| from the divided differences of the triples around this interval.
        let second = |j: usize| -> f64 {
            let ((xa, ya), (xb, yb), (xc, yc)) = (p[j - 1], p[j], p[j + 1]);
            let d1 = (yb - ya) / (xb - xa);
            let d2 = (yc - yb) / (xc - xb);
            (2.0 * (d2 - d1) / (xc - xa)).abs()
        };
        let curvature = [i - 1, i]
            .into_iter()
            .filter(|&j| j >= 1 && j + 1 < p.len())
            .map(second)
            .fold(0.0, f64::max);
        Some(InterpolatedEnergy {
            per_spin: e0 + t * (e1 - e0),
            error_bound: (b1 - b0).powi(2) / 8.0 * curvature,
        })
    }
}

/// Refine the points `(x, f(x))` of a concave `f` until its chords lie within
/// `2 · tolerance` of `f`: an interval is split at its midpoint while f there is more than
/// `tolerance` above the chord. Concavity makes this a guarantee, not an estimate: the gap
/// g = f − chord is concave and zero at both ends, so max g ≤ 2 g(midpoint), and the chords of
/// the halves lie between f and the parent's chord. Intervals are taken widest first (breadth
/// first); intervals narrower than `min_width` and evaluations past `max_new` are not split,
/// and a failed evaluation leaves its interval as it is. Returns the points, sorted, and the
/// bound on |f − chord| over the whole curve that was reached (infinite where an interval was
/// never looked at).
pub fn refine_concave(
    mut points: Vec<(f64, f64)>,
    tolerance: f64,
    min_width: f64,
    max_new: usize,
    mut f: impl FnMut(f64) -> Option<f64>,
) -> (Vec<(f64, f64)>, f64) {
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Each interval with the bound its parent's midpoint gave (infinite for the first ones).
    type Interval = ((f64, f64), (f64, f64), f64);
    let mut pending: std::collections::VecDeque<Interval> = points
        .windows(2)
        .map(|w| (w[0], w[1], f64::INFINITY))
        .collect();
    let (mut evaluated, mut bound) = (0, 0.0f64);
    while let Some(((xa, ya), (xb, yb), inherited)) = pending.pop_front() {
        if xb - xa < 2.0 * min_width || evaluated >= max_new {
            bound = bound.max(inherited);
            continue;
        }
        let xm = 0.5 * (xa + xb);
        evaluated += 1;
        let Some(ym) = f(xm) else {
            bound = bound.max(inherited);
            continue;
        };
        points.push((xm, ym));
        let gap = (ym - 0.5 * (ya + yb)).max(0.0);
        if gap > tolerance {
            pending.push_back(((xa, ya), (xm, ym), 2.0 * gap));
            pending.push_back(((xm, ym), (xb, yb), 2.0 * gap));
        } else {
            bound = bound.max(2.0 * gap);
        }
    }
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    (points, bound)
}

/// The grid of `model` in the default cache, if there is one.
pub fn default_grid(model: &NewmanMoore) -> Option<GroundEnergyGrid> {
    GroundEnergyGrid::from_cache(&GroundEnergyCache::default_location()?, model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_of_a_concave_function_is_within_its_bound() {
        // E(B) = −√(1 + B²): concave, E'' = −(1 + B²)^{−3/2}.
        let f = |b: f64| -(1.0 + b * b).sqrt();
        let grid = GroundEnergyGrid::new(
            (0..=10)
                .map(|i| (0.1 * i as f64, f(0.1 * i as f64)))
                .collect(),
        )
        .unwrap();
        for k in 0..100 {
            let b = 0.01 * k as f64 + 0.003;
            let got = grid.at(b).unwrap();
            let error = (got.per_spin - f(b)).abs();
            // E'' comes from the grid's own divided differences, so the bound is an estimate:
            // allow it half again.
            assert!(
                error <= got.error_bound * 1.5 + 1e-15,
                "B = {b}: {error} > {}",
                got.error_bound
            );
            assert!(
                got.per_spin <= f(b) + 1e-15,
                "the chord lies below a concave curve"
            );
        }
        assert_eq!(grid.at(0.1 * 3.0).unwrap().error_bound, 0.0);
        assert!(grid.at(1.5).is_none());
        assert!(GroundEnergyGrid::new(vec![(0.0, 1.0), (1.0, 2.0)]).is_none());
    }

    #[test]
    fn refinement_draws_a_concave_curve_within_twice_the_tolerance() {
        // A concave curve with a sharp bend near 0.45, like E₀(B) at the crossover.
        let f = |b: f64| -(0.0004 + (b - 0.45).powi(2)).sqrt() - 0.5 * b;
        let coarse: Vec<(f64, f64)> = (0..=5)
            .map(|k| (0.2 * k as f64, f(0.2 * k as f64)))
            .collect();
        let (points, bound) = refine_concave(coarse, 1e-3, 1e-4, 200, |b| Some(f(b)));
        assert!(bound <= 2e-3, "{bound}");
        let worst = (0..=10_000)
            .map(|k| {
                let b = k as f64 * 1e-4;
                let i = points
                    .partition_point(|p| p.0 <= b)
                    .clamp(1, points.len() - 1);
                let ((x0, y0), (x1, y1)) = (points[i - 1], points[i]);
                f(b) - (y0 + (b - x0) / (x1 - x0) * (y1 - y0))
            })
            .fold(0.0, f64::max);
        assert!(worst <= 2e-3 && worst <= bound + 1e-12, "{worst} > {bound}");
        assert!(points.len() < 60, "{} points", points.len());
        // A budget too small for the bend leaves an honest, larger bound.
        let coarse: Vec<(f64, f64)> = (0..=5)
            .map(|k| (0.2 * k as f64, f(0.2 * k as f64)))
            .collect();
        let (_, bound) = refine_concave(coarse, 1e-3, 1e-4, 6, |b| Some(f(b)));
        assert!(bound > 2e-3, "{bound}");
    }
}
