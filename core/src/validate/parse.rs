//! What every reader of answers shares: answer paths (built on the stack, rendered only for a
//! finding) and the parse context that collects findings. The functions that read answers
//! against their items are in `answers.rs`, the JSON reader they use in `json.rs`. No tree is
//! built: each answer is checked against its item as it is read, which is what makes validation
//! cost less than merely parsing the bytes into a `serde_json::Value`.

use crate::Text;
use crate::document::AnswerValue;
use crate::error::displayable_key;
use crate::finding::{Finding, FindingCode, JsonType, Severity, expected_text, messages};
use crate::instrument::{Definition, ItemId};

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
    /// three ways): on the stack for paths of up to 8 segments, every path of the built-in
    /// instruments (an item, a row, a sub-item, a position).
    fn segments(&self) -> Segments<'a> {
        let mut segments = Segments {
            stack: [self.segment; 8],
            len: 0,
            heap: Vec::new(),
        };
        let mut next = Some(self);
        while let Some(path) = next {
            segments.push(path.segment);
            next = path.parent;
        }
        segments
    }
}

/// A path's segments, gathered from the leaf up and read from the root.
struct Segments<'a> {
    stack: [Segment<'a>; 8],
    len: usize,
    /// All the segments, once there are more than fit on the stack.
    heap: Vec<Segment<'a>>,
}

impl<'a> Segments<'a> {
    fn push(&mut self, segment: Segment<'a>) {
        if self.len < self.stack.len() {
            self.stack[self.len] = segment;
        } else {
            if self.heap.is_empty() {
                self.heap.extend_from_slice(&self.stack);
            }
            self.heap.push(segment);
        }
        self.len += 1;
    }

    /// From the root to the leaf.
    fn in_order(&mut self) -> &[Segment<'a>] {
        let segments = if self.heap.is_empty() {
            &mut self.stack[..self.len]
        } else {
            &mut self.heap[..]
        };
        segments.reverse();
        segments
    }
}

impl<'a> Segment<'a> {
    fn render(segments: &[Segment<'a>], definition: &Definition) -> String {
        use std::fmt::Write as _;
        // Room for the ids and a dot or an index each: one allocation for most paths.
        let room: usize = segments
            .iter()
            .map(|segment| match *segment {
                Segment::Field(name) => name.len(),
                Segment::Item(item) => definition.item(item).id.len() + 1,
                Segment::Index(_) => 6,
                Segment::UnknownKey { key, .. } => key.len() + 12,
            })
            .sum();
        let mut out = String::with_capacity(room);
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
        // Room for the labels and separators: one allocation each for most places.
        let (mut room_sv, mut room_en) = (0, 0);
        for segment in segments {
            if let Segment::Item(id) = *segment {
                let item = definition.item(id);
                room_sv += item.label.sv.len() + 8;
                room_en += item.label.en.len() + 8;
            } else {
                room_sv += 24;
                room_en += 24;
            }
        }
        if let Some(&Segment::Item(id)) = segments.first() {
            let section = &definition.sections()[definition.item(id).section];
            room_sv += section.label.sv.len() + 8;
            room_en += section.label.en.len() + 8;
        }
        let mut sv = String::with_capacity(room_sv);
        let mut en = String::with_capacity(room_en);
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

/// Everything one parse of answers needs besides the reader: the definition and the findings so
/// far.
pub(super) struct Ctx<'d> {
    pub(super) definition: &'d Definition,
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
        let mut segments = path.segments();
        let segments = segments.in_order();
        self.findings.push(Finding {
            severity,
            code,
            audience: code.audience(),
            path: Segment::render(segments, self.definition),
            location: Segment::location(segments, self.definition),
            message,
            sort_key: Segment::sort_key(segments),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Paths longer than the stack's 8 segments (none of the built-in instruments has one) keep
    /// their order from the root.
    #[test]
    fn segments_come_from_the_root_however_deep_the_path() {
        for depth in [1usize, 7, 8, 9, 20] {
            let root = Path::field("answers");
            let mut paths = vec![root];
            for index in 0..depth {
                let parent: &Path<'_> = Box::leak(Box::new(paths[paths.len() - 1]));
                paths.push(Path::index(parent, index));
            }
            let leaf = paths[paths.len() - 1];
            let mut segments = leaf.segments();
            let in_order = segments.in_order();
            assert_eq!(in_order.len(), depth + 1);
            assert!(matches!(in_order[0], Segment::Field("answers")));
            let indexes: Vec<u32> = in_order
                .iter()
                .filter_map(|segment| match segment {
                    Segment::Index(index) => Some(*index),
                    _ => None,
                })
                .collect();
            let expected: Vec<u32> = (0..depth as u32).collect();
            assert_eq!(indexes, expected, "depth {depth}");
        }
    }
}
