//! Argument parsing and the commands. Exit codes: 0 success (documents valid), 1 at least one
//! document has error findings, 2 input could not be processed (unreadable file, malformed JSON,
//! unknown instrument, bad arguments).

use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use bistand_core::stats::{GroupReport, NdjsonAggregator, ReportOptions};
use bistand_core::{Engine, Error as CoreError, Language, Report, Severity};
use clap::{Parser, Subcommand, ValueEnum};
use jiff::civil::Date;

/// Exit code for documents with error findings (and a broken audit chain).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code for input that could not be processed at all.
pub const EXIT_FAILURE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "bistand",
    version,
    about = "FIA and SUE for Swedish social assistance: validate, summarise, describe and generate documents",
    after_help = "Exit codes: 0 ok, 1 a document has error findings, 2 input could not be processed."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate documents and print their findings ("-" reads standard input).
    Validate {
        /// Document files (JSON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Expect this instrument (documents naming another are refused).
        #[arg(long)]
        instrument: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Print the derived summary of a valid document.
    Summary {
        /// Document file (JSON), or "-" for standard input.
        file: PathBuf,
        /// Reference date for the next follow-up (YYYY-MM-DD); default: the earliest follow-up.
        #[arg(long)]
        today: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Print an instrument definition (what a vendor renders forms from).
    Definition {
        /// Instrument name, e.g. fia.
        instrument: String,
        /// Version; default: the newest.
        #[arg(long)]
        version: Option<String>,
    },
    /// Print the JSON Schema of an instrument's documents.
    Schema {
        /// Instrument name, e.g. fia.
        instrument: String,
        /// Version; default: the newest.
        #[arg(long)]
        version: Option<String>,
    },
    /// Build a group report (JSON or CSV) from documents, one JSON document per line (NDJSON).
    ///
    /// Documents with error findings are not counted; lines that cannot be read are reported on
    /// standard error by line number and error kind (never content) and not counted either.
    Report {
        /// Instrument of the documents: sue or fia.
        #[arg(long, default_value = "sue")]
        instrument: String,
        /// NDJSON file, or "-" for standard input.
        #[arg(long, default_value = "-", conflicts_with = "db")]
        input: PathBuf,
        /// Read the records from this encrypted store instead of NDJSON.
        #[arg(long, requires = "keys")]
        db: Option<PathBuf>,
        /// Keys file of the store.
        #[arg(long)]
        keys: Option<PathBuf>,
        /// With --db: only records of this unit.
        #[arg(long)]
        unit: Option<String>,
        /// The date the report describes (YYYY-MM-DD); default: today.
        #[arg(long)]
        as_of: Option<String>,
        /// Disclosure threshold: counts under it are suppressed (default 5; cannot be lowered).
        #[arg(long, default_value_t = bistand_core::stats::Threshold::MINIMUM)]
        threshold: u64,
        /// Breakdowns, comma-separated (total, gender, age_band, origin, household, unit, period);
        /// default: all.
        #[arg(long, value_delimiter = ',')]
        breakdown: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
        format: ReportFormat,
        /// Language of CSV headings and labels.
        #[arg(long, value_enum, default_value_t = Lang::Sv)]
        lang: Lang,
    },
    /// Keys for the encrypted store: `bistand keys generate --out keys.json`.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// The encrypted record store.
    Store {
        #[command(subcommand)]
        command: StoreCommand,
    },
    /// Generate deterministic synthetic documents as NDJSON (one document per line).
    Generate {
        /// Instrument name, e.g. fia.
        instrument: String,
        /// Number of documents.
        #[arg(long, default_value_t = 10)]
        count: usize,
        /// Seed: the same seed gives the same documents.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Wrap each document as {"client_id": ..., "document": ...} with a synthetic case number,
        /// the input `bistand store import` takes.
        #[arg(long)]
        client_ids: bool,
    },
    /// Run the HTTPS sidecar until SIGTERM or SIGINT (see docs/operations.md).
    Serve {
        /// The configuration file (`bistand init` writes one).
        #[arg(long)]
        config: PathBuf,
    },
    /// Create a ready configuration in a new folder: private CA, server and client certificates,
    /// a token for each principal, keys and bistand.toml, all readable by the owner only.
    Init {
        /// The folder to create (must not exist or be empty).
        dir: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8443")]
        listen: std::net::SocketAddr,
        /// A further DNS name or IP address for the server certificate (repeatable).
        #[arg(long = "host")]
        hosts: Vec<String>,
        /// A unit of the organisation, with a caseworker of its own (repeatable).
        #[arg(long = "unit", default_values_t = ["norr".to_owned(), "soder".to_owned()])]
        units: Vec<String>,
    },
    /// Serve synthetic FIA and SUE data on localhost over HTTPS and print curl commands to try.
    Demo {
        /// Port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 8443)]
        port: u16,
        /// Number of synthetic clients.
        #[arg(long, default_value_t = 3000)]
        clients: usize,
        /// Seed of the synthetic data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// The audit log of a store.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain: exit 0 and print the head when intact, exit 1 and name the first
    /// edited, removed or reordered entry when not.
    Verify {
        /// The sidecar's configuration file (for the store and its keys).
        #[arg(long)]
        config: PathBuf,
        /// A head recorded earlier, as SEQ:HASH: also check it is still in the chain (this is
        /// what detects a log cut short at its end).
        #[arg(long)]
        head: Option<String>,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// A new keys file (random pseudonym key and data key, with random ids).
    Generate {
        /// Write it to this new file, readable by the owner only (never overwritten); without
        /// it, print it on standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Add a new data key to a keys file and make it the active one; the old keys stay, so
    /// records sealed with them stay readable. Then restart the service and run
    /// `bistand store reseal`.
    Rotate {
        /// The keys file, rewritten in place (atomically, owner-only).
        #[arg(long)]
        keys: PathBuf,
    },
}

#[derive(Subcommand)]
enum StoreCommand {
    /// Validate and store records, one JSON object per line: {"client_id": "...", "document": {...}}.
    ///
    /// client_id is a personnummer or samordningsnummer (or, if it is not one, a case number); it
    /// is pseudonymised with the organisation's key and never stored. Documents with error findings
    /// are refused (reported by line number) and not stored.
    Import {
        /// The store (an SQLite file; created when missing).
        #[arg(long)]
        db: PathBuf,
        /// Keys file (see `bistand keys generate`).
        #[arg(long)]
        keys: PathBuf,
        /// NDJSON input, or "-" for standard input.
        #[arg(long, default_value = "-")]
        input: PathBuf,
        /// Validate and report what would be stored, skipped and refused; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// No progress and no summary; refused lines and errors only.
        #[arg(long)]
        quiet: bool,
    },
    /// Move every record to the active data key (after `bistand keys rotate` and a restart of
    /// the service), in batches, while the service keeps serving.
    Reseal {
        #[command(flatten)]
        store: StoreArgs,
        /// Keys file, with --db.
        #[arg(long, requires = "db")]
        keys: Option<PathBuf>,
        /// No progress and no summary.
        #[arg(long)]
        quiet: bool,
    },
    /// Copy the live store consistently (SQLite online backup) to a new file, readable by the
    /// owner only, while the service keeps serving. Restore: see docs/operations.md.
    Backup {
        #[command(flatten)]
        store: StoreArgs,
        /// The new backup file (never overwritten).
        #[arg(long)]
        out: PathBuf,
        /// No summary.
        #[arg(long)]
        quiet: bool,
    },
}

/// Which store: the sidecar's configuration, or a store file.
#[derive(clap::Args)]
struct StoreArgs {
    /// The sidecar's configuration file (for the store and its keys).
    #[arg(long, conflicts_with = "db", required_unless_present = "db")]
    config: Option<PathBuf>,
    /// The store file.
    #[arg(long)]
    db: Option<PathBuf>,
}

#[derive(clap::Args)]
struct Common {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Language of text output.
    #[arg(long, value_enum, default_value_t = Lang::Sv)]
    lang: Lang,
    /// Organisation profile (JSON) listing hidden items.
    #[arg(long)]
    profile: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// JSON, for programs.
    Json,
    /// Readable text, for a terminal.
    Text,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    /// JSON: every table with counts, shares, intervals and suppression flags.
    Json,
    /// CSV in long format, one line per cell.
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
enum Lang {
    /// Swedish.
    Sv,
    /// English.
    En,
}

impl From<Lang> for Language {
    fn from(lang: Lang) -> Language {
        match lang {
            Lang::Sv => Language::Swedish,
            Lang::En => Language::English,
        }
    }
}

/// Largest file read; the engine's own limit (1 MiB by default) then applies to documents.
const MAX_READ: u64 = 64 * 1024 * 1024;

/// Parses the command line and runs the command; the exit code says how it went.
///
/// # Errors
///
/// When input cannot be processed at all (the caller prints it and exits with 2).
pub fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    let mut out = io::stdout().lock();
    match cli.command {
        Command::Validate {
            files,
            instrument,
            common,
        } => validate(&mut out, &files, instrument.as_deref(), &common),
        Command::Summary {
            file,
            today,
            common,
        } => {
            let engine = engine(common.profile.as_deref())?;
            let today = today
                .map(|t| {
                    bistand_core::date::parse_date(&t)
                        .context("--today must be a real date written YYYY-MM-DD")
                })
                .transpose()?;
            let bytes = read(&file)?;
            match engine.summary(None, &bytes, today) {
                Ok(summary) => {
                    match common.format {
                        Format::Json => {
                            writeln!(out, "{}", serde_json::to_string_pretty(&summary)?)?
                        }
                        Format::Text => print_summary_text(&mut out, &summary, common.lang.into())?,
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(error) => {
                    print_error(&file, &error, common.lang.into());
                    Ok(ExitCode::from(EXIT_FAILURE))
                }
            }
        }
        Command::Definition {
            instrument,
            version,
        } => {
            let engine = Engine::new()?;
            let definition = engine.definition(&instrument, version.as_deref())?;
            out.write_all(definition.source_json().as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema {
            instrument,
            version,
        } => {
            let engine = Engine::new()?;
            let schema = engine.schema(&instrument, version.as_deref())?;
            writeln!(out, "{}", serde_json::to_string_pretty(&schema)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Generate {
            instrument,
            count,
            seed,
            client_ids,
        } => {
            let engine = Engine::new()?;
            let definition = engine.definition(&instrument, None)?;
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
        Command::Keys {
            command: KeysCommand::Generate { out: file },
        } => {
            crate::cli_keys::generate(file.as_deref(), &mut out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys {
            command: KeysCommand::Rotate { keys },
        } => {
            let id = crate::cli_keys::rotate(&keys)?;
            eprintln!(
                "bistand: added data key {id} to {} and made it active; restart the service, then                  run `bistand store reseal`",
                keys.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Store {
            command:
                StoreCommand::Import {
                    db,
                    keys,
                    input,
                    dry_run,
                    quiet,
                },
        } => crate::cli_import::import(&crate::cli_import::ImportOptions {
            db: &db,
            keys: &keys,
            input: &input,
            dry_run,
            quiet,
        }),
        Command::Store {
            command: StoreCommand::Reseal { store, keys, quiet },
        } => {
            crate::cli_store::reseal(&store.into_args(keys), quiet)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Store {
            command:
                StoreCommand::Backup {
                    store,
                    out: file,
                    quiet,
                },
        } => {
            crate::cli_store::backup(&store.into_args(None), &file, quiet)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { config } => {
            crate::server::run(&config)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Init {
            dir,
            listen,
            hosts,
            units,
        } => {
            let created = crate::init::init(
                &dir,
                &crate::init::InitOptions {
                    listen,
                    hosts,
                    units,
                },
            )?;
            writeln!(
                out,
                "Created {dir}: configuration {config}, CA {ca}.\n\nPrincipals (token files in {dir}/tokens, client certificates in {dir}/clients):",
                dir = dir.display(),
                config = created.config.display(),
                ca = created.ca.display()
            )?;
            for principal in &created.principals {
                writeln!(
                    out,
                    "  {:<22} {:<10} units: {}",
                    principal.name,
                    principal.role.as_str(),
                    if principal.units.is_empty() {
                        "-".to_owned()
                    } else {
                        principal.units.join(", ")
                    }
                )?;
            }
            writeln!(
                out,
                "\nCertificates: the CA expires {ca}, the server and client certificates {issued}.",
                ca = created.ca_expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
                issued = created.certificates_expire.strftime("%Y-%m-%dT%H:%M:%SZ"),
            )?;
            writeln!(
                out,
                "\nNext steps:\n  1. Review {config} (listen address, limits, principals).\n  \
                 2. Keep keys.json and ca.key apart from backups of the store; losing keys.json loses the data.\n  \
                 3. Start: bistand serve --config {config}\n  \
                 4. Give each principal its token file or client certificate over a safe channel.\n  \
                 5. Try: curl --cacert {ca} https://{listen}/health",
                config = created.config.display(),
                ca = created.ca.display(),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            port,
            clients,
            seed,
        } => {
            crate::demo::run(
                &crate::demo::DemoOptions {
                    port,
                    clients,
                    seed,
                },
                &mut out,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify { config, head },
        } => audit_verify(&config, head.as_deref(), &mut out),
        Command::Report {
            instrument,
            input,
            db,
            keys,
            unit,
            as_of,
            threshold,
            breakdown,
            format,
            lang,
        } => {
            let as_of = match as_of {
                Some(date) => bistand_core::date::parse_date(&date)
                    .context("--as-of must be a real date written YYYY-MM-DD")?,
                None => crate::today(),
            };
            let breakdowns = (!breakdown.is_empty()).then(|| breakdown.iter().map(String::as_str));
            let options = ReportOptions::new(Some(threshold), breakdowns)?;
            let report = match (db, keys) {
                (Some(db), Some(keys)) => {
                    report_from_store(&instrument, &db, &keys, unit, as_of, &options)?
                }
                _ => report_from_ndjson(&instrument, &input, as_of, &options)?,
            };
            match format {
                ReportFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?,
                ReportFormat::Csv => out
                    .write_all(bistand_core::stats::csv::to_csv(&report, lang.into()).as_bytes())?,
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `bistand audit verify`: checks the chain (and a head recorded earlier).
fn audit_verify(config: &Path, head: Option<&str>, out: &mut dyn Write) -> Result<ExitCode> {
    let config = crate::config::Config::load(config)?;
    let keys = crate::keys::load(&config.store.keys)?;
    let store = crate::server::open_store(&config.store.path, keys.keyring, &keys.pseudonym)?;
    let head = head
        .map(|text| {
            let (seq, hash) = text
                .split_once(':')
                .context("--head must be SEQ:HASH, as verify printed it")?;
            let seq: u64 = seq.parse().context("--head: SEQ must be a whole number")?;
            Ok::<_, anyhow::Error>((seq, hash.to_owned()))
        })
        .transpose()?;
    let verification = match head {
        Some((seq, hash)) => store.audit_verify_against(&bistand_store::AuditHead { seq, hash })?,
        None => store.audit_verify()?,
    };
    writeln!(out, "{}", serde_json::to_string_pretty(&verification)?)?;
    Ok(if verification.is_intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FINDINGS)
    })
}

impl StoreArgs {
    fn into_args(self, keys: Option<PathBuf>) -> crate::cli_store::StoreArgs {
        crate::cli_store::StoreArgs {
            config: self.config,
            db: self.db,
            keys,
        }
    }
}

/// Reads every record of the instrument (and unit) from the store and aggregates them.
fn report_from_store(
    instrument: &str,
    db: &Path,
    keys: &Path,
    unit: Option<String>,
    as_of: Date,
    options: &ReportOptions,
) -> Result<GroupReport> {
    let keys = crate::keys::load(keys)?;
    let store = crate::server::open_store(db, keys.keyring, &keys.pseudonym)?;
    let engine = Engine::new()?;
    let units = unit.map(|unit| vec![unit]);
    let outcome = bistand_store::documents::report_from_store(
        &*store,
        &engine,
        instrument,
        units.as_deref(),
        as_of,
        options,
    )?;
    for skipped in &outcome.not_counted {
        eprintln!(
            "bistand: record {}: not counted: {}",
            skipped.record_id.as_str(),
            skipped.kind
        );
    }
    Ok(outcome.report)
}

/// Reads NDJSON documents and aggregates them in one pass (the same aggregation as the C ABI's
/// `bistand_report`); bad lines are reported by number and kind, never content, and not counted.
fn report_from_ndjson(
    instrument: &str,
    input: &Path,
    as_of: Date,
    options: &ReportOptions,
) -> Result<GroupReport> {
    let engine = Engine::new()?;
    let reader = open_input(input)?;
    let mut aggregator = NdjsonAggregator::new(&engine, instrument, as_of)?;
    for (number, line) in reader.split(b'\n').enumerate() {
        let line = line.with_context(|| format!("cannot read line {}", number + 1))?;
        if let Err(error) = aggregator.add_line(&line) {
            eprintln!(
                "bistand: line {}: not counted: {error} ({})",
                number + 1,
                error.kind()
            );
        }
    }
    let outcome = aggregator.finish(options);
    if outcome.unreadable_lines + outcome.documents_with_errors > 0 {
        eprintln!(
            "bistand: {} unreadable line(s) and {} document(s) with error findings were not counted",
            outcome.unreadable_lines, outcome.documents_with_errors
        );
    }
    Ok(outcome.report)
}

fn engine(profile: Option<&Path>) -> Result<Engine> {
    Ok(match profile {
        Some(path) => Engine::with_profile(&read(path)?)?,
        None => Engine::new()?,
    })
}

/// The named file, or standard input for `-`: the one place the command line opens its input.
pub(crate) fn open_input(path: &Path) -> Result<Box<dyn BufRead>> {
    Ok(if path.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(io::BufReader::new(
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
        ))
    })
}

/// The whole input (file or standard input, see [`open_input`]), at most `MAX_READ` bytes.
fn read(path: &Path) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open_input(path)?
        .take(MAX_READ)
        .read_to_end(&mut bytes)
        .with_context(|| {
            if path.as_os_str() == "-" {
                "cannot read standard input".to_owned()
            } else {
                format!("cannot read {}", path.display())
            }
        })?;
    Ok(bytes)
}

fn validate(
    out: &mut impl Write,
    files: &[PathBuf],
    instrument: Option<&str>,
    common: &Common,
) -> Result<ExitCode> {
    let engine = engine(common.profile.as_deref())?;
    let language = Language::from(common.lang);
    let mut worst = 0u8;
    let mut results = Vec::with_capacity(files.len());
    for file in files {
        let outcome = read(file)
            .map_err(|e| CoreErrorOrIo::Io(format!("{e:#}")))
            .and_then(|bytes| {
                engine
                    .validate(instrument, &bytes)
                    .map_err(CoreErrorOrIo::Core)
            });
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

enum CoreErrorOrIo {
    Core(CoreError),
    Io(String),
}

fn validation_json(file: &Path, outcome: &Result<Report, CoreErrorOrIo>) -> serde_json::Value {
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

fn print_validation_text(
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
            let counts = if sv {
                format!("{} fel, {} varningar", report.errors, report.warnings)
            } else {
                format!("{} errors, {} warnings", report.errors, report.warnings)
            };
            writeln!(out, "{}: {verdict} ({counts})", file.display())?;
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

fn print_error(file: &Path, error: &CoreError, language: Language) {
    let message = match language {
        Language::Swedish => error.message_sv(),
        Language::English => error.message_en(),
    };
    eprintln!("bistand: {}: {message} ({})", file.display(), error.kind());
}

fn print_summary_text(
    out: &mut impl Write,
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
