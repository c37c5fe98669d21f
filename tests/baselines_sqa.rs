//! Simulated quantum annealing's path-integral estimator against dense diagonalisation of the
//! 512 × 512 transverse-field Hamiltonian at L = 3, and its Trotter error against P.

use annealscape::baselines::{quantum_equilibrium, QuantumEquilibrium};
use annealscape::physics::{Lattice, NewmanMoore};
use nalgebra::{DMatrix, SymmetricEigen};

const L: usize = 3;
const N: usize = L * L;

/// Classical energy of state x (bit i = spin bit of site i), from the triangle definition.
fn classical(x: usize) -> f64 {
    let bit = |r: usize, c: usize| (x >> ((r % L) * L + c % L)) & 1;
    let defects = (0..N)
        .filter(|&t| {
            let (r, c) = (t / L, t % L);
            bit(r, c) ^ bit(r, c + 1) ^ bit(r + 1, c) == 1
        })
        .count();
    defects as f64 - N as f64 / 2.0
}

/// Exact ⟨H − BΣX⟩/N at temperature t.
fn exact_energy(b: f64, t: f64) -> f64 {
    let dim = 1 << N;
    let mut h = DMatrix::<f64>::zeros(dim, dim);
    for x in 0..dim {
        h[(x, x)] = classical(x);
        for i in 0..N {
            h[(x, x ^ (1 << i))] = -b;
        }
    }
    let eig = SymmetricEigen::new(h);
    let e_min = eig.eigenvalues.min();
    let (mut z, mut e) = (0.0, 0.0);
    for &v in eig.eigenvalues.iter() {
        let w = (-(v - e_min) / t).exp();
        z += w;
        e += w * v;
    }
    e / z / N as f64
}

/// ln Z_P(β) = ln Tr[(e^{−(β/P)H_cl} e^{(β/P)BΣX})^P], the partition function PIMC samples,
/// from the eigenvalues of the symmetric D^{1/2} K D^{1/2}.
fn ln_trotter_z(b: f64, beta: f64, p: usize) -> f64 {
    let dim = 1 << N;
    let a = beta * b / p as f64;
    let d: Vec<f64> = (0..dim)
        .map(|x| (-beta / p as f64 * classical(x) / 2.0).exp())
        .collect();
    let m = DMatrix::from_fn(dim, dim, |x, y| {
        let flips = (x ^ y).count_ones() as i32;
        d[x] * a.cosh().powi(N as i32 - flips) * a.sinh().powi(flips) * d[y]
    });
    let lambda = SymmetricEigen::new(m).eigenvalues;
    let top = lambda.max();
    let sum: f64 = lambda.iter().map(|l| (l / top).powi(p as i32)).sum();
    p as f64 * top.ln() + sum.ln()
}

/// E_P/N = −∂ ln Z_P/∂β / N, by central differences.
fn trotter_energy(b: f64, t: f64, p: usize) -> f64 {
    let (beta, h) = (1.0 / t, 1e-4);
    -(ln_trotter_z(b, beta + h, p) - ln_trotter_z(b, beta - h, p)) / (2.0 * h) / N as f64
}

#[test]
fn the_path_integral_estimator_matches_dense_diagonalisation_and_its_trotter_limit() {
    let (b, t) = (0.6, 0.5);
    let exact = exact_energy(b, t);
    let model = NewmanMoore::new(Lattice::new(L).unwrap(), 1.0).unwrap();
    let mut previous_error = f64::INFINITY;
    for p in [4usize, 8, 32] {
        let trotter = trotter_energy(b, t, p);
        let error = (trotter - exact).abs();
        assert!(
            error < previous_error,
            "Trotter error grew at P = {p}: {error}"
        );
        previous_error = error;
        let (mean, stderr) = quantum_equilibrium(&QuantumEquilibrium {
            model,
            slices: p,
            t,
            b,
            burn_in: 1000,
            sweeps: 20_000,
            runs: 32,
            seed: p as u64 + 100,
        })
        .unwrap();
        eprintln!("P = {p}: PIMC {mean:.5} ± {stderr:.5}, Trotter {trotter:.5}, exact {exact:.5}");
        assert!(
            (mean - trotter).abs() < 4.0 * stderr,
            "P = {p}: {mean} ± {stderr} vs {trotter}"
        );
        if p == 32 {
            assert!(
                (mean - exact).abs() < 4.0 * stderr,
                "P = 32: {mean} ± {stderr} vs exact {exact}"
            );
        }
    }
    // At P = 4 the Trotter error is resolved by the sampling: the test can see it shrink.
    assert!(
        (trotter_energy(b, t, 4) - exact).abs() > 5.0 * (trotter_energy(b, t, 32) - exact).abs()
    );
}
