//! The boundary between C and Rust. This module owns every exported function, every `unsafe`
//! block and the one `catch_unwind` of the crate; the rest of the crate is safe Rust.
//!
//! Each exported function does the same four things, in this order:
//! 1. runs inside [`guarded`], so a panic becomes `BISTAND_PANIC` and never unwinds into C;
//! 2. checks every pointer for NULL and every length against its limit before building a Rust
//!    reference or slice from it;
//! 3. calls one safe operation in [`crate::ops`];
//! 4. writes through the `*_out` pointer only when everything succeeded.
//!
//! The functions are `unsafe` for Rust callers because their pointers are trusted to be valid;
//! the `# Safety` sections are the C calling convention.

use std::ffi::{CStr, c_char};
use std::panic::{self, AssertUnwindSafe};
use std::ptr::{self, NonNull};

use bistand_core::Text;
use bistand_core::profile::MAX_PROFILE_BYTES;

use crate::handles::{bistand_buf, bistand_engine};
use crate::last_error;
use crate::ops::{self, MAX_NDJSON, MAX_OPTIONS, MAX_SMALL_INPUT};
use crate::status::{Failure, bistand_language, bistand_status};
use crate::store::{self, MAX_CLIENT_ID, MAX_KEYS_JSON, bistand_store};

/// A `bistand_status` as C passes it in: any 32-bit number, checked before it is trusted (a C
/// enum may hold values that a Rust enum may not). Named `bistand_status` in the header.
pub type StatusNumber = u32;

/// A `bistand_language` as C passes it in: any 32-bit number, checked before it is trusted.
/// Named `bistand_language` in the header.
pub type LanguageNumber = u32;

/// The language `number` names, or a failure saying which values are accepted.
fn checked_language(number: LanguageNumber) -> Result<bistand_language, Failure> {
    bistand_language::from_u32(number).ok_or_else(|| {
        Failure::new(
            bistand_status::BISTAND_INVALID_ARGUMENT,
            Text {
                sv: "`language` är varken BISTAND_LANGUAGE_SV eller BISTAND_LANGUAGE_EN".into(),
                en: "`language` is not BISTAND_LANGUAGE_SV or BISTAND_LANGUAGE_EN".into(),
            },
        )
    })
}

/// The library version, e.g. `"0.1.0"`, as a NUL-terminated string.
///
/// The string is static: do not free it. Thread-safe; never fails.
#[unsafe(no_mangle)]
pub extern "C" fn bistand_version() -> *const c_char {
    const VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(version) => version,
            Err(_) => panic!("the package version has no NUL inside"),
        };
    VERSION.as_ptr()
}

/// Creates an engine: the instrument definitions bistand ships, checked once, plus an optional
/// organisation profile (JSON, e.g. `{"hidden_items": {"fia": ["arbete.yrke"]}}`).
///
/// `profile` points to `profile_len` bytes of JSON; with `profile_len` 0 there is no profile and
/// `profile` may be NULL. On success `*engine_out` receives a new engine, which the caller owns
/// and releases with `bistand_engine_free`. On failure `*engine_out` is left untouched and
/// `bistand_last_error` says what is wrong with the profile.
///
/// The engine is immutable: it may be used by any number of threads at the same time.
/// Creating one compiles and checks every definition: create it once and keep it.
///
/// # Safety
/// `profile` must be NULL or point to `profile_len` readable bytes; `engine_out` must be NULL or
/// point to writable storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_engine_new(
    profile: *const u8,
    profile_len: usize,
    engine_out: *mut *mut bistand_engine,
) -> bistand_status {
    guarded(|| {
        // SAFETY: the caller promises `profile` points to `profile_len` readable bytes.
        let profile = unsafe { bytes(profile, profile_len, "profile", Limit::PROFILE)? };
        let engine_out = out_pointer(engine_out, "engine_out")?;
        let engine = Box::new(ops::engine_new(profile)?);
        // SAFETY: checked non-NULL above; the caller promises it is writable.
        unsafe { engine_out.write(Box::into_raw(engine)) };
        Ok(())
    })
}

/// Creates an engine like `bistand_engine_new`, with instrument definitions the caller supplies
/// beside the shipped ones (a municipality's transcription of a form it holds, or local items;
/// see docs/definitions.md), compiled and checked by the same compiler.
///
/// `definitions` points to `definitions_len` bytes of UTF-8 JSON: an array of definition objects,
/// each what one definition file holds (the caller reads the files; bistand reads no files).
/// `profile` and `profile_len` are as for `bistand_engine_new`. On success `*engine_out` receives
/// a new engine, released with `bistand_engine_free`; on failure it is left untouched and
/// `bistand_last_error` names the definition (its position in the array), the item and the rule.
///
/// # Safety
/// `definitions` must point to `definitions_len` readable bytes; `profile` as for
/// `bistand_engine_new`; `engine_out` must be NULL or point to writable storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_engine_new_with_definitions(
    definitions: *const u8,
    definitions_len: usize,
    profile: *const u8,
    profile_len: usize,
    engine_out: *mut *mut bistand_engine,
) -> bistand_status {
    guarded(|| {
        // SAFETY: the caller promises `definitions` points to `definitions_len` readable bytes.
        let definitions =
            unsafe { bytes(definitions, definitions_len, "definitions", Limit::NDJSON)? };
        // SAFETY: the caller promises `profile` points to `profile_len` readable bytes.
        let profile = unsafe { bytes(profile, profile_len, "profile", Limit::PROFILE)? };
        let engine_out = out_pointer(engine_out, "engine_out")?;
        let engine = Box::new(ops::engine_with_definitions(definitions, profile)?);
        // SAFETY: checked non-NULL above; the caller promises it is writable.
        unsafe { engine_out.write(Box::into_raw(engine)) };
        Ok(())
    })
}

/// Releases an engine made by `bistand_engine_new`. NULL is a no-op.
///
/// No other thread may be using the engine, and the engine must not be used afterwards.
///
/// # Safety
/// `engine` must be NULL or an engine from `bistand_engine_new` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_engine_free(engine: *mut bistand_engine) {
    if engine.is_null() {
        return;
    }
    catch(|| {
        // SAFETY: non-NULL, and the caller promises it came from `Box::into_raw` in
        // `bistand_engine_new` and is freed once.
        drop(unsafe { Box::from_raw(engine) });
    });
}

/// Validates one document (`doc_len` bytes of UTF-8 JSON) and returns the report as JSON:
/// `{"instrument", "version", "status", "valid", "errors", "warnings", "findings": [{"severity",
/// "code", "audience", "path", "location": {"sv", "en"}, "message": {"sv", "en"}}]}`, the same
/// report the sidecar returns. `audience` is `caseworker` or `integrator`: whom the finding is for.
///
/// `instrument` (a NUL-terminated string such as `"fia"`) is the instrument the caller expects;
/// a document naming another is refused. NULL accepts whichever instrument the document names.
///
/// A document that breaks the instrument's rules is not a failure: the call returns `BISTAND_OK`
/// and the report lists the findings (`"valid": false`). Failures are input that is not a
/// document at all: not UTF-8 (`BISTAND_INVALID_UTF8`), not JSON (`BISTAND_MALFORMED_JSON`), over
/// 1 MiB (`BISTAND_TOO_LARGE`), an unknown instrument or version, ... and `bistand_last_error`
/// says precisely what and where.
///
/// On success `*report_out` receives a new buffer that the caller owns and releases with
/// `bistand_buf_free`; on failure it is left untouched. The engine may be used by other threads
/// at the same time.
///
/// # Safety
/// `engine` must be an engine from `bistand_engine_new`; `instrument` NULL or a NUL-terminated
/// string; `doc` NULL (only with `doc_len` 0) or `doc_len` readable bytes; `report_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_validate(
    engine: *const bistand_engine,
    instrument: *const c_char,
    doc: *const u8,
    doc_len: usize,
    report_out: *mut *mut bistand_buf,
) -> bistand_status {
    guarded(|| {
        // SAFETY: the caller promises a live engine from `bistand_engine_new`.
        let engine = &unsafe { reference(engine, "engine")? }.engine;
        // SAFETY: the caller promises NULL or a NUL-terminated string.
        let instrument = unsafe { optional_str(instrument, "instrument")? };
        let limit = Limit::document(engine.limits().max_bytes());
        // SAFETY: the caller promises `doc` points to `doc_len` readable bytes.
        let doc = unsafe { bytes(doc, doc_len, "doc", limit)? };
        let report_out = out_pointer(report_out, "report_out")?;
        let report = ops::validate(engine, instrument, doc)?;
        // SAFETY: checked non-NULL above; the caller promises it is writable.
        unsafe { report_out.write(Box::into_raw(Box::new(report))) };
        Ok(())
    })
}

/// Validates a document and returns its derived summary as JSON (see `docs/summary.md`).
///
/// `instrument` is as for `bistand_validate` (NULL: whichever the document names). `today` is
/// the caller's date as a NUL-terminated `"YYYY-MM-DD"` string, used to pick the next follow-up
/// date; NULL leaves that choice out (bistand reads no clock).
///
/// Fails as `bistand_validate` does, and also with `BISTAND_DOCUMENT_NOT_VALID` when the
/// document has error findings (validate it first to show them) and `BISTAND_INVALID_ARGUMENT`
/// when `today` is not a date. On success `*summary_out` receives a new buffer that the caller
/// releases with `bistand_buf_free`; on failure it is left untouched. Thread-safe as
/// `bistand_validate`.
///
/// # Safety
/// As `bistand_validate`; `today` must be NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_summary(
    engine: *const bistand_engine,
    instrument: *const c_char,
    doc: *const u8,
    doc_len: usize,
    today: *const c_char,
    summary_out: *mut *mut bistand_buf,
) -> bistand_status {
    guarded(|| {
        // SAFETY: the caller promises a live engine from `bistand_engine_new`.
        let engine = &unsafe { reference(engine, "engine")? }.engine;
        // SAFETY: the caller promises NULL or a NUL-terminated string.
        let instrument = unsafe { optional_str(instrument, "instrument")? };
        let limit = Limit::document(engine.limits().max_bytes());
        // SAFETY: the caller promises `doc` points to `doc_len` readable bytes.
        let doc = unsafe { bytes(doc, doc_len, "doc", limit)? };
        // SAFETY: the caller promises NULL or a NUL-terminated string.
        let today = unsafe { optional_str(today, "today")? };
        let summary_out = out_pointer(summary_out, "summary_out")?;
        let summary = ops::summary(engine, instrument, doc, today)?;
        // SAFETY: checked non-NULL above; the caller promises it is writable.
        unsafe { summary_out.write(Box::into_raw(Box::new(summary))) };
        Ok(())
    })
}

/// Validates a FIA document and returns its printable summary: one self-contained HTML page
/// (UTF-8) for the client's file, with labels in `language` and never codes, a chart of the
/// client's own rating per life area (with the same in a table), the areas the client most
/// wants to change, the overall assessment and the implementation plan (goals, who is
/// responsible, follow-up dates). It prints on A4.
///
/// `instrument` and `today` are as for `bistand_summary`; `language` is `BISTAND_LANGUAGE_SV` or
/// `BISTAND_LANGUAGE_EN`. Fails as `bistand_summary` does, and with `BISTAND_INVALID_ARGUMENT`
/// for any other `language`. On success `*page_out` receives a new buffer that the caller
/// releases with `bistand_buf_free`; on failure it is left untouched. Thread-safe as
/// `bistand_validate`.
///
/// # Safety
/// As `bistand_summary`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_summary_page(
    engine: *const bistand_engine,
    instrument: *const c_char,
    doc: *const u8,
    doc_len: usize,
    today: *const c_char,
    language: LanguageNumber,
    page_out: *mut *mut bistand_buf,
) -> bistand_status {
    guarded(|| {
        // SAFETY: the caller promises a live engine from `bistand_engine_new`.
        let engine = &unsafe { reference(engine, "engine")? }.engine;
        // SAFETY: the caller promises NULL or a NUL-terminated string.
        let instrument = unsafe { optional_str(instrument, "instrument")? };
        let limit = Limit::document(engine.limits().max_bytes());
        // SAFETY: the caller promises `doc` points to `doc_len` readable bytes.
        let doc = unsafe { bytes(doc, doc_len, "doc", limit)? };
        // SAFETY: the caller promises NULL or a NUL-terminated string.
        let today = unsafe { optional_str(today, "today")? };
        let language = checked_language(language)?;
        let page_out = out_pointer(page_out, "page_out")?;
        let page = ops::summary_page(engine, instrument, doc, today, language.core())?;
        // SAFETY: checked non-NULL above; the caller promises it is writable.
        unsafe { page_out.write(Box::into_raw(Box::new(page))) };
        Ok(())
    })
}

/// Returns an instrument definition, the JSON a vendor renders forms from: sections, items,
/// code lists, conditions, labels in Swedish and English (see `core/instruments/README.md`).
///
/// `instrument` (e.g. `"fia"`) must not be NULL; `version` (e.g. `"1"`) NULL means the newest
/// loaded version. Fails with `BISTAND_UNKNOWN_INSTRUMENT` or `BISTAND_UNKNOWN_VERSION`.
/// On success `*definition_out` receives a new buffer that the caller releases with
/// `bistand_buf_free`; on failure it is left untouched. Thread-safe.
///
/// # Safety
/// `engine` must be an engine from `bistand_engine_new`; `instrument` a NUL-terminated string;
/// `version` NULL or a NUL-terminated string; `definition_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_definition(
    engine: *const bistand_engine,
    instrument: *const c_char,
    version: *const c_char,
    definition_out: *mut *mut bistand_buf,
) -> bistand_status {
    // SAFETY: the caller's promises are this function's (see `# Safety`).
    unsafe {
        of_definition(
            engine,
            instrument,
            version,
            definition_out,
            "definition_out",
            ops::definition,
        )
    }
}

/// Returns an instrument definition as a FHIR R4 `Questionnaire` (JSON): each section a group,
/// each item with its id as `linkId`, code lists as answer options, conditions as `enableWhen`,
/// English labels through the FHIR translation extension (see `docs/definitions.md`). Arguments,
/// ownership and failures as `bistand_definition`.
///
/// # Safety
/// As `bistand_definition`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_definition_fhir(
    engine: *const bistand_engine,
    instrument: *const c_char,
    version: *const c_char,
    questionnaire_out: *mut *mut bistand_buf,
) -> bistand_status {
    // SAFETY: the caller's promises are this function's (see `# Safety`).
    unsafe {
        of_definition(
            engine,
            instrument,
            version,
            questionnaire_out,
            "questionnaire_out",
            ops::definition_fhir,
        )
    }
}

/// Reads a FHIR R4 `QuestionnaireResponse` (`response_len` bytes of UTF-8 JSON) to one of the
/// engine's questionnaires (`questionnaire` = `urn:bistand:questionnaire:<instrument>|<version>`,
/// as `bistand_definition_fhir` writes it) as a bistand document, validates it, and returns
/// `{"document": {...}, "report": {...}}`: the document made and its report, as
/// `bistand_validate` gives it. A document with findings is not a failure. Failures: not JSON
/// (`BISTAND_MALFORMED_JSON`), over 1 MiB (`BISTAND_TOO_LARGE`), not a QuestionnaireResponse of a
/// bistand questionnaire or an answer of a type bistand does not use (`BISTAND_INVALID_DOCUMENT`),
/// an unknown instrument or version.
///
/// On success `*result_out` receives a new buffer that the caller releases with
/// `bistand_buf_free`; on failure it is left untouched. Thread-safe.
///
/// # Safety
/// `engine` must be an engine from `bistand_engine_new`; `response` NULL (only with
/// `response_len` 0) or `response_len` readable bytes; `result_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_questionnaire_response_validate(
    engine: *const bistand_engine,
    response: *const u8,
    response_len: usize,
    result_out: *mut *mut bistand_buf,
) -> bistand_status {
    guarded(|| {
        // SAFETY: the caller promises a live engine from `bistand_engine_new`.
        let engine = &unsafe { reference(engine, "engine")? }.engine;
        let limit = Limit::document(engine.limits().max_bytes());
        // SAFETY: the caller promises `response` points to `response_len` readable bytes.
        let response = unsafe { bytes(response, response_len, "response", limit)? };
        let result_out = out_pointer(result_out, "result_out")?;
        let result = ops::validate_response(engine, response)?;
        // SAFETY: checked non-NULL above; the caller promises it is writable.
        unsafe { result_out.write(Box::into_raw(Box::new(result))) };
        Ok(())
    })
}

/// Returns the JSON Schema (2020-12) of documents of an instrument, for vendors that check
/// documents before sending them. Arguments, ownership and failures as `bistand_definition`.
///
/// # Safety
/// As `bistand_definition`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_schema(
    engine: *const bistand_engine,
    instrument: *const c_char,
    version: *const c_char,
    schema_out: *mut *mut bistand_buf,
) -> bistand_status {
    // SAFETY: the caller's promises are this function's (see `# Safety`).
    unsafe {
        of_definition(
            engine,
            instrument,
            version,
            schema_out,
            "schema_out",
            ops::schema,
        )
    }
}

/// Turns a personnummer or samordningsnummer into its keyed pseudonym,
/// `"<key_id>:<64 lowercase hex digits>"` (HMAC-SHA256), so records can be linked without
/// storing the number. The same number gives the same pseudonym in every accepted spelling
/// (`811218-9876`, `8112189876`, `19811218-9876`, ...).
///
/// - `key_id`: the key's public id, a NUL-terminated string of 1 to 32 ASCII letters, digits,
///   `_` or `-`; it prefixes the pseudonym so keys can be rotated.
/// - `key`, `key_len`: the secret, at least 32 bytes. bistand copies it for the call and wipes
///   its copy; wiping yours is up to you.
/// - `personnummer`, `personnummer_len`: the number as text (10 or 12 digits, optional `-` or
///   `+` before the last four).
/// - `reference_date`: today's date, `"YYYY-MM-DD"`; it picks the century of a 10-digit number
///   and rules out birth dates in the future.
///
/// Fails with `BISTAND_INVALID_IDENTIFIER` for a bad number or key (the message never repeats
/// the number) and `BISTAND_INVALID_ARGUMENT` for a bad date. On success `*pseudonym_out`
/// receives a new buffer that the caller releases with `bistand_buf_free`; on failure it is
/// left untouched. Thread-safe; needs no engine.
///
/// # Safety
/// `key_id` and `reference_date` must be NUL-terminated strings; `key` and `personnummer` NULL
/// (only with length 0) or readable for their lengths; `pseudonym_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_pseudonymise(
    key_id: *const c_char,
    key: *const u8,
    key_len: usize,
    personnummer: *const u8,
    personnummer_len: usize,
    reference_date: *const c_char,
    pseudonym_out: *mut *mut bistand_buf,
) -> bistand_status {
    guarded(|| {
        // SAFETY: the caller promises a NUL-terminated string.
        let key_id = unsafe { required_str(key_id, "key_id")? };
        // SAFETY: the caller promises `key` points to `key_len` readable bytes.
        let key = unsafe { bytes(key, key_len, "key", Limit::SMALL)? };
        // SAFETY: the caller promises `personnummer` points to `personnummer_len` bytes.
        let personnummer =
            unsafe { bytes(personnummer, personnummer_len, "personnummer", Limit::SMALL)? };
        // SAFETY: the caller promises a NUL-terminated string.
        let reference_date = unsafe { required_str(reference_date, "reference_date")? };
        let pseudonym_out = out_pointer(pseudonym_out, "pseudonym_out")?;
        let pseudonym = ops::pseudonymise(key_id, key, personnummer, reference_date)?;
        // SAFETY: checked non-NULL above; the caller promises it is writable.
        unsafe { pseudonym_out.write(Box::into_raw(Box::new(pseudonym))) };
        Ok(())
    })
}

/// Group statistics with disclosure control over many documents: the report `bistand report`
/// makes (tables of persons: counts, shares and 95 % intervals by gender, age band, origin,
/// household, unit and period). Counts are perturbed with the cell-key method under the
/// statistics key of `keys_json` (the same persons get the same deviation in every report and
/// through every interface), and counts under the threshold, or closer to their base than the
/// threshold, are suppressed. Exact counts only when `options` says `"exact": true`: for the data
/// owner over their own documents, never for publication; the report then says `"exact": true`.
///
/// - `instrument`: a NUL-terminated string, `"sue"` or `"fia"`; must not be NULL. Another name
///   fails with `BISTAND_UNKNOWN_INSTRUMENT`.
/// - `ndjson`, `ndjson_len`: the documents as NDJSON, one per line (`\n`; a `\r` before it is
///   allowed), at most 256 MiB in all (`BISTAND_TOO_LARGE`); blank lines are ignored. A line is
///   a document, or a document with its client, `{"client_id": "...", "document": {...}}` (what
///   `bistand store import` reads): with `keys_json` the client id is pseudonymised as the store
///   does it, so a person with several records counts once; a plain document is a person of its
///   own. A line that is not a document of `instrument` (not UTF-8, not JSON, over the 1 MiB
///   per-document limit, another instrument, a bad envelope, an empty client id) is skipped and
///   counted in `"unreadable_lines"`; a document with error findings is skipped and counted in
///   `"documents_with_errors"`. Neither is a failure: an input with no readable line gives a
///   report of 0 records.
/// - `keys_json`, `keys_len`: the keys file (as for `bistand_store_open`; its `statistics_key`,
///   or one derived from the pseudonym key when it has none, perturbs the counts). NULL with
///   length 0 means no keys: then `options` must say `"exact": true`.
/// - `options`, `options_len`: required UTF-8 JSON, an object with these keys (any other key
///   fails with `BISTAND_INVALID_ARGUMENT`):
///   - `"as_of"` (required): the date the report describes, `"YYYY-MM-DD"`, usually today
///     (bistand reads no clock);
///   - `"threshold"`: the disclosure threshold, a whole number of at least 5 (default 5);
///   - `"breakdowns"`: names among `"total"`, `"gender"`, `"age_band"`, `"origin"`,
///     `"household"`, `"unit"`, `"period"`, `"fia_assessment"`; the total is always included;
///     absent means all;
///   - `"tables"`: the tables to make, as table ids (`"needs.gender"`) or families (`"needs"`:
///     the table and each breakdown of it); absent means every table; a list that is not of
///     names fails with `BISTAND_INVALID_ARGUMENT`, a name of no table of the report (with the
///     breakdowns asked for) with `BISTAND_OUT_OF_RANGE`;
///   - `"exact"`: `true` for exact counts (default `false`: perturbed, which needs `keys_json`);
///   - `"format"`: `"json"` (default), `"csv"` (the wide layout of published tables),
///     `"csv-long"` (one line per cell, for programs), `"xlsx"` (an Excel workbook: binary,
///     may hold NUL bytes, so read it by `bistand_buf_len`) or `"html"` (one self-contained
///     page with the provenance, the tables and charts);
///   - `"language"`: `"sv"` (default) or `"en"`, the language of the CSV headings and labels
///     (the JSON has both languages);
///   - `"csv_dialect"`: `"excel-sv"` (UTF-8 byte order mark, `;`, decimal comma) or `"plain"`
///     (`,`, decimal point); default: `"excel-sv"` with `"sv"`, `"plain"` with `"en"`.
///
/// With `"format": "json"` the output is
/// `{"report": <report>, "unreadable_lines": N, "documents_with_errors": M}`, where `<report>` is
/// the report `bistand report` prints, compact (`{"instrument", "title": {"sv", "en"}, "as_of",
/// "threshold", "records", "persons", "exact", "perturbation", "notes", "tables": [{"id",
/// "title", "unit", "description", "rows_are", "rows_label", "categories": [{"code", "label"}],
/// "rows": [{"code", "label", "cells": [{"count", "base", "share", "interval",
/// "suppressed"}]}]}], "provenance"}`; a suppressed cell has `"count": null` and `"suppressed":
/// true`; `"provenance"` says what was read and counted, with a digest of the input). With
/// `"format": "csv"` the output is the report as CSV in the wide layout of published tables (the
/// report's facts first, then per table groups down and categories across with count, percent
/// and interval, protected numbers `..`), as `bistand report --format csv` writes it, without the
/// two counts: ask for JSON to get them. With `"format": "csv-long"` it is one line per cell
/// (`table`, `row`, `category`, `count`, `base`, `share`, ..., `suppressed`, `exact`, the
/// perturbation), as `--format csv-long`.
///
/// Fails with `BISTAND_NULL_POINTER` (engine, instrument, report_out, or a NULL pointer with a
/// non-zero length), `BISTAND_INVALID_UTF8_ARGUMENT` (`instrument` or `options` not UTF-8),
/// `BISTAND_INVALID_ARGUMENT` (options missing, not JSON, an unknown key, a bad value; no
/// `keys_json` without `"exact": true`; a bad keys JSON), `BISTAND_TOO_LARGE` and
/// `BISTAND_UNKNOWN_INSTRUMENT`; `bistand_last_error` says which, never repeating the input or a
/// secret. On success `*report_out` receives a new buffer that the caller releases with
/// `bistand_buf_free`; on failure it is left untouched. Thread-safe as `bistand_validate`; the
/// call takes time in proportion to the input (about as long as validating every line).
///
/// # Safety
/// `engine` must be an engine from `bistand_engine_new`; `instrument` a NUL-terminated string;
/// `ndjson`, `keys_json` and `options` NULL (only with length 0) or readable for their lengths;
/// `report_out` writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn bistand_report(
    engine: *const bistand_engine,
    instrument: *const c_char,
    ndjson: *const u8,
    ndjson_len: usize,
    keys_json: *const u8,
    keys_len: usize,
    options: *const u8,
    options_len: usize,
    report_out: *mut *mut bistand_buf,
) -> bistand_status {
    guarded(|| {
        // SAFETY: the caller promises a live engine from `bistand_engine_new`.
        let engine = &unsafe { reference(engine, "engine")? }.engine;
        // SAFETY: the caller promises a NUL-terminated string.
        let instrument = unsafe { required_str(instrument, "instrument")? };
        // SAFETY: the caller promises `ndjson` points to `ndjson_len` readable bytes.
        let ndjson = unsafe { bytes(ndjson, ndjson_len, "ndjson", Limit::NDJSON)? };
        // SAFETY: the caller promises `keys_json` points to `keys_len` readable bytes.
        let keys_json = unsafe { bytes(keys_json, keys_len, "keys_json", Limit::KEYS)? };
        // SAFETY: the caller promises `options` points to `options_len` readable bytes.
        let options = unsafe { bytes(options, options_len, "options", Limit::OPTIONS)? };
        let report_out = out_pointer(report_out, "report_out")?;
        let report = ops::report(engine, instrument, ndjson, keys_json, options)?;
        // SAFETY: checked non-NULL above; the caller promises it is writable.
        unsafe { report_out.write(Box::into_raw(Box::new(report))) };
        Ok(())
    })
}

/// The bytes of a buffer; `bistand_buf_len` of them, followed by a NUL byte that the length
/// does not count, so JSON output can also be used as a C string.
///
/// The pointer stays valid until the buffer is freed with `bistand_buf_free`; do not free it
/// yourself. NULL for a NULL buffer. A buffer may be read from several threads at once.
///
/// # Safety
/// `buf` must be NULL or a buffer from bistand not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_buf_data(buf: *const bistand_buf) -> *const u8 {
    // SAFETY: the caller promises NULL or a live buffer.
    match unsafe { buf.as_ref() } {
        Some(buf) => buf.as_ptr(),
        None => ptr::null(),
    }
}

/// The length of a buffer's data in bytes, without the trailing NUL. 0 for a NULL buffer.
/// Thread-safe as `bistand_buf_data`.
///
/// # Safety
/// `buf` must be NULL or a buffer from bistand not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_buf_len(buf: *const bistand_buf) -> usize {
    // SAFETY: the caller promises NULL or a live buffer.
    unsafe { buf.as_ref() }.map_or(0, bistand_buf::len)
}

/// Releases a buffer returned by a bistand function. NULL is a no-op. Pointers from
/// `bistand_buf_data` are invalid afterwards. No other thread may be reading the buffer; any
/// thread may free it.
///
/// # Safety
/// `buf` must be NULL or a buffer from bistand not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_buf_free(buf: *mut bistand_buf) {
    if buf.is_null() {
        return;
    }
    catch(|| {
        // SAFETY: non-NULL, and the caller promises it came from `Box::into_raw` in one of
        // the functions above and is freed once.
        drop(unsafe { Box::from_raw(buf) });
    });
}

/// Writes a one-line English description of `status` (e.g. `"the input is not well-formed
/// JSON"`) into `out` as a NUL-terminated string and its length (without the NUL) into
/// `*written_out`.
///
/// `out` must have room for the message and its NUL; if it has not, nothing is written and the
/// call returns `BISTAND_BUFFER_TOO_SMALL`. With `out_len` 0 nothing is written to `out` (which
/// may then be NULL) and `*written_out` receives the message length: a size query. A 128-byte
/// buffer holds every message. Returns `BISTAND_INVALID_ARGUMENT` for a number that is no
/// status. Never changes `bistand_last_error`. Thread-safe.
///
/// # Safety
/// `out` must be NULL (only with `out_len` 0) or writable for `out_len` bytes; `written_out`
/// must point to writable storage for one `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_status_message(
    status: StatusNumber,
    out: *mut c_char,
    out_len: usize,
    written_out: *mut usize,
) -> bistand_status {
    guarded_quietly(|| {
        let status = bistand_status::from_u32(status).ok_or_else(|| {
            Failure::new(
                bistand_status::BISTAND_INVALID_ARGUMENT,
                Text {
                    sv: "`status` är ingen statuskod från bistand".into(),
                    en: "`status` is not a bistand status code".into(),
                },
            )
        })?;
        // SAFETY: the caller promises `out` is writable for `out_len` bytes.
        unsafe { write_message(status.message(), out, out_len, written_out) }
    })
}

/// Writes the precise message of the last failed call on this thread (e.g. `"malformed JSON:
/// expected value at line 3 column 7"`) in `language` into `out`, NUL-terminated, and its
/// length (without the NUL) into `*written_out`. After a successful call, or before any call,
/// the message is empty.
///
/// Each thread has its own last error, so threads sharing an engine never see each other's.
/// Every bistand function that returns a status clears it on entry and sets it on failure,
/// except this function and `bistand_status_message`, which never change it: after
/// `BISTAND_BUFFER_TOO_SMALL` the message is still there to fetch with a larger buffer.
/// `out_len` 0 is a size query, as for `bistand_status_message`. Messages never contain
/// answers, names or identifiers from the input.
///
/// # Safety
/// As `bistand_status_message`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_last_error(
    language: LanguageNumber,
    out: *mut c_char,
    out_len: usize,
    written_out: *mut usize,
) -> bistand_status {
    guarded_quietly(|| {
        let language = checked_language(language)?;
        last_error::with(|failure| {
            let message = failure.map_or("", |f| f.message(language.core()));
            // SAFETY: the caller promises `out` is writable for `out_len` bytes.
            unsafe { write_message(message, out, out_len, written_out) }
        })
    })
}

/// Opens the embedded encrypted store in the SQLite file at `path`, creating the file if it does
/// not exist (and migrating an older schema). Records are sealed with XChaCha20-Poly1305 under
/// the active data key; clients are stored only as keyed pseudonyms.
///
/// - `path`: a NUL-terminated UTF-8 file path; not empty, not `":memory:"`, not a `file:` URI.
///   SQLite also keeps `<path>-wal` and `<path>-shm` beside it.
/// - `keys_json`, `keys_len`: the keys, in the format of the sidecar's keys file
///   (`bistand keys generate` writes one): `{"pseudonym_key": {"id", "secret_hex"},
///   "data_keys": [{"id", "secret_hex"}, ...], "active_data_key": "<id>", "statistics_key":
///   {"id", "secret_hex"}}`, each secret 64 hex digits (`statistics_key`, which perturbs
///   `bistand_store_report`, is optional: without it one is derived from the pseudonym key). New
///   records are sealed with the active data key; the others open older records. bistand copies the keys it needs and wipes its copies of the secrets; wiping yours is up
///   to you.
///
/// A store is bound to its keys, as the command line and the sidecar bind it: the first open
/// records the fingerprints of the pseudonym key and the data keys (never the secrets), later
/// opens record new data keys (after a rotation) and refuse keys that do not belong to the
/// store, before anything is written.
///
/// Fails with `BISTAND_INVALID_ARGUMENT` for a bad path or keys JSON (the message names the
/// position or entry at fault, never a secret), `BISTAND_TOO_LARGE` for keys over 64 KiB,
/// `BISTAND_WRONG_KEYS` when the keys are not the store's (another pseudonym key, a data key id
/// with another secret, or a data key missing that records are sealed with; the message names
/// the key id, and the file is left as it was), and `BISTAND_STORE_ERROR` when the file cannot
/// be opened or is not a bistand store. On success
/// `*store_out` receives a new store that the caller owns and releases with
/// `bistand_store_free`; on failure it is left untouched.
///
/// A store may be used by any number of threads at the same time; writes are serialised
/// inside. Open one per file and process, and keep it.
///
/// # Safety
/// `path` must be a NUL-terminated string; `keys_json` NULL (only with `keys_len` 0) or
/// readable for `keys_len` bytes; `store_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_store_open(
    path: *const c_char,
    keys_json: *const u8,
    keys_len: usize,
    store_out: *mut *mut bistand_store,
) -> bistand_status {
    guarded(|| {
        // SAFETY: the caller promises a NUL-terminated string.
        let path = unsafe { required_str(path, "path")? };
        // SAFETY: the caller promises `keys_json` points to `keys_len` readable bytes.
        let keys_json = unsafe { bytes(keys_json, keys_len, "keys_json", Limit::KEYS)? };
        let store_out = out_pointer(store_out, "store_out")?;
        let store = Box::new(store::open(path, keys_json)?);
        // SAFETY: checked non-NULL above; the caller promises it is writable.
        unsafe { store_out.write(Box::into_raw(store)) };
        Ok(())
    })
}

/// Closes a store made by `bistand_store_open`. NULL is a no-op.
///
/// No other thread may be using the store, and the store must not be used afterwards. Buffers
/// it returned stay valid (they are freed with `bistand_buf_free`).
///
/// # Safety
/// `store` must be NULL or a store from `bistand_store_open` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_store_free(store: *mut bistand_store) {
    if store.is_null() {
        return;
    }
    catch(|| {
        // SAFETY: non-NULL, and the caller promises it came from `Box::into_raw` in
        // `bistand_store_open` and is freed once.
        drop(unsafe { Box::from_raw(store) });
    });
}

/// Validates a document with `engine` and, if it has no error findings, stores it sealed under
/// the pseudonym of the client, as `bistand import` does.
///
/// - `client_id`, `client_id_len`: the client's personnummer or samordningsnummer (any accepted
///   spelling), or else a case number, as UTF-8 text. It is turned into a keyed pseudonym with
///   the store's pseudonym key (a number that does not parse as a personnummer is treated as a
///   case number); the id itself is never stored, returned or put in a message.
/// - `doc`, `doc_len`: the document (UTF-8 JSON, at most the engine's limit, 1 MiB). Its
///   instrument and version come from the document; its unit from `unit` (`"okand"` if none).
/// - `reference_date`: today's date, `"YYYY-MM-DD"`; it picks the century of a 10-digit number.
/// - `principal`: who stores the record, for the audit log: 1 to 128 printable ASCII characters
///   naming a user or service (never a client), NUL-terminated, as `bistand_store_report`'s
///   `"principal"`.
///
/// Every record stored is audited, as the sidecar's and `bistand import`'s are: the record and a
/// `record.create` entry (the principal with role `library`, the unit, the record's id and
/// pseudonym; never the client id or anything of the document) are written together or not at
/// all.
///
/// Returns `BISTAND_OK` with JSON in `*result_out`:
/// - `{"stored": true, "record_id": "<32 hex digits>", "report": <report>}` when stored;
/// - `{"stored": false, "report": <report>}` when the document has error findings (nothing was
///   stored; the report, as from `bistand_validate`, says why).
///
/// Fails as `bistand_validate` does for input that is not a document, with
/// `BISTAND_INVALID_ARGUMENT` for a bad date or a principal the audit log refuses (empty, too
/// long, or shaped like a personnummer or phone number; checked before anything else is),
/// `BISTAND_INVALID_IDENTIFIER` for an empty client id, `BISTAND_INVALID_UTF8` for a client id that is not UTF-8, and `BISTAND_STORE_ERROR` when
/// the database cannot be written. On success `*result_out` receives a new buffer that the
/// caller releases with `bistand_buf_free`; on failure it is left untouched. The store and the
/// engine may be used by other threads at the same time.
///
/// # Safety
/// `store` must be a store from `bistand_store_open`; `engine` an engine from
/// `bistand_engine_new`; `client_id` and `doc` NULL (only with length 0) or readable for their
/// lengths; `reference_date` and `principal` NUL-terminated strings; `result_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_store_put(
    store: *const bistand_store,
    engine: *const bistand_engine,
    client_id: *const u8,
    client_id_len: usize,
    doc: *const u8,
    doc_len: usize,
    reference_date: *const c_char,
    principal: *const c_char,
    result_out: *mut *mut bistand_buf,
) -> bistand_status {
    guarded(|| {
        // SAFETY: the caller promises a live store from `bistand_store_open`.
        let store = unsafe { reference(store, "store")? };
        // SAFETY: the caller promises a live engine from `bistand_engine_new`.
        let engine = &unsafe { reference(engine, "engine")? }.engine;
        // SAFETY: the caller promises `client_id` points to `client_id_len` readable bytes.
        let client_id = unsafe { bytes(client_id, client_id_len, "client_id", Limit::CLIENT_ID)? };
        let limit = Limit::document(engine.limits().max_bytes());
        // SAFETY: the caller promises `doc` points to `doc_len` readable bytes.
        let doc = unsafe { bytes(doc, doc_len, "doc", limit)? };
        // SAFETY: the caller promises a NUL-terminated string.
        let reference_date = unsafe { required_str(reference_date, "reference_date")? };
        // SAFETY: the caller promises a NUL-terminated string.
        let principal = unsafe { required_str(principal, "principal")? };
        let result_out = out_pointer(result_out, "result_out")?;
        let result = store::put(store, engine, client_id, doc, reference_date, principal)?;
        // SAFETY: checked non-NULL above; the caller promises it is writable.
        unsafe { result_out.write(Box::into_raw(Box::new(result))) };
        Ok(())
    })
}

/// The stored document with id `record_id` (the `record_id` `bistand_store_put` returned),
/// authenticated and decrypted: exactly the bytes that were put.
///
/// Fails with `BISTAND_INVALID_ARGUMENT` when `record_id` is not 32 lowercase hex digits,
/// `BISTAND_NOT_FOUND` when no record has that id, `BISTAND_INTEGRITY_FAILURE` when the stored
/// record was altered (it is never returned), `BISTAND_UNKNOWN_KEY` when it is sealed with a data
/// key the store was not opened with, and `BISTAND_STORE_ERROR` when the database cannot be read.
/// On success `*document_out` receives a new buffer that the caller releases with
/// `bistand_buf_free`; on failure it is left untouched. Thread-safe.
///
/// # Safety
/// `store` must be a store from `bistand_store_open`; `record_id` a NUL-terminated string;
/// `document_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_store_get(
    store: *const bistand_store,
    record_id: *const c_char,
    document_out: *mut *mut bistand_buf,
) -> bistand_status {
    guarded(|| {
        // SAFETY: the caller promises a live store from `bistand_store_open`.
        let store = unsafe { reference(store, "store")? };
        // SAFETY: the caller promises a NUL-terminated string.
        let record_id = unsafe { required_str(record_id, "record_id")? };
        let document_out = out_pointer(document_out, "document_out")?;
        let document = store::get(store, record_id)?;
        // SAFETY: checked non-NULL above; the caller promises it is writable.
        unsafe { document_out.write(Box::into_raw(Box::new(document))) };
        Ok(())
    })
}

/// The group report of `instrument` over the records in `store`: the report `bistand report
/// --db` prints and the sidecar's `GET /v1/reports/{instrument}` serves, through the same
/// function. Always perturbed under the store's statistics key (the keys the store was opened
/// with), with small counts suppressed; a store never gives exact counts. Each stored client
/// counts once (through their record with the latest start).
///
/// - `instrument`: `"sue"` or `"fia"`, NUL-terminated.
/// - `options`, `options_len`: required UTF-8 JSON, as for `bistand_report` (`"as_of"`,
///   `"threshold"`, `"breakdowns"`, `"tables"`, `"format"`, `"language"`, `"csv_dialect"`), `"principal"` (required): who
///   asks, 1 to 128 printable ASCII characters naming a user or service (never a client), for
///   the audit log, and `"units"`: an array of unit names to count (absent: every unit;
///   compared as the store compares units, so `"Söder"` and `"söder"` are one unit).
///   `"exact": true` fails with `BISTAND_INVALID_ARGUMENT`.
///
/// Audited as the sidecar and the command line audit a report: once the store has been read,
/// the store's audit log gains a `report.read` entry per unit asked for (one without a unit for
/// all units) under `principal` with role `library`, outcome `ok` or `failed`, and a failed
/// `record.read` entry per record left out because it failed authentication; never a client
/// id, pseudonym or content. The report is returned only once its entries are written.
///
/// With `"format": "json"` the output is `{"report": <report>, "records_not_counted": N}` (as
/// the sidecar's), N counting stored records that could not be read (altered, or not documents
/// of the instrument) and so were left out; with `"format": "csv"`, `"csv-long"`, `"xlsx"` or `"html"`
/// the report alone in that format.
///
/// Fails with `BISTAND_NULL_POINTER`, `BISTAND_INVALID_UTF8_ARGUMENT`,
/// `BISTAND_INVALID_ARGUMENT` (options missing or wrong, `"principal"` missing or refused,
/// `"exact": true`, a malformed unit), `BISTAND_UNKNOWN_INSTRUMENT`,
/// `BISTAND_INTEGRITY_FAILURE` (no record opens with these keys), `BISTAND_UNKNOWN_KEY` and
/// `BISTAND_STORE_ERROR` (also when the audit entry cannot be written). On success `*report_out` receives a new
/// buffer that the caller releases with `bistand_buf_free`; on failure it is left untouched.
/// Thread-safe; the call reads every record of the instrument (and units).
///
/// # Safety
/// `store` must be a store from `bistand_store_open`; `engine` an engine from
/// `bistand_engine_new`; `instrument` a NUL-terminated string; `options` NULL (only with
/// length 0) or readable for `options_len` bytes; `report_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bistand_store_report(
    store: *const bistand_store,
    engine: *const bistand_engine,
    instrument: *const c_char,
    options: *const u8,
    options_len: usize,
    report_out: *mut *mut bistand_buf,
) -> bistand_status {
    guarded(|| {
        // SAFETY: the caller promises a live store from `bistand_store_open`.
        let store = unsafe { reference(store, "store")? };
        // SAFETY: the caller promises a live engine from `bistand_engine_new`.
        let engine = &unsafe { reference(engine, "engine")? }.engine;
        // SAFETY: the caller promises a NUL-terminated string.
        let instrument = unsafe { required_str(instrument, "instrument")? };
        // SAFETY: the caller promises `options` points to `options_len` readable bytes.
        let options = unsafe { bytes(options, options_len, "options", Limit::OPTIONS)? };
        let report_out = out_pointer(report_out, "report_out")?;
        let report = store::report(store, engine, instrument, options)?;
        // SAFETY: checked non-NULL above; the caller promises it is writable.
        unsafe { report_out.write(Box::into_raw(Box::new(report))) };
        Ok(())
    })
}
/// The calls that render one instrument definition (`bistand_definition`, `_fhir`, `bistand_schema`):
/// the same arguments read the same way, `render` making the buffer written to `out`.
///
/// # Safety
/// As `bistand_definition`.
unsafe fn of_definition(
    engine: *const bistand_engine,
    instrument: *const c_char,
    version: *const c_char,
    out: *mut *mut bistand_buf,
    out_name: &str,
    render: fn(&bistand_core::Engine, &str, Option<&str>) -> Result<bistand_buf, Failure>,
) -> bistand_status {
    guarded(|| {
        // SAFETY: the caller promises a live engine from `bistand_engine_new`.
        let engine = &unsafe { reference(engine, "engine")? }.engine;
        // SAFETY: the caller promises a NUL-terminated string.
        let instrument = unsafe { required_str(instrument, "instrument")? };
        // SAFETY: the caller promises NULL or a NUL-terminated string.
        let version = unsafe { optional_str(version, "version")? };
        let out = out_pointer(out, out_name)?;
        let rendered = render(engine, instrument, version)?;
        // SAFETY: checked non-NULL above; the caller promises it is writable.
        unsafe { out.write(Box::into_raw(Box::new(rendered))) };
        Ok(())
    })
}

/// Runs one fallible call: clears this thread's last error, catches a panic, and turns the
/// outcome into a status, recording a failure for `bistand_last_error`.
fn guarded(call: impl FnOnce() -> Result<(), Failure>) -> bistand_status {
    last_error::clear();
    match outcome(call) {
        Ok(()) => bistand_status::BISTAND_OK,
        Err(failure) => {
            let status = failure.status();
            last_error::set(failure);
            status
        }
    }
}

/// Like [`guarded`], but leaves the last error alone: for the functions that report it.
fn guarded_quietly(call: impl FnOnce() -> Result<(), Failure>) -> bistand_status {
    match outcome(call) {
        Ok(()) => bistand_status::BISTAND_OK,
        Err(failure) => failure.status(),
    }
}

/// The one `catch_unwind`: a panic becomes [`Failure::panic`].
fn outcome(call: impl FnOnce() -> Result<(), Failure>) -> Result<(), Failure> {
    // AssertUnwindSafe: after a panic nothing the call touched is used again. Engines are
    // immutable, and outputs are written only at the end of a call that returned.
    panic::catch_unwind(AssertUnwindSafe(call)).unwrap_or_else(|payload| {
        discard(payload);
        Err(Failure::panic())
    })
}

/// Runs a call that returns nothing (a `_free`), swallowing a panic: it has nobody to tell.
fn catch(call: impl FnOnce()) {
    if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(call)) {
        discard(payload);
    }
}

/// Drops a panic payload; if dropping it panics too, leaks that second payload rather than let
/// it unwind into C.
fn discard(payload: Box<dyn std::any::Any + Send>) {
    if let Err(again) = panic::catch_unwind(AssertUnwindSafe(|| drop(payload))) {
        std::mem::forget(again);
    }
}

/// How many bytes an input may have, and its name in messages.
#[derive(Clone, Copy)]
struct Limit {
    max: usize,
    en: &'static str,
    sv: &'static str,
}

impl Limit {
    const PROFILE: Limit = Limit {
        max: MAX_PROFILE_BYTES,
        en: "profile",
        sv: "profilen",
    };
    const SMALL: Limit = Limit {
        max: MAX_SMALL_INPUT,
        en: "argument",
        sv: "argumentet",
    };
    const NDJSON: Limit = Limit {
        max: MAX_NDJSON,
        en: "NDJSON input",
        sv: "NDJSON-indata",
    };
    const OPTIONS: Limit = Limit {
        max: MAX_OPTIONS,
        en: "options",
        sv: "alternativen",
    };

    const KEYS: Limit = Limit {
        max: MAX_KEYS_JSON,
        en: "keys JSON",
        sv: "nyckel-JSON",
    };
    const CLIENT_ID: Limit = Limit {
        max: MAX_CLIENT_ID,
        en: "client id",
        sv: "klient-id",
    };

    fn document(max: usize) -> Limit {
        Limit {
            max,
            en: "document",
            sv: "dokumentet",
        }
    }
}

/// `len` bytes at `data` as a slice. NULL is an empty input with length 0 and a failure
/// otherwise; a length over the limit fails before any byte is touched (it is the same check
/// and message as the core's, made early so a wrong length is never turned into a slice).
///
/// # Safety
/// `data` must be NULL or readable for `len` bytes that stay unchanged for `'a`.
unsafe fn bytes<'a>(
    data: *const u8,
    len: usize,
    name: &str,
    limit: Limit,
) -> Result<&'a [u8], Failure> {
    if data.is_null() {
        return match len {
            0 => Ok(&[]),
            _ => Err(Failure::null_with_length(name, len)),
        };
    }
    if len > limit.max {
        let what = Text {
            sv: limit.sv.into(),
            en: limit.en.into(),
        };
        return Err(Failure::too_large(&what, len, limit.max));
    }
    // SAFETY: non-NULL; `len` is at most a limit far below `isize::MAX`; the caller promises
    // `len` readable bytes, unchanged for 'a.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

/// `value` as a shared reference, or a NULL-pointer failure.
///
/// # Safety
/// `value` must be NULL or point to a live `T` that outlives `'a`.
unsafe fn reference<'a, T>(value: *const T, name: &str) -> Result<&'a T, Failure> {
    // SAFETY: the caller promises NULL or a live `T`.
    unsafe { value.as_ref() }.ok_or_else(|| Failure::null(name))
}

/// A NUL-terminated UTF-8 string, NULL meaning `None`.
///
/// # Safety
/// `text` must be NULL or a NUL-terminated string that outlives `'a`.
unsafe fn optional_str<'a>(text: *const c_char, name: &str) -> Result<Option<&'a str>, Failure> {
    if text.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL, and the caller promises a NUL-terminated string.
    let text = unsafe { CStr::from_ptr(text) };
    text.to_str().map(Some).map_err(|_| Failure::not_utf8(name))
}

/// A NUL-terminated UTF-8 string that must be there.
///
/// # Safety
/// As [`optional_str`].
unsafe fn required_str<'a>(text: *const c_char, name: &str) -> Result<&'a str, Failure> {
    // SAFETY: forwarded from the caller.
    unsafe { optional_str(text, name) }?.ok_or_else(|| Failure::null(name))
}

/// An output pointer, checked for NULL; written only at the end of a successful call.
fn out_pointer<T>(out: *mut T, name: &str) -> Result<NonNull<T>, Failure> {
    NonNull::new(out).ok_or_else(|| Failure::null(name))
}

/// Copies `message` and a NUL into `out` if it fits (`out_len` 0: only reports the length).
///
/// # Safety
/// `out` must be NULL or writable for `out_len` bytes; `written_out` NULL or writable.
unsafe fn write_message(
    message: &str,
    out: *mut c_char,
    out_len: usize,
    written_out: *mut usize,
) -> Result<(), Failure> {
    let written_out = out_pointer(written_out, "written_out")?;
    if out_len > 0 {
        let out = NonNull::new(out.cast::<u8>())
            .ok_or_else(|| Failure::null_with_length("out", out_len))?;
        if message.len() >= out_len {
            return Err(Failure::new(
                bistand_status::BISTAND_BUFFER_TOO_SMALL,
                Text {
                    sv: format!(
                        "`out` har {out_len} byte; meddelandet behöver {}",
                        message.len() + 1
                    ),
                    en: format!(
                        "`out` has {out_len} bytes; the message needs {}",
                        message.len() + 1
                    ),
                },
            ));
        }
        // SAFETY: `out` is writable for `out_len` > `message.len()` bytes (the caller's
        // promise and the check above); a `&str` never overlaps a caller's output buffer.
        unsafe {
            ptr::copy_nonoverlapping(message.as_ptr(), out.as_ptr(), message.len());
            out.as_ptr().add(message.len()).write(0);
        }
    }
    // SAFETY: checked non-NULL above; the caller promises it is writable.
    unsafe { written_out.write(message.len()) };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test-only hook that proves the boundary: an exported function that panics inside
    /// [`guarded`], as a bug in the core would.
    #[unsafe(no_mangle)]
    extern "C" fn bistand_test_panic() -> bistand_status {
        guarded(|| panic!("a bug in bistand"))
    }

    #[test]
    fn a_panic_becomes_a_status_and_a_message() {
        assert_eq!(bistand_test_panic(), bistand_status::BISTAND_PANIC);
        let mut out = [0 as c_char; 256];
        let mut written = 0usize;
        // SAFETY: `out` is writable for its length and `written` for one usize.
        let status = unsafe {
            bistand_last_error(
                bistand_language::BISTAND_LANGUAGE_EN as u32,
                out.as_mut_ptr(),
                out.len(),
                &mut written,
            )
        };
        assert_eq!(status, bistand_status::BISTAND_OK);
        // SAFETY: `bistand_last_error` wrote a NUL-terminated string into `out`.
        let message = unsafe { CStr::from_ptr(out.as_ptr()) }
            .to_str()
            .expect("messages are UTF-8");
        assert_eq!(message.len(), written);
        assert!(
            message.starts_with("internal error: bistand panicked"),
            "{message}"
        );
        assert!(
            !message.contains("a bug in bistand"),
            "payload is not shown"
        );
        // The thread goes on working after the panic.
        assert_eq!(
            guarded(|| Ok(())),
            bistand_status::BISTAND_OK,
            "calls after a caught panic work"
        );
    }

    #[test]
    fn a_panic_in_free_is_swallowed() {
        catch(|| panic!("dropping failed"));
    }

    #[test]
    fn version_matches_the_package() {
        // SAFETY: `bistand_version` returns a static NUL-terminated string.
        let version = unsafe { CStr::from_ptr(bistand_version()) };
        assert_eq!(version.to_str().ok(), Some(env!("CARGO_PKG_VERSION")));
    }
}
