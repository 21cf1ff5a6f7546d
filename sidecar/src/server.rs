//! Running the service: TLS from PEM files, the hyper accept loop with its limits and timeouts,
//! client certificates, and graceful shutdown. The routes live in [`crate::api`]; the budgets
//! that keep anonymous and idle connections from starving the service in
//! [`crate::connections`].

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
use bistand_core::audit_key::AuditKey;
use bistand_store::{AuditedStore, Keyring, SqliteStore};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use rustls::ServerConfig;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_rustls::TlsAcceptor;

use crate::api::{Api, AppState, PeerCertificate, app};
use crate::auth::{ConnectionAuthentication, Principals};
use crate::config::{Config, Limits, TlsSection};
use crate::connections::{Activity, Pending, PendingSlot};
use crate::metrics::{Closed, Metrics};

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
    let store = open_store(
        &config.store.path,
        keys.keyring,
        &keys.pseudonym,
        keys.audit,
    )
    .with_context(|| format!("cannot open the store {}", config.store.path.display()))?;
    Ok(AppState::new(
        Engine::new()?,
        store,
        keys.pseudonym,
        keys.statistics,
        Principals::new(&config.principals),
        config.limits.clone(),
        metrics,
    ))
}

/// Opens the store at `path` (creating it if needed), binds it to its keys
/// ([`Store::bind_keys`](bistand_store::Store::bind_keys)) and links its audit log under
/// `audit_key`: the one place the sidecar names a
/// storage backend. The service, the command line and the demo hold what this returns, so
/// another backend plugs in here.
///
/// # Errors
///
/// As [`SqliteStore::open`]; [`bistand_store::ErrorKind::WrongKeys`] when the keys are not the
/// store's (nothing is written then).
pub fn open_store(
    path: &Path,
    keyring: Keyring,
    pseudonym: &bistand_core::identifier::PseudonymKey,
    audit_key: AuditKey,
) -> bistand_store::Result<Arc<dyn AuditedStore>> {
    let store = SqliteStore::open(path, keyring)?;
    bistand_store::Store::bind_keys(&store, pseudonym)?;
    Ok(Arc::new(store.with_audit_key(audit_key)))
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
/// Each connection is limited by `limits`:
/// - until a request on it authenticates, it is one of at most `max_pending_connections`;
///   when a new connection arrives and that pool is full, the oldest in it is closed, so the
///   loop never stops accepting and anonymous clients cannot hold the slots of authenticated
///   ones ([`crate::connections`]);
/// - once a request on it authenticates, it moves to the `max_connections` pool if that has
///   room (else it stays in the pending pool, where it may be shed);
/// - the TLS handshake and each HTTP/1 request head must arrive within the handshake timeout;
/// - a connection with no request in progress for the idle timeout (HTTP/1 keep-alive, HTTP/2
///   with no open stream) is closed, and HTTP/2 clients must answer keep-alive pings;
/// - request heads are at most `max_header_bytes`.
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
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        // hyper starts this timer when it waits for a request head, so it closes idle
        // keep-alive connections too.
        .header_read_timeout(limits.handshake_timeout())
        // hyper's smallest buffer is 8 KiB; the configuration does not go below it.
        .max_buf_size(limits.max_header_bytes.max(8192));
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX))
        .max_concurrent_streams(256)
        .keep_alive_interval(Duration::from_secs(limits.keepalive_interval_seconds))
        .keep_alive_timeout(Duration::from_secs(limits.keepalive_timeout_seconds));
    let shared = Arc::new(Shared {
        builder,
        acceptor: tls.map(TlsAcceptor::from),
        api,
        authenticated: Arc::new(Semaphore::new(limits.max_connections)),
        limits,
        metrics,
    });
    let pending = Pending::new(shared.limits.max_pending_connections);
    // Every connection task holds a receiver; `closed()` completes when the last one ends.
    let (closing, _) = tokio::sync::watch::channel(false);
    tokio::pin!(shutdown);

    loop {
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
        shared.metrics.connection();
        let (slot, shed) = pending.admit();
        if shed {
            shared.metrics.closed(Closed::Unauthenticated);
            tracing::debug!("pending connections full: closed the oldest");
        }
        tokio::spawn(connection(
            stream,
            shared.clone(),
            slot,
            closing.subscribe(),
        ));
    }

    drop(listener);
    tracing::info!("shutting down: no new connections, finishing requests in flight");
    let _ = closing.send(true);
    tokio::select! {
        () = closing.closed() => tracing::info!("all connections closed"),
        () = tokio::time::sleep(grace) => tracing::warn!("shutdown grace period over; closing the remaining connections"),
    }
    Ok(())
}

/// What every connection task needs.
struct Shared {
    builder: auto::Builder<TokioExecutor>,
    acceptor: Option<TlsAcceptor>,
    api: Api,
    /// Places for connections that have authenticated (`limits.max_connections`).
    authenticated: Arc<Semaphore>,
    limits: Limits,
    metrics: Arc<Metrics>,
}

/// One connection from accept to close: the TLS handshake, then HTTP until the client closes,
/// the connection is shed or idle, or the server shuts down.
async fn connection(
    stream: TcpStream,
    shared: Arc<Shared>,
    slot: PendingSlot,
    closing: tokio::sync::watch::Receiver<bool>,
) {
    let Some(acceptor) = shared.acceptor.clone() else {
        http(TokioIo::new(stream), None, &shared, slot, closing).await;
        return;
    };
    let handshake =
        tokio::time::timeout(shared.limits.handshake_timeout(), acceptor.accept(stream));
    let stream = tokio::select! {
        outcome = handshake => match outcome {
            Ok(Ok(stream)) => stream,
            Ok(Err(error)) => {
                shared.metrics.handshake_failure();
                tracing::debug!(error = %error, "TLS handshake failed");
                return;
            }
            Err(_) => {
                shared.metrics.handshake_failure();
                shared.metrics.closed(Closed::HandshakeTimeout);
                tracing::debug!("TLS handshake timed out");
                return;
            }
        },
        () = slot.evicted() => return,
    };
    let certificate = stream
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|chain| chain.first())
        .map(|leaf| PeerCertificate(Arc::new(leaf.to_vec())));
    http(TokioIo::new(stream), certificate, &shared, slot, closing).await;
}

/// Serves HTTP on an established (TLS or loopback plain) connection.
async fn http<I>(
    io: I,
    certificate: Option<PeerCertificate>,
    shared: &Shared,
    slot: PendingSlot,
    mut closing: tokio::sync::watch::Receiver<bool>,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let authentication = ConnectionAuthentication::default();
    let activity = Activity::new();
    let service = hyper::service::service_fn(route(
        shared.api.clone(),
        certificate,
        authentication.clone(),
        activity.clone(),
    ));
    let connection = shared.builder.serve_connection(io, service);
    tokio::pin!(connection);
    let mut slot = Some(slot);
    // Held until the connection closes once it has moved to the authenticated pool.
    let mut _place: Option<OwnedSemaphorePermit> = None;
    let mut promotion_tried = false;
    let idle_timeout = shared.limits.idle_timeout();

    let shutting_down = loop {
        tokio::select! {
            _ = connection.as_mut() => return,
            () = authentication.wait(), if !promotion_tried => {
                promotion_tried = true;
                // With no room among authenticated connections, it stays pending (and may be
                // shed) rather than waiting: waiting would hold it in neither pool.
                if let Ok(place) = shared.authenticated.clone().try_acquire_owned() {
                    _place = Some(place);
                    slot = None;
                }
            }
            () = evicted(slot.as_ref()) => {
                // Shed to make room for a newer connection: closed at once, since a client
                // that never authenticates need not be told.
                return;
            }
            () = activity.idle_for(idle_timeout) => {
                shared.metrics.closed(Closed::Idle);
                break false;
            }
            _ = closing.changed() => break true,
        }
    };
    connection.as_mut().graceful_shutdown();
    if shutting_down {
        // The server's grace period bounds this.
        let _ = connection.await;
    } else {
        // An idle HTTP/2 client is sent GOAWAY and a ping; one that does not answer soon is
        // not waited for (there is no request of its to finish).
        let _ = tokio::time::timeout(IDLE_CLOSE_GRACE, connection).await;
    }
}

/// How long an idle connection being closed has to acknowledge it (HTTP/2 GOAWAY) before it is
/// cut: long enough for a round trip, short enough that a silent client frees its socket soon.
const IDLE_CLOSE_GRACE: Duration = Duration::from_secs(1);

/// Completes when `slot`'s connection is shed; never without a slot.
async fn evicted(slot: Option<&PendingSlot>) {
    match slot {
        Some(slot) => slot.evicted().await,
        None => std::future::pending().await,
    }
}

/// A response to come, as hyper's connection wants it.
type Answer = std::pin::Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

/// A connection's requests handed to the service, each carrying the client certificate the
/// connection presented, if any, and the connection's authentication signal; each counts as
/// activity on the connection until its response is ready.
fn route(
    api: Api,
    certificate: Option<PeerCertificate>,
    authentication: ConnectionAuthentication,
    activity: Arc<Activity>,
) -> impl Fn(Request<Incoming>) -> Answer {
    move |mut request| {
        let in_progress = activity.request();
        let extensions = request.extensions_mut();
        if let Some(certificate) = &certificate {
            extensions.insert(certificate.clone());
        }
        // Once the connection has authenticated, its requests need not say so again (and a
        // request without extensions saves an allocation).
        if !authentication.is_authenticated() {
            extensions.insert(authentication.clone());
        }
        let response = api.call(request.map(axum::body::Body::new));
        Box::pin(async move {
            let response = response.await;
            drop(in_progress);
            Ok(response)
        })
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
