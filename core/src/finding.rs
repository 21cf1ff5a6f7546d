//! Findings: what validation reports about a document that parsed. Each finding has a stable
//! [`FindingCode`], a severity, the path of the answer it concerns and a message in Swedish and
//! English. A finding never contains the answer's value: messages are built only from the
//! definition (labels, bounds) and the shape of the input (its JSON type).
//!
//! The codes are documented in one table, `docs/findings.md`, and their messages are snapshot
//! tested in both languages.

use serde::Serialize;

use crate::identifier::IdentifierHint;
use crate::text::Text;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The document breaks a rule; a `complete` document with errors is not valid.
    Error,
    /// Worth a look, but the document is valid.
    Warning,
}

macro_rules! finding_codes {
    ($($variant:ident => $name:literal, $doc:literal;)*) => {
        /// A stable finding code. Codes are permanent: new ones may be added, none is renamed.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum FindingCode {
            $(#[doc = $doc] $variant,)*
        }

        impl FindingCode {
            /// Every code, in the order findings on the same path are reported.
            pub const ALL: &'static [FindingCode] = &[$(FindingCode::$variant,)*];

            /// The code as it appears in reports (`required_missing`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(FindingCode::$variant => $name,)*
                }
            }

            /// One line describing when the code is reported.
            pub fn description(self) -> &'static str {
                match self {
                    $(FindingCode::$variant => $doc,)*
                }
            }
        }
    };
}

finding_codes! {
    UnknownItem => "unknown_item", "An answer is keyed by an id the definition does not have.";
    DuplicateAnswer => "duplicate_answer", "The same item id (or row key) appears twice in one object.";
    WrongType => "wrong_type", "The answer has the wrong JSON type for its item (a number where a code is expected, ...).";
    NotInCodeList => "not_in_code_list", "A choice, ranking or multiple-choice answer is not a code of the item's list.";
    OutOfBounds => "out_of_bounds", "A number is outside the item's minimum and maximum.";
    InvalidDate => "invalid_date", "A date is not a real calendar date written YYYY-MM-DD.";
    DuplicateChoice => "duplicate_choice", "A multiple-choice answer selects the same code twice.";
    SelectionCount => "selection_count", "A multiple-choice answer selects fewer or more codes than the item allows.";
    RankingDuplicate => "ranking_duplicate", "A ranking lists the same subject twice.";
    TooManyRanked => "too_many_ranked", "A ranking lists more subjects than the item allows.";
    RankingNotEligible => "ranking_not_eligible", "A ranking lists a subject that may not be ranked, e.g. a life area where the client has no problem.";
    TooManyRows => "too_many_rows", "A repeating group has more rows than allowed.";
    TooFewRows => "too_few_rows", "A repeating group has fewer rows than required (error when complete, warning in a draft).";
    TextTooLong => "text_too_long", "A free-text answer is longer than the item's maximum length.";
    NotEnabled => "not_enabled", "An item is answered although its condition on other answers does not hold.";
    HiddenItemPresent => "hidden_item_present", "An item hidden by the organisation profile is answered.";
    DateOrder => "date_order", "A date is before (or after) a date it must follow (or precede), e.g. a follow-up before the interview.";
    RequiredMissing => "required_missing", "A required, enabled, visible item is unanswered (error when complete, warning in a draft).";
    PossibleIdentifier => "possible_identifier", "Free text looks like it contains a personnummer, e-mail address or phone number (warning).";
}

impl Serialize for FindingCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// In the OpenAPI description a code is one of [`FindingCode::ALL`], each described.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for FindingCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let described: String = FindingCode::ALL
            .iter()
            .map(|code| format!("\n- `{}`: {}", code.as_str(), code.description()))
            .collect();
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(FindingCode::ALL.iter().map(|code| code.as_str())))
            .description(Some(format!(
                "A stable finding code (new ones may be added; see docs/findings.md):{described}"
            )))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for FindingCode {}

/// One finding about one answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code.
    pub code: FindingCode,
    /// Where: an item id, with `[n]` for a row or list position
    /// (`genomforandeplan.mal[0].uppfoljningsdatum`), or an envelope field (`interview_date`).
    pub path: String,
    /// What is wrong and what to do, in Swedish and English.
    pub message: Text,
    #[serde(skip)]
    pub(crate) sort_key: Vec<u32>,
}

/// The result of validating one document.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    /// The instrument the document answers.
    pub instrument: String,
    /// Its version.
    pub version: String,
    /// `draft` or `complete`.
    pub status: crate::document::Status,
    /// No finding of severity error.
    pub valid: bool,
    /// Number of error findings.
    pub errors: usize,
    /// Number of warning findings.
    pub warnings: usize,
    /// Findings in document order: by item in definition order, then row, then code.
    pub findings: Vec<Finding>,
}

impl Report {
    pub(crate) fn new(
        instrument: &str,
        version: &str,
        status: crate::document::Status,
        mut findings: Vec<Finding>,
    ) -> Report {
        findings.sort_by(|a, b| a.sort_key.cmp(&b.sort_key).then(a.code.cmp(&b.code)));
        let errors = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        Report {
            instrument: instrument.to_owned(),
            version: version.to_owned(),
            status,
            valid: errors == 0,
            errors,
            warnings: findings.len() - errors,
            findings,
        }
    }
}

/// The JSON type of a value, named in `wrong_type` messages instead of the value itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JsonType {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
    Null,
}

impl JsonType {
    fn text(self) -> (&'static str, &'static str) {
        match self {
            JsonType::String => ("en textsträng", "a string"),
            JsonType::Integer => ("ett heltal", "an integer"),
            JsonType::Number => ("ett decimaltal", "a decimal number"),
            JsonType::Boolean => ("ett sanningsvärde", "a boolean"),
            JsonType::Array => ("en lista", "an array"),
            JsonType::Object => ("ett objekt", "an object"),
            JsonType::Null => ("null", "null"),
        }
    }
}

/// What an item expects, named in `wrong_type` messages.
pub(crate) fn expected_text(kind: &crate::instrument::ItemKind) -> (&'static str, &'static str) {
    use crate::instrument::ItemKind as K;
    match kind {
        K::SingleChoice { .. } => ("en kod ur kodlistan", "a code from the code list"),
        K::MultipleChoice { .. } => ("en lista med koder", "an array of codes"),
        K::Integer { .. } => ("ett heltal", "an integer"),
        K::Decimal { .. } => ("ett tal", "a number"),
        K::Date { .. } => ("ett datum (ÅÅÅÅ-MM-DD)", "a date (YYYY-MM-DD)"),
        K::Boolean => ("ja eller nej (true/false)", "true or false"),
        K::Text { .. } => ("en text", "a string"),
        K::Ranking { .. } => (
            "en lista med koder i prioritetsordning",
            "an array of codes in order of priority",
        ),
        K::Group(_) => ("en lista med rader (objekt)", "an array of row objects"),
    }
}

/// The message texts, one function per code, built only from definition data and JSON types.
pub(crate) mod messages {
    use super::{IdentifierHint, JsonType, Text};

    fn quoted(label: &Text) -> (String, String) {
        (format!("”{}”", label.sv), format!("\"{}\"", label.en))
    }

    pub(crate) fn unknown_item(instrument: &str, version: &str) -> Text {
        Text {
            sv: format!("Frågan finns inte i {instrument} version {version}; kontrollera id:t"),
            en: format!("No such item in {instrument} version {version}; check the id"),
        }
    }

    pub(crate) fn duplicate_answer() -> Text {
        Text {
            sv: "Samma fråga besvaras två gånger i samma objekt; bara ett svar får anges".into(),
            en: "The same item is answered twice in one object; give one answer only".into(),
        }
    }

    pub(crate) fn wrong_type(expected: (&str, &str), found: JsonType) -> Text {
        let (found_sv, found_en) = found.text();
        Text {
            sv: format!(
                "Fel typ av svar: förväntade {}, fick {found_sv}",
                expected.0
            ),
            en: format!(
                "Wrong type of answer: expected {}, found {found_en}",
                expected.1
            ),
        }
    }

    pub(crate) fn not_in_code_list(label: &Text, list: &str) -> Text {
        let (sv, en) = quoted(label);
        Text {
            sv: format!("Svaret är inte ett av svarsalternativen för {sv} (kodlista {list})"),
            en: format!("The answer is not one of the options for {en} (code list {list})"),
        }
    }

    pub(crate) fn out_of_bounds(label: &Text, min: &str, max: &str) -> Text {
        let (sv, en) = quoted(label);
        Text {
            sv: format!("Värdet för {sv} måste vara mellan {min} och {max}"),
            en: format!("The value for {en} must be between {min} and {max}"),
        }
    }

    pub(crate) fn invalid_date() -> Text {
        Text {
            sv: "Datumet måste vara ett giltigt datum skrivet ÅÅÅÅ-MM-DD".into(),
            en: "The date must be a real calendar date written YYYY-MM-DD".into(),
        }
    }

    pub(crate) fn duplicate_choice() -> Text {
        Text {
            sv: "Samma svarsalternativ är valt mer än en gång".into(),
            en: "The same option is selected more than once".into(),
        }
    }

    pub(crate) fn selection_count(label: &Text, min: u32, max: u32) -> Text {
        let (sv, en) = quoted(label);
        Text {
            sv: format!("Välj mellan {min} och {max} svarsalternativ för {sv}"),
            en: format!("Select between {min} and {max} options for {en}"),
        }
    }

    pub(crate) fn ranking_duplicate() -> Text {
        Text {
            sv: "Samma område förekommer mer än en gång i rangordningen".into(),
            en: "The same subject appears more than once in the ranking".into(),
        }
    }

    pub(crate) fn too_many_ranked(max: u32) -> Text {
        Text {
            sv: format!("Högst {max} områden får rangordnas"),
            en: format!("At most {max} subjects may be ranked"),
        }
    }

    pub(crate) fn ranking_not_eligible(subject: &Text) -> Text {
        let (sv, en) = quoted(subject);
        Text {
            sv: format!(
                "{sv} kan inte rangordnas eftersom klienten inte har angett problem inom området"
            ),
            en: format!(
                "{en} cannot be ranked because the client reported no problem in that area"
            ),
        }
    }

    pub(crate) fn too_many_rows(label: &Text, max: u32) -> Text {
        let (sv, en) = quoted(label);
        Text {
            sv: format!("{sv} får ha högst {max} rader"),
            en: format!("{en} may have at most {max} rows"),
        }
    }

    pub(crate) fn too_few_rows(label: &Text, min: u32) -> Text {
        let (sv, en) = quoted(label);
        Text {
            sv: format!("{sv} måste ha minst {min} rader"),
            en: format!("{en} needs at least {min} rows"),
        }
    }

    pub(crate) fn text_too_long(max: u32) -> Text {
        Text {
            sv: format!("Texten är för lång: högst {max} tecken"),
            en: format!("The text is too long: at most {max} characters"),
        }
    }

    pub(crate) fn not_enabled(label: &Text) -> Text {
        let (sv, en) = quoted(label);
        Text {
            sv: format!("{sv} ska inte besvaras utifrån de svar som getts på tidigare frågor"),
            en: format!(
                "{en} does not apply given the answers to earlier questions and must be left out"
            ),
        }
    }

    pub(crate) fn hidden_item_present(label: &Text) -> Text {
        let (sv, en) = quoted(label);
        Text {
            sv: format!("{sv} är dold i organisationens profil och ska inte besvaras"),
            en: format!("{en} is hidden by the organisation profile and must not be answered"),
        }
    }

    pub(crate) fn date_order_before(label: &Text, reference: &Text) -> Text {
        let (sv, en) = quoted(label);
        let (ref_sv, ref_en) = quoted(reference);
        Text {
            sv: format!("{sv} får inte vara före {ref_sv}"),
            en: format!("{en} must not be before {ref_en}"),
        }
    }

    pub(crate) fn date_order_after(label: &Text, reference: &Text) -> Text {
        let (sv, en) = quoted(label);
        let (ref_sv, ref_en) = quoted(reference);
        Text {
            sv: format!("{sv} får inte vara efter {ref_sv}"),
            en: format!("{en} must not be after {ref_en}"),
        }
    }

    pub(crate) fn required_missing(label: &Text) -> Text {
        let (sv, en) = quoted(label);
        Text {
            sv: format!("Obligatorisk uppgift saknas: {sv}"),
            en: format!("Required answer missing: {en}"),
        }
    }

    pub(crate) fn possible_identifier(hint: IdentifierHint) -> Text {
        let (sv, en) = match hint {
            IdentifierHint::PersonalNumber => (
                "ett personnummer eller samordningsnummer",
                "a personnummer or samordningsnummer",
            ),
            IdentifierHint::Email => ("en e-postadress", "an e-mail address"),
            IdentifierHint::PhoneNumber => ("ett telefonnummer", "a phone number"),
        };
        Text {
            sv: format!(
                "Fritexten verkar innehålla {sv}; skriv inte personuppgifter som identifierar någon i fritext"
            ),
            en: format!(
                "The free text seems to contain {en}; do not write identifying personal data in free text"
            ),
        }
    }

    pub(crate) fn interview_date_label() -> Text {
        Text {
            sv: "intervjudatum".into(),
            en: "the interview date".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_table_lists_every_code_with_its_description() {
        let table = include_str!("../../docs/findings.md");
        for code in FindingCode::ALL {
            let row = format!("| `{}` |", code.as_str());
            let line = table
                .lines()
                .find(|l| l.starts_with(&row))
                .unwrap_or_else(|| panic!("{} undocumented", code.as_str()));
            assert!(
                line.contains(code.description()),
                "{} described differently",
                code.as_str()
            );
        }
    }

    #[test]
    fn codes_are_unique() {
        let mut names: Vec<&str> = FindingCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FindingCode::ALL.len());
    }
}
