//! `bistand_engine_new` on arbitrary profile bytes; an engine that loads must then validate.
#![no_main]

use std::ptr;

use bistand::{bistand_engine_free, bistand_engine_new, bistand_status, bistand_validate};
use libfuzzer_sys::fuzz_target;

mod common;

const DOCUMENT: &[u8] = include_bytes!("../../tests/data/fia/valid/complete.json");

fuzz_target!(|data: &[u8]| {
    let mut engine = ptr::dangling_mut();
    // SAFETY: `data` readable for its length, `engine` writable.
    let status = unsafe { bistand_engine_new(data.as_ptr(), data.len(), &mut engine) };
    if status != bistand_status::BISTAND_OK {
        assert_eq!(engine, ptr::dangling_mut(), "engine written on failure");
        common::check(status, common::sentinel());
        return;
    }
    let mut out = common::sentinel();
    // SAFETY: the engine just made, `DOCUMENT` readable, `out` writable; the engine is freed once.
    unsafe {
        let status = bistand_validate(
            engine,
            ptr::null(),
            DOCUMENT.as_ptr(),
            DOCUMENT.len(),
            &mut out,
        );
        common::check(status, out);
        bistand_engine_free(engine);
    }
});
