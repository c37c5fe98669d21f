//! Principal components of a trajectory of parameter vectors.

use ndarray::{Array1, Array2, ArrayView2, Axis};

use super::LandscapeError;

/// Most trajectory points the PCA uses. Measured on two cores with 3,482 parameters: Jacobi
/// takes 0.4 s at 200 points and 5 s at 400 (it grows as n³), so longer trajectories are thinned
/// evenly to 256 (about 1 s); the two leading directions of a path barely move under thinning.
pub const PCA_MAX_POINTS: usize = 256;

/// The two leading principal directions (unit rows of a 2 × P matrix) of the points
/// θ_i − θ_final, mean-centred, and their explained-variance ratios.
///
/// The n × n Gram matrix of the centred points is diagonalised by cyclic Jacobi rotations
/// (n ≤ a few hundred points, so this is cheap and robust to close eigenvalues).
pub fn leading_components(
    path: ArrayView2<f64>,
) -> Result<(Array2<f64>, [f64; 2]), LandscapeError> {
    // Jacobi is O(n³): keep at most PCA_MAX_POINTS evenly spread points, the last included,
    // so time and memory stay bounded for every allowed trajectory length.
    let thinned;
    let path = if path.nrows() > PCA_MAX_POINTS {
        let n = path.nrows();
        let rows: Vec<usize> = (0..PCA_MAX_POINTS)
            .map(|i| i * (n - 1) / (PCA_MAX_POINTS - 1))
            .collect();
        thinned = path.select(Axis(0), &rows);
        thinned.view()
    } else {
        path
    };
    let n = path.nrows();
    if n < 3 {
        return Err(LandscapeError::TooFewPoints { found: n });
    }
    let last = path.row(n - 1).to_owned();
    let mut centred = &path - &last;
    let mean = centred.mean_axis(Axis(0)).expect("non-empty");
    centred -= &mean;
    let gram = centred.dot(&centred.t());
    let (values, vectors) = symmetric_eigen(gram);
    let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
    if total <= 0.0 {
        return Err(LandscapeError::StillPath);
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let mut components = Array2::zeros((2, path.ncols()));
    let mut ratios = [0.0; 2];
    for (k, &i) in order.iter().take(2).enumerate() {
        let lambda = values[i].max(0.0);
        let mut c: Array1<f64> = centred.t().dot(&vectors.column(i));
        let norm = c.dot(&c).sqrt();
        if norm > 0.0 {
            c /= norm;
        }
        components.row_mut(k).assign(&c);
        ratios[k] = lambda / total;
    }
    Ok((components, ratios))
}

/// Eigenvalues and eigenvectors (columns) of a symmetric matrix by cyclic Jacobi.
pub fn symmetric_eigen(mut a: Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    let n = a.nrows();
    let mut v = Array2::eye(n);
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[[i, j]] * a[[i, j]])
            .sum();
        let scale: f64 = a.iter().map(|x| x * x).sum();
        if off <= 1e-30 * scale.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[[p, q]];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let theta = (a[[q, q]] - a[[p, p]]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[[k, p]], a[[k, q]]);
                    a[[k, p]] = c * akp - s * akq;
                    a[[k, q]] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[[p, k]], a[[q, k]]);
                    a[[p, k]] = c * apk - s * aqk;
                    a[[q, k]] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[[k, p]], v[[k, q]]);
                    v[[k, p]] = c * vkp - s * vkq;
                    v[[k, q]] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[[i, i]]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_diagonalises_a_known_matrix() {
        let a = ndarray::arr2(&[[2.0, 1.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 5.0]]);
        let (mut values, vectors) = symmetric_eigen(a.clone());
        let recon = vectors
            .dot(&Array2::from_diag(&Array1::from(values.clone())))
            .dot(&vectors.t());
        assert!((&recon - &a).iter().all(|d| d.abs() < 1e-12));
        values.sort_by(f64::total_cmp);
        assert!((values[0] - 1.0).abs() < 1e-12 && (values[2] - 5.0).abs() < 1e-12);
    }

    #[test]
    fn a_path_along_one_axis_has_one_component() {
        let path = Array2::from_shape_fn((10, 4), |(i, j)| if j == 2 { i as f64 } else { 0.0 });
        let (c, ratios) = leading_components(path.view()).unwrap();
        assert!((c[[0, 2]].abs() - 1.0).abs() < 1e-12);
        assert!((ratios[0] - 1.0).abs() < 1e-12 && ratios[1].abs() < 1e-12);
    }

    #[test]
    fn a_long_path_is_thinned_and_keeps_its_plane() {
        // 5,000 points in the plane of e₁ and e₂ (of 50 dimensions): thinned to the cap, the
        // two components still span that plane.
        let path = Array2::from_shape_fn((5000, 50), |(i, j)| {
            let t = i as f64 / 5000.0;
            match j {
                1 => 3.0 * t,
                2 => (6.0 * t).sin(),
                _ => 0.0,
            }
        });
        let (c, _) = leading_components(path.view()).unwrap();
        for k in 0..2 {
            let in_plane = c[[k, 1]].powi(2) + c[[k, 2]].powi(2);
            assert!((in_plane - 1.0).abs() < 1e-9, "component {k}: {in_plane}");
        }
    }
}
