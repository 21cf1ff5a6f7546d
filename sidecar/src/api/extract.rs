//! What handlers take from a request: the authenticated [`Caller`] (holding its share of the
//! request slots), the unread [`Body`] (read only after the role check), query strings and JSON
//! bodies parsed without echoing input, and the helpers that run store work and audit it.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Path, Query, Request};
use axum::http::header;
use axum::http::request::Parts;
use bistand_core::Text;
use bistand_store::{AuditEvent, AuditedStore, RecordId, RecordMeta};
use serde::Deserialize;

use crate::auth::{Action, ConnectionAuthentication, Principal, Share};
use crate::problem::{ApiError, RequestId};

use super::{AppState, CALLER, PeerCertificate};

/// The authenticated caller of a request: the bearer token's principal, else the client
/// certificate's (refused when the two name different principals), holding one of the
/// principal's share of the request slots for as long as the handler runs.
pub(super) struct Caller {
    principal: Arc<Principal>,
    _share: Share,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let inner = &state.0;
        let certificate = parts.extensions.get::<PeerCertificate>();
        let principal = inner.principals.resolve(
            parts.headers.get(header::AUTHORIZATION),
            certificate.map(|c| c.0.as_slice()),
        )?;
        let _ = CALLER.try_with(|c| *c.borrow_mut() = Some(principal.clone()));
        if let Some(connection) = parts.extensions.get::<ConnectionAuthentication>() {
            connection.authenticated();
        }
        // One principal may not hold every request slot (slow bodies, slow reports), or the
        // other callers would all be answered 503.
        let share = inner
            .principals
            .admit(&principal, inner.limits.max_requests_per_principal())
            .ok_or_else(|| {
                inner.metrics.share_refused(principal.role);
                ApiError::overloaded(inner.limits.retry_after_seconds)
            })?;
        Ok(Caller {
            principal,
            _share: share,
        })
    }
}

impl Caller {
    pub(super) fn require(&self, action: Action) -> Result<&Principal, ApiError> {
        if self.principal.may(action) {
            Ok(&self.principal)
        } else {
            Err(ApiError::forbidden_role(self.principal.role.as_str()))
        }
    }
}

/// A request body, read whole up to `limits.max_body_bytes` by [`Body::read`].
///
/// Handlers read it only after the role check, so a caller who may not use an endpoint never
/// gets to hold a request slot by sending a body slowly; a declared `Content-Length` over the
/// limit is refused before any of the body is read.
///
/// Every handler that takes a body takes it through this, so the limit is applied here rather
/// than by `DefaultBodyLimit`: that layer wrapped every route in one more boxed service, cloned
/// on every request, and cost about a microsecond of CPU per request in the sidecar benchmark.
pub(super) struct Body {
    body: axum::body::Body,
    limit: usize,
}

impl axum::extract::FromRequest<AppState> for Body {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Body, ApiError> {
        let limit = state.0.limits.max_body_bytes;
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|length| length > limit as u64) {
            linger(request.into_body(), limit);
            return Err(ApiError::body_too_large(limit));
        }
        Ok(Body {
            body: request.into_body(),
            limit,
        })
    }
}

/// Reads and drops what a client goes on sending after its request was refused, for at most a
/// second and `limit` bytes, in the background.
///
/// Without it, HTTP/1 closes the connection with the client's bytes unread, the kernel answers
/// them with a reset, and the client can lose the response before reading it (a lingering
/// close). The bounds keep it no dearer than reading the body up to the limit was.
pub(super) fn linger(body: axum::body::Body, limit: usize) {
    tokio::spawn(async move {
        let mut body = body;
        let drain = async {
            let mut seen = 0usize;
            while let Some(Ok(frame)) = http_body_util::BodyExt::frame(&mut body).await {
                seen = seen.saturating_add(frame.data_ref().map_or(0, Bytes::len));
                if seen > limit {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), drain).await;
    });
}

impl Body {
    /// The whole body.
    pub(super) async fn read(self) -> Result<Bytes, ApiError> {
        let body = http_body_util::Limited::new(self.body, self.limit);
        match http_body_util::BodyExt::collect(body).await {
            Ok(collected) => Ok(collected.to_bytes()),
            Err(error) if error.is::<http_body_util::LengthLimitError>() => {
                Err(ApiError::body_too_large(self.limit))
            }
            Err(_) => Err(ApiError::invalid_request(Text {
                sv: "begärans innehåll kunde inte läsas".into(),
                en: "the request body could not be read".into(),
            })),
        }
    }
}

pub(super) fn query<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    query.map(|Query(q)| q).map_err(|rejection| {
        // serde_urlencoded's message names the parameter and the expectation, not the value.
        let reason = rejection.body_text();
        let reason = reason
            .strip_prefix("Failed to deserialize query string: ")
            .unwrap_or(&reason)
            .to_owned();
        ApiError::invalid_request(Text {
            sv: format!("frågeparametrar: {reason}"),
            en: format!("query parameters: {reason}"),
        })
    })
}

pub(super) fn json_body<'a, T: Deserialize<'a>>(
    bytes: &'a [u8],
    shape: &str,
) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            ApiError::invalid_request(Text {
                sv: format!(
                    "innehållet är inte korrekt JSON (rad {} kolumn {})",
                    e.line(),
                    e.column()
                ),
                en: format!(
                    "the body is not well-formed JSON (line {} column {})",
                    e.line(),
                    e.column()
                ),
            })
        } else {
            ApiError::invalid_request(Text {
                sv: format!("innehållet måste vara {shape}"),
                en: format!("the body must be {shape}"),
            })
        }
    })
}

pub(super) fn now_millis() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// Runs store work on the blocking pool (store calls block).
pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| ApiError::internal("blocking task failed"))?
}

/// A record that failed authentication on a read: logged once with the request id and the record
/// id (never content) and audited as a read with the outcome `failed`; the error to answer with.
pub(super) fn unreadable(
    store: &dyn AuditedStore,
    principal: &Principal,
    id: &RecordId,
    request_id: Option<RequestId>,
) -> ApiError {
    log_unreadable(id, request_id);
    match store.audit_append(failed_read(principal, id)) {
        Ok(_) => ApiError::unreadable_record(),
        Err(error) => error.into(),
    }
}

/// The audit event of a read of record `id` that failed authentication.
pub(super) fn failed_read(principal: &Principal, id: &RecordId) -> AuditEvent {
    let mut event = audit(principal, "record.read", None, None, "failed");
    event.record_id = Some(id.as_str().to_owned());
    event
}

/// The log line of a record that failed authentication: request and record id only. Store work
/// runs on the blocking pool, outside the request's task, so the request id is passed in.
pub(super) fn log_unreadable(id: &RecordId, request_id: Option<RequestId>) {
    tracing::error!(
        request_id = request_id.as_ref().map_or("-", RequestId::as_str),
        record_id = id.as_str(),
        "stored record failed authentication; `bistand store verify` reports it"
    );
}

pub(super) fn audit(
    principal: &Principal,
    action: &str,
    unit: Option<&str>,
    meta: Option<&RecordMeta>,
    outcome: &str,
) -> AuditEvent {
    AuditEvent {
        at: now_millis(),
        principal: principal.name.clone(),
        role: principal.role.as_str().to_owned(),
        action: action.to_owned(),
        unit: unit.map(str::to_owned),
        record_id: meta.map(|m| m.id.as_str().to_owned()),
        pseudonym: meta.map(|m| m.pseudonym.clone()),
        outcome: outcome.to_owned(),
        record_state: None,
    }
}

/// The one path parameter of a route (`{id}`, `{instrument}`), as text. axum's own `Path` answers
/// a segment that is not UTF-8 after percent-decoding (`/v1/records/%FF`) with `text/plain`;
/// this answers it like every other error, as a problem (400), without echoing the segment.
pub(super) struct Segment(pub(super) String);

impl FromRequestParts<AppState> for Segment {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Segment, ApiError> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(segment)| Segment(segment))
            .map_err(|_| {
                ApiError::invalid_request(Text {
                    sv: "sökvägen innehåller ett segment som inte är giltig UTF-8".into(),
                    en: "the path holds a segment that is not valid UTF-8".into(),
                })
            })
    }
}
