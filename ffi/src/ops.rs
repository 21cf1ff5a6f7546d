//! The operations behind the C functions, in safe Rust. Each takes checked Rust values, calls the
//! same core function the sidecar calls and returns the output bytes or a [`Failure`]; none
//! re-implements a rule.

use ::bistand_store::documents::Reader;
use bistand_core::identifier::{PersonalNumber, PseudonymKey, pseudonymise as core_pseudonymise};
use bistand_core::stats::csv::{CsvDialect, to_csv, to_long_csv};
use bistand_core::stats::html::to_html;
use bistand_core::stats::ndjson::PersonKeys;
use bistand_core::stats::xlsx::to_xlsx;
use bistand_core::stats::{GroupReport, ReportOptions, Threshold, report_from_ndjson};
use bistand_core::{Engine, Language, Text};
use jiff::civil::Date;
use serde_json::Value;

use crate::handles::{bistand_buf, bistand_engine};
use crate::status::{Failure, bistand_status};

/// Longest pseudonym key secret or personnummer accepted, in bytes. Far above any real one; it
/// keeps a wrong length from C (a negative number cast to `size_t`) from being trusted.
pub(crate) const MAX_SMALL_INPUT: usize = 1024;

/// Longest NDJSON input of `bistand_report`, in bytes (256 MiB); each line is also held to the
/// engine's per-document limit.
pub(crate) const MAX_NDJSON: usize = 256 * 1024 * 1024;

/// Longest `options` JSON of `bistand_report`, in bytes: far above any real one.
pub(crate) const MAX_OPTIONS: usize = 64 * 1024;

/// Starting capacity of a JSON output: a typical report fits, so the NUL never reallocates.
const OUTPUT_CAPACITY: usize = 1024;

/// An engine over the shipped definitions; an empty `profile` means none.
pub(crate) fn engine_new(profile: &[u8]) -> Result<bistand_engine, Failure> {
    let engine = if profile.is_empty() {
        Engine::new()?
    } else {
        Engine::with_profile(profile)?
    };
    Ok(bistand_engine { engine })
}

/// An engine over the shipped definitions and `definitions`, a JSON array of definition
/// objects; an empty `profile` means none.
pub(crate) fn engine_with_definitions(
    definitions: &[u8],
    profile: &[u8],
) -> Result<bistand_engine, Failure> {
    if let Err(error) = std::str::from_utf8(definitions) {
        let at = error.valid_up_to();
        return Err(Failure::new(
            bistand_status::BISTAND_INVALID_UTF8,
            Text {
                sv: format!("`definitions` är inte giltig UTF-8 (vid byte {at})"),
                en: format!("`definitions` is not valid UTF-8 (at byte {at})"),
            },
        ));
    }
    let supplied: Vec<&serde_json::value::RawValue> =
        serde_json::from_slice(definitions).map_err(|_| {
            Failure::new(
                bistand_status::BISTAND_INVALID_DEFINITION,
                Text {
                    sv: "`definitions` måste vara en JSON-lista med definitioner".into(),
                    en: "`definitions` must be a JSON array of definition objects".into(),
                },
            )
        })?;
    let supplied: Vec<&str> = supplied.iter().map(|d| d.get()).collect();
    let profile = (!profile.is_empty()).then_some(profile);
    Ok(bistand_engine {
        engine: Engine::with_supplied(&supplied, profile)?,
    })
}

/// The JSON of the validation report of `doc`.
pub(crate) fn validate(
    engine: &Engine,
    instrument: Option<&str>,
    doc: &[u8],
) -> Result<bistand_buf, Failure> {
    json(&engine.validate(instrument, doc)?)
}

/// The JSON of the summary of `doc`; `today` (`YYYY-MM-DD`) picks the next follow-up.
pub(crate) fn summary(
    engine: &Engine,
    instrument: Option<&str>,
    doc: &[u8],
    today: Option<&str>,
) -> Result<bistand_buf, Failure> {
    let today = today.map(|text| date("today", text)).transpose()?;
    json(&engine.summary(instrument, doc, today)?)
}

/// The printable summary of `doc` (an HTML page) in `language`; `today` as for [`summary`].
pub(crate) fn summary_page(
    engine: &Engine,
    instrument: Option<&str>,
    doc: &[u8],
    today: Option<&str>,
    language: Language,
) -> Result<bistand_buf, Failure> {
    let today = today.map(|text| date("today", text)).transpose()?;
    text_output(
        engine
            .printable_summary(instrument, doc, today, language)?
            .into_bytes(),
    )
}

/// The definition of `instrument`, as the JSON it was loaded from.
pub(crate) fn definition(
    engine: &Engine,
    instrument: &str,
    version: Option<&str>,
) -> Result<bistand_buf, Failure> {
    let definition = engine.definition(instrument, version)?;
    Ok(bistand_buf::new(
        definition.source_json().as_bytes().to_vec(),
    ))
}

/// The definition of `instrument` as a FHIR R4 Questionnaire (JSON).
pub(crate) fn definition_fhir(
    engine: &Engine,
    instrument: &str,
    version: Option<&str>,
) -> Result<bistand_buf, Failure> {
    let definition = engine.definition(instrument, version)?;
    json(&bistand_core::fhir::questionnaire(definition))
}

/// A FHIR R4 QuestionnaireResponse read as a document and validated: `{"document", "report"}`.
pub(crate) fn validate_response(engine: &Engine, response: &[u8]) -> Result<bistand_buf, Failure> {
    json(&engine.validate_response(response)?)
}

/// The JSON Schema of documents of `instrument`.
pub(crate) fn schema(
    engine: &Engine,
    instrument: &str,
    version: Option<&str>,
) -> Result<bistand_buf, Failure> {
    json(&engine.schema(instrument, version)?)
}

/// The pseudonym (`key_id:hex`) of a personnummer or samordningsnummer.
pub(crate) fn pseudonymise(
    key_id: &str,
    key: &[u8],
    personnummer: &[u8],
    reference_date: &str,
) -> Result<bistand_buf, Failure> {
    let reference_date = date("reference_date", reference_date)?;
    let key = PseudonymKey::new(key_id, key)?;
    let personnummer = std::str::from_utf8(personnummer).map_err(|_| {
        Failure::new(
            bistand_status::BISTAND_INVALID_UTF8,
            Text {
                sv: "personnumret är inte giltig UTF-8".into(),
                en: "personnummer is not valid UTF-8".into(),
            },
        )
    })?;
    let number = PersonalNumber::parse(personnummer, reference_date)?;
    let pseudonym = core_pseudonymise(&key, &number);
    Ok(bistand_buf::new(pseudonym.as_str().as_bytes().to_vec()))
}

/// The group report over `ndjson` for `instrument`, as `options` (JSON, see
/// [`ReportRequest::parse`]) asks: JSON `{"report", "unreadable_lines", "documents_with_errors"}`
/// or the report alone as CSV. Perturbed with the statistics secret of `keys_json` (which also
/// identifies persons, as the store does); exact only when `options` says `"exact": true` (the
/// data owner over their own documents, as `bistand report --exact`). Neither: refused.
pub(crate) fn report(
    engine: &Engine,
    instrument: &str,
    ndjson: &[u8],
    keys_json: &[u8],
    options: &[u8],
) -> Result<bistand_buf, Failure> {
    let request = ReportRequest::parse(options, ReportSource::Ndjson)?;
    // Checked before the keys and the documents are read: the caller learns at once what to pass.
    if keys_json.is_empty() && !request.options.exact {
        return Err(invalid(
            "a report over NDJSON is perturbed and needs `keys_json` (the keys file: its \
             statistics key perturbs the counts, its pseudonym key identifies persons); for \
             exact counts, for the data owner only and never for publication, pass \
             {\"exact\": true} in `options`"
                .to_owned(),
            "en rapport över NDJSON störs och behöver `keys_json` (nyckelfilen: dess \
             statistiknyckel stör antalen, dess pseudonymnyckel identifierar personer); för \
             exakta antal, endast för dataägaren och aldrig för publicering, ange \
             {\"exact\": true} i `options`"
                .to_owned(),
        ));
    }
    let keys = (!keys_json.is_empty())
        .then(|| crate::store::parse_keys(keys_json))
        .transpose()?;
    let person_keys = keys.as_ref().map(|keys| PersonKeys {
        pseudonym: &keys.pseudonym,
        statistics: &keys.statistics,
    });
    let outcome = report_from_ndjson(
        engine,
        instrument,
        ndjson,
        request.as_of,
        &request.options,
        person_keys,
    )?;
    request.render(&outcome, &outcome.report)
}

// --- Group statistics ------------------------------------------------------------------------
//
// The aggregation is `bistand_core::stats::report_from_ndjson` (shared with the command line) or
// `bistand_store::documents::report_from_store` (shared with the command line and the sidecar);
// only the options and the output format are the C ABI's own.

/// What a report is made from: the options each accepts differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReportSource {
    /// `bistand_report`: NDJSON the caller holds; may ask for exact counts.
    Ndjson,
    /// `bistand_store_report`: the records of a store; may pick units, never exact counts.
    Store,
}

impl ReportSource {
    /// The keys `options` may have.
    fn keys(self) -> &'static str {
        match self {
            ReportSource::Ndjson => {
                "as_of, threshold, breakdowns, exact, format, language, csv_dialect"
            }
            ReportSource::Store => {
                "as_of, principal, threshold, breakdowns, units, exact, format, language, \
                 csv_dialect"
            }
        }
    }
}

/// What `bistand_report` produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReportFormat {
    Json,
    Csv,
    CsvLong,
    Xlsx,
    Html,
}

/// The parsed `options` of `bistand_report` and `bistand_store_report`.
#[derive(Debug)]
pub(crate) struct ReportRequest {
    pub(crate) as_of: Date,
    /// With `exact` as asked (only ever true for [`ReportSource::Ndjson`]).
    pub(crate) options: ReportOptions,
    /// The units to count (store reports only); `None` counts every unit.
    pub(crate) units: Option<Vec<String>>,
    /// Who reads, for the audit log: always `Some` for [`ReportSource::Store`] (its `principal`
    /// is required), `None` for NDJSON (nothing of a store is read, nothing is audited).
    pub(crate) reader: Option<Reader>,
    format: ReportFormat,
    language: Language,
    dialect: CsvDialect,
}

impl ReportRequest {
    /// Parses `{"as_of": "YYYY-MM-DD", "threshold": 5, "breakdowns": ["gender", ...],
    /// "exact": false, "format": "json" | "csv" | "csv-long" | "xlsx" | "html", "language": "sv" | "en",
    /// "csv_dialect": "excel-sv" | "plain"}` and, for a store, `"units": ["Söder", ...]` and
    /// `"principal": "name"` (required: who reads, for the audit log); otherwise only `as_of` is
    /// required; `"exact": true` is refused for a store. Absent
    /// `breakdowns` means all of them; a list means the total and those listed. Messages never
    /// repeat a value or key from the options.
    pub(crate) fn parse(options: &[u8], source: ReportSource) -> Result<ReportRequest, Failure> {
        if options.is_empty() {
            return Err(invalid(
                "`options` is required: pass at least {\"as_of\": \"YYYY-MM-DD\"}".to_owned(),
                "`options` krävs: skicka minst {\"as_of\": \"ÅÅÅÅ-MM-DD\"}".to_owned(),
            ));
        }
        let text = std::str::from_utf8(options).map_err(|_| Failure::not_utf8("options"))?;
        let value: Value = serde_json::from_str(text).map_err(|error| {
            invalid(
                format!(
                    "`options` is not well-formed JSON (line {} column {})",
                    error.line(),
                    error.column()
                ),
                format!(
                    "`options` är inte korrekt JSON (rad {} kolumn {})",
                    error.line(),
                    error.column()
                ),
            )
        })?;
        let Value::Object(map) = value else {
            return Err(invalid(
                "`options` must be a JSON object".to_owned(),
                "`options` måste vara ett JSON-objekt".to_owned(),
            ));
        };
        // A store report is always perturbed: asking it for exact counts gets its own answer.
        if source == ReportSource::Store && map.get("exact") == Some(&Value::Bool(true)) {
            return Err(invalid(
                "`options.exact`: reports from a store are always perturbed; exact counts are \
                 only for NDJSON the caller holds (`bistand_report`)"
                    .to_owned(),
                "`options.exact`: rapporter från ett lager störs alltid; exakta antal finns bara \
                 för NDJSON som anroparen själv har (`bistand_report`)"
                    .to_owned(),
            ));
        }
        let known = source.keys();
        if map
            .keys()
            .any(|key| !known.split(", ").any(|name| name == key))
        {
            return Err(invalid(
                format!("`options` has an unknown key; the keys are {known}"),
                format!("`options` har en okänd nyckel; nycklarna är {known}"),
            ));
        }

        let as_of = match map.get("as_of") {
            Some(Value::String(text)) => date("options.as_of", text)?,
            Some(_) => {
                return Err(invalid(
                    "`options.as_of` must be a string written YYYY-MM-DD".to_owned(),
                    "`options.as_of` måste vara en sträng skriven ÅÅÅÅ-MM-DD".to_owned(),
                ));
            }
            None => {
                return Err(invalid(
                    "`options.as_of` is missing: the date the report describes, YYYY-MM-DD"
                        .to_owned(),
                    "`options.as_of` saknas: datumet rapporten beskriver, ÅÅÅÅ-MM-DD".to_owned(),
                ));
            }
        };

        let threshold_error = || {
            invalid(
                format!(
                    "`options.threshold` must be a whole number of at least {}: the \
                     disclosure threshold can be raised but not lowered",
                    Threshold::MINIMUM
                ),
                format!(
                    "`options.threshold` måste vara ett heltal, minst {}: röjandetröskeln \
                     kan höjas men inte sänkas",
                    Threshold::MINIMUM
                ),
            )
        };
        let threshold = match map.get("threshold") {
            None => None,
            Some(value) => {
                let n = value.as_u64().ok_or_else(threshold_error)?;
                Threshold::new(n).map_err(|_| threshold_error())?;
                Some(n)
            }
        };

        let breakdown_error = || {
            invalid(
                "`options.breakdowns` has an unknown breakdown; expected total, \
                 gender, age_band, origin, household, unit, period or fia_assessment"
                    .to_owned(),
                "`options.breakdowns` har en okänd indelning; förväntade total, \
                 gender, age_band, origin, household, unit, period eller fia_assessment"
                    .to_owned(),
            )
        };
        let breakdowns = match map.get("breakdowns") {
            None => None,
            Some(Value::Array(names)) => Some(
                names
                    .iter()
                    .map(|name| name.as_str().ok_or_else(breakdown_error))
                    .collect::<Result<Vec<&str>, Failure>>()?,
            ),
            Some(_) => {
                return Err(invalid(
                    "`options.breakdowns` must be an array of breakdown names".to_owned(),
                    "`options.breakdowns` måste vara en lista med indelningar".to_owned(),
                ));
            }
        };
        // The threshold is checked above, so the only error left is an unknown breakdown.
        let options = ReportOptions::new(threshold, breakdowns).map_err(|_| breakdown_error())?;
        let exact = match map.get("exact") {
            None => false,
            Some(Value::Bool(exact)) => *exact,
            Some(_) => {
                return Err(invalid(
                    "`options.exact` must be true or false".to_owned(),
                    "`options.exact` måste vara true eller false".to_owned(),
                ));
            }
        };
        let units_error = || {
            invalid(
                "`options.units` must be an array of unit names".to_owned(),
                "`options.units` måste vara en lista med enhetsnamn".to_owned(),
            )
        };
        let units = match map.get("units") {
            None => None,
            Some(Value::Array(names)) => Some(
                names
                    .iter()
                    .map(|name| name.as_str().map(str::to_owned).ok_or_else(units_error))
                    .collect::<Result<Vec<String>, Failure>>()?,
            ),
            Some(_) => return Err(units_error()),
        };

        let format = match map.get("format").map(Value::as_str) {
            None | Some(Some("json")) => ReportFormat::Json,
            Some(Some("csv")) => ReportFormat::Csv,
            Some(Some("csv-long")) => ReportFormat::CsvLong,
            Some(Some("xlsx")) => ReportFormat::Xlsx,
            Some(Some("html")) => ReportFormat::Html,
            Some(_) => {
                return Err(invalid(
                    "`options.format` must be \"json\", \"csv\", \"csv-long\", \"xlsx\" or \"html\""
                        .to_owned(),
                    "`options.format` måste vara \"json\", \"csv\", \"csv-long\", \"xlsx\" eller \"html\""
                        .to_owned(),
                ));
            }
        };

        let language = match map.get("language").map(Value::as_str) {
            None | Some(Some("sv")) => Language::Swedish,
            Some(Some("en")) => Language::English,
            Some(_) => {
                return Err(invalid(
                    "`options.language` must be \"sv\" or \"en\"".to_owned(),
                    "`options.language` måste vara \"sv\" eller \"en\"".to_owned(),
                ));
            }
        };

        let dialect_error = || {
            invalid(
                "`options.csv_dialect` must be \"excel-sv\" or \"plain\"".to_owned(),
                "`options.csv_dialect` måste vara \"excel-sv\" eller \"plain\"".to_owned(),
            )
        };
        let dialect = match map.get("csv_dialect").map(Value::as_str) {
            None => CsvDialect::for_language(language),
            Some(Some(name)) => CsvDialect::parse(name).map_err(|_| dialect_error())?,
            Some(None) => return Err(dialect_error()),
        };
        let reader = match source {
            ReportSource::Ndjson => None,
            ReportSource::Store => Some(reader(map.get("principal"))?),
        };

        Ok(ReportRequest {
            as_of,
            options: ReportOptions { exact, ..options },
            units,
            reader,
            format,
            language,
            dialect,
        })
    }

    /// The output asked for: `whole` as JSON (the report and what was left out of it), or
    /// `report` alone as CSV.
    pub(crate) fn render(
        &self,
        whole: &impl serde::Serialize,
        report: &GroupReport,
    ) -> Result<bistand_buf, Failure> {
        match self.format {
            ReportFormat::Json => json(whole),
            ReportFormat::Xlsx => Ok(bistand_buf::binary(to_xlsx(report, self.language)?)),
            ReportFormat::Html => text_output(to_html(report, self.language).into_bytes()),
            ReportFormat::Csv | ReportFormat::CsvLong => {
                let write = if self.format == ReportFormat::Csv {
                    to_csv
                } else {
                    to_long_csv
                };
                text_output(write(report, self.language, self.dialect).into_bytes())
            }
        }
    }
}

/// A text output (CSV, HTML) as a buffer. Units and labels carry no control characters, so this
/// never fails; a NUL would end the output early for a C reader.
fn text_output(text: Vec<u8>) -> Result<bistand_buf, Failure> {
    if text.contains(&0) {
        return Err(Failure::new(
            bistand_status::BISTAND_INTERNAL_ERROR,
            Text {
                sv: "internt fel: utdata innehåller en NUL-byte".into(),
                en: "internal error: the output contains a NUL byte".into(),
            },
        ));
    }
    Ok(bistand_buf::new(text))
}

/// The role a store report read through the C ABI is audited under.
pub(crate) const LIBRARY_ROLE: &str = "library";

/// The reader of a store report from `options.principal`: required, and refused (without
/// repeating it) when the audit log would refuse it.
fn reader(principal: Option<&Value>) -> Result<Reader, Failure> {
    let Some(principal) = principal else {
        return Err(invalid(
            "`options.principal` is missing: who asks for the report (a user or service name), \
             for the audit log"
                .to_owned(),
            "`options.principal` saknas: vem som begär rapporten (ett användar- eller \
             tjänstnamn), för granskningsloggen"
                .to_owned(),
        ));
    };
    match principal.as_str() {
        Some(name) => library_principal("options.principal", name),
        None => library_principal("options.principal", ""),
    }
}

/// `name`, the principal of a C caller given as `field`, as the audit log records it (role
/// `library`); refused with `BISTAND_INVALID_ARGUMENT` (without repeating it) when the audit log
/// would refuse it: empty, too long, not printable ASCII, or shaped like a personnummer.
pub(crate) fn library_principal(field: &str, name: &str) -> Result<Reader, Failure> {
    Reader::new(name, LIBRARY_ROLE).map_err(|_| {
        invalid(
            format!(
                "`{field}` must be a string of 1 to 128 printable ASCII characters naming who \
                 asks (a user or service, never a client or a personnummer)"
            ),
            format!(
                "`{field}` måste vara en sträng med 1 till 128 skrivbara ASCII-tecken som anger \
                 vem som frågar (en användare eller tjänst, aldrig en klient eller ett \
                 personnummer)"
            ),
        )
    })
}

/// A `BISTAND_INVALID_ARGUMENT` failure.
fn invalid(en: String, sv: String) -> Failure {
    Failure::new(bistand_status::BISTAND_INVALID_ARGUMENT, Text { sv, en })
}

/// A date argument, written exactly `YYYY-MM-DD` (ISO 8601, as everywhere in bistand).
pub(crate) fn date(name: &str, text: &str) -> Result<Date, Failure> {
    bistand_core::date::parse_date(text).ok_or_else(|| {
        Failure::new(
            bistand_status::BISTAND_INVALID_ARGUMENT,
            Text {
                sv: format!(
                    "`{name}` är inget datum: förväntade ett verkligt datum skrivet ÅÅÅÅ-MM-DD"
                ),
                en: format!("`{name}` is not a date: expected a real date written YYYY-MM-DD"),
            },
        )
    })
}

/// `value` as JSON in a new buffer: the one serialisation of every JSON output of the C ABI.
pub(crate) fn json(value: &impl serde::Serialize) -> Result<bistand_buf, Failure> {
    let mut bytes = Vec::with_capacity(OUTPUT_CAPACITY);
    serde_json::to_writer(&mut bytes, value).map_err(|_| {
        Failure::new(
            bistand_status::BISTAND_INTERNAL_ERROR,
            Text {
                sv: "internt fel: resultatet kunde inte skrivas som JSON".into(),
                en: "internal error: the output could not be serialised as JSON".into(),
            },
        )
    })?;
    Ok(bistand_buf::new(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_iso() {
        assert_eq!(
            date("today", "2026-11-24").ok(),
            Some(jiff::civil::date(2026, 11, 24))
        );
        for bad in [
            "",
            "2026-11-31",
            "2026-1-24",
            "20261124",
            "2026-11-24T00:00",
            "2026/11/24",
            "२०२६-११-२४",
        ] {
            let failure = date("today", bad).expect_err(bad);
            assert_eq!(failure.status(), bistand_status::BISTAND_INVALID_ARGUMENT);
        }
    }

    #[test]
    fn empty_profile_means_none() {
        assert!(engine_new(b"").is_ok());
        let failure = engine_new(b"{").err().expect("malformed profile");
        assert_eq!(failure.status(), bistand_status::BISTAND_INVALID_PROFILE);
    }
}
