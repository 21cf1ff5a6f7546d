//! A record of another unit and an id that does not exist are indistinguishable to the caller:
//! the unit is checked before the body is opened, both answer 404, both are audited alike.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::setup::{ReadAnswer, Service, fia_document};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_units_record_costs_what_a_missing_id_costs() {
    let service = Service::start(|_| {}).await;
    let client = service.client();
    let created: Value = client
        .post(service.url("/v1/records"))
        .bearer_auth(service.token("handlaggare-soder"))
        .json(&json!({ "client_id": "EB-2026-0042", "document": fia_document("soder") }))
        .send_json()
        .await;
    let id = created["record"]["record_id"]
        .as_str()
        .expect("record id")
        .to_owned();
    // The body is made unreadable: if the norr caseworker's lookup opened it before checking the
    // unit, the answer would be a 500 (and a `failed` read in the audit log), not a 404.
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
    for looked_up in [id.as_str(), missing] {
        let answer = client
            .get(service.url(&format!("/v1/records/{looked_up}")))
            .bearer_auth(&norr)
            .send()
            .await
            .expect("send");
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{looked_up}");
        let problem: Value = answer.json().await.expect("problem");
        assert_eq!(problem["type"], "urn:bistand:problem:not_found");
    }

    let audit: Value = client
        .get(service.url("/v1/audit?limit=1000"))
        .bearer_auth(service.token("admin"))
        .send_json()
        .await;
    let reads: Vec<&Value> = audit["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "record.read")
        .collect();
    assert_eq!(reads.len(), 2, "{reads:?}");
    for (entry, looked_up) in reads.iter().zip([id.as_str(), missing]) {
        assert_eq!(entry["outcome"], "denied");
        assert_eq!(entry["record_id"], looked_up);
        assert_eq!(entry["principal"], "handlaggare-norr");
        // Nothing read from the record: the two entries have the same shape.
        assert!(
            entry["unit"].is_null() && entry["pseudonym"].is_null(),
            "{entry}"
        );
    }

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
