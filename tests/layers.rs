//! The layer order of docs/architecture.md holds: no file under src/ uses a module listed
//! after its own (`run` never imports a landscape, nothing below `app` knows egui).

use std::path::{Path, PathBuf};

/// The modules in the order docs/architecture.md lists them (`src/NAME/` or `src/NAME.rs`).
fn layer_order() -> Vec<String> {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md");
    let text = std::fs::read_to_string(&doc).expect("docs/architecture.md exists");
    text.lines()
        .filter_map(|l| l.strip_prefix("src/"))
        .map(|rest| {
            rest.split(|c: char| c == '/' || c == '.' || c.is_whitespace())
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_uses_one_listed_after_it() {
    let order = layer_order();
    assert!(order.len() >= 15, "layers read from the doc: {order:?}");
    let rank = |name: &str| order.iter().position(|m| m == name);
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        let Some(own) = rank(&top) else {
            continue; // lib.rs and main.rs sit above every layer
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, _) in text.match_indices("crate::") {
            let used: String = text[i + 7..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if rank(&used).is_some_and(|r| r > own) {
                wrong.push(format!("{} uses {used}", rel.display()));
            }
        }
        if own < rank("app").unwrap() && (text.contains("egui::") || text.contains("use egui")) {
            wrong.push(format!("{} knows egui", rel.display()));
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "imports against the layer order: {wrong:#?}"
    );
}

/// Inside the app, the panels are drawn by the shell alone (`mod.rs` lays them out,
/// `dispatch.rs` asks them for export content): the state, jobs and views never import a
/// panel, so no import runs in a circle through them.
#[test]
fn in_the_app_only_the_shell_uses_the_panels() {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/app");
    let mut files = Vec::new();
    rust_files(&app, &mut files);
    let mut wrong = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&app).unwrap();
        if rel.starts_with("panels")
            || rel == Path::new("mod.rs")
            || rel == Path::new("dispatch.rs")
        {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        if text.contains("panels::") || text.contains("use super::panels") {
            wrong.push(rel.display().to_string());
        }
    }
    assert!(wrong.is_empty(), "app files that use a panel: {wrong:?}");
}
