//! A unit named `Söder` end to end (issue 11): `bistand init --unit Söder`, `bistand store import`
//! of records whose unit is `Söder`, `bistand serve`, record access by the caseworker of `Söder`,
//! and a group report of the unit, asked for as `söder` by an analyst whose configuration spells
//! it `söder`. Unit names are one rule (`bistand_core::UnitName`): Unicode letters, compared after
//! NFC and case folding.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{bistand, generated_sue, ok, serve};
use crate::setup::client;

#[test]
fn init_accepts_unit_names_with_swedish_letters_and_spaces() {
    let dir = tempfile::tempdir().expect("tempdir");
    let setup = dir.path().join("setup");
    let setup_s = setup.to_str().expect("path");
    ok(&bistand(
        &[
            "init",
            setup_s,
            "--unit",
            "Sankt Örjan",
            "--unit",
            "Östermalm",
        ],
        None,
    ));
    let config = bistand_sidecar::config::Config::load(&setup.join("bistand.toml"))
        .expect("the configuration init wrote is valid");
    let units = |name: &str| -> Vec<String> {
        config
            .principals
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("principal {name}"))
            .units
            .clone()
    };
    assert_eq!(units("handlaggare-sankt-orjan"), ["Sankt Örjan"]);
    assert_eq!(units("handlaggare-ostermalm"), ["Östermalm"]);
    assert_eq!(units("analytiker"), ["Sankt Örjan", "Östermalm"]);
    assert!(setup.join("tokens/handlaggare-sankt-orjan.token").exists());

    // One unit in two spellings is one unit listed twice, refused before anything is written.
    let twice = dir.path().join("twice");
    let refused = bistand(
        &[
            "init",
            twice.to_str().expect("path"),
            "--unit",
            "Söder",
            "--unit",
            "so\u{308}der",
        ],
        None,
    );
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("listed twice"), "{stderr}");
    assert!(!stderr.contains("internal error"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_named_soder_through_init_import_serve_records_and_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let setup = dir.path().join("setup");
    ok(&bistand(
        &[
            "init",
            setup.to_str().expect("path"),
            "--listen",
            "127.0.0.1:0",
            "--unit",
            "Söder",
            "--unit",
            "Norr",
        ],
        None,
    ));
    let config_path = setup.join("bistand.toml");
    // The analyst's scope spelled in lowercase: it must still reach the records of `Söder`.
    let text = std::fs::read_to_string(&config_path).expect("config");
    let analyst_units = "units = [\n    \"Söder\",\n    \"Norr\",\n]";
    let text = if text.contains(analyst_units) {
        text.replace(analyst_units, "units = [\"söder\"]")
    } else {
        text.replace("units = [\"Söder\", \"Norr\"]", "units = [\"söder\"]")
    };
    assert!(text.contains("units = [\"söder\"]"), "{text}");
    std::fs::write(&config_path, text).expect("config");
    let config = bistand_sidecar::config::Config::load(&config_path).expect("config");

    // Records whose unit is `Söder` (and `Norr`), imported with the service's keys.
    let input = generated_sue(dir.path().join("sue.ndjson"), "60", "5", true);
    let lines: Vec<Value> = std::fs::read_to_string(&input)
        .expect("read")
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON line"))
        .collect();
    let of_unit = |unit: &str| {
        lines
            .iter()
            .filter(|line| line["document"]["unit"] == unit)
            .collect::<Vec<_>>()
    };
    let (soder, norr) = (of_unit("Söder"), of_unit("Norr"));
    assert!(
        !soder.is_empty() && !norr.is_empty(),
        "both units occur: {:?}",
        lines
            .iter()
            .map(|l| l["document"]["unit"].clone())
            .collect::<Vec<_>>()
    );
    let import = bistand(
        &[
            "store",
            "import",
            "--db",
            config.store.path.to_str().expect("path"),
            "--keys",
            config.store.keys.to_str().expect("path"),
        ],
        Some(&input),
    );
    ok(&import);
    assert!(
        String::from_utf8_lossy(&import.stderr).contains("stored 60 record(s), refused 0"),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );

    // `bistand serve` on loopback.
    let (_server, mut stderr, address) = serve(&config_path);
    // Keep reading the log so the server never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    let base = format!(
        "https://localhost:{}",
        address.rsplit(':').next().expect("port")
    );
    let http = client(&setup.join("ca.pem"), None);
    let token = |name: &str| {
        std::fs::read_to_string(setup.join("tokens").join(format!("{name}.token")))
            .expect("token")
            .trim()
            .to_owned()
    };
    let caseworker = token("handlaggare-soder");
    let analyst = token("analytiker");

    // Record access by the caseworker of `Söder`: found by client id, then read.
    let search = |client_id: Value, who: String| {
        let http = http.clone();
        let base = base.clone();
        async move {
            let response = http
                .post(format!("{base}/v1/records/search"))
                .bearer_auth(who)
                .json(&json!({ "client_id": client_id }))
                .send()
                .await
                .expect("send");
            assert_eq!(response.status(), StatusCode::OK);
            response.json::<Value>().await.expect("JSON")["records"]
                .as_array()
                .expect("records")
                .clone()
        }
    };
    let found = search(soder[0]["client_id"].clone(), caseworker.clone()).await;
    assert!(
        !found.is_empty(),
        "the caseworker of Söder finds the client"
    );
    for record in &found {
        assert_eq!(record["unit"], "Söder", "the unit keeps its spelling");
        let response = http
            .get(format!(
                "{base}/v1/records/{}",
                record["record_id"].as_str().expect("id")
            ))
            .bearer_auth(&caseworker)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["document"]["unit"], "Söder", "{body}");
    }
    // A client only of `Norr` is out of the caseworker's reach.
    let norr_only = norr
        .iter()
        .find(|line| !soder.iter().any(|s| s["client_id"] == line["client_id"]))
        .expect("a client of Norr only");
    assert!(
        search(norr_only["client_id"].clone(), caseworker.clone())
            .await
            .is_empty()
    );
    // A new record of unit `söder` is the caseworker's too.
    let mut document = soder[0]["document"].clone();
    document["unit"] = json!("söder");
    let created = http
        .post(format!("{base}/v1/records"))
        .bearer_auth(&caseworker)
        .json(&json!({ "client_id": "EB-2026-17", "document": document }))
        .send()
        .await
        .expect("send");
    assert_eq!(
        created.status(),
        StatusCode::CREATED,
        "{:?}",
        created.text().await
    );

    // A group report of the unit, by the analyst whose scope says `söder`.
    let report = |query: &'static str| {
        let http = http.clone();
        let base = base.clone();
        let analyst = analyst.clone();
        async move {
            let response = http
                .get(format!("{base}/v1/reports/sue?as_of=2026-11-24{query}"))
                .bearer_auth(analyst)
                .send()
                .await
                .expect("send");
            let status = response.status();
            (status, response.json::<Value>().await.expect("JSON"))
        }
    };
    let expected = soder.len() as u64 + 1;
    for query in [
        "",
        "&units=Söder",
        "&units=s%C3%B6der",
        "&units=SO%CC%88DER",
    ] {
        let (status, body) = report(query).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        assert_eq!(body["report"]["records"], expected, "{query}: {body}");
    }
    let (status, body) = report("&units=Norr").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}
