//! Residual-energy scaling laws (SPEC §7), fitted to ε_res(τ) ± stderr.
