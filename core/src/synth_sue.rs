//! Deterministic synthetic SUE documents (instrument `sue`, version 1) for tests, demonstrations
//! and the development of reports.
//!
//! The same definition and seed give the same documents on every run, build and platform: the
//! only randomness is ChaCha8 seeded with [`rand::SeedableRng::seed_from_u64`], of which only the raw
//! 64-bit outputs are used, and all probabilities are computed with plain IEEE arithmetic. There
//! is no clock. Every document validates without error findings.
//!
//! The shares are calibrated on the seed study of activation of social assistance recipients
//! (DOMAIN.md (d) and (e)), on the register figures of DOMAIN.md (a) and on the FIA trial
//! (DOMAIN.md (b)); each target is a named constant below. The group differences the study
//! describes (men get more jobbaktivering, mothers the least activation, sanctions mostly go to
//! Swedish-born men over 25, undantag to women and the young, work is commoner after
//! resursaktivering and continued assistance after sanktion) are odds ratios in logistic models
//! whose base odds are solved against the exactly enumerated background distribution, so the
//! overall shares hit their targets in expectation whatever the size of the group effects.
//!
//! Each document has the shape `{"instrument": "sue", "version": "1", "status": "complete",
//! "unit": "Norr", "interview_date": "YYYY-MM-DD", "answers": {...}}`; about 10 % are drafts
//! (`"status": "draft"` with `completed_sections`) of cases still running. `interview_date`, which
//! every document envelope needs, is the date the record was last registered. Dates lie in
//! 2024-01-01..=2026-10-31. Hideable items (the client follow-up) are answered too: validate with
//! an engine whose profile hides none of them (the default).
//!
//! Synthetic documents describe no real person, and the associations in them were put there by
//! this module: they are test material, never evidence.
//!
//! ```
//! use bistand_core::{Engine, synth_sue};
//!
//! let engine = Engine::new()?;
//! let definition = engine.definition("sue", Some("1"))?;
//! for document in synth_sue::sue_documents(definition, 42, 5)? {
//!     let bytes = serde_json::to_vec(&document).expect("a JSON value serialises");
//!     assert_eq!(engine.validate(Some("sue"), &bytes)?.errors, 0);
//! }
//! # Ok::<(), bistand_core::Error>(())
//! ```

use std::collections::BTreeMap;

use jiff::Span;
use jiff::civil::{Date, date};
use serde_json::{Map, Value, json};

use crate::Text;
use crate::draw::Draw;
use crate::error::{Error, ErrorKind, Result};
use crate::instrument::{Definition, ItemKind};

// ---------------------------------------------------------------------------------------------
// Calibration targets. Shares of all generated documents unless said otherwise.
// ---------------------------------------------------------------------------------------------

/// Clients with at least one activation intervention (code group `jobbaktivering` or
/// `resursaktivering`): 40 % in the seed year, 20–60 % by municipality (DOMAIN.md (d)).
pub const TARGET_ACTIVATED: f64 = 0.40;
/// Of the activated, those with jobbaktivering only: 50 % (DOMAIN.md (d)).
pub const TARGET_JOBB_ONLY: f64 = 0.50;
/// Of the activated, those with resursaktivering only: 35 % (DOMAIN.md (d)). The remaining 15 %
/// get both kinds.
pub const TARGET_RESURS_ONLY: f64 = 0.35;
/// Clients with at least one sanktion: 20 %, 20–35 % by municipality (DOMAIN.md (d)).
pub const TARGET_SANKTION: f64 = 0.20;
/// Clients with at least one undantag: 20 %, 7–44 % by municipality (DOMAIN.md (d)).
pub const TARGET_UNDANTAG: f64 = 0.20;
/// Women among clients: 45 % (assumption; DOMAIN.md (a) says only that 21 % of all single
/// mothers receive bistånd).
pub const TARGET_WOMEN: f64 = 0.45;
/// Clients recorded with another gender (`annat`): a small share (assumption).
pub const TARGET_OTHER_GENDER: f64 = 0.005;
/// Clients born abroad (`norden`, `europa`, `utanfor_europa`): 55 % (assumption in line with the
/// register; the seed study compares Swedish-born and foreign-born clients, DOMAIN.md (a)).
pub const TARGET_BORN_ABROAD: f64 = 0.55;
/// Country of birth unknown (assumption).
pub const TARGET_ORIGIN_UNKNOWN: f64 = 0.01;
/// Long-term recipients, bistånd 10–12 of the last 12 months: 36 % (DOMAIN.md (a)).
pub const TARGET_LONG_TERM: f64 = 0.36;
/// After an intervention, work without support: 16 %; with `TARGET_OUTCOME_WORK_SUPPORTED` the
/// seed study's 24 % in work (DOMAIN.md (e)).
pub const TARGET_OUTCOME_WORK: f64 = 0.16;
/// After an intervention, work with support (wage subsidy and the like): 8 % (DOMAIN.md (e),
/// split assumed).
pub const TARGET_OUTCOME_WORK_SUPPORTED: f64 = 0.08;
/// After an intervention, studies: 14 % (assumption).
pub const TARGET_OUTCOME_STUDIES: f64 = 0.14;
/// After an intervention, another benefit (unemployment, sickness, activity benefit): 25 %
/// (assumption).
pub const TARGET_OUTCOME_OTHER_BENEFIT: f64 = 0.25;
/// After an intervention, continued social assistance: 17 % (DOMAIN.md (e)).
pub const TARGET_OUTCOME_CONTINUED: f64 = 0.17;
/// After an intervention, not known: the rest, 20 % (assumption).
pub const TARGET_OUTCOME_UNKNOWN: f64 = 0.20;
/// Cases with a closure (`avslutning`): 60 % (assumption).
pub const TARGET_CLOSED: f64 = 0.60;
/// Closed cases re-opened within 12 months: 25 % (assumption).
pub const TARGET_REOPENED: f64 = 0.25;
/// Cases with a client follow-up (`brukaruppfoljning`): 50 % (assumption).
pub const TARGET_CLIENT_FOLLOW_UP: f64 = 0.50;
/// Clients with at least one support intervention (health, treatment, social activities, debt
/// counselling): 30 % (assumption).
pub const TARGET_SUPPORT: f64 = 0.30;
/// Documents still in draft: 10 %.
pub const DRAFT_SHARE: f64 = 0.10;
/// Most documents [`sue_documents`] makes in one call.
pub const MAX_DOCUMENTS: usize = 1_000_000;

/// Age bands (inclusive years at the start of the case) and their shares: 18–64, more young
/// clients (assumption; the seed study excludes pensioners, DOMAIN.md (e)).
const AGE_BANDS: [(i64, i64, f64); 5] = [
    (18, 24, 0.25),
    (25, 34, 0.27),
    (35, 44, 0.22),
    (45, 54, 0.16),
    (55, 64, 0.10),
];

/// Base weights of försörjningshinder, in the order of [`HINDER`]. Codes that do not apply to a
/// client (etablering for the Swedish-born, föräldraledig without children, ...) drop out, which
/// gives about 50 % arbetslös, 10 % ohälsa and 15 % sociala skäl (DOMAIN.md (a): 2013 48 / 9 /
/// 11 %, 2018 > 50 % unemployment and 15 % sociala skäl).
const HINDER_WEIGHTS: [f64; 12] = [
    0.45, 0.10, 0.07, 0.03, 0.14, 0.05, 0.02, 0.04, 0.04, 0.03, 0.05, 0.06,
];

/// Share of clients affected "i stor eller viss omfattning" per area, in the order of [`OMRADE`]
/// (FIA trial, DOMAIN.md (b); alkohol and droger combined, våld as the union of its forms,
/// barnens situation among parents; arbete is an assumption).
const NEED_PREVALENCE: [f64; 15] = [
    0.16, 0.42, 0.42, 0.54, 0.47, 0.29, 0.08, 0.24, 0.40, 0.13, 0.27, 0.70, 0.33, 0.30, 0.70,
];

// ---------------------------------------------------------------------------------------------
// Codes the generator writes. `SueGenerator::new` checks each against the definition.
// ---------------------------------------------------------------------------------------------

const KON: [&str; 3] = ["kvinna", "man", "annat"];
const FODELSELAND: [&str; 5] = ["sverige", "norden", "europa", "utanfor_europa", "okant"];
const HUSHALL: [&str; 7] = [
    "ensamstaende_kvinna_utan_barn",
    "ensamstaende_kvinna_med_barn",
    "ensamstaende_man_utan_barn",
    "ensamstaende_man_med_barn",
    "sammanboende_utan_barn",
    "sammanboende_med_barn",
    "ovrigt",
];
const UTBILDNING: [&str; 7] = [
    "ingen_grundskola",
    "grundskola",
    "gymnasium_ej_fullfoljd",
    "gymnasium",
    "eftergymnasial_kortare",
    "eftergymnasial_3ar",
    "okand",
];
const HINDER: [&str; 12] = [
    "arbetslos",
    "etablering",
    "sjukskriven_lakarintyg",
    "sjuk_aktivitetsersattning",
    "arbetshinder_sociala_skal",
    "foraldraledig",
    "arbetar_heltid",
    "arbetar_deltid",
    "pension",
    "saknar_barnomsorg",
    "ensamkommande_gymnasium",
    "utan_hinder",
];
const OMRADE: [&str; 15] = [
    "boende",
    "situationen_hemma",
    "socialt_natverk",
    "kroppslig_halsa",
    "psykisk_halsa",
    "funktionsnedsattning",
    "alkohol_droger",
    "ovriga_beroenden",
    "overgrepp_tvang",
    "utsatthet_brott",
    "rattslig_situation",
    "skulder",
    "narstaendes_problem",
    "barnens_situation",
    "arbete",
];
const OMFATTNING: [&str; 2] = ["i_stor_omfattning", "i_viss_omfattning"];
const METOD: [&str; 3] = ["fia", "annan_strukturerad", "ingen"];
const JOBB: [&str; 3] = [
    "jobbsokaraktivitet",
    "arbetstraning",
    "kommunal_sysselsattning",
];
const RESURS: [&str; 5] = [
    "arbetspraktik",
    "utbildning",
    "sfi",
    "studie_och_yrkesvagledning",
    "ips",
];
const STOD: [&str; 4] = [
    "halsoinsats",
    "missbruksbehandling",
    "sociala_aktiviteter",
    "skuldradgivning",
];
const UTFORARE: [&str; 6] = [
    "socialtjansten",
    "kommunal_arbetsmarknadsenhet",
    "arbetsformedlingen",
    "region",
    "extern_aktor",
    "annan",
];
const UNDANTAG_SKAL: [&str; 5] = [
    "sjukdom",
    "foraldraskap",
    "studier",
    "sociala_skal",
    "annat",
];
const SANKTION_SKAL: [&str; 3] = ["franvaro", "avbojt_erbjudande", "annat"];
const NARVARO: [&str; 4] = ["hog", "medel", "lag", "okand"];
const AVBROTT_ORSAK: [&str; 6] = [
    "sjukdom",
    "arbete",
    "flytt",
    "egen_begaran",
    "sanktion",
    "annan",
];
const UTFALL: [&str; 6] = [
    "arbete_utan_stod",
    "arbete_med_stod",
    "studier",
    "annan_ersattning",
    "fortsatt_bistand",
    "okant",
];
const FORANDRING: [&str; 3] = ["battre", "oforandrad", "samre"];
const MALUPPFYLLELSE: [&str; 3] = ["helt", "delvis", "inte"];
const NOJDHET: [&str; 5] = [
    "mycket_nojd",
    "ganska_nojd",
    "varken_eller",
    "ganska_missnojd",
    "mycket_missnojd",
];
const GRAD: [&str; 3] = ["i_hog_grad", "i_viss_grad", "inte_alls"];
const HJALPT: [&str; 4] = ["ja", "delvis", "nej", "vet_ej"];
const AVSLUTSORSAK: [&str; 8] = [
    "arbete",
    "studier",
    "annan_ersattning",
    "flyttat",
    "ej_aktuell",
    "avliden",
    "annan",
    "okand",
];
const ATERAKT_ORSAK: [&str; 4] = ["arbetsloshet", "ohalsa", "sociala_skal", "annan"];

/// Organisational units documents are spread over.
const UNITS: [&str; 8] = [
    "Norr",
    "Söder",
    "Öster",
    "Väster",
    "Centrum",
    "Intag",
    "Ungdom",
    "Arbetsmarknad",
];

/// Client comments: plain, with no names, numbers or other identifying details.
const COMMENTS: [&str; 6] = [
    "Bra bemötande, men det tog lång tid innan jag fick en insats.",
    "Praktiken var det som hjälpte mig mest.",
    "Jag hade velat ha mer stöd med att söka arbete.",
    "Det var svårt att förstå vilka krav som gällde.",
    "Min handläggare lyssnade på mig och tog mig på allvar.",
    "Jag fick byta handläggare flera gånger.",
];

/// First and last date any generated date may take.
const START: Date = date(2024, 1, 1);
/// 2026-10-31 as days after [`START`].
const END_DAY: i64 = 1034;
/// Days a complete case needs after its start for interventions, follow-up and closure.
const FOLLOW_UP_DAYS: i64 = 240;
/// Drafts are recent: started within this many days before the end of the period.
const DRAFT_WINDOW: i64 = 400;

// ---------------------------------------------------------------------------------------------
// Client profiles as bit masks, and the logistic models over them.
// ---------------------------------------------------------------------------------------------

type Mask = u32;
const MAN: Mask = 1;
const ANNAT: Mask = 1 << 1;
const YOUNG: Mask = 1 << 2;
const AGE55: Mask = 1 << 3;
const SWEDISH: Mask = 1 << 4;
const ABROAD: Mask = 1 << 5;
const CHILDREN: Mask = 1 << 6;
const MOTHER: Mask = 1 << 7;
const G_OHALSA: Mask = 1 << 8;
const G_SOCIALA: Mask = 1 << 9;
const G_OVRIGT: Mask = 1 << 10;
const LOW_EDU: Mask = 1 << 11;
const UNIT_AM: Mask = 1 << 12;
const UNIT_INTAG: Mask = 1 << 13;
const LONG: Mask = 1 << 14;
const ACTIVATED: Mask = 1 << 15;
const JOBB_BIT: Mask = 1 << 16;
const RESURS_BIT: Mask = 1 << 17;
const SANK: Mask = 1 << 18;
const UND: Mask = 1 << 19;
const STOD_BIT: Mask = 1 << 20;
/// What a case's later states are made of; kept through every projection.
const STATE_BITS: Mask = LONG | ACTIVATED | JOBB_BIT | RESURS_BIT | SANK | UND | STOD_BIT;

/// Odds ratios: each set bit multiplies a category's odds by its factor.
type Terms = &'static [(Mask, f64)];

/// Long-term receipt: commoner with ill health and social reasons, rarer among the young.
const LONG_TERMS: Terms = &[
    (G_OHALSA, 1.65),
    (G_SOCIALA, 1.5),
    (ABROAD, 1.2),
    (YOUNG, 0.55),
    (LOW_EDU, 1.35),
];
/// Activation: men more, mothers least, long-term recipients more, the young not more (seed
/// study, DOMAIN.md (d) and the 2015 slides); mainly for the unemployed; varies by unit.
const ACTIVATION_TERMS: Terms = &[
    (MAN, 1.5),
    (MOTHER, 0.45),
    (LONG, 1.8),
    (YOUNG, 0.86),
    (G_OHALSA, 0.3),
    (G_SOCIALA, 0.6),
    (G_OVRIGT, 0.45),
    (UNIT_AM, 2.0),
    (UNIT_INTAG, 0.50),
];
/// Jobbaktivering only (against both kinds): men and clients without education get it more.
const MIX_JOBB_TERMS: Terms = &[(MAN, 1.65), (LOW_EDU, 1.65), (ABROAD, 0.8), (LONG, 1.2)];
/// Resursaktivering only: sfi for the foreign-born, IPS for ill health.
const MIX_RESURS_TERMS: Terms = &[(ABROAD, 1.5), (YOUNG, 1.2), (G_OHALSA, 1.35)];
/// Sanktion: mostly Swedish-born men over 25, after activation (seed study, DOMAIN.md (d)).
const SANKTION_TERMS: Terms = &[
    (MAN, 2.2),
    (SWEDISH, 1.8),
    (YOUNG, 0.55),
    (ACTIVATED, 3.3),
    (JOBB_BIT, 1.35),
    (LONG, 1.2),
    (G_OHALSA, 0.45),
    (MOTHER, 0.6),
];
/// Undantag: more often women and the young (seed study, DOMAIN.md (d)), ill health, social
/// reasons.
const UNDANTAG_TERMS: Terms = &[
    (MAN, 0.55),
    (YOUNG, 1.8),
    (G_OHALSA, 3.3),
    (G_SOCIALA, 1.8),
    (G_OVRIGT, 1.35),
    (MOTHER, 1.5),
    (ACTIVATED, 0.75),
];
/// Support interventions: ill health and social reasons.
const SUPPORT_TERMS: Terms = &[(G_OHALSA, 2.7), (G_SOCIALA, 2.2), (LONG, 1.35)];
/// Outcome after intervention, in the order of [`UTFALL`]: work commoner after resursaktivering
/// (also with sanktion), continued assistance after sanktion (DOMAIN.md (e)).
const OUTCOME_TERMS: [Terms; 6] = [
    &[
        (RESURS_BIT, 2.0),
        (JOBB_BIT, 1.2),
        (G_OHALSA, 0.37),
        (LONG, 0.67),
        (LOW_EDU, 0.75),
        (SWEDISH, 1.2),
    ],
    &[(RESURS_BIT, 2.2), (JOBB_BIT, 1.5), (G_OHALSA, 0.6)],
    &[(YOUNG, 2.5), (RESURS_BIT, 1.65), (ABROAD, 1.2)],
    &[(G_OHALSA, 3.3), (UND, 1.5), (AGE55, 1.65)],
    &[
        (SANK, 2.5),
        (LONG, 1.65),
        (JOBB_BIT, 1.2),
        (STOD_BIT, 1.2),
        (UND, 1.2),
    ],
    &[],
];
const OUTCOME_TARGETS: [f64; 6] = [
    TARGET_OUTCOME_WORK,
    TARGET_OUTCOME_WORK_SUPPORTED,
    TARGET_OUTCOME_STUDIES,
    TARGET_OUTCOME_OTHER_BENEFIT,
    TARGET_OUTCOME_CONTINUED,
    TARGET_OUTCOME_UNKNOWN,
];

fn bits_of(terms: &[Terms]) -> Mask {
    terms
        .iter()
        .flat_map(|t| t.iter())
        .fold(0, |acc, (bit, _)| acc | bit)
}

/// A multinomial logit (two categories for a yes/no model) in odds form: a category's weight is
/// its base odds times the odds ratios of the profile's bits. The base odds are solved so that the
/// category shares over a distribution of profiles equal the targets. Only `+`, `*` and `/` are
/// used, so the probabilities are bit-for-bit the same on every platform.
#[derive(Debug, Clone)]
struct Model {
    terms: Vec<Terms>,
    odds: Vec<f64>,
}

impl Model {
    fn calibrated(terms: &[Terms], targets: &[f64], cells: &[(Mask, f64)]) -> Model {
        // Only the bits the model reads matter: aggregate the cells on them first.
        let cells = project(cells, bits_of(terms));
        let total: f64 = cells.iter().map(|c| c.1).sum();
        let mut model = Model {
            terms: terms.to_vec(),
            odds: targets.to_vec(),
        };
        // Fixed-point iteration: each step scales a category's odds by target / current share.
        // Converges in a few dozen steps for effects of this size (the tests check the result).
        for _ in 0..1000 {
            let mut shares = vec![0.0; targets.len()];
            for &(mask, weight) in &cells {
                for (share, p) in shares.iter_mut().zip(model.probabilities(mask)) {
                    *share += weight * p / total;
                }
            }
            let mut worst: f64 = 0.0;
            for ((odds, target), share) in model.odds.iter_mut().zip(targets).zip(&shares) {
                worst = worst.max((share - target).abs());
                *odds *= target / share;
            }
            let last = model.odds[model.odds.len() - 1];
            for odds in &mut model.odds {
                *odds /= last;
            }
            if worst < 1e-12 {
                break;
            }
        }
        model
    }

    fn binary(terms: Terms, target: f64, cells: &[(Mask, f64)]) -> Model {
        Model::calibrated(&[&[], terms], &[1.0 - target, target], cells)
    }

    fn probabilities(&self, mask: Mask) -> Vec<f64> {
        let weights: Vec<f64> = self
            .terms
            .iter()
            .zip(&self.odds)
            .map(|(terms, odds)| {
                terms
                    .iter()
                    .filter(|(bit, _)| mask & bit != 0)
                    .fold(*odds, |acc, (_, ratio)| acc * ratio)
            })
            .collect();
        let sum: f64 = weights.iter().sum();
        weights.into_iter().map(|w| w / sum).collect()
    }

    /// Splits each cell by the model's categories, setting `bits[k]` for category `k`.
    fn expand(&self, cells: &[(Mask, f64)], bits: &[Mask]) -> Vec<(Mask, f64)> {
        aggregate(cells.iter().flat_map(|&(mask, weight)| {
            self.probabilities(mask)
                .into_iter()
                .zip(bits)
                .map(move |(p, bit)| (mask | bit, weight * p))
        }))
    }

    fn draw(&self, rng: &mut Draw, mask: Mask) -> usize {
        rng.index_by_weight(&self.probabilities(mask))
    }
}

fn aggregate(cells: impl Iterator<Item = (Mask, f64)>) -> Vec<(Mask, f64)> {
    let mut map: BTreeMap<Mask, f64> = BTreeMap::new();
    for (mask, weight) in cells {
        if weight > 0.0 {
            *map.entry(mask).or_insert(0.0) += weight;
        }
    }
    map.into_iter().collect()
}

fn project(cells: &[(Mask, f64)], keep: Mask) -> Vec<(Mask, f64)> {
    aggregate(cells.iter().map(|&(mask, weight)| (mask & keep, weight)))
}

/// One option of a background draw: code index, the profile bits it sets, its weight.
type Options = Vec<(usize, Mask, f64)>;

fn sex_options() -> Options {
    vec![
        (0, 0, TARGET_WOMEN),
        (1, MAN, 1.0 - TARGET_WOMEN - TARGET_OTHER_GENDER),
        (2, ANNAT, TARGET_OTHER_GENDER),
    ]
}

fn band_options() -> Options {
    AGE_BANDS
        .iter()
        .enumerate()
        .map(|(i, &(low, _, share))| {
            let bits = if low < 25 {
                YOUNG
            } else if low >= 55 {
                AGE55
            } else {
                0
            };
            (i, bits, share)
        })
        .collect()
}

fn origin_options() -> Options {
    let abroad = TARGET_BORN_ABROAD;
    vec![
        (0, SWEDISH, 1.0 - abroad - TARGET_ORIGIN_UNKNOWN),
        (1, ABROAD, abroad * 0.04),
        (2, ABROAD, abroad * 0.24),
        (3, ABROAD, abroad * 0.72),
        (4, 0, TARGET_ORIGIN_UNKNOWN),
    ]
}

/// Household types by gender: many single men without children, many single mothers.
fn household_options(mask: Mask) -> Options {
    let weights: [f64; 7] = if mask & MAN != 0 {
        [0.0, 0.0, 0.66, 0.05, 0.08, 0.18, 0.03]
    } else if mask & ANNAT != 0 {
        [0.0, 0.0, 0.0, 0.0, 0.20, 0.10, 0.70]
    } else {
        [0.38, 0.36, 0.0, 0.0, 0.05, 0.18, 0.03]
    };
    let woman = mask & (MAN | ANNAT) == 0;
    weights
        .iter()
        .enumerate()
        .map(|(i, &w)| {
            let bits = if matches!(i, 1 | 3 | 5) {
                CHILDREN | if woman { MOTHER } else { 0 }
            } else {
                0
            };
            (i, bits, w)
        })
        .collect()
}

/// Highest education: foreign-born clients more often lack compulsory school (seed study: lack of
/// education the commonest obstacle, DOMAIN.md (a)).
fn education_options(mask: Mask) -> Options {
    let weights: [f64; 7] = if mask & ABROAD != 0 {
        [0.22, 0.22, 0.10, 0.18, 0.07, 0.11, 0.10]
    } else {
        [0.04, 0.30, 0.18, 0.32, 0.07, 0.05, 0.04]
    };
    weights
        .iter()
        .enumerate()
        .map(|(i, &w)| (i, if i < 2 { LOW_EDU } else { 0 }, w))
        .collect()
}

fn hinder_options(mask: Mask, groups: &[Mask; 12]) -> Options {
    let abroad = mask & ABROAD != 0;
    let young = mask & YOUNG != 0;
    let children = mask & CHILDREN != 0;
    let applies = |code: &str| match code {
        "etablering" => abroad,
        "foraldraledig" | "saknar_barnomsorg" => children,
        "pension" => mask & AGE55 != 0,
        "ensamkommande_gymnasium" => abroad && young,
        _ => true,
    };
    HINDER
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let weight = if applies(code) {
                HINDER_WEIGHTS[i]
            } else {
                0.0
            };
            (i, groups[i], weight)
        })
        .collect()
}

fn unit_options(mask: Mask) -> Options {
    let young = mask & YOUNG != 0;
    UNITS
        .iter()
        .enumerate()
        .map(|(i, unit)| match *unit {
            "Intag" => (i, UNIT_INTAG, 1.2),
            "Ungdom" => (i, 0, if young { 2.5 } else { 0.05 }),
            "Arbetsmarknad" => (i, UNIT_AM, 0.8),
            _ => (i, 0, 1.0),
        })
        .collect()
}

/// The background stages in draw order; each depends only on bits set by earlier ones.
fn background_stages(mask: Mask, stage: usize, groups: &[Mask; 12]) -> Options {
    match stage {
        0 => sex_options(),
        1 => band_options(),
        2 => origin_options(),
        3 => household_options(mask),
        4 => education_options(mask),
        5 => hinder_options(mask, groups),
        _ => unit_options(mask),
    }
}
const STAGES: usize = 7;

/// Every background profile with its probability, enumerated exactly.
fn background_cells(groups: &[Mask; 12]) -> Vec<(Mask, f64)> {
    let mut cells = vec![(0, 1.0)];
    for stage in 0..STAGES {
        cells = aggregate(cells.iter().flat_map(|&(mask, weight)| {
            let options = background_stages(mask, stage, groups);
            let total: f64 = options.iter().map(|o| o.2).sum();
            options
                .into_iter()
                .map(move |(_, bits, w)| (mask | bits, weight * w / total))
        }));
    }
    cells
}

/// The calibrated models, in the order a client's states are drawn.
#[derive(Debug, Clone)]
struct Models {
    long_term: Model,
    activation: Model,
    mix: Model,
    sanktion: Model,
    undantag: Model,
    support: Model,
    outcome: Model,
}

/// The activation mix categories: jobb only, resurs only, both.
const MIX_BITS: [Mask; 3] = [JOBB_BIT, RESURS_BIT, JOBB_BIT | RESURS_BIT];

impl Models {
    fn calibrate(groups: &[Mask; 12]) -> Models {
        let later = |terms: &[Terms]| bits_of(terms) | STATE_BITS;
        let mut cells = background_cells(groups);
        let long_term = Model::binary(LONG_TERMS, TARGET_LONG_TERM, &cells);
        cells = long_term.expand(&cells, &[0, LONG]);
        let activation = Model::binary(ACTIVATION_TERMS, TARGET_ACTIVATED, &cells);
        cells = activation.expand(&cells, &[0, ACTIVATED]);
        let keep = later(&[
            MIX_JOBB_TERMS,
            MIX_RESURS_TERMS,
            SANKTION_TERMS,
            UNDANTAG_TERMS,
            SUPPORT_TERMS,
        ]) | later(&OUTCOME_TERMS);
        cells = project(&cells, keep);
        let (activated, passive): (Vec<_>, Vec<_>) =
            cells.iter().partition(|(mask, _)| mask & ACTIVATED != 0);
        let mix = Model::calibrated(
            &[MIX_JOBB_TERMS, MIX_RESURS_TERMS, &[]],
            &[
                TARGET_JOBB_ONLY,
                TARGET_RESURS_ONLY,
                1.0 - TARGET_JOBB_ONLY - TARGET_RESURS_ONLY,
            ],
            &activated,
        );
        cells = mix.expand(&activated, &MIX_BITS);
        cells.extend(passive);
        let sanktion = Model::binary(SANKTION_TERMS, TARGET_SANKTION, &cells);
        cells = sanktion.expand(&cells, &[0, SANK]);
        let undantag = Model::binary(UNDANTAG_TERMS, TARGET_UNDANTAG, &cells);
        cells = undantag.expand(&cells, &[0, UND]);
        cells = project(&cells, later(&[SUPPORT_TERMS]) | later(&OUTCOME_TERMS));
        let support = Model::binary(SUPPORT_TERMS, TARGET_SUPPORT, &cells);
        cells = support.expand(&cells, &[0, STOD_BIT]);
        let with_intervention: Vec<(Mask, f64)> = cells
            .into_iter()
            .filter(|(mask, _)| mask & (ACTIVATED | SANK | UND | STOD_BIT) != 0)
            .collect();
        let outcome = Model::calibrated(&OUTCOME_TERMS, &OUTCOME_TARGETS, &with_intervention);
        Models {
            long_term,
            activation,
            mix,
            sanktion,
            undantag,
            support,
            outcome,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The generator.
// ---------------------------------------------------------------------------------------------

/// An endless, deterministic stream of synthetic SUE documents as JSON values.
#[derive(Debug, Clone)]
pub struct SueGenerator<'d> {
    definition: &'d Definition,
    rng: Draw,
    groups: [Mask; 12],
    models: Models,
}

/// A client's drawn background and states.
struct Client {
    mask: Mask,
    sex: usize,
    age: i64,
    origin: usize,
    household: usize,
    education: usize,
    hinder: usize,
    unit: usize,
    outcome: Option<usize>,
}

impl Client {
    fn has(&self, bit: Mask) -> bool {
        self.mask & bit != 0
    }
}

/// One intervention row, with dates as days after [`START`].
struct Row {
    kind: &'static str,
    start: i64,
    end: Option<i64>,
    hours: Option<i64>,
    provider: Option<&'static str>,
    reason: Option<(&'static str, &'static str)>,
}

fn definition_error(text: Text) -> Error {
    Error::new(ErrorKind::InvalidDefinition, text)
}

impl<'d> SueGenerator<'d> {
    /// A generator over `definition` (SUE version 1 or a compatible later version) seeded with
    /// `seed`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] if the definition lacks an item, a code or a code group the
    /// generator writes.
    pub fn new(definition: &'d Definition, seed: u64) -> Result<SueGenerator<'d>> {
        let groups = check(definition)?;
        Ok(SueGenerator {
            definition,
            rng: Draw::new(seed),
            models: Models::calibrate(&groups),
            groups,
        })
    }

    fn draw_client(&mut self) -> Client {
        let rng = &mut self.rng;
        let mut mask = 0;
        let mut codes = [0usize; STAGES];
        for (stage, code) in codes.iter_mut().enumerate() {
            let options = background_stages(mask, stage, &self.groups);
            let weights: Vec<f64> = options.iter().map(|o| o.2).collect();
            let (index, bits, _) = options[rng.index_by_weight(&weights)];
            *code = index;
            mask |= bits;
        }
        let (low, high, _) = AGE_BANDS[codes[1]];
        let age = rng.between(low, high);
        let models = &self.models;
        if models.long_term.draw(rng, mask) == 1 {
            mask |= LONG;
        }
        if models.activation.draw(rng, mask) == 1 {
            mask |= ACTIVATED;
            mask |= MIX_BITS[models.mix.draw(rng, mask)];
        }
        if models.sanktion.draw(rng, mask) == 1 {
            mask |= SANK;
        }
        if models.undantag.draw(rng, mask) == 1 {
            mask |= UND;
        }
        if models.support.draw(rng, mask) == 1 {
            mask |= STOD_BIT;
        }
        let outcome = (mask & (ACTIVATED | SANK | UND | STOD_BIT) != 0)
            .then(|| models.outcome.draw(rng, mask));
        Client {
            mask,
            sex: codes[0],
            age,
            origin: codes[2],
            household: codes[3],
            education: codes[4],
            hinder: codes[5],
            unit: codes[6],
            outcome,
        }
    }

    /// The next document.
    fn document(&mut self) -> Value {
        let client = self.draw_client();
        let rng = &mut self.rng;
        let draft = rng.chance(DRAFT_SHARE);
        let start = if draft {
            rng.between(END_DAY - DRAFT_WINDOW, END_DAY - 14)
        } else {
            rng.between(0, END_DAY - FOLLOW_UP_DAYS)
        };
        // A draft is being registered now: nothing in it lies after its registration date.
        let draft_date = draft.then(|| (start + rng.between(30, 240)).min(END_DAY));
        let mut answers = Map::new();
        let mut put = |id: &str, value: Value| {
            answers.insert(id.to_owned(), value);
        };

        // Bakgrund.
        let start_date = day(start);
        put(
            "bakgrund.aktualiseringsdatum",
            json!(start_date.to_string()),
        );
        put("bakgrund.kon", json!(KON[client.sex]));
        put(
            "bakgrund.fodelsear",
            json!(i64::from(start_date.year()) - client.age),
        );
        put("bakgrund.fodelseland", json!(FODELSELAND[client.origin]));
        let mut years_in_sweden = None;
        if client.has(ABROAD) {
            let years = if HINDER[client.hinder] == "etablering" {
                rng.between(0, 3)
            } else {
                let r = rng.unit();
                ((r * r * 35.0) as i64).min(client.age)
            };
            years_in_sweden = Some(years);
            put("bakgrund.ar_i_sverige", json!(years));
        }
        put("bakgrund.hushallstyp", json!(HUSHALL[client.household]));
        if client.has(CHILDREN) {
            if rng.chance(0.9) {
                let children = 1 + rng.index_by_weight(&[0.40, 0.30, 0.17, 0.08, 0.05]);
                put("bakgrund.antal_barn", json!(children));
            }
        } else if rng.chance(0.6) {
            put("bakgrund.antal_barn", json!(0));
        }
        put("bakgrund.utbildning", json!(UTBILDNING[client.education]));
        put("bakgrund.forsorjningshinder", json!(HINDER[client.hinder]));
        let months = if client.has(LONG) {
            10 + rng.index_by_weight(&[0.20, 0.25, 0.55])
        } else {
            rng.index_by_weight(&[0.05, 0.10, 0.10, 0.10, 0.10, 0.12, 0.12, 0.11, 0.10, 0.10])
        } as i64;
        put("bakgrund.manader_senaste_ar", json!(months));
        if rng.chance(0.7) {
            let extra = if client.has(LONG) {
                rng.between(8, 24)
            } else {
                rng.between(0, 12)
            };
            put(
                "bakgrund.manader_senaste_3ar",
                json!((months + extra).min(36)),
            );
        }

        // Före insats.
        let needs = draw_needs(rng, &client);
        if !needs.is_empty() && rng.chance(0.85) {
            let rows: Vec<Value> = needs
                .iter()
                .map(|&(area, large)| {
                    json!({ "omrade": OMRADE[area], "omfattning": OMFATTNING[usize::from(!large)] })
                })
                .collect();
            put("fore_insats.problem", Value::Array(rows));
        }
        if rng.chance(0.85) {
            put(
                "fore_insats.metod",
                json!(METOD[rng.index_by_weight(&[0.25, 0.15, 0.60])]),
            );
        }
        let completed_sections = draft.then(|| 1 + rng.index_by_weight(&[0.3, 0.4, 0.3]));
        let goals_set = rng.chance(if client.has(ACTIVATED) { 0.75 } else { 0.55 });
        let goals_answered = completed_sections.is_none_or(|k| k >= 2) || rng.chance(0.7);
        if goals_answered {
            put("fore_insats.mal_satta", json!(goals_set));
            if goals_set && rng.chance(0.85) {
                let goals = 1 + rng.index_by_weight(&[0.35, 0.35, 0.20, 0.10]);
                put("fore_insats.antal_mal", json!(goals));
            }
        }

        // Insatser, with dates as days after START.
        let mut rows = draw_rows(rng, &client, &needs, start, years_in_sweden);
        if let Some(now) = draft_date {
            for row in &mut rows {
                row.start = row.start.min(now);
                row.end = row.end.filter(|&end| end <= now);
            }
        }
        let has_rows = !rows.is_empty();
        let follow_up = (has_rows && !draft).then(|| {
            let last = rows
                .iter()
                .map(|r| r.end.unwrap_or(r.start + 90))
                .max()
                .unwrap_or(start);
            (last + rng.between(0, 30)).min(END_DAY)
        });
        let closed = (!draft && rng.chance(TARGET_CLOSED / (1.0 - DRAFT_SHARE))).then(|| {
            let base = follow_up.unwrap_or(start + rng.between(30, 400));
            (base.max(start + rng.between(30, 200)) + rng.between(0, 60)).min(END_DAY)
        });
        if let Some(closed) = closed {
            for row in &mut rows {
                row.end = Some(row.end.unwrap_or(closed).min(closed));
            }
        }
        if has_rows {
            let rows: Vec<Value> = rows.iter().map(row_json).collect();
            put("insatser.insats", Value::Array(rows));
        }

        // Under insats.
        if has_rows && (!draft || rng.chance(0.5)) {
            let sanctioned = client.has(SANK);
            if rng.chance(0.85) {
                let weights: &[f64] = if sanctioned {
                    &[0.15, 0.35, 0.40, 0.10]
                } else {
                    &[0.55, 0.25, 0.10, 0.10]
                };
                put(
                    "under_insats.narvaro",
                    json!(NARVARO[rng.index_by_weight(weights)]),
                );
            }
            if rng.chance(0.8) {
                let broken_off = rng.chance(if sanctioned { 0.40 } else { 0.15 });
                put("under_insats.avbrott", json!(broken_off));
                if broken_off {
                    let work = matches!(client.outcome, Some(0 | 1));
                    let weights = [
                        if client.has(G_OHALSA) { 0.4 } else { 0.15 },
                        if work { 0.5 } else { 0.05 },
                        0.08,
                        0.15,
                        if sanctioned { 0.4 } else { 0.02 },
                        0.15,
                    ];
                    put(
                        "under_insats.avbrott_orsak",
                        json!(AVBROTT_ORSAK[rng.index_by_weight(&weights)]),
                    );
                }
            }
        }

        // Efter insats.
        if let (Some(follow_up), Some(outcome)) = (follow_up, client.outcome) {
            put("efter_insats.datum", json!(day(follow_up).to_string()));
            put("efter_insats.utfall", json!(UTFALL[outcome]));
            let good = outcome <= 2;
            if rng.chance(0.8) {
                let weights = if good {
                    [0.50, 0.42, 0.08]
                } else {
                    [0.28, 0.60, 0.12]
                };
                let mut changes = Vec::new();
                for &(area, _) in &needs {
                    if rng.chance(0.6) {
                        let change = FORANDRING[rng.index_by_weight(&weights)];
                        changes.push(json!({ "omrade": OMRADE[area], "forandring": change }));
                    }
                }
                if !changes.is_empty() {
                    put("efter_insats.forandring", Value::Array(changes));
                }
            }
            if goals_answered && goals_set {
                let weights = if good {
                    [0.45, 0.40, 0.15]
                } else {
                    [0.15, 0.45, 0.40]
                };
                put(
                    "efter_insats.maluppfyllelse",
                    json!(MALUPPFYLLELSE[rng.index_by_weight(&weights)]),
                );
            }
        }

        // Brukaruppföljning.
        if !draft && rng.chance(TARGET_CLIENT_FOLLOW_UP / (1.0 - DRAFT_SHARE)) {
            let work = matches!(client.outcome, Some(0 | 1));
            let satisfaction = if client.has(SANK) {
                [0.10, 0.25, 0.25, 0.22, 0.18]
            } else if work {
                [0.38, 0.37, 0.15, 0.06, 0.04]
            } else {
                [0.22, 0.36, 0.22, 0.12, 0.08]
            };
            if rng.chance(0.92) {
                put(
                    "brukaruppfoljning.nojdhet",
                    json!(NOJDHET[rng.index_by_weight(&satisfaction)]),
                );
            }
            if rng.chance(0.92) {
                put(
                    "brukaruppfoljning.inflytande",
                    json!(GRAD[rng.index_by_weight(&[0.35, 0.45, 0.20])]),
                );
            }
            if rng.chance(0.92) {
                put(
                    "brukaruppfoljning.respekt",
                    json!(GRAD[rng.index_by_weight(&[0.60, 0.32, 0.08])]),
                );
            }
            if rng.chance(0.92) {
                let weights = if work {
                    [0.60, 0.25, 0.10, 0.05]
                } else {
                    [0.28, 0.37, 0.24, 0.11]
                };
                put(
                    "brukaruppfoljning.hjalpt",
                    json!(HJALPT[rng.index_by_weight(&weights)]),
                );
            }
            if rng.chance(0.12) {
                let comment = COMMENTS[rng.below(COMMENTS.len())];
                put("brukaruppfoljning.kommentar", json!(comment));
            }
        }

        // Avslutning and återaktualisering.
        let mut last = follow_up.unwrap_or(start);
        for row in &rows {
            last = last.max(row.end.unwrap_or(row.start));
        }
        if let Some(closed) = closed {
            put("avslutning.datum", json!(day(closed).to_string()));
            let weights: [f64; 8] = match client.outcome {
                Some(0 | 1) => [0.85, 0.0, 0.0, 0.05, 0.0, 0.0, 0.05, 0.05],
                Some(2) => [0.0, 0.80, 0.0, 0.0, 0.10, 0.0, 0.10, 0.0],
                Some(3) => [0.0, 0.0, 0.85, 0.0, 0.0, 0.0, 0.10, 0.05],
                Some(4) => [0.0, 0.0, 0.0, 0.35, 0.35, 0.02, 0.16, 0.12],
                Some(_) => [0.0, 0.0, 0.0, 0.20, 0.35, 0.0, 0.20, 0.25],
                None => [0.30, 0.08, 0.22, 0.10, 0.17, 0.005, 0.07, 0.055],
            };
            put(
                "avslutning.orsak",
                json!(AVSLUTSORSAK[rng.index_by_weight(&weights)]),
            );
            last = last.max(closed);
            if rng.chance(TARGET_REOPENED) {
                let reopened = (closed + rng.between(14, 365)).min(END_DAY);
                put("ateraktualisering.datum", json!(day(reopened).to_string()));
                let weights: [f64; 4] = if client.has(G_OHALSA) {
                    [0.20, 0.60, 0.10, 0.10]
                } else if client.has(G_SOCIALA) {
                    [0.20, 0.15, 0.55, 0.10]
                } else if client.has(G_OVRIGT) {
                    [0.40, 0.15, 0.15, 0.30]
                } else {
                    [0.75, 0.10, 0.05, 0.10]
                };
                put(
                    "ateraktualisering.orsak",
                    json!(ATERAKT_ORSAK[rng.index_by_weight(&weights)]),
                );
                last = last.max(reopened);
            }
        }
        let registered = draft_date.unwrap_or_else(|| (last + rng.between(0, 14)).min(END_DAY));

        let mut document = Map::new();
        document.insert("instrument".into(), json!(self.definition.instrument()));
        document.insert("version".into(), json!(self.definition.version()));
        match completed_sections {
            Some(k) => {
                document.insert("status".into(), json!("draft"));
                let sections = ["bakgrund", "fore_insats", "insatser"];
                document.insert("completed_sections".into(), json!(sections[..k]));
            }
            None => {
                document.insert("status".into(), json!("complete"));
            }
        }
        document.insert("unit".into(), json!(UNITS[client.unit]));
        // The envelope's `interview_date` is the date the record was last registered.
        document.insert("interview_date".into(), json!(day(registered).to_string()));
        document.insert("answers".into(), Value::Object(answers));
        Value::Object(document)
    }
}

impl Iterator for SueGenerator<'_> {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        Some(self.document())
    }
}

/// `count` synthetic SUE documents from `seed`.
///
/// # Errors
/// [`ErrorKind::InvalidDefinition`] as [`SueGenerator::new`]; [`ErrorKind::InvalidArgument`] if
/// `count` exceeds [`MAX_DOCUMENTS`].
pub fn sue_documents(definition: &Definition, seed: u64, count: usize) -> Result<Vec<Value>> {
    if count > MAX_DOCUMENTS {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            Text {
                sv: format!("högst {MAX_DOCUMENTS} syntetiska dokument kan skapas åt gången"),
                en: format!("at most {MAX_DOCUMENTS} synthetic documents can be made at once"),
            },
        ));
    }
    Ok(SueGenerator::new(definition, seed)?.take(count).collect())
}

// ---------------------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------------------

fn day(offset: i64) -> Date {
    START
        .checked_add(Span::new().days(offset))
        .expect("offsets stay within 0..=END_DAY, well inside jiff's range")
}

/// Areas where the client has problems, with whether the extent is large.
fn draw_needs(rng: &mut Draw, client: &Client) -> Vec<(usize, bool)> {
    let mut needs = Vec::new();
    for (area, &base) in NEED_PREVALENCE.iter().enumerate() {
        let health = matches!(OMRADE[area], "kroppslig_halsa" | "psykisk_halsa");
        let p = match OMRADE[area] {
            "boende" if client.has(YOUNG) => 0.28,
            "kroppslig_halsa" | "psykisk_halsa" if client.has(G_OHALSA) => 0.85,
            "psykisk_halsa" if client.has(G_SOCIALA) => 0.65,
            // Seed study: mainly Swedish-born men had substance problems.
            "alkohol_droger" if client.has(MAN) && client.has(SWEDISH) => 0.16,
            "overgrepp_tvang" if !client.has(MAN) => 0.50,
            "overgrepp_tvang" => 0.30,
            "barnens_situation" if !client.has(CHILDREN) => 0.0,
            "arbete" if client.mask & (G_OHALSA | G_SOCIALA | G_OVRIGT) == 0 => 0.90,
            "arbete" => 0.50,
            _ => base,
        };
        if rng.chance(p) {
            let large = rng.chance(if health && client.has(G_OHALSA) {
                0.6
            } else {
                0.35
            });
            needs.push((area, large));
        }
    }
    needs
}

fn has_need(needs: &[(usize, bool)], area: &str) -> bool {
    needs.iter().any(|&(a, _)| OMRADE[a] == area)
}

/// Distinct picks from weighted options.
fn pick_distinct(rng: &mut Draw, weights: &[f64], count: usize) -> Vec<usize> {
    let mut weights = weights.to_vec();
    let mut chosen = Vec::new();
    for _ in 0..count {
        if weights.iter().all(|&w| w <= 0.0) {
            break;
        }
        let i = rng.index_by_weight(&weights);
        weights[i] = 0.0;
        chosen.push(i);
    }
    chosen
}

/// The client's intervention rows, in start order, before the case's closure is known.
fn draw_rows(
    rng: &mut Draw,
    client: &Client,
    needs: &[(usize, bool)],
    start: i64,
    years_in_sweden: Option<i64>,
) -> Vec<Row> {
    let mut rows = Vec::new();
    let finish = |start: i64, days: (i64, i64), rng: &mut Draw| {
        let end = start + rng.between(days.0, days.1);
        (end <= END_DAY).then_some(end)
    };
    let activation_start = (start + rng.between(7, 90)).min(END_DAY);
    if client.has(JOBB_BIT) {
        let count = if client.has(RESURS_BIT) || !rng.chance(0.25) {
            1
        } else {
            2
        };
        let weights = [0.5, if client.has(LOW_EDU) { 0.375 } else { 0.25 }, 0.25];
        for (n, i) in pick_distinct(rng, &weights, count).into_iter().enumerate() {
            let begin = (activation_start + 60 * n as i64).min(END_DAY);
            let provider = UTFORARE[rng.index_by_weight(&[0.20, 0.70, 0.0, 0.0, 0.10, 0.0])];
            rows.push(Row {
                kind: JOBB[i],
                start: begin,
                end: finish(begin, (60, 240), rng),
                hours: rng.chance(0.8).then(|| rng.between(15, 40)),
                provider: rng.chance(0.8).then_some(provider),
                reason: None,
            });
        }
    }
    if client.has(RESURS_BIT) {
        let count = if client.has(JOBB_BIT) || !rng.chance(0.25) {
            1
        } else {
            2
        };
        let sfi = client.has(ABROAD) && years_in_sweden.is_some_and(|y| y <= 10);
        let weights = [
            0.40,
            0.22,
            if sfi { 0.25 } else { 0.0 },
            0.10,
            if client.has(G_OHALSA) { 0.24 } else { 0.08 },
        ];
        let offset = if client.has(JOBB_BIT) { 90 } else { 0 };
        for (n, i) in pick_distinct(rng, &weights, count).into_iter().enumerate() {
            let begin = (activation_start + offset + 60 * n as i64).min(END_DAY);
            let (days, providers): ((i64, i64), [f64; 6]) = match RESURS[i] {
                "arbetspraktik" => ((60, 180), [0.05, 0.55, 0.30, 0.0, 0.10, 0.0]),
                "utbildning" => ((120, 300), [0.0, 0.10, 0.10, 0.0, 0.20, 0.60]),
                "sfi" => ((120, 360), [0.0, 0.05, 0.0, 0.0, 0.15, 0.80]),
                "studie_och_yrkesvagledning" => ((14, 60), [0.20, 0.40, 0.20, 0.0, 0.0, 0.20]),
                _ => ((120, 365), [0.0, 0.50, 0.0, 0.50, 0.0, 0.0]),
            };
            let hours = match RESURS[i] {
                "sfi" => rng.between(10, 20),
                "studie_och_yrkesvagledning" => rng.between(1, 4),
                _ => rng.between(10, 40),
            };
            let provider = UTFORARE[rng.index_by_weight(&providers)];
            rows.push(Row {
                kind: RESURS[i],
                start: begin,
                end: finish(begin, days, rng),
                hours: rng.chance(0.8).then_some(hours),
                provider: rng.chance(0.8).then_some(provider),
                reason: None,
            });
        }
    }
    if client.has(SANK) {
        let count = if rng.chance(0.15) { 2 } else { 1 };
        let first = if client.has(ACTIVATED) {
            activation_start + rng.between(14, 60)
        } else {
            start + rng.between(14, 120)
        };
        for n in 0..count {
            let begin = (first + 45 * n).min(END_DAY);
            let reason = if client.has(ACTIVATED) {
                SANKTION_SKAL[rng.index_by_weight(&[0.70, 0.20, 0.10])]
            } else {
                SANKTION_SKAL[rng.index_by_weight(&[0.30, 0.60, 0.10])]
            };
            rows.push(Row {
                kind: "sanktion",
                start: begin,
                end: finish(begin, (28, 31), rng),
                hours: None,
                provider: rng.chance(0.8).then_some("socialtjansten"),
                reason: Some(("sanktion_skal", reason)),
            });
        }
    }
    if client.has(UND) {
        let begin = (start + rng.between(0, 60)).min(END_DAY);
        let weights = [
            if client.has(G_OHALSA) { 0.70 } else { 0.15 },
            if client.has(CHILDREN) { 0.30 } else { 0.02 },
            if client.has(YOUNG) { 0.25 } else { 0.05 },
            if client.has(G_SOCIALA) { 0.50 } else { 0.10 },
            0.08,
        ];
        rows.push(Row {
            kind: "undantag",
            start: begin,
            end: finish(begin, (60, 180), rng),
            hours: None,
            provider: rng.chance(0.8).then_some("socialtjansten"),
            reason: Some((
                "undantag_skal",
                UNDANTAG_SKAL[rng.index_by_weight(&weights)],
            )),
        });
    }
    if client.has(STOD_BIT) {
        let health = has_need(needs, "kroppslig_halsa") || has_need(needs, "psykisk_halsa");
        let large_debts = needs
            .iter()
            .any(|&(a, large)| OMRADE[a] == "skulder" && large);
        let weights = [
            if health || client.has(G_OHALSA) {
                0.75
            } else {
                0.30
            },
            if has_need(needs, "alkohol_droger") {
                0.50
            } else if has_need(needs, "ovriga_beroenden") {
                0.10
            } else {
                0.0
            },
            if has_need(needs, "socialt_natverk") {
                0.40
            } else {
                0.20
            },
            if large_debts { 0.40 } else { 0.10 },
        ];
        let count = if rng.chance(0.3) { 2 } else { 1 };
        for i in pick_distinct(rng, &weights, count) {
            let begin = (start + rng.between(0, 120)).min(END_DAY);
            let providers: [f64; 6] = match STOD[i] {
                "halsoinsats" => [0.10, 0.10, 0.0, 0.70, 0.10, 0.0],
                "missbruksbehandling" => [0.50, 0.0, 0.0, 0.40, 0.10, 0.0],
                "sociala_aktiviteter" => [0.40, 0.10, 0.0, 0.0, 0.50, 0.0],
                _ => [0.90, 0.0, 0.0, 0.0, 0.10, 0.0],
            };
            let provider = UTFORARE[rng.index_by_weight(&providers)];
            rows.push(Row {
                kind: STOD[i],
                start: begin,
                end: finish(begin, (30, 180), rng),
                hours: rng.chance(0.6).then(|| rng.between(1, 6)),
                provider: rng.chance(0.8).then_some(provider),
                reason: None,
            });
        }
    }
    rows.sort_by_key(|row| row.start);
    rows
}

fn row_json(row: &Row) -> Value {
    let mut object = Map::new();
    object.insert("typ".into(), json!(row.kind));
    object.insert("startdatum".into(), json!(day(row.start).to_string()));
    if let Some(end) = row.end {
        object.insert("slutdatum".into(), json!(day(end).to_string()));
    }
    if let Some(hours) = row.hours {
        object.insert("intensitet_timmar".into(), json!(hours));
    }
    if let Some(provider) = row.provider {
        object.insert("utforare".into(), json!(provider));
    }
    if let Some((item, reason)) = row.reason {
        object.insert(item.into(), json!(reason));
    }
    Value::Object(object)
}

/// Checks that the definition has every item and code the generator writes, with the code groups
/// it assumes, and returns the profile bits of each försörjningshinder by its group.
fn check(definition: &Definition) -> Result<[Mask; 12]> {
    let choices: &[(&str, &[&str])] = &[
        ("bakgrund.kon", &KON),
        ("bakgrund.fodelseland", &FODELSELAND),
        ("bakgrund.hushallstyp", &HUSHALL),
        ("bakgrund.utbildning", &UTBILDNING),
        ("bakgrund.forsorjningshinder", &HINDER),
        ("fore_insats.problem.omrade", &OMRADE),
        ("fore_insats.problem.omfattning", &OMFATTNING),
        ("fore_insats.metod", &METOD),
        ("insatser.insats.typ", &JOBB),
        ("insatser.insats.typ", &RESURS),
        ("insatser.insats.typ", &STOD),
        ("insatser.insats.typ", &["sanktion", "undantag"]),
        ("insatser.insats.utforare", &UTFORARE),
        ("insatser.insats.undantag_skal", &UNDANTAG_SKAL),
        ("insatser.insats.sanktion_skal", &SANKTION_SKAL),
        ("under_insats.narvaro", &NARVARO),
        ("under_insats.avbrott_orsak", &AVBROTT_ORSAK),
        ("efter_insats.utfall", &UTFALL),
        ("efter_insats.forandring.omrade", &OMRADE),
        ("efter_insats.forandring.forandring", &FORANDRING),
        ("efter_insats.maluppfyllelse", &MALUPPFYLLELSE),
        ("brukaruppfoljning.nojdhet", &NOJDHET),
        ("brukaruppfoljning.inflytande", &GRAD),
        ("brukaruppfoljning.respekt", &GRAD),
        ("brukaruppfoljning.hjalpt", &HJALPT),
        ("avslutning.orsak", &AVSLUTSORSAK),
        ("ateraktualisering.orsak", &ATERAKT_ORSAK),
    ];
    let others: [(&str, &str); 19] = [
        ("bakgrund.aktualiseringsdatum", "date"),
        ("bakgrund.fodelsear", "integer"),
        ("bakgrund.ar_i_sverige", "integer"),
        ("bakgrund.antal_barn", "integer"),
        ("bakgrund.manader_senaste_ar", "integer"),
        ("bakgrund.manader_senaste_3ar", "integer"),
        ("fore_insats.problem", "group"),
        ("fore_insats.mal_satta", "boolean"),
        ("fore_insats.antal_mal", "integer"),
        ("insatser.insats", "group"),
        ("insatser.insats.startdatum", "date"),
        ("insatser.insats.slutdatum", "date"),
        ("insatser.insats.intensitet_timmar", "integer"),
        ("under_insats.avbrott", "boolean"),
        ("efter_insats.datum", "date"),
        ("efter_insats.forandring", "group"),
        ("brukaruppfoljning.kommentar", "text"),
        ("avslutning.datum", "date"),
        ("ateraktualisering.datum", "date"),
    ];
    let item =
        |id: &str, kind: &str| {
            definition
            .find(id)
            .map(|i| definition.item(i))
            .filter(|item| item.kind.name() == kind)
            .ok_or_else(|| {
                definition_error(Text { sv: format!(
                        "{} version {} saknar frågan `{id}` ({kind}) som SUE-generatorn behöver",
                        definition.instrument(),
                        definition.version()
                    ), en: format!(
                        "{} version {} has no {kind} item `{id}`, which the SUE generator needs",
                        definition.instrument(),
                        definition.version()
                    ) })
            })
        };
    for (id, kind) in others {
        item(id, kind)?;
    }
    let code = |id: &str, code: &str| -> Result<Option<String>> {
        let found = item(id, "single_choice")?;
        let ItemKind::SingleChoice { list } = found.kind else {
            return Ok(None);
        };
        let list = definition.code_list(list);
        let position = list.position(code).ok_or_else(|| {
            definition_error(Text { sv: format!("kodlistan `{}` för `{id}` saknar koden `{code}` som SUE-generatorn skriver", list.name), en: format!("code list `{}` of `{id}` lacks the code `{code}`, which the SUE generator writes", list.name) })
        })?;
        Ok(list.code(position).group.clone())
    };
    for &(id, codes) in choices {
        for c in codes {
            code(id, c)?;
        }
    }
    let expect_group = |id: &str, codes: &[&str], group: &str| -> Result<()> {
        for c in codes {
            if code(id, c)?.as_deref() != Some(group) {
                return Err(definition_error(Text {
                    sv: format!("koden `{c}` för `{id}` måste ha gruppen `{group}`"),
                    en: format!("code `{c}` of `{id}` must have the group `{group}`"),
                }));
            }
        }
        Ok(())
    };
    expect_group("insatser.insats.typ", &JOBB, "jobbaktivering")?;
    expect_group("insatser.insats.typ", &RESURS, "resursaktivering")?;
    expect_group("insatser.insats.typ", &STOD, "stod")?;
    expect_group("insatser.insats.typ", &["undantag"], "stod")?;
    expect_group("insatser.insats.typ", &["sanktion"], "kontroll")?;
    let mut groups = [0; 12];
    for (bits, hinder) in groups.iter_mut().zip(HINDER) {
        *bits = match code("bakgrund.forsorjningshinder", hinder)?.as_deref() {
            Some("arbetsloshet") => 0,
            Some("ohalsa") => G_OHALSA,
            Some("sociala_skal") => G_SOCIALA,
            Some("ovrigt") => G_OVRIGT,
            _ => {
                return Err(definition_error(Text {
                    sv: format!(
                        "försörjningshindret `{hinder}` behöver en grupp: arbetsloshet, ohalsa, sociala_skal eller ovrigt"
                    ),
                    en: format!(
                        "försörjningshinder `{hinder}` needs a group: arbetsloshet, ohalsa, sociala_skal or ovrigt"
                    ),
                }));
            }
        };
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::Engine;

    fn engine() -> Engine {
        Engine::new().expect("the built-in definitions compile")
    }

    fn sue(engine: &Engine) -> &Definition {
        engine
            .definition("sue", Some("1"))
            .expect("SUE version 1 is built in")
    }

    #[test]
    fn end_day_is_the_last_day_of_the_period() {
        assert_eq!(day(0), date(2024, 1, 1));
        assert_eq!(day(END_DAY), date(2026, 10, 31));
    }

    #[test]
    fn a_hand_written_document_validates_without_findings() {
        let document = json!({
            "instrument": "sue", "version": "1", "status": "complete", "unit": "Söder",
            "interview_date": "2025-12-01",
            "answers": {
                "bakgrund.aktualiseringsdatum": "2025-01-15",
                "bakgrund.kon": "kvinna",
                "bakgrund.fodelsear": 1990,
                "bakgrund.fodelseland": "utanfor_europa",
                "bakgrund.ar_i_sverige": 6,
                "bakgrund.hushallstyp": "ensamstaende_kvinna_med_barn",
                "bakgrund.antal_barn": 2,
                "bakgrund.utbildning": "grundskola",
                "bakgrund.forsorjningshinder": "arbetslos",
                "bakgrund.manader_senaste_ar": 11,
                "bakgrund.manader_senaste_3ar": 27,
                "fore_insats.problem": [
                    { "omrade": "skulder", "omfattning": "i_stor_omfattning" },
                    { "omrade": "arbete", "omfattning": "i_viss_omfattning" }
                ],
                "fore_insats.metod": "fia",
                "fore_insats.mal_satta": true,
                "fore_insats.antal_mal": 2,
                "insatser.insats": [
                    { "typ": "sfi", "startdatum": "2025-02-03", "slutdatum": "2025-06-13",
                      "intensitet_timmar": 15, "utforare": "annan" },
                    { "typ": "arbetspraktik", "startdatum": "2025-08-18", "slutdatum": "2025-10-31",
                      "intensitet_timmar": 30, "utforare": "kommunal_arbetsmarknadsenhet" },
                    { "typ": "undantag", "startdatum": "2025-01-20", "slutdatum": "2025-03-31",
                      "undantag_skal": "foraldraskap" },
                    { "typ": "sanktion", "startdatum": "2025-09-01", "slutdatum": "2025-09-30",
                      "sanktion_skal": "franvaro" }
                ],
                "under_insats.narvaro": "medel",
                "under_insats.avbrott": true,
                "under_insats.avbrott_orsak": "arbete",
                "efter_insats.datum": "2025-11-10",
                "efter_insats.utfall": "arbete_med_stod",
                "efter_insats.forandring": [
                    { "omrade": "skulder", "forandring": "oforandrad" },
                    { "omrade": "arbete", "forandring": "battre" }
                ],
                "efter_insats.maluppfyllelse": "delvis",
                "brukaruppfoljning.nojdhet": "ganska_nojd",
                "brukaruppfoljning.inflytande": "i_viss_grad",
                "brukaruppfoljning.respekt": "i_hog_grad",
                "brukaruppfoljning.hjalpt": "ja",
                "brukaruppfoljning.kommentar": "Praktiken hjälpte mig mest.",
                "avslutning.datum": "2025-11-20",
                "avslutning.orsak": "arbete",
                "ateraktualisering.datum": "2026-04-02",
                "ateraktualisering.orsak": "arbetsloshet"
            }
        });
        let bytes = serde_json::to_vec(&document).expect("serialises");
        let report = engine()
            .validate(Some("sue"), &bytes)
            .expect("the document parses");
        assert!(report.valid, "{:?}", report.findings);
        assert!(report.findings.is_empty(), "{:?}", report.findings);

        // The rules bite: a closure before the start, an exemption without its reason, an outcome
        // without any intervention.
        let mut broken = document.clone();
        let answers = &mut broken["answers"];
        answers["avslutning.datum"] = json!("2024-12-31");
        answers["insatser.insats"][2]
            .as_object_mut()
            .expect("a row is an object")
            .remove("undantag_skal");
        let bytes = serde_json::to_vec(&broken).expect("serialises");
        let report = engine().validate(Some("sue"), &bytes).expect("parses");
        let paths: Vec<&str> = report.findings.iter().map(|f| f.path.as_str()).collect();
        assert!(paths.contains(&"avslutning.datum"), "{paths:?}");
        assert!(
            paths.contains(&"insatser.insats[2].undantag_skal"),
            "{paths:?}"
        );
        let mut without = document;
        without["answers"]
            .as_object_mut()
            .expect("answers is an object")
            .remove("insatser.insats");
        let bytes = serde_json::to_vec(&without).expect("serialises");
        let report = engine().validate(Some("sue"), &bytes).expect("parses");
        let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
        assert!(codes.contains(&"not_enabled"), "{codes:?}");
    }

    #[test]
    fn the_same_seed_gives_the_same_documents() {
        let engine = engine();
        let definition = sue(&engine);
        let a = sue_documents(definition, 7, 200).expect("generates");
        let b = sue_documents(definition, 7, 200).expect("generates");
        assert_eq!(a, b);
        let streamed: Vec<Value> = SueGenerator::new(definition, 7)
            .expect("generator")
            .take(200)
            .collect();
        assert_eq!(a, streamed);
        let c = sue_documents(definition, 8, 200).expect("generates");
        assert_ne!(a, c);
    }

    #[test]
    fn generated_documents_validate_without_errors() {
        let engine = engine();
        let definition = sue(&engine);
        let documents = sue_documents(definition, 2024, 2500).expect("generates");
        let mut drafts = 0;
        for (i, document) in documents.iter().enumerate() {
            let bytes = serde_json::to_vec(document).expect("serialises");
            let report = engine.validate(Some("sue"), &bytes).expect("parses");
            assert_eq!(
                report.errors, 0,
                "document {i}: {:?}\n{document}",
                report.findings
            );
            if document["status"] == "draft" {
                drafts += 1;
            } else {
                assert!(
                    report.findings.is_empty(),
                    "document {i}: {:?}",
                    report.findings
                );
            }
        }
        assert!((150..=350).contains(&drafts), "{drafts} drafts");
    }

    #[test]
    fn a_definition_without_the_sue_items_is_refused() {
        let engine = engine();
        let fia = engine
            .definition("fia", Some("1"))
            .expect("FIA is built in");
        let error = SueGenerator::new(fia, 1).expect_err("FIA is not SUE");
        assert_eq!(error.kind(), ErrorKind::InvalidDefinition);
        let error = sue_documents(sue(&engine), 1, MAX_DOCUMENTS + 1).expect_err("too many");
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn the_models_hit_their_targets_exactly_in_expectation() {
        let engine = engine();
        let generator = SueGenerator::new(sue(&engine), 1).expect("generator");
        let models = &generator.models;
        let share = |cells: &[(Mask, f64)], hit: &dyn Fn(Mask) -> bool| -> f64 {
            let total: f64 = cells.iter().map(|c| c.1).sum();
            cells.iter().filter(|c| hit(c.0)).map(|c| c.1).sum::<f64>() / total
        };
        let close = |measured: f64, target: f64, what: &str| {
            assert!(
                (measured - target).abs() < 1e-9,
                "{what}: {measured} vs {target}"
            );
        };
        let cells = background_cells(&generator.groups);
        close(
            share(&cells, &|m| m & (MAN | ANNAT) == 0),
            TARGET_WOMEN,
            "women",
        );
        close(
            share(&cells, &|m| m & ABROAD != 0),
            TARGET_BORN_ABROAD,
            "born abroad",
        );
        let cells = models.long_term.expand(&cells, &[0, LONG]);
        close(
            share(&cells, &|m| m & LONG != 0),
            TARGET_LONG_TERM,
            "long-term",
        );
        let cells = models.activation.expand(&cells, &[0, ACTIVATED]);
        close(
            share(&cells, &|m| m & ACTIVATED != 0),
            TARGET_ACTIVATED,
            "activated",
        );
        let (activated, passive): (Vec<_>, Vec<_>) =
            cells.iter().partition(|(mask, _)| mask & ACTIVATED != 0);
        let mut cells = models.mix.expand(&activated, &MIX_BITS);
        let only = |bit: Mask| move |m: Mask| m & (JOBB_BIT | RESURS_BIT) == bit;
        close(
            share(&cells, &only(JOBB_BIT)),
            TARGET_JOBB_ONLY,
            "jobb only",
        );
        close(
            share(&cells, &only(RESURS_BIT)),
            TARGET_RESURS_ONLY,
            "resurs only",
        );
        cells.extend(passive);
        let cells = models.sanktion.expand(&cells, &[0, SANK]);
        close(
            share(&cells, &|m| m & SANK != 0),
            TARGET_SANKTION,
            "sanktion",
        );
        let cells = models.undantag.expand(&cells, &[0, UND]);
        close(
            share(&cells, &|m| m & UND != 0),
            TARGET_UNDANTAG,
            "undantag",
        );
        let cells = models.support.expand(&cells, &[0, STOD_BIT]);
        close(
            share(&cells, &|m| m & STOD_BIT != 0),
            TARGET_SUPPORT,
            "support",
        );
        let with: Vec<(Mask, f64)> = cells
            .into_iter()
            .filter(|(m, _)| m & (ACTIVATED | SANK | UND | STOD_BIT) != 0)
            .collect();
        let cells = models
            .outcome
            .expand(&with, &[1, 2, 4, 8, 16, 32].map(|b| b << 24));
        for (k, target) in OUTCOME_TARGETS.iter().enumerate() {
            close(share(&cells, &|m| m >> 24 == 1 << k), *target, UTFALL[k]);
        }
    }

    /// Shares within a group: numerator and denominator.
    #[derive(Default, Clone, Copy)]
    struct Share(u32, u32);

    impl Share {
        fn add(&mut self, hit: bool) {
            self.0 += u32::from(hit);
            self.1 += 1;
        }
        fn value(self) -> f64 {
            f64::from(self.0) / f64::from(self.1.max(1))
        }
    }

    #[test]
    fn shares_match_the_seed_study() {
        // Sampling noise at N = 20 000: about 0.35 percentage points for a share of all documents
        // and 0.55 for the split among the activated (about 8 000), against a tolerance of 1.5.
        // The model means are exact (see the test above); this checks the drawing.
        const N: usize = 20_000;
        const TOLERANCE: f64 = 0.015;
        let engine = engine();
        let definition = sue(&engine);
        let typ = definition
            .find("insatser.insats.typ")
            .expect("the intervention type item");
        let ItemKind::SingleChoice { list } = definition.item(typ).kind else {
            panic!("the intervention type is a single choice");
        };
        let group_of: HashMap<&str, &str> = definition
            .code_list(list)
            .codes
            .iter()
            .map(|c| (c.code.as_str(), c.group.as_deref().unwrap_or("")))
            .collect();

        let mut s: HashMap<&str, Share> = HashMap::new();
        let mut sanction_by_group: BTreeMap<(bool, bool, bool), Share> = BTreeMap::new();
        for document in sue_documents(definition, 2026, N).expect("generates") {
            let a = &document["answers"];
            let text = |id: &str| a[id].as_str().unwrap_or("");
            let number = |id: &str| a[id].as_i64().unwrap_or(-1);
            let kinds: Vec<&str> = a["insatser.insats"]
                .as_array()
                .map(|rows| rows.iter().filter_map(|r| r["typ"].as_str()).collect())
                .unwrap_or_default();
            let has_group = |g: &str| kinds.iter().any(|k| group_of.get(k) == Some(&g));
            let jobb = has_group("jobbaktivering");
            let resurs = has_group("resursaktivering");
            let activated = jobb || resurs;
            let sanktion = kinds.contains(&"sanktion");
            let undantag = kinds.contains(&"undantag");
            let woman = text("bakgrund.kon") == "kvinna";
            let man = text("bakgrund.kon") == "man";
            let origin = text("bakgrund.fodelseland");
            let swedish = origin == "sverige";
            let abroad = matches!(origin, "norden" | "europa" | "utanfor_europa");
            let year: i64 = text("bakgrund.aktualiseringsdatum")[..4]
                .parse()
                .expect("a date starts with its year");
            let young = year - number("bakgrund.fodelsear") < 25;
            let mother = woman && text("bakgrund.hushallstyp").ends_with("med_barn");

            s.entry("activated").or_default().add(activated);
            s.entry("sanktion").or_default().add(sanktion);
            s.entry("undantag").or_default().add(undantag);
            s.entry("women").or_default().add(woman);
            s.entry("born abroad").or_default().add(abroad);
            s.entry("long-term")
                .or_default()
                .add(number("bakgrund.manader_senaste_ar") >= 10);
            let hinder = text("bakgrund.forsorjningshinder");
            s.entry("arbetslos").or_default().add(hinder == "arbetslos");
            s.entry("ohalsa").or_default().add(matches!(
                hinder,
                "sjukskriven_lakarintyg" | "sjuk_aktivitetsersattning"
            ));
            s.entry("sociala skal").or_default().add(matches!(
                hinder,
                "arbetshinder_sociala_skal" | "ensamkommande_gymnasium"
            ));
            s.entry("young").or_default().add(young);
            if activated {
                s.entry("jobb only | activated")
                    .or_default()
                    .add(jobb && !resurs);
                s.entry("resurs only | activated")
                    .or_default()
                    .add(resurs && !jobb);
            }
            if woman {
                s.entry("jobb | women").or_default().add(jobb);
                s.entry("undantag | women").or_default().add(undantag);
                let key = if mother {
                    "activated | mothers"
                } else {
                    "activated | other women"
                };
                s.entry(key).or_default().add(activated);
            }
            if man {
                s.entry("jobb | men").or_default().add(jobb);
                s.entry("undantag | men").or_default().add(undantag);
                s.entry("activated | men").or_default().add(activated);
            }
            let age_key = if young {
                "undantag | <25"
            } else {
                "undantag | 25+"
            };
            s.entry(age_key).or_default().add(undantag);
            if (woman || man) && (swedish || abroad) {
                sanction_by_group
                    .entry((man, swedish, !young))
                    .or_default()
                    .add(sanktion);
            }
            if document["status"] == "complete" {
                s.entry("closed")
                    .or_default()
                    .add(a.get("avslutning.datum").is_some());
                if a.get("avslutning.datum").is_some() {
                    s.entry("re-opened | closed")
                        .or_default()
                        .add(a.get("ateraktualisering.datum").is_some());
                }
                let followed_up = ["nojdhet", "inflytande", "respekt", "hjalpt", "kommentar"]
                    .iter()
                    .any(|n| a.get(format!("brukaruppfoljning.{n}")).is_some());
                s.entry("client follow-up").or_default().add(followed_up);
                if !kinds.is_empty() {
                    let outcome = text("efter_insats.utfall");
                    let work = outcome.starts_with("arbete");
                    s.entry("work | intervention").or_default().add(work);
                    s.entry("continued | intervention")
                        .or_default()
                        .add(outcome == "fortsatt_bistand");
                    if resurs {
                        s.entry("work | resurs").or_default().add(work);
                    } else if jobb {
                        s.entry("work | jobb only").or_default().add(work);
                    }
                    let key = if sanktion {
                        "continued | sanktion"
                    } else {
                        "continued | no sanktion"
                    };
                    s.entry(key).or_default().add(outcome == "fortsatt_bistand");
                }
            }
        }
        let share = |key: &str| s.get(key).copied().unwrap_or_default().value();
        let mut lines: Vec<String> = s
            .iter()
            .map(|(k, v)| format!("{k:>28}: {:6.2} % (n = {})", 100.0 * v.value(), v.1))
            .collect();
        lines.sort();
        for ((man, swedish, older), v) in &sanction_by_group {
            lines.push(format!(
                "sanktion | {} {} {}: {:6.2} % (n = {})",
                if *man { "man" } else { "kvinna" },
                if *swedish { "sverige" } else { "utrikes" },
                if *older { "25+" } else { "<25" },
                100.0 * v.value(),
                v.1
            ));
        }
        println!("{}", lines.join("\n"));

        let targets = [
            ("activated", TARGET_ACTIVATED),
            ("sanktion", TARGET_SANKTION),
            ("undantag", TARGET_UNDANTAG),
            ("jobb only | activated", TARGET_JOBB_ONLY),
            ("resurs only | activated", TARGET_RESURS_ONLY),
            ("women", TARGET_WOMEN),
            ("born abroad", TARGET_BORN_ABROAD),
            ("long-term", TARGET_LONG_TERM),
        ];
        for (key, target) in targets {
            let measured = share(key);
            assert!(
                (measured - target).abs() <= TOLERANCE,
                "{key}: measured {measured:.4}, target {target}"
            );
        }
        let outcomes = [
            (
                "work | intervention",
                TARGET_OUTCOME_WORK + TARGET_OUTCOME_WORK_SUPPORTED,
            ),
            ("continued | intervention", TARGET_OUTCOME_CONTINUED),
            ("closed", TARGET_CLOSED / (1.0 - DRAFT_SHARE)),
            ("re-opened | closed", TARGET_REOPENED),
            (
                "client follow-up",
                TARGET_CLIENT_FOLLOW_UP / (1.0 - DRAFT_SHARE),
            ),
        ];
        for (key, target) in outcomes {
            let measured = share(key);
            assert!(
                (measured - target).abs() <= 0.025,
                "{key}: measured {measured:.4}, target {target}"
            );
        }

        // The seed study's group differences.
        assert!(share("jobb | men") > share("jobb | women") + 0.05);
        assert!(share("activated | mothers") < share("activated | other women"));
        assert!(share("activated | mothers") < share("activated | men"));
        assert!(share("undantag | women") > share("undantag | men") + 0.03);
        assert!(share("undantag | <25") > share("undantag | 25+") + 0.03);
        let top = sanction_by_group[&(true, true, true)].value();
        for (group, v) in &sanction_by_group {
            if *group != (true, true, true) {
                assert!(
                    top > v.value() + 0.03,
                    "sanktion {group:?}: {} vs {top}",
                    v.value()
                );
            }
        }
        assert!(share("work | resurs") > share("work | jobb only"));
        assert!(share("continued | sanktion") > share("continued | no sanktion"));
    }
}
