//! Every role x endpoint x unit, over TLS, and every answer's status documented in the
//! OpenAPI description.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::setup::ReadAnswer;
use crate::setup::{Service, fia_document};

const PRINCIPALS: [&str; 5] = [
    "handlaggare-norr",
    "handlaggare-soder",
    "analytiker",
    "analytiker-norr",
    "admin",
];

struct Case {
    method: Method,
    path: String,
    template: &'static str,
    body: Option<Value>,
    /// Expected status per principal in the order of `PRINCIPALS`, then without credentials.
    expected: [u16; 6],
}

fn case(
    method: Method,
    path: impl Into<String>,
    template: &'static str,
    body: Option<Value>,
    expected: [u16; 6],
) -> Case {
    Case {
        method,
        path: path.into(),
        template,
        body,
        expected,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_endpoint_and_unit() {
    let service = Service::start(|_| {}).await;
    let client = service.client();

    // A record of unit norr, written by its caseworker.
    let id = service
        .create_record("handlaggare-norr", "EB-2026-0042", "norr")
        .await;
    let record = format!("/v1/records/{id}");

    let document = Some(fia_document("norr"));
    let new_record = Some(json!({ "client_id": "EB-2026-0043", "document": fia_document("norr") }));
    let search = Some(json!({ "client_id": "EB-2026-0042" }));
    use Method as M;
    let cases = [
        case(
            M::GET,
            "/v1/instruments",
            "/v1/instruments",
            None,
            [200, 200, 200, 200, 200, 401],
        ),
        case(
            M::GET,
            "/v1/instruments/fia/definition",
            "/v1/instruments/{instrument}/definition",
            None,
            [200, 200, 200, 200, 200, 401],
        ),
        case(
            M::GET,
            "/v1/instruments/sue/schema",
            "/v1/instruments/{instrument}/schema",
            None,
            [200, 200, 200, 200, 200, 401],
        ),
        case(
            M::POST,
            "/v1/validate",
            "/v1/validate",
            document.clone(),
            [200, 200, 403, 403, 403, 401],
        ),
        case(
            M::POST,
            "/v1/validate/questionnaire-response",
            "/v1/validate/questionnaire-response",
            Some(json!({
                "resourceType": "QuestionnaireResponse",
                "questionnaire": "urn:bistand:questionnaire:fia|2",
                "status": "in-progress",
            })),
            [200, 200, 403, 403, 403, 401],
        ),
        case(
            M::POST,
            "/v1/summary",
            "/v1/summary",
            document.clone(),
            [200, 200, 403, 403, 403, 401],
        ),
        case(
            M::POST,
            "/v1/records",
            "/v1/records",
            new_record,
            [201, 403, 403, 403, 403, 401],
        ),
        case(
            M::GET,
            record.clone(),
            "/v1/records/{id}",
            None,
            [200, 404, 403, 403, 403, 401],
        ),
        case(
            M::PUT,
            record.clone(),
            "/v1/records/{id}",
            document.clone(),
            [200, 404, 403, 403, 403, 401],
        ),
        case(
            M::POST,
            "/v1/records/search",
            "/v1/records/search",
            search,
            [200, 200, 403, 403, 403, 401],
        ),
        case(
            M::GET,
            "/v1/reports/sue",
            "/v1/reports/{instrument}",
            None,
            [403, 403, 200, 200, 403, 401],
        ),
        case(
            M::GET,
            "/v1/reports/fia?units=norr",
            "/v1/reports/{instrument}",
            None,
            [403, 403, 200, 200, 403, 401],
        ),
        case(
            M::GET,
            "/v1/reports/sue?units=soder",
            "/v1/reports/{instrument}",
            None,
            [403, 403, 200, 403, 403, 401],
        ),
        case(
            M::GET,
            "/v1/audit",
            "/v1/audit",
            None,
            [403, 403, 403, 403, 200, 401],
        ),
        case(
            M::GET,
            "/v1/audit/verify",
            "/v1/audit/verify",
            None,
            [403, 403, 403, 403, 200, 401],
        ),
        case(
            M::POST,
            "/v1/keys/reseal",
            "/v1/keys/reseal",
            None,
            [403, 403, 403, 403, 200, 401],
        ),
        case(M::GET, "/health", "/health", None, [200; 6]),
        case(M::GET, "/ready", "/ready", None, [200; 6]),
        case(M::GET, "/metrics", "/metrics", None, [200; 6]),
        case(M::GET, "/openapi.json", "/openapi.json", None, [200; 6]),
    ];

    let mut seen: BTreeSet<(String, &'static str, u16)> = BTreeSet::new();
    let mut failures = Vec::new();
    for case in &cases {
        for (who, expected) in PRINCIPALS.iter().map(Some).chain([None]).zip(case.expected) {
            let mut request = client.request(case.method.clone(), service.url(&case.path));
            if let Some(name) = who {
                request = request.bearer_auth(service.token(name));
            }
            if let Some(body) = &case.body {
                request = request.json(body);
            }
            if case.method == M::PUT {
                // Any current revision: this test is about roles, `semantics.rs` about ETags.
                request = request.header("if-match", "*");
            }
            let response = request.send().await.expect("send");
            let status = response.status().as_u16();
            if status >= 400 {
                assert_eq!(
                    response.headers()["content-type"],
                    "application/problem+json",
                    "{} {} as {who:?}",
                    case.method,
                    case.path
                );
                let problem: Value = response.json().await.expect("problem");
                assert!(
                    problem["type"]
                        .as_str()
                        .expect("type")
                        .starts_with("urn:bistand:problem:")
                );
                assert!(
                    problem["message"]["sv"].is_string() && problem["message"]["en"].is_string()
                );
                assert!(problem["request_id"].is_string());
            }
            if status != expected {
                failures.push(format!(
                    "{} {} as {}: {status}, expected {expected}",
                    case.method,
                    case.path,
                    who.unwrap_or(&"nobody")
                ));
            }
            seen.insert((case.method.as_str().to_lowercase(), case.template, status));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");

    // The caseworker of soder finds nothing of norr's client; norr's finds the record.
    for (name, count) in [("handlaggare-norr", 1), ("handlaggare-soder", 0)] {
        let found: Value = client
            .post(service.url("/v1/records/search"))
            .bearer_auth(service.token(name))
            .json(&json!({ "client_id": "EB-2026-0042" }))
            .send_json()
            .await;
        assert_eq!(
            found["records"].as_array().expect("records").len(),
            count,
            "{name}"
        );
    }

    // Every status the service gave is documented for its route and method.
    let openapi: Value = client.get(service.url("/openapi.json")).send_json().await;
    assert_eq!(openapi["openapi"], "3.1.0");
    let mut undocumented = Vec::new();
    for (method, template, status) in &seen {
        let operation = &openapi["paths"][*template][method.as_str()];
        if operation.is_null() {
            undocumented.push(format!("{method} {template}: no operation"));
            continue;
        }
        let responses = &operation["responses"];
        let documented = !responses[status.to_string()].is_null()
            || (*status == 401 && !operation["security"].is_null())
            || (*status == 403 && !operation["security"].is_null());
        if !documented {
            undocumented.push(format!("{method} {template}: {status}"));
        }
    }
    assert!(undocumented.is_empty(), "{undocumented:#?}");
    // And every documented operation was called.
    for (path, item) in openapi["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            assert!(
                seen.iter().any(|(m, t, _)| m == method && t == path),
                "{method} {path} is documented but not tested"
            );
        }
    }

    // The audit log holds what happened, intact, and no client identifier.
    let audit: Value = client
        .get(service.url("/v1/audit?limit=1000"))
        .bearer_auth(service.token("admin"))
        .send_json()
        .await;
    let text = audit.to_string();
    assert!(!text.contains("EB-2026-0042"));
    let actions: BTreeSet<&str> = audit["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| {
            e["event"]["action"]
                .as_str()
                .or_else(|| e["action"].as_str())
        })
        .collect();
    for action in [
        "record.create",
        "record.read",
        "record.update",
        "record.search",
        "report.read",
    ] {
        assert!(
            actions.contains(action),
            "{action} not audited: {actions:?}"
        );
    }
    let verify: Value = client
        .get(service.url("/v1/audit/verify"))
        .bearer_auth(service.token("admin"))
        .send_json()
        .await;
    assert!(verify.to_string().contains("intact"), "{verify}");
    // The scheme name is case-insensitive; the token is not.
    let lower = client
        .get(service.url("/v1/instruments"))
        .header(
            "authorization",
            format!("bearer {}", service.token("admin")),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(lower.status(), StatusCode::OK);
    let basic = client
        .get(service.url("/v1/instruments"))
        .header("authorization", "Basic YWRtaW46YWRtaW4=")
        .send()
        .await
        .expect("send");
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        client
            .get(service.url("/v1/instruments"))
            .bearer_auth(service.token("admin").to_uppercase())
            .send()
            .await
            .expect("send")
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        client
            .get(service.url("/v1/instruments"))
            .bearer_auth("bistand_not_a_token")
            .send()
            .await
            .expect("send")
            .status(),
        StatusCode::UNAUTHORIZED
    );
    service.running.stop().await.expect("stops");
}
