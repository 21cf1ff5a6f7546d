//! `bistand report`: group reports from NDJSON the user holds or from the store.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use bistand_core::stats::csv::{CsvDialect, to_csv, to_long_csv};
use bistand_core::stats::html::to_html;
use bistand_core::stats::ndjson::PersonKeys;
use bistand_core::stats::provenance::SavedReport;
use bistand_core::stats::xlsx::to_xlsx;
use bistand_core::stats::{GroupReport, NdjsonAggregator, ReportOptions};
use bistand_core::{Engine, Language};
use jiff::civil::Date;

use super::args::{ReportArgs, ReportFormat};
use super::input::open_input;
use super::store::report_from_store;
use crate::progress::Progress;

/// `bistand report`: a group report from NDJSON or from the encrypted store.
pub(super) fn report(
    out: &mut dyn Write,
    args: ReportArgs,
    definitions: Option<&Path>,
) -> Result<ExitCode> {
    let ReportArgs {
        instrument,
        input,
        instrument_version,
        db,
        keys,
        exact,
        unit,
        as_of,
        threshold,
        breakdown,
        format,
        lang,
        csv_dialect,
        verify: saved,
        out: out_file,
        quiet,
    } = args;
    // Supplied definitions are reported on like the shipped ones (the generic report).
    let engine = super::input::engine(definitions, None)?;
    if let Some(saved) = saved {
        return verify(out, &engine, &saved, db, keys, &input, lang.into(), quiet);
    }
    let as_of = match as_of {
        Some(date) => bistand_core::date::parse_date(&date)
            .context("--as-of must be a real date written YYYY-MM-DD")?,
        None => crate::today(),
    };
    let breakdowns = (!breakdown.is_empty()).then(|| breakdown.iter().map(String::as_str));
    let options = ReportOptions {
        exact,
        ..ReportOptions::new(Some(threshold), breakdowns)?
    };
    let report = match (db, keys) {
        (Some(db), Some(keys)) => report_from_store(
            &engine,
            &instrument,
            &db,
            &keys,
            unit.map(|u| vec![u]),
            as_of,
            &options,
            quiet,
        )?,
        (_, keys) => report_from_ndjson(
            &engine,
            &instrument,
            instrument_version.as_deref(),
            &input,
            keys.as_deref(),
            as_of,
            &options,
            quiet,
        )?,
    };
    let bytes = match format {
        ReportFormat::Json => format!("{}\n", serde_json::to_string_pretty(&report)?).into_bytes(),
        ReportFormat::Csv | ReportFormat::CsvLong => {
            let dialect =
                csv_dialect.map_or_else(|| CsvDialect::for_language(lang.into()), Into::into);
            match format {
                ReportFormat::CsvLong => to_long_csv(&report, lang.into(), dialect),
                _ => to_csv(&report, lang.into(), dialect),
            }
            .into_bytes()
        }
        ReportFormat::Xlsx => {
            if out_file.is_none() && std::io::stdout().is_terminal() {
                anyhow::bail!(
                    "an XLSX report is binary and would garble the terminal: give --out FILE or \
                     redirect standard output to a file"
                );
            }
            to_xlsx(&report, lang.into())?
        }
        ReportFormat::Html => to_html(&report, lang.into()).into_bytes(),
    };
    match out_file {
        Some(path) => std::fs::write(&path, bytes)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => out.write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `bistand report --verify`: makes the saved report again from the same source with the options
/// its provenance names, and says whether it is identical (exit 0) or which parts differ (exit 1).
#[allow(clippy::too_many_arguments)] // the report's own, and the saved report's
fn verify(
    out: &mut dyn Write,
    engine: &Engine,
    saved: &Path,
    db: Option<std::path::PathBuf>,
    keys: Option<std::path::PathBuf>,
    input: &Path,
    language: Language,
    quiet: bool,
) -> Result<ExitCode> {
    let bytes = std::fs::read(saved)
        .with_context(|| format!("cannot read the report {}", saved.display()))?;
    let saved = SavedReport::parse(&bytes)?;
    let options = saved.options()?;
    let provenance = saved.provenance();
    let instrument = &provenance.definition.instrument;
    let units = provenance.input.units.clone();
    let again = match (db, keys) {
        (Some(db), Some(keys)) => report_from_store(
            engine,
            instrument,
            &db,
            &keys,
            (!units.is_empty()).then_some(units),
            saved.as_of(),
            &options,
            quiet,
        )?,
        (_, keys) => report_from_ndjson(
            engine,
            instrument,
            Some(&provenance.definition.version),
            input,
            keys.as_deref(),
            saved.as_of(),
            &options,
            quiet,
        )?,
    };
    let differences = saved.differences(&again);
    if differences.is_empty() {
        writeln!(
            out,
            "{}",
            match language {
                Language::Swedish => "identisk: rapporten blir likadan när den görs om",
                Language::English => "identical: the report comes out the same when made again",
            }
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let parts: Vec<&str> = differences
        .iter()
        .map(|t| t.in_language(language))
        .collect();
    let (lead, and) = match language {
        Language::Swedish => ("skiljer sig", "; "),
        Language::English => ("differs", "; "),
    };
    writeln!(out, "{lead}: {}", parts.join(and))?;
    Ok(ExitCode::FAILURE)
}

/// Reads NDJSON documents and aggregates them in one pass (the same aggregation as the C ABI's
/// `bistand_report`); bad lines are reported by number and kind, never content, and not counted.
/// Progress on a terminal (by bytes of a file), a summary unless `quiet`.
#[allow(clippy::too_many_arguments)] // the engine, and what the report is over and how
pub(super) fn report_from_ndjson(
    engine: &Engine,
    instrument: &str,
    version: Option<&str>,
    input: &Path,
    keys: Option<&Path>,
    as_of: Date,
    options: &ReportOptions,
    quiet: bool,
) -> Result<GroupReport> {
    if keys.is_none() && !options.exact {
        anyhow::bail!(
            "a report over NDJSON needs --keys (to identify persons and perturb counts) or --exact \
             (exact counts, for you only: never for publication)"
        );
    }
    let keys = keys.map(crate::keys::load).transpose()?;
    let person_keys = keys.as_ref().map(|k| PersonKeys {
        pseudonym: &k.pseudonym,
        statistics: &k.statistics,
    });
    let total = (input.as_os_str() != "-")
        .then(|| std::fs::metadata(input).map(|m| m.len()).ok())
        .flatten();
    let reader = open_input(input)?;
    let mut progress = Progress::new("report", total, "bytes", quiet);
    let mut aggregator =
        NdjsonAggregator::for_version(engine, instrument, version, as_of, person_keys)?;
    let (mut read, mut lines) = (0u64, 0u64);
    for (number, line) in reader.split(b'\n').enumerate() {
        let line = line.with_context(|| format!("cannot read line {}", number + 1))?;
        read += line.len() as u64 + 1;
        lines += 1;
        if let Err(error) = aggregator.add_line(&line) {
            progress.note(&format!(
                "bistand: line {}: not counted: {error} ({})",
                number + 1,
                error.kind()
            ));
        }
        progress.set(read, "");
    }
    let outcome = aggregator.finish(options)?;
    if outcome.unreadable_lines + outcome.documents_with_errors > 0 {
        eprintln!(
            "bistand: {} unreadable line(s) and {} document(s) with error findings were not counted",
            outcome.unreadable_lines, outcome.documents_with_errors
        );
    }
    progress.finish(&format!("report over {lines} line(s)"));
    Ok(outcome.report)
}
