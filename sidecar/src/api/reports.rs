//! Group reports with disclosure control: `GET /v1/reports/{instrument}`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bistand_core::stats::csv::{CsvDialect, to_csv, to_long_csv};
use bistand_core::stats::xlsx;
use bistand_core::stats::{GroupReport, ReportOptions};
use bistand_core::{Language, Text};
use bistand_store::documents;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::auth::Action;
use crate::problem::{ApiError, REQUEST_ID};
use crate::today;

use super::AppState;
use super::extract::{Caller, Segment, audit, blocking, failed_read, log_unreadable, query};
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
    threshold: Option<u64>,
    /// Comma-separated breakdowns: gender, age_band, origin, household, unit, period; default:
    /// all.
    breakdowns: Option<String>,
    /// Comma-separated units, all yours; default: all your units.
    units: Option<String>,
    /// `json` (default), `csv` (the wide layout of published tables), `csv-long` (one line
    /// per cell) or `xlsx` (an Excel workbook: the provenance, then one sheet per table).
    #[param(value_type = Option<ReportFormatParam>, inline)]
    format: Option<String>,
    /// Headings and labels of the CSV: `sv` (default) or `en`.
    lang: Option<String>,
    /// CSV dialect: `excel-sv` (UTF-8 byte order mark, `;`, decimal comma) or `plain` (`,`,
    /// decimal point); default: `excel-sv` with `lang=sv`, `plain` with `lang=en`.
    csv_dialect: Option<String>,
}

/// The formats a report is served in (the OpenAPI enum of `format`).
#[derive(Clone, Copy, utoipa::ToSchema)]
#[schema(rename_all = "kebab-case")]
pub(super) enum ReportFormatParam {
    Json,
    Csv,
    CsvLong,
    Xlsx,
}

/// A report, and how many stored records could not be read as documents and were not counted.
#[derive(Serialize)]
pub(super) struct ReportBody<'a> {
    report: &'a bistand_core::stats::GroupReport,
    records_not_counted: usize,
}

/// A group report over the records of your units, with small cells suppressed.
#[utoipa::path(get, path = "/v1/reports/{instrument}", tag = "reports", security(("bearer" = [])),
    params(("instrument" = String, Path, description = "sue or fia"), ReportQuery),
    responses((status = 200, description = "The report: JSON; CSV with format=csv or csv-long (text/csv); an XLSX workbook with format=xlsx.", body = serde_json::Value),
              (status = 403, description = "Not an analyst, or a unit that is not yours.", body = crate::problem::Problem)))]
pub(super) async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Segment(instrument): Segment,
    filters: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let principal = caller.require(Action::Reports)?.clone();
    let filters = query(filters)?;
    let options = ReportOptions::new(
        filters.threshold,
        filters
            .breakdowns
            .as_deref()
            .map(|list| list.split(',').filter(|n| !n.is_empty())),
    )?;
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
        None | Some("json") => ReportFormatParam::Json,
        Some("csv") => ReportFormatParam::Csv,
        Some("csv-long") => ReportFormatParam::CsvLong,
        Some("xlsx") => ReportFormatParam::Xlsx,
        Some(_) => {
            return Err(ApiError::invalid_request(Text {
                sv: "`format` måste vara json, csv, csv-long eller xlsx".into(),
                en: "`format` must be json, csv, csv-long or xlsx".into(),
            }));
        }
    };
    let language = match filters.lang.as_deref() {
        None | Some("sv") => Language::Swedish,
        Some("en") => Language::English,
        Some(_) => {
            return Err(ApiError::invalid_request(Text {
                sv: "`lang` måste vara sv eller en".into(),
                en: "`lang` must be sv or en".into(),
            }));
        }
    };
    let dialect = match filters.csv_dialect.as_deref() {
        None => CsvDialect::for_language(language),
        Some(name) => CsvDialect::parse(name)?,
    };
    // The instrument is checked before any audit entry is written.
    state.0.engine.definition(&instrument, None)?;
    let as_of = filters.as_of.unwrap_or_else(today);
    let state = state.clone();
    let request_id = REQUEST_ID.try_with(|id| *id).ok();
    let report = blocking(move || {
        let inner = &state.0;
        for unit in &units {
            inner
                .store
                .audit_append(audit(&principal, "report.read", Some(unit), None, "ok"))?;
        }
        let report = documents::report_from_store(
            &*inner.store,
            &inner.engine,
            &instrument,
            Some(&units),
            as_of,
            &options,
            &inner.statistics,
        )?;
        // A record that fails authentication is left out (one bad row must not stop the report
        // of its unit), and its failed read is logged and audited like any other.
        for skipped in &report.not_counted {
            if skipped.reason == documents::NotCountedReason::Unreadable {
                log_unreadable(&skipped.record_id, request_id);
                inner
                    .store
                    .audit_append(failed_read(&principal, &skipped.record_id))?;
            }
        }
        Ok(report)
    })
    .await?;
    let csv = |write: fn(&GroupReport, Language, CsvDialect) -> String| {
        (
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            write(&report.report, language, dialect),
        )
            .into_response()
    };
    Ok(match format {
        ReportFormatParam::Json => Json(ReportBody {
            report: &report.report,
            records_not_counted: report.not_counted.len(),
        })
        .into_response(),
        ReportFormatParam::Csv => csv(to_csv),
        ReportFormatParam::CsvLong => csv(to_long_csv),
        ReportFormatParam::Xlsx => (
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
    })
}
