//! The integrity commands of the command line (issue 13): `audit head` prints the head an
//! operator keeps elsewhere, `audit rekey` migrates a log from before the audit key once, and
//! `store verify` walks the records against the audit log (with `--quarantine`, moving bad rows
//! aside). Each opens the store of a sidecar configuration with its keys file, so the audit key
//! comes from the keys file and never from the database.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use bistand_store::{AuditEvent, AuditVerification, AuditedStore, RecordProblem};

use super::EXIT_FINDINGS;

/// Opens the store of the configuration at `config` with its keys (and audit key).
fn open(config: &Path) -> Result<std::sync::Arc<dyn AuditedStore>> {
    let config = crate::config::Config::load(config)?;
    let keys = crate::keys::load(&config.store.keys)?;
    Ok(crate::server::open_store(
        &config.store.path,
        keys.keyring,
        &keys.pseudonym,
        keys.audit,
    )?)
}

fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FINDINGS)
    }
}

/// `bistand audit head`: verifies the chain and prints its head as `SEQ:HASH`, the form `audit
/// verify --head` takes. The hash is the last entry's MAC under the audit key, so a head
/// recorded elsewhere cannot be matched by a chain rebuilt without the key. A broken chain
/// prints the verification (JSON) and exits 1.
pub(super) fn audit_head(config: &Path, out: &mut dyn Write) -> Result<ExitCode> {
    let store = open(config)?;
    match store.audit_verify()? {
        AuditVerification::Intact { head, .. } => {
            writeln!(out, "{}:{}", head.seq, head.hash)?;
            Ok(ExitCode::SUCCESS)
        }
        broken => {
            writeln!(out, "{}", serde_json::to_string_pretty(&broken)?)?;
            Ok(exit(false))
        }
    }
}

/// `bistand audit rekey`: relinks a log from before the audit key under it, once, after checking
/// it; prints the verification (with the new head to record) and exits 1 if the old log did not
/// verify (then nothing was changed).
pub(super) fn audit_rekey(config: &Path, out: &mut dyn Write) -> Result<ExitCode> {
    let store = open(config)?;
    let verification = store.audit_rekey()?;
    writeln!(out, "{}", serde_json::to_string_pretty(&verification)?)?;
    Ok(exit(verification.is_intact()))
}

/// `bistand store verify`: the audit chain, then every record against it; prints
/// `{"audit": ..., "records": ...}` (records by id and problem only) and exits 1 on any problem.
/// With `quarantine`, rows found rolled back, edited or unreadable are moved into the quarantine
/// (each with an audit entry) and `"quarantined_now"` says how many.
pub(super) fn store_verify(
    config: &Path,
    quarantine: bool,
    out: &mut dyn Write,
) -> Result<ExitCode> {
    let store = open(config)?;
    let audit = store.audit_verify()?;
    let records = store.verify_records()?;
    let mut report = serde_json::json!({ "audit": &audit, "records": &records });
    if quarantine {
        let movable: Vec<_> = records
            .problems
            .iter()
            .filter(|finding| finding.problem != RecordProblem::Deleted)
            .cloned()
            .collect();
        let event = AuditEvent::new(
            jiff::Timestamp::now().as_millisecond(),
            "bistand-cli",
            "admin",
            "record.quarantine",
            "ok",
        );
        report["quarantined_now"] = store.quarantine(&movable, event)?.into();
    }
    writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    Ok(exit(audit.is_intact() && records.is_clean()))
}
