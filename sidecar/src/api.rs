//! The HTTP API: `fn app(state) -> Api`, its handlers, and the one middleware that gives each
//! request an id, sheds load, enforces the timeout, counts and logs it.
//!
//! Every handler is a thin shell over the same core and store functions the C ABI and the
//! command line call. Handlers never log; the middleware logs one line per request with its id,
//! method, route template, status, duration and principal name, and nothing from the request.

use std::cell::RefCell;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use bistand_core::identifier::PseudonymKey;
use bistand_core::stats::perturbation::StatisticsKey;
use bistand_core::stats::{ReportOptions, csv::to_csv};
use bistand_core::{Engine, Language, Text};
use bistand_store::{AuditEvent, AuditedStore, RecordId, RecordMeta, documents};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Action, ConnectionAuthentication, Principal, Principals, Share};
use crate::config::Limits;
use crate::metrics::Metrics;
use crate::problem::{ApiError, REQUEST_ID, RequestId};
use crate::today;

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
        let description = openapi();
        let routes = RouteTemplates::new(description.paths.paths.keys());
        let openapi = description
            .to_pretty_json()
            .unwrap_or_else(|_| "{}".to_owned());
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
                       control. Errors are application/problem+json with a stable `type`.",
        license(name = "EUPL-1.2")
    ),
    modifiers(&BearerScheme),
    components(schemas(crate::problem::Problem))
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

fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(ready))
        .routes(routes!(metrics))
        .routes(routes!(instruments))
        .routes(routes!(definition))
        .routes(routes!(schema))
        .routes(routes!(validate))
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
                    utoipa::openapi::Response::new("The OpenAPI document."),
                ),
        ),
    );
    api
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

/// The route templates of the API (`/v1/records/{id}`), to label a request's metrics and log
/// line with the route it took, never its path (a path can hold a record id).
///
/// The middleware runs once around the router rather than as a layer on every route (as
/// `axum::middleware::from_fn` would, where axum's `MatchedPath` gives the template): a layer
/// per route wrapped each in another boxed service, cloned on every request, which cost about
/// two microseconds of CPU per request. The templates come from the OpenAPI description, which
/// is generated from the same route declarations as the router; a test checks the two agree.
struct RouteTemplates {
    /// Templates without parameters, tried first: axum prefers `/v1/records/search` to
    /// `/v1/records/{id}` too.
    fixed: Vec<String>,
    with_parameters: Vec<String>,
}

impl RouteTemplates {
    fn new<'a>(templates: impl IntoIterator<Item = &'a String>) -> RouteTemplates {
        let (with_parameters, fixed) = templates
            .into_iter()
            .cloned()
            .partition(|template| template.contains('{'));
        RouteTemplates {
            fixed,
            with_parameters,
        }
    }

    /// The template `path` matches, or `unmatched`.
    fn label(&self, path: &str) -> &str {
        self.fixed
            .iter()
            .find(|template| template.as_str() == path)
            .or_else(|| {
                self.with_parameters
                    .iter()
                    .find(|template| template_matches(template, path))
            })
            .map_or("unmatched", String::as_str)
    }
}

/// Whether `path` matches `template`, segment by segment; `{name}` stands for one non-empty
/// segment (axum's rule).
fn template_matches(template: &str, path: &str) -> bool {
    let (mut template, mut path) = (template.split('/'), path.split('/'));
    loop {
        match (template.next(), path.next()) {
            (None, None) => return true,
            (Some(parameter), Some(segment))
                if parameter.starts_with('{') && parameter.ends_with('}') =>
            {
                if segment.is_empty() {
                    return false;
                }
            }
            (Some(fixed), Some(segment)) if fixed == segment => {}
            _ => return false,
        }
    }
}

/// Request id, load shedding, timeout, metrics and the request's log line, around the router.
async fn observe(state: AppState, request: Request, mut router: Router) -> Response {
    let started = Instant::now();
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .and_then(RequestId::parse)
        .unwrap_or_else(RequestId::generate);
    let method = method_name(request.method());
    let inner = &state.0;
    // The template (`/v1/records/{id}`), never the path: a path can hold a record id.
    let route = inner.routes.label(request.uri().path());

    let response = REQUEST_ID
        .scope(request_id, async {
            // Probes must answer while the service is saturated, so they bypass the limit.
            let probe = matches!(route, "/health" | "/ready" | "/metrics");
            let limit = (!probe).then_some(inner.limits.max_concurrent_requests);
            let Some(in_flight) = inner.metrics.admit(limit) else {
                return (
                    ApiError::overloaded(inner.limits.retry_after_seconds).into_response(),
                    None,
                );
            };
            let outcome = CALLER
                .scope(RefCell::new(None), async {
                    let deadline = started + inner.limits.request_timeout();
                    let routed = tower::Service::call(&mut router, request);
                    let response = match within(deadline, routed).await {
                        Some(Ok(response)) => response,
                        Some(Err(never)) => match never {},
                        None => ApiError::timeout().into_response(),
                    };
                    (response, CALLER.with(|c| c.borrow().clone()))
                })
                .await;
            drop(in_flight);
            outcome
        })
        .await;
    let (mut response, principal) = response;

    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    inner.metrics.request(route, method, status, elapsed);
    crate::logging::request(&crate::logging::RequestLine {
        request_id: request_id.as_str(),
        method,
        route,
        status,
        duration_us: u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        principal: principal.as_ref().map_or("-", |p| p.name.as_str()),
    });
    if let Ok(value) = HeaderValue::from_str(request_id.as_str()) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// `future`'s output, or `None` once `deadline` has passed while it was waiting.
///
/// The timer is set only when the future first has to wait: most requests arrive whole and are
/// answered in one poll, and setting and cancelling a timer for each of them (what
/// `tokio::time::timeout` does) cost about a microsecond of CPU per request.
async fn within<F: Future>(deadline: Instant, future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut timer: Option<std::pin::Pin<Box<tokio::time::Sleep>>> = None;
    std::future::poll_fn(|context| {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(context) {
            return std::task::Poll::Ready(Some(output));
        }
        timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline.into())))
            .as_mut()
            .poll(context)
            .map(|()| None)
    })
    .await
}

fn method_name(method: &axum::http::Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "PATCH" => "PATCH",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    }
}

/// The authenticated caller of a request: the bearer token's principal, else the client
/// certificate's (refused when the two name different principals), holding one of the
/// principal's share of the request slots for as long as the handler runs.
struct Caller {
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
            .ok_or_else(|| ApiError::overloaded(inner.limits.retry_after_seconds))?;
        Ok(Caller {
            principal,
            _share: share,
        })
    }
}

impl Caller {
    fn require(&self, action: Action) -> Result<&Principal, ApiError> {
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
struct Body {
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
fn linger(body: axum::body::Body, limit: usize) {
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
    async fn read(self) -> Result<Bytes, ApiError> {
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

fn query<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
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

fn json_body<'a, T: Deserialize<'a>>(bytes: &'a [u8], shape: &str) -> Result<T, ApiError> {
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

fn now_millis() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// Runs store work on the blocking pool (store calls block).
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| ApiError::internal("blocking task failed"))?
}

fn audit(
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
    }
}

// --- Probes and descriptions -------------------------------------------------------------------

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health", tag = "operations",
    responses((status = 200, description = "The process is alive.", body = serde_json::Value)))]
async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Readiness: the store answers.
#[utoipa::path(get, path = "/ready", tag = "operations",
    responses(
        (status = 200, description = "Ready to serve.", body = serde_json::Value),
        (status = 503, description = "The store does not answer.", body = crate::problem::Problem,
         content_type = "application/problem+json")))]
async fn ready(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let store = state.0.store.clone();
    blocking(move || {
        store
            .ping()
            .map_err(|_| ApiError::internal("store not ready"))
    })
    .await
    .map_err(|_| ApiError::not_ready())?;
    Ok(Json(serde_json::json!({ "status": "ready" })))
}

/// Prometheus metrics (text format 0.0.4).
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Counters in the Prometheus text format.", body = String,
               content_type = "text/plain")))]
async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.0.metrics.render(),
    )
        .into_response()
}

async fn openapi_json(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.0.openapi.clone(),
    )
        .into_response()
}

/// One loaded instrument definition.
#[derive(Serialize, ToSchema)]
struct InstrumentInfo {
    instrument: String,
    version: String,
    #[schema(value_type = Object)]
    title: serde_json::Value,
}

/// The instrument definitions this service validates.
#[utoipa::path(get, path = "/v1/instruments", tag = "instruments", security(("bearer" = [])),
    responses((status = 200, description = "The loaded instruments and versions.", body = Vec<InstrumentInfo>), (status = 401, description = "No or unknown credentials.", body = crate::problem::Problem)))]
async fn instruments(State(state): State<AppState>, _caller: Caller) -> Json<Vec<InstrumentInfo>> {
    Json(
        state
            .0
            .engine
            .definitions()
            .map(|d| InstrumentInfo {
                instrument: d.instrument().to_owned(),
                version: d.version().to_owned(),
                title: serde_json::to_value(d.title()).unwrap_or_default(),
            })
            .collect(),
    )
}

/// `?version=`: a version of the instrument; the newest when absent.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct VersionQuery {
    /// Instrument version; default: the newest.
    version: Option<String>,
}

/// The definition of an instrument (what forms are rendered from).
#[utoipa::path(get, path = "/v1/instruments/{instrument}/definition", tag = "instruments",
    security(("bearer" = [])), params(("instrument" = String, Path, description = "fia or sue"), VersionQuery),
    responses((status = 200, description = "The definition JSON.", body = serde_json::Value),
              (status = 404, description = "Unknown instrument or version.", body = crate::problem::Problem)))]
async fn definition(
    State(state): State<AppState>,
    _caller: Caller,
    Path(instrument): Path<String>,
    version: Result<Query<VersionQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let version = query(version)?.version;
    let definition = state.0.engine.definition(&instrument, version.as_deref())?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        definition.source_json().to_owned(),
    )
        .into_response())
}

/// The JSON Schema (2020-12) of an instrument's documents.
#[utoipa::path(get, path = "/v1/instruments/{instrument}/schema", tag = "instruments",
    security(("bearer" = [])), params(("instrument" = String, Path, description = "fia or sue"), VersionQuery),
    responses((status = 200, description = "The JSON Schema.", body = serde_json::Value),
              (status = 404, description = "Unknown instrument or version.", body = crate::problem::Problem)))]
async fn schema(
    State(state): State<AppState>,
    _caller: Caller,
    Path(instrument): Path<String>,
    version: Result<Query<VersionQuery>, QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let version = query(version)?.version;
    Ok(Json(
        state.0.engine.schema(&instrument, version.as_deref())?,
    ))
}

// --- Documents ---------------------------------------------------------------------------------

/// `?instrument=`: the instrument the document must answer.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct InstrumentQuery {
    /// Refuse documents of another instrument.
    instrument: Option<String>,
}

/// Validates a document: the findings report (invalid documents are not an error).
#[utoipa::path(post, path = "/v1/validate", tag = "documents", security(("bearer" = [])),
    params(InstrumentQuery),
    request_body(content = serde_json::Value, description = "A FIA or SUE document.", content_type = "application/json"),
    responses((status = 200, description = "The validation report: valid, errors, warnings, findings.", body = serde_json::Value),
              (status = 400, description = "Malformed JSON or not UTF-8.", body = crate::problem::Problem),
              (status = 413, description = "Over the size limit.", body = crate::problem::Problem),
              (status = 422, description = "Not a document (envelope), too deep, wrong instrument.", body = crate::problem::Problem)))]
async fn validate(
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

/// A date in a query by the one strict rule ([`bistand_core::date::parse_date`]): `YYYY-MM-DD`,
/// a real calendar date, as in documents, the C ABI and the command line.
fn strict_date<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Date>, D::Error> {
    let text = Option::<String>::deserialize(deserializer)?;
    text.map(|text| {
        bistand_core::date::parse_date(&text)
            .ok_or_else(|| serde::de::Error::custom("expected a real date written YYYY-MM-DD"))
    })
    .transpose()
}

/// `?today=`: the reference date for the next follow-up.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct SummaryQuery {
    /// Reference date (YYYY-MM-DD) for the next follow-up; default: the earliest follow-up.
    #[param(value_type = Option<String>, format = Date)]
    #[serde(default, deserialize_with = "strict_date")]
    today: Option<Date>,
}

/// The derived summary of a valid FIA document.
#[utoipa::path(post, path = "/v1/summary", tag = "documents", security(("bearer" = [])),
    params(SummaryQuery),
    request_body(content = serde_json::Value, description = "A FIA document.", content_type = "application/json"),
    responses((status = 200, description = "The summary.", body = serde_json::Value),
              (status = 422, description = "The document has error findings.", body = crate::problem::Problem)))]
async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    today: Result<Query<SummaryQuery>, QueryRejection>,
    body: Body,
) -> Result<Response, ApiError> {
    caller.require(Action::Validate)?;
    let body = body.read().await?;
    let today = query(today)?.today;
    let summary = state.0.engine.summary(None, &body, today)?;
    Ok(Json(summary).into_response())
}

// --- Records -----------------------------------------------------------------------------------

/// `POST /v1/records`: a document and the client it is about.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewRecordBody<'a> {
    /// Personnummer, samordningsnummer or case number: pseudonymised here, never stored.
    client_id: String,
    /// The FIA or SUE document.
    #[serde(borrow)]
    #[schema(value_type = Object)]
    document: &'a RawValue,
}

/// A stored record's metadata (never the client's identity).
#[derive(Serialize, ToSchema)]
struct RecordView {
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
struct Written {
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
async fn create_record(
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
        documents::PrepareError::ClientId(_) => ApiError::invalid_client_id(),
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
struct RecordWithDocument {
    record: RecordView,
    #[schema(value_type = Object)]
    document: Box<RawValue>,
}

/// Reads a record of one of your units.
#[utoipa::path(get, path = "/v1/records/{id}", tag = "records", security(("bearer" = [])),
    params(("id" = String, Path, description = "Record id: 32 lowercase hex digits.")),
    responses((status = 200, description = "The record and its document.", body = RecordWithDocument),
              (status = 404, description = "No such record in your units.", body = crate::problem::Problem)))]
async fn read_record(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let principal = caller.require(Action::Records)?.clone();
    let id = record_id(&id)?;
    let store = state.0.store.clone();
    let record = blocking(move || {
        let record = store.get(&id)?;
        let allowed = principal.has_unit(&record.meta.unit);
        let outcome = if allowed { "ok" } else { "denied" };
        store.audit_append(audit(
            &principal,
            "record.read",
            Some(&record.meta.unit),
            Some(&record.meta),
            outcome,
        ))?;
        if allowed {
            Ok(record)
        } else {
            Err(ApiError::record_not_found())
        }
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
async fn update_record(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
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
    let meta = blocking(move || {
        let current = store.get(&id)?;
        if !principal.has_unit(&current.meta.unit) {
            store.audit_append(audit(
                &principal,
                "record.update",
                Some(&current.meta.unit),
                Some(&current.meta),
                "denied",
            ))?;
            return Err(ApiError::record_not_found());
        }
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
struct SearchBody {
    /// Personnummer, samordningsnummer or case number.
    client_id: String,
    /// Only records of this instrument.
    instrument: Option<String>,
}

/// The records found.
#[derive(Serialize, ToSchema)]
struct Found {
    records: Vec<RecordView>,
}

/// The records of a client in your units, oldest first.
#[utoipa::path(post, path = "/v1/records/search", tag = "records", security(("bearer" = [])),
    request_body(content = SearchBody, content_type = "application/json"),
    responses((status = 200, description = "Metadata of the records found.", body = Found)))]
async fn search_records(
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
            .map_err(|_| ApiError::invalid_client_id())?;
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
        Ok(mine)
    })
    .await?;
    Ok(Json(Found {
        records: records.iter().map(RecordView::from).collect(),
    })
    .into_response())
}

fn record_id(text: &str) -> Result<RecordId, ApiError> {
    RecordId::parse(text).map_err(|_| {
        ApiError::invalid_request(Text {
            sv: "ett post-id är 32 hexadecimala gemener".into(),
            en: "a record id is 32 lowercase hexadecimal digits".into(),
        })
    })
}

// --- Reports -----------------------------------------------------------------------------------

/// Report filters and format.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ReportQuery {
    /// The date the report describes (YYYY-MM-DD); default: today.
    #[param(value_type = Option<String>, format = Date)]
    #[serde(default, deserialize_with = "strict_date")]
    as_of: Option<Date>,
    /// Disclosure threshold (at least 5, the default).
    threshold: Option<u64>,
    /// Comma-separated breakdowns: gender, age_band, origin, household, unit, period; default:
    /// all.
    breakdowns: Option<String>,
    /// Comma-separated units, all yours; default: all your units.
    units: Option<String>,
    /// `json` (default) or `csv`.
    format: Option<String>,
    /// Headings of the CSV: `sv` (default) or `en`.
    lang: Option<String>,
}

/// A report, and how many stored records could not be read as documents and were not counted.
#[derive(Serialize)]
struct ReportBody<'a> {
    report: &'a bistand_core::stats::GroupReport,
    records_not_counted: usize,
}

/// A group report over the records of your units, with small cells suppressed.
#[utoipa::path(get, path = "/v1/reports/{instrument}", tag = "reports", security(("bearer" = [])),
    params(("instrument" = String, Path, description = "sue or fia"), ReportQuery),
    responses((status = 200, description = "The report (JSON, or CSV with format=csv).", body = serde_json::Value),
              (status = 403, description = "Not an analyst, or a unit that is not yours.", body = crate::problem::Problem)))]
async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(instrument): Path<String>,
    filters: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let principal = caller.require(Action::Reports)?.clone();
    let filters = query(filters)?;
    let options = ReportOptions::new(
        filters.threshold,
        filters
            .breakdowns
            .as_deref()
            .map(|list| list.split(',').filter(|n| !n.is_empty())),
    )?;
    let units: Vec<String> = match &filters.units {
        None => principal
            .units
            .iter()
            .map(|u| u.as_str().to_owned())
            .collect(),
        Some(list) => {
            let units: Vec<String> = list.split(',').map(str::to_owned).collect();
            if units.iter().any(|u| !principal.has_unit(u)) {
                return Err(ApiError::forbidden_unit());
            }
            units
        }
    };
    let csv = match filters.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => {
            return Err(ApiError::invalid_request(Text {
                sv: "`format` måste vara json eller csv".into(),
                en: "`format` must be json or csv".into(),
            }));
        }
    };
    let language = match filters.lang.as_deref() {
        None | Some("sv") => Language::Swedish,
        Some("en") => Language::English,
        Some(_) => {
            return Err(ApiError::invalid_request(Text {
                sv: "`lang` måste vara sv eller en".into(),
                en: "`lang` must be sv or en".into(),
            }));
        }
    };
    // The instrument is checked before any audit entry is written.
    state.0.engine.definition(&instrument, None)?;
    let as_of = filters.as_of.unwrap_or_else(today);
    let state = state.clone();
    let report = blocking(move || {
        let inner = &state.0;
        for unit in &units {
            inner
                .store
                .audit_append(audit(&principal, "report.read", Some(unit), None, "ok"))?;
        }
        let report = documents::report_from_store(
            &*inner.store,
            &inner.engine,
            &instrument,
            Some(&units),
            as_of,
            &options,
            &inner.statistics,
        )?;
        Ok(report)
    })
    .await?;
    if csv {
        Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            to_csv(&report.report, language),
        )
            .into_response())
    } else {
        Ok(Json(ReportBody {
            report: &report.report,
            records_not_counted: report.not_counted.len(),
        })
        .into_response())
    }
}

// --- Administration ----------------------------------------------------------------------------

/// `?after=&limit=`: a page of the audit log.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
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
async fn audit_entries(
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
async fn audit_verify(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
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
struct ResealQuery {
    /// Records to re-seal in this call (default 1000, at most 100000).
    batch_size: Option<usize>,
}

/// Re-seals a batch of records still under an old data key with the active key; call until
/// `remaining` is 0.
#[utoipa::path(post, path = "/v1/keys/reseal", tag = "administration", security(("bearer" = [])),
    params(ResealQuery),
    responses((status = 200, description = "`resealed` and `remaining`.", body = serde_json::Value),
              (status = 403, description = "Not an admin.", body = crate::problem::Problem)))]
async fn reseal(
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn within_answers_what_finishes_in_time_and_none_after_the_deadline() {
        let soon = Instant::now() + Duration::from_millis(200);
        assert_eq!(within(soon, async { 7 }).await, Some(7), "ready at once");
        let waits = async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            8
        };
        assert_eq!(
            within(soon, waits).await,
            Some(8),
            "waits, but not too long"
        );
        let started = Instant::now();
        let deadline = started + Duration::from_millis(50);
        assert_eq!(within(deadline, std::future::pending::<()>()).await, None);
        assert!(started.elapsed() >= Duration::from_millis(50));
        let past = Instant::now() - Duration::from_millis(1);
        assert_eq!(
            within(past, async { 9 }).await,
            Some(9),
            "a finished future is answered even past the deadline"
        );
    }
}
