//! Group reports over the API are the core's report of the same records: one code path for the
//! C ABI, the command line and the sidecar; units filter them; CSV carries the language asked for.

use bistand_core::stats::csv::{CsvDialect, to_csv};
use bistand_core::stats::ndjson::PersonKeys;
use bistand_core::stats::provenance::Provenance;
use bistand_core::stats::{Dimension, ReportOptions, Threshold, report_from_ndjson};
use bistand_core::sue::SueGenerator;
use bistand_core::{Engine, Language};
use serde_json::{Value, json};

use crate::setup::{ReadAnswer, Service};

/// `GET path` as the analyst of every unit.
async fn analyst_get(service: &Service, path: &str) -> reqwest::Response {
    service
        .client()
        .get(service.url(path))
        .bearer_auth(service.token("analytiker"))
        .send()
        .await
        .expect("send")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_over_the_api_are_the_cores_report_of_the_same_records() {
    let service = Service::start(|_| {}).await;
    let client = service.client();
    let engine = Engine::new().expect("engine");
    let definition = engine.definition("sue", None).expect("sue");
    let mut norr = Vec::new();
    for (i, mut document) in SueGenerator::new(definition, 11)
        .expect("generator")
        .take(60)
        .enumerate()
    {
        let unit = if i % 3 == 0 { "soder" } else { "norr" };
        document["unit"] = json!(unit);
        let response = client
            .post(service.url("/v1/records"))
            .bearer_auth(service.token(&format!("handlaggare-{unit}")))
            .json(&json!({ "client_id": format!("EB-T-{i}"), "document": document }))
            .send()
            .await
            .expect("send");
        assert_eq!(
            response.status().as_u16(),
            201,
            "{}",
            response.text().await.unwrap_or_default()
        );
        if unit == "norr" {
            // The wrapped form, so the core's report identifies the same persons.
            let line = json!({ "client_id": format!("EB-T-{i}"), "document": document });
            norr.extend(serde_json::to_vec(&line).expect("json"));
            norr.push(b'\n');
        }
    }
    let as_of = "2026-11-24".parse().expect("date");
    let options = ReportOptions {
        threshold: Threshold::default(),
        dimensions: vec![Dimension::Total, Dimension::Gender, Dimension::AgeBand],
        ..ReportOptions::default()
    };
    // The service's own keys: the same persons get the same perturbed counts through REST and
    // through the core's NDJSON report.
    let config = bistand_sidecar::config::Config::load(&service.created.config).expect("config");
    let keys = bistand_core::keys::parse_keys(&std::fs::read(&config.store.keys).expect("keys"))
        .expect("keys");
    let person_keys = PersonKeys {
        pseudonym: &keys.pseudonym,
        statistics: &keys.statistics,
    };
    let mut expected =
        report_from_ndjson(&engine, "sue", &norr, as_of, &options, Some(person_keys))
            .expect("report");
    assert!(!expected.report.exact && expected.report.perturbation.is_some());

    let path = "/v1/reports/sue?as_of=2026-11-24&breakdowns=gender,age_band&units=norr";
    let text = client
        .get(service.url(path))
        .bearer_auth(service.token("analytiker"))
        .send_text()
        .await;
    // The same report but for where it was read from: the store, norr's 40 records.
    let served: Value = serde_json::from_str(&text).expect("json");
    let provenance: Provenance =
        serde_json::from_value(served["report"]["provenance"].clone()).expect("provenance");
    assert_eq!(provenance.input.source, "store");
    assert_eq!(provenance.input.units, ["norr"]);
    assert_eq!((provenance.input.read, provenance.input.counted), (40, 40));
    assert_eq!(
        provenance.breakdowns,
        expected
            .report
            .provenance
            .as_ref()
            .expect("provenance")
            .breakdowns
    );
    expected.report.provenance = Some(provenance);
    // Compared as text: parsing floats back is not exact in serde_json without float_roundtrip.
    let report_text = serde_json::to_string(&expected.report).expect("json");
    assert_eq!(
        text,
        format!("{{\"report\":{report_text},\"records_not_counted\":0}}")
    );
    let api: Value = serde_json::from_str(&text).expect("json");
    // The analyst of norr alone gets the same report without naming the unit.
    let own: Value = client
        .get(service.url("/v1/reports/sue?as_of=2026-11-24&breakdowns=gender,age_band"))
        .bearer_auth(crate::setup::NORR_ANALYST_TOKEN)
        .send_json()
        .await;
    assert_eq!(own["report"], api["report"]);
    // Both units together count more clients than norr alone.
    let both: Value = client
        .get(service.url("/v1/reports/sue?as_of=2026-11-24&breakdowns=gender"))
        .bearer_auth(service.token("analytiker"))
        .send_json()
        .await;
    assert_ne!(both["report"], api["report"]);

    let response = analyst_get(&service, &format!("{path}&format=csv&lang=en")).await;
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let csv = response.text().await.expect("text");
    assert_eq!(
        csv,
        to_csv(&expected.report, Language::English, CsvDialect::Plain)
    );
    // Swedish labels in the Swedish Excel dialect, chosen explicitly with English labels too.
    for (query, language, dialect) in [
        ("&format=csv", Language::Swedish, CsvDialect::ExcelSv),
        (
            "&format=csv&lang=en&csv_dialect=excel-sv",
            Language::English,
            CsvDialect::ExcelSv,
        ),
        (
            "&format=csv&lang=sv&csv_dialect=plain",
            Language::Swedish,
            CsvDialect::Plain,
        ),
    ] {
        let bytes = analyst_get(&service, &format!("{path}{query}"))
            .await
            .bytes()
            .await
            .expect("body");
        assert_eq!(
            bytes.as_ref(),
            to_csv(&expected.report, language, dialect).as_bytes(),
            "{query}"
        );
        assert_eq!(
            bytes.starts_with("\u{feff}".as_bytes()),
            dialect == CsvDialect::ExcelSv,
            "{query}"
        );
    }
    let response = analyst_get(&service, &format!("{path}&format=xlsx")).await;
    assert_eq!(
        response.headers()["content-type"],
        bistand_core::stats::xlsx::CONTENT_TYPE
    );
    let bytes = response.bytes().await.expect("body");
    assert_eq!(
        bytes.as_ref(),
        bistand_core::stats::xlsx::to_xlsx(&expected.report, Language::Swedish)
            .expect("xlsx")
            .as_slice()
    );
    // The HTML page is the core's page of the same report (the browser test opens such pages).
    let response = analyst_get(&service, &format!("{path}&format=html&lang=en")).await;
    assert_eq!(
        response.headers()["content-type"],
        bistand_core::stats::html::CONTENT_TYPE
    );
    assert_eq!(
        response.text().await.expect("text"),
        bistand_core::stats::html::to_html(&expected.report, Language::English)
    );
    let refused = analyst_get(&service, &format!("{path}&format=csv&csv_dialect=excel")).await;
    assert_eq!(refused.status(), 400);
    service.running.stop().await.expect("stops");
}

/// `tables=` gives the tables asked for (ids or families), each exactly as in the full report
/// of the same records: for random subsets, selecting never changes a published cell (same
/// persons, same perturbed count; no cell's protection depends on what else was asked). An
/// unknown table is a 400 that does not repeat the name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn selected_tables_are_those_of_the_full_report() {
    let service = Service::start(|_| {}).await;
    let client = service.client();
    let engine = Engine::new().expect("engine");
    let definition = engine.definition("sue", None).expect("sue");
    for (i, mut document) in SueGenerator::new(definition, 12)
        .expect("generator")
        .take(90)
        .enumerate()
    {
        let unit = if i % 3 == 0 { "soder" } else { "norr" };
        document["unit"] = json!(unit);
        // Some clients have two records: each counts once, through the latest.
        let client_id = format!("EB-Ö-{}", i % 70);
        let response = client
            .post(service.url("/v1/records"))
            .bearer_auth(service.token(&format!("handlaggare-{unit}")))
            .json(&json!({ "client_id": client_id, "document": document }))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status().as_u16(), 201);
    }
    let get = |query: String| {
        let request = client
            .get(service.url(&format!("/v1/reports/sue?as_of=2026-11-24{query}")))
            .bearer_auth(service.token("analytiker"));
        async move { request.send_json().await }
    };
    let full = get(String::new()).await;
    let tables = full["report"]["tables"].as_array().expect("tables").clone();
    let ids: Vec<String> = tables
        .iter()
        .map(|t| t["id"].as_str().expect("id").to_owned())
        .collect();
    let family = |id: &str| id.split('.').next().expect("a family").to_owned();
    let mut families: Vec<String> = ids.iter().map(|id| family(id)).collect();
    families.dedup();
    assert!(families.len() > 20, "{families:?}");
    // A small deterministic generator: the subsets differ from run to run of the seed only.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..6 {
        let mut names: Vec<String> = Vec::new();
        for _ in 0..1 + next() % 4 {
            let pick = next() as usize;
            names.push(if pick.is_multiple_of(2) {
                families[pick / 2 % families.len()].clone()
            } else {
                ids[pick / 2 % ids.len()].clone()
            });
        }
        let subset = get(format!("&tables={}", names.join(","))).await;
        let expected: Vec<&Value> = tables
            .iter()
            .filter(|t| {
                let id = t["id"].as_str().expect("id");
                names.iter().any(|n| n == id || *n == family(id))
            })
            .collect();
        let got: Vec<&Value> = subset["report"]["tables"]
            .as_array()
            .expect("tables")
            .iter()
            .collect();
        assert!(!got.is_empty(), "{names:?}");
        assert_eq!(got, expected, "{names:?}");
        assert_eq!(
            subset["report"]["provenance"]["tables"],
            json!(names.iter().fold(Vec::<&String>::new(), |mut seen, n| {
                if !seen.contains(&n) {
                    seen.push(n);
                }
                seen
            }))
        );
    }
    let response = client
        .get(service.url("/v1/reports/sue?as_of=2026-11-24&tables=needs,behovsprofil"))
        .bearer_auth(service.token("analytiker"))
        .send()
        .await
        .expect("send");
    // A well-formed table name that is not in this report: 422, the position, never the name.
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.expect("problem");
    assert_eq!(problem["type"], "urn:bistand:problem:table_not_in_report");
    let text = problem.to_string();
    assert!(text.contains("tabell nummer 2"), "{text}");
    assert!(!text.contains("behovsprofil"), "{text}");
    // A table of a breakdown not asked for is not in that report.
    let response = client
        .get(service.url("/v1/reports/sue?as_of=2026-11-24&breakdowns=unit&tables=needs.gender"))
        .bearer_auth(service.token("analytiker"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 422);
    service.running.stop().await.expect("stops");
}

/// `POST /v1/summary?format=html`: the printable FIA, the core's page of the same document, in
/// the language asked for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_printable_fia_over_the_api_is_the_cores_page() {
    let service = Service::start(|_| {}).await;
    let client = service.client();
    let engine = Engine::new().expect("engine");
    let document = crate::setup::fia_document("norr").to_string();
    for (query, language) in [
        ("format=html", Language::Swedish),
        ("format=html&lang=en", Language::English),
    ] {
        let response = client
            .post(service.url(&format!("/v1/summary?today=2026-11-24&{query}")))
            .bearer_auth(service.token("handlaggare-norr"))
            .header("content-type", "application/json")
            .body(document.clone())
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 200, "{query}");
        assert_eq!(
            response.headers()["content-type"],
            bistand_core::html::CONTENT_TYPE
        );
        let page = response.text().await.expect("text");
        let today = jiff::civil::date(2026, 11, 24);
        assert_eq!(
            page,
            engine
                .printable_summary(None, document.as_bytes(), Some(today), language)
                .expect("page")
        );
        assert!(page.contains("Få ordning på skulderna"), "{query}");
    }
    service.running.stop().await.expect("stops");
}
