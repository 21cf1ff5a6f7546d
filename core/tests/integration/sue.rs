//! SUE: every fixture under `tests/data/sue` gives exactly its hand-written findings, and the
//! report fixture's figures equal those computed independently (in Python, from the records).

use bistand_core::stats::ReportOptions;
use bistand_core::sue::{SueAggregate, SueSchema};
use serde_json::Value;

use crate::{brief, engine, files, read, read_json};

#[test]
fn sue_fixtures_have_exactly_their_expected_findings() {
    let engine = engine();
    let mut checked = 0;
    for folder in ["sue/valid", "sue/invalid"] {
        for name in files(folder, ".expected.json") {
            let stem = name.trim_end_matches(".expected.json");
            let report = engine
                .validate(Some("sue"), &read(&format!("{folder}/{stem}.json")))
                .unwrap_or_else(|e| panic!("{folder}/{stem}: {e}"));
            assert_eq!(
                brief(&report),
                read_json(&format!("{folder}/{name}")),
                "{folder}/{stem}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 14, "{checked}");
}

#[test]
fn synthetic_sue_documents_are_valid() {
    let engine = engine();
    let definition = engine.definition("sue", None).expect("sue");
    for document in bistand_core::sue::sue_documents(definition, 11, 300).expect("generates") {
        let report = engine
            .validate(Some("sue"), &serde_json::to_vec(&document).expect("json"))
            .expect("parses");
        assert_eq!(report.errors, 0, "{:?}", report.findings);
    }
}

#[test]
fn report_fixture_matches_independently_computed_figures() {
    let engine = engine();
    let definition = engine.definition("sue", None).expect("sue");
    let expected = read_json("sue/report/expected.json");
    let as_of: jiff::civil::Date = expected["as_of"]
        .as_str()
        .expect("date")
        .parse()
        .expect("date");
    let mut aggregate = SueAggregate::new(SueSchema::new(definition).expect("schema"), as_of);
    let records = read("sue/report/records.ndjson");
    for line in records.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        // The fixture is version 1: read as the report reads it, through the migration.
        let validated = engine.parse_as(definition, line).expect("parses");
        assert!(validated.report.valid, "{:?}", validated.report.findings);
        let person = bistand_core::stats::perturbation::StatisticsKey::new(&[7; 32])
            .expect("a long enough secret")
            .person(None, line);
        assert!(aggregate.add_validated(&validated, person));
    }
    // The independent figures are true counts: compared with an exact report (counting); the
    // perturbed report is checked to stay within D of them.
    let perturbed = aggregate.report(&ReportOptions::default());
    let exact = ReportOptions {
        exact: true,
        ..ReportOptions::default()
    };
    let report = serde_json::to_value(aggregate.report(&exact)).expect("json");
    let truth = aggregate.report(&exact);
    for (p, t) in perturbed.tables.iter().zip(&truth.tables) {
        for (p, t) in p.rows.iter().zip(&t.rows) {
            for (p, t) in p.cells.iter().zip(&t.cells) {
                if let (Some(p), Some(t)) = (p.count, t.count) {
                    assert!(p.abs_diff(t) <= 2, "{p} published for {t}");
                }
            }
        }
    }
    let mut shown = 0;
    let mut derived = 0;
    for (key, want) in expected["cells"].as_object().expect("cells") {
        let mut parts = key.split('/');
        let (table, row, category) = (
            parts.next().expect("table"),
            parts.next().expect("row"),
            parts.next().expect("category"),
        );
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
            .unwrap_or_else(|| panic!("{key}"));
        let row = table["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["code"] == row)
            .unwrap_or_else(|| panic!("{key}"));
        let cell = &row["cells"][column];
        let close = |a: &Value, b: &Value| {
            (a.as_f64().expect("number") - b.as_f64().expect("number")).abs() < 1e-9
        };
        if want["count"].is_null() {
            // A derived share (a standardised rate): no count of its own, shown only when every
            // published number it is computed from is shown.
            if cell["suppressed"] == Value::Bool(true) {
                continue;
            }
            assert!(cell["count"].is_null(), "{key}");
            assert!(
                close(&cell["share"], &want["share"]),
                "{key}: share {} vs {}",
                cell["share"],
                want["share"]
            );
            assert!(
                close(&cell["interval"][0], &want["interval"][0])
                    && close(&cell["interval"][1], &want["interval"][1]),
                "{key}: interval {} vs {}",
                cell["interval"],
                want["interval"]
            );
            derived += 1;
            continue;
        }
        let count = want["count"].as_u64().expect("count");
        if count < 5 {
            assert_eq!(
                cell["suppressed"],
                Value::Bool(true),
                "{key}: {count} must be suppressed"
            );
            assert!(cell["count"].is_null() && cell["share"].is_null(), "{key}");
            continue;
        }
        if cell["suppressed"] == Value::Bool(true) {
            continue; // secondary suppression may hide a large count
        }
        shown += 1;
        assert_eq!(cell["count"], want["count"], "{key}");
        if cell["base"].is_null() {
            continue;
        }
        assert_eq!(cell["base"], want["base"], "{key}");
        assert!(
            close(&cell["share"], &want["share"]),
            "{key}: share {} vs {}",
            cell["share"],
            want["share"]
        );
        assert!(
            close(&cell["interval"][0], &want["interval"][0])
                && close(&cell["interval"][1], &want["interval"][1]),
            "{key}: interval"
        );
    }
    assert!(shown >= 25, "only {shown} expected cells were shown");
    assert!(
        derived >= 6,
        "only {derived} standardised shares were shown"
    );
}
