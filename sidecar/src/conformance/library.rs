//! The C library target: libbistand (or a vendor's build of it) loaded from a path with
//! `libloading`, and every case run through its exported functions exactly as a C caller runs
//! them. The sidecar's only `unsafe` code: calling into a library loaded at run time cannot be
//! checked by the compiler. Each call follows the contract of `include/bistand.h`.
#![allow(unsafe_code)]

use std::ffi::{CString, c_char, c_void};
use std::path::{Path, PathBuf};
use std::ptr;

use anyhow::{Context, Result};

use super::{Answer, Input, Target};

type Status = u32;
type EngineNew = unsafe extern "C" fn(*const u8, usize, *mut *mut c_void) -> Status;
type EngineFree = unsafe extern "C" fn(*mut c_void);
type Validate = unsafe extern "C" fn(
    *const c_void,
    *const c_char,
    *const u8,
    usize,
    *mut *mut c_void,
) -> Status;
type Summary = unsafe extern "C" fn(
    *const c_void,
    *const c_char,
    *const u8,
    usize,
    *const c_char,
    *mut *mut c_void,
) -> Status;
type Pseudonymise = unsafe extern "C" fn(
    *const c_char,
    *const u8,
    usize,
    *const u8,
    usize,
    *const c_char,
    *mut *mut c_void,
) -> Status;
type Report = unsafe extern "C" fn(
    *const c_void,
    *const c_char,
    *const u8,
    usize,
    *const u8,
    usize,
    *const u8,
    usize,
    *mut *mut c_void,
) -> Status;
type BufData = unsafe extern "C" fn(*const c_void) -> *const u8;
type BufLen = unsafe extern "C" fn(*const c_void) -> usize;
type BufFree = unsafe extern "C" fn(*mut c_void);
type LastError = unsafe extern "C" fn(u32, *mut c_char, usize, *mut usize) -> Status;

/// `BISTAND_LANGUAGE_EN`.
const ENGLISH: u32 = 1;

/// The statuses of `include/bistand.h`, by number, as error kind names: the name less its
/// `BISTAND_` prefix, in lowercase (the 2xx ones are the core's error kinds). The numbers are
/// permanent; a test checks this table against the C ABI's own.
pub const STATUS_KINDS: &[(u32, &str)] = &[
    (100, "null_pointer"),
    (101, "invalid_utf8_argument"),
    (102, "buffer_too_small"),
    (103, "invalid_argument"),
    (200, "invalid_utf8"),
    (201, "malformed_json"),
    (202, "too_large"),
    (203, "too_deep"),
    (204, "invalid_document"),
    (205, "unknown_instrument"),
    (206, "unknown_version"),
    (207, "instrument_mismatch"),
    (208, "invalid_definition"),
    (209, "invalid_profile"),
    (210, "invalid_identifier"),
    (211, "document_not_valid"),
    (212, "out_of_range"),
    (213, "unknown_key"),
    (214, "integrity_failure"),
    (215, "not_found"),
    (216, "store_error"),
    (217, "wrong_keys"),
    (299, "input_error"),
    (900, "panic"),
    (901, "internal_error"),
];

/// A call that returned a status other than `BISTAND_OK`.
#[derive(Debug)]
struct Refusal {
    status: Status,
    message: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "status {}: {}", self.status, self.message)
    }
}

impl std::error::Error for Refusal {}

/// A C library with bistand's ABI, loaded from a path.
pub struct Library {
    path: PathBuf,
    library: libloading::Library,
}

impl Library {
    /// Loads the library at `path` and checks it exports every function the cases call.
    ///
    /// # Errors
    /// When the file cannot be loaded or lacks a function.
    pub fn load(path: &Path) -> Result<Library> {
        // SAFETY: loading runs the library's initialisers; the user named this file as a
        // bistand C library to test, which is the trust loading it requires.
        let library = unsafe { libloading::Library::new(path) }
            .with_context(|| format!("cannot load {}", path.display()))?;
        let loaded = Library {
            path: path.to_owned(),
            library,
        };
        for name in [
            "bistand_engine_new",
            "bistand_engine_free",
            "bistand_validate",
            "bistand_summary",
            "bistand_pseudonymise",
            "bistand_report",
            "bistand_buf_data",
            "bistand_buf_len",
            "bistand_buf_free",
            "bistand_last_error",
        ] {
            // SAFETY: only looked up, not called; the pointer type does not matter here.
            unsafe { loaded.library.get::<*const c_void>(name.as_bytes()) }
                .with_context(|| format!("{} does not export {name}", path.display()))?;
        }
        Ok(loaded)
    }

    /// The function `name` as type `F`. The caller picks `F` as `include/bistand.h` declares it.
    fn function<F: Copy>(&self, name: &str) -> Result<F> {
        // SAFETY: `F` is the header's signature of `name` (the callers below).
        let symbol = unsafe { self.library.get::<F>(name.as_bytes()) }
            .with_context(|| format!("{} does not export {name}", self.path.display()))?;
        Ok(*symbol)
    }

    /// Turns a status into the output buffer's bytes (freed) or an error with the library's
    /// English message.
    fn finish(&self, status: Status, buf: *mut c_void) -> Result<Vec<u8>> {
        if status != 0 {
            let last_error: LastError = self.function("bistand_last_error")?;
            let mut message = vec![0u8; 1024];
            let mut written = 0usize;
            // SAFETY: `message` is writable for its length, `written` for one size_t.
            let got = unsafe {
                last_error(
                    ENGLISH,
                    message.as_mut_ptr().cast(),
                    message.len(),
                    &mut written,
                )
            };
            message.truncate(if got == 0 { written } else { 0 });
            return Err(Refusal {
                status,
                message: String::from_utf8_lossy(&message).into_owned(),
            }
            .into());
        }
        let (data, len, free): (BufData, BufLen, BufFree) = (
            self.function("bistand_buf_data")?,
            self.function("bistand_buf_len")?,
            self.function("bistand_buf_free")?,
        );
        // SAFETY: on success `buf` is a buffer from this library, read once and freed once.
        unsafe {
            let bytes = std::slice::from_raw_parts(data(buf), len(buf)).to_vec();
            free(buf);
            Ok(bytes)
        }
    }

    /// Runs `call` with a fresh engine (made with `profile`), freeing it afterwards.
    fn with_engine(
        &self,
        profile: Option<&[u8]>,
        call: impl FnOnce(*const c_void) -> Result<Vec<u8>>,
    ) -> Result<Vec<u8>> {
        let (new, free): (EngineNew, EngineFree) = (
            self.function("bistand_engine_new")?,
            self.function("bistand_engine_free")?,
        );
        let profile = profile.unwrap_or_default();
        let mut engine = ptr::null_mut();
        // SAFETY: `profile` is readable for its length, `engine` writable.
        let status = unsafe { new(profile.as_ptr(), profile.len(), &mut engine) };
        if status != 0 {
            self.finish(status, ptr::null_mut())?;
        }
        let result = call(engine.cast_const());
        // SAFETY: made above, freed once, not used afterwards.
        unsafe { free(engine) };
        result
    }
}

fn c_string(text: &str) -> Result<CString> {
    CString::new(text).context("a text argument contains a NUL byte")
}

fn c_ptr(text: Option<&CString>) -> *const c_char {
    text.map_or(ptr::null(), |t| t.as_ptr())
}

impl Target for Library {
    fn name(&self) -> String {
        format!("C library {}", self.path.display())
    }

    fn run(&self, input: &Input) -> Result<Answer> {
        match self.answer(input) {
            Ok(bytes) => Ok(Answer::Bytes(bytes)),
            Err(error) => match error.downcast::<Refusal>() {
                Ok(refusal) => Ok(Answer::Refused {
                    kind: STATUS_KINDS
                        .iter()
                        .find(|(number, _)| *number == refusal.status)
                        .map_or_else(
                            || format!("status {}", refusal.status),
                            |(_, k)| (*k).to_owned(),
                        ),
                    message: refusal.message,
                }),
                Err(error) => Err(error),
            },
        }
    }
}

impl Library {
    /// The answer's bytes, or a [`Refusal`].
    fn answer(&self, input: &Input) -> Result<Vec<u8>> {
        let mut out = ptr::null_mut();
        let bytes = match input {
            Input::Validate {
                document,
                instrument,
                profile,
            } => {
                let validate: Validate = self.function("bistand_validate")?;
                let instrument = instrument.as_deref().map(c_string).transpose()?;
                self.with_engine(profile.as_deref(), |engine| {
                    // SAFETY: a live engine, a C string or NULL, readable bytes, a writable out.
                    let status = unsafe {
                        validate(
                            engine,
                            c_ptr(instrument.as_ref()),
                            document.as_ptr(),
                            document.len(),
                            &mut out,
                        )
                    };
                    self.finish(status, out)
                })?
            }
            Input::Summary {
                document,
                instrument,
                today,
            } => {
                let summary: Summary = self.function("bistand_summary")?;
                let instrument = instrument.as_deref().map(c_string).transpose()?;
                let today = today.as_deref().map(c_string).transpose()?;
                self.with_engine(None, |engine| {
                    // SAFETY: as for validate; `today` a C string or NULL.
                    let status = unsafe {
                        summary(
                            engine,
                            c_ptr(instrument.as_ref()),
                            document.as_ptr(),
                            document.len(),
                            c_ptr(today.as_ref()),
                            &mut out,
                        )
                    };
                    self.finish(status, out)
                })?
            }
            Input::Pseudonymise {
                key_id,
                key,
                personnummer,
                reference_date,
            } => {
                let pseudonymise: Pseudonymise = self.function("bistand_pseudonymise")?;
                let (key_id, date) = (c_string(key_id)?, c_string(reference_date)?);
                // SAFETY: C strings, readable bytes for their lengths, a writable out.
                let status = unsafe {
                    pseudonymise(
                        key_id.as_ptr(),
                        key.as_ptr(),
                        key.len(),
                        personnummer.as_ptr(),
                        personnummer.len(),
                        date.as_ptr(),
                        &mut out,
                    )
                };
                self.finish(status, out)?
            }
            Input::Report {
                instrument,
                ndjson,
                keys,
                options,
            } => {
                let report: Report = self.function("bistand_report")?;
                let instrument = c_string(instrument)?;
                let keys = keys.as_deref().unwrap_or_default();
                self.with_engine(None, |engine| {
                    // SAFETY: a live engine, a C string, readable bytes, a writable out.
                    let status = unsafe {
                        report(
                            engine,
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
                    self.finish(status, out)
                })?
            }
        };
        Ok(bytes)
    }
}
