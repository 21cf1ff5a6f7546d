//! Store operations beside a serving sidecar, as an operator runs them: `bistand store backup`
//! and `bistand keys rotate` + `bistand store reseal` (the CLI as a subprocess) while the
//! in-process service takes writes; then a restore of the backup in the store's place, as
//! `docs/operations.md` describes it, that `bistand store verify` finds clean.

use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use bistand_store::{AuditLog, RecordId, ScanFilter, SqliteStore, Store};
use serde_json::json;

use crate::setup::{ReadAnswer, Service, fia_document};

/// `bistand` with `args`, as an operator runs it beside the service: off the async runtime, which
/// keeps serving meanwhile.
async fn bistand(args: &[&std::ffi::OsStr]) -> Output {
    let args: Vec<std::ffi::OsString> = args.iter().map(|a| a.to_os_string()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_bistand"))
            .args(&args)
            .output()
            .expect("bistand runs")
    })
    .await
    .expect("join")
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stderr).expect("UTF-8")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_and_reseal_while_the_service_takes_writes_then_restore() {
    let service = Service::start(|_| {}).await;
    let config = service.created.config.clone();
    let settings = bistand_sidecar::config::Config::load(&config).expect("config");

    // A caseworker writes records until told to stop; every acknowledged id is kept.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (client, url, token) = (
            service.client(),
            service.url("/v1/records"),
            service.token("handlaggare-norr"),
        );
        let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let created = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({ "client_id": format!("EB-2026-{n:05}"), "document": fia_document("norr") }))
                    .send_json()
                    .await;
                let id = created["record"]["record_id"]
                    .as_str()
                    .expect("id")
                    .to_owned();
                acknowledged.lock().expect("lock").push(id);
            }
        })
    };
    let wait_for = |count: usize| {
        let acknowledged = acknowledged.clone();
        async move {
            while acknowledged.lock().expect("lock").len() < count {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        }
    };
    wait_for(20).await;

    // Backup during writes.
    let backup = service.dir().join("backup.db");
    let before_backup = acknowledged.lock().expect("lock").clone();
    let summary = ok(bistand(&[
        "store".as_ref(),
        "backup".as_ref(),
        "--config".as_ref(),
        config.as_os_str(),
        "--out".as_ref(),
        backup.as_os_str(),
    ])
    .await);
    assert!(
        summary.contains("backed up") && summary.contains(" s\n"),
        "{summary}"
    );
    // Not a terminal: the summary alone, no progress drawn; `--quiet`: nothing at all.
    assert_eq!(summary.lines().count(), 1, "{summary}");
    assert!(
        !summary.contains('\r') && !summary.contains('\x1b'),
        "{summary}"
    );
    let quiet_backup = service.dir().join("backup-quiet.db");
    let quiet = ok(bistand(&[
        "store".as_ref(),
        "backup".as_ref(),
        "--config".as_ref(),
        config.as_os_str(),
        "--out".as_ref(),
        quiet_backup.as_os_str(),
        "--quiet".as_ref(),
    ])
    .await);
    assert!(quiet.is_empty(), "{quiet}");
    assert!(quiet_backup.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup)
            .expect("backup")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the backup is owner-only");
    }

    // Rotation during writes: a new active key, then reseal beside the service.
    let keys = settings.store.keys.clone();
    let old_keys = bistand_sidecar::keys::load(&keys).expect("keys");
    let old_key = old_keys.keyring.active().id().to_owned();
    ok(bistand(&[
        "keys".as_ref(),
        "rotate".as_ref(),
        "--keys".as_ref(),
        keys.as_os_str(),
    ])
    .await);
    let resealed = ok(bistand(&[
        "store".as_ref(),
        "reseal".as_ref(),
        "--config".as_ref(),
        config.as_os_str(),
    ])
    .await);
    assert!(resealed.contains("resealed "), "{resealed}");
    let new_keys = bistand_sidecar::keys::load(&keys).expect("rotated keys");
    let new_key = new_keys.keyring.active().id().to_owned();
    assert_ne!(new_key, old_key);
    assert!(
        new_keys.keyring.get(&old_key).is_some(),
        "the old key is kept"
    );

    wait_for(before_backup.len() + 20).await;
    stop.store(true, Ordering::Relaxed);
    writer.await.expect("writer");
    service.running.stop().await.expect("stops");

    // The live store: every acknowledged record readable; those written before the reseal are
    // on the new key (the service, not restarted, still seals new ones with the old key).
    let live = SqliteStore::open(&settings.store.path, new_keys.keyring)
        .expect("live store")
        .with_audit_key(new_keys.audit);
    let all = acknowledged.lock().expect("lock").clone();
    for id in &all {
        live.get(&RecordId::parse(id).expect("id"))
            .expect("acknowledged record");
    }
    for id in &before_backup {
        let record = live.get(&RecordId::parse(id).expect("id")).expect("record");
        assert_eq!(record.meta.key_id, new_key, "resealed");
    }
    assert!(live.audit_verify().expect("verify").is_intact());

    drop(live);

    // Restore as docs/operations.md says, with the service stopped: the broken store moved
    // aside, its journal files removed, the backup put in its place; then `bistand store verify`
    // (the audit chain and every record against it) must find it clean.
    let store_path = settings.store.path.clone();
    std::fs::rename(&store_path, store_path.with_extension("db.broken")).expect("move aside");
    for journal in ["db-wal", "db-shm"] {
        let _ = std::fs::remove_file(store_path.with_extension(journal));
    }
    std::fs::copy(&backup, &store_path).expect("copy back");
    let verified = bistand(&[
        "store".as_ref(),
        "verify".as_ref(),
        "--config".as_ref(),
        config.as_os_str(),
    ])
    .await;
    let report: serde_json::Value =
        serde_json::from_slice(&verified.stdout).expect("verify prints JSON");
    assert!(verified.status.success(), "{report}");
    assert_eq!(report["audit"]["status"], "intact", "{report}");
    assert_eq!(report["records"]["problems"], json!([]), "{report}");

    // Every record acknowledged before the backup started is in the restored store, readable
    // with the keys file as it is now (rotated: it keeps the old key).
    let restored_keys = bistand_sidecar::keys::load(&keys).expect("keys");
    let restored = SqliteStore::open(&store_path, restored_keys.keyring)
        .expect("restored")
        .with_audit_key(restored_keys.audit);
    restored
        .bind_keys(&restored_keys.pseudonym)
        .expect("the store's own keys");
    for id in &before_backup {
        restored
            .get(&RecordId::parse(id).expect("id"))
            .expect("every record acknowledged before the backup is in it");
    }
    let count = restored.count(&ScanFilter::all()).expect("count");
    assert!(count as usize >= before_backup.len() && count as usize <= all.len());
    assert_eq!(
        report["records"]["records"].as_u64(),
        Some(count),
        "verify walked every restored record"
    );
}
