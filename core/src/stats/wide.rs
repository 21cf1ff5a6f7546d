//! The wide layout of published Swedish tables (Socialstyrelsen, SCB), shared by every
//! presentation format: groups down, categories across with count, percent and interval, the
//! breakdown's total as the last row, and the facts about the report (as-of date, threshold,
//! perturbation) as a list of labelled lines. Formats differ only in how they write these values.
//!
//! The layout is generic over the report's tables: any table of rows × categories is laid out the
//! same way, so tables added later render without changes here.

use super::disclosure::SuppressionReason;
use super::{Cell, GroupReport, ODDS_RATIO, Row, Table};
use crate::text::{Language, Text};

/// One table in the wide layout.
pub struct WideTable<'a> {
    /// The table as the report holds it.
    pub table: &'a Table,
    /// The columns, left to right.
    pub columns: Vec<Column<'a>>,
    /// The rows, top to bottom: the table's own rows, then its total row (if any).
    pub rows: Vec<WideRow<'a>>,
    /// Whether some shown cell is protected (`..`), so the table needs the footnote.
    pub has_protected: bool,
    /// The reasons its protected cells are not shown, each once, in footnote order.
    pub reasons: Vec<SuppressionReason>,
}

/// One row in the wide layout.
pub struct WideRow<'a> {
    /// The row as the report holds it.
    pub row: &'a Row,
    /// This is the total row, taken from the breakdown's total table.
    pub is_total: bool,
}

/// A column of the wide layout.
#[derive(Clone, Copy)]
pub enum Column<'a> {
    /// The row's label.
    Label,
    /// The row's code.
    Code,
    /// The base shared by every cell of the row (the group's persons).
    RowBase,
    /// A category's count.
    Count(usize, &'a super::Category),
    /// A category's own base (tables whose cells of one row have different bases).
    Base(usize, &'a super::Category),
    /// A category's share, in percent.
    Percent(usize, &'a super::Category),
    /// The lower end of the share's 95 % interval, in percent.
    Low(usize, &'a super::Category),
    /// The upper end of the share's 95 % interval, in percent.
    High(usize, &'a super::Category),
    /// An odds ratio (a category coded [`ODDS_RATIO`]: no count, the ratio in `share`).
    Ratio(usize, &'a super::Category),
    /// The lower end of the odds ratio's 95 % interval.
    RatioLow(usize, &'a super::Category),
    /// The upper end of the odds ratio's 95 % interval.
    RatioHigh(usize, &'a super::Category),
}

/// One value of the wide layout.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// Text (a label or code).
    Text(&'a str),
    /// A count of persons.
    Count(u64),
    /// A percentage (0 to 100).
    Percent(f64),
    /// A ratio (an odds ratio or an end of its interval).
    Ratio(f64),
    /// A protected number, written `..`, and why (when known).
    Protected(Option<SuppressionReason>),
}

/// The footnote marker of `reason` beside a `..` (a letter, the same in every format).
pub fn marker(reason: SuppressionReason) -> &'static str {
    match reason {
        SuppressionReason::Small => "a",
        SuppressionReason::NearBase => "b",
        SuppressionReason::Secondary => "c",
        SuppressionReason::Derived => "d",
        SuppressionReason::Quantile => "e",
    }
}

/// The footnote of one reason: its marker and what it means, with the report's threshold.
pub fn reason_footnote(report: &GroupReport, reason: SuppressionReason) -> Text {
    let text = reason.text(report.threshold.get());
    Text {
        sv: format!("{} \"..\": {}.", marker(reason), text.sv),
        en: format!("{} \"..\": {}.", marker(reason), text.en),
    }
}

/// How a protected number is written in every format (as Socialstyrelsen and SCB write it).
pub const PROTECTED: &str = "..";

impl<'a> Column<'a> {
    /// The column's heading for people, in `language`.
    pub fn heading(self, table: &'a Table, language: Language) -> String {
        let (code, base, count, own_base, percent, low, high, ratio_low, ratio_high) =
            match language {
                Language::Swedish => (
                    "Kod",
                    "Bas",
                    "antal",
                    "bas",
                    "procent",
                    "KI låg %",
                    "KI hög %",
                    "KI låg",
                    "KI hög",
                ),
                Language::English => (
                    "Code",
                    "Base",
                    "count",
                    "base",
                    "percent",
                    "CI low %",
                    "CI high %",
                    "CI low",
                    "CI high",
                ),
            };
        match self {
            Column::Label => table.rows_label.in_language(language).to_owned(),
            Column::Code => code.to_owned(),
            Column::RowBase => format!("{base}, {}", unit(table, language)),
            Column::Count(_, c) => format!("{}, {count}", c.label.in_language(language)),
            Column::Base(_, c) => format!("{}, {own_base}", c.label.in_language(language)),
            Column::Percent(_, c) => format!("{}, {percent}", c.label.in_language(language)),
            Column::Low(_, c) => format!("{}, {low}", c.label.in_language(language)),
            Column::High(_, c) => format!("{}, {high}", c.label.in_language(language)),
            Column::Ratio(_, c) => c.label.in_language(language).to_owned(),
            Column::RatioLow(_, c) => format!("{}, {ratio_low}", c.label.in_language(language)),
            Column::RatioHigh(_, c) => format!("{}, {ratio_high}", c.label.in_language(language)),
        }
    }

    /// The column's stable code for programs (the same in both languages).
    pub fn code(self, table: &Table) -> String {
        match self {
            Column::Label => table.rows_are.clone(),
            Column::Code => "code".to_owned(),
            Column::RowBase => "base".to_owned(),
            Column::Count(_, c) => format!("{}.count", c.code),
            Column::Base(_, c) => format!("{}.base", c.code),
            Column::Percent(_, c) => format!("{}.percent", c.code),
            Column::Low(_, c) => format!("{}.ci_low", c.code),
            Column::High(_, c) => format!("{}.ci_high", c.code),
            Column::Ratio(_, c) => format!("{}.value", c.code),
            Column::RatioLow(_, c) => format!("{}.ci_low", c.code),
            Column::RatioHigh(_, c) => format!("{}.ci_high", c.code),
        }
    }

    /// The column's value in `row`, in `language`.
    pub fn value(self, row: &'a Row, language: Language) -> Value<'a> {
        let cell = |i: usize| -> &'a Cell { &row.cells[i] };
        // A hidden number of a cell is hidden for the cell's reason.
        let percent = |c: &Cell, v: Option<f64>| {
            v.map_or(Value::Protected(c.reason), |v| Value::Percent(v * 100.0))
        };
        let count = |c: &Cell, v: Option<u64>| v.map_or(Value::Protected(c.reason), Value::Count);
        match self {
            Column::Label => Value::Text(row.label.in_language(language)),
            Column::Code => Value::Text(&row.code),
            Column::RowBase => row
                .cells
                .first()
                .map_or(Value::Protected(None), |c| count(c, c.base)),
            // A quartile in weeks (the time to first intervention) stands in the count column.
            Column::Count(i, _) => count(cell(i), cell(i).count.or(cell(i).weeks.map(u64::from))),
            Column::Base(i, _) => count(cell(i), cell(i).base),
            Column::Percent(i, _) => percent(cell(i), cell(i).share),
            Column::Low(i, _) => percent(cell(i), cell(i).interval.map(|v| v[0])),
            Column::High(i, _) => percent(cell(i), cell(i).interval.map(|v| v[1])),
            Column::Ratio(i, _) => cell(i)
                .share
                .map_or(Value::Protected(cell(i).reason), Value::Ratio),
            // The reference level has a ratio of 1 and no interval: nothing is hidden there.
            Column::RatioLow(i, _) | Column::RatioHigh(i, _) => {
                let end = usize::from(matches!(self, Column::RatioHigh(..)));
                match (cell(i).share, cell(i).interval) {
                    (_, Some(interval)) => Value::Ratio(interval[end]),
                    (Some(_), None) => Value::Text(""),
                    (None, None) => Value::Protected(cell(i).reason),
                }
            }
        }
    }

    /// Whether the column holds numbers (right-aligned, formatted).
    pub fn is_numeric(self) -> bool {
        !matches!(self, Column::Label | Column::Code)
    }
}

/// What the table counts, as a word for the base heading.
fn unit(table: &Table, language: Language) -> &'static str {
    match (table.unit.as_str(), language) {
        ("persons", Language::Swedish) => "personer",
        ("persons", Language::English) => "persons",
        (_, Language::Swedish) => "fall",
        (_, Language::English) => "cases",
    }
}

/// The report's tables in the wide layout, in the report's order. A breakdown table
/// (`<measure>.<breakdown>`) ends with the row of its total table (`<measure>`, one row over all
/// records) when that table exists with the same columns.
pub fn wide_tables(report: &GroupReport) -> Vec<WideTable<'_>> {
    report
        .tables
        .iter()
        .map(|table| {
            let total = table.id.split_once('.').and_then(|(measure, _)| {
                report.tables.iter().find(|t| {
                    t.id == measure
                        && t.rows_are == "total"
                        && t.rows.len() == 1
                        && t.categories == table.categories
                })
            });
            let rows: Vec<WideRow<'_>> = table
                .rows
                .iter()
                .map(|row| WideRow {
                    row,
                    is_total: false,
                })
                .chain(total.into_iter().flat_map(|t| &t.rows).map(|row| WideRow {
                    row,
                    is_total: true,
                }))
                .collect();
            // One base column when every row's cells share one base (the group's persons);
            // otherwise (shares of all records, say) each category shows its own.
            let counted: Vec<usize> = (0..table.categories.len())
                .filter(|&i| table.categories[i].code != ODDS_RATIO)
                .collect();
            let one_base = rows.iter().all(|r| {
                counted
                    .windows(2)
                    .all(|w| r.row.cells[w[0]].base == r.row.cells[w[1]].base)
            });
            let mut columns = vec![Column::Label, Column::Code];
            if one_base {
                columns.push(Column::RowBase);
            }
            for (i, category) in table.categories.iter().enumerate() {
                if category.code == ODDS_RATIO {
                    columns.extend([
                        Column::Ratio(i, category),
                        Column::RatioLow(i, category),
                        Column::RatioHigh(i, category),
                    ]);
                    continue;
                }
                columns.push(Column::Count(i, category));
                if !one_base {
                    columns.push(Column::Base(i, category));
                }
                columns.extend([
                    Column::Percent(i, category),
                    Column::Low(i, category),
                    Column::High(i, category),
                ]);
            }
            let has_protected = rows.iter().any(|r| {
                r.row
                    .cells
                    .iter()
                    .any(|c| c.suppressed || c.count.is_none() || c.share.is_none())
            });
            let mut reasons: Vec<SuppressionReason> = rows
                .iter()
                .flat_map(|r| &r.row.cells)
                .filter_map(|c| c.reason)
                .collect();
            reasons.sort_unstable();
            reasons.dedup();
            WideTable {
                table,
                columns,
                rows,
                has_protected,
                reasons,
            }
        })
        .collect()
}

/// What `..` means in this report: the reasons a number is not shown, as they apply to exact or
/// perturbed counts.
pub fn protected_footnote(report: &GroupReport) -> Text {
    let t = report.threshold.get();
    if report.exact {
        Text {
            sv: format!(
                "\"..\" = uppgiften visas inte: antalet är mindre än {t} personer, eller döljs för \
                 att ett annat dolt antal inte ska kunna räknas fram (sekundär röjandekontroll)."
            ),
            en: format!(
                "\"..\" = not shown: the count is below {t} persons, or is hidden so that another \
                 hidden count cannot be worked out from it (secondary suppression)."
            ),
        }
    } else {
        Text {
            sv: format!(
                "\"..\" = uppgiften visas inte: antalet är mindre än {t} personer, eller ligger \
                 närmare sin bas än {t}. Alla visade antal är störda (se ovan)."
            ),
            en: format!(
                "\"..\" = not shown: the count is below {t} persons, or closer to its base than \
                 {t}. Every shown count is perturbed (see above)."
            ),
        }
    }
}

/// A fact about the report: a label and its value.
pub struct Fact {
    /// The label, in the report's language.
    pub label: String,
    /// The value.
    pub value: FactValue,
}

/// The value of a [`Fact`].
pub enum FactValue {
    /// Text.
    Text(String),
    /// A whole number.
    Count(u64),
    /// A decimal number.
    Decimal(f64),
}

/// The facts every presentation of the report states before its tables, in `language`.
pub fn facts(report: &GroupReport, language: Language) -> Vec<Fact> {
    let sv = language == Language::Swedish;
    let fact = |sv_label: &str, en_label: &str, value: FactValue| Fact {
        label: if sv { sv_label } else { en_label }.to_owned(),
        value,
    };
    let mut facts = vec![
        fact(
            "Rapport",
            "Report",
            FactValue::Text(report.title.in_language(language).to_owned()),
        ),
        fact(
            "Instrument",
            "Instrument",
            FactValue::Text(report.instrument.clone()),
        ),
        fact(
            "Avser datum",
            "As of",
            FactValue::Text(report.as_of.to_string()),
        ),
        fact(
            "Röjandetröskel (personer)",
            "Disclosure threshold (persons)",
            FactValue::Count(report.threshold.get()),
        ),
    ];
    match report.perturbation {
        Some(p) => {
            facts.push(fact(
                "Antal",
                "Counts",
                FactValue::Text(
                    if sv {
                        "störda (cellnyckelmetoden)"
                    } else {
                        "perturbed (cell key method)"
                    }
                    .to_owned(),
                ),
            ));
            facts.push(fact(
                "Störning, största avvikelse (personer)",
                "Perturbation, largest deviation (persons)",
                FactValue::Count(u64::from(p.max_deviation)),
            ));
            facts.push(fact(
                "Störning, varians",
                "Perturbation, variance",
                FactValue::Decimal(p.variance),
            ));
        }
        None => facts.push(fact(
            "Antal",
            "Counts",
            FactValue::Text(
                if sv {
                    "exakta, ej störda: endast för dataägaren"
                } else {
                    "exact, not perturbed: for the data owner only"
                }
                .to_owned(),
            ),
        )),
    }
    facts.push(fact("Poster", "Records", FactValue::Count(report.records)));
    facts.push(fact(
        "Personer",
        "Persons",
        FactValue::Count(report.persons),
    ));
    if let Some(p) = &report.provenance {
        let text = |v: String| FactValue::Text(v);
        facts.push(fact(
            "Instrumentdefinition",
            "Instrument definition",
            text(format!(
                "{} {}",
                p.definition.instrument, p.definition.version
            )),
        ));
        facts.push(fact(
            "Regelversioner",
            "Rule versions",
            text(if sv {
                format!(
                    "räkning {}, röjandekontroll {}",
                    p.rules.counting, p.rules.disclosure
                )
            } else {
                format!(
                    "counting {}, disclosure control {}",
                    p.rules.counting, p.rules.disclosure
                )
            }),
        ));
        facts.push(fact(
            "Indelningar",
            "Breakdowns",
            text(p.breakdowns.join(" ")),
        ));
        facts.push(fact(
            "Källa",
            "Source",
            text(match (p.input.source.as_str(), sv) {
                ("store", true) => "lagret".to_owned(),
                ("store", false) => "the store".to_owned(),
                (other, _) => other.to_owned(),
            }),
        ));
        if !p.input.units.is_empty() {
            facts.push(fact("Enheter", "Units", text(p.input.units.join(" "))));
        }
        facts.push(fact(
            "Indata, kontrollsumma",
            "Input digest",
            text(p.input.digest.clone()),
        ));
        facts.push(fact(
            "Lästa poster",
            "Records read",
            FactValue::Count(p.input.read),
        ));
        facts.push(fact(
            "Räknade poster",
            "Records counted",
            FactValue::Count(p.input.counted),
        ));
        for tally in &p.input.not_counted {
            facts.push(Fact {
                label: if sv {
                    format!(
                        "Ej räknade poster ({})",
                        not_counted_reason(&tally.reason, language)
                    )
                } else {
                    format!(
                        "Records not counted ({})",
                        not_counted_reason(&tally.reason, language)
                    )
                },
                value: FactValue::Count(tally.count),
            });
        }
        facts.push(fact("Program", "Software", text(p.software.clone())));
    }
    facts
}

/// A reason a record was not counted, for people.
fn not_counted_reason(reason: &str, language: Language) -> String {
    let (sv, en) = match reason {
        "not_a_document" => (
            "inte ett dokument av instrumentet",
            "not a document of the instrument",
        ),
        "unreadable" => (
            "kunde inte öppnas: ändrad i databasen",
            "could not be opened: altered in the database",
        ),
        "invalid_document" => ("dokumentet har fel", "the document has errors"),
        other => return other.to_owned(),
    };
    match language {
        Language::Swedish => sv.to_owned(),
        Language::English => en.to_owned(),
    }
}
