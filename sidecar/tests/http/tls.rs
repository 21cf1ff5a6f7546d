//! TLS and client certificates: accepted, unknown, expired, from another CA, required.

use std::path::Path;

use bistand_sidecar::auth::sha256_hex;
use bistand_sidecar::config::{PrincipalConfig, Role};
use bistand_sidecar::pki::{Authority, Issued, Validity};
use reqwest::StatusCode;

use crate::setup::{Service, client};

fn write(dir: &Path, name: &str, issued: &Issued) -> (std::path::PathBuf, std::path::PathBuf) {
    let certificate = dir.join(format!("{name}.pem"));
    let key = dir.join(format!("{name}.key"));
    std::fs::write(&certificate, &issued.certificate_pem).expect("write");
    std::fs::write(&key, &issued.key_pem).expect("write");
    (certificate, key)
}

fn principal(name: &str, issued: &Issued) -> PrincipalConfig {
    PrincipalConfig {
        name: name.into(),
        role: Role::Caseworker,
        units: vec!["norr".into()],
        token_sha256: None,
        certificate_sha256: Some(sha256_hex(&issued.certificate_der)),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_certificates_accepted_unknown_expired_and_from_another_ca() {
    let dir = tempfile::tempdir().expect("tempdir");
    let now = jiff::Timestamp::now();
    let years = |n| Validity::years_from(now, n).expect("validity");
    let ours = Authority::new("test CA", years(5)).expect("ca");
    let theirs = Authority::new("other CA", years(5)).expect("ca");
    let valid = ours.client("valid", years(1)).expect("cert");
    let expired = ours
        .client(
            "expired",
            Validity::between(
                "2019-01-01T00:00:00Z".parse().expect("time"),
                "2020-01-01T00:00:00Z".parse().expect("time"),
            ),
        )
        .expect("cert");
    let unknown = ours.client("unknown", years(1)).expect("cert");
    let foreign = theirs.client("foreign", years(1)).expect("cert");
    let ca_path = dir.path().join("client-ca.pem");
    std::fs::write(&ca_path, &ours.issued.certificate_pem).expect("write");

    let service = Service::start(|config| {
        config.tls.as_mut().expect("tls").client_ca = Some(ca_path.clone());
        config.principals.push(principal("cert-valid", &valid));
        config.principals.push(principal("cert-expired", &expired));
        config.principals.push(principal("cert-foreign", &foreign));
    })
    .await;
    let server_ca = service.created.ca.clone();
    let url = service.url("/v1/instruments");

    let accepted = client(&server_ca, Some(write(dir.path(), "valid", &valid)));
    assert_eq!(
        accepted.get(&url).send().await.expect("send").status(),
        StatusCode::OK
    );

    // A certificate from the right CA that no principal holds: TLS passes, the API refuses.
    let stranger = client(&server_ca, Some(write(dir.path(), "unknown", &unknown)));
    assert_eq!(
        stranger.get(&url).send().await.expect("send").status(),
        StatusCode::UNAUTHORIZED
    );

    // Expired, or from another CA (even if its digest is configured): the handshake fails.
    for name in ["expired", "foreign"] {
        let issued = if name == "expired" {
            &expired
        } else {
            &foreign
        };
        let refused = client(&server_ca, Some(write(dir.path(), name, issued)));
        let outcome = refused.get(&url).send().await;
        assert!(outcome.is_err(), "{name} certificate accepted: {outcome:?}");
    }

    // Without a certificate and without a token: 401, not a TLS failure (certificates optional).
    let anonymous = client(&server_ca, None);
    assert_eq!(
        anonymous.get(&url).send().await.expect("send").status(),
        StatusCode::UNAUTHORIZED
    );

    // A client that does not trust the server's CA refuses the server.
    let untrusting = client(&ca_path, None);
    assert!(untrusting.get(&url).send().await.is_err());
    service.running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_required_client_certificate_is_required() {
    let service = Service::start(|config| {
        config.tls.as_mut().expect("tls").require_client_certificate = true;
    })
    .await;
    let url = service.url("/v1/instruments");
    assert!(
        service.client().get(&url).send().await.is_err(),
        "no certificate accepted"
    );
    let response = service
        .client_as("handlaggare-norr")
        .get(&url)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    // A token and a certificate of the same principal: both name the caller.
    let response = service
        .client_as("handlaggare-norr")
        .get(&url)
        .bearer_auth(service.token("handlaggare-norr"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    service.running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_and_a_certificate_of_different_principals_are_refused() {
    let service = Service::start(|_| {}).await;
    // Issue 13: the token used to win, so a caseworker's certificate with the admin's token
    // read the audit log as the admin.
    let response = service
        .client_as("handlaggare-norr")
        .get(service.url("/v1/audit"))
        .bearer_auth(service.token("admin"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: serde_json::Value = response.json().await.expect("json");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("different principals")),
        "{problem}"
    );
    // Each alone is accepted.
    let admin = service
        .client()
        .get(service.url("/v1/audit"))
        .bearer_auth(service.token("admin"))
        .send()
        .await
        .expect("send");
    assert_eq!(admin.status(), StatusCode::OK);
    let caseworker = service
        .client_as("handlaggare-norr")
        .get(service.url("/v1/instruments"))
        .send()
        .await
        .expect("send");
    assert_eq!(caseworker.status(), StatusCode::OK);
    service.running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_to_the_tls_port_gets_no_answer() {
    let service = Service::start(|_| {}).await;
    let plain = reqwest::Client::builder()
        .tls_backend_preconfigured(crate::setup::client_config(&service.created.ca, None))
        .build()
        .expect("client");
    let outcome = plain
        .get(format!(
            "http://127.0.0.1:{}/health",
            service.running.address.port()
        ))
        .send()
        .await;
    assert!(outcome.is_err() || !outcome.expect("response").status().is_success());
    service.running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_on_loopback_when_configured() {
    let service = Service::start(|config| {
        config.tls = None;
        config.server.plain_http = true;
    })
    .await;
    let plain = reqwest::Client::builder()
        .tls_backend_preconfigured(crate::setup::client_config(&service.created.ca, None))
        .build()
        .expect("client");
    let response = plain
        .get(format!(
            "http://127.0.0.1:{}/v1/instruments",
            service.running.address.port()
        ))
        .bearer_auth(service.token("analytiker"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    // And no TLS is spoken there.
    assert!(
        service
            .client()
            .get(service.url("/health"))
            .send()
            .await
            .is_err()
    );
    service.running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_off_loopback_is_refused_even_when_built_in_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    let created = crate::setup::init_in(dir.path(), &["norr"]);
    let mut config = bistand_sidecar::config::Config::load(&created.config).expect("config");
    config.tls = None;
    config.server.plain_http = true;
    config.server.listen = "0.0.0.0:0".parse().expect("address");
    let error = bistand_sidecar::server::Running::start(&config)
        .await
        .err()
        .expect("refused");
    assert!(error.to_string().contains("loopback"), "{error}");
}
