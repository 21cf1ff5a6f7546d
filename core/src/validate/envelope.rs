//! The document's envelope (`instrument`, `version`, `status`, `interview_date`, `unit`,
//! `completed_sections`, `answers`), read in one pass whatever the key order: [`envelope`] reads
//! `answers` with their definition once `instrument` and `version` have named it. When `answers`
//! come first, it reads them with the definition the document most likely names further on (a
//! guess that `super::finish` checks), or, with nothing to guess from, passes over them; either
//! way it notes where they are, so that they can be read again with the definition named.
use std::borrow::Cow;

use super::answers::{Values, answers};
use super::json::{Next, Reader, Stop};
use super::parse::Ctx;
use super::{Lookup, invalid, resolve};
use crate::Text;
use crate::date::parse_date;
use crate::document::Status;
use crate::error::{Result, displayable_key};
use crate::finding::{Finding, JsonType};
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
    pub(super) answers: Answers<'d>,
}

pub(super) enum InterviewDate {
    Missing,
    Invalid,
    Valid(jiff::civil::Date),
}

/// Where the answers are in the text, and what reading them found if they have been read.
pub(super) struct Answers<'d> {
    /// The byte offset of the `answers` value.
    pub(super) at: usize,
    /// `None`: passed over, to be read once the envelope has named the definition.
    pub(super) read: Option<ReadAnswers<'d>>,
}

/// Answers read against a definition (which, when they came before `instrument` and `version`,
/// was a guess).
pub(super) struct ReadAnswers<'d> {
    pub(super) definition: &'d Definition,
    pub(super) hidden: &'d [bool],
    pub(super) findings: Vec<Finding>,
    pub(super) values: Values,
}

/// Reads the document's `answers` against `definition`.
pub(super) fn read_answers<'d>(
    reader: &mut Reader<'_>,
    definition: &'d Definition,
    hidden: &'d [bool],
) -> Result<ReadAnswers<'d>, Stop> {
    let mut ctx = Ctx {
        definition,
        findings: Vec::new(),
    };
    let values = answers(reader, &mut ctx, None, 2)?.unwrap_or_default();
    Ok(ReadAnswers {
        definition,
        hidden,
        findings: ctx.findings,
        values,
    })
}

pub(super) const ENVELOPE_FIELDS: &str =
    "instrument, version, status, interview_date, unit, completed_sections, answers";

/// Reads the document. `guess`: the definition to read `answers` with if they come before
/// `instrument` and `version` and the text ahead names none (the newest version of the
/// instrument asked for).
pub(super) fn envelope<'de, 'd>(
    reader: &mut Reader<'de>,
    lookup: Lookup<'_, 'd>,
    guess: Option<(&'d Definition, &'d [bool])>,
    expected_instrument: Option<&str>,
) -> Result<Envelope<'de, 'd>, Stop> {
    let next = reader.peek()?;
    if next != Next::Object {
        // A scalar is read whole first, so that a malformed one is malformed JSON.
        let found = match next {
            Next::Array => JsonType::Array,
            scalar => reader.scalar_type(scalar)?,
        };
        return Err(reader.fail(invalid(Text {
            sv: format!(
                "dokumentet måste vara ett JSON-objekt, fick {}",
                found_sv(found)
            ),
            en: format!("document must be a JSON object, found {}", found_en(found)),
        })));
    }
    reader.open();
    let mut instrument: Option<Cow<'de, str>> = None;
    let mut version: Option<Cow<'de, str>> = None;
    let mut status: Option<Status> = None;
    let mut interview_date = InterviewDate::Missing;
    let mut seen_date = false;
    let mut answers: Option<Answers<'d>> = None;
    let mut unit: Option<String> = None;
    let mut completed_sections: Option<Vec<String>> = None;
    let mut first = true;
    while let Some(key) = reader.key(std::mem::take(&mut first))? {
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
                return Err(reader.fail(invalid(Text {
                    sv: format!(
                        "okänt fält på översta nivån {shown}; förväntade {ENVELOPE_FIELDS}"
                    ),
                    en: format!("unknown top-level field {shown}; expected {ENVELOPE_FIELDS}"),
                })));
            }
        };
        if already {
            return Err(reader.fail(invalid(Text {
                sv: format!("fältet `{key}` förekommer två gånger"),
                en: format!("top-level field `{key}` appears twice"),
            })));
        }
        match key.as_ref() {
            "unit" => {
                let value = string(reader, "unit")?;
                // The one unit-name rule (see `crate::unit`), the same as in the store and the
                // sidecar's configuration.
                if UnitName::parse(&value).is_err() {
                    let rule = crate::unit::rule_text();
                    return Err(reader.fail(invalid(Text {
                        sv: format!("`unit`: {}", rule.sv),
                        en: format!("`unit`: {}", rule.en),
                    })));
                }
                unit = Some(value.into_owned());
            }
            "completed_sections" => {
                let Some(sections) = string_list(reader)? else {
                    return Err(reader.fail(invalid(Text {
                        sv: "`completed_sections` måste vara en lista med avsnitts-id".into(),
                        en: "`completed_sections` must be an array of section ids".into(),
                    })));
                };
                completed_sections = Some(sections);
            }
            "instrument" => instrument = Some(string(reader, "instrument")?),
            "version" => version = Some(string(reader, "version")?),
            "status" => {
                let value = string(reader, "status")?;
                status = Some(match value.as_ref() {
                    "draft" => Status::Draft,
                    "complete" => Status::Complete,
                    _ => {
                        return Err(reader.fail(invalid(Text {
                            sv: "`status` måste vara `draft` eller `complete`".into(),
                            en: "`status` must be `draft` or `complete`".into(),
                        })));
                    }
                });
            }
            "interview_date" => {
                seen_date = true;
                interview_date = match reader.string_or_type(2)? {
                    Ok(text) => {
                        parse_date(&text).map_or(InterviewDate::Invalid, InterviewDate::Valid)
                    }
                    Err(JsonType::Null) => InterviewDate::Missing,
                    Err(_) => InterviewDate::Invalid,
                };
            }
            _ => {
                let at = reader.position();
                let definition = match (&instrument, &version) {
                    (Some(i), Some(v)) => Some(
                        resolve(lookup, expected_instrument, i, v).map_err(|e| reader.fail(e))?,
                    ),
                    // `answers` before `instrument`/`version`: read with the likely definition
                    // (checked at the end), else passed over. The likely definition is the one
                    // the document names further on (a key-sorting serialiser puts
                    // `instrument` and `version` after `answers`), else the newest version of
                    // the instrument asked for.
                    _ => named_ahead(
                        reader.text(),
                        lookup,
                        expected_instrument,
                        instrument.as_deref(),
                        version.as_deref(),
                    )
                    .or(guess),
                };
                let read = match definition {
                    Some((definition, hidden)) => Some(read_answers(reader, definition, hidden)?),
                    None => {
                        reader.skip(2)?;
                        None
                    }
                };
                answers = Some(Answers { at, read });
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
        return Err(reader.fail(missing("instrument")));
    };
    let Some(version) = version else {
        return Err(reader.fail(missing("version")));
    };
    let Some(status) = status else {
        return Err(reader.fail(missing("status")));
    };
    let Some(answers) = answers else {
        return Err(reader.fail(missing("answers")));
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

/// Reads a string field of the envelope; a value of another type is an error naming the field.
fn string<'de>(reader: &mut Reader<'de>, field: &str) -> Result<Cow<'de, str>, Stop> {
    match reader.string_or_type(2)? {
        Ok(value) => Ok(value),
        Err(found) => Err(reader.fail(invalid(Text {
            sv: format!(
                "`{field}` måste vara en textsträng, fick {}",
                found_sv(found)
            ),
            en: format!("`{field}` must be a string, found {}", found_en(found)),
        }))),
    }
}

/// An array of strings (`completed_sections`); `None` when it is anything else, an empty list
/// for `null`.
fn string_list(reader: &mut Reader<'_>) -> Result<Option<Vec<String>>, Stop> {
    let next = reader.peek()?;
    match next {
        Next::Array => {
            reader.open();
            let mut out = Vec::new();
            let mut all_strings = true;
            let mut first = true;
            while reader.element(std::mem::take(&mut first))? {
                match reader.string_or_type(3)? {
                    Ok(id) => out.push(id.into_owned()),
                    Err(_) => all_strings = false,
                }
            }
            Ok(all_strings.then_some(out))
        }
        Next::Null => {
            reader.literal(next)?;
            Ok(Some(Vec::new()))
        }
        _ => {
            reader.skip(2)?;
            Ok(None)
        }
    }
}

/// The definition the document names after `answers`, looked up in the text ahead without
/// parsing it: only a guess, which [`super::finish`] checks against what the parse found (a wrong
/// guess costs a second reading of the answers, never a different result).
fn named_ahead<'d>(
    text: &str,
    lookup: Lookup<'_, 'd>,
    expected_instrument: Option<&str>,
    instrument: Option<&str>,
    version: Option<&str>,
) -> Option<(&'d Definition, &'d [bool])> {
    // The instrument asked for is the likely one (a document of another is refused anyway).
    let instrument = match (instrument, expected_instrument) {
        (Some(instrument), _) => instrument,
        (None, Some(expected)) => expected,
        (None, None) => last_string_field(text, "instrument")?,
    };
    let version = match version {
        Some(version) => version,
        None => last_string_field(text, "version")?,
    };
    resolve(lookup, expected_instrument, instrument, version).ok()
}

/// The value of the last `"field": "value"` in `text` whose value has no escapes: a guess at a
/// top-level field, read without parsing (the key could be in an answer's row, or the text in a
/// string; a wrong guess costs a second pass, see `named_ahead`).
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
