//! Why an identifier or a pseudonym key was refused: one reason per rule, each with its message
//! in Swedish and English, turned into the crate's one [`Error`] of kind
//! [`ErrorKind::InvalidIdentifier`].
//!
//! The reasons are not a second error type: they exist so each message is declared once and the
//! tests can name the rule they expect. Messages never contain the input, so they are safe to log
//! and to show.

use crate::error::{Error, ErrorKind};
use crate::text::Text;

/// A rule a personal number or a pseudonym key broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdentifierProblem {
    /// The input was empty or only whitespace.
    Empty,
    /// The input did not have the shape of a personal number.
    WrongFormat,
    /// The date part is not a real calendar date (after removing 60 from a samordningsnummer day).
    InvalidDate,
    /// The last digit is not the Luhn check digit of the nine before it.
    ChecksumMismatch,
    /// The birth number (the three digits before the check digit) is 000, which is never issued.
    BirthNumberZero,
    /// The birth date is after the reference date.
    FutureBirthDate,
    /// A 12-digit number used the `+` separator, which only has meaning with 10 digits.
    PlusWithTwelveDigits,
    /// The pseudonym secret is shorter than `min` bytes.
    PseudonymKeyTooShort {
        /// The minimum secret length in bytes.
        min: usize,
    },
    /// The pseudonym key id is not a key id (see [`is_key_id`](super::is_key_id)).
    InvalidKeyId,
}

impl IdentifierProblem {
    /// The message in both languages.
    fn text(self) -> Text {
        match self {
            IdentifierProblem::Empty => Text {
                sv: "personnummer saknas".into(),
                en: "personal number is empty".into(),
            },
            IdentifierProblem::WrongFormat => Text {
                sv: "förväntade 10 eller 12 siffror med ett valfritt '-' eller '+' före de fyra \
                     sista"
                    .into(),
                en: "expected 10 or 12 digits with an optional '-' or '+' before the last four"
                    .into(),
            },
            IdentifierProblem::InvalidDate => Text {
                sv: "datumdelen är inte ett giltigt datum: förväntade en verklig månad och dag \
                     (dag + 60 för samordningsnummer) och ett födelseår från 1800"
                    .into(),
                en: "date part is not a valid date: expected a real month and day (day + 60 for \
                     a samordningsnummer) and a birth year from 1800"
                    .into(),
            },
            IdentifierProblem::ChecksumMismatch => Text {
                sv: "kontrollsiffran stämmer inte (Luhn)".into(),
                en: "check digit does not match (Luhn)".into(),
            },
            IdentifierProblem::BirthNumberZero => Text {
                sv: "födelsenumret (de tre siffrorna före kontrollsiffran) får inte vara 000: \
                     sådana nummer delas inte ut"
                    .into(),
                en: "the birth number (the three digits before the check digit) must not be 000: \
                     such numbers are not issued"
                    .into(),
            },
            IdentifierProblem::FutureBirthDate => Text {
                sv: "födelsedatumet ligger efter referensdatumet".into(),
                en: "birth date is after the reference date".into(),
            },
            IdentifierProblem::PlusWithTwelveDigits => Text {
                sv: "skiljetecknet '+' är bara tillåtet med 10 siffror; använd '-' eller inget \
                     skiljetecken med 12 siffror"
                    .into(),
                en: "the '+' separator is only allowed with 10 digits; use '-' or no separator \
                     with 12 digits"
                    .into(),
            },
            IdentifierProblem::PseudonymKeyTooShort { min } => Text {
                sv: format!("pseudonymnyckelns hemlighet är för kort: minst {min} byte krävs"),
                en: format!("pseudonym key secret is too short: expected at least {min} bytes"),
            },
            IdentifierProblem::InvalidKeyId => Text {
                sv: "nyckel-id för pseudonymer måste vara 1 till 32 ASCII-bokstäver, siffror, \
                     '_' eller '-'"
                    .into(),
                en: "pseudonym key id must be 1 to 32 ASCII letters, digits, '_' or '-'".into(),
            },
        }
    }
}

impl From<IdentifierProblem> for Error {
    fn from(problem: IdentifierProblem) -> Error {
        Error::new(ErrorKind::InvalidIdentifier, problem.text())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::identifier::test_support::{TODAY, parse};
    use crate::identifier::{PersonalNumber, PseudonymKey};

    /// Every problem, in the order of declaration.
    const ALL_PROBLEMS: [IdentifierProblem; 9] = [
        IdentifierProblem::Empty,
        IdentifierProblem::WrongFormat,
        IdentifierProblem::InvalidDate,
        IdentifierProblem::ChecksumMismatch,
        IdentifierProblem::BirthNumberZero,
        IdentifierProblem::FutureBirthDate,
        IdentifierProblem::PlusWithTwelveDigits,
        IdentifierProblem::PseudonymKeyTooShort { min: 32 },
        IdentifierProblem::InvalidKeyId,
    ];

    /// The error of every problem.
    fn all_errors() -> Vec<Error> {
        ALL_PROBLEMS.iter().map(|p| Error::from(*p)).collect()
    }

    /// Whether `message` is one of the fixed texts of some variant (English, Swedish, Debug).
    fn is_fixed_message(message: &str) -> bool {
        all_errors().iter().any(|known| {
            known.to_string() == message
                || known.message_sv() == message
                || format!("{known:?}") == message
        })
    }

    /// Whether `text` contains any four consecutive digits of `input` (ignoring separators).
    fn shares_digit_window(text: &str, input: &str) -> bool {
        let digits: Vec<u8> = input.bytes().filter(u8::is_ascii_digit).collect();
        digits
            .windows(4)
            .any(|window| text.as_bytes().windows(4).any(|seen| seen == window))
    }

    /// Every error message, in both languages and in `Debug`, is free of the input.
    #[test]
    fn errors_never_echo_input() {
        let cases = [
            ("", IdentifierProblem::Empty),
            ("   ", IdentifierProblem::Empty),
            ("811218/9876", IdentifierProblem::WrongFormat),
            ("811218-98765", IdentifierProblem::WrongFormat),
            ("010229-1234", IdentifierProblem::InvalidDate),
            ("17991218-9876", IdentifierProblem::InvalidDate),
            ("701092-2391", IdentifierProblem::InvalidDate),
            ("811218-9875", IdentifierProblem::ChecksumMismatch),
            ("201509160006", IdentifierProblem::BirthNumberZero),
            ("203001011232", IdentifierProblem::FutureBirthDate),
            ("19811218+9876", IdentifierProblem::PlusWithTwelveDigits),
        ];
        for (input, expected) in cases {
            let error = parse(input).expect_err("test input is invalid");
            assert_eq!(error, Error::from(expected), "{input}");
            for text in [
                error.to_string(),
                error.message_sv().to_owned(),
                format!("{error:?}"),
            ] {
                assert!(!shares_digit_window(&text, input), "{text}");
                assert!(
                    input.trim().is_empty() || !text.contains(input.trim()),
                    "{text}"
                );
            }
        }
        let secret = *b"9876543210987654321098765432109";
        let short = PseudonymKey::new("k4711", &secret).expect_err("secret is short");
        assert_eq!(
            short,
            Error::from(IdentifierProblem::PseudonymKeyTooShort { min: 32 })
        );
        let bad_id = PseudonymKey::new("k4711:", &[1; 32]).expect_err("id is invalid");
        assert_eq!(bad_id, Error::from(IdentifierProblem::InvalidKeyId));
        for error in [short, bad_id] {
            for text in [
                error.to_string(),
                error.message_sv().to_owned(),
                format!("{error:?}"),
            ] {
                assert!(!text.contains("k4711"), "{text}");
                assert!(!shares_digit_window(&text, "98765432109"), "{text}");
            }
        }
    }

    #[test]
    fn messages_follow_house_style() {
        for error in all_errors() {
            for text in [error.to_string(), error.message_sv().to_owned()] {
                let first = text.chars().next().expect("message is not empty");
                assert!(!first.is_uppercase(), "{text}");
                assert!(!text.ends_with('.'), "{text}");
            }
            assert_ne!(error.to_string(), error.message_sv());
        }
        assert_eq!(
            Error::from(IdentifierProblem::WrongFormat).to_string(),
            "expected 10 or 12 digits with an optional '-' or '+' before the last four"
        );
        assert_eq!(
            Error::from(IdentifierProblem::ChecksumMismatch).to_string(),
            "check digit does not match (Luhn)"
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics_or_echoes(text in any::<String>()) {
            // Error text is one of a fixed set of messages, whatever the input.
            if let Err(error) = PersonalNumber::parse(&text, TODAY) {
                let message = error.to_string();
                prop_assert!(all_errors().iter().any(|known| known.to_string() == message));
            }
        }

        #[test]
        fn parse_never_echoes_digit_input(text in "[0-9]{6,8}[-+]?[0-9]{4}") {
            if let Err(error) = PersonalNumber::parse(&text, TODAY) {
                for message in [error.to_string(), error.message_sv().to_owned(), format!("{error:?}")] {
                    prop_assert!(is_fixed_message(&message));
                }
            }
        }
    }
}
