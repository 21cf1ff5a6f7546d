//! The REST target: a running `bistand serve`, called over HTTPS with a bearer token. The REST
//! API validates and summarises documents; it has no pseudonym endpoint and reports over stored
//! records, not over NDJSON, so those cases are "not offered" here.

use std::path::Path;

use anyhow::{Context, Result, bail};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use super::{Answer, Input, Target};

/// A running sidecar.
pub struct Rest {
    base: String,
    token: String,
    client: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

impl Rest {
    /// A client of the service at `base` (e.g. `https://bistand.example:8443`) trusting the CA
    /// certificates in the PEM file `ca`, sending `token`.
    ///
    /// # Errors
    /// When the CA file cannot be read or the client cannot be built.
    pub fn new(base: &str, token: &str, ca: &Path) -> Result<Rest> {
        let mut roots = rustls::RootCertStore::empty();
        for certificate in CertificateDer::pem_file_iter(ca)
            .with_context(|| format!("cannot read the CA file {}", ca.display()))?
        {
            roots.add(certificate.context("the CA file is not PEM")?)?;
        }
        let tls = rustls::ClientConfig::builder_with_provider(crate::server::crypto_provider())
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .build()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(Rest {
            base: base.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            client,
            runtime,
        })
    }

    /// The answer's bytes, or the refusal's kind (from the problem's `type`) and detail.
    fn post(&self, path: &str, query: &[(&str, &str)], body: &[u8]) -> Result<Answer> {
        let mut url = reqwest::Url::parse(&format!("{}{path}", self.base))
            .with_context(|| format!("`{}` is not a URL", self.base))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        self.runtime.block_on(async {
            let response = self
                .client
                .post(url)
                .bearer_auth(&self.token)
                .header("content-type", "application/json")
                .body(body.to_vec())
                .send()
                .await
                .with_context(|| format!("POST {path} failed"))?;
            let status = response.status();
            let bytes = response.bytes().await?.to_vec();
            if status.is_success() {
                return Ok(Answer::Bytes(bytes));
            }
            let problem: serde_json::Value = serde_json::from_slice(&bytes).with_context(|| {
                format!(
                    "{status} without problem details: {}",
                    String::from_utf8_lossy(&bytes)
                )
            })?;
            let Some(kind) = problem["type"]
                .as_str()
                .and_then(|t| t.strip_prefix("urn:bistand:problem:"))
            else {
                bail!("{status}: {problem}");
            };
            Ok(Answer::Refused {
                kind: kind.to_owned(),
                message: problem["detail"].as_str().unwrap_or_default().to_owned(),
            })
        })
    }
}

impl Target for Rest {
    fn name(&self) -> String {
        format!("REST API {}", self.base)
    }

    fn run(&self, input: &Input) -> Result<Answer> {
        match input {
            Input::Validate {
                profile: Some(_), ..
            } => Ok(Answer::NotOffered(
                "the service's profile is its configuration's, not the case's",
            )),
            Input::Validate {
                document,
                instrument,
                profile: None,
            } => {
                let query: Vec<(&str, &str)> = instrument
                    .iter()
                    .map(|i| ("instrument", i.as_str()))
                    .collect();
                self.post("/v1/validate", &query, document)
            }
            Input::Summary {
                instrument: Some(_),
                ..
            } => Ok(Answer::NotOffered(
                "POST /v1/summary takes the instrument from the document",
            )),
            Input::Summary {
                document,
                today,
                instrument: None,
            } => {
                let query: Vec<(&str, &str)> =
                    today.iter().map(|t| ("today", t.as_str())).collect();
                self.post("/v1/summary", &query, document)
            }
            Input::Pseudonymise { .. } => {
                Ok(Answer::NotOffered("the REST API has no pseudonym endpoint"))
            }
            Input::Report { .. } => Ok(Answer::NotOffered(
                "the REST API reports over stored records, not over NDJSON",
            )),
        }
    }
}
