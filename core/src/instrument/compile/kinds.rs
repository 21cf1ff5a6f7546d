//! What each item kind needs: the fields it may use, and its kind-specific checks, building the
//! [`ItemKind`] of an item.

use std::collections::BTreeMap;

use super::{Builder, Scope, broken};
use crate::error::{Error, Result};
use crate::instrument::raw::RawItem;
use crate::instrument::{Group, ItemId, ItemKind, Names};
use crate::text::Text;

/// The fields each kind may use; any other kind-specific field is a mistake in the file.
pub(super) fn allowed_fields(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "single_choice" => &["code_list"],
        "multiple_choice" => &["code_list", "min_selected", "max_selected"],
        "integer" | "decimal" => &["min", "max"],
        "date" => &["not_before", "not_after"],
        "boolean" => &[],
        "text" => &["max_length", "multiline"],
        "ranking" => &["code_list", "max_ranked", "eligible_when"],
        "group" => &["items", "min_rows", "max_rows"],
        _ => return None,
    })
}

pub(super) fn present_fields(raw: &RawItem) -> Vec<&'static str> {
    let flags = [
        ("code_list", raw.code_list.is_some()),
        ("min_selected", raw.min_selected.is_some()),
        ("max_selected", raw.max_selected.is_some()),
        ("min", raw.min.is_some()),
        ("max", raw.max.is_some()),
        ("not_before", raw.not_before.is_some()),
        ("not_after", raw.not_after.is_some()),
        ("max_length", raw.max_length.is_some()),
        ("multiline", raw.multiline.is_some()),
        ("max_ranked", raw.max_ranked.is_some()),
        ("eligible_when", raw.eligible_when.is_some()),
        ("items", raw.items.is_some()),
        ("min_rows", raw.min_rows.is_some()),
        ("max_rows", raw.max_rows.is_some()),
    ];
    flags
        .iter()
        .filter(|(_, on)| *on)
        .map(|(name, _)| *name)
        .collect()
}

pub(super) fn missing(place: &Text, field: &str, kind: &str) -> Error {
    broken(Text {
        sv: format!("{}: typen `{kind}` kräver `{field}`", place.sv),
        en: format!("{}: kind `{kind}` needs `{field}`", place.en),
    })
}

impl Builder {
    /// The kind of an item, its fields checked. A date's references are resolved later (they may
    /// name items declared after it).
    pub(super) fn kind(
        &mut self,
        raw: &RawItem,
        place: &Text,
        kind_name: &str,
        id: ItemId,
        scope: &Scope<'_>,
    ) -> Result<ItemKind> {
        Ok(match kind_name {
            "single_choice" => ItemKind::SingleChoice {
                list: self.code_list(place, raw.code_list.as_ref(), kind_name)?,
            },
            "multiple_choice" => self.multiple_choice(raw, place, kind_name)?,
            "integer" => Self::integer(raw, place, kind_name)?,
            "decimal" => Self::decimal(raw, place, kind_name)?,
            "date" => {
                self.pending_dates.push((
                    id,
                    raw.not_before.clone().unwrap_or_default(),
                    raw.not_after.clone().unwrap_or_default(),
                ));
                ItemKind::Date {
                    not_before: Vec::new(),
                    not_after: Vec::new(),
                }
            }
            "boolean" => ItemKind::Boolean,
            "text" => Self::text(raw, place, kind_name)?,
            "ranking" => self.ranking(raw, place, kind_name, scope)?,
            "group" => Self::group(raw, place, kind_name)?,
            _ => unreachable!("kind names are checked by allowed_fields above"),
        })
    }

    /// A multiple-choice item: its list and selection bounds.
    fn multiple_choice(&self, raw: &RawItem, place: &Text, kind_name: &str) -> Result<ItemKind> {
        let list = self.code_list(place, raw.code_list.as_ref(), kind_name)?;
        let len = u32::try_from(self.code_lists[list.0 as usize].codes.len())
            .expect("list length checked against u16::MAX");
        let min_selected = raw.min_selected.unwrap_or(0);
        let max_selected = raw.max_selected.unwrap_or(len);
        if min_selected > max_selected || max_selected == 0 || max_selected > len {
            return Err(broken(Text {
                sv: format!(
                    "{}: kräver min_selected <= max_selected, 1 <= max_selected <= {len}",
                    place.sv
                ),
                en: format!(
                    "{}: need min_selected <= max_selected, 1 <= max_selected <= {len} (codes in the list)",
                    place.en
                ),
            }));
        }
        Ok(ItemKind::MultipleChoice {
            list,
            min_selected,
            max_selected,
        })
    }

    /// An integer item: whole-number bounds.
    fn integer(raw: &RawItem, place: &Text, kind_name: &str) -> Result<ItemKind> {
        let min = raw
            .min
            .as_ref()
            .ok_or_else(|| missing(place, "min", kind_name))?;
        let max = raw
            .max
            .as_ref()
            .ok_or_else(|| missing(place, "max", kind_name))?;
        let (Some(min), Some(max)) = (min.as_i64(), max.as_i64()) else {
            return Err(broken(Text {
                sv: format!("{}: min och max för ett heltal måste vara heltal", place.sv),
                en: format!(
                    "{}: min and max of an integer item must be whole numbers",
                    place.en
                ),
            }));
        };
        if min > max {
            return Err(broken(Text {
                sv: format!("{}: min får inte vara större än max", place.sv),
                en: format!("{}: min must not exceed max", place.en),
            }));
        }
        Ok(ItemKind::Integer { min, max })
    }

    /// A decimal item: finite bounds.
    fn decimal(raw: &RawItem, place: &Text, kind_name: &str) -> Result<ItemKind> {
        let min = raw
            .min
            .as_ref()
            .ok_or_else(|| missing(place, "min", kind_name))?;
        let max = raw
            .max
            .as_ref()
            .ok_or_else(|| missing(place, "max", kind_name))?;
        let (Some(min), Some(max)) = (min.as_f64(), max.as_f64()) else {
            return Err(missing(place, "min", kind_name));
        };
        if min > max || !min.is_finite() || !max.is_finite() {
            return Err(broken(Text {
                sv: format!("{}: min får inte vara större än max", place.sv),
                en: format!("{}: min must not exceed max", place.en),
            }));
        }
        Ok(ItemKind::Decimal { min, max })
    }

    /// A text item: its length limit.
    fn text(raw: &RawItem, place: &Text, kind_name: &str) -> Result<ItemKind> {
        let max_length = raw
            .max_length
            .ok_or_else(|| missing(place, "max_length", kind_name))?;
        if max_length == 0 {
            return Err(broken(Text {
                sv: format!("{}: max_length måste vara minst 1", place.sv),
                en: format!("{}: max_length must be at least 1", place.en),
            }));
        }
        Ok(ItemKind::Text {
            max_length,
            multiline: raw.multiline.unwrap_or(false),
        })
    }

    /// A ranking item: its subjects, how many may be ranked, and when each is eligible.
    fn ranking(
        &self,
        raw: &RawItem,
        place: &Text,
        kind_name: &str,
        scope: &Scope<'_>,
    ) -> Result<ItemKind> {
        let list = self.code_list(place, raw.code_list.as_ref(), kind_name)?;
        let max_ranked = raw
            .max_ranked
            .ok_or_else(|| missing(place, "max_ranked", kind_name))?;
        let codes = &self.code_lists[list.0 as usize];
        if max_ranked == 0 || max_ranked as usize > codes.codes.len() {
            return Err(broken(Text {
                sv: format!(
                    "{}: max_ranked måste vara mellan 1 och antalet ämnen",
                    place.sv
                ),
                en: format!(
                    "{}: max_ranked must be between 1 and the number of subjects",
                    place.en
                ),
            }));
        }
        let mut eligible_when = vec![None; codes.codes.len()];
        for (code, condition) in raw.eligible_when.iter().flat_map(BTreeMap::iter) {
            let Some(position) = codes.position(code) else {
                return Err(broken(Text {
                    sv: format!(
                        "{}: eligible_when nämner `{code}`, som inte finns i kodlistan `{}`",
                        place.sv, codes.name
                    ),
                    en: format!(
                        "{}: eligible_when names `{code}`, which is not in code list `{}`",
                        place.en, codes.name
                    ),
                }));
            };
            eligible_when[usize::from(position)] = Some(self.condition(place, condition, scope)?);
        }
        Ok(ItemKind::Ranking {
            list,
            max_ranked,
            eligible_when,
        })
    }

    /// A repeating group's row bounds; its children are added after it (pre-order).
    fn group(raw: &RawItem, place: &Text, kind_name: &str) -> Result<ItemKind> {
        let min_rows = raw.min_rows.unwrap_or(0);
        let max_rows = raw
            .max_rows
            .ok_or_else(|| missing(place, "max_rows", kind_name))?;
        if max_rows == 0 || min_rows > max_rows {
            return Err(broken(Text {
                sv: format!(
                    "{}: kräver 1 <= max_rows och min_rows <= max_rows",
                    place.sv
                ),
                en: format!("{}: need 1 <= max_rows and min_rows <= max_rows", place.en),
            }));
        }
        if raw.items.as_ref().is_none_or(Vec::is_empty) {
            return Err(missing(place, "items", kind_name));
        }
        // Placeholder: the real children are added right after this item (pre-order).
        Ok(ItemKind::Group(Group {
            children: Vec::new(),
            min_rows,
            max_rows,
            locals: Names::new([]),
        }))
    }
}
