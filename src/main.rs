//! The `annealscape` binary: parse the command line and run a command.

use annealscape::cli::{run, Cli};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            use clap::error::ErrorKind;
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) {
                let _ = err.print();
                return ExitCode::SUCCESS;
            }
            // One line naming the bad value: clap's first paragraph, joined (a missing
            // argument is named on the line after the message); the rest is usage advice.
            let rendered = err.render().to_string();
            let first: Vec<&str> = rendered
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            eprintln!("{}", first.join(" "));
            eprintln!("run `annealscape --help` for usage");
            return ExitCode::from(2);
        }
    };
    let Some(command) = cli.command else {
        return open_app(cli);
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match run(command, &mut out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err @ annealscape::cli::CliError::Interrupted) => ExitCode::from(err.exit_code() as u8),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(err.exit_code() as u8)
        }
    }
}

/// Without a subcommand: open the desktop app.
fn open_app(cli: Cli) -> ExitCode {
    if let Err(e) = annealscape::run::RunConfig::preset(&cli.preset) {
        eprintln!("--preset: {e}");
        return ExitCode::from(2);
    }
    if let Some(path) = &cli.screenshot {
        if path.extension().and_then(|e| e.to_str()) != Some("png") {
            eprintln!(
                "--screenshot {}: the screenshot is a PNG: end the path in .png",
                path.display()
            );
            return ExitCode::from(2);
        }
    }
    let options = annealscape::app::AppOptions {
        preset: cli.preset,
        runs_dir: cli.runs,
        start: cli.start,
        open: cli.open,
        open_sweep: cli.open_sweep,
        screenshot: cli.screenshot,
        frames: cli.frames,
        film: cli
            .film
            .clone()
            .map(|name| (name, cli.film_step, cli.three_d)),
        live_film: cli.live_film,
        ..Default::default()
    };
    match annealscape::app::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("(no display? the app needs X11 or Wayland; `annealscape --help` lists the headless commands)");
            ExitCode::from(1)
        }
    }
}
