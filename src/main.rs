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
        eprintln!("annealscape: the desktop app is not built yet; try `annealscape exact degeneracy --l 2..32` or `annealscape --help`");
        return ExitCode::from(2);
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match run(command, &mut out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(annealscape::cli::CliError::Interrupted) => ExitCode::from(130),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(err.exit_code() as u8)
        }
    }
}
