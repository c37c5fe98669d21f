//! What a run needs to continue exactly where it stopped: the weights, Adam's moments, the
//! random generator's position, the step and the ground states found so far.

use chacha20::ChaCha12Rng;
use rand::SeedableRng;
use std::time::Duration;

use super::{AnnealConfig, AnnealError, Annealer, SettledPosition};
use crate::nn::{Autoregressive, NetworkConfig, Optimizer, OptimizerState, Params};
use crate::physics::Lattice;

/// The random generator of a run: ChaCha with 12 rounds, the algorithm behind rand's `StdRng`
/// (seeded the same way, so seeds give the same streams as before), named so that its position
/// can be saved.
pub type RunRng = ChaCha12Rng;

/// The generator seeded from a run's seed.
pub fn run_rng(seed: u64) -> RunRng {
    RunRng::seed_from_u64(seed)
}

/// A generator's exact position: key, stream and offset in 32-bit words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RngState {
    /// The 256-bit key.
    pub key: [u8; 32],
    /// The stream (nonce).
    pub stream: u64,
    /// Words consumed from the start of the stream.
    pub word_pos: u128,
}

impl RngState {
    /// The position of `rng`.
    pub fn of(rng: &RunRng) -> Self {
        Self {
            key: rng.get_seed(),
            stream: rng.get_stream(),
            word_pos: rng.get_word_pos(),
        }
    }

    /// A generator at this position.
    pub fn generator(&self) -> RunRng {
        let mut rng = RunRng::from_seed(self.key);
        rng.set_stream(self.stream);
        rng.set_word_pos(self.word_pos);
        rng
    }
}

/// Everything the annealing loop holds that the run's outcome depends on.
#[derive(Debug, Clone)]
pub struct AnnealState {
    /// Steps completed (the next step to run).
    pub step: usize,
    /// The network's parameters.
    pub params: Params,
    /// Adam's moments and update count.
    pub adam: OptimizerState,
    /// The random generator's position.
    pub rng: RngState,
    /// Ground states drawn so far, as coordinates in the ground-state basis, sorted.
    pub found: Vec<Vec<u8>>,
    /// The last step each of `found` was drawn at (same order).
    pub found_last_step: Vec<usize>,
    /// Wall-clock seconds the run had taken (the `seconds` column goes on from here).
    pub elapsed_seconds: f64,
    /// A settled schedule's position (`None` for the others).
    pub settled: Option<SettledPosition>,
}

impl Annealer {
    /// A run continuing from `state`, saved by [`Annealer::state`] of the same configuration.
    pub fn resume(
        lattice: Lattice,
        coupling: f64,
        network: NetworkConfig,
        config: &AnnealConfig,
        state: AnnealState,
    ) -> Result<Self, AnnealError> {
        let mut annealer = Self::new(lattice, coupling, network, config, 0)?;
        let expected = annealer.net.params().len();
        for (what, len) in [
            ("parameters", state.params.len()),
            ("Adam's first moments", state.adam.first.len()),
            ("Adam's second moments", state.adam.second.len()),
        ] {
            if len != expected {
                return Err(AnnealError::State(format!(
                    "{what} have {len} entries, the network of this configuration {expected}"
                )));
            }
        }
        let total = annealer.schedule.total_steps();
        if state.step > total {
            return Err(AnnealError::State(format!(
                "it is at step {}, past the schedule's {total} steps",
                state.step
            )));
        }
        let k = annealer.ground_states.degeneracy_log2();
        if state.found_last_step.len() != state.found.len() {
            return Err(AnnealError::State(format!(
                "{} ground states but {} last-drawn steps",
                state.found.len(),
                state.found_last_step.len()
            )));
        }
        for (coords, &last) in state.found.iter().zip(&state.found_last_step) {
            if coords.len() != k || coords.iter().any(|&c| c > 1) {
                return Err(AnnealError::State(format!(
                    "a ground state has {} coordinates, L = {} has {k}",
                    coords.len(),
                    lattice.size()
                )));
            }
            let bits = annealer.ground_states.from_coordinates(coords);
            if let Some(id) = annealer.ground_states.id(bits.view()) {
                annealer.found.insert(id, last);
            }
        }
        annealer
            .net
            .params_mut()
            .flat_mut()
            .assign(&state.params.flat());
        annealer.optimiser = Optimizer::from_state(Self::optimizer_config(config), state.adam)
            .map_err(|e| AnnealError::State(e.to_string()))?;
        match (&mut annealer.settled, state.settled) {
            (Some(position), Some(saved)) => {
                let rule = annealer.schedule.settle;
                if saved.value >= annealer.schedule.anneal_steps.max(1)
                    || saved.dwell > rule.max_dwell
                    || saved.recent.len() > 2 * rule.window
                {
                    return Err(AnnealError::State(format!(
                        "its settled-schedule position (value {}, dwell {}, {} recent values) does not fit {} values, anneal.max_dwell = {} and anneal.settle_window = {}",
                        saved.value,
                        saved.dwell,
                        saved.recent.len(),
                        annealer.schedule.anneal_steps,
                        rule.max_dwell,
                        rule.window
                    )));
                }
                *position = saved;
            }
            (Some(_), None) if state.step > annealer.schedule.warmup_steps => {
                return Err(AnnealError::State(
                    "the schedule is settled but the state has no position in it (it was saved by a run with another schedule)".into(),
                ))
            }
            (None, Some(_)) => {
                return Err(AnnealError::State(
                    "the state holds a settled schedule's position but anneal.schedule is not \"settled\"".into(),
                ))
            }
            _ => {}
        }
        annealer.rng = state.rng.generator();
        annealer.step = state.step;
        annealer.elapsed_before =
            Duration::try_from_secs_f64(state.elapsed_seconds).unwrap_or_default();
        Ok(annealer)
    }

    /// Everything needed to continue this run later, bit for bit.
    pub fn state(&self) -> AnnealState {
        let mut found: Vec<(Vec<u8>, usize)> = self
            .found
            .iter()
            .map(|(id, &last)| (id.coordinates(), last))
            .collect();
        found.sort();
        let (found, found_last_step) = found.into_iter().unzip();
        AnnealState {
            step: self.step,
            params: self.net.params().clone(),
            adam: self.optimiser.state(),
            rng: RngState::of(&self.rng),
            found,
            found_last_step,
            elapsed_seconds: self.elapsed().as_secs_f64(),
            settled: self.settled.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, RngExt};

    #[test]
    fn a_restored_generator_continues_the_same_stream_at_any_offset() {
        for skip in [0usize, 1, 3, 15, 16, 17, 63, 64, 65, 1000] {
            let mut a = run_rng(42);
            for _ in 0..skip {
                a.next_u32();
            }
            let mut b = RngState::of(&a).generator();
            let xs: Vec<f64> = (0..50).map(|_| a.random()).collect();
            let ys: Vec<f64> = (0..50).map(|_| b.random()).collect();
            assert_eq!(xs, ys, "after {skip} words");
        }
    }

    #[test]
    fn the_run_generator_is_rands_standard_one() {
        let mut a = run_rng(7);
        let mut b = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }
}
