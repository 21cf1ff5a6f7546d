//! Signs of life for long commands (import, reseal, backup): a progress line on a terminal and
//! a final summary with timing.
//!
//! The progress line is drawn only when standard error is a terminal and `--quiet` was not
//! given, at most ten times a second, and erased when the work ends; redirected output (a log
//! file, a pipe, a CI job) gets only the summary line, and `--quiet` not even that. Drawn by
//! hand with a carriage return rather than with a progress-bar crate: one line of text is all
//! that is needed.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// How often the line may be redrawn.
const REDRAW: Duration = Duration::from_millis(100);

/// What a long command shows of itself.
pub(crate) struct Progress {
    label: &'static str,
    /// The amount of work when known in advance (bytes of an input file, records to reseal).
    total: Option<u64>,
    unit: &'static str,
    draw: bool,
    quiet: bool,
    started: Instant,
    last_drawn: Option<Instant>,
}

impl Progress {
    /// Progress of `label`, measured in `unit` out of `total` when known.
    pub(crate) fn new(
        label: &'static str,
        total: Option<u64>,
        unit: &'static str,
        quiet: bool,
    ) -> Progress {
        Progress {
            label,
            total,
            unit,
            draw: !quiet && std::io::stderr().is_terminal(),
            quiet,
            started: Instant::now(),
            last_drawn: None,
        }
    }

    /// Reports that `done` units of the work are done; redraws when it is time to.
    pub(crate) fn set(&mut self, done: u64, detail: &str) {
        if !self.draw || self.last_drawn.is_some_and(|t| t.elapsed() < REDRAW) {
            return;
        }
        self.last_drawn = Some(Instant::now());
        let line = match self.total {
            Some(total) if total > 0 => {
                let share = (done.min(total) * 100) / total;
                let filled = usize::try_from(share / 5).unwrap_or(20);
                format!(
                    "{} [{}{}] {share:>3} % {detail}",
                    self.label,
                    "#".repeat(filled),
                    "-".repeat(20 - filled)
                )
            }
            _ => format!("{} {done} {} {detail}", self.label, self.unit),
        };
        let mut stderr = std::io::stderr().lock();
        // The line is decoration: a failed write to the terminal must not fail the work.
        let _ = write!(stderr, "\r\x1b[2K{line}");
        let _ = stderr.flush();
    }

    /// Erases the line and prints `summary` with the elapsed time (unless quiet).
    pub(crate) fn finish(self, summary: &str) {
        if self.draw && self.last_drawn.is_some() {
            eprint!("\r\x1b[2K");
        }
        if !self.quiet {
            eprintln!(
                "bistand: {summary} in {:.1} s",
                self.started.elapsed().as_secs_f64()
            );
        }
    }
}
