//! Administration: the audit log, its verification, and resealing under a new data key.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bistand_store::{AuditEntry, AuditVerification};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Action;
use crate::problem::ApiError;

use super::AppState;
use super::extract::{Caller, audit, blocking, query};
use super::page::{self, Listing};

/// `?cursor=&limit=`: a page of the audit log.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct AuditQuery {
    /// Where the page starts: `next_cursor` of the page before; absent for the first page.
    #[param(pattern = "^6101[0-9a-f]{16}$")]
    cursor: Option<String>,
    /// Entries per page (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u64>,
}

/// One entry of the audit log: who did what, when, to which record and client pseudonym (never
/// content), chained to the entry before by `hash`.
#[derive(Serialize, ToSchema)]
pub(super) struct AuditEntryView {
    /// Position in the log: 1, 2, 3, ... without gaps.
    seq: u64,
    /// When it happened (RFC 3339, UTC).
    #[schema(value_type = String, format = DateTime)]
    at: super::Rfc3339,
    /// Who acted.
    #[schema(example = "handlaggare-soder")]
    principal: String,
    /// The role they acted in.
    #[schema(example = "caseworker")]
    role: String,
    /// What was done.
    #[schema(example = "record.read")]
    action: String,
    /// The unit the action concerned.
    unit: Option<String>,
    /// The record the action concerned.
    record_id: Option<String>,
    /// The client pseudonym the action concerned.
    pseudonym: Option<String>,
    /// How it went.
    #[schema(example = "ok")]
    outcome: String,
    /// The state a write left the record in, `REVISION:CREATED_AT:UPDATED_AT` (Unix
    /// milliseconds, as the chain's hash commits to them); only on writes.
    #[serde(skip_serializing_if = "Option::is_none")]
    record_state: Option<String>,
    /// The previous entry's `hash`.
    prev_hash: String,
    /// The MAC of this entry and `prev_hash` (64 lowercase hex digits).
    hash: String,
}

impl From<AuditEntry> for AuditEntryView {
    fn from(entry: AuditEntry) -> AuditEntryView {
        let event = entry.event;
        AuditEntryView {
            seq: entry.seq,
            at: super::Rfc3339(event.at),
            principal: event.principal,
            role: event.role,
            action: event.action,
            unit: event.unit,
            record_id: event.record_id,
            pseudonym: event.pseudonym,
            outcome: event.outcome,
            record_state: event.record_state,
            prev_hash: entry.prev_hash,
            hash: entry.hash,
        }
    }
}

/// A page of the audit log.
#[derive(Serialize, ToSchema)]
pub(super) struct AuditPage {
    entries: Vec<AuditEntryView>,
    /// The cursor of the next page; absent when the page reached the end of the log (a later
    /// call without a cursor shows entries appended since from the start).
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// A page of the audit log (who did what to which record pseudonym, never content), oldest
/// first. Reading it is audited too.
#[utoipa::path(get, path = "/v1/audit", tag = "administration", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, description = "Audit entries in order.", body = AuditPage,
               headers(("Link" = String, description = "`<…?cursor=…&limit=…>; rel=\"next\"` when there is a next page.")),
               example = json!({"entries": [{"seq": 41, "at": "2026-12-02T09:30:00.000Z", "principal": "handlaggare-soder", "role": "caseworker", "action": "record.read", "unit": "Söder", "record_id": "5f0c2b8e9a1d4c3b8e7f6a5d4c3b2a19", "pseudonym": null, "outcome": "ok", "prev_hash": "9f2c0d5e6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f", "hash": "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"}], "next_cursor": "61010000000000000029"})),
              (status = 400, description = "A bad cursor or limit.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 403, description = "Not an admin.", body = crate::problem::Problem, content_type = "application/problem+json")))]
pub(super) async fn audit_entries(
    State(state): State<AppState>,
    caller: Caller,
    page: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let principal = caller.require(Action::Audit)?.clone();
    let query = query(page)?;
    let limit = page::limit(query.limit)?;
    let after = match &query.cursor {
        None => 0,
        Some(cursor) => page::decode(Listing::Audit, cursor)?,
    };
    let store = state.0.store.clone();
    let mut entries = blocking(move || {
        store.audit_append(audit(&principal, "audit.read", None, None, "ok"))?;
        // One more than asked, to know whether a next page exists.
        Ok(store.audit_entries(after, limit + 1)?)
    })
    .await?;
    let more = entries.len() > limit;
    entries.truncate(limit);
    let next_cursor = more
        .then(|| entries.last().map(|e| page::encode(Listing::Audit, e.seq)))
        .flatten();
    let link = next_cursor
        .as_ref()
        .map(|cursor| format!("</v1/audit?cursor={cursor}&limit={limit}>; rel=\"next\""));
    let mut response = Json(AuditPage {
        entries: entries.into_iter().map(AuditEntryView::from).collect(),
        next_cursor,
    })
    .into_response();
    if let Some(value) = link.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LINK, value);
    }
    Ok(response)
}

/// The last entry of the audit log: what to record elsewhere to detect a later truncation.
#[derive(Serialize, ToSchema)]
pub(super) struct AuditHeadView {
    /// The last entry's seq (0 for an empty log).
    seq: u64,
    /// The last entry's hash (64 lowercase hex digits).
    #[schema(pattern = "^[0-9a-f]{64}$")]
    hash: String,
}

/// The outcome of verifying the audit log's chain.
#[derive(Serialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub(super) enum AuditVerificationView {
    /// Every entry matches its hash and chains to the one before it.
    Intact {
        /// Entries verified.
        entries: u64,
        head: AuditHeadView,
    },
    /// The first problem found, in seq order.
    Broken {
        /// Where the chain first fails.
        seq: u64,
        /// `edited`, `removed`, `reordered`, `truncated`, `rewritten` or `unkeyed` (see
        /// docs/operations.md).
        #[schema(value_type = String)]
        problem: bistand_store::AuditProblem,
    },
}

impl From<AuditVerification> for AuditVerificationView {
    fn from(verification: AuditVerification) -> AuditVerificationView {
        match verification {
            AuditVerification::Intact { entries, head } => AuditVerificationView::Intact {
                entries,
                head: AuditHeadView {
                    seq: head.seq,
                    hash: head.hash,
                },
            },
            AuditVerification::Broken { seq, problem } => {
                AuditVerificationView::Broken { seq, problem }
            }
        }
    }
}

/// Verifies the audit log's hash chain.
#[utoipa::path(get, path = "/v1/audit/verify", tag = "administration", security(("bearer" = [])),
    responses((status = 200, description = "Intact (with the head to record elsewhere), or the first break.", body = AuditVerificationView,
               example = json!({"status": "intact", "entries": 1234, "head": {"seq": 1234, "hash": "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"}})),
              (status = 403, description = "Not an admin.", body = crate::problem::Problem, content_type = "application/problem+json")))]
pub(super) async fn audit_verify(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let principal = caller.require(Action::Audit)?.clone();
    let store = state.0.store.clone();
    let verification = blocking(move || {
        let verification = store.audit_verify()?;
        store.audit_append(audit(&principal, "audit.verify", None, None, "ok"))?;
        Ok(verification)
    })
    .await?;
    Ok(Json(AuditVerificationView::from(verification)).into_response())
}

/// `?batch_size=`: records to move per call.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct ResealQuery {
    /// Records to re-seal in this call (default 1000).
    #[param(minimum = 1, maximum = 100000)]
    batch_size: Option<u64>,
}

/// How far a re-seal has come.
#[derive(Serialize, ToSchema)]
pub(super) struct ResealView {
    /// Records moved to the active key by this call.
    resealed: u64,
    /// Records still sealed with another key: call again until 0.
    remaining: u64,
}

/// Re-seals a batch of records still under an old data key with the active key; call until
/// `remaining` is 0.
#[utoipa::path(post, path = "/v1/keys/reseal", tag = "administration", security(("bearer" = [])),
    params(ResealQuery),
    responses((status = 200, description = "`resealed` and `remaining`.", body = ResealView,
               example = json!({"resealed": 1000, "remaining": 250})),
              (status = 400, description = "A bad batch size.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 403, description = "Not an admin.", body = crate::problem::Problem, content_type = "application/problem+json")))]
pub(super) async fn reseal(
    State(state): State<AppState>,
    caller: Caller,
    batch: Result<Query<ResealQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let principal = caller.require(Action::Keys)?.clone();
    let batch_size = match query(batch)?.batch_size {
        None => 1000,
        Some(n @ 1..=100_000) => n as usize,
        Some(_) => {
            return Err(ApiError::invalid_request(bistand_core::Text {
                sv: "`batch_size` måste vara mellan 1 och 100000".into(),
                en: "`batch_size` must be between 1 and 100000".into(),
            }));
        }
    };
    let store = state.0.store.clone();
    let progress = blocking(move || {
        let progress = store.reseal_batch(batch_size)?;
        store.audit_append(audit(&principal, "keys.reseal", None, None, "ok"))?;
        Ok(progress)
    })
    .await?;
    Ok(Json(ResealView {
        resealed: progress.resealed,
        remaining: progress.remaining,
    })
    .into_response())
}
