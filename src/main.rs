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
            // One line naming the bad value; clap's own text after it is usage advice.
            let rendered = err.render().to_string();
            let first = rendered.lines().next().unwrap_or("error: bad arguments");
            eprintln!("{first}");
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
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(err.exit_code() as u8)
        }
    }
}
