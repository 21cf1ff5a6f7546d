//! Rules that need the whole document: hidden items, conditions, required answers, row counts,
//! ranking eligibility and date order. Run after the streaming parse.

use jiff::civil::Date;

use super::parse::{Ctx, Path};
use crate::document::{AnswerValue, Document, Row, Status};
use crate::finding::{FindingCode, Severity, messages};
use crate::instrument::{Condition, DateRef, Definition, ItemId, ItemKind, Sibling, When};

/// Where an item's value is looked up: the document, and the row when inside a group.
#[derive(Clone, Copy)]
struct Scope<'a> {
    definition: &'a Definition,
    document: &'a Document,
    row: Option<(ItemId, &'a Row)>,
}

pub(super) fn check(
    ctx: &mut Ctx<'_>,
    hidden: &[bool],
    document: &Document,
    interview_date_missing: bool,
) {
    let incomplete = match document.status {
        Status::Complete => Severity::Error,
        Status::Draft => Severity::Warning,
    };
    if interview_date_missing {
        let label = messages::interview_date_label();
        let path = Path::field("interview_date");
        ctx.report(
            incomplete,
            FindingCode::RequiredMissing,
            &path,
            messages::required_missing(&label),
        );
    }
    let scope = Scope {
        definition: ctx.definition,
        document,
        row: None,
    };
    let definition = ctx.definition;
    // Most documents list no completed section (or are complete): then the item's section need
    // not be looked up, which for a draft was a cache miss on every ruled item.
    let any_section_complete =
        document.status == Status::Draft && document.completed_sections.iter().any(|&c| c);
    let severity_in = |item: ItemId| {
        // A section listed in `completed_sections` is held to the rules of a complete document.
        if any_section_complete && document.section_complete(definition.item(item).section) {
            Severity::Error
        } else {
            incomplete
        }
    };
    for &item in definition.ruled_top_level() {
        check_item(
            ctx,
            hidden,
            scope,
            item,
            document.value(item),
            None,
            severity_in(item),
        );
    }
    // Any other item can only be wrong by being answered while the profile hides it. Findings
    // are sorted by path afterwards, so visiting these last changes no order. (Most profiles
    // hide nothing: the test is a vectorised pass, the loop below one branch per item.)
    if !hidden.iter().fold(false, |any, &h| any | h) {
        return;
    }
    for (index, _) in hidden.iter().enumerate().filter(|(_, hidden)| **hidden) {
        let item = ItemId::from_index(index);
        let definition_item = definition.item(item);
        if definition_item.parent.is_none()
            && !definition_item.has_rules()
            && let Some(value) = document.value(item)
        {
            check_item(
                ctx,
                hidden,
                scope,
                item,
                Some(value),
                None,
                severity_in(item),
            );
        }
    }
}

fn check_item(
    ctx: &mut Ctx<'_>,
    hidden: &[bool],
    scope: Scope<'_>,
    id: ItemId,
    value: Option<&AnswerValue>,
    parent: Option<&Path<'_>>,
    incomplete: Severity,
) {
    let definition = ctx.definition;
    // The item's full record is read only when a finding needs its label or its kind has rules
    // on the value (ranking, date, group): see `Hot`.
    let hot = definition.hot(id);
    let path = Path::item(parent, id);
    let is_hidden = hidden.get(id.index()).copied().unwrap_or(false);
    // `None`: the condition depends on an answer that was itself invalid (already reported), so
    // whether this item applies is unknown and neither `not_enabled` nor `required_missing` is said.
    let enabled = || {
        if !hot.conditional {
            return Some(true);
        }
        let full = || {
            definition
                .item(id)
                .enabled_when
                .as_ref()
                .map_or(Some(true), |c| holds(c, scope))
        };
        let compact = match definition.when(id) {
            When::In {
                item,
                sibling,
                codes,
            } => choice_holds(value_at(item, sibling, scope), |c| {
                c < 64 && codes >> c & 1 == 1
            }),
            When::Equals {
                item,
                sibling,
                value,
            } => boolean_holds(value_at(item, sibling, scope), value),
            When::Always | When::Other => return full(),
        };
        debug_assert_eq!(compact, full(), "the compact condition of {id:?}");
        compact
    };
    let Some(value) = value else {
        // Evaluated only for required items: most unanswered items are optional.
        if hot.required && !is_hidden && enabled() == Some(true) {
            ctx.report(
                incomplete,
                FindingCode::RequiredMissing,
                &path,
                messages::required_missing(&definition.item(id).label),
            );
        }
        return;
    };
    if is_hidden {
        ctx.report(
            Severity::Error,
            FindingCode::HiddenItemPresent,
            &path,
            messages::hidden_item_present(&definition.item(id).label),
        );
        return;
    }
    let enabled = enabled();
    if enabled != Some(true) {
        if enabled.is_none() {
            return;
        }
        ctx.report(
            Severity::Error,
            FindingCode::NotEnabled,
            &path,
            messages::not_enabled(&definition.item(id).label),
        );
        return;
    }
    if !hot.value_rules {
        return;
    }
    let item = definition.item(id);
    match (&item.kind, value) {
        (
            ItemKind::Ranking {
                list,
                eligible_when,
                ..
            },
            AnswerValue::Ranking(codes),
        ) => {
            for (index, &code) in codes.iter().enumerate() {
                let eligible = eligible_when[usize::from(code)]
                    .as_ref()
                    .map_or(Some(true), |c| holds(c, scope));
                if eligible == Some(false) {
                    let subject = &definition.code_list(*list).code(code).label;
                    let element = Path::index(&path, index);
                    ctx.report(
                        Severity::Error,
                        FindingCode::RankingNotEligible,
                        &element,
                        messages::ranking_not_eligible(subject),
                    );
                }
            }
        }
        (
            ItemKind::Date {
                not_before,
                not_after,
            },
            AnswerValue::Date(date),
        ) => {
            for reference in not_before {
                if let Some(other) = date_of(*reference, scope)
                    && *date < other
                {
                    let message =
                        messages::date_order_before(&item.label, &reference_label(ctx, *reference));
                    ctx.report(Severity::Error, FindingCode::DateOrder, &path, message);
                }
            }
            for reference in not_after {
                if let Some(other) = date_of(*reference, scope)
                    && *date > other
                {
                    let message =
                        messages::date_order_after(&item.label, &reference_label(ctx, *reference));
                    ctx.report(Severity::Error, FindingCode::DateOrder, &path, message);
                }
            }
        }
        (ItemKind::Group(group), AnswerValue::Rows(rows)) => {
            if rows.len() < group.min_rows as usize {
                ctx.report(
                    incomplete,
                    FindingCode::TooFewRows,
                    &path,
                    messages::too_few_rows(&item.label, group.min_rows),
                );
            }
            for (index, row) in rows.iter().enumerate().filter(|(_, row)| !row.malformed) {
                let row_path = Path::index(&path, index);
                let row_scope = Scope {
                    definition: scope.definition,
                    document: scope.document,
                    row: Some((id, row)),
                };
                for (position, &child) in group.children.iter().enumerate() {
                    check_item(
                        ctx,
                        hidden,
                        row_scope,
                        child,
                        row.value(position),
                        Some(&row_path),
                        incomplete,
                    );
                }
            }
        }
        _ => {}
    }
}

fn reference_label(ctx: &Ctx<'_>, reference: DateRef) -> crate::Text {
    match reference {
        DateRef::InterviewDate => messages::interview_date_label(),
        DateRef::Item(item) => ctx.definition.item(item).label.clone(),
    }
}

/// The value of `item` as seen from `scope`, its place among siblings (if it is a sub-item)
/// given: inside a row of its group the row's answer, else the document's.
fn value_at<'a>(
    item: ItemId,
    sibling: Option<Sibling>,
    scope: Scope<'a>,
) -> Option<&'a AnswerValue> {
    if let (Some(sibling), Some((group, row))) = (sibling, scope.row)
        && sibling.group == group
    {
        return row.value(sibling.position as usize);
    }
    scope.document.value(item)
}

/// The value of `item` as seen from `scope`: a sibling in the current row, or a top-level answer.
fn value_in<'a>(item: ItemId, scope: Scope<'a>) -> Option<&'a AnswerValue> {
    // The place among siblings matters only inside a row.
    let sibling = scope
        .row
        .and_then(|_| Sibling::of(item, scope.definition.items()));
    value_at(item, sibling, scope)
}

fn date_of(reference: DateRef, scope: Scope<'_>) -> Option<Date> {
    match reference {
        DateRef::InterviewDate => scope.document.interview_date(),
        DateRef::Item(item) => match value_in(item, scope) {
            Some(AnswerValue::Date(date)) => Some(*date),
            _ => None,
        },
    }
}

/// Whether a choice answer has a code that `accepts`: `None` when the answer was invalid.
fn choice_holds(value: Option<&AnswerValue>, accepts: impl Fn(u16) -> bool) -> Option<bool> {
    match value {
        Some(AnswerValue::Code(code)) => Some(accepts(*code)),
        Some(AnswerValue::Codes(selected)) => Some(selected.iter().any(|&code| accepts(code))),
        Some(AnswerValue::Invalid) => None,
        _ => Some(false),
    }
}

/// Whether a yes/no answer is `expected`: `None` when the answer was invalid.
fn boolean_holds(value: Option<&AnswerValue>, expected: bool) -> Option<bool> {
    match value {
        Some(AnswerValue::Boolean(answer)) => Some(*answer == expected),
        Some(AnswerValue::Invalid) => None,
        _ => Some(false),
    }
}

/// Whether a condition holds: `None` when it depends on an answer that was invalid.
fn holds(condition: &Condition, scope: Scope<'_>) -> Option<bool> {
    match condition {
        Condition::In { item, codes } => {
            choice_holds(value_in(*item, scope), |code| codes.contains(&code))
        }
        Condition::Equals { item, value } => boolean_holds(value_in(*item, scope), *value),
        Condition::Answered { item, answered } => {
            Some(value_in(*item, scope).is_some() == *answered)
        }
        Condition::All(all) => all
            .iter()
            .try_fold(true, |acc, c| Some(acc & holds(c, scope)?)),
        Condition::Any(any) => any
            .iter()
            .try_fold(false, |acc, c| Some(acc | holds(c, scope)?)),
        Condition::Not(inner) => holds(inner, scope).map(|h| !h),
    }
}
