//! `annealscape anneal`, `eval` and `presets` as a user runs them, with `eval` checked
//! against an independent implementation of the 2D RNN written from SPEC §2.

mod common;

use common::{annealscape, temp_dir};

use ndarray::{Array1, Array2};
use ndarray_npy::NpzReader;
use std::path::Path;

/// The paper's network, straight from the formulas with plain loops: h_s = elu(x_left·U_left
/// + h_left·… + b), p = softmax(h·W + c), raster order, zero vectors for missing neighbours.
struct Reference {
    u_left: Array2<f64>,
    u_up: Array2<f64>,
    b: Array1<f64>,
    w: Array2<f64>,
    c: Array1<f64>,
}

impl Reference {
    fn load(path: &Path) -> Self {
        let mut npz = NpzReader::new(std::fs::File::open(path).unwrap()).unwrap();
        Self {
            u_left: npz.by_name("rnn2d/U_left").unwrap(),
            u_up: npz.by_name("rnn2d/U_up").unwrap(),
            b: npz.by_name("rnn2d/b").unwrap(),
            w: npz.by_name("rnn2d/W").unwrap(),
            c: npz.by_name("rnn2d/c").unwrap(),
        }
    }

    fn log_p(&self, bits: &[u8], l: usize) -> f64 {
        let nh = self.b.len();
        let n = l * l;
        let mut hidden = vec![vec![0.0; nh]; n];
        let mut total = 0.0;
        for s in 0..n {
            // Input vectors [x; h] of the two neighbours, zero when missing.
            let input = |t: Option<usize>| -> Vec<f64> {
                let mut v = vec![0.0; 2 + nh];
                if let Some(t) = t {
                    v[bits[t] as usize] = 1.0;
                    v[2..].copy_from_slice(&hidden[t]);
                }
                v
            };
            let left = input(s.checked_sub(1));
            let up = input(s.checked_sub(l));
            let mut h = vec![0.0; nh];
            for (j, hj) in h.iter_mut().enumerate() {
                let mut z = self.b[j];
                for i in 0..2 + nh {
                    z += left[i] * self.u_left[[i, j]] + up[i] * self.u_up[[i, j]];
                }
                *hj = if z > 0.0 { z } else { z.exp() - 1.0 };
            }
            let logits: Vec<f64> = (0..2)
                .map(|k| self.c[k] + (0..nh).map(|j| h[j] * self.w[[j, k]]).sum::<f64>())
                .collect();
            let max = logits[0].max(logits[1]);
            let norm = max + ((logits[0] - max).exp() + (logits[1] - max).exp()).ln();
            total += logits[bits[s] as usize] - norm;
            hidden[s] = h;
        }
        total
    }
}

#[test]
fn presets_are_listed_one_per_line() {
    let out = annealscape(&["presets"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for name in [
        "quick",
        "paper-quantum-L3",
        "paper-quantum-L4",
        "paper-quantum-L5",
        "paper-nofield-L4",
        "thermal-L8",
        "modes-L6",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("{name}\t"))),
            "{name}"
        );
    }
}

#[test]
fn anneal_then_eval_agrees_with_an_independent_network() {
    let dir = temp_dir("cli-anneal");
    let out_dir = dir.to_str().unwrap();
    let out = annealscape(&[
        "anneal",
        "--preset",
        "paper-quantum-L4",
        "--out",
        out_dir,
        "--seed",
        "3",
        "--set",
        "anneal.warmup_steps=5",
        "--set",
        "anneal.anneal_steps=20",
        "--set",
        "anneal.final_samples=300",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("final evaluation on 300 samples"),
        "{stdout}"
    );
    assert!(std::fs::read_to_string(dir.join("config.toml"))
        .unwrap()
        .contains("seed = 3"));

    // Configurations: a few fixed and the run's own samples.
    let mut configs = vec![
        "0".repeat(16),
        "1".repeat(16),
        "0110100111010010".to_string(),
    ];
    let samples = std::fs::read_to_string(dir.join("samples/completion.txt")).unwrap();
    configs.extend(samples.lines().take(5).map(str::to_string));
    let configs_path = dir.join("configs.txt");
    std::fs::write(&configs_path, configs.join("\n")).unwrap();

    for checkpoint in ["init", "mid3", "completion"] {
        let ckpt = dir.join(format!("checkpoints/{checkpoint}.npz"));
        let out = annealscape(&[
            "eval",
            "--checkpoint",
            ckpt.to_str().unwrap(),
            "--configs",
            configs_path.to_str().unwrap(),
            "--b",
            "0.5",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("config\tlog_p\tenergy\tlocal"));
        let reference = Reference::load(&ckpt);
        for (line, config) in lines.zip(&configs) {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f[0], config);
            let bits: Vec<u8> = config.bytes().map(|b| b - b'0').collect();
            let lp: f64 = f[1].parse().unwrap();
            let want = reference.log_p(&bits, 4);
            assert!(
                (lp - want).abs() < 1e-10,
                "{checkpoint} {config}: {lp} vs {want}"
            );
            // E_loc = H − B Σ_i exp(½[log p(e⁽ⁱ⁾) − log p(e)]) with the reference's log p.
            let energy: f64 = f[2].parse().unwrap();
            let sum: f64 = (0..16)
                .map(|i| {
                    let mut flipped = bits.clone();
                    flipped[i] ^= 1;
                    (0.5 * (reference.log_p(&flipped, 4) - want)).exp()
                })
                .sum();
            let local: f64 = f[3].parse().unwrap();
            assert!(
                (local - (energy - 0.5 * sum)).abs() < 1e-9,
                "{config}: E_loc {local}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_exits_2_with_a_message_naming_it() {
    let dir = temp_dir("cli-bad");
    let d = dir.to_str().unwrap();
    for (args, needle) in [
        (
            vec!["anneal", "--preset", "nope", "--out", d],
            "unknown preset 'nope'",
        ),
        (
            vec![
                "anneal",
                "--preset",
                "quick",
                "--out",
                d,
                "--set",
                "anneal.minibatches=7",
            ],
            "multiple of anneal.minibatches",
        ),
        (
            vec![
                "anneal",
                "--preset",
                "quick",
                "--out",
                d,
                "--set",
                "anneal.speed=1",
            ],
            "speed",
        ),
        (vec!["anneal", "--out", d], "--preset"),
        (
            vec![
                "eval",
                "--checkpoint",
                "/nonexistent/checkpoints/x.npz",
                "--configs",
                "c",
                "--b",
                "1",
            ],
            "config.toml",
        ),
    ] {
        let out = annealscape(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    assert!(
        !dir.join("metrics.csv").exists(),
        "nothing is written for a refused run"
    );
}
