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
use crate::stats::{GroupReport, ReportOptions};
use crate::validate::Validated;

/// What one instrument offers beyond its definition. Implementations hold no state of their own
/// (they are shared by every engine), so one value per instrument is listed in the registry.
pub trait InstrumentModule: fmt::Debug + Send + Sync {
    /// The instrument's name as definitions spell it (`fia`).
    fn name(&self) -> &'static str;

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
            format!("instrument `{name}` has no summary"),
            format!("instrumentet `{name}` saknar sammanfattning"),
        ))
    }

    /// An empty group aggregate over documents of `definition`, describing the situation at
    /// `as_of`; `None` when the instrument has no group reports.
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

    /// An endless, deterministic sequence of synthetic documents of `definition` from `seed`;
    /// `None` when the instrument has no generator.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] when the definition lacks what the generator writes.
    fn generator<'d>(&self, definition: &'d Definition, seed: u64) -> Option<Result<Documents<'d>>> {
        let _ = (definition, seed);
        None
    }
}

/// Synthetic documents, one JSON value each.
pub type Documents<'d> = Box<dyn Iterator<Item = serde_json::Value> + 'd>;

/// One instrument's mergeable count of documents, behind [`crate::stats::GroupAggregate`].
pub trait InstrumentAggregate: fmt::Debug + Send + Sync {
    /// Counts a validated document; false (and only tallied) when it has error findings or is of
    /// another instrument.
    fn add_validated(&mut self, validated: &Validated<'_>) -> bool;

    /// The report, after disclosure control.
    fn report(&self, options: &ReportOptions) -> GroupReport;

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
                    format!("instrument `{name}` has no generator"),
                    format!("instrumentet `{name}` saknar generator"),
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
            format!("{} need {what} in the definition", self.user),
            format!("{} kräver {what} i definitionen", self.user_sv),
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
