//! The encrypted records of a unit: create, read, update, search by client.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bistand_core::Text;
use bistand_store::{AuditedStore, Record, RecordId, RecordMeta, documents};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::ToSchema;

use crate::auth::{Action, Principal};
use crate::problem::{ApiError, REQUEST_ID, RequestId};
use crate::today;

use super::AppState;
use super::extract::{Body, Caller, Segment, audit, blocking, json_body, unreadable};

/// `POST /v1/records`: a document and the client it is about.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NewRecordBody<'a> {
    /// Personnummer, samordningsnummer or case number: pseudonymised here, never stored.
    client_id: String,
    /// The FIA or SUE document.
    #[serde(borrow)]
    #[schema(value_type = Object)]
    document: &'a RawValue,
}

/// A stored record's metadata (never the client's identity).
#[derive(Serialize, ToSchema)]
pub(super) struct RecordView {
    record_id: String,
    instrument: String,
    version: String,
    unit: String,
    /// Unix milliseconds.
    created_at: i64,
    /// Unix milliseconds.
    updated_at: i64,
}

impl From<&RecordMeta> for RecordView {
    fn from(meta: &RecordMeta) -> RecordView {
        RecordView {
            record_id: meta.id.as_str().to_owned(),
            instrument: meta.instrument.clone(),
            version: meta.version.clone(),
            unit: meta.unit.clone(),
            created_at: meta.created_at,
            updated_at: meta.updated_at,
        }
    }
}

/// A record written: its metadata and the validation report (warnings may remain).
#[derive(Serialize, ToSchema)]
pub(super) struct Written {
    record: RecordView,
    #[schema(value_type = Object)]
    report: bistand_core::Report,
}

/// Validates a document and stores it for the client (pseudonymised); only documents without
/// error findings are stored.
#[utoipa::path(post, path = "/v1/records", tag = "records", security(("bearer" = [])),
    request_body(content = NewRecordBody<'_>, content_type = "application/json"),
    responses((status = 201, description = "Stored: the record and the validation report.", body = Written),
              (status = 403, description = "Not a caseworker, or the document's unit is not yours.", body = crate::problem::Problem),
              (status = 422, description = "The document has error findings (see `report`).", body = crate::problem::Problem)))]
pub(super) async fn create_record(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<Response, ApiError> {
    let principal = caller.require(Action::Records)?.clone();
    let body = body.read().await?;
    let request: NewRecordBody<'_> =
        json_body(&body, "{\"client_id\": \"...\", \"document\": {...}}")?;
    let inner = &state.0;
    let prepared = documents::prepare(
        &inner.engine,
        &inner.pseudonym_key,
        &request.client_id,
        request.document.get().as_bytes(),
        today(),
    )
    .map_err(|error| match error {
        documents::PrepareError::ClientId(_) => client_id_refused(&request.client_id),
        documents::PrepareError::Document(error) => ApiError::from(error),
    })?;
    let Some(record) = prepared.record else {
        return Err(ApiError::document_not_valid(prepared.report));
    };
    if !principal.has_unit(&record.unit) {
        let event = audit(
            &principal,
            "record.create",
            Some(&record.unit),
            None,
            "denied",
        );
        let store = inner.store.clone();
        blocking(move || Ok(store.audit_append(event)?)).await?;
        return Err(ApiError::forbidden_unit());
    }
    let event = audit(&principal, "record.create", Some(&record.unit), None, "ok");
    let store = inner.store.clone();
    let (meta, _) = blocking(move || Ok(store.put_audited(record, event)?)).await?;
    let written = Written {
        record: RecordView::from(&meta),
        report: prepared.report,
    };
    Ok((StatusCode::CREATED, Json(written)).into_response())
}

/// A record and its document.
#[derive(Serialize, ToSchema)]
pub(super) struct RecordWithDocument {
    record: RecordView,
    #[schema(value_type = Object)]
    document: Box<RawValue>,
}

/// Reads a record of one of your units.
#[utoipa::path(get, path = "/v1/records/{id}", tag = "records", security(("bearer" = [])),
    params(("id" = String, Path, description = "Record id: 32 lowercase hex digits.")),
    responses((status = 200, description = "The record and its document.", body = RecordWithDocument),
              (status = 404, description = "No such record in your units.", body = crate::problem::Problem)))]
pub(super) async fn read_record(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
) -> Result<Response, ApiError> {
    let principal = caller.require(Action::Records)?.clone();
    let id = record_id(&id)?;
    let store = state.0.store.clone();
    let request_id = REQUEST_ID.try_with(|id| *id).ok();
    let record = blocking(move || {
        // One query; the unit is checked before anything is decrypted or audited differently:
        // a record of another unit and an id that does not exist cost the same (one audit entry
        // each) and answer the same 404.
        let Some(record) = readable(&*store, &principal, &id, "record.read", request_id)? else {
            return Err(ApiError::record_not_found());
        };
        store.audit_append(audit(
            &principal,
            "record.read",
            Some(&record.meta.unit),
            Some(&record.meta),
            "ok",
        ))?;
        Ok(record)
    })
    .await?;
    let document = String::from_utf8(record.body)
        .ok()
        .and_then(|text| RawValue::from_string(text).ok())
        .ok_or_else(|| ApiError::internal("stored document is not JSON"))?;
    Ok(Json(RecordWithDocument {
        record: RecordView::from(&record.meta),
        document,
    })
    .into_response())
}

/// Replaces a record's document (same instrument and unit); only a document without error
/// findings is stored.
#[utoipa::path(put, path = "/v1/records/{id}", tag = "records", security(("bearer" = [])),
    params(("id" = String, Path, description = "Record id: 32 lowercase hex digits.")),
    request_body(content = serde_json::Value, description = "The new document.", content_type = "application/json"),
    responses((status = 200, description = "The record as stored, and the validation report.", body = Written),
              (status = 404, description = "No such record in your units.", body = crate::problem::Problem),
              (status = 422, description = "Error findings, or another instrument or unit.", body = crate::problem::Problem)))]
pub(super) async fn update_record(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
    body: Body,
) -> Result<Response, ApiError> {
    let principal = caller.require(Action::Records)?.clone();
    let body = body.read().await?;
    let id = record_id(&id)?;
    let validated = state.0.engine.parse(None, &body)?;
    if !validated.report.valid {
        return Err(ApiError::document_not_valid(validated.report));
    }
    let instrument = validated.definition.instrument().to_owned();
    let version = validated.definition.version().to_owned();
    let unit = validated
        .document
        .unit()
        .unwrap_or(documents::UNKNOWN_UNIT)
        .to_owned();
    let report = validated.report;
    let store = state.0.store.clone();
    let request_id = REQUEST_ID.try_with(|id| *id).ok();
    let meta = blocking(move || {
        let Some(current) = readable(&*store, &principal, &id, "record.update", request_id)? else {
            return Err(ApiError::record_not_found());
        };
        if current.meta.instrument != instrument || current.meta.version != version {
            return Err(ApiError::invalid_request(Text {
                sv: "dokumentet besvarar ett annat instrument eller en annan version än posten"
                    .into(),
                en: "the document answers another instrument or version than the record".into(),
            })
            .with_status(StatusCode::UNPROCESSABLE_ENTITY, "instrument_mismatch"));
        }
        if current.meta.unit != unit {
            return Err(ApiError::invalid_request(Text {
                sv: "en post kan inte flyttas till en annan enhet; skapa en ny post där".into(),
                en: "a record cannot move to another unit; create a new record there".into(),
            })
            .with_status(StatusCode::UNPROCESSABLE_ENTITY, "unit_mismatch"));
        }
        let event = audit(
            &principal,
            "record.update",
            Some(&current.meta.unit),
            Some(&current.meta),
            "ok",
        );
        let (meta, _) = store.update_audited(&id, &body, event)?;
        Ok(meta)
    })
    .await?;
    Ok(Json(Written {
        record: RecordView::from(&meta),
        report,
    })
    .into_response())
}

/// `POST /v1/records/search`: the client whose records to list. A POST, so the identifier is
/// never in a URL (and so never in a proxy's access log).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SearchBody {
    /// Personnummer, samordningsnummer or case number.
    client_id: String,
    /// Only records of this instrument.
    instrument: Option<String>,
}

/// The records found.
#[derive(Serialize, ToSchema)]
pub(super) struct Found {
    records: Vec<RecordView>,
}

/// The records of a client in your units, oldest first.
#[utoipa::path(post, path = "/v1/records/search", tag = "records", security(("bearer" = [])),
    request_body(content = SearchBody, content_type = "application/json"),
    responses((status = 200, description = "Metadata of the records found.", body = Found)))]
pub(super) async fn search_records(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<Response, ApiError> {
    let principal = caller.require(Action::Records)?.clone();
    let body = body.read().await?;
    let request: SearchBody =
        json_body(&body, "{\"client_id\": \"...\", \"instrument\"?: \"...\"}")?;
    let pseudonym =
        documents::client_pseudonym(&state.0.pseudonym_key, &request.client_id, today())
            .map_err(|_| client_id_refused(&request.client_id))?;
    let store = state.0.store.clone();
    let records = blocking(move || {
        let found = store.find_by_pseudonym(pseudonym.as_str(), request.instrument.as_deref())?;
        let mine: Vec<RecordMeta> = found
            .into_iter()
            .filter(|m| principal.has_unit(&m.unit))
            .collect();
        for meta in &mine {
            store.audit_append(audit(
                &principal,
                "record.search",
                Some(&meta.unit),
                Some(meta),
                "ok",
            ))?;
        }
        if mine.is_empty() {
            // A search that finds nothing in the caller's units is a lookup of a client too.
            store.audit_append(
                audit(&principal, "record.search", None, None, "none")
                    .pseudonym(pseudonym.as_str()),
            )?;
        }
        Ok(mine)
    })
    .await?;
    Ok(Json(Found {
        records: records.iter().map(RecordView::from).collect(),
    })
    .into_response())
}

/// The record `id` if it is in one of the principal's units, opened. Another unit's record and
/// a missing id are alike: no body opened, one `denied` audit entry naming only the id; a
/// record of the caller's unit that fails authentication is audited as a failed read.
fn readable(
    store: &dyn AuditedStore,
    principal: &Principal,
    id: &RecordId,
    action: &str,
    request_id: Option<RequestId>,
) -> Result<Option<Record>, ApiError> {
    match store.get_in_units(id, &|unit| principal.has_unit(unit)) {
        Ok(Some(record)) => Ok(Some(record)),
        Ok(None) => {
            store.audit_append(audit(principal, action, None, None, "denied").record_id(id))?;
            Ok(None)
        }
        Err(error) if error.kind() == bistand_store::ErrorKind::Integrity => {
            Err(unreadable(store, principal, id, request_id))
        }
        Err(error) => Err(error.into()),
    }
}

pub(super) fn record_id(text: &str) -> Result<RecordId, ApiError> {
    RecordId::parse(text).map_err(|_| {
        ApiError::invalid_request(Text {
            sv: "ett post-id är 32 hexadecimala gemener".into(),
            en: "a record id is 32 lowercase hexadecimal digits".into(),
        })
    })
}

/// The 422 for a client id the core's rule refuses.
fn client_id_refused(client_id: &str) -> ApiError {
    ApiError::invalid_client_id(
        bistand_core::identifier::client_id_problem(client_id).unwrap_or_else(|| Text {
            sv: "klient-id avvisades".into(),
            en: "client id refused".into(),
        }),
    )
}
