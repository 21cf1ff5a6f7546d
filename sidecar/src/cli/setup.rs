//! Commands that set up and run the service: init (and what it prints).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

/// `bistand init`: a ready HTTPS setup, and what to do next.
pub(super) fn init(
    out: &mut dyn Write,
    dir: &Path,
    options: &crate::init::InitOptions,
) -> Result<ExitCode> {
    let created = crate::init::init(dir, options)?;
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
        listen = options.listen,
    )?;
    Ok(ExitCode::SUCCESS)
}
