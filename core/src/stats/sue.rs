//! SUE group statistics: what clients need, what they get, whether it helps, and whether groups
//! are treated alike.
//!
//! [`SueSchema`] resolves, once, the items and codes the statistics read from a SUE definition.
//! [`SueRecord`] is one validated record reduced to what the statistics need (no free text, no
//! identifiers). [`SueAggregate`] counts records into strata in one pass and builds the report.

use std::sync::Arc;

use jiff::civil::Date;

use super::engine::{
    Aggregate, CellSlots, Partition, RowsSpec, StratumKey, TableSpec, build_tables,
};
use super::{Category, Dimension, GroupReport, Threshold};
use crate::classify;
use crate::document::{AnswerValue, Document, Row};
use crate::error::{Error, ErrorKind, Result};
use crate::instrument::{Definition, ItemId, ItemKind};
use crate::text::Text;
use crate::validate::Validated;

/// Intervention groups of the catalogue (the `group` of each `insats` code), in report order.
const INTERVENTION_GROUPS: [(&str, &str, &str); 4] = [
    ("jobbaktivering", "Jobbaktivering", "Work-first activation"),
    (
        "resursaktivering",
        "Resursaktivering",
        "Human-resource activation",
    ),
    ("stod", "Stöd och behandling", "Support and treatment"),
    ("kontroll", "Kontroll (sanktion)", "Control (sanction)"),
];
const JOB: usize = 0;
const RESOURCE: usize = 1;
/// Windows for re-opening after closure, in months.
const REOPEN_WINDOWS: [i8; 3] = [3, 6, 12];
/// Most life areas and intervention types a record's bit sets can hold.
const MAX_CODES: usize = 32;

fn missing(what: &str) -> Error {
    Error::new(
        ErrorKind::InvalidDefinition,
        Text {
            sv: format!("SUE-statistiken kräver {what} i definitionen"),
            en: format!("SUE statistics need {what} in the definition"),
        },
    )
}

/// A code list as the statistics need it: codes and labels.
#[derive(Clone, Debug)]
struct Codes {
    codes: Vec<(String, Text)>,
}

impl Codes {
    fn len(&self) -> usize {
        self.codes.len()
    }

    fn position(&self, code: &str) -> Result<usize> {
        self.codes
            .iter()
            .position(|(c, _)| c == code)
            .ok_or_else(|| missing(&format!("the code `{code}`")))
    }

    fn categories(&self) -> Vec<Category> {
        self.codes
            .iter()
            .map(|(code, label)| Category {
                code: code.clone(),
                label: label.clone(),
            })
            .collect()
    }
}

/// The items and codes of a SUE definition that the statistics read, resolved once.
#[derive(Clone, Debug)]
pub struct SueSchema {
    version: String,
    start: ItemId,
    gender: ItemId,
    birth_year: ItemId,
    country: ItemId,
    household: ItemId,
    months_12: ItemId,
    months_36: ItemId,
    problems: (ItemId, usize),
    interventions: (ItemId, usize),
    outcome: ItemId,
    changes: (ItemId, usize, usize),
    goal: ItemId,
    satisfaction: ItemId,
    helped: ItemId,
    closed: ItemId,
    reopened: ItemId,
    gender_codes: Codes,
    country_codes: Codes,
    household_codes: Codes,
    areas: Codes,
    intervention_types: Codes,
    intervention_group_of: Vec<u8>,
    outcomes: Codes,
    goals: Codes,
    change_codes: Codes,
    satisfaction_codes: Codes,
    helped_codes: Codes,
    work_outcomes: [usize; 2],
    satisfied: [usize; 2],
    sanction: usize,
    exemption: usize,
    goal_fully: usize,
}

fn top(definition: &Definition, id: &str) -> Result<ItemId> {
    definition
        .top_level(id)
        .ok_or_else(|| missing(&format!("the item `{id}`")))
}

fn sub(definition: &Definition, group: ItemId, local: &str) -> Result<usize> {
    match &definition.item(group).kind {
        ItemKind::Group(g) => g
            .position(local)
            .ok_or_else(|| missing(&format!("the sub-item `{local}`"))),
        _ => Err(missing("a repeating group")),
    }
}

fn codes_of(definition: &Definition, item: ItemId) -> Result<Codes> {
    let list = match &definition.item(item).kind {
        ItemKind::SingleChoice { list } | ItemKind::MultipleChoice { list, .. } => *list,
        _ => {
            return Err(missing(&format!(
                "a choice item `{}`",
                definition.item(item).id
            )));
        }
    };
    Ok(Codes {
        codes: definition
            .code_list(list)
            .codes
            .iter()
            .map(|c| (c.code.clone(), c.label.clone()))
            .collect(),
    })
}

impl SueSchema {
    /// Resolves the statistics' items in a SUE definition.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] naming an item or code the statistics need and the
    /// definition lacks.
    pub fn new(definition: &Definition) -> Result<SueSchema> {
        if definition.instrument() != "sue" {
            return Err(missing("instrument `sue`"));
        }
        let problems = top(definition, "fore_insats.problem")?;
        let interventions = top(definition, "insatser.insats")?;
        let changes = top(definition, "efter_insats.forandring")?;
        let problems_area = sub(definition, problems, "omrade")?;
        let intervention_type = sub(definition, interventions, "typ")?;
        let change_area = sub(definition, changes, "omrade")?;
        let change_value = sub(definition, changes, "forandring")?;
        let child = |group: ItemId, position: usize| match &definition.item(group).kind {
            ItemKind::Group(g) => g.children[position],
            _ => unreachable!("checked to be a group by `sub`"),
        };
        let areas = codes_of(definition, child(problems, problems_area))?;
        let intervention_types = codes_of(definition, child(interventions, intervention_type))?;
        if areas.len() > MAX_CODES || intervention_types.len() > MAX_CODES {
            return Err(missing(&format!(
                "at most {MAX_CODES} life areas and intervention types"
            )));
        }
        let list = match &definition
            .item(child(interventions, intervention_type))
            .kind
        {
            ItemKind::SingleChoice { list } => definition.code_list(*list),
            _ => return Err(missing("a single-choice intervention type")),
        };
        let intervention_group_of = list
            .codes
            .iter()
            .map(|code| {
                let group = code.group.as_deref().unwrap_or_default();
                INTERVENTION_GROUPS
                    .iter()
                    .position(|(g, _, _)| *g == group)
                    .map(|p| u8::try_from(p).expect("four groups"))
                    .ok_or_else(|| {
                        missing(&format!("a known group for intervention `{}`", code.code))
                    })
            })
            .collect::<Result<Vec<u8>>>()?;
        let outcome = top(definition, "efter_insats.utfall")?;
        let goal = top(definition, "efter_insats.maluppfyllelse")?;
        let satisfaction = top(definition, "brukaruppfoljning.nojdhet")?;
        let helped = top(definition, "brukaruppfoljning.hjalpt")?;
        let outcomes = codes_of(definition, outcome)?;
        let goals = codes_of(definition, goal)?;
        let satisfaction_codes = codes_of(definition, satisfaction)?;
        let gender = top(definition, "bakgrund.kon")?;
        let country = top(definition, "bakgrund.fodelseland")?;
        let household = top(definition, "bakgrund.hushallstyp")?;
        Ok(SueSchema {
            version: definition.version().to_owned(),
            start: top(definition, "bakgrund.aktualiseringsdatum")?,
            gender,
            birth_year: top(definition, "bakgrund.fodelsear")?,
            country,
            household,
            gender_codes: codes_of(definition, gender)?,
            country_codes: codes_of(definition, country)?,
            household_codes: codes_of(definition, household)?,
            months_12: top(definition, "bakgrund.manader_senaste_ar")?,
            months_36: top(definition, "bakgrund.manader_senaste_3ar")?,
            problems: (problems, problems_area),
            interventions: (interventions, intervention_type),
            outcome,
            changes: (changes, change_area, change_value),
            goal,
            satisfaction,
            helped,
            closed: top(definition, "avslutning.datum")?,
            reopened: top(definition, "ateraktualisering.datum")?,
            work_outcomes: [
                outcomes.position("arbete_utan_stod")?,
                outcomes.position("arbete_med_stod")?,
            ],
            satisfied: [
                satisfaction_codes.position("mycket_nojd")?,
                satisfaction_codes.position("ganska_nojd")?,
            ],
            sanction: intervention_types.position("sanktion")?,
            exemption: intervention_types.position("undantag")?,
            goal_fully: goals.position("helt")?,
            change_codes: codes_of(definition, child(changes, change_value))?,
            helped_codes: codes_of(definition, helped)?,
            areas,
            intervention_types,
            intervention_group_of,
            outcomes,
            goals,
            satisfaction_codes,
        })
    }
}

/// One SUE record reduced to what the statistics count: breakdown values and coded facts. Holds no
/// free text and no identifier.
#[derive(Clone, Debug, PartialEq)]
pub struct SueRecord {
    unit: Option<String>,
    period: i16,
    gender: u8,
    age: u8,
    origin: u8,
    household: u8,
    needs: u32,
    interventions: u32,
    outcome: Option<u8>,
    goal: Option<u8>,
    /// Per life area, 2 bits: 0 = no change recorded, else change code + 1.
    changes: u64,
    satisfaction: Option<u8>,
    helped: Option<u8>,
    long_term: bool,
    very_long_term: Option<bool>,
    closed: Option<Date>,
    reopened: Option<Date>,
}

fn code(value: Option<&AnswerValue>) -> Option<u16> {
    match value {
        Some(AnswerValue::Code(code)) => Some(*code),
        _ => None,
    }
}

fn small(value: Option<u16>) -> Option<u8> {
    value.and_then(|v| u8::try_from(v).ok())
}

fn integer(value: Option<&AnswerValue>) -> Option<i64> {
    match value {
        Some(AnswerValue::Integer(v)) => Some(*v),
        _ => None,
    }
}

fn date(value: Option<&AnswerValue>) -> Option<Date> {
    match value {
        Some(AnswerValue::Date(d)) => Some(*d),
        _ => None,
    }
}

fn rows(value: Option<&AnswerValue>) -> &[Row] {
    match value {
        Some(AnswerValue::Rows(rows)) => rows,
        _ => &[],
    }
}

impl SueRecord {
    /// Reduces a parsed SUE document. Call only for documents without error findings.
    pub fn from_document(schema: &SueSchema, document: &Document) -> SueRecord {
        let code_text = |item: ItemId, codes: &'_ Codes| {
            code(document.value(item)).map(|c| codes_text(codes, c).to_owned())
        };
        let start = date(document.value(schema.start));
        let period = start.map_or(0, |d| d.year());
        let mut needs = 0u32;
        for row in rows(document.value(schema.problems.0)) {
            if let Some(area) = code(row.value(schema.problems.1)) {
                needs |= 1 << area;
            }
        }
        let mut interventions = 0u32;
        for row in rows(document.value(schema.interventions.0)) {
            if let Some(kind) = code(row.value(schema.interventions.1)) {
                interventions |= 1 << kind;
            }
        }
        let mut changes = 0u64;
        for row in rows(document.value(schema.changes.0)) {
            if let (Some(area), Some(change)) = (
                code(row.value(schema.changes.1)),
                code(row.value(schema.changes.2)),
            ) {
                changes |= (u64::from(change) + 1) << (2 * area);
            }
        }
        let months_12 = integer(document.value(schema.months_12));
        let long_term = classify::long_term(
            months_12.unwrap_or(0),
            integer(document.value(schema.months_36)),
        );
        SueRecord {
            unit: document.unit().map(str::to_owned),
            period,
            gender: index(classify::gender(
                code_text(schema.gender, &schema.gender_codes).as_deref(),
            )),
            age: index(classify::age_band(
                integer(document.value(schema.birth_year)),
                start.map(|d| d.year()),
            )),
            origin: index(classify::origin(
                code_text(schema.country, &schema.country_codes).as_deref(),
            )),
            household: index(classify::household(
                code_text(schema.household, &schema.household_codes).as_deref(),
            )),
            needs,
            interventions,
            outcome: small(code(document.value(schema.outcome))),
            goal: small(code(document.value(schema.goal))),
            changes,
            satisfaction: small(code(document.value(schema.satisfaction))),
            helped: small(code(document.value(schema.helped))),
            long_term: long_term.long_term,
            very_long_term: long_term.very_long_term,
            closed: date(document.value(schema.closed)),
            reopened: date(document.value(schema.reopened)),
        }
    }
}

fn codes_text(codes: &Codes, code: u16) -> &str {
    codes
        .codes
        .get(usize::from(code))
        .map_or("", |(c, _)| c.as_str())
}

fn index(i: usize) -> u8 {
    u8::try_from(i).expect("classifications have fewer than 256 classes")
}

/// Where each counter lives in a stratum's vector.
#[derive(Clone, Debug)]
struct Layout {
    areas: usize,
    types: usize,
    outcomes: usize,
    goals: usize,
    change_codes: usize,
    satisfaction: usize,
    helped: usize,
    clients: usize,
    need: usize,
    need_by_group: usize,
    intervention: usize,
    intervention_group: usize,
    activated: usize,
    with_intervention: usize,
    no_intervention: usize,
    outcome: usize,
    outcome_base: usize,
    work: usize,
    outcome_by_group: usize,
    outcome_by_group_base: usize,
    goal: usize,
    goal_base: usize,
    change: usize,
    change_base: usize,
    satisfaction_at: usize,
    satisfaction_base: usize,
    satisfied: usize,
    helped_at: usize,
    helped_base: usize,
    satisfaction_by_goal: usize,
    satisfaction_by_goal_base: usize,
    long_term: usize,
    very_long_term: usize,
    very_long_term_base: usize,
    reopened: usize,
    reopen_base: usize,
    slots: usize,
}

impl Layout {
    fn new(schema: &SueSchema) -> Layout {
        let (a, t, o, g, c, s, h) = (
            schema.areas.len(),
            schema.intervention_types.len(),
            schema.outcomes.len(),
            schema.goals.len(),
            schema.change_codes.len(),
            schema.satisfaction_codes.len(),
            schema.helped_codes.len(),
        );
        let groups = INTERVENTION_GROUPS.len();
        let mut next = 0;
        let mut take = |n: usize| {
            let at = next;
            next += n;
            at
        };
        let mut layout = Layout {
            areas: a,
            types: t,
            outcomes: o,
            goals: g,
            change_codes: c,
            satisfaction: s,
            helped: h,
            clients: take(1),
            need: take(a),
            need_by_group: take(a * (groups + 1)),
            intervention: take(t),
            intervention_group: take(groups),
            activated: take(1),
            with_intervention: take(1),
            no_intervention: take(1),
            outcome: take(o),
            outcome_base: take(1),
            work: take(1),
            outcome_by_group: take(groups * o),
            outcome_by_group_base: take(groups),
            goal: take(g),
            goal_base: take(1),
            change: take(a * c),
            change_base: take(a),
            satisfaction_at: take(s),
            satisfaction_base: take(1),
            satisfied: take(1),
            helped_at: take(h),
            helped_base: take(1),
            satisfaction_by_goal: take(g * s),
            satisfaction_by_goal_base: take(g),
            long_term: take(1),
            very_long_term: take(1),
            very_long_term_base: take(1),
            reopened: take(REOPEN_WINDOWS.len()),
            reopen_base: take(REOPEN_WINDOWS.len()),
            slots: 0,
        };
        layout.slots = next;
        layout
    }

    fn partitions(&self, schema: &SueSchema) -> Vec<Partition> {
        let range = |start: usize, n: usize| (start..start + n).collect::<Vec<_>>();
        let mut out = vec![
            Partition {
                total: self.clients,
                parts: vec![self.with_intervention, self.no_intervention],
            },
            Partition {
                total: self.outcome_base,
                parts: range(self.outcome, self.outcomes),
            },
            Partition {
                total: self.work,
                parts: schema
                    .work_outcomes
                    .iter()
                    .map(|&w| self.outcome + w)
                    .collect(),
            },
            Partition {
                total: self.goal_base,
                parts: range(self.goal, self.goals),
            },
            Partition {
                total: self.satisfaction_base,
                parts: range(self.satisfaction_at, self.satisfaction),
            },
            Partition {
                total: self.satisfied,
                parts: schema
                    .satisfied
                    .iter()
                    .map(|&s| self.satisfaction_at + s)
                    .collect(),
            },
            Partition {
                total: self.helped_base,
                parts: range(self.helped_at, self.helped),
            },
        ];
        for group in 0..INTERVENTION_GROUPS.len() {
            out.push(Partition {
                total: self.outcome_by_group_base + group,
                parts: range(self.outcome_by_group + group * self.outcomes, self.outcomes),
            });
        }
        for area in 0..self.areas {
            out.push(Partition {
                total: self.change_base + area,
                parts: range(self.change + area * self.change_codes, self.change_codes),
            });
        }
        for goal in 0..self.goals {
            out.push(Partition {
                total: self.satisfaction_by_goal_base + goal,
                parts: range(
                    self.satisfaction_by_goal + goal * self.satisfaction,
                    self.satisfaction,
                ),
            });
        }
        out
    }
}

/// SUE records counted into strata: the mergeable partial result of a SUE report.
#[derive(Clone, Debug)]
pub struct SueAggregate {
    schema: Arc<SueSchema>,
    layout: Arc<Layout>,
    aggregate: Aggregate,
}

impl PartialEq for SueAggregate {
    fn eq(&self, other: &SueAggregate) -> bool {
        self.aggregate == other.aggregate
    }
}

/// Options of a report.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportOptions {
    /// Disclosure threshold.
    pub threshold: Threshold,
    /// Breakdowns to include (the total is always included).
    pub dimensions: Vec<Dimension>,
}

impl Default for ReportOptions {
    fn default() -> ReportOptions {
        ReportOptions {
            threshold: Threshold::default(),
            dimensions: Dimension::ALL.to_vec(),
        }
    }
}

impl SueAggregate {
    /// An empty aggregate for reports as of `as_of` (re-opening within 3/6/12 months is counted
    /// only for closures at least that long before `as_of`).
    pub fn new(schema: SueSchema, as_of: Date) -> SueAggregate {
        let layout = Layout::new(&schema);
        SueAggregate {
            aggregate: Aggregate::new(layout.slots, "sue", &schema.version, as_of),
            layout: Arc::new(layout),
            schema: Arc::new(schema),
        }
    }

    /// An empty aggregate with the same schema and date, for a partial result to merge later.
    pub fn empty_like(&self) -> SueAggregate {
        SueAggregate {
            schema: Arc::clone(&self.schema),
            layout: Arc::clone(&self.layout),
            aggregate: self.aggregate.empty_like(),
        }
    }

    /// The schema the aggregate counts with.
    pub fn schema(&self) -> &SueSchema {
        &self.schema
    }

    /// Adds a validated document; one with error findings is not counted, only tallied as excluded.
    /// Returns whether it was counted.
    pub fn add_validated(&mut self, validated: &Validated<'_>) -> bool {
        if !validated.report.valid || validated.definition.instrument() != "sue" {
            self.aggregate.exclude();
            return false;
        }
        let record = SueRecord::from_document(&self.schema, &validated.document);
        self.add(&record);
        true
    }

    /// Counts a record.
    pub fn add(&mut self, record: &SueRecord) {
        let unit = self.aggregate.unit(record.unit.as_deref());
        let key = StratumKey {
            gender: record.gender,
            age: record.age,
            origin: record.origin,
            household: record.household,
            unit,
            period: record.period,
        };
        let layout = Arc::clone(&self.layout);
        let schema = Arc::clone(&self.schema);
        let as_of = self.aggregate.as_of();
        let counts = self.aggregate.stratum(key);
        count_record(counts, &layout, &schema, record, as_of);
    }

    /// Adds another partial result (same definition version and date).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] when the aggregates differ in version or date.
    pub fn merge(&mut self, other: &SueAggregate) -> Result<()> {
        self.aggregate.merge(&other.aggregate)
    }

    /// Records counted.
    pub fn records(&self) -> u64 {
        self.aggregate.records()
    }

    /// Documents not counted because they had error findings.
    pub fn excluded(&self) -> u64 {
        self.aggregate.excluded()
    }

    /// Builds the report: every table, for every breakdown in `options`, after disclosure control.
    pub fn report(&self, options: &ReportOptions) -> GroupReport {
        let (tables, _) = self.tables(options);
        GroupReport {
            instrument: "sue".to_owned(),
            title: Text {
                sv: "Systematisk uppföljning inom ekonomiskt bistånd (SUE): gruppresultat".into(),
                en: "Systematic follow-up in social assistance (SUE): group results".into(),
            },
            as_of: self.aggregate.as_of(),
            threshold: options.threshold,
            records: self.records(),
            tables,
        }
    }
}

impl SueAggregate {
    /// The tables and the disclosure registry behind them (the registry for audits in tests).
    pub(crate) fn tables(
        &self,
        options: &ReportOptions,
    ) -> (Vec<super::Table>, super::disclosure::Registry) {
        let specs = table_specs(&self.schema, &self.layout);
        let partitions = self.layout.partitions(&self.schema);
        build_tables(
            &self.aggregate,
            &specs,
            &partitions,
            &options.dimensions,
            options.threshold,
        )
    }
}

fn count_record(
    counts: &mut [u64],
    layout: &Layout,
    schema: &SueSchema,
    record: &SueRecord,
    as_of: Date,
) {
    let groups_count = INTERVENTION_GROUPS.len();
    counts[layout.clients] += 1;
    let mut groups = 0u8;
    for kind in bits(record.interventions) {
        counts[layout.intervention + kind] += 1;
        groups |= 1 << schema.intervention_group_of[kind];
    }
    for group in bits(u32::from(groups)) {
        counts[layout.intervention_group + group] += 1;
    }
    let any = record.interventions != 0;
    if any {
        counts[layout.with_intervention] += 1;
    } else {
        counts[layout.no_intervention] += 1;
    }
    if groups & ((1 << JOB) | (1 << RESOURCE)) != 0 {
        counts[layout.activated] += 1;
    }
    for area in bits(record.needs) {
        counts[layout.need + area] += 1;
        let row = layout.need_by_group + area * (groups_count + 1);
        for group in bits(u32::from(groups)) {
            counts[row + group] += 1;
        }
        if !any {
            counts[row + groups_count] += 1;
        }
    }
    if let Some(outcome) = record
        .outcome
        .map(usize::from)
        .filter(|&o| o < layout.outcomes)
    {
        counts[layout.outcome + outcome] += 1;
        counts[layout.outcome_base] += 1;
        if schema.work_outcomes.contains(&outcome) {
            counts[layout.work] += 1;
        }
        for group in bits(u32::from(groups)) {
            counts[layout.outcome_by_group + group * layout.outcomes + outcome] += 1;
            counts[layout.outcome_by_group_base + group] += 1;
        }
    }
    let goal = record.goal.map(usize::from).filter(|&g| g < layout.goals);
    if let Some(goal) = goal {
        counts[layout.goal + goal] += 1;
        counts[layout.goal_base] += 1;
    }
    for area in 0..layout.areas {
        let change = (record.changes >> (2 * area)) & 0b11;
        if change != 0 {
            let change = usize::try_from(change - 1).expect("two bits");
            if change < layout.change_codes {
                counts[layout.change + area * layout.change_codes + change] += 1;
                counts[layout.change_base + area] += 1;
            }
        }
    }
    if let Some(satisfaction) = record
        .satisfaction
        .map(usize::from)
        .filter(|&s| s < layout.satisfaction)
    {
        counts[layout.satisfaction_at + satisfaction] += 1;
        counts[layout.satisfaction_base] += 1;
        if schema.satisfied.contains(&satisfaction) {
            counts[layout.satisfied] += 1;
        }
        if let Some(goal) = goal {
            counts[layout.satisfaction_by_goal + goal * layout.satisfaction + satisfaction] += 1;
            counts[layout.satisfaction_by_goal_base + goal] += 1;
        }
    }
    if let Some(helped) = record
        .helped
        .map(usize::from)
        .filter(|&h| h < layout.helped)
    {
        counts[layout.helped_at + helped] += 1;
        counts[layout.helped_base] += 1;
    }
    if record.long_term {
        counts[layout.long_term] += 1;
    }
    if let Some(very) = record.very_long_term {
        counts[layout.very_long_term_base] += 1;
        if very {
            counts[layout.very_long_term] += 1;
        }
    }
    if let Some(closed) = record.closed {
        for (i, months) in REOPEN_WINDOWS.iter().enumerate() {
            let Ok(window_end) = closed.checked_add(jiff::Span::new().months(*months)) else {
                continue;
            };
            if window_end <= as_of {
                counts[layout.reopen_base + i] += 1;
                if record.reopened.is_some_and(|r| r <= window_end) {
                    counts[layout.reopened + i] += 1;
                }
            }
        }
    }
}

/// Indexes of the set bits, lowest first.
fn bits(mut set: u32) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (set != 0).then(|| {
            let bit = set.trailing_zeros() as usize;
            set &= set - 1;
            bit
        })
    })
}

const DEMOGRAPHIC: &[Dimension] = &Dimension::ALL;
const EQUALITY: &[Dimension] = &[
    Dimension::Gender,
    Dimension::AgeBand,
    Dimension::Origin,
    Dimension::Household,
];

fn category(code: &str, sv: &str, en: &str) -> Category {
    Category {
        code: code.to_owned(),
        label: Text {
            sv: sv.into(),
            en: en.into(),
        },
    }
}

fn cells(count_start: usize, n: usize, base: usize) -> Vec<CellSlots> {
    (0..n)
        .map(|i| CellSlots::new(count_start + i, base))
        .collect()
}

fn group_categories() -> Vec<Category> {
    INTERVENTION_GROUPS
        .iter()
        .map(|(code, sv, en)| category(code, sv, en))
        .collect()
}

fn table_specs(schema: &SueSchema, layout: &Layout) -> Vec<TableSpec> {
    let groups = INTERVENTION_GROUPS.len();
    let mut intervention_categories = schema.intervention_types.categories();
    intervention_categories.extend(group_categories());
    intervention_categories.push(category("ingen_insats", "Ingen insats", "No intervention"));
    let mut intervention_cells = cells(layout.intervention, layout.types, layout.clients);
    intervention_cells.extend(cells(layout.intervention_group, groups, layout.clients));
    intervention_cells.push(CellSlots::new(layout.no_intervention, layout.clients));

    let mut need_categories = group_categories();
    need_categories.push(category("ingen_insats", "Ingen insats", "No intervention"));
    let area_rows = |f: &dyn Fn(usize) -> Vec<CellSlots>| -> Vec<(String, Text, Vec<CellSlots>)> {
        schema
            .areas
            .codes
            .iter()
            .enumerate()
            .map(|(i, (code, label))| (code.clone(), label.clone(), f(i)))
            .collect()
    };
    let areas_label = Text {
        sv: "Område".into(),
        en: "Area".into(),
    };

    vec![
        TableSpec {
            id: "clients",
            title: Text { sv: "Klienter".into(), en: "Clients".into() },
            description: Text { sv: "Antal klienter och andel av samtliga klienter i rapporten".into(), en: "Number of clients and share of all clients in the report".into() },
            categories: vec![category("klienter", "Klienter", "Clients")],
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: vec![CellSlots {
                    count: layout.clients,
                    base: layout.clients,
                    base_over_all: true,
                }],
            },
        },
        TableSpec {
            id: "needs",
            title: Text { sv: "Behov före insats".into(), en: "Needs before intervention".into() },
            description: Text { sv: "Andel klienter med behov inom varje område, av samtliga klienter".into(), en: "Share of clients with a need in each area, of all clients".into() },
            categories: schema.areas.categories(),
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: cells(layout.need, layout.areas, layout.clients),
            },
        },
        TableSpec {
            id: "needs_interventions",
            title: Text { sv: "Behov och insatser".into(), en: "Needs and interventions".into() },
            description: Text { sv: "Bland klienter med behov inom området: andel som fått insatser av varje slag, och andel utan insats".into(), en: "Among clients with a need in the area: share who received each kind of intervention, and share with none".into() },
            categories: need_categories,
            rows: RowsSpec::Fixed {
                rows_are: "area",
                rows_label: areas_label.clone(),
                rows: area_rows(&|area| {
                    cells(
                        layout.need_by_group + area * (groups + 1),
                        groups + 1,
                        layout.need + area,
                    )
                }),
            },
        },
        TableSpec {
            id: "interventions",
            title: Text { sv: "Insatser".into(), en: "Interventions".into() },
            description: Text { sv: "Andel klienter som fått varje insats, av samtliga klienter (en klient kan få flera)".into(), en: "Share of clients who received each intervention, of all clients (a client may receive several)".into() },
            categories: intervention_categories,
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: intervention_cells,
            },
        },
        TableSpec {
            id: "outcomes",
            title: Text { sv: "Utfall efter insats".into(), en: "Outcomes after intervention".into() },
            description: Text { sv: "Sysselsättning eller försörjning efter insats, bland klienter med registrerat utfall".into(), en: "Occupation or income source after intervention, among clients with a recorded outcome".into() },
            categories: schema.outcomes.categories(),
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: cells(layout.outcome, layout.outcomes, layout.outcome_base),
            },
        },
        TableSpec {
            id: "outcomes_by_intervention",
            title: Text { sv: "Utfall efter slag av insats".into(), en: "Outcomes by kind of intervention".into() },
            description: Text { sv: "Utfall bland klienter som fått insatser av varje slag (beskrivande, inte effekter)".into(), en: "Outcomes among clients who received each kind of intervention (descriptive, not effects)".into() },
            categories: schema.outcomes.categories(),
            rows: RowsSpec::Fixed {
                rows_are: "intervention_group",
                rows_label: Text { sv: "Slag av insats".into(), en: "Kind of intervention".into() },
                rows: INTERVENTION_GROUPS
                    .iter()
                    .enumerate()
                    .map(|(g, (code, sv, en))| {
                        (
                            (*code).to_owned(),
                            Text { sv: (*sv).into(), en: (*en).into() },
                            cells(
                                layout.outcome_by_group + g * layout.outcomes,
                                layout.outcomes,
                                layout.outcome_by_group_base + g,
                            ),
                        )
                    })
                    .collect(),
            },
        },
        TableSpec {
            id: "goal_attainment",
            title: Text { sv: "Måluppfyllelse".into(), en: "Goal attainment".into() },
            description: Text { sv: "Hur väl målen med klienten uppnåtts, bland klienter med satta mål och registrerad måluppfyllelse".into(), en: "How fully the goals set with the client were met, among clients with goals and a recorded attainment".into() },
            categories: schema.goals.categories(),
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: cells(layout.goal, layout.goals, layout.goal_base),
            },
        },
        TableSpec {
            id: "change_by_area",
            title: Text { sv: "Förändring per område".into(), en: "Change per area".into() },
            description: Text { sv: "Förändring efter insats inom varje område, bland klienter med registrerad förändring där".into(), en: "Change after intervention in each area, among clients with a change recorded there".into() },
            categories: schema.change_codes.categories(),
            rows: RowsSpec::Fixed {
                rows_are: "area",
                rows_label: areas_label,
                rows: area_rows(&|area| {
                    cells(
                        layout.change + area * layout.change_codes,
                        layout.change_codes,
                        layout.change_base + area,
                    )
                }),
            },
        },
        TableSpec {
            id: "satisfaction",
            title: Text { sv: "Klientens nöjdhet".into(), en: "Client satisfaction".into() },
            description: Text { sv: "Klientens egen bedömning i brukaruppföljningen, bland klienter som svarat".into(), en: "The client's own view in the client follow-up, among clients who answered".into() },
            categories: schema.satisfaction_codes.categories(),
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: cells(
                    layout.satisfaction_at,
                    layout.satisfaction,
                    layout.satisfaction_base,
                ),
            },
        },
        TableSpec {
            id: "helped",
            title: Text { sv: "Har insatsen hjälpt?".into(), en: "Did the intervention help?".into() },
            description: Text { sv: "Klientens svar på om insatsen hjälpt, bland klienter som svarat".into(), en: "The client's answer whether the intervention helped, among clients who answered".into() },
            categories: schema.helped_codes.categories(),
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: cells(layout.helped_at, layout.helped, layout.helped_base),
            },
        },
        TableSpec {
            id: "satisfaction_by_goal",
            title: Text { sv: "Nöjdhet efter måluppfyllelse".into(), en: "Satisfaction by goal attainment".into() },
            description: Text { sv: "Klientens nöjdhet bland klienter med respektive måluppfyllelse".into(), en: "Client satisfaction among clients with each level of goal attainment".into() },
            categories: schema.satisfaction_codes.categories(),
            rows: RowsSpec::Fixed {
                rows_are: "goal_attainment",
                rows_label: Text { sv: "Måluppfyllelse".into(), en: "Goal attainment".into() },
                rows: schema
                    .goals
                    .codes
                    .iter()
                    .enumerate()
                    .map(|(g, (code, label))| {
                        (
                            code.clone(),
                            label.clone(),
                            cells(
                                layout.satisfaction_by_goal + g * layout.satisfaction,
                                layout.satisfaction,
                                layout.satisfaction_by_goal_base + g,
                            ),
                        )
                    })
                    .collect(),
            },
        },
        TableSpec {
            id: "long_term",
            title: Text { sv: "Långvarigt biståndsmottagande".into(), en: "Long-term assistance".into() },
            description: Text { sv: "Långvarigt: bistånd 10–12 av de senaste 12 månaderna (av samtliga). Mycket långvarigt: minst 27 av 36 månader (av dem med uppgift)".into(), en: "Long-term: assistance 10–12 of the last 12 months (of all). Very long-term: at least 27 of 36 months (of those recorded)".into() },
            categories: vec![
                category("langvarigt", "Långvarigt", "Long-term"),
                category("mycket_langvarigt", "Mycket långvarigt", "Very long-term"),
            ],
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: vec![
                    CellSlots::new(layout.long_term, layout.clients),
                    CellSlots::new(layout.very_long_term, layout.very_long_term_base),
                ],
            },
        },
        TableSpec {
            id: "reopening",
            title: Text { sv: "Återaktualisering".into(), en: "Re-opening".into() },
            description: Text { sv: "Andel avslutade ärenden som återaktualiserats inom 3, 6 och 12 månader, bland ärenden avslutade minst så länge före rapportdatumet".into(), en: "Share of closed cases re-opened within 3, 6 and 12 months, among cases closed at least that long before the report date".into() },
            categories: vec![
                category("inom_3_manader", "Inom 3 månader", "Within 3 months"),
                category("inom_6_manader", "Inom 6 månader", "Within 6 months"),
                category("inom_12_manader", "Inom 12 månader", "Within 12 months"),
            ],
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: (0..REOPEN_WINDOWS.len())
                    .map(|i| CellSlots::new(layout.reopened + i, layout.reopen_base + i))
                    .collect(),
            },
        },
        TableSpec {
            id: "equality",
            title: Text { sv: "Likvärdighet".into(), en: "Equality".into() },
            description: Text { sv: "Samma mått sida vid sida för olika grupper: får kvinnor och män, unga och äldre, inrikes och utrikes födda samma insatser och resultat?".into(), en: "The same measures side by side for groups: do women and men, young and old, born in Sweden and abroad get the same interventions and results?".into() },
            categories: vec![
                category(
                    "aktiverade",
                    "Aktiverade (jobb- eller resursaktivering)",
                    "Activated (work-first or human-resource)",
                ),
                category("jobbaktivering", "Jobbaktivering", "Work-first activation"),
                category(
                    "resursaktivering",
                    "Resursaktivering",
                    "Human-resource activation",
                ),
                category("sanktion", "Sanktion", "Sanction"),
                category("undantag", "Undantag", "Exemption"),
                category(
                    "arbete_efter_insats",
                    "Arbete efter insats",
                    "Work after intervention",
                ),
                category(
                    "mal_helt_uppfyllda",
                    "Mål helt uppfyllda",
                    "Goals fully met",
                ),
                category("nojda", "Nöjda klienter", "Satisfied clients"),
                category("langvarigt", "Långvarigt bistånd", "Long-term assistance"),
            ],
            rows: RowsSpec::ByDimension {
                dimensions: EQUALITY,
                cells: vec![
                    CellSlots::new(layout.activated, layout.clients),
                    CellSlots::new(layout.intervention_group + JOB, layout.clients),
                    CellSlots::new(layout.intervention_group + RESOURCE, layout.clients),
                    CellSlots::new(layout.intervention + schema.sanction, layout.clients),
                    CellSlots::new(layout.intervention + schema.exemption, layout.clients),
                    CellSlots::new(layout.work, layout.outcome_base),
                    CellSlots::new(layout.goal + schema.goal_fully, layout.goal_base),
                    CellSlots::new(layout.satisfied, layout.satisfaction_base),
                    CellSlots::new(layout.long_term, layout.clients),
                ],
            },
        },
    ]
}
