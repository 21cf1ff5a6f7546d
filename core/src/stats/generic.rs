//! The generic group report: what every instrument gets when its module offers no report of its
//! own (a supplied definition, or a shipped one without statistics). For each top-level choice
//! item (single or multiple choice), the share of persons per code among those who answered it,
//! by the breakdowns every document carries (its envelope's unit and interview year), through the
//! same counting of persons and the same disclosure control as the built-in reports.

use std::sync::Arc;

use jiff::civil::Date;

use super::engine::{
    Aggregate, CellSlots, Partition, RowsSpec, StratumKey, TableSpec, build_tables,
};
use super::perturbation::Person;
use super::{Category, Dimension, GroupReport, ReportOptions};
use crate::document::AnswerValue;
use crate::instrument::{Definition, ItemId, ItemKind};
use crate::module::InstrumentAggregate;
use crate::text::Text;
use crate::validate::Validated;

/// The breakdowns a document's envelope carries, whatever the instrument.
const DIMENSIONS: &[Dimension] = &[Dimension::Total, Dimension::Unit, Dimension::Period];

/// The slot every record is counted in (the aggregate counts persons through it).
const DOCUMENTS: usize = 0;

/// One choice item's table: where its counters are.
#[derive(Debug)]
struct ChoiceTable {
    item: ItemId,
    /// Single choice: the codes partition the answered.
    single: bool,
    /// The slot of "answered"; the codes' slots follow it.
    base: usize,
    id: String,
    title: Text,
    categories: Vec<Category>,
}

/// The generic aggregate of one definition version.
#[derive(Clone, Debug)]
pub(crate) struct GenericAggregate {
    instrument: String,
    title: Text,
    tables: Arc<Vec<ChoiceTable>>,
    aggregate: Aggregate,
}

impl GenericAggregate {
    /// An empty aggregate over the top-level choice items of `definition`, as of `as_of`.
    pub(crate) fn new(definition: &Definition, as_of: Date) -> GenericAggregate {
        let mut slots = DOCUMENTS + 1;
        let mut tables = Vec::new();
        for section in definition.sections() {
            for &item in &section.items {
                let single = match &definition.item(item).kind {
                    ItemKind::SingleChoice { list } => (true, *list),
                    ItemKind::MultipleChoice { list, .. } => (false, *list),
                    _ => continue,
                };
                let (single, list) = single;
                let categories: Vec<Category> = definition
                    .code_list(list)
                    .codes
                    .iter()
                    .map(|c| Category {
                        code: c.code.clone(),
                        label: c.label.clone(),
                    })
                    .collect();
                let base = slots;
                slots += 1 + categories.len();
                let question = &definition.item(item).label;
                tables.push(ChoiceTable {
                    item,
                    single,
                    base,
                    id: definition.item(item).id.clone(),
                    title: Text {
                        sv: format!("{} › {}", section.label.sv, question.sv),
                        en: format!("{} › {}", section.label.en, question.en),
                    },
                    categories,
                });
            }
        }
        GenericAggregate {
            instrument: definition.instrument().to_owned(),
            title: Text {
                sv: format!(
                    "{}: gruppresultat per svarsalternativ",
                    definition.title().sv
                ),
                en: format!("{}: group results per answer", definition.title().en),
            },
            tables: Arc::new(tables),
            aggregate: Aggregate::new(slots, definition.instrument(), definition.version(), as_of),
        }
    }
}

impl InstrumentAggregate for GenericAggregate {
    fn breakdowns(&self) -> &'static [Dimension] {
        DIMENSIONS
    }

    fn add_validated(&mut self, validated: &Validated<'_>, person: Person) -> bool {
        if !validated.report.valid || validated.definition.instrument() != self.instrument {
            self.aggregate.exclude();
            return false;
        }
        let document = &validated.document;
        let unit = self.aggregate.unit(document.unit());
        let key = StratumKey::unclassified(unit, document.interview_date().map_or(0, |d| d.year()));
        let tables = Arc::clone(&self.tables);
        let mut counts = self.aggregate.tally(key, person, document.interview_date());
        counts.add(DOCUMENTS);
        for table in tables.iter() {
            let codes: &[u16] = match document.value(table.item) {
                Some(AnswerValue::Code(code)) => std::slice::from_ref(code),
                Some(AnswerValue::Codes(codes)) => codes,
                _ => continue,
            };
            counts.add(table.base);
            for &code in codes {
                counts.add(table.base + 1 + usize::from(code));
            }
        }
        true
    }

    fn report(&self, options: &ReportOptions) -> GroupReport {
        // The table builder names tables by a static id; these come from the definition, so each
        // is built under an empty id and named after (a table per breakdown, in spec order).
        let specs: Vec<TableSpec> = self
            .tables
            .iter()
            .map(|table| TableSpec {
                id: "",
                title: table.title.clone(),
                description: if table.single {
                    Text {
                        sv: "Andel personer per svarsalternativ, av dem som besvarat frågan".into(),
                        en: "Share of persons per answer, of those who answered the question"
                            .into(),
                    }
                } else {
                    Text {
                        sv: "Andel personer som valt varje svarsalternativ, av dem som besvarat frågan (flera svar möjliga)".into(),
                        en: "Share of persons choosing each answer, of those who answered the question (several answers possible)".into(),
                    }
                },
                categories: table.categories.clone(),
                rows: RowsSpec::ByDimension {
                    dimensions: DIMENSIONS,
                    cells: (0..table.categories.len())
                        .map(|i| CellSlots::new(table.base + 1 + i, table.base))
                        .collect(),
                },
            })
            .collect();
        let partitions: Vec<Partition> = self
            .tables
            .iter()
            .filter(|table| table.single)
            .map(|table| Partition {
                total: table.base,
                parts: (0..table.categories.len())
                    .map(|i| table.base + 1 + i)
                    .collect(),
            })
            .collect();
        let options = ReportOptions {
            dimensions: options
                .dimensions
                .iter()
                .copied()
                .filter(|d| DIMENSIONS.contains(d))
                .collect(),
            ..options.clone()
        };
        let (mut tables, _) = build_tables(&self.aggregate, &specs, &partitions, &options);
        let per_spec = DIMENSIONS
            .iter()
            .filter(|d| options.dimensions.contains(d))
            .count();
        if per_spec > 0 {
            for (built, table) in tables.chunks_mut(per_spec).zip(self.tables.iter()) {
                for built in built {
                    built.id = format!("{}{}", table.id, built.id);
                }
            }
        }
        GroupReport::new(
            &self.instrument,
            self.title.clone(),
            &self.aggregate,
            &options,
            tables,
        )
    }

    fn clone_box(&self) -> Box<dyn InstrumentAggregate> {
        Box::new(self.clone())
    }
}
