//! Classifications used by the group reports: age bands, origin and household groups, long-term
//! assistance. Each is defined once here, with its labels, so every report groups the same way.

use serde::Serialize;

use crate::text::Text;

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

const fn class(code: &'static str, sv: &'static str, en: &'static str) -> Class {
    Class { code, sv, en }
}

/// The group of records whose value is missing, in every dimension.
pub const UNKNOWN: Class = class("okand", "Uppgift saknas", "Not recorded");

/// Age bands at the start of the follow-up. Under 25 is the seed study's "young" group.
pub const AGE_BANDS: [Class; 7] = [
    class("under_25", "Under 25 år", "Under 25"),
    class("25_29", "25–29 år", "25–29"),
    class("30_39", "30–39 år", "30–39"),
    class("40_49", "40–49 år", "40–49"),
    class("50_64", "50–64 år", "50–64"),
    class("65_plus", "65 år och äldre", "65 and older"),
    UNKNOWN,
];

/// The age band (index into [`AGE_BANDS`]) of someone born in `birth_year` in `year`.
pub fn age_band(birth_year: Option<i64>, year: Option<i16>) -> usize {
    let (Some(birth), Some(year)) = (birth_year, year) else {
        return AGE_BANDS.len() - 1;
    };
    match i64::from(year) - birth {
        age if age < 0 => AGE_BANDS.len() - 1,
        0..=24 => 0,
        25..=29 => 1,
        30..=39 => 2,
        40..=49 => 3,
        50..=64 => 4,
        _ => 5,
    }
}

/// Born in Sweden or abroad: the origin grouping of the reports.
pub const ORIGINS: [Class; 3] = [
    class("fodd_i_sverige", "Född i Sverige", "Born in Sweden"),
    class("utrikes_fodd", "Född utomlands", "Born abroad"),
    UNKNOWN,
];

/// The origin group (index into [`ORIGINS`]) of a `fodelselandgrupp` code.
pub fn origin(country_group: Option<&str>) -> usize {
    match country_group {
        Some("sverige") => 0,
        Some("norden" | "europa" | "utanfor_europa") => 1,
        _ => 2,
    }
}

/// Household groups of the reports (the national register's household types, by adults and
/// children; the register's split of single adults by sex is a separate dimension here).
pub const HOUSEHOLDS: [Class; 5] = [
    class(
        "ensamstaende_utan_barn",
        "Ensamstående utan barn",
        "Single, no children",
    ),
    class(
        "ensamstaende_med_barn",
        "Ensamstående med barn",
        "Single parent",
    ),
    class(
        "sammanboende_utan_barn",
        "Sammanboende utan barn",
        "Couple, no children",
    ),
    class(
        "sammanboende_med_barn",
        "Sammanboende med barn",
        "Couple with children",
    ),
    class(
        "ovrigt",
        "Övriga och okänd hushållstyp",
        "Other or unknown household",
    ),
];

/// The household group (index into [`HOUSEHOLDS`]) of a `hushallstyp` code.
pub fn household(household_type: Option<&str>) -> usize {
    match household_type {
        Some("ensamstaende_kvinna_utan_barn" | "ensamstaende_man_utan_barn") => 0,
        Some("ensamstaende_kvinna_med_barn" | "ensamstaende_man_med_barn") => 1,
        Some("sammanboende_utan_barn") => 2,
        Some("sammanboende_med_barn") => 3,
        _ => 4,
    }
}

/// Gender as recorded (`kon`).
pub const GENDERS: [Class; 4] = [
    class("kvinna", "Kvinnor", "Women"),
    class("man", "Män", "Men"),
    class("annat", "Annan könsidentitet", "Other gender"),
    UNKNOWN,
];

/// The gender group (index into [`GENDERS`]) of a `kon` code.
pub fn gender(code: Option<&str>) -> usize {
    match code {
        Some("kvinna") => 0,
        Some("man") => 1,
        Some("annat") => 2,
        _ => 3,
    }
}

/// Months with assistance in a calendar year that make it *långvarigt* (Socialstyrelsen: 10–12).
pub const LONG_TERM_MONTHS_OF_12: i64 = 10;
/// Months out of 36 that make it *mycket långvarigt*. Socialstyrelsen's exact definition is
/// unconfirmed (DOMAIN.md (a)); 27 of 36 is the common reading, kept here in one place.
pub const VERY_LONG_TERM_MONTHS_OF_36: i64 = 27;

/// Long-term assistance classification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LongTerm {
    /// 10–12 months of the last 12.
    pub long_term: bool,
    /// At least 27 of the last 36 months (`None` when the 36-month figure is not recorded).
    pub very_long_term: Option<bool>,
}

/// Classifies assistance from months with assistance in the last 12 and 36 months.
pub fn long_term(months_of_12: i64, months_of_36: Option<i64>) -> LongTerm {
    LongTerm {
        long_term: months_of_12 >= LONG_TERM_MONTHS_OF_12,
        very_long_term: months_of_36.map(|m| m >= VERY_LONG_TERM_MONTHS_OF_36),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_bands_cover_every_age_and_missing_data() {
        assert_eq!(AGE_BANDS[age_band(Some(2002), Some(2026))].code, "under_25");
        assert_eq!(AGE_BANDS[age_band(Some(2001), Some(2026))].code, "25_29");
        assert_eq!(AGE_BANDS[age_band(Some(1960), Some(2026))].code, "65_plus");
        assert_eq!(AGE_BANDS[age_band(None, Some(2026))].code, "okand");
        assert_eq!(AGE_BANDS[age_band(Some(2030), Some(2026))].code, "okand");
    }

    #[test]
    fn long_term_thresholds() {
        assert!(!long_term(9, None).long_term);
        assert!(long_term(10, None).long_term);
        assert_eq!(long_term(12, Some(26)).very_long_term, Some(false));
        assert_eq!(long_term(12, Some(27)).very_long_term, Some(true));
    }

    #[test]
    fn groupings_map_every_code_and_unknowns() {
        assert_eq!(origin(Some("norden")), 1);
        assert_eq!(origin(None), 2);
        assert_eq!(household(Some("ensamstaende_kvinna_med_barn")), 1);
        assert_eq!(household(Some("ovrigt")), 4);
        assert_eq!(gender(Some("man")), 1);
    }
}
