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

#[path = "common/documents.rs"]
mod documents;

use documents::{Documents, documents};

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
