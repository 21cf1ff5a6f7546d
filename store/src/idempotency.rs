//! Durable idempotency keys: a create that carries a key is stored once, however often it is
//! retried, across restarts ([`AuditedStore::put_audited_once`](crate::AuditedStore::put_audited_once)).
//!
//! The store holds neither the key nor the request as sent: both arrive as keyed digests (the
//! rule is [`documents::idempotency_key`](crate::documents::idempotency_key), under the keys
//! file's pseudonym key), beside the id of the record the first request created. A key is
//! remembered for [`IDEMPOTENCY_TTL_MS`]; expired keys are purged by the next keyed write.

use crate::error::Result;
use crate::import::check_identity;
use crate::record::RecordMeta;

/// How long a key is remembered after the create it answered: 24 hours, in milliseconds.
pub const IDEMPOTENCY_TTL_MS: i64 = 24 * 60 * 60 * 1000;

/// A create's idempotency key and its request, as keyed digests (64 lowercase hex digits each).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey {
    key: String,
    request: String,
}

impl IdempotencyKey {
    /// The digests of a key (with who sent it) and of the request's body.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when either is not 64
    /// lowercase hex digits (the message never shows the value).
    pub fn new(key: String, request: String) -> Result<IdempotencyKey> {
        check_identity(&key)?;
        check_identity(&request)?;
        Ok(IdempotencyKey { key, request })
    }

    /// The key's digest.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The request's digest.
    pub fn request(&self) -> &str {
        &self.request
    }
}

/// What a keyed create found and did.
#[derive(Debug)]
pub enum Once<T> {
    /// The key was new: the record was stored, with its entry (`T`), and the key remembered.
    Stored(RecordMeta, T),
    /// The key was seen with the same request: nothing was written; the record it created, as
    /// it is now.
    Replayed(RecordMeta),
    /// The key was seen with another request: nothing was written.
    Reused,
}
