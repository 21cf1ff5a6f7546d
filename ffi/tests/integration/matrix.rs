//! The bad-input matrix: every pointer argument NULL, zero and huge lengths, truncated and
//! invalid-UTF-8 input, wrong instrument names, NULL and too-small message buffers, `_free(NULL)`.
//! Each bad call must return its status, leave its output untouched, and leave a message.

use std::ffi::{CStr, c_char};
use std::ptr;

use bistand::{
    bistand_buf, bistand_buf_data, bistand_buf_free, bistand_buf_len, bistand_definition,
    bistand_engine, bistand_engine_free, bistand_engine_new, bistand_language, bistand_last_error,
    bistand_pseudonymise, bistand_report, bistand_schema, bistand_status, bistand_status_message,
    bistand_summary, bistand_validate,
};

use crate::support::{
    Engine, call, fails, fixture, last_error_en, last_error_sv, report, sentinel, sue_records,
};

use bistand_status::*;

/// Lengths no caller could have meant; none of them may be turned into a slice.
const HUGE: [usize; 4] = [usize::MAX, isize::MAX as usize, 1 << 40, 1024 * 1024 + 1];

const SECRET: [u8; 32] = [7; 32];

struct Args<'a> {
    engine: *const bistand_engine,
    instrument: *const c_char,
    doc: *const u8,
    doc_len: usize,
    today: *const c_char,
    version: *const c_char,
    _doc: &'a [u8],
}

impl<'a> Args<'a> {
    fn new(engine: &Engine, doc: &'a [u8]) -> Args<'a> {
        Args {
            engine: engine.ptr(),
            instrument: c"fia".as_ptr(),
            doc: doc.as_ptr(),
            doc_len: doc.len(),
            today: c"2026-11-24".as_ptr(),
            version: c"1".as_ptr(),
            _doc: doc,
        }
    }

    fn validate(&self) -> bistand_status {
        // SAFETY: each pointer is NULL, a live engine, a NUL-terminated string or readable for
        // its length; lengths that are not are refused before use (that is what is tested).
        call(|out| unsafe {
            bistand_validate(self.engine, self.instrument, self.doc, self.doc_len, out)
        })
        .0
    }

    fn summary(&self) -> bistand_status {
        // SAFETY: as for `validate`.
        call(|out| unsafe {
            bistand_summary(
                self.engine,
                self.instrument,
                self.doc,
                self.doc_len,
                self.today,
                out,
            )
        })
        .0
    }

    fn definition(&self) -> bistand_status {
        // SAFETY: as for `validate`.
        call(|out| unsafe { bistand_definition(self.engine, self.instrument, self.version, out) }).0
    }

    fn schema(&self) -> bistand_status {
        // SAFETY: as for `validate`.
        call(|out| unsafe { bistand_schema(self.engine, self.instrument, self.version, out) }).0
    }
}

#[test]
fn null_engine() {
    let engine = Engine::new();
    let doc = fixture("valid/complete.json");
    let mut args = Args::new(&engine, &doc);
    args.engine = ptr::null();
    fails(args.validate(), BISTAND_NULL_POINTER);
    assert!(last_error_en().contains("`engine`"), "{}", last_error_en());
    fails(args.summary(), BISTAND_NULL_POINTER);
    fails(args.definition(), BISTAND_NULL_POINTER);
    fails(args.schema(), BISTAND_NULL_POINTER);
}

#[test]
fn null_instrument_is_any_for_documents_and_an_error_for_definitions() {
    let engine = Engine::new();
    let doc = fixture("valid/complete.json");
    let mut args = Args::new(&engine, &doc);
    args.instrument = ptr::null();
    assert_eq!(args.validate(), BISTAND_OK);
    assert_eq!(args.summary(), BISTAND_OK);
    fails(args.definition(), BISTAND_NULL_POINTER);
    assert!(last_error_en().contains("`instrument`"));
    fails(args.schema(), BISTAND_NULL_POINTER);
}

#[test]
fn null_version_and_today_are_defaults() {
    let engine = Engine::new();
    let doc = fixture("valid/complete.json");
    let mut args = Args::new(&engine, &doc);
    args.version = ptr::null();
    args.today = ptr::null();
    assert_eq!(args.summary(), BISTAND_OK);
    assert_eq!(args.definition(), BISTAND_OK);
    assert_eq!(args.schema(), BISTAND_OK);
}

#[test]
fn null_document() {
    let engine = Engine::new();
    let mut args = Args::new(&engine, b"");
    args.doc = ptr::null();
    args.doc_len = 0;
    // NULL with length 0 is an empty input: not JSON.
    fails(args.validate(), BISTAND_MALFORMED_JSON);
    fails(args.summary(), BISTAND_MALFORMED_JSON);
    for len in [1, 17, usize::MAX] {
        args.doc_len = len;
        fails(args.validate(), BISTAND_NULL_POINTER);
        assert!(
            last_error_en().contains("`doc` is NULL but its length is"),
            "{}",
            last_error_en()
        );
        fails(args.summary(), BISTAND_NULL_POINTER);
    }
}

#[test]
fn null_outputs() {
    let engine = Engine::new();
    let doc = fixture("valid/complete.json");
    // SAFETY: valid inputs; the NULL output is what is tested.
    unsafe {
        fails(
            bistand_validate(
                engine.ptr(),
                ptr::null(),
                doc.as_ptr(),
                doc.len(),
                ptr::null_mut(),
            ),
            BISTAND_NULL_POINTER,
        );
        assert!(last_error_en().contains("`report_out`"));
        fails(
            bistand_summary(
                engine.ptr(),
                ptr::null(),
                doc.as_ptr(),
                doc.len(),
                ptr::null(),
                ptr::null_mut(),
            ),
            BISTAND_NULL_POINTER,
        );
        fails(
            bistand_definition(engine.ptr(), c"fia".as_ptr(), ptr::null(), ptr::null_mut()),
            BISTAND_NULL_POINTER,
        );
        fails(
            bistand_schema(engine.ptr(), c"fia".as_ptr(), ptr::null(), ptr::null_mut()),
            BISTAND_NULL_POINTER,
        );
        fails(
            bistand_engine_new(ptr::null(), 0, ptr::null_mut()),
            BISTAND_NULL_POINTER,
        );
        assert!(last_error_en().contains("`engine_out`"));
        fails(
            bistand_pseudonymise(
                c"k".as_ptr(),
                SECRET.as_ptr(),
                SECRET.len(),
                b"811218-9876".as_ptr(),
                11,
                c"2026-06-01".as_ptr(),
                ptr::null_mut(),
            ),
            BISTAND_NULL_POINTER,
        );
    }
}

#[test]
fn zero_and_huge_document_lengths() {
    let engine = Engine::new();
    let doc = fixture("valid/complete.json");
    let mut args = Args::new(&engine, &doc);
    args.doc_len = 0;
    fails(args.validate(), BISTAND_MALFORMED_JSON);
    for len in HUGE {
        args.doc_len = len;
        fails(args.validate(), BISTAND_TOO_LARGE);
        assert!(
            last_error_en().starts_with(&format!("document is {len} bytes; the limit is")),
            "{}",
            last_error_en()
        );
        assert!(
            last_error_sv().starts_with(&format!("dokumentet är {len} byte")),
            "{}",
            last_error_sv()
        );
        fails(args.summary(), BISTAND_TOO_LARGE);
    }
}

#[test]
fn at_the_size_limit_the_core_decides() {
    let engine = Engine::new();
    // One byte over the limit is refused at the boundary; at the limit the core parses it.
    let mut doc = fixture("valid/complete.json");
    doc.resize(1024 * 1024, b' ');
    let args = Args::new(&engine, &doc);
    assert_eq!(args.validate(), BISTAND_OK);
    doc.push(b' ');
    let args = Args::new(&engine, &doc);
    fails(args.validate(), BISTAND_TOO_LARGE);
}

#[test]
fn truncated_documents() {
    let engine = Engine::new();
    let doc = fixture("valid/complete.json");
    let end = doc.iter().rposition(|b| *b == b'}').expect("a JSON object");
    for len in 0..end {
        let args = Args::new(&engine, &doc[..len]);
        let status = args.validate();
        assert_ne!(
            status, BISTAND_OK,
            "a strict prefix of a JSON object is not a document ({len})"
        );
        assert!(
            matches!(status, BISTAND_MALFORMED_JSON | BISTAND_INVALID_UTF8),
            "{len}: {status:?}"
        );
        assert!(!last_error_en().is_empty());
        assert_eq!(args.summary(), status);
    }
}

#[test]
fn invalid_utf8() {
    let engine = Engine::new();
    let doc = fixture("valid/complete.json");
    // In the document: an input error.
    let mut broken = doc.clone();
    let at = broken.iter().position(|b| *b == b'i').expect("has an i");
    broken[at] = 0xC3; // a lead byte with no continuation
    let args = Args::new(&engine, &broken);
    fails(args.validate(), BISTAND_INVALID_UTF8);
    fails(args.summary(), BISTAND_INVALID_UTF8);
    fails(
        Args::new(&engine, &fixture("malformed/invalid_utf8.json")).validate(),
        BISTAND_INVALID_UTF8,
    );

    // In a C string argument: a caller error naming the argument.
    let bad = c"fi\xffa";
    let mut args = Args::new(&engine, &doc);
    args.instrument = bad.as_ptr();
    fails(args.validate(), BISTAND_INVALID_UTF8_ARGUMENT);
    assert!(last_error_en().contains("`instrument`"));
    fails(args.summary(), BISTAND_INVALID_UTF8_ARGUMENT);
    fails(args.definition(), BISTAND_INVALID_UTF8_ARGUMENT);
    fails(args.schema(), BISTAND_INVALID_UTF8_ARGUMENT);
    let mut args = Args::new(&engine, &doc);
    args.version = bad.as_ptr();
    fails(args.definition(), BISTAND_INVALID_UTF8_ARGUMENT);
    assert!(last_error_en().contains("`version`"));
    args.today = bad.as_ptr();
    fails(args.summary(), BISTAND_INVALID_UTF8_ARGUMENT);
    assert!(last_error_en().contains("`today`"));

    // In a profile: an input error.
    let mut engine_out = sentinel::<bistand_engine>();
    // SAFETY: readable profile, writable output.
    fails(
        unsafe {
            bistand_engine_new(
                b"{\"organisation\": \"\xff\"}".as_ptr(),
                22,
                &mut engine_out,
            )
        },
        BISTAND_INVALID_UTF8,
    );
    assert_eq!(engine_out, sentinel());
}

#[test]
fn wrong_instrument_names() {
    let engine = Engine::new();
    let doc = fixture("valid/complete.json");
    for name in [c"", c"FIA", c"asi", c"fia ", c"191212121212"] {
        let mut args = Args::new(&engine, &doc);
        args.instrument = name.as_ptr();
        let status = args.validate();
        assert!(
            matches!(
                status,
                BISTAND_INSTRUMENT_MISMATCH | BISTAND_UNKNOWN_INSTRUMENT
            ),
            "{name:?}: {status:?}"
        );
        fails(args.definition(), BISTAND_UNKNOWN_INSTRUMENT);
        assert!(
            !last_error_en().contains("191212121212"),
            "never echoes: {}",
            last_error_en()
        );
        fails(args.schema(), BISTAND_UNKNOWN_INSTRUMENT);
    }
    let mut args = Args::new(&engine, &doc);
    for version in [c"", c"0", c"3", c"1.0"] {
        args.version = version.as_ptr();
        fails(args.definition(), BISTAND_UNKNOWN_VERSION);
    }
}

#[test]
fn bad_today() {
    let engine = Engine::new();
    let doc = fixture("valid/complete.json");
    let mut args = Args::new(&engine, &doc);
    for today in [c"", c"2026-13-01", c"2026-11-24T00:00:00", c"tomorrow"] {
        args.today = today.as_ptr();
        fails(args.summary(), BISTAND_INVALID_ARGUMENT);
    }
}

#[test]
fn profile_lengths_and_nulls() {
    let mut engine = sentinel::<bistand_engine>();
    // SAFETY: NULL with a length (refused), writable output.
    fails(
        unsafe { bistand_engine_new(ptr::null(), 5, &mut engine) },
        BISTAND_NULL_POINTER,
    );
    assert_eq!(engine, sentinel());
    let profile = fixture("invalid/profile.json");
    for len in HUGE.into_iter().chain([256 * 1024 + 1]) {
        // SAFETY: a length over the limit is refused before use.
        fails(
            unsafe { bistand_engine_new(profile.as_ptr(), len, &mut engine) },
            BISTAND_TOO_LARGE,
        );
        assert!(
            last_error_en().starts_with("profile is"),
            "{}",
            last_error_en()
        );
        assert_eq!(engine, sentinel());
    }
    // A non-NULL pointer with length 0 is an empty profile: none.
    let mut engine = ptr::null_mut();
    // SAFETY: readable for 0 bytes, writable output.
    assert_eq!(
        unsafe { bistand_engine_new(profile.as_ptr(), 0, &mut engine) },
        BISTAND_OK
    );
    // SAFETY: made above, freed once.
    unsafe { bistand_engine_free(engine) };
}

fn pseudonymise(
    key_id: *const c_char,
    key: *const u8,
    key_len: usize,
    number: *const u8,
    number_len: usize,
    date: *const c_char,
) -> bistand_status {
    // SAFETY: pointers are NULL, NUL-terminated or readable for their lengths; lengths that are
    // not are refused before use (that is what is tested).
    call(|out| unsafe { bistand_pseudonymise(key_id, key, key_len, number, number_len, date, out) })
        .0
}

#[test]
fn pseudonymise_matrix() {
    let number = b"811218-9876";
    let ok = |status| assert_eq!(status, BISTAND_OK, "{}", last_error_en());
    let id = c"k1".as_ptr();
    let date = c"2026-06-01".as_ptr();
    ok(pseudonymise(
        id,
        SECRET.as_ptr(),
        32,
        number.as_ptr(),
        11,
        date,
    ));

    fails(
        pseudonymise(ptr::null(), SECRET.as_ptr(), 32, number.as_ptr(), 11, date),
        BISTAND_NULL_POINTER,
    );
    assert!(last_error_en().contains("`key_id`"));
    fails(
        pseudonymise(id, ptr::null(), 32, number.as_ptr(), 11, date),
        BISTAND_NULL_POINTER,
    );
    fails(
        pseudonymise(id, ptr::null(), 0, number.as_ptr(), 11, date),
        BISTAND_INVALID_IDENTIFIER,
    );
    fails(
        pseudonymise(id, SECRET.as_ptr(), 32, ptr::null(), 11, date),
        BISTAND_NULL_POINTER,
    );
    fails(
        pseudonymise(id, SECRET.as_ptr(), 32, ptr::null(), 0, date),
        BISTAND_INVALID_IDENTIFIER,
    );
    fails(
        pseudonymise(id, SECRET.as_ptr(), 32, number.as_ptr(), 0, date),
        BISTAND_INVALID_IDENTIFIER,
    );
    fails(
        pseudonymise(id, SECRET.as_ptr(), 32, number.as_ptr(), 11, ptr::null()),
        BISTAND_NULL_POINTER,
    );
    assert!(last_error_en().contains("`reference_date`"));
    for len in HUGE {
        fails(
            pseudonymise(id, SECRET.as_ptr(), len, number.as_ptr(), 11, date),
            BISTAND_TOO_LARGE,
        );
        fails(
            pseudonymise(id, SECRET.as_ptr(), 32, number.as_ptr(), len, date),
            BISTAND_TOO_LARGE,
        );
    }
    fails(
        pseudonymise(
            c"k\xff".as_ptr(),
            SECRET.as_ptr(),
            32,
            number.as_ptr(),
            11,
            date,
        ),
        BISTAND_INVALID_UTF8_ARGUMENT,
    );
    fails(
        pseudonymise(
            id,
            SECRET.as_ptr(),
            32,
            number.as_ptr(),
            11,
            c"\xff".as_ptr(),
        ),
        BISTAND_INVALID_UTF8_ARGUMENT,
    );
    fails(
        pseudonymise(id, SECRET.as_ptr(), 32, number.as_ptr(), 6, date),
        BISTAND_INVALID_IDENTIFIER,
    );
    fails(
        pseudonymise(c"".as_ptr(), SECRET.as_ptr(), 32, number.as_ptr(), 11, date),
        BISTAND_INVALID_IDENTIFIER,
    );
    // Born after the reference date.
    let long = b"19811218-9876";
    fails(
        pseudonymise(
            id,
            SECRET.as_ptr(),
            32,
            long.as_ptr(),
            13,
            c"1980-01-01".as_ptr(),
        ),
        BISTAND_INVALID_IDENTIFIER,
    );
}

/// Calls a message function with an `out` buffer pre-filled with 0xAA and returns the status,
/// the written length (usize::MAX if untouched) and the buffer.
fn message(
    f: unsafe extern "C" fn(u32, *mut c_char, usize, *mut usize) -> bistand_status,
    arg: u32,
    out_len: usize,
    out_null: bool,
) -> (bistand_status, usize, Vec<c_char>) {
    let mut out = vec![0xAAu8 as c_char; out_len.max(1)];
    let out_ptr = if out_null {
        ptr::null_mut()
    } else {
        out.as_mut_ptr()
    };
    let mut written = usize::MAX;
    // SAFETY: `out` is NULL or writable for `out_len` bytes; `written` is writable.
    let status = unsafe { f(arg, out_ptr, out_len, &mut written) };
    (status, written, out)
}

#[test]
fn status_message_buffers() {
    let text = BISTAND_MALFORMED_JSON.message();
    let code = BISTAND_MALFORMED_JSON as u32;
    let untouched = |out: &[c_char]| out.iter().all(|c| *c as u8 == 0xAA);

    // Size query: out_len 0, out NULL or not.
    for out_null in [true, false] {
        let (status, written, out) = message(bistand_status_message, code, 0, out_null);
        assert_eq!((status, written), (BISTAND_OK, text.len()));
        assert!(untouched(&out));
    }
    // NULL out with a length.
    let (status, written, _) = message(bistand_status_message, code, 64, true);
    assert_eq!((status, written), (BISTAND_NULL_POINTER, usize::MAX));
    // Too small: every length up to and including the message without its NUL.
    for len in 1..=text.len() {
        let (status, written, out) = message(bistand_status_message, code, len, false);
        assert_eq!(
            (status, written),
            (BISTAND_BUFFER_TOO_SMALL, usize::MAX),
            "{len}"
        );
        assert!(
            untouched(&out),
            "nothing written into a too-small buffer ({len})"
        );
    }
    // Exactly enough.
    let (status, written, out) = message(bistand_status_message, code, text.len() + 1, false);
    assert_eq!((status, written), (BISTAND_OK, text.len()));
    // SAFETY: NUL-terminated by the call.
    assert_eq!(
        unsafe { CStr::from_ptr(out.as_ptr()) }.to_bytes(),
        text.as_bytes()
    );
    // NULL written_out.
    let mut out = [0 as c_char; 128];
    // SAFETY: `out` writable; NULL `written_out` is what is tested.
    let status =
        unsafe { bistand_status_message(code, out.as_mut_ptr(), out.len(), ptr::null_mut()) };
    assert_eq!(status, BISTAND_NULL_POINTER);
    // Numbers that are no status.
    for number in [1, 99, 104, 218, 298, 300, 902, 1000, u32::MAX] {
        let (status, written, out) = message(bistand_status_message, number, 128, false);
        assert_eq!(
            (status, written),
            (BISTAND_INVALID_ARGUMENT, usize::MAX),
            "{number}"
        );
        assert!(untouched(&out));
    }
}

#[test]
fn last_error_buffers_and_the_message_functions_keep_it() {
    let engine = Engine::new();
    let args = Args::new(&engine, b"{\"instrument\": }");
    assert_eq!(args.validate(), BISTAND_MALFORMED_JSON);
    let expected = last_error_en();
    assert!(expected.contains("line 1"), "{expected}");
    let en = bistand_language::BISTAND_LANGUAGE_EN as u32;

    let (status, written, _) = message(bistand_last_error, en, 0, true);
    assert_eq!((status, written), (BISTAND_OK, expected.len()));
    let (status, _, out) = message(bistand_last_error, en, 3, false);
    assert_eq!(status, BISTAND_BUFFER_TOO_SMALL);
    assert!(out.iter().all(|c| *c as u8 == 0xAA));
    let (status, _, _) = message(bistand_last_error, en, 16, true);
    assert_eq!(status, BISTAND_NULL_POINTER);
    for language in [2, 7, u32::MAX] {
        let (status, _, _) = message(bistand_last_error, language, 256, false);
        assert_eq!(status, BISTAND_INVALID_ARGUMENT);
    }
    let (status, _, _) = message(bistand_status_message, 12345, 256, false);
    assert_eq!(status, BISTAND_INVALID_ARGUMENT);
    let mut out = [0 as c_char; 8];
    // SAFETY: `out` writable; NULL `written_out` is what is tested.
    let status = unsafe { bistand_last_error(en, out.as_mut_ptr(), out.len(), ptr::null_mut()) };
    assert_eq!(status, BISTAND_NULL_POINTER);
    assert_eq!(
        last_error_en(),
        expected,
        "failed message calls keep the last error"
    );
}

#[test]
fn free_null_and_null_buffers() {
    // SAFETY: NULL is documented as a no-op / an empty answer.
    unsafe {
        bistand_engine_free(ptr::null_mut());
        bistand_buf_free(ptr::null_mut());
        assert!(bistand_buf_data(ptr::null::<bistand_buf>()).is_null());
        assert_eq!(bistand_buf_len(ptr::null::<bistand_buf>()), 0);
    }
}

#[test]
fn every_failure_is_a_known_status() {
    // The statuses seen above are all in the published list; a sweep over the fixtures too.
    let engine = Engine::new();
    for folder in ["valid", "invalid", "malformed"] {
        for (name, doc) in crate::support::documents(folder) {
            let status = Args::new(&engine, &doc).summary();
            assert!(bistand_status::from_u32(status as u32).is_some(), "{name}");
            if status != BISTAND_OK {
                assert!(!last_error_en().is_empty(), "{name}");
            }
        }
    }
}

/// `bistand_report` with raw pointers, as a careless C caller might pass them.
fn report_raw(
    engine: *const bistand_engine,
    instrument: *const c_char,
    ndjson: *const u8,
    ndjson_len: usize,
    options: *const u8,
    options_len: usize,
) -> bistand_status {
    // SAFETY: pointers are NULL, a live engine, NUL-terminated or readable for their lengths;
    // lengths that are not are refused before use (that is what is tested).
    call(|out| unsafe {
        bistand_report(
            engine,
            instrument,
            ndjson,
            ndjson_len,
            ptr::null(),
            0,
            options,
            options_len,
            out,
        )
    })
    .0
}

/// Exact counts without keys: the data owner's report of their own documents.
const AS_OF: &[u8] = br#"{"as_of": "2026-11-24", "exact": true}"#;

#[test]
fn report_nulls_and_lengths() {
    let engine = Engine::new();
    let records = sue_records();
    let (sue, ndjson, options) = (c"sue".as_ptr(), records.as_ptr(), AS_OF.as_ptr());
    let ok = |status| assert_eq!(status, BISTAND_OK, "{}", last_error_en());
    ok(report_raw(
        engine.ptr(),
        sue,
        ndjson,
        records.len(),
        options,
        AS_OF.len(),
    ));

    fails(
        report_raw(
            ptr::null(),
            sue,
            ndjson,
            records.len(),
            options,
            AS_OF.len(),
        ),
        BISTAND_NULL_POINTER,
    );
    assert!(last_error_en().contains("`engine`"));
    fails(
        report_raw(
            engine.ptr(),
            ptr::null(),
            ndjson,
            records.len(),
            options,
            AS_OF.len(),
        ),
        BISTAND_NULL_POINTER,
    );
    assert!(last_error_en().contains("`instrument`"));
    // NULL NDJSON with length 0: no documents, an empty report.
    ok(report_raw(
        engine.ptr(),
        sue,
        ptr::null(),
        0,
        options,
        AS_OF.len(),
    ));
    fails(
        report_raw(engine.ptr(), sue, ptr::null(), 5, options, AS_OF.len()),
        BISTAND_NULL_POINTER,
    );
    assert!(
        last_error_en().contains("`ndjson` is NULL but its length is 5"),
        "{}",
        last_error_en()
    );
    // NULL options: they are required (as_of).
    fails(
        report_raw(engine.ptr(), sue, ndjson, records.len(), ptr::null(), 0),
        BISTAND_INVALID_ARGUMENT,
    );
    assert!(last_error_en().contains("as_of"), "{}", last_error_en());
    fails(
        report_raw(engine.ptr(), sue, ndjson, records.len(), ptr::null(), 3),
        BISTAND_NULL_POINTER,
    );
    // SAFETY: valid inputs; the NULL output is what is tested.
    fails(
        unsafe {
            bistand_report(
                engine.ptr(),
                sue,
                ndjson,
                records.len(),
                ptr::null(),
                0,
                options,
                AS_OF.len(),
                ptr::null_mut(),
            )
        },
        BISTAND_NULL_POINTER,
    );
    assert!(last_error_en().contains("`report_out`"));

    // Keys: NULL with a length, and a length over the keys limit, refused before use.
    let keyed = |keys: *const u8, keys_len: usize| {
        // SAFETY: valid inputs but the keys, which are refused before they are read.
        call(|out| unsafe {
            bistand_report(
                engine.ptr(),
                sue,
                ndjson,
                records.len(),
                keys,
                keys_len,
                options,
                AS_OF.len(),
                out,
            )
        })
        .0
    };
    fails(keyed(ptr::null(), 7), BISTAND_NULL_POINTER);
    assert!(
        last_error_en().contains("`keys_json`"),
        "{}",
        last_error_en()
    );
    for len in [usize::MAX, 64 * 1024 + 1] {
        fails(keyed(ndjson, len), BISTAND_TOO_LARGE);
    }

    // Lengths over the limits are refused before a byte is read.
    for len in [
        usize::MAX,
        isize::MAX as usize,
        1 << 40,
        256 * 1024 * 1024 + 1,
    ] {
        fails(
            report_raw(engine.ptr(), sue, ndjson, len, options, AS_OF.len()),
            BISTAND_TOO_LARGE,
        );
        assert!(
            last_error_en().starts_with(&format!("NDJSON input is {len} bytes; the limit is")),
            "{}",
            last_error_en()
        );
    }
    for len in [usize::MAX, 64 * 1024 + 1] {
        fails(
            report_raw(engine.ptr(), sue, ndjson, records.len(), options, len),
            BISTAND_TOO_LARGE,
        );
        assert!(
            last_error_en().starts_with("options is"),
            "{}",
            last_error_en()
        );
    }
}

#[test]
fn report_bad_options() {
    let engine = Engine::new();
    let records = sue_records();
    let bad: &[(&[u8], &str)] = &[
        (b"", "`options` is required"),
        (
            b"   ",
            "`options` is not well-formed JSON (line 1 column 3)",
        ),
        (b"{\"as_of\": ", "`options` is not well-formed JSON"),
        (b"[\"2026-11-24\"]", "`options` must be a JSON object"),
        (b"{}", "`options.as_of` is missing"),
        (
            br#"{"as_of": "2026-11-24", "191212121212": 1}"#,
            "`options` has an unknown key; the keys are as_of, threshold, breakdowns, tables, exact, format, language",
        ),
        (br#"{"as_of": "2026-11-24", "treshold": 5}"#, "unknown key"),
        (
            br#"{"as_of": 20261124}"#,
            "`options.as_of` must be a string",
        ),
        (
            br#"{"as_of": "2026-11-31"}"#,
            "`options.as_of` is not a date",
        ),
        (
            br#"{"as_of": "24/11/2026"}"#,
            "`options.as_of` is not a date",
        ),
        (br#"{"as_of": "2026-11-24", "threshold": 4}"#, "at least 5"),
        (br#"{"as_of": "2026-11-24", "threshold": -5}"#, "at least 5"),
        (
            br#"{"as_of": "2026-11-24", "threshold": 5.5}"#,
            "at least 5",
        ),
        (
            br#"{"as_of": "2026-11-24", "threshold": "10"}"#,
            "at least 5",
        ),
        (
            br#"{"as_of": "2026-11-24", "breakdowns": ["kommun"]}"#,
            "`options.breakdowns` has an unknown breakdown",
        ),
        (
            br#"{"as_of": "2026-11-24", "breakdowns": [1]}"#,
            "`options.breakdowns` has an unknown breakdown",
        ),
        (
            br#"{"as_of": "2026-11-24", "breakdowns": "gender"}"#,
            "`options.breakdowns` must be an array",
        ),
        (
            br#"{"as_of": "2026-11-24", "format": "xml"}"#,
            "`options.format` must be",
        ),
        (
            br#"{"as_of": "2026-11-24", "format": null}"#,
            "`options.format` must be",
        ),
        (
            br#"{"as_of": "2026-11-24", "language": "de"}"#,
            "`options.language` must be",
        ),
        (
            br#"{"as_of": "2026-11-24", "exact": "yes"}"#,
            "`options.exact` must be true or false",
        ),
    ];
    for (options, message) in bad {
        let shown = String::from_utf8_lossy(options);
        let (status, _) = report(&engine, c"sue", &records, options);
        assert_eq!(status, BISTAND_INVALID_ARGUMENT, "{shown}");
        let (en, sv) = (last_error_en(), last_error_sv());
        assert!(en.contains(message), "{shown}: {en}");
        assert!(!sv.is_empty() && sv != en, "{shown}: {sv}");
        for secret in ["191212121212", "kommun", "treshold", "xml", "24/11/2026"] {
            assert!(!en.contains(secret) && !sv.contains(secret), "echoes: {en}");
        }
    }
    // Not UTF-8: a caller error naming the argument.
    let (status, _) = report(
        &engine,
        c"sue",
        &records,
        b"{\"as_of\": \"2026-11-24\xff\"}",
    );
    fails(status, BISTAND_INVALID_UTF8_ARGUMENT);
    assert!(last_error_en().contains("`options`"));
}

#[test]
fn report_invalid_utf8_and_wrong_instruments() {
    let engine = Engine::new();
    let records = sue_records();
    fails(
        report(&engine, c"s\xffue", &records, AS_OF).0,
        BISTAND_INVALID_UTF8_ARGUMENT,
    );
    assert!(last_error_en().contains("`instrument`"));
    for name in [c"", c"SUE", c"asi", c"sue ", c"191212121212"] {
        fails(
            report(&engine, name, &records, AS_OF).0,
            BISTAND_UNKNOWN_INSTRUMENT,
        );
        assert!(
            !last_error_en().contains("191212121212"),
            "never echoes: {}",
            last_error_en()
        );
    }
    // Invalid UTF-8 in the NDJSON is an unreadable line, not a failure.
    let mut broken = records.clone();
    let at = broken.iter().position(|b| *b == b'i').expect("has an i");
    broken[at] = 0xC3;
    let (status, output) = report(&engine, c"sue", &broken, AS_OF);
    assert_eq!(status, BISTAND_OK, "{}", last_error_en());
    let output: serde_json::Value = serde_json::from_slice(&output).expect("JSON");
    assert_eq!(output["unreadable_lines"], 1);
    assert_eq!(output["report"]["records"], 399);
    // SUE records asked for as FIA: every line is another instrument's, none is counted.
    let (status, output) = report(&engine, c"fia", &records, AS_OF);
    assert_eq!(status, BISTAND_OK, "{}", last_error_en());
    let output: serde_json::Value = serde_json::from_slice(&output).expect("JSON");
    assert_eq!(output["unreadable_lines"], 400);
    assert_eq!(output["report"]["records"], 0);
    assert_eq!(output["report"]["instrument"], "fia");
}
