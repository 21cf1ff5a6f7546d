//! Commands on the encrypted store and its audit log: audit verify and reports read from the
//! store (import is in `import.rs`, reseal and backup in `maintenance.rs`).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use bistand_core::Engine;
use bistand_core::stats::{GroupReport, ReportOptions};
use jiff::civil::Date;

use super::EXIT_FINDINGS;
use crate::progress::Progress;

/// `bistand audit verify`: checks the chain (and a head recorded earlier).
pub(super) fn audit_verify(
    config: &Path,
    head: Option<&str>,
    out: &mut dyn Write,
) -> Result<ExitCode> {
    let config = crate::config::Config::load(config)?;
    let keys = crate::keys::load(&config.store.keys)?;
    let store = crate::server::open_store(
        &config.store.path,
        keys.keyring,
        &keys.pseudonym,
        keys.audit,
    )?;
    let head = head
        .map(|text| {
            let (seq, hash) = text
                .split_once(':')
                .context("--head must be SEQ:HASH, as verify printed it")?;
            let seq: u64 = seq.parse().context("--head: SEQ must be a whole number")?;
            Ok::<_, anyhow::Error>((seq, hash.to_owned()))
        })
        .transpose()?;
    let verification = match head {
        Some((seq, hash)) => store.audit_verify_against(&bistand_store::AuditHead { seq, hash })?,
        None => store.audit_verify()?,
    };
    writeln!(out, "{}", serde_json::to_string_pretty(&verification)?)?;
    Ok(if verification.is_intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FINDINGS)
    })
}

/// Reads every record of the instrument (and unit) from the store and aggregates them; the read
/// is audited (principal `cli:<user>`, role `operator`), also when it fails.
#[allow(clippy::too_many_arguments)] // the engine, and what the report is over and how
pub(super) fn report_from_store(
    engine: &Engine,
    instrument: &str,
    db: &Path,
    keys: &Path,
    units: Option<Vec<String>>,
    as_of: Date,
    options: &ReportOptions,
    quiet: bool,
) -> Result<GroupReport> {
    let bistand_core::keys::Keys {
        keyring,
        statistics,
        pseudonym,
        audit,
        ..
    } = crate::keys::load(keys)?;
    let store = crate::server::open_store(db, keyring, &pseudonym, audit)?;
    // Audited as every report from the store is, under the name the import uses.
    let reader = bistand_store::documents::Reader::new(super::import::principal(), "operator")?;
    let mut progress = Progress::new("report", None, "records", quiet);
    let mut records = 0;
    let outcome = bistand_store::documents::report_from_store_counting(
        &*store,
        engine,
        instrument,
        units.as_deref(),
        as_of,
        options,
        &statistics,
        &reader,
        &mut |visited| {
            records = visited;
            progress.set(visited, "read");
        },
    )?;
    for skipped in &outcome.not_counted {
        progress.note(&format!(
            "bistand: record {}: not counted: {}",
            skipped.record_id.as_str(),
            skipped.reason
        ));
    }
    progress.finish(&format!("report over {records} record(s) of the store"));
    Ok(outcome.report)
}
