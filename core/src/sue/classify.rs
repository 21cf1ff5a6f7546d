//! How SUE answers fall into the report groups of [`crate::stats::dimension`]: gender, age band,
//! origin and household group from SUE codes, and long-term assistance. The codes read here are
//! checked against the definition when the engine is built ([`CODES`]), so renaming one in
//! `sue-1.json` is an error rather than clients silently moved into "unknown".

use crate::stats::dimension::AGE_BANDS;
#[cfg(doc)]
use crate::stats::dimension::{GENDERS, HOUSEHOLDS, ORIGINS};

/// The SUE items whose codes the functions below match, with those codes. A definition missing
/// any of them cannot be loaded (see `sue::SueModule`).
pub const CODES: &[(&str, &[&str])] = &[
    ("bakgrund.kon", &["kvinna", "man", "annat"]),
    (
        "bakgrund.fodelseland",
        &["sverige", "norden", "europa", "utanfor_europa"],
    ),
    (
        "bakgrund.hushallstyp",
        &[
            "ensamstaende_kvinna_utan_barn",
            "ensamstaende_man_utan_barn",
            "ensamstaende_kvinna_med_barn",
            "ensamstaende_man_med_barn",
            "sammanboende_utan_barn",
            "sammanboende_med_barn",
        ],
    ),
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

/// The origin group (index into [`ORIGINS`]) of a `fodelselandgrupp` code.
pub fn origin(country_group: Option<&str>) -> usize {
    match country_group {
        Some("sverige") => 0,
        Some("norden" | "europa" | "utanfor_europa") => 1,
        _ => 2,
    }
}

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
