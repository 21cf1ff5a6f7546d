//! `bistand`: the command line of bistand; `bistand serve` runs the HTTPS sidecar.

use std::process::ExitCode;

use bistand_sidecar::cli;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        // `bistand generate ... | head`: the reader has what it wanted. Like other Unix tools,
        // end quietly and successfully instead of reporting "Broken pipe".
        Err(error) if closed_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bistand: {error:#}");
            ExitCode::from(cli::EXIT_FAILURE)
        }
    }
}

fn closed_pipe(error: &anyhow::Error) -> bool {
    // serde_json wraps the write error of `to_writer` in its own error type.
    error.chain().any(|cause| {
        let kind = cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| cause.downcast_ref::<serde_json::Error>()?.io_error_kind());
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}
