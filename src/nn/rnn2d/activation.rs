//! Vectorised nonlinearities: elu through a branch-free exp that the compiler turns into
//! SIMD code (libm's expm1 was a third of a quantum step), compiled twice and chosen at run
//! time so AVX2 + FMA machines use their full width without requiring them.

use super::real::Real;
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

/// e^x for x in [−40, 0] in f32: the same reduction with fdlibm's single-precision split of
/// ln 2 and the degree-7 Taylor polynomial (truncation below 6e−9 relative, under half an f32
/// ulp) by Estrin's scheme.
#[inline(always)]
fn exp_nonpositive_f32(x: f32, fma: impl Fn(f32, f32, f32) -> f32) -> f32 {
    const LN_2_HI: f32 = f32::from_bits(0x3f31_7200);
    const LN_2_LO: f32 = f32::from_bits(0x35bf_be8e);
    /// 1.5·2²³: rounds to the nearest integer as ROUNDER does in f64.
    const ROUNDER: f32 = 12_582_912.0;
    const C: [f32; 8] = [
        1.0,
        1.0,
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
    ];
    let x = x.clamp(-40.0, 0.0);
    let shifted = fma(x, std::f32::consts::LOG2_E, ROUNDER);
    let n = shifted - ROUNDER;
    let r = fma(-n, LN_2_LO, fma(-n, LN_2_HI, x));
    let r2 = r * r;
    let r4 = r2 * r2;
    let q0 = fma(fma(C[3], r, C[2]), r2, fma(C[1], r, C[0]));
    let q1 = fma(fma(C[7], r, C[6]), r2, fma(C[5], r, C[4]));
    let p = fma(q1, r4, q0);
    let n_int = shifted.to_bits().wrapping_sub(ROUNDER.to_bits());
    let scale = f32::from_bits(n_int.wrapping_add(127) << 23);
    p * scale
}

/// elu in f32, branch-free as in f64.
#[inline(always)]
fn elu_in_place_f32(values: &mut [f32], fma: impl Fn(f32, f32, f32) -> f32 + Copy) {
    for v in values.iter_mut() {
        let x = *v;
        *v = x.max(0.0) + (exp_nonpositive_f32(x, fma) - 1.0).min(0.0);
    }
}

/// log1p(e^−|d|) for f64: libm, as the pass always did (the f64 results keep their bits).
#[inline(always)]
fn tails_f64_scalar(d: &[f64], out: &mut [f64], _fma: impl Fn(f64, f64, f64) -> f64 + Copy) {
    for (o, &x) in out.iter_mut().zip(d) {
        *o = (-x.abs()).exp().ln_1p();
    }
}

/// log1p(t) with t = e^−|d| ∈ (0, 1] in f32, branch-free so it vectorises (glibc's log1pf
/// was a tenth of an f32 step): ln(1 + t) = 2·atanh(s) with s = t/(2 + t) ≤ 1/3, the odd
/// series to s¹⁵ (truncation below 2e−9 relative).
#[inline(always)]
fn tails_f32(d: &[f32], out: &mut [f32], fma: impl Fn(f32, f32, f32) -> f32 + Copy) {
    const C: [f32; 8] = [
        2.0,
        2.0 / 3.0,
        2.0 / 5.0,
        2.0 / 7.0,
        2.0 / 9.0,
        2.0 / 11.0,
        2.0 / 13.0,
        2.0 / 15.0,
    ];
    for (o, &x) in out.iter_mut().zip(d) {
        let t = exp_nonpositive_f32(-x.abs(), fma);
        let s = t / (2.0 + t);
        let z = s * s;
        let z2 = z * z;
        let z4 = z2 * z2;
        let q0 = fma(fma(C[3], z, C[2]), z2, fma(C[1], z, C[0]));
        let q1 = fma(fma(C[7], z, C[6]), z2, fma(C[5], z, C[4]));
        *o = s * fma(q1, z4, q0);
    }
}

/// log1p(e^−|d|), the part of softplus(±d) = max(±d, 0) + log1p(e^−|d|) that needs a
/// transcendental, for one element type at every level.
macro_rules! tail_kernels {
    ($t:ty, $body:ident, $avx2:ident, $avx512:ident, $dispatch:ident) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        fn $avx2(d: &[$t], out: &mut [$t]) {
            $body(d, out, <$t>::mul_add);
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx512f,avx2,fma")]
        fn $avx512(d: &[$t], out: &mut [$t]) {
            $body(d, out, <$t>::mul_add);
        }

        /// out[i] = log1p(e^−|d[i]|) with the widest kernel the CPU has.
        pub(super) fn $dispatch(d: &[$t], out: &mut [$t]) {
            #[cfg(target_arch = "x86_64")]
            match super::simd::level() {
                // SAFETY: the CPU supports the features each function was compiled for.
                super::simd::Level::Avx512 => return unsafe { $avx512(d, out) },
                super::simd::Level::Avx2 => return unsafe { $avx2(d, out) },
                super::simd::Level::Portable => {}
            }
            $body(d, out, |a, b, c| a * b + c);
        }
    };
}

tail_kernels!(
    f64,
    tails_f64_scalar,
    tails_f64_avx2,
    tails_f64_avx512,
    softplus_tails_f64
);
tail_kernels!(
    f32,
    tails_f32,
    tails_f32_avx2,
    tails_f32_avx512,
    softplus_tails_f32
);

/// elu for one element type at every level.
macro_rules! elu_kernels {
    ($t:ty, $body:ident, $avx2:ident, $avx512:ident, $dispatch:ident) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        fn $avx2(values: &mut [$t]) {
            $body(values, <$t>::mul_add);
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx512f,avx2,fma")]
        fn $avx512(values: &mut [$t]) {
            $body(values, <$t>::mul_add);
        }

        /// elu in place with the widest kernel the CPU has.
        pub(super) fn $dispatch(values: &mut [$t]) {
            #[cfg(target_arch = "x86_64")]
            match super::simd::level() {
                // SAFETY: the CPU supports the features each function was compiled for.
                super::simd::Level::Avx512 => return unsafe { $avx512(values) },
                super::simd::Level::Avx2 => return unsafe { $avx2(values) },
                super::simd::Level::Portable => {}
            }
            $body(values, |a, b, c| a * b + c);
        }
    };
}

elu_kernels!(
    f64,
    elu_in_place,
    elu_in_place_avx2,
    elu_in_place_avx512,
    elu_f64
);
elu_kernels!(
    f32,
    elu_in_place_f32,
    elu_in_place_avx2_f32,
    elu_in_place_avx512_f32,
    elu_f32
);

/// Apply `activation` to every entry of `values`.
pub fn activate<T: Real>(activation: Activation, values: &mut [T]) {
    match activation {
        Activation::Elu => T::elu_in_place(values),
        Activation::Tanh => values.iter_mut().for_each(|v| *v = v.tanh()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::simd::Level;
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

    #[cfg(target_arch = "x86_64")]
    /// Every f32 kernel gives the same bits at every width and is within `ulps` f32 ulps
    /// (of max(|exact|, floor)) of the f64 libm value.
    fn check_f32(
        name: &str,
        xs: &[f32],
        run: impl Fn(&mut [f32], Level),
        exact: impl Fn(f64) -> f64,
        floor: f64,
        ulps: f64,
    ) {
        let mut portable = xs.to_vec();
        run(&mut portable, Level::Portable);
        for level in [Level::Avx2, Level::Avx512] {
            if level > super::super::simd::detected() {
                continue;
            }
            let mut wide = xs.to_vec();
            run(&mut wide, level);
            if level == Level::Avx512 {
                let mut avx2 = xs.to_vec();
                run(&mut avx2, Level::Avx2);
                assert!(avx2
                    .iter()
                    .zip(&wide)
                    .all(|(a, b)| a.to_bits() == b.to_bits()));
            }
            portable = wide;
        }
        let eps = f64::from(f32::EPSILON);
        for (&x, &f) in xs.iter().zip(&portable) {
            let want = exact(f64::from(x));
            let err = (f64::from(f) - want).abs();
            assert!(
                err <= ulps * eps * want.abs().max(floor),
                "{name}({x}) = {f}, exact {want}"
            );
        }
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn f32_elu_and_softplus_tails_match_libm() {
        let mut xs: Vec<f32> = (0..40_001).map(|i| -50.0 + i as f32 * 0.0025).collect();
        xs.extend([0.0, -0.0, -1e-30, -1e-6, 1e-6, 3.0, -700.0]);
        check_f32(
            "elu",
            &xs,
            |v, level| match level {
                Level::Portable => elu_in_place_f32(v, |a, b, c| a * b + c),
                // SAFETY: check_f32 runs only levels the CPU has.
                Level::Avx2 => unsafe { elu_in_place_avx2_f32(v) },
                Level::Avx512 => unsafe { elu_in_place_avx512_f32(v) },
            },
            |x| if x > 0.0 { x } else { x.exp_m1() },
            1.0,
            2.0,
        );
        // The tail log1p(e^−|d|) relative to itself: it is what makes log p(e) small when the
        // conditional is near certain; beyond |d| = 40 the clamp leaves e^−40 ≈ 4e−18.
        let tail = |x: f64| (-x.abs()).exp().ln_1p();
        let inner: Vec<f32> = xs.iter().copied().filter(|x| x.abs() <= 40.0).collect();
        check_f32(
            "softplus tail",
            &inner,
            |v, level| {
                let d = v.to_vec();
                match level {
                    Level::Portable => tails_f32(&d, v, |a, b, c| a * b + c),
                    // SAFETY: check_f32 runs only levels the CPU has.
                    Level::Avx2 => unsafe { tails_f32_avx2(&d, v) },
                    Level::Avx512 => unsafe { tails_f32_avx512(&d, v) },
                }
            },
            tail,
            0.0,
            4.0,
        );
    }
}
