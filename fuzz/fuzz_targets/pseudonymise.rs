//! `bistand_pseudonymise` on arbitrary bytes: the first byte is the key's length, then the key,
//! then the personnummer.
#![no_main]

use bistand::bistand_pseudonymise;
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let Some((key_len, rest)) = data.split_first() else {
        return;
    };
    let (key, number) = rest.split_at(usize::from(*key_len).min(rest.len()));
    for date in [c"2026-06-01", c"1899-12-31"] {
        let mut out = common::sentinel();
        // SAFETY: NUL-terminated strings, readable slices, `out` writable.
        let status = unsafe {
            bistand_pseudonymise(
                c"k2026".as_ptr(),
                key.as_ptr(),
                key.len(),
                number.as_ptr(),
                number.len(),
                date.as_ptr(),
                &mut out,
            )
        };
        common::check(status, out);
    }
});
