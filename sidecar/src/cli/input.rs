//! Reading input: files or standard input, within a size bound, and the engine with an
//! optional organisation profile.

use std::io::{self, BufRead, Read};
use std::path::Path;

use anyhow::{Context, Result};
use bistand_core::Engine;

/// Largest file read; the engine's own limit (1 MiB by default) then applies to documents.
pub(super) const MAX_READ: u64 = 64 * 1024 * 1024;

/// The engine of a command: the shipped definitions, those of the `--definitions` folder, and
/// the profile.
pub(super) fn engine(definitions: Option<&Path>, profile: Option<&Path>) -> Result<Engine> {
    let profile = profile.map(read).transpose()?;
    crate::definitions::engine(definitions, profile.as_deref())
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
pub(super) fn read(path: &Path) -> Result<Vec<u8>> {
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
