//! SUE group statistics: what clients need, what they get, whether it helps, and whether groups
//! are treated alike.
//!
//! [`SueSchema`] resolves, once, the items and codes the statistics read from a SUE definition.
//! [`SueRecord`] is one validated record reduced to what the statistics need (no free text, no
//! identifiers). [`SueAggregate`] counts records into strata in one pass and builds the report.

use std::sync::Arc;

use jiff::civil::Date;

use super::classify;
use crate::document::{AnswerValue, Document, Row};
use crate::error::{Error, ErrorKind, Result};
use crate::instrument::{Definition, ItemId, ItemKind};
use crate::module::Resolver;
use crate::stats::engine::{
    Aggregate, CellSlots, Partition, RowsSpec, StratumKey, TableSpec, Tally, build_tables_marked,
    slots_read,
};
use crate::stats::perturbation::Person;
use crate::stats::{Category, Dimension, GroupReport, ReportOptions};
use crate::text::Text;
use crate::validate::Validated;

mod association;
mod breakdowns;
mod choices;
mod collected;
mod layout;
mod link;
mod record;
mod schema;
mod standardised;
mod tables;

use breakdowns::*;
use layout::*;
pub use link::SueLinker;
use record::Name;
pub use record::SueRecord;
pub use schema::SueSchema;
use schema::*;
use tables::*;

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
    pub fn add_validated(&mut self, validated: &Validated<'_>, person: Person) -> bool {
        // The schema's items are the definition's: a document of another version (read it
        // through `Engine::parse_as`) is not counted under the wrong items.
        if !validated.report.valid
            || validated.definition.instrument() != "sue"
            || validated.definition.version() != self.schema.version
        {
            self.aggregate.exclude();
            return false;
        }
        let record = SueRecord::from_document(&self.schema, &validated.document);
        self.add(&record, person);
        true
    }

    /// Counts a record of `person` (of several records of one person, the latest start counts).
    pub fn add(&mut self, record: &SueRecord, person: Person) {
        let unit = self.aggregate.unit(record.unit.as_ref().map(Name::as_str));
        let key = StratumKey {
            gender: record.gender,
            age: record.age,
            origin: record.origin,
            household: record.household,
            unit,
            period: record.period,
            assessment: StratumKey::NOT_ASSESSED,
        };
        let as_of = self.aggregate.as_of();
        let mut counts = self.aggregate.tally(key, person, record.start);
        count_record(&mut counts, &self.layout, &self.schema, record, as_of);
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

    /// Builds the report: every table selected in `options`, for every breakdown in `options`,
    /// after disclosure control.
    pub fn report(&self, options: &ReportOptions) -> GroupReport {
        self.report_linked(options, &crate::stats::link::Links::default())
    }

    /// The report with each person's FIA overall assessment from `links` (see `link`).
    pub fn report_linked(
        &self,
        options: &ReportOptions,
        links: &crate::stats::link::Links,
    ) -> GroupReport {
        self.report_with(options, links, &mut |_| {})
    }

    /// [`SueAggregate::report`], calling `mark` with the name of each part of the work as it
    /// ends (`marginals`: the strata summed per breakdown group; `tables`; `disclosure`;
    /// `cells`: shares and intervals; `derived`: the standardised shares), for a benchmark to
    /// time the parts.
    pub fn report_marked(
        &self,
        options: &ReportOptions,
        mark: &mut dyn FnMut(&'static str),
    ) -> GroupReport {
        self.report_with(options, &crate::stats::link::Links::default(), mark)
    }

    fn report_with(
        &self,
        options: &ReportOptions,
        links: &crate::stats::link::Links,
        mark: &mut dyn FnMut(&'static str),
    ) -> GroupReport {
        let (tables, _) = self.tables_with(options, links, mark);
        let title = Text {
            sv: "Systematisk uppföljning inom ekonomiskt bistånd (SUE): gruppresultat".into(),
            en: "Systematic follow-up in social assistance (SUE): group results".into(),
        };
        GroupReport::new("sue", title, &self.aggregate, options, tables)
    }
}

impl SueAggregate {
    /// The tables and the disclosure registry behind them (the registry for audits in tests).
    #[cfg(test)]
    pub(crate) fn tables(
        &self,
        options: &ReportOptions,
    ) -> (Vec<crate::stats::Table>, crate::stats::disclosure::Registry) {
        self.tables_linked(options, &crate::stats::link::Links::default())
    }

    /// As [`SueAggregate::tables`], with each person's FIA assessment from `links`.
    #[cfg(test)]
    pub(crate) fn tables_linked(
        &self,
        options: &ReportOptions,
        links: &crate::stats::link::Links,
    ) -> (Vec<crate::stats::Table>, crate::stats::disclosure::Registry) {
        self.tables_with(options, links, &mut |_| {})
    }

    fn tables_with(
        &self,
        options: &ReportOptions,
        links: &crate::stats::link::Links,
        mark: &mut dyn FnMut(&'static str),
    ) -> (Vec<crate::stats::Table>, crate::stats::disclosure::Registry) {
        let specs = table_specs(&self.schema, &self.layout);
        let partitions = self.layout.partitions(&self.schema);
        let aggregate = link::with_assessment(&self.aggregate, &self.layout, links);
        let build = build_options(options);
        let (mut tables, registry) =
            build_tables_marked(&aggregate, &specs, &partitions, &build, mark);
        collected::quartiles(
            &mut tables,
            &registry,
            &self.layout,
            options.threshold.get(),
        );
        // Derived from the published cells only, after disclosure control.
        let standardised = standardised::standardised_tables(&tables);
        tables.extend(standardised);
        // Regressions over the strata: computed only when asked for (or with every table).
        if options.tables.names().is_none_or(|names| {
            names
                .iter()
                .any(|n| crate::stats::selection::family(n).starts_with("association"))
        }) {
            tables.extend(association::tables(&self.aggregate, &self.layout, options));
        }
        tables.retain(|t| options.tables.wants(&t.id));
        mark("derived");
        (tables, registry)
    }

    /// Counts only what the tables `options` selects read (every slot for every table or an
    /// exact report): the per-record work of a report that asks for a few tables. Call it before
    /// adding records, and make the report with the same options: other tables would read
    /// counters never counted (`GroupAggregate`, the path every interface takes, refuses that).
    pub fn select(&mut self, options: &ReportOptions) {
        let specs = table_specs(&self.schema, &self.layout);
        let read = slots_read(&specs, &build_options(options), self.layout.slots);
        self.aggregate.count_only(read);
    }
}

/// The options the tables are built with: a selected standardised table needs the needs-profile
/// table of its breakdown, whose published cells it is computed from. The time to first
/// intervention (its quartiles read counters beside its cells) and the association tables
/// (regressions over the strata) read more than their cells: asking for them builds every table
/// (then only those asked for are kept).
fn build_options(options: &ReportOptions) -> ReportOptions {
    let reads_more = options.tables.names().is_some_and(|names| {
        names.iter().any(|n| {
            let family = crate::stats::selection::family(n);
            family == "time_to_first_intervention" || family.starts_with("association")
        })
    });
    ReportOptions {
        tables: if reads_more {
            crate::stats::TableSelection::all()
        } else {
            options.tables.requiring("standardised", "needs_profile")
        },
        ..options.clone()
    }
}

fn count_record(
    counts: &mut Tally<'_>,
    layout: &Layout,
    schema: &SueSchema,
    record: &SueRecord,
    as_of: Date,
) {
    let groups_count = INTERVENTION_GROUPS.len();
    counts.add(layout.clients);
    let mut groups = 0u8;
    for kind in bits(record.interventions) {
        counts.add(layout.intervention + kind);
        groups |= 1 << schema.intervention_group_of[kind];
    }
    for group in bits(u32::from(groups)) {
        counts.add(layout.intervention_group + group);
    }
    let any = record.interventions != 0;
    if any {
        counts.add(layout.with_intervention);
    } else {
        counts.add(layout.no_intervention);
    }
    if groups & ((1 << JOB) | (1 << RESOURCE)) != 0 {
        counts.add(layout.activated);
    }
    for area in bits(record.needs) {
        counts.add(layout.need + area);
        let row = layout.need_by_group + area * (groups_count + 1);
        for group in bits(u32::from(groups)) {
            counts.add(row + group);
        }
        if !any {
            counts.add(row + groups_count);
        }
    }
    if let Some(outcome) = record
        .outcome
        .map(usize::from)
        .filter(|&o| o < layout.outcomes)
    {
        counts.add(layout.outcome + outcome);
        counts.add(layout.outcome_base);
        if schema.work_outcomes.contains(&outcome) {
            counts.add(layout.work);
        }
        for group in bits(u32::from(groups)) {
            counts.add(layout.outcome_by_group + group * layout.outcomes + outcome);
            counts.add(layout.outcome_by_group_base + group);
        }
    }
    let goal = record.goal.map(usize::from).filter(|&g| g < layout.goals);
    if let Some(goal) = goal {
        counts.add(layout.goal + goal);
        counts.add(layout.goal_base);
    }
    // Only the areas with a change recorded (a nonzero pair of bits): testing every area was an
    // unpredictable branch per area and record.
    let mut recorded = (record.changes | record.changes >> 1) & 0x5555_5555_5555_5555;
    while recorded != 0 {
        let bit = recorded.trailing_zeros();
        recorded &= recorded - 1;
        let area = (bit / 2) as usize;
        let change = usize::try_from((record.changes >> bit) & 0b11).expect("two bits") - 1;
        if area < layout.areas && change < layout.change_codes {
            counts.add(layout.change + area * layout.change_codes + change);
            counts.add(layout.change_base + area);
        }
    }
    if let Some(satisfaction) = record
        .satisfaction
        .map(usize::from)
        .filter(|&s| s < layout.satisfaction)
    {
        counts.add(layout.satisfaction_at + satisfaction);
        counts.add(layout.satisfaction_base);
        if schema.satisfied.contains(&satisfaction) {
            counts.add(layout.satisfied);
        }
        if let Some(goal) = goal {
            counts.add(layout.satisfaction_by_goal + goal * layout.satisfaction + satisfaction);
            counts.add(layout.satisfaction_by_goal_base + goal);
        }
    }
    if let Some(helped) = record
        .helped
        .map(usize::from)
        .filter(|&h| h < layout.helped)
    {
        counts.add(layout.helped_at + helped);
        counts.add(layout.helped_base);
    }
    // The families below are skipped when a report selecting some tables reads none of them.
    let families = &layout.families;
    if counts.counts_any(families.breakdowns.clone()) {
        for breakdown in &layout.breakdowns {
            breakdown.count(counts, schema, record, groups);
        }
    }
    if counts.counts_any(families.choices.clone()) {
        choices::count(counts, layout, schema, record, groups);
    }
    if counts.counts_any(families.collected.clone()) {
        collected::count(
            counts,
            &layout.collected,
            schema,
            record,
            choices::combination(groups),
        );
    }
    if counts.counts_tags() {
        counts.tag(association::tag(layout, schema, record, groups));
    }
    if counts.counts_any(families.profiles.clone()) {
        let at = layout.profile + usize::from(record.profile) * standardised::PER_PROFILE;
        counts.add(at);
        for (m, hit) in standardised::measures(schema, record, groups)
            .into_iter()
            .enumerate()
        {
            if hit {
                counts.add(at + 1 + m);
            }
        }
    }
    if let Some(long_term) = record.long_term {
        counts.add(layout.long_term_base);
        if long_term {
            counts.add(layout.long_term);
        }
    }
    if record.long_term_rolling {
        counts.add(layout.long_term_rolling);
    }
    for (outcome, count, base) in [
        (
            record.register_work,
            layout.register_work,
            layout.register_work_base,
        ),
        (
            record.register_assistance,
            layout.register_assistance,
            layout.register_assistance_base,
        ),
    ] {
        if let Some(outcome) = outcome {
            counts.add(base);
            if outcome {
                counts.add(count);
            }
        }
    }
    if let Some(very) = record.very_long_term {
        counts.add(layout.very_long_term_base);
        if very {
            counts.add(layout.very_long_term);
        }
    }
    if let Some(closed) = record.closed {
        for (i, months) in REOPEN_WINDOWS.iter().enumerate() {
            let Some(window_end) = crate::date::months_later(closed, *months) else {
                continue;
            };
            if window_end <= as_of {
                counts.add(layout.reopen_base + i);
                if record.reopened.is_some_and(|r| r <= window_end) {
                    counts.add(layout.reopened + i);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;
    use crate::sue::sue_documents;

    fn engine() -> Engine {
        Engine::new().expect("builtin")
    }

    fn aggregate(engine: &Engine, as_of: Date) -> SueAggregate {
        let definition = engine.definition("sue", None).expect("sue");
        let mut aggregate = SueAggregate::new(SueSchema::new(definition).expect("schema"), as_of);
        for document in sue_documents(definition, 5, 200).expect("generates") {
            let bytes = serde_json::to_vec(&document).expect("json");
            let person = crate::stats::tests::person(&bytes);
            aggregate.add_validated(&engine.parse(Some("sue"), &bytes).expect("parses"), person);
        }
        aggregate
    }

    #[test]
    fn the_schema_is_for_sue_only() {
        let engine = engine();
        let error = SueSchema::new(engine.definition("fia", None).expect("fia")).expect_err("fia");
        assert_eq!(error.kind(), ErrorKind::InvalidDefinition);
        assert!(error.message_en().contains("instrument `sue`"), "{error}");
    }

    #[test]
    fn a_record_keeps_the_breakdowns_and_no_free_text() {
        let engine = engine();
        let definition = engine.definition("sue", None).expect("sue");
        let schema = SueSchema::new(definition).expect("schema");
        let document = sue_documents(definition, 5, 1)
            .expect("generates")
            .remove(0);
        let bytes = serde_json::to_vec(&document).expect("json");
        let validated = engine.parse(Some("sue"), &bytes).expect("parses");
        let record = SueRecord::from_document(&schema, &validated.document);
        assert_eq!(
            record.unit.as_ref().map(Name::as_str),
            document["unit"].as_str()
        );
        let start = document["answers"]["bakgrund.aktualiseringsdatum"]
            .as_str()
            .expect("a start date");
        assert_eq!(record.period.to_string(), start[..4]);
        let gender = document["answers"]["bakgrund.kon"].as_str();
        assert_eq!(usize::from(record.gender), classify::gender(gender));
    }

    #[test]
    fn documents_with_errors_are_tallied_not_counted() {
        let engine = engine();
        let mut aggregate = aggregate(&engine, jiff::civil::date(2026, 11, 24));
        let (records, excluded) = (aggregate.records(), aggregate.excluded());
        let invalid = br#"{"instrument": "sue", "version": "1", "status": "complete",
            "interview_date": "2026-01-10", "answers": {}}"#;
        let validated = engine.parse(Some("sue"), invalid).expect("parses");
        assert!(!aggregate.add_validated(&validated, crate::stats::tests::person(invalid)));
        assert_eq!(aggregate.records(), records);
        assert_eq!(aggregate.excluded(), excluded + 1);
    }

    #[test]
    fn aggregates_of_other_dates_do_not_merge() {
        let engine = engine();
        let mut a = aggregate(&engine, jiff::civil::date(2026, 11, 24));
        let b = aggregate(&engine, jiff::civil::date(2026, 11, 25));
        let error = a.merge(&b).expect_err("different dates");
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    }

    /// A report over no records (a unit without any, say) has every table, empty.
    #[test]
    fn a_report_without_records_has_empty_tables() {
        let engine = engine();
        let definition = engine.definition("sue", None).expect("sue");
        let aggregate = SueAggregate::new(
            SueSchema::new(definition).expect("schema"),
            jiff::civil::date(2026, 11, 24),
        );
        let report = aggregate.report(&ReportOptions::default());
        assert!(report.tables.iter().any(|t| t.id == "standardised"));
        assert!(
            report
                .tables
                .iter()
                .filter(|t| t.id.starts_with("standardised"))
                .flat_map(|t| &t.rows)
                .all(|r| r.cells.iter().all(|c| c.share.is_none()))
        );
    }

    /// When women and men have the same needs profile as everyone, their standardised shares are
    /// their crude shares, end to end through the report.
    #[test]
    fn standardised_shares_equal_crude_ones_when_needs_profiles_are_the_same() {
        let engine = engine();
        let definition = engine.definition("sue", None).expect("sue");
        let mut aggregate = SueAggregate::new(
            SueSchema::new(definition).expect("schema"),
            jiff::civil::date(2026, 11, 24),
        );
        let mut added = 0;
        for (i, mut document) in sue_documents(definition, 9, 600)
            .expect("generates")
            .into_iter()
            .enumerate()
        {
            if document["answers"]["bakgrund.kon"] == "annat" {
                continue;
            }
            // Every needs profile well filled: none, social only, work only, both.
            let answers = document["answers"].as_object_mut().expect("answers");
            let areas: &[&str] =
                [&[][..], &["skulder"], &["arbete"], &["arbete", "skulder"]][i % 4];
            if areas.is_empty() {
                answers.remove("fore_insats.problem");
            } else {
                let rows: Vec<serde_json::Value> = areas
                    .iter()
                    .map(|a| serde_json::json!({ "omrade": a, "omfattning": "i_viss_omfattning" }))
                    .collect();
                answers.insert("fore_insats.problem".into(), serde_json::Value::Array(rows));
            }
            // Each record once as a woman and once as a man: the same profiles in both groups.
            for kon in ["kvinna", "man"] {
                let mut copy = document.clone();
                copy["answers"]["bakgrund.kon"] = serde_json::json!(kon);
                let bytes = serde_json::to_vec(&copy).expect("json");
                let person = crate::stats::tests::person(&bytes);
                assert!(
                    aggregate
                        .add_validated(&engine.parse(Some("sue"), &bytes).expect("parses"), person)
                );
                added += 1;
            }
        }
        let report = aggregate.report(&ReportOptions {
            dimensions: vec![Dimension::Total, Dimension::Gender],
            exact: true,
            ..ReportOptions::default()
        });
        let table = report
            .tables
            .iter()
            .find(|t| t.id == "standardised.gender")
            .expect("the standardised table by gender");
        let mut compared = 0;
        for row in table
            .rows
            .iter()
            .filter(|r| r.code == "kvinna" || r.code == "man")
        {
            for pair in row.cells.chunks(2) {
                let (crude, standardised) = (&pair[0], &pair[1]);
                let (Some(crude), Some(standardised)) = (crude.share, standardised.share) else {
                    continue;
                };
                assert!(
                    (crude - standardised).abs() < 1e-12,
                    "{crude} vs {standardised}"
                );
                compared += 1;
            }
        }
        assert!(
            added > 1000 && compared >= 8,
            "{added} records, {compared} shares compared"
        );
    }

    /// The fixed synthetic sample's aggregate, and its report with exact counts over the total
    /// only (what is pinned is counting, not protection).
    fn fixed_sample() -> (SueAggregate, GroupReport) {
        let aggregate = aggregate(&engine(), jiff::civil::date(2026, 11, 24));
        let report = aggregate.report(&ReportOptions {
            dimensions: vec![Dimension::Total],
            exact: true,
            ..ReportOptions::default()
        });
        (aggregate, report)
    }

    #[test]
    fn the_long_csv_carries_the_quartiles_and_the_reasons() {
        use crate::stats::csv::{CsvDialect, to_long_csv};
        use crate::text::Language;
        let (_, report) = fixed_sample();
        let csv = to_long_csv(&report, Language::English, CsvDialect::Plain);
        // Fields split at commas outside quotes (titles hold commas; no field here holds a quote).
        let fields = |line: &str| -> Vec<String> {
            let mut out = vec![String::new()];
            let mut quoted = false;
            for c in line.chars() {
                match c {
                    '"' => quoted = !quoted,
                    ',' if !quoted => out.push(String::new()),
                    c => out.last_mut().expect("a field").push(c),
                }
            }
            out
        };
        let lines: Vec<Vec<String>> = csv.lines().map(fields).collect();
        let column = |name: &str| lines[0].iter().position(|h| h == name).expect(name);
        let (table, category, weeks, reason) = (
            column("table"),
            column("category"),
            column("weeks"),
            column("reason"),
        );
        let time = report
            .tables
            .iter()
            .find(|t| t.id == "time_to_first_intervention")
            .expect("the time to first intervention");
        let mut quartiles = 0;
        for (c, cell) in time.rows[0].cells.iter().enumerate() {
            let line = lines
                .iter()
                .find(|l| l[table] == time.id && l[category] == time.categories[c].code)
                .expect("a line per cell");
            let expected = cell.weeks.map(|w| w.to_string()).unwrap_or_default();
            assert_eq!(line[weeks], expected, "{}", time.categories[c].code);
            assert_eq!(
                line[reason],
                cell.reason.map(|r| r.code()).unwrap_or_default()
            );
            quartiles += usize::from(cell.weeks.is_some());
        }
        assert!(quartiles > 0, "the sample has a quartile to show");
    }

    /// Pins the report of a fixed synthetic sample: which tables, in which order, and the counts
    /// of the total row of the first.
    #[test]
    fn the_report_of_a_fixed_sample_is_stable() {
        let (aggregate, report) = fixed_sample();
        assert_eq!(report.instrument, "sue");
        assert_eq!(report.records, aggregate.records());
        let ids: Vec<&str> = report.tables.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "clients",
                "needs",
                "needs_interventions",
                "interventions",
                "outcomes",
                "outcomes_by_intervention",
                "goal_attainment",
                "change_by_area",
                "satisfaction",
                "helped",
                "satisfaction_by_goal",
                "long_term",
                "reopening",
                "register_outcomes",
                "intervention_combinations",
                "sanctions_by_activation",
                "method",
                "participation",
                "interruption_reasons",
                "closure_reasons",
                "reopening_reasons",
                "goals_set",
                "interruptions",
                "interventions_by_provider",
                "sanction_reasons",
                "exemption_reasons",
                "time_to_first_intervention",
                "needs_profile",
                "by_forsorjningshinder",
                "by_utbildning",
                "by_fodelseland",
                "by_ar_i_sverige",
                "by_langvarighet",
                "by_kon_och_hushall",
                "by_arbetslivserfarenhet",
                "by_svenskkunskaper",
                "standardised",
                "association_work",
                "association_assistance",
                "association_resource_activation",
                "association_sanction"
            ]
        );
        let first: Vec<Option<u64>> = report.tables[0].rows[0]
            .cells
            .iter()
            .map(|c| c.count)
            .collect();
        assert_eq!((report.records, first), (200, vec![Some(200)]));
        let counts = |id: &str| -> Vec<Option<u64>> {
            let table = report.tables.iter().find(|t| t.id == id).expect("table");
            table.rows[0].cells.iter().map(|c| c.count).collect()
        };
        // Three intervention types are used by fewer than 5 clients: suppressed.
        let interventions = [
            34, 15, 14, 25, 14, 0, 6, 0, 36, 0, 19, 15, 50, 32, 55, 41, 85, 50, 56,
        ];
        let shown: Vec<Option<u64>> = interventions
            .iter()
            .map(|&n| (n > 0).then_some(n))
            .collect();
        assert_eq!(counts("interventions"), shown);
        let outcomes = [16, 15, 20, 25, 22, 22].map(Some).to_vec();
        assert_eq!(counts("outcomes"), outcomes);
    }
}
