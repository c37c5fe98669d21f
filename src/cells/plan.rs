//! The study's grid: the anneals (a sweep) and the X at which both KLs are measured.

use crate::nn::{Cell, NetworkConfig, PAPER_PARAMETERS};
use crate::represent::{FitSettings, RepresentOptimizer};
use crate::run::RunConfig;
use crate::study::restrict_axes;
use crate::sweep::SweepError;

/// How long the study is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellsLength {
    /// L = 3 at the paper's length, seeds 0–2 (63 min on two cores, 2026-12-07).
    Quick,
    /// L = 3 and 4 at the paper's length, seeds 0–5 (hours: the L = 4 fits enumerate 2^16
    /// configurations a step).
    Full,
    /// A tiny grid for the test suite.
    Test,
}

impl CellsLength {
    /// quick, full or test.
    pub fn name(self) -> &'static str {
        match self {
            Self::Quick => "quick",
            Self::Full => "full",
            Self::Test => "test-grid",
        }
    }
}

/// The anneal sweep, the X points and the fit settings.
#[derive(Debug, Clone)]
pub struct CellsPlan {
    /// Its length.
    pub length: CellsLength,
    /// Axes of the anneal sweep: cell, lattice.size, target, seed.
    pub axes: Vec<(String, Vec<toml::Value>)>,
    /// The cells compared, each at the 2D RNN's parameter count.
    pub cells: Vec<Cell>,
    /// The lattice sizes.
    pub sizes: Vec<usize>,
}

/// A cell at one lattice size, at the paper's parameter count (±10 %): the `cell` axis's value
/// names it, `rnn2d` for the paper's network, `made183` for MADE with H = 183.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellChoice {
    /// The network.
    pub network: NetworkConfig,
    /// L.
    pub size: usize,
}

impl CellChoice {
    /// `cell` at L = `size`, its width matched to the 2D RNN's 3,482 parameters.
    pub fn matched(cell: Cell, size: usize) -> Self {
        Self {
            network: NetworkConfig {
                cell,
                hidden: cell.hidden_matching(size, PAPER_PARAMETERS),
                ..NetworkConfig::default()
            },
            size,
        }
    }

    /// The `cell` axis's value: the cell's name, with its width unless it is the paper's
    /// network (whose runs keep the names a one-cell study gave them).
    pub fn label(&self) -> String {
        match self.network.cell {
            Cell::Rnn2d => "rnn2d".into(),
            other => format!("{}{}", other.name(), self.network.hidden),
        }
    }
}

/// B at which quantum anneals are compared with the fits (from B₀ = 1 down).
pub const QUANTUM_POINTS: [f64; 7] = [1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2];
/// T at which thermal anneals are compared (from T₀ = 1 down).
pub const THERMAL_POINTS: [f64; 6] = [1.0, 0.7, 0.5, 0.3, 0.2, 0.1];

impl CellsPlan {
    /// The grid at `length` over `cells` (each at the 2D RNN's parameter count).
    pub fn new(length: CellsLength, cells: &[Cell]) -> Self {
        let (sizes, seeds): (&[i64], &[i64]) = match length {
            CellsLength::Quick => (&[3], &[0, 1, 2]),
            CellsLength::Full => (&[3, 4], &[0, 1, 2, 3, 4, 5]),
            CellsLength::Test => (&[3], &[0]),
        };
        let ints = |v: &[i64]| v.iter().map(|&i| toml::Value::Integer(i)).collect();
        let sizes_usize: Vec<usize> = sizes.iter().map(|&l| l as usize).collect();
        let mut labels: Vec<toml::Value> = Vec::new();
        for &cell in cells {
            for &size in &sizes_usize {
                let label = CellChoice::matched(cell, size).label();
                if !labels.iter().any(|l| l.as_str() == Some(&label)) {
                    labels.push(label.into());
                }
            }
        }
        Self {
            length,
            cells: cells.to_vec(),
            sizes: sizes_usize,
            axes: vec![
                ("cell".into(), labels),
                ("lattice.size".into(), ints(sizes)),
                ("target".into(), vec!["quantum".into(), "thermal".into()]),
                ("seed".into(), ints(seeds)),
            ],
        }
    }

    /// Keep only some values of axes (`--only`).
    pub fn restrict_all(&mut self, assignments: &[String]) -> Result<(), SweepError> {
        restrict_axes(&mut self.axes, assignments)
    }

    /// Runs in the sweep (after `--only`, widths matched per L).
    pub fn runs(&self) -> Result<usize, SweepError> {
        Ok(crate::sweep::SweepSpec::parse(&self.spec_text(), "cells")?
            .points
            .len())
    }

    /// Every (cell, L) the plan names, before `--only`.
    pub fn choices(&self) -> Vec<CellChoice> {
        let mut out = Vec::new();
        for &cell in &self.cells {
            for &size in &self.sizes {
                out.push(CellChoice::matched(cell, size));
            }
        }
        out
    }

    /// The lattice sizes left on the axis (after `--only`).
    fn sizes_on_axis(&self) -> Vec<usize> {
        self.axes
            .iter()
            .filter(|a| a.0 == "lattice.size")
            .flat_map(|a| a.1.iter().filter_map(|v| v.as_integer()))
            .map(|l| l as usize)
            .collect()
    }

    /// The X at which a `target` anneal is compared.
    pub fn points(&self, target: &str) -> Vec<f64> {
        let all: &[f64] = if target == "quantum" {
            &QUANTUM_POINTS
        } else {
            &THERMAL_POINTS
        };
        match self.length {
            CellsLength::Test => vec![all[0], all[3]],
            _ => all.to_vec(),
        }
    }

    /// How a fit moves and when it stops: Adam at η = 10⁻² (measured to reach in 2,000–5,000
    /// steps what η = 10⁻³ reaches in 20,000), at most 10,000 steps, stopping after 1,000 steps
    /// without a relative improvement of 10⁻³.
    pub fn fit_settings(&self) -> FitSettings {
        let adam = RepresentOptimizer::Adam {
            learning_rate: 1e-2,
        };
        match self.length {
            CellsLength::Test => FitSettings {
                optimizer: adam,
                max_steps: 30,
                patience: 10,
                ..FitSettings::default()
            },
            _ => FitSettings {
                optimizer: adam,
                max_steps: 10_000,
                patience: 1_000,
                min_improvement: 1e-3,
                kl_floor: 1e-10,
            },
        }
    }

    /// Every run's configuration: the paper's quantum preset (n_h = 40, M = 100, Adam at
    /// 10⁻³, authors' estimator) without curvature rows, with 1,000 trajectory points so the
    /// weights nearest each X are at most 0.002 away in B or T.
    pub fn base_config(&self) -> RunConfig {
        let mut c = RunConfig::preset("paper-quantum-L3").expect("shipped preset");
        c.description = format!(
            "annealscape cells --{}: representability against trainability (SPEC §9)",
            self.length.name()
        );
        c.diagnostics.curvature_every = None;
        c.output.trajectory_points = 1000;
        if self.length == CellsLength::Test {
            c.anneal.warmup_steps = 50;
            c.anneal.anneal_steps = 50;
            c.anneal.train_steps = 2;
            c.anneal.samples = 20;
            c.anneal.minibatches = 2;
            c.anneal.final_samples = 100;
            c.output.trajectory_points = 100;
        }
        c
    }

    /// The sweep specification written to `DIR/sweep.toml`.
    pub fn spec_text(&self) -> String {
        let mut axes = toml::Table::new();
        for (key, values) in &self.axes {
            axes.insert(key.clone(), toml::Value::Array(values.clone()));
        }
        let config: toml::Table =
            toml::from_str(&self.base_config().to_toml()).expect("a configuration is TOML");
        let thermal: toml::Table = [("anneal.kind", "thermal"), ("anneal.estimator", "standard")]
            .iter()
            .map(|(k, v)| (k.to_string(), toml::Value::String(v.to_string())))
            .collect();
        let mut cells = toml::Table::new();
        let mut excludes = Vec::new();
        let on_axis: Vec<&str> = self
            .axes
            .iter()
            .filter(|a| a.0 == "cell")
            .flat_map(|a| a.1.iter().filter_map(|v| v.as_str()))
            .collect();
        for choice in self.choices() {
            let label = choice.label();
            let mut bundle = toml::Table::new();
            if choice.network.cell != Cell::Rnn2d {
                bundle.insert("network.cell".into(), choice.network.cell.name().into());
                bundle.insert(
                    "network.hidden".into(),
                    toml::Value::Integer(choice.network.hidden as i64),
                );
            }
            cells.insert(label.clone(), toml::Value::Table(bundle));
            // A width matched at one L is not matched at another.
            for &other in &self.sizes {
                if CellChoice::matched(choice.network.cell, other).label() != label
                    && on_axis.contains(&label.as_str())
                    && self.sizes_on_axis().contains(&other)
                {
                    let mut ex = toml::Table::new();
                    ex.insert("cell".into(), label.clone().into());
                    ex.insert("lattice.size".into(), toml::Value::Integer(other as i64));
                    excludes.push(toml::Value::Table(ex));
                }
            }
        }
        let mut targets = toml::Table::new();
        targets.insert("quantum".into(), toml::Value::Table(toml::Table::new()));
        targets.insert("thermal".into(), toml::Value::Table(thermal));
        let mut bundles = toml::Table::new();
        bundles.insert("target".into(), toml::Value::Table(targets));
        bundles.insert("cell".into(), toml::Value::Table(cells));
        let mut file = toml::Table::new();
        file.insert("axes".into(), toml::Value::Table(axes));
        file.insert("config".into(), toml::Value::Table(config));
        file.insert("bundles".into(), toml::Value::Table(bundles));
        if !excludes.is_empty() {
            file.insert("exclude".into(), toml::Value::Array(excludes));
        }
        format!(
            "# annealscape cells --{}: the anneals of the representability study (SPEC §9). \
             Written by the command; rerunning it continues this folder.\n{}",
            self.length.name(),
            toml::to_string(&file).expect("tables serialise")
        )
    }
}
