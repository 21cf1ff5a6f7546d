//! How SUE answers fall into the report groups of [`crate::stats::dimension`]: gender, age band,
//! origin and household group from SUE codes, and long-term assistance. The codes read here are
//! checked against the definition when the engine is built ([`CODES`]), so renaming one in
//! `sue-1.json` is an error rather than clients silently moved into "unknown".

use crate::stats::dimension::{AGE_BANDS, Class, UNKNOWN};
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

/// Months with assistance in a calendar year that make it *långvarigt* (Socialstyrelsen's national
/// measure: 10–12 months of a calendar year, DOMAIN.md (a)). The same count of the rolling 12
/// months before a case start is reported beside it under another name ("rolling 12 months").
pub const LONG_TERM_MONTHS_OF_12: i64 = 10;
/// Months out of 36 that make it *mycket långvarigt*. Socialstyrelsen's exact definition is
/// unconfirmed (DOMAIN.md (a)); 27 of 36 is the common reading, kept here in one place.
pub const VERY_LONG_TERM_MONTHS_OF_36: i64 = 27;

/// Long-term assistance classification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LongTerm {
    /// The national measure: 10–12 months of the last full calendar year before the case start
    /// (`None` when that count is not recorded, as in records made before it was collected).
    pub long_term: Option<bool>,
    /// A rolling measure, not the national one: 10–12 of the 12 months before the case start.
    pub rolling_12: bool,
    /// At least 27 of the last 36 months (`None` when the 36-month figure is not recorded).
    pub very_long_term: Option<bool>,
}

/// Classifies assistance from months with assistance in the last full calendar year (if
/// recorded), in the last 12 months and in the last 36 months (if recorded).
pub fn long_term(
    months_of_calendar_year: Option<i64>,
    months_of_12: i64,
    months_of_36: Option<i64>,
) -> LongTerm {
    LongTerm {
        long_term: months_of_calendar_year.map(|m| m >= LONG_TERM_MONTHS_OF_12),
        rolling_12: months_of_12 >= LONG_TERM_MONTHS_OF_12,
        very_long_term: months_of_36.map(|m| m >= VERY_LONG_TERM_MONTHS_OF_36),
    }
}

/// Years in Sweden of those born abroad, in bands (bistand's choice of bands: the first years,
/// when etableringsersättning and sfi apply, then five-year steps), beside those born in Sweden.
pub const YEARS_IN_SWEDEN: [Class; 6] = [
    Class {
        code: "fodd_i_sverige",
        sv: "Född i Sverige",
        en: "Born in Sweden",
    },
    Class {
        code: "0_3_ar",
        sv: "Utrikes född, 0–3 år i Sverige",
        en: "Born abroad, 0–3 years in Sweden",
    },
    Class {
        code: "4_9_ar",
        sv: "Utrikes född, 4–9 år i Sverige",
        en: "Born abroad, 4–9 years in Sweden",
    },
    Class {
        code: "10_ar_eller_mer",
        sv: "Utrikes född, 10 år eller mer i Sverige",
        en: "Born abroad, 10 years or more in Sweden",
    },
    Class {
        code: "utrikes_fodd_okant_antal_ar",
        sv: "Utrikes född, antal år i Sverige saknas",
        en: "Born abroad, years in Sweden not recorded",
    },
    UNKNOWN,
];

/// The years-in-Sweden band (index into [`YEARS_IN_SWEDEN`]) of an origin group (index into
/// `ORIGINS`, from [`origin`]) and the recorded years in Sweden.
pub fn years_in_sweden(origin_group: usize, years: Option<i64>) -> usize {
    match (origin_group, years) {
        (0, _) => 0,
        (1, Some(0..=3)) => 1,
        (1, Some(4..=9)) => 2,
        (1, Some(10..)) => 3,
        (1, _) => 4,
        _ => 5,
    }
}

/// Long-term status by the national measure, with very long-term first.
pub const LONG_TERM_STATUS: [Class; 4] = [
    Class {
        code: "inte_langvarigt",
        sv: "Inte långvarigt",
        en: "Not long-term",
    },
    Class {
        code: "langvarigt",
        sv: "Långvarigt",
        en: "Long-term",
    },
    Class {
        code: "mycket_langvarigt",
        sv: "Mycket långvarigt",
        en: "Very long-term",
    },
    UNKNOWN,
];

/// The long-term status (index into [`LONG_TERM_STATUS`]): very long-term when at least 27 of
/// 36 months, else long-term or not by the calendar year; the rolling months never decide it.
pub fn long_term_status(long_term: LongTerm) -> usize {
    match (long_term.very_long_term, long_term.long_term) {
        (Some(true), _) => 2,
        (_, Some(true)) => 1,
        (_, Some(false)) => 0,
        _ => 3,
    }
}

/// Gender crossed with household: the register's household types already split single adults by
/// sex; couples are split by the recorded person's gender.
pub const GENDER_HOUSEHOLDS: [Class; 9] = [
    Class {
        code: "ensamstaende_kvinna_utan_barn",
        sv: "Ensamstående kvinnor utan barn",
        en: "Single women, no children",
    },
    Class {
        code: "ensamstaende_kvinna_med_barn",
        sv: "Ensamstående mammor",
        en: "Single mothers",
    },
    Class {
        code: "ensamstaende_man_utan_barn",
        sv: "Ensamstående män utan barn",
        en: "Single men, no children",
    },
    Class {
        code: "ensamstaende_man_med_barn",
        sv: "Ensamstående pappor",
        en: "Single fathers",
    },
    Class {
        code: "sammanboende_kvinna_utan_barn",
        sv: "Sammanboende kvinnor utan barn",
        en: "Women in couples, no children",
    },
    Class {
        code: "sammanboende_kvinna_med_barn",
        sv: "Sammanboende kvinnor med barn",
        en: "Women in couples with children",
    },
    Class {
        code: "sammanboende_man_utan_barn",
        sv: "Sammanboende män utan barn",
        en: "Men in couples, no children",
    },
    Class {
        code: "sammanboende_man_med_barn",
        sv: "Sammanboende män med barn",
        en: "Men in couples with children",
    },
    Class {
        code: "ovrigt",
        sv: "Övriga och uppgift saknas",
        en: "Other or not recorded",
    },
];

/// The gender × household group (index into [`GENDER_HOUSEHOLDS`]) of a `kon` and a
/// `hushallstyp` code. A single adult's household type decides alone (it names the sex).
pub fn gender_household(gender_code: Option<&str>, household_type: Option<&str>) -> usize {
    match (household_type, gender(gender_code)) {
        (Some("ensamstaende_kvinna_utan_barn"), _) => 0,
        (Some("ensamstaende_kvinna_med_barn"), _) => 1,
        (Some("ensamstaende_man_utan_barn"), _) => 2,
        (Some("ensamstaende_man_med_barn"), _) => 3,
        (Some("sammanboende_utan_barn"), 0) => 4,
        (Some("sammanboende_med_barn"), 0) => 5,
        (Some("sammanboende_utan_barn"), 1) => 6,
        (Some("sammanboende_med_barn"), 1) => 7,
        _ => 8,
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
        // The national measure reads the calendar year, never the rolling months.
        assert_eq!(long_term(Some(9), 12, None).long_term, Some(false));
        assert_eq!(long_term(Some(10), 0, None).long_term, Some(true));
        assert_eq!(long_term(None, 12, None).long_term, None);
        assert!(!long_term(Some(12), 9, None).rolling_12);
        assert!(long_term(Some(0), 10, None).rolling_12);
        assert_eq!(long_term(None, 12, Some(26)).very_long_term, Some(false));
        assert_eq!(long_term(None, 12, Some(27)).very_long_term, Some(true));
    }

    #[test]
    fn the_new_breakdowns_group_every_case() {
        assert_eq!(
            YEARS_IN_SWEDEN[years_in_sweden(0, Some(3))].code,
            "fodd_i_sverige"
        );
        assert_eq!(YEARS_IN_SWEDEN[years_in_sweden(1, Some(3))].code, "0_3_ar");
        assert_eq!(YEARS_IN_SWEDEN[years_in_sweden(1, Some(4))].code, "4_9_ar");
        assert_eq!(
            YEARS_IN_SWEDEN[years_in_sweden(1, Some(10))].code,
            "10_ar_eller_mer"
        );
        assert_eq!(
            YEARS_IN_SWEDEN[years_in_sweden(1, None)].code,
            "utrikes_fodd_okant_antal_ar"
        );
        assert_eq!(YEARS_IN_SWEDEN[years_in_sweden(2, Some(4))].code, "okand");
        let status = |calendar, rolling, months_36| {
            LONG_TERM_STATUS[long_term_status(long_term(calendar, rolling, months_36))].code
        };
        assert_eq!(status(Some(12), 12, Some(30)), "mycket_langvarigt");
        assert_eq!(status(Some(10), 0, Some(20)), "langvarigt");
        assert_eq!(status(Some(9), 12, None), "inte_langvarigt");
        assert_eq!(status(None, 12, None), "okand");
        let group = |kon, hushall| GENDER_HOUSEHOLDS[gender_household(kon, hushall)].code;
        assert_eq!(
            group(Some("kvinna"), Some("ensamstaende_kvinna_med_barn")),
            "ensamstaende_kvinna_med_barn"
        );
        assert_eq!(
            group(Some("man"), Some("ensamstaende_man_med_barn")),
            "ensamstaende_man_med_barn"
        );
        assert_eq!(
            group(Some("kvinna"), Some("sammanboende_med_barn")),
            "sammanboende_kvinna_med_barn"
        );
        assert_eq!(
            group(Some("man"), Some("sammanboende_utan_barn")),
            "sammanboende_man_utan_barn"
        );
        assert_eq!(
            group(Some("annat"), Some("sammanboende_med_barn")),
            "ovrigt"
        );
        assert_eq!(group(None, None), "ovrigt");
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
