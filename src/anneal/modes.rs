//! Counting the distinct configurations of a batch: the modes a network samples.

use ndarray::{ArrayView1, ArrayView2};
use std::collections::HashMap;

use super::ModeCount;
use crate::physics::{GroundStateId, GroundStates, NewmanMoore};

/// Add each row of `samples` to `counts`.
pub fn count_rows(samples: ArrayView2<u8>, counts: &mut HashMap<Vec<u8>, usize>) {
    for row in samples.rows() {
        *counts.entry(row.to_vec()).or_insert(0) += 1;
    }
}

/// The counted configurations as modes, most frequent first (ties in configuration order),
/// each with its energy per spin and, for a ground state, its id.
pub fn modes_of(
    model: &NewmanMoore,
    ground_states: &GroundStates,
    counts: &HashMap<Vec<u8>, usize>,
) -> Vec<(ModeCount, Option<GroundStateId>)> {
    let n = model.lattice().sites() as f64;
    let mut modes: Vec<(ModeCount, Option<GroundStateId>)> = counts
        .iter()
        .map(|(config, &count)| {
            let view = ArrayView1::from(config.as_slice());
            let id = ground_states.id(view);
            let mode = ModeCount {
                configuration: config.iter().map(|&b| (b'0' + b) as char).collect(),
                count,
                energy: model.energy(view) / n,
                ground_state: id.as_ref().map(|i| i.to_string()),
            };
            (mode, id)
        })
        .collect();
    modes.sort_by(|(a, _), (b, _)| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.configuration.cmp(&b.configuration))
    });
    modes
}

/// The modes of one batch (the app's live histogram).
pub fn batch_modes(
    model: &NewmanMoore,
    ground_states: &GroundStates,
    samples: ArrayView2<u8>,
) -> Vec<ModeCount> {
    let mut counts = HashMap::new();
    count_rows(samples, &mut counts);
    modes_of(model, ground_states, &counts)
        .into_iter()
        .map(|(mode, _)| mode)
        .collect()
}
