//! Parts 4 and 5 of a FIA document: the ranking and the implementation plan.

// The parts of one generator share its constants, types and imports: one glob of the parent.
use super::*;

/// Ranks 1–3 eligible subjects (as the definition's `eligible_when` allows: affected areas and
/// work), favouring large problems, wished help and, for work, a work need.
pub(super) fn generate_ranking(
    items: &Items,
    areas: &[Area],
    states: &[AreaState],
    need: &Need,
    answers: &mut Answers<'_>,
    rng: &mut Draw,
) -> Vec<&'static str> {
    let definition = answers.definition;
    let ItemKind::Ranking {
        list,
        max_ranked,
        eligible_when,
    } = &definition.item(items.rangordning).kind
    else {
        unreachable!("`Resolver::item` checked that rangordning is a ranking")
    };
    let mut candidates: Vec<(&'static str, u32)> = Vec::new();
    for (index, subject) in definition.code_list(*list).codes.iter().enumerate() {
        let eligible = eligible_when[index]
            .as_ref()
            .is_none_or(|condition| answers.holds(condition, None));
        // Subjects are the known areas and work; other subjects of a later list are not ranked.
        let weight = if subject.code == WORK_SUBJECT {
            Some((WORK_SUBJECT, if need.work { 8 } else { 3 }))
        } else {
            areas
                .iter()
                .zip(states)
                .find(|(area, _)| area.code == subject.code)
                .map(|(area, state)| {
                    let weight = if state.large_problem { 4 } else { 1 };
                    (
                        area.code,
                        if state.wants_help { 2 * weight } else { weight },
                    )
                })
        };
        if let (true, Some(weighted)) = (eligible, weight) {
            candidates.push(weighted);
        }
    }
    let wanted = rng
        .weighted(RANKED_COUNT)
        .min(candidates.len())
        .min(*max_ranked as usize);
    let mut ranking = Vec::with_capacity(wanted);
    for _ in 0..wanted {
        let index = rng.weighted_index(candidates.iter().map(|&(_, w)| w));
        ranking.push(candidates.remove(index).0);
    }
    if !ranking.is_empty() {
        let value = Value::Array(ranking.iter().map(|&c| code(c)).collect());
        answers.put(items.rangordning, value);
    }
    ranking
}

/// A plan of 1–3 goals (within the group's row limits), one per ranked subject first, each with
/// 0–2 sub-goals, interventions that fit its area, who is responsible and a follow-up date; the
/// next follow-up is the earliest of them.
pub(super) fn generate_plan(
    items: &Items,
    ranking: &[&'static str],
    work: &Work,
    interview: Date,
    answers: &mut Answers<'_>,
    rng: &mut Draw,
) {
    let definition = answers.definition;
    let goals = rows(definition, items.plan, rng.weighted(GOAL_COUNT));
    let omrade_list = match definition.item(items.plan_omrade).kind {
        ItemKind::SingleChoice { list } => definition.code_list(list),
        _ => unreachable!("`Resolver::item` checked that omrade is a single choice"),
    };
    let mut rows_out = Vec::with_capacity(goals);
    let mut earliest: Option<Date> = None;
    for index in 0..goals {
        let mut row = Map::new();
        let area = ranking
            .get(index)
            .copied()
            .filter(|&c| omrade_list.position(c).is_some());
        let phrases = lookup(GOALS, area.unwrap_or(""));
        answers.put_text_in(&mut row, items.plan, items.plan_mal, rng.pick(phrases));
        if let Some(area) = area {
            answers.put_in(&mut row, items.plan, items.plan_omrade, code(area));
        }

        let sub_goals = rows(definition, items.plan_delmal, rng.weighted(DELMAL_COUNT));
        let mut sub_rows = Vec::with_capacity(sub_goals);
        for _ in 0..sub_goals {
            let mut sub_row = Map::new();
            let text = rng.pick(DELMAL);
            answers.put_text_in(
                &mut sub_row,
                items.plan_delmal,
                items.plan_delmal_beskrivning,
                text,
            );
            sub_rows.push(Value::Object(sub_row));
        }
        if !sub_rows.is_empty() || definition.item(items.plan_delmal).required {
            answers.put_in(&mut row, items.plan, items.plan_delmal, sub_rows.into());
        }

        if rng.percent(85) {
            let mut fitting: Vec<&str> = lookup(PLAN_INSATSER, area.unwrap_or("")).to_vec();
            if area == Some(WORK_SUBJECT) && work.weak_swedish {
                fitting.push(SFI);
            }
            let wanted = 1 + rng.below(2);
            let mut chosen = Vec::with_capacity(wanted);
            while chosen.len() < wanted && !fitting.is_empty() {
                chosen.push(fitting.remove(rng.below(fitting.len())));
            }
            if let Some(value) = answers.selection(items.plan_insatser, chosen) {
                answers.put_in(&mut row, items.plan, items.plan_insatser, value);
            }
        }
        answers.put_in(
            &mut row,
            items.plan,
            items.plan_ansvarig,
            code(rng.weighted(ANSVARIG)),
        );
        let follow_up = add_days(interview, rng.between(FOLLOW_UP_DAYS.0, FOLLOW_UP_DAYS.1));
        if answers.put_in(
            &mut row,
            items.plan,
            items.plan_uppfoljning,
            follow_up.to_string().into(),
        ) {
            earliest = Some(earliest.map_or(follow_up, |e| e.min(follow_up)));
        }
        rows_out.push(Value::Object(row));
    }
    if !rows_out.is_empty() || definition.item(items.plan).required {
        answers.put(items.plan, Value::Array(rows_out));
    }
    if let Some(earliest) = earliest {
        answers.put(items.nasta_uppfoljning, earliest.to_string().into());
    }
}

/// `wanted` rows, moved into the group's row limits.
pub(super) fn rows(definition: &Definition, group: ItemId, wanted: usize) -> usize {
    match &definition.item(group).kind {
        ItemKind::Group(g) => wanted.clamp(g.min_rows as usize, g.max_rows as usize),
        _ => unreachable!("`Resolver::item` checked that the item is a group"),
    }
}

/// The entry for `key` in a table ending with the fallback entry `""`.
pub(super) fn lookup<T: Copy>(table: &[(&str, T)], key: &str) -> T {
    table
        .iter()
        .find(|(k, _)| *k == key)
        .or_else(|| table.last())
        .map(|&(_, v)| v)
        .expect("tables are non-empty and end with a fallback entry")
}
