//! The seeds that read answers against their items: [`AnswersSeed`] for an object of answers (the
//! document's `answers`, or one row of a group) and `ItemSeed` for one answer, which checks type,
//! code list, bounds, text length and identifier-like text as serde_json reads it and writes the
//! compact [`AnswerValue`] into its slot.
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::Text;
use crate::date::parse_date;
use crate::document::{AnswerValue, Row};
use crate::error::{Error, ErrorKind};
use crate::finding::{FindingCode, JsonType, Severity, messages};
use crate::identifier::find_identifier_like;
use crate::instrument::{HotKind, ItemId, ItemKind};

use super::parse::{CodeSeed, Ctx, Path, Skip, Str};

/// Reads an object of answers (the document's `answers`, or one row of a group) into a vector
/// indexed by item (top level) or by position among the group's children (rows).
pub(super) struct AnswersSeed<'c, 'd, 'p> {
    pub(super) ctx: &'c mut Ctx<'d>,
    /// `None` for the top-level answers; the group and the row's path for a row.
    pub(super) row_of: Option<(ItemId, &'p Path<'p>)>,
    pub(super) depth: usize,
}

impl<'de> DeserializeSeed<'de> for AnswersSeed<'_, '_, '_> {
    type Value = Option<Vec<Option<AnswerValue>>>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for AnswersSeed<'_, '_, '_> {
    type Value = Option<Vec<Option<AnswerValue>>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of answers")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        self.ctx.sink.enter(self.depth)?;
        let definition = self.ctx.definition;
        let mut values: Vec<Option<AnswerValue>> = match self.row_of {
            None => vec![None; definition.items().len()],
            Some((group, _)) => match &definition.item(group).kind {
                ItemKind::Group(group) => vec![None; group.children.len()],
                _ => unreachable!("rows are only read for group items"),
            },
        };
        let parent_path = self.row_of.map(|(_, path)| path);
        let mut position = 0usize;
        while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
            let slot = match self.row_of {
                None => definition.top_level(&key).map(|item| (item, item.index())),
                Some((group, _)) => match &definition.item(group).kind {
                    ItemKind::Group(group) => group.position(&key).map(|p| (group.children[p], p)),
                    _ => None,
                },
            };
            match slot {
                Some((item, index)) => {
                    let path = Path::item(parent_path, item);
                    // A repeated key is still read (its findings count), into a slot that is
                    // then dropped: the first answer stands.
                    let duplicate = values[index].is_some();
                    let mut discarded = None;
                    map.next_value_seed(ItemSeed {
                        ctx: self.ctx,
                        item,
                        path: &path,
                        depth: self.depth + 1,
                        slot: if duplicate {
                            &mut discarded
                        } else {
                            &mut values[index]
                        },
                    })?;
                    if duplicate {
                        self.ctx.error(
                            FindingCode::DuplicateAnswer,
                            &path,
                            messages::duplicate_answer(),
                        );
                    }
                }
                None => {
                    let path = Path::unknown(parent_path, &key, position);
                    let message =
                        messages::unknown_item(definition.instrument(), definition.version());
                    self.ctx.error(FindingCode::UnknownItem, &path, message);
                    map.next_value_seed(Skip {
                        sink: &mut self.ctx.sink,
                        depth: self.depth + 1,
                    })?;
                }
            }
            position += 1;
        }
        Ok(Some(values))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let depth = self.depth;
        let ctx = self.ctx;
        AnswersSeed {
            ctx: &mut *ctx,
            row_of: self.row_of,
            depth,
        }
        .not_an_object(JsonType::Array)?;
        Skip {
            sink: &mut ctx.sink,
            depth,
        }
        .visit_seq(seq)?;
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        self.not_an_object(JsonType::Boolean)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        self.not_an_object(JsonType::Integer)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        self.not_an_object(JsonType::Integer)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        self.not_an_object(JsonType::Number)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        self.not_an_object(JsonType::String)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        match self.row_of {
            // Inside a list `null` is a wrong type (DESIGN.md): a `null` row is not an empty
            // one, and the document schema refuses it too (schemathesis found the two apart).
            Some(_) => self.not_an_object(JsonType::Null),
            None => Err(self.ctx.sink.fail(Error::new(
                ErrorKind::InvalidDocument,
                Text {
                    sv: "`answers` måste vara ett objekt med fråge-id som nycklar, fick null"
                        .into(),
                    en: "`answers` must be an object keyed by item id, found null".into(),
                },
            ))),
        }
    }
}

impl AnswersSeed<'_, '_, '_> {
    /// A row that is not an object is a finding; `answers` that is not an object is an error.
    fn not_an_object<E: de::Error>(
        self,
        found: JsonType,
    ) -> Result<Option<Vec<Option<AnswerValue>>>, E> {
        match self.row_of {
            Some((group, path)) => {
                let expected = ("ett objekt (en rad)", "an object (one row)");
                let _ = group;
                self.ctx.error(
                    FindingCode::WrongType,
                    path,
                    messages::wrong_type(expected, found),
                );
                Ok(None)
            }
            None => Err(self.ctx.sink.fail(Error::new(
                ErrorKind::InvalidDocument,
                Text {
                    sv: "`answers` måste vara ett objekt med fråge-id som nycklar".into(),
                    en: "`answers` must be an object keyed by item id".into(),
                },
            ))),
        }
    }
}

/// Reads one answer of one item into its slot.
///
/// The answer is written in place rather than returned: returned through two layers of
/// `Result<Option<_>>`, each answer was copied twice on the stack, and those copies (narrow
/// stores read back as wide loads) took a tenth of all validation time.
struct ItemSeed<'c, 'd, 'p, 's> {
    ctx: &'c mut Ctx<'d>,
    item: ItemId,
    path: &'p Path<'p>,
    depth: usize,
    /// Where the answer goes; left `None` for `null` ("not answered").
    slot: &'s mut Option<AnswerValue>,
}

impl<'de> DeserializeSeed<'de> for ItemSeed<'_, '_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemSeed<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an answer")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        // null means "not answered", as vendors' forms commonly send it.
        *self.slot = None;
        Ok(())
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        *self.slot = Some(match self.ctx.definition.hot(self.item).kind {
            HotKind::Boolean => AnswerValue::Boolean(v),
            _ => self.ctx.wrong_type(self.item, self.path, JsonType::Boolean),
        });
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.number(Number::Integer(i128::from(v)));
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.number(Number::Integer(i128::from(v)));
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.number(Number::Float(v));
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        let definition = self.ctx.definition;
        // The item's full record is read only for a finding's label.
        *self.slot = Some(match definition.hot(self.item).kind {
            HotKind::SingleChoice(list) => {
                let list = definition.code_list(list);
                match list.position(v) {
                    Some(code) => AnswerValue::Code(code),
                    None => {
                        let item = definition.item(self.item);
                        let message = messages::not_in_code_list(&item.label, &list.name);
                        self.ctx
                            .error(FindingCode::NotInCodeList, self.path, message);
                        AnswerValue::Invalid
                    }
                }
            }
            HotKind::Date => match parse_date(v) {
                Some(date) => AnswerValue::Date(date),
                None => {
                    self.ctx.error(
                        FindingCode::InvalidDate,
                        self.path,
                        messages::invalid_date(),
                    );
                    AnswerValue::Invalid
                }
            },
            HotKind::Text { max_length } => {
                let chars = v.chars().count();
                if let Some(hint) = find_identifier_like(v) {
                    let message = messages::possible_identifier(hint);
                    self.ctx.report(
                        Severity::Warning,
                        FindingCode::PossibleIdentifier,
                        self.path,
                        message,
                    );
                }
                if chars > max_length as usize {
                    self.ctx.error(
                        FindingCode::TextTooLong,
                        self.path,
                        messages::text_too_long(max_length),
                    );
                    AnswerValue::Invalid
                } else {
                    AnswerValue::Text {
                        chars: u32::try_from(chars).expect("chars <= max_length, a u32"),
                    }
                }
            }
            _ => self.ctx.wrong_type(self.item, self.path, JsonType::String),
        });
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.ctx.sink.enter(self.depth)?;
        let definition = self.ctx.definition;
        let item = definition.item(self.item);
        let value = 'value: {
            match &item.kind {
                ItemKind::MultipleChoice {
                    list,
                    min_selected,
                    max_selected,
                } => {
                    let codes = self.codes(&mut seq, *list, FindingCode::DuplicateChoice)?;
                    let Some(codes) = codes else {
                        break 'value AnswerValue::Invalid;
                    };
                    let count = codes.len();
                    if count < *min_selected as usize || count > *max_selected as usize {
                        let message =
                            messages::selection_count(&item.label, *min_selected, *max_selected);
                        self.ctx
                            .error(FindingCode::SelectionCount, self.path, message);
                        break 'value AnswerValue::Invalid;
                    }
                    AnswerValue::Codes(codes)
                }
                ItemKind::Ranking {
                    list, max_ranked, ..
                } => {
                    let codes = self.codes(&mut seq, *list, FindingCode::RankingDuplicate)?;
                    let Some(codes) = codes else {
                        break 'value AnswerValue::Invalid;
                    };
                    if codes.len() > *max_ranked as usize {
                        self.ctx.error(
                            FindingCode::TooManyRanked,
                            self.path,
                            messages::too_many_ranked(*max_ranked),
                        );
                        break 'value AnswerValue::Invalid;
                    }
                    AnswerValue::Ranking(codes)
                }
                ItemKind::Group(group) => {
                    let mut rows = Vec::new();
                    let mut index = 0usize;
                    loop {
                        let path = Path::index(self.path, index);
                        let row = seq.next_element_seed(AnswersSeed {
                            ctx: self.ctx,
                            row_of: Some((self.item, &path)),
                            depth: self.depth + 1,
                        })?;
                        match row {
                            None => break,
                            Some(Some(values)) => rows.push(Row {
                                values,
                                malformed: false,
                            }),
                            // Kept as a placeholder so later rows keep their index in paths.
                            Some(None) => rows.push(Row {
                                values: Vec::new(),
                                malformed: true,
                            }),
                        }
                        index += 1;
                    }
                    if index > group.max_rows as usize {
                        let message = messages::too_many_rows(&item.label, group.max_rows);
                        self.ctx.error(FindingCode::TooManyRows, self.path, message);
                    }
                    AnswerValue::Rows(rows)
                }
                _ => {
                    let value = self.ctx.wrong_type(self.item, self.path, JsonType::Array);
                    Skip {
                        sink: &mut self.ctx.sink,
                        depth: self.depth,
                    }
                    .skip_elements(seq)?;
                    value
                }
            }
        };
        *self.slot = Some(value);
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        *self.slot = Some(self.ctx.wrong_type(self.item, self.path, JsonType::Object));
        Skip {
            sink: &mut self.ctx.sink,
            depth: self.depth,
        }
        .visit_map(map)
    }
}

enum Number {
    Integer(i128),
    Float(f64),
}

impl ItemSeed<'_, '_, '_, '_> {
    /// Writes a numeric answer, or `Invalid` with its finding.
    fn number(mut self, number: Number) {
        let value = self.number_value(number);
        *self.slot = Some(value);
    }

    fn number_value(&mut self, number: Number) -> AnswerValue {
        let item = self.ctx.definition.item(self.item);
        // The bounds are written out only for a finding: most answers are in bounds.
        let (in_bounds, value, bounds): (bool, AnswerValue, &dyn Fn() -> (String, String)) =
            match (&item.kind, number) {
                (ItemKind::Integer { min, max }, Number::Integer(v)) => (
                    (i128::from(*min)..=i128::from(*max)).contains(&v),
                    i64::try_from(v)
                        .map(AnswerValue::Integer)
                        .unwrap_or(AnswerValue::Invalid),
                    &|| (min.to_string(), max.to_string()),
                ),
                (ItemKind::Decimal { min, max }, number) => {
                    #[allow(clippy::cast_precision_loss)] // bounds are checked on the nearest f64
                    let v = match number {
                        Number::Integer(v) => v as f64,
                        Number::Float(v) => v,
                    };
                    ((*min..=*max).contains(&v), AnswerValue::Decimal(v), &|| {
                        (min.to_string(), max.to_string())
                    })
                }
                (_, Number::Integer(_)) => {
                    return self.ctx.wrong_type(self.item, self.path, JsonType::Integer);
                }
                (_, Number::Float(_)) => {
                    return self.ctx.wrong_type(self.item, self.path, JsonType::Number);
                }
            };
        if in_bounds {
            value
        } else {
            let (min, max) = bounds();
            let message = messages::out_of_bounds(&item.label, &min, &max);
            self.ctx.error(FindingCode::OutOfBounds, self.path, message);
            AnswerValue::Invalid
        }
    }

    /// Reads an array of codes from `list`. Element findings are reported at `path[i]`; returns
    /// `None` when any element was not a distinct code of the list.
    fn codes<'de, A: SeqAccess<'de>>(
        &mut self,
        seq: &mut A,
        list: crate::instrument::CodeListId,
        duplicate: FindingCode,
    ) -> Result<Option<Vec<u16>>, A::Error> {
        let definition = self.ctx.definition;
        let item = definition.item(self.item);
        let list = definition.code_list(list);
        let mut codes = Vec::new();
        let mut ok = true;
        let mut index = 0usize;
        while let Some(element) = seq.next_element_seed(CodeSeed {
            sink: &mut self.ctx.sink,
            depth: self.depth + 1,
        })? {
            let path = Path::index(self.path, index);
            match element {
                Ok(code) => match list.position(&code) {
                    Some(position) if codes.contains(&position) => {
                        let message = if duplicate == FindingCode::RankingDuplicate {
                            messages::ranking_duplicate()
                        } else {
                            messages::duplicate_choice()
                        };
                        self.ctx.error(duplicate, &path, message);
                        ok = false;
                    }
                    Some(position) => codes.push(position),
                    None => {
                        let message = messages::not_in_code_list(&item.label, &list.name);
                        self.ctx.error(FindingCode::NotInCodeList, &path, message);
                        ok = false;
                    }
                },
                Err(found) => {
                    let message = messages::wrong_type(
                        ("en kod (en textsträng)", "a code (a string)"),
                        found,
                    );
                    self.ctx.error(FindingCode::WrongType, &path, message);
                    ok = false;
                }
            }
            index += 1;
        }
        Ok(ok.then_some(codes))
    }
}
