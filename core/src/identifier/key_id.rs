//! The one rule for key ids: the public names of pseudonym keys and data keys, which prefix every
//! pseudonym and sit beside every sealed body. Declared once here and used by
//! [`PseudonymKey`](super::PseudonymKey), [`DataKey`](crate::seal::DataKey), sealed records and
//! the store's pseudonym check.

/// Longest accepted key id, in bytes.
pub const MAX_KEY_ID_LEN: usize = 32;

/// Whether `id` is a key id: 1 to 32 ASCII letters, digits, `_` or `-`. No `:` (it separates the
/// key id from the digest in a pseudonym), no space, nothing outside ASCII.
pub fn is_key_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_KEY_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids() {
        for good in ["a", "Key_2026-01", &"k".repeat(32)] {
            assert!(is_key_id(good), "{good}");
        }
        for bad in ["", "a b", "a:b", "nyckel-å", "a.b", &"k".repeat(33)] {
            assert!(!is_key_id(bad), "{bad}");
        }
    }
}
