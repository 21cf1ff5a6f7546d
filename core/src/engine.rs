//! The [`Engine`]: loaded definitions plus an organisation profile, the handle every shell (C ABI,
//! sidecar, command line) validates and summarises through.

use std::sync::Arc;

use crate::Text;
use crate::document::Limits;
use crate::error::{Error, ErrorKind, Result, displayable_key};
use crate::finding::Report;
use crate::instrument::{self, Definition};
use crate::profile::Profile;
use crate::validate::{self, Validated};

/// Definitions and a profile, checked once. Immutable and `Send + Sync`: share one engine across
/// threads.
#[derive(Debug, Clone)]
pub struct Engine {
    entries: Vec<Entry>,
    profile: Profile,
    limits: Limits,
}

#[derive(Debug, Clone)]
struct Entry {
    definition: Arc<Definition>,
    hidden: Arc<[bool]>,
}

impl Engine {
    /// An engine over the definitions bistand ships, with no organisation profile.
    ///
    /// # Errors
    /// Only if an embedded definition is broken, which the tests rule out.
    pub fn new() -> Result<Engine> {
        Engine::with_definitions(instrument::builtin()?, None)
    }

    /// An engine over the shipped definitions with an organisation profile (JSON bytes).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidProfile`] (and `TooLarge`, `InvalidUtf8`) for a bad profile.
    pub fn with_profile(profile: &[u8]) -> Result<Engine> {
        Engine::with_definitions(instrument::builtin()?, Some(profile))
    }

    /// An engine over the given definitions and optional profile.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] if two definitions share instrument and version;
    /// [`ErrorKind::InvalidProfile`] for a bad profile.
    pub fn with_definitions(
        definitions: Vec<Definition>,
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
        Ok(Engine {
            entries,
            profile,
            limits: Limits::default(),
        })
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

    /// Every loaded definition.
    pub fn definitions(&self) -> impl Iterator<Item = &Definition> {
        self.entries.iter().map(|e| e.definition.as_ref())
    }

    /// The definition of `instrument` in `version`, or its newest loaded version when `None`.
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
            None => versions()
                .max_by(|a, b| compare_versions(a.definition.version(), b.definition.version())),
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

/// A derived summary, by instrument.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Summary {
    /// A FIA document's summary.
    Fia(crate::fia::FiaSummary),
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
        match validated.definition.instrument() {
            "fia" => crate::fia::summarise(&validated, today).map(Summary::Fia),
            other => Err(Error::new(
                ErrorKind::UnknownInstrument,
                Text {
                    sv: format!("instrumentet `{other}` saknar sammanfattning"),
                    en: format!("instrument `{other}` has no summary"),
                },
            )),
        }
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
