//! A small private certificate authority for `bistand init` and the tests: a CA, a server
//! certificate for the names it is reached by, and client certificates for mTLS. ECDSA P-256
//! keys (rcgen with ring, the same provider rustls uses here).

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, date_time_ymd,
};

/// A certificate and its private key, PEM-encoded, and the certificate's DER.
#[derive(Clone, Debug)]
pub struct Issued {
    /// Certificate, PEM.
    pub certificate_pem: String,
    /// Private key, PEM (PKCS#8).
    pub key_pem: String,
    /// Certificate, DER (what a client-certificate digest is taken over).
    pub certificate_der: Vec<u8>,
}

/// Validity of an issued certificate: from `not_before` to `not_after`, to the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Validity {
    /// The first moment it is valid.
    pub not_before: jiff::Timestamp,
    /// The moment it expires.
    pub not_after: jiff::Timestamp,
}

impl Validity {
    /// How far back `not_before` is set from the issue time, so a relying party whose clock is
    /// a little behind does not see a certificate that is not yet valid.
    pub const BACKDATE: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

    /// Valid from `now` (less [`Validity::BACKDATE`]) until exactly `years` calendar years
    /// after `now` in UTC (29 February to 28 February when the later year has none).
    ///
    /// # Errors
    ///
    /// If the expiry is past the end of the representable time.
    pub fn years_from(now: jiff::Timestamp, years: i16) -> Result<Validity, jiff::Error> {
        let not_after = now
            .to_zoned(jiff::tz::TimeZone::UTC)
            .checked_add(jiff::Span::new().years(years))?
            .timestamp();
        Ok(Validity {
            not_before: now.checked_sub(Validity::BACKDATE)?,
            not_after,
        })
    }

    /// Valid from `not_before` to `not_after` (tests: certificates already expired).
    pub fn between(not_before: jiff::Timestamp, not_after: jiff::Timestamp) -> Validity {
        Validity {
            not_before,
            not_after,
        }
    }
}

/// A certificate authority that can issue certificates.
pub struct Authority {
    issuer: Issuer<'static, KeyPair>,
    /// The CA certificate and key.
    pub issued: Issued,
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Authority { .. }")
    }
}

impl Authority {
    /// A new self-signed CA named `name`.
    ///
    /// # Errors
    ///
    /// If key generation or signing fails.
    pub fn new(name: &str, validity: Validity) -> Result<Authority, rcgen::Error> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.distinguished_name = name_of(name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        set_validity(&mut params, validity);
        let certificate = params.self_signed(&key)?;
        let issued = Issued {
            certificate_pem: certificate.pem(),
            key_pem: key.serialize_pem(),
            certificate_der: certificate.der().to_vec(),
        };
        Ok(Authority {
            issuer: Issuer::new(params, key),
            issued,
        })
    }

    /// A server certificate for `hosts` (DNS names or IP addresses).
    ///
    /// # Errors
    ///
    /// If a host is not a valid DNS name or IP address, or signing fails.
    pub fn server(&self, hosts: &[String], validity: Validity) -> Result<Issued, rcgen::Error> {
        let mut params = CertificateParams::new(hosts.to_vec())?;
        params.distinguished_name = name_of(hosts.first().map_or("bistand", String::as_str));
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        set_validity(&mut params, validity);
        self.issue(&params)
    }

    /// A client certificate for mTLS, with `name` as its common name.
    ///
    /// # Errors
    ///
    /// If signing fails.
    pub fn client(&self, name: &str, validity: Validity) -> Result<Issued, rcgen::Error> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name = name_of(name);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        set_validity(&mut params, validity);
        self.issue(&params)
    }

    fn issue(&self, params: &CertificateParams) -> Result<Issued, rcgen::Error> {
        let key = KeyPair::generate()?;
        let certificate = params.signed_by(&key, &self.issuer)?;
        Ok(Issued {
            certificate_pem: certificate.pem(),
            key_pem: key.serialize_pem(),
            certificate_der: certificate.der().to_vec(),
        })
    }
}

fn name_of(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    name.push(DnType::OrganizationName, "bistand");
    name
}

fn set_validity(params: &mut CertificateParams, validity: Validity) {
    // To the second, which is what X.509 times hold. rcgen's time type is not re-exported, so
    // it is reached through `date_time_ymd` plus the time of day.
    let at = |moment: jiff::Timestamp| {
        let utc = moment.to_zoned(jiff::tz::TimeZone::UTC);
        let seconds = u64::from(utc.hour().unsigned_abs()) * 3600
            + u64::from(utc.minute().unsigned_abs()) * 60
            + u64::from(utc.second().unsigned_abs());
        date_time_ymd(
            i32::from(utc.year()),
            utc.month().unsigned_abs(),
            utc.day().unsigned_abs(),
        ) + std::time::Duration::from_secs(seconds)
    };
    params.not_before = at(validity.not_before);
    params.not_after = at(validity.not_after);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> jiff::Timestamp {
        text.parse().expect("timestamp")
    }

    #[test]
    fn validity_runs_from_the_issue_time_to_the_same_moment_years_on() {
        // Issued in December: two years on, not 1 January (13 months away).
        let validity = Validity::years_from(at("2026-12-02T05:54:23Z"), 2).expect("in range");
        assert_eq!(validity.not_before, at("2026-12-02T04:54:23Z"));
        assert_eq!(validity.not_after, at("2028-12-02T05:54:23Z"));
        // 29 February to 28 February of a common year.
        let leap = Validity::years_from(at("2028-02-29T12:00:00Z"), 1).expect("in range");
        assert_eq!(leap.not_after, at("2029-02-28T12:00:00Z"));
    }
}
