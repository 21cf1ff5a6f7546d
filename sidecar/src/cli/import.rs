//! `bistand store import`: NDJSON lines into the encrypted store, idempotently and audited.
//!
//! Each line is `{"client_id": "...", "document": {...}}`, optionally with `"source_id"` (the
//! record's id in the system it comes from). A line is the same record as one imported before
//! when it has the same client, instrument and `source_id`, or, without a `source_id`, the same
//! client, instrument and document bytes (whitespace outside strings aside)
//! ([`import_identity`](bistand_store::documents::import_identity)); such lines are skipped, so
//! importing a file twice stores it once. Every stored record gets an audit entry (action
//! `import`, principal `cli:<user>`) in the same transaction. `--dry-run` validates and reports
//! what would be stored, skipped and refused, and writes nothing.

use std::collections::HashSet;
use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use bistand_core::{Engine, Report, Severity};
use bistand_store::documents::{self, PrepareError};
use bistand_store::{AuditEvent, AuditedStore, ImportRecord};

use super::EXIT_FINDINGS;
use super::input::open_input;
use crate::progress::Progress;

/// Records written per transaction: large enough to amortise the commit, small enough that the
/// sidecar's writes wait at most a few milliseconds behind an import.
const BATCH: usize = 1000;

/// Options of `bistand store import`.
pub(super) struct ImportOptions<'a> {
    pub(super) db: &'a Path,
    pub(super) keys: &'a Path,
    pub(super) input: &'a Path,
    pub(super) dry_run: bool,
    pub(super) quiet: bool,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportLine<'a> {
    client_id: String,
    #[serde(borrow)]
    document: &'a serde_json::value::RawValue,
    #[serde(default)]
    source_id: Option<String>,
}

/// What an import did (or, in a dry run, would do).
#[derive(Default)]
struct Tally {
    stored: u64,
    skipped: u64,
    refused: u64,
}

/// Validates and stores NDJSON records; every stored record is acknowledged durable.
pub(super) fn import(options: &ImportOptions<'_>) -> Result<ExitCode> {
    let keys = crate::keys::load(options.keys)?;
    let store = crate::server::open_store(options.db, keys.keyring, &keys.pseudonym, keys.audit)
        .with_context(|| format!("cannot open the store {}", options.db.display()))?;
    let engine = Engine::new()?;
    let total = (options.input.as_os_str() != "-")
        .then(|| std::fs::metadata(options.input).map(|m| m.len()).ok())
        .flatten();
    let reader = open_input(options.input)?;
    let mut progress = Progress::new("import", total, "bytes", options.quiet);
    let mut importer = Importer {
        store: &*store,
        event: AuditEvent::new(0, principal(), "operator", "import", "ok"),
        dry_run: options.dry_run,
        batch: Vec::with_capacity(BATCH),
        seen: HashSet::new(),
        tally: Tally::default(),
    };
    let mut read = 0u64;
    for (number, line) in reader.split(b'\n').enumerate() {
        let number = number + 1;
        let line = line.with_context(|| format!("cannot read line {number}"))?;
        read += line.len() as u64 + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match prepare_line(&engine, &keys.pseudonym, &line) {
            Ok(record) => {
                importer.batch.push(record);
                if importer.batch.len() == BATCH {
                    importer.flush()?;
                }
            }
            Err(reason) => {
                progress.note(&format!("bistand: line {number}: refused: {reason}"));
                importer.tally.refused += 1;
            }
        }
        progress.set(
            read,
            &format!(
                "{} stored, {} skipped, {} refused",
                importer.tally.stored, importer.tally.skipped, importer.tally.refused
            ),
        );
    }
    importer.flush()?;
    let Tally {
        stored,
        skipped,
        refused,
    } = importer.tally;
    progress.finish(&if options.dry_run {
        format!(
            "dry run, nothing written: would store {stored} record(s), refuse {refused}, skip \
             {skipped} (already imported)"
        )
    } else {
        format!(
            "stored {stored} record(s), refused {refused}, skipped {skipped} (already imported)"
        )
    });
    Ok(ExitCode::from(if refused > 0 { EXIT_FINDINGS } else { 0 }))
}

/// Batches of prepared records on their way into the store (or, in a dry run, only counted).
struct Importer<'a> {
    store: &'a dyn AuditedStore,
    event: AuditEvent,
    dry_run: bool,
    batch: Vec<ImportRecord>,
    /// Identities met in this run, so a dry run counts a line repeated in the file as skipped,
    /// as the real import will.
    seen: HashSet<String>,
    tally: Tally,
}

impl Importer<'_> {
    fn flush(&mut self) -> Result<()> {
        let batch = std::mem::take(&mut self.batch);
        if batch.is_empty() {
            return Ok(());
        }
        if self.dry_run {
            let identities: Vec<&str> = batch.iter().map(|r| r.identity.as_str()).collect();
            let known = self.store.imported(&identities)?;
            for (record, known) in batch.iter().zip(known) {
                if known || !self.seen.insert(record.identity.clone()) {
                    self.tally.skipped += 1;
                } else {
                    self.tally.stored += 1;
                }
            }
            return Ok(());
        }
        let event = AuditEvent {
            at: jiff::Timestamp::now().as_millisecond(),
            ..self.event.clone()
        };
        for outcome in self.store.import_audited(batch, event)? {
            match outcome {
                Some(_) => self.tally.stored += 1,
                None => self.tally.skipped += 1,
            }
        }
        Ok(())
    }
}

/// The record a line stands for, or why it is refused: codes and paths of its error findings,
/// or the kind of problem, never a value from the line.
fn prepare_line(
    engine: &Engine,
    key: &bistand_store::PseudonymKey,
    line: &[u8],
) -> Result<ImportRecord, String> {
    let parsed = serde_json::from_slice::<ImportLine<'_>>(line).map_err(|_| {
        "expected {\"client_id\": \"...\", \"document\": {...}} with an optional \"source_id\""
            .to_owned()
    })?;
    if parsed
        .source_id
        .as_deref()
        .is_some_and(|s| s.trim().is_empty())
    {
        return Err(
            "source_id is empty; leave it out or give the source system's record id".into(),
        );
    }
    let body = parsed.document.get().as_bytes();
    let prepared = documents::prepare(engine, key, &parsed.client_id, body, crate::today())
        .map_err(|error| match error {
            PrepareError::Document(e) => format!("{e} ({})", e.kind()),
            PrepareError::ClientId(e) => e.to_string(),
        })?;
    let Some(record) = prepared.record else {
        return Err(findings(&prepared.report));
    };
    let identity = documents::import_identity(key, &record, parsed.source_id.as_deref());
    Ok(ImportRecord { record, identity })
}

/// `N error finding(s): code at path, ...`: what an operator needs to find the fault in the
/// source system, without the answer itself.
fn findings(report: &Report) -> String {
    let listed: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{} at {}", f.code.as_str(), f.path))
        .collect();
    format!("{} error finding(s): {}", report.errors, listed.join(", "))
}

/// Who imports or reads a report, for the audit log: `cli:` and the operating-system user,
/// reduced to the characters an audit principal may hold.
pub(super) fn principal() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default();
    let user: String = user
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(100)
        .collect();
    if user.is_empty() {
        "cli:unknown".to_owned()
    } else {
        format!("cli:{user}")
    }
}
