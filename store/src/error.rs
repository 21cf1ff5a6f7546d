//! The one error type of `bistand-store`.
//!
//! Messages name what failed and, where it helps, the record id (a random number that says
//! nothing about the client). They never contain a record body, a pseudonym or anything a
//! pseudonym was made from.

use std::fmt;

use bistand_core::Text;

/// What kind of failure an [`Error`] is. The shells map each kind to one C status code and one HTTP
/// status, so kinds are permanent: new ones may be added, none is renumbered or removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No record has the given id.
    NotFound,
    /// A record failed authentication: its ciphertext, nonce, key id, id, instrument or version
    /// was altered, or its body was copied from another record. Such a record is never returned.
    Integrity,
    /// A record is sealed with a data key that is not in the store's keyring.
    UnknownKey,
    /// The database failed (I/O error, locked too long, corrupt file, ...).
    Database,
    /// The database file's schema is newer than this build, or is not a bistand store.
    Migration,
    /// An argument was refused (a malformed pseudonym or record id, an empty unit, ...).
    InvalidInput,
    /// The operating system failed a request (its random number source).
    Io,
    /// A [`Store::scan`](crate::Store::scan) callback stopped the scan with
    /// [`Error::aborted`].
    Aborted,
    /// The keys given do not belong to the store: its pseudonym key differs from the one the
    /// store was written with, a data key has another secret under a recorded id, or a data key
    /// the store's records are sealed with is missing ([`Store::bind_keys`](crate::Store::bind_keys)).
    WrongKeys,
    /// A conditional update named a revision the record no longer has: someone else wrote it
    /// since ([`AuditedStore::update_audited_if`](crate::AuditedStore::update_audited_if)).
    /// Nothing was written.
    Stale,
}

impl ErrorKind {
    /// A stable snake_case name for the kind, used in JSON error bodies and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not_found",
            ErrorKind::Integrity => "integrity",
            ErrorKind::UnknownKey => "unknown_key",
            ErrorKind::Database => "database",
            ErrorKind::Migration => "migration",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Io => "io",
            ErrorKind::Aborted => "aborted",
            ErrorKind::WrongKeys => "wrong_keys",
            ErrorKind::Stale => "stale",
        }
    }
}

impl ErrorKind {
    /// What the kind means, in Swedish: the Swedish half of every store error's [`Text`]. The
    /// English half is more precise (it may name the record id or the failed operation); the
    /// Swedish one is declared once per kind, here, so no shell writes its own.
    fn swedish(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "ingen post har det id:t",
            ErrorKind::Integrity => {
                "posten klarade inte autentiseringen: den har ändrats eller hör till en annan post"
            }
            ErrorKind::UnknownKey => {
                "posten är krypterad med en datanyckel som inte finns i nyckelringen"
            }
            ErrorKind::InvalidInput => "ett värde till lagret har fel form",
            ErrorKind::Migration => {
                "databasfilen är ingen bistand-databas eller har ett nyare schema än denna version"
            }
            ErrorKind::Aborted => "internt fel: lagret avbröts",
            ErrorKind::WrongKeys => "nycklarna hör inte till detta lager",
            ErrorKind::Stale => "posten har ändrats av någon annan sedan den lästes",
            ErrorKind::Database | ErrorKind::Io => {
                "databasen misslyckades (in- och utmatning, låst fil eller skadad fil)"
            }
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of every fallible operation in `bistand-store`: a kind, a message in both languages
/// ([`Error::text`]; the English is its `Display`) and possibly the error that caused it
/// ([`std::error::Error::source`]).
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    text: Text,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// An error of `kind` with its precise English message; the Swedish is the kind's own.
    pub(crate) fn new(kind: ErrorKind, en: impl Into<String>) -> Error {
        Error {
            kind,
            text: Error::text_of(kind, en.into()),
            source: None,
        }
    }

    /// An error of `kind` with its own message in both languages (where the Swedish must be as
    /// precise as the English, naming a key id, say).
    pub(crate) fn with_text(kind: ErrorKind, text: Text) -> Error {
        Error {
            kind,
            text,
            source: None,
        }
    }

    fn text_of(kind: ErrorKind, en: String) -> Text {
        Text {
            sv: kind.swedish().to_owned(),
            en,
        }
    }

    /// The message in Swedish and English. Like the English `Display`, neither contains a
    /// record body or a pseudonym.
    pub fn text(&self) -> &Text {
        &self.text
    }

    /// An error for a [`Store::scan`](crate::Store::scan) callback to stop the scan with; `scan`
    /// returns it unchanged, and the cause can be recovered by downcasting
    /// [`std::error::Error::source`].
    pub fn aborted(cause: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error {
            kind: ErrorKind::Aborted,
            text: Error::text_of(
                ErrorKind::Aborted,
                format!("scan stopped by its callback: {cause}"),
            ),
            source: Some(Box::new(cause)),
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub(crate) fn stale(id: &str) -> Error {
        Error::new(
            ErrorKind::Stale,
            format!("record `{id}` was written by someone else since the revision given"),
        )
    }

    pub(crate) fn not_found(id: &str) -> Error {
        Error::new(ErrorKind::NotFound, format!("no record with id `{id}`"))
    }

    /// A core sealing error about record `id`, with the record id in front.
    pub(crate) fn record(id: &str, error: bistand_core::Error) -> Error {
        let mut error = Error::from(error);
        error.text.en = format!("record `{id}`: {}", error.text.en);
        error
    }

    pub(crate) fn database(context: &str, error: rusqlite::Error) -> Error {
        // SQLite's messages name tables, columns and constraints, never bound values, so they are
        // safe to show; row values never appear in them.
        Error {
            kind: ErrorKind::Database,
            text: Error::text_of(ErrorKind::Database, format!("{context}: {error}")),
            source: Some(Box::new(error)),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text.en)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<bistand_core::Error> for Error {
    fn from(error: bistand_core::Error) -> Error {
        let kind = match error.kind() {
            bistand_core::ErrorKind::UnknownKey => ErrorKind::UnknownKey,
            bistand_core::ErrorKind::IntegrityFailure => ErrorKind::Integrity,
            _ => ErrorKind::InvalidInput,
        };
        Error {
            kind,
            text: Error::text_of(kind, error.to_string()),
            source: Some(Box::new(error)),
        }
    }
}

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[derive(Debug)]
    struct Full;

    impl fmt::Display for Full {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("report sink is full")
        }
    }

    impl std::error::Error for Full {}

    #[test]
    fn aborted_keeps_its_cause() {
        let error = Error::aborted(Full);
        assert_eq!(error.kind(), ErrorKind::Aborted);
        assert_eq!(
            error.to_string(),
            "scan stopped by its callback: report sink is full"
        );
        assert!(
            error
                .source()
                .and_then(|s| s.downcast_ref::<Full>())
                .is_some()
        );
    }

    #[test]
    fn error_is_send_and_sync() {
        fn check<T: Send + Sync + 'static>() {}
        check::<Error>();
    }
}
