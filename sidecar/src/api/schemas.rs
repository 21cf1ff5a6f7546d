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

/// Puts examples the engine computes into `description` (the JSON of the OpenAPI document): a
/// synthetic FIA document of unit Söder (the core's generator, a fixed seed), and the validation
/// report, summary and record answers for it, so every example is a real answer of this build.
pub(crate) fn splice_examples(description: &mut serde_json::Value) {
    let Some(engine) = builtin() else {
        return;
    };
    let Some(document) = engine
        .definition("fia", None)
        .and_then(|definition| engine.generator(definition, 18))
        .ok()
        .and_then(|mut documents| documents.next())
        .map(|mut document| {
            document["unit"] = serde_json::json!("Söder");
            document
        })
    else {
        return;
    };
    let bytes = serde_json::to_vec(&document).unwrap_or_default();
    let report = engine
        .validate(None, &bytes)
        .ok()
        .and_then(|r| serde_json::to_value(r).ok());
    let summary = engine
        .summary(None, &bytes, None)
        .ok()
        .and_then(|s| serde_json::to_value(s).ok());
    let record = serde_json::json!({
        "record_id": "5f0c2b8e9a1d4c3b8e7f6a5d4c3b2a19",
        "instrument": "fia",
        "version": document["version"],
        "unit": "Söder",
        "revision": 1,
        "created_at": "2026-12-02T09:30:00.000Z",
        "updated_at": "2026-12-02T09:30:00.000Z",
    });
    let written = serde_json::json!({ "record": record, "report": report });
    let mut put = |pointer: &str, example: serde_json::Value| {
        if let Some(content) = description
            .pointer_mut(pointer)
            .and_then(serde_json::Value::as_object_mut)
        {
            content.insert("example".to_owned(), example);
        }
    };
    let json = "content/application~1json";
    put(
        &format!("/paths/~1v1~1validate/post/requestBody/{json}"),
        document.clone(),
    );
    if let Some(report) = &report {
        put(
            &format!("/paths/~1v1~1validate/post/responses/200/{json}"),
            report.clone(),
        );
    }
    put(
        &format!("/paths/~1v1~1summary/post/requestBody/{json}"),
        document.clone(),
    );
    if let Some(summary) = summary {
        put(
            &format!("/paths/~1v1~1summary/post/responses/200/{json}"),
            summary,
        );
    }
    put(
        &format!("/paths/~1v1~1records/post/requestBody/{json}"),
        serde_json::json!({ "client_id": "EB-2026-00042", "document": document }),
    );
    put(
        &format!("/paths/~1v1~1records/post/responses/201/{json}"),
        written.clone(),
    );
    put(
        &format!("/paths/~1v1~1records~1{{id}}/put/requestBody/{json}"),
        document.clone(),
    );
    put(
        &format!("/paths/~1v1~1records~1{{id}}/put/responses/200/{json}"),
        written,
    );
    put(
        &format!("/paths/~1v1~1records~1{{id}}/get/responses/200/{json}"),
        serde_json::json!({ "record": record, "document": document }),
    );
    let instruments: Vec<serde_json::Value> = engine
        .definitions()
        .map(|d| {
            serde_json::json!({
                "instrument": d.instrument(),
                "version": d.version(),
                "title": d.title(),
            })
        })
        .collect();
    put(
        &format!("/paths/~1v1~1instruments/get/responses/200/{json}"),
        serde_json::Value::Array(instruments),
    );
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

/// The `breakdowns` of a report: breakdown names (`bistand_core::stats::Dimension::ALL`)
/// separated by commas, as the handler reads them (empty names between commas are skipped,
/// repeats count once). Generated from the core's list, so the pattern and the parser agree.
pub(super) struct BreakdownList;

/// The pattern of [`BreakdownList`].
fn breakdown_pattern() -> String {
    let names = bistand_core::stats::Dimension::ALL
        .iter()
        .map(|d| d.as_str())
        .collect::<Vec<_>>()
        .join("|");
    format!("^,*(({names})(,+({names}))*)?,*$")
}

impl PartialSchema for BreakdownList {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(breakdown_pattern()))
            .examples([serde_json::json!("gender,age_band,unit")])
            .description(Some(
                "Comma-separated breakdowns (the total is always included).",
            ))
            .into()
    }
}

impl ToSchema for BreakdownList {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("BreakdownList")
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
