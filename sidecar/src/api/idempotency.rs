//! `Idempotency-Key` on `POST /v1/records`: a client that retries a create (a timeout, a lost
//! response) with the same key and body gets the first answer again, and the record is written
//! once.
//!
//! Keys are remembered in the process's memory, never raw: an entry is found by an HMAC-SHA256,
//! under a key drawn at start-up, of the principal's name and the client's key, and it holds an
//! HMAC of the request body (to tell a retry from another request under the same key) and the
//! response given (the record's metadata and validation report: no client id, no document).
//! An entry expires [`TTL`] after the response; at most [`CAPACITY`] are held, and a new key when
//! that many unexpired ones are held is answered 503 rather than forgetting an older one. A
//! restart forgets every key (see DESIGN.md, "HTTP semantics").

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// How long a key is remembered after its response.
pub(crate) const TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// The most keys remembered at once.
pub(crate) const CAPACITY: usize = 10_000;

/// The longest key accepted, in bytes.
pub(crate) const MAX_KEY_LEN: usize = 255;

/// Whether `key` may be an idempotency key: 1 to [`MAX_KEY_LEN`] visible ASCII characters.
pub(crate) fn valid_key(key: &[u8]) -> bool {
    !key.is_empty() && key.len() <= MAX_KEY_LEN && key.iter().all(|b| b.is_ascii_graphic())
}

type Digest = [u8; 32];

/// A response to give again: status, body and the headers that go with a created record.
#[derive(Clone)]
pub(crate) struct Saved {
    pub(crate) body: Bytes,
    pub(crate) etag: String,
    pub(crate) location: String,
}

enum State {
    /// The first request with the key is being handled.
    Pending,
    Done {
        saved: Saved,
        expires: Instant,
    },
}

struct Entry {
    request: Digest,
    state: State,
}

/// The remembered keys of one process.
pub(crate) struct Idempotency {
    secret: [u8; 32],
    entries: Mutex<HashMap<Digest, Entry>>,
}

/// What to do with a request that carries a key.
pub(crate) enum Begin<'a> {
    /// The first time: handle it, then [`Ticket::complete`] (dropping the ticket forgets the key,
    /// so a request that failed can be sent again under it).
    New(Ticket<'a>),
    /// Seen with the same body: answer this again.
    Replay(Saved),
    /// Seen with another body.
    Mismatch,
    /// The first request with this key is still being handled.
    InProgress,
    /// [`CAPACITY`] keys are remembered.
    Full,
}

/// The claim of the first request with a key.
pub(crate) struct Ticket<'a> {
    owner: &'a Idempotency,
    key: Digest,
    done: bool,
}

impl Idempotency {
    /// No keys yet, and a fresh secret (a failed random source leaves it zero, which still
    /// keeps keys out of memory as written, only not unguessably).
    pub(crate) fn new() -> Idempotency {
        let mut secret = [0u8; 32];
        let _ = getrandom::fill(&mut secret);
        Idempotency {
            secret,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn digest(&self, parts: &[&[u8]]) -> Digest {
        let mut mac =
            <Hmac<Sha256> as KeyInit>::new_from_slice(&self.secret).expect("HMAC takes any key");
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// Looks up `key` of `principal` for a request with `body`.
    pub(crate) fn begin(&self, principal: &str, key: &[u8], body: &[u8]) -> Begin<'_> {
        let id = self.digest(&[b"key", principal.as_bytes(), key]);
        let request = self.digest(&[b"body", body]);
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = entries.get(&id) {
            let live = match &entry.state {
                State::Pending => true,
                State::Done { expires, .. } => *expires > now,
            };
            if live {
                if entry.request != request {
                    return Begin::Mismatch;
                }
                return match &entry.state {
                    State::Pending => Begin::InProgress,
                    State::Done { saved, .. } => Begin::Replay(saved.clone()),
                };
            }
        }
        if entries.len() >= CAPACITY {
            entries.retain(|_, entry| match &entry.state {
                State::Pending => true,
                State::Done { expires, .. } => *expires > now,
            });
            if entries.len() >= CAPACITY {
                return Begin::Full;
            }
        }
        entries.insert(
            id,
            Entry {
                request,
                state: State::Pending,
            },
        );
        Begin::New(Ticket {
            owner: self,
            key: id,
            done: false,
        })
    }
}

impl Ticket<'_> {
    /// Remembers `saved` as the answer to the key for [`TTL`].
    pub(crate) fn complete(mut self, saved: Saved) {
        let mut entries = self
            .owner
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = entries.get_mut(&self.key) {
            entry.state = State::Done {
                saved,
                expires: Instant::now() + TTL,
            };
        }
        self.done = true;
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.owner
                .entries
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(n: u8) -> Saved {
        Saved {
            body: Bytes::from(vec![n]),
            etag: format!("\"{n}\""),
            location: format!("/v1/records/{n}"),
        }
    }

    #[test]
    fn a_key_answers_once_then_replays_and_refuses_another_body() {
        let keys = Idempotency::new();
        let Begin::New(ticket) = keys.begin("handlaggare-söder", b"abc", b"{}") else {
            panic!("new");
        };
        assert!(matches!(
            keys.begin("handlaggare-söder", b"abc", b"{}"),
            Begin::InProgress
        ));
        ticket.complete(saved(1));
        let Begin::Replay(again) = keys.begin("handlaggare-söder", b"abc", b"{}") else {
            panic!("replay");
        };
        assert_eq!(again.body, saved(1).body);
        assert!(matches!(
            keys.begin("handlaggare-söder", b"abc", b"{\"x\":1}"),
            Begin::Mismatch
        ));
        // Another principal's key of the same text is another key.
        assert!(matches!(
            keys.begin("handlaggare-norr", b"abc", b"{}"),
            Begin::New(_)
        ));
    }

    #[test]
    fn a_failed_request_forgets_its_key_and_keys_are_never_held_raw() {
        let keys = Idempotency::new();
        let Begin::New(ticket) = keys.begin("a", b"retry-me", b"{}") else {
            panic!("new");
        };
        drop(ticket);
        assert!(matches!(keys.begin("a", b"retry-me", b"{}"), Begin::New(_)));
        let entries = keys.entries.lock().expect("lock");
        for id in entries.keys() {
            assert!(!id.windows(8).any(|w| w == b"retry-me"));
        }
    }

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert!(valid_key(b"4f1c-7a"));
        assert!(!valid_key(b""));
        assert!(!valid_key(b"a b"));
        assert!(!valid_key("å".as_bytes()));
        assert!(!valid_key(&[b'k'; MAX_KEY_LEN + 1]));
        assert!(valid_key(&[b'k'; MAX_KEY_LEN]));
    }
}
