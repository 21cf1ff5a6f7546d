//! CSV export of a report in the wide layout of published tables ([`super::wide`]), in one of two
//! dialects: Swedish Excel (UTF-8 byte order mark, `;`, decimal comma) or plain (`,` and `.`, no
//! byte order mark).
//!
//! The file starts with the facts about the report (one `label;value` line each: as-of date,
//! threshold, perturbation, records), the report's notes and what `..` means. Each table follows
//! after a blank line: a line naming it (`Tabell;<id>;<title>`), its description, a heading line
//! for people (labels in the chosen language), a heading line of stable codes for programs
//! (`gender;code;base;<category>.count;<category>.percent;...`), then one line per group and the
//! total. Counts are whole numbers, shares are percent with one decimal, protected numbers `..`.
//!
//! [`to_long_csv`] writes the long format instead (one line per cell), for programs.

use super::GroupReport;
use super::wide::{self, FactValue, PROTECTED, Value};
use crate::error::{Error, ErrorKind, Result};
use crate::text::{Language, Text};

/// How the CSV is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvDialect {
    /// What Excel with a Swedish locale opens without an import dialog: a UTF-8 byte order mark,
    /// `;` between fields and a decimal comma.
    ExcelSv,
    /// `,` between fields, a decimal point, no byte order mark.
    Plain,
}

impl CsvDialect {
    /// The names the shells accept, for messages.
    pub const NAMES: &'static str = "excel-sv, plain";

    /// The dialect readers of `language` expect: Swedish Excel for Swedish, plain for English.
    pub fn for_language(language: Language) -> CsvDialect {
        match language {
            Language::Swedish => CsvDialect::ExcelSv,
            Language::English => CsvDialect::Plain,
        }
    }

    /// The dialect named `name` (`excel-sv` or `plain`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for any other name (not repeated in the message).
    pub fn parse(name: &str) -> Result<CsvDialect> {
        match name {
            "excel-sv" => Ok(CsvDialect::ExcelSv),
            "plain" => Ok(CsvDialect::Plain),
            _ => Err(Error::new(
                ErrorKind::InvalidArgument,
                Text {
                    sv: format!("okänd CSV-dialekt; dialekterna är {}", Self::NAMES),
                    en: format!("unknown CSV dialect; the dialects are {}", Self::NAMES),
                },
            )),
        }
    }

    fn separator(self) -> char {
        match self {
            CsvDialect::ExcelSv => ';',
            CsvDialect::Plain => ',',
        }
    }

    /// `value` with `decimals` decimals and this dialect's decimal mark.
    fn decimal(self, value: f64, decimals: usize) -> String {
        let text = format!("{value:.decimals$}");
        match self {
            CsvDialect::ExcelSv => text.replace('.', ","),
            CsvDialect::Plain => text,
        }
    }
}

/// The report as CSV in the wide layout, with labels in `language`, written in `dialect`
/// (CRLF line ends, fields quoted when needed).
pub fn to_csv(report: &GroupReport, language: Language, dialect: CsvDialect) -> String {
    let mut out = String::new();
    if dialect == CsvDialect::ExcelSv {
        out.push('\u{feff}');
    }
    let mut line = |fields: &[String]| write_line(&mut out, dialect.separator(), fields);
    for fact in wide::facts(report, language) {
        let value = match fact.value {
            FactValue::Text(text) => text,
            FactValue::Count(n) => n.to_string(),
            FactValue::Decimal(v) => dialect.decimal(v, 2),
        };
        line(&[fact.label, value]);
    }
    let note = match language {
        Language::Swedish => "Not",
        Language::English => "Note",
    };
    for text in report
        .notes
        .iter()
        .chain(std::iter::once(&wide::protected_footnote(report)))
    {
        line(&[note.to_owned(), text.in_language(language).to_owned()]);
    }
    let (table_word, description_word) = match language {
        Language::Swedish => ("Tabell", "Beskrivning"),
        Language::English => ("Table", "Description"),
    };
    for wide in wide::wide_tables(report) {
        let table = wide.table;
        line(&[]);
        line(&[
            table_word.to_owned(),
            table.id.clone(),
            table.title.in_language(language).to_owned(),
        ]);
        line(&[
            description_word.to_owned(),
            table.description.in_language(language).to_owned(),
        ]);
        let headings: Vec<String> = wide
            .columns
            .iter()
            .map(|c| c.heading(table, language))
            .collect();
        line(&headings);
        let codes: Vec<String> = wide.columns.iter().map(|c| c.code(table)).collect();
        line(&codes);
        for row in &wide.rows {
            let fields: Vec<String> = wide
                .columns
                .iter()
                .map(|c| match c.value(row.row, language) {
                    Value::Text(text) => text.to_owned(),
                    Value::Count(n) => n.to_string(),
                    Value::Percent(p) => dialect.decimal(p, 1),
                    Value::Ratio(r) => dialect.decimal(r, 3),
                    Value::Protected(_) => PROTECTED.to_owned(),
                })
                .collect();
            line(&fields);
        }
    }
    out
}

/// The report as CSV in long format, one line per cell, for programs that want one number per
/// line: headings and labels in `language`, protected numbers empty with `suppressed` = 1, and
/// on every line whether counts are exact and, when not, the perturbation's largest deviation and
/// variance, so a line read alone is never taken for an exact count. Shares are fractions with
/// four decimals, in `dialect`. The last two columns: why a hidden number is hidden (the report's
/// `reason` code: `small`, `near_base`, `secondary`, `derived`, `quantile`), and a quartile in
/// whole weeks where a cell holds one (the time to first intervention), never a count of persons.
pub fn to_long_csv(report: &GroupReport, language: Language, dialect: CsvDialect) -> String {
    let headings: [&str; 18] = match language {
        Language::Swedish => [
            "tabell",
            "tabellrubrik",
            "rader",
            "rad",
            "radetikett",
            "kategori",
            "kategorietikett",
            "antal",
            "bas",
            "andel",
            "ki_lag",
            "ki_hog",
            "undertryckt",
            "exakt",
            "storning_max_avvikelse",
            "storning_varians",
            "orsak",
            "veckor",
        ],
        Language::English => [
            "table",
            "table_title",
            "rows",
            "row",
            "row_label",
            "category",
            "category_label",
            "count",
            "base",
            "share",
            "ci_low",
            "ci_high",
            "suppressed",
            "exact",
            "perturbation_max_deviation",
            "perturbation_variance",
            "reason",
            "weeks",
        ],
    };
    let mut out = String::new();
    if dialect == CsvDialect::ExcelSv {
        out.push('\u{feff}');
    }
    let separator = dialect.separator();
    let headings: Vec<String> = headings.iter().map(|h| (*h).to_owned()).collect();
    write_line(&mut out, separator, &headings);
    let number = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
    let decimal = |v: Option<f64>| v.map(|v| dialect.decimal(v, 4)).unwrap_or_default();
    for table in &report.tables {
        for row in &table.rows {
            for (category, cell) in table.categories.iter().zip(&row.cells) {
                write_line(
                    &mut out,
                    separator,
                    &[
                        table.id.clone(),
                        table.title.in_language(language).to_owned(),
                        table.rows_are.clone(),
                        row.code.clone(),
                        row.label.in_language(language).to_owned(),
                        category.code.clone(),
                        category.label.in_language(language).to_owned(),
                        number(cell.count),
                        number(cell.base),
                        decimal(cell.share),
                        decimal(cell.interval.map(|i| i[0])),
                        decimal(cell.interval.map(|i| i[1])),
                        u8::from(cell.suppressed).to_string(),
                        u8::from(report.exact).to_string(),
                        report
                            .perturbation
                            .map(|p| p.max_deviation.to_string())
                            .unwrap_or_default(),
                        report
                            .perturbation
                            .map(|p| dialect.decimal(p.variance, 2))
                            .unwrap_or_default(),
                        cell.reason.map(|r| r.code().to_owned()).unwrap_or_default(),
                        number(cell.weeks.map(u64::from)),
                    ],
                );
            }
        }
    }
    out
}

fn write_line(out: &mut String, separator: char, fields: &[String]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(separator);
        }
        if field.contains([separator, '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn fields_with_separators_are_quoted() {
        let mut out = String::new();
        write_line(
            &mut out,
            ';',
            &["a,b".to_owned(), "c;d".to_owned(), "say \"hi\"".to_owned()],
        );
        assert_eq!(out, "a,b;\"c;d\";\"say \"\"hi\"\"\"\r\n");
    }

    use crate::stats::disclosure::QuantityKey;
    use crate::stats::provenance::{DefinitionVersion, Input, NotCountedTally, Provenance};
    use crate::stats::{Category, Cell, Dimension, Row, Table, Threshold};

    fn cell(count: Option<u64>, base: u64) -> Cell {
        let share = count.map(|c| c as f64 / base as f64);
        Cell {
            count,
            base: Some(base),
            share,
            interval: count.and_then(|c| crate::stats::wilson_interval(c, base)),
            suppressed: count.is_none(),
            reason: count
                .is_none()
                .then_some(crate::stats::disclosure::SuppressionReason::Small),
            weeks: None,
            count_key: QuantityKey::new(0, Dimension::Total, 0),
            base_key: QuantityKey::new(1, Dimension::Total, 0),
        }
    }

    fn text(sv: &str, en: &str) -> Text {
        Text {
            sv: sv.into(),
            en: en.into(),
        }
    }

    /// A report of one measure, over all and by unit, as an instrument module builds them.
    pub(crate) fn small_report() -> GroupReport {
        let categories = vec![
            Category {
                code: "ja".into(),
                label: text("Ja", "Yes"),
            },
            Category {
                code: "nej".into(),
                label: text("Nej", "No"),
            },
        ];
        let table = |id: &str, rows_are: &str, rows: Vec<Row>| Table {
            id: id.into(),
            title: text("Boende; eget", "Housing; own"),
            unit: "persons".into(),
            description: text("Personer med eget boende", "Persons with own housing"),
            rows_are: rows_are.into(),
            rows_label: text("Enhet", "Unit"),
            categories: categories.clone(),
            rows,
        };
        GroupReport {
            instrument: "sue".into(),
            title: text("Rapport", "Report"),
            as_of: jiff::civil::date(2026, 11, 24),
            threshold: Threshold::default(),
            records: 120,
            persons: 113,
            exact: false,
            perturbation: Some(crate::stats::perturbation::PerturbationParams::DEFAULT),
            notes: vec![text("Störda antal.", "Perturbed counts.")],
            provenance: Some(Provenance::new(
                DefinitionVersion {
                    instrument: "sue".into(),
                    version: "1".into(),
                },
                &crate::stats::ReportOptions {
                    dimensions: vec![Dimension::Total, Dimension::Unit],
                    ..crate::stats::ReportOptions::default()
                },
                Input {
                    source: "store".into(),
                    units: vec!["Söder".into(), "Åby".into()],
                    digest: "sha256:00ff".into(),
                    read: 121,
                    counted: 120,
                    not_counted: vec![NotCountedTally {
                        reason: "unreadable".into(),
                        count: 1,
                    }],
                },
            )),
            tables: vec![
                table(
                    "housing",
                    "total",
                    vec![Row {
                        code: "total".into(),
                        label: text("Totalt", "Total"),
                        cells: vec![cell(Some(50), 113), cell(Some(63), 113)],
                    }],
                ),
                table(
                    "housing.unit",
                    "unit",
                    vec![
                        Row {
                            code: "Söder".into(),
                            label: text("Söder", "Söder"),
                            cells: vec![cell(Some(47), 105), cell(Some(58), 105)],
                        },
                        Row {
                            code: "Åby".into(),
                            label: text("Åby", "Åby"),
                            cells: vec![cell(None, 8), cell(Some(5), 8)],
                        },
                    ],
                ),
            ],
        }
    }

    #[test]
    fn swedish_excel_bytes() {
        let csv = to_csv(&small_report(), Language::Swedish, CsvDialect::ExcelSv);
        let expected = "\u{feff}Rapport;Rapport\r\n\
            Instrument;sue\r\n\
            Avser datum;2026-11-24\r\n\
            Röjandetröskel (personer);5\r\n\
            Antal;störda (cellnyckelmetoden)\r\n\
            Störning, största avvikelse (personer);2\r\n\
            Störning, varians;1,00\r\n\
            Poster;120\r\n\
            Personer;113\r\n\
            Instrumentdefinition;sue 1\r\n\
            Regelversioner;räkning 1, röjandekontroll 1\r\n\
            Indelningar;total unit\r\n\
            Källa;lagret\r\n\
            Enheter;Söder Åby\r\n\
            Indata, kontrollsumma;sha256:00ff\r\n\
            Lästa poster;121\r\n\
            Räknade poster;120\r\n\
            Ej räknade poster (kunde inte öppnas: ändrad i databasen);1\r\n\
            Program;bistand 0.1.0\r\n\
            Not;Störda antal.\r\n\
            Not;\"\"\"..\"\" = uppgiften visas inte: antalet är mindre än 5 personer, eller ligger \
            närmare sin bas än 5. Alla visade antal är störda (se ovan).\"\r\n\
            \r\n\
            Tabell;housing;\"Boende; eget\"\r\n\
            Beskrivning;Personer med eget boende\r\n\
            Enhet;Kod;Bas, personer;Ja, antal;Ja, procent;Ja, KI låg %;Ja, KI hög %;\
            Nej, antal;Nej, procent;Nej, KI låg %;Nej, KI hög %\r\n\
            total;code;base;ja.count;ja.percent;ja.ci_low;ja.ci_high;\
            nej.count;nej.percent;nej.ci_low;nej.ci_high\r\n\
            Totalt;total;113;50;44,2;35,4;53,4;63;55,8;46,6;64,6\r\n\
            \r\n\
            Tabell;housing.unit;\"Boende; eget\"\r\n\
            Beskrivning;Personer med eget boende\r\n\
            Enhet;Kod;Bas, personer;Ja, antal;Ja, procent;Ja, KI låg %;Ja, KI hög %;\
            Nej, antal;Nej, procent;Nej, KI låg %;Nej, KI hög %\r\n\
            unit;code;base;ja.count;ja.percent;ja.ci_low;ja.ci_high;\
            nej.count;nej.percent;nej.ci_low;nej.ci_high\r\n\
            Söder;Söder;105;47;44,8;35,6;54,3;58;55,2;45,7;64,4\r\n\
            Åby;Åby;8;..;..;..;..;5;62,5;30,6;86,3\r\n\
            Totalt;total;113;50;44,2;35,4;53,4;63;55,8;46,6;64,6\r\n";
        assert_eq!(csv, expected);
    }

    #[test]
    fn plain_bytes_in_english() {
        let csv = to_csv(&small_report(), Language::English, CsvDialect::Plain);
        assert!(csv.starts_with("Report,Report\r\nInstrument,sue\r\nAs of,2026-11-24\r\n"));
        assert!(csv.contains("\r\n\"Perturbation, variance\",1.00\r\n"));
        assert!(csv.contains("\r\nUnit,Code,\"Base, persons\",\"Yes, count\","));
        assert!(csv.contains("\r\nSöder,Söder,105,47,44.8,35.6,54.3,58,55.2,45.7,64.4\r\n"));
        assert!(csv.contains("\r\nÅby,Åby,8,..,..,..,..,5,62.5,30.6,86.3\r\n"));
    }

    #[test]
    fn long_format_has_one_line_per_cell_in_either_dialect() {
        let report = small_report();
        let plain = to_long_csv(&report, Language::English, CsvDialect::Plain);
        assert_eq!(plain.lines().count(), 1 + 2 + 4);
        assert!(plain.starts_with("table,table_title,rows,row,row_label,category,"));
        assert!(plain.contains(
            "\r\nhousing.unit,Housing; own,unit,Åby,Åby,ja,Yes,,8,,,,1,0,2,1.00,small,\r\n"
        ));
        let swedish = to_long_csv(&report, Language::Swedish, CsvDialect::ExcelSv);
        assert!(swedish.starts_with("\u{feff}tabell;tabellrubrik;"));
        assert!(
            swedish.contains(
                "\r\nhousing.unit;\"Boende; eget\";unit;Söder;Söder;ja;Ja;47;105;0,4476;"
            )
        );
    }

    #[test]
    fn dialects_write_their_decimal_mark() {
        assert_eq!(CsvDialect::ExcelSv.decimal(44.57, 1), "44,6");
        assert_eq!(CsvDialect::Plain.decimal(44.57, 1), "44.6");
        assert_eq!(
            CsvDialect::parse("excel-sv").expect("known"),
            CsvDialect::ExcelSv
        );
        assert!(CsvDialect::parse("excel").is_err());
    }
}
