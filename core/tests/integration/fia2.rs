//! FIA version 2 (the pilot form as the source material shows it) beside version 1, and the
//! declared migration from version 1 to 2.

use std::collections::BTreeSet;

use bistand_core::instrument::Source;
use bistand_core::{ErrorKind, Status};
use serde_json::Value;

use crate::migration::{migrate_fixtures, migrate_synthetic, one_report_counts_both_versions};
use crate::{brief, engine, files, read, read_json};

fn check_folder(folder: &str) -> Vec<String> {
    let engine = engine();
    let profiled = bistand_core::Engine::with_profile(&read("fia/invalid/profile.json"))
        .expect("the v1 profile also fits v2");
    let mut checked = Vec::new();
    for name in files(folder, ".expected.json") {
        let stem = name.trim_end_matches(".expected.json");
        let engine = if stem == "hidden_item_present" {
            &profiled
        } else {
            &engine
        };
        let report = engine
            .validate(Some("fia"), &read(&format!("{folder}/{stem}.json")))
            .unwrap_or_else(|e| panic!("{folder}/{stem}: refused: {e}"));
        assert_eq!(report.version, "2", "{folder}/{stem}");
        assert_eq!(
            brief(&report),
            read_json(&format!("{folder}/{name}")),
            "{folder}/{stem}"
        );
        checked.push(stem.to_owned());
    }
    checked
}

#[test]
fn v2_fixtures_have_exactly_their_expected_findings_one_per_code() {
    assert_eq!(check_folder("fia2/valid"), ["complete", "draft"]);
    let checked = check_folder("fia2/invalid");
    let mut codes = BTreeSet::new();
    for stem in &checked {
        for finding in read_json(&format!("fia2/invalid/{stem}.expected.json"))
            .as_array()
            .expect("array")
        {
            codes.insert(finding["code"].as_str().expect("code").to_owned());
        }
    }
    for code in bistand_core::FindingCode::ALL {
        // FIA has no group with a minimum and no multiple choice limited below its list (as v1):
        // the test instrument covers these two.
        if matches!(code.as_str(), "too_few_rows" | "selection_count") {
            continue;
        }
        assert!(
            codes.contains(code.as_str()),
            "no v2 fixture for {}",
            code.as_str()
        );
    }
}

#[test]
fn v1_stays_the_default_and_valid_as_it_is() {
    let engine = engine();
    assert_eq!(engine.definition("fia", None).expect("fia").version(), "1");
    assert_eq!(
        engine.definition("fia", Some("2")).expect("v2").version(),
        "2"
    );
    let report = engine
        .validate(None, &read("fia/valid/complete.json"))
        .expect("parses");
    assert!(report.valid && report.version == "1");
}

#[test]
fn every_v2_item_states_its_provenance_and_the_additions_are_marked() {
    let engine = engine();
    let v2 = engine.definition("fia", Some("2")).expect("v2");
    for item in v2.items() {
        assert!(item.provenance.is_some(), "{} has no provenance", item.id);
    }
    let source = |id: &str| {
        let item = v2.item(v2.find(id).unwrap_or_else(|| panic!("{id}")));
        item.provenance.as_ref().expect("provenance").source
    };
    // No source shows per-area "affects work" or "wants help": bistand's, and hideable.
    for area in ["boende", "skulder", "psykisk_halsa"] {
        for local in ["paverkar_arbete", "vill_ha_hjalp"] {
            let id = format!("{area}.{local}");
            assert_eq!(source(&id), Source::Bistand, "{id}");
            assert!(v2.item(v2.find(&id).expect("item")).hideable, "{id}");
        }
    }
    for id in [
        "intervju.samtycke",
        "intervju.langd_minuter",
        "bakgrund.pagaende_insatser",
    ] {
        assert_eq!(source(id), Source::Bistand, "{id}");
    }
    for id in [
        "skulder.betalningsanmarkning",
        "alkohol_droger.droger",
        "overgrepp_tvang.sexuellt_vald",
        "enkat_handlaggare.klienten_accepterade",
        "enkat_klient.tydligare_bild_handlaggare",
    ] {
        assert_eq!(source(id), Source::PilotForm, "{id}");
    }
    // The assessment categories exclude each other, worded as the pilot does.
    let kategori = v2.item(v2.find("bedomning.kategori").expect("item"));
    let bistand_core::instrument::ItemKind::SingleChoice { list } = kategori.kind else {
        panic!("single choice")
    };
    let labels: Vec<&str> = v2
        .code_list(list)
        .codes
        .iter()
        .map(|c| c.label.sv.as_str())
        .collect();
    assert!(
        labels.contains(&"Ej stödbehov i arbete men socialt"),
        "{labels:?}"
    );
}

#[test]
fn every_v1_fixture_migrates_to_v2_without_panic_or_silent_loss() {
    // Only a document with a repeated key cannot be read as JSON data at all.
    let migrated = migrate_fixtures(
        &engine(),
        &["fia/valid", "fia/invalid"],
        ("1", "2"),
        &["duplicate_answer.json"],
    );
    assert!(migrated >= 20);
}

#[test]
fn the_complete_v1_fixture_migrates_to_a_v2_draft_naming_what_v2_needs() {
    let engine = engine();
    let migrated = engine
        .migrate(&read("fia/valid/complete.json"), Some("2"))
        .expect("migrates");
    assert_eq!(migrated.status, Status::Draft);
    let items: Vec<&str> = migrated
        .not_carried
        .iter()
        .map(|n| n.item.as_str())
        .collect();
    // v2 asks for consent and for alcohol and drugs separately; v1 has no answer to carry.
    for needed in [
        "intervju.samtycke",
        "alkohol_droger.alkohol",
        "alkohol_droger.droger",
    ] {
        assert!(items.contains(&needed), "{items:?}");
    }
    let out: Value = serde_json::from_slice(&migrated.document).expect("JSON");
    assert_eq!(out["version"], "2");
    assert_eq!(out["answers"]["skulder.problem_klient"], "mycket_stort");
    // A v2 document is read as it is.
    let same = engine
        .migrate(&read("fia2/valid/complete.json"), None)
        .expect("reads");
    assert_eq!(same.status, Status::Complete);
    assert!(same.not_carried.is_empty());
    // Backwards there is no declared migration.
    let error = engine
        .migrate(&read("fia2/valid/complete.json"), Some("1"))
        .expect_err("no way back");
    assert_eq!(error.kind(), ErrorKind::UnknownVersion);
}

#[test]
fn the_evaluation_answers_of_the_wrong_respondent_are_not_carried_and_recodes_follow_their_rule() {
    let engine = engine();
    let mut document = read_json("fia/valid/complete.json");
    let answers = document["answers"].as_object_mut().expect("answers");
    answers.insert("enkat_klient.negativ_reaktion".into(), Value::Bool(true));
    answers.insert("enkat_handlaggare.ny_kunskap".into(), "i_viss_grad".into());
    answers.insert(
        "enkat_handlaggare.tydligare_bild".into(),
        "i_hog_grad".into(),
    );
    let bytes = serde_json::to_vec(&document).expect("JSON");
    let migrated = engine.migrate(&bytes, None).expect("migrates");
    let out: Value = serde_json::from_slice(&migrated.document).expect("JSON");
    assert_eq!(out["answers"]["enkat_handlaggare.ny_kunskap"], true);
    for moved in [
        "enkat_klient.negativ_reaktion",
        "enkat_handlaggare.tydligare_bild",
    ] {
        assert!(out["answers"].get(moved).is_none());
        let reason = migrated
            .not_carried
            .iter()
            .find(|n| n.item == moved)
            .unwrap_or_else(|| panic!("{moved} has no reason"));
        assert!(
            reason.reason.sv.contains("fel person"),
            "{}",
            reason.reason.sv
        );
    }
}

#[test]
fn ten_thousand_synthetic_v1_documents_migrate_without_panic_or_silent_loss() {
    let engine = engine();
    let v1 = engine.definition("fia", Some("1")).expect("v1");
    let documents = bistand_core::fia::fia_documents(v1, 16, 10_000).expect("generates");
    migrate_synthetic(&engine, &documents, "2");
}

#[test]
fn one_report_in_v2_counts_v1_and_v2_documents_alike_and_a_v1_report_refuses_v2() {
    let engine = engine();
    let v1 = engine.definition("fia", Some("1")).expect("v1");
    let documents = bistand_core::fia::fia_documents(v1, 7, 300).expect("generates");
    one_report_counts_both_versions(&engine, "fia", ("1", "2"), &documents);
}

#[test]
fn a_fhir_questionnaire_response_becomes_a_document_and_is_validated() {
    use serde_json::json;
    let definition =
        String::from_utf8(read("supplied/definitions/lokal_uppfoljning-1.json")).expect("UTF-8");
    let engine = bistand_core::Engine::with_supplied(&[&definition], None).expect("engine");
    let system = "urn:bistand:codes:lokal_uppfoljning:kontaktsatt";
    let response = json!({
        "resourceType": "QuestionnaireResponse",
        "questionnaire": "urn:bistand:questionnaire:lokal_uppfoljning|1",
        "status": "completed",
        "authored": "2026-11-30T10:15:00+01:00",
        "item": [{ "linkId": "kontakt", "item": [
            { "linkId": "kontakt.tolk", "answer": [{ "valueBoolean": true }] },
            { "linkId": "kontakt.antal_samtal", "answer": [{ "valueInteger": 99 }] },
            { "linkId": "kontakt.kommentar", "answer": [{ "valueString": "Samtal på Söder om boendet." }] },
        ]}],
    });
    let (instrument, version) = bistand_core::fhir::response_target(&response).expect("target");
    let definition = engine
        .definition(&instrument, Some(&version))
        .expect("loaded");
    let document =
        bistand_core::fhir::document_from_response(definition, &response).expect("converts");
    let report = engine.validate(None, &document).expect("validates");
    // The same two findings, byte for byte, as the document written directly.
    assert_eq!(
        serde_json::to_vec(&report).expect("JSON"),
        read("supplied/document.report.json")
    );
    // The one path of the shells (REST, C ABI): the response of `tests/data/supplied`, read and
    // validated, gives the bytes both are held to.
    let imported = engine
        .validate_response(&read("supplied/response.json"))
        .expect("a response to a loaded questionnaire");
    assert_eq!(
        serde_json::to_vec(&imported.report).expect("JSON"),
        read("supplied/document.report.json")
    );
    assert_eq!(
        imported.document["unit"],
        Value::Null,
        "FHIR carries no unit"
    );
    let bytes = serde_json::to_vec(&imported).expect("JSON");
    let golden = crate::data("supplied/response.result.json");
    if std::env::var_os("BISTAND_BLESS").is_some() {
        std::fs::write(&golden, &bytes).expect("writable");
    }
    assert_eq!(
        String::from_utf8(bytes).expect("UTF-8"),
        std::fs::read_to_string(golden).expect("golden")
    );
    let error = engine
        .validate_response(br#"{"resourceType": "Patient"}"#)
        .expect_err("not a response");
    assert_eq!(error.kind(), ErrorKind::InvalidDocument);
    let error = engine
        .validate_response(b"{\"resourceType\": ")
        .expect_err("not JSON");
    assert_eq!(error.kind(), ErrorKind::MalformedJson);
    // With the missing answer given as a coding, the response is valid.
    let mut complete = response.clone();
    complete["item"][0]["item"][1]["answer"][0]["valueInteger"] = json!(3);
    complete["item"][0]["item"]
        .as_array_mut()
        .expect("items")
        .insert(0, json!({ "linkId": "kontakt.satt", "answer": [{ "valueCoding": { "system": system, "code": "besok" } }] }));
    let document =
        bistand_core::fhir::document_from_response(definition, &complete).expect("converts");
    assert!(engine.validate(None, &document).expect("validates").valid);

    // FIA version 2: a repeating group's repetitions become rows, a multiple choice a list.
    let engine = crate::engine();
    let v2 = engine.definition("fia", Some("2")).expect("v2");
    let response = json!({
        "resourceType": "QuestionnaireResponse",
        "questionnaire": "urn:bistand:questionnaire:fia|2",
        "status": "in-progress",
        "item": [{ "linkId": "genomforandeplan", "item": [
            { "linkId": "genomforandeplan.mal", "item": [
                { "linkId": "genomforandeplan.mal.mal", "answer": [{ "valueString": "Få ordning på skulderna" }] },
                { "linkId": "genomforandeplan.mal.insatser", "answer": [{ "valueCoding": { "code": "skuldradgivning" } }] },
            ]},
            { "linkId": "genomforandeplan.mal", "item": [
                { "linkId": "genomforandeplan.mal.mal", "answer": [{ "valueString": "Arbetspraktik" }] },
            ]},
        ]}],
    });
    let document: Value = serde_json::from_slice(
        &bistand_core::fhir::document_from_response(v2, &response).expect("converts"),
    )
    .expect("JSON");
    assert_eq!(document["status"], "draft");
    assert_eq!(
        document["answers"]["genomforandeplan.mal"],
        json!([{ "mal": "Få ordning på skulderna", "insatser": ["skuldradgivning"] }, { "mal": "Arbetspraktik" }])
    );
    let report = engine
        .validate(None, &serde_json::to_vec(&document).expect("JSON"))
        .expect("validates");
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.code.as_str() == "required_missing"),
        "{:?}",
        report.findings
    );
}

#[test]
fn a_supplied_instruments_report_names_only_the_breakdowns_it_has() {
    let definition =
        String::from_utf8(read("supplied/definitions/lokal_uppfoljning-1.json")).expect("UTF-8");
    let engine = bistand_core::Engine::with_supplied(&[&definition], None).expect("engine");
    // Every breakdown asked for (the default); a supplied instrument reports by unit and year.
    let options = bistand_core::stats::ReportOptions {
        exact: true,
        ..bistand_core::stats::ReportOptions::default()
    };
    let report = bistand_core::stats::ndjson::report_from_ndjson(
        &engine,
        "lokal_uppfoljning",
        &read("supplied/documents.ndjson"),
        jiff::civil::date(2026, 11, 30),
        &options,
        None,
    )
    .expect("a report");
    let provenance = report.report.provenance.expect("provenance");
    assert_eq!(provenance.breakdowns, ["total", "unit", "period"]);
    let rows: std::collections::BTreeSet<&str> = report
        .report
        .tables
        .iter()
        .map(|t| t.rows_are.as_str())
        .collect();
    assert!(
        rows.iter()
            .all(|r| provenance.breakdowns.iter().any(|b| b == r))
    );
}
