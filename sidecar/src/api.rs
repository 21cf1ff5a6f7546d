//! The HTTP API: `fn app(state) -> Api`, its handlers, and the one middleware that gives each
//! request an id, sheds load, enforces the timeout, counts and logs it.
//!
//! Every handler is a thin shell over the same core and store functions the C ABI and the
//! command line call. Handlers never log; the middleware logs one line per request with its id,
//! method, route template, status, duration and principal name, and nothing from the request.

use std::cell::RefCell;
use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::response::Response;
use bistand_core::Engine;
use bistand_core::identifier::PseudonymKey;
use bistand_core::stats::perturbation::StatisticsKey;
use bistand_store::AuditedStore;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Principal, Principals};
use crate::config::Limits;
use crate::metrics::Metrics;
use crate::problem::ApiError;

mod admin;
mod describe;
mod extract;
mod observe;
mod page;
mod records;
mod reports;
mod schemas;
mod validation;

use admin::*;
use describe::*;
use observe::*;
use records::*;
use reports::*;
use validation::*;

tokio::task_local! {
    /// The principal of the request in progress, for the request's log line.
    static CALLER: RefCell<Option<Arc<Principal>>>;
}

/// The DER of the client certificate the connection presented, put on each of its requests by
/// the accept loop.
#[derive(Clone, Debug)]
pub struct PeerCertificate(pub Arc<Vec<u8>>);

/// Everything a handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    engine: Engine,
    store: Arc<dyn AuditedStore>,
    pseudonym_key: PseudonymKey,
    /// Record keys of reports are derived under it: every report is perturbed.
    statistics: StatisticsKey,
    principals: Principals,
    limits: Limits,
    metrics: Arc<Metrics>,
    openapi: String,
    routes: RouteTemplates,
}

impl AppState {
    /// The state of a service over `store`, whichever backend it is.
    pub fn new(
        engine: Engine,
        store: Arc<dyn AuditedStore>,
        pseudonym_key: PseudonymKey,
        statistics: StatisticsKey,
        principals: Principals,
        limits: Limits,
        metrics: Arc<Metrics>,
    ) -> AppState {
        let routes = RouteTemplates::new(openapi().paths.paths.keys());
        let openapi =
            serde_json::to_string_pretty(&openapi_document()).unwrap_or_else(|_| "{}".to_owned());
        AppState(Arc::new(Inner {
            engine,
            store,
            pseudonym_key,
            statistics,
            principals,
            limits,
            metrics,
            openapi,
            routes,
        }))
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "bistand",
        description = "FIA and SUE for Swedish social assistance: validation, summaries, \
                       pseudonymised encrypted records and group statistics with disclosure \
                       control. Errors are application/problem+json with a stable `type`. \
                       Records carry strong ETags (send `If-Match` to update), creates take an \
                       `Idempotency-Key`, times are RFC 3339, and the audit log and searches \
                       are paged with opaque cursors: see docs/http.md."
        // No `license` here: utoipa takes the workspace's (`MIT OR Apache-2.0`, Cargo.toml) as
        // its SPDX identifier, so the two cannot disagree.
    ),
    servers(
        (url = "https://localhost:8443", description = "A sidecar as `bistand init` sets it up \
                (the address is `server.listen` of its configuration)."),
    ),
    modifiers(&BearerScheme),
    components(schemas(
        crate::problem::Problem,
        schemas::InstrumentName,
        schemas::BreakdownList,
        reports::ReportFormat,
        reports::ReportLanguage,
        reports::ReportCsvDialect,
        describe::DefinitionFormat,
        validation::SummaryFormat
    ))
)]
struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The errors any operation can answer, declared on every one, and `application/problem+json` as
/// the media type of every error response: 401 (operations that need credentials), 408 (the
/// request timeout), 500 and 503 (overloaded, or the store does not answer). Applied in
/// [`openapi`], once every route is in.
struct CommonProblems;

impl Modify for CommonProblems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, RefOr, Response, ResponseBuilder};
        let problem = || {
            ContentBuilder::new()
                .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
                .build()
        };
        let response = |description: &str| -> RefOr<Response> {
            ResponseBuilder::new()
                .description(description)
                .content(crate::problem::PROBLEM_JSON, problem())
                .build()
                .into()
        };
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                let responses = &mut operation.responses.responses;
                for (status, answer) in responses.iter_mut() {
                    if status.starts_with(['4', '5'])
                        && let RefOr::T(answer) = answer
                        && let Some(json) = answer.content.shift_remove("application/json")
                    {
                        answer
                            .content
                            .insert(crate::problem::PROBLEM_JSON.to_owned(), json);
                    }
                }
                let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
                let mut common = vec![
                    (
                        "408",
                        "The request took longer than the configured timeout.",
                    ),
                    (
                        "500",
                        "Internal error; the request id identifies it in the service's log.",
                    ),
                    (
                        "503",
                        "Overloaded (retry after the Retry-After seconds) or the store does not answer.",
                    ),
                ];
                if operation.request_body.is_some()
                    || operation.parameters.as_ref().is_some_and(|p| !p.is_empty())
                {
                    common.push((
                        "400",
                        "A malformed request: JSON, a parameter or a header (the problem says which).",
                    ));
                }
                if operation.request_body.is_some() {
                    common.push(("413", "The body is over the configured size limit."));
                }
                if secured {
                    common.push(("401", "No or unknown credentials."));
                    common.push(("403", "Your role may not use this."));
                }
                for (status, description) in common {
                    responses
                        .entry(status.to_owned())
                        .or_insert_with(|| response(description));
                }
            }
        }
    }
}

fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(ready))
        .routes(routes!(metrics))
        .routes(routes!(instruments))
        .routes(routes!(definition))
        .routes(routes!(schema))
        .routes(routes!(validate))
        .routes(routes!(validate_questionnaire_response))
        .routes(routes!(summary))
        .routes(routes!(create_record))
        .routes(routes!(read_record, update_record))
        .routes(routes!(search_records))
        .routes(routes!(report))
        .routes(routes!(audit_entries))
        .routes(routes!(audit_verify))
        .routes(routes!(reseal))
}

/// The OpenAPI 3.1 description of the API, generated from the handlers.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut api) = routes().split_for_parts();
    api.paths.paths.insert(
        "/openapi.json".to_owned(),
        utoipa::openapi::path::PathItem::new(
            utoipa::openapi::HttpMethod::Get,
            utoipa::openapi::path::OperationBuilder::new()
                .summary(Some("This description (OpenAPI 3.1)."))
                .response(
                    "200",
                    utoipa::openapi::ResponseBuilder::new()
                        .description("The OpenAPI document.")
                        .content(
                            "application/json",
                            utoipa::openapi::ContentBuilder::new()
                                .example(Some(serde_json::json!({"openapi": "3.1.0"})))
                                .schema(Some(
                                    utoipa::openapi::ObjectBuilder::new()
                                        .schema_type(utoipa::openapi::schema::Type::Object),
                                ))
                                .build(),
                        ),
                ),
        ),
    );
    CommonProblems.modify(&mut api);
    api
}

/// A time the API answers with, held as Unix milliseconds (as the store keeps it) and written as
/// RFC 3339 in UTC with milliseconds (`2026-12-02T14:07:50.123Z`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rfc3339(pub(crate) i64);

impl serde::Serialize for Rfc3339 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let time = jiff::Timestamp::from_millisecond(self.0).map_err(serde::ser::Error::custom)?;
        serializer.collect_str(&format_args!("{time:.3}"))
    }
}

/// The OpenAPI 3.1 description as served at `/openapi.json`: [`openapi`] with the instruments'
/// document schemas added as components ([`schemas::document_schemas`]).
pub fn openapi_document() -> serde_json::Value {
    let mut document = serde_json::to_value(openapi()).unwrap_or_default();
    if let Some(components) = document
        .pointer_mut("/components/schemas")
        .and_then(serde_json::Value::as_object_mut)
    {
        for (name, schema) in schemas::document_schemas() {
            components.insert(name, schema);
        }
    }
    schemas::splice_examples(&mut document);
    document
}

/// The service: every route, with the request middleware ([`observe`]) around the router.
/// Building it needs no socket.
#[derive(Clone)]
pub struct Api {
    router: Router,
    state: AppState,
}

impl Api {
    /// Answers one request.
    pub fn call(&self, request: Request) -> impl Future<Output = Response> + Send + 'static {
        observe(self.state.clone(), request, self.router.clone())
    }
}

/// The service over `state`.
pub fn app(state: AppState) -> Api {
    let (router, _) = routes().split_for_parts();
    let router = router
        .route("/openapi.json", axum::routing::get(openapi_json))
        .fallback(|| async { ApiError::no_route() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .with_state(state.clone());
    Api { router, state }
}
