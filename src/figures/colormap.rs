//! Colour maps: viridis (sequential, the default) and a blue–white–red diverging map.

use serde::{Deserialize, Serialize};

/// Which colour map a figure uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ColorMap {
    /// Perceptually uniform, dark blue → yellow.
    #[default]
    Viridis,
    /// Blue → white → red, for values around a centre.
    Diverging,
}

impl ColorMap {
    /// The colour of `t` ∈ [0, 1] (clamped) as 8-bit RGB.
    pub fn rgb(self, t: f64) -> [u8; 3] {
        let t = if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let c = match self {
            // Polynomial fit of matplotlib's viridis (max error about 1/255).
            Self::Viridis => {
                const C: [[f64; 3]; 7] = [
                    [
                        0.277_727_327_223_417_7,
                        0.005_407_344_544_966_578,
                        0.334_099_805_335_306_1,
                    ],
                    [
                        0.105_093_043_108_577_4,
                        1.404_613_529_898_575,
                        1.384_590_162_594_685,
                    ],
                    [
                        -0.330_861_828_725_556_3,
                        0.214_847_559_468_213,
                        0.095_095_163_028_236_59,
                    ],
                    [
                        -4.634_230_498_983_486,
                        -5.799_100_973_351_585,
                        -19.332_440_956_279_87,
                    ],
                    [
                        6.228_269_936_347_081,
                        14.179_933_366_805_09,
                        56.690_552_600_681_05,
                    ],
                    [
                        4.776_384_997_670_288,
                        -13.745_145_377_746_01,
                        -65.353_032_633_372_34,
                    ],
                    [
                        -5.435_455_855_934_631,
                        4.645_852_612_178_535,
                        26.312_435_249_583_2,
                    ],
                ];
                let mut out = [0.0; 3];
                for (k, o) in out.iter_mut().enumerate() {
                    *o = C.iter().rev().fold(0.0, |acc, c| acc * t + c[k]);
                }
                out
            }
            Self::Diverging => {
                let (blue, white, red) =
                    ([0.23, 0.30, 0.75], [0.95, 0.95, 0.95], [0.71, 0.02, 0.15]);
                let (a, b, s) = if t < 0.5 {
                    (blue, white, 2.0 * t)
                } else {
                    (white, red, 2.0 * t - 1.0)
                };
                [0, 1, 2].map(|k| a[k] + (b[k] - a[k]) * s)
            }
        };
        c.map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_ends_match_matplotlib() {
        // matplotlib: viridis(0) = (68, 1, 84), viridis(1) = (253, 231, 37).
        let close = |a: [u8; 3], b: [u8; 3]| {
            a.iter()
                .zip(b)
                .all(|(x, y)| (*x as i32 - y as i32).abs() <= 8)
        };
        assert!(
            close(ColorMap::Viridis.rgb(0.0), [68, 1, 84]),
            "{:?}",
            ColorMap::Viridis.rgb(0.0)
        );
        assert!(
            close(ColorMap::Viridis.rgb(1.0), [253, 231, 37]),
            "{:?}",
            ColorMap::Viridis.rgb(1.0)
        );
        assert_eq!(ColorMap::Diverging.rgb(0.5), [242, 242, 242]);
    }
}
