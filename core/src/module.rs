//! The contract between the generic engine and an instrument's own code: [`InstrumentModule`].
//!
//! The engine, the NDJSON reports and the shells know definitions, never an instrument by name.
//! What one instrument adds beyond its definition (a summary, group reports, a synthetic
//! generator, the items and codes its code reads) it offers through this one trait; the
//! registry (`crate::registry`) lists the implementations and hands them to the [`Engine`].
//! Adding an instrument is one folder implementing the trait and one line in the registry.

use std::fmt;

use jiff::civil::Date;

use crate::engine::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::instrument::{Definition, ItemId, ItemKind};
use crate::registry::Summary;
use crate::stats::link::{InstrumentLinker, Links};
use crate::stats::perturbation::Person;
use crate::stats::{GroupReport, ReportOptions};
use crate::text::Text;
use crate::validate::Validated;

/// What one instrument offers beyond its definition. Implementations hold no state of their own
/// (they are shared by every engine), so one value per instrument is listed in the registry.
pub trait InstrumentModule: fmt::Debug + Send + Sync {
    /// The instrument's name as definitions spell it (`fia`).
    fn name(&self) -> &'static str;

    /// The definition files of this instrument that bistand ships (JSON, embedded at build time).
    fn definition_files(&self) -> &'static [&'static str] {
        &[]
    }

    /// The version a caller who names none gets (`None`: the newest loaded).
    fn default_version(&self) -> Option<&'static str> {
        None
    }

    /// The declared migrations between this instrument's versions that bistand ships (JSON,
    /// `core/migrations/`), each compiled against its two definitions when both are loaded.
    fn migration_files(&self) -> &'static [&'static str] {
        &[]
    }

    /// Checks that `definition` (of this instrument) has every item and code this module's code
    /// reads, so a renamed code is an error when the engine is built rather than a silently
    /// changed report.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] naming the first missing item or code.
    fn check_definition(&self, definition: &Definition) -> Result<()>;

    /// The derived summary of a document without error findings. `today` is the caller's clock.
    ///
    /// # Errors
    /// [`ErrorKind::UnknownInstrument`] when the instrument has no summary (the default), or the
    /// instrument's own errors.
    fn summarise(&self, validated: &Validated<'_>, today: Option<Date>) -> Result<Summary> {
        let _ = today;
        let name = validated.definition.instrument();
        Err(Error::new(
            ErrorKind::UnknownInstrument,
            Text {
                sv: format!("instrumentet `{name}` saknar sammanfattning"),
                en: format!("instrument `{name}` has no summary"),
            },
        ))
    }

    /// An empty group aggregate over documents of `definition`, describing the situation at
    /// `as_of`; `None` when the instrument has no report of its own (it then gets the generic
    /// report, `stats::generic`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] when the definition lacks what the statistics read.
    fn aggregate(
        &self,
        definition: &Definition,
        as_of: Date,
    ) -> Option<Result<Box<dyn InstrumentAggregate>>> {
        let _ = (definition, as_of);
        None
    }

    /// What documents of `definition` tell other instruments' reports about their person (see
    /// `stats::link`); `None` when they tell nothing.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] when the definition lacks what the linker reads.
    fn linker(&self, definition: &Definition) -> Option<Result<Box<dyn InstrumentLinker>>> {
        let _ = definition;
        None
    }

    /// An endless, deterministic sequence of synthetic documents of `definition` from `seed`;
    /// `None` when the instrument has no generator.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] when the definition lacks what the generator writes.
    fn generator<'d>(
        &self,
        definition: &'d Definition,
        seed: u64,
    ) -> Option<Result<Documents<'d>>> {
        let _ = (definition, seed);
        None
    }
}

/// Synthetic documents, one JSON value each.
pub type Documents<'d> = Box<dyn Iterator<Item = serde_json::Value> + 'd>;

/// One instrument's mergeable count of documents, behind [`crate::stats::GroupAggregate`].
pub trait InstrumentAggregate: fmt::Debug + Send + Sync {
    /// Counts a validated document of `person` (through the statistics engine's tally, which
    /// counts each person once); false (and only tallied) when it has error findings or is of
    /// another instrument.
    fn add_validated(&mut self, validated: &Validated<'_>, person: Person) -> bool;

    /// The report, after disclosure control.
    fn report(&self, options: &ReportOptions) -> GroupReport;

    /// The report with what other instruments' records tell about its persons (`links`), after
    /// disclosure control; an instrument that uses nothing of it gives [`Self::report`].
    fn report_linked(&self, options: &ReportOptions, links: &Links) -> GroupReport {
        let _ = links;
        self.report(options)
    }

    /// The breakdowns the instrument's reports can have (every one by default); a report asked
    /// for others leaves them out, and its provenance names only these.
    fn breakdowns(&self) -> &'static [crate::stats::Dimension] {
        &crate::stats::Dimension::ALL
    }

    /// Counts, from now on, only what the tables `options` selects read; by default everything
    /// is counted and the tables not selected are left out when the report is built.
    fn select(&mut self, _options: &ReportOptions) {}

    /// A copy, for partial aggregates.
    fn clone_box(&self) -> Box<dyn InstrumentAggregate>;
}

impl Engine {
    /// A synthetic document generator for the newest loaded version of `instrument` (or the
    /// loaded `definition` given), through the instrument's module.
    ///
    /// # Errors
    /// [`ErrorKind::UnknownInstrument`] when the instrument is not loaded or has no generator;
    /// the generator's own errors.
    pub fn generator<'e>(&'e self, definition: &'e Definition, seed: u64) -> Result<Documents<'e>> {
        let name = definition.instrument();
        self.module(name)
            .and_then(|m| m.generator(definition, seed))
            .unwrap_or_else(|| {
                Err(Error::new(
                    ErrorKind::UnknownInstrument,
                    Text {
                        sv: format!("instrumentet `{name}` saknar generator"),
                        en: format!("instrument `{name}` has no generator"),
                    },
                ))
            })
    }
}

/// Resolves the items and codes an instrument's code reads in a definition, each failure an
/// [`ErrorKind::InvalidDefinition`] error that names what is missing. The one lookup every
/// instrument module uses (statistics schemas, generators, classifications).
#[derive(Clone, Copy, Debug)]
pub struct Resolver<'d> {
    definition: &'d Definition,
    /// Who needs the item ("SUE statistics"), for the message.
    user: &'static str,
    user_sv: &'static str,
}

impl<'d> Resolver<'d> {
    /// A resolver over `definition` for `user` (English and Swedish, e.g. `SUE statistics`,
    /// `SUE-statistiken`).
    pub fn new(definition: &'d Definition, user: &'static str, user_sv: &'static str) -> Self {
        Resolver {
            definition,
            user,
            user_sv,
        }
    }

    /// The definition resolved against.
    pub fn definition(&self) -> &'d Definition {
        self.definition
    }

    /// The error that `what` is missing.
    pub fn missing(&self, what: &str) -> Error {
        Error::new(
            ErrorKind::InvalidDefinition,
            Text {
                sv: format!("{} kräver {what} i definitionen", self.user_sv),
                en: format!("{} need {what} in the definition", self.user),
            },
        )
    }

    /// The top-level item `id`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] naming the item.
    pub fn item(&self, id: &str) -> Result<ItemId> {
        self.definition
            .top_level(id)
            .ok_or_else(|| self.missing(&format!("the item `{id}`")))
    }

    /// The code list of a choice item.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] when the item is not a choice.
    pub fn codes(&self, item: ItemId) -> Result<&'d crate::instrument::CodeList> {
        match &self.definition.item(item).kind {
            ItemKind::SingleChoice { list } | ItemKind::MultipleChoice { list, .. } => {
                Ok(self.definition.code_list(*list))
            }
            _ => Err(self.missing(&format!(
                "a choice item `{}`",
                self.definition.item(item).id
            ))),
        }
    }

    /// The position of `code` in the code list of the choice item `item`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] naming the code and the item.
    pub fn code(&self, item: ItemId, code: &str) -> Result<u16> {
        self.codes(item)?.position(code).ok_or_else(|| {
            self.missing(&format!(
                "the code `{code}` of `{}`",
                self.definition.item(item).id
            ))
        })
    }

    /// The position of the sub-item `local` in the repeating group `group`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] when `group` is not a group or lacks the sub-item.
    pub fn sub_item(&self, group: ItemId, local: &str) -> Result<usize> {
        match &self.definition.item(group).kind {
            ItemKind::Group(g) => g
                .position(local)
                .ok_or_else(|| self.missing(&format!("the sub-item `{local}`"))),
            _ => Err(self.missing("a repeating group")),
        }
    }

    /// Checks every `(item, codes)` pair: the item exists, is a choice, and lists every code.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] naming the first missing item or code.
    pub fn require(&self, items: &[(&str, &[&str])]) -> Result<()> {
        for (id, codes) in items {
            let item = self.item(id)?;
            for code in *codes {
                self.code(item, code)?;
            }
        }
        Ok(())
    }
}

/// An instrument that exists only here, added the way a new one would be: a definition, a module
/// implementing the trait, and an engine built with it beside the shipped modules. Nothing else in
/// the crate knows it, yet it is validated, checked, reported on and refused a summary through
/// the same generic paths as FIA and SUE.
#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::document::AnswerValue;
    use crate::stats::engine::{
        Aggregate, CellSlots, RowsSpec, StratumKey, TableSpec, build_tables,
    };
    use crate::stats::{Category, Dimension, Table, report_from_ndjson};
    use crate::text::Text;

    const DEFINITION: &str = r#"{
        "instrument": "farger", "version": "1",
        "title": { "sv": "Färger", "en": "Colours" },
        "description": { "sv": "Ett instrument bara för ett test.", "en": "An instrument only for a test." },
        "code_lists": { "farg": [
            { "code": "rod", "label": { "sv": "Röd", "en": "Red" } },
            { "code": "bla", "label": { "sv": "Blå", "en": "Blue" } }
        ] },
        "sections": [ { "id": "a", "label": { "sv": "A", "en": "A" }, "items": [
            { "id": "a.farg", "kind": "single_choice", "code_list": "farg", "required": true,
              "label": { "sv": "Färg", "en": "Colour" } }
        ] } ]
    }"#;

    /// The codes the module's code reads.
    const CODES: &[(&str, &[&str])] = &[("a.farg", &["rod", "bla"])];

    #[derive(Debug)]
    struct Colours;

    #[derive(Clone, Debug)]
    struct ColourCount {
        item: ItemId,
        categories: Arc<Vec<Category>>,
        aggregate: Aggregate,
    }

    impl InstrumentModule for Colours {
        fn name(&self) -> &'static str {
            "farger"
        }

        fn check_definition(&self, definition: &Definition) -> Result<()> {
            Resolver::new(definition, "colour reports", "färgrapporterna").require(CODES)
        }

        fn aggregate(
            &self,
            definition: &Definition,
            as_of: Date,
        ) -> Option<Result<Box<dyn InstrumentAggregate>>> {
            let resolver = Resolver::new(definition, "colour reports", "färgrapporterna");
            Some(resolver.item("a.farg").and_then(|item| {
                let categories: Vec<Category> = resolver
                    .codes(item)?
                    .codes
                    .iter()
                    .map(|c| Category {
                        code: c.code.clone(),
                        label: c.label.clone(),
                    })
                    .collect();
                let slots = categories.len() + 1;
                Ok(Box::new(ColourCount {
                    item,
                    categories: Arc::new(categories),
                    aggregate: Aggregate::new(slots, "farger", definition.version(), as_of),
                }) as Box<dyn InstrumentAggregate>)
            }))
        }
    }

    impl InstrumentAggregate for ColourCount {
        fn add_validated(&mut self, validated: &Validated<'_>, person: Person) -> bool {
            if !validated.report.valid {
                self.aggregate.exclude();
                return false;
            }
            let unit = self.aggregate.unit(validated.document.unit());
            let colour = match validated.document.value(self.item) {
                Some(AnswerValue::Code(c)) => Some(usize::from(*c)),
                _ => None,
            };
            let base = self.categories.len();
            let mut counts = self
                .aggregate
                .tally(StratumKey::unclassified(unit, 0), person, None);
            counts.add(base);
            if let Some(colour) = colour {
                counts.add(colour);
            }
            true
        }

        fn report(&self, options: &ReportOptions) -> GroupReport {
            let base = self.categories.len();
            let specs = [TableSpec {
                id: "farg",
                title: Text {
                    sv: "Färg".into(),
                    en: "Colour".into(),
                },
                description: Text {
                    sv: "Andel per färg".into(),
                    en: "Share per colour".into(),
                },
                categories: self.categories.as_ref().clone(),
                rows: RowsSpec::ByDimension {
                    dimensions: &[Dimension::Total, Dimension::Unit],
                    cells: (0..base).map(|i| CellSlots::new(i, base)).collect(),
                },
            }];
            let (tables, _): (Vec<Table>, _) = build_tables(&self.aggregate, &specs, &[], options);
            let title = Text {
                sv: "Färger".into(),
                en: "Colours".into(),
            };
            GroupReport::new("farger", title, &self.aggregate, options, tables)
        }

        fn clone_box(&self) -> Box<dyn InstrumentAggregate> {
            Box::new(self.clone())
        }
    }

    static COLOURS: Colours = Colours;

    fn engine(definition: &str) -> Result<Engine> {
        let mut definitions = crate::registry::builtin()?;
        definitions.push(Definition::from_json(definition)?);
        let mut modules = crate::registry::modules();
        modules.push(&COLOURS);
        Engine::with_modules(definitions, modules, None)
    }

    #[test]
    fn an_instrument_registered_only_here_validates_and_reports() {
        let engine = engine(DEFINITION).expect("the test instrument loads");
        let document = |colour: &str, unit: &str| {
            format!(
                "{{\"instrument\": \"farger\", \"version\": \"1\", \"status\": \"complete\", \
                 \"interview_date\": \"2026-11-02\", \"unit\": \"{unit}\", \
                 \"answers\": {{\"a.farg\": \"{colour}\"}}}}"
            )
        };
        let report = engine
            .validate(Some("farger"), document("rod", "Norr").as_bytes())
            .expect("parses");
        assert!(report.valid);
        let bad = engine
            .validate(Some("farger"), document("gron", "Norr").as_bytes())
            .expect("parses");
        assert!(!bad.valid);

        let mut ndjson = String::new();
        for i in 0..12 {
            let colour = if i % 3 == 0 { "bla" } else { "rod" };
            ndjson.push_str(&document(colour, "Norr"));
            ndjson.push('\n');
        }
        ndjson.push_str(&document("gron", "Norr"));
        ndjson.push('\n');
        let as_of = jiff::civil::date(2026, 11, 30);
        let report = report_from_ndjson(
            &engine,
            "farger",
            ndjson.as_bytes(),
            as_of,
            // Counting is tested here, not protection: exact counts.
            &ReportOptions {
                exact: true,
                ..ReportOptions::default()
            },
            None,
        )
        .expect("a report through the generic path");
        assert_eq!(report.unreadable_lines, 0);
        assert_eq!(report.documents_with_errors, 1);
        assert_eq!(report.report.records, 12);
        let total = &report.report.tables[0];
        assert_eq!(total.id, "farg");
        assert_eq!(total.rows[0].cells[0].count, Some(8));
        assert_eq!(
            total.rows[0].cells[1].count, None,
            "4 blue is under the threshold"
        );
        assert!(total.rows[0].cells[1].suppressed);
        assert_eq!(report.report.tables[1].id, "farg.unit");

        let error = engine
            .summary(Some("farger"), document("rod", "Norr").as_bytes(), None)
            .expect_err("no summary");
        assert_eq!(error.kind(), ErrorKind::UnknownInstrument);
        let error = engine.generator(engine.definition("farger", None).expect("loaded"), 1);
        assert_eq!(
            error.err().map(|e| e.kind()),
            Some(ErrorKind::UnknownInstrument)
        );
        // The shipped instruments are untouched by the addition.
        assert!(engine.summary(Some("fia"), b"{}", None).is_err());
        assert_eq!(engine.module_names(), ["fia", "sue", "farger"]);
    }

    #[test]
    fn a_code_the_module_reads_is_checked_when_the_engine_is_built() {
        let without_blue = DEFINITION.replace(
            r#"{ "code": "bla", "label": { "sv": "Blå", "en": "Blue" } }"#,
            r#"{ "code": "gul", "label": { "sv": "Gul", "en": "Yellow" } }"#,
        );
        let error = engine(&without_blue).expect_err("refused");
        assert_eq!(error.kind(), ErrorKind::InvalidDefinition);
        assert!(error.message_en().contains("`bla`"), "{error}");
        assert!(error.message_sv().contains("`bla`"), "{error}");
    }

    #[test]
    fn an_instrument_without_a_module_gets_the_generic_report() {
        let definitions = vec![Definition::from_json(DEFINITION).expect("compiles")];
        let engine =
            Engine::with_modules(definitions, crate::registry::modules(), None).expect("loads");
        let document = |colour: &str, unit: &str, year: u32| {
            format!(
                "{{\"instrument\": \"farger\", \"version\": \"1\", \"status\": \"complete\", \
                 \"interview_date\": \"{year}-11-02\", \"unit\": \"{unit}\", \
                 \"answers\": {{\"a.farg\": \"{colour}\"}}}}\n"
            )
        };
        let mut ndjson = String::new();
        for i in 0..14 {
            let colour = if i % 2 == 0 { "bla" } else { "rod" };
            let unit = if i < 8 { "Söder" } else { "Norr" };
            ndjson.push_str(&document(colour, unit, 2025 + i % 2));
        }
        ndjson.push_str(&document("gron", "Söder", 2026));
        let report = report_from_ndjson(
            &engine,
            "farger",
            ndjson.as_bytes(),
            jiff::civil::date(2026, 11, 30),
            &ReportOptions {
                exact: true,
                ..ReportOptions::default()
            },
            None,
        )
        .expect("the generic report");
        assert_eq!(report.documents_with_errors, 1);
        assert_eq!(report.report.instrument, "farger");
        assert_eq!(report.report.records, 14);
        let ids: Vec<&str> = report.report.tables.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["a.farg", "a.farg.unit", "a.farg.period"]);
        let total = &report.report.tables[0];
        assert_eq!(total.title.sv, "A › Färg");
        let codes: Vec<&str> = total.categories.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes, ["rod", "bla"]);
        assert_eq!(total.rows[0].cells[0].count, Some(7));
        assert_eq!(total.rows[0].cells[0].base, Some(14));
        let units = &report.report.tables[1];
        let norr = units.rows.iter().find(|r| r.code == "Norr").expect("Norr");
        // 6 in Norr, 3 of each colour: under the threshold, suppressed.
        assert!(norr.cells.iter().all(|c| c.suppressed && c.count.is_none()));
        let soder = units
            .rows
            .iter()
            .find(|r| r.code == "Söder")
            .expect("Söder");
        assert_eq!(soder.cells[0].base, Some(8));
    }
}
