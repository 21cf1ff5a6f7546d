//! FIA (*förutsättningar inför arbete*): everything that is FIA's beyond its definition file.
//!
//! - [`summary`]: the derived summary of one document.
//! - [`printable`]: the summary as a page for the client's file.
//! - [`stats`]: the statistics schema and the group report's tables.
//! - [`generate`]: the calibrated synthetic document generator.
//!
//! [`FiaModule`] offers them to the generic engine (see `crate::module`).

pub mod generate;
pub mod printable;
pub mod stats;
mod stats_link;
mod stats_tables;
pub mod summary;

use jiff::civil::Date;

pub use generate::{FiaGenerator, fia_documents};
pub use stats::{FiaAggregate, FiaSchema};
pub use summary::{AreaSummary, Assessment, FiaSummary, PlanSummary, summarise};

use crate::error::Result;
use crate::instrument::Definition;
use crate::module::{Documents, InstrumentAggregate, InstrumentModule};
use crate::registry::Summary;
use crate::stats::link::{InstrumentLinker, Links};
use crate::stats::perturbation::Person;
use crate::stats::{GroupReport, ReportOptions};
use crate::validate::Validated;

/// FIA's [`InstrumentModule`].
#[derive(Clone, Copy, Debug, Default)]
pub struct FiaModule;

impl InstrumentModule for FiaModule {
    fn name(&self) -> &'static str {
        "fia"
    }

    fn definition_files(&self) -> &'static [&'static str] {
        &[
            include_str!("../../instruments/fia-1.json"),
            include_str!("../../instruments/fia-2.json"),
        ]
    }

    fn default_version(&self) -> Option<&'static str> {
        // Version 2 is published beside version 1, but the generator and the statistics
        // calibration are still version 1's; until they follow, a caller who names no version
        // gets version 1, as before.
        Some("1")
    }

    fn migration_files(&self) -> &'static [&'static str] {
        &[include_str!("../../migrations/fia-1-to-2.json")]
    }

    fn check_definition(&self, definition: &Definition) -> Result<()> {
        // The statistics schema resolves every item and code the report reads.
        FiaSchema::new(definition).map(drop)
    }

    fn summarise(&self, validated: &Validated<'_>, today: Option<Date>) -> Result<Summary> {
        summarise(validated, today).map(Summary::Fia)
    }

    fn aggregate(
        &self,
        definition: &Definition,
        as_of: Date,
    ) -> Option<Result<Box<dyn InstrumentAggregate>>> {
        Some(FiaSchema::new(definition).map(|schema| {
            Box::new(FiaAggregate::new(schema, as_of)) as Box<dyn InstrumentAggregate>
        }))
    }

    fn linker(&self, definition: &Definition) -> Option<Result<Box<dyn InstrumentLinker>>> {
        Some(
            stats_link::FiaLinker::new(definition)
                .map(|l| Box::new(l) as Box<dyn InstrumentLinker>),
        )
    }

    fn generator<'d>(
        &self,
        definition: &'d Definition,
        seed: u64,
    ) -> Option<Result<Documents<'d>>> {
        Some(FiaGenerator::new(definition, seed).map(|g| Box::new(g) as Documents<'d>))
    }
}

impl InstrumentAggregate for FiaAggregate {
    fn add_validated(&mut self, validated: &Validated<'_>, person: Person) -> bool {
        FiaAggregate::add_validated(self, validated, person)
    }

    fn report(&self, options: &ReportOptions) -> GroupReport {
        FiaAggregate::report(self, options)
    }

    fn report_linked(&self, options: &ReportOptions, links: &Links) -> GroupReport {
        FiaAggregate::report_linked(self, options, links)
    }

    fn breakdowns(&self) -> &'static [crate::stats::Dimension] {
        stats::DIMENSIONS
    }

    fn clone_box(&self) -> Box<dyn InstrumentAggregate> {
        Box::new(self.clone())
    }
}
