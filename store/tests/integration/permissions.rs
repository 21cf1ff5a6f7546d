//! The store's files are readable by their owner only, whatever the umask: they hold ciphertext,
//! pseudonyms and the audit log.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use bistand_store::Store;

use crate::{open, record, temp_store_path};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("file").permissions().mode() & 0o777
}

fn with_suffix(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

#[test]
fn a_new_store_and_its_journal_files_are_owner_only() {
    let (_dir, path) = temp_store_path();
    // Left to SQLite, the usual umask 022 gives 0644: readable by every local user.
    let store = open(&path, &["k1"]);
    store.put(record(1, "Söder", "sue", "1", 1)).expect("put");
    for file in [
        path.clone(),
        with_suffix(&path, "-wal"),
        with_suffix(&path, "-shm"),
    ] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

#[test]
fn an_existing_store_with_wider_permissions_is_narrowed_when_opened() {
    let (_dir, path) = temp_store_path();
    {
        let store = open(&path, &["k1"]);
        store.put(record(1, "Norr", "sue", "1", 1)).expect("put");
    }
    for suffix in ["", "-wal", "-shm"] {
        let file = with_suffix(&path, suffix);
        if file.exists() {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        }
    }
    let _store = open(&path, &["k1"]);
    assert_eq!(mode(&path), 0o600);
    for suffix in ["-wal", "-shm"] {
        let file = with_suffix(&path, suffix);
        if file.exists() {
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
    }
}
