//! Documents: one filled-in instance of an instrument, as parsed from JSON.
//!
//! ```json
//! { "instrument": "fia", "version": "1", "status": "complete", "interview_date": "2026-11-02",
//!   "answers": { "boende.omfattning": "inte_alls", ... } }
//! ```
//!
//! A [`Document`] keeps each answer in a compact typed form ([`AnswerValue`]): codes as indexes
//! into the code list, free text only as its length (the content is never needed after
//! validation, and not holding it keeps it out of everything derived from the document).

use jiff::civil::Date;
use serde::Serialize;

use crate::Text;
use crate::instrument::{Definition, ItemId};

/// Where a document is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being filled in: missing required answers are warnings.
    Draft,
    /// Finished: missing required answers are errors.
    Complete,
}

impl Status {
    /// `draft` or `complete`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Complete => "complete",
        }
    }
}

/// Limits on raw input, checked before and during parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    max_bytes: usize,
    max_depth: usize,
}

impl Limits {
    /// Default largest document: 1 MiB.
    pub const DEFAULT_MAX_BYTES: usize = 1024 * 1024;
    /// Default deepest nesting of arrays and objects; a FIA document needs 7.
    pub const DEFAULT_MAX_DEPTH: usize = 32;
    /// serde_json refuses nesting beyond 128 by itself; a limit above that could never be reached.
    pub const MAX_DEPTH_CEILING: usize = 120;

    /// Limits with a size in bytes and a nesting depth.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument) if `max_bytes` is 0 or
    /// `max_depth` is not in `8..=120`.
    pub fn new(max_bytes: usize, max_depth: usize) -> crate::Result<Limits> {
        if max_bytes == 0 || !(8..=Self::MAX_DEPTH_CEILING).contains(&max_depth) {
            return Err(crate::Error::new(
                crate::ErrorKind::InvalidArgument,
                Text {
                    sv: format!(
                        "gränser utanför tillåtet intervall: max_bytes >= 1 och max_depth i 8..={}",
                        Self::MAX_DEPTH_CEILING
                    ),
                    en: format!(
                        "limits out of range: need max_bytes >= 1 and max_depth in 8..={}",
                        Self::MAX_DEPTH_CEILING
                    ),
                },
            ));
        }
        Ok(Limits {
            max_bytes,
            max_depth,
        })
    }

    /// Largest document in bytes.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Deepest nesting of arrays and objects.
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: Self::DEFAULT_MAX_BYTES,
            max_depth: Self::DEFAULT_MAX_DEPTH,
        }
    }
}

/// One answer, in compact typed form.
#[derive(Clone, Debug, PartialEq)]
pub enum AnswerValue {
    /// A single choice: the code's index in its list.
    Code(u16),
    /// A multiple choice: indexes of the selected codes, in the order given.
    Codes(Vec<u16>),
    /// An integer within bounds.
    Integer(i64),
    /// A decimal within bounds.
    Decimal(f64),
    /// A valid date.
    Date(Date),
    /// Yes or no.
    Boolean(bool),
    /// Free text: only its length in characters is kept.
    Text {
        /// Length in Unicode scalar values.
        chars: u32,
    },
    /// A ranking: subject code indexes, most important first.
    Ranking(Vec<u16>),
    /// The rows of a repeating group.
    Rows(Vec<Row>),
    /// Answered, but with a value that broke the item's rules (reported as a finding).
    Invalid,
}

/// One row of a repeating group: the answers of its sub-items, by position among the group's
/// children.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Row {
    pub(crate) values: Vec<Option<AnswerValue>>,
    /// The row was not an object (reported as `wrong_type`); it has no values.
    pub(crate) malformed: bool,
}

impl Row {
    /// The answer of the sub-item at `position` among the group's children.
    pub fn value(&self, position: usize) -> Option<&AnswerValue> {
        self.values.get(position).and_then(Option::as_ref)
    }

    /// Whether the row was something other than an object (and so has no values).
    pub fn is_malformed(&self) -> bool {
        self.malformed
    }
}

/// A parsed document: envelope and answers, tied to the definition it answers.
#[derive(Clone, Debug)]
pub struct Document {
    pub(crate) status: Status,
    pub(crate) interview_date: Option<Date>,
    pub(crate) unit: Option<String>,
    /// Per section (by index): the document declares it complete (`completed_sections`).
    pub(crate) completed_sections: Vec<bool>,
    pub(crate) answers: Vec<Option<AnswerValue>>,
}

impl Document {
    /// Draft or complete.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The organisational unit the document belongs to, if given (`unit`).
    pub fn unit(&self) -> Option<&str> {
        self.unit.as_deref()
    }

    /// Whether section `index` is complete: the whole document is, or the section is listed in
    /// `completed_sections`. Missing required answers in a complete section are errors.
    pub fn section_complete(&self, index: usize) -> bool {
        self.status == Status::Complete
            || self.completed_sections.get(index).copied().unwrap_or(false)
    }

    /// The interview date, if given and valid.
    pub fn interview_date(&self) -> Option<Date> {
        self.interview_date
    }

    /// The answer of a top-level item.
    pub fn value(&self, item: ItemId) -> Option<&AnswerValue> {
        self.answers.get(item.index()).and_then(Option::as_ref)
    }

    /// The answer of the top-level item with this full id, if the definition has it.
    pub fn value_of(&self, definition: &Definition, id: &str) -> Option<&AnswerValue> {
        definition.top_level(id).and_then(|item| self.value(item))
    }

    /// The code of a single-choice answer, by the item's full id.
    pub fn code_of<'d>(&self, definition: &'d Definition, id: &str) -> Option<&'d str> {
        let item = definition.top_level(id)?;
        match (self.value(item)?, &definition.item(item).kind) {
            (AnswerValue::Code(code), crate::instrument::ItemKind::SingleChoice { list }) => {
                Some(definition.code_list(*list).code(*code).code.as_str())
            }
            _ => None,
        }
    }
}

/// A JSON text's compact form: every whitespace byte outside strings removed, everything else
/// kept as it is. Two spellings of one document that differ only in spacing and line breaks (a
/// pretty-printed and a compact export) give the same bytes, which is what lets a re-exported
/// file import as the same records.
///
/// A single pass over the bytes, without parsing: an import computes it for every line, after
/// the engine has parsed the document, and a second full parse would cost more than sealing.
/// Input that is not JSON is compacted all the same (and never refused here).
#[must_use]
pub fn compact_json(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len());
    // Runs between whitespace bytes are copied whole: a compact document is one copy.
    let (mut i, mut run) = (0, 0);
    while i < json.len() {
        match json[i] {
            b'"' => {
                i += 1;
                while i < json.len() {
                    match json[i] {
                        b'\\' => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        _ => i += 1,
                    }
                }
            }
            b' ' | b'\t' | b'\n' | b'\r' => {
                out.extend_from_slice(&json[run..i]);
                i += 1;
                run = i;
            }
            _ => i += 1,
        }
    }
    out.extend_from_slice(&json[run.min(json.len())..]);
    out
}

#[cfg(test)]
mod compact_tests {
    use super::compact_json;

    #[test]
    fn spacing_outside_strings_goes_and_strings_stay() {
        let pretty = b"{\n  \"a\": [1, 2],\r\n\t\"b\": \"x y \\\" z\"\n}\n";
        assert_eq!(compact_json(pretty), br#"{"a":[1,2],"b":"x y \" z"}"#);
        assert_eq!(
            compact_json(br#"{"a":[1,2],"b":"x y \" z"}"#),
            compact_json(pretty)
        );
        assert_ne!(
            compact_json(br#"{"b":1,"a":2}"#),
            compact_json(br#"{"a":2,"b":1}"#)
        );
        assert_eq!(compact_json(br#""\\" , 1"#), br#""\\",1"#);
    }
}
