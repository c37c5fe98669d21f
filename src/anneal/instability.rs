//! Where the energy jumps during an anneal: the instability the paper reports near B ≈ 0.45.

/// Indices where ⟨E⟩/N jumps: the mean of the `window` values after an index differs from
/// the mean of the `window` values before it by more than `threshold` (per spin). One index
/// per jump — the largest difference of each run of consecutive exceedances.
pub fn energy_jumps(energy: &[f64], window: usize, threshold: f64) -> Vec<usize> {
    let window = window.max(1);
    let n = energy.len();
    if n < 2 * window {
        return Vec::new();
    }
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0);
    for e in energy {
        // A NaN would poison every later mean; treat it as no information.
        let e = if e.is_finite() { *e } else { 0.0 };
        prefix.push(prefix.last().copied().unwrap_or(0.0) + e);
    }
    let mean = |a: usize, b: usize| (prefix[b] - prefix[a]) / (b - a) as f64;
    // Marks with their size; a cluster that starts within a window of the previous mark is
    // the same jump seen through noise, so the two merge and the larger difference wins.
    let mut marks: Vec<(usize, f64)> = Vec::new();
    let mut best: Option<(usize, f64)> = None;
    let close = |mark: (usize, f64), marks: &mut Vec<(usize, f64)>| match marks.last_mut() {
        Some(last) if mark.0 - last.0 <= window => {
            if mark.1 > last.1 {
                *last = mark;
            }
        }
        _ => marks.push(mark),
    };
    for i in window..=n - window {
        let delta = (mean(i, i + window) - mean(i - window, i)).abs();
        if delta > threshold {
            if best.is_none_or(|(_, d)| delta > d) {
                best = Some((i, delta));
            }
        } else if let Some(mark) = best.take() {
            close(mark, &mut marks);
        }
    }
    if let Some(mark) = best {
        close(mark, &mut marks);
    }
    marks.into_iter().map(|(i, _)| i).collect()
}

/// The energy jumps of a run by the rule every view uses: a window of 1 % of the run's
/// `total_steps` (at least 10 steps) and a threshold of 0.05 J per spin; steps, not indices.
pub fn run_energy_jumps(
    metrics: &[super::StepMetrics],
    total_steps: usize,
    coupling: f64,
) -> Vec<usize> {
    let window = (total_steps / 100).max(10);
    let energy: Vec<f64> = metrics.iter().map(|m| m.energy_mean).collect();
    energy_jumps(&energy, window, 0.05 * coupling)
        .into_iter()
        .map(|i| metrics[i].step)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_is_found_where_it_is_and_noise_is_not() {
        let mut energy: Vec<f64> = (0..400)
            .map(|i| if i < 250 { 0.0 } else { -0.4 } + 0.01 * ((i * 7919) % 13) as f64 / 13.0)
            .collect();
        let jumps = energy_jumps(&energy, 20, 0.1);
        assert_eq!(jumps.len(), 1, "{jumps:?}");
        assert!((248..=252).contains(&jumps[0]), "{jumps:?}");
        energy.truncate(200);
        assert!(energy_jumps(&energy, 20, 0.1).is_empty());
        // A jump whose exceedance is broken by one noisy dip is still one jump.
        let mut noisy: Vec<f64> = (0..400).map(|i| if i < 200 { 0.0 } else { -0.3 }).collect();
        noisy[205] = 0.5;
        noisy[206] = 0.5;
        let jumps = energy_jumps(&noisy, 20, 0.1);
        assert_eq!(jumps.len(), 1, "{jumps:?}");
    }

    #[test]
    fn two_separate_jumps_give_two_marks_and_short_series_none() {
        let energy: Vec<f64> = (0..600)
            .map(|i| match i {
                0..200 => 0.0,
                200..400 => -0.3,
                _ => -0.5,
            })
            .collect();
        assert_eq!(energy_jumps(&energy, 10, 0.1), vec![200, 400]);
        assert!(energy_jumps(&energy[..15], 10, 0.1).is_empty());
    }
}
