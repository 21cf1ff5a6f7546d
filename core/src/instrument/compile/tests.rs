//! Tests of the definition compiler: every rule a definition can break, named in its error.
use serde_json::{Value, json};

use super::super::Definition;
use crate::ErrorKind;

fn minimal() -> Value {
    json!({
        "instrument": "t", "version": "1",
        "title": { "sv": "T", "en": "T" }, "description": { "sv": "D", "en": "D" },
        "code_lists": { "jn": [ { "code": "ja", "label": { "sv": "Ja", "en": "Yes" } },
                                { "code": "nej", "label": { "sv": "Nej", "en": "No" } } ] },
        "sections": [ { "id": "s", "label": { "sv": "S", "en": "S" }, "items": [
            { "id": "s.a", "kind": "single_choice", "code_list": "jn", "label": { "sv": "A", "en": "A" } },
            { "id": "s.b", "kind": "text", "max_length": 10, "label": { "sv": "B", "en": "B" },
              "enabled_when": { "item": "s.a", "in": ["ja"] } },
            { "id": "s.d", "kind": "date", "label": { "sv": "D", "en": "D" } },
            { "id": "s.g", "kind": "group", "max_rows": 2, "label": { "sv": "G", "en": "G" }, "items": [
                { "id": "x", "kind": "boolean", "label": { "sv": "X", "en": "X" } }
            ] }
        ] } ]
    })
}

fn compile(value: &Value) -> crate::Result<Definition> {
    Definition::from_json(&value.to_string())
}

#[test]
fn minimal_definition_compiles_and_indexes() {
    let definition = compile(&minimal()).expect("compiles");
    assert_eq!(definition.items().len(), 5);
    assert!(definition.find("s.g.x").is_some());
    assert!(definition.top_level("s.g.x").is_none());
}

#[test]
fn builtin_definitions_compile() {
    let definitions = crate::registry::builtin().expect("embedded definitions are valid");
    assert!(
        definitions
            .iter()
            .any(|d| d.instrument() == "fia" && d.version() == "1")
    );
}

#[test]
fn broken_definitions_are_refused_with_a_precise_message() {
    type Edit = fn(&mut Value);
    let cases: &[(Edit, &str)] = &[
        (
            |d| d["sections"][0]["items"][0]["kind"] = json!("slider"),
            "item `s.a`: unknown kind `slider`",
        ),
        (
            |d| d["sections"][0]["items"][0]["code_list"] = json!("saknas"),
            "item `s.a`: code list `saknas` is not defined",
        ),
        (
            |d| {
                d["sections"][0]["items"][1]["enabled_when"] =
                    json!({ "item": "s.a", "equals": true })
            },
            "condition `equals` needs a boolean item, but `s.a` is single_choice",
        ),
        (
            |d| d["sections"][0]["items"][1]["enabled_when"]["in"] = json!(["kanske"]),
            "condition code `kanske` is not in code list `jn`",
        ),
        (
            |d| {
                d["sections"][0]["items"][0]["enabled_when"] =
                    json!({ "item": "s.b", "answered": true })
            },
            "item `s.a`: condition refers to `s.b`, which is not a top-level item or sibling declared before it",
        ),
        (
            |d| d["sections"][0]["items"][1]["id"] = json!("s.a"),
            "item `s.a`: declared twice",
        ),
        (
            |d| d["sections"][0]["items"][1]["id"] = json!("annat.b"),
            "a top-level item id must be `s.<name>`",
        ),
        (
            |d| d["sections"][0]["items"][1]["max_length"] = json!(0),
            "max_length must be at least 1",
        ),
        (
            |d| d["sections"][0]["items"][1]["min"] = json!(1),
            "field `min` does not apply to kind `text`",
        ),
        (
            |d| {
                d["sections"][0]["items"][0]["required"] = json!(true);
                d["sections"][0]["items"][0]["hideable"] = json!(true);
            },
            "a required item cannot be hideable",
        ),
        (
            |d| d["sections"][0]["items"][2]["not_before"] = json!(["s.a"]),
            "date reference `s.a` must be",
        ),
        (
            |d| d["sections"][0]["items"][3]["max_rows"] = json!(0),
            "need 1 <= max_rows",
        ),
        (
            |d| d["sections"][0]["items"][3]["items"] = json!([]),
            "kind `group` needs `items`",
        ),
        (
            |d| d["sections"][0]["label"]["en"] = json!(" "),
            "section `s`: label needs non-empty Swedish and English text",
        ),
        (
            |d| d["code_lists"]["jn"][1]["code"] = json!("ja"),
            "code list `jn`, code `ja`: listed twice",
        ),
        (
            |d| d["code_lists"]["jn"] = json!([]),
            "code list `jn`: must have between 1",
        ),
        (
            |d| d["sections"][0]["items"][0]["labl"] = json!("x"),
            "unknown field `labl`",
        ),
        (
            |d| d["instrument"] = json!("FIA"),
            "instrument name must match",
        ),
    ];
    for (edit, message) in cases {
        let mut definition = minimal();
        edit(&mut definition);
        let error = compile(&definition).expect_err(message);
        assert_eq!(error.kind(), ErrorKind::InvalidDefinition);
        assert!(
            error.message_en().contains(message),
            "expected `{message}` in `{error}`"
        );
        assert!(!error.message_sv().is_empty());
    }
}

#[test]
fn every_problem_is_reported_at_once_naming_the_part_and_the_rule() {
    let mut definition = minimal();
    definition["title"]["sv"] = json!(" ");
    definition["code_lists"]["jn"][1]["code"] = json!("ja");
    definition["sections"][0]["items"][0]["kind"] = json!("slider");
    definition["sections"][0]["items"][2]["not_before"] = json!(["s.b"]);
    definition["sections"][0]["items"][3]["items"][0]["required"] = json!(true);
    definition["sections"][0]["items"][3]["items"][0]["hideable"] = json!(true);
    let error = compile(&definition).expect_err("five faults");
    assert_eq!(error.kind(), ErrorKind::InvalidDefinition);
    let problems: Vec<(&str, &str, &str)> = error
        .problems()
        .iter()
        .map(|p| (p.part, p.id.as_str(), p.message.en.as_str()))
        .collect();
    assert_eq!(
        problems,
        [
            (
                "definition",
                "t",
                "definition: title needs non-empty Swedish and English text"
            ),
            ("code_list", "jn", "code list `jn`, code `ja`: listed twice"),
            (
                "item",
                "s.a",
                "item `s.a`: unknown kind `slider`; expected one of single_choice, multiple_choice, integer, decimal, date, boolean, text, ranking, group"
            ),
            // `s.b` refers to `s.a`, which failed: named, not silently dropped.
            (
                "item",
                "s.b",
                "item `s.b`: condition refers to `s.a`, which is not a top-level item or sibling declared before it"
            ),
            (
                "item",
                "s.g.x",
                "item `s.g.x`: a required item cannot be hideable"
            ),
            (
                "item",
                "s.d",
                "item `s.d`: date reference `s.b` must be `interview_date`, a top-level date item or a sibling date item"
            ),
        ]
    );
    assert!(
        error
            .message_en()
            .starts_with("6 problems: definition: title"),
        "{error}"
    );
    assert!(
        error.message_sv().starts_with("6 fel: "),
        "{}",
        error.message_sv()
    );
    // The Swedish text names the place in Swedish too.
    let places_sv: Vec<&str> = error
        .problems()
        .iter()
        .map(|p| p.message.sv.split(':').next().unwrap_or_default())
        .collect();
    assert_eq!(
        places_sv,
        [
            "definitionen",
            "kodlista `jn`, kod `ja`",
            "fråga `s.a`",
            "fråga `s.b`",
            "fråga `s.g.x`",
            "fråga `s.d`",
        ]
    );
    let mut section = minimal();
    section["sections"][0]["label"]["sv"] = json!(" ");
    let error = compile(&section).expect_err("an empty label");
    assert_eq!(
        error.message_sv(),
        "avsnitt `s`: label behöver icke-tom svensk och engelsk text"
    );
    // One problem keeps the message a single error always had.
    let mut one = minimal();
    one["sections"][0]["items"][2]["not_after"] = json!(["s.a"]);
    let error = compile(&one).expect_err("one fault");
    assert_eq!(error.problems().len(), 1);
    assert!(
        error
            .message_en()
            .starts_with("item `s.d`: date reference `s.a`"),
        "{error}"
    );
}
