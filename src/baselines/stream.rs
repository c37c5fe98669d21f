//! Counter-based random words: word `c` of a stream is a pure function of (key, c).
//!
//! The multi-spin-coded sweeps draw one 64-bit uniform per attempt *per run* by reading bit r
//! of 64 consecutive words for run r. Because a word depends only on its counter, the scalar
//! reference can rebuild exactly the uniform run r used, without replaying the other 63 runs,
//! and a run's numbers do not depend on how many words the packed comparison needed.

/// The golden-ratio increment of SplitMix64.
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's output function (Steele, Lea & Flood 2014): a bijective 64-bit mixer whose
/// outputs along `key + c·GOLDEN` pass BigCrush.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One stream of random words, addressed by a counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stream {
    key: u64,
}

impl Stream {
    /// The stream for `seed` in a `domain` (what it is for) and `index` (which group, replica
    /// or lane), so that different uses never share words.
    pub fn new(seed: u64, domain: u64, index: u64) -> Self {
        let key = mix(mix(seed ^ GOLDEN).wrapping_add(domain.wrapping_mul(GOLDEN)) ^ index);
        Self {
            key: mix(key.wrapping_add(index.wrapping_mul(GOLDEN))),
        }
    }

    /// Word number `counter`.
    #[inline(always)]
    pub fn word(&self, counter: u64) -> u64 {
        mix(self
            .key
            .wrapping_add(counter.wrapping_add(1).wrapping_mul(GOLDEN)))
    }

    /// The 64-bit uniform of `lane` at attempt `attempt`: bit 63 − j is bit `lane` of word
    /// 64·attempt + j. This is what the packed comparison reads, one bit at a time.
    pub fn lane_uniform(&self, attempt: u64, lane: usize) -> u64 {
        (0..64).fold(0u64, |u, j| {
            let bit = (self.word(attempt * 64 + j) >> lane) & 1;
            u | (bit << (63 - j))
        })
    }
}

/// The integer threshold of an acceptance probability: a uniform U on [0, 2⁶⁴) is accepted
/// iff U < threshold(p), so the probability is ⌊p·2⁶⁴⌋/2⁶⁴ (exact to 2⁻⁶⁴).
pub fn threshold(p: f64) -> u64 {
    if p >= 1.0 {
        u64::MAX
    } else if p > 0.0 {
        // `as` saturates and floors; p·2⁶⁴ is an exact scaling.
        (p * 18_446_744_073_709_551_616.0) as u64
    } else {
        0
    }
}

/// For each lane in `classes`' masks, whether its uniform is below its class's threshold.
///
/// `classes` are (lanes, threshold) pairs with disjoint lane masks. The uniforms are compared
/// most significant bit first, all lanes at once; the loop ends as soon as every lane is decided,
/// usually after about eight words.
#[inline(always)]
pub fn accept_below(stream: &Stream, attempt: u64, classes: &[(u64, u64)]) -> u64 {
    let mut undecided = classes.iter().fold(0, |m, &(lanes, _)| m | lanes);
    let mut below = 0u64;
    let base = attempt * 64;
    for j in 0..64u32 {
        if undecided == 0 {
            break;
        }
        let word = stream.word(base + j as u64);
        let bit = 63 - j;
        let limit = classes.iter().fold(0u64, |m, &(lanes, t)| {
            m | (lanes & ((t >> bit) & 1).wrapping_neg())
        });
        below |= undecided & !word & limit;
        undecided &= !(word ^ limit);
    }
    below
}
