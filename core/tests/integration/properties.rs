//! Property tests: the validator never panics, and nothing taken from a document's values ever
//! appears in a finding or an error message, for arbitrary JSON, arbitrary bytes and arbitrary
//! mutations of valid documents.
//!
//! Every string the strategies put into documents is a canary `Zq…qZ`; no definition text contains
//! `Zq`, so any `Zq` in output was copied from the input.

use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::engine;

const CANARY_MARK: &str = "Zq";

fn canary() -> impl Strategy<Value = String> {
    "[a-z0-9 ]{1,12}".prop_map(|s| format!("Zq{s}qZ"))
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        canary().prop_map(Value::String),
        // A canary with a personnummer inside: must be flagged, never echoed.
        canary().prop_map(|s| Value::String(format!("{s} 811218-9876"))),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Keys: real item ids (to reach the per-item checks) or canaries (unknown items).
fn key() -> impl Strategy<Value = String> {
    let ids: Vec<String> = engine()
        .definition("fia", None)
        .expect("fia")
        .items()
        .iter()
        .map(|item| {
            if item.parent.is_some() {
                item.local.clone()
            } else {
                item.id.clone()
            }
        })
        .collect();
    prop_oneof![3 => prop::sample::select(ids), 1 => canary()]
}

fn assert_no_canary(output: &str) {
    assert!(
        !output.contains(CANARY_MARK),
        "input echoed in output: {output}"
    );
}

fn check(bytes: &[u8]) {
    match engine().validate(None, bytes) {
        Ok(report) => assert_no_canary(&serde_json::to_string(&report).expect("serialises")),
        Err(error) => {
            assert_no_canary(error.message_en());
            assert_no_canary(error.message_sv());
        }
    }
}

fn synthetic(seed: u64) -> Value {
    let engine = engine();
    let definition = engine.definition("fia", None).expect("fia");
    bistand_core::fia::fia_documents(definition, seed, 1)
        .expect("generates")
        .remove(0)
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(prop::sample::Index, Value),
    Remove(prop::sample::Index),
    Insert(String, Value),
    Envelope(&'static str, Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<prop::sample::Index>(), json_value()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        1 => any::<prop::sample::Index>().prop_map(Mutation::Remove),
        2 => (key(), json_value()).prop_map(|(k, v)| Mutation::Insert(k, v)),
        1 => (prop::sample::select(vec!["instrument", "version", "status", "interview_date", "answers"]), json_value())
            .prop_map(|(k, v)| Mutation::Envelope(k, v)),
    ]
}

fn apply(document: &mut Value, mutation: Mutation) {
    if !document["answers"].is_object() {
        document["answers"] = Value::Object(Map::new());
    }
    let answers = document["answers"]
        .as_object_mut()
        .expect("made an object above");
    let keys: Vec<String> = answers.keys().cloned().collect();
    match mutation {
        Mutation::Replace(index, value) if !keys.is_empty() => {
            answers.insert(index.get(&keys).clone(), value);
        }
        Mutation::Remove(index) if !keys.is_empty() => {
            answers.remove(index.get(&keys));
        }
        Mutation::Replace(..) | Mutation::Remove(_) => {}
        Mutation::Insert(key, value) => {
            answers.insert(key, value);
        }
        Mutation::Envelope(field, value) => {
            document
                .as_object_mut()
                .expect("object")
                .insert(field.to_owned(), value);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics_or_echoes(value in json_value()) {
        check(&serde_json::to_vec(&value).expect("serialises"));
        let mut envelope = Map::new();
        envelope.insert("instrument".into(), "fia".into());
        envelope.insert("version".into(), "1".into());
        envelope.insert("status".into(), "complete".into());
        envelope.insert("answers".into(), value);
        check(&serde_json::to_vec(&envelope).expect("serialises"));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = engine().validate(None, &bytes);
    }

    #[test]
    fn mutated_valid_documents_never_panic_or_echo(seed in 0u64..1000, mutations in prop::collection::vec(mutation(), 1..6)) {
        let mut document = synthetic(seed);
        for mutation in mutations {
            apply(&mut document, mutation);
        }
        check(&serde_json::to_vec(&document).expect("serialises"));
    }

    #[test]
    fn truncated_documents_are_errors_not_panics(seed in 0u64..1000, cut in any::<prop::sample::Index>()) {
        let bytes = serde_json::to_vec(&synthetic(seed)).expect("serialises");
        let cut = cut.index(bytes.len());
        let error = engine().validate(None, &bytes[..cut]).expect_err("truncated JSON");
        prop_assert!(matches!(error.kind(), bistand_core::ErrorKind::MalformedJson | bistand_core::ErrorKind::InvalidUtf8));
    }
}

#[test]
fn definition_texts_do_not_contain_the_canary_mark() {
    let engine = engine();
    let definition = engine.definition("fia", None).expect("fia");
    assert!(!definition.source_json().contains(CANARY_MARK));
}
