//! Integration tests of `bistand-core`, one binary: fixtures, schema, properties, messages.

mod fia2;
mod fixtures;
mod messages;
mod migration;
mod properties;
mod regression;
mod schema;
mod selection;
mod sue;
mod sue2;

use std::path::PathBuf;

use bistand_core::{Engine, Report};
use serde_json::Value;

/// A file under the workspace's `tests/data`.
pub(crate) fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data")
        .join(path)
}

pub(crate) fn read(path: &str) -> Vec<u8> {
    std::fs::read(data(path)).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

pub(crate) fn read_json(path: &str) -> Value {
    serde_json::from_slice(&read(path)).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// Names of the files in a fixture folder with the given suffix, sorted.
pub(crate) fn files(folder: &str, suffix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(data(folder))
        .unwrap_or_else(|e| panic!("fixture folder {folder}: {e}"))
        .map(|entry| {
            entry
                .expect("readable entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(suffix))
        .collect();
    names.sort();
    names
}

pub(crate) fn engine() -> Engine {
    Engine::new().expect("embedded definitions compile")
}

/// An engine over the small test instrument that uses every item kind.
pub(crate) fn test_engine(profile: Option<&[u8]>) -> Engine {
    let json = String::from_utf8(read("test-instrument.json")).expect("UTF-8");
    let definition =
        bistand_core::instrument::Definition::from_json(&json).expect("test definition compiles");
    Engine::with_definitions(vec![definition], profile).expect("engine")
}

/// `(severity, code, path)` of each finding, for comparing with `*.expected.json`.
pub(crate) fn brief(report: &Report) -> Value {
    Value::Array(
        report
            .findings
            .iter()
            .map(|f| serde_json::json!({ "severity": f.severity, "code": f.code.as_str(), "path": f.path }))
            .collect(),
    )
}
