//! Calibration targets of the SUE generator (shares of all generated documents unless said
//! otherwise), the codes it writes (each checked against the definition by `check`) and its
//! date range.

// The parts of one generator share its constants, types and imports: one glob of the parent.
use super::*;

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
/// Long-term recipients by the national measure, bistånd in 10–12 months of a calendar year: 36 %
/// (DOMAIN.md (a)).
pub const TARGET_LONG_TERM: f64 = 0.36;
/// After an intervention, work without support: 16 % (assumption). The seed study's 24 % in work
/// is a register outcome over all clients, `seed_figures::REGISTER_WORK` (24 %), written to
/// `registeruppfoljning.arbete`; this is the caseworker's record of the occupation after an
/// intervention, one category of several.
pub const TARGET_OUTCOME_WORK: f64 = 0.16;
/// After an intervention, work with support (wage subsidy and the like): 8 % (assumption).
pub const TARGET_OUTCOME_WORK_SUPPORTED: f64 = 0.08;
/// After an intervention, studies: 14 % (assumption).
pub const TARGET_OUTCOME_STUDIES: f64 = 0.14;
/// After an intervention, another benefit (unemployment, sickness, activity benefit): 25 %
/// (assumption).
pub const TARGET_OUTCOME_OTHER_BENEFIT: f64 = 0.25;
/// After an intervention, continued social assistance: 17 % (assumption; the seed study's 17 %
/// is the register outcome `seed_figures::REGISTER_ASSISTANCE` over all clients).
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
pub(super) const AGE_BANDS: [(i64, i64, f64); 5] = [
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
pub(super) const HINDER_WEIGHTS: [f64; 12] = [
    0.45, 0.10, 0.07, 0.03, 0.14, 0.05, 0.02, 0.04, 0.04, 0.03, 0.05, 0.06,
];

/// Clients with a need in `arbete` when no försörjningshinder of ill health, social reasons or
/// other reasons applies, and otherwise (assumptions; `arbete` is SUE's own area, not FIA's).
pub(super) const NEED_WORK: (f64, f64) = (0.90, 0.50);
/// Share of documents whose needs (`fore_insats.problem`) are recorded, independently of the
/// needs themselves (assumption).
pub const NEEDS_RECORDED: f64 = 0.85;

// ---------------------------------------------------------------------------------------------
// Codes the generator writes. `SueGenerator::new` checks each against the definition.
// ---------------------------------------------------------------------------------------------

pub(super) const KON: [&str; 3] = ["kvinna", "man", "annat"];
pub(super) const FODELSELAND: [&str; 5] =
    ["sverige", "norden", "europa", "utanfor_europa", "okant"];
pub(super) const HUSHALL: [&str; 7] = [
    "ensamstaende_kvinna_utan_barn",
    "ensamstaende_kvinna_med_barn",
    "ensamstaende_man_utan_barn",
    "ensamstaende_man_med_barn",
    "sammanboende_utan_barn",
    "sammanboende_med_barn",
    "ovrigt",
];
pub(super) const UTBILDNING: [&str; 7] = [
    "ingen_grundskola",
    "grundskola",
    "gymnasium_ej_fullfoljd",
    "gymnasium",
    "eftergymnasial_kortare",
    "eftergymnasial_3ar",
    "okand",
];
pub(super) const HINDER: [&str; 12] = [
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
/// The need areas, version 2's `utbildning` last: a version 1 definition has the first
/// [`OMRADE_V1`] (and a version 1 document draws only those, so its stream is unchanged).
pub(super) const OMRADE: [&str; 16] = [
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
    "utbildning",
];
/// How many of [`OMRADE`] a version 1 definition has.
pub(super) const OMRADE_V1: usize = 15;
/// Version 2's obstacles in the background, both with these codes: lack, no lack, unknown.
pub(super) const OBSTACLE_CODES: [&str; 3] = ["brist", "ingen_brist", "okand"];
/// The obstacles' items and their keys in [`crate::seed_figures::NAMED_OBSTACLES`].
pub(super) const OBSTACLE_ITEMS: [(&str, &str); 2] = [
    ("bakgrund.arbetslivserfarenhet", "arbetslivserfarenhet"),
    ("bakgrund.svenskkunskaper", "svenska"),
];
/// Of the clients without a named obstacle, the share answered "unknown" (assumption).
pub(super) const OBSTACLE_UNKNOWN: f64 = 0.05;
pub(super) const OMFATTNING: [&str; 2] = ["i_stor_omfattning", "i_viss_omfattning"];
pub(super) const METOD: [&str; 3] = ["fia", "annan_strukturerad", "ingen"];
pub(super) const JOBB: [&str; 3] = [
    "jobbsokaraktivitet",
    "arbetstraning",
    "kommunal_sysselsattning",
];
pub(super) const RESURS: [&str; 5] = [
    "arbetspraktik",
    "utbildning",
    "sfi",
    "studie_och_yrkesvagledning",
    "ips",
];
pub(super) const STOD: [&str; 4] = [
    "halsoinsats",
    "missbruksbehandling",
    "sociala_aktiviteter",
    "skuldradgivning",
];
pub(super) const UTFORARE: [&str; 6] = [
    "socialtjansten",
    "kommunal_arbetsmarknadsenhet",
    "arbetsformedlingen",
    "region",
    "extern_aktor",
    "annan",
];
pub(super) const UNDANTAG_SKAL: [&str; 5] = [
    "sjukdom",
    "foraldraskap",
    "studier",
    "sociala_skal",
    "annat",
];
pub(super) const SANKTION_SKAL: [&str; 3] = ["franvaro", "avbojt_erbjudande", "annat"];
pub(super) const NARVARO: [&str; 4] = ["hog", "medel", "lag", "okand"];
pub(super) const AVBROTT_ORSAK: [&str; 6] = [
    "sjukdom",
    "arbete",
    "flytt",
    "egen_begaran",
    "sanktion",
    "annan",
];
pub(super) const UTFALL: [&str; 6] = [
    "arbete_utan_stod",
    "arbete_med_stod",
    "studier",
    "annan_ersattning",
    "fortsatt_bistand",
    "okant",
];
pub(super) const FORANDRING: [&str; 3] = ["battre", "oforandrad", "samre"];
pub(super) const MALUPPFYLLELSE: [&str; 3] = ["helt", "delvis", "inte"];
pub(super) const NOJDHET: [&str; 5] = [
    "mycket_nojd",
    "ganska_nojd",
    "varken_eller",
    "ganska_missnojd",
    "mycket_missnojd",
];
pub(super) const GRAD: [&str; 3] = ["i_hog_grad", "i_viss_grad", "inte_alls"];
pub(super) const HJALPT: [&str; 4] = ["ja", "delvis", "nej", "vet_ej"];
pub(super) const AVSLUTSORSAK: [&str; 8] = [
    "arbete",
    "studier",
    "annan_ersattning",
    "flyttat",
    "ej_aktuell",
    "avliden",
    "annan",
    "okand",
];
pub(super) const ATERAKT_ORSAK: [&str; 4] = ["arbetsloshet", "ohalsa", "sociala_skal", "annan"];

/// Organisational units documents are spread over.
pub(super) const UNITS: [&str; 8] = [
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
pub(super) const COMMENTS: [&str; 6] = [
    "Bra bemötande, men det tog lång tid innan jag fick en insats.",
    "Praktiken var det som hjälpte mig mest.",
    "Jag hade velat ha mer stöd med att söka arbete.",
    "Det var svårt att förstå vilka krav som gällde.",
    "Min handläggare lyssnade på mig och tog mig på allvar.",
    "Jag fick byta handläggare flera gånger.",
];

/// First and last date any generated date may take.
pub(super) const START: Date = date(2024, 1, 1);
/// 2026-10-31 as days after [`START`].
pub(super) const END_DAY: i64 = 1034;
/// Days a complete case needs after its start for interventions, follow-up and closure.
pub(super) const FOLLOW_UP_DAYS: i64 = 240;
/// Drafts are recent: started within this many days before the end of the period.
pub(super) const DRAFT_WINDOW: i64 = 400;
