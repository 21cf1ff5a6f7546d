//! `bistand`: the command line of bistand; `bistand serve` runs the HTTPS sidecar.

use std::process::ExitCode;

use bistand_sidecar::cli;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("bistand: {error:#}");
            ExitCode::from(cli::EXIT_FAILURE)
        }
    }
}
