//! `bistand conformance` end to end: the golden cases of `tests/conformance/cases` through this
//! program, through libbistand loaded as a C library (`--lib`) and through a running service
//! (`--url`), each byte for byte (the .NET and Java libraries run the same cases in
//! `ffi/tests/integration/bindings.rs`); a wrong answer fails the run, and `--update` blesses.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::setup::Service;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_owned()
}

fn cases() -> PathBuf {
    root().join("tests/conformance/cases")
}

/// `bistand conformance` with `args`, blocking (run it off the async runtime).
fn conformance(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bistand"))
        .arg("conformance")
        .args(args)
        .output()
        .expect("bistand runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The libbistand.so cargo built beside this test (bistand-ffi is a dev-dependency).
fn library() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let lib = exe.parent().expect("deps").join("libbistand.so");
    assert!(lib.is_file(), "{} was not built", lib.display());
    lib
}

fn count(output: &str, prefix: &str) -> usize {
    output.lines().filter(|l| l.starts_with(prefix)).count()
}

#[test]
fn every_case_passes_in_process_and_through_the_c_library() {
    let cases = cases();
    let total = std::fs::read_dir(&cases)
        .expect("cases")
        .filter(|e| {
            e.as_ref()
                .expect("entry")
                .path()
                .join("case.json")
                .is_file()
        })
        .count();
    assert!(total >= 21, "{total} cases");
    let cases = cases.to_str().expect("UTF-8 path");

    let output = conformance(&["--cases", cases]);
    let out = text(&output);
    assert!(output.status.success(), "{out}");
    assert_eq!(count(&out, "pass "), total, "{out}");

    let lib = library();
    let output = conformance(&["--cases", cases, "--lib", lib.to_str().expect("UTF-8")]);
    let out = text(&output);
    assert!(output.status.success(), "{out}");
    assert!(out.contains("through C library"), "{out}");
    assert_eq!(count(&out, "pass "), total, "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rest_api_gives_the_same_bytes() {
    let service = Service::start(|_| {}).await;
    let (url, token, ca) = (
        service.base.clone(),
        service.token("handlaggare-norr"),
        service.created.ca.clone(),
    );
    let output = tokio::task::spawn_blocking(move || {
        conformance(&[
            "--cases",
            cases().to_str().expect("UTF-8"),
            "--url",
            &url,
            "--token",
            &token,
            "--ca",
            ca.to_str().expect("UTF-8"),
        ])
    })
    .await
    .expect("joined");
    let out = text(&output);
    assert!(output.status.success(), "{out}");
    // Validation and summaries are offered (all but the case with its own profile and the
    // summaries naming an instrument); pseudonyms and NDJSON reports are not REST operations.
    assert!(count(&out, "pass ") >= 8, "{out}");
    assert!(
        out.contains("pass         validate-fia-wrong-type"),
        "{out}"
    );
    assert!(out.contains("pass         summary-fia-complete"), "{out}");
    // Refusals too: the problem's type names the same kind as the C status.
    assert!(
        out.contains("pass         refuse-validate-not-json"),
        "{out}"
    );
    assert!(
        out.contains("pass         refuse-summary-with-errors"),
        "{out}"
    );
    assert!(
        out.contains(
            "not offered  pseudonymise-personnummer: the REST API has no pseudonym endpoint"
        ),
        "{out}"
    );
    assert!(!out.contains("FAIL"), "{out}");
}

#[test]
fn the_runner_names_every_status_as_the_c_abi_does() {
    use bistand_sidecar::conformance::STATUS_KINDS;
    let statuses = bistand::bistand_status::ALL
        .iter()
        .filter(|s| **s != bistand::bistand_status::BISTAND_OK)
        .collect::<Vec<_>>();
    assert_eq!(STATUS_KINDS.len(), statuses.len());
    for status in statuses {
        let name = format!("{status:?}");
        let kind = name.trim_start_matches("BISTAND_").to_lowercase();
        assert!(
            STATUS_KINDS.contains(&(*status as u32, kind.as_str())),
            "{name} is missing from STATUS_KINDS"
        );
    }
}

/// A copy of the cases in a temporary folder.
fn copy_cases(to: &Path) {
    for entry in std::fs::read_dir(cases()).expect("cases") {
        let folder = entry.expect("entry").path();
        let target = to.join(folder.file_name().expect("name"));
        std::fs::create_dir_all(&target).expect("mkdir");
        for file in std::fs::read_dir(&folder).expect("case") {
            let file = file.expect("file").path();
            std::fs::copy(&file, target.join(file.file_name().expect("name"))).expect("copy");
        }
    }
}

#[test]
fn a_different_answer_fails_and_update_blesses_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_cases(dir.path());
    let cases = dir.path().to_str().expect("UTF-8");
    let expected = dir.path().join("validate-fia-wrong-type/expected.json");
    let good = std::fs::read(&expected).expect("expected");
    // The Swedish message with another word.
    let changed = String::from_utf8(good.clone())
        .expect("UTF-8")
        .replace("Svaret har fel form", "Svaret har fel sort");
    assert_ne!(
        changed.as_bytes(),
        good,
        "the case's message was not found to change"
    );
    std::fs::write(&expected, changed).expect("write");

    let output = conformance(&["--cases", cases]);
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.contains("FAIL         validate-fia-wrong-type: differs from byte"),
        "{out}"
    );
    let lib = library();
    let output = conformance(&["--cases", cases, "--lib", lib.to_str().expect("UTF-8")]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));

    let output = conformance(&["--cases", cases, "--update"]);
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(std::fs::read(&expected).expect("expected"), good);
    let output = conformance(&["--cases", cases]);
    assert!(output.status.success(), "{}", text(&output));
}
