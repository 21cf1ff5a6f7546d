//! Group statistics with disclosure control.
//!
//! Records are aggregated in one pass into two sets of *strata*: one vector of counters per
//! combination of gender, age band, origin, household group and FIA assessment, and one per
//! combination of unit and period (see `engine::Strata` and DESIGN.md for why two). Aggregation
//! only adds, so it is order-independent, and two partial aggregates merge (an instrument's
//! aggregate, e.g. `sue::SueAggregate::merge`) by adding their strata: units or municipalities can
//! be combined without sharing records. A report is built from the strata by summing them over
//! each breakdown, then every shown count passes disclosure
//! control ([`disclosure`]): counts under the threshold are suppressed, and so are the counts
//! from which a suppressed one could be recovered by subtraction, across all tables of the report.
//!
//! Reports describe; they do not estimate effects. Shares come with Wilson 95 % intervals.

pub(crate) mod builder;
pub mod csv;
pub mod dimension;
pub mod disclosure;
pub(crate) mod engine;
mod generic;
pub mod html;
pub mod link;
pub mod ndjson;
pub mod perturbation;
pub mod provenance;
pub mod regression;
pub mod selection;
pub mod wide;
pub mod xlsx;

use serde::Serialize;

use crate::error::{Error, ErrorKind, Result};
use crate::text::Text;

pub use dimension::{Dimension, ReportOptions};
pub use engine::Aggregate;
pub use ndjson::{GroupAggregate, NdjsonAggregator, NdjsonReport, report_from_ndjson};
pub use selection::TableSelection;

/// The fewest published persons in a row before a quantile of it (the quartiles of the time to
/// first intervention) is shown, or the threshold when that is higher.
pub const QUANTILE_MIN_PERSONS: u64 = 10;
/// Times of this many weeks or more fall in one open-ended interval; a quantile there is not
/// shown (its value is not known).
pub const QUANTILE_OPEN_WEEKS: usize = 52;

/// The smallest number of clients a shown count may have. Default 5; it can be raised, never
/// lowered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Threshold(u64);

impl Threshold {
    /// The default and lowest threshold.
    pub const MINIMUM: u64 = 5;

    /// A threshold of `n` clients.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] when `n` is below [`Threshold::MINIMUM`]: lowering it would
    /// let reports single out clients.
    pub fn new(n: u64) -> Result<Threshold> {
        if n < Self::MINIMUM {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                Text {
                    sv: format!(
                        "röjandetröskeln kan höjas men inte sättas lägre än {}",
                        Self::MINIMUM
                    ),
                    en: format!(
                        "the disclosure threshold can be raised but not set below {}",
                        Self::MINIMUM
                    ),
                },
            ));
        }
        Ok(Threshold(n))
    }

    /// The threshold's value.
    pub fn get(self) -> u64 {
        self.0
    }
}

/// A threshold is an integer of at least [`Threshold::MINIMUM`] in the OpenAPI description.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Threshold {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .minimum(Some(Self::MINIMUM as f64))
            .description(Some(
                "The disclosure threshold: the fewest persons a shown count may have.",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Threshold {}

impl Default for Threshold {
    fn default() -> Threshold {
        Threshold(Self::MINIMUM)
    }
}

/// The code of a category whose cells hold an odds ratio (in `share`) with its 95 % interval and
/// no count: the association tables' (issue 15, point 4). Renderers show it as a ratio, not a
/// percentage.
pub const ODDS_RATIO: &str = "odds_ratio";

/// One report: tables of counts, shares and intervals, after disclosure control.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupReport {
    /// What the report covers (`sue` or `fia`).
    pub instrument: String,
    /// Title.
    pub title: Text,
    /// The date the report describes the situation at (the caller's today).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub as_of: jiff::civil::Date,
    /// The disclosure threshold applied.
    pub threshold: Threshold,
    /// Records aggregated.
    pub records: u64,
    /// Persons counted: each identified person once, and each document without a person id as
    /// a person of its own.
    pub persons: u64,
    /// Whether the counts are exact (only the data owner's command line over NDJSON may ask);
    /// otherwise they are perturbed with [`GroupReport::perturbation`].
    pub exact: bool,
    /// The perturbation applied to every count (`None` when exact).
    pub perturbation: Option<perturbation::PerturbationParams>,
    /// How to read the numbers: perturbation, shares, persons.
    pub notes: Vec<Text>,
    /// The tables.
    pub tables: Vec<Table>,
    /// Where the numbers come from (set on every report made over NDJSON or the store, through
    /// [`GroupAggregate::report`]).
    pub provenance: Option<provenance::Provenance>,
}

/// One table: rows (groups of a breakdown, or fixed rows such as life areas) × categories.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Table {
    /// Stable id, `<measure>` or `<measure>.<breakdown>` (`interventions.gender`).
    pub id: String,
    /// Heading.
    pub title: Text,
    /// What one counted unit is: `persons` (each person once, through one record) or `cases`.
    pub unit: String,
    /// What is counted and among whom.
    pub description: Text,
    /// What the rows are (`gender`, `area`, ...).
    pub rows_are: String,
    /// The rows' heading.
    pub rows_label: Text,
    /// The columns.
    pub categories: Vec<Category>,
    /// The rows.
    pub rows: Vec<Row>,
}

/// A column of a table.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    /// Stable code.
    pub code: String,
    /// Heading.
    pub label: Text,
}

/// A row of a table.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Row {
    /// The group's or row's code.
    pub code: String,
    /// Its label.
    pub label: Text,
    /// One cell per category, in category order.
    pub cells: Vec<Cell>,
}

/// One number of a table: a count of clients, the base it is a share of, and the share with its
/// interval. Suppressed counts are `null`; a share is shown only when count and base both are.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cell {
    /// Clients counted (`None` when suppressed).
    pub count: Option<u64>,
    /// Clients in the base (`None` when suppressed).
    pub base: Option<u64>,
    /// `count / base`.
    pub share: Option<f64>,
    /// Wilson 95 % interval of the share.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<Vec<f64>>, min_items = 2, max_items = 2)
    )]
    pub interval: Option<[f64; 2]>,
    /// The count was suppressed by disclosure control.
    pub suppressed: bool,
    /// Why, when suppressed: `small` (under the threshold), `near_base` (closer to its base than
    /// the threshold), `secondary` (protects another hidden count) or `derived` (computed from a
    /// hidden number). Absent when shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<disclosure::SuppressionReason>,
    /// A time in whole weeks (a quartile of the time to first intervention), only in the cells
    /// of such a quantile; never a count of persons. Absent from every other cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weeks: Option<u32>,
    #[serde(skip)]
    pub(crate) count_key: disclosure::QuantityKey,
    #[serde(skip)]
    pub(crate) base_key: disclosure::QuantityKey,
}

impl GroupReport {
    /// The report's fields that do not depend on the instrument, filled in from `aggregate` and
    /// `options`; the caller names the instrument and its title.
    pub(crate) fn new(
        instrument: &str,
        title: Text,
        aggregate: &Aggregate,
        options: &ReportOptions,
        tables: Vec<Table>,
    ) -> GroupReport {
        GroupReport {
            instrument: instrument.to_owned(),
            title,
            as_of: aggregate.as_of(),
            threshold: options.threshold,
            records: aggregate.records(),
            persons: aggregate.persons(),
            exact: options.exact,
            perturbation: (!options.exact).then_some(options.perturbation),
            notes: notes(options),
            tables,
            provenance: None,
        }
    }
}

/// The notes every report carries.
fn notes(options: &ReportOptions) -> Vec<Text> {
    let mut notes = vec![Text {
        sv: "Tabellerna räknar personer: en person med flera poster räknas en gång, genom posten \
             med det senaste startdatumet. Ett dokument utan klient-id räknas som en egen person."
            .into(),
        en: "Tables count persons: a person with several records is counted once, through the \
             record with the latest start. A document without a client id counts as a person of \
             its own."
            .into(),
    }];
    if options.exact {
        notes.push(Text {
            sv: "Antalen är exakta (ej störda): endast för dataägaren, inte för publicering."
                .into(),
            en: "Counts are exact (not perturbed): for the data owner only, not for publication."
                .into(),
        });
    } else {
        let d = options.perturbation.max_deviation;
        notes.push(Text {
            sv: format!(
                "Varje antal är stört med högst {d} personer (cellnyckelmetoden), samma störning \
                 för samma personer i varje rapport; totaler störs för sig, så tabellerna summerar \
                 inte exakt. Andelar och konfidensintervall beräknas från de publicerade antalen. \
                 Antal under tröskeln, och antal som ligger närmare sin bas än tröskeln, visas inte."
            ),
            en: format!(
                "Every count is perturbed by at most {d} persons (cell key method), the same \
                 deviation for the same persons in every report; totals are perturbed on their \
                 own, so tables do not add up exactly. Shares and confidence intervals are \
                 computed from the published counts. Counts under the threshold, and counts \
                 closer to their base than the threshold, are not shown."
            ),
        });
    }
    notes
}

/// The Wilson score interval for `count` successes of `base` at 95 % (z = 1.96).
pub fn wilson_interval(count: u64, base: u64) -> Option<[f64; 2]> {
    if base == 0 || count > base {
        return None;
    }
    const Z: f64 = 1.959_963_984_540_054;
    #[allow(clippy::cast_precision_loss)] // client counts are far below 2^52
    let (x, n) = (count as f64, base as f64);
    let p = x / n;
    let z2 = Z * Z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    Some([(centre - half).max(0.0), (centre + half).min(1.0)])
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn wilson_matches_published_values() {
        // 81 of 263 (Wilson 1927 style check, values from an independent calculator).
        let [low, high] = wilson_interval(81, 263).expect("interval");
        assert!(
            (low - 0.2553).abs() < 1e-3 && (high - 0.3662).abs() < 1e-3,
            "{low} {high}"
        );
        let [low, high] = wilson_interval(0, 10).expect("interval");
        assert!(low == 0.0 && (high - 0.2775).abs() < 1e-3, "{low} {high}");
        assert_eq!(wilson_interval(1, 0), None);
    }

    use proptest::prelude::*;

    use crate::Engine;
    use crate::stats::perturbation::{Person, StatisticsKey};

    /// The person of a document without a client id, under a test statistics secret.
    pub(crate) fn person(document: &[u8]) -> Person {
        StatisticsKey::new(&[7; 32])
            .expect("a long enough secret")
            .person(None, document)
    }
    use crate::fia::{FiaAggregate, FiaSchema};
    use crate::sue::{SueAggregate, SueSchema};

    fn fia_aggregate(
        seed: u64,
        count: usize,
        units: usize,
        order: &[usize],
    ) -> (FiaAggregate, Vec<Vec<u8>>) {
        let engine = Engine::new().expect("builtin");
        let definition = engine.definition("fia", None).expect("fia");
        let documents: Vec<Vec<u8>> = crate::fia::generate::fia_documents(definition, seed, count)
            .expect("generates")
            .into_iter()
            .enumerate()
            .map(|(i, mut d)| {
                d["unit"] =
                    serde_json::Value::String(format!("enhet_{}", (i * 7 + seed as usize) % units));
                serde_json::to_vec(&d).expect("json")
            })
            .collect();
        let date = jiff::civil::date(2026, 11, 24);
        let mut aggregate = FiaAggregate::new(FiaSchema::new(definition).expect("schema"), date);
        for &i in order {
            let validated = engine.parse(None, &documents[i]).expect("parses");
            assert!(aggregate.add_validated(&validated, person(&documents[i])));
        }
        (aggregate, documents)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 64, ..ProptestConfig::default() })]

        #[test]
        fn fia_reports_never_reveal_a_suppressed_count(seed in 0u64..100_000, count in 1usize..160, units in 1usize..6, threshold in 5u64..9) {
            let order: Vec<usize> = (0..count).collect();
            let (aggregate, _) = fia_aggregate(seed, count, units, &order);
            // Secondary suppression and the exact audit protect exact reports (the data owner's).
            let options = ReportOptions { threshold: Threshold::new(threshold).expect("valid"), exact: true, ..ReportOptions::default() };
            let (_, registry) = aggregate.tables(&options, &link::Links::default());
            prop_assert_eq!(disclosure::audit::shown_below(&registry, threshold), 0);
            let determined = disclosure::audit::determined_suppressed(&registry);
            prop_assert!(determined.is_empty(), "derivable suppressed quantities: {:?}", determined);
        }

        #[test]
        fn fia_aggregation_is_order_independent_and_merges(seed in 0u64..100_000, count in 2usize..80, split in 0usize..80, reverse in any::<bool>()) {
            let order: Vec<usize> = (0..count).collect();
            let (whole, documents) = fia_aggregate(seed, count, 3, &order);
            let engine = Engine::new().expect("builtin");
            let definition = engine.definition("fia", None).expect("fia");
            let date = jiff::civil::date(2026, 11, 24);
            let split = split % count;
            let mut permuted: Vec<usize> = order.clone();
            permuted.rotate_left(split);
            if reverse {
                permuted.reverse();
            }
            let mut left = FiaAggregate::new(FiaSchema::new(definition).expect("schema"), date);
            let mut right = left.clone();
            for (n, &i) in permuted.iter().enumerate() {
                let validated = engine.parse(None, &documents[i]).expect("parses");
                let person = person(&documents[i]);
                if n < split { left.add_validated(&validated, person); } else { right.add_validated(&validated, person); }
            }
            right.merge(&left).expect("same schema");
            let options = ReportOptions::default();
            prop_assert_eq!(whole.report(&options), right.report(&options));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, max_shrink_iters: 32, ..ProptestConfig::default() })]

        /// A perturbed report shows no published count under the threshold, every shown count is
        /// within D of the truth (a true 0 is never shown as inhabited), and no shown cell is
        /// closer to its shown base than the threshold.
        #[test]
        fn perturbed_reports_show_nothing_small_and_stay_within_d(seed in 0u64..100_000, count in 1usize..300, units in 1usize..4, threshold in 5u64..9) {
            let aggregate = sue_aggregate(seed, count, units);
            let options = ReportOptions { threshold: Threshold::new(threshold).expect("valid"), ..ReportOptions::default() };
            let (tables, registry) = aggregate.tables(&options);
            let d = u64::from(options.perturbation.max_deviation);
            for (key, truth, published) in registry.shown_pairs() {
                prop_assert!(published >= threshold, "{key:?}: {published} shown under {threshold}");
                prop_assert!(truth.abs_diff(published) <= d, "{key:?}: {truth} published as {published}");
                prop_assert!(truth > 0, "{key:?}: an empty cell shown");
            }
            for cell in tables.iter().flat_map(|t| &t.rows).flat_map(|r| &r.cells) {
                if let (Some(count), Some(base)) = (cell.count, cell.base)
                    && cell.count_key != cell.base_key
                {
                    prop_assert!(count + threshold <= base, "{count} of {base} shown");
                }
            }
        }
    }

    fn sue_aggregate(seed: u64, count: usize, units: usize) -> SueAggregate {
        let engine = Engine::new().expect("builtin");
        let definition = engine.definition("sue", None).expect("sue");
        let mut aggregate = SueAggregate::new(
            SueSchema::new(definition).expect("schema"),
            jiff::civil::date(2026, 11, 24),
        );
        for (i, mut document) in crate::sue::generate::sue_documents(definition, seed, count)
            .expect("generates")
            .into_iter()
            .enumerate()
        {
            document["unit"] = serde_json::Value::String(format!("enhet_{}", i % units));
            let bytes = serde_json::to_vec(&document).expect("json");
            let validated = engine.parse(Some("sue"), &bytes).expect("parses");
            assert!(aggregate.add_validated(&validated, person(&bytes)));
        }
        aggregate
    }

    /// Found by the property below in CI: an exposed count whose own sums held nothing shown any
    /// more, so the cover search found nothing and the suppression loop never ended.
    #[test]
    fn suppression_ends_when_an_exposed_count_needs_a_distant_cover() {
        let aggregate = sue_aggregate(77_671, 157, 3);
        let options = ReportOptions {
            dimensions: vec![
                Dimension::Total,
                Dimension::Gender,
                Dimension::Origin,
                Dimension::Unit,
            ],
            exact: true,
            ..ReportOptions::default()
        };
        let (_, registry) = aggregate.tables(&options);
        assert!(disclosure::audit::determined_suppressed(&registry).is_empty());
    }

    proptest! {
        // Each case costs a full report and an exact audit: shrinking is bounded so a failure is
        // reported in minutes rather than searched for hours.
        #![proptest_config(ProptestConfig { cases: 6, max_shrink_iters: 32, ..ProptestConfig::default() })]

        // The independent audit is a plain sparse elimination over the whole report, so the
        // report is kept to four breakdowns here; the FIA property covers unit and period.
        #[test]
        fn sue_reports_never_reveal_a_suppressed_count(seed in 0u64..100_000, count in 1usize..200, units in 1usize..4) {
            let aggregate = sue_aggregate(seed, count, units);
            let options = ReportOptions {
                dimensions: vec![Dimension::Total, Dimension::Gender, Dimension::Origin, Dimension::Unit],
                exact: true,
                ..ReportOptions::default()
            };
            let (_, registry) = aggregate.tables(&options);
            prop_assert_eq!(disclosure::audit::shown_below(&registry, Threshold::MINIMUM), 0);
            let determined = disclosure::audit::determined_suppressed(&registry);
            prop_assert!(determined.is_empty(), "derivable suppressed quantities: {:?}", determined);
        }
    }

    #[test]
    fn sue_aggregates_merge_to_the_whole() {
        let whole = sue_aggregate(3, 300, 3);
        let engine = Engine::new().expect("builtin");
        let definition = engine.definition("sue", None).expect("sue");
        let documents = crate::sue::generate::sue_documents(definition, 3, 300).expect("generates");
        let mut parts = vec![whole.empty_like(), whole.empty_like(), whole.empty_like()];
        for (i, mut document) in documents.into_iter().enumerate().rev() {
            document["unit"] = serde_json::Value::String(format!("enhet_{}", i % 3));
            let bytes = serde_json::to_vec(&document).expect("json");
            let validated = engine.parse(Some("sue"), &bytes).expect("parses");
            parts[i % 3].add_validated(&validated, person(&bytes));
        }
        let mut merged = parts.pop().expect("three");
        for part in &parts {
            merged.merge(part).expect("same schema");
        }
        assert_eq!(
            merged.report(&ReportOptions::default()),
            whole.report(&ReportOptions::default())
        );
    }

    /// With perturbed counts, secondary suppression is gone, so the large groups keep their
    /// cells: at 3,000 clients (the demo's size and two units) at most 5 % of the women's and the
    /// men's cells are suppressed (exact reports, with secondary suppression, lose most of them to
    /// cover for the small "annat" group).
    #[test]
    fn large_groups_keep_their_cells_at_3000_clients() {
        let aggregate = sue_aggregate(1, 3000, 2);
        let report = aggregate.report(&ReportOptions::default());
        for group in ["kvinna", "man"] {
            let cells: Vec<&Cell> = report
                .tables
                .iter()
                // The cross table by needs profile (and what is derived from it) has cells
                // that are small in any group; it is left out here.
                .filter(|t| {
                    t.rows_are == "gender"
                        && !t.id.starts_with("needs_profile")
                        && !t.id.starts_with("standardised")
                })
                .flat_map(|t| &t.rows)
                .filter(|r| r.code == group)
                .flat_map(|r| &r.cells)
                .collect();
            let suppressed = cells.iter().filter(|c| c.suppressed).count();
            assert!(cells.len() > 50, "{group}: {} cells", cells.len());
            assert!(
                suppressed * 20 <= cells.len(),
                "{group}: {suppressed} of {} cells suppressed",
                cells.len()
            );
        }
    }

    #[test]
    fn threshold_can_only_be_raised() {
        assert!(Threshold::new(4).is_err());
        assert_eq!(Threshold::new(10).expect("raised").get(), 10);
        assert_eq!(Threshold::default().get(), 5);
    }
}
