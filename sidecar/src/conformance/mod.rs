//! The answer conformance suite (`bistand conformance`): golden cases in `tests/conformance/`,
//! each an input and the exact bytes bistand answers, run through one implementation (a target)
//! to show it answers byte for byte the same. Not to be confused with `bistand-store`'s
//! `conformance` module, which checks store *backends* against the `Store` traits.
//!
//! Targets: [`InProcess`] (the core, as the command line calls it), [`Library`] (a C
//! library loaded from a path: libbistand or a vendor's build or wrapper of it) and
//! [`Rest`] (a running `bistand serve`). The .NET and Java libraries run the same cases with
//! their own runners (`bindings/`). An operation a target does not offer (the REST API has no
//! NDJSON report or pseudonym endpoint) is reported as such, never as passed.

mod library;
mod rest;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bistand_core::Engine;
use bistand_core::identifier::{PersonalNumber, PseudonymKey, pseudonymise};
use bistand_core::keys::parse_keys;
use bistand_core::stats::ndjson::PersonKeys;
use bistand_core::stats::{ReportOptions, report_from_ndjson};
use serde::Deserialize;

pub use library::{Library, STATUS_KINDS};
pub use rest::Rest;

/// One case's `case.json`. Inputs are files beside it, so any language can read a case with
/// nothing but a JSON reader. `expected` is the file holding the exact expected answer;
/// `expected_error` instead names the kind of refusal (our addition to the suite: the core's
/// error kind, `malformed_json`, which the C ABI spells `BISTAND_MALFORMED_JSON` and the REST
/// API `urn:bistand:problem:malformed_json`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    description: String,
    operation: Operation,
    expected: Option<String>,
    expected_error: Option<String>,
    /// validate, summary, report: the instrument the caller names (validate: optional).
    instrument: Option<String>,
    /// validate, summary: the document file.
    document: Option<String>,
    /// validate: an organisation profile file.
    profile: Option<String>,
    /// summary: today's date.
    today: Option<String>,
    /// report: the NDJSON file, the keys file (fixed test keys: perturbation is keyed, so the
    /// perturbed report is the same every run) and the options file, as `bistand_report` takes
    /// them.
    ndjson: Option<String>,
    keys: Option<String>,
    options: Option<String>,
    /// pseudonymise: the key's id and secret (hex), the number and the reference date.
    key_id: Option<String>,
    key_hex: Option<String>,
    personnummer: Option<String>,
    reference_date: Option<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Operation {
    Validate,
    Summary,
    Pseudonymise,
    Report,
}

/// What a case asks of a target.
#[derive(Debug)]
pub enum Input {
    /// `bistand_validate`, `POST /v1/validate`: the validation report.
    Validate {
        /// The document's bytes.
        document: Vec<u8>,
        /// The instrument the caller names, if any.
        instrument: Option<String>,
        /// An organisation profile the engine is made with, if any.
        profile: Option<Vec<u8>>,
    },
    /// `bistand_summary`, `POST /v1/summary`: the derived summary.
    Summary {
        /// The document's bytes.
        document: Vec<u8>,
        /// The instrument the caller names, if any.
        instrument: Option<String>,
        /// Today's date, `YYYY-MM-DD`, if given.
        today: Option<String>,
    },
    /// `bistand_pseudonymise`: the pseudonym.
    Pseudonymise {
        /// The key's public id.
        key_id: String,
        /// The key's secret.
        key: Vec<u8>,
        /// The number as text.
        personnummer: String,
        /// Today's date, `YYYY-MM-DD`.
        reference_date: String,
    },
    /// `bistand_report`: the group report over NDJSON, with its keys and options.
    Report {
        /// The instrument.
        instrument: String,
        /// The documents, one per line (a document, or `{"client_id", "document"}`).
        ndjson: Vec<u8>,
        /// The keys file, if any (none: the options must ask for exact counts).
        keys: Option<Vec<u8>>,
        /// The options JSON.
        options: Vec<u8>,
    },
}

/// One golden case.
#[derive(Debug)]
pub struct Case {
    /// The case's folder name.
    pub name: String,
    /// What it checks.
    pub description: String,
    /// What it asks.
    pub input: Input,
    /// What it must give.
    pub expected: Expected,
}

/// What a case must give.
#[derive(Debug)]
pub enum Expected {
    /// The exact bytes in this file.
    Bytes(PathBuf),
    /// A refusal of this kind (`malformed_json`, ...).
    Refusal(String),
}

/// What a target answered.
#[derive(Debug)]
pub enum Answer {
    /// The answer's bytes.
    Bytes(Vec<u8>),
    /// The implementation refused the input, with this error kind (`malformed_json`, ...) and
    /// its message.
    Refused {
        /// The core's error kind name.
        kind: String,
        /// The message, for the output.
        message: String,
    },
    /// The target does not offer this operation (why).
    NotOffered(&'static str),
}

/// An implementation the cases run through.
pub trait Target {
    /// A name for the output.
    fn name(&self) -> String;
    /// Runs one case's input. A refusal of the input is an [`Answer::Refused`].
    ///
    /// # Errors
    /// When the target could not be asked (a transport failure, an unexpected answer).
    fn run(&self, input: &Input) -> Result<Answer>;
}

/// The cases in `dir`, one folder each, sorted by name.
///
/// # Errors
/// When a folder has no readable, well-formed `case.json` or an input file is missing.
pub fn load_cases(dir: &Path) -> Result<Vec<Case>> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the cases folder {}", dir.display()))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    folders.retain(|path| path.join("case.json").is_file());
    folders.sort();
    if folders.is_empty() {
        bail!("{} has no cases (folders with a case.json)", dir.display());
    }
    folders.iter().map(|folder| load_case(folder)).collect()
}

fn load_case(folder: &Path) -> Result<Case> {
    let name = folder
        .file_name()
        .and_then(|n| n.to_str())
        .context("a case folder's name is not UTF-8")?
        .to_owned();
    let file: CaseFile = serde_json::from_slice(&std::fs::read(folder.join("case.json"))?)
        .with_context(|| format!("{name}/case.json is not a case"))?;
    let read = |field: &Option<String>, what: &str| -> Result<Vec<u8>> {
        let file = field
            .as_ref()
            .with_context(|| format!("{name}: `{what}` is missing"))?;
        std::fs::read(folder.join(file)).with_context(|| format!("{name}: cannot read {file}"))
    };
    let text = |field: &Option<String>, what: &str| -> Result<String> {
        field
            .clone()
            .with_context(|| format!("{name}: `{what}` is missing"))
    };
    let input = match file.operation {
        Operation::Validate => Input::Validate {
            document: read(&file.document, "document")?,
            instrument: file.instrument.clone(),
            profile: file
                .profile
                .is_some()
                .then(|| read(&file.profile, "profile"))
                .transpose()?,
        },
        Operation::Summary => Input::Summary {
            document: read(&file.document, "document")?,
            instrument: file.instrument.clone(),
            today: file.today.clone(),
        },
        Operation::Pseudonymise => Input::Pseudonymise {
            key_id: text(&file.key_id, "key_id")?,
            key: hex::decode(text(&file.key_hex, "key_hex")?)
                .with_context(|| format!("{name}: `key_hex` is not hex"))?,
            personnummer: text(&file.personnummer, "personnummer")?,
            reference_date: text(&file.reference_date, "reference_date")?,
        },
        Operation::Report => Input::Report {
            instrument: text(&file.instrument, "instrument")?,
            ndjson: read(&file.ndjson, "ndjson")?,
            keys: file
                .keys
                .is_some()
                .then(|| read(&file.keys, "keys"))
                .transpose()?,
            options: read(&file.options, "options")?,
        },
    };
    let expected = match (&file.expected, &file.expected_error) {
        (Some(path), None) => Expected::Bytes(folder.join(path)),
        (None, Some(kind)) => Expected::Refusal(kind.clone()),
        _ => bail!("{name}: give exactly one of `expected` and `expected_error`"),
    };
    Ok(Case {
        expected,
        name,
        description: file.description,
        input,
    })
}

/// How one case went.
#[derive(Debug)]
pub enum Verdict {
    /// The answer is the expected bytes.
    Passed,
    /// The answer differs or the call failed (how).
    Failed(String),
    /// The target does not offer the operation (why).
    NotOffered(&'static str),
    /// `--update`: the answer was written as the expected bytes.
    Updated,
}

/// Runs every case through `target`; with `update`, writes the answers as the expected bytes
/// (for maintainers, after a deliberate change of output: review the diff before committing).
///
/// # Errors
/// When an expected file cannot be read or written.
pub fn run(target: &dyn Target, cases: &[Case], update: bool) -> Result<Vec<(String, Verdict)>> {
    let mut verdicts = Vec::with_capacity(cases.len());
    for case in cases {
        let answer = target.run(&case.input);
        let verdict = match (answer, &case.expected) {
            (Ok(Answer::NotOffered(why)), _) => Verdict::NotOffered(why),
            (Ok(Answer::Bytes(bytes)), Expected::Bytes(path)) if update => {
                std::fs::write(path, &bytes)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                Verdict::Updated
            }
            (Ok(Answer::Bytes(bytes)), Expected::Bytes(path)) => {
                let expected = std::fs::read(path).with_context(|| {
                    format!("cannot read {} (bless with --update)", path.display())
                })?;
                if bytes == expected {
                    Verdict::Passed
                } else {
                    Verdict::Failed(difference(&expected, &bytes))
                }
            }
            (Ok(Answer::Bytes(_)), Expected::Refusal(kind)) => {
                Verdict::Failed(format!("answered, where it must refuse with {kind}"))
            }
            (Ok(Answer::Refused { kind, .. }), Expected::Refusal(expected))
                if &kind == expected =>
            {
                Verdict::Passed
            }
            (Ok(Answer::Refused { kind, message }), Expected::Refusal(expected)) => {
                Verdict::Failed(format!("refused with {kind} ({message}), not {expected}"))
            }
            (Ok(Answer::Refused { kind, message }), Expected::Bytes(_)) => {
                Verdict::Failed(format!("refused with {kind}: {message}"))
            }
            (Err(error), _) => Verdict::Failed(format!("the call failed: {error:#}")),
        };
        verdicts.push((case.name.clone(), verdict));
    }
    Ok(verdicts)
}

/// Where two answers part: the byte offset and a little context of each.
fn difference(expected: &[u8], actual: &[u8]) -> String {
    let at = expected
        .iter()
        .zip(actual)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(actual.len()));
    let context = |bytes: &[u8]| {
        let start = at.saturating_sub(20);
        String::from_utf8_lossy(&bytes[start..(at + 40).min(bytes.len())]).into_owned()
    };
    format!(
        "differs from byte {at} ({} bytes expected, {} given): expected …{}…, given …{}…",
        expected.len(),
        actual.len(),
        context(expected),
        context(actual)
    )
}

/// The core, called in this process as the command line and the sidecar call it.
#[derive(Debug, Default)]
pub struct InProcess;

/// The options file of a report case: what `bistand_report` takes, less `format` and
/// `language` (the suite compares the JSON form).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportCaseOptions {
    as_of: String,
    threshold: Option<u64>,
    breakdowns: Option<Vec<String>>,
    #[serde(default)]
    exact: bool,
}

fn date(text: &str) -> Result<jiff::civil::Date> {
    bistand_core::date::parse_date(text)
        .with_context(|| format!("`{text}` is not a YYYY-MM-DD date"))
}

impl Target for InProcess {
    fn name(&self) -> String {
        "bistand (in process, as the command line)".into()
    }

    fn run(&self, input: &Input) -> Result<Answer> {
        match answer_in_process(input) {
            Ok(bytes) => Ok(Answer::Bytes(bytes)),
            Err(error) => match error.downcast_ref::<bistand_core::Error>() {
                Some(core) => Ok(Answer::Refused {
                    kind: core.kind().as_str().to_owned(),
                    message: core.to_string(),
                }),
                None => Err(error),
            },
        }
    }
}

/// The answer of the core to `input`.
fn answer_in_process(input: &Input) -> Result<Vec<u8>> {
    {
        let bytes = match input {
            Input::Validate {
                document,
                instrument,
                profile,
            } => {
                let engine = match profile {
                    Some(profile) => Engine::with_profile(profile)?,
                    None => Engine::new()?,
                };
                serde_json::to_vec(&engine.validate(instrument.as_deref(), document)?)?
            }
            Input::Summary {
                document,
                instrument,
                today,
            } => {
                let today = today.as_deref().map(date).transpose()?;
                serde_json::to_vec(&Engine::new()?.summary(
                    instrument.as_deref(),
                    document,
                    today,
                )?)?
            }
            Input::Pseudonymise {
                key_id,
                key,
                personnummer,
                reference_date,
            } => {
                let key = PseudonymKey::new(key_id, key)?;
                let number = PersonalNumber::parse(personnummer, date(reference_date)?)?;
                pseudonymise(&key, &number).as_str().as_bytes().to_vec()
            }
            Input::Report {
                instrument,
                ndjson,
                keys,
                options,
            } => {
                let request: ReportCaseOptions = serde_json::from_slice(options)?;
                let options = ReportOptions {
                    exact: request.exact,
                    ..ReportOptions::new(
                        request.threshold,
                        request
                            .breakdowns
                            .as_ref()
                            .map(|names| names.iter().map(String::as_str)),
                    )?
                };
                // As the command line and the C ABI: perturbed under the keys, exact only when
                // asked.
                let keys = keys.as_deref().map(parse_keys).transpose()?;
                if keys.is_none() && !options.exact {
                    bail!("a report over NDJSON needs keys, or exact counts asked for");
                }
                let person_keys = keys.as_ref().map(|k| PersonKeys {
                    pseudonym: &k.pseudonym,
                    statistics: &k.statistics,
                });
                let engine = Engine::new()?;
                let outcome = report_from_ndjson(
                    &engine,
                    instrument,
                    ndjson,
                    date(&request.as_of)?,
                    &options,
                    person_keys,
                )?;
                serde_json::to_vec(&outcome)?
            }
        };
        Ok(bytes)
    }
}
