//! SUE group report over one million in-memory records, single-threaded, perturbed and protected,
//! in two arms: (a) like for like with the polars comparison in `report_polars.py` (which reads
//! the same documents): only the tables that script computes, selected; (b) the full report,
//! every table, with the time of each part (the aggregation pass over the records; the marginals,
//! tables, disclosure control and cells of the build) and of each table family built alone.
//!
//! `cargo bench -p bistand-core --bench report` writes the documents to
//! `target/bench-data/sue-100000.ndjson` (100,000 distinct synthetic documents; the million
//! records are ten passes over them, as in the polars script), then prints medians of 5 runs.
//! Run the comparison with `scripts/bench-report.sh`. Under `cargo test --benches` (no `--bench`
//! argument) it runs once on 10,000 records as a smoke test, with the same checks: the totals of
//! both arms agree, and each family built alone equals its tables in the full report.

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
    let full_options = ReportOptions::default();
    let like_options = ReportOptions::default()
        .with_tables(Some(POLARS_TABLES))
        .expect("table names");
    let runs = if full { 5 } else { 1 };
    let (mut like_times, mut full_times, mut pass_times) = (Vec::new(), Vec::new(), Vec::new());
    let mut parts: Vec<Vec<(&'static str, f64)>> = Vec::new();
    let (mut like_tables, mut full_tables) = (0, 0);
    let (mut like_check, mut full_check) = (String::new(), String::new());
    let mut whole = None;
    for _ in 0..runs {
        // (a) Like for like: only the tables the polars arm computes, selected before counting
        // (so only their counters are counted per record), perturbed and protected as always.
        let start = Instant::now();
        let mut aggregate = SueAggregate::new(schema.clone(), as_of);
        aggregate.select(&like_options);
        for (record, person) in records.iter().zip(&persons) {
            aggregate.add(record, *person);
        }
        let report = aggregate.report(&like_options);
        like_times.push(start.elapsed().as_secs_f64());
        like_tables = report.tables.len();
        like_check = checksum(&report);
        std::hint::black_box(report);

        // LIKE_ONLY=1 runs the like-for-like arm alone (for a profiler; the checks then fail).
        if std::env::var_os("LIKE_ONLY").is_some() {
            continue;
        }
        // (b) The full report, every table, timed per part.
        let start = Instant::now();
        let mut aggregate = SueAggregate::new(schema.clone(), as_of);
        for (record, person) in records.iter().zip(&persons) {
            aggregate.add(record, *person);
        }
        let pass = start.elapsed().as_secs_f64();
        let mut marks = vec![("aggregation pass", pass)];
        let mut last = Instant::now();
        let report = aggregate.report_marked(&full_options, &mut |part| {
            marks.push((part, last.elapsed().as_secs_f64()));
            last = Instant::now();
        });
        full_times.push(start.elapsed().as_secs_f64());
        pass_times.push(pass);
        parts.push(marks);
        full_tables = report.tables.len();
        full_check = checksum(&report);
        std::hint::black_box(&report);
        whole = Some((aggregate, report));
    }
    let (aggregate, report) = whole.expect("at least one run");
    // Selecting tables changes no published cell: the totals of both arms are the same.
    assert_eq!(
        like_check, full_check,
        "a selected table differs from the full report's"
    );
    println!(
        "bistand report, like for like (the {} tables of the polars arm, selected): {} records ({} distinct, {} passes), 1 thread, median {:.3} s (runs: {})",
        like_tables,
        records.len(),
        distinct,
        passes,
        median(&like_times),
        runs_text(&like_times)
    );
    println!(
        "bistand report, full ({} tables): median {:.3} s (runs: {})",
        full_tables,
        median(&full_times),
        runs_text(&full_times)
    );
    let names: Vec<&str> = parts[0].iter().map(|(name, _)| *name).collect();
    let part_medians: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let times: Vec<f64> = parts.iter().map(|p| p[i].1).collect();
            format!("{name} {:.3} s", median(&times))
        })
        .collect();
    println!(
        "  parts of the full report (medians): {}",
        part_medians.join("; ")
    );

    // Each family alone, from the same full aggregate: its tables' marginals, cells and
    // disclosure control (the aggregation pass is the full one above, shared by all).
    let mut families: Vec<&str> = Vec::new();
    for table in &report.tables {
        let family = bistand_core::stats::selection::family(&table.id);
        if !families.contains(&family) {
            families.push(family);
        }
    }
    let mut lines = Vec::new();
    for family in &families {
        let options = ReportOptions::default()
            .with_tables(Some([*family]))
            .expect("a family of the report");
        let mut times = Vec::new();
        let mut count = 0;
        for _ in 0..runs {
            let start = Instant::now();
            let one = aggregate.report(&options);
            times.push(start.elapsed().as_secs_f64());
            count = one.tables.len();
            // The family's tables are those of the full report, cell for cell.
            let expected: Vec<_> = report
                .tables
                .iter()
                .filter(|t| bistand_core::stats::selection::family(&t.id) == *family)
                .collect();
            assert!(
                one.tables.iter().eq(expected.iter().copied()),
                "{family} differs when selected"
            );
        }
        lines.push(format!("{family} ({count}) {:.4} s", median(&times)));
    }
    println!(
        "  each family alone (tables, median build and disclosure time): {}",
        lines.join("; ")
    );
    let _ = pass_times;
    println!("check: {like_check}");
    println!("data: {}", path.display());
}

/// The tables the polars arm (`report_polars.py`) computes: issue 12's report, every counter of
/// it for the total and each breakdown.
const POLARS_TABLES: [&str; 14] = [
    "clients",
    "needs",
    "needs_interventions",
    "interventions",
    "outcomes",
    "outcomes_by_intervention",
    "goal_attainment",
    "change_by_area",
    "satisfaction",
    "helped",
    "satisfaction_by_goal",
    "long_term",
    "reopening",
    "equality",
];

fn median(times: &[f64]) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

fn runs_text(times: &[f64]) -> String {
    times
        .iter()
        .map(|t| format!("{t:.3}"))
        .collect::<Vec<_>>()
        .join(", ")
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
