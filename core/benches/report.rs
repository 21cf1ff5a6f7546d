//! Full SUE group report (every table, every breakdown, disclosure control included) over one
//! million in-memory records, single-threaded, timed the same way as the polars comparison in
//! `report_polars.py`, which reads the same documents.
//!
//! `cargo bench -p bistand-core --bench report` writes the documents to
//! `target/bench-data/sue-100k.ndjson` (100,000 distinct synthetic documents; the million records
//! are ten passes over them, as in the polars script), then prints the median of 5 runs.
//! Run the comparison with `scripts/bench-report.sh`. Under `cargo test --benches` (no `--bench`
//! argument) it runs once on 10,000 records as a smoke test.

use std::io::Write;
use std::time::Instant;

use bistand_core::Engine;
use bistand_core::stats::ReportOptions;
use bistand_core::sue::{SueAggregate, SueRecord, SueSchema};

const DISTINCT: usize = 100_000;
const SEED: u64 = 20261124;
const UNITS: [&str; 8] = [
    "Norr",
    "Söder",
    "Öster",
    "Väster",
    "Centrum",
    "Intag",
    "Ungdom",
    "Arbetsmarknad",
];

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (distinct, passes) = if full { (DISTINCT, 10) } else { (2_000, 5) };
    let engine = Engine::new().expect("embedded definitions compile");
    let definition = engine.definition("sue", None).expect("sue is built in");
    let schema = SueSchema::new(definition).expect("SUE statistics fit the definition");
    let as_of = jiff::civil::date(2026, 11, 24);

    let data_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data");
    std::fs::create_dir_all(&data_dir).expect("target dir is writable");
    let path = data_dir.join(format!("sue-{distinct}.ndjson"));
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create data file"));
    let mut records: Vec<SueRecord> = Vec::with_capacity(distinct * passes);
    for (i, mut document) in bistand_core::sue::sue_documents(definition, SEED, distinct)
        .expect("generator fits the definition")
        .into_iter()
        .enumerate()
    {
        document["unit"] = serde_json::Value::String(UNITS[i % UNITS.len()].to_owned());
        let bytes = serde_json::to_vec(&document).expect("serialises");
        file.write_all(&bytes).expect("write");
        file.write_all(b"\n").expect("write");
        let validated = engine.parse(Some("sue"), &bytes).expect("parses");
        assert!(validated.report.valid, "synthetic documents are valid");
        records.push(SueRecord::from_document(&schema, &validated.document));
    }
    file.flush().expect("flush");
    let distinct_records = records.clone();
    for _ in 1..passes {
        records.extend(distinct_records.iter().cloned());
    }

    // Each synthetic record is a person of its own, with a record key under a test secret.
    let statistics = bistand_core::stats::perturbation::StatisticsKey::new(&[7; 32])
        .expect("a long enough secret");
    let persons: Vec<_> = (0..records.len() as u64)
        .map(|n| statistics.person(None, &n.to_le_bytes()))
        .collect();
    let options = ReportOptions::default();
    let mut times = Vec::new();
    let mut tables = 0;
    let mut check = String::new();
    for _ in 0..if full { 5 } else { 1 } {
        let start = Instant::now();
        let mut aggregate = SueAggregate::new(schema.clone(), as_of);
        for (record, person) in records.iter().zip(&persons) {
            aggregate.add(record, *person);
        }
        let report = aggregate.report(&options);
        times.push(start.elapsed().as_secs_f64());
        tables = report.tables.len();
        check = checksum(&report);
        std::hint::black_box(report);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "bistand report: {} records ({} distinct, {} passes), {} tables, median {:.3} s (runs: {:?})",
        records.len(),
        distinct,
        passes,
        tables,
        times[times.len() / 2],
        times.iter().map(|t| format!("{t:.3}")).collect::<Vec<_>>()
    );
    println!("check: {check}");
    println!("data: {}", path.display());
}

/// A few totals the polars script prints too, to show both computed the same tables.
fn checksum(report: &bistand_core::stats::GroupReport) -> String {
    let total = |table: &str, category: &str| -> String {
        report
            .tables
            .iter()
            .find(|t| t.id == table)
            .and_then(|t| {
                let column = t.categories.iter().position(|c| c.code == category)?;
                t.rows.first()?.cells[column].count
            })
            .map_or_else(|| "-".to_owned(), |c| c.to_string())
    };
    format!(
        "clients={} sanktion={} resursaktivering={} fortsatt_bistand={} helt={} mycket_nojd={} langvarigt={} reopened_12={}",
        total("clients", "klienter"),
        total("interventions", "sanktion"),
        total("interventions", "resursaktivering"),
        total("outcomes", "fortsatt_bistand"),
        total("goal_attainment", "helt"),
        total("satisfaction", "mycket_nojd"),
        total("long_term", "langvarigt"),
        total("reopening", "inom_12_manader"),
    )
}
