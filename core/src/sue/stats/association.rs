//! Association analysis (issue 15, point 4): logistic regressions of register outcomes (work,
//! still on assistance) and of interventions received (resource activation, sanction) on the
//! seed study's controls (unit, gender, age band, origin, household, education,
//! försörjningshinder, long-term status), shown as odds ratios with 95 % intervals and persons
//! and events per level. Associations, never effects.
//!
//! What is kept per record is one tag ([`tag`]): the levels the strata's key does not hold
//! (education, försörjningshinder, long-term status) and the outcome bits, counted per stratum
//! and tag by the aggregate over the same persons as every counter. A report sums those into
//! covariate patterns and fits a grouped-binomial logit ([`regression::fit_grouped`]).
//!
//! Protection (DESIGN.md, "Association analysis"): persons and events per level are counts of
//! persons with their own cell keys, published as every count is (perturbed, then the
//! threshold); the output rules are checked on those published counts; and in perturbed reports
//! the model is fitted on perturbed pattern counts (events and non-events of each pattern, each
//! with its cell key), so its estimates are a function of perturbed numbers only.

// The parts of the SUE statistics share their types and imports: one glob of the parent.
use super::*;
use crate::stats::dimension::{AGE_BANDS, Class, GENDERS, HOUSEHOLDS, ORIGINS};
use crate::stats::disclosure::{QuantityKey, SuppressionReason};
use crate::stats::engine::Counter;
use crate::stats::perturbation::PerturbationTable;
use crate::stats::regression::{self, Control, Fit, Pattern, Refusal};
use crate::stats::{Cell, ODDS_RATIO, Row, Table, wilson_interval};

// Outcome bits of a tag.
const RESOURCE_BIT: u64 = 1;
const SANCTION_BIT: u64 = 1 << 1;
const WORK_RECORDED: u64 = 1 << 2;
const WORK_BIT: u64 = 1 << 3;
const ASSISTANCE_RECORDED: u64 = 1 << 4;
const ASSISTANCE_BIT: u64 = 1 << 5;
/// Where the levels of the breakdowns in [`TAGGED`] start in a tag, 8 bits each.
const LEVELS_AT: u32 = 8;

/// The controls the strata do not hold, taken from the breakdowns of the same name (their
/// groups, "not answered" last, are the levels).
const TAGGED: [breakdowns::Source; 3] = [
    breakdowns::Source::Education,
    breakdowns::Source::Hinder,
    breakdowns::Source::LongTerm,
];

/// One model: table id, outcome labels, which tags are in its base and which have the outcome.
struct Model {
    id: &'static str,
    sv: &'static str,
    en: &'static str,
    base_sv: &'static str,
    base_en: &'static str,
    /// Bits a tag must have to be in the base (0: every client).
    recorded: u64,
    event: u64,
}

const MODELS: [Model; 4] = [
    Model {
        id: "association_work",
        sv: "arbete enligt registeruppföljning",
        en: "work by the register follow-up",
        base_sv: "Bland klienter med registeruppföljning (registeruppfoljning.arbete), inte utfallet efter insats (efter_insats.utfall), som bara finns efter en insats",
        base_en: "Among clients with a register follow-up (registeruppfoljning.arbete), not the outcome after an intervention (efter_insats.utfall), which exists only after one",
        recorded: WORK_RECORDED,
        event: WORK_BIT,
    },
    Model {
        id: "association_assistance",
        sv: "fortsatt bistånd enligt registeruppföljning",
        en: "still on assistance by the register follow-up",
        base_sv: "Bland klienter med registeruppföljning (registeruppfoljning.bistand), inte utfallet efter insats (efter_insats.utfall), som bara finns efter en insats",
        base_en: "Among clients with a register follow-up (registeruppfoljning.bistand), not the outcome after an intervention (efter_insats.utfall), which exists only after one",
        recorded: ASSISTANCE_RECORDED,
        event: ASSISTANCE_BIT,
    },
    Model {
        id: "association_resource_activation",
        sv: "resursaktivering",
        en: "human-resource activation",
        base_sv: "Bland samtliga klienter",
        base_en: "Among all clients",
        recorded: 0,
        event: RESOURCE_BIT,
    },
    Model {
        id: "association_sanction",
        sv: "sanktion",
        en: "sanction",
        base_sv: "Bland samtliga klienter",
        base_en: "Among all clients",
        recorded: 0,
        event: SANCTION_BIT,
    },
];

/// The tag of a record: its outcome bits and its levels of the [`TAGGED`] controls.
pub(super) fn tag(layout: &Layout, schema: &SueSchema, record: &SueRecord, groups: u8) -> u64 {
    let mut tag = 0;
    if groups & (1 << RESOURCE) != 0 {
        tag |= RESOURCE_BIT;
    }
    if record.interventions & (1 << schema.sanction) != 0 {
        tag |= SANCTION_BIT;
    }
    for (value, recorded, event) in [
        (record.register_work, WORK_RECORDED, WORK_BIT),
        (
            record.register_assistance,
            ASSISTANCE_RECORDED,
            ASSISTANCE_BIT,
        ),
    ] {
        if let Some(value) = value {
            tag |= recorded;
            if value {
                tag |= event;
            }
        }
    }
    for (i, breakdown) in tagged_breakdowns(layout).enumerate() {
        let level = u64::try_from(breakdown.group_of(record)).expect("few groups");
        tag |= level.min(0xff) << (LEVELS_AT + 8 * u32::try_from(i).expect("three"));
    }
    tag
}

fn tagged_breakdowns(layout: &Layout) -> impl Iterator<Item = &Breakdown> {
    TAGGED.iter().map(|source| {
        layout
            .breakdowns
            .iter()
            .find(|b| b.source == *source)
            .expect("every tagged control is a breakdown")
    })
}

/// A control of a model: its name, its label and its levels (code and label).
type ControlLevels = (String, Text, Vec<(String, Text)>);

fn levels(classes: &[Class]) -> Vec<(String, Text)> {
    classes
        .iter()
        .map(|c| (c.code.to_owned(), c.label()))
        .collect()
}

/// The association tables of `aggregate`, one per model, after the output rules.
pub(super) fn tables(
    aggregate: &Aggregate,
    layout: &Layout,
    options: &ReportOptions,
) -> Vec<Table> {
    let tagged = aggregate.tagged();
    // Units present, by name (the order of the unit breakdown).
    let mut units: Vec<u32> = tagged.keys().map(|(s, _)| s.unit).collect();
    units.sort_unstable_by_key(|&u| aggregate.unit_name(u));
    units.dedup();
    let text = |sv: &str, en: &str| Text {
        sv: sv.into(),
        en: en.into(),
    };
    // The controls: name, label and levels (code, label).
    let mut controls: Vec<ControlLevels> = vec![
        (
            Dimension::Unit.as_str().into(),
            Dimension::Unit.label(),
            units
                .iter()
                .map(|&u| {
                    let name = aggregate.unit_name(u).to_owned();
                    (name.clone(), text(&name, &name))
                })
                .collect(),
        ),
        (
            Dimension::Gender.as_str().into(),
            Dimension::Gender.label(),
            levels(&GENDERS),
        ),
        (
            Dimension::AgeBand.as_str().into(),
            Dimension::AgeBand.label(),
            levels(&AGE_BANDS),
        ),
        (
            Dimension::Origin.as_str().into(),
            Dimension::Origin.label(),
            levels(&ORIGINS),
        ),
        (
            Dimension::Household.as_str().into(),
            Dimension::Household.label(),
            levels(&HOUSEHOLDS),
        ),
    ];
    for breakdown in tagged_breakdowns(layout) {
        controls.push((
            breakdown.rows_are.into(),
            breakdown.title.clone(),
            breakdown.groups.clone(),
        ));
    }
    let pattern_of = |stratum: &StratumKey, tag: u64| -> Vec<usize> {
        let unit = units
            .iter()
            .position(|&u| u == stratum.unit)
            .expect("every unit present");
        let mut levels = vec![
            unit,
            usize::from(stratum.gender),
            usize::from(stratum.age),
            usize::from(stratum.origin),
            usize::from(stratum.household),
        ];
        for i in 0..TAGGED.len() {
            let level = (tag >> (LEVELS_AT + 8 * u32::try_from(i).expect("three"))) & 0xff;
            levels.push(usize::try_from(level).expect("a byte"));
        }
        levels
    };
    let perturbation = (!options.exact)
        .then(|| PerturbationTable::new(options.perturbation).ok())
        .flatten();
    // The published value of a count (perturbed unless the report is exact).
    let publish = |counter: Counter| match &perturbation {
        Some(table) => table.perturb(counter.count, counter.key),
        None => counter.count,
    };
    let threshold = options.threshold.get();
    MODELS
        .iter()
        .map(|model| {
            // Events and non-events per pattern, with their cell keys.
            let mut patterns: std::collections::BTreeMap<Vec<usize>, (Counter, Counter)> =
                std::collections::BTreeMap::new();
            for (&(stratum, tag), &counter) in &tagged {
                if tag & model.recorded != model.recorded {
                    continue;
                }
                let (events, others) = patterns.entry(pattern_of(&stratum, tag)).or_default();
                if tag & model.event != 0 {
                    events.merge(counter);
                } else {
                    others.merge(counter);
                }
            }
            // Persons and events per level, and of the whole model, with their cell keys.
            let mut level_counts: Vec<Vec<(Counter, Counter)>> = controls
                .iter()
                .map(|(_, _, levels)| vec![(Counter::default(), Counter::default()); levels.len()])
                .collect();
            let mut everyone = Counter::default();
            for (levels, (events, others)) in &patterns {
                let mut persons = *events;
                persons.merge(*others);
                everyone.merge(persons);
                for (counts, &level) in level_counts.iter_mut().zip(levels) {
                    counts[level].0.merge(persons);
                    counts[level].1.merge(*events);
                }
            }
            // What the model is fitted on: exact pattern counts in an exact report, else the
            // published (perturbed) events and non-events of each pattern.
            let grouped: Vec<Pattern> = patterns
                .iter()
                .map(|(levels, (events, others))| {
                    let events = publish(*events);
                    Pattern {
                        levels: levels.clone(),
                        persons: events + publish(*others),
                        events,
                    }
                })
                .collect();
            let regression_controls: Vec<Control> = controls
                .iter()
                .map(|(name, _, levels)| Control {
                    name: name.clone(),
                    levels: levels.iter().map(|(code, _)| code.clone()).collect(),
                })
                .collect();
            // The output rules on the published persons and events per level, then on the data
            // fitted.
            let published: Vec<Vec<(u64, u64)>> = level_counts
                .iter()
                .map(|levels| {
                    levels
                        .iter()
                        .map(|&(persons, events)| (publish(persons), publish(events)))
                        .collect()
                })
                .collect();
            let fit = regression::check_levels(&regression_controls, &published, threshold)
                .and_then(|()| regression::fit_grouped(&grouped, &regression_controls, threshold));
            table(
                model,
                &controls,
                &published,
                publish(everyone),
                &fit,
                threshold,
                options.exact,
            )
        })
        .collect()
}

/// A count as shown: under the threshold it is suppressed.
fn shown(value: u64, threshold: u64) -> Option<u64> {
    (value >= threshold).then_some(value)
}

fn table(
    model: &Model,
    controls: &[ControlLevels],
    published: &[Vec<(u64, u64)>],
    everyone: u64,
    fit: &Result<Fit, Refusal>,
    threshold: u64,
    exact: bool,
) -> Table {
    let count_cell = |count: Option<u64>, base: Option<u64>, reason: SuppressionReason| {
        let (share, interval) = match (count, base) {
            #[allow(clippy::cast_precision_loss)] // person counts are far below 2^52
            (Some(c), Some(b)) if b > 0 => (Some(c as f64 / b as f64), wilson_interval(c, b)),
            _ => (None, None),
        };
        Cell {
            count,
            base,
            share,
            interval,
            suppressed: count.is_none(),
            reason: count.is_none().then_some(reason),
            weeks: None,
            count_key: QuantityKey::default(),
            base_key: QuantityKey::default(),
        }
    };
    let all = shown(everyone, threshold);
    let mut rows = Vec::new();
    for ((name, label, levels), counts) in controls.iter().zip(published) {
        for ((code, level_label), &(persons, events)) in levels.iter().zip(counts) {
            let persons_shown = shown(persons, threshold);
            // Events closer to their base than the threshold tell that (nearly) everyone in the
            // level has the outcome: not shown, as in every other table.
            let events_shown = shown(events, threshold)
                .filter(|&e| persons_shown.is_some_and(|p| e + threshold <= p));
            let ratio = match fit {
                Ok(fit) if persons > 0 => {
                    if fit
                        .references
                        .iter()
                        .any(|(f, l, _, _)| f == name && l == code)
                    {
                        Some((1.0, None))
                    } else {
                        fit.terms
                            .iter()
                            .find(|t| &t.factor == name && &t.level == code)
                            .map(|t| (t.odds_ratio, Some(t.interval)))
                    }
                }
                _ => None,
            };
            rows.push(Row {
                code: format!("{name}:{code}"),
                label: Text {
                    sv: format!("{}: {}", label.sv, level_label.sv),
                    en: format!("{}: {}", label.en, level_label.en),
                },
                cells: vec![
                    count_cell(persons_shown, all, SuppressionReason::Small),
                    count_cell(
                        events_shown,
                        persons_shown,
                        // Under the threshold itself, or hidden for being near its base.
                        if shown(events, threshold).is_none() {
                            SuppressionReason::Small
                        } else {
                            SuppressionReason::NearBase
                        },
                    ),
                    Cell {
                        count: None,
                        base: None,
                        share: ratio.map(|r| r.0),
                        interval: ratio.and_then(|r| r.1),
                        suppressed: ratio.is_none(),
                        // A model that is not shown says why in the table's description.
                        reason: None,
                        weeks: None,
                        count_key: QuantityKey::default(),
                        base_key: QuantityKey::default(),
                    },
                ],
            });
        }
    }
    let mut description = Text {
        sv: format!(
            "Samband, inte effekter: logistisk regression av {} på enhet, kön, åldersgrupp, ursprung, hushållstyp, utbildning, försörjningshinder och långvarighet. Oddskvot mot referensgruppen (den första gruppen med personer i varje variabel, oddskvot 1) med 95 % konfidensintervall, med hänsyn till de andra variablerna; antal personer (andel av modellens personer) och antal med utfallet (andel av gruppens personer) per grupp. {}. Modellen visas bara när varje grupp har minst {threshold} personer med och minst {threshold} utan utfallet, ingen grupp har alla eller ingen med utfallet och det finns minst {} personer fler än skattade parametrar",
            model.sv,
            model.base_sv,
            regression::MIN_RESIDUAL_DF
        ),
        en: format!(
            "Associations, not effects: logistic regression of {} on unit, gender, age band, origin, household, education, main obstacle to self-support and long-term status. Odds ratio against the reference level (the first level with persons of each control, odds ratio 1) with 95 % confidence interval, adjusted for the other controls; persons (share of the model's persons) and persons with the outcome (share of the level's persons) per level. {}. The model is shown only when every level has at least {threshold} persons with and {threshold} without the outcome, no level has everyone or no one with it, and there are at least {} more persons than estimated parameters",
            model.en,
            model.base_en,
            regression::MIN_RESIDUAL_DF
        ),
    };
    if !exact {
        description.sv.push_str(". Skattad på störda antal per kombination av grupper, så att den inte avslöjar mer än de störda antalen");
        description.en.push_str(". Fitted on perturbed counts per combination of levels, so that it reveals no more than perturbed counts do");
    }
    if let Err(refusal) = fit {
        let reason = refusal.reason();
        description
            .sv
            .push_str(&format!(". Modellen visas inte: {}", reason.sv));
        description
            .en
            .push_str(&format!(". The model is not shown: {}", reason.en));
    }
    let category = |code: &str, sv: &str, en: &str| Category {
        code: code.into(),
        label: Text {
            sv: sv.into(),
            en: en.into(),
        },
    };
    Table {
        id: model.id.into(),
        title: Text {
            sv: format!("Samband med {}", model.sv),
            en: format!("Associations with {}", model.en),
        },
        unit: "persons".into(),
        description,
        rows_are: "level".into(),
        rows_label: Text {
            sv: "Variabel: grupp".into(),
            en: "Control: level".into(),
        },
        categories: vec![
            category("personer", "Personer", "Persons"),
            category("med_utfallet", "Med utfallet", "With the outcome"),
            category(ODDS_RATIO, "Oddskvot (samband)", "Odds ratio (association)"),
        ],
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;
    use crate::stats::regression::Factor;
    use crate::sue::sue_documents;
    use std::collections::HashMap;

    const AS_OF: Date = jiff::civil::date(2026, 11, 24);

    /// Synthetic SUE records (units "Söder" and the like), each a person of its own, without
    /// those in a level of a control that holds fewer than `count / 25` of them: at this size
    /// rare levels (gender "annat", a rare försörjningshinder) would break the output rules and
    /// every model would be refused.
    fn records(seed: u64, count: usize) -> (SueSchema, Vec<(SueRecord, Person)>) {
        let engine = Engine::new().expect("builtin");
        let definition = engine.definition("sue", None).expect("sue");
        let schema = SueSchema::new(definition).expect("schema");
        let records = sue_documents(definition, seed, count)
            .expect("generates")
            .into_iter()
            .map(|document| {
                let bytes = serde_json::to_vec(&document).expect("json");
                let validated = engine.parse(Some("sue"), &bytes).expect("parses");
                assert!(validated.report.valid);
                (
                    SueRecord::from_document(&schema, &validated.document),
                    crate::stats::tests::person(&bytes),
                )
            })
            .collect::<Vec<(SueRecord, Person)>>();
        let layout = Layout::new(&schema);
        let levels = |r: &SueRecord| -> Vec<String> {
            let mut levels = vec![
                format!("unit {:?}", r.unit),
                format!("gender {}", r.gender),
                format!("age {}", r.age),
                format!("origin {}", r.origin),
                format!("household {}", r.household),
            ];
            for (i, breakdown) in tagged_breakdowns(&layout).enumerate() {
                levels.push(format!("{i} {}", breakdown.group_of(r)));
            }
            levels
        };
        let mut persons: HashMap<String, usize> = HashMap::new();
        for (record, _) in &records {
            for level in levels(record) {
                *persons.entry(level).or_default() += 1;
            }
        }
        let records = records
            .into_iter()
            .filter(|(r, _)| levels(r).iter().all(|l| persons[l] * 25 >= count))
            .collect();
        (schema, records)
    }

    fn report(
        schema: &SueSchema,
        records: &[(SueRecord, Person)],
        options: &ReportOptions,
    ) -> GroupReport {
        let mut aggregate = SueAggregate::new(schema.clone(), AS_OF);
        for (record, person) in records {
            aggregate.add(record, *person);
        }
        aggregate.report(options)
    }

    fn table<'r>(report: &'r GroupReport, id: &str) -> &'r Table {
        report
            .tables
            .iter()
            .find(|t| t.id == id)
            .unwrap_or_else(|| panic!("{id}"))
    }

    /// The exact report's model of resource activation is the per-person fit of the same
    /// persons (each record's levels read here from the record, not from the aggregate's
    /// tags): the covariate patterns lose nothing.
    #[test]
    fn the_report_fits_the_persons_it_counts() {
        let (schema, records) = records(21, 4000);
        let exact = ReportOptions {
            exact: true,
            ..ReportOptions::default()
        };
        let report = report(&schema, &records, &exact);
        let layout = Layout::new(&schema);
        let tagged: Vec<&Breakdown> = tagged_breakdowns(&layout).collect();
        let mut units: Vec<String> = records
            .iter()
            .map(|(r, _)| r.unit.as_ref().map_or("okand", Name::as_str).to_owned())
            .collect();
        units.sort();
        units.dedup();
        let named = |name: &str, levels: Vec<String>| Factor {
            name: name.into(),
            levels,
            values: Vec::new(),
        };
        let codes = |classes: &[Class]| classes.iter().map(|c| c.code.to_owned()).collect();
        let mut factors = vec![
            named("unit", units.clone()),
            named("gender", codes(&GENDERS)),
            named("age_band", codes(&AGE_BANDS)),
            named("origin", codes(&ORIGINS)),
            named("household", codes(&HOUSEHOLDS)),
        ];
        for breakdown in &tagged {
            factors.push(named(
                breakdown.rows_are,
                breakdown.groups.iter().map(|g| g.0.clone()).collect(),
            ));
        }
        let mut outcome = Vec::new();
        for (record, _) in &records {
            let unit = record
                .unit
                .as_ref()
                .map_or("okand", Name::as_str)
                .to_owned();
            let values = [
                units.iter().position(|u| *u == unit).expect("a unit"),
                usize::from(record.gender),
                usize::from(record.age),
                usize::from(record.origin),
                usize::from(record.household),
            ]
            .into_iter()
            .chain(tagged.iter().map(|b| b.group_of(record)));
            for (factor, value) in factors.iter_mut().zip(values) {
                factor.values.push(value);
            }
            let resource = bits(record.interventions)
                .any(|kind| schema.intervention_group_of[kind] == RESOURCE as u8);
            outcome.push(resource);
        }
        let fit = regression::fit(&outcome, &factors, 5).expect("the model passes the rules");
        let table = table(&report, "association_resource_activation");
        assert!(!table.description.sv.contains("visas inte"));
        let mut compared = 0;
        for term in &fit.terms {
            let row = table
                .rows
                .iter()
                .find(|r| r.code == format!("{}:{}", term.factor, term.level))
                .expect("a row per level");
            let cell = &row.cells[2];
            assert!(cell.count.is_none());
            let ratio = cell.share.expect("an odds ratio");
            assert!((ratio - term.odds_ratio).abs() < 1e-9, "{}", row.code);
            let interval = cell.interval.expect("an interval");
            assert!((interval[0] - term.interval[0]).abs() < 1e-9);
            assert!((interval[1] - term.interval[1]).abs() < 1e-9);
            assert_eq!(row.cells[0].count, Some(term.persons), "{}", row.code);
            compared += 1;
        }
        assert!(compared >= 15, "{compared} terms");
        for (factor, level, persons, events) in &fit.references {
            let row = table
                .rows
                .iter()
                .find(|r| r.code == format!("{factor}:{level}"))
                .expect("the reference's row");
            assert_eq!(row.cells[2].share, Some(1.0));
            assert_eq!(row.cells[0].count, Some(*persons));
            assert_eq!(row.cells[1].count, Some(*events));
        }
    }

    /// The wide CSV shows an odds ratio and its interval as ratios with three decimals (not as
    /// percentages, and without count columns); the reference level's interval is empty.
    #[test]
    fn odds_ratios_render_as_ratios_in_the_wide_csv() {
        let (schema, records) = records(21, 4000);
        let exact = ReportOptions {
            exact: true,
            ..ReportOptions::default()
        };
        let report = report(&schema, &records, &exact);
        let table = table(&report, "association_resource_activation");
        let row = |code: &str| {
            table
                .rows
                .iter()
                .find(|r| r.code == code)
                .expect("a row")
                .cells[2]
                .clone()
        };
        let man = row("gender:man");
        let csv = crate::stats::csv::to_csv(
            &report,
            crate::text::Language::Swedish,
            crate::stats::csv::CsvDialect::ExcelSv,
        );
        let lines: Vec<Vec<&str>> = csv.lines().map(|l| l.split(';').collect()).collect();
        let at = lines
            .iter()
            .position(|l| l.len() == 3 && l[1] == "association_resource_activation")
            .expect("the table in the CSV");
        let codes = &lines[at + 3];
        let column = |code: &str| codes.iter().position(|c| *c == code).expect(code);
        assert!(
            !codes
                .iter()
                .any(|c| c.starts_with("odds_ratio.count") || c.starts_with("odds_ratio.percent"))
        );
        let field = |row: &str, code: &str| {
            let line = lines[at + 4..]
                .iter()
                .find(|l| l.get(1) == Some(&row))
                .expect("the row in the CSV");
            line[column(code)].to_owned()
        };
        let three = |v: f64| format!("{v:.3}").replace('.', ",");
        let interval = man.interval.expect("an interval");
        assert_eq!(
            field("gender:man", "odds_ratio.value"),
            three(man.share.expect("a ratio"))
        );
        assert_eq!(field("gender:man", "odds_ratio.ci_low"), three(interval[0]));
        assert_eq!(
            field("gender:man", "odds_ratio.ci_high"),
            three(interval[1])
        );
        assert_eq!(field("gender:kvinna", "odds_ratio.value"), "1,000");
        assert_eq!(field("gender:kvinna", "odds_ratio.ci_low"), "");
        assert_eq!(field("gender:annat", "odds_ratio.value"), "..");
    }

    /// A person with several records is one person in the models too.
    #[test]
    fn a_person_counts_once() {
        let (schema, records) = records(22, 600);
        let once = report(&schema, &records, &ReportOptions::default());
        let key = crate::stats::perturbation::StatisticsKey::new(&[9; 32]).expect("key");
        let identified = |records: &[(SueRecord, Person)]| -> Vec<(SueRecord, Person)> {
            records
                .iter()
                .enumerate()
                .map(|(i, (r, _))| (r.clone(), key.person(Some(&format!("p{i}")), b"same")))
                .collect()
        };
        let mut twice = identified(&records);
        twice.extend(identified(&records));
        let twice = report(&schema, &twice, &ReportOptions::default());
        let once_identified = report(&schema, &identified(&records), &ReportOptions::default());
        for model in &MODELS {
            assert_eq!(table(&twice, model.id), table(&once_identified, model.id));
        }
        assert_eq!(
            table(&once, "association_sanction").rows.len(),
            table(&twice, "association_sanction").rows.len()
        );
    }

    /// Perturbed reports publish the persons and events per level as every count (within D of
    /// the truth, under the threshold not shown), and their odds ratios, fitted on perturbed
    /// pattern counts, stay within the sampling error of the exact ones (each within three of
    /// the exact model's standard errors, on average within one).
    #[test]
    fn perturbed_models_stay_close_to_the_exact_ones() {
        let (schema, records) = records(23, 4000);
        let perturbed = report(&schema, &records, &ReportOptions::default());
        let exact = report(
            &schema,
            &records,
            &ReportOptions {
                exact: true,
                ..ReportOptions::default()
            },
        );
        let mut shifts = Vec::new();
        for model in &MODELS {
            let (p, e) = (table(&perturbed, model.id), table(&exact, model.id));
            assert!(p.description.sv.contains("störda antal"));
            for (p, e) in p.rows.iter().zip(&e.rows) {
                for (p, e) in p.cells.iter().zip(&e.cells).take(2) {
                    if let (Some(p), Some(e)) = (p.count, e.count) {
                        assert!(p.abs_diff(e) <= 2, "{p} for {e}");
                        assert!(p >= 5);
                    }
                }
                if let (Some(p_ratio), Some(e_ratio), Some([low, high])) =
                    (p.cells[2].share, e.cells[2].share, e.cells[2].interval)
                {
                    // The exact model's standard error, from its interval.
                    let se = (high.ln() - low.ln()) / (2.0 * 1.959_963_984_540_054);
                    let shift = (p_ratio.ln() - e_ratio.ln()).abs() / se;
                    assert!(shift < 3.0, "{}: {shift} standard errors", p.code);
                    shifts.push(shift);
                }
            }
        }
        // Most of these 3,000 persons are alone in their pattern, the hardest case for
        // perturbation; the shift stays well within the sampling error on average.
        #[allow(clippy::cast_precision_loss)]
        let mean = shifts.iter().sum::<f64>() / shifts.len() as f64;
        assert!(
            shifts.len() >= 40 && mean < 1.0,
            "{} terms, mean shift {mean}",
            shifts.len()
        );
    }

    /// A report too small for the output rules shows each model's reason instead of numbers.
    #[test]
    fn a_small_report_gives_reasons_not_odds_ratios() {
        let (schema, records) = records(24, 40);
        assert!(records.len() > 20);
        let report = report(&schema, &records, &ReportOptions::default());
        for model in &MODELS {
            let table = table(&report, model.id);
            assert!(
                table.description.sv.contains("Modellen visas inte"),
                "{}",
                table.description.sv
            );
            assert!(table.description.en.contains("The model is not shown"));
            assert!(
                table
                    .rows
                    .iter()
                    .all(|r| r.cells[2].share.is_none() && r.cells[2].suppressed)
            );
        }
    }
}
