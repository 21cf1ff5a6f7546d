//! A definition the organisation supplies (the `definitions` configuration key) is served end to
//! end: the REST API validates its documents to the same report bytes as the command line and
//! the C ABI (`tests/data/supplied/document.report.json`).

use std::path::PathBuf;

use bistand_core::Engine;
use bistand_core::stats::ndjson::PersonKeys;
use bistand_core::stats::provenance::Provenance;
use bistand_core::stats::{ReportOptions, report_from_ndjson};
use serde_json::{Value, json};

use crate::setup::{ReadAnswer, Service};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplied_definition_validates_to_the_shared_report_bytes() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/supplied");
    let folder = root.join("definitions");
    let service = Service::start(move |config| config.definitions = Some(folder)).await;
    let client = service.client();
    let response = client
        .post(service.url("/v1/validate?instrument=lokal_uppfoljning"))
        .bearer_auth(service.token("handlaggare-norr"))
        .header("content-type", "application/json")
        .body(std::fs::read(root.join("document.json")).expect("document"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 200);
    let body = response.bytes().await.expect("body");
    let golden = std::fs::read(root.join("document.report.json")).expect("golden");
    assert_eq!(
        String::from_utf8_lossy(&body),
        String::from_utf8_lossy(&golden)
    );
    // Its definition is served beside the shipped ones.
    let response = client
        .get(service.url("/v1/instruments/lokal_uppfoljning/definition"))
        .bearer_auth(service.token("handlaggare-norr"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response
            .text()
            .await
            .expect("text")
            .contains("Hur träffades ni?")
    );
    service.running.stop().await.expect("stops");
}

/// The generic report of a supplied instrument over REST is the core's report of the same
/// records (`bistand_core::stats::report_from_ndjson`, which the command line and the C ABI
/// give byte for byte: `tests/data/supplied/report.csv`), counted by person and perturbed with the
/// service's keys as every report from the store is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplied_definition_gets_the_generic_report_over_rest() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/supplied");
    let folder = root.join("definitions");
    let definition =
        std::fs::read_to_string(folder.join("lokal_uppfoljning-1.json")).expect("definition");
    let service = Service::start(move |config| config.definitions = Some(folder)).await;
    let client = service.client();
    let mut wrapped = Vec::new();
    let documents = std::fs::read_to_string(root.join("documents.ndjson")).expect("documents");
    for (i, line) in documents.lines().enumerate() {
        let mut document: Value = serde_json::from_str(line).expect("JSON");
        if document["answers"]["kontakt.satt"].is_null() {
            continue; // the one with an error finding: the service would not store it
        }
        // The service's units.
        let unit = if document["unit"] == "Söder" {
            "soder"
        } else {
            "norr"
        };
        document["unit"] = json!(unit);
        let record = json!({ "client_id": format!("LU-{i}"), "document": document });
        let response = client
            .post(service.url("/v1/records"))
            .bearer_auth(service.token(&format!("handlaggare-{unit}")))
            .json(&record)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status().as_u16(), 201);
        wrapped.extend(serde_json::to_vec(&record).expect("JSON"));
        wrapped.push(b'\n');
    }
    let config = bistand_sidecar::config::Config::load(&service.created.config).expect("config");
    let keys = bistand_core::keys::parse_keys(&std::fs::read(&config.store.keys).expect("keys"))
        .expect("keys");
    let engine = Engine::with_supplied(&[&definition], None).expect("engine");
    let mut expected = report_from_ndjson(
        &engine,
        "lokal_uppfoljning",
        &wrapped,
        "2026-11-30".parse().expect("date"),
        &ReportOptions::default(),
        Some(PersonKeys {
            pseudonym: &keys.pseudonym,
            statistics: &keys.statistics,
        }),
    )
    .expect("the core's report");
    let text = client
        .get(service.url("/v1/reports/lokal_uppfoljning?as_of=2026-11-30"))
        .bearer_auth(service.token("analytiker"))
        .send_text()
        .await;
    let served: Value = serde_json::from_str(&text).expect("JSON");
    let tables: Vec<&str> = served["report"]["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .map(|t| t["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        tables,
        ["kontakt.satt", "kontakt.satt.unit", "kontakt.satt.period"]
    );
    // The same report but for where it was read from (the store).
    let provenance: Provenance =
        serde_json::from_value(served["report"]["provenance"].clone()).expect("provenance");
    assert_eq!(provenance.input.source, "store");
    expected.report.provenance = Some(provenance);
    let report_text = serde_json::to_string(&expected.report).expect("JSON");
    assert_eq!(
        text,
        format!("{{\"report\":{report_text},\"records_not_counted\":0}}")
    );
    service.running.stop().await.expect("stops");
}

/// FHIR through REST: the definition as a Questionnaire (parsed by the `fhir.resources` Python
/// package, as the command line's export is), and the way back, a QuestionnaireResponse read as
/// a document and validated to the bytes the core and the C ABI give.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fhir_questionnaire_and_response_round_trip_over_rest() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/supplied");
    let folder = root.join("definitions");
    let service = Service::start(move |config| config.definitions = Some(folder)).await;
    let client = service.client();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for (instrument, version) in [("lokal_uppfoljning", "1"), ("fia", "2")] {
        let response = client
            .get(service.url(&format!(
                "/v1/instruments/{instrument}/definition?version={version}&format=fhir"
            )))
            .bearer_auth(service.token("handlaggare-norr"))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-type"], "application/fhir+json");
        let path = dir.path().join(format!("{instrument}-{version}.json"));
        std::fs::write(&path, response.bytes().await.expect("body")).expect("write");
        files.push(path);
    }
    crate::common::assert_fhir_questionnaires_parse(&files);
    let problem = client
        .get(service.url("/v1/instruments/fia/definition?format=xml"))
        .bearer_auth(service.token("handlaggare-norr"))
        .send()
        .await
        .expect("send");
    assert_eq!(problem.status().as_u16(), 400);
    assert_eq!(
        problem.headers()["content-type"],
        "application/problem+json"
    );

    let response = client
        .post(service.url("/v1/validate/questionnaire-response"))
        .bearer_auth(service.token("handlaggare-norr"))
        .header("content-type", "application/fhir+json")
        .body(std::fs::read(root.join("response.json")).expect("response"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 200);
    let body = response.text().await.expect("body");
    let golden = std::fs::read_to_string(root.join("response.result.json")).expect("golden");
    assert_eq!(body, golden);
    let problem = client
        .post(service.url("/v1/validate/questionnaire-response"))
        .bearer_auth(service.token("handlaggare-norr"))
        .header("content-type", "application/fhir+json")
        .body(r#"{"resourceType": "Patient"}"#)
        .send()
        .await
        .expect("send");
    assert_eq!(problem.status().as_u16(), 422);
    service.running.stop().await.expect("stops");
}
