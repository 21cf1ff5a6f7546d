//! [`UnitName`]: the one rule for the name of an organisational unit (a team or an office), used
//! by documents (`unit`), the store, the sidecar's configuration, `bistand init --unit`, token and
//! role scopes, record access checks and report `units=` filters.
//!
//! A unit name is 1 to [`UnitName::MAX_CHARS`] characters: Unicode letters and digits, with the
//! separators real unit names use (a single space, `-`, `,`, `.`, `_`, `'`, `&`, `/`, `(`, `)`),
//! starting with a letter or digit and ending with anything but a space. So `Söder`, `Östermalm`,
//! `Sankt Örjan` and `Enheten för ekonomiskt bistånd, Norr` are unit names; a name with a control
//! character, a tab, two spaces in a row or a leading space is not.
//!
//! Two names are the same unit when they are equal after Unicode normalisation (NFC) and case
//! folding (`str::to_lowercase` of the NFC form: full Unicode lowercasing, which is what Swedish
//! needs; it is not the full Unicode case-folding table, whose extra cases (`ß`, final sigma)
//! do not occur in Swedish unit names). So `Söder`, `söder` and `So\u{308}der` (an `o` followed by
//! a combining diaeresis, as some systems write it) are one unit. The name keeps the form it was
//! written in for display; [`UnitName::key`] is the form it is compared and looked up by.

use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, ErrorKind, Result};
use crate::text::Text;

/// The name of an organisational unit, valid by construction (see the [module docs](self)).
///
/// Equality and hashing go by [`UnitName::key`]; `Display`, [`UnitName::as_str`] and
/// serialisation give the name as it was written.
#[derive(Clone, Debug)]
pub struct UnitName {
    display: String,
    key: String,
}

impl UnitName {
    /// Longest accepted unit name, in characters (Unicode scalar values after NFC).
    pub const MAX_CHARS: usize = 100;

    /// Parses a unit name.
    ///
    /// # Errors
    ///
    /// An [`Error`] of kind [`ErrorKind::InvalidArgument`] if `text` breaks the rule in the
    /// [module docs](self). The message never repeats the text.
    pub fn parse(text: &str) -> Result<UnitName> {
        let nfc: String = text.nfc().collect();
        let length = nfc.chars().count();
        let mut previous_space = false;
        let shaped = (1..=UnitName::MAX_CHARS).contains(&length)
            && nfc.chars().next().is_some_and(char::is_alphanumeric)
            && !nfc.ends_with(' ')
            && nfc.chars().all(|c| {
                let ok = if c == ' ' {
                    !previous_space
                } else {
                    c.is_alphanumeric() || is_mark(c) || SEPARATORS.contains(&c)
                };
                previous_space = c == ' ';
                ok
            });
        if !shaped {
            return Err(Error::new(ErrorKind::InvalidArgument, rule_text()));
        }
        Ok(UnitName {
            display: text.to_owned(),
            key: nfc.to_lowercase(),
        })
    }

    /// The name as it was written, for display.
    pub fn as_str(&self) -> &str {
        &self.display
    }

    /// The form two names are compared by: NFC, then lowercase.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Whether `other` names this unit: it is a unit name and the same unit.
    pub fn matches(&self, other: &str) -> bool {
        UnitName::parse(other).is_ok_and(|other| other == *self)
    }
}

/// The comparison form of any text, a unit name or not (NFC, then lowercase), for stores that
/// look units up by it. For a [`UnitName`] it equals [`UnitName::key`].
pub fn unit_key(text: &str) -> String {
    text.nfc().collect::<String>().to_lowercase()
}

/// The rule as a message, in both languages: what a unit name may hold.
pub fn rule_text() -> Text {
    Text {
        sv: format!(
            "en enhets namn är 1 till {} tecken: bokstäver och siffror med enkla mellanslag eller \
             `-`, `,`, `.`, `_`, `'`, `&`, `/`, `(`, `)` mellan, och börjar med en bokstav eller \
             siffra",
            UnitName::MAX_CHARS
        ),
        en: format!(
            "a unit name is 1 to {} characters: letters and digits with single spaces or `-`, \
             `,`, `.`, `_`, `'`, `&`, `/`, `(`, `)` between them, starting with a letter or digit",
            UnitName::MAX_CHARS
        ),
    }
}

/// Separators besides the single space.
const SEPARATORS: &[char] = &['-', ',', '.', '_', '\'', '&', '/', '(', ')'];

/// Combining marks that NFC leaves in place (scripts without precomposed letters); they belong to
/// the letter before them.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}' | '\u{fe20}'..='\u{fe2f}')
}

impl PartialEq for UnitName {
    fn eq(&self, other: &UnitName) -> bool {
        self.key == other.key
    }
}

impl Eq for UnitName {}

impl Hash for UnitName {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl fmt::Display for UnitName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

impl std::str::FromStr for UnitName {
    type Err = Error;

    fn from_str(text: &str) -> Result<UnitName> {
        UnitName::parse(text)
    }
}

impl Serialize for UnitName {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.display)
    }
}

impl<'de> Deserialize<'de> for UnitName {
    fn deserialize<D: Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<UnitName, D::Error> {
        let text = String::deserialize(deserializer)?;
        UnitName::parse(&text).map_err(|error| serde::de::Error::custom(error.message_en()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(text: &str) -> UnitName {
        UnitName::parse(text).expect("test name is a unit name")
    }

    #[test]
    fn swedish_names_are_unit_names() {
        for name in [
            "Östermalm",
            "Sankt Örjan",
            "Söder",
            "norr",
            "soder",
            "okand",
            "Enheten för ekonomiskt bistånd, Norr",
            "Försörjningsstöd Norr",
            "Team 3",
            "Vuxen-enheten",
        ] {
            assert_eq!(unit(name).as_str(), name);
        }
    }

    #[test]
    fn nfc_and_case_make_one_unit_and_keep_the_display_form() {
        let composed = unit("Söder");
        let decomposed = unit("So\u{308}der");
        let lower = unit("söder");
        assert_eq!(composed, decomposed);
        assert_eq!(composed, lower);
        assert_eq!(unit("ÖSTERMALM"), unit("östermalm"));
        assert_eq!(unit("Sankt Örjan"), unit("sankt örjan"));
        assert_eq!(decomposed.as_str(), "So\u{308}der");
        assert_eq!(decomposed.to_string(), "So\u{308}der");
        assert_eq!(composed.key(), "söder");
        assert_eq!(decomposed.key(), "söder");
        assert_eq!(unit_key("SO\u{308}DER"), "söder");
        assert_ne!(unit("Söder"), unit("Soder"));
        assert_ne!(unit("Sankt Örjan"), unit("SanktÖrjan"));
        assert!(composed.matches("SÖDER"));
        assert!(!composed.matches("Norr"));
        assert!(!composed.matches(" söder"));
        let set: std::collections::HashSet<UnitName> =
            [composed, decomposed, lower].into_iter().collect();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn what_is_not_a_unit_name() {
        let long = "ö".repeat(UnitName::MAX_CHARS + 1);
        for bad in [
            "",
            " ",
            " Söder",
            "Söder ",
            "Sankt  Örjan",
            "Sankt\tÖrjan",
            "a\nb",
            "-norr",
            "norr;drop",
            "norr\u{0}",
            "😀",
            long.as_str(),
        ] {
            let error = UnitName::parse(bad).expect_err("not a unit name");
            assert_eq!(error.kind(), ErrorKind::InvalidArgument);
            assert_eq!(error.text(), &rule_text());
        }
        // The bound counts characters after NFC, not bytes: 100 decomposed `ö` are 100.
        assert!(UnitName::parse(&"ö".repeat(UnitName::MAX_CHARS)).is_ok());
        assert!(UnitName::parse(&"o\u{308}".repeat(UnitName::MAX_CHARS)).is_ok());
    }

    #[test]
    fn serde_keeps_the_display_form_and_refuses_non_names() {
        let name: UnitName = serde_json::from_str("\"So\\u0308der\"").expect("a unit name");
        assert_eq!(name, unit("Söder"));
        assert_eq!(
            serde_json::to_string(&name).expect("serialises"),
            "\"So\u{308}der\""
        );
        assert!(serde_json::from_str::<UnitName>("\"a\\tb\"").is_err());
    }
}
