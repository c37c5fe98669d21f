//! What can be wrong with a baseline's settings.

/// A baseline refused before it starts, naming the value and the fix.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum BaselineError {
    /// A count that must be at least one.
    #[error("{name} = {value}: it must be at least 1")]
    Zero {
        /// Which setting.
        name: &'static str,
        /// The value given.
        value: usize,
    },
    /// A temperature, field or coupling that must be positive and finite.
    #[error("{name} = {value}: it must be a positive, finite number")]
    NotPositive {
        /// Which setting.
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// A budget too large to finish or to count.
    #[error("{name} = {value} is more than {max}: lower it (or split the work)")]
    TooLarge {
        /// Which setting.
        name: &'static str,
        /// The value given.
        value: u128,
        /// The largest accepted.
        max: u128,
    },
    /// A ladder whose ends are the wrong way round.
    #[error("t_min = {t_min} is not below t_max = {t_max}: give t_min < t_max")]
    Ladder {
        /// The lowest temperature given.
        t_min: f64,
        /// The highest temperature given.
        t_max: f64,
    },
    /// Too few Trotter slices.
    #[error("slices = {0}: path-integral Monte Carlo needs at least 2")]
    Slices(usize),
}

/// Refuse zero counts.
pub(crate) fn at_least_one(name: &'static str, value: usize) -> Result<(), BaselineError> {
    if value == 0 {
        Err(BaselineError::Zero { name, value })
    } else {
        Ok(())
    }
}

/// Refuse non-positive or non-finite values.
pub(crate) fn positive(name: &'static str, value: f64) -> Result<(), BaselineError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(BaselineError::NotPositive { name, value })
    }
}

/// The most elementary updates one baseline call may do (≈ an hour at 2·10⁸ per second):
/// a larger request is almost surely a typo, and it would also overflow the attempt counter.
pub const MAX_UPDATES: u128 = 1 << 40;

/// Refuse budgets above [`MAX_UPDATES`].
pub(crate) fn budget(updates: u128) -> Result<(), BaselineError> {
    if updates > MAX_UPDATES {
        Err(BaselineError::TooLarge {
            name: "updates (sweeps × sites × runs)",
            value: updates,
            max: MAX_UPDATES,
        })
    } else {
        Ok(())
    }
}
