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

/// What the issue asks of a description vendors generate clients from: every operation has an
/// example, every body a schema that is not empty, every error response problem+json, the
/// license of the repository, and servers.
#[test]
fn every_operation_is_typed_with_an_example_and_problem_errors() {
    let description = bistand_sidecar::api::openapi_document();
    assert_eq!(
        description["info"]["license"]["identifier"],
        env!("CARGO_PKG_LICENSE")
    );
    assert!(
        !description["servers"]
            .as_array()
            .expect("servers")
            .is_empty()
    );
    for name in [
        "FiaDocument",
        "SueDocument",
        "Report",
        "Summary",
        "GroupReport",
        "Problem",
    ] {
        assert!(
            description["components"]["schemas"][name].is_object(),
            "component {name}"
        );
    }
    let mut operations = 0;
    for (path, item) in description["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            operations += 1;
            let at = format!("{method} {path}");
            let text = operation.to_string();
            assert!(text.contains("\"example\""), "{at} has no example");
            for (status, response) in operation["responses"].as_object().expect("responses") {
                for (media, content) in response["content"].as_object().into_iter().flatten() {
                    let schema = &content["schema"];
                    assert!(
                        schema.as_object().is_some_and(|s| !s.is_empty()),
                        "{at} {status} {media}: empty schema"
                    );
                    if status.starts_with(['4', '5']) {
                        assert_eq!(media, "application/problem+json", "{at} {status}");
                    }
                }
                if status.starts_with(['4', '5']) {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{at} {status}"
                    );
                }
            }
            if let Some(body) = operation.get("requestBody") {
                for content in body["content"].as_object().expect("content").values() {
                    assert!(
                        content["schema"].as_object().is_some_and(|s| !s.is_empty()),
                        "{at}: empty request schema"
                    );
                }
            }
        }
    }
    assert_eq!(operations, 18);
    // Closed value sets are enums; bounds are the server's.
    let report = &description["paths"]["/v1/reports/{instrument}"]["get"]["parameters"];
    let threshold = report
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == "threshold")
        .expect("threshold");
    assert_eq!(threshold["schema"]["minimum"], 5);
    let schemas = &description["components"]["schemas"];
    assert_eq!(
        schemas["ReportFormat"]["enum"],
        serde_json::json!(["json", "csv", "csv-long", "xlsx", "html"])
    );
    assert_eq!(
        schemas["SummaryFormat"]["enum"],
        serde_json::json!(["json", "html"])
    );
    assert_eq!(
        schemas["ReportCsvDialect"]["enum"],
        serde_json::json!(["excel-sv", "plain"])
    );
    assert_eq!(
        schemas["DefinitionFormat"]["enum"],
        serde_json::json!(["json", "fhir"])
    );
    let imported = &schemas["ImportedResponse"]["properties"];
    assert!(imported["document"].is_object() && imported["report"].is_object());
    assert_eq!(
        schemas["ReportLanguage"]["enum"],
        serde_json::json!(["sv", "en"])
    );
    assert_eq!(
        schemas["InstrumentName"]["enum"],
        serde_json::json!(["fia", "sue"])
    );
}
