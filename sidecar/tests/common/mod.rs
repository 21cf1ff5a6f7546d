//! What the sidecar's integration test binaries (`cli`, `browser`, `http`) share: running the
//! `bistand` binary, reading what it printed, files it makes (keys, synthetic records), a server
//! process stopped with the test, and the independent FHIR model's check of Questionnaires.
//! Included by each binary (`mod common;`, from `http/main.rs` by path); each uses only some of it.
#![allow(dead_code, reason = "each test binary uses only some of these helpers")]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Output, Stdio};

/// Runs the `bistand` binary built with these tests, with `stdin` read from a file if given.
pub(crate) fn bistand(args: &[&str], stdin: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bistand"));
    command.args(args);
    if let Some(path) = stdin {
        command.stdin(std::fs::File::open(path).expect("input file"));
    }
    command.output().expect("bistand runs")
}

/// What a successful run printed; fails the test with the run's stderr when it did not succeed.
pub(crate) fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// Runs the report command `base` with `extra` (its format, language) writing to `out`.
pub(crate) fn report_to(base: &[&str], extra: &[&str], out: &Path) {
    let mut args = base.to_vec();
    args.extend_from_slice(extra);
    args.extend(["--out", out.to_str().expect("path")]);
    ok(&bistand(&args, None));
}

/// A new keys file at `path`, as `bistand keys generate` prints it.
pub(crate) fn new_keys(path: PathBuf) -> PathBuf {
    std::fs::write(&path, ok(&bistand(&["keys", "generate"], None))).expect("write keys");
    path
}

/// `count` synthetic SUE records from `seed` (`bistand generate sue`), each wrapped with its
/// client id when `client_ids`, written as NDJSON to `path`.
pub(crate) fn generated_sue(path: PathBuf, count: &str, seed: &str, client_ids: bool) -> PathBuf {
    let mut args = vec!["generate", "sue", "--count", count, "--seed", seed];
    if client_ids {
        args.push("--client-ids");
    }
    std::fs::write(&path, ok(&bistand(&args, None))).expect("write");
    path
}

/// A child process killed when the test ends, also when it fails: a server left running would
/// keep the test harness waiting on its inherited output.
pub(crate) struct KillOnDrop(pub(crate) Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `bistand serve --config CONFIG` and waits for its `listening` log line: the server
/// (killed when the guard drops, also if it never listens), the rest of its log, and the address
/// it listens on.
pub(crate) fn serve(config: &Path) -> (KillOnDrop, BufReader<ChildStderr>, String) {
    let mut server = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_bistand"))
            .args(["serve", "--config"])
            .arg(config)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn"),
    );
    let mut stderr = BufReader::new(server.0.stderr.take().expect("stderr"));
    let mut line = String::new();
    let address = loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).expect("log") > 0,
            "server exited"
        );
        let entry: serde_json::Value = serde_json::from_str(&line).expect("JSON log line");
        if entry["fields"]["message"] == "listening" {
            break entry["fields"]["address"]
                .as_str()
                .expect("address")
                .to_owned();
        }
    };
    (server, stderr, address)
}

/// Every file in `files` parses as a FHIR R4B Questionnaire with items under the independent
/// `fhir.resources` Python model (installed by scripts/ensure-tools.sh).
pub(crate) fn assert_fhir_questionnaires_parse(files: &[PathBuf]) {
    let output = Command::new("python3")
        .arg("-c")
        .arg(
            "import json, sys\n\
             from fhir.resources.R4B.questionnaire import Questionnaire\n\
             for path in sys.argv[1:]:\n\
             \x20   q = Questionnaire.model_validate(json.load(open(path)))\n\
             \x20   assert q.item, path\n\
             print('parsed')",
        )
        .args(files)
        .output()
        .expect("python3 (scripts/ensure-tools.sh installs it)");
    assert!(
        output.status.success(),
        "fhir.resources refused a Questionnaire (or is missing: run scripts/ensure-tools.sh):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
