//! The small statistics every layer uses (median, mean and standard error, Wilson interval) —
//! below every layer, like `files`.

/// The median: the middle value, or the mean of the middle two for an even count (the
/// statistical convention, as `numpy.median`); NaN for an empty list. NaNs sort last.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]),
    }
}

/// The mean and its standard error (sample standard deviation / √n; 0 for one value); NaNs
/// for an empty list.
pub fn mean_stderr(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    if values.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, 0.0);
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// The Wilson score interval of a success rate at 95 % (z = 1.96): `successes` of `trials`.
/// (0, 1) for no trials.
pub fn wilson_interval(successes: usize, trials: usize) -> (f64, f64) {
    if trials == 0 {
        return (0.0, 1.0);
    }
    const Z: f64 = 1.96;
    let n = trials as f64;
    let p = successes as f64 / n;
    let centre = p + Z * Z / (2.0 * n);
    let half = Z * (p * (1.0 - p) / n + Z * Z / (4.0 * n * n)).sqrt();
    let denominator = 1.0 + Z * Z / n;
    (
        ((centre - half) / denominator).max(0.0),
        ((centre + half) / denominator).min(1.0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_counts_take_the_middle_and_even_counts_the_mean_of_the_middle_two() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[-1.0]), -1.0);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn the_wilson_interval_matches_published_values() {
        // Newcombe (1998), table I: 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605; 0/20 → 0–0.1611.
        for (k, n, lo, hi) in [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
        ] {
            let (a, b) = wilson_interval(k, n);
            assert!(
                (a - lo).abs() < 5e-4 && (b - hi).abs() < 5e-4,
                "{k}/{n}: {a} {b}"
            );
        }
        let (a, b) = wilson_interval(6, 6);
        assert!((a - 0.6097).abs() < 5e-4 && b == 1.0, "{a} {b}");
    }

    #[test]
    fn the_standard_error_is_the_sample_deviation_over_the_root_of_n() {
        let (m, se) = mean_stderr(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(m, 2.5);
        // Sample variance 5/3, n = 4.
        assert!((se - (5.0_f64 / 3.0 / 4.0).sqrt()).abs() < 1e-15);
        assert_eq!(mean_stderr(&[7.0]), (7.0, 0.0));
    }
}
