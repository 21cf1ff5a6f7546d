//! A service started in-process over real TLS on port 0, with clients for every principal.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bistand_sidecar::auth::sha256_hex;
use bistand_sidecar::config::{Config, PrincipalConfig, Role};
use bistand_sidecar::init::{Created, InitOptions, init};
use bistand_sidecar::server::{Running, crypto_provider};
use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// Token of the extra analyst that sees only unit norr.
pub(crate) const NORR_ANALYST_TOKEN: &str = "bistand_test_analyst_of_norr_only";

pub(crate) struct Service {
    pub(crate) running: Running,
    pub(crate) created: Created,
    /// The configuration it runs with.
    pub(crate) config: Config,
    pub(crate) base: String,
    pub(crate) _dir: tempfile::TempDir,
}

impl Service {
    /// A fresh setup (`bistand init`), with `adjust` applied to its configuration.
    pub(crate) async fn start(adjust: impl FnOnce(&mut Config)) -> Service {
        let dir = tempfile::tempdir().expect("tempdir");
        let created = init_in(dir.path(), &["norr", "soder"]);
        let mut config = Config::load(&created.config).expect("config");
        config.principals.push(PrincipalConfig {
            name: "analytiker-norr".into(),
            role: Role::Analyst,
            units: vec!["norr".into()],
            token_sha256: Some(sha256_hex(NORR_ANALYST_TOKEN.as_bytes())),
            certificate_sha256: None,
        });
        adjust(&mut config);
        Service::over(config, created, dir).await
    }

    /// A service started with `config`, the setup `created` in `dir` (its store may already hold
    /// records written another way).
    pub(crate) async fn over(config: Config, created: Created, dir: tempfile::TempDir) -> Service {
        let running = Running::start(&config).await.expect("starts");
        let base = format!("https://localhost:{}", running.address.port());
        Service {
            running,
            created,
            config,
            base,
            _dir: dir,
        }
    }

    /// Stops the service and starts a new one over the same files (a restart: nothing held in
    /// memory survives it).
    pub(crate) async fn restart(self) -> Service {
        let Service {
            running,
            created,
            config,
            _dir: dir,
            ..
        } = self;
        running.stop().await.expect("stops");
        Service::over(config, created, dir).await
    }

    pub(crate) fn dir(&self) -> &Path {
        self.created.config.parent().expect("dir")
    }

    pub(crate) fn token(&self, name: &str) -> String {
        if name == "analytiker-norr" {
            return NORR_ANALYST_TOKEN.to_owned();
        }
        self.created
            .principals
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.token.clone())
            .unwrap_or_else(|| panic!("no principal {name}"))
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stores a FIA document of `unit` for `client_id` as principal `caseworker`; its record id.
    pub(crate) async fn create_record(
        &self,
        caseworker: &str,
        client_id: &str,
        unit: &str,
    ) -> String {
        let created: serde_json::Value = self
            .client()
            .post(self.url("/v1/records"))
            .bearer_auth(self.token(caseworker))
            .json(&serde_json::json!({ "client_id": client_id, "document": fia_document(unit) }))
            .send_json()
            .await;
        created["record"]["record_id"]
            .as_str()
            .unwrap_or_else(|| panic!("no record id in {created}"))
            .to_owned()
    }

    /// A client trusting the setup's CA, without a client certificate.
    pub(crate) fn client(&self) -> reqwest::Client {
        client(&self.created.ca, None)
    }

    /// A client presenting the client certificate of `name`.
    pub(crate) fn client_as(&self, name: &str) -> reqwest::Client {
        let dir = self.dir().join("clients");
        client(
            &self.created.ca,
            Some((
                dir.join(format!("{name}.pem")),
                dir.join(format!("{name}.key")),
            )),
        )
    }
}

pub(crate) fn roots(ca: &Path) -> RootCertStore {
    let mut roots = RootCertStore::empty();
    for certificate in CertificateDer::pem_file_iter(ca).expect("ca") {
        roots.add(certificate.expect("pem")).expect("root");
    }
    roots
}

pub(crate) fn client_config(
    ca: &Path,
    identity: Option<(PathBuf, PathBuf)>,
) -> rustls::ClientConfig {
    let builder = rustls::ClientConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots(ca));
    match identity {
        Some((certificate, key)) => {
            let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(certificate)
                .expect("certificate")
                .collect::<Result<_, _>>()
                .expect("pem");
            let key = PrivateKeyDer::from_pem_file(key).expect("key");
            builder.with_client_auth_cert(chain, key).expect("identity")
        }
        None => builder.with_no_client_auth(),
    }
}

pub(crate) fn client(ca: &Path, identity: Option<(PathBuf, PathBuf)>) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_backend_preconfigured(client_config(ca, identity))
        .build()
        .expect("client")
}

/// `bistand init` into `dir/setup` for `units`, listening on 127.0.0.1 port 0.
pub(crate) fn init_in(dir: &Path, units: &[&str]) -> Created {
    init(
        &dir.join("setup"),
        &InitOptions {
            listen: "127.0.0.1:0".parse().expect("address"),
            hosts: Vec::new(),
            units: units.iter().map(|u| (*u).to_owned()).collect(),
        },
    )
    .expect("init")
}

/// A raw TLS connection, for requests that stop halfway.
pub(crate) async fn raw_tls(
    service: &Service,
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let connector =
        tokio_rustls::TlsConnector::from(Arc::new(client_config(&service.created.ca, None)));
    let tcp = tokio::net::TcpStream::connect(service.running.address)
        .await
        .expect("connect");
    connector
        .connect(
            rustls_pki_types::ServerName::try_from("localhost").expect("name"),
            tcp,
        )
        .await
        .expect("handshake")
}

/// A valid FIA document of unit `unit`.
pub(crate) fn fia_document(unit: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/documents/fia-complete.json"),
    )
    .expect("example");
    let mut document: serde_json::Value = serde_json::from_str(&text).expect("json");
    document["unit"] = serde_json::Value::String(unit.to_owned());
    document
}

/// Sends a request and reads its answer as JSON or as text.
pub(crate) trait ReadAnswer {
    async fn send_json(self) -> serde_json::Value;
    async fn send_text(self) -> String;
}

impl ReadAnswer for reqwest::RequestBuilder {
    async fn send_json(self) -> serde_json::Value {
        self.send().await.expect("send").json().await.expect("json")
    }

    async fn send_text(self) -> String {
        self.send().await.expect("send").text().await.expect("text")
    }
}
