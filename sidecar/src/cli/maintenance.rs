//! `bistand store reseal` and `bistand store backup`: the long store operations an operator
//! runs beside a serving sidecar, with progress on a terminal and a summary with timing.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bistand_store::{ScanFilter, SqliteStore};

use crate::progress::Progress;

/// Records moved per transaction: the sidecar's writes wait at most one such batch.
const RESEAL_BATCH: usize = 1000;

/// The store to work on: from the sidecar's configuration, or a file (and keys file) given
/// directly.
pub(super) struct StoreArgs {
    pub(super) config: Option<PathBuf>,
    pub(super) db: Option<PathBuf>,
    pub(super) keys: Option<PathBuf>,
}

impl StoreArgs {
    /// The store file and, when known, its keys file.
    fn paths(&self) -> Result<(PathBuf, Option<PathBuf>)> {
        match (&self.config, &self.db) {
            (Some(config), None) => {
                let config = crate::config::Config::load(config)?;
                Ok((config.store.path, Some(config.store.keys)))
            }
            (None, Some(db)) => Ok((db.clone(), self.keys.clone())),
            _ => bail!("give either --config FILE or --db FILE"),
        }
    }
}

/// `bistand store reseal`: moves every record to the active data key in batches, with
/// progress, while the service goes on reading and writing.
pub(super) fn reseal(args: &StoreArgs, quiet: bool) -> Result<()> {
    let (db, keys) = args.paths()?;
    let keys = keys.context("--db needs --keys")?;
    let keys = crate::keys::load(&keys)?;
    let active = keys.keyring.active().id().to_owned();
    let store = crate::server::open_store(&db, keys.keyring, &keys.pseudonym, keys.audit)
        .with_context(|| format!("cannot open the store {}", db.display()))?;
    let mut progress = Progress::new("reseal", None, "records", quiet);
    let mut resealed = 0u64;
    let mut total = None;
    loop {
        let step = store.reseal_batch(RESEAL_BATCH)?;
        resealed += step.resealed;
        let all = *total.get_or_insert(step.resealed + step.remaining);
        progress.set(
            resealed,
            &format!("of {all} record(s) moved to key {active}"),
        );
        if step.remaining == 0 {
            break;
        }
    }
    progress.finish(&format!(
        "resealed {resealed} record(s); every record is now sealed with key {active}, of {} in \
         the store",
        store.count(&ScanFilter::all())?
    ));
    Ok(())
}

/// `bistand store backup --out FILE`: a consistent, owner-only copy of the live store.
pub(super) fn backup(args: &StoreArgs, out: &Path, quiet: bool) -> Result<()> {
    let (db, _) = args.paths()?;
    let progress = Progress::new("backup", None, "pages", quiet);
    progress.keep_turning("copying the store in one consistent read");
    let summary = SqliteStore::backup(&db, out)
        .with_context(|| format!("cannot back up {} to {}", db.display(), out.display()))?;
    progress.finish(&format!(
        "backed up {} to {} ({} bytes, {} pages, schema version {})",
        db.display(),
        out.display(),
        summary.bytes,
        summary.pages,
        summary.schema_version
    ));
    Ok(())
}
