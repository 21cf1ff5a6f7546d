//! Bad input at every endpoint: a precise problem, never a crash, and nothing echoed.

use reqwest::Method;
use serde_json::{Value, json};

use crate::setup::{Service, fia_document};

/// Method, path, token, body, expected status and problem kind.
type BadRequest<'a> = (Method, &'a str, &'a String, Vec<u8>, u16, &'a str);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_precise_problem() {
    let service = Service::start(|config| config.limits.max_body_bytes = 1024 * 1024).await;
    let client = service.client();
    let caseworker = service.token("handlaggare-norr");
    let analyst = service.token("analytiker");
    let admin = service.token("admin");
    let deep = fia_document("norr").to_string().replacen(
        "\"answers\":{",
        &format!(
            "\"answers\":{{\"djup\":{}{},",
            "[".repeat(10_000),
            "]".repeat(10_000)
        ),
        1,
    );
    assert!(deep.len() > 20_000);
    let mut unknown = fia_document("norr");
    unknown["instrument"] = json!("xyz");
    let mut with_errors = fia_document("norr");
    with_errors["answers"]["boende.omfattning"] = json!("inte-en-kod-19121212-1212");
    let huge = vec![b' '; 1024 * 1024 + 1];
    let canary = "19121212-1212";

    let cases: Vec<BadRequest<'_>> = vec![
        (
            Method::POST,
            "/v1/validate",
            &caseworker,
            b"{\"instrument\": ".to_vec(),
            400,
            "malformed_json",
        ),
        (
            Method::POST,
            "/v1/validate",
            &caseworker,
            vec![b'"', 0xff, 0xfe, b'"'],
            400,
            "invalid_utf8",
        ),
        (
            Method::POST,
            "/v1/validate",
            &caseworker,
            huge.clone(),
            413,
            "too_large",
        ),
        // Every route that takes a body reads it through one extractor that holds the limit.
        (
            Method::POST,
            "/v1/summary",
            &caseworker,
            huge.clone(),
            413,
            "too_large",
        ),
        (
            Method::POST,
            "/v1/records",
            &caseworker,
            huge.clone(),
            413,
            "too_large",
        ),
        (
            Method::POST,
            "/v1/records/search",
            &caseworker,
            huge.clone(),
            413,
            "too_large",
        ),
        (
            Method::POST,
            "/v1/validate",
            &caseworker,
            deep.clone().into_bytes(),
            422,
            "too_deep",
        ),
        (
            Method::POST,
            "/v1/validate",
            &caseworker,
            unknown.to_string().into_bytes(),
            404,
            "unknown_instrument",
        ),
        (
            Method::POST,
            "/v1/validate?instrument=sue",
            &caseworker,
            fia_document("norr").to_string().into_bytes(),
            422,
            "instrument_mismatch",
        ),
        (
            Method::POST,
            "/v1/validate?colour=red",
            &caseworker,
            fia_document("norr").to_string().into_bytes(),
            400,
            "invalid_request",
        ),
        (
            Method::POST,
            "/v1/summary",
            &caseworker,
            with_errors.to_string().into_bytes(),
            422,
            "document_not_valid",
        ),
        (
            Method::POST,
            "/v1/summary?format=pdf",
            &caseworker,
            fia_document("norr").to_string().into_bytes(),
            400,
            "invalid_request",
        ),
        (
            Method::POST,
            "/v1/summary?format=html&lang=fi",
            &caseworker,
            fia_document("norr").to_string().into_bytes(),
            400,
            "invalid_request",
        ),
        (
            Method::POST,
            "/v1/summary?today=yesterday",
            &caseworker,
            fia_document("norr").to_string().into_bytes(),
            400,
            "invalid_request",
        ),
        (
            Method::POST,
            "/v1/records",
            &caseworker,
            b"[]".to_vec(),
            400,
            "invalid_request",
        ),
        (
            Method::POST,
            "/v1/records",
            &caseworker,
            json!({"client_id": canary, "document": with_errors})
                .to_string()
                .into_bytes(),
            422,
            "document_not_valid",
        ),
        (
            Method::POST,
            "/v1/records",
            &caseworker,
            json!({"client_id": "  ", "document": fia_document("norr")})
                .to_string()
                .into_bytes(),
            422,
            "invalid_identifier",
        ),
        (
            Method::POST,
            "/v1/records",
            &caseworker,
            json!({"client_id": canary, "document": fia_document("norr"), "name": "Anna"})
                .to_string()
                .into_bytes(),
            400,
            "invalid_request",
        ),
        (
            Method::GET,
            "/v1/records/not-an-id",
            &caseworker,
            Vec::new(),
            400,
            "invalid_request",
        ),
        (
            Method::GET,
            "/v1/records/0123456789abcdef0123456789abcdef",
            &caseworker,
            Vec::new(),
            404,
            "not_found",
        ),
        (
            Method::PUT,
            "/v1/records/0123456789abcdef0123456789abcdef",
            &caseworker,
            fia_document("norr").to_string().into_bytes(),
            404,
            "not_found",
        ),
        (
            Method::PUT,
            "/v1/records/0123456789abcdef0123456789abcdef",
            &caseworker,
            b"{".to_vec(),
            400,
            "malformed_json",
        ),
        (
            Method::POST,
            "/v1/records/search",
            &caseworker,
            b"{\"client\": 1}".to_vec(),
            400,
            "invalid_request",
        ),
        (
            Method::GET,
            "/v1/instruments/xyz/definition",
            &caseworker,
            Vec::new(),
            404,
            "unknown_instrument",
        ),
        (
            Method::GET,
            "/v1/instruments/fia/schema?version=99",
            &caseworker,
            Vec::new(),
            404,
            "unknown_version",
        ),
        (
            Method::GET,
            "/v1/reports/xyz",
            &analyst,
            Vec::new(),
            404,
            "unknown_instrument",
        ),
        (
            Method::GET,
            "/v1/reports/sue?threshold=2",
            &analyst,
            Vec::new(),
            400,
            "invalid_argument",
        ),
        (
            Method::GET,
            "/v1/reports/sue?breakdowns=shoe_size",
            &analyst,
            Vec::new(),
            400,
            "invalid_argument",
        ),
        (
            Method::GET,
            "/v1/reports/sue?as_of=2026-13-01",
            &analyst,
            Vec::new(),
            400,
            "invalid_request",
        ),
        (
            Method::GET,
            "/v1/reports/sue?format=xml",
            &analyst,
            Vec::new(),
            400,
            "invalid_request",
        ),
        (
            Method::GET,
            "/v1/reports/sue?units=other",
            &analyst,
            Vec::new(),
            403,
            "forbidden",
        ),
        (
            Method::GET,
            "/v1/audit?cursor=minus",
            &admin,
            Vec::new(),
            400,
            "invalid_request",
        ),
        (
            Method::POST,
            "/v1/keys/reseal?batch_size=-1",
            &admin,
            Vec::new(),
            400,
            "invalid_request",
        ),
        (
            Method::GET,
            "/v1/nothing",
            &caseworker,
            Vec::new(),
            404,
            "no_route",
        ),
        (
            Method::DELETE,
            "/v1/validate",
            &caseworker,
            Vec::new(),
            405,
            "method_not_allowed",
        ),
    ];
    let mut failures = Vec::new();
    for (method, path, token, body, status, kind) in cases {
        let response = client
            .request(method.clone(), service.url(path))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("send");
        let got = response.status().as_u16();
        let content_type = response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .to_owned();
        let text = response.text().await.expect("text");
        let problem: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let got_kind = problem["type"]
            .as_str()
            .unwrap_or("")
            .trim_start_matches("urn:bistand:problem:")
            .to_owned();
        if got != status || got_kind != kind || content_type != "application/problem+json" {
            failures.push(format!(
                "{method} {path}: {got} {got_kind} ({content_type}), expected {status} {kind}"
            ));
        }
        assert!(
            !text.contains(canary),
            "{method} {path} echoed the identifier"
        );
        assert!(
            !text.contains("inte-en-kod"),
            "{method} {path} echoed an answer"
        );
        // The Swedish message is for caseworkers: serde's English never passes into it.
        let sv = problem["message"]["sv"].as_str().unwrap_or("");
        for english in [
            "invalid",
            "expected",
            "unknown field",
            "Failed",
            "deserialize",
        ] {
            assert!(
                !sv.contains(english),
                "{method} {path}: English in the Swedish message: {sv}"
            );
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    service.running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_headers_are_refused_and_the_service_carries_on() {
    let service = Service::start(|_| {}).await;
    let client = service.client();
    let response = client
        .get(service.url("/v1/instruments"))
        .bearer_auth(service.token("handlaggare-norr"))
        .header("x-padding", "a".repeat(64 * 1024))
        .send()
        .await;
    match response {
        Ok(response) => assert_eq!(response.status().as_u16(), 431),
        // hyper may close the connection instead of answering: refused either way.
        Err(error) => assert!(!error.is_timeout(), "{error}"),
    }
    let after = client
        .get(service.url("/v1/instruments"))
        .bearer_auth(service.token("handlaggare-norr"))
        .send()
        .await
        .expect("send");
    assert_eq!(after.status().as_u16(), 200);
    service.running.stop().await.expect("stops");
}
