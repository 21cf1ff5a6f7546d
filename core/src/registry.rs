//! The registry: the one place that names every instrument bistand ships. It lists each
//! instrument's [`InstrumentModule`], holds the closed list of their summaries ([`Summary`]) and
//! builds the [`Engine`] over the shipped definitions and these modules.
//!
//! Adding an instrument: its definition file under `core/instruments/`, its folder
//! (`core/src/<name>/`) with a type implementing [`InstrumentModule`] (which embeds the file), and
//! one line in [`MODULES`].

use crate::engine::Engine;
use crate::error::Result;
use crate::instrument::Definition;
use crate::module::InstrumentModule;

/// The modules of the shipped instruments.
pub const MODULES: &[&'static dyn InstrumentModule] =
    &[&crate::fia::FiaModule, &crate::sue::SueModule];

/// The modules of the shipped instruments, as the engine takes them.
pub fn modules() -> Vec<&'static dyn InstrumentModule> {
    MODULES.to_vec()
}

/// Compiles every definition bistand ships (each module's files), ordered by instrument name.
/// Each is checked by the tests, so a failure here means the library itself was built from a
/// broken definition.
///
/// # Errors
/// [`ErrorKind::InvalidDefinition`](crate::ErrorKind::InvalidDefinition) if an embedded
/// definition is broken.
pub fn builtin() -> Result<Vec<Definition>> {
    let mut definitions = MODULES
        .iter()
        .flat_map(|m| m.definition_files())
        .map(|json| Definition::from_json(json))
        .collect::<Result<Vec<_>>>()?;
    // Stable: a module's versions keep the order of its files.
    definitions.sort_by(|a, b| a.instrument().cmp(b.instrument()));
    Ok(definitions)
}

/// A derived summary, by instrument.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
#[non_exhaustive]
pub enum Summary {
    /// A FIA document's summary.
    Fia(crate::fia::FiaSummary),
}

impl Engine {
    /// An engine over the definitions and instrument modules bistand ships, with no organisation
    /// profile.
    ///
    /// # Errors
    /// Only if an embedded definition is broken, which the tests rule out.
    pub fn new() -> Result<Engine> {
        Engine::with_definitions(builtin()?, None)
    }

    /// An engine over the shipped definitions with an organisation profile (JSON bytes).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidProfile`](crate::ErrorKind::InvalidProfile) (and `TooLarge`,
    /// `InvalidUtf8`) for a bad profile.
    pub fn with_profile(profile: &[u8]) -> Result<Engine> {
        Engine::with_definitions(builtin()?, Some(profile))
    }

    /// An engine over the shipped definitions plus definitions a user supplies (each the text of
    /// a definition file: a municipality's transcription of a form it holds, or local items),
    /// compiled and checked by the same compiler, and an optional profile. The shells read the
    /// files (`--definitions DIR`, the sidecar's `definitions` key, the C ABI's
    /// `bistand_engine_new_with_definitions`); the core only compiles text.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`](crate::ErrorKind::InvalidDefinition) naming the supplied
    /// file's position, and the item and rule at fault, or a definition that is already loaded
    /// (same instrument and version); as [`Engine::with_profile`] for the profile.
    pub fn with_supplied(supplied: &[&str], profile: Option<&[u8]>) -> Result<Engine> {
        let mut definitions = builtin()?;
        for (index, json) in supplied.iter().enumerate() {
            let definition = Definition::from_json(json).map_err(|e| {
                e.with_text(|text| crate::Text {
                    sv: format!("egen definition nr {}: {}", index + 1, text.sv),
                    en: format!("supplied definition {}: {}", index + 1, text.en),
                })
            })?;
            definitions.push(definition);
        }
        Engine::with_definitions(definitions, profile)
    }

    /// An engine over the given definitions and optional profile, with the shipped instrument
    /// modules.
    ///
    /// # Errors
    /// As [`Engine::with_modules`].
    pub fn with_definitions(
        definitions: Vec<Definition>,
        profile: Option<&[u8]>,
    ) -> Result<Engine> {
        Engine::with_modules(definitions, modules(), profile)
    }
}
