//! Bytes-to-findings validation of synthetic FIA documents, measured in one run against
//! (a) serde_json parsing the same bytes into `serde_json::Value` (the floor for JSON input) and
//! (b) the `jsonschema` crate validating the same bytes against the generated schema.
//!
//! Version 1 (`fia_*`) and version 2 (`fia_v2_*`), each validated against its version's
//! definition and schema. The generator writes version 1, so the version 2 documents are the
//! version 1 documents read through the declared migration, then completed as a caseworker
//! completes the form: the three answers version 1 cannot carry (consent, and alcohol and drugs
//! asked apart) filled in and the status set to complete, so that, like the version 1 documents,
//! every one is valid without a finding (checked before timing). `fia_v2_migrated` times the
//! migrated documents as they come out of the migration: drafts with three warnings each, whose
//! findings (messages in two languages, places in the form) are part of the work.
//!
//! `cargo bench -p bistand-core --bench validate`; results and ratios go to BENCHMARKS.md.

use std::hint::black_box;

use bistand_core::Engine;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const DOCUMENTS: usize = 256;
const SEED: u64 = 20261124;

/// Which documents a group times.
#[derive(Clone, Copy, PartialEq)]
enum Documents {
    V1,
    /// Migrated to version 2 and completed (see the module docs).
    V2,
    /// Migrated to version 2, as drafts.
    V2Migrated,
}

/// Synthetic documents as bytes. `envelope_first`: `instrument`, `version`, ... before `answers`,
/// the documented order and what struct-based serialisers write; otherwise keys sorted, as
/// `serde_json::Value` (and other map-based serialisers) write them, which puts `answers` first.
fn documents(engine: &Engine, which: Documents, envelope_first: bool) -> Vec<Vec<u8>> {
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

fn validate(c: &mut Criterion) {
    let engine = Engine::new().expect("embedded definitions compile");
    let arms = [
        ("1", "fia", Documents::V1),
        ("2", "fia_v2", Documents::V2),
        ("2", "fia_v2_migrated", Documents::V2Migrated),
    ];
    for (version, prefix, which) in arms {
        let schema = engine.schema("fia", Some(version)).expect("fia schema");
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("generated schema is valid");
        for (suffix, envelope_first) in [("validate", true), ("validate_sorted_keys", false)] {
            let documents = documents(&engine, which, envelope_first);
            let name = format!("{prefix}_{suffix}");
            compare(c, &name, &engine, &validator, &documents);
        }
    }
}

/// The three arms over the same bytes, in one group.
fn compare(
    c: &mut Criterion,
    name: &str,
    engine: &Engine,
    validator: &jsonschema::Validator,
    documents: &[Vec<u8>],
) {
    let bytes: usize = documents.iter().map(Vec::len).sum();
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("bistand_validate", |b| {
        b.iter(|| {
            for document in documents {
                let report = engine
                    .validate(Some("fia"), black_box(document))
                    .expect("valid JSON");
                black_box(report.errors);
            }
        });
    });
    group.bench_function("serde_json_value", |b| {
        b.iter(|| {
            for document in documents {
                let value: serde_json::Value =
                    serde_json::from_slice(black_box(document)).expect("valid JSON");
                black_box(value);
            }
        });
    });
    group.bench_function("jsonschema_validate", |b| {
        b.iter(|| {
            for document in documents {
                let value: serde_json::Value =
                    serde_json::from_slice(black_box(document)).expect("valid JSON");
                black_box(validator.is_valid(&value));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, validate);
criterion_main!(benches);
