//! Who is calling: bearer tokens and client certificates mapped to a principal with a role and
//! units, and the one place that decides what a role may do.
//!
//! Tokens are 256-bit random strings, so the configuration keeps only their SHA-256: a leaked
//! configuration file does not let anyone call the service, and a fast hash is enough because
//! nothing about a random 256-bit token can be guessed from it.
//!
//! A request that carries both a token and a client certificate of *different* principals is
//! refused rather than resolved in the token's favour: a client that presents someone else's
//! certificate is confused or borrowing credentials, and either way the audit log would name
//! only one of the two. This module also keeps each principal's count of requests in progress
//! (its share of the concurrency limit) and the signal that tells the accept loop a connection
//! has authenticated.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use axum::http::HeaderValue;
use bistand_core::UnitName;
use sha2::{Digest, Sha256};
use tokio::sync::Notify;

use crate::config::{PrincipalConfig, Role};
use crate::problem::ApiError;

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The configured name (logged and audited).
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// The units it may reach.
    pub units: Vec<UnitName>,
}

impl Principal {
    /// Whether the principal may reach records or reports of `unit`: one of its units is the
    /// same unit by the one unit-name rule (NFC and case folding), so a scope of `söder` reaches
    /// records of `Söder`. Text that is not a unit name reaches nothing.
    pub fn has_unit(&self, unit: &str) -> bool {
        UnitName::parse(unit).is_ok_and(|unit| self.units.contains(&unit))
    }
}

/// What a request wants to do, for [`Principal::may`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Instruments, definitions and schemas: published material.
    ReadInstruments,
    /// Validate a document or summarise it (nothing is stored).
    Validate,
    /// Create, read, update or search records.
    Records,
    /// Group reports.
    Reports,
    /// The audit log.
    Audit,
    /// Key rotation.
    Keys,
}

impl Principal {
    /// The role table: the only place that says which role may do what. Units are checked by
    /// the handlers, against the record or report at hand.
    pub fn may(&self, action: Action) -> bool {
        match action {
            Action::ReadInstruments => true,
            Action::Validate | Action::Records => self.role == Role::Caseworker,
            Action::Reports => self.role == Role::Analyst,
            Action::Audit | Action::Keys => self.role == Role::Admin,
        }
    }
}

/// Principals by token digest and by certificate digest, and each one's requests in progress.
#[derive(Clone, Debug, Default)]
pub struct Principals {
    by_token: HashMap<[u8; 32], Arc<Principal>>,
    by_certificate: HashMap<[u8; 32], Arc<Principal>>,
    /// By principal name (unique, checked when the configuration loads).
    in_flight: HashMap<String, Arc<AtomicUsize>>,
}

impl Principals {
    /// Indexes the configured principals (already checked by [`crate::config::Config::parse`]).
    pub fn new(configured: &[PrincipalConfig]) -> Principals {
        let mut principals = Principals::default();
        for entry in configured {
            let principal = Arc::new(Principal {
                name: entry.name.clone(),
                role: entry.role,
                // Checked by `Config::parse`; a unit that is not a unit name reaches nothing.
                units: entry
                    .units
                    .iter()
                    .filter_map(|unit| UnitName::parse(unit).ok())
                    .collect(),
            });
            principals
                .in_flight
                .insert(entry.name.clone(), Arc::new(AtomicUsize::new(0)));
            if let Some(digest) = entry.token_sha256.as_deref().and_then(digest_from_hex) {
                principals.by_token.insert(digest, principal.clone());
            }
            if let Some(digest) = entry
                .certificate_sha256
                .as_deref()
                .and_then(digest_from_hex)
            {
                principals.by_certificate.insert(digest, principal);
            }
        }
        principals
    }

    /// The principal whose token this is.
    pub fn by_token(&self, token: &str) -> Option<Arc<Principal>> {
        self.by_token.get(&sha256(token.as_bytes())).cloned()
    }

    /// The principal whose client certificate (DER) this is.
    pub fn by_certificate(&self, der: &[u8]) -> Option<Arc<Principal>> {
        self.by_certificate.get(&sha256(der)).cloned()
    }

    /// The caller of a request from its `Authorization` header and the client certificate of
    /// its connection: the token's principal, else the certificate's.
    ///
    /// # Errors
    ///
    /// 401 when neither names a principal, when the header is not a bearer token, and when the
    /// token and the certificate belong to different principals.
    pub fn resolve(
        &self,
        authorization: Option<&HeaderValue>,
        certificate: Option<&[u8]>,
    ) -> Result<Arc<Principal>, ApiError> {
        let by_certificate = || certificate.and_then(|der| self.by_certificate(der));
        let Some(value) = authorization else {
            return by_certificate().ok_or_else(ApiError::unauthenticated);
        };
        let token = value
            .to_str()
            .ok()
            // The scheme name is case-insensitive (RFC 9110, section 11.1).
            .and_then(|v| {
                v.get(..7)
                    .filter(|scheme| scheme.eq_ignore_ascii_case("bearer "))
                    .map(|_| &v[7..])
            })
            .ok_or_else(ApiError::unauthenticated)?;
        let principal = self
            .by_token(token.trim())
            .ok_or_else(ApiError::unauthenticated)?;
        // A certificate that names no principal adds nothing and takes nothing away; one that
        // names another principal than the token does is refused.
        match by_certificate() {
            Some(holder) if holder.name != principal.name => {
                Err(ApiError::conflicting_credentials())
            }
            _ => Ok(principal),
        }
    }

    /// A slot for one request of `principal`, or `None` when it already has `limit` requests
    /// in progress. The slot is given back when the [`Share`] is dropped.
    pub fn admit(&self, principal: &Principal, limit: usize) -> Option<Share> {
        let counter = self.in_flight.get(&principal.name)?;
        let mut current = counter.load(Ordering::Relaxed);
        loop {
            if current >= limit {
                return None;
            }
            match counter.compare_exchange_weak(
                current,
                current + 1,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Some(Share(counter.clone())),
                Err(now) => current = now,
            }
        }
    }
}

/// One request of a principal in progress (see [`Principals::admit`]).
#[derive(Debug)]
pub struct Share(Arc<AtomicUsize>);

impl Drop for Share {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Put on each request by the accept loop, so that the first request that authenticates tells
/// the loop its connection is no longer anonymous (see `limits.max_pending_connections`).
#[derive(Clone, Debug, Default)]
pub struct ConnectionAuthentication(Arc<Signal>);

#[derive(Debug, Default)]
struct Signal {
    authenticated: AtomicBool,
    notify: Notify,
}

impl ConnectionAuthentication {
    /// A request on the connection authenticated.
    pub fn authenticated(&self) {
        // Only the first request wakes the connection's task; the flag keeps the rest cheap.
        if !self.0.authenticated.swap(true, Ordering::AcqRel) {
            self.0.notify.notify_one();
        }
    }

    /// Whether a request on the connection has authenticated.
    pub fn is_authenticated(&self) -> bool {
        self.0.authenticated.load(Ordering::Acquire)
    }

    /// Completes once a request on the connection has authenticated.
    pub async fn wait(&self) {
        // `notify_one` stores a permit when no one waits yet, so a signal is never lost.
        if !self.is_authenticated() {
            self.0.notify.notified().await;
        }
    }
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// SHA-256 of `bytes` as lowercase hex, as the configuration writes digests.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha256(bytes))
}

fn digest_from_hex(text: &str) -> Option<[u8; 32]> {
    let mut digest = [0u8; 32];
    hex::decode_to_slice(text, &mut digest).ok()?;
    Some(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configured(role: Role, token: &str) -> PrincipalConfig {
        PrincipalConfig {
            name: "p".into(),
            role,
            units: vec!["norr".into()],
            token_sha256: Some(sha256_hex(token.as_bytes()).to_uppercase()),
            certificate_sha256: Some(sha256_hex(b"der")),
        }
    }

    #[test]
    fn tokens_and_certificates_find_their_principal() {
        let principals = Principals::new(&[configured(Role::Analyst, "secret-token")]);
        assert_eq!(
            principals.by_token("secret-token").map(|p| p.role),
            Some(Role::Analyst)
        );
        assert!(principals.by_token("secret-token ").is_none());
        assert!(principals.by_certificate(b"der").is_some());
        assert!(principals.by_certificate(b"other").is_none());
    }

    #[test]
    fn the_role_table() {
        let principal = |role| Principal {
            name: "p".into(),
            role,
            units: vec![],
        };
        let (caseworker, analyst, admin) = (
            principal(Role::Caseworker),
            principal(Role::Analyst),
            principal(Role::Admin),
        );
        for p in [&caseworker, &analyst, &admin] {
            assert!(p.may(Action::ReadInstruments));
        }
        assert!(caseworker.may(Action::Records) && caseworker.may(Action::Validate));
        assert!(!caseworker.may(Action::Reports) && !caseworker.may(Action::Audit));
        assert!(analyst.may(Action::Reports) && !analyst.may(Action::Records));
        assert!(admin.may(Action::Audit) && admin.may(Action::Keys));
        assert!(!admin.may(Action::Records) && !admin.may(Action::Reports));
    }
}
