//! `bistand keys generate` and `bistand keys rotate`: keys files that are owner-only from the
//! first byte, with unique key ids.
//!
//! A file is created with mode 0600 (`O_EXCL`, so an existing file, or a link planted in its
//! place, is never overwritten or followed) and never widened; a rotated file is written to a new
//! 0600 file beside the old one, synced, and renamed over it, so a crash leaves either the old
//! keys or the new ones, never half a file.

use std::fs::OpenOptions;
use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, Result};
use zeroize::Zeroize;

/// `bistand keys generate [--out FILE]`.
pub(super) fn generate(out: Option<&Path>, stdout: &mut dyn Write) -> Result<()> {
    let mut json = crate::keys::generate()?;
    let written = match out {
        Some(path) => write_new_private(path, json.as_bytes())
            .with_context(|| format!("cannot create keys file {}", path.display())),
        None => {
            if !std::io::stdout().is_terminal() {
                eprintln!(
                    "bistand: warning: a redirect (> keys.json) creates the file with your umask, \
                     often readable by everyone; prefer `bistand keys generate --out keys.json` \
                     (mode 0600)"
                );
            }
            writeln!(stdout, "{json}").map_err(Into::into)
        }
    };
    json.zeroize();
    written?;
    if let Some(path) = out {
        eprintln!(
            "bistand: wrote {} (readable by you only); keep it apart from backups of the store",
            path.display()
        );
    }
    Ok(())
}

/// `bistand keys rotate --keys FILE`: adds a new data key, makes it active, keeps the old ones.
pub(super) fn rotate(path: &Path) -> Result<String> {
    let mut old =
        std::fs::read(path).with_context(|| format!("cannot read keys file {}", path.display()))?;
    let id = crate::keys::random_id("k")?;
    let mut secret = crate::keys::new_secret()?;
    let rotated = bistand_core::keys::rotate_keys_json(&old, &id, &secret);
    old.zeroize();
    secret.zeroize();
    let mut rotated = rotated.map_err(|e| anyhow::anyhow!("keys file {}: {e}", path.display()))?;
    let replaced = replace_private(path, rotated.as_bytes());
    rotated.zeroize();
    replaced.with_context(|| format!("cannot rewrite keys file {}", path.display()))?;
    Ok(id)
}

/// Creates `path` with mode 0600 and writes `bytes`; refuses an existing path.
fn write_new_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow::anyhow!(
                "it already exists; a keys file is never overwritten (move it away first)"
            )
        } else {
            e.into()
        }
    })?;
    file.write_all(bytes)?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Ok(())
}

/// Replaces `path` atomically with a 0600 file holding `bytes`.
fn replace_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    // tempfile creates the file with mode 0600 and O_EXCL.
    let mut file = tempfile::Builder::new()
        .prefix(".keys-rotate")
        .tempfile_in(dir)?;
    file.write_all(bytes)?;
    file.write_all(b"\n")?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    // The rename is durable once the folder is synced.
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}
