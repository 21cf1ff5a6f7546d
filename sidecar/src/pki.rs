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

/// Validity of an issued certificate, as whole years.
#[derive(Clone, Copy, Debug)]
pub struct Validity {
    /// First year it is valid (from 1 January).
    pub from_year: i32,
    /// Year it expires (on 1 January).
    pub until_year: i32,
}

impl Validity {
    /// From last year to `years` years ahead of `this_year`.
    pub fn years_ahead(this_year: i32, years: i32) -> Validity {
        Validity {
            from_year: this_year - 1,
            until_year: this_year + years,
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
    params.not_before = date_time_ymd(validity.from_year, 1, 1);
    params.not_after = date_time_ymd(validity.until_year, 1, 1);
}
