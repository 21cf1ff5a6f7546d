//! `bistand conformance`: the golden answer cases through this program, a C library or a running
//! service (see [`crate::conformance`]). Exit 0 when every case offered passed, 1 otherwise.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::conformance::{InProcess, Library, Rest, Target, Verdict, load_cases, run};

/// What the command was given.
pub(super) struct Options {
    pub(super) cases: PathBuf,
    pub(super) lib: Option<PathBuf>,
    pub(super) url: Option<String>,
    pub(super) token: Option<String>,
    pub(super) ca: Option<PathBuf>,
    pub(super) update: bool,
}

pub(super) fn conformance(out: &mut dyn Write, options: &Options) -> Result<ExitCode> {
    let cases = load_cases(&options.cases)?;
    let target: Box<dyn Target> = match (&options.lib, &options.url) {
        (Some(lib), _) => Box::new(Library::load(lib)?),
        (None, Some(url)) => Box::new(Rest::new(
            url,
            options.token.as_deref().context("--url needs --token")?,
            options.ca.as_deref().context("--url needs --ca")?,
        )?),
        (None, None) => Box::new(InProcess),
    };
    writeln!(
        out,
        "conformance: {} cases through {}",
        cases.len(),
        target.name()
    )?;
    let verdicts = run(target.as_ref(), &cases, options.update)?;
    let (mut passed, mut failed, mut not_offered) = (0, 0, 0);
    for (name, verdict) in &verdicts {
        match verdict {
            Verdict::Passed => {
                passed += 1;
                writeln!(out, "pass         {name}")?;
            }
            Verdict::Updated => {
                passed += 1;
                writeln!(out, "updated      {name}")?;
            }
            Verdict::NotOffered(why) => {
                not_offered += 1;
                writeln!(out, "not offered  {name}: {why}")?;
            }
            Verdict::Failed(how) => {
                failed += 1;
                writeln!(out, "FAIL         {name}: {how}")?;
            }
        }
    }
    writeln!(
        out,
        "{passed} passed, {failed} failed, {not_offered} not offered by this target"
    )?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_FINDINGS)
    })
}
