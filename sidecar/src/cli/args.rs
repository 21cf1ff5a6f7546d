//! The command line's shape: commands, their arguments and option values (clap).

use std::path::PathBuf;

use bistand_core::Language;
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "bistand",
    version,
    about = "FIA and SUE for Swedish social assistance: validate, summarise, describe and generate documents",
    after_help = "Exit codes: 0 ok, 1 a document has error findings, 2 input could not be processed."
)]
pub(super) struct Cli {
    /// A folder of instrument definitions you supply (`*.json`, see docs/definitions.md), loaded
    /// beside the shipped ones and checked by the same compiler.
    #[arg(long, global = true)]
    pub(super) definitions: Option<PathBuf>,
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Subcommand)]
pub(super) enum Command {
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
    /// Read a FHIR R4 QuestionnaireResponse (to a questionnaire of `definition --format fhir`)
    /// as a bistand document and validate it ("-" reads standard input).
    ///
    /// With --format json (the default) prints `{"document": ..., "report": ...}`, the same
    /// bytes as `POST /v1/validate/questionnaire-response` and the C ABI's
    /// `bistand_questionnaire_response_validate`.
    QuestionnaireResponse {
        /// The QuestionnaireResponse (JSON).
        file: PathBuf,
        /// Also write the bistand document the response becomes to this file.
        #[arg(long)]
        out: Option<PathBuf>,
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
        /// Output format.
        #[arg(long, value_enum, default_value_t = SummaryFormat::Json)]
        format: SummaryFormat,
        /// Language of text and HTML output.
        #[arg(long, value_enum, default_value_t = Lang::Sv)]
        lang: Lang,
        /// Organisation profile (JSON) listing hidden items.
        #[arg(long)]
        profile: Option<PathBuf>,
    },
    /// Print an instrument definition (what a vendor renders forms from), or check a definition
    /// file: `bistand definition check FILE`.
    Definition {
        /// Instrument name, e.g. fia; or `check` to check FILE.
        instrument: String,
        /// With `check`: the definition file to check.
        file: Option<PathBuf>,
        /// Version; default: the instrument's default version.
        #[arg(long)]
        version: Option<String>,
        /// The definition file as bistand reads it, or a FHIR R4 Questionnaire.
        #[arg(long, value_enum, default_value_t = DefinitionFormat::Json)]
        format: DefinitionFormat,
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
    Report(ReportArgs),
    /// Run the conformance suite: golden cases (input and the exact expected answer) through an
    /// implementation, to show it answers byte for byte as bistand does. Without --lib or --url
    /// the cases run through this program's own core.
    Conformance {
        /// The folder of cases (one folder per case, each with a case.json).
        #[arg(long, default_value = "tests/conformance/cases")]
        cases: PathBuf,
        /// A C library with bistand's ABI (libbistand.so, bistand.dll) to run the cases through.
        #[arg(long, conflicts_with = "url")]
        lib: Option<PathBuf>,
        /// A running `bistand serve` to run the cases through (https://host:port).
        #[arg(long, requires_all = ["token", "ca"])]
        url: Option<String>,
        /// The bearer token for --url (a principal that may validate).
        #[arg(long, requires = "url")]
        token: Option<String>,
        /// The PEM file of the CA that signed the service's certificate, for --url.
        #[arg(long, requires = "url")]
        ca: Option<PathBuf>,
        /// Write the answers as the expected bytes instead of comparing (for maintainers, after a
        /// deliberate change of output; review the diff before committing).
        #[arg(long)]
        update: bool,
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
    /// Read older documents as a newer version through the declared migrations: NDJSON (one
    /// document per line) on standard input, the migrated documents as NDJSON on standard output.
    ///
    /// Nothing is rewritten in place. A document that lost an answer, or that the newer version
    /// would not accept as complete, comes out as a draft; what was not carried, and why, is
    /// printed on standard error by line number and item id (never content).
    Migrate {
        /// The version to migrate to; default: the newest.
        #[arg(long)]
        to: Option<String>,
        /// Language of the reasons on standard error.
        #[arg(long, value_enum, default_value_t = Lang::Sv)]
        lang: Lang,
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
pub(super) enum AuditCommand {
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
    /// Print the head (SEQ:HASH, the hash a MAC under the audit key) to keep elsewhere.
    Head {
        /// The sidecar's configuration file.
        #[arg(long)]
        config: PathBuf,
    },
    /// Relink a log written before the audit key under it, once, after checking it.
    Rekey {
        /// The sidecar's configuration file.
        #[arg(long)]
        config: PathBuf,
    },
}

#[derive(Subcommand)]
pub(super) enum KeysCommand {
    /// A new keys file (random pseudonym, data and statistics keys, with random ids).
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
pub(super) enum StoreCommand {
    /// Validate and store records, one JSON object per line: {"client_id": "...", "document": {...}},
    /// optionally with "source_id" (the record's id in the source system).
    ///
    /// client_id is a personnummer or samordningsnummer (or, if it is not one, a case number); it
    /// is pseudonymised with the organisation's key and never stored. Documents with error findings
    /// are refused (reported by line number, finding codes and paths) and not stored. A line
    /// imported before (same client, instrument and source_id, or document) is skipped; every
    /// stored record gets an audit entry.
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
    /// Check every record against the audit log: rolled back, deleted, edited or unreadable
    /// records by id; exit 1 if any.
    Verify {
        /// The sidecar's configuration file.
        #[arg(long)]
        config: PathBuf,
        /// Move the rows found bad into the quarantine table (kept for forensics, out of scans).
        #[arg(long)]
        quarantine: bool,
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
pub(super) struct StoreArgs {
    /// The sidecar's configuration file (for the store and its keys).
    #[arg(long, conflicts_with = "db", required_unless_present = "db")]
    pub(super) config: Option<PathBuf>,
    /// The store file.
    #[arg(long)]
    pub(super) db: Option<PathBuf>,
}

#[derive(clap::Args)]
pub(super) struct Common {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(super) format: Format,
    /// Language of text output.
    #[arg(long, value_enum, default_value_t = Lang::Sv)]
    pub(super) lang: Lang,
    /// Organisation profile (JSON) listing hidden items.
    #[arg(long)]
    pub(super) profile: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum DefinitionFormat {
    /// The definition file.
    Json,
    /// A FHIR R4 Questionnaire resource.
    Fhir,
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum SummaryFormat {
    /// JSON, for programs.
    Json,
    /// Readable text, for a terminal.
    Text,
    /// A page for the client's file (FIA): labels, a chart of the client's own ratings, the
    /// plan; one self-contained HTML file that prints on A4.
    Html,
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum Format {
    /// JSON, for programs.
    Json,
    /// Readable text, for a terminal.
    Text,
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum ReportFormat {
    /// JSON: every table with counts, shares, intervals and suppression flags.
    Json,
    /// CSV in the wide layout of published tables (groups down, categories across), with the
    /// report's facts first; the dialect follows --lang unless --csv-dialect says otherwise.
    Csv,
    /// CSV in long format, one line per cell, for programs (same dialects).
    CsvLong,
    /// An Excel workbook: an "Om rapporten" sheet with the provenance, one sheet per table
    /// (binary: give --out FILE, or redirect standard output away from a terminal).
    Xlsx,
    /// One self-contained HTML page: the provenance, every table as in the XLSX, and charts
    /// (shares with intervals per group, cross tables as heat maps); prints on A4.
    Html,
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum CsvDialectArg {
    /// Swedish Excel: UTF-8 byte order mark, `;` between fields, decimal comma.
    ExcelSv,
    /// `,` between fields, decimal point, no byte order mark.
    Plain,
}

impl From<CsvDialectArg> for bistand_core::stats::csv::CsvDialect {
    fn from(dialect: CsvDialectArg) -> Self {
        match dialect {
            CsvDialectArg::ExcelSv => Self::ExcelSv,
            CsvDialectArg::Plain => Self::Plain,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum Lang {
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

/// The arguments of `bistand report`.
#[derive(clap::Args)]
pub(super) struct ReportArgs {
    /// Instrument of the documents: sue or fia.
    #[arg(long, default_value = "sue")]
    pub(super) instrument: String,
    /// NDJSON file, or "-" for standard input.
    #[arg(long, default_value = "-", conflicts_with = "db")]
    pub(super) input: PathBuf,
    /// Over NDJSON: the version of the instrument to report in (default: its default version).
    /// Documents of older versions are read through the declared migrations, so a report in
    /// fia version 2 counts version 1 and version 2 documents alike.
    #[arg(long = "version", conflicts_with = "db")]
    pub(super) instrument_version: Option<String>,
    /// Read the records from this encrypted store instead of NDJSON.
    #[arg(long, requires = "keys")]
    pub(super) db: Option<PathBuf>,
    /// Keys file: of the store with --db; over NDJSON, what identifies persons (client ids of
    /// the wrapped form) and perturbs counts. Without it, NDJSON reports need --exact.
    #[arg(long)]
    pub(super) keys: Option<PathBuf>,
    /// Exact counts, not perturbed (NDJSON you hold only; never for publication; labelled
    /// exact in every output format). Reports from the store are always perturbed.
    #[arg(long, conflicts_with = "db")]
    pub(super) exact: bool,
    /// With --db: only records of this unit.
    #[arg(long)]
    pub(super) unit: Option<String>,
    /// The date the report describes (YYYY-MM-DD); default: today.
    #[arg(long)]
    pub(super) as_of: Option<String>,
    /// Disclosure threshold: counts under it are suppressed (default 5; cannot be lowered).
    #[arg(long, default_value_t = bistand_core::stats::Threshold::MINIMUM)]
    pub(super) threshold: u64,
    /// Breakdowns, comma-separated (total, gender, age_band, origin, household, unit, period,
    /// fia_assessment); default: all.
    #[arg(long, value_delimiter = ',')]
    pub(super) breakdown: Vec<String>,
    /// Tables, comma-separated: table ids (needs.gender) or families (needs: the table and each
    /// breakdown of it); default: every table. Only these are computed.
    #[arg(long, value_delimiter = ',')]
    pub(super) tables: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
    pub(super) format: ReportFormat,
    /// Language of CSV headings and labels.
    #[arg(long, value_enum, default_value_t = Lang::Sv)]
    pub(super) lang: Lang,
    /// CSV dialect; default: excel-sv with --lang sv, plain with --lang en.
    #[arg(long, value_enum)]
    pub(super) csv_dialect: Option<CsvDialectArg>,
    /// Write the report to this file instead of standard output.
    #[arg(long)]
    pub(super) out: Option<PathBuf>,
    /// Make the report in this JSON file again, from the same --input or --db (and --keys), with
    /// the options it names, and say whether it is identical or which part differs (exit 1).
    #[arg(long, conflicts_with_all = ["as_of", "threshold", "breakdown", "tables", "exact", "unit", "format", "csv_dialect"])]
    pub(super) verify: Option<PathBuf>,
    /// No progress and no summary; lines not counted and errors only.
    #[arg(long)]
    pub(super) quiet: bool,
}
