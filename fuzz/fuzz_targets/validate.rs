//! `bistand_validate` on arbitrary bytes, with and without an expected instrument.
#![no_main]

use std::ptr;

use bistand::bistand_validate;
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
    }
});
