//! Instrument definitions: the versioned, data-driven description of a form (sections, items,
//! code lists, conditions) that the generic validator checks documents against.
//!
//! A definition file (see `core/instruments/README.md`) is compiled once by
//! [`Definition::from_json`] into an indexed, immutable form; share it across threads behind an
//! `Arc`. The definitions bistand ships are embedded at build time by their instruments' modules
//! and listed by `registry::builtin`.

mod compile;
mod names;
mod raw;

use rustc_hash::FxHashMap as HashMap;

use crate::error::{Error, ErrorKind, Result};
use crate::text::Text;
use names::Names;

/// The index of an item (top-level or sub-item) within its [`Definition`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemId(u32);

impl ItemId {
    /// The position of the item in declaration order, usable to index per-item tables.
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The item at `index` in declaration order (for per-item tables such as a profile's hidden
    /// flags; the caller knows the index is in range).
    pub(crate) fn from_index(index: usize) -> ItemId {
        ItemId(u32::try_from(index).expect("definitions have fewer than 2^32 items"))
    }
}

/// The index of a code list within its [`Definition`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CodeListId(u32);

#[cfg(test)]
impl CodeListId {
    /// Some list, for tests of texts that do not look into it.
    pub(crate) fn for_test() -> CodeListId {
        CodeListId(0)
    }
}

/// A compiled, checked instrument definition. Immutable; cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Definition {
    instrument: String,
    version: String,
    title: Text,
    description: Text,
    source: String,
    code_lists: Vec<CodeList>,
    sections: Vec<Section>,
    items: Vec<Item>,
    /// Item indexes by full id.
    top_level: Names<u32>,
    section_ids: HashMap<Box<str>, usize>,
    /// Top-level items, in form order, whose whole-document rules can say something whatever
    /// the answers: see [`Item::has_rules`].
    ruled_top_level: Vec<ItemId>,
    /// Per item, what validation reads for every answer ([`Hot`]).
    hot: Box<[Hot]>,
    /// Per item, its condition as the rules read it ([`When`]).
    when: Box<[When]>,
}

/// What validation reads of an item for every answer and every rule, a few bytes an item beside
/// the full [`Item`] records (several cache lines each, one definition's records more than the
/// level-1 cache holds): the full record is read only for a finding's label and for the kinds
/// whose checks need more.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hot {
    pub(crate) kind: HotKind,
    pub(crate) required: bool,
    /// The item has an `enabled_when` condition.
    pub(crate) conditional: bool,
    /// The whole-document rules look at the item's value (a ranking's eligible subjects, a
    /// date's order, a group's rows); for any other item an answer is all they need.
    pub(crate) value_rules: bool,
}

/// An item's kind as far as reading a string or a boolean needs it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum HotKind {
    SingleChoice(CodeListId),
    Text {
        max_length: u32,
    },
    Date,
    Boolean,
    /// Any other kind: read the full item.
    Other,
}

impl Hot {
    pub(crate) fn of(item: &Item) -> Hot {
        Hot {
            kind: match &item.kind {
                ItemKind::SingleChoice { list } => HotKind::SingleChoice(*list),
                ItemKind::Text { max_length, .. } => HotKind::Text {
                    max_length: *max_length,
                },
                ItemKind::Date { .. } => HotKind::Date,
                ItemKind::Boolean => HotKind::Boolean,
                _ => HotKind::Other,
            },
            required: item.required,
            conditional: item.enabled_when.is_some(),
            value_rules: match &item.kind {
                ItemKind::Ranking { .. } | ItemKind::Group(_) => true,
                ItemKind::Date {
                    not_before,
                    not_after,
                } => !not_before.is_empty() || !not_after.is_empty(),
                _ => false,
            },
        }
    }
}

/// An item's `enabled_when` as the whole-document rules read it. The common conditions (one
/// choice answered with one of some codes, one yes/no answer) are held here in a few bytes per
/// item, read in form order, so that checking them does not read the item's full record, its
/// condition and the condition's vector of codes (three cache misses an item); any other
/// condition is read from the item.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum When {
    /// No condition: the item always applies.
    Always,
    /// The choice item's answer (any selected code) has a bit set in `codes` (codes below 64).
    In {
        item: ItemId,
        sibling: Option<Sibling>,
        codes: u64,
    },
    /// The yes/no item's answer is `value`.
    Equals {
        item: ItemId,
        sibling: Option<Sibling>,
        value: bool,
    },
    /// Another condition: see the item's `enabled_when`.
    Other,
}

/// Where the item a condition asks about sits when it is a sub-item: its group and its position
/// among the group's children (inside a row of that group the answer is the row's).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Sibling {
    pub(crate) group: ItemId,
    pub(crate) position: u32,
}

impl Sibling {
    /// Where `item` sits among its group's children, if it is a sub-item.
    pub(crate) fn of(item: ItemId, items: &[Item]) -> Option<Sibling> {
        let group = items[item.index()].parent?;
        let ItemKind::Group(g) = &items[group.index()].kind else {
            return None;
        };
        let position = g.children.iter().position(|&child| child == item)?;
        Some(Sibling {
            group,
            position: u32::try_from(position).ok()?,
        })
    }
}

impl When {
    pub(crate) fn of(item: &Item, items: &[Item]) -> When {
        let sibling = |asked: ItemId| Sibling::of(asked, items);
        match &item.enabled_when {
            None => When::Always,
            Some(Condition::In { item, codes }) if codes.iter().all(|&c| c < 64) => When::In {
                item: *item,
                sibling: sibling(*item),
                codes: codes.iter().fold(0, |mask, &c| mask | 1 << c),
            },
            Some(Condition::Equals { item, value }) => When::Equals {
                item: *item,
                sibling: sibling(*item),
                value: *value,
            },
            Some(_) => When::Other,
        }
    }
}

impl Definition {
    /// Compiles a definition file.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] naming the section, item or code list at fault and the rule
    /// it breaks.
    pub fn from_json(json: &str) -> Result<Definition> {
        let raw: raw::RawDefinition = serde_json::from_str(json).map_err(|e| {
            Error::new(
                ErrorKind::InvalidDefinition,
                Text {
                    sv: format!("definitionsfilen har inte förväntad form: {e}"),
                    en: format!("definition file does not have the expected shape: {e}"),
                },
            )
        })?;
        compile::compile(raw, json)
    }

    /// The instrument's name (`fia`).
    pub fn instrument(&self) -> &str {
        &self.instrument
    }

    /// The version (`1`).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The instrument's title.
    pub fn title(&self) -> &Text {
        &self.title
    }

    /// A short description of the instrument.
    pub fn description(&self) -> &Text {
        &self.description
    }

    /// The definition file this was compiled from, for vendors who render forms from it.
    pub fn source_json(&self) -> &str {
        &self.source
    }

    /// Sections in form order.
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// A section by its id.
    pub fn section(&self, id: &str) -> Option<&Section> {
        self.section_ids.get(id).map(|&i| &self.sections[i])
    }

    /// Every item, sub-items included, in declaration order (a group precedes its sub-items).
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The item with this index.
    pub fn item(&self, id: ItemId) -> &Item {
        &self.items[id.index()]
    }

    /// A top-level item by its full id (`boende.omfattning`).
    pub fn top_level(&self, id: &str) -> Option<ItemId> {
        self.top_level.get(id).map(ItemId)
    }

    /// An item, top-level or sub-item, by its full id (`genomforandeplan.mal.ansvarig`).
    pub fn find(&self, full_id: &str) -> Option<ItemId> {
        if let Some(id) = self.top_level(full_id) {
            return Some(id);
        }
        let (parent, local) = full_id.rsplit_once('.')?;
        let parent = self.find(parent)?;
        match &self.item(parent).kind {
            ItemKind::Group(group) => group.child(local),
            _ => None,
        }
    }

    /// Top-level items in declaration order.
    pub fn top_level_items(&self) -> impl Iterator<Item = ItemId> + '_ {
        self.sections.iter().flat_map(|s| s.items.iter().copied())
    }

    /// Top-level items, in form order, that are required, conditional, or checked against other
    /// answers. The whole-document rules visit only these (and hidden items that were answered):
    /// for any other item an answer is all that is needed.
    pub(crate) fn ruled_top_level(&self) -> &[ItemId] {
        &self.ruled_top_level
    }

    /// What validation reads of `item` for every answer.
    #[inline]
    pub(crate) fn hot(&self, item: ItemId) -> Hot {
        self.hot[item.index()]
    }

    /// `item`'s condition as the rules read it.
    #[inline]
    pub(crate) fn when(&self, item: ItemId) -> When {
        self.when[item.index()]
    }

    /// A code list by index.
    pub fn code_list(&self, id: CodeListId) -> &CodeList {
        &self.code_lists[id.0 as usize]
    }

    /// All code lists.
    pub fn code_lists(&self) -> &[CodeList] {
        &self.code_lists
    }
}

/// A section of the form.
#[derive(Debug)]
pub struct Section {
    /// Stable id (`boende`).
    pub id: String,
    /// The part of the instrument the section belongs to, if the instrument has parts.
    pub part: Option<String>,
    /// Heading.
    pub label: Text,
    /// Guidance for the interviewer.
    pub help: Option<Text>,
    /// Top-level items of the section, in form order.
    pub items: Vec<ItemId>,
}

/// One question (or group of questions) of a definition.
#[derive(Debug)]
pub struct Item {
    /// Full stable id (`boende.omfattning`, `genomforandeplan.mal.ansvarig`).
    pub id: String,
    /// The last segment of the id: the key of a sub-item inside a group row.
    pub local: String,
    /// What kind of answer the item takes, with its bounds.
    pub kind: ItemKind,
    /// The question.
    pub label: Text,
    /// Guidance for the interviewer.
    pub help: Option<Text>,
    /// Must be answered in a complete document when enabled and not hidden.
    pub required: bool,
    /// An organisation profile may hide it.
    pub hideable: bool,
    /// When present, the item applies only when this holds.
    pub enabled_when: Option<Condition>,
    /// The group this is a sub-item of.
    pub parent: Option<ItemId>,
    /// Index into [`Definition::sections`] of the section the item (or its group) is in.
    pub section: usize,
    /// Where the item comes from, when the definition says: the instrument's own form or an
    /// addition, so a vendor can show or hide additions knowingly.
    pub provenance: Option<Provenance>,
}

/// Where an item comes from (`"provenance"` in a definition file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    /// The form, or an addition.
    pub source: Source,
    /// What exactly comes from where (wording, answer scale), in both languages.
    pub note: Option<Text>,
}

/// The origin of an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Source {
    /// The instrument's own form shows the item (for FIA version 2: the 2015 pilot form as the
    /// source material shows it). The note says what, if anything, is bistand's (wording, steps
    /// of a scale).
    PilotForm,
    /// Added by bistand: no source shows it.
    Bistand,
    /// Added by whoever supplied the definition (a municipality's or vendor's local item).
    Local,
}

impl Item {
    /// Whether the whole-document rules can find anything to say about this item when it is not
    /// hidden: it is required, applies only under a condition, or is a ranking, a date ordered
    /// against another, or a group (whose rows hold such items).
    pub(crate) fn has_rules(&self) -> bool {
        let hot = Hot::of(self);
        hot.required || hot.conditional || hot.value_rules
    }
}

/// What kind of answer an item takes.
#[derive(Debug)]
pub enum ItemKind {
    /// One code from a list.
    SingleChoice {
        /// The list.
        list: CodeListId,
    },
    /// Distinct codes from a list.
    MultipleChoice {
        /// The list.
        list: CodeListId,
        /// Fewest codes to select (0 when unset).
        min_selected: u32,
        /// Most codes to select (the list's length when unset).
        max_selected: u32,
    },
    /// A whole number in `min..=max`.
    Integer {
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
    },
    /// A number in `min..=max`.
    Decimal {
        /// Smallest allowed.
        min: f64,
        /// Largest allowed.
        max: f64,
    },
    /// A calendar date, possibly ordered against other dates.
    Date {
        /// The date must be on or after each of these.
        not_before: Vec<DateRef>,
        /// The date must be on or before each of these.
        not_after: Vec<DateRef>,
    },
    /// Yes or no.
    Boolean,
    /// Free text of at most `max_length` characters.
    Text {
        /// Most characters (Unicode scalar values).
        max_length: u32,
        /// Rendered as a multi-line field.
        multiline: bool,
    },
    /// An ordering of distinct subjects, most important first.
    Ranking {
        /// The subjects.
        list: CodeListId,
        /// Most subjects to rank.
        max_ranked: u32,
        /// Per subject code (by index), the condition under which it may be ranked.
        eligible_when: Vec<Option<Condition>>,
    },
    /// Repeating rows of sub-items.
    Group(Group),
}

impl ItemKind {
    /// The name of the kind as written in definition files.
    pub fn name(&self) -> &'static str {
        match self {
            ItemKind::SingleChoice { .. } => "single_choice",
            ItemKind::MultipleChoice { .. } => "multiple_choice",
            ItemKind::Integer { .. } => "integer",
            ItemKind::Decimal { .. } => "decimal",
            ItemKind::Date { .. } => "date",
            ItemKind::Boolean => "boolean",
            ItemKind::Text { .. } => "text",
            ItemKind::Ranking { .. } => "ranking",
            ItemKind::Group(_) => "group",
        }
    }
}

/// The rows of a repeating group.
#[derive(Debug)]
pub struct Group {
    /// Sub-items in declaration order.
    pub children: Vec<ItemId>,
    /// Fewest rows.
    pub min_rows: u32,
    /// Most rows.
    pub max_rows: u32,
    locals: Names<usize>,
}

impl Group {
    /// The sub-item with this local id.
    pub fn child(&self, local: &str) -> Option<ItemId> {
        self.position(local).map(|p| self.children[p])
    }

    /// The position among `children` of the sub-item with this local id.
    pub fn position(&self, local: &str) -> Option<usize> {
        self.locals.get(local)
    }
}

/// What a date is ordered against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateRef {
    /// The document's interview date.
    InterviewDate,
    /// Another date item (a sibling in the same row when both are sub-items of one group).
    Item(ItemId),
}

/// When an item applies (or a ranking subject may be chosen).
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// The choice item's answer (any selected code, for multiple choice) is one of `codes`.
    In {
        /// The item asked about.
        item: ItemId,
        /// Code indexes within the item's list.
        codes: Vec<u16>,
    },
    /// The boolean item's answer is `value`.
    Equals {
        /// The item asked about.
        item: ItemId,
        /// The answer that satisfies.
        value: bool,
    },
    /// The item is answered (`true`) or not (`false`).
    Answered {
        /// The item asked about.
        item: ItemId,
        /// Whether an answer is wanted.
        answered: bool,
    },
    /// Every condition holds.
    All(Vec<Condition>),
    /// At least one condition holds.
    Any(Vec<Condition>),
    /// The condition does not hold.
    Not(Box<Condition>),
}

/// A named list of codes.
#[derive(Debug)]
pub struct CodeList {
    /// The list's name.
    pub name: String,
    /// The codes in display order.
    pub codes: Vec<Code>,
    index: Names<u16>,
}

impl CodeList {
    /// The index of `code` in the list.
    pub fn position(&self, code: &str) -> Option<u16> {
        self.index.get(code)
    }

    /// The code at `index`.
    pub fn code(&self, index: u16) -> &Code {
        &self.codes[usize::from(index)]
    }
}

/// One answer option.
#[derive(Debug)]
pub struct Code {
    /// The stable code (`i_stor_omfattning`).
    pub code: String,
    /// What the form shows.
    pub label: Text,
    /// Guidance.
    pub help: Option<Text>,
    /// A classification of the code within its list (`jobbaktivering` for an intervention), used
    /// by reports to group codes.
    pub group: Option<String>,
}
