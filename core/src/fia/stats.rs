//! FIA group statistics: how common each life-area problem is among interviewed clients, how big
//! the clients themselves find it, the interviewers' overall assessments and the interventions
//! clients wish for. FIA documents carry no background data: the breakdowns by gender, age band,
//! origin and household come from the SUE record of the same person (`stats_link`).

use std::sync::Arc;

use crate::document::{AnswerValue, Document};
use crate::error::{Error, ErrorKind, Result};
use crate::instrument::{Definition, ItemId};
use crate::module::Resolver;
use crate::stats::builder::{Base, Column, Columns, text};
use crate::stats::engine::{Aggregate, Partition, StratumKey, build_tables};
use crate::stats::link::Links;
use crate::stats::perturbation::Person;
use crate::stats::{Category, Dimension, GroupReport, ReportOptions};
use crate::text::Text;
use crate::validate::Validated;

const AREA_PART: &str = "livssituation";
const AFFECTED: [&str; 2] = ["i_stor_omfattning", "i_viss_omfattning"];
const SERIOUS: [&str; 3] = ["mycket_stort", "stort", "mattligt"];
pub(crate) const DIMENSIONS: &[Dimension] = &[
    Dimension::Total,
    Dimension::Gender,
    Dimension::AgeBand,
    Dimension::Origin,
    Dimension::Household,
    Dimension::Unit,
    Dimension::Period,
];

#[derive(Debug)]
struct Area {
    code: String,
    label: Text,
    extent: ItemId,
    affected: Vec<u16>,
    rating: Option<(ItemId, Vec<u16>)>,
    affects_work: Option<(ItemId, u16)>,
    wants_help: Option<(ItemId, u16)>,
}

/// The FIA items the statistics read, resolved once from a definition.
#[derive(Debug)]
pub struct FiaSchema {
    version: String,
    areas: Vec<Area>,
    assessment: (ItemId, Vec<Category>),
    wishes: (ItemId, Vec<Category>),
    extras: super::stats_tables::Extras,
}

fn missing(what: &str) -> Error {
    Error::new(
        ErrorKind::InvalidDefinition,
        Text {
            sv: format!("FIA-statistiken kräver {what} i definitionen"),
            en: format!("FIA statistics need {what} in the definition"),
        },
    )
}

/// The code list of a choice item; `None` for another kind (the statistics then skip it).
fn list_codes(definition: &Definition, item: ItemId) -> Option<&crate::instrument::CodeList> {
    Resolver::new(definition, "FIA statistics", "FIA-statistiken")
        .codes(item)
        .ok()
}

fn categories(definition: &Definition, item: ItemId) -> Vec<Category> {
    list_codes(definition, item)
        .map(|list| {
            list.codes
                .iter()
                .map(|c| Category {
                    code: c.code.clone(),
                    label: c.label.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

impl FiaSchema {
    /// Resolves the statistics' items in a FIA definition.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] naming what is missing.
    pub fn new(definition: &Definition) -> Result<FiaSchema> {
        if definition.instrument() != "fia" {
            return Err(missing("instrument `fia`"));
        }
        let positions = |item: ItemId, codes: &[&str]| -> Vec<u16> {
            list_codes(definition, item)
                .map(|list| codes.iter().filter_map(|c| list.position(c)).collect())
                .unwrap_or_default()
        };
        let yes = |id: String| -> Option<(ItemId, u16)> {
            let item = definition.top_level(&id)?;
            Some((item, list_codes(definition, item)?.position("ja")?))
        };
        let areas: Vec<Area> = definition
            .sections()
            .iter()
            .filter(|s| s.part.as_deref() == Some(AREA_PART))
            .filter_map(|section| {
                let extent = definition.top_level(&format!("{}.omfattning", section.id))?;
                let rating = definition
                    .top_level(&format!("{}.problem_klient", section.id))
                    .map(|r| (r, positions(r, &SERIOUS)));
                Some(Area {
                    code: section.id.clone(),
                    label: section.label.clone(),
                    affected: positions(extent, &AFFECTED),
                    extent,
                    rating,
                    affects_work: yes(format!("{}.paverkar_arbete", section.id)),
                    wants_help: yes(format!("{}.vill_ha_hjalp", section.id)),
                })
            })
            .collect();
        if areas.is_empty() {
            return Err(missing(
                "life areas (sections of part `livssituation` with an `omfattning` item)",
            ));
        }
        let assessment = definition
            .top_level("bedomning.kategori")
            .ok_or_else(|| missing("`bedomning.kategori`"))?;
        let wishes = definition
            .top_level("arbete.onskade_insatser")
            .ok_or_else(|| missing("`arbete.onskade_insatser`"))?;
        Ok(FiaSchema {
            version: definition.version().to_owned(),
            areas,
            assessment: (assessment, categories(definition, assessment)),
            wishes: (wishes, categories(definition, wishes)),
            extras: super::stats_tables::Extras::new(definition),
        })
    }
}

/// Slots: documents, then per area answered/affected/serious/work/help, then assessment and wishes.
#[derive(Debug)]
struct Layout {
    documents: usize,
    area: usize,
    assessment: usize,
    assessment_base: usize,
    wishes: usize,
    wishes_base: usize,
    /// The first counter of `stats_tables`.
    extras: usize,
    slots: usize,
}

const PER_AREA: usize = 5;
const ANSWERED: usize = 0;
const AFFECTED_AT: usize = 1;
const SERIOUS_AT: usize = 2;
const WORK_AT: usize = 3;
const HELP_AT: usize = 4;

impl Layout {
    fn new(schema: &FiaSchema) -> Layout {
        let area = 1;
        let assessment = area + PER_AREA * schema.areas.len();
        let assessment_base = assessment + schema.assessment.1.len();
        let wishes = assessment_base + 1;
        let wishes_base = wishes + schema.wishes.1.len();
        Layout {
            documents: 0,
            area,
            assessment,
            assessment_base,
            wishes,
            wishes_base,
            extras: wishes_base + 1,
            slots: wishes_base + 1 + schema.extras.slots(),
        }
    }
}

/// FIA documents counted into strata (unit × year).
#[derive(Debug, Clone)]
pub struct FiaAggregate {
    schema: Arc<FiaSchema>,
    layout: Arc<Layout>,
    aggregate: Aggregate,
}

fn code(value: Option<&AnswerValue>) -> Option<u16> {
    match value {
        Some(AnswerValue::Code(c)) => Some(*c),
        _ => None,
    }
}

impl FiaAggregate {
    /// An empty aggregate.
    pub fn new(schema: FiaSchema, as_of: jiff::civil::Date) -> FiaAggregate {
        let layout = Layout::new(&schema);
        FiaAggregate {
            aggregate: Aggregate::new(layout.slots, "fia", &schema.version, as_of),
            layout: Arc::new(layout),
            schema: Arc::new(schema),
        }
    }

    /// Adds a validated document; one with error findings is only tallied as excluded.
    pub fn add_validated(&mut self, validated: &Validated<'_>, person: Person) -> bool {
        if !validated.report.valid || validated.definition.instrument() != "fia" {
            self.aggregate.exclude();
            return false;
        }
        self.add(&validated.document, person);
        true
    }

    /// Counts a parsed FIA document of `person` (of several documents of one person, the latest
    /// interview counts).
    pub fn add(&mut self, document: &Document, person: Person) {
        let unit = self.aggregate.unit(document.unit());
        // FIA documents carry no background data: a linked SUE record gives it at report time.
        let key = StratumKey::unclassified(unit, document.interview_date().map_or(0, |d| d.year()));
        let schema = Arc::clone(&self.schema);
        let layout = Arc::clone(&self.layout);
        let mut counts = self.aggregate.tally(key, person, document.interview_date());
        counts.add(layout.documents);
        for (i, area) in schema.areas.iter().enumerate() {
            let at = layout.area + i * PER_AREA;
            let Some(extent) = code(document.value(area.extent)) else {
                continue;
            };
            counts.add(at + ANSWERED);
            if !area.affected.contains(&extent) {
                continue;
            }
            counts.add(at + AFFECTED_AT);
            if let Some((item, serious)) = &area.rating
                && code(document.value(*item)).is_some_and(|r| serious.contains(&r))
            {
                counts.add(at + SERIOUS_AT);
            }
            for (slot, answer) in [(WORK_AT, area.affects_work), (HELP_AT, area.wants_help)] {
                if let Some((item, yes)) = answer
                    && code(document.value(item)) == Some(yes)
                {
                    counts.add(at + slot);
                }
            }
        }
        if let Some(category) = code(document.value(schema.assessment.0)) {
            counts.add(layout.assessment + usize::from(category));
            counts.add(layout.assessment_base);
        }
        counts.add(layout.wishes_base);
        if let Some(AnswerValue::Codes(codes)) = document.value(schema.wishes.0) {
            for &c in codes {
                counts.add(layout.wishes + usize::from(c));
            }
        }
        schema.extras.count(document, layout.extras, &mut counts);
    }

    /// Adds another partial result.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] when versions or dates differ.
    pub fn merge(&mut self, other: &FiaAggregate) -> Result<()> {
        self.aggregate.merge(&other.aggregate)
    }

    /// Documents counted.
    pub fn records(&self) -> u64 {
        self.aggregate.records()
    }

    /// Documents not counted because they had error findings.
    pub fn excluded(&self) -> u64 {
        self.aggregate.excluded()
    }

    /// Builds the FIA report without linked records: every person's background is unknown.
    pub fn report(&self, options: &ReportOptions) -> GroupReport {
        self.report_linked(options, &Links::default())
    }

    /// Builds the FIA report, each person's background from `links` (see `stats_link`).
    pub fn report_linked(&self, options: &ReportOptions, links: &Links) -> GroupReport {
        let (tables, _) = self.tables(options, links);
        let title = Text {
            sv: "FIA – förutsättningar inför arbete: gruppresultat".into(),
            en: "FIA – prerequisites for work: group results".into(),
        };
        GroupReport::new("fia", title, &self.aggregate, options, tables)
    }

    /// The tables and the disclosure registry behind them.
    pub(crate) fn tables(
        &self,
        options: &ReportOptions,
        links: &Links,
    ) -> (Vec<crate::stats::Table>, crate::stats::disclosure::Registry) {
        let aggregate = super::stats_link::with_background(&self.aggregate, links);
        let layout = &self.layout;
        let schema = &self.schema;
        let area_at = |i: usize| layout.area + i * PER_AREA;
        // Per life area, from its first slot: affected (of those who answered), then the
        // client's own view (of the affected).
        let per_area = Columns(vec![
            Column::of(
                &("problem", "Har problem", "Has problems"),
                AFFECTED_AT,
                Base::Relative(ANSWERED),
            ),
            Column::of(
                &(
                    "stort_problem",
                    "Stort problem enligt klienten",
                    "Big problem in the client's view",
                ),
                SERIOUS_AT,
                Base::Relative(AFFECTED_AT),
            ),
            Column::of(
                &("paverkar_arbete", "Påverkar arbete", "Affects work"),
                WORK_AT,
                Base::Relative(AFFECTED_AT),
            ),
            Column::of(
                &("vill_ha_hjalp", "Vill ha hjälp", "Wants help"),
                HELP_AT,
                Base::Relative(AFFECTED_AT),
            ),
        ]);
        let mut affected = Columns::default();
        for (i, area) in schema.areas.iter().enumerate() {
            affected.extend(
                Columns(vec![Column::new(
                    &area.code,
                    area.label.clone(),
                    AFFECTED_AT,
                    Base::Relative(ANSWERED),
                )])
                .at(area_at(i)),
            );
        }
        let specs = vec![
            per_area.fixed(
                "fia_problems",
                [
                    text("Problem per livsområde (FIA)", "Problems per life area (FIA)"),
                    text("Andel klienter med problem i stor eller viss omfattning (av dem som besvarat området), och bland dem andelen som själv ser ett mycket stort, stort eller måttligt problem, som anser att det påverkar möjligheten att arbeta och som vill ha hjälp", "Share of clients with problems to a large or some extent (of those who answered for the area), and among them the share who rate it a very big, big or moderate problem, who say it affects their ability to work, and who want help"),
                ],
                ("area", text("Livsområde", "Life area")),
                schema
                    .areas
                    .iter()
                    .enumerate()
                    .map(|(i, area)| (area.code.clone(), area.label.clone(), area_at(i))),
            ),
            affected.by_dimension(
                "fia_affected",
                [
                    text("Andel med problem per livsområde (FIA)", "Share with problems per life area (FIA)"),
                    text("Andel klienter med problem i stor eller viss omfattning, av dem som besvarat området", "Share of clients with problems to a large or some extent, of those who answered for the area"),
                ],
                DIMENSIONS,
            ),
            Columns::run(schema.assessment.1.clone(), Base::Fixed(layout.assessment_base))
                .at(layout.assessment)
                .by_dimension(
                    "fia_assessment",
                    [
                        text("Sammanlagd bedömning (FIA)", "Overall assessment (FIA)"),
                        text("Intervjuarens sammanlagda bedömning av stödbehov, bland intervjuer med bedömning", "The interviewer's overall assessment of support needs, among interviews with an assessment"),
                    ],
                    DIMENSIONS,
                ),
            Columns::run(schema.wishes.1.clone(), Base::Fixed(layout.wishes_base))
                .at(layout.wishes)
                .by_dimension(
                    "fia_wished_interventions",
                    [
                        text("Önskade insatser (FIA)", "Interventions wished for (FIA)"),
                        text("Andel klienter som önskar varje insats, av samtliga intervjuade (flera svar möjliga)", "Share of clients wishing for each intervention, of all interviewed (several answers possible)"),
                    ],
                    DIMENSIONS,
                ),
        ];
        let (extra_specs, extra_partitions) = schema.extras.specs(layout.extras, DIMENSIONS);
        let specs: Vec<_> = specs.into_iter().chain(extra_specs).collect();
        let mut partitions = vec![Partition {
            total: layout.assessment_base,
            parts: (0..schema.assessment.1.len())
                .map(|i| layout.assessment + i)
                .collect(),
        }];
        partitions.extend(extra_partitions);
        let dimensions: Vec<Dimension> = options
            .dimensions
            .iter()
            .copied()
            .filter(|d| DIMENSIONS.contains(d))
            .collect();
        let options = ReportOptions {
            dimensions,
            ..options.clone()
        };
        build_tables(&aggregate, &specs, &partitions, &options)
    }
}
