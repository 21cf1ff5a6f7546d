//! The document's envelope (`instrument`, `version`, `status`, `interview_date`, `unit`,
//! `completed_sections`, `answers`), read in one pass whatever the key order: [`EnvelopeSeed`]
//! streams `answers` with the definition once it is known, or keeps them as a borrowed raw value
//! when they come first.
use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::answers::AnswersSeed;
use super::parse::{CodeSeed, Ctx, Sink, Str};
use super::{Lookup, invalid, parse, resolve};
use crate::Text;
use crate::date::parse_date;
use crate::document::{AnswerValue, Status};
use crate::error::{Result, displayable_key};
use crate::finding::JsonType;
use crate::instrument::Definition;
use crate::unit::UnitName;

/// What the envelope's fields said, before the rules run.
pub(super) struct Envelope<'de, 'd> {
    pub(super) instrument: Cow<'de, str>,
    pub(super) version: Cow<'de, str>,
    pub(super) status: Status,
    pub(super) unit: Option<String>,
    pub(super) completed_sections: Vec<String>,
    pub(super) interview_date: InterviewDate,
    pub(super) answers: Answers<'de, 'd>,
}

pub(super) enum InterviewDate {
    Missing,
    Invalid,
    Valid(jiff::civil::Date),
}

pub(super) enum Answers<'de, 'd> {
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

pub(super) struct EnvelopeSeed<'l, 's, 'd> {
    pub(super) lookup: Lookup<'l, 'd>,
    /// The definition to parse `answers` with if they come before `instrument` and `version`.
    pub(super) guess: Option<(&'d Definition, &'d [bool])>,
    /// The whole document, to look ahead for `instrument` and `version` when `answers` come
    /// first ([`named_ahead`]); `None` on the second pass, which does not guess.
    pub(super) read_ahead: Option<&'l str>,
    pub(super) expected_instrument: Option<&'l str>,
    pub(super) sink: &'s mut Sink,
}

impl<'de, 'd> DeserializeSeed<'de> for EnvelopeSeed<'_, '_, 'd> {
    type Value = Envelope<'de, 'd>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

pub(super) const ENVELOPE_FIELDS: &str =
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

    /// The definition the document names after `answers`, looked up in the text ahead without
    /// parsing it: only a guess, which [`super::finish`] checks against what the parse found
    /// (a wrong guess costs a second pass, never a different result).
    fn named_ahead(
        &self,
        instrument: &Option<Cow<'de, str>>,
        version: &Option<Cow<'de, str>>,
    ) -> Option<(&'d Definition, &'d [bool])> {
        let text = self.read_ahead?;
        // The instrument asked for is the likely one (a document of another is refused anyway).
        let instrument = match (instrument, self.expected_instrument) {
            (Some(instrument), _) => instrument.as_ref(),
            (None, Some(expected)) => expected,
            (None, None) => last_string_field(text, "instrument")?,
        };
        let version = match version {
            Some(version) => version.as_ref(),
            None => last_string_field(text, "version")?,
        };
        self.resolve(instrument, version).ok()
    }
}

/// The value of the last `"field": "value"` in `text` whose value has no escapes: a guess at a
/// top-level field, read without parsing (the key could be in an answer's row, or the text in a
/// string; a wrong guess costs a second pass, see [`EnvelopeSeed::named_ahead`]).
fn last_string_field<'t>(text: &'t str, field: &str) -> Option<&'t str> {
    let bytes = text.as_bytes();
    let key = field.as_bytes();
    let mut end = bytes.len();
    // From the end, each quote that could close the field's name: a quote, the name, a quote,
    // then `:` and a string value. A key-sorting serialiser puts the envelope's fields last, so
    // this reads a few dozen bytes.
    while let Some(close) = bytes[..end].iter().rposition(|&b| b == b'"') {
        end = close;
        let Some(open) = close.checked_sub(key.len() + 1) else {
            break;
        };
        if bytes[open] != b'"' || &bytes[open + 1..close] != key {
            continue;
        }
        let rest = trim_start(&bytes[close + 1..]);
        let Some(rest) = rest.strip_prefix(b":") else {
            continue;
        };
        let rest = trim_start(rest);
        let Some(rest) = rest.strip_prefix(b"\"") else {
            continue;
        };
        let Some(value_end) = rest.iter().position(|&b| b == b'"' || b == b'\\') else {
            continue;
        };
        if rest[value_end] == b'"' {
            // Both ends are ASCII quotes, so the value is whole UTF-8.
            return std::str::from_utf8(&rest[..value_end]).ok();
        }
    }
    None
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let skip = bytes
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count();
    &bytes[skip..]
}

pub(super) fn found_sv(found: JsonType) -> &'static str {
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

pub(super) fn found_en(found: JsonType) -> &'static str {
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
                        // definition and check the guess at the end, or keep the raw text. The
                        // likely definition is the one the document names further on (a
                        // key-sorting serialiser puts `instrument` and `version` after
                        // `answers`), else the newest version of the instrument asked for.
                        _ => match self.named_ahead(&instrument, &version).or(self.guess) {
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

/// An array of strings (`completed_sections`); `None` when it is anything else.
pub(super) struct StringList<'s> {
    pub(super) sink: &'s mut Sink,
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
    use super::last_string_field;

    #[test]
    fn the_field_ahead_is_the_last_one_written_as_a_plain_string() {
        let text = r#"{"answers": {"a.b": [{"version": "7"}], "a.c": "x\"version\": \"8\""},
            "instrument" : "fia", "version":	"2"}"#;
        assert_eq!(last_string_field(text, "version"), Some("2"));
        assert_eq!(last_string_field(text, "instrument"), Some("fia"));
        // Only in a row: that one is the guess (checked later by the parse).
        assert_eq!(
            last_string_field(r#"{"answers": {"a": [{"version": "7"}]}}"#, "version"),
            Some("7")
        );
        // Not a string, an escape in the value, a key that only ends with the name, no colon,
        // nothing at all: no guess.
        for text in [
            r#"{"version": 2}"#,
            r#"{"version": "\u0032"}"#,
            r#"{"subversion": "2"}"#,
            r#"["version", "2"]"#,
            r#"""#,
            "",
        ] {
            assert_eq!(last_string_field(text, "version"), None, "{text}");
        }
    }
}
