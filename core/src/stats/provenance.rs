//! Where a report's numbers come from: the definition and rule versions, the protection applied,
//! what was read and what was counted, a digest of the input and the software. Every format
//! states it, and [`Provenance::differences`] says which part differs between a report and the
//! same report made again, so `bistand report --verify` can tell a reader whether a figure still
//! stands.
//!
//! Re-making a report is exact: perturbation is deterministic given the statistics key, so the
//! same input under the same keys and options gives the same report, bit for bit.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::perturbation::PerturbationParams;
use super::{GroupReport, ReportOptions};
use crate::error::{Error, ErrorKind, Result};
use crate::instrument::Definition;
use crate::text::Text;

/// The version of the rules by which records become persons and tables (one person through the
/// record with the latest start, the breakdown groups). Raised when a change would count
/// differently. Our own numbering.
pub const COUNTING_RULES: &str = "1";

/// The version of the disclosure rules (threshold and secondary suppression for exact counts;
/// cell key perturbation and the threshold for perturbed ones). Our own numbering.
pub const DISCLOSURE_RULES: &str = "1";

/// The provenance every report carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// The software that made the report (`bistand <version>`).
    pub software: String,
    /// The instrument definition the documents were read with.
    pub definition: DefinitionVersion,
    /// The versions of the counting and disclosure rules.
    pub rules: RuleVersions,
    /// How the numbers are protected.
    pub protection: Protection,
    /// The breakdowns asked for, by name.
    pub breakdowns: Vec<String>,
    /// What was read.
    pub input: Input,
}

impl DefinitionVersion {
    /// The name and version of `definition`.
    pub fn of(definition: &Definition) -> DefinitionVersion {
        DefinitionVersion {
            instrument: definition.instrument().to_owned(),
            version: definition.version().to_owned(),
        }
    }
}

/// An instrument definition by name and version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DefinitionVersion {
    /// The instrument (`sue`, `fia`).
    pub instrument: String,
    /// Its definition's version.
    pub version: String,
}

/// The rule versions a report was made under.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RuleVersions {
    /// [`COUNTING_RULES`].
    pub counting: String,
    /// [`DISCLOSURE_RULES`].
    pub disclosure: String,
}

/// The protection parameters of a report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Protection {
    /// The disclosure threshold, in persons.
    pub threshold: u64,
    /// Whether counts are exact.
    pub exact: bool,
    /// The perturbation (`None` when exact).
    pub perturbation: Option<PerturbationParams>,
}

/// What a report read: where from, a digest of it, and what was counted and what was not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// `ndjson` (documents the caller holds) or `store` (the encrypted store).
    pub source: String,
    /// The units read (store reports limited to some units); empty means all.
    pub units: Vec<String>,
    /// `sha256:<hex>` of what was read: every non-blank NDJSON line in order, each with its
    /// length; or the set of stored records (id, pseudonym and document; an unreadable record by
    /// its id), in any order ([`RecordSetDigest`]).
    pub digest: String,
    /// Records (lines, stored records) read.
    pub read: u64,
    /// Records counted into the tables.
    pub counted: u64,
    /// Records read but not counted, by reason.
    pub not_counted: Vec<NotCountedTally>,
}

/// How many records were left out for one reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotCountedTally {
    /// The reason's stable code: `linked` (a record of another instrument, read only for what it
    /// tells about its person: background, FIA assessment), `not_a_document` (an NDJSON line),
    /// `invalid_document` (error findings), `unreadable` (a stored record that failed
    /// authentication), or the error kind of a stored body that is not a document.
    pub reason: String,
    /// How many records.
    pub count: u64,
}

/// The digest of a report's input, fed one record at a time.
#[derive(Clone, Debug, Default)]
pub struct InputDigest(Sha256);

impl InputDigest {
    /// An empty digest.
    pub fn new() -> InputDigest {
        InputDigest::default()
    }

    /// Adds one part of a record, prefixed by its length so that no two inputs digest alike by
    /// moving bytes between parts.
    pub fn add(&mut self, part: &[u8]) {
        self.0.update((part.len() as u64).to_le_bytes());
        self.0.update(part);
    }

    /// `sha256:<hex>`.
    pub fn finish(self) -> String {
        let bytes = self.0.finalize();
        let mut out = String::with_capacity(7 + 64);
        out.push_str("sha256:");
        for b in bytes {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }
}

/// The digest of a set of records whatever order they are read in (a store read unit by unit, or
/// all at once): each record's own SHA-256 of its length-prefixed parts, sorted, then digested as
/// an [`InputDigest`].
#[derive(Clone, Debug, Default)]
pub struct RecordSetDigest(Vec<[u8; 32]>);

impl RecordSetDigest {
    /// An empty set.
    pub fn new() -> RecordSetDigest {
        RecordSetDigest::default()
    }

    /// Adds one record, given as its parts.
    pub fn add(&mut self, parts: &[&[u8]]) {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        self.0.push(hasher.finalize().into());
    }

    /// `sha256:<hex>` of the sorted record digests.
    pub fn finish(mut self) -> String {
        self.0.sort_unstable();
        let mut digest = InputDigest::new();
        for record in &self.0 {
            digest.add(record);
        }
        digest.finish()
    }
}

impl Provenance {
    /// The provenance of a report over `definition` made with `options` from `input`.
    pub fn new(definition: DefinitionVersion, options: &ReportOptions, input: Input) -> Provenance {
        Provenance {
            software: format!("bistand {}", env!("CARGO_PKG_VERSION")),
            definition,
            rules: RuleVersions {
                counting: COUNTING_RULES.to_owned(),
                disclosure: DISCLOSURE_RULES.to_owned(),
            },
            protection: Protection {
                threshold: options.threshold.get(),
                exact: options.exact,
                perturbation: (!options.exact).then_some(options.perturbation),
            },
            breakdowns: options
                .dimensions
                .iter()
                .map(|d| d.as_str().to_owned())
                .collect(),
            input,
        }
    }

    /// The parts of the provenance in which `self` and `other` differ, named for people, in the
    /// order they are stated.
    pub fn differences(&self, other: &Provenance) -> Vec<Text> {
        let mut out = Vec::new();
        let mut check = |same: bool, sv: &str, en: &str| {
            if !same {
                out.push(Text {
                    sv: sv.into(),
                    en: en.into(),
                });
            }
        };
        check(
            self.software == other.software,
            "programversionen",
            "the software version",
        );
        check(
            self.definition == other.definition,
            "instrumentdefinitionen",
            "the instrument definition",
        );
        check(
            self.rules == other.rules,
            "reglernas versioner",
            "the rule versions",
        );
        check(
            self.protection == other.protection,
            "skyddet (tröskel, störning)",
            "the protection (threshold, perturbation)",
        );
        check(
            self.breakdowns == other.breakdowns,
            "indelningarna",
            "the breakdowns",
        );
        check(
            self.input.source == other.input.source && self.input.units == other.input.units,
            "källan (NDJSON eller lagret, enheter)",
            "the source (NDJSON or the store, units)",
        );
        check(
            self.input.digest == other.input.digest,
            "indata (kontrollsumman)",
            "the input (its digest)",
        );
        check(
            self.input.read == other.input.read
                && self.input.counted == other.input.counted
                && self.input.not_counted == other.input.not_counted,
            "antalet lästa, räknade och ej räknade poster",
            "the records read, counted and not counted",
        );
        out
    }
}

/// A report read back from its JSON (as `bistand report` prints it, or wrapped in `{"report":
/// ...}` as the REST API and the C ABI return it), to be made again and compared.
#[derive(Debug)]
pub struct SavedReport {
    as_of: jiff::civil::Date,
    provenance: Provenance,
    tables: serde_json::Value,
}

/// The parts of a saved report that verifying reads.
#[derive(Deserialize)]
struct RawSaved {
    as_of: jiff::civil::Date,
    provenance: Provenance,
    tables: serde_json::Value,
}

impl SavedReport {
    /// Reads a report's JSON.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] when `json` is not a bistand report with provenance (the
    /// message names no content).
    pub fn parse(json: &[u8]) -> Result<SavedReport> {
        let not_a_report = || {
            Error::new(
                ErrorKind::InvalidArgument,
                Text {
                    sv: "filen är inte en rapport från bistand i JSON med ursprungsuppgifter                          (provenance)"
                        .into(),
                    en: "the file is not a bistand report in JSON with its provenance".into(),
                },
            )
        };
        let mut value: serde_json::Value =
            serde_json::from_slice(json).map_err(|_| not_a_report())?;
        if let Some(inner) = value.get_mut("report") {
            value = inner.take();
        }
        let raw: RawSaved = serde_json::from_value(value).map_err(|_| not_a_report())?;
        Ok(SavedReport {
            as_of: raw.as_of,
            provenance: raw.provenance,
            tables: raw.tables,
        })
    }

    /// The date the report describes.
    pub fn as_of(&self) -> jiff::civil::Date {
        self.as_of
    }

    /// Its provenance.
    pub fn provenance(&self) -> &Provenance {
        &self.provenance
    }

    /// The options it was made with, to make it again.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a threshold or breakdown this version does not accept.
    pub fn options(&self) -> Result<ReportOptions> {
        let protection = &self.provenance.protection;
        let mut options = ReportOptions::new(
            Some(protection.threshold),
            Some(self.provenance.breakdowns.iter().map(String::as_str)),
        )?;
        options.exact = protection.exact;
        if let Some(perturbation) = protection.perturbation {
            options.perturbation = perturbation;
        }
        Ok(options)
    }

    /// The parts in which `again` (the report made again) differs from this one: the parts of
    /// the provenance, then the tables. Empty when identical.
    pub fn differences(&self, again: &GroupReport) -> Vec<Text> {
        let mut out = match &again.provenance {
            Some(provenance) => self.provenance.differences(provenance),
            None => vec![Text {
                sv: "ursprungsuppgifterna saknas".into(),
                en: "the provenance is missing".into(),
            }],
        };
        if self.as_of != again.as_of {
            out.push(Text {
                sv: "datumet rapporten avser".into(),
                en: "the as-of date".into(),
            });
        }
        // Through text and back, as the saved tables were read: serde_json's float parsing is
        // not always the exact inverse of its printing, so the two sides are read alike.
        let text = serde_json::to_string(&again.tables).expect("tables serialise");
        let tables: serde_json::Value =
            serde_json::from_str(&text).expect("serialised JSON parses");
        if tables != self.tables {
            out.push(Text {
                sv: "tabellerna".into(),
                en: "the tables".into(),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_sha256_of_length_prefixed_parts() {
        let mut a = InputDigest::new();
        a.add(b"ab");
        a.add(b"c");
        let mut b = InputDigest::new();
        b.add(b"a");
        b.add(b"bc");
        let (a, b) = (a.finish(), b.finish());
        assert_ne!(a, b, "moving bytes between parts changes the digest");
        assert!(a.starts_with("sha256:") && a.len() == 71);
        // The empty input: SHA-256 of nothing.
        let (mut x, mut y) = (RecordSetDigest::new(), RecordSetDigest::new());
        x.add(&[b"r1", b"body"]);
        x.add(&[b"r2", b"other"]);
        y.add(&[b"r2", b"other"]);
        y.add(&[b"r1", b"body"]);
        assert_eq!(x.finish(), y.finish(), "a set, whatever the order");
        assert_eq!(
            InputDigest::new().finish(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
