//! Running the service: TLS from PEM files, the hyper accept loop with its limits and timeouts,
//! client certificates, and graceful shutdown. The routes live in [`crate::api`].

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use axum::extract::Request;
use axum::response::Response;
use bistand_core::Engine;
use bistand_store::{AuditedStore, Keyring, SqliteStore};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use rustls::ServerConfig;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use crate::api::{Api, AppState, PeerCertificate, app};
use crate::auth::Principals;
use crate::config::{Config, Limits, TlsSection};
use crate::metrics::Metrics;

/// The single crypto provider of every TLS configuration here.
pub fn crypto_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The service's state from a checked configuration: opens the store with its keys.
///
/// # Errors
///
/// If the keys file or the store cannot be opened.
pub fn state(config: &Config, metrics: Arc<Metrics>) -> Result<AppState> {
    let keys = crate::keys::load(&config.store.keys)?;
    let store = open_store(&config.store.path, keys.keyring)
        .with_context(|| format!("cannot open the store {}", config.store.path.display()))?;
    Ok(AppState::new(
        Engine::new()?,
        store,
        keys.pseudonym,
        Principals::new(&config.principals),
        config.limits.clone(),
        metrics,
    ))
}

/// Opens the store at `path` (creating it if needed): the one place the sidecar names a storage
/// backend. The service, the command line and the demo hold what this returns, so another
/// backend plugs in here.
///
/// # Errors
///
/// As [`SqliteStore::open`].
pub fn open_store(path: &Path, keyring: Keyring) -> bistand_store::Result<Arc<dyn AuditedStore>> {
    Ok(Arc::new(SqliteStore::open(path, keyring)?))
}

/// The rustls server configuration from the `[tls]` section: TLS 1.3 and 1.2, HTTP/2 and
/// HTTP/1.1 by ALPN, and client certificates when a client CA is configured.
///
/// # Errors
///
/// If a PEM file cannot be read or holds no usable certificate or key.
pub fn tls_config(tls: &TlsSection) -> Result<ServerConfig> {
    let provider = crypto_provider();
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&tls.certificate)
        .with_context(|| format!("tls.certificate: cannot read {}", tls.certificate.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("tls.certificate: {} is not PEM", tls.certificate.display()))?;
    if chain.is_empty() {
        bail!(
            "tls.certificate: {} holds no certificate",
            tls.certificate.display()
        );
    }
    let key = PrivateKeyDer::from_pem_file(&tls.private_key).with_context(|| {
        format!(
            "tls.private_key: {} holds no PEM private key",
            tls.private_key.display()
        )
    })?;
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .context("TLS protocol versions")?;
    let builder = match &tls.client_ca {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for certificate in CertificateDer::pem_file_iter(ca)
                .with_context(|| format!("tls.client_ca: cannot read {}", ca.display()))?
            {
                let certificate = certificate
                    .with_context(|| format!("tls.client_ca: {} is not PEM", ca.display()))?;
                roots.add(certificate).with_context(|| {
                    format!(
                        "tls.client_ca: a certificate in {} is unusable",
                        ca.display()
                    )
                })?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
            let verifier = if tls.require_client_certificate {
                verifier.build()
            } else {
                verifier.allow_unauthenticated().build()
            }
            .context("tls.client_ca: cannot build the client verifier")?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut config = builder
        .with_single_cert(chain, key)
        .context("tls: the private key does not match the certificate")?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Serves `api` on `listener` until `shutdown` completes, then stops accepting and gives
/// in-flight requests `grace` to finish.
///
/// Each connection is limited by `limits`: at most `max_connections` at once (the rest wait in
/// the kernel's queue), the TLS handshake and the request head within the handshake timeout,
/// request heads within `max_header_bytes`.
///
/// # Errors
///
/// Only if the listener fails in a way that cannot be retried.
pub async fn serve(
    listener: TcpListener,
    tls: Option<Arc<ServerConfig>>,
    api: Api,
    limits: Limits,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) -> Result<()> {
    let acceptor = tls.map(TlsAcceptor::from);
    let graceful = GracefulShutdown::new();
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.handshake_timeout())
        // hyper's smallest buffer is 8 KiB; the configuration does not go below it.
        .max_buf_size(limits.max_header_bytes.max(8192));
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX))
        .max_concurrent_streams(256);
    let builder = Arc::new(builder);
    tokio::pin!(shutdown);

    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        metrics.connection();
        let watcher = graceful.watcher();
        let api = api.clone();
        let builder = builder.clone();
        let acceptor = acceptor.clone();
        let metrics = metrics.clone();
        let handshake_timeout = limits.handshake_timeout();
        tokio::spawn(async move {
            let _permit = permit;
            match acceptor {
                Some(acceptor) => {
                    let stream = match tokio::time::timeout(
                        handshake_timeout,
                        acceptor.accept(stream),
                    )
                    .await
                    {
                        Ok(Ok(stream)) => stream,
                        Ok(Err(error)) => {
                            metrics.handshake_failure();
                            tracing::debug!(error = %error, "TLS handshake failed");
                            return;
                        }
                        Err(_) => {
                            metrics.handshake_failure();
                            tracing::debug!("TLS handshake timed out");
                            return;
                        }
                    };
                    let certificate = stream
                        .get_ref()
                        .1
                        .peer_certificates()
                        .and_then(|chain| chain.first())
                        .map(|leaf| PeerCertificate(Arc::new(leaf.to_vec())));
                    let service = hyper::service::service_fn(route(api, certificate));
                    let connection = builder.serve_connection(TokioIo::new(stream), service);
                    let _ = watcher.watch(connection.into_owned()).await;
                }
                None => {
                    let service = hyper::service::service_fn(route(api, None));
                    let connection = builder.serve_connection(TokioIo::new(stream), service);
                    let _ = watcher.watch(connection.into_owned()).await;
                }
            }
        });
    }

    drop(listener);
    tracing::info!("shutting down: no new connections, finishing requests in flight");
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all connections closed"),
        () = tokio::time::sleep(grace) => tracing::warn!("shutdown grace period over; closing the remaining connections"),
    }
    Ok(())
}

/// A response to come, as hyper's connection wants it.
type Answer = std::pin::Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

/// A connection's requests handed to the service, each carrying the client certificate the
/// connection presented, if any.
fn route(api: Api, certificate: Option<PeerCertificate>) -> impl Fn(Request<Incoming>) -> Answer {
    move |mut request| {
        if let Some(certificate) = &certificate {
            request.extensions_mut().insert(certificate.clone());
        }
        let response = api.call(request.map(axum::body::Body::new));
        Box::pin(async move { Ok(response.await) })
    }
}

/// A server started in the background (tests, `bistand demo`).
pub struct Running {
    /// Where it listens.
    pub address: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<()>>,
}

impl Running {
    /// Starts the service described by `config` (a port of 0 picks a free port).
    ///
    /// # Errors
    ///
    /// If the configuration's files cannot be used or the address cannot be bound.
    pub async fn start(config: &Config) -> Result<Running> {
        let bound = Bound::new(config).await?;
        let address = bound.listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(bound.serve(async move {
            let _ = stopped.await;
        }));
        Ok(Running {
            address,
            stop: Some(stop),
            task,
        })
    }

    /// Stops accepting, lets in-flight requests finish, and waits.
    ///
    /// # Errors
    ///
    /// If the server failed.
    pub async fn stop(mut self) -> Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await.context("the server task failed")?
    }
}

/// SIGTERM or SIGINT (Ctrl-C).
pub async fn termination() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

/// `bistand serve --config FILE`: runs until SIGTERM or SIGINT.
///
/// # Errors
///
/// If the configuration cannot be used or the server fails.
pub fn run(config_path: &std::path::Path) -> Result<()> {
    let config = Config::load(config_path)?;
    let _logs = crate::logging::init(&config.log)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let bound = Bound::new(&config).await?;
        tracing::info!(
            address = %bound.listener.local_addr()?,
            tls = bound.tls.is_some(),
            mtls = config.tls.as_ref().is_some_and(|t| t.client_ca.is_some()),
            "listening"
        );
        bound.serve(termination()).await
    })
}

/// A service ready to serve: its router, TLS configuration and bound listener, built from a
/// configuration the same way for `bistand serve`, `bistand demo` and the tests.
struct Bound {
    api: Api,
    tls: Option<Arc<ServerConfig>>,
    listener: TcpListener,
    limits: Limits,
    metrics: Arc<Metrics>,
    grace: Duration,
}

impl Bound {
    async fn new(config: &Config) -> Result<Bound> {
        // Checked when the file is loaded too; repeated here because a configuration can also be
        // built in code, and plain HTTP off loopback must never be served.
        if config.tls.is_none() && !config.server.listen.ip().is_loopback() {
            bail!("plain HTTP is allowed only on a loopback address; configure [tls]");
        }
        let metrics = Arc::new(Metrics::default());
        let state = state(config, metrics.clone())?;
        let tls = config
            .tls
            .as_ref()
            .map(tls_config)
            .transpose()?
            .map(Arc::new);
        let listener = TcpListener::bind(config.server.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.server.listen))?;
        Ok(Bound {
            api: app(state),
            tls,
            listener,
            limits: config.limits.clone(),
            metrics,
            grace: Duration::from_secs(config.server.shutdown_grace_seconds),
        })
    }

    async fn serve(self, shutdown: impl Future<Output = ()>) -> Result<()> {
        serve(
            self.listener,
            self.tls,
            self.api,
            self.limits,
            self.metrics,
            shutdown,
            self.grace,
        )
        .await
    }
}
