//! The one middleware around the router: a request id, load shedding, the timeout, the count
//! and the log line of every request, and the route templates they are counted under.

use std::cell::RefCell;
use std::future::Future;
use std::time::Instant;

use axum::Router;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};

use crate::problem::{ApiError, REQUEST_ID, RequestId};

use super::{AppState, CALLER};

/// The route templates of the API (`/v1/records/{id}`), to label a request's metrics and log
/// line with the route it took, never its path (a path can hold a record id).
///
/// The middleware runs once around the router rather than as a layer on every route (as
/// `axum::middleware::from_fn` would, where axum's `MatchedPath` gives the template): a layer
/// per route wrapped each in another boxed service, cloned on every request, which cost about
/// two microseconds of CPU per request. The templates come from the OpenAPI description, which
/// is generated from the same route declarations as the router; a test checks the two agree.
pub(super) struct RouteTemplates {
    /// Templates without parameters, tried first: axum prefers `/v1/records/search` to
    /// `/v1/records/{id}` too.
    fixed: Vec<String>,
    with_parameters: Vec<String>,
}

impl RouteTemplates {
    pub(super) fn new<'a>(templates: impl IntoIterator<Item = &'a String>) -> RouteTemplates {
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
pub(super) fn template_matches(template: &str, path: &str) -> bool {
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
pub(super) async fn observe(state: AppState, request: Request, mut router: Router) -> Response {
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
pub(super) async fn within<F: Future>(deadline: Instant, future: F) -> Option<F::Output> {
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

pub(super) fn method_name(method: &axum::http::Method) -> &'static str {
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

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

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
