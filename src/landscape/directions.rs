//! Directions of a landscape slice θ(α, β) = θ* + α·δ + β·η (SPEC §4).

use rand::{rngs::StdRng, RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use super::pca::leading_components;
use super::LandscapeError;
use crate::nn::Params;

/// How the two directions are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DirectionKind {
    /// Li et al.'s filter-normalised random directions.
    #[default]
    Filter,
    /// Unnormalised N(0, 1) entries, biases included (the authors' code).
    Gaussian,
    /// The two leading principal components of the training trajectory.
    Pca,
    /// Eigenvectors of the Hessian (top two, or top and bottom), each scaled to ‖θ*‖.
    Hessian,
    /// Adam's step direction −m̂/(√v̂ + ε) and the top eigenvector orthogonalised against
    /// it, each scaled to ‖θ*‖.
    Update,
    /// The natural-gradient step −c(S + λI)⁻¹∇O (SPEC §8.1) and the top eigenvector
    /// orthogonalised against it, each scaled to ‖θ*‖: the plane beside Adam's.
    Natural,
    /// The 1D line from one snapshot to another, θ(t) = (1 − t)θ_a + tθ_b.
    Interpolate,
}

impl DirectionKind {
    /// The name in file names and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Filter => "filter",
            Self::Gaussian => "gaussian",
            Self::Pca => "pca",
            Self::Hessian => "hessian",
            Self::Update => "update",
            Self::Natural => "natural",
            Self::Interpolate => "interpolate",
        }
    }
}

/// Which eigenvectors a `hessian` slice spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum HessianPair {
    /// The two largest eigenvalues' vectors.
    #[default]
    Top,
    /// The largest and the most negative.
    TopBottom,
}

/// `v` as parameters, rescaled to norm `norm`.
fn scaled(like: &Params, v: &[f64], norm: f64) -> Result<Params, LandscapeError> {
    let length = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let factor = if length > 0.0 { norm / length } else { 0.0 };
    Ok(like.with_flat(v.iter().map(|x| x * factor).collect())?)
}

/// Directions along two given vectors (eigenvectors, a step), each scaled to ‖θ*‖ so α = 1
/// is a step as long as the weights; with `orthogonalise` the second loses its component
/// along the first.
pub fn vector_directions(
    kind: DirectionKind,
    theta: &Params,
    first: &[f64],
    second: &[f64],
    orthogonalise: bool,
) -> Result<Directions, LandscapeError> {
    let norm = theta.norm();
    let mut second = second.to_vec();
    if orthogonalise {
        let ff: f64 = first.iter().map(|x| x * x).sum();
        if ff > 0.0 {
            let fs: f64 = first.iter().zip(&second).map(|(a, b)| a * b).sum();
            second
                .iter_mut()
                .zip(first)
                .for_each(|(s, f)| *s -= fs / ff * f);
        }
    }
    Ok(Directions {
        kind,
        delta: scaled(theta, first, norm)?,
        eta: scaled(theta, &second, norm)?,
        explained: None,
    })
}

/// The interpolation line: δ = θ_b − θ_a (so α = t − 1/2 about the midpoint), η = 0.
pub fn interpolation_directions(a: &Params, b: &Params) -> Directions {
    let mut delta = b.clone();
    delta.axpy(-1.0, a);
    Directions {
        kind: DirectionKind::Interpolate,
        eta: a.zeros_like(),
        delta,
        explained: None,
    }
}

/// What a filter-normalised direction does with one-dimensional tensors (biases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BiasDirection {
    /// Zero (Li et al.'s default).
    #[default]
    Zero,
    /// Equal to the bias itself.
    Copy,
}

/// Two directions with what produced them.
#[derive(Debug, Clone, PartialEq)]
pub struct Directions {
    /// How they were chosen.
    pub kind: DirectionKind,
    /// First direction δ (the α axis).
    pub delta: Params,
    /// Second direction η (the β axis).
    pub eta: Params,
    /// Explained-variance ratios of the two components (PCA only).
    pub explained: Option<[f64; 2]>,
}

impl Directions {
    /// cos ∠(δ, η): near zero for random directions in thousands of dimensions.
    pub fn cosine(&self) -> f64 {
        self.delta.dot(&self.eta) / (self.delta.norm() * self.eta.norm()).max(f64::MIN_POSITIVE)
    }
}

/// A standard normal draw (Box–Muller; rand's distributions crate is not a dependency).
fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A Gaussian direction shaped like `like`.
pub fn gaussian(like: &Params, rng: &mut StdRng) -> Params {
    let mut d = like.zeros_like();
    d.flat_mut().iter_mut().for_each(|x| *x = normal(rng));
    d
}

/// Rescale every filter of `direction` to the norm of the same filter of `theta`:
/// d_f ← d_f·‖θ_f‖/(‖d_f‖ + 1e−10); vectors become zero or θ as `bias` says.
pub fn filter_normalize(direction: &mut Params, theta: &Params, bias: BiasDirection) {
    for filter in theta.filters() {
        let idx: Vec<usize> = theta.filter_indices(filter).collect();
        let (t, d) = (theta.flat(), direction.flat());
        let theta_norm = idx.iter().map(|&i| t[i] * t[i]).sum::<f64>().sqrt();
        let dir_norm = idx.iter().map(|&i| d[i] * d[i]).sum::<f64>().sqrt();
        let scale = theta_norm / (dir_norm + 1e-10);
        let mut d = direction.flat_mut();
        for &i in &idx {
            d[i] *= scale;
        }
    }
    for (i, spec) in theta.specs().iter().enumerate() {
        if spec.shape.len() == 1 {
            let values: Vec<f64> = match bias {
                BiasDirection::Zero => vec![0.0; spec.len()],
                BiasDirection::Copy => theta.slice(i).to_vec(),
            };
            direction.slice_mut(i).copy_from_slice(&values);
        }
    }
}

/// Random directions (filter or gaussian) around `theta`, from `seed`.
pub fn random_directions(
    kind: DirectionKind,
    theta: &Params,
    seed: u64,
    bias: BiasDirection,
) -> Directions {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut delta = gaussian(theta, &mut rng);
    let mut eta = gaussian(theta, &mut rng);
    if kind == DirectionKind::Filter {
        filter_normalize(&mut delta, theta, bias);
        filter_normalize(&mut eta, theta, bias);
    }
    Directions {
        kind,
        delta,
        eta,
        explained: None,
    }
}

/// PCA directions of a trajectory (rows of `path`, the last being the final weights).
pub fn pca_directions(
    like: &Params,
    path: ndarray::ArrayView2<f64>,
) -> Result<Directions, LandscapeError> {
    let (components, ratios) = leading_components(path)?;
    let delta = like.with_flat(components.row(0).to_owned())?;
    let eta = like.with_flat(components.row(1).to_owned())?;
    Ok(Directions {
        kind: DirectionKind::Pca,
        delta,
        eta,
        explained: Some(ratios),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::TensorSpec;

    #[test]
    fn the_worked_example_of_the_issue() {
        let mut theta = Params::zeros(vec![
            TensorSpec::matrix("w", 3, 2),
            TensorSpec::vector("b", 2),
        ]);
        theta
            .flat_mut()
            .assign(&ndarray::arr1(&[3.0, 1.0, 0.0, 2.0, 4.0, 2.0, 0.5, -0.5]));
        let mut d = theta.zeros_like();
        d.flat_mut()
            .assign(&ndarray::arr1(&[1.0, 0.0, 1.0, 0.0, 1.0, 2.0, 7.0, 7.0]));
        filter_normalize(&mut d, &theta, BiasDirection::Zero);
        let want = [2.886751, 0.0, 2.886751, 0.0, 2.886751, 3.0, 0.0, 0.0];
        for (got, want) in d.flat().iter().zip(want) {
            assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        }
        let mut d2 = theta.zeros_like();
        d2.flat_mut().fill(1.0);
        filter_normalize(&mut d2, &theta, BiasDirection::Copy);
        assert_eq!(d2.vector(1).to_vec(), vec![0.5, -0.5]);
    }

    #[test]
    fn random_directions_are_seeded_and_nearly_orthogonal() {
        let mut theta = Params::zeros(crate::nn::rnn2d::tensor_specs(40));
        theta.flat_mut().fill(0.1);
        let a = random_directions(DirectionKind::Filter, &theta, 4, BiasDirection::Zero);
        let b = random_directions(DirectionKind::Filter, &theta, 4, BiasDirection::Zero);
        assert_eq!(a, b);
        assert!(a.cosine().abs() < 0.1, "{}", a.cosine());
    }
}
