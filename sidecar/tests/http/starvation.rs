//! The denial-of-service attacks of issue 13 against a real server on loopback: idle HTTP/2
//! connections, bare TCP connections, slow bodies from one principal and a huge declared
//! `Content-Length`. Each one used to starve the service; each test fails without its defence.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use crate::setup::{ReadAnswer, Service, client_config, fia_document, raw_tls};

/// The HTTP/2 connection preface and an empty SETTINGS frame (RFC 9113, sections 3.4 and 6.5).
const PREFACE_AND_SETTINGS: &[u8] =
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

/// How many attack connections to open: the 1,024, or fewer when this process may not
/// open that many files. Each attack connection costs this process up to two descriptors (the
/// client's end and, until it is shed, the in-process server's end); a margin is kept for the
/// rest of the test binary, which runs tests in parallel.
fn attack_size() -> usize {
    let soft_limit = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            limits
                .lines()
                .find(|line| line.starts_with("Max open files"))
                .and_then(|line| line.split_whitespace().nth(3)?.parse::<usize>().ok())
        })
        .unwrap_or(1024);
    1024.min(soft_limit.saturating_sub(512) / 4).max(64)
}

/// A TLS connection that negotiated HTTP/2 by ALPN.
async fn tls_h2(service: &Service) -> TlsStream<TcpStream> {
    let mut config = client_config(&service.created.ca, None);
    config.alpn_protocols = vec![b"h2".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(service.running.address)
        .await
        .expect("connect");
    let stream = connector
        .connect(
            rustls_pki_types::ServerName::try_from("localhost").expect("name"),
            tcp,
        )
        .await
        .expect("handshake");
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    stream
}

/// An HTTP/2 connection that sent the preface and an empty SETTINGS frame, then nothing.
async fn idle_h2(service: &Service) -> TlsStream<TcpStream> {
    let mut stream = tls_h2(service).await;
    stream
        .write_all(PREFACE_AND_SETTINGS)
        .await
        .expect("preface");
    stream.flush().await.expect("flush");
    stream
}

/// Whether the server closes `stream` within `wait` (reading and dropping what it sends).
async fn closed_within<S: tokio::io::AsyncRead + Unpin>(stream: &mut S, wait: Duration) -> bool {
    let mut buffer = [0u8; 1024];
    tokio::time::timeout(wait, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// The value of the sample `sample` (name and labels) on `/metrics`.
async fn metric(service: &Service, sample: &str) -> u64 {
    let text = service
        .client()
        .get(service.url("/metrics"))
        .send_text()
        .await;
    text.lines()
        .find_map(|line| line.strip_prefix(sample)?.strip_prefix(' '))
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no {sample} in {text}"))
}

const SHED: &str = "bistand_connections_closed_total{reason=\"unauthenticated_shed\"}";

/// `GET /health` answers 200 within a second and a caseworker's validation succeeds.
async fn service_answers(service: &Service) {
    let started = Instant::now();
    let health = tokio::time::timeout(
        Duration::from_secs(1),
        service.client().get(service.url("/health")).send(),
    )
    .await
    .expect("/health answers within a second")
    .expect("send");
    assert_eq!(health.status(), StatusCode::OK);
    assert!(started.elapsed() < Duration::from_secs(1));
    let validated = tokio::time::timeout(
        Duration::from_secs(10),
        service
            .client()
            .post(service.url("/v1/validate"))
            .bearer_auth(service.token("handlaggare-norr"))
            .json(&fia_document("norr"))
            .send_json(),
    )
    .await
    .expect("validation answers");
    assert_eq!(validated["valid"], true, "{validated}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_h2_connections_do_not_stop_the_server_accepting() {
    let attack = attack_size();
    // As many connections as the server holds authenticated ones: before the pending pool,
    // they took every slot and the accept loop stopped.
    let service = Service::start(|config| {
        config.limits.max_connections = attack;
        config.limits.max_pending_connections = 64;
    })
    .await;
    let mut held = Vec::with_capacity(attack);
    for _ in 0..attack {
        held.push(idle_h2(&service).await);
    }
    service_answers(&service).await;
    // Every connection beyond the pending pool pushed out an older one, and said so.
    let shed = metric(&service, SHED).await;
    assert!(shed >= (attack - 64) as u64, "{shed} shed of {attack}");
    // The oldest were shed to make room; the newest are still open.
    assert!(
        closed_within(&mut held[0], Duration::from_secs(1)).await,
        "the oldest idle connection is still open"
    );
    let newest = held.last_mut().expect("connections");
    assert!(
        !closed_within(newest, Duration::from_millis(200)).await,
        "the newest idle connection was closed too early"
    );
    drop(held);
    service.running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bare_tcp_connections_do_not_block_health() {
    let attack = attack_size();
    let service = Service::start(|config| {
        config.limits.max_connections = attack;
        config.limits.max_pending_connections = 64;
    })
    .await;
    let mut held = Vec::with_capacity(attack);
    for _ in 0..attack {
        held.push(
            TcpStream::connect(service.running.address)
                .await
                .expect("connect"),
        );
    }
    service_answers(&service).await;
    let shed = metric(&service, SHED).await;
    assert!(shed >= (attack - 64) as u64, "{shed} shed of {attack}");
    drop(held);
    service.running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_h2_connection_is_closed_after_the_idle_timeout() {
    let service = Service::start(|config| config.limits.idle_timeout_seconds = 1).await;
    let mut idle = idle_h2(&service).await;
    let started = Instant::now();
    assert!(
        closed_within(&mut idle, Duration::from_secs(5)).await,
        "an idle HTTP/2 connection stayed open"
    );
    assert!(started.elapsed() >= Duration::from_millis(900));
    let idle = "bistand_connections_closed_total{reason=\"idle\"}";
    assert_eq!(metric(&service, idle).await, 1);
    service.running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_open_tls_handshake_is_closed_after_the_handshake_timeout() {
    let service = Service::start(|config| config.limits.handshake_timeout_seconds = 1).await;
    // A TCP connection that never sends its ClientHello.
    let mut silent = TcpStream::connect(service.running.address)
        .await
        .expect("connect");
    let started = Instant::now();
    assert!(
        closed_within(&mut silent, Duration::from_secs(5)).await,
        "a silent connection stayed open"
    );
    assert!(started.elapsed() >= Duration::from_millis(900));
    let timed_out = "bistand_connections_closed_total{reason=\"handshake_timeout\"}";
    assert_eq!(metric(&service, timed_out).await, 1);
    service.running.stop().await.expect("stops");
}

/// Reads a response head (and what follows in the same reads) within `wait`.
async fn response_within(stream: &mut TlsStream<TcpStream>, wait: Duration) -> Option<String> {
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    tokio::time::timeout(wait, async {
        while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await
    .ok()?;
    Some(String::from_utf8_lossy(&answer).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_bodies_of_one_principal_leave_room_for_the_others() {
    let service = Service::start(|config| {
        config.limits.max_concurrent_requests = 64;
        config.limits.principal_share_percent = 50;
    })
    .await;
    let token = service.token("handlaggare-norr");
    let mut slow = Vec::new();
    for _ in 0..64 {
        let mut stream = raw_tls(&service).await;
        let head = format!(
            "POST /v1/validate HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer {token}\r\n\
             content-type: application/json\r\ncontent-length: 1000\r\n\r\n{{"
        );
        stream.write_all(head.as_bytes()).await.expect("head");
        stream.flush().await.expect("flush");
        slow.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Other principals are served.
    let client = service.client();
    let other = client
        .post(service.url("/v1/validate"))
        .bearer_auth(service.token("handlaggare-soder"))
        .json(&fia_document("soder"))
        .send()
        .await
        .expect("send");
    assert_eq!(other.status(), StatusCode::OK);
    let analyst = client
        .get(service.url("/v1/instruments"))
        .bearer_auth(service.token("analytiker"))
        .send()
        .await
        .expect("send");
    assert_eq!(analyst.status(), StatusCode::OK);

    // The slow principal got its half of the slots; the rest of its requests were told 503.
    let mut refused = 0;
    for stream in &mut slow {
        if let Some(answer) = response_within(stream, Duration::from_millis(100)).await {
            assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
            refused += 1;
        }
    }
    assert_eq!(refused, 32);
    // Counted by role, never by principal.
    let refused_caseworkers = "bistand_principal_share_refused_total{role=\"caseworker\"}";
    assert_eq!(metric(&service, refused_caseworkers).await, 32);
    let analysts = "bistand_principal_share_refused_total{role=\"analyst\"}";
    assert_eq!(metric(&service, analysts).await, 0);
    drop(slow);
    service.running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_length_over_the_limit_gets_413_at_once() {
    let service = Service::start(|_| {}).await;
    let mut stream = raw_tls(&service).await;
    let head = format!(
        "POST /v1/validate HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer {}\r\n\
         content-type: application/json\r\ncontent-length: 10000000000\r\n\r\n",
        service.token("handlaggare-norr")
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.flush().await.expect("flush");
    let answer = response_within(&mut stream, Duration::from_secs(1))
        .await
        .expect("an answer within a second");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{answer}"
    );
    service.running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_that_may_not_post_is_refused_before_its_body_is_read() {
    let service = Service::start(|_| {}).await;
    let mut stream = raw_tls(&service).await;
    // An analyst may not validate: 403 without waiting for the 1000 bytes announced.
    let head = format!(
        "POST /v1/validate HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer {}\r\n\
         content-type: application/json\r\ncontent-length: 1000\r\n\r\n{{",
        service.token("analytiker")
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.flush().await.expect("flush");
    let answer = response_within(&mut stream, Duration::from_secs(1))
        .await
        .expect("an answer within a second");
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    service.running.stop().await.expect("stops");
}

/// Sends `GET path` on a kept-alive HTTP/1.1 connection and reads the whole answer; its status.
async fn get_on(stream: &mut TlsStream<TcpStream>, path: &str, token: &str) -> Option<u16> {
    let head =
        format!("GET {path} HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer {token}\r\n\r\n");
    stream.write_all(head.as_bytes()).await.ok()?;
    stream.flush().await.ok()?;
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    let read = async {
        loop {
            if let Some(end) = answer.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&answer[..end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|line| line.strip_prefix("content-length:"))
                    .and_then(|value| value.trim().parse().ok())?;
                if answer.len() >= end + 4 + length {
                    return head.get(9..12)?.parse().ok();
                }
            }
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => answer.extend_from_slice(&buffer[..n]),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .ok()
        .flatten()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authenticated_connection_is_not_shed_by_anonymous_ones() {
    let service = Service::start(|config| config.limits.max_pending_connections = 2).await;
    let token = service.token("analytiker");
    let mut authenticated = raw_tls(&service).await;
    assert_eq!(
        get_on(&mut authenticated, "/v1/instruments", &token).await,
        Some(200)
    );
    let mut anonymous = raw_tls(&service).await;
    assert_eq!(get_on(&mut anonymous, "/health", "-").await, Some(200));
    // Anonymous connections beyond the pending pool push out the oldest anonymous ones, never
    // the connection that authenticated.
    let mut flood = Vec::new();
    for _ in 0..8 {
        flood.push(
            TcpStream::connect(service.running.address)
                .await
                .expect("connect"),
        );
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        get_on(&mut anonymous, "/health", "-").await,
        None,
        "the anonymous connection was shed"
    );
    assert_eq!(
        get_on(&mut authenticated, "/v1/instruments", &token).await,
        Some(200),
        "the authenticated connection is still served"
    );
    drop(flood);
    service.running.stop().await.expect("stops");
}
