//! The generic machinery under every report: a layout of counter slots, strata keyed by the
//! breakdown values, and tables read off the strata's marginals.

// Keys are small integers and record keys (already uniform): no need for SipHash's DoS
// resistance on the per-record path.
use rustc_hash::FxHashMap as HashMap;
use rustc_hash::FxHashSet as HashSet;

use super::dimension::{
    AGE_BANDS, ASSESSMENTS, Class, Dimension, GENDERS, HOUSEHOLDS, ORIGINS, ReportOptions, UNKNOWN,
};
use super::disclosure::{self, QuantityKey, Registry};
use super::perturbation::{CellKey, Person, RecordKey};
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
    /// Index into [`ASSESSMENTS`]: the FIA overall assessment linked to the person.
    pub(crate) assessment: u8,
}

impl StratumKey {
    /// The assessment of a person with no linked FIA assessment.
    pub(crate) const NOT_ASSESSED: u8 = (ASSESSMENTS.len() - 1) as u8;

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
            assessment: StratumKey::NOT_ASSESSED,
        }
    }
}

/// One counter of a stratum: the count and, beside it (interleaved, so one cache line holds
/// both), the cell key of the persons counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Counter {
    pub(crate) count: u64,
    pub(crate) key: CellKey,
}

impl Counter {
    /// Counts one more person, with record key `key`.
    #[inline]
    pub(crate) fn add(&mut self, key: RecordKey) {
        self.count += 1;
        self.key.add(key);
    }

    pub(crate) fn merge(&mut self, other: Counter) {
        self.count += other.count;
        self.key.merge(other.key);
    }
}

/// Adds each of `counts` to the counter of the same slot in `target`.
fn merge_all(target: &mut [Counter], counts: &[Counter]) {
    for (t, c) in target.iter_mut().zip(counts) {
        t.merge(*c);
    }
}

/// What one identified person contributes: the stratum and counter slots of the record of theirs
/// that is counted (the latest start; ties by the larger document key).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Contribution {
    rank: Rank,
    stratum: StratumKey,
    key: RecordKey,
    slots: Box<[u32]>,
    tag: Option<u64>,
}

/// How the records of one person rank ("Persons, not records" in DESIGN.md): the latest start,
/// ties broken by the larger document key. The one rule for choosing a person's record, in a
/// report's own counts and in what other instruments' records link to it (`stats::link`).
pub(crate) type Rank = (Option<jiff::civil::Date>, u64);

/// The [`Rank`] of a record of `person` starting at `start`.
pub(crate) fn rank(start: Option<jiff::civil::Date>, person: Person) -> Rank {
    (start, person.document())
}

/// Counters of the records counted so far (in two sets of strata, see `Strata`), with the unit
/// names interned, and what every aggregate keeps beside them: the instrument version and report
/// date (partial results merge only when both agree) and the documents left out for error
/// findings. The common part of every aggregate.
///
/// Persons, not records, are counted: a document without a person id is counted at once into its
/// strata; of an identified person's records only the one counted is kept (as its stratum key and
/// the slots it adds), and it is added to the groups when a report is built.
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
    /// The documents without a person id, counted at once (see [`Strata`]).
    strata: Strata,
    /// Documents without a person id, per stratum and tag (see [`Tally::tag`]).
    tagged: HashMap<(StratumKey, u64), Counter>,
    persons: HashMap<u64, Contribution>,
    /// The slots counted (`None`: every slot, and the tags); see [`Aggregate::count_only`].
    counted: Option<std::sync::Arc<Counted>>,
    /// The slots of the record being counted, reused between records.
    scratch: Vec<u32>,
}

/// The slots a report selecting some tables counts ([`Aggregate::count_only`]).
#[derive(Debug, PartialEq, Eq)]
struct Counted {
    /// Whether each slot is counted.
    slots: Box<[bool]>,
    /// The number of slots counted before each slot (and before the end): whether a range holds
    /// one is a subtraction.
    before: Box<[u32]>,
}

impl Counted {
    fn new(slots: Vec<bool>) -> Counted {
        let mut before = Vec::with_capacity(slots.len() + 1);
        let mut n = 0u32;
        before.push(0);
        for &counted in &slots {
            n += u32::from(counted);
            before.push(n);
        }
        Counted {
            slots: slots.into(),
            before: before.into(),
        }
    }
}

/// The counting of one record: [`Tally::add`] per counter slot it adds one to; the record is
/// committed to its stratum (or to its person) when the tally is dropped.
pub(crate) struct Tally<'a> {
    aggregate: &'a mut Aggregate,
    stratum: StratumKey,
    person: Person,
    start: Option<jiff::civil::Date>,
    slots: Vec<u32>,
    tag: Option<u64>,
}

impl Tally<'_> {
    /// Adds the record's person to counter `slot`.
    pub(crate) fn add(&mut self, slot: usize) {
        if self
            .aggregate
            .counted
            .as_ref()
            .is_none_or(|counted| counted.slots[slot])
        {
            self.slots
                .push(u32::try_from(slot).expect("fewer than 2^32 slots"));
        }
    }

    /// Whether any slot of `slots` is counted: a caller may skip computing a family of counters
    /// that a report selecting some tables does not read.
    pub(crate) fn counts_any(&self, slots: std::ops::Range<usize>) -> bool {
        self.aggregate
            .counted
            .as_ref()
            .is_none_or(|counted| counted.before[slots.end] > counted.before[slots.start])
    }

    /// Whether tags are counted ([`Tally::tag`]): only when every slot is (a report of every
    /// table, which is what the tables that read tags build).
    pub(crate) fn counts_tags(&self) -> bool {
        self.aggregate.counted.is_none()
    }

    /// Files the record's person under `tag` beside the strata: a compact value (an
    /// instrument's pattern of covariates and outcomes, say) counted per stratum and tag, over
    /// the same persons as the counters ([`Aggregate::tagged`]). Not counted when a report
    /// selects some tables ([`Tally::counts_tags`]).
    pub(crate) fn tag(&mut self, tag: u64) {
        if self.counts_tags() {
            self.tag = Some(tag);
        }
    }
}

impl Drop for Tally<'_> {
    fn drop(&mut self) {
        let mut slots = std::mem::take(&mut self.slots);
        let aggregate = &mut *self.aggregate;
        if self.person.identified() {
            let contribution = Contribution {
                rank: rank(self.start, self.person),
                stratum: self.stratum,
                key: self.person.key(),
                slots: slots.as_slice().into(),
                tag: self.tag,
            };
            aggregate.keep(self.person.key().bits(), contribution);
        } else {
            aggregate
                .strata
                .add(&self.stratum, aggregate.slots, &slots, self.person.key());
            if let Some(tag) = self.tag {
                aggregate
                    .tagged
                    .entry((self.stratum, tag))
                    .or_default()
                    .add(self.person.key());
            }
        }
        slots.clear();
        aggregate.scratch = slots;
    }
}

fn add_slots(counters: &mut [Counter], slots: &[u32], key: RecordKey) {
    for &slot in slots {
        counters[slot as usize].add(key);
    }
}

/// The counters of the documents without a person id, in two sets of strata whose sums give the
/// groups of every breakdown: by *class* (gender, age band, origin, household and FIA assessment
/// together: a few hundred combinations at most) and by *place* (unit and year together).
///
/// Why two sets and not one stratum per combination of all breakdown values: the full strata of
/// a million records are tens of thousands of counter vectors, far more than the caches hold, so
/// each record's counter updates missed them (most of the time of a report went there). Counting
/// into the breakdowns' groups directly would touch eight vectors per record instead of one. Two
/// small sets are the middle: each record updates two vectors, both sets stay near the caches,
/// and a report sums them per breakdown (a few hundred vectors, not a million records).
#[derive(Clone, Debug, PartialEq)]
struct Strata {
    /// Per class index ([`class_index`]), all [`CLASSES`] of them; empty while no one is in the
    /// class.
    classes: Vec<Vec<Counter>>,
    /// Per place, in the order first met.
    places: Vec<Vec<Counter>>,
    /// The unit and year of each place.
    place_keys: Vec<(u32, i16)>,
    place_index: HashMap<(u32, i16), u32>,
}

/// The number of class combinations: every gender, age band, origin, household and assessment.
const CLASSES: usize =
    GENDERS.len() * AGE_BANDS.len() * ORIGINS.len() * HOUSEHOLDS.len() * ASSESSMENTS.len();

/// The class values of `key`: gender, age band, origin, household, assessment.
fn class_values_of(key: &StratumKey) -> [u8; 5] {
    [
        key.gender,
        key.age,
        key.origin,
        key.household,
        key.assessment,
    ]
}

/// The index of the class combination `values` (as [`class_values_of`] gives them) among
/// [`CLASSES`].
fn class_index([gender, age, origin, household, assessment]: [u8; 5]) -> usize {
    let mut index = usize::from(gender);
    for (value, size) in [
        (age, AGE_BANDS.len()),
        (origin, ORIGINS.len()),
        (household, HOUSEHOLDS.len()),
        (assessment, ASSESSMENTS.len()),
    ] {
        debug_assert!(
            usize::from(value) < size,
            "a class index within its classes"
        );
        index = index * size + usize::from(value);
    }
    index
}

/// The class values of class index `index` (the inverse of [`class_index`]).
fn class_values(mut index: usize) -> [u8; 5] {
    let mut values = [0u8; 5];
    for (at, size) in [
        (4, ASSESSMENTS.len()),
        (3, HOUSEHOLDS.len()),
        (2, ORIGINS.len()),
        (1, AGE_BANDS.len()),
    ] {
        values[at] = u8::try_from(index % size).expect("few classes");
        index /= size;
    }
    values[0] = u8::try_from(index).expect("few classes");
    values
}

/// The group of each breakdown read from the classes (the total's one group among them) that
/// class values `values` belong to; unit and period are read from the places.
fn class_groups(values: [u8; 5]) -> [(Dimension, u32); 6] {
    let [gender, age, origin, household, assessment] = values.map(u32::from);
    [
        (Dimension::Total, 0),
        (Dimension::Gender, gender),
        (Dimension::AgeBand, age),
        (Dimension::Origin, origin),
        (Dimension::Household, household),
        (Dimension::Assessment, assessment),
    ]
}

/// `counters`, made `width` wide when first used.
fn made(counters: &mut Vec<Counter>, width: usize) -> &mut Vec<Counter> {
    if counters.is_empty() {
        counters.resize(width, Counter::default());
    }
    counters
}

impl Default for Strata {
    fn default() -> Strata {
        Strata {
            classes: vec![Vec::new(); CLASSES],
            places: Vec::new(),
            place_keys: Vec::new(),
            place_index: HashMap::default(),
        }
    }
}

impl Strata {
    /// The index of the place of unit `unit` and year `period`.
    fn place(&mut self, unit: u32, period: i16) -> usize {
        if let Some(&index) = self.place_index.get(&(unit, period)) {
            return index as usize;
        }
        let index = self.places.len();
        self.places.push(Vec::new());
        self.place_keys.push((unit, period));
        self.place_index.insert(
            (unit, period),
            u32::try_from(index).expect("fewer than 2^32 places"),
        );
        index
    }

    /// Adds one person (record key `key`) in `stratum` to `slots`.
    fn add(&mut self, stratum: &StratumKey, width: usize, slots: &[u32], key: RecordKey) {
        let place = self.place(stratum.unit, stratum.period);
        let place = made(&mut self.places[place], width);
        let class = made(
            &mut self.classes[class_index(class_values_of(stratum))],
            width,
        );
        for &slot in slots {
            class[slot as usize].add(key);
            place[slot as usize].add(key);
        }
    }

    /// The classes met, with their values and counters.
    fn classes(&self) -> impl Iterator<Item = ([u8; 5], &Vec<Counter>)> {
        self.classes
            .iter()
            .enumerate()
            .filter(|(_, counters)| !counters.is_empty())
            .map(|(index, counters)| (class_values(index), counters))
    }

    /// The places met, with their unit, year and counters.
    fn places(&self) -> impl Iterator<Item = ((u32, i16), &Vec<Counter>)> {
        self.place_keys.iter().copied().zip(&self.places)
    }
}

/// The number of breakdowns ([`Dimension::ALL`]).
const DIMENSION_COUNT: usize = Dimension::ALL.len();

/// The counters of every group of every breakdown, as a report reads them: `groups[d][g]`, empty
/// while no one is in group `g` of breakdown `d` (a group without persons has no row). A group is
/// the class index of a fixed breakdown, the unit's index, the year's index into `periods`, or 0
/// for the total.
#[derive(Clone, Debug, Default)]
struct Margins {
    groups: [Vec<Vec<Counter>>; DIMENSION_COUNT],
    periods: Vec<i16>,
}

impl Margins {
    /// The counters of group `group` of breakdown `dimension`, made when first met.
    fn group(&mut self, dimension: Dimension, group: u32, width: usize) -> &mut Vec<Counter> {
        let groups = &mut self.groups[dimension as usize];
        let group = group as usize;
        if groups.len() <= group {
            groups.resize_with(group + 1, Vec::new);
        }
        made(&mut groups[group], width)
    }

    /// The group of year `period`.
    fn period(&mut self, period: i16) -> u32 {
        let index = match self.periods.iter().position(|&p| p == period) {
            Some(index) => index,
            None => {
                self.periods.push(period);
                self.periods.len() - 1
            }
        };
        u32::try_from(index).expect("fewer than 2^32 years")
    }

    /// Adds `counters` (only the slots `read`, when given) to group `group` of `dimension`.
    fn merge(
        &mut self,
        dimension: Dimension,
        group: u32,
        counters: &[Counter],
        read: Option<&[usize]>,
    ) {
        let target = self.group(dimension, group, counters.len());
        match read {
            None => merge_all(target, counters),
            Some(read) => {
                for &slot in read {
                    target[slot].merge(counters[slot]);
                }
            }
        }
    }

    /// Adds one person in `stratum` to `slots` of their group of every breakdown.
    fn add(&mut self, stratum: &StratumKey, width: usize, slots: &[u32], key: RecordKey) {
        let period = self.period(stratum.period);
        let places = [(Dimension::Unit, stratum.unit), (Dimension::Period, period)];
        for (dimension, group) in class_groups(class_values_of(stratum))
            .into_iter()
            .chain(places)
        {
            add_slots(self.group(dimension, group, width), slots, key);
        }
    }

    /// The groups met of breakdown `dimension`, with their counters.
    fn present(&self, dimension: Dimension) -> impl Iterator<Item = (u32, &Vec<Counter>)> {
        self.groups[dimension as usize]
            .iter()
            .enumerate()
            .filter(|(_, counters)| !counters.is_empty())
            .map(|(group, counters)| {
                (
                    u32::try_from(group).expect("fewer than 2^32 groups"),
                    counters,
                )
            })
    }
}

impl PartialEq for Aggregate {
    /// Equal when they hold the same counts per stratum, whatever the order units were first seen.
    fn eq(&self, other: &Aggregate) -> bool {
        self.slots == other.slots
            && self.counted == other.counted
            && self.version == other.version
            && self.as_of == other.as_of
            && self.records == other.records
            && self.excluded == other.excluded
            && self.canonical() == other.canonical()
            && self.canonical_persons() == other.canonical_persons()
            && self.canonical_tagged() == other.canonical_tagged()
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

    /// An empty aggregate of the same layout, version, date and counted slots.
    pub(crate) fn empty_like(&self) -> Aggregate {
        Aggregate {
            counted: self.counted.clone(),
            ..Aggregate::new(self.slots, &self.instrument, &self.version, self.as_of)
        }
    }

    /// Counts only the slots marked in `read` (every slot when `None`): what a report selecting
    /// some tables reads. Chosen before any record is counted.
    pub(crate) fn count_only(&mut self, read: Option<Vec<bool>>) {
        debug_assert_eq!(
            self.records, 0,
            "the slots counted are chosen before counting"
        );
        self.counted = read.map(|read| std::sync::Arc::new(Counted::new(read)));
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

    /// Starts counting one record of `person` into stratum `key`; `start` ranks the records of
    /// one person (the latest is counted). Counts one more record.
    pub(crate) fn tally(
        &mut self,
        key: StratumKey,
        person: Person,
        start: Option<jiff::civil::Date>,
    ) -> Tally<'_> {
        self.records += 1;
        let slots = std::mem::take(&mut self.scratch);
        Tally {
            aggregate: self,
            stratum: key,
            person,
            start,
            slots,
            tag: None,
        }
    }

    /// Keeps `contribution` for the person with record key `person` when it outranks the one kept.
    fn keep(&mut self, person: u64, contribution: Contribution) {
        match self.persons.entry(person) {
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(contribution);
            }
            std::collections::hash_map::Entry::Occupied(mut entry) => {
                if contribution.rank > entry.get().rank {
                    entry.insert(contribution);
                }
            }
        }
    }

    /// Persons counted: documents without a person id and identified persons.
    pub fn persons(&self) -> u64 {
        // Every instrument counts each record in its first slot (clients, documents), so the
        // first slot of the anonymous classes is their number of documents.
        let anonymous = self
            .strata
            .classes()
            .map(|(_, counters)| counters.first().map_or(0, |c| c.count))
            .sum::<u64>();
        anonymous + self.persons.len() as u64
    }

    /// The name of unit `index` (as [`StratumKey::unit`] holds it).
    pub(crate) fn unit_name(&self, index: u32) -> &str {
        &self.units[index as usize]
    }

    /// The persons filed under each stratum and tag ([`Tally::tag`]): each identified person
    /// through the record of theirs that is counted, as in the strata.
    pub(crate) fn tagged(&self) -> HashMap<(StratumKey, u64), Counter> {
        let mut tagged = self.tagged.clone();
        for contribution in self.persons.values() {
            if let Some(tag) = contribution.tag {
                tagged
                    .entry((contribution.stratum, tag))
                    .or_default()
                    .add(contribution.key);
            }
        }
        tagged
    }

    /// The groups of every breakdown: the strata summed per breakdown (only the slots in `read`,
    /// when given; the others stay zero), with every identified person's counted record added.
    fn margins(&self, read: Option<&[usize]>) -> Margins {
        let mut margins = Margins::default();
        for (values, counters) in self.strata.classes() {
            for (dimension, group) in class_groups(values) {
                margins.merge(dimension, group, counters, read);
            }
        }
        for ((unit, period), counters) in self.strata.places() {
            margins.merge(Dimension::Unit, unit, counters, read);
            let period = margins.period(period);
            margins.merge(Dimension::Period, period, counters, read);
        }
        for contribution in self.persons.values() {
            margins.add(
                &contribution.stratum,
                self.slots,
                &contribution.slots,
                contribution.key,
            );
        }
        margins
    }

    /// Changes what each identified person's counted record contributes: `link` is given the
    /// person's record key, the stratum and the counter slots, and may change the stratum's
    /// breakdown values and move slots (report time only: what other instruments' records of the
    /// same person tell, see `stats::link`). Documents without a person id are not linked.
    pub(crate) fn relink(&mut self, mut link: impl FnMut(RecordKey, &mut StratumKey, &mut [u32])) {
        for contribution in self.persons.values_mut() {
            link(
                contribution.key,
                &mut contribution.stratum,
                &mut contribution.slots,
            );
        }
    }

    /// Adds another aggregate's counts (same layout) to this one.
    pub(crate) fn merge(&mut self, other: &Aggregate) -> Result<()> {
        if self.slots != other.slots
            || self.counted != other.counted
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
        for (index, counts) in other.strata.classes.iter().enumerate() {
            if !counts.is_empty() {
                merge_all(made(&mut self.strata.classes[index], other.slots), counts);
            }
        }
        for ((unit, period), counts) in other.strata.places() {
            let unit = self.unit(Some(&other.units[unit as usize]));
            let place = self.strata.place(unit, period);
            merge_all(made(&mut self.strata.places[place], other.slots), counts);
        }
        for (&(key, tag), counter) in &other.tagged {
            let unit = self.unit(Some(&other.units[key.unit as usize]));
            self.tagged
                .entry((StratumKey { unit, ..key }, tag))
                .or_default()
                .merge(*counter);
        }
        for (&person, contribution) in &other.persons {
            let unit = self.unit(Some(&other.units[contribution.stratum.unit as usize]));
            let contribution = Contribution {
                stratum: StratumKey {
                    unit,
                    ..contribution.stratum
                },
                ..contribution.clone()
            };
            self.keep(person, contribution);
        }
        Ok(())
    }

    /// `k` with the unit by name, comparable across aggregates.
    fn canonical_key(&self, k: &StratumKey) -> CanonicalKey<'_> {
        (
            k.gender,
            k.age,
            k.origin,
            k.household,
            self.units[k.unit as usize].as_str(),
            k.period,
            k.assessment,
        )
    }

    fn canonical_persons(&self) -> Vec<(u64, CanonicalKey<'_>, &Contribution)> {
        let mut out: Vec<_> = self
            .persons
            .iter()
            .map(|(&person, c)| (person, self.canonical_key(&c.stratum), c))
            .collect();
        out.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        out
    }

    fn canonical_tagged(&self) -> Vec<(CanonicalKey<'_>, u64, Counter)> {
        let mut out: Vec<_> = self
            .tagged
            .iter()
            .map(|((k, tag), counter)| (self.canonical_key(k), *tag, *counter))
            .collect();
        out.sort();
        out
    }

    /// The strata comparable across aggregates: each class by its values, each place by unit
    /// name and year.
    fn canonical(&self) -> Vec<CanonicalStratum<'_>> {
        let mut out: Vec<_> = self
            .strata
            .classes()
            .map(|(values, counters)| (Some(values), None, counters))
            .chain(self.strata.places().map(|((unit, period), counters)| {
                (
                    None,
                    Some((self.units[unit as usize].as_str(), period)),
                    counters,
                )
            }))
            .collect();
        out.sort();
        out
    }

    /// The groups of a dimension present in the data, in report order, with their counters.
    fn marginals<'m>(
        &self,
        margins: &'m Margins,
        dimension: Dimension,
    ) -> Vec<(Group, &'m [Counter])> {
        let mut groups: Vec<(Group, &[Counter])> = margins
            .present(dimension)
            .map(|(group, counters)| {
                (
                    self.group_of(dimension, group, &margins.periods),
                    counters.as_slice(),
                )
            })
            .collect();
        groups.sort_by(|a, b| a.0.order.cmp(&b.0.order));
        groups
    }

    /// Group `group` of breakdown `dimension` (a group as [`Margins`] holds it; a year as an
    /// index into `periods`).
    fn group_of(&self, dimension: Dimension, group: u32, periods: &[i16]) -> Group {
        let fixed = |classes: &[Class], index: u32| {
            let index = u8::try_from(index).expect("few classes");
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
            Dimension::Gender => fixed(&GENDERS, group),
            Dimension::AgeBand => fixed(&AGE_BANDS, group),
            Dimension::Origin => fixed(&ORIGINS, group),
            Dimension::Household => fixed(&HOUSEHOLDS, group),
            Dimension::Assessment => fixed(&ASSESSMENTS, group),
            Dimension::Unit => {
                let name = self.units[group as usize].clone();
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
                let period = periods[group as usize];
                let (code, label) = if period == 0 {
                    (UNKNOWN.code.to_owned(), UNKNOWN.label())
                } else {
                    (
                        period.to_string(),
                        Text {
                            sv: period.to_string(),
                            en: period.to_string(),
                        },
                    )
                };
                Group {
                    order: GroupOrder::Year(if period == 0 { i16::MAX } else { period }),
                    code: GroupCode::Owned(code),
                    label,
                }
            }
        }
    }
}

/// A stratum comparable across aggregates: a class by its values or a place by unit name and
/// year, with its counters.
type CanonicalStratum<'a> = (Option<[u8; 5]>, Option<(&'a str, i16)>, &'a Vec<Counter>);

/// A stratum key with the unit by name, comparable across aggregates.
type CanonicalKey<'a> = (u8, u8, u8, u8, &'a str, i16, u8);

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

/// What every table counts: persons, each through one record (see [`Aggregate`]).
const PERSONS: &str = "persons";

/// The id of the table `spec` makes for `dimension` (`<id>` for the total, `<id>.<breakdown>`).
fn table_id(spec: &TableSpec, dimension: Dimension) -> String {
    if dimension == Dimension::Total || matches!(spec.rows, RowsSpec::Fixed { .. }) {
        spec.id.to_owned()
    } else {
        format!("{}.{}", spec.id, dimension.as_str())
    }
}

/// The tables of `specs` a report with `options` builds: each spec with the breakdowns it makes
/// a table for (a fixed table with the total only). An exact report builds every table, so that
/// its secondary suppression, which looks across tables, does not depend on the selection; the
/// tables not selected are dropped after disclosure control.
///
/// A perturbed report with a selection builds the selected tables and their *closure*: every
/// other table with a cell whose count is a quantity a selected table shows (as a count or a
/// base). The group attribute rule of such a cell hides that quantity everywhere, so without it
/// a selected table could show what the full report hides. One step is the whole closure: the
/// rule decides on published counts before it hides anything, so the base of an added cell only
/// needs to be registered (perturbed and checked against the threshold, both per quantity), and
/// an added cell hides only its count, already a quantity of a selected table. The closure is
/// built and protected but not emitted (see `DESIGN.md`, "Table selection").
fn tables_built<'s>(
    specs: &'s [TableSpec],
    options: &ReportOptions,
) -> Vec<(&'s TableSpec, Vec<Dimension>)> {
    let every = options.exact || options.tables.is_all();
    let candidates: Vec<(&TableSpec, Vec<Dimension>)> = specs
        .iter()
        .map(|spec| {
            let dimensions: Vec<Dimension> = match &spec.rows {
                RowsSpec::ByDimension {
                    dimensions: allowed,
                    ..
                } => allowed
                    .iter()
                    .copied()
                    .filter(|d| options.dimensions.contains(d))
                    .collect(),
                RowsSpec::Fixed { .. } => vec![Dimension::Total],
            };
            (spec, dimensions)
        })
        .collect();
    if every {
        return candidates
            .into_iter()
            .filter(|(_, dimensions)| !dimensions.is_empty())
            .collect();
    }
    // The quantities (slot and breakdown; every group of it) the selected tables show.
    let mut shown: HashSet<(usize, Dimension)> = HashSet::default();
    for (spec, dimensions) in &candidates {
        for &dimension in dimensions {
            if options.tables.wants(&table_id(spec, dimension)) {
                for (count, base) in cell_quantities(spec, dimension) {
                    shown.insert(count);
                    shown.insert(base);
                }
            }
        }
    }
    candidates
        .into_iter()
        .filter_map(|(spec, dimensions)| {
            let dimensions: Vec<Dimension> = dimensions
                .into_iter()
                .filter(|&d| {
                    options.tables.wants(&table_id(spec, d))
                        || cell_quantities(spec, d).any(|(count, _)| shown.contains(&count))
                })
                .collect();
            (!dimensions.is_empty()).then_some((spec, dimensions))
        })
        .collect()
}

/// The quantities (slot and breakdown) of the count and the base of each cell of the table
/// `spec` makes for `dimension`.
fn cell_quantities(
    spec: &TableSpec,
    dimension: Dimension,
) -> impl Iterator<Item = ((usize, Dimension), (usize, Dimension))> + '_ {
    let (cells, dimension): (Box<dyn Iterator<Item = &CellSlots>>, Dimension) = match &spec.rows {
        RowsSpec::ByDimension { cells, .. } => (Box::new(cells.iter()), dimension),
        RowsSpec::Fixed { rows, .. } => (
            Box::new(rows.iter().flat_map(|(_, _, c)| c)),
            Dimension::Total,
        ),
    };
    cells.map(move |cell| {
        let base = if cell.base_over_all {
            Dimension::Total
        } else {
            dimension
        };
        ((cell.count, dimension), (cell.base, base))
    })
}

/// The counter slots the tables of `specs` selected by `options` read (their cells' counts and
/// bases), or `None` when every slot is read (every table, or an exact report). Slot 0, every
/// instrument's count of persons, is always read.
pub(crate) fn slots_read(
    specs: &[TableSpec],
    options: &ReportOptions,
    slots: usize,
) -> Option<Vec<bool>> {
    if options.exact || options.tables.is_all() {
        return None;
    }
    let mut read = vec![false; slots];
    read[0] = true;
    for (spec, _) in tables_built(specs, options) {
        let cells: Box<dyn Iterator<Item = &CellSlots>> = match &spec.rows {
            RowsSpec::ByDimension { cells, .. } => Box::new(cells.iter()),
            RowsSpec::Fixed { rows, .. } => Box::new(rows.iter().flat_map(|(_, _, c)| c)),
        };
        for cell in cells {
            read[cell.count] = true;
            read[cell.base] = true;
        }
    }
    Some(read)
}

/// Builds the tables of `specs` selected by `options` from `aggregate`, restricted to its
/// dimensions, then applies disclosure control across all of them.
pub(crate) fn build_tables(
    aggregate: &Aggregate,
    specs: &[TableSpec],
    partitions: &[Partition],
    options: &ReportOptions,
) -> (Vec<Table>, Registry) {
    build_tables_marked(aggregate, specs, partitions, options, &mut |_| {})
}

/// [`build_tables`], calling `mark` with the name of each part as it ends (`marginals`,
/// `tables`, `disclosure`, `cells`): how a benchmark times the parts without a clock here.
pub(crate) fn build_tables_marked(
    aggregate: &Aggregate,
    specs: &[TableSpec],
    partitions: &[Partition],
    options: &ReportOptions,
    mark: &mut dyn FnMut(&'static str),
) -> (Vec<Table>, Registry) {
    let mut registry = Registry::default();
    let built = tables_built(specs, options);
    // A perturbed report registers only the slots its tables read: a published count depends on
    // its own persons only, so what else is registered changes nothing shown.
    let read = slots_read(specs, options, aggregate.slots);
    let read_list: Option<Vec<usize>> = read
        .as_ref()
        .map(|read| (0..read.len()).filter(|&slot| read[slot]).collect());
    let margins = aggregate.margins(read_list.as_deref());
    let mut marginals: HashMap<Dimension, Vec<(Group, &[Counter])>> = HashMap::default();
    let mut group_codes: HashMap<Dimension, Vec<u32>> = HashMap::default();
    // Every dimension used is registered whole (all slots, all groups) so that the sums across
    // groups and the partitions within a group are known to disclosure control.
    let mut used: Vec<Dimension> = vec![Dimension::Total];
    for (_, dimensions) in &built {
        used.extend(dimensions.iter().copied());
    }
    used.sort();
    used.dedup();
    for &dimension in &used {
        let groups = aggregate.marginals(&margins, dimension);
        let mut codes = Vec::with_capacity(groups.len());
        for (index, (_, counts)) in groups.iter().enumerate() {
            let group = u32::try_from(index).expect("fewer than 2^32 groups");
            codes.push(group);
            let mut register = |slot: usize| {
                let counter = counts[slot];
                registry.register(
                    QuantityKey::new(slot, dimension, group),
                    counter.count,
                    counter.key,
                );
            };
            match &read_list {
                None => (0..counts.len()).for_each(&mut register),
                Some(read) => read.iter().copied().for_each(&mut register),
            }
            // The sums only matter to the secondary suppression of exact reports.
            for partition in partitions.iter().filter(|_| options.exact) {
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
        if dimension != Dimension::Total && options.exact {
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
    mark("marginals");

    let mut tables = Vec::new();
    for (spec, dimensions) in &built {
        match &spec.rows {
            RowsSpec::ByDimension { cells, .. } => {
                for &dimension in dimensions {
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
                    tables.push(Table {
                        id: table_id(spec, dimension),
                        title: spec.title.clone(),
                        description: spec.description.clone(),
                        unit: PERSONS.to_owned(),
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
                unit: PERSONS.to_owned(),
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

    mark("tables");
    if options.exact {
        disclosure::suppress(&mut registry, options.threshold);
    } else {
        let cells: Vec<(QuantityKey, QuantityKey)> = tables
            .iter()
            .flat_map(|t| &t.rows)
            .flat_map(|r| &r.cells)
            .map(|c| (c.count_key, c.base_key))
            .collect();
        disclosure::protect(&mut registry, options, &cells);
    }
    mark("disclosure");
    // An exact report built every table; the selection is taken out of the protected whole.
    tables.retain(|t| options.tables.wants(&t.id));
    for table in &mut tables {
        for row in &mut table.rows {
            for cell in &mut row.cells {
                fill(cell, &registry);
            }
        }
    }
    mark("cells");
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
            reason: None,
            weeks: None,
            count_key,
            base_key,
        }
    }
}

fn fill(cell: &mut Cell, registry: &Registry) {
    let count = registry.visible(cell.count_key);
    let base = registry.visible(cell.base_key);
    cell.suppressed = count.is_none();
    cell.reason = registry.reason(cell.count_key);
    cell.count = count;
    cell.base = base;
    if let (Some(count), Some(base)) = (count, base) {
        #[allow(clippy::cast_precision_loss)] // client counts are far below 2^52
        let share = (base > 0).then(|| count as f64 / base as f64);
        cell.share = share;
        cell.interval = wilson_interval(count, base);
    }
}
