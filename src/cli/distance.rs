//! `annealscape distance`: the exact distances of a snapshot or a bare checkpoint to its
//! target (SPEC §6.4), as a `quantity<TAB>value` table.

use clap::Args;
use std::io::Write;

use super::snapshot_args::{KindArg, SnapshotArgs};
use super::CliError;
use crate::analysis::RunFolder;
use crate::distance::{DistanceTarget, Distances, TargetKind};
use crate::nn::rnn2d::tensor_specs;
use crate::nn::{load_npz, tensor_shapes, Params, Rnn2d, Rnn2dConfig};
use crate::physics::{GroundEnergyCache, Lattice, NewmanMoore, QuantumStateCache};

/// Arguments of `annealscape distance`.
#[derive(Debug, Args)]
pub struct DistanceArgs {
    /// The network measured.
    #[command(flatten)]
    pub target: SnapshotArgs,
}

pub(super) fn network_of_checkpoint(path: &std::path::Path, l: usize) -> Result<Rnn2d, CliError> {
    let shapes = tensor_shapes(path)?;
    let hidden = shapes
        .iter()
        .find(|(name, _)| name == "rnn2d/b")
        .and_then(|(_, shape)| shape.first().copied())
        .ok_or_else(|| {
            CliError::Usage(format!(
                "{} has no tensor rnn2d/b: not a 2D RNN checkpoint",
                path.display()
            ))
        })?;
    let params = load_npz(path, &Params::zeros(tensor_specs(hidden)))?;
    let config = Rnn2dConfig {
        hidden,
        ..Rnn2dConfig::default()
    };
    Rnn2d::from_params(config, l, params).map_err(CliError::from)
}

/// Run `annealscape distance`.
pub fn distance(args: DistanceArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let (net, model, kind, x) = match (&args.target.run, &args.target.checkpoint) {
        (Some(run), None) => {
            let folder = RunFolder::open(run)?;
            let net = folder
                .network(&args.target.snapshot)?;
            let config = folder.config();
            let x = match args.target.x {
                Some(x) => x,
                None => folder.snapshot_x(&args.target.snapshot).ok_or_else(|| {
                    CliError::Usage(format!(
                        "cannot tell when snapshot '{}' was taken: give --x",
                        args.target.snapshot
                    ))
                })?,
            };
            let lattice = Lattice::new(config.lattice.size)?;
            let model = NewmanMoore::new(lattice, config.lattice.coupling)?;
            (net, model, config.anneal.kind.into(), x)
        }
        (None, Some(checkpoint)) => {
            let l = args.target.l.expect("clap requires --l");
            let lattice = Lattice::new(l)?;
            let model = NewmanMoore::new(lattice, args.target.coupling)?;
            let kind = match args.target.kind.expect("clap requires --kind") {
                KindArg::Quantum => TargetKind::Quantum,
                KindArg::Thermal => TargetKind::Thermal,
            };
            (network_of_checkpoint(checkpoint, l)?, model, kind, args.target.x.expect("clap requires --x"))
        }
        _ => {
            return Err(CliError::Usage(
                "give --run RUN [--snapshot NAME], or --checkpoint CK --l L --kind quantum|thermal --x X".into(),
            ))
        }
    };
    match kind {
        TargetKind::Quantum if !x.is_finite() => {
            return Err(CliError::Usage(format!(
                "--x {x}: B must be a finite number"
            )))
        }
        TargetKind::Thermal if !(x.is_finite() && x >= 0.0) => {
            return Err(CliError::Usage(format!(
                "--x {x}: T must be a finite number >= 0"
            )))
        }
        _ => {}
    }
    let cache = match GroundEnergyCache::default_location() {
        Some(c) => QuantumStateCache::in_folder(c.dir()),
        None => QuantumStateCache::in_memory(),
    };
    let target = DistanceTarget::new(model, kind, cache);
    let distances = target.measure(&net, x)?;
    for note in notes(&target, &distances, kind, x) {
        eprintln!("note: {note}");
    }
    writeln!(out, "quantity\tvalue")?;
    for (name, value) in rows(&distances, x) {
        writeln!(out, "{name}\t{value}")?;
    }
    Ok(())
}

/// The rows that apply, in the order the issue lists them.
fn rows(d: &Distances, x: f64) -> Vec<(&'static str, f64)> {
    let mut rows = Vec::new();
    if let Some(t) = &d.thermal {
        if let Some(r) = t.kl_reverse {
            // Δf = T·KL(q‖p_T)/N exactly (the per-step column estimates it from samples).
            rows.push(("free_energy_gap", x * r));
            rows.push(("kl_reverse", r));
        }
        rows.push(("kl_forward", t.kl_forward));
    }
    if let Some(q) = &d.quantum {
        if let Some(f) = q.fidelity {
            rows.push(("fidelity", f));
        }
        rows.push(("energy_error", q.energy_error));
        if let Some(g) = q.gap {
            rows.push(("gap", g));
        }
        if let Some(g) = q.gap_symmetric {
            rows.push(("gap_symmetric", g));
        }
    }
    if let Some(m) = &d.modes {
        rows.push(("ground_state_mass", m.mass));
        rows.push(("effective_modes", m.effective_modes));
        rows.push(("kl_to_uniform_ground_states", m.kl_to_uniform));
    }
    rows
}

/// Why each absent quantity is absent.
fn notes(target: &DistanceTarget, d: &Distances, kind: TargetKind, x: f64) -> Vec<String> {
    let mut notes = target.absences();
    if kind == TargetKind::Thermal && d.thermal.is_some_and(|t| t.kl_reverse.is_none()) {
        notes.push("at T = 0 KL(q||p_0) is infinite (p_0 is zero off the ground states), so free_energy_gap and kl_reverse are left out; kl_forward is the coverage of the ground states".into());
    }
    if kind == TargetKind::Quantum {
        notes.push("free_energy_gap, kl_reverse and kl_forward are thermal quantities".into());
        if d.quantum.is_some_and(|q| q.fidelity.is_none()) {
            notes.push(format!("at B = {x} the ground space is 2^{}-fold degenerate, so the fidelity with one ground state is not defined: see ground_state_mass and effective_modes", target.degeneracy_log2()));
        }
    } else {
        notes.push("fidelity, energy_error and gap are quantum quantities".into());
    }
    notes
}
