//! The generic validator: bytes in, a typed [`Document`] and a [`Report`] of findings out.
//!
//! Order of work: size limit, UTF-8, then one streaming parse (envelope and answers, with
//! per-answer checks), then the rules that need the whole document (conditions, hidden items,
//! required answers, rankings, date order). Anything that stops the parse is an [`Error`];
//! everything else is a finding.

mod answers;
mod envelope;
mod json;
mod parse;
mod rules;

use crate::Text;
use crate::document::{Document, Limits};
use crate::error::{Error, ErrorKind, Result, displayable_key};
use crate::finding::{FindingCode, Report, Severity, messages};
use crate::instrument::Definition;
use envelope::{Envelope, InterviewDate, ReadAnswers, read_answers};
use json::{Reader, Stop};
use parse::{Ctx, Path};

/// Finds the definition (and the profile's hidden-item flags, indexed by item) for an instrument
/// and version named in a document.
pub(crate) type Lookup<'l, 'd> = &'l dyn Fn(&str, &str) -> Result<(&'d Definition, &'d [bool])>;

/// A document that parsed, with its definition and its findings.
#[derive(Debug)]
pub struct Validated<'d> {
    /// The definition the document answers.
    pub definition: &'d Definition,
    /// The parsed answers.
    pub document: Document,
    /// The findings.
    pub report: Report,
}

pub(crate) fn validate_bytes<'d>(
    lookup: Lookup<'_, 'd>,
    guess: Option<(&'d Definition, &'d [bool])>,
    expected_instrument: Option<&str>,
    bytes: &[u8],
    limits: Limits,
) -> Result<Validated<'d>> {
    if bytes.len() > limits.max_bytes() {
        let max = limits.max_bytes();
        return Err(Error::new(
            ErrorKind::TooLarge,
            Text {
                sv: format!("dokumentet är {} byte; gränsen är {max} byte", bytes.len()),
                en: format!(
                    "document is {} bytes; the limit is {max} bytes",
                    bytes.len()
                ),
            },
        ));
    }
    // The SIMD check answers only yes or no; std's (scalar, several times slower on documents
    // with Swedish text) runs only to say where a bad document goes wrong.
    let text = simdutf8::basic::from_utf8(bytes)
        .or_else(|_| std::str::from_utf8(bytes))
        .map_err(|e| {
            Error::new(
                ErrorKind::InvalidUtf8,
                Text {
                    sv: format!(
                        "dokumentet är inte giltig UTF-8 (första ogiltiga byte vid position {})",
                        e.valid_up_to()
                    ),
                    en: format!(
                        "document is not valid UTF-8 (first invalid byte at offset {})",
                        e.valid_up_to()
                    ),
                },
            )
        })?;
    let mut reader = Reader::new(text, 0, limits.max_depth());
    let envelope = envelope::envelope(&mut reader, lookup, guess, expected_instrument)
        .and_then(|envelope| reader.end().map(|()| envelope))
        .map_err(|Stop| stopped(&mut reader))?;
    finish(
        envelope,
        text,
        lookup,
        expected_instrument,
        limits.max_depth(),
    )
}

/// Why reading stopped: our own failure if there was one, else the text is malformed JSON, which
/// serde_json then says where and how (its syntax messages name the problem and the position,
/// never the content).
fn stopped(reader: &mut Reader<'_>) -> Error {
    if let Some(failure) = reader.take_failure() {
        return failure;
    }
    let max = reader.max_depth();
    let Err(error) = serde_json::from_str::<Checked>(reader.text()) else {
        // The reader accepts what serde_json accepts (tested); should the two ever disagree,
        // the document is still refused, without a position.
        return malformed(0, 0, "syntax error");
    };
    let what = error.to_string();
    let what = what.split(" at line ").next().unwrap_or("syntax error");
    if what.starts_with("recursion limit exceeded") {
        return json::too_deep(max);
    }
    malformed(error.line(), error.column(), what)
}

/// Any JSON value, read by serde_json as strictly as a `serde_json::Value` (every string decoded,
/// every number converted) but without building one: serde's `IgnoredAny` lets serde_json skip
/// values without those checks, and a `Value` of a large malformed document would be many times
/// its size.
struct Checked;

impl<'de> serde::Deserialize<'de> for Checked {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CheckedVisitor)
    }
}

struct CheckedVisitor;

impl<'de> serde::de::Visitor<'de> for CheckedVisitor {
    type Value = Checked;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_str<E>(self, _: &str) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_unit<E>(self) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Checked)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
        while map.next_key::<Checked>()?.is_some() {
            map.next_value::<Checked>()?;
        }
        Ok(Checked)
    }
}

fn malformed(line: usize, column: usize, what: &str) -> Error {
    Error::new(
        ErrorKind::MalformedJson,
        Text {
            sv: format!(
                "felaktig JSON på rad {line} kolumn {column}: {}",
                syntax_in_swedish(what)
            ),
            en: format!("malformed JSON at line {line} column {column}: {what}"),
        },
    )
}

/// serde_json's syntax messages (fixed texts, never content) in Swedish.
fn syntax_in_swedish(what: &str) -> &'static str {
    match what {
        "EOF while parsing a value" => "texten tar slut mitt i ett värde",
        "EOF while parsing a string" => "texten tar slut mitt i en sträng",
        "EOF while parsing a list" => "texten tar slut mitt i en lista",
        "EOF while parsing an object" => "texten tar slut mitt i ett objekt",
        "trailing characters" => "tecken efter dokumentets slut",
        "trailing comma" => "kommatecken före slutparentes",
        "expected value" => "ett värde förväntades",
        "expected `:`" => "`:` förväntades",
        "expected `,` or `]`" => "`,` eller `]` förväntades",
        "expected `,` or `}`" => "`,` eller `}` förväntades",
        "expected ident" => "true, false eller null förväntades",
        "key must be a string" => "nycklar måste vara strängar",
        "invalid escape" => "ogiltig escape-sekvens",
        "invalid number" => "ogiltigt tal",
        "number out of range" => "talet är för stort",
        "invalid unicode code point" => "ogiltig unicode-kodpunkt",
        "control character (\\u0000-\\u001F) found while parsing a string" => {
            "styrtecken i en sträng"
        }
        "lone leading surrogate in hex escape" | "unexpected end of hex escape" => {
            "ogiltig \\u-sekvens"
        }
        _ => "syntaxfel",
    }
}

fn invalid(text: Text) -> Error {
    Error::new(ErrorKind::InvalidDocument, text)
}

/// Reads the answers again if they were read with a definition other than the one the envelope
/// names (or passed over), then runs the whole-document rules.
fn finish<'d>(
    envelope: Envelope<'_, 'd>,
    text: &str,
    lookup: Lookup<'_, 'd>,
    expected_instrument: Option<&str>,
    max_depth: usize,
) -> Result<Validated<'d>> {
    let ReadAnswers {
        definition,
        hidden,
        findings,
        values,
    } = match envelope.answers.read {
        Some(read)
            if read.definition.instrument() == envelope.instrument
                && read.definition.version() == envelope.version =>
        {
            read
        }
        _ => {
            let (definition, hidden) = resolve(
                lookup,
                expected_instrument,
                &envelope.instrument,
                &envelope.version,
            )?;
            let mut reader = Reader::new(text, envelope.answers.at, max_depth);
            read_answers(&mut reader, definition, hidden).map_err(|Stop| stopped(&mut reader))?
        }
    };
    let mut ctx = Ctx {
        definition,
        findings,
    };
    let interview_date = match envelope.interview_date {
        InterviewDate::Valid(date) => Some(date),
        InterviewDate::Invalid => {
            let path = Path::field("interview_date");
            ctx.report(
                Severity::Error,
                FindingCode::InvalidDate,
                &path,
                messages::invalid_date(),
            );
            None
        }
        InterviewDate::Missing => None,
    };
    let mut completed = vec![false; definition.sections().len()];
    for id in &envelope.completed_sections {
        let Some(index) = definition.sections().iter().position(|s| s.id == *id) else {
            let shown = displayable_key(id).unwrap_or("(not shown)");
            return Err(invalid(Text {
                sv: format!(
                    "`completed_sections` nämner `{shown}`, som inte är ett avsnitt i {} version {}",
                    definition.instrument(),
                    definition.version()
                ),
                en: format!(
                    "`completed_sections` names `{shown}`, which is not a section of {} version {}",
                    definition.instrument(),
                    definition.version()
                ),
            }));
        };
        completed[index] = true;
    }
    let document = Document {
        status: envelope.status,
        interview_date,
        unit: envelope.unit,
        completed_sections: completed,
        answers: values,
    };
    let date_missing = matches!(envelope.interview_date, InterviewDate::Missing);
    rules::check(&mut ctx, hidden, &document, date_missing);
    let report = Report::new(
        definition.instrument(),
        definition.version(),
        document.status,
        ctx.findings,
    );
    Ok(Validated {
        definition,
        document,
        report,
    })
}

/// Finds the definition a document names, refusing a document of another instrument than asked.
fn resolve<'d>(
    lookup: Lookup<'_, 'd>,
    expected_instrument: Option<&str>,
    instrument: &str,
    version: &str,
) -> Result<(&'d Definition, &'d [bool])> {
    if let Some(expected) = expected_instrument
        && expected != instrument
    {
        let shown = displayable_key(instrument).unwrap_or("(not shown)");
        return Err(Error::new(
            ErrorKind::InstrumentMismatch,
            Text {
                sv: format!(
                    "dokumentet gäller instrumentet `{shown}`, men `{expected}` efterfrågades"
                ),
                en: format!(
                    "document answers instrument `{shown}`, but `{expected}` was asked for"
                ),
            },
        ));
    }
    lookup(instrument, version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_serde_json_syntax_message_has_a_swedish_text() {
        let inputs = [
            "",
            "\"abc",
            "[1, 2",
            "{\"a\": 1",
            "{} x",
            "[1,]",
            "[}",
            "{\"a\" 1}",
            "[1 2]",
            "{\"a\": 1 \"b\"}",
            "tru",
            "{1: 2}",
            "\"\\q\"",
            "[-]",
            "[1e999]",
            "\"\\ud800\"",
            "\"a\u{1}b\"",
            "\"\\u12\"",
        ];
        for input in inputs {
            let error = serde_json::from_str::<serde_json::Value>(input).expect_err(input);
            let text = error.to_string();
            let what = text.split(" at line ").next().unwrap_or_default();
            assert_ne!(
                syntax_in_swedish(what),
                "syntaxfel",
                "no Swedish for `{what}` (from {input:?})"
            );
        }
    }

    /// A malformed document gets serde_json's own message and position, wherever the fault is
    /// and whichever of the two readers would notice it (the reader stops; serde_json says why).
    #[test]
    fn a_malformed_document_gets_serde_jsons_message_and_position() {
        let engine = crate::Engine::new().expect("builtin");
        let documents = [
            r#"{"instrument": "fia", "version": "1", "status": "draft", "answers": {"boende.omfattning": "inte_alls",}}"#,
            r#"{"instrument": "fia", "version": "1", "status": "draft", "answers": {"boende.omfattning": "\ud800"}}"#,
            r#"{"instrument": "fia", "version": "1", "status": "draft", "answers": {"x\ud800": 1}}"#,
            r#"{"instrument": "fia", "version": "1", "status": "draft", "answers": {"boende.omfattning": 1e999}}"#,
            r#"{"instrument": "fia", "version": "1", "status": "draft", "answers": {"okand": [1, 2e400]}}"#,
            r#"{"answers": {"boende.omfattning": "inte_alls" "boende.x": 1}, "instrument": "fia", "version": "1", "status": "draft"}"#,
            r#"{"answers": {}, "instrument": "fia", "version": "1", "status": "draft"} x"#,
            "{\"instrument\": \"fia\", \"version\": \"1\",\n \"status\": \"dra\u{1}ft\", \"answers\": {}}",
            r#"{"instrument": "fia", "version": "1", "status": "draft", "answers": {"boende.omfattning": tru}}"#,
            r#"{"instrument": "fia", "version": "1", "status": "draft", "answers": {"boende.omfattning": -}}"#,
            r#"{"instrument": "fia", "version": "1", "status": "draft", "answers": {"boende.omfattning": 01}}"#,
            r#"{"instrument": "fia""#,
        ];
        for document in documents {
            let error = engine
                .validate(None, document.as_bytes())
                .expect_err(document);
            assert_eq!(error.kind(), ErrorKind::MalformedJson, "{document}");
            let theirs = serde_json::from_str::<serde_json::Value>(document).expect_err(document);
            let what = theirs.to_string();
            let what = what.split(" at line ").next().expect("a message");
            let expected = format!(
                "malformed JSON at line {} column {}: {what}",
                theirs.line(),
                theirs.column()
            );
            assert_eq!(error.message_en(), expected, "{document}");
        }
    }

    #[test]
    fn a_null_row_is_a_wrong_type_like_the_schema_says() {
        let engine = crate::Engine::new().expect("builtin");
        let document = r#"{"instrument": "fia", "version": "1", "status": "draft", "unit": "Söder",
            "answers": {"genomforandeplan.mal": [null]}}"#;
        let report = engine.validate(None, document.as_bytes()).expect("report");
        assert!(!report.valid, "{report:?}");
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.code == crate::FindingCode::WrongType
                    && f.path == "genomforandeplan.mal[0]"),
            "{report:?}"
        );
    }
}
