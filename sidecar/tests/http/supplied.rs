//! A definition the organisation supplies (the `definitions` configuration key) is served end to
//! end: the REST API validates its documents to the same report bytes as the command line and
//! the C ABI (`tests/data/supplied/document.report.json`).

use std::path::PathBuf;

use crate::setup::Service;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplied_definition_validates_to_the_shared_report_bytes() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/supplied");
    let folder = root.join("definitions");
    let service = Service::start(move |config| config.definitions = Some(folder)).await;
    let client = service.client();
    let response = client
        .post(service.url("/v1/validate?instrument=lokal_uppfoljning"))
        .bearer_auth(service.token("handlaggare-norr"))
        .header("content-type", "application/json")
        .body(std::fs::read(root.join("document.json")).expect("document"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 200);
    let body = response.bytes().await.expect("body");
    let golden = std::fs::read(root.join("document.report.json")).expect("golden");
    assert_eq!(
        String::from_utf8_lossy(&body),
        String::from_utf8_lossy(&golden)
    );
    // Its definition is served beside the shipped ones.
    let response = client
        .get(service.url("/v1/instruments/lokal_uppfoljning/definition"))
        .bearer_auth(service.token("handlaggare-norr"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response
            .text()
            .await
            .expect("text")
            .contains("Hur träffades ni?")
    );
    service.running.stop().await.expect("stops");
}
