//! Which kernels run: the AVX2 + FMA ones where the CPU has them, else the portable ones.
//! `ANNEALSCAPE_PORTABLE=1` forces the portable kernels (read once per process), so the
//! portable path can be tested, and timed, on a machine that has AVX2.

use std::sync::OnceLock;

/// Whether the AVX2 + FMA kernels are used in this process.
pub fn use_avx2() -> bool {
    static CHOICE: OnceLock<bool> = OnceLock::new();
    *CHOICE.get_or_init(|| {
        let forced_portable = std::env::var_os("ANNEALSCAPE_PORTABLE").is_some_and(|v| v == "1");
        #[cfg(target_arch = "x86_64")]
        let has = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
        #[cfg(not(target_arch = "x86_64"))]
        let has = false;
        has && !forced_portable
    })
}
