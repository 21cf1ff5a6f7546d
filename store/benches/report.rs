//! A full SUE group report read from an encrypted store of 100,000 records: scan (read,
//! authenticate, decrypt), parse and validate each body, aggregate, build every table with
//! disclosure control. Compared in the same run with the same report built from the same documents
//! held in memory as bytes (parse, validate, aggregate, report), which isolates the store's share.
//!
//! `cargo bench -p bistand-store --bench report` (median of 3). Under `cargo test --benches` it runs
//! once on 2,000 records.

use std::time::Instant;

use bistand_core::Engine;
use bistand_core::identifier::{PseudonymKey, pseudonymise_case_number};
use bistand_core::stats::ReportOptions;
use bistand_core::sue::{SueAggregate, SueSchema};
use bistand_store::{DataKey, Keyring, NewRecord, ScanFilter, SqliteStore, Store};

/// Feeds each document body to the aggregating callback.
type Source<'a> = dyn FnMut(&mut dyn FnMut(&[u8])) + 'a;

const UNITS: [&str; 4] = ["Norr", "Söder", "Öster", "Väster"];

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let records = if full { 100_000 } else { 2_000 };
    let engine = Engine::new().expect("embedded definitions compile");
    let definition = engine.definition("sue", None).expect("sue is built in");
    let schema = SueSchema::new(definition).expect("statistics fit the definition");
    let as_of = jiff::civil::date(2026, 11, 24);
    let pseudonym_key = PseudonymKey::new("p1", &[7u8; 32]).expect("valid key");
    let keyring = Keyring::new(DataKey::new("k1", &[9u8; 32]).expect("valid key"));
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path().join("bench.db"), keyring).expect("opens");

    let bodies: Vec<Vec<u8>> = bistand_core::sue::sue_documents(definition, 7, records)
        .expect("generates")
        .into_iter()
        .enumerate()
        .map(|(i, mut d)| {
            d["unit"] = serde_json::Value::String(UNITS[i % UNITS.len()].to_owned());
            serde_json::to_vec(&d).expect("serialises")
        })
        .collect();
    for (chunk_index, chunk) in bodies.chunks(5_000).enumerate() {
        let batch = chunk
            .iter()
            .enumerate()
            .map(|(i, body)| {
                let pseudonym =
                    pseudonymise_case_number(&pseudonym_key, &format!("case-{chunk_index}-{i}"));
                NewRecord::new(
                    &pseudonym,
                    UNITS[i % UNITS.len()],
                    "sue",
                    definition.version(),
                    body.clone(),
                )
            })
            .collect();
        store.put_many(batch).expect("stores");
    }

    let statistics = bistand_core::stats::perturbation::StatisticsKey::new(&[7; 32])
        .expect("a long enough secret");
    let report_from = |scan: &mut Source<'_>| {
        let mut aggregate = SueAggregate::new(schema.clone(), as_of);
        scan(&mut |body| {
            let validated = engine
                .parse(Some("sue"), body)
                .expect("stored bodies are documents");
            // Both arms pay the same key derivation: one document, one person.
            aggregate.add_validated(&validated, statistics.person(None, body));
        });
        aggregate.report(&ReportOptions::default())
    };
    let runs = if full { 3 } else { 1 };
    let (mut from_store, mut from_memory) = (Vec::new(), Vec::new());
    let mut tables = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let report = report_from(&mut |add| {
            store
                .scan(&ScanFilter::all().instrument("sue"), &mut |record| {
                    add(&record.body);
                    Ok(())
                })
                .expect("scan");
        });
        from_store.push(start.elapsed().as_secs_f64());
        assert_eq!(report.records, records as u64);
        tables = report.tables.len();
        let start = Instant::now();
        let report = report_from(&mut |add| bodies.iter().for_each(|b| add(b)));
        from_memory.push(start.elapsed().as_secs_f64());
        std::hint::black_box(report);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (store_s, memory_s) = (median(&mut from_store), median(&mut from_memory));
    println!(
        "report from store: {records} records, {tables} tables, median {store_s:.3} s ({:.0} records/s); \
         same report from the documents in memory: {memory_s:.3} s; store share {:.0} %",
        records as f64 / store_s,
        100.0 * (store_s - memory_s) / store_s
    );
}
