//! matplotlib's tab10 by name: the one palette of the figures and the app (the app turns an
//! entry into an egui colour, a figure into a plotters one), so a series has the same colour
//! on screen and on paper.

/// An sRGB colour.
pub type Rgb = [u8; 3];

/// Blue (the energy, the first series).
pub const BLUE: Rgb = [31, 119, 180];
/// Orange (the objective, the second series).
pub const ORANGE: Rgb = [255, 127, 14];
/// Green.
pub const GREEN: Rgb = [44, 160, 44];
/// Red (jumps).
pub const RED: Rgb = [214, 39, 40];
/// Purple (the annealed quantity, mode collapse).
pub const PURPLE: Rgb = [148, 103, 189];
/// Brown.
pub const BROWN: Rgb = [140, 86, 75];
/// Pink.
pub const PINK: Rgb = [227, 119, 194];
/// Grey.
pub const GREY: Rgb = [127, 127, 127];
/// Olive.
pub const OLIVE: Rgb = [188, 189, 34];
/// Cyan.
pub const CYAN: Rgb = [23, 190, 207];

/// All ten in matplotlib's order, for series told apart by colour alone.
pub const ALL: [Rgb; 10] = [
    BLUE, ORANGE, GREEN, RED, PURPLE, BROWN, PINK, GREY, OLIVE, CYAN,
];
