//! From a record to its sealed form and back, for every backend: fresh record ids and nonces,
//! what a body is bound to, sealing with the active key and opening with whichever key sealed
//! it, and the store's clock.
//!
//! A backend stores a [`SealedRecord`]'s metadata in the clear and its [`Sealed`] body as it is,
//! and hands the pair back to [`open`] when reading. Keeping this out of the backends means a
//! record sealed by one backend opens in another: the binding is the same everywhere.

use std::time::{SystemTime, UNIX_EPOCH};

use bistand_core::seal::{self, Binding, DataKey, Keyring, NONCE_LEN, Sealed};

use crate::error::{Error, ErrorKind, Result};
use crate::record::{NewRecord, RECORD_ID_BYTES, Record, RecordId, RecordMeta};

/// A record as a backend stores it: metadata and the sealed body, not yet opened.
pub(crate) struct SealedRecord {
    pub(crate) meta: RecordMeta,
    pub(crate) sealed: Sealed,
}

/// Seals a new record with `key` under a fresh id, created and updated at `now`. The record's
/// fields must have been checked ([`NewRecord::check`]).
pub(crate) fn seal_new(key: &DataKey, record: NewRecord, now: i64) -> Result<SealedRecord> {
    let (id, nonce) = fresh_id_and_nonce()?;
    let meta = RecordMeta {
        id,
        pseudonym: record.pseudonym,
        unit: record.unit,
        instrument: record.instrument,
        version: record.version,
        created_at: now,
        updated_at: now,
        key_id: key.id().to_owned(),
        revision: 1,
    };
    let sealed = seal::seal(key, nonce, &binding(&meta), &record.body);
    Ok(SealedRecord { meta, sealed })
}

/// Seals `body` as the body of the record `meta` describes, with `key` and a fresh nonce; the
/// metadata's key id becomes `key`'s, everything else (the revision too: an update raises it, a
/// key rotation does not) stays as the caller set it.
pub(crate) fn seal_body(key: &DataKey, meta: RecordMeta, body: &[u8]) -> Result<SealedRecord> {
    let (_, nonce) = fresh_id_and_nonce()?;
    let meta = RecordMeta {
        key_id: key.id().to_owned(),
        ..meta
    };
    let sealed = seal::seal(key, nonce, &binding(&meta), body);
    Ok(SealedRecord { meta, sealed })
}

/// Opens (authenticates and decrypts) a stored record.
///
/// # Errors
///
/// [`ErrorKind::Integrity`] if the body or a bound field was altered, [`ErrorKind::UnknownKey`]
/// if its key is not in `keyring`; both name the record id.
pub(crate) fn open(keyring: &Keyring, stored: SealedRecord) -> Result<Record> {
    let body = seal::open(keyring, &binding(&stored.meta), &stored.sealed)
        .map_err(|e| Error::record(stored.meta.id.as_str(), e))?;
    Ok(Record {
        meta: stored.meta,
        body,
    })
}

/// Whether `stored` opens (authenticates) with `keyring`; the body is dropped.
pub(crate) fn authenticates(keyring: &Keyring, stored: &SealedRecord) -> bool {
    seal::open(keyring, &binding(&stored.meta), &stored.sealed).is_ok()
}

/// Whether `stored`, which fails to open, opens as a body of an earlier revision than its
/// revision column says: an older body written back without its revision. Tries at most 64
/// revisions below, so a forged huge revision costs nothing.
pub(crate) fn opens_at_an_earlier_revision(keyring: &Keyring, stored: &SealedRecord) -> bool {
    let lowest = stored.meta.revision.saturating_sub(64);
    (lowest..stored.meta.revision).rev().any(|revision| {
        let meta = RecordMeta {
            revision,
            ..stored.meta.clone()
        };
        seal::open(keyring, &binding(&meta), &stored.sealed).is_ok()
    })
}

/// What a body is bound to: altering any of these fields makes opening fail.
fn binding(meta: &RecordMeta) -> Binding<'_> {
    Binding {
        record_id: meta.id.as_str(),
        instrument: &meta.instrument,
        version: &meta.version,
        pseudonym: &meta.pseudonym,
        unit: &meta.unit,
        revision: meta.revision,
    }
}

/// A new record id and a new nonce, from one call to the operating system's random source.
fn fresh_id_and_nonce() -> Result<(RecordId, [u8; NONCE_LEN])> {
    let mut bytes = [0u8; RECORD_ID_BYTES + NONCE_LEN];
    getrandom::fill(&mut bytes).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("the operating system's random number source failed: {e}"),
        )
    })?;
    let (id, nonce) = bytes.split_at(RECORD_ID_BYTES);
    Ok((
        RecordId::from_random(id.try_into().expect("split at RECORD_ID_BYTES")),
        nonce.try_into().expect("the rest is NONCE_LEN bytes"),
    ))
}

/// The store's clock: milliseconds since the Unix epoch, for `created_at` and `updated_at`.
pub(crate) fn now_ms() -> i64 {
    // A clock before 1970 is a misconfigured machine; 0 keeps the store working.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_ids_and_nonces_differ() {
        let (a, na) = fresh_id_and_nonce().expect("random");
        let (b, nb) = fresh_id_and_nonce().expect("random");
        assert_ne!(a, b);
        assert_ne!(na, nb);
        RecordId::parse(a.as_str()).expect("well formed");
    }
}
