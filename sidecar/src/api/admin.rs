//! Administration: the audit log, its verification, and resealing under a new data key.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Action;
use crate::problem::ApiError;

use super::AppState;
use super::extract::{Caller, audit, blocking, query};

/// `?after=&limit=`: a page of the audit log.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct AuditQuery {
    /// Entries after this sequence number (default 0: from the start).
    after: Option<u64>,
    /// At most this many entries (default 100, at most 1000).
    limit: Option<usize>,
}

/// A page of the audit log (who did what to which record pseudonym, never content).
#[utoipa::path(get, path = "/v1/audit", tag = "administration", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, description = "Audit entries in order.", body = serde_json::Value),
              (status = 403, description = "Not an admin.", body = crate::problem::Problem)))]
pub(super) async fn audit_entries(
    State(state): State<AppState>,
    caller: Caller,
    page: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let principal = caller.require(Action::Audit)?.clone();
    let page = query(page)?;
    let limit = page.limit.unwrap_or(100).clamp(1, 1000);
    let store = state.0.store.clone();
    let entries = blocking(move || {
        store.audit_append(audit(&principal, "audit.read", None, None, "ok"))?;
        Ok(store.audit_entries(page.after.unwrap_or(0), limit)?)
    })
    .await?;
    Ok(Json(serde_json::json!({ "entries": entries })).into_response())
}

/// Verifies the audit log's hash chain.
#[utoipa::path(get, path = "/v1/audit/verify", tag = "administration", security(("bearer" = [])),
    responses((status = 200, description = "Intact (with the head to record elsewhere), or the first break.", body = serde_json::Value),
              (status = 403, description = "Not an admin.", body = crate::problem::Problem)))]
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
    Ok(Json(verification).into_response())
}

/// `?batch_size=`: records to move per call.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct ResealQuery {
    /// Records to re-seal in this call (default 1000, at most 100000).
    batch_size: Option<usize>,
}

/// Re-seals a batch of records still under an old data key with the active key; call until
/// `remaining` is 0.
#[utoipa::path(post, path = "/v1/keys/reseal", tag = "administration", security(("bearer" = [])),
    params(ResealQuery),
    responses((status = 200, description = "`resealed` and `remaining`.", body = serde_json::Value),
              (status = 403, description = "Not an admin.", body = crate::problem::Problem)))]
pub(super) async fn reseal(
    State(state): State<AppState>,
    caller: Caller,
    batch: Result<Query<ResealQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let principal = caller.require(Action::Keys)?.clone();
    let batch_size = query(batch)?.batch_size.unwrap_or(1000).clamp(1, 100_000);
    let store = state.0.store.clone();
    let progress = blocking(move || {
        let progress = store.reseal_batch(batch_size)?;
        store.audit_append(audit(&principal, "keys.reseal", None, None, "ok"))?;
        Ok(progress)
    })
    .await?;
    Ok(Json(serde_json::json!({
        "resealed": progress.resealed,
        "remaining": progress.remaining,
    }))
    .into_response())
}
