//! Snapshots of every user-visible text: each finding code's message in both languages (from the
//! fixtures and the test instrument), and the messages of refused documents.

use serde_json::{Value, json};

use crate::{engine, files, read, read_json, test_engine};

#[test]
fn finding_messages() {
    let engine = engine();
    let profiled =
        bistand_core::Engine::with_profile(&read("fia/invalid/profile.json")).expect("profile");
    let mut all = Vec::new();
    for folder in ["fia/valid", "fia/invalid"] {
        for name in files(folder, ".expected.json") {
            let stem = name.trim_end_matches(".expected.json");
            let engine = if stem == "hidden_item_present" {
                &profiled
            } else {
                &engine
            };
            let report = engine
                .validate(None, &read(&format!("{folder}/{stem}.json")))
                .expect("parses");
            for finding in report.findings.iter().take(3) {
                all.push(json!({ "fixture": stem, "code": finding.code.as_str(), "audience": finding.audience, "location": finding.location, "sv": finding.message.sv, "en": finding.message.en }));
            }
        }
    }
    let document = json!({
        "instrument": "testinstrument", "version": "1", "status": "complete", "interview_date": "2026-01-10",
        "answers": { "a.farg": "rod", "a.farger": ["rod", "bla", "gul"], "a.rader": [], "a.start": "2026-01-01",
                     "a.ja": false, "a.bara_om_ja": "x", "a.antal": "tre", "a.andel": [1], "a.text": {"x": 1}, "a.slut": true },
    });
    let report = test_engine(None)
        .validate(None, &serde_json::to_vec(&document).expect("json"))
        .expect("parses");
    for finding in &report.findings {
        all.push(json!({ "fixture": "test-instrument", "code": finding.code.as_str(), "audience": finding.audience, "location": finding.location, "sv": finding.message.sv, "en": finding.message.en }));
    }
    insta::assert_json_snapshot!("finding_messages", Value::Array(all));
}

#[test]
fn error_messages() {
    let engine = engine();
    let expected = read_json("fia/malformed/expected.json");
    let mut all = serde_json::Map::new();
    for (name, _) in expected.as_object().expect("object") {
        let error = engine
            .validate(None, &read(&format!("fia/malformed/{name}")))
            .expect_err(name);
        all.insert(name.clone(), json!({ "kind": error.kind().as_str(), "sv": error.message_sv(), "en": error.message_en() }));
    }
    insta::assert_json_snapshot!("error_messages", Value::Object(all));
}
