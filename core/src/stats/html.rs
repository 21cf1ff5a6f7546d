//! A report as one self-contained HTML page: the facts and provenance, how to read the tables,
//! then every table in the wide layout of published tables ([`super::wide`], the same columns as
//! the XLSX and the CSV), with an SVG chart where people would rather look than read:
//!
//! - a table whose rows are groups of people (a breakdown: gender, unit, ...) and whose shares
//!   have intervals gets the shares with their intervals per group, categories down and one mark
//!   per group; the equality view (crude beside standardised shares) is such a table, its crude
//!   and standardised columns side by side;
//! - a cross table (rows that are not groups of people: life areas, intervention groups) gets a
//!   heat map of its shares (needs against interventions).
//!
//! Which chart a table gets follows from its structure alone, so tables added later are drawn
//! without changes here. Every chart is an `<svg role="img">` with a title and a description,
//! and its numbers are in the table under it. Cells carry their exact values in `data-value`
//! and columns their stable codes in `data-code`, for programs and tests.

use std::fmt::Write as _;

use super::disclosure::SuppressionReason;
use super::wide::{self, Column, PROTECTED, Value, WideTable};
use super::{Dimension, GroupReport, Row, Table};
use crate::html::{self, escape};
use crate::text::Language;

/// The MIME type of [`to_html`]'s page.
pub const CONTENT_TYPE: &str = html::CONTENT_TYPE;

/// Marks on one chart at most: a breakdown by unit with many categories would be a wall of dots;
/// its table says it better.
const MAX_MARKS: usize = 160;

/// Group colours of the interval chart: each at least 4.5:1 against white, so marks and their
/// legend meet WCAG's 3:1 for graphics. The total is black.
const COLOURS: [&str; 8] = [
    "#1b4f9c", "#b3261e", "#1e6b30", "#6a1b9a", "#8a4b00", "#00646e", "#ad1457", "#3f4a5a",
];

/// The report as an HTML page with labels in `language`.
pub fn to_html(report: &GroupReport, language: Language) -> String {
    let sv = language == Language::Swedish;
    let title = report.title.in_language(language);
    let mut body = String::new();
    let _ = write!(
        body,
        "<header>\n<h1>{}</h1>\n</header>\n<main>\n",
        escape(title)
    );

    // The facts and provenance, then how to read the tables.
    let about = if sv {
        "Om rapporten"
    } else {
        "About the report"
    };
    let _ = write!(
        body,
        "<section aria-labelledby=\"about\">\n<h2 id=\"about\">{about}</h2>\n<dl class=\"facts\">\n"
    );
    for fact in wide::facts(report, language) {
        let value = match fact.value {
            wide::FactValue::Text(text) => escape(&text),
            wide::FactValue::Count(n) => html::count(n, language),
            wide::FactValue::Decimal(v) => html::decimal(v, 2, language),
        };
        let _ = writeln!(body, "<dt>{}</dt><dd>{value}</dd>", escape(&fact.label));
    }
    let reading = if sv {
        "Att läsa tabellerna"
    } else {
        "Reading the tables"
    };
    let _ = write!(body, "</dl>\n<h3>{reading}</h3>\n");
    let footnote = wide::protected_footnote(report);
    for note in &report.notes {
        let _ = writeln!(body, "<p>{}</p>", escape(note.in_language(language)));
    }
    let _ = write!(
        body,
        "<p id=\"protected\">{}</p>\n</section>\n",
        escape(footnote.in_language(language))
    );

    let tables = wide::wide_tables(report);
    let contents = if sv { "Tabeller" } else { "Tables" };
    let _ = write!(
        body,
        "<nav class=\"contents\" aria-labelledby=\"contents\">\n<h2 id=\"contents\">{contents}</h2>\n<ol>\n"
    );
    for (n, table) in tables.iter().enumerate() {
        let _ = writeln!(
            body,
            "<li><a href=\"#t{n}\">{}</a></li>",
            escape(&caption(table.table, language))
        );
    }
    body.push_str("</ol>\n</nav>\n");

    for (n, table) in tables.iter().enumerate() {
        write_table(
            &mut body,
            report,
            n,
            table,
            language,
            footnote.in_language(language),
        );
    }
    body.push_str("</main>\n");
    html::page(language, title, "", &body)
}

/// A table's caption: its title and what its rows are.
fn caption(table: &Table, language: Language) -> String {
    if table.rows_are == "total" {
        return table.title.in_language(language).to_owned();
    }
    let by = match language {
        Language::Swedish => "efter",
        Language::English => "by",
    };
    format!(
        "{}, {by} {}",
        table.title.in_language(language),
        table.rows_label.in_language(language).to_lowercase()
    )
}

/// The reason's code as the JSON report writes it.
fn reason_code(reason: SuppressionReason) -> String {
    serde_json::to_value(reason)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn write_table(
    out: &mut String,
    report: &GroupReport,
    n: usize,
    table: &WideTable<'_>,
    language: Language,
    footnote: &str,
) {
    let t = table.table;
    let caption = caption(t, language);
    let _ = write!(
        out,
        "<section class=\"table\" id=\"t{n}\" aria-labelledby=\"t{n}-h\">\n<h2 id=\"t{n}-h\">{}</h2>\n<p>{}</p>\n",
        escape(&caption),
        escape(t.description.in_language(language))
    );
    match chart_kind(table) {
        Some(Chart::Intervals) => interval_chart(out, n, table, &caption, language),
        Some(Chart::HeatMap) => heat_map(out, n, t, &caption, language),
        None => {}
    }
    let _ = write!(
        out,
        "<div class=\"scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"t{n}-c\">\n\
         <table data-table=\"{}\">\n<caption id=\"t{n}-c\">{}</caption>\n<thead><tr>",
        escape(&t.id),
        escape(&caption)
    );
    for column in &table.columns {
        let class = if column.is_numeric() {
            " class=\"num\""
        } else {
            ""
        };
        let _ = write!(
            out,
            "<th scope=\"col\"{class} data-code=\"{}\">{}</th>",
            escape(&column.code(t)),
            escape(&column.heading(t, language))
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str(if row.is_total {
            "<tr class=\"total\">"
        } else {
            "<tr>"
        });
        for column in &table.columns {
            match (column, column.value(row.row, language)) {
                (Column::Label, Value::Text(text)) => {
                    let _ = write!(out, "<th scope=\"row\">{}</th>", escape(text));
                }
                (_, Value::Text(text)) => {
                    let _ = write!(out, "<td class=\"code\">{}</td>", escape(text));
                }
                (_, Value::Count(c)) => {
                    let _ = write!(
                        out,
                        "<td class=\"num\" data-value=\"{c}\">{}</td>",
                        html::count(c, language)
                    );
                }
                (_, Value::Percent(p)) => {
                    let _ = write!(
                        out,
                        "<td class=\"num\" data-value=\"{p}\">{}</td>",
                        html::decimal(p, 1, language)
                    );
                }
                (_, Value::Ratio(r)) => {
                    let _ = write!(
                        out,
                        "<td class=\"num\" data-value=\"{r}\">{}</td>",
                        html::decimal(r, 3, language)
                    );
                }
                (_, Value::Protected(None)) => {
                    let _ = write!(out, "<td class=\"num\">{PROTECTED}</td>");
                }
                (_, Value::Protected(Some(reason))) => {
                    let _ = write!(
                        out,
                        "<td class=\"num\" data-reason=\"{}\">{PROTECTED}<sup>{}</sup></td>",
                        reason_code(reason),
                        wide::marker(reason)
                    );
                }
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
    if table.has_protected {
        let _ = writeln!(out, "<p class=\"footnote\">{}</p>", escape(footnote));
    }
    for &reason in &table.reasons {
        let _ = writeln!(
            out,
            "<p class=\"footnote\">{}</p>",
            escape(wide::reason_footnote(report, reason).in_language(language))
        );
    }
    out.push_str("</section>\n");
}

enum Chart {
    Intervals,
    HeatMap,
}

/// The chart a table gets, from its structure: see the module's documentation.
fn chart_kind(table: &WideTable<'_>) -> Option<Chart> {
    let t = table.table;
    let marks = table.rows.len() * t.categories.len();
    let shares = table
        .rows
        .iter()
        .flat_map(|r| &r.row.cells)
        .filter(|c| c.share.is_some())
        .count();
    if t.rows.len() < 2 || shares == 0 || marks > MAX_MARKS {
        return None;
    }
    let groups_of_people = Dimension::parse(&t.rows_are).is_ok();
    let intervals = table
        .rows
        .iter()
        .flat_map(|r| &r.row.cells)
        .any(|c| c.interval.is_some());
    if groups_of_people {
        intervals.then_some(Chart::Intervals)
    } else {
        (t.categories.len() > 1).then_some(Chart::HeatMap)
    }
}

/// Shares with their 95 % intervals: a band per category, one line per group (the total in
/// black), the share a dot and the interval a line; a share not shown has no mark.
fn interval_chart(
    out: &mut String,
    n: usize,
    table: &WideTable<'_>,
    caption: &str,
    language: Language,
) {
    let t = table.table;
    let rows: Vec<(&Row, bool)> = table.rows.iter().map(|r| (r.row, r.is_total)).collect();
    let (label_w, plot_w, line_h, gap) = (340.0, 440.0, 12.0, 10.0);
    let width = label_w + plot_w + 30.0;
    // The legend: one swatch per group, in lines as wide as the chart.
    let mut legend = Vec::new();
    let (mut lx, mut ly) = (0.0, 14.0);
    for (i, (row, total)) in rows.iter().enumerate() {
        let label = row.label.in_language(language);
        let w = 22.0 + 7.0 * label.chars().count() as f64;
        if lx > 0.0 && lx + w > width {
            (lx, ly) = (0.0, ly + 18.0);
        }
        legend.push((lx, ly, colour(i, *total), label));
        lx += w;
    }
    let top = ly + 32.0;
    let band = line_h * rows.len() as f64 + gap;
    let height = top + band * t.categories.len() as f64 + 30.0;
    let upper = rows
        .iter()
        .flat_map(|(r, _)| &r.cells)
        .filter_map(|c| c.interval.map(|i| i[1]).or(c.share))
        .fold(0.0f64, f64::max);
    // The axis ends at the next 10 % above the largest interval (at least 10 %, at most 100 %).
    let axis_max = ((upper * 10.0).ceil() / 10.0).clamp(0.1, 1.0);
    let x = |share: f64| label_w + share / axis_max * plot_w;
    let (title, desc) = match language {
        Language::Swedish => (
            format!("Diagram: {caption}"),
            "Andelar i procent med 95 % konfidensintervall, en rad per grupp inom varje \
             kategori. Samma tal finns i tabellen under diagrammet.",
        ),
        Language::English => (
            format!("Chart: {caption}"),
            "Shares in percent with 95 % confidence intervals, one line per group within each \
             category. The same numbers are in the table below the chart.",
        ),
    };
    out.push_str("<figure>");
    html::svg_open(out, &format!("t{n}-chart"), width, height, &title, desc);
    for (lx, ly, colour, label) in legend {
        let _ = write!(
            out,
            "<circle cx=\"{:.1}\" cy=\"{ly:.1}\" r=\"4.5\" fill=\"{colour}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#1a1a1a\">{}</text>",
            lx + 5.0,
            lx + 13.0,
            ly + 4.0,
            escape(label)
        );
    }
    // Grid lines and axis labels every 10 % (every 20 % above 50 %).
    let step = if axis_max > 0.5 { 0.2 } else { 0.1 };
    let bottom = height - 24.0;
    let mut tick = 0.0;
    while tick <= axis_max + 1e-9 {
        let gx = x(tick);
        let _ = write!(
            out,
            "<line x1=\"{gx:.1}\" y1=\"{:.1}\" x2=\"{gx:.1}\" y2=\"{bottom:.1}\" stroke=\"#8c8c8c\" stroke-width=\"0.5\"/>\
             <text x=\"{gx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#1a1a1a\">{} %</text>",
            top - 8.0,
            bottom + 15.0,
            html::decimal(tick * 100.0, 0, language)
        );
        tick += step;
    }
    for (c, category) in t.categories.iter().enumerate() {
        let y0 = top + band * c as f64;
        let label = category.label.in_language(language);
        // A long label keeps its start and its end (where "crude" and "standardised" differ).
        let chars: Vec<char> = label.chars().collect();
        let shown: String = if chars.len() > 52 {
            let start: String = chars[..20].iter().collect();
            let end: String = chars[chars.len() - 31..].iter().collect();
            format!("{start}…{end}")
        } else {
            label.to_owned()
        };
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#1a1a1a\">{}</text>",
            label_w - 8.0,
            y0 + band / 2.0,
            escape(&shown)
        );
        if c > 0 {
            let _ = write!(
                out,
                "<line x1=\"0\" y1=\"{:.1}\" x2=\"{width:.0}\" y2=\"{:.1}\" stroke=\"#d0d0d0\" stroke-width=\"0.5\"/>",
                y0 - gap / 2.0,
                y0 - gap / 2.0
            );
        }
        for (i, (row, total)) in rows.iter().enumerate() {
            let cell = &row.cells[c];
            let Some(share) = cell.share else { continue };
            let y = y0 + line_h * (i as f64 + 0.5);
            let colour = colour(i, *total);
            if let Some([low, high]) = cell.interval {
                let _ = write!(
                    out,
                    "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\" stroke-width=\"1.5\"/>",
                    x(low),
                    x(high)
                );
            }
            let _ = write!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"3.5\" fill=\"{colour}\"/>",
                x(share)
            );
        }
    }
    out.push_str("</svg></figure>\n");
}

/// Black or white, whichever contrasts more with `rgb`: at least 4.58:1 for any colour (WCAG's
/// relative luminance; the two contrasts are equal where the luminance is 0.179).
fn ink_on(rgb: [u8; 3]) -> &'static str {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2]);
    if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) {
        "#000000"
    } else {
        "#ffffff"
    }
}

fn colour(i: usize, total: bool) -> &'static str {
    if total {
        "#000000"
    } else {
        COLOURS[i % COLOURS.len()]
    }
}

/// The shares of a cross table as a heat map: rows down, categories across, darker for larger
/// shares, each square labelled with its percent (or `..`).
fn heat_map(out: &mut String, n: usize, t: &Table, caption: &str, language: Language) {
    let (label_w, cell_w, cell_h, top) = (230.0, 64.0, 26.0, 150.0);
    // Room on the right for the last column's slanted heading.
    let width = label_w + cell_w * t.categories.len() as f64 + 110.0;
    // The darkest square is the table's largest share, so differences show in any table.
    let largest = t
        .rows
        .iter()
        .flat_map(|r| &r.cells)
        .filter_map(|c| c.share)
        .fold(0.0f64, f64::max)
        .max(f64::EPSILON);
    let height = top + cell_h * t.rows.len() as f64 + 10.0;
    let (title, desc) = match language {
        Language::Swedish => (
            format!("Diagram: {caption}"),
            "Värmekarta: andel i procent för varje rad och kolumn, mörkare ju större andel (den \
             mörkaste är tabellens största andel). Samma tal finns i tabellen under diagrammet.",
        ),
        Language::English => (
            format!("Chart: {caption}"),
            "Heat map: the share in percent for each row and column, darker for larger shares (the \
             darkest is the table's largest). The same numbers are in the table below the chart.",
        ),
    };
    out.push_str("<figure>");
    html::svg_open(out, &format!("t{n}-chart"), width, height, &title, desc);
    for (c, category) in t.categories.iter().enumerate() {
        let cx = label_w + cell_w * (c as f64 + 0.5);
        let label = category.label.in_language(language);
        let shown: String = if label.chars().count() > 26 {
            let cut: String = label.chars().take(25).collect();
            format!("{cut}…")
        } else {
            label.to_owned()
        };
        let _ = write!(
            out,
            "<text transform=\"translate({cx:.1},{:.1}) rotate(-40)\" fill=\"#1a1a1a\">{}</text>",
            top - 6.0,
            escape(&shown)
        );
    }
    for (r, row) in t.rows.iter().enumerate() {
        let y = top + cell_h * r as f64;
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#1a1a1a\">{}</text>",
            label_w - 8.0,
            y + cell_h / 2.0 + 4.0,
            escape(row.label.in_language(language))
        );
        for (c, cell) in row.cells.iter().enumerate() {
            let x = label_w + cell_w * c as f64;
            let (fill, ink, text) = match cell.share {
                Some(share) => {
                    // From white to dark blue (#0b3a75).
                    let s = (share / largest).clamp(0.0, 1.0);
                    let mix = |from: f64, to: f64| (from + (to - from) * s).round() as u8;
                    let rgb = [mix(255.0, 11.0), mix(255.0, 58.0), mix(255.0, 117.0)];
                    let fill = format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]);
                    (fill, ink_on(rgb), html::decimal(share * 100.0, 0, language))
                }
                None => ("#f2f2f2".to_owned(), "#1a1a1a", PROTECTED.to_owned()),
            };
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\" stroke=\"#ffffff\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{ink}\">{text}</text>",
                cell_w - 1.0,
                cell_h - 1.0,
                x + cell_w / 2.0,
                y + cell_h / 2.0 + 4.0
            );
        }
    }
    out.push_str("</svg></figure>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_map_ink_contrasts_with_every_square() {
        assert_eq!(ink_on([255, 255, 255]), "#000000");
        assert_eq!(ink_on([11, 58, 117]), "#ffffff");
        assert_eq!(ink_on([200, 210, 225]), "#000000");
    }

    #[test]
    fn the_page_is_self_contained_and_protected_cells_are_explained() {
        let report = crate::stats::csv::tests::small_report();
        let page = to_html(&report, Language::Swedish);
        assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"sv\">"));
        for outside in [
            "<script", "<link", "src=", "url(", "@import", "http://", "https://",
        ] {
            // The SVG namespace is a name, not a fetch.
            let found = page
                .replace("xmlns=\"http://www.w3.org/2000/svg\"", "")
                .contains(outside);
            assert!(!found, "{outside} in the page");
        }
        assert!(page.contains("<th scope=\"col\""));
        assert!(page.contains("<caption"));
        // The small report has a protected cell: `..`, and the footnote saying why.
        assert!(page.contains("<td class=\"num\" data-reason=\"small\">..<sup>a</sup></td>"));
        assert!(page.contains(
            "<p class=\"footnote\">a &quot;..&quot;: antalet är mindre än 5 personer.</p>"
        ));
        assert!(page.contains("<p class=\"footnote\">&quot;..&quot;"));
        // Its numbers as people read them, and exact for programs.
        assert!(page.contains("<td class=\"num\" data-value=\"113\">113</td>"));
        assert!(to_html(&report, Language::English).contains("<html lang=\"en\">"));
    }
}
