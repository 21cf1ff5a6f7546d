//! Group reports over NDJSON (one document per line): the one code path the command line and the C
//! ABI share. Lines that are not documents of the instrument and documents with error findings are
//! left out and counted, never a failure of the whole report.
//!
//! A line is a document, or a document with its client: `{"client_id": .., "document": ..}` (what
//! `bistand generate --client-ids` writes and `bistand store import` reads). With [`PersonKeys`]
//! the client id is pseudonymised as the store does it, so a person counts once and gets the same
//! record key as in a report from the store; a plain document is a person of its own. Without
//! keys there is no secret to derive record keys under, so only exact reports can be made.

use jiff::civil::Date;
use serde::Serialize;

use super::generic::GenericAggregate;
use super::link::{LinkOutcome, Linking, Links};
use super::perturbation::{Person, StatisticsKey};
use super::provenance::{DefinitionVersion, Input, InputDigest, NotCountedTally, Provenance};
use super::{GroupReport, ReportOptions, TableSelection};
use crate::engine::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::identifier::{PseudonymKey, client_id_problem, pseudonymise_client_id};
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

/// The aggregate of the instrument a report is about, made by the instrument's module (or the
/// generic report's, for an instrument without one).
#[derive(Debug)]
pub struct GroupAggregate {
    aggregate: Box<dyn InstrumentAggregate>,
    /// An aggregate of nothing: its report lists the tables a report can have.
    empty: Box<dyn InstrumentAggregate>,
    /// The options [`GroupAggregate::select`] counted for (`None`: everything is counted).
    counted_for: Option<ReportOptions>,
    definition: DefinitionVersion,
}

impl Clone for GroupAggregate {
    fn clone(&self) -> GroupAggregate {
        GroupAggregate {
            aggregate: self.aggregate.clone_box(),
            empty: self.empty.clone_box(),
            counted_for: self.counted_for.clone(),
            definition: self.definition.clone(),
        }
    }
}

impl GroupAggregate {
    /// An empty aggregate for `definition`'s instrument, through its module in `engine`; an
    /// instrument whose module offers no report of its own (a supplied definition) gets the
    /// generic report (`stats::generic`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] when the definition lacks what the module's statistics
    /// read.
    pub fn new(engine: &Engine, definition: &Definition, as_of: Date) -> Result<GroupAggregate> {
        let aggregate = engine
            .module(definition.instrument())
            .and_then(|m| m.aggregate(definition, as_of))
            .unwrap_or_else(|| {
                Ok(Box::new(GenericAggregate::new(definition, as_of))
                    as Box<dyn InstrumentAggregate>)
            })?;
        Ok(GroupAggregate {
            empty: aggregate.clone_box(),
            aggregate,
            counted_for: None,
            definition: DefinitionVersion::of(definition),
        })
    }

    /// Checks the tables `options` selects (each a table id or family of a report with its
    /// breakdowns), then counts only what they read: call before adding documents.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a table the report does not have.
    pub fn select(&mut self, options: &ReportOptions) -> Result<()> {
        self.check(options)?;
        // Counting only the selected tables' counters per record (`InstrumentAggregate::select`)
        // is not done through this path yet: records linked across instruments move between
        // strata after counting, and a selected table of a linked report then differed from the
        // full report's (found by the REST test of selection). The tables not selected are still
        // neither built nor protected.
        Ok(())
    }

    /// What tables can be asked for by name: every table id of a report with every breakdown,
    /// and every family, each once, in report order.
    pub fn table_names(&self) -> Vec<String> {
        let options = ReportOptions {
            exact: true,
            ..ReportOptions::default()
        };
        let mut names: Vec<String> = Vec::new();
        for table in self.empty.report(&options).tables {
            for name in [super::selection::family(&table.id), table.id.as_str()] {
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_owned());
                }
            }
        }
        names
    }

    /// Whether the tables `options` selects exist and were counted.
    fn check(&self, options: &ReportOptions) -> Result<()> {
        if options.tables.is_all() && self.counted_for.is_none() {
            return Ok(());
        }
        let every = ReportOptions {
            tables: TableSelection::all(),
            ..options.clone()
        };
        let report = self.empty.report(&every);
        options
            .tables
            .check(report.tables.iter().map(|t| t.id.as_str()))?;
        if self.counted_for.as_ref().is_some_and(|c| {
            (&c.tables, &c.dimensions, c.exact)
                != (&options.tables, &options.dimensions, options.exact)
        }) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                Text {
                    sv: "rapporten ber om andra tabeller än de som räknades".into(),
                    en: "the report asks for other tables than those counted".into(),
                },
            ));
        }
        Ok(())
    }

    /// Counts a document of `person`; false when it has error findings (then only tallied).
    pub fn add(&mut self, validated: &Validated<'_>, person: Person) -> bool {
        self.aggregate.add_validated(validated, person)
    }

    /// The report, with its provenance: what was read is `input`, and `links` what other
    /// instruments' records of the same persons tell (see [`super::link`]).
    ///
    /// # Errors
    /// As [`GroupAggregate::select`], and when the aggregate was counted for other tables.
    pub fn report(
        &self,
        options: &ReportOptions,
        input: Input,
        links: &Links,
    ) -> Result<GroupReport> {
        self.check(options)?;
        let mut report = self.aggregate.report_linked(options, links);
        // The provenance names the breakdowns the report has, not those asked for that the
        // instrument does not report.
        let reported = ReportOptions {
            dimensions: options
                .dimensions
                .iter()
                .copied()
                .filter(|d| self.aggregate.breakdowns().contains(d))
                .collect(),
            ..options.clone()
        };
        report.provenance = Some(Provenance::new(self.definition.clone(), &reported, input));
        Ok(report)
    }
}

/// The keys a report over NDJSON identifies persons with: the pseudonym key (client ids to
/// pseudonyms, as the store does) and the statistics secret (pseudonyms to record keys).
#[derive(Clone, Copy, Debug)]
pub struct PersonKeys<'k> {
    /// Turns client ids into pseudonyms.
    pub pseudonym: &'k PseudonymKey,
    /// Turns pseudonyms into record keys.
    pub statistics: &'k StatisticsKey,
}

/// A document with its client, as `bistand store import` reads it.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Wrapped<'a> {
    client_id: String,
    #[serde(borrow)]
    document: &'a serde_json::value::RawValue,
}

/// Aggregates NDJSON one line at a time, so a reader of a stream (the CLI) can log the lines it
/// skips while a caller holding the whole input uses [`report_from_ndjson`].
#[derive(Debug)]
pub struct NdjsonAggregator<'e> {
    engine: &'e Engine,
    definition: &'e Definition,
    aggregate: GroupAggregate,
    /// Lines of the other instruments, read for their persons.
    linking: Linking<'e>,
    keys: Option<PersonKeys<'e>>,
    /// Record keys for exact reports without keys: not secret, used only to tell persons apart.
    public: StatisticsKey,
    as_of: Date,
    digest: InputDigest,
    read: u64,
    unreadable_lines: u64,
    documents_with_errors: u64,
}

impl<'e> NdjsonAggregator<'e> {
    /// An empty aggregation of the newest loaded version of `instrument`, as of `as_of`; `keys`
    /// identify persons (without them, only [`ReportOptions::exact`] reports can be made).
    ///
    /// # Errors
    /// [`ErrorKind::UnknownInstrument`] when the engine has no such instrument.
    pub fn new(
        engine: &'e Engine,
        instrument: &str,
        as_of: Date,
        keys: Option<PersonKeys<'e>>,
    ) -> Result<NdjsonAggregator<'e>> {
        NdjsonAggregator::for_version(engine, instrument, None, as_of, keys)
    }

    /// As [`NdjsonAggregator::new`], over `version` of the instrument (its default when `None`).
    /// Documents of an older version are read through the declared migrations, so a report over
    /// version 1 and version 2 documents counts them alike.
    ///
    /// # Errors
    /// As [`NdjsonAggregator::new`], and [`ErrorKind::UnknownVersion`].
    pub fn for_version(
        engine: &'e Engine,
        instrument: &str,
        version: Option<&str>,
        as_of: Date,
        keys: Option<PersonKeys<'e>>,
    ) -> Result<NdjsonAggregator<'e>> {
        let definition = engine.definition(instrument, version)?;
        Ok(NdjsonAggregator {
            engine,
            definition,
            aggregate: GroupAggregate::new(engine, definition, as_of)?,
            linking: Linking::new(engine, definition.instrument()),
            keys,
            public: StatisticsKey::new(&[0; StatisticsKey::MIN_LEN])
                .expect("a secret of the minimum length"),
            as_of,
            digest: InputDigest::new(),
            read: 0,
            unreadable_lines: 0,
            documents_with_errors: 0,
        })
    }

    /// Counts only what the tables `options` selects read: call before adding lines.
    ///
    /// # Errors
    /// As [`GroupAggregate::select`].
    pub fn select(&mut self, options: &ReportOptions) -> Result<()> {
        self.aggregate.select(options)
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
        self.read += 1;
        self.digest.add(line);
        let (document, person) = match self.person(line) {
            Ok(found) => found,
            Err(error) => {
                self.unreadable_lines += 1;
                return Err(error);
            }
        };
        match self.engine.parse_as(self.definition, document) {
            Ok(validated) => {
                if !self.aggregate.add(&validated, person) {
                    self.documents_with_errors += 1;
                }
                Ok(())
            }
            // A document of another instrument: read for its person when that instrument links.
            Err(error) => match self.linking.add(document, person) {
                Ok(LinkOutcome::Linked) => Ok(()),
                Ok(LinkOutcome::WithErrors) => {
                    self.documents_with_errors += 1;
                    Ok(())
                }
                Ok(LinkOutcome::NotLinked) | Err(_) => {
                    self.unreadable_lines += 1;
                    Err(error)
                }
            },
        }
    }

    /// The document of a line and its person: the wrapped form's client, or the document alone.
    fn person<'l>(&self, line: &'l [u8]) -> Result<(&'l [u8], Person)> {
        let statistics = self.keys.map_or(&self.public, |k| k.statistics);
        // Only a line that names a client is read as the wrapped form: a document never has a
        // top-level `client_id` (unknown keys are refused), so a plain document is never misread.
        let wrapped = memfind(line, b"\"client_id\"")
            .then(|| serde_json::from_slice::<Wrapped<'_>>(line).ok())
            .flatten();
        let Some(wrapped) = wrapped else {
            return Ok((line, statistics.person(None, line)));
        };
        let document = wrapped.document.get().as_bytes();
        let refused = || {
            let problem = client_id_problem(&wrapped.client_id).unwrap_or_else(|| Text {
                sv: "klient-id avvisades".into(),
                en: "client id refused".into(),
            });
            Error::new(ErrorKind::InvalidArgument, problem)
        };
        let person = match self.keys {
            Some(keys) => {
                let pseudonym =
                    pseudonymise_client_id(keys.pseudonym, &wrapped.client_id, self.as_of)
                        .ok_or_else(refused)?;
                statistics.person(Some(pseudonym.as_str()), document)
            }
            None => {
                if client_id_problem(&wrapped.client_id).is_some() {
                    return Err(refused());
                }
                statistics.person(Some(wrapped.client_id.trim()), document)
            }
        };
        Ok((document, person))
    }

    /// The report and the tallies.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a perturbed report without [`PersonKeys`]: record keys
    /// need the statistics secret (ask for an exact report, or give the keys).
    pub fn finish(&self, options: &ReportOptions) -> Result<NdjsonReport> {
        if !options.exact && self.keys.is_none() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                Text {
                    sv:
                        "en störd rapport behöver nycklarna (statistiknyckeln); ange nycklar eller \
                         be om en exakt rapport"
                            .into(),
                    en: "a perturbed report needs the keys (the statistics key); give the keys or \
                         ask for an exact report"
                        .into(),
                },
            ));
        }
        let linked = self.linking.linked();
        let not_counted = [
            ("linked", linked),
            ("not_a_document", self.unreadable_lines),
            ("invalid_document", self.documents_with_errors),
        ]
        .into_iter()
        .filter(|(_, count)| *count > 0)
        .map(|(reason, count)| NotCountedTally {
            reason: reason.to_owned(),
            count,
        })
        .collect();
        let input = Input {
            source: "ndjson".to_owned(),
            units: Vec::new(),
            digest: self.digest.clone().finish(),
            read: self.read,
            counted: self.read - self.unreadable_lines - self.documents_with_errors - linked,
            not_counted,
        };
        Ok(NdjsonReport {
            report: self
                .aggregate
                .report(options, input, self.linking.links())?,
            unreadable_lines: self.unreadable_lines,
            documents_with_errors: self.documents_with_errors,
        })
    }
}

/// Whether `needle` occurs in `haystack`.
fn memfind(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The group report of the NDJSON `ndjson` (one document per line; blank lines ignored) for
/// `instrument`, as of `as_of`, with persons identified by `keys`. Lines that are not documents
/// of the instrument and documents with error findings are left out and counted.
///
/// # Errors
/// As [`NdjsonAggregator::new`] and [`NdjsonAggregator::finish`].
pub fn report_from_ndjson(
    engine: &Engine,
    instrument: &str,
    ndjson: &[u8],
    as_of: Date,
    options: &ReportOptions,
    keys: Option<PersonKeys<'_>>,
) -> Result<NdjsonReport> {
    let mut aggregator = NdjsonAggregator::new(engine, instrument, as_of, keys)?;
    aggregator.select(options)?;
    for line in ndjson.split(|&b| b == b'\n') {
        // A skipped line is already tallied; C has nowhere to log it.
        let _ = aggregator.add_line(line);
    }
    aggregator.finish(options)
}
