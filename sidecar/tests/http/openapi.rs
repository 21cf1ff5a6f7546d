//! The OpenAPI description is valid OpenAPI 3.1 by an independent validator
//! (openapi-spec-validator, installed by scripts/ensure-tools.sh), and what the service serves.

use std::process::Command;

use crate::setup::ReadAnswer;
use crate::setup::Service;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_description_is_valid_openapi_3_1() {
    let service = Service::start(|_| {}).await;
    let served = service
        .client()
        .get(service.url("/openapi.json"))
        .send_text()
        .await;
    let generated =
        serde_json::to_string_pretty(&bistand_sidecar::api::openapi_document()).expect("json");
    assert_eq!(
        served, generated,
        "the service serves the generated description"
    );
    service.running.stop().await.expect("stops");

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("openapi.json");
    std::fs::write(&path, &served).expect("write");
    let output = Command::new("python3")
        .arg("-c")
        .arg(
            "import json, sys\n\
             from openapi_spec_validator import validate\n\
             from openapi_spec_validator.validation import OpenAPIV31SpecValidator\n\
             validate(json.load(open(sys.argv[1])), cls=OpenAPIV31SpecValidator)\n\
             print('valid')",
        )
        .arg(&path)
        .output()
        .expect("python3 (scripts/ensure-tools.sh installs it)");
    assert!(
        output.status.success(),
        "openapi-spec-validator refused the description (or is missing: run scripts/ensure-tools.sh):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
