//! Group reports with disclosure control: `GET /v1/reports/{instrument}`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bistand_core::stats::csv::{CsvDialect, to_csv, to_long_csv};
use bistand_core::stats::{GroupReport, ReportOptions, html, xlsx};
use bistand_core::{Language, Text};
use bistand_store::documents;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Action;
use crate::problem::{ApiError, REQUEST_ID};
use crate::today;

use super::AppState;
use super::extract::{Caller, Segment, blocking, log_unreadable, query};
use super::validation::strict_date;

/// Report filters and format.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct ReportQuery {
    /// The date the report describes (YYYY-MM-DD); default: today.
    #[param(value_type = Option<String>, format = Date)]
    #[serde(default, deserialize_with = "strict_date")]
    as_of: Option<Date>,
    /// Disclosure threshold (at least 5, the default).
    // Signed: the largest an OpenAPI `int64` holds is the largest accepted.
    #[param(minimum = 5, example = 10)]
    threshold: Option<i64>,
    /// Comma-separated breakdowns: gender, age_band, origin, household, unit, period,
    /// fia_assessment (the FIA overall assessment of the same person); default: all.
    #[param(value_type = Option<super::schemas::BreakdownList>)]
    breakdowns: Option<String>,
    /// Comma-separated tables: table ids (`needs.gender`) or families (`needs`: the table and
    /// each breakdown of it); default: every table. Only the tables asked for are computed.
    #[param(value_type = Option<Vec<super::schemas::TableName>>, style = Form, explode = false,
        example = json!(["needs", "clients.gender"]))]
    tables: Option<String>,
    /// Comma-separated units, all yours; default: all your units.
    units: Option<String>,
    /// `json` (default), `csv` (the wide layout of published tables), `csv-long` (one line
    /// per cell), `xlsx` (an Excel workbook: the provenance, then one sheet per table) or `html`
    /// (one self-contained page: the provenance, the tables and charts).
    #[param(value_type = Option<ReportFormat>)]
    format: Option<String>,
    /// Headings and labels of CSV, XLSX and HTML: `sv` (default) or `en`.
    #[param(value_type = Option<ReportLanguage>)]
    lang: Option<String>,
    /// CSV dialect: `excel-sv` (UTF-8 byte order mark, `;`, decimal comma) or `plain` (`,`,
    /// decimal point); default: `excel-sv` with `lang=sv`, `plain` with `lang=en`.
    #[param(value_type = Option<ReportCsvDialect>)]
    csv_dialect: Option<String>,
}

/// What a report is written as (the `format` parameter; parsed in [`report`]).
#[derive(ToSchema)]
#[schema(rename_all = "kebab-case")]
pub(super) enum ReportFormat {
    Json,
    Csv,
    CsvLong,
    Xlsx,
    Html,
}

/// The dialect of a CSV report (the `csv_dialect` parameter; parsed by `CsvDialect::parse`).
#[derive(ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)] // names the values for the schema; the text is parsed by the core
pub(super) enum ReportCsvDialect {
    ExcelSv,
    Plain,
}

/// The language of a CSV report's headings (the `lang` parameter; parsed in [`report`]).
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub(super) enum ReportLanguage {
    Sv,
    En,
}

/// A report, and how many stored records could not be read as documents and were not counted.
#[derive(Serialize, ToSchema)]
pub(super) struct ReportBody<'a> {
    #[schema(value_type = bistand_core::stats::GroupReport)]
    report: &'a bistand_core::stats::GroupReport,
    records_not_counted: usize,
}

/// A group report over the records of your units, with small cells suppressed.
#[utoipa::path(get, path = "/v1/reports/{instrument}", tag = "reports", security(("bearer" = [])),
    params(("instrument" = super::schemas::InstrumentName, Path, description = "The instrument whose records to report on."), ReportQuery),
    responses((status = 200, description = "The report: JSON; CSV with format=csv or csv-long; an XLSX workbook with format=xlsx; an HTML page with format=html.",
               content((ReportBody<'_> = "application/json"), (String = "text/csv"), (String = "text/html"),
                       (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
              (status = 400, description = "A bad parameter (a threshold under 5, an unknown breakdown, table, format, lang or csv_dialect).", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 403, description = "Not an analyst, or a unit that is not yours.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 404, description = "An instrument the service does not know.", body = crate::problem::Problem, content_type = "application/problem+json"),
              (status = 422, description = "A table this instrument's report does not have (with the breakdowns asked for).", body = crate::problem::Problem, content_type = "application/problem+json")))]
pub(super) async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Segment(instrument): Segment,
    filters: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let principal = caller.require(Action::Reports)?.clone();
    let filters = query(filters)?;
    let options = ReportOptions::new(
        // A negative threshold is refused like any under the minimum.
        filters.threshold.map(|t| u64::try_from(t).unwrap_or(0)),
        filters
            .breakdowns
            .as_deref()
            .map(|list| list.split(',').filter(|n| !n.is_empty())),
    )?
    .with_tables(filters.tables.as_deref().map(|list| list.split(',')))?;
    let units: Vec<String> = match &filters.units {
        None => principal
            .units
            .iter()
            .map(|u| u.as_str().to_owned())
            .collect(),
        Some(list) => {
            let units: Vec<String> = list.split(',').map(str::to_owned).collect();
            if units.iter().any(|u| !principal.has_unit(u)) {
                return Err(ApiError::forbidden_unit());
            }
            units
        }
    };
    let format = match filters.format.as_deref() {
        None | Some("json") => ReportFormat::Json,
        Some("csv") => ReportFormat::Csv,
        Some("csv-long") => ReportFormat::CsvLong,
        Some("xlsx") => ReportFormat::Xlsx,
        Some("html") => ReportFormat::Html,
        Some(_) => {
            return Err(ApiError::invalid_request(Text {
                sv: "`format` måste vara json, csv, csv-long, xlsx eller html".into(),
                en: "`format` must be json, csv, csv-long, xlsx or html".into(),
            }));
        }
    };
    let language = match filters.lang.as_deref() {
        None | Some("sv") => ReportLanguage::Sv,
        Some("en") => ReportLanguage::En,
        Some(_) => {
            return Err(ApiError::invalid_request(Text {
                sv: "`lang` måste vara sv eller en".into(),
                en: "`lang` must be sv or en".into(),
            }));
        }
    };
    let dialect = match filters.csv_dialect.as_deref() {
        None => CsvDialect::for_language(match language {
            ReportLanguage::Sv => Language::Swedish,
            ReportLanguage::En => Language::English,
        }),
        Some(name) => CsvDialect::parse(name)?,
    };
    // The instrument and the tables asked for are checked before any audit entry is written.
    let definition = state.0.engine.definition(&instrument, None)?;
    let as_of = filters.as_of.unwrap_or_else(today);
    bistand_core::stats::GroupAggregate::new(&state.0.engine, definition, as_of)?
        .select(&options)
        .map_err(|error| ApiError::table_not_in_report(&error))?;
    let state = state.clone();
    let request_id = REQUEST_ID.try_with(|id| *id).ok();
    // The caller's role is a configured term and its name a checked principal, so this holds;
    // a refusal would still be an answer, not a panic.
    let reader = documents::Reader::new(principal.name.as_str(), principal.role.as_str())?;
    let report = blocking(move || {
        let inner = &state.0;
        // Audited there, for every interface alike: the read per unit, failed reads by record id.
        let report = documents::report_from_store(
            &*inner.store,
            &inner.engine,
            &instrument,
            Some(&units),
            as_of,
            &options,
            &inner.statistics,
            &reader,
        )?;
        // A record that fails authentication is left out (one bad row must not stop the report
        // of its unit); its failed read is logged here with the request id.
        for skipped in &report.not_counted {
            if skipped.reason == documents::NotCountedReason::Unreadable {
                log_unreadable(&skipped.record_id, request_id);
            }
        }
        Ok(report)
    })
    .await?;
    let language = match language {
        ReportLanguage::Sv => Language::Swedish,
        ReportLanguage::En => Language::English,
    };
    let csv = |write: fn(&GroupReport, Language, CsvDialect) -> String| {
        (
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            write(&report.report, language, dialect),
        )
            .into_response()
    };
    Ok(match format {
        ReportFormat::Json => Json(ReportBody {
            report: &report.report,
            records_not_counted: report.not_counted.len(),
        })
        .into_response(),
        ReportFormat::Csv => csv(to_csv),
        ReportFormat::CsvLong => csv(to_long_csv),
        ReportFormat::Xlsx => (
            [
                (header::CONTENT_TYPE, xlsx::CONTENT_TYPE.to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"{}-{}.xlsx\"",
                        report.report.instrument, report.report.as_of
                    ),
                ),
            ],
            xlsx::to_xlsx(&report.report, language)?,
        )
            .into_response(),
        ReportFormat::Html => (
            [(header::CONTENT_TYPE, html::CONTENT_TYPE)],
            html::to_html(&report.report, language),
        )
            .into_response(),
    })
}
