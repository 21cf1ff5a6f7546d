//! The generic validator: bytes in, a typed [`Document`] and a [`Report`] of findings out.
//!
//! Order of work: size limit, UTF-8, then one streaming parse (envelope and answers, with
//! per-answer checks), then the rules that need the whole document (conditions, hidden items,
//! required answers, rankings, date order). Anything that stops the parse is an [`Error`];
//! everything else is a finding.

mod parse;
mod rules;

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::Text;
use crate::date::parse_date;
use crate::document::{AnswerValue, Document, Limits, Status};
use crate::error::{Error, ErrorKind, Result, displayable_key};
use crate::finding::{FindingCode, JsonType, Report, Severity, messages};
use crate::instrument::Definition;
use crate::unit::UnitName;
use parse::{AnswersSeed, CodeSeed, Ctx, Path, Sink, Str};

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
    // At most two passes: the second only when a guess about the definition proved wrong.
    for guess in [guess, None] {
        let mut sink = Sink {
            max_depth: limits.max_depth(),
            failure: None,
        };
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let parsed = EnvelopeSeed {
            lookup,
            guess,
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

/// What the envelope's fields said, before the rules run.
struct Envelope<'de, 'd> {
    instrument: Cow<'de, str>,
    version: Cow<'de, str>,
    status: Status,
    unit: Option<String>,
    completed_sections: Vec<String>,
    interview_date: InterviewDate,
    answers: Answers<'de, 'd>,
}

enum InterviewDate {
    Missing,
    Invalid,
    Valid(jiff::civil::Date),
}

enum Answers<'de, 'd> {
    /// Parsed as they streamed by: `instrument` and `version` came first (the usual order).
    Parsed {
        definition: &'d Definition,
        hidden: &'d [bool],
        ctx_findings: Vec<crate::finding::Finding>,
        values: Vec<Option<AnswerValue>>,
        /// Parsed with a guessed definition, before the envelope named one.
        speculative: bool,
    },
    /// `answers` came before `instrument` or `version`: kept as raw text, parsed afterwards.
    Raw(&'de RawValue),
}

struct EnvelopeSeed<'l, 's, 'd> {
    lookup: Lookup<'l, 'd>,
    /// The definition to parse `answers` with if they come before `instrument` and `version`.
    guess: Option<(&'d Definition, &'d [bool])>,
    expected_instrument: Option<&'l str>,
    sink: &'s mut Sink,
}

impl<'de, 'd> DeserializeSeed<'de> for EnvelopeSeed<'_, '_, 'd> {
    type Value = Envelope<'de, 'd>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

const ENVELOPE_FIELDS: &str =
    "instrument, version, status, interview_date, unit, completed_sections, answers";

impl<'de, 'd> EnvelopeSeed<'_, '_, 'd> {
    fn not_an_object<E: de::Error>(self, found: JsonType) -> E {
        self.sink.fail(invalid(Text {
            sv: format!(
                "dokumentet måste vara ett JSON-objekt, fick {}",
                found_sv(found)
            ),
            en: format!("document must be a JSON object, found {}", found_en(found)),
        }))
    }

    /// Reads a string field of the envelope; a value of another type is an error naming the field.
    fn string<A: MapAccess<'de>>(
        &mut self,
        map: &mut A,
        field: &str,
    ) -> Result<Cow<'de, str>, A::Error> {
        match map.next_value_seed(CodeSeed {
            sink: self.sink,
            depth: 2,
        })? {
            Ok(value) => Ok(value),
            Err(found) => Err(self.sink.fail(invalid(Text {
                sv: format!(
                    "`{field}` måste vara en textsträng, fick {}",
                    found_en(found)
                ),
                en: format!("`{field}` must be a string, found {}", found_en(found)),
            }))),
        }
    }

    /// Parses the value of `answers` against `definition`.
    fn answers<A: MapAccess<'de>>(
        &mut self,
        map: &mut A,
        definition: &'d Definition,
        hidden: &'d [bool],
        speculative: bool,
    ) -> Result<Answers<'de, 'd>, A::Error> {
        let mut ctx = Ctx {
            definition,
            sink: Sink {
                max_depth: self.sink.max_depth,
                failure: None,
            },
            findings: Vec::new(),
        };
        let parsed = map.next_value_seed(AnswersSeed {
            ctx: &mut ctx,
            row_of: None,
            depth: 2,
        });
        if let Some(failure) = ctx.sink.failure.take() {
            return Err(self.sink.fail(failure));
        }
        Ok(Answers::Parsed {
            definition,
            hidden,
            ctx_findings: ctx.findings,
            values: parsed?.unwrap_or_default(),
            speculative,
        })
    }

    fn resolve(&self, instrument: &str, version: &str) -> Result<(&'d Definition, &'d [bool])> {
        resolve(self.lookup, self.expected_instrument, instrument, version)
    }
}

fn found_sv(found: JsonType) -> &'static str {
    match found {
        JsonType::String => "en textsträng",
        JsonType::Integer => "ett heltal",
        JsonType::Number => "ett tal",
        JsonType::Boolean => "ett sanningsvärde",
        JsonType::Array => "en lista",
        JsonType::Object => "ett objekt",
        JsonType::Null => "null",
    }
}

fn found_en(found: JsonType) -> &'static str {
    match found {
        JsonType::String => "a string",
        JsonType::Integer => "an integer",
        JsonType::Number => "a number",
        JsonType::Boolean => "a boolean",
        JsonType::Array => "an array",
        JsonType::Object => "an object",
        JsonType::Null => "null",
    }
}

impl<'de, 'd> Visitor<'de> for EnvelopeSeed<'_, '_, 'd> {
    type Value = Envelope<'de, 'd>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a document object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut instrument: Option<Cow<'de, str>> = None;
        let mut version: Option<Cow<'de, str>> = None;
        let mut status: Option<Status> = None;
        let mut interview_date = InterviewDate::Missing;
        let mut seen_date = false;
        let mut answers: Option<Answers<'de, 'd>> = None;
        let mut unit: Option<String> = None;
        let mut completed_sections: Option<Vec<String>> = None;
        while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
            let already = match key.as_ref() {
                "unit" => unit.is_some(),
                "completed_sections" => completed_sections.is_some(),
                "instrument" => instrument.is_some(),
                "version" => version.is_some(),
                "status" => status.is_some(),
                "interview_date" => seen_date,
                "answers" => answers.is_some(),
                other => {
                    let shown = displayable_key(other).map_or_else(
                        || "a key that is not shown".to_owned(),
                        |k| format!("`{k}`"),
                    );
                    return Err(self.sink.fail(invalid(Text {
                        sv: format!(
                            "okänt fält på översta nivån {shown}; förväntade {ENVELOPE_FIELDS}"
                        ),
                        en: format!("unknown top-level field {shown}; expected {ENVELOPE_FIELDS}"),
                    })));
                }
            };
            if already {
                return Err(self.sink.fail(invalid(Text {
                    sv: format!("fältet `{key}` förekommer två gånger"),
                    en: format!("top-level field `{key}` appears twice"),
                })));
            }
            match key.as_ref() {
                "unit" => {
                    let value = self.string(&mut map, "unit")?;
                    // The one unit-name rule (see `crate::unit`), the same as in the store and
                    // the sidecar's configuration.
                    if UnitName::parse(&value).is_err() {
                        let rule = crate::unit::rule_text();
                        return Err(self.sink.fail(invalid(Text {
                            sv: format!("`unit`: {}", rule.sv),
                            en: format!("`unit`: {}", rule.en),
                        })));
                    }
                    unit = Some(value.into_owned());
                }
                "completed_sections" => {
                    let Some(sections) = map.next_value_seed(StringList { sink: self.sink })?
                    else {
                        return Err(self.sink.fail(invalid(Text {
                            sv: "`completed_sections` måste vara en lista med avsnitts-id".into(),
                            en: "`completed_sections` must be an array of section ids".into(),
                        })));
                    };
                    completed_sections = Some(sections);
                }
                "instrument" => instrument = Some(self.string(&mut map, "instrument")?),
                "version" => version = Some(self.string(&mut map, "version")?),
                "status" => {
                    let value = self.string(&mut map, "status")?;
                    status = Some(match value.as_ref() {
                        "draft" => Status::Draft,
                        "complete" => Status::Complete,
                        _ => {
                            return Err(self.sink.fail(invalid(Text {
                                sv: "`status` måste vara `draft` eller `complete`".into(),
                                en: "`status` must be `draft` or `complete`".into(),
                            })));
                        }
                    });
                }
                "interview_date" => {
                    seen_date = true;
                    let value = map.next_value_seed(CodeSeed {
                        sink: self.sink,
                        depth: 2,
                    })?;
                    interview_date = match value {
                        Ok(text) => {
                            parse_date(&text).map_or(InterviewDate::Invalid, InterviewDate::Valid)
                        }
                        Err(JsonType::Null) => InterviewDate::Missing,
                        Err(_) => InterviewDate::Invalid,
                    };
                }
                _ => {
                    answers = Some(match (&instrument, &version) {
                        (Some(i), Some(v)) => {
                            let (definition, hidden) =
                                self.resolve(i, v).map_err(|e| self.sink.fail(e))?;
                            self.answers(&mut map, definition, hidden, false)?
                        }
                        // `answers` before `instrument`/`version`: parse with the likely
                        // definition and check the guess at the end, or keep the raw text.
                        _ => match self.guess {
                            Some((definition, hidden)) => {
                                self.answers(&mut map, definition, hidden, true)?
                            }
                            None => Answers::Raw(map.next_value::<&'de RawValue>()?),
                        },
                    });
                }
            }
        }
        let missing = |field: &str| {
            invalid(Text {
                sv: format!("dokumentet saknar fältet `{field}`"),
                en: format!("document lacks the top-level field `{field}`"),
            })
        };
        let Some(instrument) = instrument else {
            return Err(self.sink.fail(missing("instrument")));
        };
        let Some(version) = version else {
            return Err(self.sink.fail(missing("version")));
        };
        let Some(status) = status else {
            return Err(self.sink.fail(missing("status")));
        };
        let Some(answers) = answers else {
            return Err(self.sink.fail(missing("answers")));
        };
        Ok(Envelope {
            instrument,
            version,
            status,
            unit,
            completed_sections: completed_sections.unwrap_or_default(),
            interview_date,
            answers,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self.not_an_object(JsonType::Array))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Err(self.not_an_object(JsonType::String))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Err(self.not_an_object(JsonType::Boolean))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Err(self.not_an_object(JsonType::Integer))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Err(self.not_an_object(JsonType::Integer))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Err(self.not_an_object(JsonType::Number))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Err(self.not_an_object(JsonType::Null))
    }
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

/// An array of strings (`completed_sections`); `None` when it is anything else.
struct StringList<'s> {
    sink: &'s mut Sink,
}

impl<'de> DeserializeSeed<'de> for StringList<'_> {
    type Value = Option<Vec<String>>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StringList<'_> {
    type Value = Option<Vec<String>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of section ids")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        let mut all_strings = true;
        while let Some(element) = seq.next_element_seed(CodeSeed {
            sink: self.sink,
            depth: 3,
        })? {
            match element {
                Ok(id) => out.push(id.into_owned()),
                Err(_) => all_strings = false,
            }
        }
        Ok(all_strings.then_some(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        parse::Skip {
            sink: self.sink,
            depth: 2,
        }
        .visit_map(map)?;
        Ok(None)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Some(Vec::new()))
    }
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
}
