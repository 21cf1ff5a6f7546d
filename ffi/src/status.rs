//! Status codes, languages and failures: the numbers every fallible function returns, the one
//! place a core error becomes a status code ([`map_error`]), and the messages behind both.

use bistand_core::{Error as CoreError, ErrorKind, Language, Text};

/// What a fallible bistand function returns. `BISTAND_OK` (0) is success; any other value is a
/// failure, and `bistand_last_error` then has the precise message on the calling thread.
///
/// Numbers are permanent and grouped in bands:
/// - 0: success;
/// - 1xx: the caller broke the calling convention (a NULL pointer, a string that is not UTF-8,
///   a buffer too small, an argument out of its domain): a bug in the calling program;
/// - 2xx: the input cannot be processed (malformed JSON, unknown instrument, bad profile or
///   personnummer), one code per kind of core error: report it to the user;
/// - 9xx: a bug in bistand (a panic, caught before it could reach the caller).
///
/// New codes may be added; none is ever renumbered, and a retired number is never reused.
/// An invalid document is not a failure: validation returns `BISTAND_OK` and a report whose
/// findings say what is wrong.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(non_camel_case_types, clippy::enum_variant_names)]
pub enum bistand_status {
    /// Success: the outputs were written.
    BISTAND_OK = 0,

    // 1xx: the caller broke the calling convention.
    /// A pointer that must not be NULL was NULL, or a NULL data pointer came with a non-zero
    /// length.
    BISTAND_NULL_POINTER = 100,
    /// A string argument (a C string, or bytes that must be text) is not valid UTF-8.
    BISTAND_INVALID_UTF8_ARGUMENT = 101,
    /// The output buffer is too small for the message and its NUL terminator; nothing was
    /// written. Call again with `out_len` 0 to learn the length.
    BISTAND_BUFFER_TOO_SMALL = 102,
    /// An argument is outside what the function accepts: a date not written `YYYY-MM-DD`,
    /// report options that are missing or wrong, an unknown language or status code.
    BISTAND_INVALID_ARGUMENT = 103,

    // 2xx: the input cannot be processed; one code per kind of core error.
    /// The document or profile is not valid UTF-8.
    BISTAND_INVALID_UTF8 = 200,
    /// The document or profile is not well-formed JSON.
    BISTAND_MALFORMED_JSON = 201,
    /// The input is larger than the limit (1 MiB for a document, 256 KiB for a profile, 256 MiB
    /// for the NDJSON of a report).
    BISTAND_TOO_LARGE = 202,
    /// The input nests arrays or objects deeper than the limit.
    BISTAND_TOO_DEEP = 203,
    /// The document's envelope (`instrument`, `version`, `status`, ...) is missing or wrong.
    BISTAND_INVALID_DOCUMENT = 204,
    /// No definition is loaded for the named instrument.
    BISTAND_UNKNOWN_INSTRUMENT = 205,
    /// The instrument is known but not in the named version.
    BISTAND_UNKNOWN_VERSION = 206,
    /// The document names another instrument than the caller asked for.
    BISTAND_INSTRUMENT_MISMATCH = 207,
    /// An instrument definition breaks the definition rules.
    BISTAND_INVALID_DEFINITION = 208,
    /// The organisation profile is malformed or hides what may not be hidden.
    BISTAND_INVALID_PROFILE = 209,
    /// A personnummer, samordningsnummer or pseudonym key is invalid.
    BISTAND_INVALID_IDENTIFIER = 210,
    /// A summary was asked of a document that has error findings.
    BISTAND_DOCUMENT_NOT_VALID = 211,
    /// A value inside the input is out of its allowed range (a count, a limit, an option).
    BISTAND_OUT_OF_RANGE = 212,
    /// A sealed record names a data key that is not in the keyring.
    BISTAND_UNKNOWN_KEY = 213,
    /// A sealed record failed authentication: it was altered, or it belongs to another record.
    BISTAND_INTEGRITY_FAILURE = 214,
    /// No stored record has the given id.
    BISTAND_NOT_FOUND = 215,
    /// The store's database failed: the file cannot be opened, read or written, is locked too
    /// long or corrupt, or is not a bistand store of a schema this version reads.
    BISTAND_STORE_ERROR = 216,
    /// The keys file does not belong to the store: its pseudonym key or a data key is not the
    /// one the store was written with, or it lacks a data key records are sealed with. Nothing
    /// was written; open the store with its own keys file.
    BISTAND_WRONG_KEYS = 217,
    // 218..=298: kept for new kinds of core or store error.
    /// A core error of a kind this version of the C ABI does not name yet.
    BISTAND_INPUT_ERROR = 299,

    // 9xx: a bug in bistand.
    /// bistand panicked; the panic was caught at the boundary. Please report it.
    BISTAND_PANIC = 900,
    /// bistand could not produce its output (for example, serialising a report failed).
    BISTAND_INTERNAL_ERROR = 901,
    // Retired numbers are listed here as `// Reserved: N (was NAME)` and never reused.
}

impl bistand_status {
    /// Every status, in numeric order.
    pub const ALL: &'static [bistand_status] = &[
        bistand_status::BISTAND_OK,
        bistand_status::BISTAND_NULL_POINTER,
        bistand_status::BISTAND_INVALID_UTF8_ARGUMENT,
        bistand_status::BISTAND_BUFFER_TOO_SMALL,
        bistand_status::BISTAND_INVALID_ARGUMENT,
        bistand_status::BISTAND_INVALID_UTF8,
        bistand_status::BISTAND_MALFORMED_JSON,
        bistand_status::BISTAND_TOO_LARGE,
        bistand_status::BISTAND_TOO_DEEP,
        bistand_status::BISTAND_INVALID_DOCUMENT,
        bistand_status::BISTAND_UNKNOWN_INSTRUMENT,
        bistand_status::BISTAND_UNKNOWN_VERSION,
        bistand_status::BISTAND_INSTRUMENT_MISMATCH,
        bistand_status::BISTAND_INVALID_DEFINITION,
        bistand_status::BISTAND_INVALID_PROFILE,
        bistand_status::BISTAND_INVALID_IDENTIFIER,
        bistand_status::BISTAND_DOCUMENT_NOT_VALID,
        bistand_status::BISTAND_OUT_OF_RANGE,
        bistand_status::BISTAND_UNKNOWN_KEY,
        bistand_status::BISTAND_INTEGRITY_FAILURE,
        bistand_status::BISTAND_NOT_FOUND,
        bistand_status::BISTAND_STORE_ERROR,
        bistand_status::BISTAND_WRONG_KEYS,
        bistand_status::BISTAND_INPUT_ERROR,
        bistand_status::BISTAND_PANIC,
        bistand_status::BISTAND_INTERNAL_ERROR,
    ];

    /// The status with this number, if there is one. C passes statuses as plain integers, so
    /// a number from C is checked here before it is trusted as a `bistand_status`.
    pub fn from_u32(number: u32) -> Option<bistand_status> {
        bistand_status::ALL
            .iter()
            .copied()
            .find(|status| *status as u32 == number)
    }

    /// A one-line English description, as `bistand_status_message` returns it.
    pub fn message(self) -> &'static str {
        use bistand_status::*;
        match self {
            BISTAND_OK => "ok",
            BISTAND_NULL_POINTER => "null pointer: a required pointer argument was NULL",
            BISTAND_INVALID_UTF8_ARGUMENT => "a string argument is not valid UTF-8",
            BISTAND_BUFFER_TOO_SMALL => {
                "output buffer too small: nothing was written; query the length with out_len 0"
            }
            BISTAND_INVALID_ARGUMENT => "an argument is outside what the function accepts",
            BISTAND_INVALID_UTF8 => "the input is not valid UTF-8",
            BISTAND_MALFORMED_JSON => "the input is not well-formed JSON",
            BISTAND_TOO_LARGE => "the input is larger than the limit",
            BISTAND_TOO_DEEP => "the input nests arrays or objects deeper than the limit",
            BISTAND_INVALID_DOCUMENT => "the document's envelope is missing or wrong",
            BISTAND_UNKNOWN_INSTRUMENT => "unknown instrument",
            BISTAND_UNKNOWN_VERSION => "unknown instrument version",
            BISTAND_INSTRUMENT_MISMATCH => "the document answers another instrument",
            BISTAND_INVALID_DEFINITION => "an instrument definition is invalid",
            BISTAND_INVALID_PROFILE => "the organisation profile is invalid",
            BISTAND_INVALID_IDENTIFIER => "invalid personnummer or pseudonym key",
            BISTAND_DOCUMENT_NOT_VALID => "the document has error findings",
            BISTAND_OUT_OF_RANGE => "a value is out of its allowed range",
            BISTAND_UNKNOWN_KEY => "a sealed record names a data key that is not in the keyring",
            BISTAND_INTEGRITY_FAILURE => {
                "a sealed record failed authentication (altered or swapped)"
            }
            BISTAND_NOT_FOUND => "no stored record has the given id",
            BISTAND_STORE_ERROR => "the store's database failed",
            BISTAND_WRONG_KEYS => {
                "the keys file does not belong to this store; nothing was written"
            }
            BISTAND_INPUT_ERROR => "the input cannot be processed",
            BISTAND_PANIC => "internal error: bistand panicked (please report this bug)",
            BISTAND_INTERNAL_ERROR => "internal error: bistand could not produce its output",
        }
    }
}

/// The one conversion from a core error kind to a status code. Kinds are permanent, and so is
/// each kind's number; a kind added to the core later maps to `BISTAND_INPUT_ERROR` until it is
/// given a number of its own here.
pub fn map_error(kind: ErrorKind) -> bistand_status {
    use bistand_status::*;
    match kind {
        ErrorKind::InvalidUtf8 => BISTAND_INVALID_UTF8,
        ErrorKind::MalformedJson => BISTAND_MALFORMED_JSON,
        ErrorKind::TooLarge => BISTAND_TOO_LARGE,
        ErrorKind::TooDeep => BISTAND_TOO_DEEP,
        ErrorKind::InvalidDocument => BISTAND_INVALID_DOCUMENT,
        ErrorKind::UnknownInstrument => BISTAND_UNKNOWN_INSTRUMENT,
        ErrorKind::UnknownVersion => BISTAND_UNKNOWN_VERSION,
        ErrorKind::InstrumentMismatch => BISTAND_INSTRUMENT_MISMATCH,
        ErrorKind::InvalidDefinition => BISTAND_INVALID_DEFINITION,
        ErrorKind::InvalidProfile => BISTAND_INVALID_PROFILE,
        ErrorKind::InvalidIdentifier => BISTAND_INVALID_IDENTIFIER,
        ErrorKind::DocumentNotValid => BISTAND_DOCUMENT_NOT_VALID,
        ErrorKind::InvalidArgument => BISTAND_OUT_OF_RANGE,
        ErrorKind::UnknownKey => BISTAND_UNKNOWN_KEY,
        ErrorKind::IntegrityFailure => BISTAND_INTEGRITY_FAILURE,
        _ => BISTAND_INPUT_ERROR,
    }
}

/// The language of a message from `bistand_last_error`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(non_camel_case_types, clippy::enum_variant_names)]
pub enum bistand_language {
    /// Swedish, the language caseworkers read.
    BISTAND_LANGUAGE_SV = 0,
    /// English, the language developers and logs read.
    BISTAND_LANGUAGE_EN = 1,
}

impl bistand_language {
    /// The language with this number, if there is one (C passes it as a plain integer).
    pub fn from_u32(number: u32) -> Option<bistand_language> {
        match number {
            0 => Some(bistand_language::BISTAND_LANGUAGE_SV),
            1 => Some(bistand_language::BISTAND_LANGUAGE_EN),
            _ => None,
        }
    }

    pub(crate) fn core(self) -> Language {
        match self {
            bistand_language::BISTAND_LANGUAGE_SV => Language::Swedish,
            bistand_language::BISTAND_LANGUAGE_EN => Language::English,
        }
    }
}

/// Why a call failed: its status and the precise message in both languages. Messages follow the
/// core's rules: lowercase, no trailing period, never a value taken from the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    status: bistand_status,
    text: Text,
}

impl Failure {
    pub(crate) fn new(status: bistand_status, text: Text) -> Failure {
        Failure { status, text }
    }

    /// `name` (an argument) was NULL.
    pub(crate) fn null(name: &str) -> Failure {
        Failure::new(
            bistand_status::BISTAND_NULL_POINTER,
            Text {
                sv: format!("`{name}` är NULL; skicka en giltig pekare"),
                en: format!("`{name}` is NULL; pass a valid pointer"),
            },
        )
    }

    /// A NULL data pointer came with a non-zero length.
    pub(crate) fn null_with_length(name: &str, len: usize) -> Failure {
        Failure::new(
            bistand_status::BISTAND_NULL_POINTER,
            Text {
                sv: format!(
                    "`{name}` är NULL men längden är {len}; NULL är bara tillåtet med längden 0"
                ),
                en: format!(
                    "`{name}` is NULL but its length is {len}; NULL is allowed only with length 0"
                ),
            },
        )
    }

    /// A string argument is not UTF-8.
    pub(crate) fn not_utf8(name: &str) -> Failure {
        Failure::new(
            bistand_status::BISTAND_INVALID_UTF8_ARGUMENT,
            Text {
                sv: format!("`{name}` är inte giltig UTF-8"),
                en: format!("`{name}` is not valid UTF-8"),
            },
        )
    }

    /// An input of `len` bytes is over its `max`; `what` names the input.
    pub(crate) fn too_large(what: &Text, len: usize, max: usize) -> Failure {
        Failure::new(
            bistand_status::BISTAND_TOO_LARGE,
            Text {
                sv: format!("{} är {len} byte; gränsen är {max} byte", what.sv),
                en: format!("{} is {len} bytes; the limit is {max} bytes", what.en),
            },
        )
    }

    /// A caught panic. The payload is not shown: it could hold input.
    pub(crate) fn panic() -> Failure {
        Failure::new(bistand_status::BISTAND_PANIC, Text { sv: "internt fel: bistand fick panik och den fångades; rapportera gärna felet".into(), en: "internal error: bistand panicked and the panic was caught; please report this bug".into() })
    }

    pub(crate) fn status(&self) -> bistand_status {
        self.status
    }

    pub(crate) fn message(&self, language: Language) -> &str {
        self.text.in_language(language)
    }
}

impl From<CoreError> for Failure {
    fn from(error: CoreError) -> Failure {
        Failure::new(map_error(error.kind()), error.text().clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_are_in_order() {
        for pair in bistand_status::ALL.windows(2) {
            assert!((pair[0] as u32) < (pair[1] as u32), "{pair:?}");
        }
        for number in 0..2000 {
            if let Some(status) = bistand_status::from_u32(number) {
                assert_eq!(status as u32, number);
            }
        }
        assert_eq!(bistand_status::from_u32(1), None);
        assert_eq!(bistand_status::BISTAND_OK as u32, 0);
    }

    #[test]
    fn bands() {
        for status in bistand_status::ALL {
            let band = *status as u32 / 100;
            assert!(matches!(band, 0 | 1 | 2 | 9), "{status:?}");
            assert!(!status.message().is_empty());
            assert!(!status.message().ends_with('.'));
        }
        assert_eq!(map_error(ErrorKind::MalformedJson) as u32 / 100, 2);
    }

    #[test]
    fn each_core_kind_has_its_own_code() {
        let kinds = [
            ErrorKind::InvalidUtf8,
            ErrorKind::MalformedJson,
            ErrorKind::TooLarge,
            ErrorKind::TooDeep,
            ErrorKind::InvalidDocument,
            ErrorKind::UnknownInstrument,
            ErrorKind::UnknownVersion,
            ErrorKind::InstrumentMismatch,
            ErrorKind::InvalidDefinition,
            ErrorKind::InvalidProfile,
            ErrorKind::InvalidIdentifier,
            ErrorKind::DocumentNotValid,
            ErrorKind::InvalidArgument,
            ErrorKind::UnknownKey,
            ErrorKind::IntegrityFailure,
        ];
        let mut codes: Vec<u32> = kinds.iter().map(|k| map_error(*k) as u32).collect();
        assert!(codes.iter().all(|c| (200..299).contains(c)), "{codes:?}");
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), kinds.len());
    }

    #[test]
    fn languages() {
        assert_eq!(
            bistand_language::from_u32(0),
            Some(bistand_language::BISTAND_LANGUAGE_SV)
        );
        assert_eq!(
            bistand_language::from_u32(1),
            Some(bistand_language::BISTAND_LANGUAGE_EN)
        );
        assert_eq!(bistand_language::from_u32(2), None);
    }
}
