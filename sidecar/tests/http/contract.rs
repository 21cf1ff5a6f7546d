//! The OpenAPI description as a contract, checked from outside against a running service:
//! schemathesis (installed by scripts/ensure-tools.sh) generates valid and invalid requests for
//! every operation, a bounded number per operation, and fails on any 5xx, any status, media type,
//! header or body the description does not declare, and any invalid request accepted; and a
//! client generated with openapi-python-client calls validate, summary, records and reports and
//! gets typed objects (`typed_client.py`). Both fail, never skip, when their tool is missing.

use std::path::Path;
use std::process::{Command, Output};

use crate::setup::Service;

/// Examples per operation and phase: enough to reach every declared status, few enough that the
/// three runs below take about a minute on a busy machine.
const EXAMPLES_PER_OPERATION: &str = "10";

/// The checks that make the description a contract. `positive_data_acceptance` fails a request
/// the description admits and the service refuses as malformed (400): a bound the description
/// lacks. `schemathesis.toml` beside this file says which refusals of admitted data are rules
/// no schema states (422) or depend on state (403, 404, 412).
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_headers_conformance,response_schema_conformance,\
                      negative_data_rejection,positive_data_acceptance";

async fn run(command: Command) -> Output {
    let mut command = command;
    let program = command.get_program().to_string_lossy().into_owned();
    tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("joins")
        .unwrap_or_else(|error| {
            panic!("{program} does not run ({error}); scripts/ensure-tools.sh installs it")
        })
}

fn schemathesis(service: &Service, openapi: &Path, work: &Path, token: &str) -> Command {
    let mut command = Command::new("st");
    command
        .current_dir(work)
        .arg("--config-file")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/http/schemathesis.toml"))
        .arg("run")
        .arg(openapi)
        .arg("--url")
        .arg(&service.base)
        .arg("--tls-verify")
        .arg(&service.created.ca)
        .arg("-H")
        .arg(format!("Authorization: Bearer {token}"))
        .args(["--checks", CHECKS])
        .args(["--max-examples", EXAMPLES_PER_OPERATION])
        .args(["--seed", "18"])
        // A connection closed under the client is not a contract failure; a wrong answer is,
        // and is never retried. Seen once under the whole suite as a TLS EOF; not reproduced in
        // a run without retries (2026-12-02). The likely cause is the server's: an idle HTTP/1
        // keep-alive connection is closed by hyper's header-read timeout (10 s), and a pending
        // one shed, by dropping the TLS stream without close_notify, which a client that sends
        // on it at that moment reads as "EOF in violation of protocol" (DESIGN.md, issue 18).
        .args(["--request-retries", "2"])
        .arg("--no-shrink");
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_failure_and_a_generated_client_gets_typed_objects() {
    // The caseworker's unit is Söder, as in the description's examples (so schemathesis' example
    // phase stores records), and the typed client writes documents of Söder too.
    let service = Service::start(|config| {
        for principal in &mut config.principals {
            if principal.name == "handlaggare-soder" {
                principal.units = vec!["Söder".into()];
            }
        }
    })
    .await;
    let work = tempfile::tempdir().expect("tempdir");
    let openapi = work.path().join("openapi.json");
    let description =
        serde_json::to_string_pretty(&bistand_sidecar::api::openapi_document()).expect("json");
    std::fs::write(&openapi, description).expect("write");

    // Each role over the operations it may use, so the runs reach past 403.
    let runs = [
        (
            "handlaggare-soder",
            vec![
                "--include-tag",
                "records",
                "--include-tag",
                "documents",
                "--include-tag",
                "instruments",
                "--include-tag",
                "operations",
                "--include-path",
                "/openapi.json",
            ],
        ),
        ("analytiker", vec!["--include-tag", "reports"]),
        ("admin", vec!["--include-tag", "administration"]),
    ];
    for (principal, filters) in runs {
        let mut command = schemathesis(&service, &openapi, work.path(), &service.token(principal));
        command.args(filters);
        let output = run(command).await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "schemathesis as {principal} found failures:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        // The summary's `N generated, N passed`.
        let generated: u64 = stdout
            .lines()
            .find_map(|line| line.trim().split_once(" generated, "))
            .and_then(|(count, _)| count.parse().ok())
            .unwrap_or(0);
        assert!(
            generated > 0,
            "schemathesis as {principal} tested nothing:\n{stdout}"
        );
    }

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/http/typed_client.py");
    let document =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/documents/fia-complete.json");
    let mut command = Command::new("python3");
    command
        .current_dir(work.path())
        .arg(script)
        .arg(&openapi)
        .arg(&service.base)
        .arg(&service.created.ca)
        .arg(service.token("handlaggare-soder"))
        .arg(service.token("analytiker"))
        .arg("Söder")
        .arg(document);
    let output = run(command).await;
    assert!(
        output.status.success(),
        "the generated client failed (openapi-python-client missing? run scripts/ensure-tools.sh):\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("typed client: ok"));
    service.running.stop().await.expect("stops");
}
