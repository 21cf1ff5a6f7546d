//! The one error type of `bistand-core`.
//!
//! An [`Error`] means the input could not be processed at all (malformed JSON, an unknown
//! instrument, a broken definition). A document that parses but breaks the instrument's rules is
//! not an error: it yields a [`Report`](crate::Report) of findings.
//!
//! Error messages never contain answers or identifiers taken from the input: they name what was
//! expected and where, never the value found.

use std::fmt;

use crate::text::Text;

/// What kind of failure an [`Error`] is. The shells map each kind to one C status code and one HTTP
/// status, so kinds are permanent: new ones may be added, none is renumbered or removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is not valid UTF-8.
    InvalidUtf8,
    /// The input is not well-formed JSON.
    MalformedJson,
    /// The input is larger than the configured limit.
    TooLarge,
    /// The input nests arrays or objects deeper than the configured limit.
    TooDeep,
    /// The document's envelope (`instrument`, `version`, `status`, ...) is missing or wrong.
    InvalidDocument,
    /// No definition is loaded for the named instrument.
    UnknownInstrument,
    /// The instrument is known but not in the named version.
    UnknownVersion,
    /// The document names another instrument than the caller asked for.
    InstrumentMismatch,
    /// An instrument definition breaks the definition rules.
    InvalidDefinition,
    /// An organisation profile is malformed or hides what may not be hidden.
    InvalidProfile,
    /// A personnummer, samordningsnummer or pseudonym key is invalid.
    InvalidIdentifier,
    /// An operation that needs a valid document (a summary) was given one with error findings.
    DocumentNotValid,
    /// An argument is out of its allowed range (a count, a limit, an option).
    InvalidArgument,
    /// A sealed record names a data key that is not in the keyring.
    UnknownKey,
    /// A sealed record failed authentication: it was altered, or it belongs to another record.
    IntegrityFailure,
}

impl ErrorKind {
    /// A stable snake_case name for the kind, used in JSON error bodies and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidUtf8 => "invalid_utf8",
            ErrorKind::MalformedJson => "malformed_json",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::TooDeep => "too_deep",
            ErrorKind::InvalidDocument => "invalid_document",
            ErrorKind::UnknownInstrument => "unknown_instrument",
            ErrorKind::UnknownVersion => "unknown_version",
            ErrorKind::InstrumentMismatch => "instrument_mismatch",
            ErrorKind::InvalidDefinition => "invalid_definition",
            ErrorKind::InvalidProfile => "invalid_profile",
            ErrorKind::InvalidIdentifier => "invalid_identifier",
            ErrorKind::DocumentNotValid => "document_not_valid",
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::UnknownKey => "unknown_key",
            ErrorKind::IntegrityFailure => "integrity_failure",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of every fallible operation in `bistand-core`: a kind and one [`Text`], whose
/// English is the `Display` and whose Swedish is [`Error::message_sv`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    text: Text,
    /// Every problem of a definition that does not compile (empty for other errors): the
    /// compiler goes on past a broken part, so an author sees all of them at once.
    problems: Box<[DefinitionProblem]>,
}

/// One problem of a definition that does not compile: the part at fault (its kind and id) and the
/// rule it breaks, in both languages.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DefinitionProblem {
    /// What is at fault: `definition`, `code_list`, `section` or `item`.
    pub part: &'static str,
    /// Its id: the item's full id, the section's id, the code list's name, or the instrument's
    /// name for the definition itself.
    pub id: String,
    /// The rule broken, naming the place (as the message of a single error would).
    pub message: Text,
}

impl Error {
    /// An error of `kind` with its message. The message is a [`Text`] built with named fields
    /// (`Text { sv, en }`), so the two languages cannot be swapped without it showing.
    pub(crate) fn new(kind: ErrorKind, text: Text) -> Error {
        Error {
            kind,
            text,
            problems: Box::default(),
        }
    }

    /// An [`ErrorKind::InvalidDefinition`] error listing `problems` (at least one): the message is
    /// the one problem's, or the count and every message.
    pub(crate) fn definition_problems(problems: Vec<DefinitionProblem>) -> Error {
        let text = match problems.as_slice() {
            [one] => one.message.clone(),
            many => {
                let join = |pick: fn(&Text) -> &str| {
                    many.iter()
                        .map(|p| pick(&p.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                Text {
                    sv: format!("{} fel: {}", many.len(), join(|t| &t.sv)),
                    en: format!("{} problems: {}", many.len(), join(|t| &t.en)),
                }
            }
        };
        Error {
            kind: ErrorKind::InvalidDefinition,
            text,
            problems: problems.into_boxed_slice(),
        }
    }

    /// The same error with its message changed by `text` (a context added in front), its
    /// problems kept.
    pub(crate) fn with_text(self, text: impl FnOnce(&Text) -> Text) -> Error {
        Error {
            text: text(&self.text),
            ..self
        }
    }

    /// Every problem of a definition that does not compile, each naming the part at fault and
    /// the rule; empty for other errors.
    pub fn problems(&self) -> &[DefinitionProblem] {
        &self.problems
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message in both languages.
    pub fn text(&self) -> &Text {
        &self.text
    }

    /// The English message (also what `Display` prints).
    pub fn message_en(&self) -> &str {
        &self.text.en
    }

    /// The Swedish message.
    pub fn message_sv(&self) -> &str {
        &self.text.sv
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text.en)
    }
}

impl std::error::Error for Error {}

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A JSON key as it may be shown in a message: only when it has the shape of an identifier bistand
/// itself uses (lowercase ASCII, digits, `_` and `.`, at most 64 bytes, no run of four digits).
/// Anything else might be client data typed into the wrong place, so it is not repeated.
pub(crate) fn displayable_key(key: &str) -> Option<&str> {
    let shaped = !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.');
    let mut digit_run = 0;
    for b in key.bytes() {
        digit_run = if b.is_ascii_digit() { digit_run + 1 } else { 0 };
        if digit_run >= 4 {
            return None;
        }
    }
    shaped.then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displayable_key_refuses_what_could_be_client_data() {
        assert_eq!(
            displayable_key("boende.omfattning"),
            Some("boende.omfattning")
        );
        assert_eq!(displayable_key("Anna Svensson"), None);
        assert_eq!(displayable_key("191212121212"), None);
        assert_eq!(displayable_key("boende.1985"), None);
        assert_eq!(displayable_key(""), None);
        assert_eq!(displayable_key(&"a".repeat(65)), None);
    }
}
