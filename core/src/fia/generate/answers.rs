//! The answers of the FIA document being built.

// The parts of one generator share its constants, types and imports: one glob of the parent.
use super::*;

/// The answers object under construction. Every write checks the item's `enabled_when` against
/// what is already written (conditions only refer to earlier items), so a generated document
/// never answers a disabled item.
pub(super) struct Answers<'d> {
    pub(super) definition: &'d Definition,
    pub(super) map: Map<String, Value>,
}

impl Answers<'_> {
    /// Writes a top-level answer if the item is enabled; says whether it was written.
    pub(super) fn put(&mut self, item: ItemId, value: Value) -> bool {
        if !self.enabled(item, None) {
            return false;
        }
        self.map
            .insert(self.definition.item(item).id.clone(), value);
        true
    }

    /// Writes a sub-item's answer into a row of `group` if it is enabled there.
    pub(super) fn put_in(
        &self,
        row: &mut Map<String, Value>,
        group: ItemId,
        item: ItemId,
        value: Value,
    ) -> bool {
        if !self.enabled(item, Some((group, &*row))) {
            return false;
        }
        row.insert(self.definition.item(item).local.clone(), value);
        true
    }

    pub(super) fn put_text(&mut self, item: ItemId, phrase: &str) -> bool {
        let value = self.text(item, phrase);
        self.put(item, value)
    }

    pub(super) fn put_text_in(
        &self,
        row: &mut Map<String, Value>,
        group: ItemId,
        item: ItemId,
        phrase: &str,
    ) -> bool {
        let value = self.text(item, phrase);
        self.put_in(row, group, item, value)
    }

    /// An integer moved into the item's bounds.
    pub(super) fn put_integer(&mut self, item: ItemId, n: i64) -> bool {
        let value = match self.definition.item(item).kind {
            ItemKind::Integer { min, max } => n.clamp(min, max),
            _ => n,
        };
        self.put(item, value.into())
    }

    /// A phrase cut to the item's `max_length`.
    pub(super) fn text(&self, item: ItemId, phrase: &str) -> Value {
        let max = match self.definition.item(item).kind {
            ItemKind::Text { max_length, .. } => max_length as usize,
            _ => usize::MAX,
        };
        phrase.chars().take(max).collect::<String>().into()
    }

    /// Distinct codes as a multiple-choice answer within the item's selection limits, or `None`
    /// when too few were chosen to answer at all.
    pub(super) fn selection(&self, item: ItemId, mut codes: Vec<&str>) -> Option<Value> {
        let (min, max) = match self.definition.item(item).kind {
            ItemKind::MultipleChoice {
                min_selected,
                max_selected,
                ..
            } => (min_selected as usize, max_selected as usize),
            _ => (0, usize::MAX),
        };
        codes.truncate(max);
        (!codes.is_empty() && codes.len() >= min)
            .then(|| Value::Array(codes.into_iter().map(code).collect()))
    }

    /// Whether the item's `enabled_when` holds, in a row of a group when `row` is given.
    pub(super) fn enabled(&self, item: ItemId, row: Option<(ItemId, &Map<String, Value>)>) -> bool {
        self.definition
            .item(item)
            .enabled_when
            .as_ref()
            .is_none_or(|condition| self.holds(condition, row))
    }

    /// Evaluates a condition as the validator does: a sibling in the same row, else a top-level
    /// answer; an unanswered item satisfies no `in` or `equals`.
    pub(super) fn holds(
        &self,
        condition: &Condition,
        row: Option<(ItemId, &Map<String, Value>)>,
    ) -> bool {
        let definition = self.definition;
        let answer = |item: ItemId| {
            let it = definition.item(item);
            match row {
                Some((group, map)) if it.parent == Some(group) => map.get(&it.local),
                _ => self.map.get(&it.id),
            }
        };
        match condition {
            Condition::In { item, codes } => {
                let list = match definition.item(*item).kind {
                    ItemKind::SingleChoice { list } | ItemKind::MultipleChoice { list, .. } => {
                        definition.code_list(list)
                    }
                    _ => return false,
                };
                let is_in = |value: &Value| {
                    value
                        .as_str()
                        .and_then(|c| list.position(c))
                        .is_some_and(|position| codes.contains(&position))
                };
                match answer(*item) {
                    Some(Value::Array(selected)) => selected.iter().any(is_in),
                    Some(value) => is_in(value),
                    None => false,
                }
            }
            Condition::Equals { item, value } => {
                answer(*item).and_then(Value::as_bool) == Some(*value)
            }
            Condition::Answered { item, answered } => answer(*item).is_some() == *answered,
            Condition::All(all) => all.iter().all(|c| self.holds(c, row)),
            Condition::Any(any) => any.iter().any(|c| self.holds(c, row)),
            Condition::Not(inner) => !self.holds(inner, row),
        }
    }
}

pub(super) fn code(code: &str) -> Value {
    Value::String(code.to_owned())
}

pub(super) fn percent(percent: u32) -> f64 {
    f64::from(percent) / 100.0
}

/// The share of a weight table taken by `codes`.
pub(super) fn share(table: &[(&str, u32)], codes: &[&str]) -> f64 {
    let total: u32 = table.iter().map(|&(_, w)| w).sum();
    let part: u32 = table
        .iter()
        .filter(|(c, _)| codes.contains(c))
        .map(|&(_, w)| w)
        .sum();
    f64::from(part) / f64::from(total)
}

pub(super) fn add_days(day: Date, days: i64) -> Date {
    day.checked_add(Span::new().days(days))
        .expect("generated dates stay within a few years of 2025, far inside jiff's range")
}
