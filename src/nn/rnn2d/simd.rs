//! Which kernels run: AVX-512, AVX2 + FMA or portable, the widest the CPU has.
//! `ANNEALSCAPE_SIMD=portable|avx2` caps the choice (and `ANNEALSCAPE_PORTABLE=1` is
//! `portable`), read once per process, so every path can be tested and timed on one machine.
//! The AVX2 and AVX-512 kernels compute each output with the same operations in the same
//! order (an element's fused multiply-adds do not depend on the vector width), so they give
//! the same bits; the portable one has no fused multiply-add.

use std::sync::OnceLock;

/// A kernel width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Plain Rust, no fused multiply-add.
    Portable,
    /// 256-bit vectors with FMA.
    Avx2,
    /// 512-bit vectors (AVX-512F) with FMA.
    Avx512,
}

/// The kernels this process uses.
pub fn level() -> Level {
    static CHOICE: OnceLock<Level> = OnceLock::new();
    *CHOICE.get_or_init(|| {
        let cap = match std::env::var("ANNEALSCAPE_SIMD").ok().as_deref() {
            Some("portable") => Level::Portable,
            Some("avx2") => Level::Avx2,
            _ if std::env::var_os("ANNEALSCAPE_PORTABLE").is_some_and(|v| v == "1") => {
                Level::Portable
            }
            _ => Level::Avx512,
        };
        cap.min(detected())
    })
}

/// The widest level the CPU supports.
pub(super) fn detected() -> Level {
    #[cfg(target_arch = "x86_64")]
    {
        let avx2 = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
        if avx2 && is_x86_feature_detected!("avx512f") {
            return Level::Avx512;
        }
        if avx2 {
            return Level::Avx2;
        }
    }
    Level::Portable
}

/// Whether the AVX2 + FMA kernels (or wider) are used in this process.
pub fn use_avx2() -> bool {
    level() >= Level::Avx2
}
