//! Organisation profiles: which items a unit hides from its forms.
//!
//! ```json
//! { "organisation": "Exempelkommun, enheten för ekonomiskt bistånd",
//!   "hidden_items": { "fia": ["enkat_klient.kommentar", "arbete.yrke"] } }
//! ```
//!
//! Items are named by full id and apply to every loaded version of the instrument that has them;
//! an id no loaded version has is an error, as is hiding an item the definition does not mark
//! `hideable` (required items never are).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::Text;
use crate::error::{Error, ErrorKind, Result, displayable_key};
use crate::instrument::Definition;

/// Largest profile document accepted.
pub const MAX_PROFILE_BYTES: usize = 256 * 1024;

/// A checked organisation profile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    organisation: Option<String>,
    hidden_items: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    #[serde(default)]
    organisation: Option<String>,
    #[serde(default)]
    hidden_items: BTreeMap<String, Vec<String>>,
}

fn invalid(text: Text) -> Error {
    Error::new(ErrorKind::InvalidProfile, text)
}

impl Profile {
    /// Parses a profile document. Whether its items exist is checked against definitions by
    /// [`Profile::hidden_flags`].
    ///
    /// # Errors
    /// [`ErrorKind::TooLarge`], [`ErrorKind::InvalidUtf8`] or [`ErrorKind::InvalidProfile`].
    pub fn from_json(bytes: &[u8]) -> Result<Profile> {
        if bytes.len() > MAX_PROFILE_BYTES {
            return Err(Error::new(
                ErrorKind::TooLarge,
                Text {
                    sv: format!(
                        "profilen är {} byte; gränsen är {MAX_PROFILE_BYTES} byte",
                        bytes.len()
                    ),
                    en: format!(
                        "profile is {} bytes; the limit is {MAX_PROFILE_BYTES} bytes",
                        bytes.len()
                    ),
                },
            ));
        }
        let text = std::str::from_utf8(bytes).map_err(|e| {
            Error::new(
                ErrorKind::InvalidUtf8,
                Text {
                    sv: format!(
                        "profilen är inte giltig UTF-8 (första ogiltiga byte vid position {})",
                        e.valid_up_to()
                    ),
                    en: format!(
                        "profile is not valid UTF-8 (first invalid byte at offset {})",
                        e.valid_up_to()
                    ),
                },
            )
        })?;
        let raw: RawProfile = serde_json::from_str(text).map_err(|e| {
            // The profile is configuration, not client data, but keep to positions anyway.
            invalid(Text { sv: format!(
                    "profilen måste vara ett objekt med valfria `organisation` (text) och `hidden_items` (instrument -> lista med fråge-id); fel på rad {} kolumn {}",
                    e.line(),
                    e.column()
                ), en: format!(
                    "profile must be an object with optional `organisation` (string) and `hidden_items` (instrument -> array of item ids); problem at line {} column {}",
                    e.line(),
                    e.column()
                ) })
        })?;
        Ok(Profile {
            organisation: raw.organisation,
            hidden_items: raw.hidden_items,
        })
    }

    /// The organisation's name, if the profile gives one.
    pub fn organisation(&self) -> Option<&str> {
        self.organisation.as_deref()
    }

    /// Item ids hidden for `instrument`.
    pub fn hidden_items(&self, instrument: &str) -> &[String] {
        self.hidden_items.get(instrument).map_or(&[], Vec::as_slice)
    }

    /// Per item of `definition` (indexed by [`ItemId::index`](crate::instrument::ItemId::index)),
    /// whether the profile hides it. Ids this version lacks are skipped; use [`Profile::check`] to
    /// refuse ids no loaded version has.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidProfile`] if a hidden item of this version is not hideable.
    pub fn hidden_flags(&self, definition: &Definition) -> Result<Vec<bool>> {
        let mut flags = vec![false; definition.items().len()];
        for id in self.hidden_items(definition.instrument()) {
            let Some(item) = definition.find(id) else {
                continue;
            };
            let found = definition.item(item);
            if !found.hideable {
                let why = if found.required {
                    "required"
                } else {
                    "not marked hideable"
                };
                let why_sv = if found.required {
                    "obligatorisk"
                } else {
                    "inte markerad som döljbar"
                };
                return Err(invalid(Text {
                    sv: format!(
                        "profilen döljer `{id}` i {} version {}, som är {why_sv} och inte kan döljas",
                        definition.instrument(),
                        definition.version()
                    ),
                    en: format!(
                        "profile hides `{id}` of {} version {}, which is {why} and cannot be hidden",
                        definition.instrument(),
                        definition.version()
                    ),
                }));
            }
            flags[item.index()] = true;
        }
        Ok(flags)
    }

    /// Refuses instruments and item ids that none of `definitions` has.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidProfile`] naming the instrument or item.
    pub fn check(&self, definitions: &[&Definition]) -> Result<()> {
        for (instrument, ids) in &self.hidden_items {
            let versions: Vec<&&Definition> = definitions
                .iter()
                .filter(|d| d.instrument() == instrument)
                .collect();
            let shown = displayable_key(instrument).unwrap_or("(not shown)");
            if versions.is_empty() {
                return Err(invalid(Text {
                    sv: format!("profilen nämner okänt instrument `{shown}`"),
                    en: format!("profile names unknown instrument `{shown}`"),
                }));
            }
            for id in ids {
                if versions.iter().all(|d| d.find(id).is_none()) {
                    let shown_id = displayable_key(id).unwrap_or("(not shown)");
                    return Err(invalid(Text {
                        sv: format!(
                            "profilen döljer `{shown_id}`, som ingen version av `{shown}` har"
                        ),
                        en: format!(
                            "profile hides `{shown_id}`, which no loaded version of `{shown}` has"
                        ),
                    }));
                }
            }
        }
        Ok(())
    }
}
