//! The command line: [`run`] parses the arguments (`args`) and hands each command to its module
//! (`documents`, `report`, `store`, `import`, `keys`, `maintenance`, `setup`, `verify`,
//! `conformance`; input in `input`). Exit codes: 0 success (documents valid), 1 at least one
//! document has error findings, 2 input could not be processed (unreadable file, malformed JSON,
//! unknown instrument, bad arguments).

use std::io;
use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;

mod args;
mod conformance;
mod documents;
mod import;
mod input;
mod keys;
mod maintenance;
mod report;
mod setup;
mod store;
mod verify;

use args::{AuditCommand, Cli, Command, KeysCommand, StoreCommand};
use documents::{
    check_definition, definition, generate, migrate, questionnaire_response, schema, summary,
    validate,
};
use report::report;
use setup::init;
use store::audit_verify;

/// Exit code for documents with error findings (and a broken audit chain).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code for input that could not be processed at all.
pub const EXIT_FAILURE: u8 = 2;

/// Parses the command line and runs the command; the exit code says how it went.
///
/// # Errors
///
/// When input cannot be processed at all (the caller prints it and exits with 2).
pub fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    let defs = cli.definitions.as_deref();
    let mut out = io::stdout().lock();
    match cli.command {
        Command::Validate {
            files,
            instrument,
            common,
        } => validate(&mut out, &files, instrument.as_deref(), &common, defs),
        Command::QuestionnaireResponse {
            file,
            out: doc,
            common,
        } => questionnaire_response(&mut out, &file, doc.as_deref(), &common, defs),
        Command::Summary {
            file,
            today,
            format,
            lang,
            profile,
        } => summary(
            &mut out,
            &file,
            today,
            (format, lang.into()),
            profile.as_deref(),
            defs,
        ),
        Command::Definition {
            instrument,
            file: Some(file),
            ..
        } if instrument == "check" => check_definition(&mut out, &file),
        Command::Definition {
            instrument,
            version,
            format,
            ..
        } => definition(&mut out, &instrument, version.as_deref(), format, defs),
        Command::Schema {
            instrument,
            version,
        } => schema(&mut out, &instrument, version.as_deref(), defs),
        Command::Migrate { to, lang } => migrate(
            &mut io::stdin().lock(),
            &mut out,
            &mut io::stderr(),
            to.as_deref(),
            lang.into(),
            defs,
        ),
        Command::Generate {
            instrument,
            count,
            seed,
            client_ids,
        } => generate(&mut out, &instrument, count, seed, client_ids),
        Command::Keys {
            command: KeysCommand::Generate { out: file },
        } => {
            keys::generate(file.as_deref(), &mut out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys {
            command: KeysCommand::Rotate { keys },
        } => {
            let id = keys::rotate(&keys)?;
            eprintln!(
                "bistand: added data key {id} to {} and made it active; restart the service, then \
                 run `bistand store reseal`",
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
        } => import::import(&import::ImportOptions {
            db: &db,
            keys: &keys,
            input: &input,
            dry_run,
            quiet,
        }),
        Command::Store {
            command: StoreCommand::Reseal { store, keys, quiet },
        } => {
            maintenance::reseal(&store.into_args(keys), quiet)?;
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
            maintenance::backup(&store.into_args(None), &file, quiet)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Store {
            command: StoreCommand::Verify { config, quarantine },
        } => verify::store_verify(&config, quarantine, &mut out),
        Command::Serve { config } => {
            crate::server::run(&config)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Init {
            dir,
            listen,
            hosts,
            units,
        } => init(
            &mut out,
            &dir,
            &crate::init::InitOptions {
                listen,
                hosts,
                units,
            },
        ),
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
        Command::Audit {
            command: AuditCommand::Head { config },
        } => verify::audit_head(&config, &mut out),
        Command::Audit {
            command: AuditCommand::Rekey { config },
        } => verify::audit_rekey(&config, &mut out),
        Command::Report(args) => report(&mut out, args, defs),
        Command::Conformance {
            cases,
            lib,
            url,
            token,
            ca,
            update,
        } => conformance::conformance(
            &mut out,
            &conformance::Options {
                cases,
                lib,
                url,
                token,
                ca,
                update,
            },
        ),
    }
}

impl args::StoreArgs {
    fn into_args(self, keys: Option<std::path::PathBuf>) -> maintenance::StoreArgs {
        maintenance::StoreArgs {
            config: self.config,
            db: self.db,
            keys,
        }
    }
}
