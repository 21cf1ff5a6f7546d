//! Table selection (`ReportOptions::tables`): the tables of a report that asks for some are
//! those of the full report, cell for cell, whatever the subset, the breakdowns, and whether
//! the aggregate counted only what the selection reads; exact reports too (their secondary
//! suppression is decided over the whole report, never over the selection).

use bistand_core::stats::perturbation::StatisticsKey;
use bistand_core::stats::selection::family;
use bistand_core::stats::{Dimension, GroupReport, ReportOptions, report_from_ndjson};
use bistand_core::sue::{SueAggregate, SueSchema};
use proptest::prelude::*;

use crate::engine;

/// `count` synthetic SUE documents over units with Swedish names; clients `EB-Ö-<n>` with
/// several records each, as NDJSON lines in the wrapped form.
fn lines(seed: u64, count: usize) -> Vec<Vec<u8>> {
    let engine = engine();
    let definition = engine.definition("sue", None).expect("sue");
    bistand_core::sue::sue_documents(definition, seed, count)
        .expect("generates")
        .into_iter()
        .enumerate()
        .map(|(i, mut document)| {
            document["unit"] = serde_json::json!(["Söder", "Norr", "Östermalm"][i % 3]);
            let client = format!("EB-Ö-{}", i * 7 % (count * 3 / 4 + 1));
            serde_json::to_vec(&serde_json::json!({ "client_id": client, "document": document }))
                .expect("json")
        })
        .collect()
}

/// A report over `lines`, the aggregate selecting `options`' tables before counting when
/// `select`.
fn report(lines: &[Vec<u8>], options: &ReportOptions, select: bool) -> GroupReport {
    let engine = engine();
    let definition = engine.definition("sue", None).expect("sue");
    let statistics = StatisticsKey::new(&[7; 32]).expect("a long enough secret");
    let mut aggregate = SueAggregate::new(
        SueSchema::new(definition).expect("schema"),
        jiff::civil::date(2026, 11, 24),
    );
    if select {
        aggregate.select(options);
    }
    for line in lines {
        let wrapped: serde_json::Value = serde_json::from_slice(line).expect("json");
        let document = serde_json::to_vec(&wrapped["document"]).expect("json");
        let person = statistics.person(wrapped["client_id"].as_str(), &document);
        let validated = engine.parse(Some("sue"), &document).expect("parses");
        assert!(aggregate.add_validated(&validated, person));
    }
    aggregate.report(options)
}

fn names_of(ids: &[String], picks: &[(bool, usize)]) -> Vec<String> {
    picks
        .iter()
        .map(|&(whole_family, i)| {
            let id = &ids[i % ids.len()];
            if whole_family {
                family(id).to_owned()
            } else {
                id.clone()
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, max_shrink_iters: 16, ..ProptestConfig::default() })]

    #[test]
    fn selected_tables_equal_those_of_the_full_report(
        seed in 0u64..100_000,
        count in 20usize..160,
        picks in proptest::collection::vec((any::<bool>(), any::<usize>()), 1..6),
        exact in any::<bool>(),
        few_breakdowns in any::<bool>(),
    ) {
        let lines = lines(seed, count);
        let mut full_options = ReportOptions { exact, ..ReportOptions::default() };
        // The exact audit of secondary suppression is slow over every breakdown (debug builds).
        if few_breakdowns || exact {
            full_options.dimensions = vec![Dimension::Total, Dimension::Gender, Dimension::Unit];
        }
        let full = report(&lines, &full_options, false);
        let ids: Vec<String> = full.tables.iter().map(|t| t.id.clone()).collect();
        let names = names_of(&ids, &picks);
        let options = full_options
            .clone()
            .with_tables(Some(names.iter().map(String::as_str)))
            .expect("well-formed names");
        let expected: Vec<_> = full
            .tables
            .iter()
            .filter(|t| names.iter().any(|n| *n == t.id || n == family(&t.id)))
            .collect();
        prop_assert!(!expected.is_empty());
        for select in [false, true] {
            let subset = report(&lines, &options, select);
            prop_assert!(subset.tables.iter().eq(expected.iter().copied()), "{:?} (select {})", names, select);
            prop_assert_eq!((subset.records, subset.persons), (full.records, full.persons));
        }
    }
}

/// Through the NDJSON path the C ABI and the command line share: the tables asked for, checked
/// against the report's own; an unknown one is refused without repeating it.
#[test]
fn the_ndjson_report_checks_and_selects_tables() {
    let engine = engine();
    let lines = lines(3, 120);
    let ndjson: Vec<u8> = lines.join(&b'\n');
    let as_of = jiff::civil::date(2026, 11, 24);
    let exact = ReportOptions {
        exact: true,
        dimensions: vec![Dimension::Total, Dimension::Gender, Dimension::Unit],
        ..ReportOptions::default()
    };
    let full = report_from_ndjson(&engine, "sue", &ndjson, as_of, &exact, None).expect("report");
    let options = exact
        .clone()
        .with_tables(Some(["standardised.gender", "needs"]))
        .expect("valid");
    let subset =
        report_from_ndjson(&engine, "sue", &ndjson, as_of, &options, None).expect("report");
    let ids: Vec<&str> = subset.report.tables.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids[0], "needs");
    assert!(ids.contains(&"standardised.gender") && !ids.contains(&"needs_profile"));
    for table in &subset.report.tables {
        assert_eq!(
            Some(table),
            full.report.tables.iter().find(|t| t.id == table.id)
        );
    }
    assert_eq!(
        subset
            .report
            .provenance
            .as_ref()
            .expect("provenance")
            .tables,
        Some(vec!["standardised.gender".to_owned(), "needs".to_owned()])
    );
    let unknown = exact
        .clone()
        .with_tables(Some(["needs", "klienter_per_personnummer"]))
        .expect("well formed");
    let error = report_from_ndjson(&engine, "sue", &ndjson, as_of, &unknown, None)
        .expect_err("no such table");
    assert_eq!(error.kind(), bistand_core::ErrorKind::InvalidArgument);
    assert!(error.message_sv().contains("tabell nummer 2"), "{error}");
    assert!(!error.to_string().contains("klienter_per"), "{error}");
}

/// The case that kept selection from skipping work: with no FIA recorded, nearly every person is
/// in the `fia_assessment` group "not recorded", so `clients.fia_assessment` hides that group's
/// count of persons (too near its base) and with it the base of `needs.fia_assessment`'s row. A
/// report of `needs.fia_assessment` alone, counted for the selection only, hides it too.
#[test]
fn a_base_hidden_by_an_unselected_table_is_hidden_in_the_selection() {
    let lines = lines(11, 150);
    let full_options = ReportOptions {
        dimensions: vec![Dimension::Total, Dimension::Assessment],
        ..ReportOptions::default()
    };
    let full = report(&lines, &full_options, false);
    let table = |report: &GroupReport| {
        report
            .tables
            .iter()
            .find(|t| t.id == "needs.fia_assessment")
            .cloned()
            .expect("needs.fia_assessment")
    };
    let expected = table(&full);
    assert!(
        expected
            .rows
            .iter()
            .flat_map(|r| &r.cells)
            .any(|c| c.base.is_none()),
        "the full report hides a base of needs.fia_assessment"
    );
    let options = full_options
        .clone()
        .with_tables(Some(["needs.fia_assessment"]))
        .expect("valid");
    for select in [false, true] {
        let subset = report(&lines, &options, select);
        assert_eq!(subset.tables.len(), 1);
        assert_eq!(table(&subset), expected, "select {select}");
    }
}
