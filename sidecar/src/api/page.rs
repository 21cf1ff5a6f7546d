//! Cursor pagination of the audit log and of record searches: an opaque cursor names where the
//! next page starts, `limit` bounds a page, and a page that may have more says so with
//! `next_cursor` (and, for a GET, a `Link: <…>; rel="next"` header).

use bistand_core::Text;

use crate::problem::ApiError;

/// The page size when `limit` is absent.
pub(crate) const DEFAULT_LIMIT: usize = 100;

/// The largest `limit`.
pub(crate) const MAX_LIMIT: usize = 1000;

/// What a cursor pages through; a cursor of one is refused by the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Listing {
    Audit,
    Search,
}

impl Listing {
    fn tag(self) -> u8 {
        match self {
            Listing::Audit => b'a',
            Listing::Search => b's',
        }
    }
}

/// The cursor after `position` in `listing`: opaque to clients (20 hex digits today; only
/// this module reads it). The description declares each listing's form (`^6101…` for the audit
/// log, `^7301…` for searches: its tag and format version), so a generated client, or
/// schemathesis, can tell a cursor from junk; `cursors_match_their_declared_patterns` below
/// keeps the two in step.
pub(crate) fn encode(listing: Listing, position: u64) -> String {
    let mut bytes = [0u8; 10];
    bytes[0] = listing.tag();
    bytes[1] = 1; // the cursor format's version
    bytes[2..].copy_from_slice(&position.to_be_bytes());
    hex::encode(bytes)
}

/// The position a cursor of `listing` names.
pub(crate) fn decode(listing: Listing, cursor: &str) -> Result<u64, ApiError> {
    let refused = || {
        ApiError::invalid_request(Text {
            sv: "`cursor` är ingen markör som tjänsten har gett; börja om utan den".into(),
            en: "`cursor` is not a cursor this service gave; start again without it".into(),
        })
    };
    let mut bytes = [0u8; 10];
    hex::decode_to_slice(cursor, &mut bytes).map_err(|_| refused())?;
    if bytes[0] != listing.tag() || bytes[1] != 1 {
        return Err(refused());
    }
    let mut position = [0u8; 8];
    position.copy_from_slice(&bytes[2..]);
    Ok(u64::from_be_bytes(position))
}

/// `limit`, [`DEFAULT_LIMIT`] when absent; 1 to [`MAX_LIMIT`].
pub(crate) fn limit(limit: Option<u64>) -> Result<usize, ApiError> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT as u64).contains(&n) => Ok(n as usize),
        Some(_) => Err(ApiError::invalid_request(Text {
            sv: format!("`limit` måste vara mellan 1 och {MAX_LIMIT}"),
            en: format!("`limit` must be between 1 and {MAX_LIMIT}"),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_match_their_declared_patterns() {
        assert!(encode(Listing::Audit, 41).starts_with("6101"));
        assert!(encode(Listing::Search, 7).starts_with("7301"));
        assert_eq!(encode(Listing::Search, u64::MAX).len(), 20);
    }

    #[test]
    fn cursors_round_trip_and_refuse_another_listing_or_junk() {
        let cursor = encode(Listing::Audit, 4711);
        assert_eq!(decode(Listing::Audit, &cursor).expect("ours"), 4711);
        assert!(decode(Listing::Search, &cursor).is_err());
        for junk in ["", "4711", "zz", &"0".repeat(20), "söder"] {
            assert!(decode(Listing::Audit, junk).is_err(), "{junk}");
        }
        assert_eq!(limit(None).expect("default"), DEFAULT_LIMIT);
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(1001)).is_err());
        assert_eq!(limit(Some(1000)).expect("max"), 1000);
    }
}
