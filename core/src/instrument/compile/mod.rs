//! Checks a raw definition and builds the indexed [`Definition`]. Every rule of
//! `core/instruments/README.md` is enforced here, each failure naming the place and the rule.

use rustc_hash::FxHashMap as HashMap;

use super::names::Names;
use super::raw::{RawCode, RawCondition, RawDefinition, RawItem};
use super::{
    Code, CodeList, CodeListId, Condition, DateRef, Definition, Item, ItemId, ItemKind, Provenance,
    Section,
};
use crate::error::{DefinitionProblem, Error, ErrorKind, Result};
use crate::text::Text;

mod kinds;

use kinds::{allowed_fields, missing, present_fields};

const INTERVIEW_DATE: &str = "interview_date";

fn broken(text: Text) -> Error {
    Error::new(ErrorKind::InvalidDefinition, text)
}

/// `[a-z][a-z0-9_]*`: the shape of ids, codes and id segments.
fn is_identifier(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn check_text(text: &Text, place: &Text, what: &str) -> Result<()> {
    if text.sv.trim().is_empty() || text.en.trim().is_empty() {
        return Err(broken(Text {
            sv: format!(
                "{}: {what} behöver icke-tom svensk och engelsk text",
                place.sv
            ),
            en: format!(
                "{}: {what} needs non-empty Swedish and English text",
                place.en
            ),
        }));
    }
    Ok(())
}

/// Compiles `raw`, going on past a broken code list, section or item so that every problem is
/// reported at once; a part that failed is left out, so a later part that refers to it may fail
/// too (naming it).
pub(super) fn compile(raw: RawDefinition, source: &str) -> Result<Definition> {
    let mut builder = Builder {
        code_lists: Vec::new(),
        code_list_ids: HashMap::default(),
        items: Vec::new(),
        top_level: HashMap::default(),
        pending_dates: Vec::new(),
        problems: Vec::new(),
    };
    let instrument = raw.instrument.clone();
    let envelope = check_envelope(&raw);
    builder.note("definition", &instrument, envelope);
    for (name, codes) in raw.code_lists {
        let added = builder.add_code_list(name.clone(), codes);
        builder.note("code_list", &name, added);
    }

    let mut sections = Vec::with_capacity(raw.sections.len());
    let mut section_ids = HashMap::default();
    for raw_section in raw.sections {
        let checked = check_section(&raw_section, &section_ids);
        builder.note("section", &raw_section.id, checked);
        let mut items = Vec::with_capacity(raw_section.items.len());
        for raw_item in raw_section.items {
            let id = raw_item.id.clone();
            let added = top_level_local(&raw_item.id, &raw_section.id).and_then(|local| {
                builder.add_item(raw_item, id.clone(), local, sections.len(), None)
            });
            if let Some(item) = builder.note("item", &id, added) {
                items.push(item);
            }
        }
        section_ids.insert(raw_section.id.clone().into_boxed_str(), sections.len());
        sections.push(Section {
            id: raw_section.id,
            part: raw_section.part,
            label: raw_section.label,
            help: raw_section.help,
            items,
        });
    }
    if builder.items.is_empty() && builder.problems.is_empty() {
        return Err(broken(Text {
            sv: "definitionen saknar frågor".into(),
            en: "definition has no items".into(),
        }));
    }
    builder.resolve_dates();
    if !builder.problems.is_empty() {
        return Err(Error::definition_problems(builder.problems));
    }
    let ruled_top_level = sections
        .iter()
        .flat_map(|section| section.items.iter().copied())
        .filter(|&item| builder.items[item.index()].has_rules())
        .collect();

    let hot = builder.items.iter().map(super::Hot::of).collect();
    let when = builder
        .items
        .iter()
        .map(|item| super::When::of(item, &builder.items))
        .collect();
    Ok(Definition {
        hot,
        when,
        instrument: raw.instrument,
        version: raw.version,
        title: raw.title,
        description: raw.description,
        source: source.to_owned(),
        code_lists: builder.code_lists,
        sections,
        items: builder.items,
        top_level: Names::new(builder.top_level.into_iter().map(|(id, item)| (id, item.0))),
        section_ids,
        ruled_top_level,
    })
}

/// The instrument's name and version, title and description.
fn check_envelope(raw: &RawDefinition) -> Result<()> {
    if !is_identifier(&raw.instrument) {
        return Err(broken(Text {
            sv: "instrumentets namn måste matcha [a-z][a-z0-9_]*".into(),
            en: "instrument name must match [a-z][a-z0-9_]*".into(),
        }));
    }
    if raw.version.is_empty()
        || !raw
            .version
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.')
    {
        return Err(broken(Text {
            sv: format!(
                "instrument `{}`: versionen måste bestå av ASCII-bokstäver, siffror och punkter",
                raw.instrument
            ),
            en: format!(
                "instrument `{}`: version must be non-empty ASCII letters, digits and dots",
                raw.instrument
            ),
        }));
    }
    let place = Text {
        sv: "definitionen".into(),
        en: "definition".into(),
    };
    check_text(&raw.title, &place, "title")?;
    check_text(&raw.description, &place, "description")
}

/// A section's own fields (its items are checked one by one).
fn check_section(
    raw_section: &super::raw::RawSection,
    section_ids: &HashMap<Box<str>, usize>,
) -> Result<()> {
    let place = Text {
        sv: format!("avsnitt `{}`", raw_section.id),
        en: format!("section `{}`", raw_section.id),
    };
    if !is_identifier(&raw_section.id) {
        return Err(broken(Text {
            sv: format!("{}: id måste matcha [a-z][a-z0-9_]*", place.sv),
            en: format!("{}: id must match [a-z][a-z0-9_]*", place.en),
        }));
    }
    if section_ids.contains_key(raw_section.id.as_str()) {
        return Err(broken(Text {
            sv: format!("{}: deklarerad två gånger", place.sv),
            en: format!("{}: declared twice", place.en),
        }));
    }
    if let Some(part) = &raw_section.part
        && !is_identifier(part)
    {
        return Err(broken(Text {
            sv: format!("{}: del måste matcha [a-z][a-z0-9_]*", place.sv),
            en: format!("{}: part must match [a-z][a-z0-9_]*", place.en),
        }));
    }
    check_text(&raw_section.label, &place, "label")?;
    if let Some(help) = &raw_section.help {
        check_text(help, &place, "help")?;
    }
    Ok(())
}

/// The local part of a top-level item's id, which must be `<section>.<name>`.
fn top_level_local(id: &str, section: &str) -> Result<String> {
    let prefix = format!("{section}.");
    let local = id.strip_prefix(&prefix).unwrap_or_default().to_owned();
    if local.is_empty() || !local.split('.').all(is_identifier) {
        return Err(broken(Text {
            sv: format!(
                "fråga `{id}` i avsnitt `{section}`: id måste vara `{prefix}<namn>`, varje del enligt [a-z][a-z0-9_]*"
            ),
            en: format!(
                "item `{id}` in section `{section}`: a top-level item id must be `{prefix}<name>`, each segment matching [a-z][a-z0-9_]*"
            ),
        }));
    }
    Ok(local)
}

struct Builder {
    code_lists: Vec<CodeList>,
    code_list_ids: HashMap<String, CodeListId>,
    items: Vec<Item>,
    top_level: HashMap<Box<str>, ItemId>,
    /// Date references are resolved after every item is known: order does not matter for them.
    pending_dates: Vec<(ItemId, Vec<String>, Vec<String>)>,
    /// What is wrong so far; the definition compiles only when this stays empty.
    problems: Vec<DefinitionProblem>,
}

impl Builder {
    /// The value of `result`, or `None` with its error kept as a problem of `part` `id`.
    fn note<T>(&mut self, part: &'static str, id: &str, result: Result<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.problems.push(DefinitionProblem {
                    part,
                    id: id.to_owned(),
                    message: error.text().clone(),
                });
                None
            }
        }
    }

    fn add_code_list(&mut self, name: String, raw_codes: Vec<RawCode>) -> Result<()> {
        let place = Text {
            sv: format!("kodlista `{name}`"),
            en: format!("code list `{name}`"),
        };
        if !is_identifier(&name) {
            return Err(broken(Text {
                sv: format!("{}: namnet måste matcha [a-z][a-z0-9_]*", place.sv),
                en: format!("{}: name must match [a-z][a-z0-9_]*", place.en),
            }));
        }
        if raw_codes.is_empty() || raw_codes.len() > usize::from(u16::MAX) {
            return Err(broken(Text {
                sv: format!("{}: måste ha mellan 1 och {} koder", place.sv, u16::MAX),
                en: format!("{}: must have between 1 and {} codes", place.en, u16::MAX),
            }));
        }
        let mut index = HashMap::with_capacity_and_hasher(raw_codes.len(), Default::default());
        let mut codes = Vec::with_capacity(raw_codes.len());
        for (position, raw) in raw_codes.into_iter().enumerate() {
            let code_place = Text {
                sv: format!("{}, kod `{}`", place.sv, raw.code),
                en: format!("{}, code `{}`", place.en, raw.code),
            };
            if !is_code(&raw.code) {
                return Err(broken(Text {
                    sv: format!("{}: en kod måste matcha [a-z0-9_]+", code_place.sv),
                    en: format!("{}: a code must match [a-z0-9_]+", code_place.en),
                }));
            }
            check_text(&raw.label, &code_place, "label")?;
            if let Some(help) = &raw.help {
                check_text(help, &code_place, "help")?;
            }
            let position =
                u16::try_from(position).expect("list length checked against u16::MAX above");
            if index
                .insert(raw.code.clone().into_boxed_str(), position)
                .is_some()
            {
                return Err(broken(Text {
                    sv: format!("{}: finns två gånger", code_place.sv),
                    en: format!("{}: listed twice", code_place.en),
                }));
            }
            if raw.group.as_deref().is_some_and(|g| !is_identifier(g)) {
                return Err(broken(Text {
                    sv: format!("{}: gruppen måste matcha [a-z][a-z0-9_]*", code_place.sv),
                    en: format!("{}: group must match [a-z][a-z0-9_]*", code_place.en),
                }));
            }
            codes.push(Code {
                code: raw.code,
                label: raw.label,
                help: raw.help,
                group: raw.group,
            });
        }
        let id =
            CodeListId(u32::try_from(self.code_lists.len()).expect("fewer than 2^32 code lists"));
        self.code_list_ids.insert(name.clone(), id);
        self.code_lists.push(CodeList {
            name,
            codes,
            index: Names::new(index),
        });
        Ok(())
    }

    fn code_list(&self, place: &Text, name: Option<&String>, kind: &str) -> Result<CodeListId> {
        let name = name.ok_or_else(|| missing(place, "code_list", kind))?;
        self.code_list_ids.get(name).copied().ok_or_else(|| {
            broken(Text {
                sv: format!("{}: kodlistan `{name}` är inte definierad", place.sv),
                en: format!("{}: code list `{name}` is not defined", place.en),
            })
        })
    }

    /// Adds an item (and, for a group, its sub-items) and returns its id. `siblings` is the group
    /// being built when this is a sub-item: its already-added children may be named in conditions.
    fn add_item(
        &mut self,
        raw: RawItem,
        full_id: String,
        local: String,
        section: usize,
        parent: Option<Siblings<'_>>,
    ) -> Result<ItemId> {
        let place = Text {
            sv: format!("fråga `{full_id}`"),
            en: format!("item `{full_id}`"),
        };
        let kind_name = raw.kind.as_str();
        self.check_item(&raw, &place, &full_id, &local, parent)?;
        let scope = Scope { group: parent };
        let enabled_when = raw
            .enabled_when
            .as_ref()
            .map(|c| self.condition(&place, c, &scope))
            .transpose()?;

        let id = ItemId(u32::try_from(self.items.len()).expect("fewer than 2^32 items"));
        let kind = self.kind(&raw, &place, kind_name, id, &scope)?;
        self.items.push(Item {
            id: full_id.clone(),
            local,
            kind,
            label: raw.label,
            help: raw.help,
            required: raw.required,
            hideable: raw.hideable,
            enabled_when,
            parent: parent.map(|siblings| siblings.group),
            section,
            provenance: raw.provenance.map(|p| Provenance {
                source: p.source,
                note: p.note,
            }),
        });
        if parent.is_none() {
            self.top_level.insert(full_id.clone().into_boxed_str(), id);
        }

        if let Some(sub_items) = raw.items {
            self.add_sub_items(sub_items, &place, &full_id, id, section);
        }
        Ok(id)
    }

    /// The checks of an item that do not depend on its kind: known kind, only its kind's fields,
    /// texts, required-or-hideable, and a unique id among its siblings.
    fn check_item(
        &self,
        raw: &RawItem,
        place: &Text,
        full_id: &str,
        local: &str,
        parent: Option<Siblings<'_>>,
    ) -> Result<()> {
        let kind_name = raw.kind.as_str();
        let allowed = allowed_fields(kind_name).ok_or_else(|| {
            broken(Text { sv: format!("{}: okänd typ `{kind_name}`", place.sv), en: format!(
                    "{}: unknown kind `{kind_name}`; expected one of single_choice, multiple_choice, integer, decimal, date, boolean, text, ranking, group", place.en
                ) })
        })?;
        if let Some(field) = present_fields(raw)
            .into_iter()
            .find(|f| !allowed.contains(f))
        {
            return Err(broken(Text {
                sv: format!(
                    "{}: fältet `{field}` gäller inte typen `{kind_name}`",
                    place.sv
                ),
                en: format!(
                    "{}: field `{field}` does not apply to kind `{kind_name}`",
                    place.en
                ),
            }));
        }
        check_text(&raw.label, place, "label")?;
        if let Some(help) = &raw.help {
            check_text(help, place, "help")?;
        }
        if let Some(note) = raw.provenance.as_ref().and_then(|p| p.note.as_ref()) {
            check_text(note, place, "provenance.note")?;
        }
        if raw.required && raw.hideable {
            return Err(broken(Text {
                sv: format!("{}: en obligatorisk fråga kan inte vara döljbar", place.sv),
                en: format!("{}: a required item cannot be hideable", place.en),
            }));
        }
        let duplicate = match parent {
            None => self.top_level.contains_key(full_id),
            Some(siblings) => siblings.locals.contains_key(local),
        };
        if duplicate {
            return Err(broken(Text {
                sv: format!("{}: deklarerad två gånger", place.sv),
                en: format!("{}: declared twice", place.en),
            }));
        }
        Ok(())
    }

    /// Adds the sub-items of the group `id`, each seeing the siblings declared before it; a
    /// sub-item that fails is a problem of its own and left out.
    fn add_sub_items(
        &mut self,
        sub_items: Vec<RawItem>,
        place: &Text,
        full_id: &str,
        id: ItemId,
        section: usize,
    ) {
        let mut locals: HashMap<Box<str>, usize> = HashMap::default();
        let mut children: Vec<ItemId> = Vec::new();
        for sub in sub_items {
            let sub_full = format!("{full_id}.{}", sub.id);
            if !is_identifier(&sub.id) {
                let error = broken(Text {
                    sv: format!(
                        "{}: delfrågans id `{}` måste matcha [a-z][a-z0-9_]*",
                        place.sv, sub.id
                    ),
                    en: format!(
                        "{}: sub-item id `{}` must be a local name matching [a-z][a-z0-9_]*",
                        place.en, sub.id
                    ),
                });
                self.note("item", &sub_full, Err::<(), _>(error));
                continue;
            }
            let sub_local = sub.id.clone();
            let child = self.add_item(
                sub,
                sub_full.clone(),
                sub_local.clone(),
                section,
                Some(Siblings {
                    group: id,
                    locals: &locals,
                    children: &children,
                }),
            );
            let Some(child) = self.note("item", &sub_full, child) else {
                continue;
            };
            locals.insert(sub_local.into_boxed_str(), children.len());
            children.push(child);
        }
        if let ItemKind::Group(group) = &mut self.items[id.index()].kind {
            group.children = children;
            group.locals = Names::new(locals);
        }
    }

    /// Resolves a condition's item reference: a sibling already declared in the same group, or a
    /// top-level item already declared.
    fn reference(&self, place: &Text, name: &str, scope: &Scope<'_>) -> Result<ItemId> {
        if let Some(Siblings {
            locals, children, ..
        }) = scope.group
            && let Some(&position) = name
                .rsplit_once('.')
                .and_then(|(_, local)| locals.get(local))
        {
            let sibling = children[position];
            if self.items[sibling.index()].id == name {
                return Ok(sibling);
            }
        }
        self.top_level.get(name).copied().ok_or_else(|| {
            broken(Text { sv: format!(
                    "{}: villkoret hänvisar till `{name}`, som inte är en tidigare deklarerad fråga", place.sv
                ), en: format!(
                    "{}: condition refers to `{name}`, which is not a top-level item or sibling declared before it", place.en
                ) })
        })
    }

    fn condition(&self, place: &Text, raw: &RawCondition, scope: &Scope<'_>) -> Result<Condition> {
        Ok(match raw {
            RawCondition::In { item, codes } => {
                let id = self.reference(place, item, scope)?;
                let list = match &self.items[id.index()].kind {
                    ItemKind::SingleChoice { list } | ItemKind::MultipleChoice { list, .. } => {
                        *list
                    }
                    other => {
                        return Err(broken(Text {
                            sv: format!(
                                "{}: villkoret `in` kräver en flervalsfråga, men `{item}` är {}",
                                place.sv,
                                other.name()
                            ),
                            en: format!(
                                "{}: condition `in` needs a choice item, but `{item}` is {}",
                                place.en,
                                other.name()
                            ),
                        }));
                    }
                };
                let list = &self.code_lists[list.0 as usize];
                if codes.is_empty() {
                    return Err(broken(Text {
                        sv: format!("{}: villkoret `in` för `{item}` saknar koder", place.sv),
                        en: format!("{}: condition `in` on `{item}` lists no codes", place.en),
                    }));
                }
                let codes = codes
                    .iter()
                    .map(|code| {
                        list.position(code).ok_or_else(|| {
                            broken(Text { sv: format!("{}: villkorets kod `{code}` finns inte i kodlistan `{}`", place.sv, list.name), en: format!("{}: condition code `{code}` is not in code list `{}` of `{item}`", place.en, list.name) })
                        })
                    })
                    .collect::<Result<_>>()?;
                Condition::In { item: id, codes }
            }
            RawCondition::Equals { item, equals } => {
                let id = self.reference(place, item, scope)?;
                if !matches!(self.items[id.index()].kind, ItemKind::Boolean) {
                    return Err(broken(Text {
                        sv: format!(
                            "{}: villkoret `equals` kräver en ja/nej-fråga, men `{item}` är {}",
                            place.sv,
                            self.items[id.index()].kind.name()
                        ),
                        en: format!(
                            "{}: condition `equals` needs a boolean item, but `{item}` is {}",
                            place.en,
                            self.items[id.index()].kind.name()
                        ),
                    }));
                }
                Condition::Equals {
                    item: id,
                    value: *equals,
                }
            }
            RawCondition::Answered { item, answered } => Condition::Answered {
                item: self.reference(place, item, scope)?,
                answered: *answered,
            },
            RawCondition::All { all } => Condition::All(self.conditions(place, all, scope)?),
            RawCondition::Any { any } => Condition::Any(self.conditions(place, any, scope)?),
            RawCondition::Not { not } => {
                Condition::Not(Box::new(self.condition(place, not, scope)?))
            }
        })
    }

    fn conditions(
        &self,
        place: &Text,
        raw: &[RawCondition],
        scope: &Scope<'_>,
    ) -> Result<Vec<Condition>> {
        if raw.is_empty() {
            return Err(broken(Text {
                sv: format!("{}: `all` och `any` kräver minst ett villkor", place.sv),
                en: format!("{}: `all` and `any` need at least one condition", place.en),
            }));
        }
        raw.iter()
            .map(|c| self.condition(place, c, scope))
            .collect()
    }

    /// Resolves every date reference, each failure a problem of its item.
    fn resolve_dates(&mut self) {
        for (id, not_before, not_after) in std::mem::take(&mut self.pending_dates) {
            let refs = self
                .date_refs(id, &not_before)
                .and_then(|before| Ok((before, self.date_refs(id, &not_after)?)));
            let item = self.items[id.index()].id.clone();
            let Some((before, after)) = self.note("item", &item, refs) else {
                continue;
            };
            if let ItemKind::Date {
                not_before,
                not_after,
            } = &mut self.items[id.index()].kind
            {
                *not_before = before;
                *not_after = after;
            }
        }
    }

    fn date_refs(&self, id: ItemId, names: &[String]) -> Result<Vec<DateRef>> {
        let item = &self.items[id.index()];
        names
            .iter()
            .map(|name| {
                if name == INTERVIEW_DATE {
                    return Ok(DateRef::InterviewDate);
                }
                let sibling = item.parent.and_then(|parent| match &self.items[parent.index()].kind {
                    ItemKind::Group(group) => group
                        .children
                        .iter()
                        .copied()
                        .find(|c| self.items[c.index()].id == *name),
                    _ => None,
                });
                let target = sibling.or_else(|| self.top_level.get(name.as_str()).copied());
                match target {
                    Some(target) if target != id && matches!(self.items[target.index()].kind, ItemKind::Date { .. }) => {
                        Ok(DateRef::Item(target))
                    }
                    _ => Err(broken(Text { sv: format!(
                            "fråga `{}`: datumreferensen `{name}` måste vara `interview_date` eller en annan datumfråga",
                            item.id
                        ), en: format!(
                            "item `{}`: date reference `{name}` must be `interview_date`, a top-level date item or a sibling date item",
                            item.id
                        ) })),
                }
            })
            .collect()
    }
}

/// The group a sub-item is being added to, and its siblings declared so far.
#[derive(Clone, Copy)]
struct Siblings<'a> {
    group: ItemId,
    locals: &'a HashMap<Box<str>, usize>,
    children: &'a [ItemId],
}

struct Scope<'a> {
    group: Option<Siblings<'a>>,
}

#[cfg(test)]
mod tests;
