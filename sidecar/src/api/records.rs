//! The encrypted records of a unit: create, read, update, search by client.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bistand_core::Text;
use bistand_store::{AuditedStore, Once, Record, RecordId, RecordMeta, documents};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::ToSchema;

use crate::auth::{Action, Principal};
use crate::problem::{ApiError, REQUEST_ID, RequestId};
use crate::today;

use super::AppState;
use super::extract::{Body, Caller, Segment, audit, blocking, json_body, unreadable};
use super::page::{self, Listing};

/// `POST /v1/records`: a document and the client it is about.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NewRecordBody<'a> {
    /// Personnummer, samordningsnummer or case number: pseudonymised here, never stored.
    #[schema(min_length = 1, max_length = 64, example = "EB-2026-00042")]
    client_id: String,
    /// The FIA or SUE document.
    #[serde(borrow)]
    #[schema(value_type = super::schemas::InstrumentDocument)]
    document: &'a RawValue,
}

/// A stored record's metadata (never the client's identity).
#[derive(Serialize, ToSchema)]
pub(super) struct RecordView {
    /// 32 lowercase hex digits.
    #[schema(
        pattern = "^[0-9a-f]{32}$",
        example = "5f0c2b8e9a1d4c3b8e7f6a5d4c3b2a19"
    )]
    record_id: String,
    #[schema(value_type = super::schemas::InstrumentName)]
    instrument: String,
    #[schema(example = "1.0")]
    version: String,
    #[schema(example = "Söder")]
    unit: String,
    /// How many times the document was written (1 for a new record); the ETag is made from it.
    revision: u64,
    /// When the record was created (RFC 3339, UTC).
    #[schema(value_type = String, format = DateTime)]
    created_at: super::Rfc3339,
    /// When the document was last written (RFC 3339, UTC).
    #[schema(value_type = String, format = DateTime)]
    updated_at: super::Rfc3339,
}

impl From<&RecordMeta> for RecordView {
    fn from(meta: &RecordMeta) -> RecordView {
        RecordView {
            record_id: meta.id.as_str().to_owned(),
            instrument: meta.instrument.clone(),
            version: meta.version.clone(),
            unit: meta.unit.clone(),
            revision: meta.revision,
            created_at: super::Rfc3339(meta.created_at),
            updated_at: super::Rfc3339(meta.updated_at),
        }
    }
}

/// The strong ETag of a record's current revision (`"<revision>"`): it changes with every
/// write of the document, and only then.
pub(super) fn etag(meta: &RecordMeta) -> String {
    format!("\"{}\"", meta.revision)
}

/// The revision `If-Match` asks for, checked against the record's `current` one: `Ok(())` when
/// one of its entity tags is the current ETag (or it is `*`), 412 otherwise. Weak tags never
/// match (RFC 9110's strong comparison).
fn if_match(value: &HeaderValue, current: &RecordMeta) -> Result<(), ApiError> {
    let value = value
        .to_str()
        .map_err(|_| ApiError::precondition_failed())?;
    let etag = etag(current);
    let matches = value
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag == etag);
    if matches {
        Ok(())
    } else {
        Err(ApiError::precondition_failed())
    }
}

/// The answer to a write: `status`, the JSON `body`, and the record's `ETag` (and `Location`
/// for a 201).
fn written(status: StatusCode, body: Bytes, etag: &str, location: Option<&str>) -> Response {
    let mut response = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    if let Some(value) = location.and_then(|l| HeaderValue::from_str(l).ok()) {
        headers.insert(header::LOCATION, value);
    }
    response
}

/// The JSON of `value` (the types answered here always serialise).
fn to_json<T: Serialize>(value: &T) -> Result<Bytes, ApiError> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(|_| ApiError::internal("response not serialisable"))
}

/// A record written: its metadata and the validation report (warnings may remain).
#[derive(Serialize, ToSchema)]
pub(super) struct Written {
    record: RecordView,
    report: bistand_core::Report,
}

/// Validates a document and stores it for the client (pseudonymised); only documents without
/// error findings are stored. With `Idempotency-Key`, a retry of the same request (same key,
/// same body, same caller) gets the record the first one created and stores nothing more: the
/// store remembers the key for 24 hours, across restarts (`AuditedStore::put_audited_once`).
#[utoipa::path(post, path = "/v1/records", tag = "records", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header,
            description = "1 to 255 visible ASCII characters, new for each record: a retry with \
                           the same key and body gets the record the first one created \
                           (remembered 24 hours in the store, across restarts); the same key \
                           with another body is refused (422).",
            min_length = 1, max_length = 255, pattern = "^[!-~]{1,255}$")),
    request_body(content = NewRecordBody<'_>, content_type = "application/json"),
    responses((status = 201, description = "Stored: the record and the validation report.", body = Written,
               headers(("ETag" = String, description = "The record's strong ETag, for If-Match."),
                       ("Location" = String, description = "The record's URL."))),
              (status = 404, description = "The document names an instrument or version the service does not know.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 403, description = "Not a caseworker, or the document's unit is not yours.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 422, description = "The document has error findings (see `report`), an invalid client id, or an Idempotency-Key used with another body.", body = crate::problem::Problem, content_type = "application/problem+json")))]
pub(super) async fn create_record(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let principal = caller.require(Action::Records)?.clone();
    let key = match headers.get("idempotency-key") {
        None => None,
        Some(key) if valid_idempotency_key(key.as_bytes()) => Some(key.as_bytes().to_vec()),
        Some(_) => {
            return Err(ApiError::invalid_request(Text {
                sv: "Idempotency-Key ska vara 1 till 255 synliga ASCII-tecken".into(),
                en: "Idempotency-Key must be 1 to 255 visible ASCII characters".into(),
            }));
        }
    };
    let body = body.read().await?;
    let inner = &state.0;
    let once = key
        .map(|key| documents::idempotency_key(&inner.pseudonym_key, &principal.name, &key, &body));
    let request: NewRecordBody<'_> =
        json_body(&body, "{\"client_id\": \"...\", \"document\": {...}}")?;
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
            documents::RECORD_CREATE,
            Some(&record.unit),
            None,
            "denied",
        );
        let store = inner.store.clone();
        blocking(move || Ok(store.audit_append(event)?)).await?;
        return Err(ApiError::forbidden_unit());
    }
    let event = audit(
        &principal,
        documents::RECORD_CREATE,
        Some(&record.unit),
        None,
        "ok",
    );
    let store = inner.store.clone();
    let meta = blocking(move || match once {
        None => Ok(store.put_audited(record, event)?.0),
        Some(once) => match store.put_audited_once(record, event, &once)? {
            Once::Stored(meta, _) | Once::Replayed(meta) => Ok(meta),
            Once::Reused => Err(ApiError::idempotency_key_reused()),
        },
    })
    .await?;
    let body = to_json(&Written {
        record: RecordView::from(&meta),
        report: prepared.report,
    })?;
    let location = format!("/v1/records/{}", meta.id.as_str());
    Ok(written(
        StatusCode::CREATED,
        body,
        &etag(&meta),
        Some(&location),
    ))
}

/// The longest `Idempotency-Key` accepted, in bytes.
const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// Whether `key` may be an `Idempotency-Key`: 1 to [`MAX_IDEMPOTENCY_KEY_LEN`] visible ASCII
/// characters.
fn valid_idempotency_key(key: &[u8]) -> bool {
    !key.is_empty()
        && key.len() <= MAX_IDEMPOTENCY_KEY_LEN
        && key.iter().all(|b| b.is_ascii_graphic())
}

/// A record and its document.
#[derive(Serialize, ToSchema)]
pub(super) struct RecordWithDocument {
    record: RecordView,
    #[schema(value_type = super::schemas::InstrumentDocument)]
    document: Box<RawValue>,
}

/// Reads a record of one of your units.
#[utoipa::path(get, path = "/v1/records/{id}", tag = "records", security(("bearer" = [])),
    params(("id" = String, Path, description = "Record id: 32 lowercase hex digits.", pattern = "^[0-9a-f]{32}$")),
    responses((status = 200, description = "The record and its document.", body = RecordWithDocument,
               headers(("ETag" = String, description = "The record's strong ETag: send it as If-Match to update."))),
              (status = 400, description = "Not a record id.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such record in your units.", body = crate::problem::Problem, content_type = "application/problem+json")))]
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
    let body = to_json(&RecordWithDocument {
        record: RecordView::from(&record.meta),
        document,
    })?;
    Ok(written(StatusCode::OK, body, &etag(&record.meta), None))
}

/// Replaces a record's document (same instrument and unit) if it is still the version the
/// caller read (`If-Match`); only a document without error findings is stored.
#[utoipa::path(put, path = "/v1/records/{id}", tag = "records", security(("bearer" = [])),
    params(("id" = String, Path, description = "Record id: 32 lowercase hex digits.", pattern = "^[0-9a-f]{32}$"),
           ("If-Match" = String, Header, description = "The ETag the record had when you read it (required).")),
    request_body(content = super::schemas::InstrumentDocument, description = "The new document (FIA or SUE).", content_type = "application/json"),
    responses((status = 200, description = "The record as stored, and the validation report.", body = Written,
               headers(("ETag" = String, description = "The record's new strong ETag."))),
              (status = 400, description = "Malformed JSON, or not a record id.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such record in your units, or a document of an instrument or version the service does not know.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 412, description = "The record changed since you read it (If-Match is stale); nothing was written.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 428, description = "No If-Match.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 422, description = "Error findings, or another instrument or unit.", body = crate::problem::Problem, content_type = "application/problem+json")))]
pub(super) async fn update_record(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let principal = caller.require(Action::Records)?.clone();
    let condition = headers.get(header::IF_MATCH).cloned();
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
        // Checked once the record is known to be the caller's: a missing record is 404 either
        // way, and the precondition never tells another unit's record apart from none.
        let Some(condition) = condition else {
            return Err(ApiError::precondition_required());
        };
        if_match(&condition, &current.meta)?;
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
        // The check above is repeated in the write's transaction: of two callers who read the
        // same revision, only the first to write succeeds; the other gets 412.
        let (meta, _) = store.update_audited_if(&id, current.meta.revision, &body, event)?;
        Ok(meta)
    })
    .await?;
    let body = to_json(&Written {
        record: RecordView::from(&meta),
        report,
    })?;
    Ok(written(StatusCode::OK, body, &etag(&meta), None))
}

/// `POST /v1/records/search`: the client whose records to list. A POST, so the identifier is
/// never in a URL (and so never in a proxy's access log); the page's cursor and size travel in
/// the body too.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SearchBody {
    /// Personnummer, samordningsnummer or case number.
    #[schema(min_length = 1, max_length = 64, example = "EB-2026-00042")]
    client_id: String,
    /// Only records of this instrument.
    #[schema(value_type = Option<super::schemas::InstrumentName>)]
    instrument: Option<String>,
    /// Where the page starts: `next_cursor` of the page before; absent for the first page.
    #[schema(pattern = "^7301[0-9a-f]{16}$")]
    cursor: Option<String>,
    /// Records per page (default 100).
    #[schema(minimum = 1, maximum = 1000)]
    limit: Option<u64>,
}

/// A page of the records found.
#[derive(Serialize, ToSchema)]
pub(super) struct Found {
    records: Vec<RecordView>,
    /// The cursor of the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// The records of a client in your units, oldest first, a page at a time.
#[utoipa::path(post, path = "/v1/records/search", tag = "records", security(("bearer" = [])),
    request_body(content = SearchBody, content_type = "application/json",
                 example = json!({"client_id": "EB-2026-00042", "instrument": "fia", "limit": 20})),
    responses((status = 200, description = "Metadata of the records found (a page).", body = Found),
              (status = 400, description = "Malformed JSON, a bad cursor or limit.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 404, description = "An instrument the service does not know.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 422, description = "Not a client id.", body = crate::problem::Problem, content_type = "application/problem+json")))]
pub(super) async fn search_records(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<Response, ApiError> {
    let principal = caller.require(Action::Records)?.clone();
    let body = body.read().await?;
    let request: SearchBody = json_body(
        &body,
        "{\"client_id\": \"...\", \"instrument\"?: \"...\", \"cursor\"?: \"...\", \"limit\"?: 1-1000}",
    )?;
    let limit = page::limit(request.limit)?;
    let skip = match &request.cursor {
        None => 0,
        Some(cursor) => page::decode(Listing::Search, cursor)?,
    };
    if let Some(instrument) = &request.instrument {
        state.0.engine.definition(instrument, None)?;
    }
    let pseudonym =
        documents::client_pseudonym(&state.0.pseudonym_key, &request.client_id, today())
            .map_err(|_| client_id_refused(&request.client_id))?;
    let store = state.0.store.clone();
    let (records, more) = blocking(move || {
        let found = store.find_by_pseudonym(pseudonym.as_str(), request.instrument.as_deref())?;
        let mut mine = found
            .into_iter()
            .filter(|m| principal.has_unit(&m.unit))
            .skip(usize::try_from(skip).unwrap_or(usize::MAX));
        let page: Vec<RecordMeta> = mine.by_ref().take(limit).collect();
        let more = mine.next().is_some();
        // Only the records answered are looked at, so only they are audited.
        for meta in &page {
            store.audit_append(audit(
                &principal,
                "record.search",
                Some(&meta.unit),
                Some(meta),
                "ok",
            ))?;
        }
        if page.is_empty() {
            // A search that finds nothing in the caller's units is a lookup of a client too.
            store.audit_append(
                audit(&principal, "record.search", None, None, "none")
                    .pseudonym(pseudonym.as_str()),
            )?;
        }
        Ok((page, more))
    })
    .await?;
    let next_cursor = more.then(|| page::encode(Listing::Search, skip + records.len() as u64));
    Ok(Json(Found {
        records: records.iter().map(RecordView::from).collect(),
        next_cursor,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_keys_are_visible_ascii_of_bounded_length() {
        assert!(valid_idempotency_key(b"4f1c-7a"));
        assert!(!valid_idempotency_key(b""));
        assert!(!valid_idempotency_key(b"a b"));
        assert!(!valid_idempotency_key("å".as_bytes()));
        assert!(!valid_idempotency_key(&[b'k'; MAX_IDEMPOTENCY_KEY_LEN + 1]));
        assert!(valid_idempotency_key(&[b'k'; MAX_IDEMPOTENCY_KEY_LEN]));
    }
}
