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
mod records;
mod reports;
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
