//! What a report is broken down by: the [`Dimension`]s, the fixed groups of each ([`Class`]) and
//! the [`ReportOptions`] a caller picks them with. Below both the table builder and disclosure
//! control, which both key quantities by dimension.
//!
//! The groups are the report's own classification (one definition, so every instrument's report
//! groups alike); mapping an instrument's codes onto them is the instrument's business (see
//! `sue::classify`).

use serde::Serialize;

use super::Threshold;
use super::perturbation::PerturbationParams;
use crate::error::{Error, ErrorKind, Result};
use crate::text::Text;

/// A breakdown of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Everyone: one row.
    Total,
    /// Women, men, other.
    Gender,
    /// Age bands at the start of the follow-up.
    AgeBand,
    /// Born in Sweden or abroad.
    Origin,
    /// Household group.
    Household,
    /// Organisational unit.
    Unit,
    /// Calendar year of the start of the follow-up (or of the interview, for FIA).
    Period,
    /// The FIA overall assessment of the same person (linked by pseudonym), or no FIA.
    Assessment,
}

impl Dimension {
    /// Every dimension, in report order.
    pub const ALL: [Dimension; 8] = [
        Dimension::Total,
        Dimension::Gender,
        Dimension::AgeBand,
        Dimension::Origin,
        Dimension::Household,
        Dimension::Unit,
        Dimension::Period,
        Dimension::Assessment,
    ];

    /// Stable name (`age_band`).
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Total => "total",
            Dimension::Gender => "gender",
            Dimension::AgeBand => "age_band",
            Dimension::Origin => "origin",
            Dimension::Household => "household",
            Dimension::Unit => "unit",
            Dimension::Period => "period",
            Dimension::Assessment => "fia_assessment",
        }
    }

    /// Parses a stable name.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] naming the accepted names.
    pub fn parse(name: &str) -> Result<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == name).ok_or_else(|| {
            Error::new(ErrorKind::InvalidArgument, Text { sv: "okänd indelning; förväntade total, gender, age_band, origin, household, unit, period eller fia_assessment".into(), en: "unknown breakdown; expected total, gender, age_band, origin, household, unit, period or fia_assessment".into() })
        })
    }

    pub(crate) fn label(self) -> Text {
        match self {
            Dimension::Total => Text {
                sv: "Totalt".into(),
                en: "Total".into(),
            },
            Dimension::Gender => Text {
                sv: "Kön".into(),
                en: "Gender".into(),
            },
            Dimension::AgeBand => Text {
                sv: "Åldersgrupp".into(),
                en: "Age band".into(),
            },
            Dimension::Origin => Text {
                sv: "Födelseland".into(),
                en: "Country of birth".into(),
            },
            Dimension::Household => Text {
                sv: "Hushållstyp".into(),
                en: "Household type".into(),
            },
            Dimension::Unit => Text {
                sv: "Enhet".into(),
                en: "Unit".into(),
            },
            Dimension::Period => Text {
                sv: "År".into(),
                en: "Year".into(),
            },
            Dimension::Assessment => Text {
                sv: "FIA:s sammanlagda bedömning".into(),
                en: "FIA overall assessment".into(),
            },
        }
    }
}

/// A classification value: a stable code and its labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Class {
    /// Stable code (`under_25`).
    pub code: &'static str,
    /// Swedish label.
    pub sv: &'static str,
    /// English label.
    pub en: &'static str,
}

impl Class {
    /// The labels as a [`Text`].
    pub fn label(&self) -> Text {
        Text {
            sv: self.sv.into(),
            en: self.en.into(),
        }
    }
}

/// The group of records whose value is missing, in every dimension.
pub const UNKNOWN: Class = Class {
    code: "okand",
    sv: "Uppgift saknas",
    en: "Not recorded",
};

/// Age bands at the start of the follow-up. Under 25 is the seed study's "young" group.
pub const AGE_BANDS: [Class; 7] = [
    Class {
        code: "under_25",
        sv: "Under 25 år",
        en: "Under 25",
    },
    Class {
        code: "25_29",
        sv: "25–29 år",
        en: "25–29",
    },
    Class {
        code: "30_39",
        sv: "30–39 år",
        en: "30–39",
    },
    Class {
        code: "40_49",
        sv: "40–49 år",
        en: "40–49",
    },
    Class {
        code: "50_64",
        sv: "50–64 år",
        en: "50–64",
    },
    Class {
        code: "65_plus",
        sv: "65 år och äldre",
        en: "65 and older",
    },
    UNKNOWN,
];

/// Born in Sweden or abroad: the origin grouping of the reports.
pub const ORIGINS: [Class; 3] = [
    Class {
        code: "fodd_i_sverige",
        sv: "Född i Sverige",
        en: "Born in Sweden",
    },
    Class {
        code: "utrikes_fodd",
        sv: "Född utomlands",
        en: "Born abroad",
    },
    UNKNOWN,
];

/// Household groups of the reports (the national register's household types, by adults and
/// children; the register's split of single adults by sex is a separate dimension here).
pub const HOUSEHOLDS: [Class; 5] = [
    Class {
        code: "ensamstaende_utan_barn",
        sv: "Ensamstående utan barn",
        en: "Single, no children",
    },
    Class {
        code: "ensamstaende_med_barn",
        sv: "Ensamstående med barn",
        en: "Single parent",
    },
    Class {
        code: "sammanboende_utan_barn",
        sv: "Sammanboende utan barn",
        en: "Couple, no children",
    },
    Class {
        code: "sammanboende_med_barn",
        sv: "Sammanboende med barn",
        en: "Couple with children",
    },
    Class {
        code: "ovrigt",
        sv: "Övriga och okänd hushållstyp",
        en: "Other or unknown household",
    },
];

/// Gender as recorded (`kon`).
pub const GENDERS: [Class; 4] = [
    Class {
        code: "kvinna",
        sv: "Kvinnor",
        en: "Women",
    },
    Class {
        code: "man",
        sv: "Män",
        en: "Men",
    },
    Class {
        code: "annat",
        sv: "Annan könsidentitet",
        en: "Other gender",
    },
    UNKNOWN,
];

/// The FIA overall assessment's categories (the codes of FIA's `stodbehov` list, in its order), and
/// persons with no FIA in the report's input. A breakdown of any report whose persons are linked
/// to FIA records of theirs (see `stats::link`); the FIA module maps its codes onto these by code.
pub const ASSESSMENTS: [Class; 5] = [
    Class {
        code: "inget_stodbehov",
        sv: "Inget stödbehov i fråga om arbete eller socialt",
        en: "No support need regarding work or socially",
    },
    Class {
        code: "socialt_stodbehov",
        sv: "Stödbehov socialt",
        en: "Social support need",
    },
    Class {
        code: "arbetsrelaterat_stodbehov",
        sv: "Stödbehov i fråga om arbete",
        en: "Support need regarding work",
    },
    Class {
        code: "bade_socialt_och_arbete",
        sv: "Stödbehov både socialt och i fråga om arbete",
        en: "Support need both socially and regarding work",
    },
    Class {
        code: "okand",
        sv: "Ingen FIA med bedömning",
        en: "No FIA with an assessment",
    },
];

/// Options of a report.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportOptions {
    /// Disclosure threshold.
    pub threshold: Threshold,
    /// Breakdowns to include (the total is always included).
    pub dimensions: Vec<Dimension>,
    /// The perturbation of published counts.
    pub perturbation: PerturbationParams,
    /// Exact counts, without perturbation: only for the data owner's own NDJSON on the command
    /// line (`--exact`); the sidecar and the C ABI never set it for stored records.
    pub exact: bool,
}

impl Default for ReportOptions {
    fn default() -> ReportOptions {
        ReportOptions {
            threshold: Threshold::default(),
            dimensions: Dimension::ALL.to_vec(),
            perturbation: PerturbationParams::DEFAULT,
            exact: false,
        }
    }
}

impl ReportOptions {
    /// Validated options from a caller's raw parts, the one place every shell (command line,
    /// REST API, C ABI) turns them into options: `threshold` (the default when `None`; never below
    /// [`Threshold::MINIMUM`]) and the names of the breakdowns. `None` asks for every breakdown;
    /// a list gives the total plus each named breakdown once, in the order first named.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a threshold below the minimum or an unknown breakdown
    /// name, with the message in Swedish and English.
    pub fn new<'a>(
        threshold: Option<u64>,
        breakdowns: Option<impl IntoIterator<Item = &'a str>>,
    ) -> Result<ReportOptions> {
        let threshold = threshold
            .map(Threshold::new)
            .transpose()?
            .unwrap_or_default();
        let dimensions = match breakdowns {
            None => Dimension::ALL.to_vec(),
            Some(names) => {
                let mut dimensions = vec![Dimension::Total];
                for name in names {
                    let dimension = Dimension::parse(name)?;
                    if !dimensions.contains(&dimension) {
                        dimensions.push(dimension);
                    }
                }
                dimensions
            }
        };
        Ok(ReportOptions {
            threshold,
            dimensions,
            ..ReportOptions::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_from_parts_deduplicate_and_default() {
        let none: Option<[&str; 0]> = None;
        assert_eq!(
            ReportOptions::new(None, none).expect("defaults"),
            ReportOptions::default()
        );
        let options =
            ReportOptions::new(Some(7), Some(["unit", "gender", "unit", "total"])).expect("valid");
        assert_eq!(options.threshold.get(), 7);
        assert_eq!(
            options.dimensions,
            [Dimension::Total, Dimension::Unit, Dimension::Gender]
        );
        let empty: [&str; 0] = [];
        assert_eq!(
            ReportOptions::new(None, Some(empty))
                .expect("valid")
                .dimensions,
            [Dimension::Total]
        );
        let error = ReportOptions::new(Some(4), none).expect_err("too low");
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
        let error = ReportOptions::new(None, Some(["kommun"])).expect_err("unknown");
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
        assert!(error.message_sv().contains("okänd indelning"), "{error}");
    }
}
