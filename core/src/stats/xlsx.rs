//! XLSX export of a report: an "Om rapporten" (About) sheet with the report's facts and
//! provenance, then one sheet per table in the wide layout of published tables ([`super::wide`]):
//! a heading line for people and one of stable codes for programs (both frozen), groups down,
//! categories across with count, percent and interval, protected numbers `..` with the footnote
//! saying why. Written in memory (bytes out, no files), so every shell shares it.

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, Note, Workbook, Worksheet, XlsxError,
};

use super::GroupReport;
use super::wide::{self, Column, FactValue, PROTECTED, Value};
use crate::error::{Error, ErrorKind, Result};
use crate::text::{Language, Text};

/// The MIME type of the bytes [`to_xlsx`] returns.
pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The longest sheet name Excel accepts.
const SHEET_NAME_MAX: usize = 31;

/// The report as an XLSX workbook, with labels in `language`.
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] when a text of the report does not fit in a cell (over 32,767
/// characters): labels and notes are far shorter, so this does not happen with shipped
/// definitions.
pub fn to_xlsx(report: &GroupReport, language: Language) -> Result<Vec<u8>> {
    write(report, language).map_err(|_| {
        Error::new(
            ErrorKind::InvalidArgument,
            Text {
                sv: "rapporten kan inte skrivas som XLSX: en text är för lång för en cell".into(),
                en: "the report cannot be written as XLSX: a text is too long for a cell".into(),
            },
        )
    })
}

fn write(report: &GroupReport, language: Language) -> std::result::Result<Vec<u8>, XlsxError> {
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(13);
    let heading = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let code = Format::new().set_italic().set_font_color("#595959");
    let count = Format::new().set_num_format("#,##0");
    let percent = Format::new().set_num_format("0.0");
    let decimal = Format::new().set_num_format("0.00");
    let ratio = Format::new().set_num_format("0.000");
    let protected = Format::new().set_align(FormatAlign::Right);
    let total = Format::new().set_bold();

    let mut workbook = Workbook::new();
    // The workbook's creation time would otherwise be the clock's: the report's date keeps the
    // bytes a function of the report alone (core reads no clock; the same report, the same file).
    let date = report.as_of;
    let created = ExcelDateTime::from_ymd(
        u16::try_from(date.year()).unwrap_or(1900),
        u8::try_from(date.month()).unwrap_or(1),
        u8::try_from(date.day()).unwrap_or(1),
    )?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(report.title.in_language(language))
            .set_creation_datetime(&created),
    );
    let about = workbook.add_worksheet();
    about.set_name(match language {
        Language::Swedish => "Om rapporten",
        Language::English => "About",
    })?;
    about.set_column_width(0, 42)?;
    about.set_column_width(1, 80)?;
    let mut row = 0u32;
    for fact in wide::facts(report, language) {
        about.write_string_with_format(row, 0, &fact.label, &bold)?;
        match fact.value {
            FactValue::Text(text) => about.write_string(row, 1, &text)?,
            FactValue::Count(n) => about.write_number_with_format(row, 1, n as f64, &count)?,
            FactValue::Decimal(v) => about.write_number_with_format(row, 1, v, &decimal)?,
        };
        row += 1;
    }
    row += 1;
    let notes_heading = match language {
        Language::Swedish => "Att läsa tabellerna",
        Language::English => "Reading the tables",
    };
    about.write_string_with_format(row, 0, notes_heading, &bold)?;
    row += 1;
    let footnote = wide::protected_footnote(report);
    for note in report.notes.iter().chain(std::iter::once(&footnote)) {
        about.write_string(row, 0, note.in_language(language))?;
        row += 1;
    }

    let mut names: Vec<String> = Vec::new();
    for table in wide::wide_tables(report) {
        let sheet = workbook.add_worksheet();
        let name = sheet_name(&table.table.id, &names);
        sheet.set_name(&name)?;
        names.push(name);
        write_table(
            sheet,
            report,
            &table,
            language,
            &footnote,
            Formats {
                title: &title,
                heading: &heading,
                code: &code,
                count: &count,
                percent: &percent,
                ratio: &ratio,
                protected: &protected,
                total: &total,
            },
        )?;
    }
    workbook.save_to_buffer()
}

struct Formats<'f> {
    title: &'f Format,
    heading: &'f Format,
    code: &'f Format,
    count: &'f Format,
    percent: &'f Format,
    ratio: &'f Format,
    protected: &'f Format,
    total: &'f Format,
}

fn write_table(
    sheet: &mut Worksheet,
    report: &GroupReport,
    table: &wide::WideTable<'_>,
    language: Language,
    footnote: &Text,
    formats: Formats<'_>,
) -> std::result::Result<(), XlsxError> {
    let t = table.table;
    sheet.write_string_with_format(0, 0, t.title.in_language(language), formats.title)?;
    sheet.write_string(1, 0, t.description.in_language(language))?;
    // Row 3 holds the headings for people, row 4 the codes for programs; both stay in view.
    let (headings, codes, first) = (2u32, 3u32, 4u32);
    for (c, column) in table.columns.iter().enumerate() {
        let c = u16::try_from(c).expect("a table has far fewer than 65,536 columns");
        sheet.write_string_with_format(
            headings,
            c,
            column.heading(t, language),
            formats.heading,
        )?;
        sheet.write_string_with_format(codes, c, column.code(t), formats.code)?;
        sheet.set_column_width(c, if column.is_numeric() { 12 } else { 22 })?;
    }
    sheet.set_row_height(headings, 45)?;
    sheet.set_freeze_panes(first, 2)?;
    for (r, row) in table.rows.iter().enumerate() {
        let r = first + u32::try_from(r).expect("a table has far fewer than 2^32 rows");
        for (c, column) in table.columns.iter().enumerate() {
            let c = u16::try_from(c).expect("a table has far fewer than 65,536 columns");
            match column.value(row.row, language) {
                Value::Text(text) if row.is_total && matches!(column, Column::Label) => {
                    sheet.write_string_with_format(r, c, text, formats.total)?
                }
                Value::Text(text) => sheet.write_string(r, c, text)?,
                #[allow(clippy::cast_precision_loss)] // client counts are far below 2^52
                Value::Count(n) => sheet.write_number_with_format(r, c, n as f64, formats.count)?,
                Value::Percent(p) => sheet.write_number_with_format(r, c, p, formats.percent)?,
                Value::Ratio(v) => sheet.write_number_with_format(r, c, v, formats.ratio)?,
                Value::Protected(None) => {
                    sheet.write_string_with_format(r, c, PROTECTED, formats.protected)?
                }
                // `..` stays the cell's value (programs read it); why is in a note on the cell
                // and in the footnote under the table.
                Value::Protected(Some(reason)) => {
                    sheet.write_string_with_format(r, c, PROTECTED, formats.protected)?;
                    let note = wide::reason_footnote(report, reason);
                    sheet.insert_note(
                        r,
                        c,
                        &Note::new(note.in_language(language)).add_author_prefix(false),
                    )?
                }
            };
        }
    }
    if table.has_protected {
        let below = first + u32::try_from(table.rows.len()).expect("fewer than 2^32 rows") + 1;
        sheet.write_string(below, 0, footnote.in_language(language))?;
        for (n, &reason) in (1u32..).zip(&table.reasons) {
            let text = wide::reason_footnote(report, reason);
            sheet.write_string(below + n, 0, text.in_language(language))?;
        }
    }
    Ok(())
}

/// A sheet name for table `id`: Excel allows 31 characters and none of `[]:*?/\`; a name
/// already taken gets a number.
fn sheet_name(id: &str, taken: &[String]) -> String {
    let clean: String = id
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let fit = |s: &str, room: usize| s.chars().take(room).collect::<String>();
    let mut name = fit(&clean, SHEET_NAME_MAX);
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        let suffix = format!("~{n}");
        name = format!("{}{suffix}", fit(&clean, SHEET_NAME_MAX - suffix.len()));
        n += 1;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_report_gives_the_same_bytes() {
        let report = crate::stats::csv::tests::small_report();
        let first = to_xlsx(&report, Language::Swedish).expect("writes");
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert_eq!(first, to_xlsx(&report, Language::Swedish).expect("writes"));
        assert!(first.starts_with(b"PK"));
    }

    #[test]
    fn sheet_names_fit_and_are_unique() {
        let long = "a_very_long_measure_name.household_group";
        let first = sheet_name(long, &[]);
        assert_eq!(first.chars().count(), 31);
        let second = sheet_name(long, std::slice::from_ref(&first));
        assert_ne!(first, second);
        assert!(second.ends_with("~2") && second.chars().count() == 31);
        assert_eq!(sheet_name("a/b", &[]), "a_b");
    }
}
