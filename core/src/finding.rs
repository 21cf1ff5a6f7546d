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

/// Whom a finding is for: who can put it right.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The caseworker filling in the form: an answer is missing, too long, out of range, or
    /// breaks a rule of the form. A form shows these beside the question.
    Caseworker,
    /// The integrator whose program built the document: the payload has a shape no form would
    /// produce (an unknown key, a value of the wrong type, a code not in the list). A caseworker
    /// cannot put these right; a vendor logs them and fixes its program.
    Integrator,
}

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
    ($($variant:ident => $name:literal, $audience:ident, $doc:literal;)*) => {
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

            /// Whom findings of this code are for.
            pub fn audience(self) -> Audience {
                match self {
                    $(FindingCode::$variant => Audience::$audience,)*
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
    UnknownItem => "unknown_item", Integrator, "An answer is keyed by an id the definition does not have.";
    DuplicateAnswer => "duplicate_answer", Integrator, "The same item id (or row key) appears twice in one object.";
    WrongType => "wrong_type", Integrator, "The answer has the wrong JSON type for its item (a number where a code is expected, ...).";
    NotInCodeList => "not_in_code_list", Integrator, "A choice, ranking or multiple-choice answer is not a code of the item's list.";
    OutOfBounds => "out_of_bounds", Caseworker, "A number is outside the item's minimum and maximum.";
    InvalidDate => "invalid_date", Caseworker, "A date is not a real calendar date written YYYY-MM-DD.";
    DuplicateChoice => "duplicate_choice", Integrator, "A multiple-choice answer selects the same code twice.";
    SelectionCount => "selection_count", Caseworker, "A multiple-choice answer selects fewer or more codes than the item allows.";
    RankingDuplicate => "ranking_duplicate", Integrator, "A ranking lists the same subject twice.";
    TooManyRanked => "too_many_ranked", Caseworker, "A ranking lists more subjects than the item allows.";
    RankingNotEligible => "ranking_not_eligible", Caseworker, "A ranking lists a subject that may not be ranked, e.g. a life area where the client has no problem.";
    TooManyRows => "too_many_rows", Caseworker, "A repeating group has more rows than allowed.";
    TooFewRows => "too_few_rows", Caseworker, "A repeating group has fewer rows than required (error when complete, warning in a draft).";
    TextTooLong => "text_too_long", Caseworker, "A free-text answer is longer than the item's maximum length.";
    NotEnabled => "not_enabled", Caseworker, "An item is answered although its condition on other answers does not hold.";
    HiddenItemPresent => "hidden_item_present", Integrator, "An item hidden by the organisation profile is answered.";
    DateOrder => "date_order", Caseworker, "A date is before (or after) a date it must follow (or precede), e.g. a follow-up before the interview.";
    RequiredMissing => "required_missing", Caseworker, "A required, enabled, visible item is unanswered (error when complete, warning in a draft).";
    PossibleIdentifier => "possible_identifier", Caseworker, "Free text looks like it contains a personnummer, e-mail address or phone number (warning).";
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
    /// Whom the finding is for: the caseworker filling in the form or the integrator whose
    /// payload is malformed (the code's [`FindingCode::audience`]).
    pub audience: Audience,
    /// Where: an item id, with `[n]` for a row or list position
    /// (`genomforandeplan.mal[0].uppfoljningsdatum`), or an envelope field (`interview_date`).
    pub path: String,
    /// Where, in the form's own terms: the section and question labels, rows counted from 1
    /// (`Genomförandeplan › Mål 1 › Ansvarig`).
    pub location: Text,
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

impl Report {
    /// The number of errors and warnings in words, plurals right in both languages
    /// (`1 fel, 2 varningar`, `1 error, 2 warnings`).
    pub fn counts(&self) -> Text {
        Text {
            sv: format!(
                "{} fel, {}",
                self.errors,
                counted(self.warnings as u64, "varning", "varningar")
            ),
            en: format!(
                "{}, {}",
                counted(self.errors as u64, "error", "errors"),
                counted(self.warnings as u64, "warning", "warnings")
            ),
        }
    }
}

/// `n` and the singular or plural noun.
pub(crate) fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
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
            JsonType::String => ("en text", "a string"),
            JsonType::Integer => ("ett heltal", "an integer"),
            JsonType::Number => ("ett tal med decimaler", "a decimal number"),
            JsonType::Boolean => ("ett ja- eller nej-svar", "a boolean"),
            JsonType::Array => ("en lista", "an array"),
            JsonType::Object => ("en grupp av svar", "an object"),
            JsonType::Null => ("ett tomt svar", "null"),
        }
    }
}

/// What an item expects, named in `wrong_type` messages.
pub(crate) fn expected_text(kind: &crate::instrument::ItemKind) -> (&'static str, &'static str) {
    use crate::instrument::ItemKind as K;
    match kind {
        K::SingleChoice { .. } => ("ett av svarsalternativen", "a code from the code list"),
        K::MultipleChoice { .. } => ("en lista med svarsalternativ", "an array of codes"),
        K::Integer { .. } => ("ett heltal", "an integer"),
        K::Decimal { .. } => ("ett tal", "a number"),
        K::Date { .. } => ("ett datum (ÅÅÅÅ-MM-DD)", "a date (YYYY-MM-DD)"),
        K::Boolean => ("ett ja- eller nej-svar", "true or false"),
        K::Text { .. } => ("en text", "a string"),
        K::Ranking { .. } => (
            "en lista med områden i prioritetsordning",
            "an array of codes in order of priority",
        ),
        K::Group(_) => ("en lista med rader", "an array of row objects"),
    }
}

/// The message texts, one function per code, built only from definition data and JSON types.
pub(crate) mod messages {
    use super::{IdentifierHint, JsonType, Text, counted};

    fn quoted(label: &Text) -> (String, String) {
        (format!("”{}”", label.sv), format!("\"{}\"", label.en))
    }

    /// The parts one after another, in one allocation: the messages every incomplete document
    /// gets (a missing answer, an answer that does not apply) are built this way, not with
    /// `format!`, which took a tenth of validating a draft.
    fn concat(parts: &[&str]) -> String {
        let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
        for part in parts {
            out.push_str(part);
        }
        out
    }

    pub(crate) fn unknown_item(instrument: &str, version: &str) -> Text {
        Text {
            sv: format!(
                "Frågan finns inte i formuläret {} version {version}; kontrollera frågans beteckning",
                instrument.to_uppercase()
            ),
            en: format!("No such item in {instrument} version {version}; check the id"),
        }
    }

    pub(crate) fn duplicate_answer() -> Text {
        Text {
            sv: "Samma fråga har fått två svar; bara ett svar får anges".into(),
            en: "The same item is answered twice in one object; give one answer only".into(),
        }
    }

    pub(crate) fn wrong_type(expected: (&str, &str), found: JsonType) -> Text {
        let (found_sv, found_en) = found.text();
        Text {
            sv: format!(
                "Svaret har fel form: här ska det vara {}, men det är {found_sv}",
                expected.0
            ),
            en: format!(
                "Wrong type of answer: expected {}, found {found_en}",
                expected.1
            ),
        }
    }

    pub(crate) fn not_in_code_list(label: &Text, list: &str) -> Text {
        Text {
            sv: concat(&[
                "Svaret är inte ett av svarsalternativen för ”",
                &label.sv,
                "”",
            ]),
            en: concat(&[
                "The answer is not one of the options for \"",
                &label.en,
                "\" (code list ",
                list,
                ")",
            ]),
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
        // "svarsalternativ" is the same in singular and plural.
        let (how_sv, how_en) = if min == max {
            (
                format!("exakt {min}"),
                format!("exactly {}", counted(u64::from(min), "option", "options")),
            )
        } else if min == 0 {
            (
                format!("högst {max}"),
                format!("at most {}", counted(u64::from(max), "option", "options")),
            )
        } else {
            (
                format!("mellan {min} och {max}"),
                format!("between {min} and {max} options"),
            )
        };
        Text {
            sv: format!("Välj {how_sv} svarsalternativ för {sv}"),
            en: format!("Select {how_en} for {en}"),
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
            sv: format!(
                "Högst {} får rangordnas",
                counted(u64::from(max), "område", "områden")
            ),
            en: format!(
                "At most {} may be ranked",
                counted(u64::from(max), "subject", "subjects")
            ),
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
            sv: format!(
                "{sv} får ha högst {}",
                counted(u64::from(max), "rad", "rader")
            ),
            en: format!(
                "{en} may have at most {}",
                counted(u64::from(max), "row", "rows")
            ),
        }
    }

    pub(crate) fn too_few_rows(label: &Text, min: u32) -> Text {
        let (sv, en) = quoted(label);
        Text {
            sv: format!(
                "{sv} måste ha minst {}",
                counted(u64::from(min), "rad", "rader")
            ),
            en: format!(
                "{en} needs at least {}",
                counted(u64::from(min), "row", "rows")
            ),
        }
    }

    pub(crate) fn text_too_long(max: u32) -> Text {
        Text {
            sv: format!("Texten är för lång: högst {max} tecken"),
            en: format!(
                "The text is too long: at most {}",
                counted(u64::from(max), "character", "characters")
            ),
        }
    }

    pub(crate) fn not_enabled(label: &Text) -> Text {
        Text {
            sv: concat(&[
                "”",
                &label.sv,
                "” ska inte besvaras utifrån de svar som getts på tidigare frågor",
            ]),
            en: concat(&[
                "\"",
                &label.en,
                "\" does not apply given the answers to earlier questions and must be left out",
            ]),
        }
    }

    pub(crate) fn hidden_item_present(label: &Text) -> Text {
        Text {
            sv: concat(&[
                "”",
                &label.sv,
                "” är dold i organisationens profil och ska inte besvaras",
            ]),
            en: concat(&[
                "\"",
                &label.en,
                "\" is hidden by the organisation profile and must not be answered",
            ]),
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
        Text {
            sv: concat(&["Obligatorisk uppgift saknas: ”", &label.sv, "”"]),
            en: concat(&["Required answer missing: \"", &label.en, "\""]),
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

    /// The interview date as a heading, where a finding is.
    pub(crate) fn interview_date_heading() -> Text {
        Text {
            sv: "Intervjudatum".into(),
            en: "Interview date".into(),
        }
    }

    /// An answer keyed by something the form does not have, as a heading.
    pub(crate) fn unknown_item_heading() -> Text {
        Text {
            sv: "Okänd fråga".into(),
            en: "Unknown item".into(),
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
    fn the_documented_table_lists_every_code_with_its_description_and_audience() {
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
            let audience = match code.audience() {
                Audience::Caseworker => "| caseworker |",
                Audience::Integrator => "| integrator |",
            };
            assert!(
                line.contains(audience),
                "{} has another audience in the table",
                code.as_str()
            );
        }
    }

    /// Every message function, with counts of one and of many, in both languages: reviewed for
    /// plain Swedish (no code-list names, JSON types or English) and right plurals.
    #[test]
    fn every_message_in_both_languages() {
        use crate::instrument::ItemKind;
        let label = Text {
            sv: "Hur stort problem tycker du själv att detta är?".into(),
            en: "How big a problem do you yourself think this is?".into(),
        };
        let other = Text {
            sv: "Datum för uppföljning".into(),
            en: "Follow-up date".into(),
        };
        let mut all: Vec<(String, Text)> = vec![
            ("unknown_item".into(), messages::unknown_item("fia", "2")),
            ("duplicate_answer".into(), messages::duplicate_answer()),
            (
                "not_in_code_list".into(),
                messages::not_in_code_list(&label, "problem_klient"),
            ),
            (
                "out_of_bounds".into(),
                messages::out_of_bounds(&label, "0", "60"),
            ),
            ("invalid_date".into(), messages::invalid_date()),
            ("duplicate_choice".into(), messages::duplicate_choice()),
            ("ranking_duplicate".into(), messages::ranking_duplicate()),
            (
                "ranking_not_eligible".into(),
                messages::ranking_not_eligible(&label),
            ),
            ("not_enabled".into(), messages::not_enabled(&label)),
            (
                "hidden_item_present".into(),
                messages::hidden_item_present(&label),
            ),
            (
                "date_order_before".into(),
                messages::date_order_before(&other, &messages::interview_date_label()),
            ),
            (
                "date_order_after".into(),
                messages::date_order_after(&other, &label),
            ),
            (
                "required_missing".into(),
                messages::required_missing(&label),
            ),
            (
                "location_interview_date".into(),
                messages::interview_date_heading(),
            ),
            ("location_unknown".into(), messages::unknown_item_heading()),
        ];
        for hint in [
            IdentifierHint::PersonalNumber,
            IdentifierHint::Email,
            IdentifierHint::PhoneNumber,
        ] {
            all.push((
                format!("possible_identifier {hint:?}"),
                messages::possible_identifier(hint),
            ));
        }
        for n in [1, 2] {
            all.push((
                format!("selection_count exactly {n}"),
                messages::selection_count(&label, n, n),
            ));
            all.push((
                format!("selection_count at most {n}"),
                messages::selection_count(&label, 0, n),
            ));
            all.push((format!("too_many_ranked {n}"), messages::too_many_ranked(n)));
            all.push((
                format!("too_many_rows {n}"),
                messages::too_many_rows(&label, n),
            ));
            all.push((
                format!("too_few_rows {n}"),
                messages::too_few_rows(&label, n),
            ));
            all.push((format!("text_too_long {n}"), messages::text_too_long(n)));
        }
        all.push((
            "selection_count between".into(),
            messages::selection_count(&label, 1, 3),
        ));
        let list = crate::instrument::CodeListId::for_test();
        let kinds = [
            ItemKind::SingleChoice { list },
            ItemKind::MultipleChoice {
                list,
                min_selected: 0,
                max_selected: 2,
            },
            ItemKind::Integer { min: 0, max: 1 },
            ItemKind::Decimal { min: 0.0, max: 1.0 },
            ItemKind::Date {
                not_before: Vec::new(),
                not_after: Vec::new(),
            },
            ItemKind::Boolean,
        ];
        let found = [
            JsonType::String,
            JsonType::Integer,
            JsonType::Number,
            JsonType::Boolean,
            JsonType::Array,
            JsonType::Object,
            JsonType::Null,
        ];
        for (kind, found) in kinds.iter().zip(found.iter().cycle().skip(1)) {
            all.push((
                format!("wrong_type {found:?}"),
                messages::wrong_type(expected_text(kind), *found),
            ));
        }
        all.push((
            "wrong_type String".into(),
            messages::wrong_type(expected_text(&ItemKind::Boolean), JsonType::String),
        ));
        all.push((
            "wrong_type Null".into(),
            messages::wrong_type(expected_text(&ItemKind::Boolean), JsonType::Null),
        ));
        for (errors, warnings) in [(0, 0), (1, 1), (2, 2)] {
            let report = Report {
                instrument: "fia".into(),
                version: "2".into(),
                status: crate::document::Status::Complete,
                valid: errors == 0,
                errors,
                warnings,
                findings: Vec::new(),
            };
            all.push((format!("counts {errors} {warnings}"), report.counts()));
        }
        for (name, text) in &all {
            for word in [
                "kodlista",
                "true",
                "false",
                "objekt",
                "textsträng",
                "null",
                "id:t",
            ] {
                assert!(!text.sv.contains(word), "{name}: {word} in {}", text.sv);
            }
        }
        let lines: Vec<String> = all
            .iter()
            .map(|(name, text)| format!("{name}\n  sv: {}\n  en: {}", text.sv, text.en))
            .collect();
        insta::assert_snapshot!("every_message", lines.join("\n"));
    }

    #[test]
    fn codes_are_unique() {
        let mut names: Vec<&str> = FindingCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FindingCode::ALL.len());
    }
}
