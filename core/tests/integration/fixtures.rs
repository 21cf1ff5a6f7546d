//! Every fixture under `tests/data/fia` gives exactly the findings (or error kind) written beside
//! it by hand.

use bistand_core::{ErrorKind, FindingCode};
use serde_json::json;

use crate::{brief, engine, files, read, read_json, test_engine};

fn check_folder(folder: &str) -> Vec<String> {
    let engine = engine();
    let profile = read("fia/invalid/profile.json");
    let profiled = bistand_core::Engine::with_profile(&profile).expect("profile is valid");
    let mut checked = Vec::new();
    for name in files(folder, ".expected.json") {
        let stem = name.trim_end_matches(".expected.json");
        let document = read(&format!("{folder}/{stem}.json"));
        let engine = if stem == "hidden_item_present" {
            &profiled
        } else {
            &engine
        };
        let report = engine
            .validate(Some("fia"), &document)
            .unwrap_or_else(|e| panic!("{folder}/{stem}: refused: {e}"));
        let expected = read_json(&format!("{folder}/{name}"));
        assert_eq!(brief(&report), expected, "{folder}/{stem}");
        assert_eq!(
            report.valid,
            report
                .findings
                .iter()
                .all(|f| f.severity == bistand_core::Severity::Warning)
        );
        checked.push(stem.to_owned());
    }
    checked
}

#[test]
fn valid_fixtures_have_exactly_their_expected_findings() {
    let checked = check_folder("fia/valid");
    assert_eq!(checked, ["complete", "draft"]);
    let report = engine()
        .validate(None, &read("fia/valid/complete.json"))
        .expect("parses");
    assert!(report.valid && report.findings.is_empty());
}

#[test]
fn invalid_fixtures_have_exactly_their_expected_findings() {
    let checked = check_folder("fia/invalid");
    assert!(checked.len() >= 19, "{checked:?}");
}

#[test]
fn every_finding_code_has_a_fixture_or_a_test_instrument_case() {
    let mut seen = std::collections::BTreeSet::new();
    for name in files("fia/invalid", ".expected.json")
        .iter()
        .chain(files("fia/valid", ".expected.json").iter())
    {
        let folder = if name.starts_with("complete") || name.starts_with("draft") {
            "fia/valid"
        } else {
            "fia/invalid"
        };
        for finding in read_json(&format!("{folder}/{name}"))
            .as_array()
            .expect("array")
        {
            seen.insert(finding["code"].as_str().expect("code").to_owned());
        }
    }
    seen.extend(["too_few_rows".to_owned(), "selection_count".to_owned()]); // test_instrument_* below
    for code in FindingCode::ALL {
        assert!(
            seen.contains(code.as_str()),
            "no fixture for {}",
            code.as_str()
        );
    }
}

#[test]
fn malformed_fixtures_are_refused_with_their_error_kind() {
    let engine = engine();
    let expected = read_json("fia/malformed/expected.json");
    let expected = expected.as_object().expect("object");
    assert_eq!(
        expected.len(),
        files("fia/malformed", ".json").len() - 1,
        "every file has an expected kind"
    );
    for (name, kind) in expected {
        let error = engine
            .validate(None, &read(&format!("fia/malformed/{name}")))
            .expect_err(name);
        assert_eq!(
            error.kind().as_str(),
            kind.as_str().expect("kind"),
            "{name}: {error}"
        );
        assert!(!error.message_en().is_empty() && !error.message_sv().is_empty());
    }
}

#[test]
fn size_limit_is_enforced_before_parsing() {
    let engine = engine().with_limits(bistand_core::Limits::new(1000, 32).expect("limits"));
    let error = engine
        .validate(None, &read("fia/valid/complete.json"))
        .expect_err("too large");
    assert_eq!(error.kind(), ErrorKind::TooLarge);
    let huge = vec![b' '; bistand_core::Limits::DEFAULT_MAX_BYTES + 1];
    assert_eq!(
        super::engine()
            .validate(None, &huge)
            .expect_err("too large")
            .kind(),
        ErrorKind::TooLarge
    );
}

#[test]
fn answers_before_instrument_and_version_are_still_validated() {
    let document =
        br#"{"answers": {"bakgrund.har_barn": "nej", "okand.fraga": 1}, "status": "draft",
        "version": "1", "instrument": "fia", "interview_date": "2026-11-02"}"#;
    let report = engine().validate(Some("fia"), document).expect("parses");
    let codes: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.severity == bistand_core::Severity::Error)
        .map(|f| f.code.as_str())
        .collect();
    assert_eq!(codes, ["wrong_type", "unknown_item"]);
}

#[test]
fn a_document_of_another_instrument_is_refused() {
    let json =
        br#"{"instrument": "testinstrument", "version": "1", "status": "draft", "answers": {}}"#;
    let error = test_engine(None)
        .validate(Some("fia"), json)
        .expect_err("mismatch");
    assert_eq!(error.kind(), ErrorKind::InstrumentMismatch);
}

fn test_document(answers: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "instrument": "testinstrument", "version": "1", "status": "complete",
        "interview_date": "2026-01-10", "answers": answers,
    }))
    .expect("serialises")
}

fn test_findings(answers: serde_json::Value) -> serde_json::Value {
    brief(
        &test_engine(None)
            .validate(None, &test_document(answers))
            .expect("parses"),
    )
}

#[test]
fn test_instrument_valid_document() {
    let findings = test_findings(json!({
        "a.farg": "rod", "a.farger": ["rod", "bla"], "a.antal": 3, "a.andel": 0.25,
        "a.start": "2026-01-10", "a.slut": "2026-02-01", "a.ja": true, "a.text": "hej", "a.bara_om_ja": "ok",
        "a.rang": ["bla", "rod"],
        "a.rader": [{ "typ": "undantag", "skal": "sjukdom", "fran": "2026-01-11", "till": "2026-01-20" }, { "typ": "insats" }],
    }));
    assert_eq!(findings, json!([]));
}

#[test]
fn test_instrument_selection_count_and_too_few_rows() {
    let findings =
        test_findings(json!({ "a.farg": "rod", "a.farger": ["rod", "bla", "gul"], "a.rader": [] }));
    assert_eq!(
        findings,
        json!([
            { "severity": "error", "code": "selection_count", "path": "a.farger" },
            { "severity": "error", "code": "too_few_rows", "path": "a.rader" },
        ])
    );
    let findings =
        test_findings(json!({ "a.farg": "rod", "a.farger": [], "a.rader": [{ "typ": "insats" }] }));
    assert_eq!(
        findings,
        json!([{ "severity": "error", "code": "selection_count", "path": "a.farger" }])
    );
}

#[test]
fn test_instrument_decimal_bounds_and_integer_types() {
    let findings = test_findings(json!({
        "a.farg": "rod", "a.antal": 2.5, "a.andel": 1.5, "a.rader": [{ "typ": "insats" }],
    }));
    assert_eq!(
        findings,
        json!([
            { "severity": "error", "code": "wrong_type", "path": "a.antal" },
            { "severity": "error", "code": "out_of_bounds", "path": "a.andel" },
        ])
    );
    let findings = test_findings(
        json!({ "a.farg": "rod", "a.antal": 18446744073709551615u64, "a.andel": 1, "a.rader": [{ "typ": "insats" }] }),
    );
    assert_eq!(
        findings,
        json!([{ "severity": "error", "code": "out_of_bounds", "path": "a.antal" }])
    );
}

#[test]
fn test_instrument_conditions_siblings_and_date_references() {
    let findings = test_findings(json!({
        "a.farg": "gul", "a.ja": true, "a.bara_om_ja": "nej",
        "a.start": "2026-01-05", "a.slut": "2026-01-04",
        "a.rang": ["gul", "rod"],
        "a.rader": [
            { "typ": "undantag" },
            { "typ": "insats", "skal": "x", "fran": "2026-02-01", "till": "2026-01-01" },
            { "typ": "insats", "till": "2026-03-01" },
        ],
    }));
    assert_eq!(
        findings,
        json!([
            { "severity": "error", "code": "date_order", "path": "a.start" },
            { "severity": "error", "code": "date_order", "path": "a.slut" },
            { "severity": "error", "code": "not_enabled", "path": "a.bara_om_ja" },
            { "severity": "error", "code": "required_missing", "path": "a.rader[0].skal" },
            { "severity": "error", "code": "not_enabled", "path": "a.rader[1].skal" },
            { "severity": "error", "code": "date_order", "path": "a.rader[1].till" },
            { "severity": "error", "code": "date_order", "path": "a.rader[2].till" },
        ])
    );
}

#[test]
fn test_instrument_ranking_eligibility_follows_its_condition() {
    let findings = test_findings(
        json!({ "a.farg": "rod", "a.rang": ["gul"], "a.rader": [{ "typ": "insats" }] }),
    );
    assert_eq!(
        findings,
        json!([{ "severity": "error", "code": "ranking_not_eligible", "path": "a.rang[0]" }])
    );
}

#[test]
fn null_means_unanswered() {
    let findings = test_findings(
        json!({ "a.farg": null, "a.text": null, "a.rader": [{ "typ": "insats", "fran": null }] }),
    );
    assert_eq!(
        findings,
        json!([{ "severity": "error", "code": "required_missing", "path": "a.farg" }])
    );
}

#[test]
fn profile_hides_items_and_refuses_what_may_not_be_hidden() {
    let profiled = test_engine(Some(br#"{"hidden_items": {"testinstrument": ["a.text"]}}"#));
    let report = profiled
        .validate(
            None,
            &test_document(
                json!({ "a.farg": "rod", "a.text": "x", "a.rader": [{ "typ": "insats" }] }),
            ),
        )
        .expect("parses");
    assert_eq!(
        brief(&report),
        json!([{ "severity": "error", "code": "hidden_item_present", "path": "a.text" }])
    );

    let cases: [(&[u8], &str); 6] = [
        (
            br#"{"hidden_items": {"testinstrument": ["a.farg"]}}"#,
            "required",
        ),
        (
            br#"{"hidden_items": {"testinstrument": ["a.antal"]}}"#,
            "not marked hideable",
        ),
        (
            br#"{"hidden_items": {"testinstrument": ["a.finns_inte"]}}"#,
            "no loaded version",
        ),
        (
            br#"{"hidden_items": {"sue": ["a.text"]}}"#,
            "unknown instrument",
        ),
        (br#"{"hidden": []}"#, "line 1 column"),
        (b"[1, 2", "line 1 column"),
    ];
    for (profile, message) in cases {
        let json = String::from_utf8(read("test-instrument.json")).expect("UTF-8");
        let definition = bistand_core::instrument::Definition::from_json(&json).expect("compiles");
        let error = bistand_core::Engine::with_definitions(vec![definition], Some(profile))
            .expect_err("refused");
        assert_eq!(error.kind(), ErrorKind::InvalidProfile);
        assert!(error.message_en().contains(message), "{error}");
    }
}

#[test]
fn completed_sections_hold_a_draft_section_to_the_complete_rules() {
    let engine = engine();
    let draft = |sections: serde_json::Value| {
        serde_json::to_vec(&json!({
            "instrument": "fia", "version": "1", "status": "draft", "interview_date": "2026-11-02",
            "unit": "Enheten för ekonomiskt bistånd, Norr", "completed_sections": sections,
            "answers": { "bakgrund.har_barn": false },
        }))
        .expect("serialises")
    };
    let report = engine
        .validate(None, &draft(json!(["arbete"])))
        .expect("parses");
    let errors: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.severity == bistand_core::Severity::Error)
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(
        errors,
        [
            "arbete.har_arbetat",
            "arbete.utbildning",
            "arbete.tydlig_bild_framtid",
            "arbete.syn_pa_krav"
        ]
    );
    assert!(report.warnings > 0);
    let parsed = engine.parse(None, &draft(json!([]))).expect("parses");
    assert_eq!(
        parsed.document.unit(),
        Some("Enheten för ekonomiskt bistånd, Norr")
    );
    assert_eq!(parsed.report.errors, 0);
    for bad in [json!(["finns_inte"]), json!("arbete"), json!([1])] {
        let error = engine.validate(None, &draft(bad)).expect_err("refused");
        assert_eq!(error.kind(), ErrorKind::InvalidDocument, "{error}");
    }
}

#[test]
fn answers_first_with_an_older_version_are_validated_against_that_version() {
    let json = String::from_utf8(read("test-instrument.json")).expect("UTF-8");
    let v1 = bistand_core::instrument::Definition::from_json(&json).expect("v1");
    // Version 2 drops `a.antal`: a document of version 1 answering it must not be judged by v2.
    let mut v2: serde_json::Value = serde_json::from_str(&json).expect("json");
    v2["version"] = json!("2");
    v2["sections"][0]["items"]
        .as_array_mut()
        .expect("items")
        .retain(|i| i["id"] != "a.antal");
    let v2 = bistand_core::instrument::Definition::from_json(&v2.to_string()).expect("v2");
    let engine = bistand_core::Engine::with_definitions(vec![v1, v2], None).expect("engine");
    let document = br#"{"answers": {"a.farg": "rod", "a.antal": 3, "a.rader": [{"typ": "insats"}]},
        "instrument": "testinstrument", "version": "1", "status": "complete", "interview_date": "2026-01-10"}"#;
    let report = engine
        .validate(Some("testinstrument"), document)
        .expect("parses");
    assert_eq!(report.version, "1");
    assert_eq!(brief(&report), json!([]));
    let as_v2 = String::from_utf8_lossy(document).replace(r#""version": "1""#, r#""version": "2""#);
    let report = engine
        .validate(Some("testinstrument"), as_v2.as_bytes())
        .expect("parses");
    assert_eq!(
        brief(&report),
        json!([{ "severity": "error", "code": "unknown_item", "path": "a.antal" }])
    );
    let error = engine
        .validate(Some("fia"), document)
        .expect_err("another instrument");
    assert_eq!(error.kind(), ErrorKind::InstrumentMismatch);
}

/// The fixture's fields in another order: `answers` first and the rest sorted (as key-sorting
/// serialisers write), or the envelope first and `answers` last.
fn reordered(document: &[u8], answers_first: bool) -> Option<Vec<u8>> {
    let serde_json::Value::Object(fields) = serde_json::from_slice(document).ok()? else {
        return None;
    };
    let mut fields: Vec<(String, serde_json::Value)> = fields.into_iter().collect();
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    fields.sort_by_key(|(key, _)| (key == "answers") != answers_first);
    let mut out = b"{".to_vec();
    for (index, (key, value)) in fields.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        out.extend(serde_json::to_vec(key).expect("a key"));
        out.push(b':');
        out.extend(serde_json::to_vec(value).expect("a value"));
    }
    out.push(b'}');
    Some(out)
}

#[test]
fn the_order_of_the_top_level_fields_changes_no_report() {
    // With `answers` first the validator guesses the definition from the text ahead (or from
    // the instrument asked for) and checks the guess; every guess, right or wrong, must give
    // the same report, findings, messages and places as the envelope-first order.
    let engine = engine();
    let mut compared = 0;
    for folder in ["fia/valid", "fia/invalid", "fia2/valid", "fia2/invalid"] {
        for name in files(folder, ".json") {
            if name.ends_with(".expected.json") || name == "profile.json" {
                continue;
            }
            let document = read(&format!("{folder}/{name}"));
            let Some(envelope_first) = reordered(&document, false) else {
                continue;
            };
            let answers_first = reordered(&document, true).expect("an object");
            for expected in [Some("fia"), None] {
                let first = engine.validate(expected, &envelope_first);
                let second = engine.validate(expected, &answers_first);
                match (first, second) {
                    (Ok(first), Ok(second)) => assert_eq!(first, second, "{folder}/{name}"),
                    (Err(first), Err(second)) => {
                        assert_eq!(first.kind(), second.kind(), "{folder}/{name}");
                    }
                    (first, second) => panic!("{folder}/{name}: {first:?} against {second:?}"),
                }
                compared += 1;
            }
        }
    }
    assert!(compared >= 80, "{compared}");
    // A key named `version` inside a row, ahead of the real one, and a version that does not
    // exist: the guess is wrong or impossible and the result is still the envelope's.
    let document = br#"{"answers": {"genomforandeplan.mal": [{"version": "2"}]},
        "status": "draft", "instrument": "fia", "version": "1"}"#;
    let report = engine.validate(Some("fia"), document).expect("parses");
    assert_eq!(report.version, "1");
    let document = br#"{"answers": {}, "status": "draft", "instrument": "fia", "version": "9"}"#;
    let error = engine.validate(None, document).expect_err("no version 9");
    assert_eq!(error.kind(), ErrorKind::UnknownVersion);
}

#[test]
fn findings_say_where_in_the_form_and_for_whom() {
    let engine = engine();
    let where_and_whom = |name: &str| {
        let report = engine
            .validate(None, &read(&format!("fia/invalid/{name}.json")))
            .expect("parses");
        let finding = &report.findings[0];
        (
            finding.location.sv.clone(),
            finding.location.en.clone(),
            finding.audience,
        )
    };
    assert_eq!(
        where_and_whom("not_in_code_list"),
        (
            "Skulder › Hur stort problem tycker du själv att detta är?".to_owned(),
            "Debts › How big a problem do you yourself think this is?".to_owned(),
            bistand_core::Audience::Integrator
        )
    );
    assert_eq!(
        where_and_whom("required_missing_in_row"),
        (
            "Genomförandeplan › Mål 1 › Ansvarig".to_owned(),
            "Implementation plan › Goals 1 › Responsible".to_owned(),
            bistand_core::Audience::Caseworker
        )
    );
    let report = engine
        .validate(None, &read("fia/invalid/interview_date_invalid.json"))
        .expect("parses");
    assert_eq!(report.findings[0].location.sv, "Intervjudatum");
    // The report JSON gains the two fields; nothing else changes.
    let json = serde_json::to_value(&report.findings[0]).expect("serialises");
    let mut keys: Vec<&str> = json
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "audience", "code", "location", "message", "path", "severity"
        ]
    );
}
