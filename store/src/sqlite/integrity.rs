//! Records against the audit log for [`SqliteStore`]: `verify_records` reads the record states
//! of the `audit` table in seq order, then every row of `records` in rowid order, each in short
//! pages, and judges them with the backend-neutral [`AuditedStates`]; `quarantine` moves rows
//! into the `quarantine` table (schema migration 4) with an audit entry each.

use bistand_core::unit::unit_key;
use rusqlite::OptionalExtension;

use super::SqliteStore;
use super::audit::append;
use super::records::{COLUMNS, SCAN_CHUNK, stored_row};
use crate::audit::AuditEvent;
use crate::error::{Error, Result};
use crate::integrity::{AuditedStates, RecordFinding, RecordProblem, RecordVerification};
use crate::sealing::now_ms;

impl SqliteStore {
    /// The body of [`AuditedStore::verify_records`](crate::AuditedStore::verify_records).
    pub(super) fn verify_records_sql(&self) -> Result<RecordVerification> {
        let context = "could not verify the records against the audit log";
        let db = |e| Error::database(context, e);
        let mut states = AuditedStates::default();
        let mut after = i64::MIN;
        loop {
            let page: Vec<(i64, Vec<u8>, Vec<u8>)> = self.read(|conn| {
                let mut statement = conn
                    .prepare_cached(&format!(
                        "SELECT seq, CAST(record_id AS BLOB), CAST(record_state AS BLOB) \
                         FROM audit WHERE seq > ?1 AND record_state IS NOT NULL \
                         AND record_id IS NOT NULL ORDER BY seq LIMIT {SCAN_CHUNK}"
                    ))
                    .map_err(db)?;
                let rows = statement
                    .query_map([after], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .map_err(db)?;
                rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db)
            })?;
            let Some(&(last, _, _)) = page.last() else {
                break;
            };
            after = last;
            for (_, id, state) in &page {
                states.note(id, state);
            }
        }

        let mut verification = RecordVerification::default();
        let mut after = i64::MIN;
        loop {
            let page = self.read(|conn| {
                let mut statement = conn
                    .prepare_cached(&format!(
                        "SELECT rowid, {COLUMNS}, unit_key FROM records WHERE rowid > ?1 \
                         ORDER BY rowid LIMIT {SCAN_CHUNK}"
                    ))
                    .map_err(db)?;
                let rows = statement
                    .query_map([after], |row| {
                        Ok((
                            row.get::<_, i64>(0)?,
                            stored_row(row, 1)?,
                            row.get::<_, String>(12)?,
                        ))
                    })
                    .map_err(db)?;
                rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db)
            })?;
            let Some(&(last, _, _)) = page.last() else {
                break;
            };
            after = last;
            let keyring = self.keyring();
            for (_, row, stored_key) in page {
                verification.records += 1;
                let record_id = row.meta.id.clone();
                // The unit key is derived, not sealed: one that is not its (authenticated)
                // unit's would move the record out of its unit's reports.
                let key_edited = stored_key != unit_key(&row.meta.unit);
                let problem = states
                    .check(&keyring, row)
                    .or(key_edited.then_some(RecordProblem::Edited));
                if let Some(problem) = problem {
                    verification
                        .problems
                        .push(RecordFinding { record_id, problem });
                }
            }
        }

        let quarantined: Vec<String> = self.read(|conn| {
            let mut statement = conn
                .prepare_cached("SELECT id FROM quarantine ORDER BY id")
                .map_err(db)?;
            let rows = statement.query_map([], |r| r.get(0)).map_err(db)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db)
        })?;
        verification.quarantined = quarantined.len() as u64;
        let deleted =
            states.deleted(|id| quarantined.binary_search_by(|q| q.as_str().cmp(id)).is_ok());
        verification.problems.extend(deleted);
        Ok(verification)
    }

    /// The body of [`AuditedStore::quarantine`](crate::AuditedStore::quarantine).
    pub(super) fn quarantine_sql(
        &self,
        findings: &[RecordFinding],
        event: AuditEvent,
    ) -> Result<u64> {
        event.check()?;
        let context = "could not move records into the quarantine";
        let db = |e| Error::database(context, e);
        let now = now_ms();
        self.write(context, |tx| {
            let mut moved = 0;
            for finding in findings {
                if finding.problem == RecordProblem::Deleted {
                    continue;
                }
                let id = finding.record_id.as_str();
                let present = tx
                    .prepare_cached("SELECT 1 FROM records WHERE id = ?1")
                    .and_then(|mut s| s.query_row([id], |_| Ok(())).optional())
                    .map_err(db)?;
                if present.is_none() {
                    continue;
                }
                tx.prepare_cached(&format!(
                    "INSERT OR REPLACE INTO quarantine ({COLUMNS}, reason, quarantined_at) \
                     SELECT {COLUMNS}, ?2, ?3 FROM records WHERE id = ?1"
                ))
                .and_then(|mut s| {
                    s.execute(rusqlite::params![id, finding.problem.to_string(), now])
                })
                .map_err(db)?;
                tx.prepare_cached("DELETE FROM records WHERE id = ?1")
                    .and_then(|mut s| s.execute([id]))
                    .map_err(db)?;
                append(
                    tx,
                    self.chain(),
                    event.clone().record_id(&finding.record_id),
                )?;
                moved += 1;
            }
            Ok(moved)
        })
    }
}
