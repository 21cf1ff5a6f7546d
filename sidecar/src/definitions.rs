//! Definitions a user supplies at run time: every `*.json` file of one folder, read in name
//! order (the command line's `--definitions DIR`, the service's `definitions` key). The core
//! compiles them (`Engine::with_supplied`); this module only reads the files.

use std::path::Path;

use anyhow::{Context, Result};

/// The text of every `*.json` file in `folder`, in file-name order.
///
/// # Errors
/// When the folder or a file cannot be read, or a file is not UTF-8, naming it.
pub fn read_folder(folder: &Path) -> Result<Vec<String>> {
    let mut paths: Vec<_> = std::fs::read_dir(folder)
        .with_context(|| format!("cannot read the definitions folder {}", folder.display()))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .with_context(|| format!("cannot read the definitions folder {}", folder.display()))?;
    paths.retain(|p| p.extension().is_some_and(|e| e == "json"));
    paths.sort();
    paths
        .iter()
        .map(|path| {
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the definition {}", path.display()))
        })
        .collect()
}

/// The engine of the shipped definitions and those of `folder`.
///
/// # Errors
/// As [`read_folder`], and a supplied definition that does not compile (naming its position in
/// file-name order, the item and the rule).
pub fn engine(folder: Option<&Path>, profile: Option<&[u8]>) -> Result<bistand_core::Engine> {
    let supplied = match folder {
        Some(folder) => read_folder(folder)?,
        None => Vec::new(),
    };
    let supplied: Vec<&str> = supplied.iter().map(String::as_str).collect();
    Ok(bistand_core::Engine::with_supplied(&supplied, profile)?)
}
