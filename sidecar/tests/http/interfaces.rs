//! Issue 12, "how it is checked": the same persons get the same perturbed counts in every report,
//! through every interface. One store, written through the C ABI with the service's keys file,
//! reported on by the command line (`bistand report --db`, a subprocess), the C ABI over the
//! store (`bistand_store_report`) and over the same records as NDJSON with the same keys
//! (`bistand_report`), and REST (`GET /v1/reports/sue` of the service `bistand serve` runs).
//! Whole reports are compared, every table and cell, for all units and for one. Each read is
//! audited alike, through the one path, with the principal of its interface and no client data.

use std::process::Command;

use bistand_core::Engine;
use bistand_core::fia::FiaGenerator;
use bistand_core::sue::SueGenerator;
use bistand_sidecar::config::Config;
use serde_json::{Value, json};

use crate::setup::{ReadAnswer, Service, init_in};

/// Units with Swedish letters, as municipalities name them.
const UNITS: [&str; 2] = ["Norr", "Söder"];
const RECORDS: usize = 160;
const BREAKDOWNS: &str = "gender,unit,age_band";
/// The operating-system user the command line runs as (audited as `cli:<user>`).
const CLI_USER: &str = "asa.lind";
/// The principal the C ABI caller names in its options.
const C_PRINCIPAL: &str = "statistikverktyg";

/// The C ABI, called as a C program calls it: the library is linked into this test.
#[allow(unsafe_code)]
mod c_abi {
    use std::ffi::{CStr, CString};
    use std::path::Path;
    use std::ptr;

    use bistand::{
        bistand_buf, bistand_buf_data, bistand_buf_free, bistand_buf_len, bistand_engine,
        bistand_engine_free, bistand_engine_new, bistand_report, bistand_status, bistand_store,
        bistand_store_free, bistand_store_open, bistand_store_put, bistand_store_report,
    };

    /// The bytes of the buffer a successful call returned, which is then freed.
    fn take(status: bistand_status, buf: *mut bistand_buf) -> Vec<u8> {
        assert_eq!(status, bistand_status::BISTAND_OK);
        // SAFETY: `buf` is the live buffer the call returned; it is freed once, here, after
        // its bytes are copied.
        unsafe {
            let bytes =
                std::slice::from_raw_parts(bistand_buf_data(buf), bistand_buf_len(buf)).to_vec();
            bistand_buf_free(buf);
            bytes
        }
    }

    /// An engine and a store opened through the C ABI, freed on drop.
    pub(crate) struct Library {
        engine: *mut bistand_engine,
        store: *mut bistand_store,
    }

    impl Library {
        pub(crate) fn open(path: &Path, keys: &[u8]) -> Library {
            let path = CString::new(path.to_str().expect("UTF-8 path")).expect("no NUL");
            let (mut engine, mut store) = (ptr::null_mut(), ptr::null_mut());
            // SAFETY: NULL profile with length 0, a writable output.
            let status = unsafe { bistand_engine_new(ptr::null(), 0, &mut engine) };
            assert_eq!(status, bistand_status::BISTAND_OK);
            // SAFETY: a NUL-terminated path, readable keys, a writable output.
            let status =
                unsafe { bistand_store_open(path.as_ptr(), keys.as_ptr(), keys.len(), &mut store) };
            assert_eq!(status, bistand_status::BISTAND_OK);
            Library { engine, store }
        }

        /// Stores `doc` under `client_id`; the document must be valid.
        pub(crate) fn put(&self, client_id: &str, doc: &[u8]) {
            let mut out = ptr::null_mut();
            // SAFETY: live handles, readable inputs, a NUL-terminated date, a writable output.
            let status = unsafe {
                bistand_store_put(
                    self.store,
                    self.engine,
                    client_id.as_ptr(),
                    client_id.len(),
                    doc.as_ptr(),
                    doc.len(),
                    c"2026-11-24".as_ptr(),
                    c"interfaces-test".as_ptr(),
                    &mut out,
                )
            };
            let result: serde_json::Value =
                serde_json::from_slice(&take(status, out)).expect("JSON");
            assert_eq!(result["stored"], true, "{result}");
        }

        /// `bistand_store_report` of `instrument` with `options`.
        pub(crate) fn store_report(&self, instrument: &CStr, options: &str) -> Vec<u8> {
            let mut out = ptr::null_mut();
            // SAFETY: live handles, a NUL-terminated instrument, readable options, a writable
            // output.
            let status = unsafe {
                bistand_store_report(
                    self.store,
                    self.engine,
                    instrument.as_ptr(),
                    options.as_ptr(),
                    options.len(),
                    &mut out,
                )
            };
            take(status, out)
        }

        /// `bistand_report` of `instrument` over `ndjson` with `keys` and `options`.
        pub(crate) fn ndjson_report(
            &self,
            instrument: &CStr,
            ndjson: &[u8],
            keys: &[u8],
            options: &str,
        ) -> Vec<u8> {
            let mut out = ptr::null_mut();
            // SAFETY: a live engine, a NUL-terminated instrument, readable inputs, a writable
            // output.
            let status = unsafe {
                bistand_report(
                    self.engine,
                    instrument.as_ptr(),
                    ndjson.as_ptr(),
                    ndjson.len(),
                    keys.as_ptr(),
                    keys.len(),
                    options.as_ptr(),
                    options.len(),
                    &mut out,
                )
            };
            take(status, out)
        }
    }

    impl Drop for Library {
        fn drop(&mut self) {
            // SAFETY: made by `bistand_store_open` and `bistand_engine_new`, freed once here.
            unsafe {
                bistand_store_free(self.store);
                bistand_engine_free(self.engine);
            }
        }
    }
}

/// The client of record `i`: every fourth record is a second record of an earlier client, in
/// the same unit.
fn client_of(i: usize) -> usize {
    if i % 4 == 3 { i - 2 } else { i }
}

/// `bistand report` of `instrument` over the store with `breakdowns`, as an operator runs it:
/// the report JSON.
fn cli_report(config: &Config, instrument: &str, breakdowns: &str, unit: Option<&str>) -> Value {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bistand"));
    command
        .env("USER", CLI_USER)
        .env_remove("USERNAME")
        .args(["report", "--instrument", instrument, "--db"])
        .arg(&config.store.path)
        .arg("--keys")
        .arg(&config.store.keys)
        .args(["--as-of", "2026-11-24", "--breakdown", breakdowns]);
    if let Some(unit) = unit {
        command.args(["--unit", unit]);
    }
    let output = command.output().expect("bistand runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON")
}

/// A report without what tells NDJSON from the store apart: its provenance's input.
fn without_input(report: &Value) -> Value {
    let mut report = report.clone();
    report["provenance"]["input"].take();
    report
}

fn parse(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_persons_get_the_same_perturbed_tables_through_every_interface() {
    let dir = tempfile::tempdir().expect("tempdir");
    let created = init_in(dir.path(), &UNITS);
    let config = Config::load(&created.config).expect("config");
    let keys = std::fs::read(&config.store.keys).expect("the service's keys file");
    assert!(
        String::from_utf8_lossy(&keys).contains("statistics_key"),
        "init writes a statistics key"
    );

    // The records, written through the C ABI, and the same lines as wrapped NDJSON.
    let engine = Engine::new().expect("engine");
    let definition = engine.definition("sue", None).expect("sue");
    let (mut all, mut soder) = (Vec::new(), Vec::new());
    let library = c_abi::Library::open(&config.store.path, &keys);
    for (i, mut document) in SueGenerator::new(definition, 21)
        .expect("generator")
        .take(RECORDS)
        .enumerate()
    {
        let client = client_of(i);
        let unit = UNITS[client % 3 / 2];
        document["unit"] = json!(unit);
        let client_id = format!("EB-Å-{client}");
        library.put(&client_id, &serde_json::to_vec(&document).expect("JSON"));
        let mut line = serde_json::to_vec(&json!({ "client_id": client_id, "document": document }))
            .expect("JSON");
        line.push(b'\n');
        if unit == "Söder" {
            soder.extend_from_slice(&line);
        }
        all.extend(line);
    }

    // All units, then Söder alone, through the C ABI (over the store and over NDJSON) and the
    // command line.
    let options = r#"{"as_of": "2026-11-24", "breakdowns": ["gender", "unit", "age_band"]}"#;
    let store_options = json!({"as_of": "2026-11-24", "breakdowns": ["gender", "unit", "age_band"],
        "principal": C_PRINCIPAL});
    let mut soder_options = store_options.clone();
    soder_options["units"] = json!(["Söder"]);
    let c_store = library.store_report(c"sue", &store_options.to_string());
    let c_store_soder = library.store_report(c"sue", &soder_options.to_string());
    let c_ndjson = parse(&library.ndjson_report(c"sue", &all, &keys, options));
    let c_ndjson_soder = parse(&library.ndjson_report(c"sue", &soder, &keys, options));
    drop(library);
    let cli = cli_report(&config, "sue", BREAKDOWNS, None);
    let cli_soder = cli_report(&config, "sue", BREAKDOWNS, Some("söder"));

    // REST, from the service over the same store.
    let service = Service::over(config, created, dir).await;
    let client = service.client();
    let token = service.token("analytiker");
    let rest = client
        .get(service.url(&format!(
            "/v1/reports/sue?as_of=2026-11-24&breakdowns={BREAKDOWNS}"
        )))
        .bearer_auth(&token)
        .send_text()
        .await;
    let rest_soder: Value = client
        .get(service.url(&format!(
            "/v1/reports/sue?as_of=2026-11-24&breakdowns={BREAKDOWNS}&units=S%C3%B6der"
        )))
        .bearer_auth(&token)
        .send_json()
        .await;
    service.running.stop().await.expect("stops");

    // The C ABI's store report is the sidecar's answer, but for the units the provenance names:
    // REST reads the analyst's units by name, the C ABI every unit.
    let without_units = |bytes: &[u8]| {
        let mut value = parse(bytes);
        let units = value["report"]["provenance"]["input"]["units"].take();
        (value, units)
    };
    let (rest_report, rest_units) = without_units(rest.as_bytes());
    let (c_store_report, c_units) = without_units(&c_store);
    assert_eq!(
        rest_report, c_store_report,
        "REST and the C ABI over the store differ"
    );
    assert_eq!((rest_units, c_units), (json!(["norr", "söder"]), json!([])));
    let report = &parse(&c_store)["report"];
    assert_eq!(report["exact"], false);
    assert_eq!(report["perturbation"]["max_deviation"], 2);
    assert_eq!(report["records"], RECORDS);
    assert_eq!(
        report["persons"],
        RECORDS - RECORDS / 4,
        "persons, not records"
    );
    let shown = report.to_string().matches("\"suppressed\":false").count();
    assert!(
        shown > 20,
        "a report with numbers in it: {shown} cells shown"
    );
    assert_eq!(
        without_input(&c_ndjson["report"]),
        without_input(report),
        "C ABI over NDJSON"
    );
    assert_eq!(cli, *report, "the command line over the store");

    let report_soder = &parse(&c_store_soder)["report"];
    assert!(report_soder["records"].as_u64().expect("records") < RECORDS as u64);
    assert_ne!(report_soder, report);
    assert_eq!(rest_soder["report"], *report_soder, "REST, units=Söder");
    assert_eq!(
        without_input(&c_ndjson_soder["report"]),
        without_input(report_soder),
        "C ABI over NDJSON of Söder"
    );
    assert_eq!(cli_soder, *report_soder, "the command line, --unit söder");

    // Every read is in the audit log, through the one audited path, each interface under its
    // principal: the C ABI's caller-named principal (role `library`), the command line's
    // `cli:<user>` (role `operator`), the REST caller (one entry per unit of theirs).
    let parsed = bistand_core::keys::parse_keys(&keys).expect("keys");
    let store = bistand_store::SqliteStore::open(&service.config.store.path, parsed.keyring)
        .expect("opens");
    let entries = bistand_store::AuditLog::audit_entries(&store, 0, 100_000).expect("entries");
    let reads: Vec<(String, String, Option<String>, String)> = entries
        .iter()
        .filter(|e| e.event.action == "report.read")
        .map(|e| {
            (
                e.event.principal.clone(),
                e.event.role.clone(),
                e.event.unit.clone(),
                e.event.outcome.clone(),
            )
        })
        .collect();
    let read = |principal: &str, role: &str, unit: Option<&str>| {
        (
            principal.to_owned(),
            role.to_owned(),
            unit.map(str::to_owned),
            "ok".to_owned(),
        )
    };
    let cli_principal = format!("cli:{CLI_USER}");
    assert_eq!(
        reads,
        [
            read(C_PRINCIPAL, "library", None),
            read(C_PRINCIPAL, "library", Some("Söder")),
            read(&cli_principal, "operator", None),
            read(&cli_principal, "operator", Some("söder")),
            read("analytiker", "analyst", Some("Norr")),
            read("analytiker", "analyst", Some("Söder")),
            read("analytiker", "analyst", Some("Söder")),
        ]
    );
    // No client data in any entry of a report read: no client id, no pseudonym, no record.
    for entry in entries.iter().filter(|e| e.event.action == "report.read") {
        assert_eq!(entry.event.pseudonym, None);
        assert_eq!(entry.event.record_id, None);
        let text = serde_json::to_string(entry).expect("JSON");
        assert!(!text.contains("EB-"), "{text}");
    }
}

/// Issue 15 point 5: FIA and SUE records of the same persons are linked in one report run, alike
/// through every interface. SUE records for clients 0–119, FIA interviews for clients 30–159
/// (so some persons have only one of them), in Norr and Söder; the FIA report breaks down by the
/// SUE background, the SUE report by the FIA assessment, and both are the same through REST, the
/// C ABI over the store and over NDJSON, and the command line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn linked_fia_and_sue_reports_are_the_same_through_every_interface() {
    const LINKED: &str = "gender,unit,fia_assessment";
    let dir = tempfile::tempdir().expect("tempdir");
    let created = init_in(dir.path(), &UNITS);
    let config = Config::load(&created.config).expect("config");
    let keys = std::fs::read(&config.store.keys).expect("the service's keys file");
    let engine = Engine::new().expect("engine");
    let sue = engine.definition("sue", None).expect("sue");
    let fia = engine.definition("fia", None).expect("fia");
    let library = c_abi::Library::open(&config.store.path, &keys);
    let mut ndjson = Vec::new();
    let sue_documents = SueGenerator::new(sue, 33).expect("generator").take(120);
    let fia_documents = FiaGenerator::new(fia, 34).expect("generator").take(130);
    let records = sue_documents
        .enumerate()
        .chain(fia_documents.enumerate().map(|(i, d)| (i + 30, d)));
    for (client, mut document) in records {
        document["unit"] = json!(UNITS[client % 2]);
        let client_id = format!("FÖ-{client}");
        library.put(&client_id, &serde_json::to_vec(&document).expect("JSON"));
        let line = json!({ "client_id": client_id, "document": document });
        ndjson.extend(serde_json::to_vec(&line).expect("JSON"));
        ndjson.push(b'\n');
    }
    let options =
        json!({"as_of": "2026-11-24", "breakdowns": ["gender", "unit", "fia_assessment"]});
    let mut store_options = options.clone();
    store_options["principal"] = json!(C_PRINCIPAL);
    let store_options = store_options.to_string();
    let options = options.to_string();
    let mut through_c = Vec::new();
    for instrument in [c"fia", c"sue"] {
        let store = library.store_report(instrument, &store_options);
        let over_ndjson = library.ndjson_report(instrument, &ndjson, &keys, &options);
        through_c.push((parse(&store), parse(&over_ndjson)));
    }
    drop(library);
    let cli = ["fia", "sue"].map(|instrument| cli_report(&config, instrument, LINKED, None));

    let service = Service::over(config, created, dir).await;
    let client = service.client();
    let token = service.token("analytiker");
    let mut rest = Vec::new();
    for instrument in ["fia", "sue"] {
        let url = format!("/v1/reports/{instrument}?as_of=2026-11-24&breakdowns={LINKED}");
        let body = client
            .get(service.url(&url))
            .bearer_auth(&token)
            .send_text()
            .await;
        rest.push(parse(body.as_bytes()));
    }
    service.running.stop().await.expect("stops");

    for (i, instrument) in ["fia", "sue"].into_iter().enumerate() {
        let (store, over_ndjson) = &through_c[i];
        let mut rest = rest[i].clone();
        let mut store = store.clone();
        let units = (
            rest["report"]["provenance"]["input"]["units"].take(),
            store["report"]["provenance"]["input"]["units"].take(),
        );
        assert_eq!(units, (json!(["norr", "söder"]), json!([])));
        assert_eq!(
            rest, store,
            "{instrument}: REST and the C ABI over the store"
        );
        let report = &through_c[i].0["report"];
        assert_eq!(*report, cli[i], "{instrument}: the command line");
        assert_eq!(
            without_input(&over_ndjson["report"]),
            without_input(report),
            "{instrument}: the C ABI over NDJSON"
        );
        // The other instrument's records were read for their persons, not counted.
        let linked = if instrument == "fia" { 120 } else { 130 };
        for input in [
            &report["provenance"]["input"],
            &over_ndjson["report"]["provenance"]["input"],
        ] {
            let tallies = input["not_counted"].as_array().expect("tallies");
            assert!(
                tallies.contains(&json!({"reason": "linked", "count": linked})),
                "{instrument}: {input}"
            );
        }
    }
    // FIA by the SUE background: women and men of the 90 linked persons are shown, and the 40
    // interviewed persons with no SUE record are a group of their own.
    let fia_report = &cli[0];
    let table = |report: &Value, id: &str| {
        report["tables"]
            .as_array()
            .expect("tables")
            .iter()
            .find(|t| t["id"] == id)
            .unwrap_or_else(|| panic!("{id}"))
            .clone()
    };
    let rows = |table: &Value| -> Vec<String> {
        table["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r["code"].as_str().expect("code").to_owned())
            .collect()
    };
    let gender = table(fia_report, "fia_assessment.gender");
    assert!(
        rows(&gender).starts_with(&["kvinna".to_owned(), "man".to_owned()]),
        "{gender}"
    );
    assert_eq!(rows(&gender).last().map(String::as_str), Some("okand"));
    // SUE by the FIA assessment: the 30 persons with no FIA are a group of their own.
    let by_assessment = table(&cli[1], "clients.fia_assessment");
    assert_eq!(
        rows(&by_assessment).last().map(String::as_str),
        Some("okand")
    );
    assert!(rows(&by_assessment).len() >= 3, "{by_assessment}");
}
