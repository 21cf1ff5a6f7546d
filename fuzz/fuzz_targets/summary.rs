//! `bistand_summary` on arbitrary bytes as the document; the input's length picks `today` (NULL,
//! a date, an early date, or not a date), so every byte stays part of the document and the JSON
//! seeds stay whole.
#![no_main]

use std::ptr;

use bistand::bistand_summary;
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let doc = data;
    let today = match doc.len() % 4 {
        0 => ptr::null(),
        1 => c"2026-11-24".as_ptr(),
        2 => c"1900-01-01".as_ptr(),
        _ => c"24/11/2026".as_ptr(),
    };
    let mut out = common::sentinel();
    // SAFETY: live engine, NUL-terminated or NULL strings, `doc` readable, `out` writable.
    let status = unsafe {
        bistand_summary(
            common::engine(),
            ptr::null(),
            doc.as_ptr(),
            doc.len(),
            today,
            &mut out,
        )
    };
    common::check(status, out);
});
