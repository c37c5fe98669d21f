//! The study's landscapes: the authors' gaussian and filter directions at the six snapshots of
//! SPEC §5.5 for seed 0 of each (L, B₀) with the authors' estimator. A landscape already stored
//! with the same settings is kept, so a rerun continues where it stopped.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use crate::analysis::{Existing, LandscapeRequest, RunFolder};
use crate::landscape::{load_landscape, BiasDirection, HessianPair};
use crate::run::RunLayout;
use crate::sweep::{read_status, run_dir, RunState, Sweep, SweepPoint};

use super::{LandscapePlan, StudyError, LANDSCAPE_SNAPSHOTS};

/// Whether `point` is one whose landscapes the study computes.
pub fn has_landscapes(point: &SweepPoint) -> bool {
    point.config.seed == 0 && point.config.anneal.estimator == crate::anneal::Estimator::Authors
}

/// The file a planned landscape of snapshot `name` is stored in.
pub fn landscape_path(run: &std::path::Path, name: &str, plan: &LandscapePlan) -> PathBuf {
    run.join(RunLayout::LANDSCAPES)
        .join(format!("{name}-{}.npz", plan.directions.name()))
}

/// One landscape still to compute.
#[derive(Debug, Clone)]
pub struct LandscapeTask {
    /// The run ID.
    pub run: String,
    /// The snapshot.
    pub snapshot: String,
    /// Which directions and grid.
    pub plan: LandscapePlan,
}

/// The landscapes of finished runs that are missing or were stored with other settings.
pub fn pending_landscapes(sweep: &Sweep, plans: &[LandscapePlan]) -> Vec<LandscapeTask> {
    let mut tasks = Vec::new();
    for point in sweep.spec.points.iter().filter(|p| has_landscapes(p)) {
        let dir = run_dir(&sweep.dir, &point.id);
        if read_status(&dir) != RunState::Done {
            continue;
        }
        for plan in plans {
            for name in LANDSCAPE_SNAPSHOTS {
                let stored = load_landscape(&landscape_path(&dir, name, plan)).ok();
                let same = stored.is_some_and(|l| {
                    l.settings.spec == plan.spec
                        && l.settings.direction_seed == 0
                        && l.settings.bias == BiasDirection::Zero
                });
                if !same {
                    tasks.push(LandscapeTask {
                        run: point.id.clone(),
                        snapshot: name.to_string(),
                        plan: *plan,
                    });
                }
            }
        }
    }
    tasks
}

/// Compute and store one landscape; `Err(Interrupted)` if `cancel` was set meanwhile.
pub fn compute_landscape(
    sweep: &Sweep,
    task: &LandscapeTask,
    cancel: &AtomicBool,
) -> Result<(), StudyError> {
    let failed = |e: crate::analysis::AnalysisError| StudyError::Landscape {
        run: task.run.clone(),
        message: e.to_string(),
    };
    let folder = RunFolder::open(&run_dir(&sweep.dir, &task.run)).map_err(failed)?;
    let request = LandscapeRequest {
        directions: task.plan.directions,
        direction_seed: 0,
        bias: BiasDirection::Zero,
        spec: task.plan.spec,
        pair: HessianPair::Top,
        to: None,
    };
    match folder
        .landscape(
            &task.snapshot,
            &request,
            cancel,
            Existing::Overwrite,
            |_, _, _| {},
        )
        .map_err(failed)?
    {
        Some(_) => Ok(()),
        None => Err(StudyError::Interrupted),
    }
}
