//! `bistand-ffi`: the C ABI of bistand, built as `libbistand` (`.so`, `.a`, `.dll`) with the
//! header `include/bistand.h`.
//!
//! Hand-written `extern "C"` functions over the same `bistand-core` calls the sidecar makes, with
//! JSON documents in and out and two opaque handles: an engine (definitions and profile, shared
//! by any number of threads) and an output buffer. The conventions (rustls-ffi's):
//! - names are `bistand_<type>_<verb>`; handles come from `_new` and go to `_free`, and
//!   `_free(NULL)` does nothing;
//! - fallible functions return a [`bistand_status`] (`BISTAND_OK` is 0) and write their outputs
//!   through trailing `*_out` pointers only on success; `bistand_last_error` has the precise
//!   message of the last failure on the calling thread, in Swedish or English;
//! - a pointer to bytes is followed by its length; NULL with length 0 is an empty input;
//! - every pointer is checked for NULL, every length against its limit, every string for UTF-8;
//! - no panic reaches the caller: it becomes `BISTAND_PANIC`. All `unsafe` code and the one
//!   `catch_unwind` live in one private module (`boundary`); the rest is safe Rust.
//!
//! From Rust the functions are reachable through the `rlib`, as the tests and the benchmark use
//! them (a Rust program should use `bistand-core` directly):
//!
//! ```
//! use std::ptr;
//!
//! use bistand::*;
//!
//! let mut engine = ptr::null_mut();
//! // SAFETY: no profile (NULL, 0); `engine` is writable.
//! let status = unsafe { bistand_engine_new(ptr::null(), 0, &mut engine) };
//! assert_eq!(status, bistand_status::BISTAND_OK);
//!
//! let doc = br#"{"instrument": "fia", "version": "1", "status": "draft", "answers": {}}"#;
//! let mut report = ptr::null_mut();
//! // SAFETY: a live engine, `doc` readable for its length, `report` writable.
//! let status = unsafe { bistand_validate(engine, c"fia".as_ptr(), doc.as_ptr(), doc.len(), &mut report) };
//! assert_eq!(status, bistand_status::BISTAND_OK);
//! // SAFETY: `report` is a live buffer until it is freed below.
//! let json = unsafe { std::slice::from_raw_parts(bistand_buf_data(report), bistand_buf_len(report)) };
//! assert!(json.starts_with(br#"{"instrument":"fia","version":"1","status":"draft","valid":true"#));
//!
//! // SAFETY: each handle is freed once and not used afterwards.
//! unsafe {
//!     bistand_buf_free(report);
//!     bistand_engine_free(engine);
//! }
//! ```
#![deny(unsafe_code)]
#![deny(missing_docs)]

#[allow(unsafe_code)]
mod boundary;
mod handles;
mod last_error;
mod ops;
mod status;
mod store;

pub use boundary::{
    LanguageNumber, StatusNumber, bistand_buf_data, bistand_buf_free, bistand_buf_len,
    bistand_definition, bistand_definition_fhir, bistand_engine_free, bistand_engine_new,
    bistand_engine_new_with_definitions, bistand_last_error, bistand_pseudonymise,
    bistand_questionnaire_response_validate, bistand_report, bistand_schema,
    bistand_status_message, bistand_summary, bistand_summary_page, bistand_validate,
    bistand_version,
};
pub use boundary::{
    bistand_store_free, bistand_store_get, bistand_store_open, bistand_store_put,
    bistand_store_report,
};
pub use handles::{bistand_buf, bistand_engine};
pub use status::{bistand_language, bistand_status, map_error};
pub use store::{bistand_store, map_store_error};
