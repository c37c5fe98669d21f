//! The fixed split of a batch into parts. Rows are cut into the same parts whatever the size of
//! the thread pool, and partial results are reduced in part order, so one seed gives one run —
//! bit for bit — on 1, 2 or 64 threads (the kernels' rounding depends on how many rows a part
//! has, and a sum's rounding on the order of its terms).

use std::ops::Range;

/// Parts a batch is cut into: two, one per core of the machines this is built for. Measured on
/// two cores (`bench anneal`), four parts cost 10–27 % of the steps per second (thermal L = 8:
/// 82 against 112 steps/s), since smaller parts make the kernels' packing dominate; two parts
/// are also the split the runs had on two threads before the split was fixed.
pub const PARTS: usize = 2;

/// Rows per part of a batch of `rows`.
pub fn part_rows(rows: usize) -> usize {
    rows.div_ceil(PARTS).max(1)
}

/// The row range of part `p` of a batch of `rows` (empty past the end).
pub fn part_range(p: usize, rows: usize) -> Range<usize> {
    let per = part_rows(rows);
    (p * per).min(rows)..((p + 1) * per).min(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_cover_every_row_once_in_order() {
        for rows in [0, 1, 3, 4, 10, 11, 100, 1001] {
            let mut next = 0;
            for p in 0..PARTS {
                let r = part_range(p, rows);
                assert!(r.is_empty() || r.start == next, "{rows}: {r:?}");
                next = next.max(r.end);
            }
            assert_eq!(next, rows);
        }
    }
}
