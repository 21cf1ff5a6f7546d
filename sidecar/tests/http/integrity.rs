//! Issue 13 against a deployment made by `bistand init`: a rechained audit log found by `audit
//! verify` (the chain is keyed by the keys file's audit key), `audit head`; rolled back,
//! deleted, re-timestamped and corrupted records found by `store verify` as a subprocess, and
//! `--quarantine` moving them aside; a corrupt row counted as not counted by a report over the
//! API instead of failing it with 500.

use std::path::Path;
use std::process::{Command, Output};

use bistand_core::Engine;
use bistand_core::sue::SueGenerator;
use bistand_sidecar::config::Config;
use bistand_store::{AuditEvent, AuditLog, AuditedStore, NewRecord, SqliteStore, Store};
use serde_json::{Value, json};

use crate::setup::{ReadAnswer, Service, init_in};

fn bistand(args: &[&str], config: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bistand"))
        .args(args)
        .arg("--config")
        .arg(config)
        .output()
        .expect("runs")
}

fn open_store(config: &Config) -> SqliteStore {
    let keys = bistand_sidecar::keys::load(&config.store.keys).expect("keys");
    SqliteStore::open(&config.store.path, keys.keyring)
        .expect("store")
        .with_audit_key(keys.audit)
}

fn event(action: &str) -> AuditEvent {
    AuditEvent::new(
        1_767_225_600_000,
        "handlaggare-norr",
        "caseworker",
        action,
        "ok",
    )
}

fn new_record(n: u32) -> NewRecord {
    let key = bistand_core::identifier::PseudonymKey::new("p1", &[3; 32]).expect("key");
    let pseudonym = bistand_core::identifier::pseudonymise_case_number(&key, &format!("EB-{n}"));
    NewRecord::new(
        &pseudonym,
        "norr",
        "sue",
        "1",
        br#"{"secret":"Kanariefagel"}"#.to_vec(),
    )
}

fn raw(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .expect("busy timeout");
    conn
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Issue 13: drop the triggers, edit entry 5, recompute the later hashes with the documented
/// unkeyed encoding; `audit verify` said "intact". The head `audit head` printed catches it too.
#[test]
fn a_log_rechained_without_the_audit_key_is_found_by_audit_verify() {
    let dir = tempfile::tempdir().expect("tempdir");
    let created = init_in(dir.path(), &["norr"]);
    let config = Config::load(&created.config).expect("config");
    {
        let store = open_store(&config);
        for _ in 0..8 {
            store
                .audit_append(event("record.read").unit("norr"))
                .expect("append");
        }
    }
    let head = bistand(&["audit", "head"], &created.config);
    assert!(
        head.status.success(),
        "{}",
        String::from_utf8_lossy(&head.stderr)
    );
    let head = stdout(&head).trim().to_owned();
    assert!(head.starts_with("8:") && head.len() == 66, "{head}");
    assert!(
        bistand(&["audit", "verify", "--head", &head], &created.config)
            .status
            .success()
    );

    let conn = raw(&config.store.path);
    conn.execute_batch(
        "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; \
         DROP TRIGGER audit_append_only; UPDATE audit SET outcome = 'denied' WHERE seq = 5;",
    )
    .expect("edit");
    let mut prev: String = conn
        .query_row("SELECT hash FROM audit WHERE seq = 4", [], |r| r.get(0))
        .expect("hash");
    for seq in 5..=8_i64 {
        let (at, fields): (i64, Vec<Option<String>>) = conn
            .query_row(
                "SELECT at, principal, role, action, unit, record_id, pseudonym, outcome \
                 FROM audit WHERE seq = ?1",
                [seq],
                |r| {
                    Ok((
                        r.get(0)?,
                        (1..=7).map(|i| r.get(i)).collect::<rusqlite::Result<_>>()?,
                    ))
                },
            )
            .expect("entry");
        let mut input = b"bistand-audit-v1\0".to_vec();
        input.extend(seq.to_be_bytes());
        input.extend(at.to_be_bytes());
        for field in fields
            .iter()
            .map(Option::as_deref)
            .chain([Some(prev.as_str())])
        {
            match field {
                None => input.push(0),
                Some(text) => {
                    input.push(1);
                    input.extend((text.len() as u64).to_be_bytes());
                    input.extend(text.as_bytes());
                }
            }
        }
        let hash = bistand_sidecar::auth::sha256_hex(&input);
        conn.execute(
            "UPDATE audit SET prev_hash = ?2, hash = ?3 WHERE seq = ?1",
            rusqlite::params![seq, prev, hash],
        )
        .expect("relink");
        prev = hash;
    }
    drop(conn);
    let verify = bistand(&["audit", "verify"], &created.config);
    assert_eq!(verify.status.code(), Some(1), "{}", stdout(&verify));
    let found: Value = serde_json::from_slice(&verify.stdout).expect("json");
    assert_eq!(
        found,
        json!({"status": "broken", "seq": 5, "problem": "unkeyed"})
    );
    let against = bistand(&["audit", "verify", "--head", &head], &created.config);
    assert_eq!(against.status.code(), Some(1), "{}", stdout(&against));
}

#[test]
fn store_verify_finds_rolled_back_deleted_edited_and_corrupt_records_and_quarantines_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let created = init_in(dir.path(), &["norr"]);
    let config = Config::load(&created.config).expect("config");
    let ids: Vec<String> = {
        let store = open_store(&config);
        (1..=5)
            .map(|n| {
                let (meta, _) = store
                    .put_audited(new_record(n), event("record.create"))
                    .expect("put");
                meta.id.as_str().to_owned()
            })
            .collect()
    };
    let clean = bistand(&["store", "verify"], &created.config);
    assert!(
        clean.status.success(),
        "{}{}",
        stdout(&clean),
        String::from_utf8_lossy(&clean.stderr)
    );

    let conn = raw(&config.store.path);
    let old: (Vec<u8>, Vec<u8>) = conn
        .query_row(
            "SELECT nonce, ciphertext FROM records WHERE id = ?1",
            [&ids[0]],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("row");
    {
        let store = open_store(&config);
        let id = bistand_store::RecordId::parse(&ids[0]).expect("id");
        store
            .update_audited(&id, br#"{"v":2}"#, event("record.update"))
            .expect("update");
    }
    conn.execute(
        "UPDATE records SET nonce = ?2, ciphertext = ?3 WHERE id = ?1",
        rusqlite::params![ids[0], old.0, old.1],
    )
    .expect("roll back");
    conn.execute("DELETE FROM records WHERE id = ?1", [&ids[1]])
        .expect("delete");
    conn.execute(
        "UPDATE records SET updated_at = updated_at + 1 WHERE id = ?1",
        [&ids[2]],
    )
    .expect("re-timestamp");
    conn.execute(
        "UPDATE records SET ciphertext = zeroblob(length(ciphertext)) WHERE id = ?1",
        [&ids[3]],
    )
    .expect("corrupt");
    drop(conn);

    let verify = bistand(&["store", "verify"], &created.config);
    assert_eq!(verify.status.code(), Some(1), "{}", stdout(&verify));
    let text = stdout(&verify);
    assert!(
        !text.contains("Kanariefagel") && !text.contains("p1:"),
        "{text}"
    );
    let found: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(found["audit"]["status"], "intact");
    let mut problems: Vec<(String, String)> = found["records"]["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            (
                p["record_id"].as_str().expect("id").to_owned(),
                p["problem"].as_str().expect("problem").to_owned(),
            )
        })
        .collect();
    problems.sort();
    let mut expected = vec![
        (ids[0].clone(), "rolled_back".to_owned()),
        (ids[1].clone(), "deleted".to_owned()),
        (ids[2].clone(), "edited".to_owned()),
        (ids[3].clone(), "unreadable".to_owned()),
    ];
    expected.sort();
    assert_eq!(problems, expected);

    let quarantine = bistand(&["store", "verify", "--quarantine"], &created.config);
    assert_eq!(quarantine.status.code(), Some(1), "{}", stdout(&quarantine));
    let moved: Value = serde_json::from_slice(&quarantine.stdout).expect("json");
    assert_eq!(moved["quarantined_now"], 3);
    let after = bistand(&["store", "verify"], &created.config);
    let after_json: Value = serde_json::from_slice(&after.stdout).expect("json");
    // The deleted record stays reported (its row is gone); the others are in the quarantine.
    assert_eq!(after_json["records"]["quarantined"], 3);
    assert_eq!(
        after_json["records"]["problems"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(after_json["records"]["records"], 1);
    assert_eq!(after.status.code(), Some(1));
    let kept: i64 = raw(&config.store.path)
        .query_row("SELECT count(*) FROM quarantine", [], |r| r.get(0))
        .expect("count");
    assert_eq!(kept, 3);
}

/// Issue 13: one corrupt row answered 500 for the whole unit's report. Now the report answers
/// 200 and counts it as not counted; the failed read is audited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_row_is_not_counted_by_a_report() {
    let service = Service::start(|_| {}).await;
    let client = service.client();
    let engine = Engine::new().expect("engine");
    let definition = engine.definition("sue", None).expect("sue");
    let mut ids = Vec::new();
    for (i, mut document) in SueGenerator::new(definition, 5)
        .expect("generator")
        .take(4)
        .enumerate()
    {
        document["unit"] = json!("norr");
        let answer = client
            .post(service.url("/v1/records"))
            .bearer_auth(service.token("handlaggare-norr"))
            .json(&json!({ "client_id": format!("EB-C-{i}"), "document": document }))
            .send_json()
            .await;
        ids.push(
            answer["record"]["record_id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    let config = Config::load(&service.created.config).expect("config");
    raw(&config.store.path)
        .execute(
            "UPDATE records SET ciphertext = zeroblob(length(ciphertext)) WHERE id = ?1",
            [&ids[2]],
        )
        .expect("corrupt");

    let response = client
        .get(service.url("/v1/reports/sue?units=norr"))
        .bearer_auth(service.token("analytiker"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["records_not_counted"], 1);
    assert_eq!(body["report"]["records"], 3);

    let store = open_store(&config);
    let entries = store.audit_entries(0, 1000).expect("entries");
    assert!(
        entries.iter().any(|e| e.event.action == "record.read"
            && e.event.outcome == "failed"
            && e.event.record_id.as_deref() == Some(ids[2].as_str())),
        "{entries:?}"
    );
    assert!(store.audit_verify().expect("verify").is_intact());
    assert_eq!(
        store
            .count(&bistand_store::ScanFilter::all())
            .expect("count"),
        4
    );
}
