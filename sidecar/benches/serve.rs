//! `POST /v1/validate` over TLS with keep-alive: `bistand serve` against, in the same run, a bare
//! hyper + rustls server that only echoes the same bytes (the floor of any HTTPS service here) and
//! a FastAPI + Python `jsonschema` service validating against the published schema.
//!
//! `cargo bench -p bistand-sidecar --bench serve` runs each for 10 s with 32 connections after a
//! warm-up; `scripts/bench-serve.sh` installs FastAPI first so the third comparison runs too. Under
//! `cargo test --benches` (no `--bench` argument) each runs for a moment, as a smoke test.
//! Every server is a separate process on loopback; the load generator here is bounded (a fixed
//! number of connections, one request in flight on each) and checks every answer's status.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener as StdListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bistand_sidecar::config::{Config, LogFormat};
use bistand_sidecar::init::{InitOptions, init};
use bistand_sidecar::server::crypto_provider;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};

struct Outcome {
    requests: u64,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// CPU time per request, warm-up included, of the server and of this load generator (µs).
    server_cpu_us: f64,
    client_cpu_us: f64,
}

impl Outcome {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--echo-server") {
        echo_server(Path::new(&args[i + 1]), Path::new(&args[i + 2]));
        return;
    }
    let full = args.iter().any(|a| a == "--bench");
    // Full runs alternate bistand and the echo over several rounds and report medians: this
    // machine's neighbours come and go, and a slow spell then weighs on both servers alike.
    let (warm_up, measure, connections, rounds) = if full {
        (Duration::from_secs(1), Duration::from_secs(6), 32, 5)
    } else {
        (Duration::from_millis(100), Duration::from_millis(500), 4, 1)
    };

    let dir = tempfile::tempdir().expect("tempdir");
    let created = init(
        &dir.path().join("setup"),
        &InitOptions {
            listen: "127.0.0.1:0".parse().expect("address"),
            hosts: Vec::new(),
            units: vec!["norr".into()],
        },
    )
    .expect("init");
    let setup = created.config.parent().expect("dir").to_path_buf();
    let token = created.principals[0].token.clone();
    let document = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/documents/fia-complete.json"),
    )
    .expect("example document");
    // One thread drives every connection (as `wrk -t1` would), so the load generator takes as
    // little of the two cores from the server under test as it can, the same for every server.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let tls = client_config(&created.ca);

    println!(
        "POST /v1/validate, {} byte FIA document, TLS 1.3 keep-alive, {connections} connections, \
         {} s per server in each of {rounds} round(s) (bistand and the echo alternate)",
        document.len(),
        measure.as_secs_f64()
    );

    // bistand serve, with its JSON request log on (as deployed) going to a file, and the floor:
    // hyper + rustls echoing the body. Both run throughout; each is idle while the other is
    // measured.
    let (mut bistand, address) = spawn_bistand(&created.config, &setup);
    let mut echo = Command::new(std::env::current_exe().expect("exe"))
        .arg("--echo-server")
        .arg(setup.join("server.pem"))
        .arg(setup.join("server.key"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("echo server");
    let echo_address = first_line(&mut echo).parse().expect("echo address");
    // One bounded load, the same for every server: only the address and path differ.
    let measure_at = |address: SocketAddr, path: &str, server: u32| {
        let (server_before, client_before) = (cpu_seconds(server), cpu_seconds(std::process::id()));
        let (mut outcome, sent) = runtime.block_on(load(
            &tls,
            address,
            path,
            &token,
            &document,
            connections,
            warm_up,
            measure,
        ));
        let per_request = |before: f64, pid: u32| (cpu_seconds(pid) - before) * 1e6 / sent as f64;
        outcome.server_cpu_us = per_request(server_before, server);
        outcome.client_cpu_us = per_request(client_before, std::process::id());
        outcome
    };
    let mut bistand_rounds = Vec::new();
    let mut echo_rounds = Vec::new();
    let mut memory = None;
    for round in 1..=rounds {
        let ours = measure_at(address, "/v1/validate", bistand.id());
        memory = memory_of(bistand.id()).or(memory);
        let floor = measure_at(echo_address, "/echo", echo.id());
        if rounds > 1 {
            println!(
                "  round {round}: bistand {:.0}, echo {:.0} req/s, ratio {:.2}x; CPU µs per \
                 request, server and load generator: bistand {:.1} + {:.1}, echo {:.1} + {:.1}",
                ours.per_second(),
                floor.per_second(),
                ours.per_second() / floor.per_second(),
                ours.server_cpu_us,
                ours.client_cpu_us,
                floor.server_cpu_us,
                floor.client_cpu_us
            );
        }
        bistand_rounds.push(ours);
        echo_rounds.push(floor);
    }
    let _ = bistand.kill();
    let _ = bistand.wait();
    let _ = echo.kill();
    let _ = echo.wait();
    let ratios: Vec<f64> = bistand_rounds
        .iter()
        .zip(&echo_rounds)
        .map(|(ours, floor)| ours.per_second() / floor.per_second())
        .collect();
    let outcome = median_outcome(bistand_rounds);
    let echo_outcome = median_outcome(echo_rounds);
    println!(
        "{:<34} {:>10} {:>9} {:>9} {:>12} {:>12}",
        "", "requests/s", "p50 ms", "p99 ms", "server µs/req", "client µs/req"
    );
    report("bistand serve", &outcome, true);
    report("hyper + rustls echo (floor)", &echo_outcome, true);

    // FastAPI + jsonschema against the published schema, when it is installed.
    let fastapi = fastapi_available();
    let fastapi_outcome = if fastapi {
        let schema = setup.join("fia.schema.json");
        let engine = bistand_core::Engine::new().expect("engine");
        std::fs::write(
            &schema,
            serde_json::to_vec(&engine.schema("fia", None).expect("schema")).expect("json"),
        )
        .expect("schema file");
        let port = free_port();
        let mut server = Command::new("python3")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/serve_fastapi.py"))
            .args(["--port", &port.to_string(), "--schema"])
            .arg(&schema)
            .arg("--cert")
            .arg(setup.join("server.pem"))
            .arg("--key")
            .arg(setup.join("server.key"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3");
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        wait_for(address);
        let outcome = measure_at(address, "/v1/validate", server.id());
        report("FastAPI + jsonschema (2 workers)", &outcome, false);
        let _ = server.kill();
        let _ = server.wait();
        Some(outcome)
    } else {
        println!(
            "{:<34} not installed (scripts/bench-serve.sh installs it)",
            "FastAPI + jsonschema"
        );
        None
    };

    println!();
    println!(
        "bistand / echo throughput: {:.2}x, median of the rounds' ratios {:.2}x (floor 0.5x)",
        outcome.per_second() / echo_outcome.per_second(),
        median(ratios)
    );
    if let Some(fastapi) = &fastapi_outcome {
        println!(
            "bistand / FastAPI throughput: {:.1}x (floor 5x)",
            outcome.per_second() / fastapi.per_second()
        );
    }
    if let Some((rss, peak)) = memory {
        println!("bistand serve memory under load: RSS {rss} kB, peak {peak} kB");
    }
}

/// The round with the median throughput (its latencies with it).
fn median_outcome(mut rounds: Vec<Outcome>) -> Outcome {
    rounds.sort_by(|a, b| a.per_second().total_cmp(&b.per_second()));
    let middle = rounds.len() / 2;
    rounds.swap_remove(middle)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn report(name: &str, outcome: &Outcome, with_cpu: bool) {
    let cpu = |us: f64| {
        if with_cpu {
            format!("{us:>12.1}")
        } else {
            format!("{:>12}", "-")
        }
    };
    println!(
        "{name:<34} {:>10.0} {:>9.2} {:>9.2} {} {}",
        outcome.per_second(),
        outcome.p50_ms,
        outcome.p99_ms,
        cpu(outcome.server_cpu_us),
        cpu(outcome.client_cpu_us),
    );
}

/// Starts `bistand serve` and waits for its "listening" line.
fn spawn_bistand(config_path: &Path, setup: &Path) -> (Child, SocketAddr) {
    let mut config = Config::load(config_path).expect("config");
    config.log.format = LogFormat::Json;
    config.limits.max_concurrent_requests = 256;
    // The loaded configuration has absolute paths; write it beside the original.
    let path = setup.join("bench.toml");
    std::fs::write(&path, toml::to_string(&config).expect("toml")).expect("write");
    let log = setup.join("bench.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_bistand"))
        .args(["serve", "--config"])
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("bistand serve");
    let started = Instant::now();
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(line) = text.lines().find(|l| l.contains("\"listening\"")) {
            let entry: serde_json::Value = serde_json::from_str(line).expect("JSON log");
            let address = entry["fields"]["address"].as_str().expect("address");
            return (child, address.parse().expect("address"));
        }
        if started.elapsed() > Duration::from_secs(20) || child.try_wait().ok().flatten().is_some()
        {
            panic!("bistand serve did not start: {text}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn first_line(child: &mut Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().expect("stdout"))
        .read_line(&mut line)
        .expect("line");
    line.trim().to_owned()
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address")
        .port()
}

fn wait_for(address: SocketAddr) {
    let started = Instant::now();
    while std::net::TcpStream::connect(address).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{address} did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn fastapi_available() -> bool {
    Command::new("python3")
        .args(["-c", "import fastapi, uvicorn, jsonschema"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Resident and peak resident memory of a process, in kB (Linux).
fn memory_of(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

fn client_config(ca: &Path) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_file_iter(ca).expect("ca") {
        roots.add(certificate.expect("pem")).expect("root");
    }
    let mut config = rustls::ClientConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}

/// `connections` keep-alive connections, each sending one request after another until the
/// deadline; latencies of the measured phase only.
#[allow(clippy::too_many_arguments)]
async fn load(
    tls: &Arc<rustls::ClientConfig>,
    address: SocketAddr,
    path: &str,
    token: &str,
    body: &[u8],
    connections: usize,
    warm_up: Duration,
    measure: Duration,
) -> (Outcome, u64) {
    let start = Instant::now() + warm_up;
    let end = start + measure;
    let body = Bytes::copy_from_slice(body);
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let connector = tokio_rustls::TlsConnector::from(tls.clone());
        let path = path.to_owned();
        let authorization =
            hyper::header::HeaderValue::from_str(&format!("Bearer {token}")).expect("header");
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let tcp = tokio::net::TcpStream::connect(address)
                .await
                .expect("connect");
            tcp.set_nodelay(true).expect("nodelay");
            let stream = connector
                .connect(ServerName::try_from("localhost").expect("name"), tcp)
                .await
                .expect("handshake");
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream))
                    .await
                    .expect("http handshake");
            tokio::spawn(connection);
            let mut latencies = Vec::new();
            let mut sent_in_all = 0u64;
            loop {
                let sent = Instant::now();
                if sent >= end {
                    break;
                }
                let request = Request::post(path.as_str())
                    .header("host", "localhost")
                    .header("authorization", authorization.clone())
                    .header("content-type", "application/json")
                    .body(Full::new(body.clone()))
                    .expect("request");
                let response = sender.send_request(request).await.expect("response");
                assert_eq!(response.status(), 200, "the server refused a request");
                response.into_body().collect().await.expect("body");
                sent_in_all += 1;
                if sent >= start {
                    latencies.push(sent.elapsed());
                }
            }
            (latencies, sent_in_all)
        }));
    }
    let mut latencies = Vec::new();
    let mut sent = 0;
    for task in tasks {
        let (connection_latencies, connection_sent) = task.await.expect("connection task");
        latencies.extend(connection_latencies);
        sent += connection_sent;
    }
    latencies.sort_unstable();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let outcome = Outcome {
        requests: latencies.len() as u64,
        seconds: measure.as_secs_f64(),
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        server_cpu_us: 0.0,
        client_cpu_us: 0.0,
    };
    (outcome, sent.max(1))
}

/// User plus system CPU time of a process so far, in seconds (Linux; 0 elsewhere). For a
/// server that forks workers (FastAPI) this is the parent's alone, so it is not reported.
fn cpu_seconds(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name, which is in parentheses and may contain spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line: indexes 11 and 12 after the name.
    (ticks(11) + ticks(12)) / USER_HZ
}

/// The kernel's `USER_HZ`, in which /proc reports CPU time: 100 on every Linux this runs on.
const USER_HZ: f64 = 100.0;

/// A bare HTTPS server (hyper + tokio-rustls, ring) that answers every request with its body.
fn echo_server(certificate: &Path, key: &Path) {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(certificate)
        .expect("certificate")
        .collect::<Result<_, _>>()
        .expect("pem");
    let key = PrivateKeyDer::from_pem_file(key).expect("key");
    let mut config = rustls::ServerConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server config");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        println!("{}", listener.local_addr().expect("address"));
        loop {
            let (tcp, _) = listener.accept().await.expect("accept");
            let _ = tcp.set_nodelay(true);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = hyper::service::service_fn(|request: Request<Incoming>| async move {
                    let body = request.into_body().collect().await?.to_bytes();
                    Ok::<_, hyper::Error>(Response::new(Full::new(body)))
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}
