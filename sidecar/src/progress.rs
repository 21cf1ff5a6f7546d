//! Signs of life for long commands (import, reseal, backup, reports): a progress bar on a
//! terminal and a final summary with timing.
//!
//! The bar (drawn by `indicatif`, at most ten times a second, erased when the work ends) is
//! shown only when standard error is a terminal and `--quiet` was not given; redirected output
//! (a log file, a pipe, a CI job) gets only the summary line, and `--quiet` not even that.

use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Redraws per second at most.
const REDRAW_HZ: u8 = 10;

/// What a long command shows of itself.
pub(crate) struct Progress {
    /// Hidden when not drawn: then every update is a no-op.
    bar: ProgressBar,
    quiet: bool,
    started: Instant,
}

impl Progress {
    /// Progress of `label`, measured in `unit` out of `total` when known.
    pub(crate) fn new(
        label: &'static str,
        total: Option<u64>,
        unit: &'static str,
        quiet: bool,
    ) -> Progress {
        let draw = !quiet && std::io::stderr().is_terminal();
        let bar = if draw {
            let bar =
                ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr_with_hz(REDRAW_HZ));
            bar.set_style(style(total.is_some(), unit));
            bar.set_prefix(label);
            bar
        } else {
            ProgressBar::hidden()
        };
        Progress {
            bar,
            quiet,
            started: Instant::now(),
        }
    }

    /// Reports that `done` units of the work are done, with a short `detail` (never content).
    pub(crate) fn set(&mut self, done: u64, detail: &str) {
        if self.bar.is_hidden() {
            return;
        }
        self.bar.set_position(done);
        self.bar.set_message(detail.to_owned());
    }

    /// Prints `line` on standard error, above the bar when one is drawn.
    pub(crate) fn note(&self, line: &str) {
        self.bar.suspend(|| eprintln!("{line}"));
    }

    /// Keeps a drawn spinner turning while one long step runs with nothing to count.
    pub(crate) fn keep_turning(&self, detail: &'static str) {
        if !self.bar.is_hidden() {
            self.bar.set_message(detail);
            self.bar
                .enable_steady_tick(std::time::Duration::from_millis(100));
        }
    }

    /// Erases the bar and prints `summary` with the elapsed time (unless quiet).
    pub(crate) fn finish(self, summary: &str) {
        self.bar.finish_and_clear();
        if !self.quiet {
            eprintln!(
                "bistand: {summary} in {:.1} s",
                self.started.elapsed().as_secs_f64()
            );
        }
    }
}

/// A bar with percentage and time left when the total is known, else a spinner with a count.
fn style(known_total: bool, unit: &str) -> ProgressStyle {
    let template = if known_total {
        "{prefix} [{bar:20}] {percent:>3} % {msg} ({elapsed}, {eta} left)".to_owned()
    } else {
        format!("{{spinner}} {{prefix}} {{human_pos}} {unit} {{msg}} ({{elapsed}})")
    };
    ProgressStyle::with_template(&template)
        .expect("the templates are fixed and valid (a test builds both)")
        .progress_chars("#>-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_styles_build() {
        style(true, "bytes");
        style(false, "records");
    }

    #[test]
    fn quiet_progress_is_hidden() {
        let mut progress = Progress::new("import", Some(10), "bytes", true);
        assert!(progress.bar.is_hidden());
        progress.set(5, "line 3");
        progress.finish("done");
    }
}
