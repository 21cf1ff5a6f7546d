//! The one error type of the HTTP API and its one conversion into `application/problem+json`
//! (RFC 9457).
//!
//! Every problem has a stable `type` (`urn:bistand:problem:<kind>`, the kind names of the core and
//! the C ABI where they exist), an HTTP status, a title, a `detail` in English and a `message` with
//! Swedish and English texts, the request id, and sometimes a `report` (the validation findings of
//! a document that could not be stored). Client errors carry the core's message and are logged at
//! debug level; internal errors return a generic message and are logged once, at error level,
//! with their kind only (never a value from the request).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bistand_core::{Error as CoreError, ErrorKind as CoreKind, Report, Text};
use bistand_store::{Error as StoreError, ErrorKind as StoreKind};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of problem responses.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// What went wrong, as the API reports it.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    text: Text,
    report: Option<Box<Report>>,
    retry_after: Option<u64>,
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// `urn:bistand:problem:<kind>`: stable, for programs to branch on.
    #[serde(rename = "type")]
    #[schema(example = "urn:bistand:problem:malformed_json")]
    pub kind: String,
    /// Short summary of the kind (English).
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What happened (English).
    pub detail: String,
    /// What happened, in Swedish and English.
    pub message: Message,
    /// The request id (also in the `x-request-id` header), for support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The validation report, when a document was refused for its findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<bistand_core::Report>)]
    pub report: Option<Box<Report>>,
}

/// A text in both languages.
#[derive(Debug, Serialize, ToSchema)]
pub struct Message {
    /// Swedish.
    pub sv: String,
    /// English.
    pub en: String,
}

tokio::task_local! {
    /// The id of the request being served: set by the middleware around each request, read when
    /// a problem is written, so every problem carries it without handlers passing it along.
    pub static REQUEST_ID: RequestId;
}

/// A request id: 1 to 64 ASCII letters, digits and `-`, held inline so that giving it to the
/// request's task, its log line and its response allocates nothing.
#[derive(Clone, Copy)]
pub struct RequestId {
    bytes: [u8; RequestId::MAX],
    len: u8,
}

impl RequestId {
    /// The longest id accepted from a client.
    pub const MAX: usize = 64;

    /// A client's `x-request-id`, if it is one we may echo and log (anything else could carry
    /// personal data or break a log line): 1-64 ASCII letters, digits or `-`, and nothing shaped
    /// like a personnummer, samordningsnummer or e-mail address (`19121212-1212` is refused and
    /// replaced by a generated id, so a client cannot put an identifier into the log this way).
    pub fn parse(text: &str) -> Option<RequestId> {
        let fits = !text.is_empty()
            && text.len() <= RequestId::MAX
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && bistand_core::identifier::find_identifier_like(text).is_none();
        fits.then(|| {
            let mut bytes = [0; RequestId::MAX];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            RequestId {
                bytes,
                len: text.len() as u8,
            }
        })
    }

    /// A new id: a random prefix drawn once per process and a counter, so ids are unique
    /// across restarts and replicas without a system call per request.
    pub fn generate() -> RequestId {
        static PREFIX: std::sync::OnceLock<[u8; 12]> = std::sync::OnceLock::new();
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let prefix = PREFIX.get_or_init(|| {
            let mut hex = [b'0'; 12];
            // Twelve hex digits can, rarely, all be decimal and look like a personnummer; draw
            // again then, so a generated id always passes `parse`. An id only has to be unique
            // enough to find a log line: a failed random source gives the all-zero prefix.
            for _ in 0..16 {
                let mut random = [0u8; 6];
                let _ = getrandom::fill(&mut random);
                let _ = hex::encode_to_slice(random, &mut hex);
                let text = std::str::from_utf8(&hex).unwrap_or_default();
                if bistand_core::identifier::find_identifier_like(text).is_none() {
                    break;
                }
            }
            hex
        });
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut bytes = [0; RequestId::MAX];
        bytes[..12].copy_from_slice(prefix);
        bytes[12] = b'-';
        // The counter in lowercase hex, most significant digit first, without leading zeros.
        let digits = (64 - n.leading_zeros()).div_ceil(4).max(1) as usize;
        for (i, slot) in bytes[13..13 + digits].iter_mut().enumerate() {
            let nibble = (n >> (4 * (digits - 1 - i))) & 0xf;
            *slot = b"0123456789abcdef"[nibble as usize];
        }
        RequestId {
            bytes,
            len: (13 + digits) as u8,
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored (see `parse` and `generate`).
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("-")
    }
}

impl std::fmt::Debug for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ApiError {
    fn new(status: StatusCode, kind: &'static str, text: Text) -> ApiError {
        ApiError {
            status,
            kind,
            text,
            report: None,
            retry_after: None,
        }
    }

    /// 401: no or unknown credentials.
    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            Text {
                sv: "en bärartoken eller ett klientcertifikat för en konfigurerad användare krävs"
                    .into(),
                en: "a bearer token or a client certificate of a configured principal is required"
                    .into(),
            },
        )
    }

    /// 401: the bearer token and the client certificate belong to different principals.
    pub fn conflicting_credentials() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            Text {
                sv: "bärartoken och klientcertifikatet tillhör olika användare; \
                     använd en användares uppgifter"
                    .into(),
                en: "the bearer token and the client certificate belong to different principals; \
                     present the credentials of one principal"
                    .into(),
            },
        )
    }

    /// 403: the role may not do this.
    pub fn forbidden_role(role: &str) -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            Text {
                sv: format!("rollen {role} får inte använda den här tjänsten"),
                en: format!("the {role} role may not use this endpoint"),
            },
        )
    }

    /// 403: the unit is not one of the principal's.
    pub fn forbidden_unit() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            Text {
                sv: "enheten är inte en av dina".into(),
                en: "the unit is not one of yours".into(),
            },
        )
    }

    /// 404: no such record, or one outside the caller's units (the two are not told apart, so
    /// record ids of other units cannot be probed).
    pub fn record_not_found() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            Text {
                sv: "ingen post med detta id i dina enheter".into(),
                en: "no record with this id in your units".into(),
            },
        )
    }

    /// 404: no such route.
    pub fn no_route() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no_route",
            Text {
                sv: "ingen sådan tjänst; se /openapi.json".into(),
                en: "no such endpoint; see /openapi.json".into(),
            },
        )
    }

    /// 405: the route exists with other methods.
    pub fn method_not_allowed() -> ApiError {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            Text {
                sv: "tjänsten tar inte emot den här metoden; se /openapi.json".into(),
                en: "this endpoint does not take this method; see /openapi.json".into(),
            },
        )
    }

    /// 400: a request parameter or field is wrong.
    pub fn invalid_request(text: Text) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", text)
    }

    /// 413: the body is over the configured limit.
    pub fn body_too_large(limit: usize) -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            Text {
                sv: format!("begärans innehåll är större än gränsen {limit} byte"),
                en: format!("the request body is over the limit of {limit} bytes"),
            },
        )
    }

    /// 415: the body is not JSON.
    pub fn unsupported_media_type() -> ApiError {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            Text {
                sv: "skicka innehållet som application/json".into(),
                en: "send the body as application/json".into(),
            },
        )
    }

    /// 422: a table the instrument's report does not have (a well-formed table name: the
    /// description lists the tables of every instrument, and which belong to which is data).
    pub fn table_not_in_report(error: &CoreError) -> ApiError {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "table_not_in_report",
            error.text().clone(),
        )
    }

    /// 422: the document has error findings and was not stored.
    pub fn document_not_valid(report: Report) -> ApiError {
        let errors = report.errors;
        let mut error = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "document_not_valid",
            Text {
                sv: format!("dokumentet har {errors} fel och sparades inte; se `report`"),
                en: format!(
                    "the document has {errors} error finding(s) and was not stored; see `report`"
                ),
            },
        );
        error.report = Some(Box::new(report));
        error
    }

    /// 503: too many requests in progress.
    pub fn overloaded(retry_after: u64) -> ApiError {
        let mut error = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            Text {
                sv: "tjänsten är upptagen; försök igen efter tiden i Retry-After".into(),
                en: "the service is busy; retry after the time in Retry-After".into(),
            },
        );
        error.retry_after = Some(retry_after);
        error
    }

    /// 408: the request took longer than the configured timeout.
    pub fn timeout() -> ApiError {
        ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
            Text {
                sv: "begäran tog längre tid än den inställda gränsen".into(),
                en: "the request took longer than the configured timeout".into(),
            },
        )
    }

    /// 422: the client id cannot be one (empty, too long, a control character); `problem` says
    /// which, from the core's one rule, without repeating it.
    pub fn invalid_client_id(problem: Text) -> ApiError {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_identifier",
            problem,
        )
    }

    /// 428: a `PUT` of a record without `If-Match`.
    pub fn precondition_required() -> ApiError {
        ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition_required",
            Text {
                sv: "skicka If-Match med postens ETag från när du läste den, så att ingen \
                     annans ändring skrivs över"
                    .into(),
                en: "send If-Match with the record's ETag from when you read it, so that no \
                     one else's change is overwritten"
                    .into(),
            },
        )
    }

    /// 412: `If-Match` names a version of the record that is no longer current.
    pub fn precondition_failed() -> ApiError {
        ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            "precondition_failed",
            Text {
                sv: "posten har ändrats sedan du läste den; läs den igen och gör om ändringen"
                    .into(),
                en: "the record has changed since you read it; read it again and redo the change"
                    .into(),
            },
        )
    }

    /// 422: an `Idempotency-Key` used before with another body.
    pub fn idempotency_key_reused() -> ApiError {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            Text {
                sv: "Idempotency-Key har redan använts för en annan begäran; använd en ny nyckel \
                     för en ny post"
                    .into(),
                en: "the Idempotency-Key was used for another request; use a new key for a new \
                     record"
                    .into(),
            },
        )
    }

    /// 503: the store does not answer.
    pub fn not_ready() -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            Text {
                sv: "lagret svarar inte".into(),
                en: "the store does not answer".into(),
            },
        )
    }

    /// The same messages under another status and kind.
    pub fn with_status(mut self, status: StatusCode, kind: &'static str) -> ApiError {
        self.status = status;
        self.kind = kind;
        self
    }

    /// 500 with a generic message; the kind alone is logged.
    pub fn internal(what: &'static str) -> ApiError {
        tracing::error!(kind = what, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            Text {
                sv: "internt fel; begärans id identifierar det i tjänstens logg".into(),
                en: "internal error; the request id identifies it in the service's log".into(),
            },
        )
    }

    /// 500 for a stored record that fails authentication, which the caller has already logged
    /// with the request id and the record id (so it is not logged again here).
    pub fn unreadable_record() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            Text {
                sv: "internt fel; begärans id identifierar det i tjänstens logg".into(),
                en: "internal error; the request id identifies it in the service's log".into(),
            },
        )
    }

    /// The stable kind (`type` without its prefix).
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response, stamped with `request_id`.
    pub fn into_problem(self, request_id: Option<String>) -> Response {
        if self.status.is_server_error() && self.kind != "overloaded" {
            tracing::debug!(kind = self.kind, "server error returned");
        } else {
            tracing::debug!(kind = self.kind, "client error returned");
        }
        let body = Problem {
            kind: format!("urn:bistand:problem:{}", self.kind),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.text.en.clone(),
            message: Message {
                sv: self.text.sv,
                en: self.text.en,
            },
            request_id,
            report: self.report,
        };
        let mut response = (self.status, Json(body)).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"bistand\""),
            );
        }
        response
    }
}

/// Handlers return `Result<_, ApiError>`; the problem carries the id of the request in progress.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let request_id = REQUEST_ID.try_with(|id| id.as_str().to_owned()).ok();
        self.into_problem(request_id)
    }
}

impl From<CoreError> for ApiError {
    fn from(error: CoreError) -> ApiError {
        let status = match error.kind() {
            CoreKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            CoreKind::UnknownInstrument | CoreKind::UnknownVersion => StatusCode::NOT_FOUND,
            CoreKind::InvalidUtf8
            | CoreKind::MalformedJson
            | CoreKind::InvalidArgument
            | CoreKind::InvalidProfile => StatusCode::BAD_REQUEST,
            CoreKind::TooDeep
            | CoreKind::InvalidDocument
            | CoreKind::InstrumentMismatch
            | CoreKind::InvalidIdentifier
            | CoreKind::DocumentNotValid => StatusCode::UNPROCESSABLE_ENTITY,
            CoreKind::InvalidDefinition | CoreKind::UnknownKey | CoreKind::IntegrityFailure => {
                return ApiError::internal(error.kind().as_str());
            }
            _ => return ApiError::internal("unclassified core error"),
        };
        ApiError::new(
            status,
            error.kind().as_str(),
            Text {
                sv: error.message_sv().into(),
                en: error.message_en().into(),
            },
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        match error.kind() {
            StoreKind::NotFound => ApiError::record_not_found(),
            StoreKind::Stale => ApiError::precondition_failed(),
            StoreKind::InvalidInput => ApiError::invalid_request(error.text().clone()),
            StoreKind::Integrity => ApiError::internal("integrity_failure"),
            StoreKind::UnknownKey => ApiError::internal("unknown_key"),
            StoreKind::Database => ApiError::internal("database"),
            StoreKind::Migration => ApiError::internal("migration"),
            _ => ApiError::internal("store"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_parsed_strictly_and_generated_unique() {
        assert_eq!(
            RequestId::parse("canary-request-1").map(|id| id.as_str().to_owned()),
            Some("canary-request-1".to_owned())
        );
        for refused in [
            "",
            "a b",
            "19121212-1212\n",
            "19121212-1212",
            "121212-1212",
            "191212121212",
            "req-19121212-1212",
            "å",
            &"x".repeat(65),
        ] {
            assert!(RequestId::parse(refused).is_none(), "{refused:?}");
        }
        assert!(RequestId::parse(&"x".repeat(64)).is_some());
        let ids: Vec<String> = (0..300)
            .map(|_| RequestId::generate().as_str().to_owned())
            .collect();
        let distinct: std::collections::HashSet<&String> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len());
        for id in &ids {
            let (prefix, counter) = id.split_once('-').expect("prefix-counter");
            assert_eq!(prefix.len(), 12);
            assert!(u64::from_str_radix(counter, 16).is_ok(), "{id}");
            assert!(counter == "0" || !counter.starts_with('0'), "{id}");
            assert!(RequestId::parse(id).is_some(), "generated ids parse");
        }
    }

    #[test]
    fn problems_are_problem_json_with_a_stable_type() {
        let response = ApiError::overloaded(2).into_problem(Some("r1".into()));
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        assert_eq!(response.headers()[header::RETRY_AFTER], "2");
        let response = ApiError::unauthenticated().into_problem(None);
        assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
    }

    #[test]
    fn core_kinds_keep_their_name_and_message() {
        let error = bistand_core::Engine::new()
            .expect("builtin")
            .validate(None, b"{")
            .expect_err("malformed");
        let api = ApiError::from(error);
        assert_eq!(api.kind(), "malformed_json");
        assert_eq!(api.status(), StatusCode::BAD_REQUEST);
    }
}
