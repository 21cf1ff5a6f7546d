//! Checking stored records against the audit log, for every backend: what `verify_records`
//! reports ([`RecordVerification`]) and the judgement of one stored row against the last state
//! the keyed audit chain committed to for it.
//!
//! An audited write records the state it left (`REVISION:CREATED_AT:UPDATED_AT`) in its audit
//! entry. The revision is bound into the sealed body and the other plain columns (pseudonym,
//! unit, instrument, version, key id) are too, so together with the chain (which needs the audit
//! key to rewrite) every change made with only the database file shows:
//!
//! - an older body written back with its older revision opens, but below the audited revision:
//!   rolled back; written back without it, it opens only at an earlier revision: rolled back too;
//! - a row gone whose write was audited: deleted (unless it is in the quarantine);
//! - timestamps changed: the row opens at the audited revision with other timestamps: edited;
//! - anything else that fails authentication: unreadable.
//!
//! Findings name records by id only, never content. A record whose revision is above the audited
//! one was written through the unaudited [`Store::update`](crate::Store::update) with the data
//! key (a forged revision would not open) and is not judged; nor are records never written
//! through an audited write (`store import`), beyond whether they open.

use std::collections::HashMap;

use bistand_core::seal::Keyring;
use serde::Serialize;

use crate::audit::parse_record_state;
use crate::record::RecordId;
use crate::sealing::{self, SealedRecord};

/// The outcome of checking every stored record against the audit log.
///
/// Serialised as `{"records", "quarantined", "problems": [{"record_id", "problem"}]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RecordVerification {
    /// Rows checked.
    pub records: u64,
    /// Records in the quarantine (moved aside earlier; not counted as deleted).
    pub quarantined: u64,
    /// Every record found wrong, rows in storage order, then deleted records by id.
    pub problems: Vec<RecordFinding>,
}

/// One record found wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordFinding {
    /// The record's id (random; says nothing about the client).
    pub record_id: RecordId,
    /// What was found.
    pub problem: RecordProblem,
}

/// What is wrong with a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecordProblem {
    /// An older version of the record was written back over the one last written.
    RolledBack,
    /// The audit log has a write of the record and the store has no row for it.
    Deleted,
    /// The row opens but its timestamps are not the ones the audit log recorded.
    Edited,
    /// The row fails authentication (body, nonce, key id or a bound column altered), or its key
    /// is not in the keyring.
    Unreadable,
}

impl RecordVerification {
    /// Whether no problem was found.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

impl std::fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RecordProblem::RolledBack => "rolled_back",
            RecordProblem::Deleted => "deleted",
            RecordProblem::Edited => "edited",
            RecordProblem::Unreadable => "unreadable",
        })
    }
}

/// The last audited state of each record, built from the audit log in seq order, then checked
/// against every stored row. Memory grows with the number of audited records (an id and three
/// integers each).
#[derive(Default)]
pub(crate) struct AuditedStates {
    latest: HashMap<String, (u64, i64, i64)>,
}

impl AuditedStates {
    /// Notes the state an audit entry records for `record_id`; later entries replace earlier
    /// ones. Malformed values (which the chain check reports) are ignored here.
    pub(crate) fn note(&mut self, record_id: &[u8], state: &[u8]) {
        let (Ok(id), Some(state)) = (
            std::str::from_utf8(record_id),
            std::str::from_utf8(state).ok().and_then(parse_record_state),
        ) else {
            return;
        };
        self.latest.insert(id.to_owned(), state);
    }

    /// Judges one stored row: `None` when it is what the audit log says.
    pub(crate) fn check(&mut self, keyring: &Keyring, row: SealedRecord) -> Option<RecordProblem> {
        let audited = self.latest.remove(row.meta.id.as_str());
        let (revision, created, updated) =
            (row.meta.revision, row.meta.created_at, row.meta.updated_at);
        if !sealing::authenticates(keyring, &row) {
            return Some(if sealing::opens_at_an_earlier_revision(keyring, &row) {
                RecordProblem::RolledBack
            } else {
                RecordProblem::Unreadable
            });
        }
        let (audited_revision, audited_created, audited_updated) = audited?;
        if revision < audited_revision {
            Some(RecordProblem::RolledBack)
        } else if revision == audited_revision
            && (created, updated) != (audited_created, audited_updated)
        {
            Some(RecordProblem::Edited)
        } else {
            None
        }
    }

    /// The audited records no row was checked for, by id, except those `quarantined` says are
    /// in the quarantine.
    pub(crate) fn deleted(self, quarantined: impl Fn(&str) -> bool) -> Vec<RecordFinding> {
        let mut ids: Vec<String> = self
            .latest
            .into_keys()
            .filter(|id| !quarantined(id))
            .collect();
        ids.sort_unstable();
        ids.into_iter()
            .filter_map(|id| RecordId::parse(&id).ok())
            .map(|record_id| RecordFinding {
                record_id,
                problem: RecordProblem::Deleted,
            })
            .collect()
    }
}
