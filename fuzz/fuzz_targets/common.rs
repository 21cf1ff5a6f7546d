//! Shared by the fuzz targets: one engine per process and the checks every call must pass.
//! A caught panic (`BISTAND_PANIC`) is a bug like any other, so it fails the run; so does an
//! output written on failure or a failure without a message.
#![allow(dead_code)] // each target uses part of it

use std::ffi::c_char;
use std::ptr;
use std::sync::OnceLock;

use bistand::{
    bistand_buf, bistand_buf_data, bistand_buf_free, bistand_buf_len, bistand_engine,
    bistand_engine_new, bistand_language, bistand_last_error, bistand_status,
};

struct Engine(*mut bistand_engine);
// SAFETY: the engine is immutable and documented as shareable between threads.
unsafe impl Send for Engine {}
// SAFETY: as above.
unsafe impl Sync for Engine {}

/// The engine without a profile, made once (it is never freed: the process ends).
pub fn engine() -> *const bistand_engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let mut engine = ptr::null_mut();
            // SAFETY: no profile; `engine` is writable.
            let status = unsafe { bistand_engine_new(ptr::null(), 0, &mut engine) };
            assert_eq!(status, bistand_status::BISTAND_OK);
            Engine(engine)
        })
        .0
}

/// A sentinel no successful call returns, to check outputs are left alone on failure.
pub fn sentinel() -> *mut bistand_buf {
    ptr::dangling_mut()
}

/// Checks a call's status and output, and frees the output.
pub fn check(status: bistand_status, out: *mut bistand_buf) {
    assert_ne!(status, bistand_status::BISTAND_PANIC, "bistand panicked");
    assert_ne!(status, bistand_status::BISTAND_INTERNAL_ERROR);
    if status == bistand_status::BISTAND_OK {
        assert_ne!(out, sentinel());
        // SAFETY: a live buffer from a successful call; read, then freed once.
        unsafe {
            let data = bistand_buf_data(out);
            let len = bistand_buf_len(out);
            let bytes = std::slice::from_raw_parts(data, len + 1);
            assert_eq!(bytes[len], 0, "NUL-terminated");
            assert!(std::str::from_utf8(&bytes[..len]).is_ok(), "UTF-8 output");
            bistand_buf_free(out);
        }
    } else {
        assert_eq!(out, sentinel(), "output written on failure");
        assert_ne!(status as u32 / 100, 9);
        for language in [
            bistand_language::BISTAND_LANGUAGE_SV,
            bistand_language::BISTAND_LANGUAGE_EN,
        ] {
            let mut message = [0 as c_char; 2048];
            let mut written = 0;
            // SAFETY: `message` is writable for its length, `written` is writable.
            let got = unsafe {
                bistand_last_error(
                    language as u32,
                    message.as_mut_ptr(),
                    message.len(),
                    &mut written,
                )
            };
            assert_eq!(got, bistand_status::BISTAND_OK, "messages fit 2 KiB");
            assert!(written > 0, "a failure has a message");
        }
    }
}
