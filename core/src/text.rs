//! Texts in the two languages bistand speaks: Swedish for caseworkers, English for developers.

use serde::{Deserialize, Serialize};

/// A text in Swedish and English. Both are always present and non-empty in a loaded definition.
///
/// Built with named fields, `Text { sv: .., en: .. }`, and never from a positional pair: a
/// constructor taking `(sv, en)` would let a swap compile silently.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Swedish.
    pub sv: String,
    /// English.
    pub en: String,
}

impl Text {
    /// The text in `language`.
    pub fn in_language(&self, language: Language) -> &str {
        match language {
            Language::Swedish => &self.sv,
            Language::English => &self.en,
        }
    }
}

/// A language of bistand's messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Language {
    /// Swedish (`sv`), the default: the language caseworkers read.
    #[default]
    Swedish,
    /// English (`en`).
    English,
}
