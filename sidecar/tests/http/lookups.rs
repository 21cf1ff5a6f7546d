//! A record of another unit and an id that does not exist are indistinguishable to the caller:
//! the unit is checked before the body is opened, both answer 404, both are audited alike.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::setup::{ReadAnswer, Service, fia_document};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_units_record_costs_what_a_missing_id_costs() {
    let service = Service::start(|_| {}).await;
    let client = service.client();
    let id = service
        .create_record("handlaggare-soder", "EB-2026-0042", "soder")
        .await;
    // The body is made unreadable: if the norr caseworker's lookup or update opened it before
    // checking the unit, the answer would be a 500 (and a `failed` read in the audit log), not a
    // 404.
    let config = bistand_sidecar::config::Config::load(&service.created.config).expect("config");
    rusqlite::Connection::open(&config.store.path)
        .expect("open")
        .execute(
            "UPDATE records SET ciphertext = zeroblob(length(ciphertext)) WHERE id = ?1",
            [&id],
        )
        .expect("corrupt the body");

    let norr = service.token("handlaggare-norr");
    let missing = "0123456789abcdef0123456789abcdef";
    for (method, action) in [(Method::GET, "record.read"), (Method::PUT, "record.update")] {
        for looked_up in [id.as_str(), missing] {
            let mut request = client
                .request(
                    method.clone(),
                    service.url(&format!("/v1/records/{looked_up}")),
                )
                .bearer_auth(&norr);
            if method == Method::PUT {
                // A valid document of the caller's own unit: only the record's unit refuses it.
                request = request.json(&fia_document("norr"));
            }
            let answer = request.send().await.expect("send");
            assert_eq!(
                answer.status(),
                StatusCode::NOT_FOUND,
                "{method} {looked_up}"
            );
            let problem: Value = answer.json().await.expect("problem");
            assert_eq!(problem["type"], "urn:bistand:problem:not_found");
        }

        let audit: Value = client
            .get(service.url("/v1/audit?limit=1000"))
            .bearer_auth(service.token("admin"))
            .send_json()
            .await;
        let entries: Vec<&Value> = audit["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .filter(|e| e["principal"] == "handlaggare-norr")
            .filter(|e| e["action"] == action)
            .collect();
        assert_eq!(entries.len(), 2, "{method}: {entries:?}");
        for (entry, looked_up) in entries.iter().zip([id.as_str(), missing]) {
            assert_eq!(entry["outcome"], "denied", "{entry}");
            assert_eq!(entry["record_id"], looked_up);
            // Nothing read from the record: the two entries have the same shape.
            assert!(
                entry["unit"].is_null() && entry["pseudonym"].is_null(),
                "{entry}"
            );
        }
        // No failed read: nothing was opened.
        assert!(
            !audit.to_string().contains("\"failed\""),
            "{method}: {audit}"
        );
    }

    // The record's own caseworker meets the unreadable body: a failed read, not a 404.
    let answer = client
        .put(service.url(&format!("/v1/records/{id}")))
        .bearer_auth(service.token("handlaggare-soder"))
        .json(&fia_document("soder"))
        .send()
        .await
        .expect("send");
    assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);

    // A search that finds nothing in the caller's units is audited too.
    let found: Value = client
        .post(service.url("/v1/records/search"))
        .bearer_auth(&norr)
        .json(&json!({ "client_id": "EB-2026-0042" }))
        .send_json()
        .await;
    assert_eq!(found["records"], json!([]));
    let audit: Value = client
        .get(service.url("/v1/audit?limit=1000"))
        .bearer_auth(service.token("admin"))
        .send_json()
        .await;
    let searches: Vec<&Value> = audit["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "record.search")
        .collect();
    assert_eq!(searches.len(), 1, "{searches:?}");
    assert_eq!(searches[0]["outcome"], "none");
    assert_eq!(searches[0]["principal"], "handlaggare-norr");
    assert!(searches[0]["pseudonym"].is_string());
    assert!(!audit.to_string().contains("EB-2026-0042"));
    service.running.stop().await.expect("stops");
}
