//! JSON Schema (draft 2020-12) for documents of an instrument version, generated from its
//! definition so it can never disagree with it about ids, codes, types and bounds.
//!
//! The schema expresses what JSON Schema can: the envelope, item types, code lists, numeric
//! bounds, text lengths, distinct selections, row limits, and the unconditionally required items of
//! a `complete` document. Conditions between answers, rankings' eligibility, date order, hidden
//! items and identifier warnings need the validator: a document the schema accepts can still have
//! findings, but one it rejects always has an error finding or is refused outright.

use serde_json::{Map, Value, json};

use crate::instrument::{Definition, ItemId, ItemKind};

/// The schema of documents answering `definition`.
pub fn document_schema(definition: &Definition) -> Value {
    let mut answers = Map::new();
    let mut required_when_complete = Vec::new();
    for item in definition.top_level_items() {
        let found = definition.item(item);
        answers.insert(found.id.clone(), item_schema(definition, item));
        if found.required && found.enabled_when.is_none() {
            required_when_complete.push(Value::String(found.id.clone()));
        }
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("urn:bistand:schema:{}:{}", definition.instrument(), definition.version()),
        "title": definition.title().en,
        "description": definition.description().en,
        "type": "object",
        "additionalProperties": false,
        "required": ["instrument", "version", "status", "answers"],
        "properties": {
            "instrument": { "const": definition.instrument() },
            "version": { "const": definition.version() },
            "status": { "enum": ["draft", "complete"] },
            "interview_date": date_schema(),
            "unit": { "type": "string", "minLength": 1, "maxLength": crate::UnitName::MAX_CHARS },
            "completed_sections": {
                "type": ["array", "null"],
                "items": { "enum": definition.sections().iter().map(|s| s.id.as_str()).collect::<Vec<_>>() },
            },
            "answers": {
                "type": "object",
                "additionalProperties": false,
                "properties": answers,
            },
        },
        "if": { "properties": { "status": { "const": "complete" } } },
        "then": {
            "required": ["interview_date"],
            "properties": {
                "interview_date": { "type": "string" },
                "answers": { "required": required_when_complete },
            },
        },
    })
}

fn date_schema() -> Value {
    json!({
        "type": ["string", "null"],
        "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
        "format": "date",
    })
}

fn codes(definition: &Definition, list: crate::instrument::CodeListId) -> Vec<Value> {
    definition
        .code_list(list)
        .codes
        .iter()
        .map(|c| Value::String(c.code.clone()))
        .collect()
}

fn item_schema(definition: &Definition, id: ItemId) -> Value {
    let item = definition.item(id);
    let mut schema = match &item.kind {
        ItemKind::SingleChoice { list } => {
            let mut values = codes(definition, *list);
            values.push(Value::Null);
            json!({ "enum": values })
        }
        ItemKind::MultipleChoice {
            list,
            min_selected,
            max_selected,
        } => json!({
            "type": ["array", "null"],
            "items": { "enum": codes(definition, *list) },
            "uniqueItems": true,
            "minItems": min_selected,
            "maxItems": max_selected,
        }),
        ItemKind::Integer { min, max } => {
            json!({ "type": ["integer", "null"], "minimum": min, "maximum": max })
        }
        ItemKind::Decimal { min, max } => {
            json!({ "type": ["number", "null"], "minimum": min, "maximum": max })
        }
        ItemKind::Date { .. } => date_schema(),
        ItemKind::Boolean => json!({ "type": ["boolean", "null"] }),
        ItemKind::Text { max_length, .. } => {
            json!({ "type": ["string", "null"], "maxLength": max_length })
        }
        ItemKind::Ranking {
            list, max_ranked, ..
        } => json!({
            "type": ["array", "null"],
            "items": { "enum": codes(definition, *list) },
            "uniqueItems": true,
            "maxItems": max_ranked,
        }),
        ItemKind::Group(group) => {
            let mut properties = Map::new();
            let mut required = Vec::new();
            for &child in &group.children {
                let found = definition.item(child);
                properties.insert(found.local.clone(), item_schema(definition, child));
                if found.required && found.enabled_when.is_none() {
                    required.push(Value::String(found.local.clone()));
                }
            }
            json!({
                "type": ["array", "null"],
                "maxItems": group.max_rows,
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": properties,
                    "required": required,
                },
            })
        }
    };
    if let Value::Object(map) = &mut schema {
        map.insert("title".into(), Value::String(item.label.sv.clone()));
        map.insert("description".into(), Value::String(item.label.en.clone()));
    }
    schema
}
