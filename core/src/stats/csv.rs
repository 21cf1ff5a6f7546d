//! CSV export of a report: one line per cell, in long format, with headings and labels in the
//! chosen language. Suppressed numbers are empty fields with `suppressed` = 1. Every line also says
//! whether counts are exact and, when not, the perturbation's largest deviation and variance, so a
//! line read alone is never taken for an exact count.

use super::GroupReport;
use crate::text::Language;

/// The report as CSV (RFC 4180: comma-separated, CRLF line ends, fields quoted when needed).
pub fn to_csv(report: &GroupReport, language: Language) -> String {
    let headings: [&str; 16] = match language {
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
        ],
    };
    let mut out = String::new();
    line(&mut out, headings.iter().map(|h| (*h).to_owned()));
    let number = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
    let decimal = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_default();
    for table in &report.tables {
        for row in &table.rows {
            for (category, cell) in table.categories.iter().zip(&row.cells) {
                line(
                    &mut out,
                    [
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
                            .map(|p| p.variance.to_string())
                            .unwrap_or_default(),
                    ]
                    .into_iter(),
                );
            }
        }
    }
    out
}

fn line(out: &mut String, fields: impl Iterator<Item = String>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if field.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&field);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_separators_are_quoted() {
        let mut out = String::new();
        line(
            &mut out,
            ["a".to_owned(), "b,c".to_owned(), "say \"hi\"".to_owned()].into_iter(),
        );
        assert_eq!(out, "a,\"b,c\",\"say \"\"hi\"\"\"\r\n");
    }
}
