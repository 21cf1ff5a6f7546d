//! The definition file as written (serde DTOs). Nothing here is checked: `compile` turns these
//! into a [`Definition`](super::Definition) or says precisely what is wrong.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::text::Text;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDefinition {
    pub(crate) instrument: String,
    pub(crate) version: String,
    pub(crate) title: Text,
    pub(crate) description: Text,
    #[serde(default)]
    pub(crate) code_lists: BTreeMap<String, Vec<RawCode>>,
    pub(crate) sections: Vec<RawSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCode {
    pub(crate) code: String,
    pub(crate) label: Text,
    #[serde(default)]
    pub(crate) help: Option<Text>,
    #[serde(default)]
    pub(crate) group: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSection {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) part: Option<String>,
    pub(crate) label: Text,
    #[serde(default)]
    pub(crate) help: Option<Text>,
    pub(crate) items: Vec<RawItem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawItem {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) label: Text,
    #[serde(default)]
    pub(crate) help: Option<Text>,
    #[serde(default)]
    pub(crate) required: bool,
    #[serde(default)]
    pub(crate) hideable: bool,
    #[serde(default)]
    pub(crate) enabled_when: Option<RawCondition>,
    #[serde(default)]
    pub(crate) provenance: Option<RawProvenance>,
    // Kind-specific fields; `compile` checks which belong to which kind.
    #[serde(default)]
    pub(crate) code_list: Option<String>,
    #[serde(default)]
    pub(crate) min_selected: Option<u32>,
    #[serde(default)]
    pub(crate) max_selected: Option<u32>,
    #[serde(default)]
    pub(crate) min: Option<serde_json::Number>,
    #[serde(default)]
    pub(crate) max: Option<serde_json::Number>,
    #[serde(default)]
    pub(crate) not_before: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) not_after: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) max_length: Option<u32>,
    #[serde(default)]
    pub(crate) multiline: Option<bool>,
    #[serde(default)]
    pub(crate) max_ranked: Option<u32>,
    #[serde(default)]
    pub(crate) eligible_when: Option<BTreeMap<String, RawCondition>>,
    #[serde(default)]
    pub(crate) items: Option<Vec<RawItem>>,
    #[serde(default)]
    pub(crate) min_rows: Option<u32>,
    #[serde(default)]
    pub(crate) max_rows: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProvenance {
    pub(crate) source: super::Source,
    #[serde(default)]
    pub(crate) note: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub(crate) enum RawCondition {
    In {
        item: String,
        #[serde(rename = "in")]
        codes: Vec<String>,
    },
    Equals {
        item: String,
        equals: bool,
    },
    Answered {
        item: String,
        answered: bool,
    },
    All {
        all: Vec<RawCondition>,
    },
    Any {
        any: Vec<RawCondition>,
    },
    Not {
        not: Box<RawCondition>,
    },
}
