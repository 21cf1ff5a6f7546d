//! The sidecar's configuration file (TOML): where to listen, TLS, the store, limits and who may
//! call. Loading checks everything before the server starts, and every message names the key at
//! fault (`limits.max_concurrent_requests`, `principals[2].token_sha256`) without repeating a
//! value from the file.
//!
//! ```toml
//! [server]
//! listen = "0.0.0.0:8443"
//!
//! [tls]
//! certificate = "server.pem"        # chain, leaf first
//! private_key = "server.key"
//! client_ca = "ca.pem"              # optional: accept client certificates issued by this CA
//! require_client_certificate = false
//!
//! [store]
//! path = "bistand.db"
//! keys = "keys.json"
//!
//! [[principals]]
//! name = "handlaggare-norr"
//! role = "caseworker"               # caseworker | analyst | admin
//! units = ["norr"]
//! token_sha256 = "…64 hex…"         # SHA-256 of the bearer token, never the token
//! ```
//!
//! Relative paths are relative to the configuration file's folder. Units follow the one unit-name
//! rule ([`bistand_core::UnitName`]): `units = ["Söder"]` and `units = ["söder"]` name one unit.

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bistand_core::UnitName;
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError, ValidationErrors, ValidationErrorsKind};

/// The whole configuration file.
#[derive(Clone, Debug, Deserialize, Serialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// A folder of instrument definitions the organisation supplies (`*.json`, see
    /// docs/definitions.md), served beside the shipped ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definitions: Option<PathBuf>,
    /// Listening address and plain-HTTP switch.
    #[validate(nested)]
    pub server: ServerSection,
    /// TLS files; required unless `server.plain_http` is set (loopback only).
    #[validate(nested)]
    pub tls: Option<TlsSection>,
    /// The record store and its keys.
    #[validate(nested)]
    pub store: StoreSection,
    /// Request limits and load shedding.
    #[serde(default)]
    #[validate(nested)]
    pub limits: Limits,
    /// Who may call, and as what.
    #[validate(length(min = 1, message = "at least one principal is needed"), nested)]
    pub principals: Vec<PrincipalConfig>,
    /// Log output.
    #[serde(default)]
    #[validate(nested)]
    pub log: LogSection,
}

/// `[server]`.
#[derive(Clone, Debug, Deserialize, Serialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ServerSection {
    /// Address and port, e.g. `0.0.0.0:8443`; port 0 picks a free port (tests).
    pub listen: SocketAddr,
    /// Serve plain HTTP instead of TLS. Refused unless `listen` is a loopback address, so a
    /// reverse proxy on the same host is the only way to reach it.
    #[serde(default)]
    pub plain_http: bool,
    /// Seconds that in-flight requests get to finish after SIGTERM or SIGINT.
    #[serde(default = "default_grace")]
    #[validate(range(min = 1, max = 600, message = "must be between 1 and 600 seconds"))]
    pub shutdown_grace_seconds: u64,
}

/// `[tls]`.
#[derive(Clone, Debug, Deserialize, Serialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct TlsSection {
    /// PEM certificate chain of the server, leaf first.
    pub certificate: PathBuf,
    /// PEM private key of the server (PKCS#8, PKCS#1 or SEC1).
    pub private_key: PathBuf,
    /// PEM certificates of the CA that issues client certificates; enables mTLS.
    pub client_ca: Option<PathBuf>,
    /// Refuse the TLS handshake of a client without a certificate from `client_ca`.
    #[serde(default)]
    pub require_client_certificate: bool,
}

/// `[store]`.
#[derive(Clone, Debug, Deserialize, Serialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct StoreSection {
    /// The SQLite store file (created if missing).
    pub path: PathBuf,
    /// The keys file (`bistand keys generate`): pseudonym key and data keys.
    pub keys: PathBuf,
}

/// `[limits]`: what one request may cost.
#[derive(Clone, Debug, Deserialize, Serialize, Validate)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest request body in bytes.
    #[validate(range(
        min = 1024,
        max = 67_108_864,
        message = "must be between 1024 and 67108864 bytes"
    ))]
    pub max_body_bytes: usize,
    /// Largest request head (request line and headers) in bytes.
    #[validate(range(
        min = 1024,
        max = 1_048_576,
        message = "must be between 1024 and 1048576 bytes"
    ))]
    pub max_header_bytes: usize,
    /// Seconds a request may take from its head being read to its response.
    #[validate(range(min = 1, max = 600, message = "must be between 1 and 600 seconds"))]
    pub request_timeout_seconds: u64,
    /// Seconds a client has to complete the TLS handshake and send a request head.
    #[validate(range(min = 1, max = 120, message = "must be between 1 and 120 seconds"))]
    pub handshake_timeout_seconds: u64,
    /// Requests processed at once; further requests get 503 with Retry-After at once.
    #[validate(range(min = 1, max = 100_000, message = "must be between 1 and 100000"))]
    pub max_concurrent_requests: usize,
    /// Authenticated connections held at once (connections before their first authenticated
    /// request count against `max_pending_connections` instead); a connection that
    /// authenticates when this many are held stays in the pending pool.
    #[validate(range(min = 1, max = 1_000_000, message = "must be between 1 and 1000000"))]
    pub max_connections: usize,
    /// The Retry-After a shed request is given, in seconds.
    #[validate(range(min = 1, max = 3600, message = "must be between 1 and 3600 seconds"))]
    pub retry_after_seconds: u64,
    /// Connections not yet authenticated (in the TLS handshake, or before their first request
    /// with a valid token or client certificate) held at once, apart from `max_connections`.
    /// When a new connection arrives and this many are held, the oldest of them is closed, so
    /// the accept loop never stops and unauthenticated clients cannot hold authenticated slots.
    #[validate(range(min = 1, max = 1_000_000, message = "must be between 1 and 1000000"))]
    pub max_pending_connections: usize,
    /// Seconds a connection may stay open with no request in progress (HTTP/1 keep-alive,
    /// HTTP/2 with no open stream) before it is closed.
    #[validate(range(min = 1, max = 3600, message = "must be between 1 and 3600 seconds"))]
    pub idle_timeout_seconds: u64,
    /// Seconds between HTTP/2 keep-alive pings on a connection that sends nothing.
    #[validate(range(min = 1, max = 3600, message = "must be between 1 and 3600 seconds"))]
    pub keepalive_interval_seconds: u64,
    /// Seconds an HTTP/2 client has to answer a keep-alive ping before its connection is closed.
    #[validate(range(min = 1, max = 600, message = "must be between 1 and 600 seconds"))]
    pub keepalive_timeout_seconds: u64,
    /// The share of `max_concurrent_requests` one principal may hold, in percent (at least one
    /// request), so that one principal's slow calls cannot make every other caller's answer 503.
    #[validate(range(min = 1, max = 100, message = "must be between 1 and 100 percent"))]
    pub principal_share_percent: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            // A document may be 1 MiB (the core's limit); the record envelope adds a little.
            max_body_bytes: 2 * 1024 * 1024,
            max_header_bytes: 16 * 1024,
            request_timeout_seconds: 30,
            handshake_timeout_seconds: 10,
            max_concurrent_requests: 64,
            max_connections: 1024,
            retry_after_seconds: 1,
            max_pending_connections: 256,
            idle_timeout_seconds: 30,
            keepalive_interval_seconds: 20,
            keepalive_timeout_seconds: 10,
            principal_share_percent: 50,
        }
    }
}

impl Limits {
    /// `request_timeout_seconds` as a duration.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_seconds)
    }

    /// `handshake_timeout_seconds` as a duration.
    pub fn handshake_timeout(&self) -> Duration {
        Duration::from_secs(self.handshake_timeout_seconds)
    }

    /// `idle_timeout_seconds` as a duration.
    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.idle_timeout_seconds)
    }

    /// Requests one principal may have in progress at once: `principal_share_percent` of
    /// `max_concurrent_requests`, at least one.
    pub fn max_requests_per_principal(&self) -> usize {
        (self
            .max_concurrent_requests
            .saturating_mul(self.principal_share_percent)
            / 100)
            .max(1)
    }
}

/// The role of a principal: what it may do.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Validates documents and reads and writes the records of its units.
    Caseworker,
    /// Reads group reports of its units, never a single record.
    Analyst,
    /// Manages keys and reads the audit log; reads no records and no reports.
    Admin,
}

impl Role {
    /// The name used in the configuration, logs and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Caseworker => "caseworker",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }
}

/// `[[principals]]`: one caller.
#[derive(Clone, Debug, Deserialize, Serialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "check_principal", skip_on_field_errors = true))]
pub struct PrincipalConfig {
    /// A name for logs and the audit log (letters, digits, `.`, `_`, `-`).
    #[validate(
        length(min = 1, max = 64, message = "must be 1 to 64 characters"),
        custom(function = "check_name")
    )]
    pub name: String,
    /// What the principal may do.
    pub role: Role,
    /// The units whose records or reports it may reach.
    #[serde(default)]
    #[validate(custom(function = "check_units"))]
    pub units: Vec<String>,
    /// SHA-256 (hex) of its bearer token.
    #[validate(custom(function = "check_hex_digest"))]
    pub token_sha256: Option<String>,
    /// SHA-256 (hex) of its client certificate (DER), for mTLS.
    #[validate(custom(function = "check_hex_digest"))]
    pub certificate_sha256: Option<String>,
}

/// `[log]`.
#[derive(Clone, Debug, Deserialize, Serialize, Validate)]
#[serde(deny_unknown_fields, default)]
pub struct LogSection {
    /// `json` (one object per line, for collectors) or `text` (for a terminal).
    pub format: LogFormat,
    /// A tracing filter, e.g. `info` or `bistand_sidecar=debug,info`.
    #[validate(length(min = 1, max = 256, message = "must be 1 to 256 characters"))]
    pub level: String,
}

impl Default for LogSection {
    fn default() -> LogSection {
        LogSection {
            format: LogFormat::Json,
            level: "info".to_owned(),
        }
    }
}

/// Log line format.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One JSON object per line.
    Json,
    /// Human-readable lines.
    Text,
}

fn default_grace() -> u64 {
    30
}

fn check_name(name: &str) -> Result<(), ValidationError> {
    if name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    {
        // The audit log's own rule, so a name it would refuse is found when the configuration
        // loads, not at the principal's first audited action.
        bistand_store::check_principal(name).map_err(|_| {
            ValidationError::new("name").with_message(
                "looks like a personnummer or phone number, which the audit log refuses; \
                 name staff or systems, never clients"
                    .into(),
            )
        })
    } else {
        Err(ValidationError::new("name")
            .with_message("may hold only letters, digits, `.`, `_` and `-`".into()))
    }
}

fn check_units(units: &[String]) -> Result<(), ValidationError> {
    // The one unit-name rule (`bistand_core::unit`): the same names as in documents and the
    // store, and two spellings of one unit (`Söder`, `söder`) count as a unit listed twice.
    let mut seen = HashSet::new();
    for unit in units {
        let Ok(unit) = UnitName::parse(unit) else {
            return Err(ValidationError::new("unit")
                .with_message(bistand_core::unit::rule_text().en.into()));
        };
        if !seen.insert(unit) {
            return Err(ValidationError::new("unit").with_message("a unit is listed twice".into()));
        }
    }
    Ok(())
}

fn check_hex_digest(digest: &str) -> Result<(), ValidationError> {
    if digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(ValidationError::new("digest")
            .with_message("must be a SHA-256 digest: 64 hexadecimal digits".into()))
    }
}

fn check_principal(principal: &PrincipalConfig) -> Result<(), ValidationError> {
    if principal.token_sha256.is_none() && principal.certificate_sha256.is_none() {
        return Err(ValidationError::new("credentials")
            .with_message("needs token_sha256, certificate_sha256 or both".into()));
    }
    if principal.role != Role::Admin && principal.units.is_empty() {
        return Err(ValidationError::new("units")
            .with_message("a caseworker or analyst needs at least one unit in `units`".into()));
    }
    Ok(())
}

/// A configuration that could not be used. The message names the file and the key at fault.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(String);

impl Config {
    /// Reads, parses and checks a configuration file, resolving its relative paths against the
    /// file's folder.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the key at fault (or the line and column of a syntax error).
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError(format!("cannot read configuration {}: {e}", path.display()))
        })?;
        let mut config = Config::parse(&text)
            .map_err(|e| ConfigError(format!("configuration {}: {}", path.display(), e.0)))?;
        let base = path.parent().unwrap_or(Path::new("."));
        config.resolve_paths(base);
        Ok(config)
    }

    /// Parses and checks configuration text; paths stay as written.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the key at fault.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            // toml's message quotes the offending line; keep only its own words and position so
            // a token pasted by mistake is not echoed into a log.
            let position = e
                .span()
                .map(|span| {
                    let line = text[..span.start].matches('\n').count() + 1;
                    format!(" (line {line})")
                })
                .unwrap_or_default();
            ConfigError(format!("{}{position}", e.message()))
        })?;
        config.validate().map_err(|errors| {
            let mut messages = Vec::new();
            flatten(&errors, String::new(), &mut messages);
            ConfigError(messages.join("; "))
        })?;
        config.check_across()?;
        Ok(config)
    }

    /// Rules that span sections.
    fn check_across(&self) -> Result<(), ConfigError> {
        match (&self.tls, self.server.plain_http) {
            (None, false) => {
                return Err(ConfigError(
                    "`tls` is missing: give [tls] certificate and private_key, or set \
                     server.plain_http = true on a loopback address"
                        .into(),
                ));
            }
            (Some(_), true) => {
                return Err(ConfigError(
                    "`server.plain_http` is set together with [tls]: choose one".into(),
                ));
            }
            (None, true) if !self.server.listen.ip().is_loopback() => {
                return Err(ConfigError(
                    "`server.plain_http` is allowed only on a loopback address (127.0.0.1 or \
                     ::1): anything else must be served over TLS"
                        .into(),
                ));
            }
            _ => {}
        }
        if let Some(tls) = &self.tls
            && tls.require_client_certificate
            && tls.client_ca.is_none()
        {
            return Err(ConfigError(
                "`tls.require_client_certificate` needs `tls.client_ca`".into(),
            ));
        }
        let mut tokens = HashSet::new();
        let mut certificates = HashSet::new();
        let mut names = HashSet::new();
        for (i, principal) in self.principals.iter().enumerate() {
            if !names.insert(&principal.name) {
                return Err(ConfigError(format!(
                    "`principals[{i}].name`: another principal has the same name"
                )));
            }
            if let Some(token) = &principal.token_sha256
                && !tokens.insert(token.to_ascii_lowercase())
            {
                return Err(ConfigError(format!(
                    "`principals[{i}].token_sha256`: another principal has the same token"
                )));
            }
            if let Some(certificate) = &principal.certificate_sha256 {
                if !certificates.insert(certificate.to_ascii_lowercase()) {
                    return Err(ConfigError(format!(
                        "`principals[{i}].certificate_sha256`: another principal has the same \
                         certificate"
                    )));
                }
                if self
                    .tls
                    .as_ref()
                    .and_then(|t| t.client_ca.as_ref())
                    .is_none()
                {
                    return Err(ConfigError(format!(
                        "`principals[{i}].certificate_sha256` needs `tls.client_ca`: without it \
                         no client certificate is asked for"
                    )));
                }
            }
        }
        Ok(())
    }

    fn resolve_paths(&mut self, base: &Path) {
        let resolve = |path: &mut PathBuf| {
            if path.is_relative() {
                *path = base.join(&*path);
            }
        };
        resolve(&mut self.store.path);
        if let Some(definitions) = &mut self.definitions {
            resolve(definitions);
        }
        resolve(&mut self.store.keys);
        if let Some(tls) = &mut self.tls {
            resolve(&mut tls.certificate);
            resolve(&mut tls.private_key);
            if let Some(ca) = &mut tls.client_ca {
                resolve(ca);
            }
        }
    }
}

/// `validator`'s nested errors as `key.path: message` lines, in key order.
fn flatten(errors: &ValidationErrors, prefix: String, out: &mut Vec<String>) {
    let sorted: BTreeMap<_, _> = errors.errors().iter().collect();
    for (field, kind) in sorted {
        let path = match (prefix.is_empty(), field.as_ref()) {
            (_, "__all__") => prefix.clone(),
            (true, field) => field.to_owned(),
            (false, field) => format!("{prefix}.{field}"),
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for error in list {
                    let message = error
                        .message
                        .as_deref()
                        .map(str::to_owned)
                        .unwrap_or_else(|| format!("fails the `{}` check", error.code));
                    out.push(format!("`{path}`: {message}"));
                }
            }
            ValidationErrorsKind::Struct(inner) => flatten(inner, path, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    flatten(inner, format!("{path}[{index}]"), out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
        [server]
        listen = "127.0.0.1:0"
        [tls]
        certificate = "server.pem"
        private_key = "server.key"
        [store]
        path = "bistand.db"
        keys = "keys.json"
        [[principals]]
        name = "cw"
        role = "caseworker"
        units = ["norr"]
        token_sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
    "#;

    fn error(text: &str) -> String {
        Config::parse(text).expect_err("refused").to_string()
    }

    #[test]
    fn minimal_configuration_has_defaults() {
        let config = Config::parse(MINIMAL).expect("valid");
        assert_eq!(config.limits.max_concurrent_requests, 64);
        assert_eq!(config.log.format, LogFormat::Json);
        assert_eq!(config.server.shutdown_grace_seconds, 30);
    }

    #[test]
    fn units_follow_the_one_unit_name_rule() {
        for units in [
            "[\"Söder\"]",
            "[\"Sankt Örjan\", \"Östermalm\"]",
            "[\"norr\", \"soder\"]",
        ] {
            let text = MINIMAL.replace("units = [\"norr\"]", &format!("units = {units}"));
            assert!(Config::parse(&text).is_ok(), "{units}");
        }
        for units in ["[\"Söder\", \"söder\"]", "[\"Söder\", \"So\\u0308der\"]"] {
            let text = MINIMAL.replace("units = [\"norr\"]", &format!("units = {units}"));
            assert!(
                error(&text).contains("a unit is listed twice"),
                "{}",
                error(&text)
            );
        }
        let text = MINIMAL.replace("units = [\"norr\"]", "units = [\"Söder\\t\"]");
        assert!(
            error(&text).starts_with("`principals[0].units`: a unit name is"),
            "{}",
            error(&text)
        );
    }

    #[test]
    fn a_principal_named_like_a_personnummer_is_refused_when_the_configuration_loads() {
        // 191212121212 is Skatteverket's published test personnummer.
        let text = MINIMAL.replace("name = \"cw\"", "name = \"191212121212\"");
        let message = error(&text);
        assert!(
            message.starts_with("`principals[0].name`: looks like a personnummer"),
            "{message}"
        );
        assert!(!message.contains("191212121212"), "{message}");
    }

    #[test]
    fn errors_name_the_key_at_fault() {
        let text = format!("{MINIMAL}\n[limits]\nmax_concurrent_requests = 0\n");
        assert_eq!(
            error(&text),
            "`limits.max_concurrent_requests`: must be between 1 and 100000"
        );
        let text = MINIMAL.replace("units = [\"norr\"]", "units = [\"no  rr\"]");
        assert!(
            error(&text).starts_with("`principals[0].units`"),
            "{}",
            error(&text)
        );
        let text = MINIMAL.replace("0000000000000000", "zz");
        assert!(error(&text).starts_with("`principals[0].token_sha256`"));
        let text = MINIMAL.replace("units = [\"norr\"]", "");
        assert!(error(&text).contains("`principals[0]`: a caseworker or analyst needs"));
        let text = MINIMAL.replace("role = \"caseworker\"", "role = \"boss\"");
        assert!(error(&text).contains("unknown variant"), "{}", error(&text));
        let text = format!("{MINIMAL}\n[limits]\nmax_body = 1\n");
        assert!(
            error(&text).contains("unknown field `max_body`"),
            "{}",
            error(&text)
        );
    }

    #[test]
    fn syntax_errors_give_a_line_and_never_the_line_itself() {
        let text = MINIMAL.replace(
            "name = \"cw\"",
            "name = \"cw\"\nsecret token 1234567890abcdef",
        );
        let message = error(&text);
        assert!(message.contains("(line "), "{message}");
        assert!(!message.contains("1234567890abcdef"), "{message}");
    }

    #[test]
    fn plain_http_only_on_loopback_and_never_beside_tls() {
        let plain = MINIMAL
            .replace("[tls]\n        certificate = \"server.pem\"\n        private_key = \"server.key\"\n", "")
            .replace("listen = \"127.0.0.1:0\"", "listen = \"127.0.0.1:0\"\nplain_http = true");
        Config::parse(&plain).expect("loopback plain HTTP is allowed");
        let open = plain.replace("127.0.0.1:0", "0.0.0.0:8080");
        assert!(error(&open).contains("only on a loopback address"));
        let both = MINIMAL.replace(
            "listen = \"127.0.0.1:0\"",
            "listen = \"127.0.0.1:0\"\nplain_http = true",
        );
        assert!(error(&both).contains("choose one"));
        let neither = MINIMAL.replace(
            "[tls]\n        certificate = \"server.pem\"\n        private_key = \"server.key\"\n",
            "",
        );
        assert!(error(&neither).contains("`tls` is missing"));
    }

    #[test]
    fn duplicate_tokens_and_certificates_without_a_ca_are_refused() {
        let twice = format!(
            "{MINIMAL}\n[[principals]]\nname = \"cw2\"\nrole = \"admin\"\ntoken_sha256 = \"{}\"\n",
            "0".repeat(64)
        );
        assert!(error(&twice).contains("`principals[1].token_sha256`: another principal"));
        let certificate = MINIMAL.replace("token_sha256", "certificate_sha256");
        assert!(error(&certificate).contains("needs `tls.client_ca`"));
        let required = MINIMAL.replace(
            "private_key = \"server.key\"",
            "private_key = \"server.key\"\nrequire_client_certificate = true",
        );
        assert!(error(&required).contains("needs `tls.client_ca`"));
    }
}
