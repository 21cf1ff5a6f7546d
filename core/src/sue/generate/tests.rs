//! Tests of the SUE generator: determinism, validity and calibration.

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
    let work = models.register_work.expand(&cells, &[0, 1 << 30]);
    close(
        share(&work, &|m| m & (1 << 30) != 0),
        crate::seed_figures::REGISTER_WORK,
        "register work",
    );
    let assistance = models.register_assistance.expand(&cells, &[0, 1 << 30]);
    close(
        share(&assistance, &|m| m & (1 << 30) != 0),
        crate::seed_figures::REGISTER_ASSISTANCE,
        "register assistance",
    );
    // Sanctions: commoner in resursaktivering only than in jobbaktivering only.
    let sanctioned = |mix: Mask| {
        let group: Vec<(Mask, f64)> = cells
            .iter()
            .copied()
            .filter(|(m, _)| m & (JOBB_BIT | RESURS_BIT) == mix)
            .collect();
        share(&group, &|m| m & SANK != 0)
    };
    assert!(sanctioned(RESURS_BIT) > 1.2 * sanctioned(JOBB_BIT));
    // Needs: each area shared with FIA at the FIA trial's share, among those it is asked of.
    let background = background_cells(&generator.groups);
    for (area, code) in OMRADE.iter().enumerate() {
        let Some(target) = crate::seed_figures::affected_share(code) else {
            continue;
        };
        let population = need_population(code);
        let asked: Vec<(Mask, f64)> = background
            .iter()
            .copied()
            .filter(|(m, _)| m & population == population)
            .collect();
        let total: f64 = asked.iter().map(|c| c.1).sum();
        let expected: f64 = asked
            .iter()
            .map(|&(m, w)| w * models.needs.probability(area, m))
            .sum::<f64>()
            / total;
        close(expected, target, code);
        for &(m, _) in &asked {
            let p = models.needs.probability(area, m);
            assert!((0.0..=1.0).contains(&p), "{code}: {p} for {m:b}");
        }
    }
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
    let mut needs_by_area: BTreeMap<&str, Share> = BTreeMap::new();
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
        // Long-term by the national measure: 10–12 months of a calendar year.
        s.entry("long-term")
            .or_default()
            .add(number("bakgrund.manader_kalenderar") >= 10);
        let needs: Vec<&str> = a["fore_insats.problem"]
            .as_array()
            .map(|rows| rows.iter().filter_map(|r| r["omrade"].as_str()).collect())
            .unwrap_or_default();
        let parent = text("bakgrund.hushallstyp").ends_with("med_barn");
        for &(area, _) in &crate::seed_figures::LIFE_AREAS_AFFECTED {
            if area != "barnens_situation" || parent {
                needs_by_area
                    .entry(area)
                    .or_default()
                    .add(needs.contains(&area));
            }
        }
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
        if jobb != resurs {
            let key = if resurs {
                "sanktion | resurs only"
            } else {
                "sanktion | jobb only"
            };
            s.entry(key).or_default().add(sanktion);
        }
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
            // Register outcomes: every complete record, with or without an intervention.
            let work = a["registeruppfoljning.arbete"] == true;
            let assistance = a["registeruppfoljning.bistand"] == true;
            s.entry("register work").or_default().add(work);
            s.entry("register assistance").or_default().add(assistance);
            s.entry("register work and assistance")
                .or_default()
                .add(work && assistance);
            if kinds.is_empty() {
                s.entry("register work | no intervention")
                    .or_default()
                    .add(work);
            }
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
        ("register work", crate::seed_figures::REGISTER_WORK),
        (
            "register assistance",
            crate::seed_figures::REGISTER_ASSISTANCE,
        ),
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
    // Seed study, in bold: sanctions more common in resursaktivering than in jobbaktivering.
    assert!(
        share("sanktion | resurs only") > share("sanktion | jobb only") + 0.03,
        "sanktion: resurs only {} vs jobb only {}",
        share("sanktion | resurs only"),
        share("sanktion | jobb only")
    );
    // Register outcomes are not exclusive and not only of the activated.
    assert!(share("register work and assistance") > 0.01);
    assert!(share("register work | no intervention") > 0.05);
    // Needs agree with the FIA trial (the FIA generator's targets too); any violence, the union
    // of its kinds, at least 48 %. The sample share is of the records with needs recorded.
    for (area, v) in &needs_by_area {
        let measured = v.value() / NEEDS_RECORDED;
        let target = crate::seed_figures::affected_share(area).expect("a shared area");
        println!(
            "need {area:>22}: {:6.2} % (target {target})",
            100.0 * measured
        );
        assert!(
            (measured - target).abs() <= 0.02,
            "need {area}: measured {measured:.4}, target {target}"
        );
    }
    assert!(needs_by_area["overgrepp_tvang"].value() / NEEDS_RECORDED >= 0.48 - 0.01);
    assert!(share("continued | sanktion") > share("continued | no sanktion"));
}

#[test]
fn version_2_documents_match_the_seed_studys_named_obstacles() {
    // Sampling noise at N = 20 000: under 0.35 percentage points for a share of all documents,
    // against a tolerance of 1.5 (2 for a need, a share of the 85 % with needs recorded).
    const N: usize = 20_000;
    let engine = engine();
    let v2 = engine
        .definition("sue", Some("2"))
        .expect("SUE version 2 is built in");
    let generator = SueGenerator::new(v2, 1).expect("generator");
    assert!(generator.extended);
    // In expectation, exactly the seed study's figures over the background distribution.
    let cells = background_cells(&generator.groups);
    let total: f64 = cells.iter().map(|c| c.1).sum();
    let needs = &generator.models.needs;
    for (i, (_, key)) in OBSTACLE_ITEMS.iter().enumerate() {
        let expected: f64 = cells
            .iter()
            .map(|&(m, w)| w * needs.obstacle_probability(i, m))
            .sum::<f64>()
            / total;
        let target = crate::seed_figures::obstacle_share(key).expect("named");
        assert!((expected - target).abs() < 1e-9, "{key}: {expected}");
    }
    let education = OMRADE.len() - 1;
    assert_eq!(OMRADE[education], "utbildning");
    let expected: f64 = cells
        .iter()
        .map(|&(m, w)| w * needs.probability(education, m))
        .sum::<f64>()
        / total;
    assert!((expected - 0.46).abs() < 1e-9, "utbildning: {expected}");
    for &(m, _) in &cells {
        for p in [
            needs.probability(education, m),
            needs.obstacle_probability(0, m),
            needs.obstacle_probability(1, m),
        ] {
            assert!((0.0..=1.0).contains(&p), "{p} for {m:b}");
        }
    }

    // In a large sample, each figure; every document valid.
    let (mut work, mut language, mut education_need) =
        (Share::default(), Share::default(), Share::default());
    let (mut language_swedish, mut language_abroad) = (Share::default(), Share::default());
    for (i, document) in sue_documents(v2, 2027, N)
        .expect("generates")
        .iter()
        .enumerate()
    {
        if i < 2_000 {
            let bytes = serde_json::to_vec(document).expect("serialises");
            let report = engine.validate(Some("sue"), &bytes).expect("parses");
            assert_eq!(report.errors, 0, "{:?}", report.findings);
            assert_eq!(report.version, "2");
        }
        let a = &document["answers"];
        work.add(a["bakgrund.arbetslivserfarenhet"] == "brist");
        let lack = a["bakgrund.svenskkunskaper"] == "brist";
        language.add(lack);
        if a["bakgrund.fodelseland"] == "sverige" {
            language_swedish.add(lack);
        } else {
            language_abroad.add(lack);
        }
        education_need.add(
            a["fore_insats.problem"]
                .as_array()
                .is_some_and(|rows| rows.iter().any(|r| r["omrade"] == "utbildning")),
        );
    }
    let work = work.value();
    let language = language.value();
    let education_need = education_need.value() / NEEDS_RECORDED;
    println!(
        "lack of work experience {work:.4}, of Swedish {language:.4}, of education {education_need:.4}"
    );
    assert!((work - 0.38).abs() <= 0.015, "work experience {work}");
    assert!((language - 0.20).abs() <= 0.015, "Swedish {language}");
    assert!(
        (education_need - 0.46).abs() <= 0.02,
        "education {education_need}"
    );
    // Lack of Swedish is (by assumption) rare among the Swedish-born.
    assert!(language_abroad.value() > 5.0 * language_swedish.value());
}

#[test]
fn version_1_documents_have_none_of_version_2s_additions() {
    let engine = engine();
    let generator = SueGenerator::new(sue(&engine), 3).expect("generator");
    assert!(!generator.extended);
    for document in generator.take(500) {
        let a = &document["answers"];
        assert!(a.get("bakgrund.arbetslivserfarenhet").is_none());
        assert!(a.get("bakgrund.svenskkunskaper").is_none());
        let rows = a["fore_insats.problem"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(rows.iter().all(|r| r["omrade"] != "utbildning"));
    }
}
