//! The book in docs/ and the command line's own help say the same: every subcommand and
//! every flag `--help` lists is documented, and every `annealscape …` line in the book's code
//! blocks uses a command and flags that exist.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

/// The subcommands `help` lists under "Commands:" (without `help` itself).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

/// The long flags an `--help` text defines (its option lines, not flags named in prose).
fn flags(help: &str) -> BTreeSet<String> {
    help.lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("--") || l.starts_with('-') && l.contains(", --"))
        .filter_map(|l| l.split("--").nth(1))
        .map(|rest| {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            format!("--{name}")
        })
        .collect()
}

fn help(path: &[&str]) -> String {
    let mut args: Vec<&str> = path.to_vec();
    args.push("--help");
    common::ok(common::annealscape(&args))
}

/// Every command path (`["anneal"]`, `["exact", "thermo"]`…) with its flags, the app's own
/// (no subcommand) first.
fn commands() -> Vec<(Vec<String>, BTreeSet<String>)> {
    let top = help(&[]);
    let mut out = vec![(Vec::new(), flags(&top))];
    for sub in subcommands(&top) {
        let text = help(&[&sub]);
        let nested = subcommands(&text);
        if nested.is_empty() {
            out.push((vec![sub], flags(&text)));
        } else {
            for inner in nested {
                out.push((
                    vec![sub.clone(), inner.clone()],
                    flags(&help(&[&sub, &inner])),
                ));
            }
        }
    }
    out
}

fn book() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md")];
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path);
        }
    }
    pages
        .into_iter()
        .map(|p| {
            let name = p.strip_prefix(root).unwrap().display().to_string();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

#[test]
fn every_command_and_flag_the_help_lists_is_in_the_book() {
    let text: String = book().into_iter().map(|(_, t)| t).collect();
    let mut missing = Vec::new();
    let commands = commands();
    assert!(
        commands.len() > 15,
        "commands read from --help: {commands:?}"
    );
    for (path, flags) in commands {
        let name = path.join(" ");
        if !name.is_empty() && !text.contains(&format!("annealscape {name}")) {
            missing.push(format!("annealscape {name}"));
        }
        for flag in flags {
            if flag != "--help" && flag != "--version" && !text.contains(&flag) {
                missing.push(format!(
                    "{} {flag}",
                    ["annealscape", &name].join(" ").trim()
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not in README.md or docs/: {missing:#?}"
    );
}

#[test]
fn every_command_line_in_the_book_uses_flags_that_exist() {
    let commands = commands();
    let mut wrong = Vec::new();
    for (page, text) in book() {
        let mut in_code = false;
        for line in text.lines() {
            if line.trim_start().starts_with("```") {
                in_code = !in_code;
                continue;
            }
            let Some(at) = line.find("annealscape ").filter(|_| in_code) else {
                continue;
            };
            // What follows `annealscape`, up to a comment.
            let rest = line[at + "annealscape ".len()..]
                .split(" #")
                .next()
                .unwrap();
            let words: Vec<&str> = rest.split_whitespace().collect();
            // The longest command path the words start with.
            let Some((path, flags)) = commands
                .iter()
                .filter(|(p, _)| {
                    p.len() <= words.len() && p.iter().zip(&words).all(|(a, b)| a == b)
                })
                .max_by_key(|(p, _)| p.len())
            else {
                wrong.push(format!("{page}: {line}"));
                continue;
            };
            for word in &words[path.len()..] {
                let flag: String = word
                    .trim_start_matches('[')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                if flag.starts_with("--") && flag.len() > 2 && !flags.contains(&flag) {
                    wrong.push(format!("{page}: annealscape {} {flag}", path.join(" ")));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "flags the command does not have: {wrong:#?}"
    );
}
