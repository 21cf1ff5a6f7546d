//! Declared migrations: how the answers of one version of an instrument become answers of the
//! next, written as data (`core/migrations/<instrument>-<from>-to-<to>.json`, see
//! `core/migrations/README.md`) and compiled against both definitions.
//!
//! A migration is applied on read: a stored document is never rewritten, it is migrated each time
//! it is read for a newer version ([`crate::Engine::migrate`]). Every answer of the old document
//! is either carried (under its own id, renamed, recoded, or merged with others by a stated rule)
//! or listed in [`Migrated::not_carried`] with the reason; a migrated document that lost anything,
//! or that the newer version would not accept as complete, comes out as a draft.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::document::Status;
use crate::error::{Error, ErrorKind, Result};
use crate::finding::{FindingCode, Report};
use crate::instrument::{Definition, Item, ItemKind};
use crate::text::Text;

/// A compiled, checked migration from one version of an instrument to another.
#[derive(Debug, Clone)]
pub struct Migration {
    instrument: String,
    from: String,
    to: String,
    /// By source item id: what becomes of it.
    actions: BTreeMap<String, Action>,
    /// Merges, applied after the single-item actions.
    merges: Vec<Merge>,
}

#[derive(Debug, Clone)]
enum Action {
    /// The answer is carried to `to`, its codes recoded when `codes` is given (a code mapped to
    /// `None` is not carried, for `reason`).
    Carry {
        to: String,
        codes: Option<BTreeMap<String, Option<Value>>>,
        reason: Option<Text>,
    },
    /// One of the sources of a merge.
    MergeSource,
    /// Not carried: the newer version has no counterpart.
    Drop { reason: Text },
}

#[derive(Debug, Clone)]
struct Merge {
    sources: Vec<String>,
    to: String,
    rule: MergeRule,
    reason: Text,
}

/// How a merge combines its sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum MergeRule {
    /// Booleans: true when any answered source is true, false when all answered are false.
    AnyTrue,
    /// The answer of the first source (in the order listed) that is answered.
    FirstAnswered,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMigration {
    instrument: String,
    from: String,
    to: String,
    description: Text,
    rules: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "snake_case")]
enum RawRule {
    Rename {
        item: String,
        to: String,
        reason: Text,
    },
    Recode {
        item: String,
        to: String,
        codes: BTreeMap<String, Value>,
        reason: Text,
    },
    Merge {
        items: Vec<String>,
        to: String,
        rule: MergeRule,
        reason: Text,
    },
    NoCounterpart {
        item: String,
        reason: Text,
    },
}

/// What migrating one document gave.
#[derive(Debug, Clone, Serialize)]
pub struct Migrated {
    /// The version the document was written in.
    pub from_version: String,
    /// The version it was migrated to.
    pub to_version: String,
    /// The migrated document (JSON), with `version` set to `to_version` and `status` as below.
    #[serde(skip)]
    pub document: Vec<u8>,
    /// `draft` when the original was a draft, something was not carried, or the newer version
    /// would not accept it as complete; otherwise as the original.
    pub status: Status,
    /// Every answer of the original that is not in the migrated document, and why; and every
    /// reason the migrated document is a draft although the original was complete.
    pub not_carried: Vec<NotCarried>,
    /// The validation report of the migrated document.
    pub report: Report,
}

/// One answer not carried, or one reason a migrated document is a draft.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotCarried {
    /// The item id in the original version (or, for a reason about the newer version, its id there).
    pub item: String,
    /// Why, in both languages.
    pub reason: Text,
}

fn broken(text: Text) -> Error {
    Error::new(ErrorKind::InvalidDefinition, text)
}

impl Migration {
    /// Compiles a migration file against the two definitions it connects.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] naming the rule and what is wrong: an item that is not in
    /// its version, a code not in its list, an item named by two rules, or an item of the older
    /// version without a rule whose counterpart of the same id is missing or differs.
    pub fn from_json(json: &str, from: &Definition, to: &Definition) -> Result<Migration> {
        let raw: RawMigration = serde_json::from_str(json).map_err(|e| {
            broken(Text {
                sv: format!("migreringsfilen har inte förväntad form: {e}"),
                en: format!("migration file does not have the expected shape: {e}"),
            })
        })?;
        if raw.instrument != from.instrument()
            || raw.instrument != to.instrument()
            || raw.from != from.version()
            || raw.to != to.version()
        {
            return Err(broken(Text {
                sv: format!(
                    "migreringen gäller {} {} till {}, inte de givna definitionerna",
                    raw.instrument, raw.from, raw.to
                ),
                en: format!(
                    "the migration is for {} {} to {}, not the definitions given",
                    raw.instrument, raw.from, raw.to
                ),
            }));
        }
        if raw.description.sv.trim().is_empty() || raw.description.en.trim().is_empty() {
            return Err(broken(Text {
                sv: "migreringen behöver en beskrivning på svenska och engelska".into(),
                en: "the migration needs a description in Swedish and English".into(),
            }));
        }
        let mut migration = Migration {
            instrument: raw.instrument,
            from: raw.from,
            to: raw.to,
            actions: BTreeMap::new(),
            merges: Vec::new(),
        };
        for rule in raw.rules {
            migration.add_rule(rule, from, to)?;
        }
        // Every other top-level item carries over under its own id: the newer version must have
        // it, of the same kind, with every code.
        for id in from.top_level_items() {
            let item = from.item(id);
            if migration.actions.contains_key(&item.id) {
                continue;
            }
            let counterpart = to.top_level(&item.id).map(|t| to.item(t));
            match counterpart {
                Some(target) if compatible(from, item, to, target) => {}
                _ => {
                    return Err(broken(Text {
                        sv: format!(
                            "frågan `{}` har ingen regel, och version {} har ingen likadan fråga med samma id",
                            item.id, migration.to
                        ),
                        en: format!(
                            "item `{}` has no rule, and version {} has no item of the same id, kind and codes",
                            item.id, migration.to
                        ),
                    }));
                }
            }
            migration.actions.insert(
                item.id.clone(),
                Action::Carry {
                    to: item.id.clone(),
                    codes: None,
                    reason: None,
                },
            );
        }
        Ok(migration)
    }

    /// The instrument.
    pub fn instrument(&self) -> &str {
        &self.instrument
    }

    /// The older version.
    pub fn from_version(&self) -> &str {
        &self.from
    }

    /// The newer version.
    pub fn to_version(&self) -> &str {
        &self.to
    }

    fn add_rule(&mut self, rule: RawRule, from: &Definition, to: &Definition) -> Result<()> {
        let source = |id: &str| {
            from.top_level(id).map(|i| from.item(i)).ok_or_else(|| {
                broken(Text {
                    sv: format!(
                        "regeln för `{id}`: frågan finns inte i version {}",
                        self.from
                    ),
                    en: format!("rule for `{id}`: no such item in version {}", self.from),
                })
            })
        };
        let target = |id: &str| {
            to.top_level(id).map(|i| to.item(i)).ok_or_else(|| {
                broken(Text {
                    sv: format!(
                        "regeln till `{id}`: frågan finns inte i version {}",
                        self.to
                    ),
                    en: format!("rule to `{id}`: no such item in version {}", self.to),
                })
            })
        };
        let check_reason = |reason: &Text, id: &str| {
            if reason.sv.trim().is_empty() || reason.en.trim().is_empty() {
                Err(broken(Text {
                    sv: format!("regeln för `{id}` behöver ett skäl på svenska och engelska"),
                    en: format!("rule for `{id}` needs a reason in Swedish and English"),
                }))
            } else {
                Ok(())
            }
        };
        let (ids, action) = match rule {
            RawRule::Rename {
                item,
                to: target_id,
                reason,
            } => {
                check_reason(&reason, &item)?;
                let (s, t) = (source(&item)?, target(&target_id)?);
                if !compatible(from, s, to, t) {
                    return Err(broken(Text {
                        sv: format!(
                            "regeln för `{item}`: `{target_id}` är inte av samma typ med samma koder; använd recode"
                        ),
                        en: format!(
                            "rule for `{item}`: `{target_id}` is not of the same kind with the same codes; use recode"
                        ),
                    }));
                }
                (
                    vec![item],
                    Action::Carry {
                        to: target_id,
                        codes: None,
                        reason: Some(reason),
                    },
                )
            }
            RawRule::Recode {
                item,
                to: target_id,
                codes,
                reason,
            } => {
                check_reason(&reason, &item)?;
                let (s, t) = (source(&item)?, target(&target_id)?);
                let codes = recoding(&item, from, s, to, t, codes)?;
                (
                    vec![item],
                    Action::Carry {
                        to: target_id,
                        codes: Some(codes),
                        reason: Some(reason),
                    },
                )
            }
            RawRule::Merge {
                items,
                to: target_id,
                rule,
                reason,
            } => {
                check_reason(&reason, &target_id)?;
                let t = target(&target_id)?;
                if items.len() < 2 {
                    return Err(broken(Text {
                        sv: format!("sammanslagningen till `{target_id}` behöver minst två frågor"),
                        en: format!("the merge into `{target_id}` needs at least two items"),
                    }));
                }
                for id in &items {
                    let s = source(id)?;
                    let fits = match rule {
                        MergeRule::AnyTrue => {
                            matches!(s.kind, ItemKind::Boolean)
                                && matches!(t.kind, ItemKind::Boolean)
                        }
                        MergeRule::FirstAnswered => compatible(from, s, to, t),
                    };
                    if !fits {
                        return Err(broken(Text {
                            sv: format!(
                                "sammanslagningen till `{target_id}`: `{id}` passar inte regeln"
                            ),
                            en: format!(
                                "the merge into `{target_id}`: `{id}` does not fit the rule (any_true needs booleans, first_answered items like the target)"
                            ),
                        }));
                    }
                }
                self.merges.push(Merge {
                    sources: items.clone(),
                    to: target_id,
                    rule,
                    reason,
                });
                (items, Action::MergeSource)
            }
            RawRule::NoCounterpart { item, reason } => {
                check_reason(&reason, &item)?;
                source(&item)?;
                (vec![item], Action::Drop { reason })
            }
        };
        for id in ids {
            if self.actions.insert(id.clone(), action.clone()).is_some() {
                return Err(broken(Text {
                    sv: format!("frågan `{id}` har mer än en regel"),
                    en: format!("item `{id}` has more than one rule"),
                }));
            }
        }
        Ok(())
    }

    /// Migrates the `answers` object of one document. Returns the new answers and what was not
    /// carried. Never fails: anything that cannot be carried is listed with its reason.
    pub(crate) fn answers(
        &self,
        answers: &Map<String, Value>,
    ) -> (Map<String, Value>, Vec<NotCarried>) {
        let mut out = Map::new();
        let mut lost = Vec::new();
        for (key, value) in answers {
            let item = crate::error::displayable_key(key).unwrap_or("(not shown)");
            match self.actions.get(key) {
                None => lost.push(NotCarried {
                    item: item.to_owned(),
                    reason: Text {
                        sv: format!("frågan finns inte i version {}", self.from),
                        en: format!("no such item in version {}", self.from),
                    },
                }),
                Some(Action::Drop { reason }) => lost.push(NotCarried {
                    item: item.to_owned(),
                    reason: reason.clone(),
                }),
                Some(Action::MergeSource) => {}
                Some(Action::Carry { to, codes, reason }) => match recode(value, codes.as_ref()) {
                    Some(value) => {
                        out.insert(to.clone(), value);
                    }
                    None => lost.push(NotCarried {
                        item: item.to_owned(),
                        reason: reason.clone().unwrap_or_else(|| Text {
                            sv: "svaret har ingen motsvarighet".into(),
                            en: "the answer has no counterpart".into(),
                        }),
                    }),
                },
            }
        }
        for merge in &self.merges {
            let values: Vec<&Value> = merge
                .sources
                .iter()
                .filter_map(|s| answers.get(s))
                .filter(|v| !v.is_null())
                .collect();
            if values.is_empty() {
                continue;
            }
            let merged = match merge.rule {
                MergeRule::AnyTrue => {
                    if values.iter().all(|v| v.is_boolean()) {
                        Some(Value::Bool(
                            values.iter().any(|v| v.as_bool() == Some(true)),
                        ))
                    } else {
                        None
                    }
                }
                MergeRule::FirstAnswered => values.first().map(|v| (*v).clone()),
            };
            match merged {
                Some(value) => {
                    out.insert(merge.to.clone(), value);
                }
                None => {
                    for source in &merge.sources {
                        if answers.contains_key(source) {
                            lost.push(NotCarried {
                                item: source.clone(),
                                reason: merge.reason.clone(),
                            });
                        }
                    }
                }
            }
        }
        (out, lost)
    }
}

/// Whether an answer to `s` (of `from`) is an answer to `t` (of `to`) as it stands: the same kind,
/// every code of `s`'s list in `t`'s, groups with compatible sub-items.
fn compatible(from: &Definition, s: &Item, to: &Definition, t: &Item) -> bool {
    match (&s.kind, &t.kind) {
        (ItemKind::SingleChoice { list: a }, ItemKind::SingleChoice { list: b })
        | (ItemKind::MultipleChoice { list: a, .. }, ItemKind::MultipleChoice { list: b, .. })
        | (ItemKind::Ranking { list: a, .. }, ItemKind::Ranking { list: b, .. }) => {
            let target = to.code_list(*b);
            from.code_list(*a)
                .codes
                .iter()
                .all(|c| target.position(&c.code).is_some())
        }
        (ItemKind::Group(a), ItemKind::Group(b)) => a.children.iter().all(|&child| {
            let child = from.item(child);
            b.child(&child.local)
                .is_some_and(|t| compatible(from, child, to, to.item(t)))
        }),
        (ItemKind::Integer { .. }, ItemKind::Integer { .. })
        | (ItemKind::Decimal { .. }, ItemKind::Decimal { .. })
        | (ItemKind::Date { .. }, ItemKind::Date { .. })
        | (ItemKind::Boolean, ItemKind::Boolean)
        | (ItemKind::Text { .. }, ItemKind::Text { .. }) => true,
        _ => false,
    }
}

/// The source answers a recoding reads (codes, or `true`/`false`) and the target answers it may
/// write, checked: every source answer has a rule (a target answer or `null`: not carried).
fn recoding(
    id: &str,
    from: &Definition,
    s: &Item,
    to: &Definition,
    t: &Item,
    codes: BTreeMap<String, Value>,
) -> Result<BTreeMap<String, Option<Value>>> {
    let keys: Vec<String> = match &s.kind {
        ItemKind::SingleChoice { list }
        | ItemKind::MultipleChoice { list, .. }
        | ItemKind::Ranking { list, .. } => from
            .code_list(*list)
            .codes
            .iter()
            .map(|c| c.code.clone())
            .collect(),
        ItemKind::Boolean => vec!["true".into(), "false".into()],
        _ => {
            return Err(broken(Text {
                sv: format!("regeln för `{id}`: bara val och ja/nej-frågor kan kodas om"),
                en: format!("rule for `{id}`: only choice and boolean items can be recoded"),
            }));
        }
    };
    let multiple = matches!(
        s.kind,
        ItemKind::MultipleChoice { .. } | ItemKind::Ranking { .. }
    );
    let target_fits = |value: &Value| match (&t.kind, value) {
        (ItemKind::Boolean, Value::Bool(_)) => !multiple,
        (ItemKind::SingleChoice { list }, Value::String(code)) => {
            !multiple && to.code_list(*list).position(code).is_some()
        }
        (
            ItemKind::MultipleChoice { list, .. } | ItemKind::Ranking { list, .. },
            Value::String(code),
        ) => multiple && to.code_list(*list).position(code).is_some(),
        _ => false,
    };
    let known: BTreeSet<&String> = keys.iter().collect();
    if let Some(extra) = codes.keys().find(|k| !known.contains(k)) {
        return Err(broken(Text {
            sv: format!("regeln för `{id}`: `{extra}` är inte ett svar på frågan"),
            en: format!("rule for `{id}`: `{extra}` is not an answer of the item"),
        }));
    }
    let mut out = BTreeMap::new();
    for key in keys {
        let value = codes.get(&key).ok_or_else(|| {
            broken(Text {
                sv: format!(
                    "regeln för `{id}` saknar svaret `{key}` (ange null om det inte förs över)"
                ),
                en: format!(
                    "rule for `{id}` lacks answer `{key}` (give null if it is not carried)"
                ),
            })
        })?;
        if value.is_null() {
            out.insert(key, None);
        } else if target_fits(value) {
            out.insert(key, Some(value.clone()));
        } else {
            return Err(broken(Text {
                sv: format!(
                    "regeln för `{id}`: svaret för `{key}` passar inte frågan i nya versionen"
                ),
                en: format!("rule for `{id}`: the answer for `{key}` does not fit the newer item"),
            }));
        }
    }
    Ok(out)
}

/// The answer recoded, or `None` when some part of it has no counterpart.
fn recode(value: &Value, codes: Option<&BTreeMap<String, Option<Value>>>) -> Option<Value> {
    let Some(codes) = codes else {
        return Some(value.clone());
    };
    let one = |v: &Value| -> Option<Value> {
        let key = match v {
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            _ => return None,
        };
        codes.get(&key).cloned().flatten()
    };
    match value {
        Value::Array(values) => values
            .iter()
            .map(one)
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        other => one(other),
    }
}

/// Migrates a whole document through `steps` (consecutive migrations of its instrument). `check`
/// validates a candidate (the engine's validation); answers the newer version refuses are taken
/// out with the finding's message as reason, a section declared complete that misses a required
/// item the older version never asked (no such finding in `original`, the document's own
/// report) is reopened with the same, and the document becomes a draft when anything was not
/// carried or it is not valid as complete.
pub(crate) fn migrate_document(
    document: &Value,
    steps: &[&Migration],
    original: &Report,
    check: &dyn Fn(&[u8]) -> Result<Report>,
) -> Result<Migrated> {
    let object = document.as_object().ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidDocument,
            Text {
                sv: "dokumentet måste vara ett JSON-objekt".into(),
                en: "the document must be a JSON object".into(),
            },
        )
    })?;
    let empty = Map::new();
    let mut answers = match object.get("answers") {
        None => empty.clone(),
        Some(Value::Object(answers)) => answers.clone(),
        Some(_) => {
            return Err(Error::new(
                ErrorKind::InvalidDocument,
                Text {
                    sv: "`answers` måste vara ett objekt".into(),
                    en: "`answers` must be an object".into(),
                },
            ));
        }
    };
    let from_version = object
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut not_carried = Vec::new();
    for step in steps {
        let (next, lost) = step.answers(&answers);
        answers = next;
        not_carried.extend(lost);
    }
    let to_version = steps.last().map_or(from_version.clone(), |s| s.to.clone());
    let original_complete = object.get("status").and_then(Value::as_str) == Some("complete");
    // The sections a draft declares complete; one that misses an item the older version never
    // asked is complete no longer.
    let mut completed = object.get("completed_sections").cloned();
    let build = |answers: &Map<String, Value>, completed: &Option<Value>, status: &str| {
        let mut out = object.clone();
        if let Some(completed) = completed {
            out.insert("completed_sections".into(), completed.clone());
        }
        out.insert("version".into(), Value::String(to_version.clone()));
        out.insert("status".into(), Value::String(status.into()));
        out.insert("answers".into(), Value::Object(answers.clone()));
        serde_json::to_vec(&Value::Object(out)).expect("a JSON value serialises")
    };
    // Answers the newer version refuses (an enabling condition that no longer holds, a bound)
    // are taken out, each with the finding's message; two rounds settle conditions on conditions.
    let mut report = check(&build(&answers, &completed, "draft"))?;
    for _ in 0..3 {
        let errors = || {
            report
                .findings
                .iter()
                .filter(|f| f.severity == crate::finding::Severity::Error)
        };
        let refused: Vec<(String, Text)> = errors()
            .filter_map(|f| top_level_key(&answers, &f.path).map(|k| (k, f.message.clone())))
            .collect();
        // A required item the older version never asked, in a section the draft declares
        // complete: the section is reopened, with the finding's message as reason.
        let reopened: Vec<(String, Text)> = errors()
            .filter(|f| f.code == FindingCode::RequiredMissing)
            .filter(|f| top_level_key(&answers, &f.path).is_none())
            .filter(|f| !original.findings.iter().any(|o| o.path == f.path))
            .map(|f| (f.path.clone(), f.message.clone()))
            .collect();
        if refused.is_empty() && reopened.is_empty() {
            break;
        }
        for (key, reason) in refused {
            if answers.remove(&key).is_some() {
                not_carried.push(NotCarried { item: key, reason });
            }
        }
        for (path, reason) in reopened {
            let section = path.split(['.', '[']).next().unwrap_or_default();
            if let Some(Value::Array(sections)) = completed.as_mut() {
                sections.retain(|s| s.as_str() != Some(section));
            }
            not_carried.push(NotCarried {
                item: path,
                reason: Text {
                    sv: format!("Avsnittet är inte längre markerat som klart. {}", reason.sv),
                    en: format!("The section is no longer marked complete. {}", reason.en),
                },
            });
        }
        report = check(&build(&answers, &completed, "draft"))?;
    }
    let mut status = Status::Draft;
    if original_complete && not_carried.is_empty() {
        let complete = check(&build(&answers, &completed, "complete"))?;
        if complete.valid {
            status = Status::Complete;
            report = complete;
        } else {
            for finding in complete
                .findings
                .iter()
                .filter(|f| f.severity == crate::finding::Severity::Error)
            {
                not_carried.push(NotCarried {
                    item: finding.path.clone(),
                    reason: finding.message.clone(),
                });
            }
        }
    }
    let document = build(&answers, &completed, status.as_str());
    Ok(Migrated {
        from_version,
        to_version,
        document,
        status,
        not_carried,
        report,
    })
}

/// The answer key a finding's path is under (`genomforandeplan.mal[0].ansvarig` is under
/// `genomforandeplan.mal`).
fn top_level_key(answers: &Map<String, Value>, path: &str) -> Option<String> {
    let head = path.split('[').next().unwrap_or(path);
    if answers.contains_key(head) {
        return Some(head.to_owned());
    }
    answers
        .keys()
        .find(|k| head.starts_with(k.as_str()) && head[k.len()..].starts_with('.'))
        .cloned()
}
