//! HTTP semantics a client relies on (docs/http.md): strong ETags and `If-Match` on records,
//! `Idempotency-Key` and `Location` on creates, RFC 3339 times, and cursor pagination of the audit
//! log and of searches.

use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_MATCH, LINK, LOCATION};
use serde_json::{Value, json};

use crate::setup::{ReadAnswer, Service, fia_document};

/// A FIA document of unit `unit` with `note` as the comment on debts, so two versions of a
/// record can be told apart.
fn fia_with(unit: &str, note: &str) -> Value {
    let mut document = fia_document(unit);
    document["answers"]["skulder.kommentar"] = json!(note);
    document
}

fn is_rfc3339_utc(text: &str) -> bool {
    text.ends_with('Z') && text.parse::<jiff::Timestamp>().is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_caseworkers_update_one_record_and_the_second_gets_412_and_loses_nothing() {
    let service = Service::start(|_| {}).await;
    let (anna, bertil) = (service.client(), service.client());
    let token = service.token("handlaggare-soder");

    let created = anna
        .post(service.url("/v1/records"))
        .bearer_auth(&token)
        .json(&json!({ "client_id": "EB-2026-00042", "document": fia_with("soder", "Första samtalet på Söder.") }))
        .send()
        .await
        .expect("send");
    assert_eq!(created.status(), StatusCode::CREATED);
    let etag = created.headers()[ETAG].to_str().expect("ascii").to_owned();
    let location = created.headers()[LOCATION]
        .to_str()
        .expect("ascii")
        .to_owned();
    let body: Value = created.json().await.expect("json");
    let id = body["record"]["record_id"].as_str().expect("id").to_owned();
    assert_eq!(location, format!("/v1/records/{id}"));
    assert_eq!(etag, "\"1\"");
    assert_eq!(body["record"]["revision"], 1);
    for field in ["created_at", "updated_at"] {
        let time = body["record"][field].as_str().expect("a string");
        assert!(is_rfc3339_utc(time), "{field}: {time}");
    }

    // Both read the record and get the same strong ETag.
    let mut read_etags = Vec::new();
    for client in [&anna, &bertil] {
        let read = client
            .get(service.url(&location))
            .bearer_auth(&token)
            .send()
            .await
            .expect("send");
        assert_eq!(read.status(), StatusCode::OK);
        read_etags.push(read.headers()[ETAG].to_str().expect("ascii").to_owned());
    }
    assert_eq!(read_etags, [etag.clone(), etag.clone()]);

    // Without If-Match: 428, nothing written.
    let put = |client: &reqwest::Client, note: &str| {
        client
            .put(service.url(&location))
            .bearer_auth(&token)
            .json(&fia_with("soder", note))
    };
    let unconditional = put(&anna, "Skrivet utan villkor.")
        .send()
        .await
        .expect("send");
    assert_eq!(unconditional.status(), StatusCode::PRECONDITION_REQUIRED);
    let problem: Value = unconditional.json().await.expect("problem");
    assert_eq!(problem["type"], "urn:bistand:problem:precondition_required");

    // Anna saves first: 200 and a new ETag.
    let first = put(&anna, "Annas ändring: boende på Söder.")
        .header(IF_MATCH, &etag)
        .send()
        .await
        .expect("send");
    assert_eq!(first.status(), StatusCode::OK);
    let new_etag = first.headers()[ETAG].to_str().expect("ascii").to_owned();
    assert_ne!(new_etag, etag);
    // Bertil saves with the ETag he read: 412, and Anna's change stands.
    let second = put(&bertil, "Bertils ändring: skriver över.")
        .header(IF_MATCH, &etag)
        .send()
        .await
        .expect("send");
    assert_eq!(second.status(), StatusCode::PRECONDITION_FAILED);
    let problem: Value = second.json().await.expect("problem");
    assert_eq!(problem["type"], "urn:bistand:problem:precondition_failed");
    assert!(!problem.to_string().contains("Bertils"), "{problem}");
    // A weak tag of the current revision does not match either.
    let weak = put(&bertil, "Bertils ändring: skriver över.")
        .header(IF_MATCH, format!("W/{new_etag}"))
        .send()
        .await
        .expect("send");
    assert_eq!(weak.status(), StatusCode::PRECONDITION_FAILED);

    let stored = anna
        .get(service.url(&location))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(stored.headers()[ETAG].to_str().expect("ascii"), new_etag);
    let stored: Value = stored.json().await.expect("json");
    assert_eq!(
        stored["document"]["answers"]["skulder.kommentar"],
        "Annas ändring: boende på Söder."
    );
    assert_eq!(stored["record"]["revision"], 2);

    // Bertil reads again and redoes his change with the new ETag: it is written.
    let redone = put(&bertil, "Bertils ändring efter ny läsning.")
        .header(IF_MATCH, &new_etag)
        .send()
        .await
        .expect("send");
    assert_eq!(redone.status(), StatusCode::OK);
    service.running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotency_key_writes_one_record_and_refuses_another_body() {
    let service = Service::start(|_| {}).await;
    let client = service.client();
    let token = service.token("handlaggare-soder");
    let request =
        json!({ "client_id": "19121212-1212", "document": fia_with("soder", "Samtal i Söder.") });
    let create = |body: &Value, key: &str| {
        client
            .post(service.url("/v1/records"))
            .bearer_auth(&token)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
    };

    let first = create(&request, "ärende-abc".replace('ä', "a").as_str())
        .await
        .expect("send");
    assert_eq!(first.status(), StatusCode::CREATED);
    let first_headers = (
        first.headers()[ETAG].clone(),
        first.headers()[LOCATION].clone(),
    );
    let first_body = first.bytes().await.expect("body");
    let again = create(&request, "arende-abc").await.expect("send");
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(
        (
            again.headers()[ETAG].clone(),
            again.headers()[LOCATION].clone()
        ),
        first_headers
    );
    assert_eq!(
        again.bytes().await.expect("body"),
        first_body,
        "the same answer"
    );

    let other =
        json!({ "client_id": "19121212-1212", "document": fia_with("soder", "Ett annat samtal.") });
    let reused = create(&other, "arende-abc").await.expect("send");
    assert_eq!(reused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = reused.json().await.expect("problem");
    assert_eq!(
        problem["type"],
        "urn:bistand:problem:idempotency_key_reused"
    );
    assert!(!problem.to_string().contains("19121212"), "{problem}");

    // Another caseworker's key of the same text is their own.
    let norr = client
        .post(service.url("/v1/records"))
        .bearer_auth(service.token("handlaggare-norr"))
        .header("Idempotency-Key", "arende-abc")
        .json(&json!({ "client_id": "19121212-1212", "document": fia_with("norr", "Norr.") }))
        .send()
        .await
        .expect("send");
    assert_eq!(norr.status(), StatusCode::CREATED);

    // A key that is not one is refused before anything is written.
    let bad = create(&request, "två ord").await;
    let bad = bad.expect("send");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    // The store holds one record of the client in soder, and the key nowhere.
    let found: Value = client
        .post(service.url("/v1/records/search"))
        .bearer_auth(&token)
        .json(&json!({ "client_id": "19121212-1212" }))
        .send_json()
        .await;
    assert_eq!(found["records"].as_array().expect("records").len(), 1);
    let config = bistand_sidecar::config::Config::load(&service.created.config).expect("config");
    service.running.stop().await.expect("stops");
    let database = std::fs::read(&config.store.path).expect("store");
    assert!(
        !database.windows(10).any(|w| w == b"arende-abc"),
        "the key is never stored as written"
    );
}

/// The store keeps the keys, so a retry after a restart (a deploy, a crash) finds the record the
/// first request created instead of writing a second one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotency_key_survives_a_restart() {
    let service = Service::start(|_| {}).await;
    let request = json!({ "client_id": "EB-2026-00077", "document": fia_with("soder", "Samtal på Söder före omstarten.") });
    let create = |service: &Service, body: &Value| {
        service
            .client()
            .post(service.url("/v1/records"))
            .bearer_auth(service.token("handlaggare-soder"))
            .header("Idempotency-Key", "omstart-7f3a")
            .json(body)
            .send()
    };
    let first = create(&service, &request).await.expect("send");
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.expect("json");

    let service = service.restart().await;
    let again = create(&service, &request).await.expect("send");
    assert_eq!(again.status(), StatusCode::CREATED);
    let location = again.headers()[LOCATION]
        .to_str()
        .expect("ascii")
        .to_owned();
    let again: Value = again.json().await.expect("json");
    assert_eq!(
        again["record"], first["record"],
        "the same record, not a second"
    );
    assert_eq!(
        location,
        format!(
            "/v1/records/{}",
            first["record"]["record_id"].as_str().expect("id")
        )
    );
    let other =
        json!({ "client_id": "EB-2026-00077", "document": fia_with("soder", "Ett annat samtal.") });
    let reused = create(&service, &other).await.expect("send");
    assert_eq!(reused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = reused.json().await.expect("problem");
    assert_eq!(
        problem["type"],
        "urn:bistand:problem:idempotency_key_reused"
    );

    let found: Value = service
        .client()
        .post(service.url("/v1/records/search"))
        .bearer_auth(service.token("handlaggare-soder"))
        .json(&json!({ "client_id": "EB-2026-00077" }))
        .send_json()
        .await;
    assert_eq!(
        found["records"].as_array().expect("records").len(),
        1,
        "{found}"
    );
    // One create in the audit log: the retry and the refusal wrote nothing.
    let audit: Value = service
        .client()
        .get(service.url("/v1/audit?limit=1000"))
        .bearer_auth(service.token("admin"))
        .send_json()
        .await;
    let creates = audit["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|entry| entry["action"] == "record.create")
        .count();
    assert_eq!(creates, 1, "{audit}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_and_searches_page_with_opaque_cursors() {
    let service = Service::start(|_| {}).await;
    let client = service.client();
    let token = service.token("handlaggare-norr");
    for n in 0..5 {
        let created = client
            .post(service.url("/v1/records"))
            .bearer_auth(&token)
            .json(&json!({ "client_id": "EB-2026-00007", "document": fia_with("norr", &format!("Uppföljning {n} i Norr.")) }))
            .send()
            .await
            .expect("send");
        assert_eq!(created.status(), StatusCode::CREATED);
    }

    // Searches: pages of two, oldest first, then no cursor.
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut body = json!({ "client_id": "EB-2026-00007", "limit": 2 });
        if let Some(cursor) = &cursor {
            body["cursor"] = json!(cursor);
        }
        let page: Value = client
            .post(service.url("/v1/records/search"))
            .bearer_auth(&token)
            .json(&body)
            .send_json()
            .await;
        pages += 1;
        let records = page["records"].as_array().expect("records");
        assert!(records.len() <= 2);
        ids.extend(records.iter().map(|r| r["record_id"].clone()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(ids.len(), 5);
    let distinct: std::collections::HashSet<String> = ids.iter().map(Value::to_string).collect();
    assert_eq!(distinct.len(), 5);

    // The audit log: pages of three through the Link header, every entry once, RFC 3339 times.
    let admin = service.token("admin");
    let mut url = service.url("/v1/audit?limit=3");
    let mut seqs = Vec::new();
    loop {
        let answer = client
            .get(&url)
            .bearer_auth(&admin)
            .send()
            .await
            .expect("send");
        assert_eq!(answer.status(), StatusCode::OK);
        let link = answer
            .headers()
            .get(LINK)
            .map(|l| l.to_str().expect("ascii").to_owned());
        let page: Value = answer.json().await.expect("json");
        for entry in page["entries"].as_array().expect("entries") {
            seqs.push(entry["seq"].as_u64().expect("seq"));
            assert!(is_rfc3339_utc(entry["at"].as_str().expect("at")), "{entry}");
        }
        match (link, page["next_cursor"].as_str()) {
            (Some(link), Some(cursor)) => {
                assert!(
                    link.contains(cursor) && link.ends_with("rel=\"next\""),
                    "{link}"
                );
                let target = link
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .expect("target");
                url = service.url(target);
            }
            (None, None) => break,
            other => panic!("the Link header and next_cursor disagree: {other:?}"),
        }
    }
    // Five creates, five records found, and this read of the log at least.
    assert!(seqs.len() >= 11, "{seqs:?}");
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());

    // Bounds and foreign cursors are refused.
    let search_cursor = {
        let page: Value = client
            .post(service.url("/v1/records/search"))
            .bearer_auth(&token)
            .json(&json!({ "client_id": "EB-2026-00007", "limit": 1 }))
            .send_json()
            .await;
        page["next_cursor"].as_str().expect("more").to_owned()
    };
    for query in [
        "limit=0".to_owned(),
        "limit=1001".to_owned(),
        "cursor=söder".to_owned(),
        format!("cursor={search_cursor}"),
        "after=3".to_owned(),
    ] {
        let answer = client
            .get(service.url(&format!("/v1/audit?{query}")))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("send");
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{query}");
    }
    service.running.stop().await.expect("stops");
}
