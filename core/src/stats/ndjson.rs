//! Group reports over NDJSON (one document per line): the one code path the command line and the C
//! ABI share. Lines that are not documents of the instrument and documents with error findings are
//! left out and counted, never a failure of the whole report.

use jiff::civil::Date;
use serde::Serialize;

use super::{GroupReport, ReportOptions};
use crate::engine::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::instrument::Definition;
use crate::module::InstrumentAggregate;
use crate::text::Text;
use crate::validate::Validated;

/// A group report over NDJSON and what was left out of it. Serialised as the JSON output of
/// `bistand_report`.
#[derive(Debug, Serialize)]
pub struct NdjsonReport {
    /// The report over the documents that were counted.
    pub report: GroupReport,
    /// Non-blank lines that are not a document of the instrument (not UTF-8, not JSON, over the
    /// per-document limit, another instrument, ...): skipped.
    pub unreadable_lines: u64,
    /// Documents read but not counted because they have error findings.
    pub documents_with_errors: u64,
}

/// The aggregate of the instrument a report is about, made by the instrument's module.
#[derive(Debug)]
pub struct GroupAggregate(Box<dyn InstrumentAggregate>);

impl Clone for GroupAggregate {
    fn clone(&self) -> GroupAggregate {
        GroupAggregate(self.0.clone_box())
    }
}

impl GroupAggregate {
    /// An empty aggregate for `definition`'s instrument, through its module in `engine`.
    ///
    /// # Errors
    /// [`ErrorKind::UnknownInstrument`] for an instrument without group reports;
    /// [`ErrorKind::InvalidDefinition`] when the definition lacks what the statistics read.
    pub fn new(engine: &Engine, definition: &Definition, as_of: Date) -> Result<GroupAggregate> {
        let aggregate = engine
            .module(definition.instrument())
            .and_then(|m| m.aggregate(definition, as_of))
            .unwrap_or_else(|| {
                let known = engine.module_names();
                let (en, sv) = (known.join(" or "), known.join(" eller "));
                Err(Error::new(
                    ErrorKind::UnknownInstrument,
                    Text {
                        sv: format!(
                            "det finns ingen grupprapport för detta instrument; förväntade {sv}"
                        ),
                        en: format!("there is no group report for this instrument; expected {en}"),
                    },
                ))
            })?;
        Ok(GroupAggregate(aggregate))
    }

    /// Counts a document; false when it has error findings (then only tallied).
    pub fn add(&mut self, validated: &Validated<'_>) -> bool {
        self.0.add_validated(validated)
    }

    /// The report.
    pub fn report(&self, options: &ReportOptions) -> GroupReport {
        self.0.report(options)
    }
}

/// Aggregates NDJSON one line at a time, so a reader of a stream (the CLI) can log the lines it
/// skips while a caller holding the whole input uses [`report_from_ndjson`].
#[derive(Debug)]
pub struct NdjsonAggregator<'e> {
    engine: &'e Engine,
    definition: &'e Definition,
    aggregate: GroupAggregate,
    unreadable_lines: u64,
    documents_with_errors: u64,
}

impl<'e> NdjsonAggregator<'e> {
    /// An empty aggregation of the newest loaded version of `instrument`, as of `as_of`.
    ///
    /// # Errors
    /// [`ErrorKind::UnknownInstrument`] when the engine has no such instrument or it has no reports.
    pub fn new(engine: &'e Engine, instrument: &str, as_of: Date) -> Result<NdjsonAggregator<'e>> {
        let definition = engine.definition(instrument, None)?;
        Ok(NdjsonAggregator {
            engine,
            definition,
            aggregate: GroupAggregate::new(engine, definition, as_of)?,
            unreadable_lines: 0,
            documents_with_errors: 0,
        })
    }

    /// Adds one line (without its `\n`). A blank line is ignored; a document with error
    /// findings is tallied, not counted; a line that is not a document of the instrument is
    /// tallied and its error returned, for the caller to log.
    ///
    /// # Errors
    /// The line's own error, after tallying it.
    pub fn add_line(&mut self, line: &[u8]) -> Result<()> {
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        match self.engine.parse(Some(self.definition.instrument()), line) {
            Ok(validated) => {
                if !self.aggregate.add(&validated) {
                    self.documents_with_errors += 1;
                }
                Ok(())
            }
            Err(error) => {
                self.unreadable_lines += 1;
                Err(error)
            }
        }
    }

    /// The report and the tallies.
    pub fn finish(&self, options: &ReportOptions) -> NdjsonReport {
        NdjsonReport {
            report: self.aggregate.report(options),
            unreadable_lines: self.unreadable_lines,
            documents_with_errors: self.documents_with_errors,
        }
    }
}

/// The group report of the NDJSON `ndjson` (one document per line; blank lines ignored) for
/// `instrument`, as of `as_of`. Lines that are not documents of the instrument and documents
/// with error findings are left out and counted.
///
/// # Errors
/// As [`NdjsonAggregator::new`].
pub fn report_from_ndjson(
    engine: &Engine,
    instrument: &str,
    ndjson: &[u8],
    as_of: Date,
    options: &ReportOptions,
) -> Result<NdjsonReport> {
    let mut aggregator = NdjsonAggregator::new(engine, instrument, as_of)?;
    for line in ndjson.split(|&b| b == b'\n') {
        // A skipped line is already tallied; C has nowhere to log it.
        let _ = aggregator.add_line(line);
    }
    Ok(aggregator.finish(options))
}
