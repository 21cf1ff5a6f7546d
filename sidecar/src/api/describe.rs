//! Probes (`/health`, `/ready`, `/metrics`), the OpenAPI description, and the instrument
//! definitions and schemas a vendor renders forms from.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::problem::ApiError;

use super::AppState;
use super::extract::{Caller, Segment, blocking, query};

/// The answer of a probe.
#[derive(Serialize, ToSchema)]
pub(super) struct Probe {
    /// `ok` from `/health`, `ready` from `/ready`.
    #[schema(example = "ok")]
    status: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health", tag = "operations",
    responses((status = 200, description = "The process is alive.", body = Probe,
               example = json!({"status": "ok"}))))]
pub(super) async fn health() -> Json<Probe> {
    Json(Probe { status: "ok" })
}

/// Readiness: the store answers.
#[utoipa::path(get, path = "/ready", tag = "operations",
    responses(
        (status = 200, description = "Ready to serve.", body = Probe, example = json!({"status": "ready"})),
        (status = 503, description = "The store does not answer.", body = crate::problem::Problem,
         content_type = "application/problem+json")))]
pub(super) async fn ready(State(state): State<AppState>) -> Result<Json<Probe>, ApiError> {
    let store = state.0.store.clone();
    blocking(move || {
        store
            .ping()
            .map_err(|_| ApiError::internal("store not ready"))
    })
    .await
    .map_err(|_| ApiError::not_ready())?;
    Ok(Json(Probe { status: "ready" }))
}

/// Prometheus metrics (text format 0.0.4).
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Counters in the Prometheus text format.", body = String,
               content_type = "text/plain",
               example = "# TYPE bistand_requests_total counter\nbistand_requests_total{route=\"/v1/validate\",method=\"POST\",status=\"200\"} 42\n")))]
pub(super) async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.0.metrics.render(),
    )
        .into_response()
}

pub(super) async fn openapi_json(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.0.openapi.clone(),
    )
        .into_response()
}

/// One loaded instrument definition.
#[derive(Serialize, ToSchema)]
pub(super) struct InstrumentInfo {
    #[schema(value_type = super::schemas::InstrumentName)]
    instrument: String,
    #[schema(example = "1.0")]
    version: String,
    title: bistand_core::Text,
}

/// The instrument definitions this service validates.
#[utoipa::path(get, path = "/v1/instruments", tag = "instruments", security(("bearer" = [])),
    responses((status = 200, description = "The loaded instruments and versions.", body = Vec<InstrumentInfo>),
              (status = 401, description = "No or unknown credentials.", body = crate::problem::Problem, content_type = "application/problem+json")))]
pub(super) async fn instruments(
    State(state): State<AppState>,
    _caller: Caller,
) -> Json<Vec<InstrumentInfo>> {
    Json(
        state
            .0
            .engine
            .definitions()
            .map(|d| InstrumentInfo {
                instrument: d.instrument().to_owned(),
                version: d.version().to_owned(),
                title: d.title().clone(),
            })
            .collect(),
    )
}

/// `?version=`: a version of the instrument; the newest when absent.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct VersionQuery {
    /// Instrument version; default: the newest.
    #[param(example = "1.0")]
    version: Option<String>,
}

/// `?version=&format=`: a version of the instrument and the form of its definition.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct DefinitionQuery {
    /// Instrument version; default: the newest.
    #[param(example = "1.0")]
    version: Option<String>,
    /// `json` (default): the definition file as bistand reads it; `fhir`: a FHIR R4
    /// Questionnaire (`application/fhir+json`).
    #[param(value_type = Option<DefinitionFormat>)]
    format: Option<String>,
}

/// The form of a definition (the `format` parameter; parsed in [`definition`]).
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)] // names the values for the schema; the text is parsed in the handler
pub(super) enum DefinitionFormat {
    Json,
    Fhir,
}

/// The definition of an instrument (what forms are rendered from), as bistand's definition JSON
/// or as a FHIR R4 Questionnaire.
#[utoipa::path(get, path = "/v1/instruments/{instrument}/definition", tag = "instruments",
    security(("bearer" = [])), params(("instrument" = super::schemas::InstrumentName, Path, description = "The instrument."), DefinitionQuery),
    responses((status = 200, description = "The definition JSON (items, code lists, conditions, labels in Swedish and English); with format=fhir a FHIR R4 Questionnaire.",
               content((super::schemas::DefinitionJson = "application/json"), (Object = "application/fhir+json"))),
              (status = 400, description = "A bad query parameter (an unknown format).", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 404, description = "Unknown instrument or version.", body = crate::problem::Problem, content_type = "application/problem+json")))]
pub(super) async fn definition(
    State(state): State<AppState>,
    _caller: Caller,
    Segment(instrument): Segment,
    query_string: Result<Query<DefinitionQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let DefinitionQuery { version, format } = query(query_string)?;
    let fhir = match format.as_deref() {
        None | Some("json") => false,
        Some("fhir") => true,
        Some(_) => {
            return Err(ApiError::invalid_request(bistand_core::Text {
                sv: "`format` måste vara json eller fhir".into(),
                en: "`format` must be json or fhir".into(),
            }));
        }
    };
    let definition = state.0.engine.definition(&instrument, version.as_deref())?;
    Ok(if fhir {
        (
            [(header::CONTENT_TYPE, "application/fhir+json")],
            serde_json::to_string(&bistand_core::fhir::questionnaire(definition))
                .map_err(|_| ApiError::internal("the questionnaire does not serialise"))?,
        )
            .into_response()
    } else {
        (
            [(header::CONTENT_TYPE, "application/json")],
            definition.source_json().to_owned(),
        )
            .into_response()
    })
}

/// The JSON Schema (2020-12) of an instrument's documents.
#[utoipa::path(get, path = "/v1/instruments/{instrument}/schema", tag = "instruments",
    security(("bearer" = [])), params(("instrument" = super::schemas::InstrumentName, Path, description = "The instrument."), VersionQuery),
    responses((status = 200, description = "The JSON Schema (2020-12) of the instrument's documents; the newest version's is also a component of this description (`FiaDocument`, ...).", body = super::schemas::JsonSchemaJson),
              (status = 400, description = "A bad query parameter.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 404, description = "Unknown instrument or version.", body = crate::problem::Problem, content_type = "application/problem+json")))]
pub(super) async fn schema(
    State(state): State<AppState>,
    _caller: Caller,
    Segment(instrument): Segment,
    version: Result<Query<VersionQuery>, QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let version = query(version)?.version;
    Ok(Json(
        state.0.engine.schema(&instrument, version.as_deref())?,
    ))
}
