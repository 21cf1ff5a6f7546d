//! Schemas of the OpenAPI description that come from the instrument definitions rather than from
//! a Rust type: the names of the instruments the service validates, and the JSON Schema of each
//! instrument's documents (what `GET /v1/instruments/{instrument}/schema` serves), as components
//! (`FiaDocument`, `SueDocument`, ...). Both are read from the same built-in engine the service
//! runs ([`Engine::new`]), so the description cannot name an instrument the service does not know.

use std::borrow::Cow;
use std::sync::OnceLock;

use bistand_core::Engine;
use utoipa::openapi::schema::{OneOfBuilder, Schema, Type};
use utoipa::openapi::{ObjectBuilder, Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// The built-in engine, once.
fn builtin() -> Option<&'static Engine> {
    static ENGINE: OnceLock<Option<Engine>> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new().ok()).as_ref()
}

/// The instruments' names, each once, in the engine's order.
fn instruments() -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for definition in builtin().into_iter().flat_map(Engine::definitions) {
        if !names.iter().any(|n| n == definition.instrument()) {
            names.push(definition.instrument().to_owned());
        }
    }
    names
}

/// The component name of an instrument's documents: `fia` → `FiaDocument`.
fn document_component(instrument: &str) -> String {
    let mut chars = instrument.chars();
    let first: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    format!("{first}{}Document", chars.as_str())
}

/// The component schemas of the instruments' documents (newest version of each), as JSON: the
/// JSON Schema the engine generates, without `$schema` and `$id` (the description is their
/// document). Added to the description as JSON because they use JSON Schema 2020-12 keywords
/// (`if`/`then`, `const`) that utoipa's schema model does not hold.
pub(crate) fn document_schemas() -> Vec<(String, serde_json::Value)> {
    let Some(engine) = builtin() else {
        return Vec::new();
    };
    instruments()
        .into_iter()
        .filter_map(|instrument| {
            let mut schema = engine.schema(&instrument, None).ok()?;
            let name = document_component(&instrument);
            // Generators name classes after `title`s: the component's own name, not the
            // instrument's English title, and no class per question named after its Swedish
            // label (the labels are in the definition, `GET /v1/instruments/{instrument}/definition`).
            drop_titles(&mut schema);
            if let Some(object) = schema.as_object_mut() {
                object.remove("$schema");
                object.remove("$id");
                object.insert("title".to_owned(), serde_json::Value::String(name.clone()));
            }
            Some((name, schema))
        })
        .collect()
}

/// Removes every `title` keyword (a `title` whose value is text) from `schema`, at any depth.
fn drop_titles(schema: &mut serde_json::Value) {
    match schema {
        serde_json::Value::Object(object) => {
            if object
                .get("title")
                .is_some_and(serde_json::Value::is_string)
            {
                object.remove("title");
            }
            object.values_mut().for_each(drop_titles);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_titles),
        _ => {}
    }
}

/// An instrument's name: one of the instruments the service validates.
pub(super) struct InstrumentName;

impl PartialSchema for InstrumentName {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(instruments()))
            .description(Some("An instrument the service validates."))
            .into()
    }
}

impl ToSchema for InstrumentName {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("InstrumentName")
    }
}

/// A document of one of the instruments (its schema is a component per instrument).
pub(super) struct InstrumentDocument;

impl PartialSchema for InstrumentDocument {
    fn schema() -> RefOr<Schema> {
        let mut one_of = OneOfBuilder::new().description(Some(
            "A FIA or SUE document; see the instrument's component and docs/documents.md.",
        ));
        for instrument in instruments() {
            one_of = one_of.item(Ref::from_schema_name(document_component(&instrument)));
        }
        one_of.into()
    }
}

impl ToSchema for InstrumentDocument {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("InstrumentDocument")
    }
}

/// An object whose shape is described elsewhere, for bodies that are documents of their own.
macro_rules! free_object {
    ($name:ident, $text:literal) => {
        #[doc = $text]
        pub(super) struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .description(Some($text))
                    .into()
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

free_object!(
    DefinitionJson,
    "An instrument definition: its sections, items, code lists and conditions, with labels in \
     Swedish and English (the format of `core/definitions/*.json`)."
);
free_object!(
    DocumentToCheck,
    "A document to validate: any JSON object. A FIA or SUE document (see `FiaDocument` and \
     `SueDocument`) gets a report; a document that breaks its schema gets one too, with the \
     findings that say what is wrong."
);
free_object!(
    JsonSchemaJson,
    "A JSON Schema (draft 2020-12) of an instrument's documents."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_instrument_has_a_document_component() {
        let names = instruments();
        assert!(names.iter().any(|n| n == "fia") && names.iter().any(|n| n == "sue"));
        let components = document_schemas();
        assert_eq!(components.len(), names.len());
        assert!(components.iter().any(|(name, _)| name == "FiaDocument"));
        for (_, schema) in &components {
            assert!(schema.get("$id").is_none() && schema.get("$schema").is_none());
            assert_eq!(schema["type"], "object");
            assert!(
                !schema.to_string().contains("\"title\":\"I vilken"),
                "no question titles"
            );
        }
    }
}
