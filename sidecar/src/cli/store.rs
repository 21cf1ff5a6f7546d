//! Commands on the encrypted store and its audit log: audit verify, store import, and reports
//! read from the store.

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use bistand_core::Engine;
use bistand_core::stats::{GroupReport, ReportOptions};
use jiff::civil::Date;

use super::EXIT_FINDINGS;
use super::input::open_input;

/// `bistand audit verify`: checks the chain (and a head recorded earlier).
pub(super) fn audit_verify(
    config: &Path,
    head: Option<&str>,
    out: &mut dyn Write,
) -> Result<ExitCode> {
    let config = crate::config::Config::load(config)?;
    let keys = crate::keys::load(&config.store.keys)?;
    let store = crate::server::open_store(&config.store.path, keys.keyring, keys.audit)?;
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

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ImportLine<'a> {
    client_id: String,
    #[serde(borrow)]
    document: &'a serde_json::value::RawValue,
}

/// Validates and stores NDJSON records; every stored record is acknowledged durable.
pub(super) fn import(db: &Path, keys: &Path, input: &Path) -> Result<ExitCode> {
    let keys = crate::keys::load(keys)?;
    let store = crate::server::open_store(db, keys.keyring, keys.audit)?;
    let engine = Engine::new()?;
    let reader = open_input(input)?;
    let (mut stored, mut refused) = (0u64, 0u64);
    let mut batch = Vec::new();
    for (number, line) in reader.split(b'\n').enumerate() {
        let line = line.with_context(|| format!("cannot read line {}", number + 1))?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let Ok(parsed) = serde_json::from_slice::<ImportLine<'_>>(&line) else {
            eprintln!(
                "bistand: line {}: refused: expected {{\"client_id\": \"...\", \"document\": {{...}}}}",
                number + 1
            );
            refused += 1;
            continue;
        };
        let body = parsed.document.get().as_bytes();
        let prepared = match bistand_store::documents::prepare(
            &engine,
            &keys.pseudonym,
            &parsed.client_id,
            body,
            crate::today(),
        ) {
            Ok(prepared) => prepared,
            Err(bistand_store::documents::PrepareError::Document(e)) => {
                eprintln!("bistand: line {}: refused: {e} ({})", number + 1, e.kind());
                refused += 1;
                continue;
            }
            Err(bistand_store::documents::PrepareError::ClientId(e)) => {
                eprintln!("bistand: line {}: refused: {e}", number + 1);
                refused += 1;
                continue;
            }
        };
        let Some(record) = prepared.record else {
            eprintln!(
                "bistand: line {}: refused: {} error finding(s)",
                number + 1,
                prepared.report.errors
            );
            refused += 1;
            continue;
        };
        batch.push(record);
        if batch.len() == 1000 {
            stored += store.put_many(std::mem::take(&mut batch))?.len() as u64;
        }
    }
    stored += store.put_many(batch)?.len() as u64;
    eprintln!("bistand: stored {stored} record(s), refused {refused}");
    Ok(ExitCode::from(if refused > 0 { EXIT_FINDINGS } else { 0 }))
}

/// Reads every record of the instrument (and unit) from the store and aggregates them.
pub(super) fn report_from_store(
    instrument: &str,
    db: &Path,
    keys: &Path,
    unit: Option<String>,
    as_of: Date,
    options: &ReportOptions,
) -> Result<GroupReport> {
    let bistand_core::keys::Keys {
        keyring,
        statistics,
        audit,
        ..
    } = crate::keys::load(keys)?;
    let store = crate::server::open_store(db, keyring, audit)?;
    let engine = Engine::new()?;
    let units = unit.map(|unit| vec![unit]);
    let outcome = bistand_store::documents::report_from_store(
        &*store,
        &engine,
        instrument,
        units.as_deref(),
        as_of,
        options,
        &statistics,
    )?;
    for skipped in &outcome.not_counted {
        eprintln!(
            "bistand: record {}: not counted: {}",
            skipped.record_id.as_str(),
            skipped.reason
        );
    }
    Ok(outcome.report)
}
