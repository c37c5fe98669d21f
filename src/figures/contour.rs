//! Contour lines by marching squares on a regular grid.

use ndarray::ArrayView2;

/// A contour segment between two points in grid coordinates (x = column i, y = row j).
pub type Segment = [(f64, f64); 2];

/// The segments of the level set `values = level` (`values[[j, i]]`), with saddle cells
/// resolved by the cell average. NaN cells are skipped.
pub fn contour_segments(values: ArrayView2<f64>, level: f64) -> Vec<Segment> {
    segments_with_edges(values, level)
        .into_iter()
        .map(|(s, _)| s)
        .collect()
}

/// Identity of a grid edge: (vertical?, i, j) of its lower-left node.
type EdgeId = (bool, usize, usize);

/// Segments with the grid edges their two ends lie on (shared edges join neighbours).
fn segments_with_edges(values: ArrayView2<f64>, level: f64) -> Vec<(Segment, [EdgeId; 2])> {
    let (rows, cols) = values.dim();
    let mut out: Vec<(Segment, [EdgeId; 2])> = Vec::new();
    if rows < 2 || cols < 2 {
        return out;
    }
    for j in 0..rows - 1 {
        for i in 0..cols - 1 {
            // Corners counter-clockwise from (i, j).
            let corners = [
                (i as f64, j as f64, values[[j, i]]),
                (i as f64 + 1.0, j as f64, values[[j, i + 1]]),
                (i as f64 + 1.0, j as f64 + 1.0, values[[j + 1, i + 1]]),
                (i as f64, j as f64 + 1.0, values[[j + 1, i]]),
            ];
            if corners.iter().any(|c| !c.2.is_finite()) {
                continue;
            }
            // Bottom, right, top and left edges of the cell.
            let edges: [EdgeId; 4] = [
                (false, i, j),
                (true, i + 1, j),
                (false, i, j + 1),
                (true, i, j),
            ];
            // Crossing points on each edge whose ends lie on different sides of the level.
            let mut crossings = Vec::with_capacity(4);
            for e in 0..4 {
                let (a, b) = (corners[e], corners[(e + 1) % 4]);
                if (a.2 >= level) != (b.2 >= level) {
                    let t = (level - a.2) / (b.2 - a.2);
                    crossings.push((edges[e], (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))));
                }
            }
            let seg = |x: usize, y: usize| {
                (
                    [crossings[x].1, crossings[y].1],
                    [crossings[x].0, crossings[y].0],
                )
            };
            match crossings.len() {
                2 => out.push(seg(0, 1)),
                4 => {
                    // Saddle: pair edges so the centre's side is respected.
                    let centre = corners.iter().map(|c| c.2).sum::<f64>() / 4.0;
                    let first_above = corners[0].2 >= level;
                    if (centre >= level) == first_above {
                        out.push(seg(0, 1));
                        out.push(seg(2, 3));
                    } else {
                        out.push(seg(3, 0));
                        out.push(seg(1, 2));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// The level set as polylines: segments joined end to end where they meet (crossing points
/// on a shared cell edge agree to rounding), which keeps SVG output small.
pub fn contour_lines(values: ArrayView2<f64>, level: f64) -> Vec<Vec<(f64, f64)>> {
    use std::collections::HashMap;
    let with_edges = segments_with_edges(values, level);
    let segments: Vec<Segment> = with_edges.iter().map(|(s, _)| *s).collect();
    let mut ends: HashMap<EdgeId, Vec<usize>> = HashMap::new();
    for (k, (_, e)) in with_edges.iter().enumerate() {
        ends.entry(e[0]).or_default().push(k);
        ends.entry(e[1]).or_default().push(k);
    }
    // The edge each end of each line currently sits on.
    let (mut head, mut tail);
    let mut used = vec![false; segments.len()];
    let mut lines = Vec::new();
    for start in 0..segments.len() {
        if used[start] {
            continue;
        }
        used[start] = true;
        let mut line = vec![segments[start][0], segments[start][1]];
        head = with_edges[start].1[0];
        tail = with_edges[start].1[1];
        // Grow forwards from the last point, then backwards from the first.
        for forward in [true, false] {
            loop {
                let tip = if forward { tail } else { head };
                let next = ends
                    .get(&tip)
                    .and_then(|c| c.iter().copied().find(|&k| !used[k]));
                let Some(k) = next else { break };
                used[k] = true;
                let ([a, b], [ea, eb]) = with_edges[k];
                let (point, edge) = if ea == tip { (b, eb) } else { (a, ea) };
                if forward {
                    line.push(point);
                    tail = edge;
                } else {
                    line.insert(0, point);
                    head = edge;
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// `count` levels evenly spaced strictly inside [lo, hi].
pub fn even_levels(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    (1..=count)
        .map(|k| lo + (hi - lo) * k as f64 / (count + 1) as f64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn circles_of_a_paraboloid() {
        // f = x² + y² on [−2, 2]², level 1: every segment end lies near radius 1.
        let n = 81;
        let h = 4.0 / (n - 1) as f64;
        let f = Array2::from_shape_fn((n, n), |(j, i)| {
            let (x, y) = (-2.0 + i as f64 * h, -2.0 + j as f64 * h);
            x * x + y * y
        });
        let segments = contour_segments(f.view(), 1.0);
        assert!(segments.len() > 40);
        for s in &segments {
            for &(i, j) in s {
                let (x, y) = (-2.0 + i * h, -2.0 + j * h);
                assert!(((x * x + y * y).sqrt() - 1.0).abs() < 0.01, "({x}, {y})");
            }
        }
        assert!(contour_segments(f.view(), 100.0).is_empty());
        // Joined, the circle is one closed line through every segment.
        let lines = contour_lines(f.view(), 1.0);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].len(), segments.len() + 1);
    }
}
