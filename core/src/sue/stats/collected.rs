//! More of what SUE collects and no table showed (issue 15, point 2): the providers (utförare)
//! of interventions, the reasons given for sanctions and exemptions by activation, and the time
//! from case start to first intervention as quartiles in whole weeks, under a rule of their own
//! (see DESIGN.md, "Time to first intervention").
//!
//! Providers and reasons are ordinary count tables (persons; threshold, cell-key perturbation).
//! The quartiles are order statistics of real persons' times, not counts: they are read off a
//! histogram of whole weeks whose bins carry the same cell-key perturbation as every count (so
//! the same persons give the same quartile in every request), and shown only for a row whose
//! *published* number of persons is at least [`MIN_PERSONS`] and the threshold; never a minimum
//! or maximum.

// The parts of the SUE statistics share their types and imports: one glob of the parent.
use super::record::{code, date, rows, small};
use super::*;
use crate::stats::builder::{Base, Column, Columns, Label, text};
use crate::stats::disclosure::{Registry, SuppressionReason};
use crate::stats::{Cell, Table};

/// Weeks counted one by one; a time of this many weeks or more falls in one open bin, and a
/// quartile in it is not shown (its value is not known).
pub(super) const WEEKS: usize = crate::stats::QUANTILE_OPEN_WEEKS;
/// The fewest published persons in a row before its quartiles are shown (or the threshold, if
/// higher).
pub(super) const MIN_PERSONS: u64 = crate::stats::QUANTILE_MIN_PERSONS;
/// The quartiles shown: code, labels, and the quarter (k of 4) of persons reached.
const QUARTILES: [(Label, u64); 3] = [
    (
        (
            "kvartil_1_veckor",
            "Första kvartilen, veckor",
            "First quartile, weeks",
        ),
        1,
    ),
    (("median_veckor", "Median, veckor", "Median, weeks"), 2),
    (
        (
            "kvartil_3_veckor",
            "Tredje kvartilen, veckor",
            "Third quartile, weeks",
        ),
        3,
    ),
];
const TIMING: &str = "time_to_first_intervention";

/// The sub-items of `insatser.insats` the tables read, and their code lists.
#[derive(Clone, Debug)]
pub(super) struct Items {
    start: usize,
    provider: usize,
    sanction_reason: usize,
    exemption_reason: usize,
    pub(super) providers: Codes,
    pub(super) sanction_reasons: Codes,
    pub(super) exemption_reasons: Codes,
}

impl Items {
    /// Resolves the sub-items in `definition`'s intervention group.
    pub(super) fn new(definition: &Definition, interventions: ItemId) -> Result<Items> {
        let child = |local: &str| -> Result<(usize, Codes)> {
            let position = sub(definition, interventions, local)?;
            let ItemKind::Group(group) = &definition.item(interventions).kind else {
                unreachable!("checked to be a group by `sub`");
            };
            let item = group.children[position];
            let codes = match definition.item(item).kind {
                ItemKind::SingleChoice { .. } => codes_of(definition, item)?,
                _ => Codes { codes: Vec::new() },
            };
            Ok((position, codes))
        };
        let (start, _) = child("startdatum")?;
        let (provider, providers) = child("utforare")?;
        let (sanction_reason, sanction_reasons) = child("sanktion_skal")?;
        let (exemption_reason, exemption_reasons) = child("undantag_skal")?;
        if providers.len() >= 15 || sanction_reasons.len() >= 16 || exemption_reasons.len() >= 16 {
            return Err(missing(
                "fewer than 15 providers and 16 reasons for sanctions and exemptions",
            ));
        }
        Ok(Items {
            start,
            provider,
            sanction_reason,
            exemption_reason,
            providers,
            sanction_reasons,
            exemption_reasons,
        })
    }
}

/// What a record contributes to these tables.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Facts {
    /// Per intervention group, the providers of its rows as bits (code index; the bit after the
    /// last code: a row without a provider).
    providers: [u16; INTERVENTION_GROUPS.len()],
    sanction_reasons: u16,
    exemption_reasons: u16,
    /// Whole weeks from the case start to the earliest start of an intervention that is not a
    /// sanction or an exemption; `None` without a case start or without such an intervention.
    weeks_to_first: Option<u32>,
}

impl Facts {
    /// Reads the facts of `document`, whose case started on `start`.
    pub(super) fn of(schema: &SueSchema, document: &Document, start: Option<Date>) -> Facts {
        let items = &schema.collected;
        let mut facts = Facts::default();
        let mut first: Option<Date> = None;
        for row in rows(document.value(schema.interventions.0)) {
            let Some(kind) = code(row.value(schema.interventions.1)).map(usize::from) else {
                continue;
            };
            let Some(&group) = schema.intervention_group_of.get(kind) else {
                continue;
            };
            let provider = small(code(row.value(items.provider)))
                .map_or(items.providers.len(), usize::from)
                .min(items.providers.len());
            facts.providers[usize::from(group)] |= 1 << provider;
            if kind == schema.sanction {
                if let Some(reason) =
                    small(code(row.value(items.sanction_reason))).filter(|&r| r < 16)
                {
                    facts.sanction_reasons |= 1 << reason;
                }
            } else if kind == schema.exemption {
                if let Some(reason) =
                    small(code(row.value(items.exemption_reason))).filter(|&r| r < 16)
                {
                    facts.exemption_reasons |= 1 << reason;
                }
            } else if let Some(began) = date(row.value(items.start)) {
                first = Some(first.map_or(began, |f| f.min(began)));
            }
        }
        facts.weeks_to_first = start.zip(first).and_then(|(start, first)| {
            let days = start.until(first).ok()?.get_days();
            u32::try_from(days).ok().map(|d| d / 7)
        });
        facts
    }
}

/// Where the tables' counters live, from the first slot given to them.
#[derive(Clone, Debug)]
pub(super) struct Slots {
    /// Per intervention group, then one row for any intervention: one slot per provider, one for
    /// rows without, then the row's persons.
    provider: usize,
    per_provider_row: usize,
    /// Per activation combination, then one row for all: the sanction reasons, the sanctioned,
    /// the exemption reasons, the exempted.
    reason: usize,
    per_reason_row: usize,
    /// One slot per whole week `0..WEEKS`, the open bin, then the persons with a time.
    week: usize,
}

impl Slots {
    /// The slots from `next` on; returns them and the next free slot.
    pub(super) fn new(schema: &SueSchema, next: usize) -> (Slots, usize) {
        let items = &schema.collected;
        let per_provider_row = items.providers.len() + 2;
        let per_reason_row = items.sanction_reasons.len() + items.exemption_reasons.len() + 2;
        let provider = next;
        let reason = provider + (INTERVENTION_GROUPS.len() + 1) * per_provider_row;
        let week = reason + (choices::COMBINATIONS.len() + 1) * per_reason_row;
        let slots = Slots {
            provider,
            per_provider_row,
            reason,
            per_reason_row,
            week,
        };
        (slots, week + WEEKS + 2)
    }

    fn weeks_base(&self) -> usize {
        self.week + WEEKS + 1
    }
}

/// Counts the record's providers, reasons and time to first intervention; `combination` is its
/// activation combination (index into `choices::COMBINATIONS`).
pub(super) fn count(
    counts: &mut Tally<'_>,
    slots: &Slots,
    schema: &SueSchema,
    record: &SueRecord,
    combination: usize,
) {
    let facts = &record.collected;
    let providers = schema.collected.providers.len();
    // One row per intervention group, then the row of all interventions.
    let any = facts.providers.iter().fold(0, |all, bits| all | bits);
    for (row, &bits) in facts.providers.iter().chain([&any]).enumerate() {
        if bits != 0 {
            let at = slots.provider + row * slots.per_provider_row;
            count_row(counts, at, bits, providers + 1);
        }
    }
    let sanctioned = record.interventions & (1 << schema.sanction) != 0;
    let exempted = record.interventions & (1 << schema.exemption) != 0;
    let reasons = schema.collected.sanction_reasons.len();
    let all = choices::COMBINATIONS.len();
    for row in [combination, all] {
        let at = slots.reason + row * slots.per_reason_row;
        if sanctioned {
            count_row(counts, at, facts.sanction_reasons, reasons);
        }
        if exempted {
            let exemption_reasons = schema.collected.exemption_reasons.len();
            count_row(
                counts,
                at + reasons + 1,
                facts.exemption_reasons,
                exemption_reasons,
            );
        }
    }
    if let Some(weeks) = facts.weeks_to_first {
        let bin = usize::try_from(weeks).map_or(WEEKS, |w| w.min(WEEKS));
        counts.add(slots.week + bin);
        counts.add(slots.weeks_base());
    }
}

/// Counts the person into the codes of `bits` (below `n`) at `at`, and into the row's persons
/// (slot `at + n`).
fn count_row(counts: &mut Tally<'_>, at: usize, bits: u16, n: usize) {
    for code in (0..n).filter(|&c| bits & (1 << c) != 0) {
        counts.add(at + code);
    }
    counts.add(at + n);
}

/// The tables (the quartiles are filled in by [`quartiles`] after disclosure control).
pub(super) fn tables(layout: &Layout, schema: &SueSchema) -> Vec<TableSpec> {
    let slots = &layout.collected;
    let items = &schema.collected;
    let providers = items.providers.len();
    let mut provider_columns = items.providers.categories();
    provider_columns.push(Category {
        code: "ej_angiven".into(),
        label: text("Utförare ej angiven", "Provider not recorded"),
    });
    let mut rows: Vec<(String, Text)> = INTERVENTION_GROUPS
        .iter()
        .map(|&(code, sv, en)| (code.to_owned(), text(sv, en)))
        .collect();
    rows.push(("alla".into(), text("Alla insatser", "All interventions")));
    let by_provider = Columns::run(provider_columns, Base::Relative(providers + 1)).fixed(
        "interventions_by_provider",
        [
            text("Insatser efter utförare", "Interventions by provider"),
            text("Bland klienterna med insatser av varje slag: andel med en sådan insats hos varje utförare (en klient kan ha flera utförare)", "Among the clients with interventions of each kind: share with such an intervention from each provider (a client may have several providers)"),
        ],
        ("intervention_group", text("Slag av insats", "Kind of intervention")),
        rows.iter().enumerate().map(|(r, (code, label))| {
            (code.clone(), label.clone(), slots.provider + r * slots.per_provider_row)
        }),
    );
    let mut activation: Vec<(String, Text)> = choices::COMBINATIONS
        .iter()
        .map(|&(code, sv, en)| (code.to_owned(), text(sv, en)))
        .collect();
    activation.push(("samtliga".into(), text("Samtliga", "All")));
    let reason_rows = |offset: usize| {
        activation
            .iter()
            .enumerate()
            .map(move |(r, (code, label))| {
                (
                    code.clone(),
                    label.clone(),
                    slots.reason + r * slots.per_reason_row + offset,
                )
            })
            .collect::<Vec<_>>()
    };
    let sanctions = items.sanction_reasons.len();
    let reasons = [
        (
            "sanction_reasons",
            &items.sanction_reasons,
            0,
            [
                text(
                    "Skäl till sanktion efter aktivering",
                    "Reasons for sanctions by activation",
                ),
                text(
                    "Bland klienterna med sanktion: andel med varje skäl, efter slag av aktivering (en klient kan ha flera skäl)",
                    "Among the clients with a sanction: share with each reason, by kind of activation (a client may have several reasons)",
                ),
            ],
        ),
        (
            "exemption_reasons",
            &items.exemption_reasons,
            sanctions + 1,
            [
                text(
                    "Skäl till undantag efter aktivering",
                    "Reasons for exemptions by activation",
                ),
                text(
                    "Bland klienterna med undantag från krav: andel med varje skäl, efter slag av aktivering (en klient kan ha flera skäl)",
                    "Among the clients with an exemption from requirements: share with each reason, by kind of activation (a client may have several reasons)",
                ),
            ],
        ),
    ];
    let mut specs = vec![by_provider];
    for (id, codes, offset, texts) in reasons {
        specs.push(
            Columns::run(codes.categories(), Base::Relative(codes.len())).fixed(
                id,
                texts,
                ("activation", text("Aktivering", "Activation")),
                reason_rows(offset),
            ),
        );
    }
    let timing = Columns(vec![Column::of(
        &(
            "klienter_med_insats",
            "Klienter med insats",
            "Clients with an intervention",
        ),
        slots.weeks_base(),
        Base::Fixed(layout.clients),
    )])
    .by_dimension(
        TIMING,
        [
            text("Tid till första insats", "Time to first intervention"),
            text("Antal klienter med en insats (utom sanktion och undantag) och känt aktualiseringsdatum, och andel av gruppens klienter; hela veckor från aktualiseringen till den första insatsens start: kvartiler och median, visade endast när gruppen har minst 10 klienter (eller röjandetröskeln om den är högre). Lägsta och högsta värde visas aldrig", "Number of clients with an intervention (other than a sanction or exemption) and a known case start, and share of the group's clients; whole weeks from the case start to the start of the first intervention: quartiles and median, shown only when the group has at least 10 clients (or the disclosure threshold if higher). Minimum and maximum are never shown"),
        ],
        DEMOGRAPHIC,
    );
    specs.push(timing);
    specs
}

/// The sums that hold: the weeks' persons add up to the persons with a time.
pub(super) fn partitions(layout: &Layout) -> Vec<Partition> {
    let slots = &layout.collected;
    vec![Partition {
        total: slots.weeks_base(),
        parts: (slots.week..=slots.week + WEEKS).collect(),
    }]
}

/// The smallest whole week by which at least `k` quarters of `bins`' persons had their first
/// intervention; `None` when it falls in the open bin (the last) or there is nobody.
pub(super) fn quartile(bins: &[u64], k: u64) -> Option<u32> {
    let total: u64 = bins.iter().sum();
    if total == 0 {
        return None;
    }
    let mut reached = 0;
    for (week, &n) in bins.iter().enumerate() {
        reached += n;
        if reached * 4 >= k * total {
            return (week < WEEKS).then(|| u32::try_from(week).expect("few weeks"));
        }
    }
    None
}

/// Adds the quartile columns to the tables of the time to first intervention: computed from the
/// row's histogram of weeks as published (perturbed, unless the report is exact), shown only when
/// the row's published persons are at least `max(threshold, MIN_PERSONS)`.
pub(super) fn quartiles(
    tables: &mut [Table],
    registry: &Registry,
    layout: &Layout,
    threshold: u64,
) {
    let slots = &layout.collected;
    let least = threshold.max(MIN_PERSONS);
    for table in tables
        .iter_mut()
        .filter(|t| t.id == TIMING || t.id.starts_with(&format!("{TIMING}.")))
    {
        for ((code, sv, en), _) in &QUARTILES {
            table.categories.push(Category {
                code: (*code).to_owned(),
                label: text(sv, en),
            });
        }
        for row in &mut table.rows {
            let persons = &row.cells[0];
            let shown = persons.count.is_some_and(|n| n >= least);
            let bins: Vec<u64> = (0..=WEEKS)
                .map(|b| registry.published_count(persons.count_key.with_slot(slots.week + b)))
                .collect();
            let mut cells = Vec::new();
            for (_, k) in &QUARTILES {
                let weeks = shown.then(|| quartile(&bins, *k)).flatten();
                cells.push(Cell {
                    count: None,
                    base: None,
                    share: None,
                    interval: None,
                    suppressed: weeks.is_none(),
                    reason: weeks.is_none().then_some(SuppressionReason::Quantile),
                    weeks,
                    count_key: persons.count_key,
                    base_key: persons.base_key,
                });
            }
            row.cells.extend(cells);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_are_the_first_weeks_reaching_each_quarter() {
        // 12 persons: weeks 0, 0, 1, 2, 2, 2, 3, 5, 5, 8, 9, 60 (the last in the open bin).
        let mut bins = vec![0u64; WEEKS + 1];
        for week in [0, 0, 1, 2, 2, 2, 3, 5, 5, 8, 9] {
            bins[week] += 1;
        }
        bins[WEEKS] += 1;
        // A quarter is 3 persons: reached in week 1; half (6) in week 2; three quarters (9) in
        // week 5.
        assert_eq!(quartile(&bins, 1), Some(1));
        assert_eq!(quartile(&bins, 2), Some(2));
        assert_eq!(quartile(&bins, 3), Some(5));
        // A quartile in the open bin is not known.
        let mut late = vec![0u64; WEEKS + 1];
        late[3] = 1;
        late[WEEKS] = 3;
        assert_eq!(quartile(&late, 1), Some(3));
        assert_eq!(quartile(&late, 2), None);
        assert_eq!(quartile(&vec![0; WEEKS + 1], 2), None);
    }
}
