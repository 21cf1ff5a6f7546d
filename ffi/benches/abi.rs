//! The cost of the C ABI: validating through `bistand_validate` (then `bistand_buf_data`/`_len`
//! and `bistand_buf_free`, as a C caller does) against `Engine::validate` plus
//! `serde_json::to_vec` of the report in Rust, on the same documents in the same run.
//! Floor: the C ABI may cost at most 10% more.
//!
//! `cargo bench -p bistand-ffi --bench abi`
// The benchmark calls the exported functions as C would.
#![allow(unsafe_code)]

use std::hint::black_box;
use std::path::Path;
use std::ptr;

use bistand::{
    bistand_buf_data, bistand_buf_free, bistand_buf_len, bistand_engine_free, bistand_engine_new,
    bistand_status, bistand_validate,
};
use bistand_core::Engine;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// The valid fixtures and a few invalid ones (reports with findings cost more to serialise).
const DOCUMENTS: &[&str] = &[
    "valid/complete.json",
    "valid/draft.json",
    "invalid/wrong_type.json",
    "invalid/date_order.json",
    "invalid/required_missing.json",
    "invalid/possible_identifier.json",
];

fn documents() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/fia");
    DOCUMENTS
        .iter()
        .map(|name| std::fs::read(dir.join(name)).expect("fixture is readable"))
        .collect()
}

fn validate(c: &mut Criterion) {
    let documents = documents();
    let engine = Engine::new().expect("embedded definitions compile");
    let mut c_engine = ptr::null_mut();
    // SAFETY: no profile; `c_engine` is writable.
    let status = unsafe { bistand_engine_new(ptr::null(), 0, &mut c_engine) };
    assert_eq!(status, bistand_status::BISTAND_OK);

    let c_abi = |document: &[u8]| {
        let mut report = ptr::null_mut();
        // SAFETY: live engine, `document` readable for its length, `report` writable; the
        // buffer is read and freed once.
        unsafe {
            let status = bistand_validate(
                c_engine,
                c"fia".as_ptr(),
                document.as_ptr(),
                document.len(),
                &mut report,
            );
            assert_eq!(status, bistand_status::BISTAND_OK);
            black_box(bistand_buf_data(report));
            black_box(bistand_buf_len(report));
            bistand_buf_free(report);
        }
    };
    let rust = |document: &[u8]| {
        let report = engine.validate(Some("fia"), document).expect("a document");
        black_box(serde_json::to_vec(&report).expect("reports serialise"));
    };
    // Both produce the same bytes (the API tests check every fixture).

    let mut group = c.benchmark_group("abi_validate");
    group.throughput(Throughput::Elements(documents.len() as u64));
    group.bench_function("c_abi", |b| {
        b.iter(|| documents.iter().for_each(|d| c_abi(black_box(d))));
    });
    group.bench_function("rust", |b| {
        b.iter(|| documents.iter().for_each(|d| rust(black_box(d))));
    });
    group.finish();

    let complete = &documents[0];
    let mut group = c.benchmark_group("abi_validate_complete");
    group.throughput(Throughput::Bytes(complete.len() as u64));
    group.bench_function("c_abi", |b| b.iter(|| c_abi(black_box(complete))));
    group.bench_function("rust", |b| b.iter(|| rust(black_box(complete))));
    group.finish();

    // SAFETY: made above, freed once, not used afterwards.
    unsafe { bistand_engine_free(c_engine) };
}

criterion_group!(benches, validate);
criterion_main!(benches);
