//! FIA group statistics: how common each life-area problem is among interviewed clients, how big
//! the clients themselves find it, the interviewers' overall assessments and the interventions
//! clients wish for. FIA documents carry no background data: the breakdowns by gender, age band,
//! origin and household come from the SUE record of the same person (`stats_link`).

use std::sync::Arc;

use crate::document::{AnswerValue, Document};
use crate::error::{Error, ErrorKind, Result};
use crate::instrument::{Definition, ItemId};
use crate::module::Resolver;
use crate::stats::engine::{
    Aggregate, CellSlots, Partition, RowsSpec, StratumKey, TableSpec, build_tables,
};
use crate::stats::link::Links;
use crate::stats::perturbation::Person;
use crate::stats::{Category, Dimension, GroupReport, ReportOptions};
use crate::text::Text;
use crate::validate::Validated;

const AREA_PART: &str = "livssituation";
const AFFECTED: [&str; 2] = ["i_stor_omfattning", "i_viss_omfattning"];
const SERIOUS: [&str; 3] = ["mycket_stort", "stort", "mattligt"];
const DIMENSIONS: &[Dimension] = &[
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
        let area_at = |i: usize, what: usize| layout.area + i * PER_AREA + what;
        let specs = vec![
            TableSpec {
                id: "fia_problems",
                title: Text { sv: "Problem per livsområde (FIA)".into(), en: "Problems per life area (FIA)".into() },
                description: Text { sv: "Andel klienter med problem i stor eller viss omfattning (av dem som besvarat området), och bland dem andelen som själv ser ett mycket stort, stort eller måttligt problem, som anser att det påverkar möjligheten att arbeta och som vill ha hjälp".into(), en: "Share of clients with problems to a large or some extent (of those who answered for the area), and among them the share who rate it a very big, big or moderate problem, who say it affects their ability to work, and who want help".into() },
                categories: vec![
                    Category {
                        code: "problem".into(),
                        label: Text { sv: "Har problem".into(), en: "Has problems".into() },
                    },
                    Category {
                        code: "stort_problem".into(),
                        label: Text { sv: "Stort problem enligt klienten".into(), en: "Big problem in the client's view".into() },
                    },
                    Category {
                        code: "paverkar_arbete".into(),
                        label: Text { sv: "Påverkar arbete".into(), en: "Affects work".into() },
                    },
                    Category {
                        code: "vill_ha_hjalp".into(),
                        label: Text { sv: "Vill ha hjälp".into(), en: "Wants help".into() },
                    },
                ],
                rows: RowsSpec::Fixed {
                    rows_are: "area",
                    rows_label: Text { sv: "Livsområde".into(), en: "Life area".into() },
                    rows: schema
                        .areas
                        .iter()
                        .enumerate()
                        .map(|(i, area)| {
                            let affected = area_at(i, AFFECTED_AT);
                            (
                                area.code.clone(),
                                area.label.clone(),
                                vec![
                                    CellSlots::new(affected, area_at(i, ANSWERED)),
                                    CellSlots::new(area_at(i, SERIOUS_AT), affected),
                                    CellSlots::new(area_at(i, WORK_AT), affected),
                                    CellSlots::new(area_at(i, HELP_AT), affected),
                                ],
                            )
                        })
                        .collect(),
                },
            },
            TableSpec {
                id: "fia_affected",
                title: Text { sv: "Andel med problem per livsområde (FIA)".into(), en: "Share with problems per life area (FIA)".into() },
                description: Text { sv: "Andel klienter med problem i stor eller viss omfattning, av dem som besvarat området".into(), en: "Share of clients with problems to a large or some extent, of those who answered for the area".into() },
                categories: schema
                    .areas
                    .iter()
                    .map(|a| Category {
                        code: a.code.clone(),
                        label: a.label.clone(),
                    })
                    .collect(),
                rows: RowsSpec::ByDimension {
                    dimensions: DIMENSIONS,
                    cells: (0..schema.areas.len())
                        .map(|i| CellSlots::new(area_at(i, AFFECTED_AT), area_at(i, ANSWERED)))
                        .collect(),
                },
            },
            TableSpec {
                id: "fia_assessment",
                title: Text { sv: "Sammanlagd bedömning (FIA)".into(), en: "Overall assessment (FIA)".into() },
                description: Text { sv: "Intervjuarens sammanlagda bedömning av stödbehov, bland intervjuer med bedömning".into(), en: "The interviewer's overall assessment of support needs, among interviews with an assessment".into() },
                categories: schema.assessment.1.clone(),
                rows: RowsSpec::ByDimension {
                    dimensions: DIMENSIONS,
                    cells: (0..schema.assessment.1.len())
                        .map(|i| CellSlots::new(layout.assessment + i, layout.assessment_base))
                        .collect(),
                },
            },
            TableSpec {
                id: "fia_wished_interventions",
                title: Text { sv: "Önskade insatser (FIA)".into(), en: "Interventions wished for (FIA)".into() },
                description: Text { sv: "Andel klienter som önskar varje insats, av samtliga intervjuade (flera svar möjliga)".into(), en: "Share of clients wishing for each intervention, of all interviewed (several answers possible)".into() },
                categories: schema.wishes.1.clone(),
                rows: RowsSpec::ByDimension {
                    dimensions: DIMENSIONS,
                    cells: (0..schema.wishes.1.len())
                        .map(|i| CellSlots::new(layout.wishes + i, layout.wishes_base))
                        .collect(),
                },
            },
        ];
        let (extra_specs, extra_partitions) = schema.extras.specs(layout.extras, DIMENSIONS);
        let specs: Vec<TableSpec> = specs.into_iter().chain(extra_specs).collect();
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
