//! The C ABI returns exactly what the core returns for the same call: one operation, one code
//! path. Also the last-error contract and sharing an engine between threads.

use std::ffi::c_char;
use std::ptr;

use bistand::{
    bistand_definition, bistand_pseudonymise, bistand_schema, bistand_status,
    bistand_status_message, bistand_summary, bistand_summary_page, bistand_validate, map_error,
};
use bistand_core::Engine as CoreEngine;
use bistand_core::Language;
use bistand_core::identifier::{PersonalNumber, PseudonymKey, pseudonymise};
use bistand_core::stats::csv::{CsvDialect, to_csv};
use bistand_core::stats::perturbation::StatisticsKey;
use bistand_core::stats::provenance::Provenance;
use bistand_core::stats::{Dimension, GroupReport, ReportOptions, Threshold};
use bistand_core::sue::{SueAggregate, SueSchema};

use crate::support::{
    Engine, call, documents, fixture, last_error_en, last_error_sv, report, report_keyed,
    sue_records,
};

fn validate(
    engine: &Engine,
    instrument: Option<&std::ffi::CStr>,
    doc: &[u8],
) -> (bistand_status, Vec<u8>) {
    let instrument = instrument.map_or(ptr::null(), |i| i.as_ptr());
    // SAFETY: live engine, NUL-terminated or NULL instrument, readable doc, writable out.
    call(|out| unsafe { bistand_validate(engine.ptr(), instrument, doc.as_ptr(), doc.len(), out) })
}

fn summary(
    engine: &Engine,
    doc: &[u8],
    today: Option<&std::ffi::CStr>,
) -> (bistand_status, Vec<u8>) {
    let today = today.map_or(ptr::null(), |t| t.as_ptr());
    // SAFETY: live engine, readable doc, NUL-terminated or NULL today, writable out.
    call(|out| unsafe {
        bistand_summary(
            engine.ptr(),
            ptr::null(),
            doc.as_ptr(),
            doc.len(),
            today,
            out,
        )
    })
}

#[test]
fn validate_returns_the_cores_report_for_every_fixture() {
    let profile = fixture("invalid/profile.json");
    for (engine, core) in [
        (
            Engine::new(),
            CoreEngine::new().expect("builtin definitions"),
        ),
        (
            Engine::with_profile(&profile),
            CoreEngine::with_profile(&profile).expect("fixture profile"),
        ),
    ] {
        for folder in ["valid", "invalid"] {
            for (name, doc) in documents(folder) {
                let expected = serde_json::to_vec(&core.validate(None, &doc).expect(&name))
                    .expect("reports serialise");
                assert_eq!(
                    validate(&engine, None, &doc),
                    (bistand_status::BISTAND_OK, expected.clone()),
                    "{name}"
                );
                assert_eq!(
                    validate(&engine, Some(c"fia"), &doc),
                    (bistand_status::BISTAND_OK, expected),
                    "{name}"
                );
                assert_eq!(last_error_en(), "", "success clears the last error");
            }
        }
    }
}

#[test]
fn invalid_documents_are_ok_with_findings() {
    let engine = Engine::new();
    let (status, report) = validate(&engine, Some(c"fia"), &fixture("invalid/wrong_type.json"));
    assert_eq!(status, bistand_status::BISTAND_OK);
    let report: serde_json::Value = serde_json::from_slice(&report).expect("report is JSON");
    assert_eq!(report["valid"], false);
    assert_eq!(report["findings"][0]["code"], "wrong_type");
}

#[test]
fn malformed_documents_fail_with_the_cores_kind_and_message() {
    let engine = Engine::new();
    let core = CoreEngine::new().expect("builtin definitions");
    let mut failures = 0;
    for (name, doc) in documents("malformed") {
        // Whatever the core decides, the C ABI says the same (whether each fixture is refused
        // with its expected kind is the core's own test).
        match core.validate(None, &doc) {
            Ok(report) => {
                let expected = serde_json::to_vec(&report).expect("reports serialise");
                assert_eq!(
                    validate(&engine, None, &doc),
                    (bistand_status::BISTAND_OK, expected),
                    "{name}"
                );
            }
            Err(error) => {
                failures += 1;
                assert_eq!(
                    validate(&engine, None, &doc).0,
                    map_error(error.kind()),
                    "{name}"
                );
                assert_eq!(last_error_en(), error.message_en(), "{name}");
                assert_eq!(last_error_sv(), error.message_sv(), "{name}");
            }
        }
    }
    assert!(failures >= 8, "most malformed fixtures are refused");
}

#[test]
fn malformed_json_says_where() {
    let engine = Engine::new();
    let (status, _) = validate(
        &engine,
        None,
        b"{\n  \"instrument\": \"fia\",\n  \"version\": }",
    );
    assert_eq!(status, bistand_status::BISTAND_MALFORMED_JSON);
    let message = last_error_en();
    assert!(message.contains("line 3"), "{message}");
}

#[test]
fn instrument_mismatch_and_unknown_instrument() {
    let engine = Engine::new();
    let doc = fixture("valid/complete.json");
    let (status, _) = validate(&engine, Some(c"sue"), &doc);
    assert!(
        matches!(
            status,
            bistand_status::BISTAND_INSTRUMENT_MISMATCH
                | bistand_status::BISTAND_UNKNOWN_INSTRUMENT
        ),
        "{status:?}"
    );
    assert!(!last_error_en().is_empty());
}

fn summary_page(engine: &Engine, doc: &[u8], language: u32) -> (bistand_status, Vec<u8>) {
    // SAFETY: live engine, readable doc, NUL-terminated today, writable out.
    call(|out| unsafe {
        bistand_summary_page(
            engine.ptr(),
            ptr::null(),
            doc.as_ptr(),
            doc.len(),
            c"2026-11-24".as_ptr(),
            language,
            out,
        )
    })
}

/// The printable FIA through the C ABI is the core's page, in the language asked for.
#[test]
fn summary_page_is_the_cores_page() {
    let engine = Engine::new();
    let core = CoreEngine::new().expect("builtin definitions");
    let doc = fixture("valid/complete.json");
    let today = jiff::civil::date(2026, 11, 24);
    for (number, language) in [
        (
            bistand::bistand_language::BISTAND_LANGUAGE_SV,
            Language::Swedish,
        ),
        (
            bistand::bistand_language::BISTAND_LANGUAGE_EN,
            Language::English,
        ),
    ] {
        let expected = core
            .printable_summary(None, &doc, Some(today), language)
            .expect("page");
        assert_eq!(
            summary_page(&engine, &doc, number as u32),
            (bistand_status::BISTAND_OK, expected.into_bytes())
        );
    }
    assert_eq!(
        summary_page(&engine, &doc, 7).0,
        bistand_status::BISTAND_INVALID_ARGUMENT
    );
    let broken = fixture("invalid/wrong_type.json");
    assert_eq!(
        summary_page(&engine, &broken, 0).0,
        bistand_status::BISTAND_DOCUMENT_NOT_VALID
    );
}

#[test]
fn summary_is_the_cores_summary() {
    let engine = Engine::new();
    let core = CoreEngine::new().expect("builtin definitions");
    let doc = fixture("valid/complete.json");
    let today = jiff::civil::date(2026, 11, 24);
    let expected = serde_json::to_vec(&core.summary(None, &doc, Some(today)).expect("summary"))
        .expect("serialises");
    assert_eq!(
        summary(&engine, &doc, Some(c"2026-11-24")),
        (bistand_status::BISTAND_OK, expected)
    );
    let expected =
        serde_json::to_vec(&core.summary(None, &doc, None).expect("summary")).expect("serialises");
    assert_eq!(
        summary(&engine, &doc, None),
        (bistand_status::BISTAND_OK, expected)
    );

    assert_eq!(
        summary(&engine, &doc, Some(c"24/11/2026")).0,
        bistand_status::BISTAND_INVALID_ARGUMENT
    );
    assert!(last_error_en().contains("YYYY-MM-DD"));
    assert_eq!(
        summary(&engine, &doc, Some(c"2026-02-30")).0,
        bistand_status::BISTAND_INVALID_ARGUMENT
    );

    let broken = fixture("invalid/wrong_type.json");
    assert_eq!(
        summary(&engine, &broken, None).0,
        bistand_status::BISTAND_DOCUMENT_NOT_VALID
    );
    let message = core
        .summary(None, &broken, None)
        .expect_err("has errors")
        .message_sv()
        .to_owned();
    assert_eq!(last_error_sv(), message);
}

#[test]
fn definition_and_schema_are_the_cores() {
    let engine = Engine::new();
    let core = CoreEngine::new().expect("builtin definitions");
    let definition = core.definition("fia", None).expect("fia");
    let schema = serde_json::to_vec(&core.schema("fia", None).expect("fia")).expect("serialises");
    for version in [None, Some(c"1")] {
        let version = version.map_or(ptr::null(), |v| v.as_ptr());
        // SAFETY: live engine, NUL-terminated strings or NULL, writable out.
        let got =
            call(|out| unsafe { bistand_definition(engine.ptr(), c"fia".as_ptr(), version, out) });
        assert_eq!(
            got,
            (
                bistand_status::BISTAND_OK,
                definition.source_json().as_bytes().to_vec()
            )
        );
        // SAFETY: as above.
        let got =
            call(|out| unsafe { bistand_schema(engine.ptr(), c"fia".as_ptr(), version, out) });
        assert_eq!(got, (bistand_status::BISTAND_OK, schema.clone()));
    }
    // SAFETY: as above.
    let (status, _) = call(|out| unsafe {
        bistand_definition(engine.ptr(), c"fia".as_ptr(), c"99".as_ptr(), out)
    });
    assert_eq!(status, bistand_status::BISTAND_UNKNOWN_VERSION);
    assert!(
        last_error_en().contains("no version"),
        "{}",
        last_error_en()
    );
    // SAFETY: as above.
    let (status, _) =
        call(|out| unsafe { bistand_schema(engine.ptr(), c"nope".as_ptr(), ptr::null(), out) });
    assert_eq!(status, bistand_status::BISTAND_UNKNOWN_INSTRUMENT);
    assert!(
        last_error_en().contains("known: fia"),
        "{}",
        last_error_en()
    );
}

/// The report the Rust API makes of the SUE fixture, as `bistand report` does: every non-blank
/// line parsed for `sue`, counted if valid.
fn rust_sue_report(records: &[u8], options: &ReportOptions) -> GroupReport {
    let core = CoreEngine::new().expect("builtin definitions");
    let definition = core.definition("sue", None).expect("sue");
    let mut aggregate = SueAggregate::new(
        SueSchema::new(definition).expect("schema"),
        jiff::civil::date(2026, 11, 24),
    );
    for line in records.split(|&b| b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        // As every report reads: version 1 records through the migration.
        if let Ok(validated) = core.parse_as(definition, line) {
            // Exact reports use record keys only to tell persons apart; any secret will do.
            let person = StatisticsKey::new(&[0; 32])
                .expect("a long enough secret")
                .person(None, line);
            aggregate.add_validated(&validated, person);
        }
    }
    aggregate.report(options)
}

/// The JSON `bistand_report` promises for `report` and the two tallies, with the provenance of
/// `output` (checked here: an NDJSON report, the tallies as counts not counted). Compared as
/// bytes: a parsed `serde_json::Value` would not round-trip every float exactly.
fn expected_output(
    report: &GroupReport,
    unreadable_lines: u64,
    documents_with_errors: u64,
    output: &[u8],
) -> String {
    let value: serde_json::Value = serde_json::from_slice(output).expect("JSON output");
    let provenance: Provenance =
        serde_json::from_value(value["report"]["provenance"].clone()).expect("provenance");
    assert_eq!(provenance.input.source, "ndjson");
    assert!(provenance.input.digest.starts_with("sha256:"));
    assert_eq!(provenance.input.counted, report.records);
    assert_eq!(
        provenance.input.read,
        report.records + unreadable_lines + documents_with_errors
    );
    let not_counted: u64 = provenance.input.not_counted.iter().map(|t| t.count).sum();
    assert_eq!(not_counted, unreadable_lines + documents_with_errors);
    let report = GroupReport {
        provenance: Some(provenance),
        ..report.clone()
    };
    let report = serde_json::to_string(&report).expect("reports serialise");
    format!(
        r#"{{"report":{report},"unreadable_lines":{unreadable_lines},"documents_with_errors":{documents_with_errors}}}"#
    )
}

/// The provenance the C ABI gives the exact default report over `records`.
fn default_provenance(engine: &Engine, records: &[u8]) -> Provenance {
    let (status, output) = report(
        engine,
        c"sue",
        records,
        br#"{"as_of": "2026-11-24", "exact": true}"#,
    );
    assert_eq!(status, bistand_status::BISTAND_OK, "{}", last_error_en());
    let value: serde_json::Value = serde_json::from_slice(&output).expect("JSON output");
    serde_json::from_value(value["report"]["provenance"].clone()).expect("provenance")
}

/// Exact counts, as asked: the caller holds the documents (the data owner).
fn exact() -> ReportOptions {
    ReportOptions {
        exact: true,
        ..ReportOptions::default()
    }
}

/// What the C ABI's exact default report over `records` must equal in every format: the Rust
/// report, with the provenance the C ABI gives it.
fn expected_default_report(engine: &Engine, records: &[u8]) -> GroupReport {
    GroupReport {
        provenance: Some(default_provenance(engine, records)),
        ..rust_sue_report(records, &exact())
    }
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("the output is UTF-8")
}

#[test]
fn report_is_the_rust_report_for_the_sue_fixture() {
    let engine = Engine::new();
    let records = sue_records();
    let expected = rust_sue_report(&records, &exact());
    assert_eq!(expected.records, 400);
    let (status, output) = report(
        &engine,
        c"sue",
        &records,
        br#"{"as_of": "2026-11-24", "exact": true}"#,
    );
    assert_eq!(status, bistand_status::BISTAND_OK, "{}", last_error_en());
    assert_eq!(last_error_en(), "", "success clears the last error");
    assert!(
        expected_output(&expected, 0, 0, &output) == text(output),
        "differs from the Rust report"
    );
}

#[test]
fn report_options_threshold_breakdowns_and_csv() {
    let engine = Engine::new();
    let records = sue_records();
    let options = ReportOptions {
        threshold: Threshold::new(10).expect("raised"),
        dimensions: vec![Dimension::Total, Dimension::Gender, Dimension::Unit],
        exact: true,
        ..ReportOptions::default()
    };
    let (status, output) = report(
        &engine,
        c"sue",
        &records,
        br#"{"as_of": "2026-11-24", "exact": true, "threshold": 10, "breakdowns": ["unit", "gender", "unit"], "format": "json", "language": "en"}"#,
    );
    assert_eq!(status, bistand_status::BISTAND_OK, "{}", last_error_en());
    assert!(expected_output(&rust_sue_report(&records, &options), 0, 0, &output) == text(output));

    // An empty list: the total alone.
    let total_only = ReportOptions {
        dimensions: vec![Dimension::Total],
        exact: true,
        ..ReportOptions::default()
    };
    let (_, output) = report(
        &engine,
        c"sue",
        &records,
        br#"{"as_of": "2026-11-24", "exact": true, "breakdowns": []}"#,
    );
    assert!(
        expected_output(&rust_sue_report(&records, &total_only), 0, 0, &output) == text(output)
    );

    for (language, name) in [(Language::Swedish, "sv"), (Language::English, "en")] {
        let options = format!(
            r#"{{"as_of": "2026-11-24", "exact": true, "format": "csv", "language": "{name}"}}"#
        );
        let (status, output) = report(&engine, c"sue", &records, options.as_bytes());
        assert_eq!(status, bistand_status::BISTAND_OK, "{}", last_error_en());
        let expected = expected_default_report(&engine, &records);
        let expected = to_csv(&expected, language, CsvDialect::for_language(language));
        assert!(text(output) == expected, "CSV in {name}");
    }
    // The dialect chosen apart from the language.
    let (status, output) = report(
        &engine,
        c"sue",
        &records,
        br#"{"as_of": "2026-11-24", "exact": true, "format": "csv", "language": "en", "csv_dialect": "excel-sv"}"#,
    );
    assert_eq!(status, bistand_status::BISTAND_OK, "{}", last_error_en());
    let expected = expected_default_report(&engine, &records);
    let expected = to_csv(&expected, Language::English, CsvDialect::ExcelSv);
    assert!(
        text(output) == expected,
        "Swedish Excel dialect with English labels"
    );
    // The workbook: binary, the same bytes as the core writes for the same report.
    let (status, output) = report(
        &engine,
        c"sue",
        &records,
        br#"{"as_of": "2026-11-24", "exact": true, "format": "xlsx", "language": "en"}"#,
    );
    assert_eq!(status, bistand_status::BISTAND_OK, "{}", last_error_en());
    let expected = expected_default_report(&engine, &records);
    assert!(
        output == bistand_core::stats::xlsx::to_xlsx(&expected, Language::English).expect("xlsx"),
        "XLSX"
    );
    // The HTML page: the same page as the core writes for the same report.
    let (status, output) = report(
        &engine,
        c"sue",
        &records,
        br#"{"as_of": "2026-11-24", "exact": true, "format": "html"}"#,
    );
    assert_eq!(status, bistand_status::BISTAND_OK, "{}", last_error_en());
    let expected = expected_default_report(&engine, &records);
    assert!(
        text(output) == bistand_core::stats::html::to_html(&expected, Language::Swedish),
        "HTML"
    );
    let (status, _) = report(
        &engine,
        c"sue",
        &records,
        br#"{"as_of": "2026-11-24", "exact": true, "format": "csv", "csv_dialect": "excel"}"#,
    );
    assert_eq!(status, bistand_status::BISTAND_INVALID_ARGUMENT);
}

#[test]
fn report_skips_and_counts_unreadable_lines_and_invalid_documents() {
    let engine = Engine::new();
    let records = sue_records();
    let expected = rust_sue_report(&records, &exact());
    // Blank lines, then three unreadable ones: not JSON, a FIA document, not UTF-8.
    let mut input = b"\n   \r\nnot json\n{\"instrument\": \"fia\", \"version\": \"1\", \"status\": \"draft\", \"answers\": {}}\n\xff\xfe\n".to_vec();
    // A SUE document with an error finding: a known item with a wrong type.
    let first = records.split(|&b| b == b'\n').next().expect("a first line");
    let mut broken: serde_json::Value = serde_json::from_slice(first).expect("JSON");
    broken["answers"]["bakgrund.kon"] = serde_json::json!(17);
    input.extend(serde_json::to_vec(&broken).expect("JSON"));
    input.push(b'\n');
    // CRLF line ends are fine.
    for line in records.split(|&b| b == b'\n') {
        input.extend_from_slice(line);
        input.extend_from_slice(b"\r\n");
    }
    let (status, output) = report(
        &engine,
        c"sue",
        &input,
        br#"{"as_of": "2026-11-24", "exact": true}"#,
    );
    assert_eq!(status, bistand_status::BISTAND_OK, "{}", last_error_en());
    assert!(expected_output(&expected, 3, 1, &output) == text(output));

    // No documents at all: an empty report, not a failure.
    for empty in [&b""[..], b"\n\n"] {
        let (status, output) = report(
            &engine,
            c"fia",
            empty,
            br#"{"as_of": "2026-11-24", "exact": true}"#,
        );
        assert_eq!(status, bistand_status::BISTAND_OK, "{}", last_error_en());
        let output: serde_json::Value = serde_json::from_slice(&output).expect("JSON");
        assert_eq!(output["report"]["records"], 0);
        assert_eq!(output["report"]["instrument"], "fia");
        assert_eq!(output["unreadable_lines"], 0);
    }
}

/// Keys as `bistand keys generate` writes them, with a statistics key of their own.
const KEYS: &str = r#"{"pseudonym_key": {"id": "p1", "secret_hex": "0101010101010101010101010101010101010101010101010101010101010101"},
  "data_keys": [{"id": "k1", "secret_hex": "0202020202020202020202020202020202020202020202020202020202020202"}],
  "active_data_key": "k1",
  "statistics_key": {"id": "s1", "secret_hex": "5151515151515151515151515151515151515151515151515151515151515151"}}"#;

/// The SUE fixture as `bistand store import` reads it: each document with its client; every
/// client has three records but the last (400 records, 134 persons).
fn wrapped_records() -> Vec<u8> {
    let mut out = Vec::new();
    for (i, line) in sue_records()
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .enumerate()
    {
        let document: serde_json::Value = serde_json::from_slice(line).expect("JSON");
        let line =
            serde_json::json!({ "client_id": format!("EB-Ö-{}", i / 3), "document": document });
        out.extend(serde_json::to_vec(&line).expect("JSON"));
        out.push(b'\n');
    }
    out
}

/// Issue 12 point 5: a report through the C ABI is perturbed under the caller's keys (the core's
/// report, the one the command line makes with `--keys`); exact only when the caller asks with
/// `"exact": true`, and labelled exact; neither keys nor that is refused before a line is read.
#[test]
fn report_is_perturbed_under_keys_and_exact_only_when_asked() {
    let engine = Engine::new();
    let records = wrapped_records();
    let core = CoreEngine::new().expect("builtin definitions");
    let keys = bistand_core::keys::parse_keys(KEYS.as_bytes()).expect("keys");
    let person_keys = bistand_core::stats::ndjson::PersonKeys {
        pseudonym: &keys.pseudonym,
        statistics: &keys.statistics,
    };
    let as_of = jiff::civil::date(2026, 11, 24);

    // Perturbed: byte for byte the core's report of the same persons under the same keys.
    let (status, output) = report_keyed(
        &engine,
        c"sue",
        &records,
        KEYS.as_bytes(),
        br#"{"as_of": "2026-11-24"}"#,
    );
    assert_eq!(status, bistand_status::BISTAND_OK, "{}", last_error_en());
    let expected = bistand_core::stats::report_from_ndjson(
        &core,
        "sue",
        &records,
        as_of,
        &ReportOptions::default(),
        Some(person_keys),
    )
    .expect("report");
    assert!(!expected.report.exact && expected.report.persons == 134);
    assert!(text(output.clone()) == serde_json::to_string(&expected).expect("JSON"));
    let perturbed: serde_json::Value = serde_json::from_slice(&output).expect("JSON");
    assert_eq!(perturbed["report"]["exact"], false);
    assert_eq!(perturbed["report"]["perturbation"]["max_deviation"], 2);

    // Exact, asked for explicitly, with the keys identifying persons: each of the 134 clients
    // once in the composition tables (a client with three records counts once), and the report
    // says it is exact.
    let (status, output) = report_keyed(
        &engine,
        c"sue",
        &records,
        KEYS.as_bytes(),
        br#"{"as_of": "2026-11-24", "exact": true, "breakdowns": ["gender"]}"#,
    );
    assert_eq!(status, bistand_status::BISTAND_OK, "{}", last_error_en());
    let exact: serde_json::Value = serde_json::from_slice(&output).expect("JSON");
    assert_eq!(exact["report"]["exact"], true);
    assert!(exact["report"]["perturbation"].is_null());
    assert_eq!(exact["report"]["records"], 400);
    assert_eq!(exact["report"]["tables"][0]["id"], "clients");
    assert_eq!(exact["report"]["tables"][0]["unit"], "persons");
    assert_eq!(exact["report"]["persons"], 134);
    let clients = &exact["report"]["tables"][0];
    assert_eq!(clients["rows"][0]["cells"][0]["count"], 134);
    // By gender, the groups' persons add up to the 134 (a person is in one group, once).
    let by_gender = exact["report"]["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|table| table["id"] == "clients.gender")
        .expect("the composition by gender");
    assert_eq!(by_gender["unit"], "persons");
    let persons: u64 = by_gender["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| row["cells"][0]["count"].as_u64().unwrap_or(0))
        .sum();
    assert!(
        persons <= 134 && persons > 100,
        "{persons} of 134 persons shown by gender"
    );
    assert!(
        exact["report"]["notes"]
            .to_string()
            .contains("Counts are exact"),
        "labelled exact"
    );

    // Neither keys nor an explicit exact: refused, saying what to pass.
    for options in [
        &br#"{"as_of": "2026-11-24"}"#[..],
        br#"{"as_of": "2026-11-24", "exact": false}"#,
    ] {
        let (status, _) = report(&engine, c"sue", &records, options);
        assert_eq!(status, bistand_status::BISTAND_INVALID_ARGUMENT);
        let (en, sv) = (last_error_en(), last_error_sv());
        assert!(
            en.contains("keys_json") && en.contains("\"exact\": true"),
            "{en}"
        );
        assert!(
            sv.contains("keys_json") && sv.contains("exakta antal"),
            "{sv}"
        );
    }
    // Keys that are not a keys file: named, never echoed.
    let (status, _) = report_keyed(
        &engine,
        c"sue",
        &records,
        br#"{"pseudonym_key": {"id": "p1", "secret_hex": "01"}}"#,
        br#"{"as_of": "2026-11-24"}"#,
    );
    assert_eq!(status, bistand_status::BISTAND_INVALID_ARGUMENT);
    assert!(
        last_error_en().starts_with("keys_json:"),
        "{}",
        last_error_en()
    );
}

fn pseudonymise_c(
    key_id: &std::ffi::CStr,
    key: &[u8],
    number: &[u8],
    date: &std::ffi::CStr,
) -> (bistand_status, Vec<u8>) {
    // SAFETY: NUL-terminated strings, readable byte slices, writable out.
    call(|out| unsafe {
        bistand_pseudonymise(
            key_id.as_ptr(),
            key.as_ptr(),
            key.len(),
            number.as_ptr(),
            number.len(),
            date.as_ptr(),
            out,
        )
    })
}

#[test]
fn pseudonymise_is_the_cores_and_never_echoes_the_number() {
    let secret = [7u8; 32];
    let key = PseudonymKey::new("k2026", &secret).expect("valid key");
    let today = jiff::civil::date(2026, 6, 1);
    let number = PersonalNumber::parse("811218-9876", today).expect("valid number");
    let expected = pseudonymise(&key, &number).as_str().as_bytes().to_vec();
    for spelling in ["811218-9876", "8112189876", "19811218-9876", "198112189876"] {
        assert_eq!(
            pseudonymise_c(c"k2026", &secret, spelling.as_bytes(), c"2026-06-01"),
            (bistand_status::BISTAND_OK, expected.clone()),
            "{spelling}"
        );
    }
    for bad in ["811218-9875", "811318-9876", "hello", ""] {
        let (status, _) = pseudonymise_c(c"k2026", &secret, bad.as_bytes(), c"2026-06-01");
        assert_eq!(status, bistand_status::BISTAND_INVALID_IDENTIFIER, "{bad}");
        for message in [last_error_en(), last_error_sv()] {
            assert!(!message.is_empty());
            assert!(
                !message.contains("9876") && !message.contains("9875"),
                "{message}"
            );
        }
    }
    let (status, _) = pseudonymise_c(c"k2026", &secret[..31], b"811218-9876", c"2026-06-01");
    assert_eq!(status, bistand_status::BISTAND_INVALID_IDENTIFIER);
    assert!(
        last_error_en().contains("at least 32 bytes"),
        "{}",
        last_error_en()
    );
    let (status, _) = pseudonymise_c(c"bad id!", &secret, b"811218-9876", c"2026-06-01");
    assert_eq!(status, bistand_status::BISTAND_INVALID_IDENTIFIER);
    let (status, _) = pseudonymise_c(c"k2026", &secret, b"811218-9876", c"1 June 2026");
    assert_eq!(status, bistand_status::BISTAND_INVALID_ARGUMENT);
    let (status, _) = pseudonymise_c(c"k2026", &secret, b"811218\xff9876", c"2026-06-01");
    assert_eq!(status, bistand_status::BISTAND_INVALID_UTF8);
}

#[test]
fn profiles() {
    let profile = fixture("invalid/profile.json");
    let engine = Engine::with_profile(&profile);
    let (status, report) = validate(&engine, None, &fixture("invalid/hidden_item_present.json"));
    assert_eq!(status, bistand_status::BISTAND_OK);
    assert!(
        String::from_utf8(report)
            .expect("UTF-8")
            .contains("hidden_item_present")
    );

    for (profile, status) in [
        (&b"{"[..], bistand_status::BISTAND_INVALID_PROFILE),
        (
            b"{\"hidden_items\": {\"fia\": [\"no.such.item\"]}}",
            bistand_status::BISTAND_INVALID_PROFILE,
        ),
        (b"\xff\xfe", bistand_status::BISTAND_INVALID_UTF8),
    ] {
        let mut engine = crate::support::sentinel();
        // SAFETY: `profile` readable for its length; `engine` writable.
        let got =
            unsafe { bistand::bistand_engine_new(profile.as_ptr(), profile.len(), &mut engine) };
        let got_kind = got as u32 / 100;
        assert_eq!(got_kind, 2, "{got:?}");
        if status != bistand_status::BISTAND_INVALID_PROFILE {
            assert_eq!(got, status);
        }
        assert_eq!(
            engine,
            crate::support::sentinel(),
            "engine_out untouched on failure"
        );
        assert!(!last_error_en().is_empty());
    }
}

#[test]
fn status_messages() {
    for status in bistand_status::ALL {
        let mut out = [0 as c_char; 128];
        let mut written = usize::MAX;
        // SAFETY: `out` writable for its length, `written` writable.
        let got = unsafe {
            bistand_status_message(*status as u32, out.as_mut_ptr(), out.len(), &mut written)
        };
        assert_eq!(
            got,
            bistand_status::BISTAND_OK,
            "128 bytes hold every message"
        );
        assert_eq!(written, status.message().len());
        let bytes: Vec<u8> = out[..written].iter().map(|c| *c as u8).collect();
        assert_eq!(bytes, status.message().as_bytes());
        assert_eq!(out[written], 0);
    }
}

#[test]
fn last_error_is_per_thread_and_cleared_by_success() {
    let engine = Engine::new();
    let engine = &engine;
    std::thread::scope(|scope| {
        for i in 0..4 {
            scope.spawn(move || {
                for round in 0..20 {
                    if (i + round) % 2 == 0 {
                        assert_eq!(
                            validate(engine, None, b"{").0,
                            bistand_status::BISTAND_MALFORMED_JSON
                        );
                        assert!(last_error_en().contains("EOF"), "{}", last_error_en());
                    } else {
                        assert_eq!(
                            validate(engine, None, &fixture("valid/draft.json")).0,
                            bistand_status::BISTAND_OK
                        );
                        assert_eq!(last_error_en(), "");
                    }
                }
            });
        }
    });
}

#[test]
fn one_engine_many_threads_same_results() {
    let engine = Engine::new();
    let docs: Vec<(String, Vec<u8>)> = documents("valid")
        .into_iter()
        .chain(documents("invalid"))
        .collect();
    let expected: Vec<(bistand_status, Vec<u8>)> = docs
        .iter()
        .map(|(_, d)| validate(&engine, None, d))
        .collect();
    let (engine, docs, expected) = (&engine, &docs, &expected);
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(move || {
                for _ in 0..5 {
                    for ((name, doc), expected) in docs.iter().zip(expected) {
                        assert_eq!(&validate(engine, None, doc), expected, "{name}");
                    }
                }
            });
        }
    });
}

/// The supplied definition of `tests/data/supplied`, as the JSON array the constructor takes.
fn supplied_definitions() -> Vec<u8> {
    let root = crate::support::root().join("tests/data/supplied");
    let definition =
        std::fs::read(root.join("definitions/lokal_uppfoljning-1.json")).expect("definition");
    [b"[".as_slice(), &definition, b"]"].concat()
}

#[test]
fn a_supplied_definition_validates_to_the_shared_report_bytes() {
    let root = crate::support::root().join("tests/data/supplied");
    let engine = Engine::with_definitions(&supplied_definitions());
    let document = std::fs::read(root.join("document.json")).expect("document");
    let (status, report) = validate(&engine, Some(c"lokal_uppfoljning"), &document);
    assert_eq!(status, bistand_status::BISTAND_OK);
    let golden = root.join("document.report.json");
    if std::env::var_os("BISTAND_BLESS").is_some() {
        std::fs::write(&golden, &report).expect("writable");
    }
    // The command line and the REST API are held to the same bytes (sidecar tests).
    assert_eq!(report, std::fs::read(golden).expect("golden report"));
    // The shipped instruments are still there, and a broken supplied definition is refused
    // with its position, item and rule.
    let (status, _) = validate(
        &Engine::new(),
        Some(c"fia"),
        &fixture("valid/complete.json"),
    );
    assert_eq!(status, bistand_status::BISTAND_OK);
    let broken = String::from_utf8(supplied_definitions())
        .expect("UTF-8")
        .replace("\"min\": 0,", "\"min\": 60,");
    let mut out = ptr::null_mut();
    // SAFETY: readable input of its length, no profile, writable out.
    let status = unsafe {
        bistand::bistand_engine_new_with_definitions(
            broken.as_ptr(),
            broken.len(),
            ptr::null(),
            0,
            &mut out,
        )
    };
    assert_eq!(status, bistand_status::BISTAND_INVALID_DEFINITION);
    assert!(out.is_null());
    let message = last_error_en();
    assert!(
        message.contains("supplied definition 1") && message.contains("kontakt.antal_samtal"),
        "{message}"
    );
}

#[test]
fn a_supplied_definition_gets_the_generic_report_of_the_shared_bytes() {
    let root = crate::support::root().join("tests/data/supplied");
    let engine = Engine::with_definitions(&supplied_definitions());
    let records = std::fs::read(root.join("documents.ndjson")).expect("documents");
    let (status, output) = report(
        &engine,
        c"lokal_uppfoljning",
        &records,
        br#"{"as_of": "2026-11-30", "exact": true, "format": "csv"}"#,
    );
    assert_eq!(status, bistand_status::BISTAND_OK, "{}", last_error_en());
    // The command line is held to the same bytes (sidecar tests); the tables are the generic
    // report's, counted and protected as the shipped reports are.
    let golden = std::fs::read(root.join("report.csv")).expect("golden report");
    assert_eq!(text(output), text(golden));
}

#[test]
fn fhir_questionnaire_and_response_round_trip_through_the_c_abi() {
    let root = crate::support::root().join("tests/data/supplied");
    let engine = Engine::with_definitions(&supplied_definitions());
    // SAFETY: live engine, NUL-terminated instrument, NULL version, writable out.
    let (status, questionnaire) = call(|out| unsafe {
        bistand::bistand_definition_fhir(
            engine.ptr(),
            c"lokal_uppfoljning".as_ptr(),
            ptr::null(),
            out,
        )
    });
    assert_eq!(status, bistand_status::BISTAND_OK, "{}", last_error_en());
    let questionnaire: serde_json::Value = serde_json::from_slice(&questionnaire).expect("JSON");
    // The core's export, which the command line prints and the REST API serves.
    let definition = bistand_core::Engine::with_supplied(
        &[
            &std::fs::read_to_string(root.join("definitions/lokal_uppfoljning-1.json"))
                .expect("definition"),
        ],
        None,
    )
    .expect("engine");
    assert_eq!(
        questionnaire,
        bistand_core::fhir::questionnaire(
            definition
                .definition("lokal_uppfoljning", None)
                .expect("loaded")
        )
    );
    assert_eq!(questionnaire["resourceType"], "Questionnaire");

    // The way back: the same bytes as the core and the REST API.
    let response = std::fs::read(root.join("response.json")).expect("response");
    // SAFETY: live engine, readable input of its length, writable out.
    let (status, result) = call(|out| unsafe {
        bistand::bistand_questionnaire_response_validate(
            engine.ptr(),
            response.as_ptr(),
            response.len(),
            out,
        )
    });
    assert_eq!(status, bistand_status::BISTAND_OK, "{}", last_error_en());
    assert_eq!(
        text(result),
        text(std::fs::read(root.join("response.result.json")).expect("golden"))
    );
    let not_a_response = br#"{"resourceType": "Patient"}"#;
    // SAFETY: as above.
    let (status, _) = call(|out| unsafe {
        bistand::bistand_questionnaire_response_validate(
            engine.ptr(),
            not_a_response.as_ptr(),
            not_a_response.len(),
            out,
        )
    });
    assert_eq!(status, bistand_status::BISTAND_INVALID_DOCUMENT);
}

/// `"tables"`: the tables named, each exactly as in the report of every table; an unknown name
/// or a list that is not of names is `BISTAND_INVALID_ARGUMENT`, the message not repeating it.
#[test]
fn report_options_tables_select_the_full_reports_tables() {
    let engine = Engine::new();
    let records = sue_records();
    let options = br#"{"as_of": "2026-11-24", "exact": true, "breakdowns": ["gender"]}"#;
    let (status, full) = report(&engine, c"sue", &records, options);
    assert_eq!(status, bistand_status::BISTAND_OK, "{}", last_error_en());
    let (status, some) = report(
        &engine,
        c"sue",
        &records,
        br#"{"as_of": "2026-11-24", "exact": true, "breakdowns": ["gender"], "tables": ["needs", "interventions.gender"]}"#,
    );
    assert_eq!(status, bistand_status::BISTAND_OK, "{}", last_error_en());
    let full: serde_json::Value = serde_json::from_slice(&full).expect("JSON");
    let some: serde_json::Value = serde_json::from_slice(&some).expect("JSON");
    let expected: Vec<&serde_json::Value> = full["report"]["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .filter(|t| {
            ["needs", "needs.gender", "interventions.gender"]
                .contains(&t["id"].as_str().expect("id"))
        })
        .collect();
    assert_eq!(expected.len(), 3);
    let got: Vec<&serde_json::Value> = some["report"]["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .collect();
    assert_eq!(got, expected);
    for (options, expected) in [
        (
            &br#"{"as_of": "2026-11-24", "exact": true, "tables": ["needs", "personnummer_lista"]}"#[..],
            bistand_status::BISTAND_OUT_OF_RANGE,
        ),
        (
            br#"{"as_of": "2026-11-24", "exact": true, "breakdowns": ["unit"], "tables": ["needs.gender"]}"#,
            bistand_status::BISTAND_OUT_OF_RANGE,
        ),
        (
            br#"{"as_of": "2026-11-24", "exact": true, "tables": "needs"}"#,
            bistand_status::BISTAND_INVALID_ARGUMENT,
        ),
        (
            br#"{"as_of": "2026-11-24", "exact": true, "tables": []}"#,
            bistand_status::BISTAND_INVALID_ARGUMENT,
        ),
    ] {
        let (status, _) = report(&engine, c"sue", &records, options);
        assert_eq!(status, expected, "{}", String::from_utf8_lossy(options));
        assert!(!last_error_en().contains("personnummer"), "{}", last_error_en());
    }
}
