//! `bistand demo`: a complete service on localhost in one command. It runs `init` in a
//! temporary folder, loads synthetic SUE records for every client and FIA records for every
//! second one (two units), serves them over HTTPS and prints `curl` commands to paste.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;

use anyhow::{Context, Result};
use bistand_core::Engine;
use bistand_store::{AuditEvent, documents};

use crate::config::{Config, Role};
use crate::init::{Created, InitOptions, init};

/// The units of the demo organisation.
const UNITS: [&str; 2] = ["norr", "soder"];

/// Options of `bistand demo`.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// Port on 127.0.0.1 (0: any free port).
    pub port: u16,
    /// Number of synthetic clients.
    pub clients: usize,
    /// Seed of the synthetic data.
    pub seed: u64,
}

/// Runs the demo until SIGTERM or SIGINT, printing what to paste to `out`.
///
/// # Errors
///
/// If the setup cannot be written, the data cannot be loaded or the port is taken.
pub fn run(options: &DemoOptions, out: &mut dyn Write) -> Result<()> {
    let folder = tempfile::Builder::new()
        .prefix("bistand-demo-")
        .tempdir()
        .context("cannot create a temporary folder")?;
    let dir = folder.path().join("setup");
    let created = init(
        &dir,
        &InitOptions {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, options.port)),
            hosts: Vec::new(),
            units: UNITS.iter().map(|u| (*u).to_owned()).collect(),
        },
    )?;
    let config = Config::load(&created.config)?;
    let _logs = crate::logging::init(&crate::config::LogSection {
        format: crate::config::LogFormat::Text,
        level: "warn".to_owned(),
    })?;
    let (sue, fia) = load(&config, &dir, options)?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let running = crate::server::Running::start(&config).await?;
        print_instructions(out, &created, running.address, sue, fia)?;
        crate::server::termination().await;
        writeln!(
            out,
            "\nbistand demo: stopping; removing {}",
            folder.path().display()
        )?;
        running.stop().await
    })
}

/// Loads the synthetic records; returns how many SUE and FIA records were stored.
fn load(config: &Config, dir: &Path, options: &DemoOptions) -> Result<(usize, usize)> {
    let keys = crate::keys::load(&config.store.keys)?;
    let store = crate::server::open_store(
        &config.store.path,
        keys.keyring,
        &keys.pseudonym,
        keys.audit,
    )?;
    let engine = Engine::new()?;
    let today = crate::today();
    let sue_definition = engine.definition("sue", None)?;
    let fia_definition = engine.definition("fia", None)?;
    let sue_documents = engine.generator(sue_definition, options.seed)?;
    let mut fia_documents = engine.generator(fia_definition, options.seed)?;
    let (mut sue, mut fia) = (0, 0);
    let mut batch = Vec::new();
    for (i, mut document) in sue_documents.take(options.clients).enumerate() {
        let client_id = format!("DEMO-{:05}", i + 1);
        let unit = UNITS[i % UNITS.len()];
        document["unit"] = serde_json::Value::String(unit.to_owned());
        let mut documents_of_client = vec![document];
        if i % 2 == 0 {
            let mut document = fia_documents.next().context("the FIA generator ended")?;
            document["unit"] = serde_json::Value::String(unit.to_owned());
            if i == 0 {
                // A document to paste into the validate example.
                std::fs::write(
                    dir.join("example-fia.json"),
                    serde_json::to_vec_pretty(&document)?,
                )?;
            }
            documents_of_client.push(document);
        }
        for document in documents_of_client {
            let bytes = serde_json::to_vec(&document)?;
            let prepared = documents::prepare(&engine, &keys.pseudonym, &client_id, &bytes, today)?;
            if let Some(record) = prepared.record {
                if record.instrument == "sue" {
                    sue += 1;
                } else {
                    fia += 1;
                }
                batch.push(record);
            }
        }
        if batch.len() >= 1000 {
            store.put_many(std::mem::take(&mut batch))?;
        }
    }
    store.put_many(batch)?;
    store.audit_append(AuditEvent {
        at: jiff::Timestamp::now().as_millisecond(),
        principal: "demo".to_owned(),
        role: "admin".to_owned(),
        action: "record.import".to_owned(),
        unit: None,
        record_id: None,
        pseudonym: None,
        outcome: "ok".to_owned(),
        record_state: None,
    })?;
    Ok((sue, fia))
}

fn print_instructions(
    out: &mut dyn Write,
    created: &Created,
    address: SocketAddr,
    sue: usize,
    fia: usize,
) -> Result<()> {
    let base = format!("https://{address}");
    let token = |role: Role| {
        created
            .principals
            .iter()
            .find(|p| p.role == role)
            .map(|p| p.token.clone())
            .unwrap_or_default()
    };
    let caseworker = created
        .principals
        .iter()
        .find(|p| p.role == Role::Caseworker)
        .context("init made no caseworker")?;
    let dir = created.config.parent().unwrap_or(Path::new("."));
    let ca = created.ca.display();
    writeln!(
        out,
        "bistand demo: {sue} SUE and {fia} FIA records of synthetic clients in units norr and soder\n\
         setup (config, CA, certificates, tokens, keys): {}\n\
         listening on {base}; Ctrl-C stops it and removes the folder.\n\n\
         Paste into another terminal:\n\n\
         export BISTAND={base} CA={ca}\n\
         export CASEWORKER={} ANALYST={} ADMIN={}\n\n\
         # liveness and the published definitions\n\
         curl --cacert $CA $BISTAND/health\n\
         curl --cacert $CA -H \"Authorization: Bearer $CASEWORKER\" $BISTAND/v1/instruments\n\n\
         # validate a FIA document (the caseworker of unit norr)\n\
         curl --cacert $CA -H \"Authorization: Bearer $CASEWORKER\" -H 'content-type: application/json' \\\n  \
         --data-binary @{}/example-fia.json $BISTAND/v1/validate\n\n\
         # store it for a client (the case number is pseudonymised, never stored), then find it\n\
         curl --cacert $CA -H \"Authorization: Bearer $CASEWORKER\" -H 'content-type: application/json' \\\n  \
         --data-binary \"{{\\\"client_id\\\": \\\"EB-2026-0042\\\", \\\"document\\\": $(cat {}/example-fia.json)}}\" $BISTAND/v1/records\n\
         curl --cacert $CA -H \"Authorization: Bearer $CASEWORKER\" -H 'content-type: application/json' \\\n  \
         --data '{{\"client_id\": \"EB-2026-0042\"}}' $BISTAND/v1/records/search\n\n\
         # the same caseworker with its client certificate (mTLS) instead of a token\n\
         curl --cacert $CA --cert {} --key {} $BISTAND/v1/instruments\n\n\
         # group reports for the analyst (small cells suppressed), JSON and CSV\n\
         curl --cacert $CA -H \"Authorization: Bearer $ANALYST\" \"$BISTAND/v1/reports/sue?breakdowns=gender,unit\"\n\
         curl --cacert $CA -H \"Authorization: Bearer $ANALYST\" \"$BISTAND/v1/reports/sue?breakdowns=gender&format=csv&lang=en\"\n\n\
         # the audit log and its hash chain, for the admin\n\
         curl --cacert $CA -H \"Authorization: Bearer $ADMIN\" \"$BISTAND/v1/audit?limit=5\"\n\
         curl --cacert $CA -H \"Authorization: Bearer $ADMIN\" $BISTAND/v1/audit/verify\n\n\
         # metrics and the OpenAPI description\n\
         curl --cacert $CA $BISTAND/metrics\n\
         curl --cacert $CA $BISTAND/openapi.json",
        dir.display(),
        caseworker.token,
        token(Role::Analyst),
        token(Role::Admin),
        dir.display(),
        dir.display(),
        caseworker.certificate.display(),
        caseworker.key.display(),
    )?;
    out.flush()?;
    Ok(())
}
