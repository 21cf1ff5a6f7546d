//! The embedded encrypted store through the C ABI: put and get round trips, refused documents,
//! no client id in the database files, a store bound to its keys, perturbed reports from the
//! store, and the bad-input matrix of the new functions.

use std::ffi::{CStr, CString, c_char};
use std::path::{Path, PathBuf};
use std::ptr;

use bistand::{
    bistand_buf, bistand_engine, bistand_status, bistand_store, bistand_store_free,
    bistand_store_get, bistand_store_open, bistand_store_put, bistand_store_report,
};
use serde_json::Value;

use crate::support::{
    Engine, call, fails, fixture, last_error_en, last_error_sv, report_keyed, sentinel, sue_records,
};

use bistand_status::*;

const KEYS: &str = r#"{"pseudonym_key": {"id": "p1", "secret_hex": "0101010101010101010101010101010101010101010101010101010101010101"},
  "data_keys": [{"id": "k1", "secret_hex": "0202020202020202020202020202020202020202020202020202020202020202"}],
  "active_data_key": "k1"}"#;

/// Another organisation's keys: a data key with another id.
const OTHER_KEYS: &str = r#"{"pseudonym_key": {"id": "p9", "secret_hex": "0909090909090909090909090909090909090909090909090909090909090909"},
  "data_keys": [{"id": "k9", "secret_hex": "0808080808080808080808080808080808080808080808080808080808080808"}],
  "active_data_key": "k9"}"#;

const TODAY: &CStr = c"2026-11-24";

/// Who stores records in these tests, for the audit log.
const WRITER: &CStr = c"verksamhetssystem@kommun.se";

/// A store handle that closes itself.
struct Store(*mut bistand_store);

impl Store {
    fn open(path: &Path, keys: &str) -> Store {
        let (status, store) = open_raw(&c_path(path), keys.as_bytes());
        assert_eq!(status, BISTAND_OK, "{}", last_error_en());
        Store(store)
    }

    fn put(&self, engine: &Engine, client_id: &str, doc: &[u8]) -> (bistand_status, Vec<u8>) {
        put_raw(
            self.0,
            engine.ptr(),
            client_id.as_bytes(),
            doc,
            TODAY.as_ptr(),
        )
    }

    fn get(&self, record_id: &str) -> (bistand_status, Vec<u8>) {
        let record_id = CString::new(record_id).expect("no NUL");
        // SAFETY: a live store, a NUL-terminated id, a writable output.
        call(|out| unsafe { bistand_store_get(self.0, record_id.as_ptr(), out) })
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // SAFETY: made by `bistand_store_open`, freed once here.
        unsafe { bistand_store_free(self.0) };
    }
}

fn c_path(path: &Path) -> CString {
    CString::new(path.to_str().expect("UTF-8 temp path")).expect("no NUL")
}

/// `bistand_store_open`; the store is NULL on failure (and the output checked untouched).
fn open_raw(path: &CStr, keys: &[u8]) -> (bistand_status, *mut bistand_store) {
    let mut out = sentinel::<bistand_store>();
    // SAFETY: a NUL-terminated path, readable keys, a writable output.
    let status = unsafe { bistand_store_open(path.as_ptr(), keys.as_ptr(), keys.len(), &mut out) };
    if status == BISTAND_OK {
        (status, out)
    } else {
        assert_eq!(out, sentinel(), "output written on failure ({status:?})");
        (status, ptr::null_mut())
    }
}

/// `bistand_store_put` with raw pointers.
fn put_raw(
    store: *const bistand_store,
    engine: *const bistand_engine,
    client_id: &[u8],
    doc: &[u8],
    reference_date: *const c_char,
) -> (bistand_status, Vec<u8>) {
    // SAFETY: each pointer is NULL, a live handle, a NUL-terminated string or readable for its
    // length.
    call(|out| unsafe {
        bistand_store_put(
            store,
            engine,
            client_id.as_ptr(),
            client_id.len(),
            doc.as_ptr(),
            doc.len(),
            reference_date,
            WRITER.as_ptr(),
            out,
        )
    })
}

fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("records.db");
    (dir, path)
}

fn parse(json: &[u8]) -> Value {
    serde_json::from_slice(json).expect("the result is JSON")
}

/// Stores `doc` and returns its record id.
fn stored_id(store: &Store, engine: &Engine, client_id: &str, doc: &[u8]) -> String {
    let (status, result) = store.put(engine, client_id, doc);
    assert_eq!(status, BISTAND_OK, "{}", last_error_en());
    let result = parse(&result);
    assert_eq!(result["stored"], true, "{result}");
    assert_eq!(result["report"]["valid"], true);
    let id = result["record_id"]
        .as_str()
        .expect("a record id")
        .to_owned();
    assert_eq!(id.len(), 32);
    id
}

#[test]
fn put_then_get_returns_the_same_bytes() {
    let (_dir, path) = temp_db();
    let engine = Engine::new();
    let store = Store::open(&path, KEYS);
    let mut ids = Vec::new();
    for (name, client) in [
        ("valid/complete.json", "811218-9876"),
        ("valid/draft.json", "EB-2026-0042"),
    ] {
        let doc = fixture(name);
        let id = stored_id(&store, &engine, client, &doc);
        let (status, got) = store.get(&id);
        assert_eq!(status, BISTAND_OK, "{}", last_error_en());
        assert_eq!(got, doc, "{name}");
        ids.push(id);
    }
    assert_ne!(ids[0], ids[1]);

    // Still there after closing and reopening the file.
    drop(store);
    let store = Store::open(&path, KEYS);
    assert_eq!(store.get(&ids[0]).1, fixture("valid/complete.json"));
}

#[test]
fn a_document_with_errors_is_not_stored() {
    let (_dir, path) = temp_db();
    let engine = Engine::new();
    let store = Store::open(&path, KEYS);
    let (status, result) = store.put(
        &engine,
        "811218-9876",
        &fixture("invalid/out_of_bounds.json"),
    );
    assert_eq!(status, BISTAND_OK, "{}", last_error_en());
    let result = parse(&result);
    assert_eq!(result["stored"], false);
    assert!(result.get("record_id").is_none(), "{result}");
    assert_eq!(result["report"]["valid"], false);
    assert!(result["report"]["errors"].as_u64() > Some(0));

    // Not a document at all: a failure, as for `bistand_validate`.
    fails(
        store.put(&engine, "811218-9876", b"{").0,
        BISTAND_MALFORMED_JSON,
    );

    // Nothing was stored: the only record is the one put now.
    let id = stored_id(&store, &engine, "811218-9876", &fixture("valid/draft.json"));
    assert_eq!(store.get(&id).0, BISTAND_OK);
}

#[test]
fn unknown_and_malformed_record_ids() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path, KEYS);
    fails(store.get(&"0".repeat(32)).0, BISTAND_NOT_FOUND);
    for bad in ["", "xyz", &"A".repeat(32), &"0".repeat(31), &"0".repeat(33)] {
        fails(store.get(bad).0, BISTAND_INVALID_ARGUMENT);
    }
}

#[test]
fn the_client_id_never_reaches_the_database_or_the_result() {
    let (dir, path) = temp_db();
    let engine = Engine::new();
    let store = Store::open(&path, KEYS);
    let doc = fixture("valid/complete.json");
    let mut results = Vec::new();
    for client in ["811218-9876", "19811218-9876", "8112189876", "EB-2026-0042"] {
        results.push(store.put(&engine, client, &doc).1);
    }
    // The same person in every spelling is one pseudonym: all four records are stored.
    for result in &results {
        assert_eq!(parse(result)["stored"], true);
    }
    // (Not the last four digits alone: random hex ids could contain them by chance.)
    let forbidden: [&[u8]; 5] = [
        b"811218",
        b"8112189876",
        b"198112189876",
        b"EB-2026-0042",
        b"eb-2026-0042",
    ];
    let check = |bytes: &[u8], what: &str| {
        for needle in forbidden {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{what} contains {}",
                String::from_utf8_lossy(needle)
            );
        }
    };
    for result in &results {
        check(result, "a put result");
    }
    // While open (records may still be in the WAL) and after closing.
    let files = |dir: &Path| {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("readable temp dir")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        files
    };
    let seen = files(dir.path());
    assert!(seen.iter().any(|p| p.ends_with("records.db")), "{seen:?}");
    for file in &seen {
        check(
            &std::fs::read(file).expect("readable"),
            &file.display().to_string(),
        );
    }
    drop(store);
    for file in files(dir.path()) {
        check(
            &std::fs::read(&file).expect("readable"),
            &file.display().to_string(),
        );
    }
}

/// The database file and its write-ahead log, as bytes (an absent log as `None`).
fn files(path: &Path) -> Vec<Option<Vec<u8>>> {
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    [path.to_path_buf(), wal]
        .iter()
        .map(|file| std::fs::read(file).ok())
        .collect()
}

/// Issue 14: a store is bound to the keys it was written with. Another organisation's keys, the
/// right ids with other secrets, or keys lacking a data key records are sealed with are refused
/// with `BISTAND_WRONG_KEYS` (as the command line and the sidecar refuse them), and the store is
/// left byte for byte as it was.
#[test]
fn a_store_refuses_keys_it_was_not_written_with_and_stays_unchanged() {
    let (_dir, path) = temp_db();
    let engine = Engine::new();
    let doc = fixture("valid/complete.json");
    let id = {
        let store = Store::open(&path, KEYS);
        stored_id(&store, &engine, "811218-9876", &doc)
    };
    let before = files(&path);
    assert!(before[0].is_some(), "the database exists");

    let other_secret = KEYS.replace("0202020202", "0303030303");
    let rotated_away = KEYS.replace("\"k1\"", "\"k2\"");
    let wrong: [(&str, &str); 3] = [
        (OTHER_KEYS, "p9"),
        (&other_secret, "k1"),
        (&rotated_away, "k1"),
    ];
    for (keys, named) in wrong {
        let (status, store) = open_raw(&c_path(&path), keys.as_bytes());
        fails(status, BISTAND_WRONG_KEYS);
        assert!(store.is_null());
        let (en, sv) = (last_error_en(), last_error_sv());
        assert!(en.contains(&format!("`{named}`")), "{en}");
        assert!(en.contains("nothing was written"), "{en}");
        assert!(sv.contains("inget skrevs"), "{sv}");
        for secret in ["0909090909", "0808080808", "0303030303", "0202020202"] {
            assert!(!en.contains(secret) && !sv.contains(secret), "{en} / {sv}");
        }
        assert!(files(&path) == before, "byte for byte unchanged");
    }

    // The store's own keys still open it, and its record is intact.
    let own = Store::open(&path, KEYS);
    assert_eq!(own.get(&id).1, doc);
}

/// `bistand_store_report` through the C ABI, options as JSON text.
fn store_report(
    store: *const bistand_store,
    engine: &Engine,
    instrument: &CStr,
    options: &str,
) -> (bistand_status, Vec<u8>) {
    // SAFETY: a live store and engine, a NUL-terminated instrument, readable options, a writable
    // output.
    call(|out| unsafe {
        bistand_store_report(
            store,
            engine.ptr(),
            instrument.as_ptr(),
            options.as_ptr(),
            options.len(),
            out,
        )
    })
}

/// `options` with the principal a store report requires (who reads, for the audit log).
fn as_analyst(options: &str) -> String {
    let mut options: Value = serde_json::from_str(options).expect("JSON options");
    options["principal"] = Value::from("analytiker@kommun.se");
    options.to_string()
}

/// Keys with a statistics key of their own, as `bistand keys generate` writes them.
const STATISTICS_KEYS: &str = r#"{"pseudonym_key": {"id": "p1", "secret_hex": "0101010101010101010101010101010101010101010101010101010101010101"},
  "data_keys": [{"id": "k1", "secret_hex": "0202020202020202020202020202020202020202020202020202020202020202"}],
  "active_data_key": "k1",
  "statistics_key": {"id": "s1", "secret_hex": "5151515151515151515151515151515151515151515151515151515151515151"}}"#;

/// Issue 12: a report from the store through the C ABI is always perturbed, under the store's
/// statistics key, and is the report of the same persons over NDJSON with the same keys
/// (`bistand_report`, the command line's code path): whole tables equal, each client counted
/// once however many records they have, units picked as the store compares them. Exact counts
/// are refused.
#[test]
fn store_reports_are_perturbed_and_equal_the_ndjson_report_of_the_same_persons() {
    let (_dir, path) = temp_db();
    let engine = Engine::new();
    let store = Store::open(&path, STATISTICS_KEYS);
    let mut all = Vec::new();
    let mut soder = Vec::new();
    let lines = sue_records();
    let documents: Vec<&[u8]> = lines
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .take(150)
        .collect();
    for (i, line) in documents.iter().enumerate() {
        let mut document: Value = serde_json::from_slice(line).expect("JSON");
        let unit = if i % 3 == 0 { "Söder" } else { "Norr" };
        document["unit"] = Value::from(unit);
        // Every fifth client has a second record, in the same unit.
        let client = format!("EB-Å-{}", if i % 5 == 4 && i >= 3 { i - 3 } else { i });
        let doc = serde_json::to_vec(&document).expect("JSON");
        stored_id(&store, &engine, &client, &doc);
        let mut wrapped = serde_json::to_vec(&serde_json::json!({
            "client_id": client,
            "document": document,
        }))
        .expect("JSON");
        wrapped.push(b'\n');
        if unit == "Söder" {
            soder.extend_from_slice(&wrapped);
        }
        all.extend(wrapped);
    }

    let options = r#"{"as_of": "2026-11-24", "breakdowns": ["gender", "unit", "age_band"]}"#;
    let (status, from_store) = store_report(store.0, &engine, c"sue", &as_analyst(options));
    assert_eq!(status, BISTAND_OK, "{}", last_error_en());
    let from_store = parse(&from_store);
    assert_eq!(from_store["records_not_counted"], 0);
    let report = &from_store["report"];
    assert_eq!(report["exact"], false);
    assert_eq!(report["perturbation"]["max_deviation"], 2);
    assert_eq!(report["records"], 150);
    assert_eq!(
        report["persons"], 120,
        "a client with two records counts once"
    );
    for table in report["tables"].as_array().expect("tables") {
        assert_eq!(table["unit"], "persons", "{}", table["id"]);
    }

    let (status, from_ndjson) = report_keyed(
        &engine,
        c"sue",
        &all,
        STATISTICS_KEYS.as_bytes(),
        options.as_bytes(),
    );
    assert_eq!(status, BISTAND_OK, "{}", last_error_en());
    // The same but for where it was read from (the provenance's input).
    let mut from_ndjson = parse(&from_ndjson)["report"].clone();
    let mut from_store = report.clone();
    let ndjson_input = from_ndjson["provenance"]["input"].take();
    let store_input = from_store["provenance"]["input"].take();
    assert_eq!(
        (&ndjson_input["source"], &store_input["source"]),
        (&"ndjson".into(), &"store".into())
    );
    assert_eq!(from_ndjson, from_store, "the same persons, the same report");

    // Units as the store compares them: one unit however it is spelt or listed.
    let (status, only_soder) = store_report(
        store.0,
        &engine,
        c"sue",
        r#"{"as_of": "2026-11-24", "units": ["söder", "Söder"], "breakdowns": ["gender"],
            "principal": "analytiker@kommun.se"}"#,
    );
    assert_eq!(status, BISTAND_OK, "{}", last_error_en());
    let (status, soder_ndjson) = report_keyed(
        &engine,
        c"sue",
        &soder,
        STATISTICS_KEYS.as_bytes(),
        br#"{"as_of": "2026-11-24", "breakdowns": ["gender"]}"#,
    );
    assert_eq!(status, BISTAND_OK, "{}", last_error_en());
    assert_eq!(read_from_apart(&only_soder), read_from_apart(&soder_ndjson));
    assert_eq!(parse(&only_soder)["report"]["records"], 50);

    // CSV: the same lines as the NDJSON report's (the long format: the wide one starts with the
    // provenance, which names the source).
    let csv = r#"{"as_of": "2026-11-24", "breakdowns": ["gender"], "format": "csv-long", "language": "en"}"#;
    let (status, store_csv) = store_report(store.0, &engine, c"sue", &as_analyst(csv));
    assert_eq!(status, BISTAND_OK, "{}", last_error_en());
    let (status, ndjson_csv) = report_keyed(
        &engine,
        c"sue",
        &all,
        STATISTICS_KEYS.as_bytes(),
        csv.as_bytes(),
    );
    assert_eq!(status, BISTAND_OK, "{}", last_error_en());
    assert!(store_csv.len() > 200 && store_csv == ndjson_csv);

    // Never exact, whoever asks; other mistakes named.
    let (status, _) = store_report(
        store.0,
        &engine,
        c"sue",
        r#"{"as_of": "2026-11-24", "exact": true, "principal": "analytiker@kommun.se"}"#,
    );
    fails(status, BISTAND_INVALID_ARGUMENT);
    assert!(
        last_error_en().contains("always perturbed"),
        "{}",
        last_error_en()
    );
    assert!(
        last_error_sv().contains("störs alltid"),
        "{}",
        last_error_sv()
    );
    for (options, message) in [
        ("", "`options` is required"),
        (
            r#"{"as_of": "2026-11-24", "units": "Söder"}"#,
            "`options.units` must be",
        ),
        (
            r#"{"as_of": "2026-11-24", "units": [1]}"#,
            "`options.units` must be",
        ),
        (
            r#"{"as_of": "2026-11-24", "unit": ["Söder"]}"#,
            "unknown key",
        ),
    ] {
        fails(
            store_report(store.0, &engine, c"sue", options).0,
            BISTAND_INVALID_ARGUMENT,
        );
        assert!(
            last_error_en().contains(message),
            "{options}: {}",
            last_error_en()
        );
    }
    fails(
        store_report(
            store.0,
            &engine,
            c"asi",
            r#"{"as_of": "2026-11-24", "principal": "analytiker@kommun.se"}"#,
        )
        .0,
        BISTAND_UNKNOWN_INSTRUMENT,
    );
    fails(
        store_report(ptr::null(), &engine, c"sue", r#"{"as_of": "2026-11-24"}"#).0,
        BISTAND_NULL_POINTER,
    );
    assert!(last_error_en().contains("`store`"), "{}", last_error_en());
}

/// Every report from a store through the C ABI is audited through the function the sidecar
/// and the command line call: under the principal the caller names in `options` (role
/// `library`), one entry per unit asked for or one for all units, never a client id, a pseudonym
/// or a document's content. A report without a principal, or with one the audit log would
/// refuse, is refused before anything is read, without repeating the value.
#[test]
fn store_reports_are_audited_under_the_callers_principal() {
    let (_dir, path) = temp_db();
    let engine = Engine::new();
    let store = Store::open(&path, STATISTICS_KEYS);
    let lines = sue_records();
    for (i, line) in lines
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .take(20)
        .enumerate()
    {
        let mut document: Value = serde_json::from_slice(line).expect("JSON");
        document["unit"] = Value::from(if i % 2 == 0 { "Söder" } else { "Norr" });
        let doc = serde_json::to_vec(&document).expect("JSON");
        stored_id(&store, &engine, &format!("19811218-98{i:02}"), &doc);
    }

    for options in [
        r#"{"as_of": "2026-11-24", "principal": "analytiker@kommun.se", "units": ["Söder", "söder"]}"#,
        r#"{"as_of": "2026-11-24", "principal": "analytiker@kommun.se"}"#,
    ] {
        let (status, _) = store_report(store.0, &engine, c"sue", options);
        assert_eq!(status, BISTAND_OK, "{}", last_error_en());
    }
    for (options, message) in [
        (
            r#"{"as_of": "2026-11-24"}"#,
            "`options.principal` is missing",
        ),
        (
            r#"{"as_of": "2026-11-24", "principal": ""}"#,
            "`options.principal` must be",
        ),
        (
            r#"{"as_of": "2026-11-24", "principal": "  "}"#,
            "`options.principal` must be",
        ),
        (
            r#"{"as_of": "2026-11-24", "principal": 7}"#,
            "`options.principal` must be",
        ),
        (
            r#"{"as_of": "2026-11-24", "principal": "19811218-9876"}"#,
            "`options.principal` must be",
        ),
    ] {
        fails(
            store_report(store.0, &engine, c"sue", options).0,
            BISTAND_INVALID_ARGUMENT,
        );
        let (en, sv) = (last_error_en(), last_error_sv());
        assert!(en.contains(message), "{options}: {en}");
        assert!(sv.contains("`options.principal`"), "{options}: {sv}");
        assert!(!en.contains("9876") && !sv.contains("9876"), "{en} / {sv}");
    }
    // A report over NDJSON reads no store: a principal there is an unknown key.
    let (status, _) = report_keyed(
        &engine,
        c"sue",
        &lines,
        STATISTICS_KEYS.as_bytes(),
        br#"{"as_of": "2026-11-24", "principal": "analytiker@kommun.se"}"#,
    );
    fails(status, BISTAND_INVALID_ARGUMENT);
    drop(store);

    let keys = bistand_core::keys::parse_keys(STATISTICS_KEYS.as_bytes()).expect("keys");
    let opened = ::bistand_store::SqliteStore::open(&path, keys.keyring).expect("opens");
    let entries = ::bistand_store::AuditLog::audit_entries(&opened, 0, 1000).expect("entries");
    let reads: Vec<(&str, &str, &str, Option<&str>, &str)> = entries
        .iter()
        .filter(|e| e.event.action == "report.read")
        .map(|e| {
            (
                e.event.action.as_str(),
                e.event.principal.as_str(),
                e.event.role.as_str(),
                e.event.unit.as_deref(),
                e.event.outcome.as_str(),
            )
        })
        .collect();
    assert_eq!(
        reads,
        [
            (
                "report.read",
                "analytiker@kommun.se",
                "library",
                Some("Söder"),
                "ok"
            ),
            ("report.read", "analytiker@kommun.se", "library", None, "ok"),
        ],
        "one entry per distinct unit, one for all units; refused requests read nothing"
    );
    for entry in entries.iter().filter(|e| e.event.action == "report.read") {
        assert_eq!(entry.event.pseudonym, None);
        assert_eq!(entry.event.record_id, None);
        let text = serde_json::to_string(entry).expect("JSON");
        assert!(
            !text.contains("19811218") && !text.contains("p1:"),
            "{text}"
        );
    }
}

/// Every record stored through the C ABI is audited, as REST creates and `bistand import` are:
/// a `record.create` entry under the caller's `principal` (role `library`) with the unit, the
/// record's id and pseudonym, never the client id or the document, written with the record. A
/// principal the audit log would refuse (missing, empty, shaped like a personnummer) stores
/// nothing and is not repeated in the message.
#[test]
fn store_puts_are_audited_under_the_callers_principal() {
    let (_dir, path) = temp_db();
    let engine = Engine::new();
    let store = Store::open(&path, STATISTICS_KEYS);
    let line = sue_records();
    let line = line.split(|&b| b == b'\n').next().expect("a record");
    let mut document: Value = serde_json::from_slice(line).expect("JSON");
    document["unit"] = Value::from("Söder");
    let doc = serde_json::to_vec(&document).expect("JSON");
    let id = stored_id(&store, &engine, "19811218-9876", &doc);

    let client = b"19811218-9877";
    let put_as = |principal: *const c_char| {
        // SAFETY: live handles, readable inputs, NUL-terminated strings (or NULL).
        call(|out| unsafe {
            bistand_store_put(
                store.0,
                engine.ptr(),
                client.as_ptr(),
                client.len(),
                doc.as_ptr(),
                doc.len(),
                TODAY.as_ptr(),
                principal,
                out,
            )
        })
        .0
    };
    fails(put_as(ptr::null()), BISTAND_NULL_POINTER);
    for principal in [c"", c"   ", c"19811218-9876", c"070-123 45 67"] {
        fails(put_as(principal.as_ptr()), BISTAND_INVALID_ARGUMENT);
        let (en, sv) = (last_error_en(), last_error_sv());
        assert!(en.contains("`principal` must be"), "{en}");
        assert!(
            !en.contains("9876") && !sv.contains("9876") && !en.contains("123 45"),
            "{en} / {sv}"
        );
    }
    drop(store);

    let keys = bistand_core::keys::parse_keys(STATISTICS_KEYS.as_bytes()).expect("keys");
    let opened = ::bistand_store::SqliteStore::open(&path, keys.keyring).expect("opens");
    let entries = ::bistand_store::AuditLog::audit_entries(&opened, 0, 1000).expect("entries");
    assert_eq!(
        entries.len(),
        1,
        "one entry, for the one record stored: {entries:?}"
    );
    let entry = &entries[0].event;
    assert_eq!(
        (
            entry.action.as_str(),
            entry.principal.as_str(),
            entry.role.as_str(),
            entry.unit.as_deref(),
            entry.outcome.as_str(),
            entry.record_id.as_deref()
        ),
        (
            "record.create",
            "verksamhetssystem@kommun.se",
            "library",
            Some("Söder"),
            "ok",
            Some(id.as_str())
        )
    );
    assert!(
        entry
            .pseudonym
            .as_deref()
            .is_some_and(|p| p.starts_with("p1:")),
        "{entry:?}"
    );
    let text = serde_json::to_string(&entries[0]).expect("JSON");
    for secret in ["19811218", "811218", "9876", "9877"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert_eq!(
        ::bistand_store::Store::count(&opened, &::bistand_store::ScanFilter::all()).expect("count"),
        1,
        "refused principals stored nothing"
    );
}

#[test]
fn a_store_is_shared_between_threads() {
    struct Shared(*mut bistand_store);
    // SAFETY: a store is documented as usable from any number of threads at once.
    unsafe impl Sync for Shared {}
    impl Shared {
        fn ptr(&self) -> *mut bistand_store {
            self.0
        }
    }

    let (_dir, path) = temp_db();
    let engine = Engine::new();
    let store = Store::open(&path, KEYS);
    let shared = Shared(store.0);
    let doc = fixture("valid/complete.json");
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..5 {
                    let (status, result) = put_raw(
                        shared.ptr(),
                        engine.ptr(),
                        b"811218-9876",
                        &doc,
                        TODAY.as_ptr(),
                    );
                    assert_eq!(status, BISTAND_OK);
                    let id = parse(&result)["record_id"]
                        .as_str()
                        .expect("stored")
                        .to_owned();
                    let record_id = CString::new(id).expect("hex id");
                    // SAFETY: a live store, a NUL-terminated id, a writable output.
                    let (status, got) = call(|out| unsafe {
                        bistand_store_get(shared.ptr(), record_id.as_ptr(), out)
                    });
                    assert_eq!(status, BISTAND_OK);
                    assert_eq!(got, doc);
                }
            });
        }
    });
}

#[test]
fn open_matrix() {
    let (_dir, path) = temp_db();
    let good_path = c_path(&path);
    let keys = KEYS.as_bytes();

    // NULL path, NULL keys (with and without a length), NULL output.
    let mut out = sentinel::<bistand_store>();
    // SAFETY: NULL `path` is refused before use; the rest is valid.
    let status = unsafe { bistand_store_open(ptr::null(), keys.as_ptr(), keys.len(), &mut out) };
    fails(status, BISTAND_NULL_POINTER);
    assert_eq!(out, sentinel());
    // SAFETY: NULL keys with a length are refused before use.
    let status = unsafe { bistand_store_open(good_path.as_ptr(), ptr::null(), 10, &mut out) };
    fails(status, BISTAND_NULL_POINTER);
    assert_eq!(out, sentinel());
    // SAFETY: NULL keys with length 0 are an empty input.
    let status = unsafe { bistand_store_open(good_path.as_ptr(), ptr::null(), 0, &mut out) };
    fails(status, BISTAND_INVALID_ARGUMENT);
    assert_eq!(out, sentinel());
    // SAFETY: a NULL output is refused before anything is opened.
    let status = unsafe {
        bistand_store_open(
            good_path.as_ptr(),
            keys.as_ptr(),
            keys.len(),
            ptr::null_mut(),
        )
    };
    fails(status, BISTAND_NULL_POINTER);

    // Huge key lengths are refused before the pointer is read.
    for len in [usize::MAX, isize::MAX as usize, 64 * 1024 + 1] {
        // SAFETY: the length is over the limit and refused before `keys` is read.
        let status =
            unsafe { bistand_store_open(good_path.as_ptr(), keys.as_ptr(), len, &mut out) };
        fails(status, BISTAND_TOO_LARGE);
        assert_eq!(out, sentinel());
    }

    // Invalid UTF-8 in the path; bad paths.
    fails(
        open_raw(c"records-\xff.db", keys).0,
        BISTAND_INVALID_UTF8_ARGUMENT,
    );
    for bad in [c"", c":memory:", c"file:records.db"] {
        fails(open_raw(bad, keys).0, BISTAND_INVALID_ARGUMENT);
    }
    fails(
        open_raw(c"/nonexistent-bistand-dir/records.db", keys).0,
        BISTAND_STORE_ERROR,
    );

    // Bad keys, and no secret in any message.
    let bad_keys = [
        b"\xff\xfe".to_vec(),
        b"{".to_vec(),
        b"{}".to_vec(),
        KEYS.replace("\"active_data_key\": \"k1\"", "\"active_data_key\": \"k2\"")
            .into_bytes(),
        KEYS.replace("02020202", "0202zz02").into_bytes(),
        KEYS.replace("\"id\": \"k1\",", "\"id\": \"k1\", \"extra\": 1,")
            .into_bytes(),
    ];
    for keys in bad_keys {
        fails(open_raw(&good_path, &keys).0, BISTAND_INVALID_ARGUMENT);
        for message in [last_error_en(), last_error_sv()] {
            assert!(!message.contains("0101010101"), "{message}");
            assert!(!message.contains("0202"), "{message}");
        }
    }
    assert!(!path.exists(), "nothing was created by the failed calls");
}

#[test]
fn put_and_get_matrix() {
    let (_dir, path) = temp_db();
    let engine = Engine::new();
    let store = Store::open(&path, KEYS);
    let doc = fixture("valid/complete.json");
    let client = b"811218-9876";
    // The status of a put into this store through this engine.
    let put = |client: &[u8], doc: &[u8], reference_date: *const c_char| {
        put_raw(store.0, engine.ptr(), client, doc, reference_date).0
    };

    // NULL handles.
    fails(
        put_raw(ptr::null(), engine.ptr(), client, &doc, TODAY.as_ptr()).0,
        BISTAND_NULL_POINTER,
    );
    fails(
        put_raw(store.0, ptr::null(), client, &doc, TODAY.as_ptr()).0,
        BISTAND_NULL_POINTER,
    );
    fails(put(client, &doc, ptr::null()), BISTAND_NULL_POINTER);
    // NULL data with a length; NULL with length 0 is empty.
    // SAFETY: NULL with a non-zero length is refused before use.
    let (status, _) = call(|out| unsafe {
        bistand_store_put(
            store.0,
            engine.ptr(),
            ptr::null(),
            5,
            doc.as_ptr(),
            doc.len(),
            TODAY.as_ptr(),
            WRITER.as_ptr(),
            out,
        )
    });
    fails(status, BISTAND_NULL_POINTER);
    // SAFETY: as above.
    let (status, _) = call(|out| unsafe {
        bistand_store_put(
            store.0,
            engine.ptr(),
            client.as_ptr(),
            client.len(),
            ptr::null(),
            5,
            TODAY.as_ptr(),
            WRITER.as_ptr(),
            out,
        )
    });
    fails(status, BISTAND_NULL_POINTER);
    fails(put(b"", &doc, TODAY.as_ptr()), BISTAND_INVALID_IDENTIFIER);
    fails(put(b"  ", &doc, TODAY.as_ptr()), BISTAND_INVALID_IDENTIFIER);
    fails(put(client, b"", TODAY.as_ptr()), BISTAND_MALFORMED_JSON);
    // NULL output.
    // SAFETY: a NULL output is refused before anything is stored.
    let status = unsafe {
        bistand_store_put(
            store.0,
            engine.ptr(),
            client.as_ptr(),
            client.len(),
            doc.as_ptr(),
            doc.len(),
            TODAY.as_ptr(),
            WRITER.as_ptr(),
            ptr::null_mut(),
        )
    };
    fails(status, BISTAND_NULL_POINTER);

    // Huge lengths.
    for len in [usize::MAX, isize::MAX as usize, 257] {
        // SAFETY: the length is over the limit and refused before `client` is read.
        let (status, _) = call(|out| unsafe {
            bistand_store_put(
                store.0,
                engine.ptr(),
                client.as_ptr(),
                len,
                doc.as_ptr(),
                doc.len(),
                TODAY.as_ptr(),
                WRITER.as_ptr(),
                out,
            )
        });
        fails(status, BISTAND_TOO_LARGE);
    }
    for len in [usize::MAX, isize::MAX as usize, 1024 * 1024 + 1] {
        // SAFETY: the length is over the limit and refused before `doc` is read.
        let (status, _) = call(|out| unsafe {
            bistand_store_put(
                store.0,
                engine.ptr(),
                client.as_ptr(),
                client.len(),
                doc.as_ptr(),
                len,
                TODAY.as_ptr(),
                WRITER.as_ptr(),
                out,
            )
        });
        fails(status, BISTAND_TOO_LARGE);
    }

    // Invalid UTF-8 and bad dates.
    fails(
        put(b"8112\xff-9876", &doc, TODAY.as_ptr()),
        BISTAND_INVALID_UTF8,
    );
    fails(
        put(client, b"{\"a\": \"\xff\"}", TODAY.as_ptr()),
        BISTAND_INVALID_UTF8,
    );
    fails(
        put(client, &doc, c"2026-11-\xff".as_ptr()),
        BISTAND_INVALID_UTF8_ARGUMENT,
    );
    for bad in [c"", c"2026-11-31", c"20261124", c"today"] {
        fails(put(client, &doc, bad.as_ptr()), BISTAND_INVALID_ARGUMENT);
    }
    // No message repeats the client id.
    fails(
        put(b"811218-9876\xff", &doc, TODAY.as_ptr()),
        BISTAND_INVALID_UTF8,
    );
    assert!(!last_error_en().contains("811218"));

    // get: NULL store, id and output; invalid UTF-8 id.
    let id = c"00000000000000000000000000000000";
    // SAFETY: NULL handles and outputs are refused before use.
    unsafe {
        let (status, _) = call(|out| bistand_store_get(ptr::null(), id.as_ptr(), out));
        fails(status, BISTAND_NULL_POINTER);
        let (status, _) = call(|out| bistand_store_get(store.0, ptr::null(), out));
        fails(status, BISTAND_NULL_POINTER);
        let status = bistand_store_get(store.0, id.as_ptr(), ptr::null_mut::<*mut bistand_buf>());
        fails(status, BISTAND_NULL_POINTER);
        let (status, _) = call(|out| bistand_store_get(store.0, c"\xff".as_ptr(), out));
        fails(status, BISTAND_INVALID_UTF8_ARGUMENT);
    }

    // After all the failures the store still works.
    let id = stored_id(&store, &engine, "811218-9876", &doc);
    assert_eq!(store.get(&id).1, doc);
}

#[test]
fn free_null_store() {
    // SAFETY: NULL is documented as a no-op.
    unsafe { bistand_store_free(ptr::null_mut()) };
}

/// A report's JSON output without what differs between the store and NDJSON: the provenance's
/// input (source, units, digest).
fn read_from_apart(output: &[u8]) -> serde_json::Value {
    let mut report = parse(output)["report"].clone();
    let input = report["provenance"]["input"].take();
    assert!(
        input["digest"]
            .as_str()
            .is_some_and(|d| d.starts_with("sha256:"))
    );
    report
}
