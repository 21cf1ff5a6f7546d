//! Commands on documents: validate, questionnaire-response, summary, definition, schema,
//! migrate, generate.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use bistand_core::{Engine, Error as CoreError, Language, Report, Severity};

use super::args::{Common, DefinitionFormat, Format, SummaryFormat};
use super::input::{engine, read};
use super::{EXIT_FAILURE, EXIT_FINDINGS};

/// `bistand summary`: the derived summary of a valid document.
pub(super) fn summary(
    out: &mut dyn Write,
    file: &Path,
    today: Option<String>,
    (format, language): (SummaryFormat, Language),
    profile: Option<&Path>,
    definitions: Option<&Path>,
) -> Result<ExitCode> {
    let engine = engine(definitions, profile)?;
    let today = today
        .map(|t| {
            bistand_core::date::parse_date(&t)
                .context("--today must be a real date written YYYY-MM-DD")
        })
        .transpose()?;
    let bytes = read(file)?;
    let written = match format {
        SummaryFormat::Html => engine
            .printable_summary(None, &bytes, today, language)
            .map(|page| -> Result<()> { Ok(out.write_all(page.as_bytes())?) }),
        SummaryFormat::Json => engine
            .summary(None, &bytes, today)
            .map(|summary| -> Result<()> {
                Ok(writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&summary)?
                )?)
            }),
        SummaryFormat::Text => engine
            .summary(None, &bytes, today)
            .map(|summary| print_summary_text(out, &summary, language)),
    };
    match written {
        Ok(result) => {
            result?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            print_error(file, &error, language);
            Ok(ExitCode::from(EXIT_FAILURE))
        }
    }
}

/// `bistand definition`: the definition a vendor renders forms from.
pub(super) fn definition(
    out: &mut dyn Write,
    instrument: &str,
    version: Option<&str>,
    format: DefinitionFormat,
    definitions: Option<&Path>,
) -> Result<ExitCode> {
    let engine = engine(definitions, None)?;
    let definition = engine.definition(instrument, version)?;
    match format {
        DefinitionFormat::Json => out.write_all(definition.source_json().as_bytes())?,
        DefinitionFormat::Fhir => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&bistand_core::fhir::questionnaire(definition))?
        )?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `bistand definition check FILE`: compiles a definition file alone and prints every problem,
/// each naming the part (item, section, code list) and the rule (in both languages), or that it
/// is fine.
pub(super) fn check_definition(out: &mut dyn Write, file: &Path) -> Result<ExitCode> {
    let text = String::from_utf8(read(file)?)
        .with_context(|| format!("{} is not UTF-8", file.display()))?;
    match bistand_core::instrument::Definition::from_json(&text) {
        Ok(definition) => {
            writeln!(
                out,
                "{}: {} version {}: ok ({} items)",
                file.display(),
                definition.instrument(),
                definition.version(),
                definition.items().len()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error) if error.problems().is_empty() => {
            // The file could not be read as a definition at all (not JSON, a wrong field).
            writeln!(out, "{}: {}", file.display(), error.message_sv())?;
            writeln!(out, "{}: {}", file.display(), error.message_en())?;
            Ok(ExitCode::from(EXIT_FINDINGS))
        }
        Err(error) => {
            let problems = error.problems();
            writeln!(
                out,
                "{}: {} fel / {} {}",
                file.display(),
                problems.len(),
                problems.len(),
                if problems.len() == 1 {
                    "problem"
                } else {
                    "problems"
                }
            )?;
            for problem in problems {
                writeln!(out, "  {} `{}`", problem.part, problem.id)?;
                writeln!(out, "    {}", problem.message.sv)?;
                writeln!(out, "    {}", problem.message.en)?;
            }
            Ok(ExitCode::from(EXIT_FINDINGS))
        }
    }
}

/// `bistand schema`: the JSON Schema of an instrument's documents.
pub(super) fn schema(
    out: &mut dyn Write,
    instrument: &str,
    version: Option<&str>,
    definitions: Option<&Path>,
) -> Result<ExitCode> {
    let engine = engine(definitions, None)?;
    let schema = engine.schema(instrument, version)?;
    writeln!(out, "{}", serde_json::to_string_pretty(&schema)?)?;
    Ok(ExitCode::SUCCESS)
}

/// `bistand migrate`: NDJSON documents in, the same documents read as version `to` out, in order.
/// A line that cannot be read is reported by number and error kind and left out.
pub(super) fn migrate(
    input: &mut dyn io::BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
    to: Option<&str>,
    language: Language,
    definitions: Option<&Path>,
) -> Result<ExitCode> {
    let engine = engine(definitions, None)?;
    let mut writer = io::BufWriter::new(out);
    let mut failed = false;
    let mut line = Vec::new();
    let mut number = 0usize;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        number += 1;
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        match engine.migrate(trimmed, to) {
            Ok(migrated) => {
                writer.write_all(&migrated.document)?;
                writer.write_all(b"\n")?;
                for lost in &migrated.not_carried {
                    writeln!(
                        err,
                        "line {number}: {}: {}",
                        lost.item,
                        lost.reason.in_language(language)
                    )?;
                }
            }
            Err(error) => {
                failed = true;
                writeln!(err, "line {number}: refused ({})", error.kind())?;
            }
        }
    }
    writer.flush()?;
    Ok(if failed {
        ExitCode::from(EXIT_FAILURE)
    } else {
        ExitCode::SUCCESS
    })
}

/// `bistand generate`: deterministic synthetic documents as NDJSON.
pub(super) fn generate(
    out: &mut dyn Write,
    instrument: &str,
    count: usize,
    seed: u64,
    client_ids: bool,
) -> Result<ExitCode> {
    let engine = Engine::new()?;
    let definition = engine.definition(instrument, None)?;
    let documents = engine.generator(definition, seed)?;
    let mut writer = io::BufWriter::new(out);
    for (n, document) in documents.take(count).enumerate() {
        if client_ids {
            let line = serde_json::json!({ "client_id": format!("syntet-{seed}-{n:07}"), "document": document });
            serde_json::to_writer(&mut writer, &line)?;
        } else {
            serde_json::to_writer(&mut writer, &document)?;
        }
        writer.write_all(b"\n")?;
    }
    writer.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn validate(
    out: &mut impl Write,
    files: &[PathBuf],
    instrument: Option<&str>,
    common: &Common,
    definitions: Option<&Path>,
) -> Result<ExitCode> {
    let engine = engine(definitions, common.profile.as_deref())?;
    let language = Language::from(common.lang);
    let mut worst = 0u8;
    let mut results = Vec::with_capacity(files.len());
    for file in files {
        let outcome = read_with(file, |bytes| engine.validate(instrument, bytes));
        worst = worst.max(match &outcome {
            Ok(report) if report.valid => 0,
            Ok(_) => EXIT_FINDINGS,
            Err(_) => EXIT_FAILURE,
        });
        match common.format {
            Format::Text => print_validation_text(out, file, &outcome, language)?,
            Format::Json => results.push(validation_json(file, &outcome)),
        }
    }
    if let Format::Json = common.format {
        let value = if results.len() == 1 {
            results.pop().expect("one result")
        } else {
            serde_json::Value::Array(results)
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
    }
    Ok(ExitCode::from(worst))
}

/// `bistand questionnaire-response`: a FHIR R4 QuestionnaireResponse read as a bistand document
/// and validated by the core's one path (`Engine::validate_response`, as REST and the C ABI).
/// JSON output is the bytes those give, then a newline; `doc_out` receives the document alone.
pub(super) fn questionnaire_response(
    out: &mut impl Write,
    file: &Path,
    doc_out: Option<&Path>,
    common: &Common,
    definitions: Option<&Path>,
) -> Result<ExitCode> {
    let engine = engine(definitions, common.profile.as_deref())?;
    let language = Language::from(common.lang);
    let imported = read_with(file, |bytes| engine.validate_response(bytes));
    let imported = match imported {
        Ok(imported) => imported,
        Err(error) => {
            let outcome = Err(error);
            match common.format {
                Format::Text => print_validation_text(out, file, &outcome, language)?,
                Format::Json => writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&validation_json(file, &outcome))?
                )?,
            }
            return Ok(ExitCode::from(EXIT_FAILURE));
        }
    };
    if let Some(path) = doc_out {
        let document = serde_json::to_vec(&imported.document)?;
        std::fs::write(path, document)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let valid = imported.report.valid;
    match common.format {
        Format::Json => {
            serde_json::to_writer(&mut *out, &imported)?;
            writeln!(out)?;
        }
        Format::Text => print_validation_text(out, file, &Ok(imported.report), language)?,
    }
    Ok(if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FINDINGS)
    })
}

pub(super) enum CoreErrorOrIo {
    Core(CoreError),
    Io(String),
}

/// Reads `file` and hands its bytes to `core`: what each failure was, kept apart.
fn read_with<T>(
    file: &Path,
    core: impl FnOnce(&[u8]) -> Result<T, CoreError>,
) -> Result<T, CoreErrorOrIo> {
    let bytes = read(file).map_err(|e| CoreErrorOrIo::Io(format!("{e:#}")))?;
    core(&bytes).map_err(CoreErrorOrIo::Core)
}

pub(super) fn validation_json(
    file: &Path,
    outcome: &Result<Report, CoreErrorOrIo>,
) -> serde_json::Value {
    let name = file.display().to_string();
    match outcome {
        Ok(report) => serde_json::json!({ "file": name, "report": report }),
        Err(CoreErrorOrIo::Core(error)) => serde_json::json!({
            "file": name,
            "error": { "kind": error.kind().as_str(), "message": { "sv": error.message_sv(), "en": error.message_en() } },
        }),
        Err(CoreErrorOrIo::Io(message)) => serde_json::json!({
            "file": name,
            "error": { "kind": "io", "message": { "sv": message, "en": message } },
        }),
    }
}

pub(super) fn print_validation_text(
    out: &mut impl Write,
    file: &Path,
    outcome: &Result<Report, CoreErrorOrIo>,
    language: Language,
) -> Result<()> {
    let sv = language == Language::Swedish;
    match outcome {
        Ok(report) => {
            let verdict = match (report.valid, sv) {
                (true, true) => "giltigt",
                (true, false) => "valid",
                (false, true) => "ogiltigt",
                (false, false) => "not valid",
            };
            let counts = report.counts();
            writeln!(
                out,
                "{}: {verdict} ({})",
                file.display(),
                counts.in_language(language)
            )?;
            for finding in &report.findings {
                let severity = match (finding.severity, sv) {
                    (Severity::Error, true) => "fel",
                    (Severity::Error, false) => "error",
                    (Severity::Warning, true) => "varning",
                    (Severity::Warning, false) => "warning",
                };
                writeln!(
                    out,
                    "  {severity:<8} {:<20} {}",
                    finding.code.as_str(),
                    finding.path
                )?;
                writeln!(out, "           {}", finding.location.in_language(language))?;
                writeln!(out, "           {}", finding.message.in_language(language))?;
            }
        }
        Err(CoreErrorOrIo::Core(error)) => {
            let message = if sv {
                error.message_sv()
            } else {
                error.message_en()
            };
            writeln!(out, "{}: {} ({})", file.display(), message, error.kind())?;
        }
        Err(CoreErrorOrIo::Io(message)) => writeln!(out, "{}: {message}", file.display())?,
    }
    Ok(())
}

pub(super) fn print_error(file: &Path, error: &CoreError, language: Language) {
    let message = match language {
        Language::Swedish => error.message_sv(),
        Language::English => error.message_en(),
    };
    eprintln!("bistand: {}: {message} ({})", file.display(), error.kind());
}

pub(super) fn print_summary_text(
    out: &mut dyn Write,
    summary: &bistand_core::Summary,
    language: Language,
) -> Result<()> {
    let sv = language == Language::Swedish;
    let bistand_core::Summary::Fia(fia) = summary else {
        bail!("no text form for this summary");
    };
    let none = if sv { "–" } else { "-" };
    writeln!(out, "FIA {} ({})", fia.version, fia.status.as_str())?;
    if let Some(date) = fia.interview_date {
        writeln!(
            out,
            "{}: {date}",
            if sv {
                "Intervjudatum"
            } else {
                "Interview date"
            }
        )?;
    }
    writeln!(out)?;
    for area in &fia.areas {
        writeln!(
            out,
            "  {:<28} {:<18} {:<13} {}",
            area.label.in_language(language),
            area.extent.as_deref().unwrap_or(none),
            area.client_rating.as_deref().unwrap_or(none),
            area.affects_work.as_deref().unwrap_or(none)
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}: {}",
        if sv { "Rangordning" } else { "Ranking" },
        if fia.ranking.is_empty() {
            none.to_owned()
        } else {
            fia.ranking.join(", ")
        }
    )?;
    if let Some(assessment) = &fia.overall_assessment {
        writeln!(
            out,
            "{}: {}",
            if sv {
                "Sammanlagd bedömning"
            } else {
                "Overall assessment"
            },
            assessment.label.in_language(language)
        )?;
    }
    writeln!(
        out,
        "{}: {} / {}: {} / {}: {}",
        if sv { "Mål" } else { "Goals" },
        fia.plan.goals,
        if sv { "delmål" } else { "sub-goals" },
        fia.plan.sub_goals,
        if sv {
            "nästa uppföljning"
        } else {
            "next follow-up"
        },
        fia.plan
            .next_follow_up
            .map_or_else(|| none.to_owned(), |d| d.to_string())
    )?;
    Ok(())
}
