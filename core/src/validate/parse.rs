//! Streaming parse of a document's JSON straight into typed answers, reporting type, code-list,
//! bound and length findings on the way. This file holds the machinery every seed shares (the
//! failure [`Sink`], answer paths, the parse context, skipping, code arrays); the seeds that read
//! answers against their items are in `answers.rs`. No `serde_json::Value` tree is built: each answer is
//! checked against its item as it is read, which is what makes validation cost about the same as
//! merely parsing the bytes.
//!
//! serde's own error messages can quote the input ("invalid type: string \"...\""), so they never
//! reach the caller for data errors: every failure this module raises is stored in [`Sink`] as a
//! [`crate::Error`] with our own message, and the serde error is only a signal to unwind.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::Text;
use crate::document::AnswerValue;
use crate::error::{Error, ErrorKind, displayable_key};
use crate::finding::{Finding, FindingCode, JsonType, Severity, expected_text, messages};
use crate::instrument::{Definition, ItemId};

/// Depth limit and the first failure: shared by every seed of one parse.
pub(super) struct Sink {
    pub(super) max_depth: usize,
    pub(super) failure: Option<Error>,
}

impl Sink {
    pub(super) fn fail<E: de::Error>(&mut self, error: Error) -> E {
        if self.failure.is_none() {
            self.failure = Some(error);
        }
        E::custom("bistand: see stored failure")
    }

    pub(super) fn enter<E: de::Error>(&mut self, depth: usize) -> Result<(), E> {
        if depth > self.max_depth {
            let max = self.max_depth;
            return Err(self.fail(Error::new(
                ErrorKind::TooDeep,
                Text {
                    sv: format!("dokumentet har fler än {max} nivåer av listor och objekt"),
                    en: format!(
                        "document nests arrays and objects deeper than the limit of {max} levels"
                    ),
                },
            )));
        }
        Ok(())
    }
}

/// A path to an answer, built on the stack while descending; rendered only when a finding needs it.
#[derive(Clone, Copy)]
pub(super) struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
}

#[derive(Clone, Copy)]
enum Segment<'a> {
    Field(&'static str),
    Item(ItemId),
    Index(u32),
    UnknownKey { key: &'a str, position: u32 },
}

impl<'a> Path<'a> {
    pub(super) fn field(name: &'static str) -> Path<'static> {
        Path {
            parent: None,
            segment: Segment::Field(name),
        }
    }

    pub(super) fn item(parent: Option<&'a Path<'a>>, item: ItemId) -> Path<'a> {
        Path {
            parent,
            segment: Segment::Item(item),
        }
    }

    pub(super) fn index(parent: &'a Path<'a>, index: usize) -> Path<'a> {
        Path {
            parent: Some(parent),
            segment: Segment::Index(u32::try_from(index).unwrap_or(u32::MAX)),
        }
    }

    pub(super) fn unknown(parent: Option<&'a Path<'a>>, key: &'a str, position: usize) -> Path<'a> {
        Path {
            parent,
            segment: Segment::UnknownKey {
                key,
                position: u32::try_from(position).unwrap_or(u32::MAX),
            },
        }
    }

    /// The segments from the root, collected once per finding (a finding renders its path
    /// three ways).
    fn segments(&self) -> Vec<Segment<'a>> {
        let mut segments = Vec::with_capacity(6);
        segments.push(self.segment);
        let mut next = self.parent;
        while let Some(path) = next {
            segments.push(path.segment);
            next = path.parent;
        }
        segments.reverse();
        segments
    }
}

impl<'a> Segment<'a> {
    fn render(segments: &[Segment<'a>], definition: &Definition) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        for segment in segments {
            match *segment {
                Segment::Field(name) => out.push_str(name),
                Segment::Item(item) => {
                    let item = definition.item(item);
                    if out.is_empty() {
                        out.push_str(&item.id);
                    } else {
                        out.push('.');
                        out.push_str(&item.local);
                    }
                }
                Segment::Index(index) => {
                    let _ = write!(out, "[{index}]");
                }
                Segment::UnknownKey { key, position } => match displayable_key(key) {
                    Some(key) if out.is_empty() => out.push_str(key),
                    Some(key) => {
                        out.push('.');
                        out.push_str(key);
                    }
                    None if out.is_empty() => {
                        let _ = write!(out, "answers[#{position}]");
                    }
                    None => {
                        let _ = write!(out, "[#{position}]");
                    }
                },
            }
        }
        out
    }

    /// Where the answer is in the form's own terms: the section's heading, then each question's
    /// label, a row of a group as the group's label and its number counted from 1
    /// (`Genomförandeplan › Mål 1 › Ansvarig`), a position in a list as `plats n`.
    fn location(segments: &[Segment<'a>], definition: &Definition) -> Text {
        use std::fmt::Write as _;
        // Each part is joined to the one before with ` › `; a row number is added to its
        // group's part with a space.
        fn part(out: &mut String, text: &str) {
            if !out.is_empty() {
                out.push_str(" › ");
            }
            out.push_str(text);
        }
        let mut sv = String::new();
        let mut en = String::new();
        let mut after_group = false;
        for segment in segments {
            let was_group = std::mem::take(&mut after_group);
            match *segment {
                Segment::Field(_) => {
                    let label = messages::interview_date_heading();
                    part(&mut sv, &label.sv);
                    part(&mut en, &label.en);
                }
                Segment::Item(id) => {
                    let item = definition.item(id);
                    if sv.is_empty() {
                        let section = &definition.sections()[item.section];
                        part(&mut sv, &section.label.sv);
                        part(&mut en, &section.label.en);
                    }
                    part(&mut sv, &item.label.sv);
                    part(&mut en, &item.label.en);
                    after_group = matches!(item.kind, crate::instrument::ItemKind::Group(_));
                }
                Segment::Index(index) => {
                    let number = u64::from(index) + 1;
                    // After a group's label there is always a part to add the number to.
                    if was_group {
                        let _ = write!(sv, " {number}");
                        let _ = write!(en, " {number}");
                    } else {
                        part(&mut sv, "plats ");
                        let _ = write!(sv, "{number}");
                        part(&mut en, "position ");
                        let _ = write!(en, "{number}");
                    }
                }
                Segment::UnknownKey { .. } => {
                    let label = messages::unknown_item_heading();
                    part(&mut sv, &label.sv);
                    part(&mut en, &label.en);
                }
            }
        }
        Text { sv, en }
    }

    fn sort_key(segments: &[Segment<'a>]) -> Vec<u32> {
        let mut key = Vec::with_capacity(segments.len() + 1);
        for segment in segments {
            match *segment {
                Segment::Field(_) => key.push(0),
                Segment::Item(item) => {
                    key.push(u32::try_from(item.index()).unwrap_or(u32::MAX - 1) + 1)
                }
                Segment::Index(index) => key.push(index),
                Segment::UnknownKey { position, .. } => key.extend([u32::MAX, position]),
            }
        }
        key
    }
}

/// Everything one parse of answers needs: the definition, the findings so far, the sink.
pub(super) struct Ctx<'d> {
    pub(super) definition: &'d Definition,
    pub(super) sink: Sink,
    pub(super) findings: Vec<Finding>,
}

impl Ctx<'_> {
    pub(super) fn report(
        &mut self,
        severity: Severity,
        code: FindingCode,
        path: &Path<'_>,
        message: crate::Text,
    ) {
        let segments = path.segments();
        self.findings.push(Finding {
            severity,
            code,
            audience: code.audience(),
            path: Segment::render(&segments, self.definition),
            location: Segment::location(&segments, self.definition),
            message,
            sort_key: Segment::sort_key(&segments),
        });
    }

    pub(super) fn error(&mut self, code: FindingCode, path: &Path<'_>, message: crate::Text) {
        self.report(Severity::Error, code, path, message);
    }

    pub(super) fn wrong_type(
        &mut self,
        item: ItemId,
        path: &Path<'_>,
        found: JsonType,
    ) -> AnswerValue {
        let expected = expected_text(&self.definition.item(item).kind);
        self.error(
            FindingCode::WrongType,
            path,
            messages::wrong_type(expected, found),
        );
        AnswerValue::Invalid
    }
}

/// A string that borrows from the input when it can.
pub(super) struct Str<'de>(pub(super) Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(StrVisitor)
    }
}

/// Skips a value of any shape, enforcing the depth limit (serde's `IgnoredAny` would not).
pub(super) struct Skip<'s> {
    pub(super) sink: &'s mut Sink,
    pub(super) depth: usize,
}

impl<'de> DeserializeSeed<'de> for Skip<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        // Not `deserialize_ignored_any`: serde_json skips that internally, without our depth limit.
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skip<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.sink.enter(self.depth)?;
        while seq
            .next_element_seed(Skip {
                sink: self.sink,
                depth: self.depth + 1,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.sink.enter(self.depth)?;
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value_seed(Skip {
                sink: self.sink,
                depth: self.depth + 1,
            })?;
        }
        Ok(())
    }
}
impl<'de> Skip<'_> {
    pub(super) fn skip_elements<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(Skip {
                sink: self.sink,
                depth: self.depth + 1,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// One element of a code array: the string, or the JSON type found instead.
pub(super) struct CodeSeed<'s> {
    pub(super) sink: &'s mut Sink,
    pub(super) depth: usize,
}

impl<'de> DeserializeSeed<'de> for CodeSeed<'_> {
    type Value = Result<Cow<'de, str>, JsonType>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CodeSeed<'_> {
    type Value = Result<Cow<'de, str>, JsonType>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a code")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Ok(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Ok(Cow::Owned(v.to_owned())))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Err(JsonType::Boolean))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Err(JsonType::Integer))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Err(JsonType::Integer))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Err(JsonType::Number))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        // A null inside an array is a wrong type, not "unanswered".
        Ok(Err(JsonType::Null))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Skip {
            sink: self.sink,
            depth: self.depth,
        }
        .visit_seq(seq)?;
        Ok(Err(JsonType::Array))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Skip {
            sink: self.sink,
            depth: self.depth,
        }
        .visit_map(map)?;
        Ok(Err(JsonType::Object))
    }
}
