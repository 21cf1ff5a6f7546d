//! [`AuditEvent`]: what the caller reports happened, and the checks every event passes before
//! any backend appends it, so that no content and no personnummer can reach the log.

use bistand_core::identifier::{IdentifierHint, find_identifier_like};
use serde::Serialize;

use crate::error::{Error, ErrorKind, Result};
use crate::record::{self, RecordId, RecordMeta};

/// Longest principal, in bytes: room for a user name, an e-mail address or a certificate name.
pub(crate) const MAX_PRINCIPAL_LEN: usize = 128;
/// Longest role, action or outcome, in bytes.
pub(crate) const MAX_TERM_LEN: usize = 64;

///
/// Every field is checked when the event is appended (see
/// [`AuditLog::audit_append`](crate::AuditLog::audit_append)); the checks exist so that no content
/// and no personnummer can be written into the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    /// When it happened, in milliseconds since the Unix epoch. Supplied by the caller, so the
    /// entry carries the time the request was handled rather than the time it was written.
    pub at: i64,
    /// Who acted: a user name, e-mail address or certificate name; 1 to 128 printable ASCII
    /// characters.
    pub principal: String,
    /// The role the principal acted in (`"handlaggare"`, `"analytiker"`); 1 to 64 ASCII letters,
    /// digits, `_`, `-`, `.` or `:`.
    pub role: String,
    /// What was done (`"record.read"`, `"record.write"`, `"report"`); same shape as `role`.
    pub action: String,
    /// The unit the action concerned, if any; the same shape as a record's unit.
    pub unit: Option<String>,
    /// The record the action concerned, if any: a [`RecordId`] as text.
    pub record_id: Option<String>,
    /// The client pseudonym the action concerned, if any. Only a pseudonym is accepted, never a
    /// personnummer.
    pub pseudonym: Option<String>,
    /// How it went (`"ok"`, `"denied"`, `"not_found"`); same shape as `role`.
    pub outcome: String,
    /// The state of the record an audited write left, as `REVISION:CREATED_AT:UPDATED_AT`
    /// (decimal), set by the store ([`AuditedStore`](crate::AuditedStore)); `None` for every
    /// other event. The keyed chain commits to it, so `verify_records` can tell a record rolled
    /// back to an older revision, or with edited timestamps, from the one last written. Left out
    /// of the JSON when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_state: Option<String>,
}

impl AuditEvent {
    /// An event without unit, record or pseudonym; add those with [`AuditEvent::unit`],
    /// [`AuditEvent::record_id`] and [`AuditEvent::pseudonym`].
    pub fn new(
        at: i64,
        principal: impl Into<String>,
        role: impl Into<String>,
        action: impl Into<String>,
        outcome: impl Into<String>,
    ) -> AuditEvent {
        AuditEvent {
            at,
            principal: principal.into(),
            role: role.into(),
            action: action.into(),
            unit: None,
            record_id: None,
            pseudonym: None,
            outcome: outcome.into(),
            record_state: None,
        }
    }

    /// The same event, about `unit`.
    #[must_use]
    pub fn unit(mut self, unit: impl Into<String>) -> AuditEvent {
        self.unit = Some(unit.into());
        self
    }

    /// The same event, about record `id`.
    #[must_use]
    pub fn record_id(mut self, id: &RecordId) -> AuditEvent {
        self.record_id = Some(id.as_str().to_owned());
        self
    }

    /// The same event, about the client with `pseudonym`.
    #[must_use]
    pub fn pseudonym(mut self, pseudonym: impl Into<String>) -> AuditEvent {
        self.pseudonym = Some(pseudonym.into());
        self
    }

    /// The same event, about the record `meta` describes: its id, pseudonym and unit replace
    /// whatever the event said, so an audited write always names what was written.
    pub(crate) fn about(self, meta: &RecordMeta) -> AuditEvent {
        AuditEvent {
            unit: Some(meta.unit.clone()),
            record_id: Some(meta.id.as_str().to_owned()),
            pseudonym: Some(meta.pseudonym.clone()),
            record_state: Some(record_state(meta)),
            ..self
        }
    }

    /// Checks every field's shape, so that nothing but identifiers reaches the log. Messages name
    /// the field, never its value.
    pub(crate) fn check(&self) -> Result<()> {
        if self.at < 0 {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "audit time must be milliseconds since the Unix epoch, 0 or later",
            ));
        }
        check_principal(&self.principal)?;
        let term = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':');
        check_text("role", &self.role, MAX_TERM_LEN, term)?;
        check_text("action", &self.action, MAX_TERM_LEN, term)?;
        check_text("outcome", &self.outcome, MAX_TERM_LEN, term)?;
        if let Some(unit) = &self.unit {
            record::check_unit(unit)?;
            check_no_client_data("unit", unit)?;
        }
        if let Some(id) = &self.record_id {
            RecordId::parse(id)?;
        }
        if let Some(pseudonym) = &self.pseudonym {
            record::check_pseudonym(pseudonym)?;
        }
        if let Some(state) = &self.record_state
            && parse_record_state(state).is_none()
        {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "audit record_state must be REVISION:CREATED_AT:UPDATED_AT in decimal",
            ));
        }
        Ok(())
    }

    /// The text fields in column order, as hashed.
    pub(crate) fn fields(&self) -> [Option<&[u8]>; 7] {
        [
            Some(self.principal.as_bytes()),
            Some(self.role.as_bytes()),
            Some(self.action.as_bytes()),
            self.unit.as_deref().map(str::as_bytes),
            self.record_id.as_deref().map(str::as_bytes),
            self.pseudonym.as_deref().map(str::as_bytes),
            Some(self.outcome.as_bytes()),
        ]
    }
}

/// The state an audited write leaves: `REVISION:CREATED_AT:UPDATED_AT`. The other plain columns
/// (pseudonym, unit, instrument, version, key id) are bound into the sealed body, so an edit of
/// them already fails authentication; these three are not, so the audit log commits to them.
pub(crate) fn record_state(meta: &RecordMeta) -> String {
    format!("{}:{}:{}", meta.revision, meta.created_at, meta.updated_at)
}

/// The revision and timestamps of a `record_state`, if it has that shape.
pub(crate) fn parse_record_state(state: &str) -> Option<(u64, i64, i64)> {
    let mut parts = state.split(':');
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let revision = parts.next().filter(|p| digits(p))?.parse().ok()?;
    let created = parts.next().filter(|p| digits(p))?.parse().ok()?;
    let updated = parts.next().filter(|p| digits(p))?.parse().ok()?;
    parts
        .next()
        .is_none()
        .then_some((revision, created, updated))
}

/// Checks a free-text field: 1 to `max` bytes, each allowed by `allowed`, and nothing that looks
/// like client data.
fn check_text(what: &str, text: &str, max: usize, allowed: impl Fn(u8) -> bool) -> Result<()> {
    if text.is_empty() || text.len() > max || !text.bytes().all(allowed) {
        return Err(invalid_text(what, max));
    }
    check_no_client_data(what, text)
}

fn invalid_text(what: &str, max: usize) -> Error {
    let shape = if what == "principal" {
        "printable ASCII characters, not only spaces"
    } else {
        "ASCII letters, digits, '_', '-', '.' or ':'"
    };
    Error::new(
        ErrorKind::InvalidInput,
        format!("audit {what} must be 1 to {max} {shape}"),
    )
}

/// The rule for a principal's name in the audit log: 1 to `MAX_PRINCIPAL_LEN` printable ASCII
/// characters, not only spaces, and nothing that looks like a personnummer or phone number. The
/// sidecar checks configured principals with it when the configuration loads, so a name the log
/// would refuse is found at start-up rather than at its first audited action.
pub fn check_principal(principal: &str) -> Result<()> {
    let printable = |b: u8| (b' '..=b'~').contains(&b);
    check_text("principal", principal, MAX_PRINCIPAL_LEN, printable)?;
    if principal.trim().is_empty() {
        return Err(invalid_text("principal", MAX_PRINCIPAL_LEN));
    }
    // A principal can come from an embedding program (the C ABI's reports), not only from
    // configured tokens and certificates.
    check_no_client_data("principal", principal)
}

/// Refuses text that looks like a personnummer or a phone number: the audit log names staff and
/// records, never clients. (An e-mail address is a normal principal, so it passes.)
fn check_no_client_data(what: &str, text: &str) -> Result<()> {
    match find_identifier_like(text) {
        Some(IdentifierHint::PersonalNumber | IdentifierHint::PhoneNumber) => Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "audit {what} looks like a personnummer or phone number; the audit log holds no \
                 client data (use the pseudonym field)"
            ),
        )),
        _ => Ok(()),
    }
}
