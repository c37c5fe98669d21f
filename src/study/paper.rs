//! The paper's numbers (SPEC §5, from the authors' stored results) that the report sets its
//! own beside.

/// One cell of the paper's outcome table (SPEC §5.3).
#[derive(Debug, Clone, Copy)]
pub struct PaperOutcome {
    /// L.
    pub size: usize,
    /// B₀.
    pub start: f64,
    /// Runs that reached E₀.
    pub reached: usize,
    /// Runs.
    pub runs: usize,
    /// The paper's words for the others.
    pub text: &'static str,
}

/// SPEC §5.3: runs that reach E₀ at completion (B = 0, 100 samples), of all runs.
pub const OUTCOMES: [PaperOutcome; 9] = [
    outcome(3, 0.0, 4, 6, "2 stuck at E/N = −0.278 (2 defects)"),
    outcome(3, 1.0, 6, 6, ""),
    outcome(3, 10.0, 6, 6, ""),
    outcome(4, 0.0, 4, 6, "others at −0.3125 (3 defects), −0.25 (4)"),
    outcome(4, 1.0, 6, 6, ""),
    outcome(4, 10.0, 6, 6, ""),
    outcome(5, 0.0, 4, 6, "2 at −0.38 (3 defects)"),
    outcome(5, 1.0, 9, 10, "one at −0.26 (6 defects); seeds 0–9"),
    outcome(5, 10.0, 5, 6, "one at −0.34 (4 defects)"),
];

const fn outcome(
    size: usize,
    start: f64,
    reached: usize,
    runs: usize,
    text: &'static str,
) -> PaperOutcome {
    PaperOutcome {
        size,
        start,
        reached,
        runs,
        text,
    }
}

/// The paper's outcome at (L, B₀), if it has one.
pub fn paper_outcome(size: usize, start: f64) -> Option<PaperOutcome> {
    OUTCOMES
        .iter()
        .copied()
        .find(|o| o.size == size && o.start == start)
}

/// SPEC §5.4: the L = 3 mode collapse, in the paper's words.
pub const MODE_COLLAPSE: &str = "of 16 runs that reached E₀, 15 put all samples on one \
configuration, 14 on the trivial all-down state (B₀ = 0: 3, B₀ = 1: 6, B₀ = 10: 5); the one \
exception (B₀ = 10, seed 1) held two ground states (19 and 81 of 100); none found 3 or 4";

/// SPEC §5.1: ⟨E⟩/N at the end of the warm-up (mean of steps 900–999) at B₀ = 1, by L.
pub const WARMUP_B1: [(usize, f64, f64); 3] = [
    (3, -1.019, -1.014),
    (4, -1.004, -0.999),
    (5, -0.998, -0.993),
];

/// SPEC §5.1: where the paper saw the energy jump.
pub const JUMP: &str = "⟨E⟩ follows E₀(B) at small B, sits 2.5–4.5 % high near B = 1 \
(close to the product-state value −B) and jumps near B ≈ 0.44 (L = 5, B₀ = 1, seed 0); with \
B₀ = 10 the curve is ≈ −B down to B ≈ 1";

/// Roughness ranges (low, high) at init, warmup, mid1, mid3, mid5, completion.
pub type RoughnessRanges = [(f64, f64); 6];

/// SPEC §5.5: roughness of the gaussian directions over ±1 (201 × 201), range over seeds, by
/// (L, B₀) for the annealed runs.
pub const ROUGHNESS: [(usize, f64, RoughnessRanges); 6] = [
    (
        3,
        1.0,
        [
            (0.020, 0.028),
            (0.020, 0.026),
            (0.018, 0.023),
            (0.015, 0.021),
            (0.010, 0.016),
            (0.006, 0.009),
        ],
    ),
    (
        4,
        1.0,
        [
            (0.017, 0.028),
            (0.017, 0.024),
            (0.017, 0.022),
            (0.013, 0.020),
            (0.009, 0.014),
            (0.002, 0.009),
        ],
    ),
    (
        5,
        1.0,
        [
            (0.015, 0.025),
            (0.016, 0.021),
            (0.013, 0.018),
            (0.009, 0.015),
            (0.006, 0.010),
            (0.003, 0.007),
        ],
    ),
    (
        3,
        10.0,
        [
            (0.144, 0.181),
            (0.137, 0.169),
            (0.128, 0.143),
            (0.071, 0.083),
            (0.029, 0.038),
            (0.008, 0.015),
        ],
    ),
    (
        4,
        10.0,
        [
            (0.093, 0.120),
            (0.092, 0.113),
            (0.080, 0.093),
            (0.051, 0.062),
            (0.022, 0.030),
            (0.009, 0.018),
        ],
    ),
    (
        5,
        10.0,
        [
            (0.065, 0.084),
            (0.068, 0.083),
            (0.060, 0.069),
            (0.036, 0.049),
            (0.018, 0.029),
            (0.006, 0.017),
        ],
    ),
];

/// SPEC §5.5, B₀ = 0 (one row for L = 3–5).
pub const ROUGHNESS_UNANNEALED: RoughnessRanges = [
    (0.012, 0.023),
    (0.009, 0.025),
    (0.007, 0.021),
    (0.007, 0.021),
    (0.007, 0.021),
    (0.007, 0.021),
];

/// The paper's roughness ranges at (L, B₀).
pub fn paper_roughness(size: usize, start: f64) -> Option<RoughnessRanges> {
    if start == 0.0 && (3..=5).contains(&size) {
        return Some(ROUGHNESS_UNANNEALED);
    }
    ROUGHNESS
        .iter()
        .find(|r| r.0 == size && r.1 == start)
        .map(|r| r.2)
}
