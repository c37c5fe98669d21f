//! `annealscape exact`: degeneracy, thermodynamics and transverse-field ground energy.

use clap::Subcommand;
use std::io::Write;
use std::time::Instant;

use super::values::{reals_arg, sizes_arg, Reals, Sizes};
use super::CliError;
use crate::physics::{
    BruteForceThermo, ExactThermo, GroundEnergyCache, GroundStates, Lattice, NewmanMoore,
    PhysicsError, ThermoMethod, MAX_BRUTE_FORCE_SITES,
};

/// The `exact` subcommands.
#[derive(Debug, Subcommand)]
pub enum ExactCommand {
    /// Ground-state degeneracy: columns `L k ground_states` (ground_states = 2^k).
    Degeneracy {
        /// Linear sizes: a value, a range a..b or a list, e.g. 2..32.
        #[arg(long = "l", value_parser = sizes_arg)]
        sizes: Sizes,
    },
    /// Free energy, energy and entropy per spin: columns `L T f e s method`.
    Thermo {
        /// Linear sizes, e.g. 6 or 2..8.
        #[arg(long = "l", value_parser = sizes_arg)]
        sizes: Sizes,
        /// Temperatures, e.g. 0.25,0.5,1 or 0.1..2:0.1.
        #[arg(long = "t", value_parser = reals_arg, allow_negative_numbers = true)]
        temperatures: Reals,
        /// Coupling J.
        #[arg(long = "j", default_value_t = 1.0, allow_negative_numbers = true)]
        coupling: f64,
        /// Enumerate all 2^N states instead (L ≤ 5), an independent check.
        #[arg(long)]
        brute_force: bool,
    },
    /// Ground energy per spin of H − BΣX by Lanczos (L ≤ 5): columns `L B e0 method`.
    GroundEnergy {
        /// Linear sizes, 2 to 5.
        #[arg(long = "l", value_parser = sizes_arg)]
        sizes: Sizes,
        /// Transverse fields, e.g. 0,0.25,0.5,1.
        #[arg(long = "b", value_parser = reals_arg, allow_negative_numbers = true)]
        fields: Reals,
        /// Coupling J.
        #[arg(long = "j", default_value_t = 1.0, allow_negative_numbers = true)]
        coupling: f64,
        /// Folder of cached values (default: $ANNEALSCAPE_CACHE or ~/.cache/annealscape).
        #[arg(long)]
        cache: Option<std::path::PathBuf>,
        /// Neither read nor write the cache.
        #[arg(long, conflicts_with = "cache")]
        no_cache: bool,
    },
}

/// Run one `exact` subcommand.
pub fn run(cmd: ExactCommand, out: &mut dyn Write) -> Result<(), CliError> {
    match cmd {
        ExactCommand::Degeneracy { sizes } => {
            writeln!(out, "L\tk\tground_states")?;
            for l in sizes.0 {
                let k = GroundStates::new(Lattice::new(l)?).degeneracy_log2();
                writeln!(out, "{l}\t{k}\t{}", power_of_two(k))?;
            }
        }
        ExactCommand::Thermo {
            sizes,
            temperatures,
            coupling,
            brute_force,
        } => {
            let temperatures = temperatures.0;
            // Validate everything before printing the header.
            if let Some(&t) = temperatures.iter().find(|t| **t < 0.0) {
                return Err(PhysicsError::Temperature(t).into());
            }
            let models = sizes
                .0
                .iter()
                .map(|&l| NewmanMoore::new(Lattice::new(l)?, coupling))
                .collect::<Result<Vec<_>, _>>()?;
            if brute_force {
                if let Some(&l) = sizes.0.iter().find(|&&l| l * l > MAX_BRUTE_FORCE_SITES) {
                    return Err(CliError::Usage(format!(
                        "--brute-force needs L <= 5 (got L = {l}): drop --brute-force to use the exact code-word method"
                    )));
                }
            }
            writeln!(out, "L\tT\tf\te\ts\tmethod")?;
            for model in models {
                let l = model.lattice().size();
                let table: Vec<_> = if brute_force {
                    let bf = BruteForceThermo::new(model)?;
                    temperatures.iter().map(|&t| bf.at(t)).collect()
                } else {
                    let exact = ExactThermo::new(model);
                    temperatures.iter().map(|&t| exact.at(t)).collect()
                };
                for row in table {
                    let th = row?;
                    if th.method == ThermoMethod::ClosedFormBound {
                        eprintln!(
                            "note: L = {l} has 2^k > 2^24 ground states; at T = {} f is an upper bound, exact f lies in [{:.12}, {:.12}]",
                            th.t,
                            th.f_lower.unwrap_or(th.f),
                            th.f
                        );
                    }
                    writeln!(
                        out,
                        "{l}\t{}\t{:.12}\t{:.12}\t{:.12}\t{}",
                        th.t, th.f, th.e, th.s, th.method
                    )?;
                }
            }
        }
        ExactCommand::GroundEnergy {
            sizes,
            fields,
            coupling,
            cache,
            no_cache,
        } => {
            let fields = fields.0;
            let sizes = sizes.0;
            // Validate everything before the first (possibly long) computation.
            let models = sizes
                .iter()
                .map(|&l| NewmanMoore::new(Lattice::new(l)?, coupling))
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(&l) = sizes
                .iter()
                .find(|&&l| l > crate::physics::MAX_LANCZOS_SIZE)
            {
                return Err(CliError::Usage(format!(
                    "ground-energy needs L <= {} (got L = {l}): 2^N amplitudes do not fit beyond that",
                    crate::physics::MAX_LANCZOS_SIZE
                )));
            }
            let cache = match (no_cache, cache) {
                (true, _) => None,
                (false, Some(dir)) => Some(GroundEnergyCache::new(dir)),
                (false, None) => GroundEnergyCache::default_location(),
            };
            writeln!(out, "L\tB\te0\tmethod")?;
            for model in models {
                for &b in &fields {
                    let start = Instant::now();
                    let result = match &cache {
                        Some(c) => c.ground_energy(&model, b)?,
                        None => crate::physics::ground_energy(&model, b)?,
                    };
                    if let Some(why) = &result.not_stored {
                        eprintln!("warning: {why}");
                    }
                    if !result.cached && model.lattice().size() >= 5 {
                        eprintln!(
                            "L = {}, B = {b}: {} Lanczos iterations in {:.1} s",
                            model.lattice().size(),
                            result.iterations,
                            start.elapsed().as_secs_f64()
                        );
                    }
                    writeln!(
                        out,
                        "{}\t{b}\t{:.10}\t{}",
                        model.lattice().size(),
                        result.per_spin,
                        // B = 0 is the classical ground energy, no Lanczos run.
                        if b == 0.0 { "classical" } else { "lanczos" }
                    )?;
                    out.flush()?;
                }
            }
        }
    }
    Ok(())
}

/// 2^k as an exact decimal string.
pub fn power_of_two(k: usize) -> String {
    // Little-endian base-10⁹ limbs.
    let mut limbs: Vec<u64> = vec![1];
    for _ in 0..k {
        let mut carry = 0;
        for limb in limbs.iter_mut() {
            let v = *limb * 2 + carry;
            *limb = v % 1_000_000_000;
            carry = v / 1_000_000_000;
        }
        if carry > 0 {
            limbs.push(carry);
        }
    }
    let mut s = limbs.last().unwrap().to_string();
    for limb in limbs.iter().rev().skip(1) {
        s.push_str(&format!("{limb:09}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_of_two_are_exact() {
        assert_eq!(power_of_two(0), "1");
        assert_eq!(power_of_two(30), "1073741824");
        assert_eq!(power_of_two(100), "1267650600228229401496703205376");
    }
}
