//! The two opaque handle types C holds: the engine and the output buffer.

use bistand_core::Engine;

/// An engine: the loaded instrument definitions and an organisation profile, checked once.
///
/// Made by `bistand_engine_new`, released by `bistand_engine_free`. Immutable after creation:
/// one engine may be used from any number of threads at the same time.
#[allow(non_camel_case_types)]
pub struct bistand_engine {
    pub(crate) engine: Engine,
}

/// Bytes bistand made for the caller (a JSON report, a definition, a pseudonym).
///
/// Read with `bistand_buf_data` and `bistand_buf_len`; released by `bistand_buf_free`. The data
/// is followed by one NUL byte that the length does not count, so it can also be read as a C
/// string (bistand's text output never contains a NUL byte; a binary output, an XLSX report,
/// may, and is read by length only).
#[allow(non_camel_case_types)]
pub struct bistand_buf {
    /// The output and one trailing NUL.
    bytes: Vec<u8>,
}

impl bistand_buf {
    /// A buffer holding `bytes`, which must not contain NUL (JSON and pseudonyms never do).
    pub(crate) fn new(mut bytes: Vec<u8>) -> bistand_buf {
        debug_assert!(!bytes.contains(&0), "outputs are NUL-free text");
        bytes.push(0);
        bistand_buf { bytes }
    }

    /// A buffer holding binary `bytes` (an XLSX workbook), which may contain NUL: read only by
    /// `bistand_buf_len`, never as a C string.
    pub(crate) fn binary(mut bytes: Vec<u8>) -> bistand_buf {
        bytes.push(0);
        bistand_buf { bytes }
    }

    /// The output, without the trailing NUL.
    pub fn data(&self) -> &[u8] {
        &self.bytes[..self.len()]
    }

    /// Length of the output in bytes, without the trailing NUL.
    pub fn len(&self) -> usize {
        self.bytes.len() - 1
    }

    /// Whether the output is empty (it never is for a successful call).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Pointer to the output, NUL-terminated.
    pub(crate) fn as_ptr(&self) -> *const u8 {
        self.bytes.as_ptr()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buf_is_nul_terminated_but_does_not_count_it() {
        let buf = bistand_buf::new(b"{}".to_vec());
        assert_eq!(buf.data(), b"{}");
        assert_eq!(buf.len(), 2);
        assert!(!buf.is_empty());
        assert_eq!(buf.bytes, b"{}\0");
    }

    #[test]
    fn engine_may_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<bistand_engine>();
    }
}
