//! A linked fixture: persons with FIA and SUE records, units "Söder" and "Norr", whose tables are
//! written down by hand from the records below (not from the code under test).

use jiff::civil::date;
use serde_json::{Value, json};

use crate::Engine;
use crate::stats::{Dimension, ReportOptions, report_from_ndjson};

fn line(client: &str, document: &Value) -> String {
    json!({ "client_id": client, "document": document }).to_string()
}

fn sue(client: &str, gender: &str, start: &str, unit: &str) -> String {
    let answers = json!({ "bakgrund.aktualiseringsdatum": start, "bakgrund.kon": gender });
    let document = json!({ "instrument": "sue", "version": "1", "status": "draft",
        "unit": unit, "answers": answers });
    line(client, &document)
}

fn fia(client: &str, category: &str, interviewed: &str, unit: &str) -> String {
    let document = json!({ "instrument": "fia", "version": "1", "status": "draft",
        "interview_date": interviewed, "unit": unit,
        "answers": { "bedomning.kategori": category } });
    line(client, &document)
}

/// The FIA overall assessment's categories, in order.
const CATEGORIES: [&str; 4] = [
    "inget_stodbehov",
    "socialt_stodbehov",
    "arbetsrelaterat_stodbehov",
    "bade_socialt_och_arbete",
];

/// Twenty women (unit Söder) and twenty men (Norr), each with a SUE record and a FIA, five of
/// each gender in each assessment category; `kvinna-0` also has an older SUE record as a man and
/// `kvinna-1` (social need) an older FIA with both needs. Twenty persons with a FIA and no SUE
/// record (five per category), five women with a SUE record and no FIA.
fn fixture() -> Vec<u8> {
    let mut lines = Vec::new();
    for i in 0..20 {
        let category = CATEGORIES[i % 4];
        let woman = format!("kvinna-{i}");
        lines.push(sue(&woman, "kvinna", "2026-03-01", "Söder"));
        lines.push(fia(&woman, category, "2026-04-01", "Söder"));
        let man = format!("man-{i}");
        lines.push(sue(&man, "man", "2026-02-01", "Norr"));
        lines.push(fia(&man, category, "2026-02-15", "Norr"));
        lines.push(fia(
            &format!("bara-fia-{i}"),
            category,
            "2026-05-01",
            "Söder",
        ));
    }
    // Older records of the same persons: the latest start and the latest interview count.
    lines.push(sue("kvinna-0", "man", "2025-01-01", "Norr"));
    lines.push(fia(
        "kvinna-1",
        "bade_socialt_och_arbete",
        "2025-06-01",
        "Söder",
    ));
    for i in 0..5 {
        lines.push(sue(
            &format!("bara-sue-{i}"),
            "kvinna",
            "2026-01-10",
            "Söder",
        ));
    }
    lines.join("\n").into_bytes()
}

fn report(instrument: &str) -> Value {
    let engine = Engine::new().expect("engine");
    let options = ReportOptions {
        dimensions: vec![Dimension::Total, Dimension::Gender, Dimension::Assessment],
        exact: true,
        ..ReportOptions::default()
    };
    let report = report_from_ndjson(
        &engine,
        instrument,
        &fixture(),
        date(2026, 11, 24),
        &options,
        None,
    )
    .expect("report");
    assert_eq!(report.unreadable_lines, 0);
    assert_eq!(report.documents_with_errors, 0);
    serde_json::to_value(&report.report).expect("JSON")
}

/// The shown (count, base) of `table`'s row `row` in column `category`.
fn cell(report: &Value, table: &str, row: &str, category: &str) -> (Option<u64>, Option<u64>) {
    let table = report["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["id"] == table)
        .unwrap_or_else(|| panic!("table {table}"));
    let column = table["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .position(|c| c["code"] == category)
        .unwrap_or_else(|| panic!("{category} in {}", table["id"]));
    let row = table["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["code"] == row)
        .unwrap_or_else(|| panic!("row {row} in {}", table["id"]));
    let cell = &row["cells"][column];
    (cell["count"].as_u64(), cell["base"].as_u64())
}

#[test]
fn fia_tables_break_down_by_the_background_of_the_same_persons_sue_record() {
    let report = report("fia");
    assert_eq!(report["records"], 61);
    assert_eq!(report["persons"], 60);
    let table = "fia_assessment.gender";
    // kvinna-0's latest SUE record says woman; kvinna-1's latest FIA says social need.
    for category in CATEGORIES {
        for gender in ["kvinna", "man"] {
            assert_eq!(cell(&report, table, gender, category), (Some(5), Some(20)));
        }
        // A FIA without a SUE record of the same person counts under "not recorded".
        assert_eq!(cell(&report, table, "okand", category), (Some(5), Some(20)));
    }
    let rows = &report["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["id"] == table)
        .expect("table")["rows"];
    let codes: Vec<&str> = rows
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["code"].as_str().expect("code"))
        .collect();
    assert_eq!(codes, ["kvinna", "man", "okand"]);
    assert_eq!(rows[2]["label"]["sv"], "Uppgift saknas", "labelled so");
    // The SUE records were read for their persons, not counted.
    let input = &report["provenance"]["input"];
    assert_eq!(input["read"], 107);
    assert_eq!(input["counted"], 61);
    assert_eq!(
        input["not_counted"],
        json!([{ "reason": "linked", "count": 46 }])
    );
}

#[test]
fn sue_tables_break_down_by_the_fia_assessment_and_standardise_to_it() {
    let report = report("sue");
    assert_eq!(report["records"], 46);
    assert_eq!(report["persons"], 45);
    let clients = |row: &str| cell(&report, "clients.fia_assessment", row, "klienter").0;
    // kvinna-1 under her latest interview (social), not the older one (both).
    for category in CATEGORIES {
        assert_eq!(clients(category), Some(10), "{category}");
    }
    assert_eq!(
        clients("okand"),
        Some(5),
        "SUE records of persons without a FIA"
    );
    // The needs profile is FIA's category where a FIA exists; the five without one have no need
    // recorded in SUE, so no support need.
    let profile = |code: &str| {
        cell(
            &report,
            "needs_profile",
            "total",
            &format!("klienter_{code}"),
        )
        .0
    };
    assert_eq!(profile("inget_stodbehov"), Some(15));
    for category in &CATEGORIES[1..] {
        assert_eq!(profile(category), Some(10), "{category}");
    }
    let input = &report["provenance"]["input"];
    assert_eq!(
        input["not_counted"],
        json!([{ "reason": "linked", "count": 61 }])
    );
}
