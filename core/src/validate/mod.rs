//! The generic validator: bytes in, a typed [`Document`] and a [`Report`] of findings out.
//!
//! Order of work: size limit, UTF-8, then one streaming parse (envelope and answers, with
//! per-answer checks), then the rules that need the whole document (conditions, hidden items,
//! required answers, rankings, date order). Anything that stops the parse is an [`Error`];
//! everything else is a finding.

mod answers;
mod envelope;
mod parse;
mod rules;

use serde::de::DeserializeSeed;

use crate::Text;
use crate::document::{Document, Limits};
use crate::error::{Error, ErrorKind, Result, displayable_key};
use crate::finding::{FindingCode, Report, Severity, messages};
use crate::instrument::Definition;
use answers::AnswersSeed;
use envelope::{Answers, Envelope, EnvelopeSeed, InterviewDate};
use parse::{Ctx, Path, Sink};

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
    // At most two passes: the second only when a guess about the definition proved wrong, and
    // then without guessing.
    for (guess, read_ahead) in [(guess, true), (None, false)] {
        let mut sink = Sink {
            max_depth: limits.max_depth(),
            failure: None,
        };
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let parsed = EnvelopeSeed {
            lookup,
            guess,
            read_ahead: read_ahead.then_some(text),
            expected_instrument,
            sink: &mut sink,
        }
        .deserialize(&mut deserializer)
        .and_then(|parsed| deserializer.end().map(|()| parsed));
        let envelope = parsed.map_err(|e| json_error(&mut sink, &e))?;
        if let Some(validated) = finish(envelope, lookup, expected_instrument, limits.max_depth())?
        {
            return Ok(validated);
        }
    }
    unreachable!("without a guess, finish always decides")
}

/// Turns a serde_json error into ours. Our own failures were stored in the sink; syntax errors
/// carry only a position; data errors could quote the input, so they get a generic message.
fn json_error(sink: &mut Sink, error: &serde_json::Error) -> Error {
    if let Some(failure) = sink.failure.take() {
        return failure;
    }
    let (line, column) = (error.line(), error.column());
    match error.classify() {
        serde_json::error::Category::Syntax
            if error.to_string().starts_with("recursion limit exceeded") =>
        {
            let max = sink.max_depth;
            Error::new(
                ErrorKind::TooDeep,
                Text {
                    sv: format!("dokumentet har fler än {max} nivåer av listor och objekt"),
                    en: format!(
                        "document nests arrays and objects deeper than the limit of {max} levels"
                    ),
                },
            )
        }
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            // serde_json's syntax messages name the problem and position, never the content.
            let what = error.to_string();
            let what = what.split(" at line ").next().unwrap_or("syntax error");
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
        serde_json::error::Category::Data | serde_json::error::Category::Io => Error::new(
            ErrorKind::InvalidDocument,
            Text {
                sv: format!("dokumentet har inte förväntad form (rad {line} kolumn {column})"),
                en: format!(
                    "document does not have the expected shape (line {line} column {column})"
                ),
            },
        ),
    }
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

/// Parses late answers if needed, then runs the whole-document rules.
/// `Ok(None)`: the answers were parsed with a guessed definition that the envelope did not confirm;
/// parse again without guessing.
fn finish<'d>(
    envelope: Envelope<'_, 'd>,
    lookup: Lookup<'_, 'd>,
    expected_instrument: Option<&str>,
    max_depth: usize,
) -> Result<Option<Validated<'d>>> {
    let (definition, hidden, findings, values) = match envelope.answers {
        Answers::Parsed {
            definition,
            speculative: true,
            ..
        } if definition.instrument() != envelope.instrument
            || definition.version() != envelope.version =>
        {
            return Ok(None);
        }
        Answers::Parsed {
            definition,
            hidden,
            ctx_findings,
            values,
            ..
        } => (definition, hidden, ctx_findings, values),
        Answers::Raw(raw) => {
            let (definition, hidden) = resolve(
                lookup,
                expected_instrument,
                &envelope.instrument,
                &envelope.version,
            )?;
            let mut ctx = Ctx {
                definition,
                sink: Sink {
                    max_depth,
                    failure: None,
                },
                findings: Vec::new(),
            };
            let mut deserializer = serde_json::Deserializer::from_str(raw.get());
            let parsed = AnswersSeed {
                ctx: &mut ctx,
                row_of: None,
                depth: 2,
            }
            .deserialize(&mut deserializer);
            let values = parsed.map_err(|e| json_error(&mut ctx.sink, &e))?;
            (definition, hidden, ctx.findings, values.unwrap_or_default())
        }
    };
    let mut ctx = Ctx {
        definition,
        sink: Sink {
            max_depth,
            failure: None,
        },
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
    Ok(Some(Validated {
        definition,
        document,
        report,
    }))
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
