//! Validation and summaries of documents: `POST /v1/validate`, `POST /v1/summary` (JSON, or the
//! printable page with `format=html`).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bistand_core::{Language, Text};
use jiff::civil::Date;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Action;
use crate::problem::ApiError;

use super::AppState;
use super::extract::{Body, Caller, query};

/// `?instrument=`: the instrument the document must answer.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct InstrumentQuery {
    /// Refuse documents of another instrument.
    #[param(value_type = Option<super::schemas::InstrumentName>)]
    instrument: Option<String>,
}

/// Validates a document: the findings report (invalid documents are not an error).
#[utoipa::path(post, path = "/v1/validate", tag = "documents", security(("bearer" = [])),
    params(InstrumentQuery),
    request_body(content = super::schemas::DocumentToCheck, description = "A FIA or SUE document (a draft or an invalid one too: the report says what is wrong).", content_type = "application/json"),
    responses((status = 200, description = "The validation report: valid, errors, warnings, findings.", body = bistand_core::Report),
              (status = 400, description = "Malformed JSON or not UTF-8.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 404, description = "An instrument or version the service does not know.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 413, description = "Over the size limit.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 422, description = "Not a document (envelope), too deep, wrong instrument.", body = crate::problem::Problem, content_type = "application/problem+json")))]
pub(super) async fn validate(
    State(state): State<AppState>,
    caller: Caller,
    instrument: Result<Query<InstrumentQuery>, QueryRejection>,
    body: Body,
) -> Result<Response, ApiError> {
    caller.require(Action::Validate)?;
    let body = body.read().await?;
    let instrument = query(instrument)?.instrument;
    let report = state.0.engine.validate(instrument.as_deref(), &body)?;
    Ok(Json(report).into_response())
}

/// Reads a FHIR R4 `QuestionnaireResponse` to one of the service's questionnaires (`GET
/// /v1/instruments/{instrument}/definition?format=fhir`) as a bistand document and validates it.
#[utoipa::path(post, path = "/v1/validate/questionnaire-response", tag = "documents", security(("bearer" = [])),
    request_body(content = Object, description = "A FHIR R4 QuestionnaireResponse whose `questionnaire` is `urn:bistand:questionnaire:<instrument>|<version>` (sent as application/json or application/fhir+json).", content_type = "application/json",
        example = json!({"resourceType": "QuestionnaireResponse", "questionnaire": "urn:bistand:questionnaire:fia|2", "status": "in-progress", "authored": "2026-11-30T10:15:00+01:00", "item": [{"linkId": "skulder", "item": [{"linkId": "skulder.omfattning", "answer": [{"valueCoding": {"system": "urn:bistand:codes:fia:omfattning", "code": "i_viss_omfattning"}}]}]}]})),
    responses((status = 200, description = "The bistand document the response becomes and its validation report.", body = bistand_core::fhir::ImportedResponse),
              (status = 400, description = "Malformed JSON or not UTF-8.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 404, description = "A questionnaire (instrument or version) the service does not know.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 413, description = "Over the size limit.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 422, description = "Not a QuestionnaireResponse of a bistand questionnaire, or an answer of a type bistand does not use.", body = crate::problem::Problem, content_type = "application/problem+json")))]
pub(super) async fn validate_questionnaire_response(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<Response, ApiError> {
    caller.require(Action::Validate)?;
    let body = body.read().await?;
    let imported = state.0.engine.validate_response(&body)?;
    Ok(Json(imported).into_response())
}

/// A date in a query by the one strict rule ([`bistand_core::date::parse_date`]): `YYYY-MM-DD`,
/// a real calendar date, as in documents, the C ABI and the command line.
pub(super) fn strict_date<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Date>, D::Error> {
    let text = Option::<String>::deserialize(deserializer)?;
    text.map(|text| {
        bistand_core::date::parse_date(&text)
            .ok_or_else(|| serde::de::Error::custom("expected a real date written YYYY-MM-DD"))
    })
    .transpose()
}

/// `?today=`: the reference date for the next follow-up; `?format=html&lang=`: the printable page.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct SummaryQuery {
    /// Reference date (YYYY-MM-DD) for the next follow-up; default: the earliest follow-up.
    #[param(value_type = Option<String>, format = Date)]
    #[serde(default, deserialize_with = "strict_date")]
    today: Option<Date>,
    /// `json` (default) or `html` (a page for the client's file: labels, a chart of the client's
    /// own ratings, the plan; self-contained, prints on A4).
    #[param(value_type = Option<SummaryFormat>)]
    format: Option<String>,
    /// Language of the HTML page: `sv` (default) or `en`.
    #[param(value_type = Option<super::reports::ReportLanguage>)]
    lang: Option<String>,
}

/// What a summary is written as (the `format` parameter; parsed in [`summary`]).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)] // names the values for the schema; the text is parsed in `summary`
pub(super) enum SummaryFormat {
    Json,
    Html,
}

/// The derived summary of a valid FIA document.
#[utoipa::path(post, path = "/v1/summary", tag = "documents", security(("bearer" = [])),
    params(SummaryQuery),
    request_body(content = super::schemas::InstrumentDocument, description = "A valid FIA document.", content_type = "application/json"),
    responses((status = 200, description = "The summary (docs/summary.md); with format=html, the printable page.",
               content((bistand_core::Summary = "application/json"), (String = "text/html"))),
              (status = 400, description = "Malformed JSON or not UTF-8.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 404, description = "Not a FIA document: only FIA has a summary.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 413, description = "Over the size limit.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 422, description = "The document has error findings, or is not a document.", body = crate::problem::Problem, content_type = "application/problem+json")))]
pub(super) async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    today: Result<Query<SummaryQuery>, QueryRejection>,
    body: Body,
) -> Result<Response, ApiError> {
    caller.require(Action::Validate)?;
    let body = body.read().await?;
    let query = query(today)?;
    let language = match query.lang.as_deref() {
        None | Some("sv") => Language::Swedish,
        Some("en") => Language::English,
        Some(_) => {
            return Err(ApiError::invalid_request(Text {
                sv: "`lang` måste vara sv eller en".into(),
                en: "`lang` must be sv or en".into(),
            }));
        }
    };
    match query.format.as_deref() {
        None | Some("json") => {
            let summary = state.0.engine.summary(None, &body, query.today)?;
            Ok(Json(summary).into_response())
        }
        Some("html") => {
            let page = state
                .0
                .engine
                .printable_summary(None, &body, query.today, language)?;
            Ok((
                [(header::CONTENT_TYPE, bistand_core::html::CONTENT_TYPE)],
                page,
            )
                .into_response())
        }
        Some(_) => Err(ApiError::invalid_request(Text {
            sv: "`format` måste vara json eller html".into(),
            en: "`format` must be json or html".into(),
        })),
    }
}
