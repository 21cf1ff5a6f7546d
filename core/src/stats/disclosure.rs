//! Disclosure control (*röjandekontroll*): primary and secondary suppression across all tables of
//! one report.
//!
//! Every number a report can show is a *quantity*: a counter slot summed over one group of one
//! breakdown. The same quantity may appear in several tables (the number of women in the base of
//! every table broken down by gender); it is suppressed everywhere or nowhere. Quantities are tied
//! by sums: a slot's total equals the sum over the groups of any breakdown, and within a group a
//! total equals its exhaustive parts (clients with an outcome = the sum over outcomes).
//!
//! 1. Primary: a shown quantity under the threshold is suppressed (zero included).
//! 2. Secondary: in every sum, a single unknown term could be recovered by subtraction, so while a
//!    sum has exactly one unknown term and that term is suppressed, the smallest shown part (or the
//!    total, when no part is left) is suppressed too. Quantities no table shows count as unknown.
//! 3. Protection: when a sum's total is known and all its unknown parts are suppressed, those parts
//!    must add up to at least the threshold; otherwise their sum would pin them down (two
//!    suppressed zeros beside a known total are zeros). The next smallest part is suppressed.
//!
//! Repeated until nothing changes. A property test checks, by linear algebra over the whole report,
//! that no suppressed quantity is determined by the shown ones.

use std::collections::HashMap;

use super::Threshold;
use super::dimension::{Dimension, ReportOptions};
use super::perturbation::{CellKey, PerturbationTable};

pub(crate) mod audit;

/// Identity of a quantity: a counter slot, summed over one group of one breakdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct QuantityKey {
    slot: u32,
    dimension: u8,
    group: u32,
}

impl QuantityKey {
    /// The same breakdown group's quantity of another slot.
    pub(crate) fn with_slot(self, slot: usize) -> QuantityKey {
        QuantityKey {
            slot: u32::try_from(slot).expect("fewer than 2^32 slots"),
            ..self
        }
    }

    pub(crate) fn new(slot: usize, dimension: Dimension, group: u32) -> QuantityKey {
        QuantityKey {
            slot: u32::try_from(slot).expect("fewer than 2^32 slots"),
            dimension: dimension as u8,
            group,
        }
    }
}

/// Why a number is not shown: stated per cell in the report (`reason`) and as the footnote of
/// every format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SuppressionReason {
    /// The count is under the threshold.
    Small,
    /// The (perturbed) count is closer to its base than the threshold: showing it would tell
    /// that (nearly) everyone in the group has the attribute.
    NearBase,
    /// The count is hidden so that another hidden count cannot be worked out from the sums
    /// (secondary suppression, exact reports only).
    Secondary,
    /// The number is computed from a hidden one (a standardised share).
    Derived,
    /// A quartile (of the time to first intervention) its row cannot show: fewer persons than
    /// a quartile needs, or a quartile in the open-ended last interval.
    Quantile,
}

impl SuppressionReason {
    /// Every reason, in footnote order.
    pub const ALL: [SuppressionReason; 5] = [
        SuppressionReason::Small,
        SuppressionReason::NearBase,
        SuppressionReason::Secondary,
        SuppressionReason::Derived,
        SuppressionReason::Quantile,
    ];

    /// The reason's code, as the report's `reason` names it (`near_base`).
    pub fn code(self) -> &'static str {
        match self {
            SuppressionReason::Small => "small",
            SuppressionReason::NearBase => "near_base",
            SuppressionReason::Secondary => "secondary",
            SuppressionReason::Derived => "derived",
            SuppressionReason::Quantile => "quantile",
        }
    }

    /// The reason for people, with the report's `threshold`.
    pub fn text(self, threshold: u64) -> crate::text::Text {
        let (sv, en) = match self {
            SuppressionReason::Small => (
                format!("antalet är mindre än {threshold} personer"),
                format!("the count is below {threshold} persons"),
            ),
            SuppressionReason::NearBase => (
                format!(
                    "antalet ligger närmare sin bas än {threshold}: det skulle visa att (nästan) \
                     alla i gruppen har egenskapen"
                ),
                format!(
                    "the count is closer to its base than {threshold}: it would show that \
                     (nearly) everyone in the group has the attribute"
                ),
            ),
            SuppressionReason::Secondary => (
                "döljs för att ett annat dolt antal inte ska kunna räknas fram".to_owned(),
                "hidden so that another hidden count cannot be worked out from it".to_owned(),
            ),
            SuppressionReason::Derived => (
                "beräknas ur ett tal som är dolt".to_owned(),
                "computed from a number that is hidden".to_owned(),
            ),
            SuppressionReason::Quantile => (
                format!(
                    "en kvartil visas bara när raden har minst {} personer och kvartilen är under \
                     {} veckor",
                    threshold.max(crate::stats::QUANTILE_MIN_PERSONS),
                    crate::stats::QUANTILE_OPEN_WEEKS
                ),
                format!(
                    "a quartile is shown only when its row has at least {} persons and it is \
                     under {} weeks",
                    threshold.max(crate::stats::QUANTILE_MIN_PERSONS),
                    crate::stats::QUANTILE_OPEN_WEEKS
                ),
            ),
        };
        crate::text::Text { sv, en }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// No table shows it: unknown to a reader.
    Unshown,
    Shown,
    Suppressed,
}

#[derive(Clone, Copy, Debug)]
struct Quantity {
    /// The true count.
    value: u64,
    /// The key of the persons counted.
    key: CellKey,
    /// What a reader sees when it is shown: the true count, or the perturbed one.
    published: u64,
    state: State,
    /// Why it is suppressed (set with [`State::Suppressed`]).
    reason: Option<SuppressionReason>,
}

/// A sum that holds between quantities: `total = parts...`.
#[derive(Clone, Debug)]
pub struct Constraint {
    /// The total.
    pub total: QuantityKey,
    /// Its parts.
    pub parts: Vec<QuantityKey>,
}

/// All quantities of one report and the sums between them.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    quantities: HashMap<QuantityKey, Quantity>,
    constraints: Vec<Constraint>,
}

impl Registry {
    pub(crate) fn register(&mut self, key: QuantityKey, value: u64, cell: CellKey) {
        self.quantities.insert(
            key,
            Quantity {
                value,
                key: cell,
                published: value,
                state: State::Unshown,
                reason: None,
            },
        );
    }

    pub(crate) fn constrain(&mut self, total: QuantityKey, parts: Vec<QuantityKey>) {
        self.constraints.push(Constraint { total, parts });
    }

    pub(crate) fn show(&mut self, key: QuantityKey) {
        if let Some(q) = self.quantities.get_mut(&key)
            && q.state == State::Unshown
        {
            q.state = State::Shown;
        }
    }

    /// The count of a quantity as it is or would be published (perturbed in a perturbed report,
    /// true in an exact one; 0 when not registered), shown or not: for a figure derived under a
    /// rule of its own (the quartiles of `sue::stats::collected`), never published as a count.
    pub(crate) fn published_count(&self, key: QuantityKey) -> u64 {
        self.quantities.get(&key).map_or(0, |q| q.published)
    }

    /// The value a reader sees: `None` when suppressed or never shown.
    pub(crate) fn visible(&self, key: QuantityKey) -> Option<u64> {
        self.quantities
            .get(&key)
            .filter(|q| q.state == State::Shown)
            .map(|q| q.published)
    }

    /// The true count and the published one of a shown quantity (for tests of perturbation).
    #[cfg(test)]
    pub(crate) fn shown_pairs(&self) -> Vec<(QuantityKey, u64, u64)> {
        let mut pairs: Vec<_> = self
            .quantities
            .iter()
            .filter(|(_, q)| q.state == State::Shown)
            .map(|(k, q)| (*k, q.value, q.published))
            .collect();
        pairs.sort_unstable();
        pairs
    }

    /// Why a suppressed quantity is not shown (`None` when it is shown, or when no perturbation
    /// table exists for the parameters and every count fails closed).
    pub(crate) fn reason(&self, key: QuantityKey) -> Option<SuppressionReason> {
        self.quantities
            .get(&key)
            .filter(|q| q.state == State::Suppressed)
            .and_then(|q| q.reason)
    }

    fn state(&self, key: QuantityKey) -> State {
        self.quantities
            .get(&key)
            .map_or(State::Unshown, |q| q.state)
    }

    fn value(&self, key: QuantityKey) -> u64 {
        self.quantities.get(&key).map_or(0, |q| q.value)
    }

    fn suppress_key(&mut self, key: QuantityKey, reason: SuppressionReason) {
        if let Some(q) = self.quantities.get_mut(&key) {
            q.state = State::Suppressed;
            q.reason = Some(reason);
        }
    }
}

/// Disclosure control of a perturbed report: every quantity is published as its perturbed count;
/// a shown quantity is suppressed when its published count is under the threshold (primary), or
/// when, as the count of a cell, it falls short of the cell's published base by less than the
/// threshold (group attribute disclosure: 6 of 6, 7 of 9). `cells` are the (count, base) pairs of
/// every cell shown. Secondary suppression and the exact audit are not needed: a published count
/// is within D of the truth whatever is subtracted from what (see `DESIGN.md`, "Why perturb counts").
///
/// Parameters for which no perturbation table exists (only possible for parameters built
/// without [`super::perturbation::PerturbationParams::new`]) suppress every count: the report fails closed.
pub(crate) fn protect(
    registry: &mut Registry,
    options: &ReportOptions,
    cells: &[(QuantityKey, QuantityKey)],
) {
    let threshold = options.threshold.get();
    let table = PerturbationTable::new(options.perturbation).ok();
    for quantity in registry.quantities.values_mut() {
        match &table {
            Some(table) => quantity.published = table.perturb(quantity.value, quantity.key),
            None => quantity.state = State::Suppressed,
        }
        if quantity.state == State::Shown && quantity.published < threshold {
            quantity.state = State::Suppressed;
            quantity.reason = Some(SuppressionReason::Small);
        }
    }
    // Decided on published counts (what a reader sees and can subtract), so the decision itself
    // tells nothing beyond the published numbers.
    let attribute: Vec<QuantityKey> = cells
        .iter()
        .filter(|(count, base)| count != base)
        .filter_map(|&(count, base)| {
            let count_value = registry.visible(count)?;
            let base_value = registry.visible(base)?;
            (count_value + threshold > base_value).then_some(count)
        })
        .collect();
    for key in attribute {
        registry.suppress_key(key, SuppressionReason::NearBase);
    }
}

/// Applies primary and secondary suppression to every shown quantity of the registry, then audits
/// the result exactly and suppresses more until no suppressed quantity can be determined.
pub(crate) fn suppress(registry: &mut Registry, threshold: Threshold) {
    let threshold = threshold.get();
    let primary: Vec<QuantityKey> = registry
        .quantities
        .iter()
        .filter(|(_, q)| q.state == State::Shown && q.value < threshold)
        .map(|(k, _)| *k)
        .collect();
    for key in primary {
        registry.suppress_key(key, SuppressionReason::Small);
    }
    loop {
        // Deterministic order: constraints in insertion order, ties broken by key.
        loop {
            let mut changed = false;
            for index in 0..registry.constraints.len() {
                if let Some(key) = secondary(registry, index, threshold) {
                    registry.suppress_key(key, SuppressionReason::Secondary);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        // The rules above look at one sum at a time; several sums together can still pin a
        // suppressed quantity down (a 2×2 block of suppressed cells whose rows and columns are all
        // known). The exact audit finds those; each is fixed by suppressing one more shown term of a
        // sum it is in, and the rules run again.
        let exposed = audit::exposed(registry);
        if exposed.is_empty() {
            break;
        }
        let mut progressed = false;
        for key in exposed {
            if let Some(extra) = cover(registry, key) {
                registry.suppress_key(extra, SuppressionReason::Secondary);
                progressed = true;
            }
        }
        // Every round suppresses at least one more shown quantity, so the loop ends. When nothing
        // shown is connected to an exposed quantity any more, the sums alone fix it (a structural
        // identity of the tables) and no suppression can hide it.
        if !progressed {
            break;
        }
    }
}

/// The cheapest extra suppression that adds an unknown next to `key`: the smallest shown term of a
/// sum that contains it or, when every term of those sums is already unknown, of the nearest sums
/// reached through those unknowns.
fn cover(registry: &Registry, key: QuantityKey) -> Option<QuantityKey> {
    let mut reached: Vec<QuantityKey> = vec![key];
    let mut used = vec![false; registry.constraints.len()];
    loop {
        let layer: Vec<usize> = registry
            .constraints
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                !used[*i]
                    && (reached.contains(&c.total) || c.parts.iter().any(|k| reached.contains(k)))
            })
            .map(|(i, _)| i)
            .collect();
        if layer.is_empty() {
            return None;
        }
        let terms = || {
            layer.iter().flat_map(|&i| {
                let c = &registry.constraints[i];
                std::iter::once(c.total).chain(c.parts.iter().copied())
            })
        };
        if let Some(shown) = terms()
            .filter(|&k| registry.state(k) == State::Shown)
            .min_by_key(|&k| (registry.value(k), k))
        {
            return Some(shown);
        }
        for &i in &layer {
            used[i] = true;
        }
        let next: Vec<QuantityKey> = terms().collect();
        reached.extend(next);
        reached.sort_unstable();
        reached.dedup();
    }
}

/// The quantity that must also be suppressed for constraint `index` to protect its suppressed
/// terms, if any.
fn secondary(registry: &Registry, index: usize, threshold: u64) -> Option<QuantityKey> {
    let constraint = &registry.constraints[index];
    let total_state = registry.state(constraint.total);
    let terms = std::iter::once(constraint.total).chain(constraint.parts.iter().copied());
    let unknown: Vec<QuantityKey> = terms
        .filter(|&k| registry.state(k) != State::Shown)
        .collect();
    let suppressed_parts: Vec<QuantityKey> = constraint
        .parts
        .iter()
        .copied()
        .filter(|&k| registry.state(k) == State::Suppressed)
        .collect();
    let any_suppressed = unknown
        .iter()
        .any(|&k| registry.state(k) == State::Suppressed);
    if !any_suppressed {
        return None;
    }
    let lone = unknown.len() == 1;
    let unprotected = total_state == State::Shown
        && suppressed_parts.len() == unknown.len()
        && suppressed_parts
            .iter()
            .map(|&k| registry.value(k))
            .sum::<u64>()
            < threshold;
    if !lone && !unprotected {
        return None;
    }
    let smallest_shown_part = constraint
        .parts
        .iter()
        .copied()
        .filter(|&k| registry.state(k) == State::Shown)
        .min_by_key(|&k| (registry.value(k), k));
    match smallest_shown_part {
        Some(part) => Some(part),
        None if total_state == State::Shown => Some(constraint.total),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_codes_are_the_reports_names() {
        for reason in SuppressionReason::ALL {
            assert_eq!(serde_json::to_value(reason).expect("json"), reason.code());
        }
    }

    fn key(slot: usize, group: u32) -> QuantityKey {
        QuantityKey::new(slot, Dimension::Gender, group)
    }

    #[test]
    fn a_lone_small_cell_takes_a_second_one_with_it() {
        let mut registry = Registry::default();
        let total = QuantityKey::new(0, Dimension::Total, 0);
        registry.register(total, 40, CellKey::EMPTY);
        for (group, value) in [(0, 3), (1, 20), (2, 17)] {
            registry.register(key(0, group), value, CellKey::EMPTY);
        }
        registry.constrain(total, vec![key(0, 0), key(0, 1), key(0, 2)]);
        for k in [total, key(0, 0), key(0, 1), key(0, 2)] {
            registry.show(k);
        }
        suppress(&mut registry, Threshold::default());
        assert_eq!(registry.visible(key(0, 0)), None, "primary");
        assert_eq!(
            registry.visible(key(0, 2)),
            None,
            "secondary: the smallest other part"
        );
        assert_eq!(registry.visible(key(0, 1)), Some(20));
        assert_eq!(registry.visible(total), Some(40));
    }

    #[test]
    fn suppressed_zeros_beside_a_known_total_are_protected() {
        let mut registry = Registry::default();
        let total = QuantityKey::new(0, Dimension::Total, 0);
        registry.register(total, 30, CellKey::EMPTY);
        for (group, value) in [(0, 0), (1, 0), (2, 12), (3, 18)] {
            registry.register(key(0, group), value, CellKey::EMPTY);
        }
        registry.constrain(total, (0..4).map(|g| key(0, g)).collect());
        registry.show(total);
        for g in 0..4 {
            registry.show(key(0, g));
        }
        suppress(&mut registry, Threshold::default());
        assert_eq!(
            registry.visible(key(0, 2)),
            None,
            "0 + 0 < 5: a third part is suppressed"
        );
        assert_eq!(registry.visible(key(0, 3)), Some(18));
    }
}
