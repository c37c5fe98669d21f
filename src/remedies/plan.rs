//! What `remedies` runs: every remedy of SPEC §8 against the paper's Adam, as one sweep whose
//! `remedy` and `target` axes are bundles of settings, at full, quick or test length.

use crate::physics::{GroundStates, Lattice};
use crate::run::RunConfig;
use crate::study::restrict_axes;
use crate::sweep::SweepError;

/// How long the study's runs are and which cells it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemediesLength {
    /// The paper's length (51,001 steps) on L = 3, 4, 5, 6, 7, quantum and thermal.
    Full,
    /// 801 steps (400 warm-up, 200 values × 2) on L = 3 (quantum and thermal), 4 and 6
    /// (quantum): about half an hour on two cores.
    Quick,
    /// A tiny grid for the test suite: L = 3, 44 steps, seeds 0 and 1.
    Test,
}

impl RemediesLength {
    /// The word used in the report and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Quick => "quick",
            Self::Test => "test",
        }
    }
}

/// One remedy: its name on the `remedy` axis, what it is, and its settings (TOML values).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Remedy {
    /// The name, e.g. `sr`.
    pub name: &'static str,
    /// One line for the report.
    pub summary: &'static str,
    /// `(key, TOML value)` pairs applied over the base and the target.
    pub settings: &'static [(&'static str, &'static str)],
}

/// The baseline every remedy is scored against.
pub const BASELINE: &str = "adam";

/// Every remedy the study runs, baseline first.
pub const REMEDIES: [Remedy; 11] = [
    Remedy {
        name: BASELINE,
        summary: "the paper's Adam (η = 10⁻³; authors' estimator for quantum runs, standard for thermal)",
        settings: &[],
    },
    Remedy {
        name: "adam-standard",
        summary: "Adam with the standard estimator (quantum runs; thermal runs use it already)",
        settings: &[("anneal.estimator", "\"standard\"")],
    },
    Remedy {
        name: "amsgrad",
        summary: "AMSGrad: Adam whose v̂ never decreases",
        settings: &[("optimizer.kind", "\"amsgrad\"")],
    },
    Remedy {
        name: "sr",
        summary: "minSR natural gradient, η = 0.1, λ = 10⁻³ (chosen at L = 4), standard estimator",
        settings: &[
            ("optimizer.kind", "\"sr\""),
            ("optimizer.learning_rate", "0.1"),
            ("optimizer.diag_shift", "0.001"),
            ("anneal.estimator", "\"standard\""),
        ],
    },
    Remedy {
        name: "exact",
        summary: "exact gradients over all 2^N configurations (L = 3 only: an exact step at L = 4 takes about 10 s)",
        settings: &[("anneal.gradient", "\"exact\"")],
    },
    Remedy {
        name: "code",
        summary: "the code-symmetrised network p_sym(e) = 2^-k Σ_c p(e ⊕ c), in training (degenerate lattices; 2^k passes per log p)",
        settings: &[("network.symmetry", "\"code\"")],
    },
    Remedy {
        name: "code-after",
        summary: "the plain network trained, p_sym reported (final sample, exact distances; degenerate lattices)",
        settings: &[("network.symmetry", "\"code-after\"")],
    },
    Remedy {
        name: "rvqa",
        summary: "RVQA, T_f0 = 1 (quantum runs)",
        settings: &[("anneal.entropy_start", "1.0")],
    },
    Remedy {
        name: "settled",
        summary: "the settled schedule, window 2, tolerance 10⁻² (above the sampled objective's step-to-step noise), max dwell 25",
        settings: &[
            ("anneal.schedule", "\"settled\""),
            ("anneal.settle_tolerance", "0.01"),
        ],
    },
    Remedy {
        name: "hidden-2x",
        summary: "twice the hidden units (n_h = 80)",
        settings: &[("network.hidden", "80")],
    },
    Remedy {
        name: "samples-10x",
        summary: "ten times the samples (M = 1,000)",
        settings: &[("anneal.samples", "1000")],
    },
];

/// The remedies SPEC §8 names that this study cannot run yet, with the reason (for the report).
pub const NOT_BUILT: [(&str, &str); 1] = [(
    "translations",
    "averaging over the L² translations of the torus (SPEC §8.2, optional) is not built",
)];

/// The two targets: quantum from B₀ = 1 and thermal from T₀ = 1.
pub const TARGETS: [(&str, &[(&str, &str)]); 2] = [
    (
        "quantum",
        &[
            ("anneal.kind", "\"quantum\""),
            ("anneal.estimator", "\"authors\""),
        ],
    ),
    (
        "thermal",
        &[
            ("anneal.kind", "\"thermal\""),
            ("anneal.estimator", "\"standard\""),
        ],
    ),
];

/// k of the L × L lattice (0 for a size that is not a lattice).
fn ground_states_log2(size: i64) -> usize {
    usize::try_from(size)
        .ok()
        .and_then(|l| Lattice::new(l).ok())
        .map_or(0, |l| GroundStates::new(l).degeneracy_log2())
}

/// Why the grid leaves a (L, target, remedy) out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LeftOut {
    /// The study leaves out the whole (L, target) cell (the quick study's thermal L = 4, 6).
    #[error("the {} study leaves out thermal runs at L = {size}", length.name())]
    Cell {
        /// The study's length.
        length: RemediesLength,
        /// L.
        size: i64,
    },
    /// RVQA on a thermal run.
    #[error("quantum only: RVQA adds the entropy term the thermal objective has already")]
    RvqaThermal,
    /// The standard estimator as a remedy of a thermal run.
    #[error("quantum only: the thermal baseline uses the standard estimator already")]
    StandardThermal,
    /// The code symmetry on a lattice with one ground state.
    #[error("degenerate lattices only: with one ground state the code symmetry is the identity")]
    OneGroundState,
    /// Exact gradients above L = 3.
    #[error("exact gradients run at L <= {EXACT_MAX_SIZE} only: an exact step at L = 4 takes about 10 s, three days a run")]
    ExactTooLarge,
}

/// The largest L of exact-gradient runs.
const EXACT_MAX_SIZE: i64 = 3;

/// The study to run: its length and its axes (possibly restricted by `--only`).
#[derive(Debug, Clone, PartialEq)]
pub struct RemediesPlan {
    /// Full, quick or test.
    pub length: RemediesLength,
    /// The axes in ID order: `lattice.size`, `target`, `remedy`, `seed`.
    pub axes: Vec<(String, Vec<toml::Value>)>,
    /// (L, target) pairs left out of the grid (quick: the thermal runs at L = 4 and 6).
    pub skipped_cells: Vec<(i64, &'static str)>,
}

fn words(v: &[&str]) -> Vec<toml::Value> {
    v.iter()
        .map(|s| toml::Value::String(s.to_string()))
        .collect()
}

fn ints(v: &[i64]) -> Vec<toml::Value> {
    v.iter().map(|&i| toml::Value::Integer(i)).collect()
}

/// A TOML value written as text (the settings of [`REMEDIES`] and [`TARGETS`]).
fn value(text: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {text}"))
        .ok()
        .and_then(|t| t.get("v").cloned())
        .expect("the built-in settings are TOML values")
}

fn bundle(settings: &[(&str, &str)]) -> toml::Table {
    settings
        .iter()
        .map(|(k, v)| (k.to_string(), value(v)))
        .collect()
}

impl RemediesPlan {
    /// The whole grid at `length`.
    pub fn new(length: RemediesLength) -> Self {
        let (sizes, seeds, skipped): (&[i64], &[i64], Vec<(i64, &str)>) = match length {
            RemediesLength::Full => (&[3, 4, 5, 6, 7], &[0, 1, 2, 3, 4, 5], Vec::new()),
            RemediesLength::Quick => (
                &[3, 4, 6],
                &[0, 1, 2, 3, 4, 5],
                vec![(4, "thermal"), (6, "thermal")],
            ),
            RemediesLength::Test => (&[3], &[0, 1], Vec::new()),
        };
        Self {
            length,
            axes: vec![
                ("lattice.size".into(), ints(sizes)),
                ("target".into(), words(&TARGETS.map(|t| t.0))),
                ("remedy".into(), words(&REMEDIES.map(|r| r.name))),
                ("seed".into(), ints(seeds)),
            ],
            skipped_cells: skipped,
        }
    }

    /// Keep only some values of axes, from `--only` assignments (as `reproduce --only`).
    pub fn restrict_all(&mut self, assignments: &[String]) -> Result<(), SweepError> {
        restrict_axes(&mut self.axes, assignments)
    }

    /// The values of one axis.
    pub fn values(&self, key: &str) -> &[toml::Value] {
        self.axes
            .iter()
            .find(|a| a.0 == key)
            .map_or(&[], |a| a.1.as_slice())
    }

    /// Whether the grid runs `remedy` on (L, target), and if not, why.
    pub fn applies(&self, size: i64, target: &str, remedy: &str) -> Result<(), LeftOut> {
        if self.skipped_cells.contains(&(size, target)) {
            return Err(LeftOut::Cell {
                length: self.length,
                size,
            });
        }
        match remedy {
            "rvqa" if target == "thermal" => Err(LeftOut::RvqaThermal),
            "adam-standard" if target == "thermal" => Err(LeftOut::StandardThermal),
            "code" | "code-after" if ground_states_log2(size) == 0 => Err(LeftOut::OneGroundState),
            "exact" if size > EXACT_MAX_SIZE => Err(LeftOut::ExactTooLarge),
            _ => Ok(()),
        }
    }

    /// The runs of the grid, as (L, target, remedy, seed) in sweep order.
    pub fn cells(&self) -> Vec<(i64, String, String)> {
        let mut out = Vec::new();
        for size in self
            .values("lattice.size")
            .iter()
            .filter_map(|v| v.as_integer())
        {
            for target in self.values("target").iter().filter_map(|v| v.as_str()) {
                for remedy in self.values("remedy").iter().filter_map(|v| v.as_str()) {
                    if self.applies(size, target, remedy).is_ok() {
                        out.push((size, target.to_string(), remedy.to_string()));
                    }
                }
            }
        }
        out
    }

    /// Runs in the study.
    pub fn runs(&self) -> usize {
        self.cells().len() * self.values("seed").len()
    }

    /// The base configuration every run starts from: the paper's preset (n_h = 40, M = 100,
    /// Adam at 10⁻³) without the curvature diagnostics, which the scoring does not use.
    pub fn base_config(&self) -> RunConfig {
        let mut c = RunConfig::preset("paper-quantum-L3").expect("shipped preset");
        c.description = format!(
            "annealscape remedies --{}: every remedy against the paper's Adam (SPEC §8)",
            self.length.name()
        );
        c.diagnostics.curvature_every = None;
        match self.length {
            RemediesLength::Full => {}
            RemediesLength::Quick => {
                c.anneal.warmup_steps = 400;
                c.anneal.anneal_steps = 200;
                c.anneal.train_steps = 2;
            }
            RemediesLength::Test => {
                c.anneal.warmup_steps = 20;
                c.anneal.anneal_steps = 12;
                c.anneal.train_steps = 2;
                c.anneal.final_samples = 500;
            }
        }
        c
    }

    /// The `[[exclude]]` tables: every (L, target, remedy) on the axes the grid does not run.
    fn exclusions(&self) -> Vec<toml::Table> {
        let mut out = Vec::new();
        for size in self
            .values("lattice.size")
            .iter()
            .filter_map(|v| v.as_integer())
        {
            for target in self.values("target").iter().filter_map(|v| v.as_str()) {
                if self.skipped_cells.contains(&(size, target)) {
                    out.push(toml::Table::from_iter([
                        ("lattice.size".to_string(), toml::Value::Integer(size)),
                        ("target".to_string(), toml::Value::String(target.into())),
                    ]));
                    continue;
                }
                for remedy in self.values("remedy").iter().filter_map(|v| v.as_str()) {
                    if self.applies(size, target, remedy).is_err() {
                        out.push(toml::Table::from_iter([
                            ("lattice.size".to_string(), toml::Value::Integer(size)),
                            ("target".to_string(), toml::Value::String(target.into())),
                            ("remedy".to_string(), toml::Value::String(remedy.into())),
                        ]));
                    }
                }
            }
        }
        out
    }

    /// The sweep specification, as written to `DIR/sweep.toml`.
    pub fn spec_text(&self) -> String {
        let mut axes = toml::Table::new();
        for (key, values) in &self.axes {
            axes.insert(key.clone(), toml::Value::Array(values.clone()));
        }
        let config: toml::Table =
            toml::from_str(&self.base_config().to_toml()).expect("a configuration is TOML");
        let mut bundles = toml::Table::new();
        bundles.insert(
            "target".into(),
            toml::Value::Table(
                TARGETS
                    .iter()
                    .map(|(n, s)| (n.to_string(), toml::Value::Table(bundle(s))))
                    .collect(),
            ),
        );
        bundles.insert(
            "remedy".into(),
            toml::Value::Table(
                REMEDIES
                    .iter()
                    .map(|r| (r.name.to_string(), toml::Value::Table(bundle(r.settings))))
                    .collect(),
            ),
        );
        let mut file = toml::Table::new();
        file.insert("axes".into(), toml::Value::Table(axes));
        file.insert("config".into(), toml::Value::Table(config));
        file.insert("bundles".into(), toml::Value::Table(bundles));
        let exclude = self.exclusions();
        if !exclude.is_empty() {
            file.insert(
                "exclude".into(),
                toml::Value::Array(exclude.into_iter().map(toml::Value::Table).collect()),
            );
        }
        format!(
            "# annealscape remedies --{}: every remedy against the paper's Adam (SPEC §8) as a \
             sweep. Written by the command; rerunning it continues this folder.\n{}",
            self.length.name(),
            toml::to_string(&file).expect("tables serialise")
        )
    }

    /// Seconds the study should take on `cores` cores, one single-threaded run per core, from
    /// 301-step runs timed on one core of a 2-core machine (2026-12-07; exact distances and
    /// the final sample included; the VM's speed varies by up to 2× from hour to hour).
    pub fn estimated_seconds(&self, cores: usize) -> f64 {
        let steps = self.base_config().anneal.schedule().total_steps() as f64;
        let seeds = self.values("seed").len() as f64;
        let mut core_seconds = 0.0;
        for (size, target, remedy) in self.cells() {
            let quantum = target == "quantum";
            // Seconds per step of the paper's Adam, single-threaded.
            let step = match (size, quantum) {
                (3, true) => 2.8e-3,
                (3, false) => 2.0e-3,
                (4, true) => 5.0e-3,
                (4, false) => 2.5e-3,
                (5, true) => 9.5e-3,
                (5, false) => 3.2e-3,
                (6, true) => 17e-3,
                (6, false) => 5.0e-3,
                (_, true) => 26e-3,
                (_, false) => 6.5e-3,
            };
            let factor = match remedy.as_str() {
                "sr" => 1.2,
                "code" => (1u64 << ground_states_log2(size)) as f64,
                "exact" if quantum => 13.0,
                "exact" => 17.0,
                "hidden-2x" => 3.1,
                "samples-10x" => 10.7,
                _ => 1.0,
            };
            core_seconds += seeds * steps * step * factor;
        }
        core_seconds / cores.max(1) as f64
    }
}
