//! The generated JSON Schema accepts every valid document and rejects the malformed ones and
//! every invalid fixture whose defect JSON Schema can express.

use crate::{engine, files, read, read_json};

fn validator() -> jsonschema::Validator {
    let schema = engine().schema("fia", None).expect("fia has a schema");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the generated schema is itself valid")
}

#[test]
fn schema_accepts_valid_fixtures_and_synthetic_documents() {
    let validator = validator();
    for name in ["complete", "draft"] {
        let document = read_json(&format!("fia/valid/{name}.json"));
        let errors: Vec<String> = validator
            .iter_errors(&document)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
    let engine = engine();
    let definition = engine.definition("fia", None).expect("fia");
    for (i, document) in bistand_core::fia::fia_documents(definition, 7, 300)
        .expect("generates")
        .iter()
        .enumerate()
    {
        assert!(validator.is_valid(document), "synthetic document {i}");
    }
}

/// Fixtures whose defect needs the validator's whole-document rules, which JSON Schema cannot say.
const BEYOND_SCHEMA: &[&str] = &[
    "duplicate_answer",     // JSON parsers keep one of the repeated keys
    "not_enabled",          // conditions between answers
    "ranking_not_eligible", // ditto
    "date_order",           // comparisons between dates
    "possible_identifier",  // a warning about content
    "hidden_item_present",  // depends on the organisation profile
];

#[test]
fn schema_rejects_invalid_fixtures_it_can_express() {
    let validator = validator();
    let mut rejected = 0;
    for name in files("fia/invalid", ".expected.json") {
        let stem = name.trim_end_matches(".expected.json");
        let document = read_json(&format!("fia/invalid/{stem}.json"));
        if BEYOND_SCHEMA.contains(&stem) {
            assert!(
                validator.is_valid(&document),
                "{stem} should pass the schema (only the validator sees it)"
            );
        } else {
            assert!(
                !validator.is_valid(&document),
                "{stem} should fail the schema"
            );
            rejected += 1;
        }
    }
    assert!(rejected >= 13, "{rejected}");
}

#[test]
fn schema_rejects_malformed_documents_that_are_json() {
    let validator = validator();
    let expected = read_json("fia/malformed/expected.json");
    for (name, kind) in expected.as_object().expect("object") {
        let Ok(document) =
            serde_json::from_slice::<serde_json::Value>(&read(&format!("fia/malformed/{name}")))
        else {
            continue; // not JSON at all (or nested beyond serde_json's limit)
        };
        assert!(
            !validator.is_valid(&document),
            "{name} ({kind}) should fail the schema"
        );
    }
}
