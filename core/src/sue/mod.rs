//! SUE (*systematisk uppföljning av ekonomiskt bistånd*): everything that is SUE's beyond its
//! definition file.
//!
//! - [`classify`]: how SUE answers fall into the report groups.
//! - [`stats`]: the statistics schema, the reduced record and the group report's tables.
//! - [`generate`]: the calibrated synthetic document generator.
//!
//! [`SueModule`] offers them to the generic engine (see `crate::module`).

pub mod classify;
pub mod generate;
pub mod stats;

use jiff::civil::Date;

pub use generate::{SueGenerator, sue_documents};
pub use stats::{SueAggregate, SueLinker, SueRecord, SueSchema};

use crate::error::Result;
use crate::instrument::Definition;
use crate::module::{Documents, InstrumentAggregate, InstrumentModule, Resolver};
use crate::stats::link::{InstrumentLinker, Links};
use crate::stats::perturbation::Person;
use crate::stats::{GroupReport, ReportOptions};
use crate::validate::Validated;

/// SUE's [`InstrumentModule`].
#[derive(Clone, Copy, Debug, Default)]
pub struct SueModule;

impl InstrumentModule for SueModule {
    fn name(&self) -> &'static str {
        "sue"
    }

    fn definition_files(&self) -> &'static [&'static str] {
        &[
            include_str!("../../instruments/sue-1.json"),
            include_str!("../../instruments/sue-2.json"),
        ]
    }

    // No `default_version`: a caller naming none gets the newest, version 2, which the generator
    // writes and a report reads (version 1 records through the migration).

    fn migration_files(&self) -> &'static [&'static str] {
        &[include_str!("../../migrations/sue-1-to-2.json")]
    }

    fn check_definition(&self, definition: &Definition) -> Result<()> {
        // The classifications match codes by name: each must exist, or clients would silently
        // fall into "not recorded".
        Resolver::new(definition, "SUE classifications", "SUE-klassificeringarna")
            .require(classify::CODES)?;
        SueSchema::new(definition).map(drop)
    }

    fn aggregate(
        &self,
        definition: &Definition,
        as_of: Date,
    ) -> Option<Result<Box<dyn InstrumentAggregate>>> {
        Some(SueSchema::new(definition).map(|schema| {
            Box::new(SueAggregate::new(schema, as_of)) as Box<dyn InstrumentAggregate>
        }))
    }

    fn linker(&self, definition: &Definition) -> Option<Result<Box<dyn InstrumentLinker>>> {
        Some(SueLinker::new(definition).map(|l| Box::new(l) as Box<dyn InstrumentLinker>))
    }

    fn generator<'d>(
        &self,
        definition: &'d Definition,
        seed: u64,
    ) -> Option<Result<Documents<'d>>> {
        Some(SueGenerator::new(definition, seed).map(|g| Box::new(g) as Documents<'d>))
    }
}

impl InstrumentAggregate for SueAggregate {
    fn add_validated(&mut self, validated: &Validated<'_>, person: Person) -> bool {
        SueAggregate::add_validated(self, validated, person)
    }

    fn report(&self, options: &ReportOptions) -> GroupReport {
        SueAggregate::report(self, options)
    }

    fn select(&mut self, options: &ReportOptions) {
        SueAggregate::select(self, options);
    }

    fn report_linked(&self, options: &ReportOptions, links: &Links) -> GroupReport {
        SueAggregate::report_linked(self, options, links)
    }

    fn clone_box(&self) -> Box<dyn InstrumentAggregate> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use crate::instrument::Definition;
    use crate::{Engine, ErrorKind};

    /// `sue-1.json` with `code` renamed throughout (code list and conditions alike), as an edit
    /// of the file would: still a valid definition.
    fn sue_renaming(code: &str) -> Definition {
        let json = include_str!("../../instruments/sue-1.json");
        let renamed = json.replace(&format!("\"{code}\""), &format!("\"{code}_omdopt\""));
        assert_ne!(renamed, json, "`{code}` is in the definition");
        Definition::from_json(&renamed).expect("still a valid definition")
    }

    #[test]
    fn a_definition_without_a_code_the_classifications_read_is_refused() {
        for code in ["kvinna", "norden", "sammanboende_med_barn"] {
            let error = Engine::with_definitions(vec![sue_renaming(code)], None)
                .expect_err("a code the classifications read is missing");
            assert_eq!(error.kind(), ErrorKind::InvalidDefinition);
            assert!(error.message_en().contains(&format!("`{code}`")), "{error}");
            assert!(error.message_sv().contains(&format!("`{code}`")), "{error}");
        }
    }

    #[test]
    fn a_definition_without_a_code_the_statistics_read_is_refused() {
        let error = Engine::with_definitions(vec![sue_renaming("mycket_nojd")], None)
            .expect_err("a code the statistics read is missing");
        assert_eq!(error.kind(), ErrorKind::InvalidDefinition);
        assert!(error.message_en().contains("`mycket_nojd`"), "{error}");
    }

    #[test]
    fn the_shipped_definition_has_every_code() {
        let json = include_str!("../../instruments/sue-1.json");
        let definition = Definition::from_json(json).expect("compiles");
        Engine::with_definitions(vec![definition], None).expect("loads");
    }
}
