//! FHIR R4 `Questionnaire` export of a definition, for systems that render or exchange forms as
//! FHIR. Sections are groups, items keep their ids as `linkId`, code lists become `answerOption`s
//! with a per-list code system, labels carry their English through the FHIR translation
//! extension, conditions become `enableWhen` where FHIR R4 can say them. What FHIR has no element
//! for is carried in documented bistand extensions (`docs/definitions.md`):
//! `urn:bistand:fhir:ranking` (a ranking: the most subjects to rank), `urn:bistand:fhir:hideable`
//! (an organisation profile may hide the item), `urn:bistand:fhir:provenance` (where the item
//! comes from) and `urn:bistand:fhir:condition` (a condition FHIR R4's `enableWhen` cannot say,
//! as bistand's own JSON).

use serde_json::{Value, json};

use crate::instrument::{Condition, Definition, Item, ItemId, ItemKind, Source};
use crate::text::Text;

const TRANSLATION: &str = "http://hl7.org/fhir/StructureDefinition/translation";

/// The definition as a FHIR R4 `Questionnaire` resource.
pub fn questionnaire(definition: &Definition) -> Value {
    let items: Vec<Value> = definition
        .sections()
        .iter()
        .map(|section| {
            let children: Vec<Value> = section
                .items
                .iter()
                .map(|&id| item(definition, id))
                .collect();
            let mut group = json!({
                "linkId": section.id,
                "type": "group",
                "item": children,
            });
            labelled(&mut group, "text", &section.label);
            group
        })
        .collect();
    let mut resource = json!({
        "resourceType": "Questionnaire",
        "id": fhir_id(&format!("{}-{}", definition.instrument(), definition.version())),
        "url": format!("urn:bistand:questionnaire:{}", definition.instrument()),
        "version": definition.version(),
        "status": "active",
        "language": "sv",
        "item": items,
    });
    labelled(&mut resource, "title", definition.title());
    labelled(&mut resource, "description", definition.description());
    resource
}

/// The instrument and version a FHIR R4 `QuestionnaireResponse` answers: its `questionnaire`,
/// `urn:bistand:questionnaire:<instrument>|<version>`.
///
/// # Errors
/// [`ErrorKind::InvalidDocument`](crate::ErrorKind::InvalidDocument) when the resource is not a
/// `QuestionnaireResponse` of a bistand questionnaire.
pub fn response_target(response: &Value) -> crate::Result<(String, String)> {
    if response["resourceType"] != "QuestionnaireResponse" {
        return Err(invalid(
            "resursen är inte ett QuestionnaireResponse",
            "the resource is not a QuestionnaireResponse",
        ));
    }
    response["questionnaire"]
        .as_str()
        .unwrap_or_default()
        .strip_prefix("urn:bistand:questionnaire:")
        .and_then(|rest| rest.split_once('|'))
        .map(|(instrument, version)| (instrument.to_owned(), version.to_owned()))
        .ok_or_else(|| {
            invalid(
                "formuläret måste anges som urn:bistand:questionnaire:<instrument>|<version>",
                "`questionnaire` must be urn:bistand:questionnaire:<instrument>|<version>",
            )
        })
}

/// A FHIR R4 `QuestionnaireResponse` to `definition`'s questionnaire (see [`questionnaire`]) as a
/// bistand document (JSON) for the engine to validate: `status` `completed` makes it complete
/// (anything else a draft), the date of `authored` is the interview date, and each answered item
/// becomes the answer of its `linkId` (codes from `valueCoding`, a multiple choice or ranking as
/// a list, each repetition of a repeating group as a row). A `linkId` the definition does not
/// have is kept, for validation to report.
///
/// # Errors
/// [`ErrorKind::InvalidDocument`](crate::ErrorKind::InvalidDocument) as [`response_target`], or
/// an answer of a type bistand does not use; the message never repeats an answer.
pub fn document_from_response(definition: &Definition, response: &Value) -> crate::Result<Vec<u8>> {
    response_target(response)?;
    let mut answers = serde_json::Map::new();
    for item in children(response) {
        collect(definition, item, &mut answers)?;
    }
    let mut document = json!({
        "instrument": definition.instrument(),
        "version": definition.version(),
        "status": if response["status"] == "completed" { "complete" } else { "draft" },
        "answers": answers,
    });
    if let Some(authored) = response["authored"].as_str().and_then(|a| a.get(..10)) {
        document["interview_date"] = authored.into();
    }
    Ok(serde_json::to_vec(&document).expect("a JSON value serialises"))
}

/// A FHIR R4 `QuestionnaireResponse` read as a bistand document and validated: what
/// [`Engine::validate_response`](crate::Engine::validate_response) returns (as JSON, to the REST API and the C ABI alike).
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportedResponse {
    /// The bistand document the response becomes ([`document_from_response`]).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub document: Value,
    /// The validation report of that document.
    pub report: crate::Report,
}

impl crate::Engine {
    /// Reads a FHIR R4 `QuestionnaireResponse` (JSON bytes) to one of this engine's
    /// questionnaires as a bistand document and validates it: the way back from
    /// [`questionnaire`], one path for every shell.
    ///
    /// # Errors
    /// [`ErrorKind::MalformedJson`](crate::ErrorKind::MalformedJson) for bytes that are not
    /// JSON; as [`response_target`] and [`document_from_response`]; `UnknownInstrument` /
    /// `UnknownVersion` for a questionnaire this engine does not have; as
    /// [`Engine::validate`](crate::Engine::validate) for the document made.
    pub fn validate_response(&self, bytes: &[u8]) -> crate::Result<ImportedResponse> {
        let response: Value = serde_json::from_slice(bytes).map_err(|e| {
            // serde_json's messages may quote the input: only the position is repeated.
            crate::Error::new(
                crate::ErrorKind::MalformedJson,
                Text {
                    sv: format!(
                        "svaret är inte läsbar JSON (rad {} kolumn {})",
                        e.line(),
                        e.column()
                    ),
                    en: format!(
                        "the response is not readable JSON (line {} column {})",
                        e.line(),
                        e.column()
                    ),
                },
            )
        })?;
        let (instrument, version) = response_target(&response)?;
        let definition = self.definition(&instrument, Some(&version))?;
        let document = document_from_response(definition, &response)?;
        let report = self.validate(Some(&instrument), &document)?;
        Ok(ImportedResponse {
            document: serde_json::from_slice(&document).expect("the document made is JSON"),
            report,
        })
    }
}

fn invalid(sv: &str, en: &str) -> crate::Error {
    crate::Error::new(
        crate::ErrorKind::InvalidDocument,
        Text {
            sv: sv.into(),
            en: en.into(),
        },
    )
}

fn children(item: &Value) -> &[Value] {
    item["item"].as_array().map_or(&[][..], Vec::as_slice)
}

/// Adds the answers of a response item to `answers` under `key` (its id, or its local id in a
/// row); a section's items are read recursively.
fn collect(
    definition: &Definition,
    item: &Value,
    answers: &mut serde_json::Map<String, Value>,
) -> crate::Result<()> {
    let link = item["linkId"].as_str().unwrap_or_default();
    let values: Vec<Value> = item["answer"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(answer_value)
        .collect::<crate::Result<_>>()?;
    let Some(id) = definition.find(link) else {
        if values.is_empty() {
            // A section: its items are top-level answers.
            for child in children(item) {
                collect(definition, child, answers)?;
            }
        } else {
            let value = if values.len() == 1 {
                values.into_iter().next().expect("one value")
            } else {
                Value::Array(values)
            };
            answers.insert(link.to_owned(), value);
        }
        return Ok(());
    };
    let target = definition.item(id);
    let key = if target.parent.is_some() {
        target.local.clone()
    } else {
        target.id.clone()
    };
    match &target.kind {
        ItemKind::Group(_) => {
            let mut row = serde_json::Map::new();
            for child in children(item) {
                collect(definition, child, &mut row)?;
            }
            match answers
                .entry(key)
                .or_insert_with(|| Value::Array(Vec::new()))
            {
                Value::Array(rows) => rows.push(Value::Object(row)),
                _ => {
                    return Err(invalid(
                        "en grupp förekommer på två sätt",
                        "a group occurs in two shapes",
                    ));
                }
            }
        }
        ItemKind::MultipleChoice { .. } | ItemKind::Ranking { .. } => {
            answers.insert(key, Value::Array(values));
        }
        _ => {
            if let Some(value) = values.into_iter().next() {
                answers.insert(key, value);
            }
        }
    }
    Ok(())
}

fn answer_value(answer: &Value) -> crate::Result<Value> {
    let object = answer
        .as_object()
        .ok_or_else(|| invalid("ett svar har fel form", "an answer must be an object"))?;
    for (key, value) in object {
        match key.as_str() {
            "valueCoding" => return Ok(value["code"].clone()),
            "valueBoolean" | "valueInteger" | "valueDecimal" | "valueDate" | "valueString" => {
                return Ok(value.clone());
            }
            _ => {}
        }
    }
    Err(invalid(
        "ett svar har en typ som bistand inte använder",
        "an answer has a type bistand does not use (valueCoding, valueBoolean, valueInteger, valueDecimal, valueDate, valueString)",
    ))
}

/// The code system of a code list's codes.
pub fn code_system(definition: &Definition, list: &str) -> String {
    format!("urn:bistand:codes:{}:{list}", definition.instrument())
}

/// FHIR ids allow `[A-Za-z0-9\-\.]{1,64}`.
fn fhir_id(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect()
}

/// Sets `field` to the Swedish text and `_field` to its English translation.
fn labelled(target: &mut Value, field: &str, text: &Text) {
    target[field] = Value::String(text.sv.clone());
    target[format!("_{field}")] = json!({
        "extension": [{
            "url": TRANSLATION,
            "extension": [
                { "url": "lang", "valueCode": "en" },
                { "url": "content", "valueString": text.en },
            ],
        }],
    });
}

fn item(definition: &Definition, id: ItemId) -> Value {
    let item = definition.item(id);
    let mut out = json!({ "linkId": item.id });
    labelled(&mut out, "text", &item.label);
    let mut extensions = Vec::new();
    match &item.kind {
        ItemKind::SingleChoice { list }
        | ItemKind::MultipleChoice { list, .. }
        | ItemKind::Ranking { list, .. } => {
            let list = definition.code_list(*list);
            let system = code_system(definition, &list.name);
            out["type"] = "choice".into();
            out["answerOption"] = list
                .codes
                .iter()
                .map(|code| {
                    let mut coding = json!({ "system": system, "code": code.code });
                    labelled(&mut coding, "display", &code.label);
                    json!({ "valueCoding": coding })
                })
                .collect();
            if let ItemKind::Ranking { max_ranked, .. } = &item.kind {
                out["repeats"] = true.into();
                extensions
                    .push(json!({ "url": "urn:bistand:fhir:ranking", "valueInteger": max_ranked }));
            }
            if matches!(item.kind, ItemKind::MultipleChoice { .. }) {
                out["repeats"] = true.into();
            }
        }
        ItemKind::Integer { min, max } => {
            out["type"] = "integer".into();
            extensions.push(json!({ "url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": min }));
            extensions.push(json!({ "url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": max }));
        }
        ItemKind::Decimal { min, max } => {
            out["type"] = "decimal".into();
            extensions.push(json!({ "url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueDecimal": min }));
            extensions.push(json!({ "url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueDecimal": max }));
        }
        ItemKind::Date { .. } => out["type"] = "date".into(),
        ItemKind::Boolean => out["type"] = "boolean".into(),
        ItemKind::Text {
            max_length,
            multiline,
        } => {
            out["type"] = if *multiline { "text" } else { "string" }.into();
            out["maxLength"] = (*max_length).into();
        }
        ItemKind::Group(group) => {
            out["type"] = "group".into();
            out["repeats"] = true.into();
            out["item"] = group
                .children
                .iter()
                .map(|&child| self::item(definition, child))
                .collect();
        }
    }
    if item.required {
        out["required"] = true.into();
    }
    if item.hideable {
        extensions.push(json!({ "url": "urn:bistand:fhir:hideable", "valueBoolean": true }));
    }
    if let Some(provenance) = &item.provenance {
        let source = match provenance.source {
            Source::PilotForm => "pilot_form",
            Source::Bistand => "bistand",
            Source::Local => "local",
        };
        extensions.push(json!({ "url": "urn:bistand:fhir:provenance", "valueCode": source }));
    }
    if let Some(condition) = &item.enabled_when {
        match enable_when(definition, condition) {
            Some((conditions, behavior)) => {
                out["enableWhen"] = Value::Array(conditions);
                if let Some(behavior) = behavior {
                    out["enableBehavior"] = behavior.into();
                }
            }
            None => extensions.push(json!({
                "url": "urn:bistand:fhir:condition",
                "valueString": condition_json(definition, condition).to_string(),
            })),
        }
    }
    if !extensions.is_empty() {
        out["extension"] = Value::Array(extensions);
    }
    out
}

/// The condition as `enableWhen` entries and the behaviour joining them (`None` for one entry),
/// or `None` when FHIR R4 cannot say it (nesting, negation of a list).
fn enable_when(
    definition: &Definition,
    condition: &Condition,
) -> Option<(Vec<Value>, Option<&'static str>)> {
    match condition {
        Condition::All(parts) | Condition::Any(parts) => {
            let behavior = if matches!(condition, Condition::All(_)) {
                "all"
            } else {
                "any"
            };
            let mut out = Vec::new();
            for part in parts {
                let (entries, inner) = enable_when(definition, part)?;
                // A list inside `all` is an `any` of its codes: FHIR cannot nest behaviours.
                if entries.len() > 1 && inner != Some(behavior) {
                    return None;
                }
                out.extend(entries);
            }
            Some((out, Some(behavior)))
        }
        Condition::Not(_) => None,
        simple => {
            let entries = simple_entries(definition, simple)?;
            let behavior = (entries.len() > 1).then_some("any");
            Some((entries, behavior))
        }
    }
}

fn simple_entries(definition: &Definition, condition: &Condition) -> Option<Vec<Value>> {
    match condition {
        Condition::In { item, codes } => {
            let question = &definition.item(*item).id;
            let list = list_of(definition.item(*item))?;
            let list = definition.code_list(list);
            let system = code_system(definition, &list.name);
            Some(
                codes
                    .iter()
                    .map(|&code| {
                        json!({
                            "question": question,
                            "operator": "=",
                            "answerCoding": { "system": system, "code": list.code(code).code },
                        })
                    })
                    .collect(),
            )
        }
        Condition::Equals { item, value } => Some(vec![json!({
            "question": definition.item(*item).id,
            "operator": "=",
            "answerBoolean": value,
        })]),
        Condition::Answered { item, answered } => Some(vec![json!({
            "question": definition.item(*item).id,
            "operator": "exists",
            "answerBoolean": answered,
        })]),
        _ => None,
    }
}

fn list_of(item: &Item) -> Option<crate::instrument::CodeListId> {
    match item.kind {
        ItemKind::SingleChoice { list }
        | ItemKind::MultipleChoice { list, .. }
        | ItemKind::Ranking { list, .. } => Some(list),
        _ => None,
    }
}

/// A condition in the shape of a definition file.
fn condition_json(definition: &Definition, condition: &Condition) -> Value {
    match condition {
        Condition::In { item, codes } => {
            let item = definition.item(*item);
            let codes: Vec<&str> = list_of(item)
                .map(|list| {
                    let list = definition.code_list(list);
                    codes.iter().map(|&c| list.code(c).code.as_str()).collect()
                })
                .unwrap_or_default();
            json!({ "item": item.id, "in": codes })
        }
        Condition::Equals { item, value } => {
            json!({ "item": definition.item(*item).id, "equals": value })
        }
        Condition::Answered { item, answered } => {
            json!({ "item": definition.item(*item).id, "answered": answered })
        }
        Condition::All(parts) => {
            json!({ "all": parts.iter().map(|p| condition_json(definition, p)).collect::<Vec<_>>() })
        }
        Condition::Any(parts) => {
            json!({ "any": parts.iter().map(|p| condition_json(definition, p)).collect::<Vec<_>>() })
        }
        Condition::Not(inner) => json!({ "not": condition_json(definition, inner) }),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    fn walk<'v>(items: &'v [Value], out: &mut Vec<&'v Value>) {
        for item in items {
            out.push(item);
            if let Some(children) = item["item"].as_array() {
                walk(children, out);
            }
        }
    }

    /// The structural rules: unique linkIds, enableWhen only on earlier items, every answer
    /// code in its question's set, both languages on every text.
    #[test]
    fn every_shipped_definition_exports_to_a_structurally_sound_questionnaire() {
        for definition in crate::registry::builtin().expect("shipped definitions") {
            let resource = questionnaire(&definition);
            assert_eq!(resource["resourceType"], "Questionnaire");
            let mut items = Vec::new();
            walk(resource["item"].as_array().expect("items"), &mut items);
            let mut seen: BTreeSet<&str> = BTreeSet::new();
            let mut options: BTreeMap<&str, BTreeSet<(&str, &str)>> = BTreeMap::new();
            for item in &items {
                let link = item["linkId"].as_str().expect("linkId");
                if let Some(conditions) = item["enableWhen"].as_array() {
                    for condition in conditions {
                        let question = condition["question"].as_str().expect("question");
                        assert!(
                            seen.contains(question),
                            "{link}: enableWhen on a later item {question}"
                        );
                        if let Some(coding) = condition.get("answerCoding") {
                            let code = (
                                coding["system"].as_str().expect("system"),
                                coding["code"].as_str().expect("code"),
                            );
                            assert!(
                                options[question].contains(&code),
                                "{link}: {code:?} not an option of {question}"
                            );
                        }
                    }
                }
                assert!(seen.insert(link), "linkId {link} twice");
                assert!(
                    item["_text"]["extension"][0]["extension"][1]["valueString"].is_string(),
                    "{link}: no English"
                );
                if let Some(answer_options) = item["answerOption"].as_array() {
                    options.insert(
                        link,
                        answer_options
                            .iter()
                            .map(|o| {
                                (
                                    o["valueCoding"]["system"].as_str().expect("system"),
                                    o["valueCoding"]["code"].as_str().expect("code"),
                                )
                            })
                            .collect(),
                    );
                }
            }
            assert_eq!(
                items.len(),
                definition.items().len() + definition.sections().len(),
                "{} {}",
                definition.instrument(),
                definition.version()
            );
        }
    }

    #[test]
    fn fia_v2_conditions_ranking_and_additions_are_exported() {
        let definitions = crate::registry::builtin().expect("shipped definitions");
        let v2 = definitions
            .iter()
            .find(|d| d.instrument() == "fia" && d.version() == "2")
            .expect("fia 2");
        let resource = questionnaire(v2);
        let mut items = Vec::new();
        walk(resource["item"].as_array().expect("items"), &mut items);
        let find = |id: &str| *items.iter().find(|i| i["linkId"] == id).expect(id);
        let rating = find("skulder.problem_klient");
        assert_eq!(rating["enableBehavior"], "any");
        assert_eq!(
            rating["enableWhen"][0]["answerCoding"]["code"],
            "i_stor_omfattning"
        );
        let ranking = find("sammanstallning.rangordning");
        assert_eq!(ranking["extension"][0]["url"], "urn:bistand:fhir:ranking");
        let addition = find("skulder.paverkar_arbete");
        let urls: Vec<&str> = addition["extension"]
            .as_array()
            .expect("extensions")
            .iter()
            .map(|e| e["url"].as_str().expect("url"))
            .collect();
        assert!(
            urls.contains(&"urn:bistand:fhir:hideable")
                && urls.contains(&"urn:bistand:fhir:provenance"),
            "{urls:?}"
        );
        assert_eq!(find("genomforandeplan.mal")["repeats"], true);
        assert_eq!(find("intervju.samtycke")["required"], true);
    }
}
