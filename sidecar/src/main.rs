//! `bistand`: the command line of bistand (the HTTPS sidecar will join it as `bistand serve`).
//!
//! Every command is a thin shell over `bistand-core`: read files, call the same functions the C
//! library and the sidecar call, print JSON (default) or text for a terminal.

mod cli;
mod keys;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("bistand: {error:#}");
            ExitCode::from(cli::EXIT_FAILURE)
        }
    }
}
