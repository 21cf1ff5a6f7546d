//! Reading answers against their items: [`answers`] for an object of answers (the document's
//! `answers`, or one row of a group) and `item` for one answer, which checks type, code list,
//! bounds, text length and identifier-like text as the reader reads it and writes the compact
//! [`AnswerValue`] into its slot.
//!
//! A value is judged only once the reader has read it whole (a scalar) or opened it (an array or
//! object), so a malformed value is malformed JSON first, whatever its item.

use crate::Text;
use crate::date::parse_date;
use crate::document::{AnswerValue, Row};
use crate::error::{Error, ErrorKind};
use crate::finding::{FindingCode, JsonType, Severity, messages};
use crate::identifier::find_identifier_like;
use crate::instrument::{CodeListId, HotKind, ItemId, ItemKind};

use super::json::{Next, Number, Reader, Stop};
use super::parse::{Ctx, Path};

/// Answers by item (top level) or by position among a group's children (a row).
pub(super) type Values = Vec<Option<AnswerValue>>;

/// Reads an object of answers (the document's `answers` at nesting `depth`, or one row of a
/// group). `row_of`: `None` for the top-level answers; the group and the row's path for a row.
/// `Ok(None)`: a row that is not an object (reported as a finding).
pub(super) fn answers(
    reader: &mut Reader<'_>,
    ctx: &mut Ctx<'_>,
    row_of: Option<(ItemId, &Path<'_>)>,
    depth: usize,
) -> Result<Option<Values>, Stop> {
    let next = reader.peek()?;
    match next {
        Next::Object => {}
        Next::Array => {
            not_an_object(reader, ctx, row_of, JsonType::Array)?;
            reader.enter(depth)?;
            reader.open();
            reader.skip_elements(depth)?;
            return Ok(None);
        }
        Next::Null if row_of.is_none() => {
            reader.literal(next)?;
            return Err(reader.fail(Error::new(
                ErrorKind::InvalidDocument,
                Text {
                    sv: "`answers` måste vara ett objekt med fråge-id som nycklar, fick null"
                        .into(),
                    en: "`answers` must be an object keyed by item id, found null".into(),
                },
            )));
        }
        // Inside a list `null` is a wrong type (DESIGN.md): a `null` row is not an empty one,
        // and the document schema refuses it too (schemathesis found the two apart).
        scalar => {
            let found = reader.scalar_type(scalar)?;
            not_an_object(reader, ctx, row_of, found)?;
            return Ok(None);
        }
    }
    reader.enter(depth)?;
    reader.open();
    let definition = ctx.definition;
    let group = row_of.map(|(group, _)| match &definition.item(group).kind {
        ItemKind::Group(group) => group,
        _ => unreachable!("rows are only read for group items"),
    });
    let slots = group.map_or(definition.items().len(), |g| g.children.len());
    // Not `vec![None; slots]`, which clones `None` into each slot one by one.
    let mut values: Values = std::iter::repeat_with(|| None).take(slots).collect();
    let parent_path = row_of.map(|(_, path)| path);
    let mut position = 0usize;
    let mut first = true;
    while let Some(key) = reader.key(std::mem::take(&mut first))? {
        let slot = match group {
            None => definition.top_level(&key).map(|item| (item, item.index())),
            Some(group) => group.position(&key).map(|p| (group.children[p], p)),
        };
        match slot {
            Some((id, index)) => {
                let path = Path::item(parent_path, id);
                // A repeated key is still read (its findings count), into a slot that is then
                // dropped: the first answer stands.
                let duplicate = values[index].is_some();
                let mut discarded = None;
                let slot = if duplicate {
                    &mut discarded
                } else {
                    &mut values[index]
                };
                item(reader, ctx, id, &path, depth + 1, slot)?;
                if duplicate {
                    ctx.error(
                        FindingCode::DuplicateAnswer,
                        &path,
                        messages::duplicate_answer(),
                    );
                }
            }
            None => {
                let path = Path::unknown(parent_path, &key, position);
                let message = messages::unknown_item(definition.instrument(), definition.version());
                ctx.error(FindingCode::UnknownItem, &path, message);
                reader.skip(depth + 1)?;
            }
        }
        position += 1;
    }
    Ok(Some(values))
}

/// A row that is not an object is a finding; `answers` that is not an object is an error.
fn not_an_object(
    reader: &mut Reader<'_>,
    ctx: &mut Ctx<'_>,
    row_of: Option<(ItemId, &Path<'_>)>,
    found: JsonType,
) -> Result<(), Stop> {
    match row_of {
        Some((_, path)) => {
            let expected = ("ett objekt (en rad)", "an object (one row)");
            ctx.error(
                FindingCode::WrongType,
                path,
                messages::wrong_type(expected, found),
            );
            Ok(())
        }
        None => Err(reader.fail(Error::new(
            ErrorKind::InvalidDocument,
            Text {
                sv: "`answers` måste vara ett objekt med fråge-id som nycklar".into(),
                en: "`answers` must be an object keyed by item id".into(),
            },
        ))),
    }
}

/// Reads one answer of item `id` at nesting `depth` into `slot`, left `None` for `null` ("not
/// answered", as vendors' forms commonly send it).
///
/// The answer is written in place rather than returned: returned through layers of
/// `Result<Option<_>>`, each answer was copied on the stack, and those copies (narrow stores read
/// back as wide loads) once took a tenth of all validation time.
fn item(
    reader: &mut Reader<'_>,
    ctx: &mut Ctx<'_>,
    id: ItemId,
    path: &Path<'_>,
    depth: usize,
    slot: &mut Option<AnswerValue>,
) -> Result<(), Stop> {
    let next = reader.peek()?;
    // Strings and numbers, most answers, first and on their own: one match of all six kinds
    // compiled to 2,000 more instructions per FIA document (cachegrind).
    match next {
        Next::String => {
            let text = reader.string()?;
            string_value(ctx, id, path, &text, slot);
            return Ok(());
        }
        Next::Number => {
            let number = reader.number()?;
            number_value(ctx, id, path, number, slot);
            return Ok(());
        }
        _ => {}
    }
    *slot = match next {
        Next::Null => {
            reader.literal(next)?;
            None
        }
        Next::True | Next::False => {
            reader.literal(next)?;
            Some(match ctx.definition.hot(id).kind {
                HotKind::Boolean => AnswerValue::Boolean(next == Next::True),
                _ => ctx.wrong_type(id, path, JsonType::Boolean),
            })
        }
        Next::String | Next::Number => unreachable!("read above"),
        Next::Array => {
            reader.enter(depth)?;
            reader.open();
            Some(array_value(reader, ctx, id, path, depth)?)
        }
        Next::Object => {
            let value = ctx.wrong_type(id, path, JsonType::Object);
            reader.skip(depth)?;
            Some(value)
        }
    };
    Ok(())
}

fn string_value(
    ctx: &mut Ctx<'_>,
    id: ItemId,
    path: &Path<'_>,
    v: &str,
    slot: &mut Option<AnswerValue>,
) {
    let definition = ctx.definition;
    // The item's full record is read only for a finding's label. Each arm writes its value into
    // the slot itself: a value built first and then moved was read back as wide loads over its
    // narrow stores, a stall per answer.
    match definition.hot(id).kind {
        HotKind::SingleChoice(list) => {
            let list = definition.code_list(list);
            if let Some(code) = list.position(v) {
                *slot = Some(AnswerValue::Code(code));
            } else {
                let item = definition.item(id);
                let message = messages::not_in_code_list(&item.label, &list.name);
                ctx.error(FindingCode::NotInCodeList, path, message);
                *slot = Some(AnswerValue::Invalid);
            }
        }
        HotKind::Date => {
            if let Some(date) = parse_date(v) {
                *slot = Some(AnswerValue::Date(date));
            } else {
                ctx.error(FindingCode::InvalidDate, path, messages::invalid_date());
                *slot = Some(AnswerValue::Invalid);
            }
        }
        HotKind::Text { max_length } => {
            let chars = v.chars().count();
            if let Some(hint) = find_identifier_like(v) {
                let message = messages::possible_identifier(hint);
                ctx.report(
                    Severity::Warning,
                    FindingCode::PossibleIdentifier,
                    path,
                    message,
                );
            }
            if chars > max_length as usize {
                ctx.error(
                    FindingCode::TextTooLong,
                    path,
                    messages::text_too_long(max_length),
                );
                *slot = Some(AnswerValue::Invalid);
            } else {
                let chars = u32::try_from(chars).expect("chars <= max_length, a u32");
                *slot = Some(AnswerValue::Text { chars });
            }
        }
        _ => *slot = Some(ctx.wrong_type(id, path, JsonType::String)),
    }
}

/// The answer of an array (its `[` read), for the kinds answered by one: choices, a ranking,
/// the rows of a group.
fn array_value(
    reader: &mut Reader<'_>,
    ctx: &mut Ctx<'_>,
    id: ItemId,
    path: &Path<'_>,
    depth: usize,
) -> Result<AnswerValue, Stop> {
    let definition = ctx.definition;
    let item = definition.item(id);
    Ok(match &item.kind {
        ItemKind::MultipleChoice {
            list,
            min_selected,
            max_selected,
        } => {
            let Some(codes) = codes(reader, ctx, id, path, depth, *list, false)? else {
                return Ok(AnswerValue::Invalid);
            };
            let count = codes.len();
            if count < *min_selected as usize || count > *max_selected as usize {
                let message = messages::selection_count(&item.label, *min_selected, *max_selected);
                ctx.error(FindingCode::SelectionCount, path, message);
                return Ok(AnswerValue::Invalid);
            }
            AnswerValue::Codes(codes)
        }
        ItemKind::Ranking {
            list, max_ranked, ..
        } => {
            let Some(codes) = codes(reader, ctx, id, path, depth, *list, true)? else {
                return Ok(AnswerValue::Invalid);
            };
            if codes.len() > *max_ranked as usize {
                ctx.error(
                    FindingCode::TooManyRanked,
                    path,
                    messages::too_many_ranked(*max_ranked),
                );
                return Ok(AnswerValue::Invalid);
            }
            AnswerValue::Ranking(codes)
        }
        ItemKind::Group(group) => {
            let mut rows = Vec::new();
            let mut first = true;
            while reader.element(std::mem::take(&mut first))? {
                let row_path = Path::index(path, rows.len());
                rows.push(
                    match answers(reader, ctx, Some((id, &row_path)), depth + 1)? {
                        Some(values) => Row {
                            values,
                            malformed: false,
                        },
                        // Kept as a placeholder so later rows keep their index in paths.
                        None => Row {
                            values: Vec::new(),
                            malformed: true,
                        },
                    },
                );
            }
            if rows.len() > group.max_rows as usize {
                let message = messages::too_many_rows(&item.label, group.max_rows);
                ctx.error(FindingCode::TooManyRows, path, message);
            }
            AnswerValue::Rows(rows)
        }
        _ => {
            let value = ctx.wrong_type(id, path, JsonType::Array);
            reader.skip_elements(depth)?;
            value
        }
    })
}

/// Writes a numeric answer, or `Invalid` with its finding.
fn number_value(
    ctx: &mut Ctx<'_>,
    id: ItemId,
    path: &Path<'_>,
    number: Number,
    slot: &mut Option<AnswerValue>,
) {
    *slot = Some(number_answer(ctx, id, path, number));
}

fn number_answer(ctx: &mut Ctx<'_>, id: ItemId, path: &Path<'_>, number: Number) -> AnswerValue {
    let item = ctx.definition.item(id);
    let integer = match number {
        Number::U64(v) => Some(i128::from(v)),
        Number::I64(v) => Some(i128::from(v)),
        Number::F64(_) => None,
    };
    // The bounds are written out only for a finding: most answers are in bounds.
    let (in_bounds, value, bounds): (bool, AnswerValue, &dyn Fn() -> (String, String)) =
        match (&item.kind, integer, number) {
            (ItemKind::Integer { min, max }, Some(v), _) => (
                (i128::from(*min)..=i128::from(*max)).contains(&v),
                i64::try_from(v)
                    .map(AnswerValue::Integer)
                    .unwrap_or(AnswerValue::Invalid),
                &|| (min.to_string(), max.to_string()),
            ),
            (ItemKind::Decimal { min, max }, _, number) => {
                #[allow(clippy::cast_precision_loss)] // bounds are checked on the nearest f64
                let v = match number {
                    Number::U64(v) => v as f64,
                    Number::I64(v) => v as f64,
                    Number::F64(v) => v,
                };
                ((*min..=*max).contains(&v), AnswerValue::Decimal(v), &|| {
                    (min.to_string(), max.to_string())
                })
            }
            _ => return ctx.wrong_type(id, path, number.json_type()),
        };
    if in_bounds {
        value
    } else {
        let (min, max) = bounds();
        let message = messages::out_of_bounds(&item.label, &min, &max);
        ctx.error(FindingCode::OutOfBounds, path, message);
        AnswerValue::Invalid
    }
}

/// Reads the elements of an array of codes from `list` (its `[` read, at nesting `depth`).
/// Element findings are reported at `path[i]`; `None` when any element was not a distinct code
/// of the list. `ranking`: a repeated code is a repeated rank rather than a repeated choice.
fn codes(
    reader: &mut Reader<'_>,
    ctx: &mut Ctx<'_>,
    id: ItemId,
    path: &Path<'_>,
    depth: usize,
    list: CodeListId,
    ranking: bool,
) -> Result<Option<Vec<u16>>, Stop> {
    let definition = ctx.definition;
    let list = definition.code_list(list);
    let mut codes = Vec::new();
    let mut ok = true;
    let mut index = 0usize;
    let mut first = true;
    while reader.element(std::mem::take(&mut first))? {
        let element = reader.string_or_type(depth + 1)?;
        let path = Path::index(path, index);
        match element {
            Ok(code) => match list.position(&code) {
                Some(position) if codes.contains(&position) => {
                    let (code, message) = if ranking {
                        (FindingCode::RankingDuplicate, messages::ranking_duplicate())
                    } else {
                        (FindingCode::DuplicateChoice, messages::duplicate_choice())
                    };
                    ctx.error(code, &path, message);
                    ok = false;
                }
                Some(position) => codes.push(position),
                None => {
                    let label = &definition.item(id).label;
                    let message = messages::not_in_code_list(label, &list.name);
                    ctx.error(FindingCode::NotInCodeList, &path, message);
                    ok = false;
                }
            },
            Err(found) => {
                let message =
                    messages::wrong_type(("en kod (en textsträng)", "a code (a string)"), found);
                ctx.error(FindingCode::WrongType, &path, message);
                ok = false;
            }
        }
        index += 1;
    }
    Ok(ok.then_some(codes))
}
