//! `annealscape distance`: the exact distances of a snapshot or a bare checkpoint to its
//! target (SPEC §6.4), as a `quantity<TAB>value` table.

use clap::Args;
use std::io::Write;

use super::snapshot_args::{SnapshotArgs, SnapshotTarget};
use super::CliError;
use crate::distance::{DistanceTarget, Distances, TargetKind};
use crate::physics::{GroundEnergyCache, QuantumStateCache};

/// Arguments of `annealscape distance`.
#[derive(Debug, Args)]
pub struct DistanceArgs {
    /// The network measured.
    #[command(flatten)]
    pub target: SnapshotArgs,
    /// Measure the weights averaged over the ground-state code, p_sym(e) = 2^-k Σ_c p(e ⊕ c),
    /// whatever the run trained with: `code-after` applied to any finished run.
    #[arg(long)]
    pub symmetrise: bool,
}

/// Run `annealscape distance`.
pub fn distance(args: DistanceArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let SnapshotTarget {
        net,
        model,
        kind,
        x,
        ..
    } = args.target.resolve()?;
    let net = if args.symmetrise {
        net.symmetrised()?
    } else {
        net
    };
    let kind: TargetKind = kind.into();
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
