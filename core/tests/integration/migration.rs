//! Checks every declared migration's tests share: nothing lost without a reason, every fixture
//! of the older version read as the newer without a panic, and one report over records of both
//! versions (FIA 1 to 2, SUE 1 to 2).

use std::collections::BTreeSet;

use bistand_core::migrate::Migrated;
use bistand_core::stats::{GroupReport, NdjsonAggregator, ReportOptions};
use bistand_core::{Engine, Status};
use serde_json::Value;

use crate::{files, read};

/// Every answer key of `original` is in the migrated document (the migrations shipped rename
/// nothing: every carried answer keeps its id) or listed as not carried, each reason in both
/// languages.
pub(crate) fn nothing_lost_without_a_reason(original: &Value, migrated: &Migrated) {
    let out: Value = serde_json::from_slice(&migrated.document).expect("JSON");
    let reasons: BTreeSet<&str> = migrated
        .not_carried
        .iter()
        .map(|n| n.item.as_str())
        .collect();
    for key in original["answers"].as_object().expect("answers").keys() {
        let carried = out["answers"].get(key).is_some();
        assert!(
            carried || reasons.contains(key.as_str()),
            "{key} lost without a reason"
        );
        if carried {
            assert!(!reasons.contains(key.as_str()), "{key} carried and not");
        }
    }
    for n in &migrated.not_carried {
        assert!(!n.reason.sv.is_empty() && !n.reason.en.is_empty());
    }
}

/// Migrates every document fixture of `folders` (written in `from`) to `to`: never a panic,
/// nothing lost without a reason, a valid document stays valid (a draft only with stated
/// reasons), and the migrated bytes validate to the report the migration returned. Returns how
/// many were migrated; `unreadable` names the fixtures that are not JSON data at all.
pub(crate) fn migrate_fixtures(
    engine: &Engine,
    folders: &[&str],
    (from, to): (&str, &str),
    unreadable: &[&str],
) -> usize {
    let mut migrated_count = 0;
    for folder in folders {
        for name in files(folder, ".json") {
            if name.ends_with(".expected.json") || name == "profile.json" {
                continue;
            }
            let bytes = read(&format!("{folder}/{name}"));
            let original = engine.validate(None, &bytes).expect("parses");
            assert_eq!(original.version, from, "{folder}/{name}");
            let Ok(migrated) = engine.migrate(&bytes, Some(to)) else {
                assert!(unreadable.contains(&name.as_str()), "{folder}/{name}");
                continue;
            };
            migrated_count += 1;
            assert_eq!(
                (migrated.from_version.as_str(), migrated.to_version.as_str()),
                (from, to)
            );
            let original_value: Value = serde_json::from_slice(&bytes).expect("JSON");
            nothing_lost_without_a_reason(&original_value, &migrated);
            if original.valid {
                // A valid document becomes a valid document of the newer version, a draft with
                // stated reasons when anything could not be carried.
                assert!(
                    migrated.report.valid,
                    "{folder}/{name}: {:?}",
                    migrated.report
                );
                if migrated.status == Status::Draft && original.status == Status::Complete {
                    assert!(!migrated.not_carried.is_empty(), "{folder}/{name}");
                }
            }
            // Validating the migrated bytes gives the report the migration returned.
            let again = engine.validate(None, &migrated.document).expect("parses");
            assert_eq!(again, migrated.report, "{folder}/{name}");
        }
    }
    migrated_count
}

/// Migrates synthetic documents of the older version to `to`: never a panic, nothing lost
/// without a reason, a valid one stays valid. Returns (drafts, complete).
pub(crate) fn migrate_synthetic(engine: &Engine, documents: &[Value], to: &str) -> (usize, usize) {
    let (mut drafts, mut complete) = (0, 0);
    for document in documents {
        let bytes = serde_json::to_vec(document).expect("JSON");
        let original = engine.validate(None, &bytes).expect("parses");
        let migrated = engine.migrate(&bytes, Some(to)).expect("migrates");
        nothing_lost_without_a_reason(document, &migrated);
        if original.valid {
            assert!(migrated.report.valid, "{:?}", migrated.report.findings);
        }
        match migrated.status {
            Status::Draft => drafts += 1,
            Status::Complete => complete += 1,
        }
    }
    assert_eq!(drafts + complete, documents.len());
    (drafts, complete)
}

/// The exact NDJSON report of `instrument` in `version` (the default when `None`) over `lines`,
/// with how many lines could not be read.
pub(crate) fn ndjson_report(
    engine: &Engine,
    instrument: &str,
    version: Option<&str>,
    lines: &[Vec<u8>],
) -> (GroupReport, u64) {
    let as_of = jiff::civil::date(2026, 12, 1);
    let options = ReportOptions {
        exact: true,
        ..ReportOptions::new(None, None::<Vec<&str>>).expect("options")
    };
    let mut aggregator =
        NdjsonAggregator::for_version(engine, instrument, version, as_of, None).expect("loaded");
    for line in lines {
        let _ = aggregator.add_line(line);
    }
    let finished = aggregator.finish(&options).expect("exact report");
    (finished.report, finished.unreadable_lines)
}

/// One report in the newer version `to` over older documents counts them as it counts the same
/// documents migrated beforehand, and as any mix of the two; a report in the older version
/// `from` refuses documents of the newer (no migration leads back).
pub(crate) fn one_report_counts_both_versions(
    engine: &Engine,
    instrument: &str,
    (from, to): (&str, &str),
    documents: &[Value],
) {
    // The input digest names the bytes read (the lines of the two versions differ), so it is
    // left out of the comparison; everything else, the definition version included, must agree.
    let counted = |report: &GroupReport| {
        let mut value = serde_json::to_value(report).expect("JSON");
        value["provenance"]["input"]["digest"].take();
        value
    };
    let old_lines: Vec<Vec<u8>> = documents
        .iter()
        .map(|d| serde_json::to_vec(d).expect("JSON"))
        .collect();
    let new_lines: Vec<Vec<u8>> = old_lines
        .iter()
        .map(|l| engine.migrate(l, Some(to)).expect("migrates").document)
        .collect();
    let (from_old, _) = ndjson_report(engine, instrument, Some(to), &old_lines);
    let (from_new, _) = ndjson_report(engine, instrument, Some(to), &new_lines);
    assert_eq!(counted(&from_old), counted(&from_new));
    assert!(from_old.records > 0);
    let half = old_lines.len() / 2;
    let mixed: Vec<Vec<u8>> = old_lines[..half]
        .iter()
        .chain(&new_lines[half..])
        .cloned()
        .collect();
    let (from_mixed, _) = ndjson_report(engine, instrument, Some(to), &mixed);
    assert_eq!(counted(&from_mixed), counted(&from_old));
    let (backwards, unreadable) = ndjson_report(engine, instrument, Some(from), &new_lines);
    assert_eq!(unreadable, u64::try_from(new_lines.len()).expect("small"));
    assert_eq!(backwards.records, 0);
}
