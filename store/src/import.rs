//! Idempotent import: what identifies an imported record, so that importing the same lines twice
//! stores them once ([`AuditedStore::import_audited`](crate::AuditedStore::import_audited)).
//!
//! The identity is computed by the shell from the line (the rule is in
//! [`documents::import_identity`](crate::documents::import_identity)) and is a keyed digest: a
//! reader of the store file can tell that two imports were the same, never what they contained.

use crate::error::{Error, ErrorKind, Result};
use crate::record::{NewRecord, is_lower_hex};

/// Length of an import identity: 32 bytes as lowercase hex.
const IDENTITY_LEN: usize = 64;

/// A record to import and its identity.
#[derive(Debug)]
pub struct ImportRecord {
    /// The record.
    pub record: NewRecord,
    /// What makes two imports the same record: 64 lowercase hex digits, a keyed digest (see
    /// [`documents::import_identity`](crate::documents::import_identity)).
    pub identity: String,
}

/// Checks an identity's shape. The message never shows the value.
pub(crate) fn check_identity(identity: &str) -> Result<()> {
    if identity.len() == IDENTITY_LEN && is_lower_hex(identity) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::InvalidInput,
            "an import identity must be 64 lowercase hexadecimal digits (a keyed digest)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_digests() {
        check_identity(&"a1".repeat(32)).expect("a digest");
        for bad in [
            "",
            "A1",
            &"A1".repeat(32),
            &"a1".repeat(33),
            &"g1".repeat(32),
        ] {
            let error = check_identity(bad).expect_err(bad);
            assert_eq!(error.kind(), ErrorKind::InvalidInput);
        }
    }
}
