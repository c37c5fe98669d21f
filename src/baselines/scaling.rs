//! Residual-energy scaling laws (SPEC §7), fitted to ε_res(τ) ± stderr and compared by AIC.
//!
//! All three laws are straight lines in ln ε against a transform x(τ):
//! power a·τ^(−α) in x = ln τ, Huse–Fisher a·(ln τ)^(−ζ) in x = ln ln τ, and the freezing law
//! a·exp(−√(ln τ / c)) in x = √(ln τ). Each is fitted by weighted least squares with
//! σ(ln ε) = stderr/ε, so χ² and AIC = χ² + 2k (k = 2 for all three) compare them directly.

/// One scaling law.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Law {
    /// a·τ^(−α).
    Power,
    /// a·(ln τ)^(−ζ) (Huse & Fisher 1986).
    Logarithmic,
    /// a·exp(−√(ln τ / c)): freezing out with τ_eq ~ exp(c/T²).
    Freezing,
}

impl Law {
    /// All three, in SPEC order.
    pub const ALL: [Law; 3] = [Law::Power, Law::Logarithmic, Law::Freezing];

    /// Name used in CSV files and legends.
    pub fn name(self) -> &'static str {
        match self {
            Law::Power => "power",
            Law::Logarithmic => "log",
            Law::Freezing => "freezing",
        }
    }

    /// Formula with the exponent's symbol.
    pub fn formula(self) -> &'static str {
        match self {
            Law::Power => "a tau^-alpha",
            Law::Logarithmic => "a (ln tau)^-zeta",
            Law::Freezing => "a exp(-sqrt(ln tau / c))",
        }
    }

    /// The abscissa this law is linear in, or `None` where undefined (τ ≤ 1).
    fn abscissa(self, tau: f64) -> Option<f64> {
        let ln = tau.ln();
        match self {
            Law::Power if tau > 0.0 => Some(ln),
            Law::Logarithmic if tau > 1.0 => Some(ln.ln()),
            Law::Freezing if tau >= 1.0 => Some(ln.sqrt()),
            _ => None,
        }
    }
}

/// One measured point: annealing length, mean residual energy and its standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// τ (sweeps, or annealing steps).
    pub tau: f64,
    /// Mean ε_res.
    pub mean: f64,
    /// Its standard error.
    pub stderr: f64,
}

/// A fitted law.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Which law.
    pub law: Law,
    /// The prefactor a.
    pub a: f64,
    /// α, ζ or c.
    pub exponent: f64,
    /// Weighted residual sum of squares.
    pub chi2: f64,
    /// Akaike's criterion χ² + 2k with k = 2.
    pub aic: f64,
    /// Points used (those with ε > 0 and τ where the law is defined).
    pub points: usize,
}

impl Fit {
    /// The fitted ε_res at τ.
    pub fn eval(&self, tau: f64) -> f64 {
        let ln = tau.ln();
        match self.law {
            Law::Power => self.a * tau.powf(-self.exponent),
            Law::Logarithmic => self.a * ln.powf(-self.exponent),
            Law::Freezing => self.a * (-(ln / self.exponent).sqrt()).exp(),
        }
    }
}

/// The smallest relative error a point is given, so that a point where every run agreed (stderr
/// 0) does not take all the weight.
pub const MIN_RELATIVE_ERROR: f64 = 0.01;

/// Fewest points a law is fitted to: two parameters and at least two degrees of freedom.
pub const MIN_FIT_POINTS: usize = 4;

/// Fit `law` to the points with ε > 0; `None` with fewer than [`MIN_FIT_POINTS`] such points
/// or when the fitted line does not fall (a freezing law needs a negative slope to define c).
pub fn fit(law: Law, points: &[Point]) -> Option<Fit> {
    let rows: Vec<(f64, f64, f64)> = points
        .iter()
        .filter(|p| p.mean > 0.0 && p.mean.is_finite())
        .filter_map(|p| {
            let x = law.abscissa(p.tau)?;
            let sigma = (p.stderr / p.mean).max(MIN_RELATIVE_ERROR);
            Some((x, p.mean.ln(), 1.0 / (sigma * sigma)))
        })
        .collect();
    if rows.len() < MIN_FIT_POINTS {
        return None;
    }
    let sw: f64 = rows.iter().map(|r| r.2).sum();
    let mx = rows.iter().map(|r| r.2 * r.0).sum::<f64>() / sw;
    let my = rows.iter().map(|r| r.2 * r.1).sum::<f64>() / sw;
    let sxx: f64 = rows.iter().map(|r| r.2 * (r.0 - mx).powi(2)).sum();
    let sxy: f64 = rows.iter().map(|r| r.2 * (r.0 - mx) * (r.1 - my)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let chi2: f64 = rows
        .iter()
        .map(|r| r.2 * (r.1 - intercept - slope * r.0).powi(2))
        .sum();
    let exponent = match law {
        Law::Power | Law::Logarithmic => -slope,
        Law::Freezing if slope < 0.0 => 1.0 / (slope * slope),
        Law::Freezing => return None,
    };
    Some(Fit {
        law,
        a: intercept.exp(),
        exponent,
        chi2,
        aic: chi2 + 4.0,
        points: rows.len(),
    })
}

/// All laws that can be fitted, best (lowest AIC) first.
pub fn fit_all(points: &[Point]) -> Vec<Fit> {
    let mut fits: Vec<Fit> = Law::ALL.iter().filter_map(|&l| fit(l, points)).collect();
    fits.sort_by(|a, b| a.aic.total_cmp(&b.aic));
    fits
}
