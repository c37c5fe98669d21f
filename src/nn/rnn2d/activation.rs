//! Vectorised nonlinearities: elu through a branch-free exp that the compiler turns into
//! SIMD code (libm's expm1 was a third of a quantum step), compiled twice and chosen at run
//! time so AVX2 + FMA machines use their full width without requiring them.

use super::Activation;

const LOG2_E: f64 = std::f64::consts::LOG2_E;
/// ln 2 split as in fdlibm: the high part has trailing zero bits so n·LN_2_HI is exact.
const LN_2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN_2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
/// Adding and subtracting 1.5·2⁵² rounds to the nearest integer without a libm call.
const ROUNDER: f64 = 6_755_399_441_055_744.0;

/// e^x for x in [−40, 0]: Cody–Waite reduction to |r| ≤ ln2/2, then the degree-12 Taylor
/// polynomial (truncation below 2e−16 relative) by Estrin's scheme, whose short dependency
/// chains keep the SIMD units busy, and scaling by 2^n through the exponent bits.
/// `fma(a, b, c)` = a·b + c: a fused instruction where the CPU has one.
#[inline(always)]
fn exp_nonpositive(x: f64, fma: impl Fn(f64, f64, f64) -> f64) -> f64 {
    const C: [f64; 13] = [
        1.0,
        1.0,
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
    ];
    let x = x.clamp(-40.0, 0.0);
    let shifted = fma(x, LOG2_E, ROUNDER);
    let n = shifted - ROUNDER;
    let r = fma(-n, LN_2_LO, fma(-n, LN_2_HI, x));
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let q0 = fma(fma(C[3], r, C[2]), r2, fma(C[1], r, C[0]));
    let q1 = fma(fma(C[7], r, C[6]), r2, fma(C[5], r, C[4]));
    let q2 = fma(fma(C[11], r, C[10]), r2, fma(C[9], r, C[8]));
    let p = fma(fma(C[12], r4, q2), r8, fma(q1, r4, q0));
    // `shifted` = 1.5·2⁵² + n exactly (its ulp is 1), so the bit patterns differ by n;
    // integer subtraction and a left shift vectorise on AVX2 (an arithmetic right shift would not).
    let n_int = shifted.to_bits().wrapping_sub(ROUNDER.to_bits());
    let scale = f64::from_bits(n_int.wrapping_add(1023) << 52);
    p * scale
}

/// elu without a branch or a select: max(x, 0) + min(eˣ − 1, 0) is x for x > 0 and eˣ − 1
/// otherwise, and stores whole vectors (a masked store is slow on some CPUs).
#[inline(always)]
fn elu_in_place(values: &mut [f64], fma: impl Fn(f64, f64, f64) -> f64 + Copy) {
    for v in values.iter_mut() {
        let x = *v;
        *v = x.max(0.0) + (exp_nonpositive(x, fma) - 1.0).min(0.0);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn elu_in_place_avx2(values: &mut [f64]) {
    elu_in_place(values, f64::mul_add);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn elu_in_place_avx512(values: &mut [f64]) {
    elu_in_place(values, f64::mul_add);
}

/// Apply `activation` to every entry of `values`.
pub fn activate(activation: Activation, values: &mut [f64]) {
    match activation {
        Activation::Elu => {
            #[cfg(target_arch = "x86_64")]
            match super::simd::level() {
                // SAFETY: the CPU supports the features each function was compiled for.
                super::simd::Level::Avx512 => return unsafe { elu_in_place_avx512(values) },
                super::simd::Level::Avx2 => return unsafe { elu_in_place_avx2(values) },
                super::simd::Level::Portable => {}
            }
            elu_in_place(values, |a, b, c| a * b + c);
        }
        Activation::Tanh => values.iter_mut().for_each(|v| *v = v.tanh()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_elu_matches_libm_to_a_few_ulp_of_one() {
        let mut xs: Vec<f64> = (0..20_001).map(|i| -50.0 + i as f64 * 0.0026).collect();
        xs.extend([0.0, -0.0, -1e-300, -1e-10, 1e-10, 3.0, -700.0]);
        let mut fast = xs.clone();
        activate(Activation::Elu, &mut fast);
        // The portable path too (the test machine may take the AVX2 one above).
        let mut portable = xs.clone();
        elu_in_place(&mut portable, |a, b, c| a * b + c);
        // Every vector width gives the same bits.
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            let mut avx2 = xs.clone();
            // SAFETY: just checked.
            unsafe { elu_in_place_avx2(&mut avx2) };
            if is_x86_feature_detected!("avx512f") {
                let mut avx512 = xs.clone();
                // SAFETY: just checked.
                unsafe { elu_in_place_avx512(&mut avx512) };
                assert!(avx2
                    .iter()
                    .zip(&avx512)
                    .all(|(a, b)| a.to_bits() == b.to_bits()));
            }
        }
        for ((&x, &f), &p) in xs.iter().zip(&fast).zip(&portable) {
            let exact = if x > 0.0 { x } else { x.exp_m1() };
            assert!(
                (f - exact).abs() <= 4e-16 * exact.abs().max(1.0),
                "x = {x}: {f} vs {exact}"
            );
            assert!(
                (p - exact).abs() <= 4e-16 * exact.abs().max(1.0),
                "x = {x}: {p} vs {exact}"
            );
        }
    }
}
