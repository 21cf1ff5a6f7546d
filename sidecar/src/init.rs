//! `bistand init DIR`: a ready configuration in one folder: a private CA, a server certificate,
//! a client certificate and a bearer token for each principal, the keys file, and `bistand.toml`
//! naming them all. Every file is readable by its owner only; the folder too.
//!
//! The principals: one caseworker per unit (`handlaggare-<unit>`), one analyst over every unit
//! (`analytiker`) and one admin (`admin`). Tokens are written once, to `tokens/<name>.token`; the
//! configuration keeps only their SHA-256.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bistand_core::UnitName;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::auth::sha256_hex;
use crate::config::{
    Config, Limits, LogSection, PrincipalConfig, Role, ServerSection, StoreSection, TlsSection,
};
use crate::pki::{Authority, Validity};

/// What `bistand init` should create.
#[derive(Clone, Debug)]
pub struct InitOptions {
    /// Where the service will listen.
    pub listen: SocketAddr,
    /// Names and addresses the server certificate is valid for (besides localhost and the
    /// loopback addresses).
    pub hosts: Vec<String>,
    /// The organisation's units (one caseworker each).
    pub units: Vec<String>,
}

/// A principal created by `init`, with its secret token (printed once, never stored in clear
/// anywhere but its token file).
#[derive(Clone, Debug)]
pub struct CreatedPrincipal {
    /// Name in the configuration.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Units.
    pub units: Vec<String>,
    /// The bearer token.
    pub token: String,
    /// Its token file.
    pub token_file: PathBuf,
    /// Its client certificate and key files.
    pub certificate: PathBuf,
    /// Its client key file.
    pub key: PathBuf,
}

/// What `init` wrote.
#[derive(Clone, Debug)]
pub struct Created {
    /// The configuration file.
    pub config: PathBuf,
    /// The CA certificate clients trust (`curl --cacert`).
    pub ca: PathBuf,
    /// The principals.
    pub principals: Vec<CreatedPrincipal>,
    /// When the CA certificate expires.
    pub ca_expires: jiff::Timestamp,
    /// When the server and client certificates expire (all issued together).
    pub certificates_expire: jiff::Timestamp,
}

/// Years the CA certificate is valid.
pub const CA_YEARS: i16 = 10;
/// Years the server and client certificates are valid.
pub const CERTIFICATE_YEARS: i16 = 2;
/// The ASCII form of a unit name for a principal name: the unit's comparison form (lowercase)
/// decomposed (NFD) with its combining marks dropped, so `å`, `ä` become `a` and `ö` `o` (as any
/// letter NFD splits into a base and marks); the Latin letters that have no decomposition are
/// written as they are usually transliterated (`ø` `o`, `æ` `ae`, `œ` `oe`, `ð` `d`, `þ` `th`,
/// `ł` `l`, `đ` `d`, `ß` `ss`, `ı` `i`), so Tromsø's caseworkers are `handlaggare-tromso`; and
/// `-` for anything else left outside ASCII letters, digits and `_ . -`. For `norr` and `soder` it
/// is the name itself, so the names `init` wrote before stay the same.
fn ascii_name(unit: &UnitName) -> String {
    let mut name = String::new();
    for c in unit.key().nfd().filter(|&c| !is_combining_mark(c)) {
        match c {
            c if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') => name.push(c),
            'ø' => name.push('o'),
            'æ' => name.push_str("ae"),
            'œ' => name.push_str("oe"),
            'ð' | 'đ' => name.push('d'),
            'þ' => name.push_str("th"),
            'ł' => name.push('l'),
            'ß' => name.push_str("ss"),
            'ı' => name.push('i'),
            _ => name.push('-'),
        }
    }
    // Principal names are at most 64 characters; `handlaggare-` takes 12 and a number 4.
    name.truncate(48);
    name
}

/// Creates the setup in `dir`, which must not exist or be empty.
///
/// # Errors
///
/// If `dir` holds files (nothing is overwritten), a unit or host name is unusable, or a file
/// cannot be written.
pub fn init(dir: &Path, options: &InitOptions) -> Result<Created> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .next()
            .is_some()
    {
        bail!(
            "{} is not empty: init never overwrites keys or certificates; choose a new folder",
            dir.display()
        );
    }
    create_private_dir(dir)?;
    create_private_dir(&dir.join("clients"))?;
    create_private_dir(&dir.join("tokens"))?;

    // One moment for every certificate, so what is printed is what each one holds.
    let now = jiff::Timestamp::now();
    let ca_validity = Validity::years_from(now, CA_YEARS).context("certificate validity")?;
    let validity = Validity::years_from(now, CERTIFICATE_YEARS).context("certificate validity")?;
    let authority =
        Authority::new("bistand private CA", ca_validity).context("cannot create the CA")?;
    let mut hosts = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    for host in &options.hosts {
        if !hosts.contains(host) {
            hosts.push(host.clone());
        }
    }
    let server = authority.server(&hosts, validity).context(
        "cannot create the server certificate (is every --host a DNS name or an IP address?)",
    )?;
    write_private(
        &dir.join("ca.pem"),
        authority.issued.certificate_pem.as_bytes(),
    )?;
    write_private(&dir.join("ca.key"), authority.issued.key_pem.as_bytes())?;
    write_private(&dir.join("server.pem"), server.certificate_pem.as_bytes())?;
    write_private(&dir.join("server.key"), server.key_pem.as_bytes())?;
    write_private(&dir.join("keys.json"), crate::keys::generate()?.as_bytes())?;

    let mut wanted: Vec<(String, Role, Vec<String>)> = Vec::new();
    let mut seen = Vec::new();
    for unit in &options.units {
        let name = UnitName::parse(unit).map_err(|error| anyhow::anyhow!("--unit: {error}"))?;
        if seen.contains(&name) {
            bail!("--unit: a unit is listed twice (units are compared ignoring case)");
        }
        // Principal names are ASCII (they name files and appear in logs); the unit keeps its
        // spelling in `units`. Two units with one ASCII form get a number to tell them apart.
        let mut principal = format!("handlaggare-{}", ascii_name(&name));
        let mut n = 2;
        while wanted.iter().any(|(taken, _, _)| *taken == principal) {
            principal = format!("handlaggare-{}-{n}", ascii_name(&name));
            n += 1;
        }
        wanted.push((principal, Role::Caseworker, vec![unit.clone()]));
        seen.push(name);
    }
    wanted.push((
        "analytiker".to_owned(),
        Role::Analyst,
        options.units.clone(),
    ));
    wanted.push(("admin".to_owned(), Role::Admin, Vec::new()));

    let mut principals = Vec::new();
    let mut configured = Vec::new();
    for (name, role, units) in wanted {
        let token = random_token()?;
        let client = authority
            .client(&name, validity)
            .with_context(|| format!("cannot create the client certificate of {name}"))?;
        let token_file = dir.join("tokens").join(format!("{name}.token"));
        let certificate = dir.join("clients").join(format!("{name}.pem"));
        let key = dir.join("clients").join(format!("{name}.key"));
        write_private(&token_file, token.as_bytes())?;
        write_private(&certificate, client.certificate_pem.as_bytes())?;
        write_private(&key, client.key_pem.as_bytes())?;
        configured.push(PrincipalConfig {
            name: name.clone(),
            role,
            units: units.clone(),
            token_sha256: Some(sha256_hex(token.as_bytes())),
            certificate_sha256: Some(sha256_hex(&client.certificate_der)),
        });
        principals.push(CreatedPrincipal {
            name,
            role,
            units,
            token,
            token_file,
            certificate,
            key,
        });
    }

    let config = Config {
        definitions: None,
        server: ServerSection {
            listen: options.listen,
            plain_http: false,
            shutdown_grace_seconds: 30,
        },
        tls: Some(TlsSection {
            certificate: "server.pem".into(),
            private_key: "server.key".into(),
            client_ca: Some("ca.pem".into()),
            require_client_certificate: false,
        }),
        store: StoreSection {
            path: "bistand.db".into(),
            keys: "keys.json".into(),
        },
        limits: Limits::default(),
        principals: configured,
        log: LogSection::default(),
    };
    let text = format!(
        "# bistand sidecar configuration, written by `bistand init`.\n\
         # Relative paths are relative to this file. Tokens are stored as SHA-256 only; the\n\
         # tokens themselves are in tokens/. See docs/operations.md for every key.\n\n{}",
        toml::to_string_pretty(&config).context("cannot write the configuration")?
    );
    // The written file must load as written: check it the way `serve` will.
    Config::parse(&text).map_err(|e| {
        anyhow::anyhow!("internal error: init wrote a configuration that does not load: {e}")
    })?;
    let config_path = dir.join("bistand.toml");
    write_private(&config_path, text.as_bytes())?;
    Ok(Created {
        config: config_path,
        ca: dir.join("ca.pem"),
        principals,
        ca_expires: ca_validity.not_after,
        certificates_expire: validity.not_after,
    })
}

/// A bearer token: 32 random bytes, hex, with a prefix that secret scanners can find.
fn random_token() -> Result<String> {
    Ok(format!("bistand_{}", crate::keys::random_secret_hex()?))
}

fn create_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot restrict {}", dir.display()))?;
    }
    Ok(())
}

/// Writes a new file readable and writable by its owner only (created so, never widened).
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_names_fold_to_ascii_by_dropping_marks() {
        let name = |unit: &str| ascii_name(&UnitName::parse(unit).expect("unit"));
        assert_eq!(name("soder"), "soder");
        assert_eq!(name("Söder"), "soder");
        assert_eq!(name("So\u{308}der"), "soder");
        assert_eq!(name("Sankt Örjan"), "sankt-orjan");
        assert_eq!(name("Ålidhem/Väst"), "alidhem-vast");
        assert_eq!(
            name("Malmö (Ø)"),
            "malmo--o-",
            "brackets and spaces are not letters"
        );
        // Letters without a decomposition keep a letter (they used to become `-`).
        assert_eq!(name("Tromsø"), "tromso");
        assert_eq!(name("Færøerne"), "faeroerne");
        assert_eq!(name("Þórshöfn"), "thorshofn");
        assert_eq!(name("Łódź"), "lodz");
        assert_eq!(name("Đakovo Straße"), "dakovo-strasse");
        assert_eq!(name("Reykjavík Suðurnes"), "reykjavik-sudurnes");
        assert_eq!(name("Skärholmen-Hägersten"), "skarholmen-hagersten");
    }

    #[test]
    fn init_writes_a_loadable_private_setup_and_refuses_to_overwrite() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("setup");
        let options = InitOptions {
            listen: "127.0.0.1:8443".parse().expect("address"),
            hosts: vec!["bistand.kommun.example".into()],
            units: vec!["norr".into(), "soder".into()],
        };
        let created = init(&target, &options).expect("init");
        let config = Config::load(&created.config).expect("loads");
        assert_eq!(config.principals.len(), 4);
        assert_eq!(created.principals[0].name, "handlaggare-norr");
        assert!(
            created
                .principals
                .iter()
                .all(|p| p.token.starts_with("bistand_"))
        );
        let text = std::fs::read_to_string(&created.config).expect("read");
        for principal in &created.principals {
            assert!(
                !text.contains(&principal.token),
                "a token in clear in the config"
            );
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for entry in walk(&target) {
                let mode = std::fs::metadata(&entry)
                    .expect("meta")
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o077, 0, "{} is readable by others", entry.display());
            }
        }
        crate::server::tls_config(config.tls.as_ref().expect("tls")).expect("usable TLS files");
        let again = init(&target, &options).expect_err("refuses");
        assert!(again.to_string().contains("is not empty"));
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = vec![dir.to_path_buf()];
        for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
        out
    }
}
