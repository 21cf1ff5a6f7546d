//! `bistand_validate` on arbitrary bytes, with and without an expected instrument; and whether
//! the bytes are JSON for bistand's own reader as for serde_json: a document bistand reads has to
//! be JSON to serde_json, and one bistand calls malformed JSON must not be.
#![no_main]

use std::ptr;

use bistand::{bistand_status, bistand_validate};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    for instrument in [ptr::null(), c"fia".as_ptr()] {
        let mut out = common::sentinel();
        // SAFETY: live engine, NULL or NUL-terminated instrument, `data` readable, `out` writable.
        let status = unsafe {
            bistand_validate(
                common::engine(),
                instrument,
                data.as_ptr(),
                data.len(),
                &mut out,
            )
        };
        common::check(status, out);
        let json = serde_json::from_slice::<serde_json::Value>(data).is_ok();
        match status {
            bistand_status::BISTAND_OK => assert!(json, "bistand read what serde_json refuses"),
            bistand_status::BISTAND_MALFORMED_JSON => {
                assert!(!json, "bistand refused JSON that serde_json reads")
            }
            _ => {}
        }
    }
});
