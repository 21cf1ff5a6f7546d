//! A consistent copy of a live store with SQLite's online backup API.
//!
//! The copy is taken in one read transaction on its own connection: in WAL mode the service goes
//! on writing meanwhile, and the copy holds exactly the commits made before it started (every
//! record with its audit entry, never half a transaction). It copies pages, so records stay
//! sealed and the copy needs the same keys file to be read.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::schema::APPLICATION_ID;
use super::{BUSY_TIMEOUT, SqliteStore};
use crate::error::{Error, ErrorKind, Result};

/// What a backup copied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackupSummary {
    /// Database pages copied.
    pub pages: u64,
    /// Size of the copy in bytes.
    pub bytes: u64,
    /// The copy's schema version (`PRAGMA user_version`; see
    /// [`SCHEMA_VERSION`](crate::SCHEMA_VERSION)): what an upgrade's rollback restores.
    pub schema_version: u32,
}

impl SqliteStore {
    /// Copies the store in the file `source` to the new file `destination` (created with mode
    /// 0600 on Unix, never overwritten), consistently, while other connections and processes
    /// keep writing to `source`. Needs no keys: pages are copied as they are, sealed.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] if `destination` exists; [`ErrorKind::Migration`] if `source`
    /// is not a bistand store; [`ErrorKind::Io`] if `destination` cannot be created;
    /// [`ErrorKind::Database`] if the copy fails (the partial copy is then removed).
    pub fn backup(source: &Path, destination: &Path) -> Result<BackupSummary> {
        let context = "could not back up the store";
        let db = |e| Error::database(context, e);
        // Open without creating: a mistyped source must not become a new empty store.
        let src = Connection::open_with_flags(
            source,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(db)?;
        src.busy_timeout(BUSY_TIMEOUT).map_err(db)?;
        let application_id: i32 = src
            .query_row("PRAGMA application_id", [], |row| row.get(0))
            .map_err(db)?;
        if application_id != APPLICATION_ID {
            return Err(Error::new(
                ErrorKind::Migration,
                "the file to back up is not a bistand store",
            ));
        }
        create_private(destination)?;
        let copied = copy(&src, destination);
        if copied.is_err() {
            let _ = std::fs::remove_file(destination);
        }
        copied
    }
}

fn copy(src: &Connection, destination: &Path) -> Result<BackupSummary> {
    let context = "could not back up the store";
    let db = |e| Error::database(context, e);
    let mut dst = Connection::open(destination).map_err(db)?;
    {
        let backup = rusqlite::backup::Backup::new(src, &mut dst).map_err(db)?;
        // All pages in one step: one read transaction, so the copy is one consistent snapshot.
        // Copying in several steps would restart whenever the service commits in between and
        // might never finish on a busy store.
        let started = std::time::Instant::now();
        loop {
            match backup.step(-1).map_err(db)? {
                rusqlite::backup::StepResult::Done => break,
                // Busy or locked: another connection holds a lock; wait as a busy handler would.
                _ if started.elapsed() < BUSY_TIMEOUT => {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                _ => {
                    return Err(Error::new(
                        ErrorKind::Database,
                        "could not back up the store: it stayed locked; try again",
                    ));
                }
            }
        }
    }
    let pages: i64 = dst
        .query_row("PRAGMA page_count", [], |row| row.get(0))
        .map_err(db)?;
    let schema_version: u32 = dst
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(db)?;
    // The copy is a single file: fold its log in, so copying the file alone is complete.
    dst.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .map_err(db)?;
    drop(dst);
    let bytes = std::fs::metadata(destination)
        .map(|m| m.len())
        .map_err(|e| io_error("could not read the size of the backup", &e))?;
    Ok(BackupSummary {
        pages: u64::try_from(pages).unwrap_or(0),
        bytes,
        schema_version,
    })
}

/// Creates `path` empty and owner-only, refusing an existing file.
fn create_private(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Error::new(
                ErrorKind::InvalidInput,
                "the backup file already exists; a backup never overwrites a file",
            )
        } else {
            io_error("could not create the backup file", &e)
        }
    })
}

fn io_error(context: &str, error: &std::io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("{context}: {error}"))
}

#[cfg(test)]
mod tests {
    use bistand_core::seal::{DataKey, Keyring};

    use super::*;
    use crate::record::{NewRecord, ScanFilter};
    use crate::sqlite::tests::PSEUDONYM;
    use crate::{AuditLog, Store};

    #[test]
    fn a_backup_is_a_private_readable_store_and_never_overwrites() {
        let dir = tempfile::tempdir().expect("tempdir");
        let keyring = || Keyring::new(DataKey::new("k1", &[1; 32]).expect("key"));
        let source = dir.path().join("live.db");
        let store = SqliteStore::open(&source, keyring()).expect("open");
        for n in 0..20 {
            let record = NewRecord {
                pseudonym: PSEUDONYM.to_owned(),
                unit: "norr".into(),
                instrument: "sue".into(),
                version: "1".into(),
                body: format!("{{\"n\":{n}}}").into_bytes(),
            };
            store.put(record).expect("put");
        }
        let copy = dir.path().join("copy.db");
        let summary = SqliteStore::backup(&source, &copy).expect("backup");
        assert!(summary.pages > 0 && summary.bytes > 0);
        assert_eq!(summary.schema_version, crate::SCHEMA_VERSION);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&copy).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let restored = SqliteStore::open(&copy, keyring()).expect("open copy");
        assert_eq!(restored.count(&ScanFilter::all()).expect("count"), 20);
        assert!(restored.audit_verify().expect("verify").is_intact());

        let again = SqliteStore::backup(&source, &copy).expect_err("exists");
        assert_eq!(again.kind(), ErrorKind::InvalidInput);
        let missing = SqliteStore::backup(&dir.path().join("nope.db"), &dir.path().join("x.db"))
            .expect_err("no source");
        assert_eq!(missing.kind(), ErrorKind::Database);
        assert!(!dir.path().join("nope.db").exists());
    }
}
