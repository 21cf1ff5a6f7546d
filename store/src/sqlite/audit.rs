//! The audit log of [`SqliteStore`]: entries as rows of the append-only `audit` table (its
//! triggers are in `schema.rs`), appends inside `IMMEDIATE` transactions, and verification that
//! pages through the table and hands the rows to the backend-neutral chain check.

use std::collections::VecDeque;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Row, Transaction};

use super::{SqliteStore, insert_rows, schema};
use crate::audit::{
    self, AuditEntry, AuditEvent, AuditHead, AuditLog, AuditVerification, AuditedStore, Chain,
    StoredEntry,
};
use crate::error::{Error, ErrorKind, Result};
use crate::import::ImportRecord;
use crate::integrity::{RecordFinding, RecordVerification};
use crate::record::{NewRecord, RecordId, RecordMeta};

/// Entries read per query while verifying: enough to amortise the query, little memory.
const VERIFY_CHUNK: i64 = 512;

/// The columns of an entry, in the order [`stored_entry`] and [`entry_row`] read them.
const COLUMNS: &str = "seq, at, principal, role, action, unit, record_id, pseudonym, outcome, \
                       prev_hash, hash, record_state";

impl AuditLog for SqliteStore {
    fn audit_append(&self, event: AuditEvent) -> Result<AuditEntry> {
        event.check()?;
        self.write("could not append to the audit log", |tx| {
            append(tx, self.chain(), event)
        })
    }

    fn audit_entries(&self, after_seq: u64, limit: usize) -> Result<Vec<AuditEntry>> {
        let context = "could not read the audit log";
        let after = i64::try_from(after_seq).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|conn| {
            let mut statement = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2"
                ))
                .map_err(|e| Error::database(context, e))?;
            let rows = statement
                .query_map([after, limit], entry_row)
                .map_err(|e| Error::database(context, e))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
                .map_err(|e| Error::database(context, e))
        })
    }

    fn audit_verify(&self) -> Result<AuditVerification> {
        verify(self, self.chain(), None)
    }

    fn audit_verify_against(&self, recorded: &AuditHead) -> Result<AuditVerification> {
        audit::check_recorded_head(recorded)?;
        verify(self, self.chain(), Some(recorded))
    }

    fn audit_rekey(&self) -> Result<AuditVerification> {
        let Some(key) = &self.audit_key else {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "the store was opened without an audit key: there is nothing to relink the audit \
                 log under",
            ));
        };
        let context = "could not relink the audit log";
        self.write(context, |tx| {
            let db = |e| Error::database(context, e);
            // Checked and relinked inside one write transaction, so no append slips between.
            let verification = audit::verify(
                Chain::Migrating(key),
                Pages::new(|after, last| read_page(tx, after, last)),
                None,
                |hash| seq_of_hash(tx, hash),
            )?;
            if !verification.is_intact() {
                return Ok(verification);
            }
            tx.execute_batch("DROP TRIGGER audit_no_update")
                .map_err(db)?;
            let mut prev_hash = audit::AUDIT_GENESIS_HASH.to_owned();
            let (mut after, mut count) = (i64::MIN, 0u64);
            loop {
                let page = read_page(tx, after, i64::MAX)?;
                let Some(last) = page.back() else { break };
                after = last.seq;
                for entry in &page {
                    let hash = entry.relinked(key, &prev_hash);
                    tx.prepare_cached("UPDATE audit SET prev_hash = ?2, hash = ?3 WHERE seq = ?1")
                        .and_then(|mut s| s.execute(rusqlite::params![entry.seq, prev_hash, hash]))
                        .map_err(db)?;
                    prev_hash = hash;
                    count += 1;
                }
            }
            tx.execute_batch(schema::AUDIT_NO_UPDATE_TRIGGER)
                .map_err(db)?;
            Ok(AuditVerification::Intact {
                entries: count,
                head: AuditHead {
                    seq: after.max(0).unsigned_abs(),
                    hash: prev_hash,
                },
            })
        })
    }
}

impl AuditedStore for SqliteStore {
    fn put_audited(
        &self,
        record: NewRecord,
        event: AuditEvent,
    ) -> Result<(RecordMeta, AuditEntry)> {
        event.check()?;
        let (mut metas, entry) = self.put_many_with(vec![record], |tx, metas| {
            let meta = metas.first().expect("one record was inserted");
            append(tx, self.chain(), event.about(meta))
        })?;
        Ok((metas.remove(0), entry))
    }

    fn update_audited(
        &self,
        id: &RecordId,
        body: &[u8],
        event: AuditEvent,
    ) -> Result<(RecordMeta, AuditEntry)> {
        event.check()?;
        self.update_with(id, body, None, |tx, meta| {
            append(tx, self.chain(), event.about(meta))
        })
    }

    fn update_audited_if(
        &self,
        id: &RecordId,
        revision: u64,
        body: &[u8],
        event: AuditEvent,
    ) -> Result<(RecordMeta, AuditEntry)> {
        event.check()?;
        self.update_with(id, body, Some(revision), |tx, meta| {
            append(tx, self.chain(), event.about(meta))
        })
    }

    fn verify_records(&self) -> Result<RecordVerification> {
        self.verify_records_sql()
    }

    fn quarantine(&self, findings: &[RecordFinding], event: AuditEvent) -> Result<u64> {
        self.quarantine_sql(findings, event)
    }

    fn put_audited_once(
        &self,
        record: NewRecord,
        event: AuditEvent,
        key: &crate::IdempotencyKey,
    ) -> Result<crate::Once<AuditEntry>> {
        super::idempotency::put_audited_once(self, record, event, key)
    }

    fn import_audited(
        &self,
        records: Vec<ImportRecord>,
        event: AuditEvent,
    ) -> Result<Vec<Option<RecordMeta>>> {
        super::import::import_audited(self, records, event)
    }

    fn imported(&self, identities: &[&str]) -> Result<Vec<bool>> {
        super::import::imported(self, identities)
    }
}

/// Appends `event` inside `tx`, which must be an `IMMEDIATE` transaction: reading the head and
/// inserting the next entry then happen under the write lock, so two appends never chain to the
/// same head.
pub(super) fn append(
    tx: &Transaction<'_>,
    chain: Chain<'_>,
    event: AuditEvent,
) -> Result<AuditEntry> {
    let mut entries = append_all_after(tx, chain, head(tx)?, [event])?;
    Ok(entries.remove(0))
}

/// The last entry's seq and hash, read inside `tx`.
pub(super) fn head(tx: &Transaction<'_>) -> Result<Option<(i64, String)>> {
    tx.prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
        .map_err(|e| Error::database("could not append to the audit log", e))
}

/// Appends `events` after `head` (read in this transaction), chained in order under `chain`,
/// many rows per statement (see [`insert_rows`]); the entries appended, in order.
pub(super) fn append_all_after(
    tx: &Transaction<'_>,
    chain: Chain<'_>,
    mut head: Option<(i64, String)>,
    events: impl IntoIterator<Item = AuditEvent>,
) -> Result<Vec<AuditEntry>> {
    let mut entries = Vec::new();
    let mut seqs = Vec::new();
    for event in events {
        let entry = audit::link(chain, head.take(), event)?;
        let seq = i64::try_from(entry.seq).expect("link takes the seq after a stored i64");
        head = Some((seq, entry.hash.clone()));
        seqs.push(seq);
        entries.push(entry);
    }
    let rows: Vec<(&i64, &AuditEntry)> = seqs.iter().zip(&entries).collect();
    insert_rows(
        tx,
        &format!("INSERT INTO audit ({COLUMNS})"),
        12,
        "",
        &rows,
        |(seq, entry)| {
            let event = &entry.event;
            vec![
                *seq as &dyn rusqlite::ToSql,
                &event.at,
                &event.principal,
                &event.role,
                &event.action,
                &event.unit,
                &event.record_id,
                &event.pseudonym,
                &event.outcome,
                &entry.prev_hash,
                &entry.hash,
                &event.record_state,
            ]
        },
        |_| Ok(()),
    )
    .map_err(|e| Error::database("could not append to the audit log", e))?;
    Ok(entries)
}

/// The verification behind [`AuditLog::audit_verify`] and [`AuditLog::audit_verify_against`]:
/// the rows present now, paged in seq order, through [`audit::verify`].
fn verify(
    store: &SqliteStore,
    chain: Chain<'_>,
    recorded: Option<&AuditHead>,
) -> Result<AuditVerification> {
    let context = "could not verify the audit log";
    // Only entries present now are checked: appends during a long verification are not chased.
    let last: Option<i64> = store.read(|conn| {
        conn.query_row("SELECT max(seq) FROM audit", [], |row| row.get(0))
            .map_err(|e| Error::database(context, e))
    })?;
    let Some(last) = last else {
        return audit::verify(chain, std::iter::empty(), recorded, |_| Ok(None));
    };
    let pages = Pages::new(|after, _| store.read(|conn| read_page(conn, after, last)));
    // Only called once a problem is found, so the unindexed lookup is fine.
    audit::verify(chain, pages, recorded, |hash| {
        store.read(|conn| seq_of_hash(conn, hash))
    })
}

/// The seq of the stored entry whose hash is `hash`, anywhere in the log.
fn seq_of_hash(conn: &Connection, hash: &[u8]) -> Result<Option<i64>> {
    conn.query_row(
        "SELECT seq FROM audit WHERE hash = CAST(?1 AS TEXT) LIMIT 1",
        [hash],
        |row| row.get(0),
    )
    .optional()
    .map_err(|e| Error::database("could not verify the audit log", e))
}

/// Up to [`VERIFY_CHUNK`] stored entries with a seq above `after` and at most `last`.
fn read_page(conn: &Connection, after: i64, last: i64) -> Result<VecDeque<StoredEntry>> {
    let context = "could not verify the audit log";
    let mut statement = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM audit WHERE seq > ?1 AND seq <= ?2 ORDER BY seq \
             LIMIT {VERIFY_CHUNK}"
        ))
        .map_err(|e| Error::database(context, e))?;
    let rows = statement
        .query_map([after, last], stored_entry)
        .map_err(|e| Error::database(context, e))?;
    rows.collect::<rusqlite::Result<VecDeque<_>>>()
        .map_err(|e| Error::database(context, e))
}

/// The stored entries in seq order, read a page at a time by keyset pagination (as
/// [`Store::scan`](crate::Store::scan) does by rowid) through `read(after, _)`: each page is a
/// short read, so appends carry on meanwhile and a large log is never held in memory.
struct Pages<F> {
    read: F,
    /// The seq of the last entry read; the next page starts above it. The first page starts
    /// below 0 so that rows an attacker inserted at seq 0 or below are seen.
    after: i64,
    done: bool,
    page: VecDeque<StoredEntry>,
}

impl<F: FnMut(i64, i64) -> Result<VecDeque<StoredEntry>>> Pages<F> {
    fn new(read: F) -> Self {
        Pages {
            read,
            after: i64::MIN,
            done: false,
            page: VecDeque::new(),
        }
    }
}

impl<F: FnMut(i64, i64) -> Result<VecDeque<StoredEntry>>> Iterator for Pages<F> {
    type Item = Result<StoredEntry>;

    fn next(&mut self) -> Option<Result<StoredEntry>> {
        if self.page.is_empty() {
            if self.done {
                return None;
            }
            let page = match (self.read)(self.after, i64::MAX) {
                Ok(page) => page,
                Err(error) => {
                    self.done = true;
                    return Some(Err(error));
                }
            };
            match page.back() {
                Some(entry) if page.len() as i64 == VERIFY_CHUNK => self.after = entry.seq,
                _ => self.done = true,
            }
            self.page = page;
        }
        self.page.pop_front().map(Ok)
    }
}

/// Reads the [`COLUMNS`] as stored, for verification.
fn stored_entry(row: &Row<'_>) -> rusqlite::Result<StoredEntry> {
    let text = |i: usize| -> rusqlite::Result<Option<Vec<u8>>> {
        match row.get_ref(i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(bytes) | ValueRef::Blob(bytes) => Ok(Some(bytes.to_vec())),
            other => Err(rusqlite::Error::InvalidColumnType(
                i,
                "audit text column".to_owned(),
                other.data_type(),
            )),
        }
    };
    Ok(StoredEntry {
        seq: row.get(0)?,
        at: row.get(1)?,
        fields: [
            text(2)?,
            text(3)?,
            text(4)?,
            text(5)?,
            text(6)?,
            text(7)?,
            text(8)?,
        ],
        prev_hash: text(9)?,
        hash: text(10)?,
        record_state: text(11)?,
    })
}

/// Reads the [`COLUMNS`] as an [`AuditEntry`].
fn entry_row(row: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    let seq: i64 = row.get(0)?;
    Ok(AuditEntry {
        // The query asks for seqs above a u64, so none is negative.
        seq: seq.unsigned_abs(),
        event: AuditEvent {
            at: row.get(1)?,
            principal: row.get(2)?,
            role: row.get(3)?,
            action: row.get(4)?,
            unit: row.get(5)?,
            record_id: row.get(6)?,
            pseudonym: row.get(7)?,
            outcome: row.get(8)?,
            record_state: row.get(11)?,
        },
        prev_hash: row.get(9)?,
        hash: row.get(10)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ScanFilter;
    use crate::sqlite::tests::{PSEUDONYM, store};
    use crate::{ErrorKind, Store};

    fn new_record() -> NewRecord {
        NewRecord {
            pseudonym: PSEUDONYM.to_owned(),
            unit: "Norr".to_owned(),
            instrument: "sue".to_owned(),
            version: "1".to_owned(),
            body: b"{}".to_vec(),
        }
    }

    fn event(action: &str) -> AuditEvent {
        AuditEvent::new(5, "anna.svensson", "handlaggare", action, "ok")
    }

    /// A failure of the audit insert itself, after the record was written in the same
    /// transaction, takes the record write with it.
    #[test]
    fn a_failed_audit_insert_rolls_back_the_record_write() {
        let store = store();
        let (meta, _) = store
            .put_audited(new_record(), event("record.write"))
            .expect("put");
        store
            .write("inject a failure", |tx| {
                tx.execute_batch(
                    "CREATE TEMP TRIGGER audit_fails BEFORE INSERT ON audit \
                     BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
                )
                .map_err(|e| Error::database("inject a failure", e))
            })
            .expect("trigger");

        let error = store
            .put_audited(new_record(), event("record.write"))
            .expect_err("the audit insert fails");
        assert_eq!(error.kind(), ErrorKind::Database);
        assert!(error.to_string().contains("injected failure"), "{error}");
        assert_eq!(store.count(&ScanFilter::all()).expect("count"), 1);

        let error = store
            .update_audited(&meta.id, b"{\"v\":2}", event("record.update"))
            .expect_err("the audit insert fails");
        assert_eq!(error.kind(), ErrorKind::Database);
        let record = store.get(&meta.id).expect("get");
        assert_eq!(record.body, b"{}");
        assert_eq!(record.meta, meta);
        assert_eq!(store.audit_entries(0, 10).expect("entries").len(), 1);
    }
}
