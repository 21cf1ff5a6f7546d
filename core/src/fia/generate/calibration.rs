//! Calibration of the FIA generator: percentages from the FIA trials (domain notes, part b)
//! unless marked as a choice, and the short neutral free texts it writes.

// The parts of one generator share its constants, types and imports: one glob of the parent.
use super::*;
use crate::seed_figures::LIFE_AREAS_AFFECTED;

pub(super) const FIRST_INTERVIEW: Date = date(2025, 1, 1);
pub(super) const LAST_INTERVIEW: Date = date(2026, 10, 31);

/// Follow-ups are planned this many days after the interview.
pub(super) const FOLLOW_UP_DAYS: (i64, i64) = (14, 120);

pub(super) const HAR_BARN_PERCENT: u32 = 35;
pub(super) const EVALUATION_PERCENT: u32 = 60;

pub(super) const AFFECTED: [&str; 2] = ["i_stor_omfattning", "i_viss_omfattning"];
pub(super) const NOT_AFFECTED: &str = "inte_alls";
/// The answers of `problem_klient` that count as a large problem (mycket stort to måttligt).
pub(super) const LARGE_PROBLEM: &[(&str, u32)] =
    &[("mycket_stort", 25), ("stort", 35), ("mattligt", 40)];
pub(super) const SMALL_PROBLEM: &[(&str, u32)] = &[("litet", 70), ("inget", 30)];
pub(super) const AFFECTS_WORK_LARGE: &[(&str, u32)] = &[("ja", 60), ("nej", 30), ("vet_ej", 10)];
pub(super) const AFFECTS_WORK_SMALL: &[(&str, u32)] = &[("ja", 25), ("nej", 65), ("vet_ej", 10)];
pub(super) const WANTS_HELP_LARGE: &[(&str, u32)] = &[("ja", 65), ("nej", 25), ("vet_ej", 10)];
pub(super) const WANTS_HELP_SMALL: &[(&str, u32)] = &[("ja", 30), ("nej", 60), ("vet_ej", 10)];

/// How far the latent burden level moves an area's probability of being affected, as a share of
/// the distance to 0 or 1 (a choice: enough to make problems cluster).
pub(super) const BURDEN_SPREAD: f64 = 0.4;

/// One life area: its section id (also its subject code in the ranking) with the percentage of
/// those asked who are affected (shared with the SUE generator:
/// [`crate::seed_figures::LIFE_AREAS_AFFECTED`]), and the percentage of the affected calling it
/// a large problem (50 where the trials give no figure).
#[derive(Clone, Copy)]
pub(super) struct AreaSpec {
    pub(super) id: &'static str,
    pub(super) affected: u32,
    pub(super) large_problem: u32,
}

/// The large-problem percentages, in the order of [`LIFE_AREAS_AFFECTED`].
const LARGE_PROBLEM_PERCENT: [u32; 14] = [56, 50, 50, 71, 75, 76, 30, 43, 50, 50, 22, 74, 76, 50];

pub(super) const AREAS: [AreaSpec; 14] = {
    let mut areas = [AreaSpec::new(("", 0), 0); 14];
    let mut i = 0;
    while i < areas.len() {
        areas[i] = AreaSpec::new(LIFE_AREAS_AFFECTED[i], LARGE_PROBLEM_PERCENT[i]);
        i += 1;
    }
    areas
};

impl AreaSpec {
    pub(super) const fn new(area: (&'static str, u32), large_problem: u32) -> AreaSpec {
        AreaSpec {
            id: area.0,
            affected: area.1,
            large_problem,
        }
    }
}

/// Has worked before (a choice: the seed study found lack of work experience in 38 %).
pub(super) const HAR_ARBETAT_PERCENT: u32 = 65;
/// Lack of education was named for 46 % in the seed study.
pub(super) const UTBILDNING: &[(&str, u32)] = &[
    ("ingen_grundskola", 10),
    ("grundskola", 25),
    ("gymnasium_ej_fullfoljd", 15),
    ("gymnasium", 30),
    ("eftergymnasial_kortare", 8),
    ("eftergymnasial_3ar", 7),
    ("okand", 5),
];
pub(super) const LOW_EDUCATION: &[&str] =
    &["ingen_grundskola", "grundskola", "gymnasium_ej_fullfoljd"];
pub(super) const SPRAK_EDUCATED_ABROAD: &[(&str, u32)] =
    &[("modersmal", 5), ("goda", 35), ("vissa", 45), ("inga", 15)];
pub(super) const SPRAK_EDUCATED_HERE: &[(&str, u32)] =
    &[("modersmal", 80), ("goda", 14), ("vissa", 5), ("inga", 1)];
pub(super) const WEAK_SWEDISH: &[&str] = &["vissa", "inga"];
pub(super) const TYDLIG_BILD: &[(&str, u32)] = &[("ja", 16), ("nej", 58), ("vet_ej", 26)];
/// 30–40 % find every step of looking for work hard.
pub(super) const SVART_SOKA: &[(&str, u32)] = &[
    ("alla_steg", 35),
    ("vissa_steg", 40),
    ("inga_steg", 20),
    ("vet_ej", 5),
];
pub(super) const SVART_SOKA_ANSWERED_PERCENT: u32 = 85;
/// Each code is chosen independently with this percentage (of all clients).
pub(super) const ONSKADE_INSATSER: &[(&str, u32)] = &[
    ("arbetspraktik", 64),
    ("utbildning", 52),
    ("jobbaktivitet", 25),
    ("sociala_aktiviteter", 21),
    ("arbetstraning", 9),
    ("sfi", 6),
    ("studie_och_yrkesvagledning", 8),
    ("halsoinsats", 7),
    ("annat", 3),
];
pub(super) const SYN_PA_KRAV: &[(&str, u32)] = &[
    ("for_hoga", 10),
    ("for_laga", 7),
    ("rimliga", 81),
    ("vet_ej", 2),
];

/// `bedomning.kategori`, as percentages.
pub(super) const KATEGORI_NONE: u32 = 31;
pub(super) const KATEGORI_SOCIAL: u32 = 23;
pub(super) const KATEGORI_WORK: u32 = 17;
pub(super) const KATEGORI_BOTH: u32 = 29;
/// How often the assessment follows the client's rank in burden rather than chance (a choice).
pub(super) const SOCIAL_RANK_PERCENT: u32 = 80;
pub(super) const WORK_RANK_PERCENT: u32 = 70;

pub(super) const RANKED_COUNT: &[(usize, u32)] = &[(1, 25), (2, 35), (3, 40)];
pub(super) const GOAL_COUNT: &[(usize, u32)] = &[(1, 35), (2, 40), (3, 25)];
pub(super) const DELMAL_COUNT: &[(usize, u32)] = &[(0, 30), (1, 40), (2, 30)];
pub(super) const ANSVARIG: &[(&str, u32)] =
    &[("klient", 45), ("handlaggare", 35), ("annan_aktor", 20)];
/// The subject code of work in the ranking and in a goal's `omrade`.
pub(super) const WORK_SUBJECT: &str = "arbete";

/// Interventions that fit a goal's area; `""` is the fallback. `sfi` is added for work goals of
/// clients with weak Swedish.
pub(super) const PLAN_INSATSER: &[(&str, &[&str])] = &[
    (
        "arbete",
        &[
            "arbetspraktik",
            "jobbaktivitet",
            "utbildning",
            "arbetstraning",
            "ips",
        ],
    ),
    ("skulder", &["skuldradgivning"]),
    ("alkohol_droger", &["behandling"]),
    ("ovriga_beroenden", &["behandling"]),
    (
        "kroppslig_halsa",
        &["halso_och_sjukvard", "behandling", "arbetstraning", "ips"],
    ),
    (
        "psykisk_halsa",
        &["halso_och_sjukvard", "behandling", "arbetstraning", "ips"],
    ),
    (
        "funktionsnedsattning",
        &["halso_och_sjukvard", "arbetstraning", "ips"],
    ),
    ("socialt_natverk", &["sociala_aktiviteter", "annat"]),
    ("situationen_hemma", &["sociala_aktiviteter", "annat"]),
    ("", &["annat", "sociala_aktiviteter", "arbetstraning"]),
];
pub(super) const SFI: &str = "sfi";

/// The evaluation questionnaires: client, then caseworker.
pub(super) const SURVEY: &[(&str, Survey)] = &[
    (
        "enkat_klient.sociala_fragor_acceptabla",
        Survey::Codes(&[("i_hog_grad", 67), ("i_viss_grad", 28), ("inte_alls", 5)]),
    ),
    (
        "enkat_klient.arbetsfragor_acceptabla",
        Survey::Codes(&[("i_hog_grad", 77), ("i_viss_grad", 20), ("inte_alls", 3)]),
    ),
    (
        "enkat_klient.svart_att_forsta",
        Survey::Codes(&[("i_hog_grad", 8), ("i_viss_grad", 33), ("inte_alls", 59)]),
    ),
    (
        "enkat_klient.battre_an_tidigare_samtal",
        Survey::Codes(&[
            ("mycket_battre", 42),
            ("battre", 29),
            ("likvardigt", 20),
            ("samre", 9),
        ]),
    ),
    ("enkat_klient.negativ_reaktion", Survey::Yes(11)),
    ("enkat_klient.fragor_att_ta_bort", Survey::Yes(10)),
    ("enkat_klient.fragor_som_saknas", Survey::Yes(10)),
    ("enkat_handlaggare.klienten_accepterade", Survey::Yes(88)),
    (
        "enkat_handlaggare.ny_kunskap",
        Survey::Codes(&[("i_hog_grad", 17), ("i_viss_grad", 53), ("inte_alls", 30)]),
    ),
    ("enkat_handlaggare.fragor_aldrig_stallda", Survey::Yes(50)),
    (
        "enkat_handlaggare.tydligare_bild",
        Survey::Codes(&[("i_hog_grad", 50), ("i_viss_grad", 40), ("inte_alls", 10)]),
    ),
    (
        "enkat_handlaggare.svart_att_forsta",
        Survey::Codes(&[("i_hog_grad", 9), ("i_viss_grad", 35), ("inte_alls", 56)]),
    ),
    ("enkat_handlaggare.fragor_att_ta_bort", Survey::Yes(10)),
    ("enkat_handlaggare.fragor_som_saknas", Survey::Yes(10)),
];

// Free texts: short, neutral, no digits.

pub(super) const AREA_COMMENTS: &[&str] = &[
    "Vill ta upp detta vid nästa möte",
    "Klienten beskriver situationen som ansträngd",
    "Har haft kontakt med vården tidigare",
    "Situationen har förbättrats något",
    "Behöver mer information",
];
pub(super) const YRKEN: &[&str] = &[
    "Lagerarbetare",
    "Undersköterska",
    "Städare",
    "Kock",
    "Butiksbiträde",
    "Lastbilschaufför",
    "Barnskötare",
    "Vårdbiträde",
    "Byggnadsarbetare",
    "Restaurangbiträde",
    "Frisör",
];
pub(super) const MAL_ARBETE: &[&str] = &[
    "Komma ut i arbete",
    "Få ett arbete inom vården",
    "Arbeta inom handeln",
    "Utbilda mig till undersköterska",
    "Få en fast anställning",
    "Starta eget företag på sikt",
    "Arbeta med barn",
    "Ta körkort och arbeta som chaufför",
    "Lära mig svenska och sedan arbeta",
];
pub(super) const RESURSER: &[&str] = &[
    "Motiverad att förändra sin situation",
    "Har gott stöd av familj och vänner",
    "Har erfarenhet från flera yrken",
    "Tycker om att träffa människor",
    "Har god struktur i vardagen",
];
pub(super) const GOALS: &[(&str, &[&str])] = &[
    (
        "boende",
        &["Få ett eget boende", "Behålla nuvarande bostad"],
    ),
    ("situationen_hemma", &["Få en lugnare situation hemma"]),
    (
        "socialt_natverk",
        &[
            "Träffa fler människor",
            "Delta i en social aktivitet varje vecka",
        ],
    ),
    (
        "kroppslig_halsa",
        &["Få hjälp med smärtan", "Komma i bättre fysisk form"],
    ),
    (
        "psykisk_halsa",
        &["Må bättre psykiskt", "Få stöd från psykiatrin"],
    ),
    (
        "funktionsnedsattning",
        &["Få en utredning av arbetsförmågan", "Få rätt anpassningar"],
    ),
    (
        "alkohol_droger",
        &["Minska alkoholkonsumtionen", "Påbörja behandling"],
    ),
    (
        "ovriga_beroenden",
        &["Sluta spela om pengar", "Få stöd för beroendet"],
    ),
    (
        "overgrepp_tvang",
        &["Känna sig trygg i vardagen", "Få stöd efter övergrepp"],
    ),
    ("utsatthet_brott", &["Känna sig trygg i området"]),
    ("rattslig_situation", &["Reda ut den rättsliga situationen"]),
    (
        "skulder",
        &["Få en överblick över skulderna", "Ansöka om skuldsanering"],
    ),
    ("narstaendes_problem", &["Få stöd som anhörig"]),
    ("barnens_situation", &["Barnen ska få det stöd de behöver"]),
    (
        "arbete",
        &[
            "Komma ut i arbete",
            "Påbörja en arbetspraktik",
            "Börja studera på komvux",
        ],
    ),
    ("", &["Komma närmare arbetsmarknaden"]),
];
pub(super) const DELMAL: &[&str] = &[
    "Boka ett möte med handläggaren",
    "Ta kontakt med vårdcentralen",
    "Skriva ett CV",
    "Besöka arbetsförmedlingen",
    "Delta i ett informationsmöte",
    "Kontakta budget- och skuldrådgivningen",
    "Anmäla sig till en kurs",
    "Göra ett studiebesök",
    "Söka tre jobb i veckan",
];
pub(super) const CLIENT_COMMENTS: &[&str] = &[
    "Bra samtal men lite långt",
    "Några frågor var svåra att förstå",
    "Kändes bra att få berätta",
];
pub(super) const CASEWORKER_COMMENTS: &[&str] = &[
    "Gav en tydligare bild av klientens behov",
    "Intervjun tog lång tid",
    "Klienten var engagerad",
];
