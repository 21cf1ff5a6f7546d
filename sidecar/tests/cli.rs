//! The command line end to end: keys, import into the encrypted store, and the same group report
//! from the store as from the NDJSON it was imported from.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{assert_fhir_questionnaires_parse, bistand, generated_sue, new_keys, ok, report_to};

#[test]
fn report_from_the_store_equals_report_from_ndjson() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keys = new_keys(dir.path().join("keys.json"));
    let wrapped = generated_sue(dir.path().join("wrapped.ndjson"), "400", "9", true);
    let plain = generated_sue(dir.path().join("plain.ndjson"), "400", "9", false);
    let db = dir.path().join("store.db");
    let (db_s, keys_s) = (db.to_str().expect("path"), keys.to_str().expect("path"));
    let import = bistand(
        &["store", "import", "--db", db_s, "--keys", keys_s],
        Some(&wrapped),
    );
    ok(&import);
    assert!(String::from_utf8_lossy(&import.stderr).contains("stored 400 record(s), refused 0"));

    let from_store = ok(&bistand(
        &[
            "report",
            "--instrument",
            "sue",
            "--db",
            db_s,
            "--keys",
            keys_s,
            "--as-of",
            "2026-11-24",
        ],
        None,
    ));
    let from_ndjson = ok(&bistand(
        &[
            "report",
            "--instrument",
            "sue",
            "--input",
            wrapped.to_str().expect("path"),
            "--keys",
            keys_s,
            "--as-of",
            "2026-11-24",
        ],
        None,
    ));
    // The same persons under the same keys: the same perturbed counts; only where they were read
    // from differs.
    let without_provenance = |report: &str| {
        let mut value: serde_json::Value = serde_json::from_str(report).expect("JSON");
        let provenance = value
            .as_object_mut()
            .and_then(|o| o.remove("provenance"))
            .expect("a provenance");
        (value, provenance["input"]["source"].clone())
    };
    let (store_report, store_source) = without_provenance(&from_store);
    let (ndjson_report, ndjson_source) = without_provenance(&from_ndjson);
    assert_eq!(store_report, ndjson_report);
    assert_eq!(
        (store_source, ndjson_source),
        ("store".into(), "ndjson".into())
    );
    assert!(from_store.contains("\"records\": 400"));
    assert!(from_store.contains("\"exact\": false"));
    assert!(from_store.contains("\"max_deviation\": 2"));

    // Not a terminal: no progress bar, one summary line with its timing; `--quiet`: nothing.
    let wrapped_s = wrapped.to_str().expect("path");
    for source in [["--db", db_s], ["--input", wrapped_s]] {
        let mut args = vec![
            "report",
            "--instrument",
            "sue",
            source[0],
            source[1],
            "--keys",
            keys_s,
            "--as-of",
            "2026-11-24",
        ];
        let shown = bistand(&args, None);
        assert_eq!(without_provenance(&ok(&shown)).0, store_report);
        let stderr = String::from_utf8_lossy(&shown.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with("bistand: report over 400 ") && stderr.trim_end().ends_with(" s"),
            "{stderr}"
        );
        assert!(
            !stderr.contains('\r') && !stderr.contains('\x1b'),
            "{stderr}"
        );
        args.push("--quiet");
        let quiet = bistand(&args, None);
        assert_eq!(without_provenance(&ok(&quiet)).0, store_report);
        assert!(
            quiet.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&quiet.stderr)
        );
    }

    // Plain NDJSON without keys: only an exact report, labelled so.
    let plain_s = plain.to_str().expect("path");
    let refused = bistand(
        &["report", "--input", plain_s, "--as-of", "2026-11-24"],
        None,
    );
    assert!(!refused.status.success(), "perturbing needs --keys");
    let exact = ok(&bistand(
        &[
            "report",
            "--input",
            plain_s,
            "--exact",
            "--as-of",
            "2026-11-24",
        ],
        None,
    ));
    assert!(exact.contains("\"exact\": true") && exact.contains("\"perturbation\": null"));
    let csv = ok(&bistand(
        &[
            "report",
            "--input",
            plain_s,
            "--exact",
            "--as-of",
            "2026-11-24",
            "--format",
            "csv",
        ],
        None,
    ));
    assert!(
        csv.starts_with('\u{feff}') && csv.contains("\r\nAntal;exakta, ej störda"),
        "exact counts are labelled in the CSV's facts"
    );

    // The store holds pseudonyms and ciphertext only: no client id, no answer text.
    let raw = std::fs::read(&db).expect("db");
    let raw = String::from_utf8_lossy(&raw);
    assert!(!raw.contains("syntet-9-"), "client ids are pseudonymised");
    assert!(!raw.contains("bakgrund.kon"), "bodies are sealed");

    // The wrong keys are refused, never read as data.
    let other = new_keys(dir.path().join("other.json"));
    let wrong = bistand(
        &[
            "report",
            "--db",
            db_s,
            "--keys",
            other.to_str().expect("path"),
            "--as-of",
            "2026-11-24",
        ],
        None,
    );
    assert!(!wrong.status.success());
}

#[test]
fn import_refuses_invalid_documents_by_line_number_without_content() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keys = new_keys(dir.path().join("keys.json"));
    let input = dir.path().join("input.ndjson");
    std::fs::write(
        &input,
        "{\"client_id\": \"811218-9876\", \"document\": {\"instrument\": \"sue\", \"version\": \"1\", \"status\": \"complete\", \"answers\": {\"bakgrund.kon\": \"Hemlig Text\"}}}\nnot json\n",
    )
    .expect("write");
    let db = dir.path().join("store.db");
    let output = bistand(
        &[
            "store",
            "import",
            "--db",
            db.to_str().expect("path"),
            "--keys",
            keys.to_str().expect("path"),
        ],
        Some(&input),
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("line 1: refused") && stderr.contains("line 2: refused"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("Hemlig") && !stderr.contains("811218"),
        "{stderr}"
    );
}

#[test]
fn bad_keys_files_name_the_problem_not_the_secret() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keys = dir.path().join("keys.json");
    std::fs::write(&keys, r#"{"pseudonym_key": {"id": "p1", "secret_hex": "zz"}, "data_keys": [], "active_data_key": "k1"}"#)
        .expect("write");
    let output = bistand(
        &[
            "report",
            "--db",
            "x.db",
            "--keys",
            keys.to_str().expect("path"),
        ],
        None,
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("pseudonym_key: secret_hex must be 64 hexadecimal digits"),
        "{stderr}"
    );
}

#[test]
fn a_reader_that_stops_early_ends_the_program_quietly() {
    use std::io::Read;
    // As `bistand generate sue --count 100000 | head -c 1000`: the pipe closes long before the
    // output ends.
    let mut child = Command::new(env!("CARGO_BIN_EXE_bistand"))
        .args(["generate", "sue", "--count", "100000", "--seed", "3"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("bistand runs");
    let mut first = [0u8; 1000];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("some output");
    // Dropping the read end closes the pipe.
    let output = child.wait_with_output().expect("ends");
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The `notBefore` and `notAfter` of a DER certificate (RFC 5280, section 4.1), parsed by
/// hand: the test needs two fields, not an X.509 library.
fn validity_of(der: &[u8]) -> (jiff::Timestamp, jiff::Timestamp) {
    /// The tag, content and the rest after one DER element.
    fn element(bytes: &[u8]) -> (u8, &[u8], &[u8]) {
        let tag = bytes[0];
        let (length, start) = match bytes[1] {
            short if short < 0x80 => (usize::from(short), 2),
            long => {
                let count = usize::from(long & 0x7f);
                let length = bytes[2..2 + count]
                    .iter()
                    .fold(0usize, |n, b| (n << 8) | usize::from(*b));
                (length, 2 + count)
            }
        };
        (tag, &bytes[start..start + length], &bytes[start + length..])
    }
    fn time(tag: u8, text: &[u8]) -> jiff::Timestamp {
        let text = std::str::from_utf8(text).expect("ASCII time");
        // UTCTime YYMMDDHHMMSSZ (years 1950-2049), GeneralizedTime YYYYMMDDHHMMSSZ.
        let full = match tag {
            0x17 if text[..2].parse::<u32>().expect("year") >= 50 => format!("19{text}"),
            0x17 => format!("20{text}"),
            0x18 => text.to_owned(),
            other => panic!("not a time: tag {other:#x}"),
        };
        jiff::civil::DateTime::strptime("%Y%m%d%H%M%SZ", &full)
            .expect("time")
            .to_zoned(jiff::tz::TimeZone::UTC)
            .expect("UTC")
            .timestamp()
    }
    let (_, certificate, _) = element(der);
    let (_, tbs, _) = element(certificate);
    let mut rest = tbs;
    // [0] version (optional), serial number, signature algorithm, issuer, then validity.
    let (tag, _, after) = element(rest);
    if tag == 0xa0 {
        rest = after;
    }
    for _ in 0..3 {
        rest = element(rest).2;
    }
    let (_, validity, _) = element(rest);
    let (tag, not_before, after) = element(validity);
    let not_before = time(tag, not_before);
    let (tag, not_after, _) = element(after);
    (not_before, time(tag, not_after))
}

fn der_of(pem_file: &Path) -> Vec<u8> {
    use rustls_pki_types::pem::PemObject;
    rustls_pki_types::CertificateDer::from_pem_file(pem_file)
        .expect("PEM certificate")
        .to_vec()
}

#[test]
fn init_certificates_last_exactly_as_long_as_printed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let setup = dir.path().join("setup");
    let before = jiff::Timestamp::now();
    let printed = ok(&bistand(
        &[
            "init",
            setup.to_str().expect("UTF-8 path"),
            "--unit",
            "norr",
        ],
        None,
    ));
    let after = jiff::Timestamp::now();
    // "Certificates: the CA expires <time>, the server and client certificates <time>."
    let line = printed
        .lines()
        .find(|line| line.starts_with("Certificates:"))
        .unwrap_or_else(|| panic!("no validity printed:\n{printed}"));
    let times: Vec<jiff::Timestamp> = line
        .split([' ', ','])
        .filter_map(|word| word.trim_end_matches('.').parse().ok())
        .collect();
    let [ca_expires, certificates_expire] = times[..] else {
        panic!("two expiry times expected: {line}");
    };

    let (ca_from, ca_until) = validity_of(&der_of(&setup.join("ca.pem")));
    assert_eq!(ca_until, ca_expires, "the CA as printed");
    for file in [
        "server.pem",
        "clients/handlaggare-norr.pem",
        "clients/admin.pem",
    ] {
        let (from, until) = validity_of(&der_of(&setup.join(file)));
        assert_eq!(until, certificates_expire, "{file} as printed");
        assert_eq!(from, ca_from, "{file}: issued with the CA");
    }
    // From now (less an hour for clock skew) to two calendar years on, to the second: not to
    // 1 January (13 months away when issued in December).
    let issued = ca_from + jiff::SignedDuration::from_hours(1);
    let second = |t: jiff::Timestamp| t.as_second();
    assert!(
        second(before) <= second(issued) && second(issued) <= second(after),
        "issued {issued}, ran {before} to {after}"
    );
    let utc = |t: jiff::Timestamp| t.to_zoned(jiff::tz::TimeZone::UTC);
    let years = |n: i16| {
        utc(issued)
            .checked_add(jiff::Span::new().years(n))
            .expect("in range")
            .timestamp()
    };
    assert_eq!(certificates_expire, years(2));
    assert_eq!(ca_expires, years(10));
}

/// `bistand init` names each unit's caseworker with the unit's ASCII form: Swedish å, ä, ö drop
/// their marks, and letters without a decomposition (`ø`) keep a letter instead of becoming `-`.
#[test]
fn init_names_caseworkers_of_tromso_and_soder_by_their_letters() {
    let dir = tempfile::tempdir().expect("temp dir");
    let setup = dir.path().join("setup");
    let printed = ok(&bistand(
        &[
            "init",
            setup.to_str().expect("UTF-8 path"),
            "--unit",
            "Tromsø",
            "--unit",
            "Söder",
            "--unit",
            "Ålidhem Väst",
        ],
        None,
    ));
    for name in [
        "handlaggare-tromso",
        "handlaggare-soder",
        "handlaggare-alidhem-vast",
    ] {
        assert!(
            setup.join(format!("clients/{name}.pem")).is_file(),
            "{name} missing:\n{printed}"
        );
    }
    let config =
        bistand_sidecar::config::Config::load(&setup.join("bistand.toml")).expect("config");
    let tromso = config
        .principals
        .iter()
        .find(|p| p.name == "handlaggare-tromso")
        .expect("the caseworker of Tromsø");
    assert_eq!(tromso.units, ["Tromsø"]);
}

/// `bistand keys generate --out`: owner-only from creation, never overwritten, unique ids.
#[test]
fn keys_generate_out_is_private_unique_and_never_overwrites_and_rotate_keeps_old_keys() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    for path in [&a, &b] {
        let output = bistand(
            &["keys", "generate", "--out", path.to_str().expect("path")],
            None,
        );
        ok(&output);
        assert!(output.stdout.is_empty(), "the secrets go to the file only");
    }
    let keys_a = bistand_sidecar::keys::load(&a).expect("keys");
    let keys_b = bistand_sidecar::keys::load(&b).expect("keys");
    assert_ne!(keys_a.pseudonym.key_id(), keys_b.pseudonym.key_id());
    assert_ne!(keys_a.keyring.active().id(), keys_b.keyring.active().id());
    for keys in [&keys_a, &keys_b] {
        assert!(bistand_core::identifier::is_key_id(keys.pseudonym.key_id()));
        assert!(keys.pseudonym.key_id().starts_with("p-"));
        assert!(keys.keyring.active().id().starts_with("k-"));
    }
    #[cfg(unix)]
    let mode = |path: &Path| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).expect("meta").permissions().mode() & 0o777
    };
    #[cfg(unix)]
    assert_eq!(mode(&a), 0o600);

    let before = std::fs::read(&a).expect("read");
    let again = bistand(
        &["keys", "generate", "--out", a.to_str().expect("path")],
        None,
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(
        std::fs::read(&a).expect("read"),
        before,
        "never overwritten"
    );

    // Standard output still works, with a warning about the redirect.
    let printed = bistand(&["keys", "generate"], None);
    assert!(bistand_core::keys::parse_keys(ok(&printed).as_bytes()).is_ok());
    assert!(String::from_utf8_lossy(&printed.stderr).contains("--out"));

    // Rotation: a new active data key, the old one kept, still owner-only.
    let rotated = bistand(
        &["keys", "rotate", "--keys", a.to_str().expect("path")],
        None,
    );
    ok(&rotated);
    let after = bistand_sidecar::keys::load(&a).expect("rotated keys");
    let old = keys_a.keyring.active().id();
    assert_ne!(after.keyring.active().id(), old);
    assert!(after.keyring.active().id().starts_with("k-"));
    assert_eq!(
        after.keyring.ids().collect::<Vec<_>>(),
        [old, after.keyring.active().id()]
    );
    assert_eq!(
        after.pseudonym.fingerprint(),
        keys_a.pseudonym.fingerprint()
    );
    #[cfg(unix)]
    assert_eq!(mode(&a), 0o600);
    assert!(String::from_utf8_lossy(&rotated.stderr).contains(after.keyring.active().id()));
}

/// `count` synthetic records with client ids (seed 5) in `input.ndjson` in `dir`.
fn generated_input(dir: &Path, count: &str) -> std::path::PathBuf {
    generated_sue(dir.join("input.ndjson"), count, "5", true)
}

fn import(db: &Path, keys: &Path, input: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "store",
        "import",
        "--db",
        db.to_str().expect("path"),
        "--keys",
        keys.to_str().expect("path"),
        "--input",
        input.to_str().expect("path"),
    ];
    args.extend_from_slice(extra);
    bistand(&args, None)
}

/// The stored records and the import's audit entries (reports add entries of their own).
fn records_and_audit(db: &Path) -> (i64, i64) {
    let conn = rusqlite::Connection::open(db).expect("open");
    let count = |table: &str| {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .expect("count")
    };
    (count("records"), count("audit WHERE action = 'import'"))
}

/// `bistand report --db` is audited as the service's reports are, through the same function:
/// under `cli:<user>` (role `operator`), one entry per unit asked for or one for all, a record
/// that fails authentication as a failed read by id, a report that fails as failed; no client
/// id, pseudonym or content in any entry.
#[test]
fn a_report_from_the_store_is_audited_as_the_cli_user() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keys = dir.path().join("keys.json");
    ok(&bistand(
        &["keys", "generate", "--out", keys.to_str().expect("path")],
        None,
    ));
    let input = generated_input(dir.path(), "30");
    let db = dir.path().join("store.db");
    ok(&import(&db, &keys, &input, &["--quiet"]));
    let report = |unit: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_bistand"));
        command
            .env("USER", "anna.berg")
            .env_remove("USERNAME")
            .args(["report", "--instrument", "sue", "--db"])
            .arg(&db)
            .arg("--keys")
            .arg(&keys)
            .args(["--as-of", "2026-11-24"]);
        if let Some(unit) = unit {
            command.args(["--unit", unit]);
        }
        command.output().expect("bistand runs")
    };
    ok(&report(None));
    ok(&report(Some("Söder")));
    let conn = rusqlite::Connection::open(&db).expect("open");
    // One altered row: left out, its failed read audited by record id.
    let altered: String = conn
        .query_row("SELECT min(id) FROM records", [], |r| r.get(0))
        .expect("a record");
    conn.execute(
        "UPDATE records SET ciphertext = zeroblob(length(ciphertext)) WHERE id = ?1",
        [&altered],
    )
    .expect("alter one row");
    ok(&report(None));
    // Every row altered: no record opens, the report fails, and the failure is audited.
    conn.execute(
        "UPDATE records SET ciphertext = zeroblob(length(ciphertext))",
        [],
    )
    .expect("alter every row");
    let failed = report(None);
    assert!(
        !failed.status.success(),
        "no record opens: the report fails"
    );

    let mut statement = conn
        .prepare(
            "SELECT principal, role, action, unit, record_id, pseudonym, outcome FROM audit \
             WHERE action <> 'import' ORDER BY seq",
        )
        .expect("query");
    type Entry = (
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
    );
    let entries: Vec<Entry> = statement
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .expect("entries")
        .collect::<Result<_, _>>()
        .expect("rows");
    let entry = |action: &str, unit: Option<&str>, record: Option<&str>, outcome: &str| {
        (
            "cli:anna.berg".to_owned(),
            "operator".to_owned(),
            action.to_owned(),
            unit.map(str::to_owned),
            record.map(str::to_owned),
            None,
            outcome.to_owned(),
        )
    };
    assert_eq!(
        entries,
        [
            entry("report.read", None, None, "ok"),
            entry("report.read", Some("Söder"), None, "ok"),
            entry("report.read", None, None, "ok"),
            entry("record.read", None, Some(&altered), "failed"),
            entry("report.read", None, None, "failed"),
        ]
    );
    let clients = std::fs::read_to_string(&input).expect("input");
    let first_client = clients
        .lines()
        .next()
        .and_then(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .and_then(|line| line["client_id"].as_str().map(str::to_owned))
        .expect("a client id");
    assert!(
        !format!("{entries:?}").contains(&first_client),
        "no client id in the audit log"
    );
}

/// Issue 14: an import with another organisation's keys file was stored and broke every report.
#[test]
fn a_store_refuses_another_keys_file_and_stays_unchanged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (keys, other) = (dir.path().join("keys.json"), dir.path().join("other.json"));
    for path in [&keys, &other] {
        ok(&bistand(
            &["keys", "generate", "--out", path.to_str().expect("path")],
            None,
        ));
    }
    let input = generated_input(dir.path(), "30");
    let db = dir.path().join("store.db");
    ok(&import(&db, &keys, &input, &[]));
    let before = std::fs::read(&db).expect("db");
    let counts = records_and_audit(&db);
    assert_eq!(counts, (30, 30), "one audit entry per imported record");

    let wrong = import(&db, &other, &input, &[]);
    assert_eq!(wrong.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    let ours = bistand_sidecar::keys::load(&keys).expect("keys");
    let theirs = bistand_sidecar::keys::load(&other).expect("keys");
    assert!(
        stderr.contains("does not belong to this store")
            && stderr.contains(ours.pseudonym.key_id())
            && stderr.contains(theirs.pseudonym.key_id()),
        "{stderr}"
    );
    let secret = std::fs::read_to_string(&other).expect("keys");
    let secret = secret.split("secret_hex\": \"").nth(1).expect("a secret");
    assert!(!stderr.contains(&secret[..16]), "{stderr}");
    assert_eq!(
        std::fs::read(&db).expect("db"),
        before,
        "byte for byte unchanged"
    );
    assert_eq!(records_and_audit(&db), counts);

    // A report with the wrong keys is refused the same way, not read as altered records.
    let report = bistand(
        &[
            "report",
            "--db",
            db.to_str().expect("path"),
            "--keys",
            other.to_str().expect("path"),
        ],
        None,
    );
    assert!(String::from_utf8_lossy(&report.stderr).contains("does not belong to this store"));
}

/// Importing a file twice stores it once; a dry run writes nothing; a refused line names its
/// finding codes and paths, never values; without a terminal there is no progress bar, only the
/// summary; `--quiet` prints nothing but errors.
#[test]
fn import_is_idempotent_has_a_dry_run_and_reports_findings_by_code_and_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keys = dir.path().join("keys.json");
    ok(&bistand(
        &["keys", "generate", "--out", keys.to_str().expect("path")],
        None,
    ));
    let input = generated_input(dir.path(), "50");
    let db = dir.path().join("store.db");
    let report = || {
        ok(&bistand(
            &[
                "report",
                "--db",
                db.to_str().expect("path"),
                "--keys",
                keys.to_str().expect("path"),
                "--as-of",
                "2026-11-24",
            ],
            None,
        ))
    };

    let dry = import(&db, &keys, &input, &["--dry-run"]);
    ok(&dry);
    let stderr = String::from_utf8_lossy(&dry.stderr);
    assert!(
        stderr.contains("would store 50 record(s), refuse 0, skip 0"),
        "{stderr}"
    );
    assert_eq!(records_and_audit(&db), (0, 0), "a dry run writes nothing");

    let first = import(&db, &keys, &input, &[]);
    ok(&first);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(
        stderr.contains("stored 50 record(s), refused 0, skipped 0"),
        "{stderr}"
    );
    // Not a terminal: no progress bar, only the summary line with its timing.
    assert!(
        !stderr.contains('\r') && !stderr.contains('#') && !stderr.contains("\x1b"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.trim_end().ends_with(" s"), "{stderr}");
    let counted = report();
    assert_eq!(records_and_audit(&db), (50, 50));

    let second = import(&db, &keys, &input, &[]);
    ok(&second);
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("stored 0 record(s), refused 0, skipped 50"),
        "{stderr}"
    );
    assert_eq!(records_and_audit(&db), (50, 50));
    assert_eq!(report(), counted, "the report counts each client once");
    let dry = import(&db, &keys, &input, &["--dry-run"]);
    assert!(
        String::from_utf8_lossy(&dry.stderr).contains("would store 0 record(s), refuse 0, skip 50")
    );

    // The same documents re-exported with other spacing and key order, and a source id.
    let lines = std::fs::read_to_string(&input).expect("input");
    let mut respelled = String::new();
    for line in lines.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("json");
        respelled.push_str(
            &serde_json::to_string_pretty(&value)
                .expect("json")
                .replace('\n', " "),
        );
        respelled.push('\n');
    }
    let respelled_path = dir.path().join("respelled.ndjson");
    std::fs::write(&respelled_path, respelled).expect("write");
    let again = import(&db, &keys, &respelled_path, &["--quiet"]);
    ok(&again);
    assert!(again.stderr.is_empty(), "--quiet: nothing but errors");
    assert_eq!(records_and_audit(&db), (50, 50));

    // A refused line: its number, finding codes and paths, never the answer.
    let bad = dir.path().join("bad.ndjson");
    std::fs::write(
        &bad,
        "{\"client_id\": \"EB-1\", \"source_id\": \"r-1\", \"document\": {\"instrument\": \"sue\", \"version\": \"1\", \"status\": \"complete\", \"answers\": {\"bakgrund.kon\": \"Hemlig Text\"}}}\n",
    )
    .expect("write");
    let refused = import(&db, &keys, &bad, &["--quiet"]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    let line = stderr.lines().next().expect("a line");
    assert!(line.starts_with("bistand: line 1: refused: "), "{stderr}");
    assert!(
        line.contains("not_in_code_list at bakgrund.kon"),
        "{stderr}"
    );
    assert!(
        line.contains("required_missing at interview_date"),
        "{stderr}"
    );
    assert!(!stderr.contains("Hemlig"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "--quiet: no summary; {stderr}");
}

#[test]
fn validate_text_says_where_in_the_form_with_plurals_right_in_both_languages() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/fia/invalid/not_in_code_list.json"
    );
    let run = |lang: &str| {
        let output = bistand(
            &["validate", "--format", "text", "--lang", lang, file],
            None,
        );
        assert_eq!(output.status.code(), Some(1));
        String::from_utf8(output.stdout).expect("UTF-8 output")
    };
    let sv = run("sv");
    assert!(sv.contains("ogiltigt (1 fel, 0 varningar)"), "{sv}");
    assert!(
        sv.contains("Skulder › Hur stort problem tycker du själv att detta är?"),
        "{sv}"
    );
    assert!(!sv.contains("kodlista"), "{sv}");
    let en = run("en");
    assert!(en.contains("not valid (1 error, 0 warnings)"), "{en}");
    assert!(
        en.contains("Debts › How big a problem do you yourself think this is?"),
        "{en}"
    );
}

#[test]
fn migrate_reads_v1_ndjson_as_v2_and_says_what_was_not_carried() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixture = |name: &str| -> serde_json::Value {
        let path = format!(
            "{}/../tests/data/fia/valid/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_slice(&std::fs::read(path).expect("fixture")).expect("JSON")
    };
    let input = dir.path().join("v1.ndjson");
    std::fs::write(
        &input,
        format!(
            "{}\n{}\nnot json\n",
            fixture("complete.json"),
            fixture("draft.json")
        ),
    )
    .expect("write");
    let output = bistand(&["migrate", "--lang", "en"], Some(&input));
    assert_eq!(output.status.code(), Some(2), "the unreadable line");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is a document"))
        .collect();
    assert_eq!(lines.len(), 2);
    for line in &lines {
        assert_eq!(line["version"], "2");
        assert_eq!(line["status"], "draft");
    }
    assert_eq!(
        lines[0]["answers"]["skulder.kommentar"],
        "Skulder hos Kronofogden sedan flera år, vill göra en plan."
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 1: intervju.samtycke:"), "{stderr}");
    assert!(
        stderr.contains("line 3: refused (malformed_json)"),
        "{stderr}"
    );
    assert!(!stderr.contains("Kronofogden"), "{stderr}");
}

#[test]
fn a_questionnaire_response_is_read_and_validated_to_the_bytes_rest_and_the_c_abi_give() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/supplied");
    let definitions = format!("{root}/definitions");
    let response = format!("{root}/response.json");
    let dir = tempfile::tempdir().expect("temp dir");
    let document = dir.path().join("document.json");
    let output = bistand(
        &[
            "--definitions",
            &definitions,
            "questionnaire-response",
            &response,
            "--out",
            document.to_str().expect("path"),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(1), "two error findings");
    // The golden file the REST and C ABI tests compare with, byte for byte, and a newline.
    let golden = std::fs::read(format!("{root}/response.result.json")).expect("golden");
    assert_eq!(
        String::from_utf8(output.stdout).expect("UTF-8"),
        format!("{}\n", String::from_utf8(golden.clone()).expect("UTF-8"))
    );
    let golden: serde_json::Value = serde_json::from_slice(&golden).expect("JSON");
    // The document written is the one in the result, and validates to the same report.
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&document).expect("written")).expect("JSON");
    assert_eq!(written, golden["document"]);
    let output = bistand(
        &[
            "--definitions",
            &definitions,
            "validate",
            document.to_str().expect("path"),
        ],
        None,
    );
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(printed["report"], golden["report"]);
    // As text, in Swedish by default.
    let output = bistand(
        &[
            "--definitions",
            &definitions,
            "questionnaire-response",
            "--format",
            "text",
            &response,
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    let printed = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(
        printed.contains("ogiltigt (2 fel, 0 varningar)"),
        "{printed}"
    );
    assert!(printed.contains("required_missing"), "{printed}");
    // Not a QuestionnaireResponse: refused, exit 2, nothing written.
    let patient = dir.path().join("patient.json");
    std::fs::write(&patient, r#"{"resourceType": "Patient"}"#).expect("write");
    let refused = dir.path().join("refused.json");
    let output = bistand(
        &[
            "questionnaire-response",
            patient.to_str().expect("path"),
            "--out",
            refused.to_str().expect("path"),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(printed["error"]["kind"], "invalid_document");
    assert!(!refused.exists());
}

#[test]
fn a_supplied_definition_validates_on_the_command_line_to_the_shared_report() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/supplied");
    let definitions = format!("{root}/definitions");
    let document = format!("{root}/document.json");
    let output = bistand(
        &[
            "--definitions",
            &definitions,
            "validate",
            "--format",
            "json",
            &document,
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(1), "two error findings");
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let golden: serde_json::Value = serde_json::from_slice(
        &std::fs::read(format!("{root}/document.report.json")).expect("golden"),
    )
    .expect("JSON");
    assert_eq!(printed["report"], golden);
    // Its definition is served too.
    let printed = ok(&bistand(
        &[
            "definition",
            "lokal_uppfoljning",
            "--definitions",
            &definitions,
        ],
        None,
    ));
    assert!(printed.contains("Hur träffades ni?"), "{printed}");

    // `definition check` names the item and the rule, in both languages.
    let good = format!("{definitions}/lokal_uppfoljning-1.json");
    let checked = ok(&bistand(&["definition", "check", &good], None));
    assert!(
        checked.contains("lokal_uppfoljning version 1: ok (4 items)"),
        "{checked}"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = dir.path().join("broken.json");
    // Three distinct faults: all reported at once, each with its item and rule.
    std::fs::write(
        &broken,
        std::fs::read_to_string(&good)
            .expect("definition")
            .replace(
                "\"required\": true,",
                "\"required\": true, \"hideable\": true,",
            )
            .replace("\"max\": 50,", "\"max\": -1,")
            .replace("\"code\": \"video\"", "\"code\": \"Video\""),
    )
    .expect("write");
    let output = bistand(
        &["definition", "check", broken.to_str().expect("path")],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    let printed = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(
        printed.contains("item `kontakt.satt`: a required item cannot be hideable"),
        "{printed}"
    );
    // The Swedish line names the place in Swedish.
    for swedish in [
        "fråga `kontakt.satt`: en obligatorisk fråga kan inte vara döljbar",
        "kodlista `kontaktsatt`, kod `Video`: en kod måste matcha [a-z0-9_]+",
        "fråga `kontakt.antal_samtal`: min får inte vara större än max",
    ] {
        assert!(printed.contains(swedish), "{swedish}: {printed}");
    }
    assert!(printed.contains("3 fel / 3 problems"), "{printed}");
    for (part, rule) in [
        (
            "code_list `kontaktsatt`",
            "code `Video`: a code must match [a-z0-9_]+",
        ),
        ("item `kontakt.satt`", "a required item cannot be hideable"),
        ("item `kontakt.antal_samtal`", "kontakt.antal_samtal"),
    ] {
        assert!(
            printed.contains(part) && printed.contains(rule),
            "{part}: {printed}"
        );
    }
}

#[test]
fn a_supplied_definition_gets_the_generic_report_on_the_command_line() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/supplied");
    let definitions = format!("{root}/definitions");
    let input = format!("{root}/documents.ndjson");
    let printed = ok(&bistand(
        &[
            "--definitions",
            &definitions,
            "report",
            "--instrument",
            "lokal_uppfoljning",
            "--input",
            &input,
            "--exact",
            "--as-of",
            "2026-11-30",
            "--format",
            "csv",
        ],
        None,
    ));
    // The C ABI gives the same bytes (ffi tests); counts per code of the choice item by unit
    // and year, small cells suppressed.
    let golden = std::fs::read_to_string(format!("{root}/report.csv")).expect("golden");
    assert_eq!(printed, golden);
    assert!(printed.contains("Tabell;kontakt.satt.unit;Kontakt › Hur träffades ni?"));
    assert!(printed.contains("Söder;Söder;36;18;50,0"));
    assert!(printed.contains("Ej räknade poster (dokumentet har fel);1"));
}

#[test]
fn fhir_questionnaires_of_every_definition_parse_with_an_independent_fhir_model() {
    let definitions = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/supplied/definitions"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for (instrument, version) in [
        ("fia", "1"),
        ("fia", "2"),
        ("sue", "1"),
        ("sue", "2"),
        ("lokal_uppfoljning", "1"),
    ] {
        let printed = ok(&bistand(
            &[
                "--definitions",
                definitions,
                "definition",
                instrument,
                "--version",
                version,
                "--format",
                "fhir",
            ],
            None,
        ));
        let path = dir.path().join(format!("{instrument}-{version}.json"));
        std::fs::write(&path, printed).expect("write");
        files.push(path);
    }
    assert_fhir_questionnaires_parse(&files);
}

/// Runs a checker from `tests/tools/` (`SCRIPT JSON FILE VARIANT`), which reads a rendered report
/// back and compares each shown number with the JSON report's; returns how many it compared.
fn values_matching_the_json_report(script: &str, json: &Path, file: &Path, variant: &str) -> usize {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tools")
        .join(script);
    let output = Command::new("python3")
        // It imports report_cells.py from beside it: no bytecode cache in the source tree.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .arg(&script)
        .arg(json)
        .arg(file)
        .arg(variant)
        .output()
        .expect("python3 runs (scripts/ensure-tools.sh installs it, openpyxl and the rest)");
    assert!(
        output.status.success(),
        "{variant}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("a count")
}

/// Odds ratios (issue 15, point 4) read back from the CSV and the XLSX as ratios, not
/// percentages: over the SUE report fixture, whose resource-activation and sanction models pass
/// the output rules in an exact report.
#[test]
fn odds_ratios_read_back_from_csv_and_xlsx() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/sue/report/records.ndjson");
    let base = [
        "report",
        "--input",
        input.to_str().expect("path"),
        "--exact",
        "--as-of",
        "2026-11-24",
    ];
    let json = dir.path().join("report.json");
    let bytes = ok(&bistand(&base, None));
    let report: serde_json::Value = serde_json::from_str(&bytes).expect("JSON");
    let ratios = report["report"]["tables"]
        .as_array()
        .or_else(|| report["tables"].as_array())
        .expect("tables")
        .iter()
        .filter(|t| {
            t["id"]
                .as_str()
                .is_some_and(|id| id.starts_with("association_"))
        })
        .flat_map(|t| t["rows"].as_array().expect("rows"))
        .filter(|r| r["cells"][2]["interval"].is_array())
        .count();
    assert!(ratios >= 20, "only {ratios} odds ratios with intervals");
    std::fs::write(&json, bytes).expect("write");
    for (format, extra, script, variant) in [
        (
            "csv",
            &["--format", "csv"][..],
            "csv_roundtrip.py",
            "excel-sv",
        ),
        (
            "xlsx",
            &["--format", "xlsx", "--lang", "sv"],
            "xlsx_check.py",
            "sv",
        ),
    ] {
        let file = dir.path().join(format!("report.{format}"));
        report_to(&base, extra, &file);
        let compared = values_matching_the_json_report(script, &json, &file, variant);
        assert!(compared > 1000, "{format}: only {compared} values compared");
    }
}

/// The CSV a Swedish analyst opens in Excel: read back with Python's `csv` module in the Swedish
/// dialect (and the plain one), every number equals the JSON report's.
#[test]
fn csv_reads_back_in_python_with_the_json_reports_numbers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keys = new_keys(dir.path().join("keys.json"));
    let input = generated_sue(dir.path().join("sue.ndjson"), "600", "17", true);
    let report = |extra: &[&str]| {
        let mut args = vec![
            "report",
            "--input",
            input.to_str().expect("path"),
            "--keys",
            keys.to_str().expect("path"),
            "--as-of",
            "2026-11-24",
        ];
        args.extend_from_slice(extra);
        let output = bistand(&args, None);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    };
    let json = dir.path().join("report.json");
    std::fs::write(&json, report(&[])).expect("write");
    let swedish = report(&["--format", "csv"]);
    // Bytes Excel with a Swedish locale reads right: a byte order mark, `;`, a decimal comma,
    // Swedish labels with codes beside them, ".." for protected numbers.
    assert!(
        swedish.starts_with(b"\xef\xbb\xbf"),
        "UTF-8 byte order mark"
    );
    let text = String::from_utf8(swedish.clone()).expect("UTF-8");
    assert!(
        text.contains("\r\nAvser datum;2026-11-24\r\n"),
        "as-of date"
    );
    assert!(
        text.contains("\r\nRöjandetröskel (personer);5\r\n"),
        "threshold"
    );
    assert!(
        text.contains("Störning, varians;1,00\r\n"),
        "perturbation, decimal comma"
    );
    assert!(
        text.contains("\r\nSöder;Söder;"),
        "a Swedish unit, label and code"
    );
    assert!(
        text.contains("\r\nKön;Kod;Bas, personer;"),
        "Swedish headings"
    );
    assert!(text.contains(";..;"), "protected numbers");
    let percent = text
        .lines()
        .find(|l| l.starts_with("Samtliga;total;"))
        .expect("a total row");
    assert!(
        percent
            .split(';')
            .any(|f| f.contains(',') && f.split(',').nth(1).is_some_and(|d| d.len() == 1)),
        "percent with one decimal after a comma: {percent}"
    );
    let english = report(&["--format", "csv", "--lang", "en"]);
    assert!(!english.starts_with(b"\xef\xbb\xbf") && english.starts_with(b"Report,"));
    let explicit = report(&[
        "--format",
        "csv",
        "--lang",
        "en",
        "--csv-dialect",
        "excel-sv",
    ]);
    assert!(explicit.starts_with(b"\xef\xbb\xbfReport;"));

    for (bytes, dialect) in [
        (swedish, "excel-sv"),
        (english, "plain"),
        (explicit, "excel-sv"),
    ] {
        let csv = dir.path().join(format!("report-{dialect}.csv"));
        std::fs::write(&csv, bytes).expect("write");
        let compared = values_matching_the_json_report("csv_roundtrip.py", &json, &csv, dialect);
        assert!(
            compared > 1000,
            "{dialect}: only {compared} values compared"
        );
    }
}

/// `report --verify`: a saved report made again from the same store is identical; after one more
/// record is stored, the input and the records differ, and verify says so and exits 1.
#[test]
fn verify_says_identical_then_names_what_changed_after_one_more_record() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keys = new_keys(dir.path().join("keys.json"));
    let input = generated_input(dir.path(), "300");
    let db = dir.path().join("store.db");
    ok(&import(&db, &keys, &input, &[]));
    let (db_s, keys_s) = (db.to_str().expect("path"), keys.to_str().expect("path"));
    let report = ok(&bistand(
        &[
            "report",
            "--db",
            db_s,
            "--keys",
            keys_s,
            "--as-of",
            "2026-11-24",
            "--breakdown",
            "gender,unit",
        ],
        None,
    ));
    let saved = dir.path().join("report.json");
    std::fs::write(&saved, &report).expect("write");
    let provenance: serde_json::Value =
        serde_json::from_str::<serde_json::Value>(&report).expect("json")["provenance"].clone();
    assert_eq!(provenance["input"]["source"], "store");
    assert_eq!(provenance["input"]["read"], 300);
    assert_eq!(provenance["input"]["counted"], 300);
    assert_eq!(
        provenance["breakdowns"],
        serde_json::json!(["total", "gender", "unit"])
    );
    assert!(
        provenance["input"]["digest"]
            .as_str()
            .is_some_and(|d| d.starts_with("sha256:"))
    );
    assert_eq!(provenance["definition"]["instrument"], "sue");
    assert!(
        provenance["software"]
            .as_str()
            .is_some_and(|s| s.starts_with("bistand "))
    );

    let verify = |lang: &str| {
        bistand(
            &[
                "report",
                "--db",
                db_s,
                "--keys",
                keys_s,
                "--verify",
                saved.to_str().expect("path"),
                "--lang",
                lang,
            ],
            None,
        )
    };
    let same = verify("sv");
    assert_eq!(
        ok(&same).trim(),
        "identisk: rapporten blir likadan när den görs om"
    );

    // One more record, of another client.
    let one = generated_sue(dir.path().join("one.ndjson"), "1", "99", true);
    ok(&import(&db, &keys, &one, &[]));
    let changed = verify("en");
    assert_eq!(changed.status.code(), Some(1));
    let said = String::from_utf8_lossy(&changed.stdout);
    assert!(said.starts_with("differs: "), "{said}");
    assert!(said.contains("the input (its digest)"), "{said}");
    assert!(
        said.contains("the records read, counted and not counted"),
        "{said}"
    );
    assert!(
        !said.contains("software") && !said.contains("protection"),
        "{said}"
    );

    // Over NDJSON the same: the file the report was made from verifies; a line more does not.
    let from_ndjson = ok(&bistand(
        &[
            "report",
            "--input",
            input.to_str().expect("path"),
            "--keys",
            keys_s,
            "--as-of",
            "2026-11-24",
        ],
        None,
    ));
    std::fs::write(&saved, &from_ndjson).expect("write");
    let again = |file: &Path| {
        bistand(
            &[
                "report",
                "--input",
                file.to_str().expect("path"),
                "--keys",
                keys_s,
                "--verify",
                saved.to_str().expect("path"),
                "--lang",
                "en",
            ],
            None,
        )
    };
    assert!(ok(&again(&input)).starts_with("identical"));
    let longer = dir.path().join("longer.ndjson");
    let mut bytes = std::fs::read(&input).expect("read");
    bytes.extend(std::fs::read(&one).expect("read"));
    std::fs::write(&longer, bytes).expect("write");
    let differs = again(&longer);
    assert_eq!(differs.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&differs.stdout).contains("the input (its digest)"));
}

/// `--format xlsx`: refused to a terminal, written with --out, and read back with openpyxl: the
/// about sheet holds the provenance, every shown number equals the JSON report's, protected
/// numbers are ".." with their footnote.
#[test]
fn xlsx_reads_back_in_openpyxl_with_the_json_reports_numbers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keys = new_keys(dir.path().join("keys.json"));
    let input = generated_input(dir.path(), "500");
    let (input_s, keys_s) = (input.to_str().expect("path"), keys.to_str().expect("path"));
    let base = [
        "report",
        "--input",
        input_s,
        "--keys",
        keys_s,
        "--as-of",
        "2026-11-24",
    ];
    let json = dir.path().join("report.json");
    std::fs::write(&json, ok(&bistand(&base, None))).expect("write");
    for lang in ["sv", "en"] {
        let xlsx = dir.path().join(format!("report-{lang}.xlsx"));
        report_to(&base, &["--format", "xlsx", "--lang", lang], &xlsx);
        let bytes = std::fs::read(&xlsx).expect("written");
        assert!(bytes.starts_with(b"PK"), "a zip container");
        let compared = values_matching_the_json_report("xlsx_check.py", &json, &xlsx, lang);
        assert!(compared > 1000, "{lang}: only {compared} values compared");
    }
}

/// `report --tables`: only the tables named (ids or families), each as in the full report, from
/// the store and from NDJSON alike; the selection is in the provenance, so `--verify` makes the
/// same report again; an unknown table fails with a message that does not repeat it.
#[test]
fn report_tables_selects_the_full_reports_tables() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keys = new_keys(dir.path().join("keys.json"));
    let input = generated_sue(dir.path().join("wrapped.ndjson"), "300", "4", true);
    let db = dir.path().join("store.db");
    let (db_s, keys_s, input_s) = (
        db.to_str().expect("path"),
        keys.to_str().expect("path"),
        input.to_str().expect("path"),
    );
    ok(&bistand(
        &["store", "import", "--db", db_s, "--keys", keys_s],
        Some(&input),
    ));
    let report = |source: [&str; 2], extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "report",
            "--instrument",
            "sue",
            source[0],
            source[1],
            "--keys",
            keys_s,
            "--as-of",
            "2026-11-24",
            "--quiet",
        ];
        args.extend(extra);
        serde_json::from_str(&ok(&bistand(&args, None))).expect("JSON")
    };
    for source in [["--db", db_s], ["--input", input_s]] {
        let full = report(source, &[]);
        let some = report(source, &["--tables", "needs.gender,interventions"]);
        let expected: Vec<&serde_json::Value> = full["tables"]
            .as_array()
            .expect("tables")
            .iter()
            .filter(|t| {
                let id = t["id"].as_str().expect("id");
                id == "needs.gender" || id.split('.').next() == Some("interventions")
            })
            .collect();
        assert!(expected.len() >= 8, "{}", expected.len());
        assert_eq!(
            some["tables"]
                .as_array()
                .expect("tables")
                .iter()
                .collect::<Vec<_>>(),
            expected
        );
        assert_eq!(
            some["provenance"]["tables"],
            serde_json::json!(["needs.gender", "interventions"])
        );
    }
    let saved = dir.path().join("saved.json");
    let selected = bistand(
        &[
            "report",
            "--instrument",
            "sue",
            "--input",
            input_s,
            "--keys",
            keys_s,
            "--as-of",
            "2026-11-24",
            "--tables",
            "needs",
            "--quiet",
        ],
        None,
    );
    std::fs::write(&saved, ok(&selected)).expect("write");
    let again = bistand(
        &[
            "report",
            "--input",
            input_s,
            "--keys",
            keys_s,
            "--verify",
            saved.to_str().expect("path"),
            "--lang",
            "en",
        ],
        None,
    );
    assert!(ok(&again).starts_with("identical"));
    let unknown = bistand(
        &[
            "report",
            "--instrument",
            "sue",
            "--input",
            input_s,
            "--keys",
            keys_s,
            "--as-of",
            "2026-11-24",
            "--tables",
            "needs,hemligt_namn",
        ],
        None,
    );
    assert!(!unknown.status.success());
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        stderr.contains("table number 2") || stderr.contains("tabell nummer 2"),
        "{stderr}"
    );
    assert!(!stderr.contains("hemligt_namn"), "{stderr}");
}
