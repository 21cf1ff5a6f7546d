//! Linking by person (issue 15, point 5): what one instrument's records tell another
//! instrument's report about the same person.
//!
//! A FIA document carries no background; a SUE record does, and a FIA interview gives the needs
//! profile SUE's equality tables standardise to. A report of one instrument therefore also reads
//! the records of the other instruments in the same input (the same NDJSON, the same store and
//! units) and keeps, per identified person, what each module's [`InstrumentLinker`] says: the
//! background of their SUE record, the overall assessment of their FIA. Which record speaks for a
//! person when there are several is the rule of "Persons, not records" (DESIGN.md): the latest
//! start (SUE's case start, FIA's interview date), ties broken by the larger document key
//! (`stats::engine::rank`, the rule the report's own counts use).
//!
//! Persons are identified as everywhere: by pseudonym in the store, by the client id of the
//! wrapped NDJSON form pseudonymised with the keys. A document without a person id links to
//! nothing. What is linked moves a person's counted record between groups at report time
//! (`Aggregate::relink`); disclosure control then applies to the tables as to any other.

use std::collections::HashMap;
use std::fmt;

use jiff::civil::Date;

use super::engine::{Rank, rank};
use super::perturbation::{Person, RecordKey};
use crate::engine::Engine;
use crate::error::Result;
use crate::instrument::Definition;
use crate::validate::Validated;

/// A person's background as a record of theirs gives it: indexes into the report's classes
/// (`dimension::GENDERS`, `AGE_BANDS`, `ORIGINS`, `HOUSEHOLDS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Background {
    pub(crate) gender: u8,
    pub(crate) age: u8,
    pub(crate) origin: u8,
    pub(crate) household: u8,
}

/// What is linked to one person: each fact from the highest-ranked record that gives it.
#[derive(Clone, Copy, Debug, Default)]
struct Linked {
    background: Option<(Rank, Background)>,
    assessment: Option<(Rank, u8)>,
}

/// Keeps `value` in `slot` when its rank is higher than the one kept.
fn keep<T>(slot: &mut Option<(Rank, T)>, rank: Rank, value: T) {
    if slot.as_ref().is_none_or(|(kept, _)| rank > *kept) {
        *slot = Some((rank, value));
    }
}

/// What other instruments' records tell about the persons of a report, by record key.
#[derive(Clone, Debug, Default)]
pub struct Links {
    persons: HashMap<u64, Linked>,
}

impl Links {
    /// Links `background` from a record of `person` starting at `start`.
    pub(crate) fn add_background(
        &mut self,
        person: Person,
        start: Option<Date>,
        background: Background,
    ) {
        if person.identified() {
            let linked = self.persons.entry(person.key().bits()).or_default();
            keep(&mut linked.background, rank(start, person), background);
        }
    }

    /// Links the FIA overall assessment `assessment` (index into `dimension::ASSESSMENTS`) from
    /// an interview of `person` on `date`.
    pub(crate) fn add_assessment(&mut self, person: Person, date: Option<Date>, assessment: u8) {
        if person.identified() {
            let linked = self.persons.entry(person.key().bits()).or_default();
            keep(&mut linked.assessment, rank(date, person), assessment);
        }
    }

    /// Whether nothing is linked.
    pub fn is_empty(&self) -> bool {
        self.persons.is_empty()
    }

    /// The background linked to the person with record key `key`.
    pub(crate) fn background(&self, key: RecordKey) -> Option<Background> {
        self.persons.get(&key.bits())?.background.map(|(_, b)| b)
    }

    /// The FIA overall assessment linked to the person with record key `key`.
    pub(crate) fn assessment(&self, key: RecordKey) -> Option<u8> {
        self.persons.get(&key.bits())?.assessment.map(|(_, a)| a)
    }
}

/// What an instrument's valid documents tell other instruments' reports about their person, made
/// once per report from a definition by the instrument's module
/// ([`crate::module::InstrumentModule::linker`]).
pub trait InstrumentLinker: fmt::Debug + Send + Sync {
    /// Adds to `links` what the valid document `validated` of `person` tells.
    fn link(&self, validated: &Validated<'_>, person: Person, links: &mut Links);
}

/// What became of a document offered to [`Linking::add`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkOutcome {
    /// A document of a linked instrument, read for its person.
    Linked,
    /// A document of a linked instrument with error findings: not read.
    WithErrors,
    /// A document of an instrument that is not linked (the report's own, or one whose module
    /// links nothing).
    NotLinked,
}

/// The records of the other instruments of one report run, read for their persons.
pub struct Linking<'e> {
    engine: &'e Engine,
    linkers: Vec<(&'e Definition, Box<dyn InstrumentLinker>)>,
    links: Links,
    linked: u64,
}

impl fmt::Debug for Linking<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Linking")
            .field("instruments", &self.instruments())
            .field("linked", &self.linked)
            .finish_non_exhaustive()
    }
}

impl<'e> Linking<'e> {
    /// The linking of a report of `instrument`: every loaded version of every other instrument
    /// of `engine` whose module links.
    pub fn new(engine: &'e Engine, instrument: &str) -> Linking<'e> {
        let linkers = engine
            .definitions()
            .filter(|definition| definition.instrument() != instrument)
            .filter_map(|definition| {
                let module = engine.module(definition.instrument())?;
                Some((definition, module.linker(definition)?.ok()?))
            })
            .collect();
        Linking {
            engine,
            linkers,
            links: Links::default(),
            linked: 0,
        }
    }

    /// The instruments whose records are read for their persons, each once.
    pub fn instruments(&self) -> Vec<&'e str> {
        let mut names: Vec<&'e str> = Vec::new();
        for (definition, _) in &self.linkers {
            if !names.contains(&definition.instrument()) {
                names.push(definition.instrument());
            }
        }
        names
    }

    /// Reads `bytes` as a document of `person` of a linked instrument (in the version it names).
    /// A document without a person id tells nothing about anyone: not linked, so it is left out
    /// as another instrument's document, as before linking.
    ///
    /// # Errors
    /// The engine's, when `bytes` is not a document of any loaded instrument.
    pub fn add(&mut self, bytes: &[u8], person: Person) -> Result<LinkOutcome> {
        if !person.identified() {
            return Ok(LinkOutcome::NotLinked);
        }
        let validated = self.engine.parse(None, bytes)?;
        let Some((_, linker)) = self
            .linkers
            .iter()
            .find(|(definition, _)| std::ptr::eq(*definition, validated.definition))
        else {
            return Ok(LinkOutcome::NotLinked);
        };
        if !validated.report.valid {
            return Ok(LinkOutcome::WithErrors);
        }
        linker.link(&validated, person, &mut self.links);
        self.linked += 1;
        Ok(LinkOutcome::Linked)
    }

    /// Documents read for their persons.
    pub fn linked(&self) -> u64 {
        self.linked
    }

    /// What they told.
    pub fn links(&self) -> &Links {
        &self.links
    }
}

#[cfg(test)]
mod tests;
