//! Helpers the tests share: calling the C ABI from Rust the way a careful C caller would, and
//! finding the fixtures.

use std::ffi::{CStr, c_char};
use std::path::{Path, PathBuf};
use std::ptr;

use bistand::{
    bistand_buf, bistand_buf_data, bistand_buf_free, bistand_buf_len, bistand_engine,
    bistand_engine_free, bistand_engine_new, bistand_language, bistand_last_error, bistand_status,
};

/// The workspace root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("ffi/ has a parent: the workspace root")
        .to_owned()
}

/// A fixture under `tests/data/fia/`.
pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let path = root().join("tests/data/fia").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The documents of a fixture folder (`valid`, `invalid`, `malformed`), by file name, without
/// the expected-result files and the profile.
pub(crate) fn documents(folder: &str) -> Vec<(String, Vec<u8>)> {
    let dir = root().join("tests/data/fia").join(folder);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            entry
                .expect("readable directory entry")
                .file_name()
                .into_string()
                .expect("fixture names are UTF-8")
        })
        .filter(|name| {
            name.ends_with(".json")
                && !name.ends_with(".expected.json")
                && name != "profile.json"
                && name != "expected.json"
        })
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let bytes = fixture(&format!("{folder}/{name}"));
            (name, bytes)
        })
        .collect()
}

/// An engine handle that frees itself.
pub(crate) struct Engine(pub(crate) *mut bistand_engine);

impl Engine {
    pub(crate) fn new() -> Engine {
        Engine::with_profile(&[])
    }

    pub(crate) fn with_profile(profile: &[u8]) -> Engine {
        let mut engine = ptr::null_mut();
        // SAFETY: `profile` is readable for its length; `engine` is writable.
        let status = unsafe { bistand_engine_new(profile.as_ptr(), profile.len(), &mut engine) };
        assert_eq!(status, bistand_status::BISTAND_OK, "{}", last_error_en());
        assert!(!engine.is_null());
        Engine(engine)
    }

    /// An engine with supplied definitions (a JSON array of definition objects).
    pub(crate) fn with_definitions(definitions: &[u8]) -> Engine {
        let mut engine = ptr::null_mut();
        // SAFETY: `definitions` is readable for its length; no profile; `engine` is writable.
        let status = unsafe {
            bistand::bistand_engine_new_with_definitions(
                definitions.as_ptr(),
                definitions.len(),
                ptr::null(),
                0,
                &mut engine,
            )
        };
        assert_eq!(status, bistand_status::BISTAND_OK, "{}", last_error_en());
        assert!(!engine.is_null());
        Engine(engine)
    }

    pub(crate) fn ptr(&self) -> *const bistand_engine {
        self.0
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // SAFETY: made by `bistand_engine_new`, freed once here.
        unsafe { bistand_engine_free(self.0) };
    }
}

// SAFETY: the engine is immutable and documented as shareable between threads.
unsafe impl Send for Engine {}
// SAFETY: as above.
unsafe impl Sync for Engine {}

/// A sentinel that a failed call must leave in its `*_out` pointer.
pub(crate) fn sentinel<T>() -> *mut T {
    ptr::dangling_mut()
}

/// Takes ownership of a buffer from a successful call: its bytes, then frees it.
pub(crate) fn take(buf: *mut bistand_buf) -> Vec<u8> {
    assert!(!buf.is_null());
    // SAFETY: a live buffer from bistand; read, then freed once.
    unsafe {
        let data = bistand_buf_data(buf);
        let len = bistand_buf_len(buf);
        assert_eq!(*data.add(len), 0, "buffers are NUL-terminated");
        let bytes = std::slice::from_raw_parts(data, len).to_vec();
        bistand_buf_free(buf);
        bytes
    }
}

/// Calls a function that makes a buffer; returns its status and, on success, the bytes. Checks
/// the output is untouched on failure.
pub(crate) fn call(
    f: impl FnOnce(*mut *mut bistand_buf) -> bistand_status,
) -> (bistand_status, Vec<u8>) {
    let mut out = sentinel::<bistand_buf>();
    let status = f(&mut out);
    if status == bistand_status::BISTAND_OK {
        (status, take(out))
    } else {
        assert_eq!(out, sentinel(), "output written on failure ({status:?})");
        (status, Vec::new())
    }
}

/// The last error on this thread in `language`.
pub(crate) fn last_error(language: bistand_language) -> String {
    let mut len = 0usize;
    // SAFETY: size query: `out` NULL with length 0; `len` writable.
    let status = unsafe { bistand_last_error(language as u32, ptr::null_mut(), 0, &mut len) };
    assert_eq!(status, bistand_status::BISTAND_OK);
    let mut out = vec![0 as c_char; len + 1];
    let mut written = 0usize;
    // SAFETY: `out` is writable for its length; `written` is writable.
    let status =
        unsafe { bistand_last_error(language as u32, out.as_mut_ptr(), out.len(), &mut written) };
    assert_eq!(status, bistand_status::BISTAND_OK);
    assert_eq!(written, len);
    // SAFETY: `bistand_last_error` wrote a NUL-terminated string into `out`.
    unsafe { CStr::from_ptr(out.as_ptr()) }
        .to_str()
        .expect("messages are UTF-8")
        .to_owned()
}

pub(crate) fn last_error_en() -> String {
    last_error(bistand_language::BISTAND_LANGUAGE_EN)
}

pub(crate) fn last_error_sv() -> String {
    last_error(bistand_language::BISTAND_LANGUAGE_SV)
}

/// Asserts a failure with `status` (the message in the panic when it is another) and a message
/// in both languages.
#[track_caller]
pub(crate) fn fails(got: bistand_status, status: bistand_status) {
    assert_eq!(got, status, "{}", last_error_en());
    assert!(
        !last_error_en().is_empty(),
        "English message for {status:?}"
    );
    assert!(
        !last_error_sv().is_empty(),
        "Swedish message for {status:?}"
    );
}

/// The SUE report fixture: 400 NDJSON records (`tests/data/sue/report/records.ndjson`).
pub(crate) fn sue_records() -> Vec<u8> {
    let path = root().join("tests/data/sue/report/records.ndjson");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `bistand_report` through the C ABI without keys: status and, on success, the output.
pub(crate) fn report(
    engine: &Engine,
    instrument: &CStr,
    ndjson: &[u8],
    options: &[u8],
) -> (bistand_status, Vec<u8>) {
    report_keyed(engine, instrument, ndjson, &[], options)
}

/// `bistand_report` through the C ABI with `keys` (empty: none): status and the output.
pub(crate) fn report_keyed(
    engine: &Engine,
    instrument: &CStr,
    ndjson: &[u8],
    keys: &[u8],
    options: &[u8],
) -> (bistand_status, Vec<u8>) {
    // SAFETY: live engine, NUL-terminated instrument, readable inputs, writable out.
    call(|out| unsafe {
        bistand::bistand_report(
            engine.ptr(),
            instrument.as_ptr(),
            ndjson.as_ptr(),
            ndjson.len(),
            keys.as_ptr(),
            keys.len(),
            options.as_ptr(),
            options.len(),
            out,
        )
    })
}
