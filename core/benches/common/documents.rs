//! The validation benchmarks' documents, shared by `validate` (criterion, against serde_json and
//! jsonschema) and `validate_passes` (a plain loop, for instruction counts under cachegrind).

use bistand_core::Engine;

const DOCUMENTS: usize = 256;
const SEED: u64 = 20261124;

/// Which documents a group times.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Documents {
    V1,
    /// Read through the declared migration to version 2, then completed as a caseworker
    /// completes the form: the three answers version 1 cannot carry (consent, and alcohol and
    /// drugs asked apart) filled in and the status set to complete, so that, like the version 1
    /// documents, each is valid without a finding (checked when they are made).
    V2,
    /// Read through the migration to version 2 and left as it makes them: drafts with three
    /// warnings each (the answers version 1 cannot carry).
    V2Migrated,
}

/// Synthetic documents as bytes. `envelope_first`: `instrument`, `version`, ... before `answers`,
/// the documented order and what struct-based serialisers write; otherwise keys sorted, as
/// `serde_json::Value` (and other map-based serialisers) write them, which puts `answers` first.
pub(crate) fn documents(engine: &Engine, which: Documents, envelope_first: bool) -> Vec<Vec<u8>> {
    let definition = engine
        .definition("fia", Some("1"))
        .expect("fia 1 is built in");
    bistand_core::fia::fia_documents(definition, SEED, DOCUMENTS)
        .expect("generator matches the definition")
        .into_iter()
        .map(|document| {
            if which == Documents::V1 {
                return document;
            }
            let bytes = serde_json::to_vec(&document).expect("serialises");
            let migrated = engine
                .migrate(&bytes, Some("2"))
                .expect("a version 1 document migrates");
            let mut document: serde_json::Value =
                serde_json::from_slice(&migrated.document).expect("the migrated document is JSON");
            if which == Documents::V2 {
                let answers = &mut document["answers"];
                let merged = answers["alkohol_droger.omfattning"].clone();
                answers["intervju.samtycke"] = "accepterad".into();
                answers["alkohol_droger.alkohol"] = merged.clone();
                answers["alkohol_droger.droger"] = merged;
                document["status"] = "complete".into();
                let bytes = serde_json::to_vec(&document).expect("serialises");
                let report = engine.validate(Some("fia"), &bytes).expect("JSON");
                assert!(
                    report.valid && report.findings.is_empty(),
                    "a completed version 2 document has no finding"
                );
            }
            document
        })
        .map(|mut document: serde_json::Value| {
            if !envelope_first {
                return serde_json::to_vec(&document).expect("serialises");
            }
            let answers = document
                .as_object_mut()
                .and_then(|o| o.remove("answers"))
                .expect("documents have answers");
            let mut bytes = serde_json::to_vec(&document).expect("serialises");
            bytes.pop(); // the closing brace
            bytes.extend_from_slice(b",\"answers\":");
            serde_json::to_writer(&mut bytes, &answers).expect("serialises");
            bytes.push(b'}');
            bytes
        })
        .collect()
}
