//! The [`Engine`]: loaded definitions plus an organisation profile and the instrument modules, the
//! handle every shell (C ABI, sidecar, command line) validates and summarises through. It never
//! names an instrument: what one instrument adds comes from its [`InstrumentModule`], which the
//! registry (`crate::registry`, where `Engine::new` lives) hands in.

use std::sync::Arc;

use crate::Text;
use crate::document::Limits;
use crate::error::{Error, ErrorKind, Result, displayable_key};
use crate::finding::Report;
use crate::instrument::Definition;
use crate::migrate::{Migrated, Migration, migrate_document};
use crate::module::InstrumentModule;
use crate::profile::Profile;
use crate::registry::Summary;
use crate::validate::{self, Validated};

/// Definitions and a profile, checked once. Immutable and `Send + Sync`: share one engine across
/// threads.
#[derive(Debug, Clone)]
pub struct Engine {
    entries: Vec<Entry>,
    modules: Vec<&'static dyn InstrumentModule>,
    migrations: Vec<Arc<Migration>>,
    profile: Profile,
    limits: Limits,
}

#[derive(Debug, Clone)]
struct Entry {
    definition: Arc<Definition>,
    hidden: Arc<[bool]>,
}

impl Engine {
    /// An engine over the given definitions, instrument modules and optional profile. Each
    /// definition of an instrument with a module is checked by the module
    /// ([`InstrumentModule::check_definition`]).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] if two definitions share instrument and version, two
    /// modules share a name, or a module's check fails; [`ErrorKind::InvalidProfile`] for a bad
    /// profile.
    pub fn with_modules(
        definitions: Vec<Definition>,
        modules: Vec<&'static dyn InstrumentModule>,
        profile: Option<&[u8]>,
    ) -> Result<Engine> {
        let profile = profile
            .map(Profile::from_json)
            .transpose()?
            .unwrap_or_default();
        let refs: Vec<&Definition> = definitions.iter().collect();
        for (i, a) in refs.iter().enumerate() {
            if refs[..i]
                .iter()
                .any(|b| b.instrument() == a.instrument() && b.version() == a.version())
            {
                return Err(Error::new(
                    ErrorKind::InvalidDefinition,
                    Text {
                        sv: format!(
                            "{} version {} är laddad två gånger",
                            a.instrument(),
                            a.version()
                        ),
                        en: format!("{} version {} is loaded twice", a.instrument(), a.version()),
                    },
                ));
            }
        }
        for (i, module) in modules.iter().enumerate() {
            if modules[..i].iter().any(|m| m.name() == module.name()) {
                let name = module.name();
                return Err(Error::new(
                    ErrorKind::InvalidDefinition,
                    Text {
                        sv: format!("instrumentet {name} är registrerat två gånger"),
                        en: format!("instrument {name} is registered twice"),
                    },
                ));
            }
        }
        for definition in &refs {
            if let Some(module) = modules.iter().find(|m| m.name() == definition.instrument()) {
                module.check_definition(definition)?;
            }
        }
        profile.check(&refs)?;
        let entries = definitions
            .into_iter()
            .map(|definition| {
                let hidden = profile.hidden_flags(&definition)?;
                Ok(Entry {
                    definition: Arc::new(definition),
                    hidden: hidden.into(),
                })
            })
            .collect::<Result<_>>()?;
        let mut engine = Engine {
            entries,
            modules,
            migrations: Vec::new(),
            profile,
            limits: Limits::default(),
        };
        let shipped: Vec<&'static str> = engine
            .modules
            .iter()
            .flat_map(|m| m.migration_files().iter().copied())
            .collect();
        for json in shipped {
            engine.add_migration_if_loaded(json)?;
        }
        Ok(engine)
    }

    /// Compiles a migration file and adds it when both of its versions are loaded.
    fn add_migration_if_loaded(&mut self, json: &str) -> Result<()> {
        #[derive(serde::Deserialize)]
        struct Head {
            instrument: String,
            from: String,
            to: String,
        }
        let head: Head = serde_json::from_str(json).map_err(|e| {
            Error::new(
                ErrorKind::InvalidDefinition,
                Text {
                    sv: format!("migreringsfilen har inte förväntad form: {e}"),
                    en: format!("migration file does not have the expected shape: {e}"),
                },
            )
        })?;
        let (Ok(from), Ok(to)) = (
            self.definition(&head.instrument, Some(&head.from)),
            self.definition(&head.instrument, Some(&head.to)),
        ) else {
            return Ok(());
        };
        let migration = Migration::from_json(json, from, to)?;
        self.migrations.push(Arc::new(migration));
        Ok(())
    }

    /// The declared migrations loaded.
    pub fn migrations(&self) -> impl Iterator<Item = &Migration> {
        self.migrations.iter().map(|m| m.as_ref())
    }

    /// Reads a document written in an older version as a document of version `to` (the newest
    /// loaded when `None`), through the declared migrations, and validates the result. The
    /// stored bytes are not changed: this is applied on read. A document already in `to` comes
    /// back as it is (validated).
    ///
    /// # Errors
    /// `MalformedJson`, `TooLarge`, `InvalidDocument` (not an object, no instrument or version),
    /// `UnknownInstrument` / `UnknownVersion`, and `UnknownVersion` when no chain of migrations
    /// leads from the document's version to `to`.
    pub fn migrate(&self, bytes: &[u8], to: Option<&str>) -> Result<Migrated> {
        // The document's own version reads it first: size, UTF-8, JSON and the envelope are
        // checked there, with the errors every other path gives.
        let original = self.validate(None, bytes)?;
        let document: serde_json::Value =
            serde_json::from_slice(bytes).expect("a document that validated is JSON");
        let field = |name: &str| {
            document
                .get(name)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::InvalidDocument,
                        Text {
                            sv: format!("dokumentet saknar `{name}`"),
                            en: format!("the document has no `{name}`"),
                        },
                    )
                })
        };
        let (instrument, version) = (field("instrument")?, field("version")?);
        debug_assert_eq!(original.version, version);
        let target = match to {
            Some(to) => self.definition(&instrument, Some(to))?,
            None => self
                .entries
                .iter()
                .map(|e| e.definition.as_ref())
                .filter(|d| d.instrument() == instrument)
                .max_by(|a, b| compare_versions(a.version(), b.version()))
                .expect("the document's own version is loaded"),
        };
        let mut steps: Vec<&Migration> = Vec::new();
        let mut at = version.clone();
        while at != target.version() {
            let next = self
                .migrations
                .iter()
                .find(|m| m.instrument() == instrument && m.from_version() == at)
                .filter(|_| steps.len() < self.migrations.len());
            match next {
                Some(step) => {
                    steps.push(step);
                    at = step.to_version().to_owned();
                }
                None => {
                    return Err(Error::new(
                        ErrorKind::UnknownVersion,
                        Text {
                            sv: format!(
                                "ingen migrering leder från {instrument} version {version} till version {}",
                                target.version()
                            ),
                            en: format!(
                                "no migration leads from {instrument} version {version} to version {}",
                                target.version()
                            ),
                        },
                    ));
                }
            }
        }
        let check = |bytes: &[u8]| self.validate(Some(&instrument), bytes);
        migrate_document(&document, &steps, &original, &check)
    }

    /// Parses a document as a document of `definition`: as it is when written in that version,
    /// else read through the declared migrations ([`Engine::migrate`]). Reports use this, so
    /// one report over records of several versions counts them alike, and a document of a
    /// version no migration leads from is refused rather than counted under the wrong items. A
    /// document of another version with error findings comes back as it is (its own version,
    /// not valid), so reports tally it as one with errors, as in its own version.
    ///
    /// # Errors
    /// As [`Engine::parse`]; [`ErrorKind::UnknownVersion`] when no migration leads to
    /// `definition`'s version.
    pub fn parse_as(&self, definition: &Definition, bytes: &[u8]) -> Result<Validated<'_>> {
        let validated = self.parse(Some(definition.instrument()), bytes)?;
        // A document with error findings in its own version stays one: migrating would take the
        // refused answers out and let it be counted. Returned as it is, it is not counted.
        if validated.definition.version() == definition.version() {
            return Ok(validated);
        }
        if !validated.report.valid {
            // Still refused when no migration leads to `definition`'s version.
            self.migrate(bytes, Some(definition.version()))?;
            return Ok(validated);
        }
        let migrated = self.migrate(bytes, Some(definition.version()))?;
        self.parse(Some(definition.instrument()), &migrated.document)
    }

    /// The same engine with other input limits.
    pub fn with_limits(mut self, limits: Limits) -> Engine {
        self.limits = limits;
        self
    }

    /// The input limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The organisation profile (empty when none was given).
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The module of `instrument`, when one is registered.
    pub fn module(&self, instrument: &str) -> Option<&'static dyn InstrumentModule> {
        self.modules
            .iter()
            .copied()
            .find(|m| m.name() == instrument)
    }

    /// The names of the registered instrument modules, in registry order.
    pub fn module_names(&self) -> Vec<&'static str> {
        self.modules.iter().map(|m| m.name()).collect()
    }

    /// Every loaded definition.
    pub fn definitions(&self) -> impl Iterator<Item = &Definition> {
        self.entries.iter().map(|e| e.definition.as_ref())
    }

    /// The definition of `instrument` in `version`; when `None`, its default version (the
    /// module's [`InstrumentModule::default_version`]) or else the newest loaded.
    ///
    /// # Errors
    /// [`ErrorKind::UnknownInstrument`] or [`ErrorKind::UnknownVersion`].
    pub fn definition(&self, instrument: &str, version: Option<&str>) -> Result<&Definition> {
        self.entry(instrument, version)
            .map(|e| e.definition.as_ref())
    }

    fn entry(&self, instrument: &str, version: Option<&str>) -> Result<&Entry> {
        let versions = || {
            self.entries
                .iter()
                .filter(move |e| e.definition.instrument() == instrument)
        };
        let found = match version {
            // The hot path (every document names its version): no allocation.
            Some(version) => versions().find(|e| e.definition.version() == version),
            None => self
                .module(instrument)
                .and_then(|m| m.default_version())
                .and_then(|v| versions().find(|e| e.definition.version() == v))
                .or_else(|| {
                    versions().max_by(|a, b| {
                        compare_versions(a.definition.version(), b.definition.version())
                    })
                }),
        };
        if let Some(entry) = found {
            return Ok(entry);
        }
        if versions().next().is_none() {
            let known = self.instrument_names().join(", ");
            let shown = displayable_key(instrument).unwrap_or("(not shown)");
            return Err(Error::new(
                ErrorKind::UnknownInstrument,
                Text {
                    sv: format!("okänt instrument `{shown}`; kända: {known}"),
                    en: format!("unknown instrument `{shown}`; known: {known}"),
                },
            ));
        }
        let loaded: Vec<&str> = versions().map(|e| e.definition.version()).collect();
        let loaded = loaded.join(", ");
        let shown = displayable_key(version.unwrap_or_default()).unwrap_or("(not shown)");
        Err(Error::new(
            ErrorKind::UnknownVersion,
            Text {
                sv: format!("{instrument} saknar version `{shown}`; laddade: {loaded}"),
                en: format!("{instrument} has no version `{shown}`; loaded: {loaded}"),
            },
        ))
    }

    fn instrument_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .entries
            .iter()
            .map(|e| e.definition.instrument())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Parses and validates a document. `instrument`, when given, is the instrument the caller
    /// expects; a document naming another is refused.
    ///
    /// # Errors
    /// An [`Error`] when the bytes cannot be read as a document at all (size, UTF-8, JSON, depth,
    /// envelope, unknown instrument or version). A document that breaks the instrument's rules is
    /// not an error: the [`Report`] lists its findings.
    pub fn validate(&self, instrument: Option<&str>, bytes: &[u8]) -> Result<Report> {
        self.parse(instrument, bytes).map(|v| v.report)
    }

    /// Like [`Engine::validate`], also returning the parsed document for summaries and statistics.
    ///
    /// # Errors
    /// As [`Engine::validate`].
    pub fn parse(&self, instrument: Option<&str>, bytes: &[u8]) -> Result<Validated<'_>> {
        let lookup = |name: &str, version: &str| {
            self.entry(name, Some(version))
                .map(|e| (e.definition.as_ref(), e.hidden.as_ref()))
        };
        // The newest version of the expected instrument is the likely definition when a document
        // puts `answers` before `instrument` and `version` (as key-sorting serialisers do).
        let guess = instrument
            .and_then(|name| self.entry(name, None).ok())
            .map(|e| (e.definition.as_ref(), e.hidden.as_ref()));
        validate::validate_bytes(&lookup, guess, instrument, bytes, self.limits)
    }
}

impl Engine {
    /// Parses, validates and summarises a document. `today` (the caller's clock: the core has
    /// none) selects the next follow-up date.
    ///
    /// # Errors
    /// As [`Engine::validate`], plus [`ErrorKind::DocumentNotValid`] when the document has error
    /// findings and [`ErrorKind::UnknownInstrument`] for an instrument without a summary.
    pub fn summary(
        &self,
        instrument: Option<&str>,
        bytes: &[u8],
        today: Option<jiff::civil::Date>,
    ) -> Result<Summary> {
        let validated = self.parse(instrument, bytes)?;
        let name = validated.definition.instrument();
        match self.module(name) {
            Some(module) => module.summarise(&validated, today),
            None => Err(Error::new(
                ErrorKind::UnknownInstrument,
                Text {
                    sv: format!("instrumentet `{name}` saknar sammanfattning"),
                    en: format!("instrument `{name}` has no summary"),
                },
            )),
        }
    }

    /// The printable summary of a valid document (an HTML page for the client's file, in
    /// `language`, labels and never codes): only FIA has one (see [`crate::fia::printable`]).
    ///
    /// # Errors
    /// As [`Engine::summary`].
    pub fn printable_summary(
        &self,
        instrument: Option<&str>,
        bytes: &[u8],
        today: Option<jiff::civil::Date>,
        language: crate::Language,
    ) -> Result<String> {
        let validated = self.parse(instrument, bytes)?;
        crate::fia::printable::to_html(&validated, bytes, today, language)
    }

    /// The JSON Schema of documents of `instrument` in `version` (newest when `None`).
    ///
    /// # Errors
    /// [`ErrorKind::UnknownInstrument`] or [`ErrorKind::UnknownVersion`].
    pub fn schema(&self, instrument: &str, version: Option<&str>) -> Result<serde_json::Value> {
        self.definition(instrument, version)
            .map(crate::schema::document_schema)
    }
}

/// Orders versions numerically segment by segment (`2` before `10`), falling back to text.
fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let parse = |v: &str| {
        v.split('.')
            .map(|s| s.parse::<u64>().ok())
            .collect::<Option<Vec<u64>>>()
    };
    match (parse(a), parse(b)) {
        (Some(a), Some(b)) => a.cmp(&b),
        _ => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_numerically() {
        assert_eq!(compare_versions("2", "10"), std::cmp::Ordering::Less);
        assert_eq!(compare_versions("1.1", "1.0"), std::cmp::Ordering::Greater);
    }

    #[test]
    fn engine_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Engine>();
    }
}
