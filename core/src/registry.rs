//! The registry: the one place that names every instrument bistand ships. It lists each
//! instrument's [`InstrumentModule`], holds the closed list of their summaries ([`Summary`]) and
//! builds the [`Engine`] over the shipped definitions and these modules.
//!
//! Adding an instrument: its definition file under `core/instruments/` (embedded in
//! `instrument::builtin`), its folder (`core/src/<name>/`) with a type implementing
//! [`InstrumentModule`], and one line in [`MODULES`].

use crate::engine::Engine;
use crate::error::Result;
use crate::instrument::{self, Definition};
use crate::module::InstrumentModule;

/// The modules of the shipped instruments. The order is the order messages list them in.
pub const MODULES: &[&'static dyn InstrumentModule] =
    &[&crate::sue::SueModule, &crate::fia::FiaModule];

/// The modules of the shipped instruments, as the engine takes them.
pub fn modules() -> Vec<&'static dyn InstrumentModule> {
    MODULES.to_vec()
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
    /// An engine over the definitions and instrument modules bistand ships, with no organisation
    /// profile.
    ///
    /// # Errors
    /// Only if an embedded definition is broken, which the tests rule out.
    pub fn new() -> Result<Engine> {
        Engine::with_definitions(instrument::builtin()?, None)
    }

    /// An engine over the shipped definitions with an organisation profile (JSON bytes).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidProfile`](crate::ErrorKind::InvalidProfile) (and `TooLarge`,
    /// `InvalidUtf8`) for a bad profile.
    pub fn with_profile(profile: &[u8]) -> Result<Engine> {
        Engine::with_definitions(instrument::builtin()?, Some(profile))
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
