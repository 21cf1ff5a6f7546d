//! The generic machinery under every report: a layout of counter slots, strata keyed by the
//! breakdown values, and tables read off the strata's marginals.

use std::collections::HashMap;

use super::dimension::{AGE_BANDS, Class, Dimension, GENDERS, HOUSEHOLDS, ORIGINS, UNKNOWN};
use super::disclosure::{self, QuantityKey, Registry};
use super::{Category, Cell, Row, Table, wilson_interval};
use crate::error::{Error, ErrorKind, Result};
use crate::text::Text;

/// The breakdown values of one record. `unit` indexes the aggregate's unit names; `period` is a
/// year (0 when unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct StratumKey {
    pub(crate) gender: u8,
    pub(crate) age: u8,
    pub(crate) origin: u8,
    pub(crate) household: u8,
    pub(crate) unit: u32,
    pub(crate) period: i16,
}

impl StratumKey {
    /// The key of a record that carries no background data: every classification "not
    /// recorded", only the unit and the period known.
    pub(crate) fn unclassified(unit: u32, period: i16) -> StratumKey {
        let last = |n: usize| u8::try_from(n - 1).expect("few classes");
        StratumKey {
            gender: last(GENDERS.len()),
            age: last(AGE_BANDS.len()),
            origin: last(ORIGINS.len()),
            household: last(HOUSEHOLDS.len()),
            unit,
            period,
        }
    }
}

/// Counters per stratum, with the unit names interned, and what every aggregate keeps beside them:
/// the instrument version and report date (partial results merge only when both agree) and the
/// documents left out for error findings. The common part of every aggregate.
#[derive(Clone, Debug, Default)]
pub struct Aggregate {
    slots: usize,
    instrument: String,
    version: String,
    as_of: jiff::civil::Date,
    records: u64,
    excluded: u64,
    units: Vec<String>,
    unit_index: HashMap<String, u32>,
    strata: HashMap<StratumKey, Vec<u64>>,
}

impl PartialEq for Aggregate {
    /// Equal when they hold the same counts per stratum, whatever the order units were first seen.
    fn eq(&self, other: &Aggregate) -> bool {
        self.slots == other.slots
            && self.version == other.version
            && self.as_of == other.as_of
            && self.records == other.records
            && self.excluded == other.excluded
            && self.canonical() == other.canonical()
    }
}

impl Aggregate {
    pub(crate) fn new(
        slots: usize,
        instrument: &str,
        version: &str,
        as_of: jiff::civil::Date,
    ) -> Aggregate {
        Aggregate {
            slots,
            instrument: instrument.to_owned(),
            version: version.to_owned(),
            as_of,
            ..Aggregate::default()
        }
    }

    /// An empty aggregate of the same layout, version and date.
    pub(crate) fn empty_like(&self) -> Aggregate {
        Aggregate::new(self.slots, &self.instrument, &self.version, self.as_of)
    }

    /// The date the report describes.
    pub fn as_of(&self) -> jiff::civil::Date {
        self.as_of
    }

    /// Documents not counted because they had error findings.
    pub fn excluded(&self) -> u64 {
        self.excluded
    }

    /// Tallies a document left out for error findings.
    pub(crate) fn exclude(&mut self) {
        self.excluded += 1;
    }

    /// Records added.
    pub fn records(&self) -> u64 {
        self.records
    }

    pub(crate) fn unit(&mut self, name: Option<&str>) -> u32 {
        let name = name.unwrap_or(UNKNOWN.code);
        if let Some(&index) = self.unit_index.get(name) {
            return index;
        }
        let index = u32::try_from(self.units.len()).expect("fewer than 2^32 units");
        self.units.push(name.to_owned());
        self.unit_index.insert(name.to_owned(), index);
        index
    }

    /// The counters of a stratum, created at zero; counts one more record.
    pub(crate) fn stratum(&mut self, key: StratumKey) -> &mut [u64] {
        self.records += 1;
        let slots = self.slots;
        self.strata.entry(key).or_insert_with(|| vec![0; slots])
    }

    /// Adds another aggregate's counts (same layout) to this one.
    pub(crate) fn merge(&mut self, other: &Aggregate) -> Result<()> {
        if self.slots != other.slots
            || self.instrument != other.instrument
            || self.version != other.version
            || self.as_of != other.as_of
        {
            let name = self.instrument.to_uppercase();
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                Text {
                    sv: format!(
                        "{name}-aggregat med olika definitionsversioner eller rapportdatum kan inte slås samman"
                    ),
                    en: format!(
                        "cannot merge {name} aggregates of different definition versions or report dates"
                    ),
                },
            ));
        }
        self.records += other.records;
        self.excluded += other.excluded;
        for (key, counts) in &other.strata {
            let unit = self.unit(Some(&other.units[key.unit as usize]));
            let target = self
                .strata
                .entry(StratumKey { unit, ..*key })
                .or_insert_with(|| vec![0; other.slots]);
            for (t, c) in target.iter_mut().zip(counts) {
                *t += c;
            }
        }
        Ok(())
    }

    fn canonical(&self) -> Vec<(CanonicalKey<'_>, &Vec<u64>)> {
        let mut out: Vec<_> = self
            .strata
            .iter()
            .map(|(k, v)| {
                (
                    (
                        k.gender,
                        k.age,
                        k.origin,
                        k.household,
                        self.units[k.unit as usize].as_str(),
                        k.period,
                    ),
                    v,
                )
            })
            .collect();
        out.sort();
        out
    }

    /// The groups of a dimension present in the data, in report order, with their summed counters.
    fn marginals(&self, dimension: Dimension) -> Vec<(Group, Vec<u64>)> {
        let mut groups: HashMap<GroupOrder, (Group, Vec<u64>)> = HashMap::new();
        for (key, counts) in &self.strata {
            let group = self.group_of(dimension, key);
            let (_, sums) = groups
                .entry(group.order.clone())
                .or_insert_with(|| (group, vec![0; self.slots]));
            for (s, c) in sums.iter_mut().zip(counts) {
                *s += c;
            }
        }
        let mut groups: Vec<(Group, Vec<u64>)> = groups.into_values().collect();
        groups.sort_by(|a, b| a.0.order.cmp(&b.0.order));
        groups
    }

    fn group_of(&self, dimension: Dimension, key: &StratumKey) -> Group {
        let fixed = |classes: &[Class], index: u8| {
            let class = classes[usize::from(index)];
            Group {
                order: GroupOrder::Fixed(index),
                code: GroupCode::Static(class.code),
                label: class.label(),
            }
        };
        match dimension {
            Dimension::Total => Group {
                order: GroupOrder::Fixed(0),
                code: GroupCode::Static("total"),
                label: Text {
                    sv: "Samtliga".into(),
                    en: "All".into(),
                },
            },
            Dimension::Gender => fixed(&GENDERS, key.gender),
            Dimension::AgeBand => fixed(&AGE_BANDS, key.age),
            Dimension::Origin => fixed(&ORIGINS, key.origin),
            Dimension::Household => fixed(&HOUSEHOLDS, key.household),
            Dimension::Unit => {
                let name = self.units[key.unit as usize].clone();
                Group {
                    order: GroupOrder::Named(name.clone()),
                    label: Text {
                        sv: name.clone(),
                        en: name.clone(),
                    },
                    code: GroupCode::Owned(name),
                }
            }
            Dimension::Period => {
                let (code, label) = if key.period == 0 {
                    (UNKNOWN.code.to_owned(), UNKNOWN.label())
                } else {
                    (
                        key.period.to_string(),
                        Text {
                            sv: key.period.to_string(),
                            en: key.period.to_string(),
                        },
                    )
                };
                Group {
                    order: GroupOrder::Year(if key.period == 0 {
                        i16::MAX
                    } else {
                        key.period
                    }),
                    code: GroupCode::Owned(code),
                    label,
                }
            }
        }
    }
}

/// A stratum key with the unit by name, comparable across aggregates.
type CanonicalKey<'a> = (u8, u8, u8, u8, &'a str, i16);

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum GroupOrder {
    Fixed(u8),
    Year(i16),
    Named(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum GroupCode {
    Static(&'static str),
    Owned(String),
}

#[derive(Clone, Debug, PartialEq)]
struct Group {
    order: GroupOrder,
    code: GroupCode,
    label: Text,
}

impl Group {
    fn code(&self) -> String {
        match &self.code {
            GroupCode::Static(code) => (*code).to_owned(),
            GroupCode::Owned(code) => code.clone(),
        }
    }
}

/// One cell's slots: the count and its base.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CellSlots {
    pub(crate) count: usize,
    pub(crate) base: usize,
    /// The base is taken over all records, not within the row's group (composition tables).
    pub(crate) base_over_all: bool,
}

impl CellSlots {
    /// A count and its base, both within the row's group.
    pub(crate) fn new(count: usize, base: usize) -> CellSlots {
        CellSlots {
            count,
            base,
            base_over_all: false,
        }
    }
}

/// How a table's rows are made.
pub(crate) enum RowsSpec {
    /// One row per group of each listed breakdown (a table per breakdown), same cells each.
    ByDimension {
        dimensions: &'static [Dimension],
        cells: Vec<CellSlots>,
    },
    /// Fixed rows (life areas, intervention groups), over all records.
    Fixed {
        rows_are: &'static str,
        rows_label: Text,
        rows: Vec<(String, Text, Vec<CellSlots>)>,
    },
}

/// A table to produce: its texts, columns and where its numbers come from.
pub(crate) struct TableSpec {
    pub(crate) id: &'static str,
    pub(crate) title: Text,
    pub(crate) description: Text,
    pub(crate) categories: Vec<Category>,
    pub(crate) rows: RowsSpec,
}

/// Sums that hold between slots in every group: `total = parts...`.
pub(crate) struct Partition {
    pub(crate) total: usize,
    pub(crate) parts: Vec<usize>,
}

/// Builds the tables of `specs` from `aggregate`, restricted to `dimensions`, then applies
/// disclosure control across all of them.
pub(crate) fn build_tables(
    aggregate: &Aggregate,
    specs: &[TableSpec],
    partitions: &[Partition],
    dimensions: &[Dimension],
    threshold: super::Threshold,
) -> (Vec<Table>, Registry) {
    let mut registry = Registry::default();
    let mut marginals: HashMap<Dimension, Vec<(Group, Vec<u64>)>> = HashMap::new();
    let mut group_codes: HashMap<Dimension, Vec<u32>> = HashMap::new();
    // Every dimension used is registered whole (all slots, all groups) so that the sums across
    // groups and the partitions within a group are known to disclosure control.
    let mut used: Vec<Dimension> = vec![Dimension::Total];
    for spec in specs {
        if let RowsSpec::ByDimension {
            dimensions: allowed,
            ..
        } = &spec.rows
        {
            used.extend(allowed.iter().filter(|d| dimensions.contains(d)));
        }
    }
    used.sort();
    used.dedup();
    for &dimension in &used {
        let groups = aggregate.marginals(dimension);
        let mut codes = Vec::with_capacity(groups.len());
        for (index, (_, counts)) in groups.iter().enumerate() {
            let group = u32::try_from(index).expect("fewer than 2^32 groups");
            codes.push(group);
            for (slot, &value) in counts.iter().enumerate() {
                registry.register(QuantityKey::new(slot, dimension, group), value);
            }
            for partition in partitions {
                registry.constrain(
                    QuantityKey::new(partition.total, dimension, group),
                    partition
                        .parts
                        .iter()
                        .map(|&p| QuantityKey::new(p, dimension, group))
                        .collect(),
                );
            }
        }
        if dimension != Dimension::Total {
            for slot in 0..aggregate.slots {
                registry.constrain(
                    QuantityKey::new(slot, Dimension::Total, 0),
                    codes
                        .iter()
                        .map(|&g| QuantityKey::new(slot, dimension, g))
                        .collect(),
                );
            }
        }
        group_codes.insert(dimension, codes);
        marginals.insert(dimension, groups);
    }

    let mut tables = Vec::new();
    for spec in specs {
        match &spec.rows {
            RowsSpec::ByDimension {
                dimensions: allowed,
                cells,
            } => {
                for &dimension in allowed.iter().filter(|d| dimensions.contains(d)) {
                    let groups = &marginals[&dimension];
                    let rows = groups
                        .iter()
                        .enumerate()
                        .map(|(index, (group, _))| {
                            let group_index = u32::try_from(index).expect("fewer than 2^32 groups");
                            Row {
                                code: group.code(),
                                label: group.label.clone(),
                                cells: cells
                                    .iter()
                                    .map(|c| registry.cell(*c, dimension, group_index))
                                    .collect(),
                            }
                        })
                        .collect();
                    let id = if dimension == Dimension::Total {
                        spec.id.to_owned()
                    } else {
                        format!("{}.{}", spec.id, dimension.as_str())
                    };
                    tables.push(Table {
                        id,
                        title: spec.title.clone(),
                        description: spec.description.clone(),
                        rows_are: dimension.as_str().to_owned(),
                        rows_label: dimension.label(),
                        categories: spec.categories.clone(),
                        rows,
                    });
                }
            }
            RowsSpec::Fixed {
                rows_are,
                rows_label,
                rows,
            } => tables.push(Table {
                id: spec.id.to_owned(),
                title: spec.title.clone(),
                description: spec.description.clone(),
                rows_are: (*rows_are).to_owned(),
                rows_label: rows_label.clone(),
                categories: spec.categories.clone(),
                rows: rows
                    .iter()
                    .map(|(code, label, cells)| Row {
                        code: code.clone(),
                        label: label.clone(),
                        cells: cells
                            .iter()
                            .map(|c| registry.cell(*c, Dimension::Total, 0))
                            .collect(),
                    })
                    .collect(),
            }),
        }
    }

    disclosure::suppress(&mut registry, threshold);
    for table in &mut tables {
        for row in &mut table.rows {
            for cell in &mut row.cells {
                fill(cell, &registry);
            }
        }
    }
    (tables, registry)
}

impl Registry {
    /// A cell before disclosure control: keys only, marked as shown.
    fn cell(&mut self, slots: CellSlots, dimension: Dimension, group: u32) -> Cell {
        let count_key = QuantityKey::new(slots.count, dimension, group);
        let base_key = if slots.base_over_all {
            QuantityKey::new(slots.base, Dimension::Total, 0)
        } else {
            QuantityKey::new(slots.base, dimension, group)
        };
        self.show(count_key);
        self.show(base_key);
        Cell {
            count: None,
            base: None,
            share: None,
            interval: None,
            suppressed: false,
            count_key,
            base_key,
        }
    }
}

fn fill(cell: &mut Cell, registry: &Registry) {
    let count = registry.visible(cell.count_key);
    let base = registry.visible(cell.base_key);
    cell.suppressed = count.is_none();
    cell.count = count;
    cell.base = base;
    if let (Some(count), Some(base)) = (count, base) {
        #[allow(clippy::cast_precision_loss)] // client counts are far below 2^52
        let share = (base > 0).then(|| count as f64 / base as f64);
        cell.share = share;
        cell.interval = wilson_interval(count, base);
    }
}
