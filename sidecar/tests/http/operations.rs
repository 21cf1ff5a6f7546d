//! Load shedding, timeouts, graceful shutdown, logs without client data, the audit command and
//! the demo, against the real binary where the process matters.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{KillOnDrop, serve};
use crate::setup::ReadAnswer;
use crate::setup::{Service, client, fia_document, raw_tls};

/// Sends a request head and half of its body, and stops there.
async fn half_request(
    service: &Service,
) -> (
    tokio_rustls::client::TlsStream<tokio::net::TcpStream>,
    Vec<u8>,
) {
    let body = fia_document("norr").to_string().into_bytes();
    let mut stream = raw_tls(service).await;
    let head = format!(
        "POST /v1/validate HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer {}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n",
        service.token("handlaggare-norr"),
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    stream
        .write_all(&body[..body.len() / 2])
        .await
        .expect("half");
    stream.flush().await.expect("flush");
    (stream, body[body.len() / 2..].to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overload_sheds_with_retry_after_then_recovers() {
    let service = Service::start(|config| {
        config.limits.max_concurrent_requests = 1;
        config.limits.retry_after_seconds = 3;
    })
    .await;
    let client = service.client();
    let validate = || {
        client
            .post(service.url("/v1/validate"))
            .bearer_auth(service.token("handlaggare-norr"))
            .json(&fia_document("norr"))
            .send()
    };
    let (mut slow, rest) = half_request(&service).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let response = validate().await.expect("send");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "3");
    // Probes still answer while saturated.
    let health = client
        .get(service.url("/health"))
        .send()
        .await
        .expect("send");
    assert_eq!(health.status(), StatusCode::OK);
    // The slow request completes; then the service takes requests again.
    slow.write_all(&rest).await.expect("rest");
    let mut answer = vec![0u8; 12];
    slow.read_exact(&mut answer).await.expect("answer");
    assert_eq!(&answer, b"HTTP/1.1 200");
    let response = validate().await.expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    let metrics = client.get(service.url("/metrics")).send_text().await;
    assert!(
        metrics.contains("bistand_http_requests_shed_total 1"),
        "{metrics}"
    );
    // What every Prometheus-scraped process exports, and which build is running.
    for name in [
        "process_resident_memory_bytes ",
        "process_open_fds ",
        "process_cpu_seconds_total ",
    ] {
        assert!(metrics.contains(name), "{name}in {metrics}");
    }
    assert!(
        metrics.contains("bistand_build_info{version=\""),
        "{metrics}"
    );
    service.running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_over_its_time_gets_408() {
    let service = Service::start(|config| config.limits.request_timeout_seconds = 1).await;
    let (mut slow, _) = half_request(&service).await;
    let mut answer = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), slow.read_to_string(&mut answer)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("urn:bistand:problem:timeout"));
    service.running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_requests_in_flight_and_refuses_new_ones() {
    let service = Service::start(|_| {}).await;
    let address = service.running.address;
    let (mut slow, rest) = half_request(&service).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let Service {
        running,
        created,
        _dir,
        ..
    } = service;
    let stopping = tokio::spawn(running.stop());
    tokio::time::sleep(Duration::from_millis(300)).await;
    // No new connections once shutdown began.
    let fresh = client(&created.ca, None)
        .get(format!("https://localhost:{}/health", address.port()))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(
        fresh.is_err(),
        "a new connection was served during shutdown"
    );
    assert!(
        !stopping.is_finished(),
        "shutdown did not wait for the request in flight"
    );
    slow.write_all(&rest).await.expect("rest");
    let mut answer = String::new();
    slow.read_to_string(&mut answer).await.expect("answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    tokio::time::timeout(Duration::from_secs(10), stopping)
        .await
        .expect("shutdown ends")
        .expect("joins")
        .expect("clean");
}

/// Starts `bistand serve` on a fresh setup; returns the server, its address and the setup.
fn spawn_server(dir: &std::path::Path) -> (KillOnDrop, String, bistand_sidecar::init::Created) {
    let created = crate::setup::init_in(dir, &["norr"]);
    let (mut server, stderr, address) = serve(&created.config);
    server.0.stderr = Some(stderr.into_inner());
    (server, address, created)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_hold_no_identifiers_answers_or_tokens_and_sigterm_is_graceful() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut guard, address, created) = spawn_server(dir.path());
    let child = &mut guard.0;
    let base = format!(
        "https://localhost:{}",
        address.rsplit(':').next().expect("port")
    );
    let token = created.principals[0].token.clone();
    let http = client(&created.ca, None);
    let personnummer = "19121212-1212";
    let free_text = "Kanariefågel Svensson bor på Storgatan 7";
    let mut document = fia_document("norr");
    document["answers"]["boende.kommentar"] = json!(free_text);
    for (path, body) in [
        ("/v1/validate", document.clone()),
        (
            "/v1/records",
            json!({ "client_id": personnummer, "document": document }),
        ),
        ("/v1/records/search", json!({ "client_id": personnummer })),
        (
            "/v1/records",
            json!({ "client_id": personnummer, "document": {"answers": {"x": free_text}} }),
        ),
    ] {
        let response = http
            .post(format!("{base}{path}"))
            .bearer_auth(&token)
            .header("x-request-id", "canary-request-1")
            .json(&body)
            .send()
            .await
            .expect("send");
        assert!(
            response.status().as_u16() < 500,
            "{path}: {}",
            response.status()
        );
    }
    // A client-supplied request id shaped like a personnummer is replaced, never logged.
    let replaced = http
        .get(format!("{base}/v1/instruments"))
        .bearer_auth(&token)
        .header("x-request-id", personnummer)
        .send()
        .await
        .expect("send");
    assert_eq!(replaced.status(), StatusCode::OK);
    let echoed = replaced.headers()["x-request-id"].to_str().expect("ascii");
    assert_ne!(
        echoed, personnummer,
        "an identifier-shaped request id is replaced"
    );
    // A path segment that is not UTF-8 gets a problem like every other error.
    let not_utf8 = http
        .get(format!("{base}/v1/records/%FF"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(not_utf8.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        not_utf8.headers()["content-type"],
        "application/problem+json"
    );
    let wrong = http
        .get(format!("{base}/v1/instruments"))
        .bearer_auth("bistand_wrong_token_canary")
        .send()
        .await
        .expect("send");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = child.wait().expect("wait");
    assert!(exit.success(), "serve exited with {exit:?} on SIGTERM");
    let mut logs = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut logs)
        .expect("logs");
    for canary in [
        personnummer,
        "191212121212",
        "Kanariefågel",
        "Storgatan",
        token.as_str(),
        "bistand_wrong_token_canary",
    ] {
        assert!(!logs.contains(canary), "the log holds `{canary}`:\n{logs}");
    }
    assert!(logs.contains("canary-request-1"), "request ids are logged");
    assert!(logs.contains("shutting down"));
    for line in logs.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("every log line is JSON");
    }
}

#[test]
fn audit_verify_finds_an_edited_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let created = crate::setup::init_in(dir.path(), &["norr"]);
    let config = bistand_sidecar::config::Config::load(&created.config).expect("config");
    {
        use bistand_store::{AuditEvent, AuditLog};
        let keys = std::fs::read_to_string(&config.store.keys).expect("keys");
        assert!(keys.contains("pseudonym_key"));
        let store = open_store(&config);
        for n in 0..5 {
            store
                .audit_append(AuditEvent {
                    at: 1_700_000_000_000 + n,
                    principal: "handlaggare-norr".into(),
                    role: "caseworker".into(),
                    action: "record.read".into(),
                    unit: Some("norr".into()),
                    record_id: None,
                    pseudonym: None,
                    outcome: "ok".into(),
                    record_state: None,
                })
                .expect("append");
        }
    }
    let verify = || {
        Command::new(env!("CARGO_BIN_EXE_bistand"))
            .args(["audit", "verify", "--config"])
            .arg(&created.config)
            .output()
            .expect("runs")
    };
    let intact = verify();
    assert!(
        intact.status.success(),
        "{}",
        String::from_utf8_lossy(&intact.stderr)
    );
    let connection = rusqlite_edit(&config.store.path);
    drop(connection);
    let broken = verify();
    assert_eq!(
        broken.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&broken.stdout)
    );
    assert!(String::from_utf8_lossy(&broken.stdout).contains('3'));
}

fn open_store(config: &bistand_sidecar::config::Config) -> bistand_store::SqliteStore {
    let keys = bistand_sidecar::keys::load(&config.store.keys).expect("keys");
    bistand_store::SqliteStore::open(&config.store.path, keys.keyring)
        .expect("store")
        .with_audit_key(keys.audit)
}

/// Edits entry 3 the way someone with the database file could: drop the guards, change the row.
fn rusqlite_edit(path: &std::path::Path) -> rusqlite::Connection {
    let connection = rusqlite::Connection::open(path).expect("open");
    let triggers: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        .expect("prepare")
        .query_map([], |row| row.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("names");
    for name in triggers {
        connection
            .execute_batch(&format!("DROP TRIGGER {name}"))
            .expect("drop");
    }
    connection
        .execute(
            "UPDATE audit SET principal = 'someone-else' WHERE seq = 3",
            [],
        )
        .expect("edit");
    connection
}

#[test]
fn demo_serves_synthetic_data_and_prints_working_commands() {
    let mut guard = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_bistand"))
            .args(["demo", "--port", "0", "--clients", "200"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn"),
    );
    let child = &mut guard.0;
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut printed = String::new();
    let mut line = String::new();
    while !printed.contains("openapi.json") {
        line.clear();
        assert!(
            stdout.read_line(&mut line).expect("read") > 0,
            "demo exited:\n{printed}"
        );
        printed.push_str(&line);
    }
    let value = |name: &str| {
        printed
            .split_whitespace()
            .find_map(|word| word.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} in:\n{printed}"))
            .to_owned()
    };
    let (base, ca, analyst) = (value("BISTAND"), value("CA"), value("ANALYST"));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let report: serde_json::Value = runtime.block_on(async {
        client(std::path::Path::new(&ca), None)
            .get(format!("{base}/v1/reports/sue?breakdowns=gender"))
            .bearer_auth(&analyst)
            .send_json()
            .await
    });
    assert!(report.to_string().contains("tables"), "{report}");

    // Every command the demo prints runs as pasted, and each request succeeds (curl --fail).
    let pasted = printed
        .split_once("Paste into another terminal:")
        .expect("instructions")
        .1;
    assert!(pasted.matches("curl ").count() >= 12, "{pasted}");
    let script = format!(
        "set -euo pipefail\n\
         curl() {{ command curl --fail --silent --show-error --output /dev/null \"$@\"; }}\n{pasted}"
    );
    let run = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .output()
        .expect("bash");
    assert!(
        run.status.success(),
        "a printed command failed: {}\n{pasted}",
        String::from_utf8_lossy(&run.stderr)
    );

    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    let exit = child.wait().expect("wait");
    assert!(exit.success(), "{exit:?}");
    assert!(
        !std::path::Path::new(&ca).exists(),
        "the demo folder was not removed"
    );
}

#[test]
fn serve_refuses_a_bad_configuration_naming_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bistand.toml");
    std::fs::write(
        &path,
        "[server]\nlisten = \"0.0.0.0:8080\"\nplain_http = true\n[store]\npath = \"db\"\nkeys = \"k\"\n\
         [[principals]]\nname = \"a\"\nrole = \"admin\"\ntoken_sha256 = \"00\"\n",
    )
    .expect("write");
    let refused_with = |expected: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_bistand"))
            .args(["serve", "--config"])
            .arg(&path)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{stderr}");
    };
    refused_with("`principals[0].token_sha256`");
    std::fs::write(
        &path,
        std::fs::read_to_string(&path)
            .expect("read")
            .replace("\"00\"", &format!("\"{}\"", "0".repeat(64))),
    )
    .expect("write");
    refused_with("only on a loopback address");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_says_503_when_the_store_cannot_be_read_while_health_still_answers() {
    let service = Service::start(|_| {}).await;
    let http = client(&service.created.ca, None);
    let get = |path: &str| http.get(format!("{}{path}", service.base)).send();
    assert_eq!(get("/ready").await.expect("send").status(), StatusCode::OK);

    // Something outside the service breaks the database under it.
    let config = bistand_sidecar::config::Config::load(&service.created.config).expect("config");
    rusqlite::Connection::open(&config.store.path)
        .expect("open")
        .execute_batch("DROP TABLE records")
        .expect("drop the records table");

    let answer = get("/ready").await.expect("send");
    assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
    let problem: serde_json::Value = answer.json().await.expect("problem JSON");
    assert_eq!(problem["type"], "urn:bistand:problem:not_ready");
    assert_eq!(get("/health").await.expect("send").status(), StatusCode::OK);
    service.running.stop().await.expect("stops");
}

/// Metrics and log lines are labelled with the route template, found outside the router: every
/// path the OpenAPI description lists reaches a route of the router and is counted under its
/// own template; a path of no route is `unmatched`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_counted_under_the_template_of_the_route_they_took() {
    let service = Service::start(|_| {}).await;
    let client = service.client();
    let token = service.token("admin");
    let description = bistand_sidecar::api::openapi();
    let templates: Vec<&String> = description.paths.paths.keys().collect();
    assert!(templates.len() >= 15, "{templates:?}");
    for template in &templates {
        // Each parameter as one segment, as a client would send it.
        let path: String = template
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "x1"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        // A method no route has: the router answers 405 for a path it knows, 404 otherwise.
        let response = client
            .request(reqwest::Method::PATCH, service.url(&path))
            .bearer_auth(&token)
            .send()
            .await
            .expect("send");
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{template}: the router has this path"
        );
    }
    let unknown = client
        .get(service.url("/v1/records/x1/extra"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    let metrics = client.get(service.url("/metrics")).send_text().await;
    for template in &templates {
        let counted = format!(
            "bistand_http_requests_total{{route=\"{template}\",method=\"PATCH\",status=\"405\"}} 1"
        );
        assert!(metrics.contains(&counted), "{counted}\n{metrics}");
    }
    assert!(
        metrics.contains(
            "bistand_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1"
        ),
        "{metrics}"
    );
    assert!(
        !metrics.contains("x1"),
        "no path, only templates, in the labels"
    );
    service.running.stop().await.expect("stops");
}
