//! Shared helpers for the integration tests: the reference tables shipped in `tests/data`.

#![allow(dead_code)]

use std::path::PathBuf;

/// Rows of a reference table as string fields, header removed; a missing file fails loudly
/// with the path it looked for.
pub fn reference_table(name: &str) -> Vec<Vec<String>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/reference")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "reference table missing: {} ({e}); copy it from shared/reference",
            path.display()
        )
    });
    let rows: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect();
    assert!(
        !rows.is_empty(),
        "reference table {} is empty",
        path.display()
    );
    rows
}

/// Parse a field as f64 with a message naming the table.
pub fn num(field: &str) -> f64 {
    field
        .parse()
        .unwrap_or_else(|_| panic!("not a number in reference table: {field:?}"))
}

/// A fresh, empty scratch path named after the test and this process.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("annealscape-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A run's metrics.csv without its `seconds` column, the one thing a resumed run, a run on
/// other threads or one on another executor may differ in.
pub fn metrics_without_seconds(dir: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let skip = header.iter().position(|h| *h == "seconds").unwrap();
    text.lines()
        .map(|l| {
            l.split(',')
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, f)| f)
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect()
}

/// Stop with the package to install when no Vulkan driver is there: the kittest snapshot tests
/// render with wgpu, which otherwise panics deep inside egui_kittest ("no graphics adapter").
pub fn require_vulkan() {
    let has_driver = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d"]
        .iter()
        .any(|d| std::fs::read_dir(d).is_ok_and(|mut e| e.next().is_some()));
    if !has_driver && std::env::var_os("VK_ICD_FILENAMES").is_none() {
        panic!(
            "no Vulkan driver (nothing in /usr/share/vulkan/icd.d): the snapshot tests render \
             with wgpu on Mesa's software Vulkan; install mesa-vulkan-drivers \
             (Debian/Ubuntu), or run scripts/test, which installs what the tests need"
        );
    }
}

/// The binary, with its cache of exact energies in one folder the tests share (so a test
/// never reads or fills the user's own).
pub fn command() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_annealscape"));
    command.env(
        "ANNEALSCAPE_CACHE",
        std::env::temp_dir().join("annealscape-test-cache"),
    );
    command
}

/// Run the binary with `args` as a user would, and wait for it.
pub fn annealscape(args: &[&str]) -> std::process::Output {
    command().args(args).output().expect("the binary runs")
}

/// The standard output of a command that must have succeeded (its standard error otherwise).
pub fn ok(out: impl std::borrow::Borrow<std::process::Output>) -> String {
    let out = out.borrow();
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// An observer that stops a run once it has taken `.0` steps, as a signal would.
pub struct StopAt(pub usize);

impl annealscape::anneal::Observer for StopAt {
    fn on_step(
        &mut self,
        step: &annealscape::anneal::StepView<'_>,
    ) -> Result<annealscape::anneal::Control, annealscape::anneal::ObserverError> {
        Ok(if step.metrics.step + 1 == self.0 {
            annealscape::anneal::Control::Stop
        } else {
            annealscape::anneal::Control::Continue
        })
    }
}

/// Pearson's χ² of `counts` (one per configuration) against the exact probabilities `exact`
/// over `draws` draws, the rarest configurations pooled so every cell expects five or more;
/// returns χ² and a bound five standard deviations above its mean (degrees of freedom).
#[allow(dead_code)]
pub fn chi_square(counts: &[usize], exact: &[f64], draws: usize) -> (f64, f64) {
    let (mut chi2, mut dof) = (0.0, 0usize);
    let (mut pooled_e, mut pooled_o) = (0.0, 0.0);
    for (&o, &p) in counts.iter().zip(exact) {
        let e = p * draws as f64;
        if e < 5.0 {
            pooled_e += e;
            pooled_o += o as f64;
        } else {
            chi2 += (o as f64 - e).powi(2) / e;
            dof += 1;
        }
    }
    if pooled_e > 0.0 {
        chi2 += (pooled_o - pooled_e).powi(2) / pooled_e;
        dof += 1;
    }
    let dof = dof as f64 - 1.0;
    (chi2, dof + 5.0 * (2.0 * dof).sqrt())
}
