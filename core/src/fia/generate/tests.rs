//! Tests of the FIA generator: determinism, validity, calibration and definition checks.

use super::*;
use crate::{Engine, FindingCode};

fn engine() -> Engine {
    Engine::new().expect("the shipped definitions compile")
}

fn fia(engine: &Engine) -> &Definition {
    engine
        .definition("fia", Some("1"))
        .expect("fia 1 is shipped")
}

/// Serialises with object keys sorted, whatever serde_json's map order is in this build.
fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for key in keys {
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical(&map[key], out);
                out.push(',');
            }
            out.push('}');
        }
        Value::Array(values) => {
            out.push('[');
            for value in values {
                canonical(value, out);
                out.push(',');
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn interview_window_is_the_documented_one() {
    assert_eq!((LAST_INTERVIEW - FIRST_INTERVIEW).get_days(), 668);
    let mut n = 0;
    let mut seen_first = false;
    let mut seen_last = false;
    let engine = engine();
    for document in FiaGenerator::new(fia(&engine), 3)
        .expect("fia 1")
        .take(5000)
    {
        let day = document["interview_date"].as_str().expect("a date string");
        assert!(("2025-01-01"..="2026-10-31").contains(&day), "{day}");
        seen_first |= day == "2025-01-01";
        seen_last |= day == "2026-10-31";
        n += 1;
    }
    assert_eq!(n, 5000);
    assert!(seen_first && seen_last);
}

#[test]
fn same_seed_same_documents() {
    let engine = engine();
    let definition = fia(&engine);
    let a = fia_documents(definition, 42, 200).expect("fia 1");
    let b: Vec<Value> = FiaGenerator::new(definition, 42)
        .expect("fia 1")
        .take(200)
        .collect();
    assert_eq!(a, b);
    let c = fia_documents(definition, 43, 200).expect("fia 1");
    assert_ne!(a, c);
    // Pins the exact sequence, so that a change of platform, dependency version or code that
    // alters document i of seed s is noticed. Update the constant only on purpose.
    let mut text = String::new();
    for document in &a {
        canonical(document, &mut text);
    }
    assert_eq!(fnv1a(text.as_bytes()), GOLDEN_SEED_42);
}

// Changed on purpose in issue 15: any violence now at 50 % (the union of its kinds).
const GOLDEN_SEED_42: u64 = 10_127_921_594_375_345_688;

#[test]
fn free_texts_hold_no_digits() {
    let goals = GOALS.iter().flat_map(|(_, phrases)| phrases.iter());
    let motivations = Need::ALL.iter().flat_map(|need| need.motivation().iter());
    let all = [
        AREA_COMMENTS,
        YRKEN,
        MAL_ARBETE,
        RESURSER,
        DELMAL,
        CLIENT_COMMENTS,
        CASEWORKER_COMMENTS,
    ];
    for phrase in all
        .iter()
        .flat_map(|list| list.iter())
        .chain(goals)
        .chain(motivations)
    {
        assert!(
            !phrase.bytes().any(|b| b.is_ascii_digit() || b == b'@'),
            "{phrase}"
        );
    }
}

#[test]
fn documents_have_the_envelope() {
    let engine = engine();
    let document = &fia_documents(fia(&engine), 1, 1).expect("fia 1")[0];
    assert_eq!(document["instrument"], "fia");
    assert_eq!(document["version"], "1");
    assert_eq!(document["status"], "complete");
    assert!(document["answers"].is_object());
}

#[test]
fn generated_documents_are_valid() {
    let engine = engine();
    for (i, document) in FiaGenerator::new(fia(&engine), 2024)
        .expect("fia 1")
        .take(2000)
        .enumerate()
    {
        let bytes = serde_json::to_vec(&document).expect("a JSON value serialises");
        let report = engine.validate(Some("fia"), &bytes).expect("a document");
        assert_eq!(report.errors, 0, "document {i}: {:?}", report.findings);
        assert!(
            report
                .findings
                .iter()
                .all(|f| f.code != FindingCode::PossibleIdentifier),
            "document {i}: {:?}",
            report.findings
        );
    }
}

#[test]
fn plans_rankings_and_dates_have_the_intended_shape() {
    let engine = engine();
    let affected = |answers: &Value, area: &str| {
        answers[format!("{area}.omfattning")]
            .as_str()
            .is_some_and(|c| AFFECTED.contains(&c))
    };
    for document in FiaGenerator::new(fia(&engine), 5)
        .expect("fia 1")
        .take(1000)
    {
        let answers = &document["answers"];
        let interview: Date = document["interview_date"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .expect("a date");
        let ranking = answers["sammanstallning.rangordning"]
            .as_array()
            .expect("always ranked");
        assert!((1..=3).contains(&ranking.len()));
        for subject in ranking {
            let subject = subject.as_str().expect("a code");
            assert!(
                subject == "arbete" || affected(answers, subject),
                "{subject}"
            );
        }
        let goals = answers["genomforandeplan.mal"].as_array().expect("a plan");
        assert!((1..=3).contains(&goals.len()));
        let mut earliest = None;
        for goal in goals {
            let delmal = goal.get("delmal").and_then(Value::as_array);
            assert!(delmal.is_none_or(|d| (1..=2).contains(&d.len())));
            let follow_up: Date = goal["uppfoljningsdatum"]
                .as_str()
                .and_then(|d| d.parse().ok())
                .expect("a date");
            let days = (follow_up - interview).get_days();
            assert!((14..=120).contains(&days), "{days}");
            earliest = Some(earliest.map_or(follow_up, |e: Date| e.min(follow_up)));
        }
        let next: Date = answers["genomforandeplan.nasta_uppfoljning"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .expect("a date");
        assert_eq!(Some(next), earliest);
        let parent = answers["bakgrund.har_barn"].as_bool().expect("answered");
        assert_eq!(
            parent,
            answers.get("barnens_situation.omfattning").is_some()
        );
    }
}

#[test]
fn a_definition_not_shaped_like_fia_is_refused() {
    let other = Definition::from_json(
        r#"{"instrument": "demo", "version": "1",
            "title": {"sv": "Demo", "en": "Demo"},
            "description": {"sv": "Demo", "en": "Demo"},
            "sections": [{"id": "bakgrund", "label": {"sv": "B", "en": "B"}, "items": [
                {"id": "bakgrund.har_barn", "kind": "boolean", "label": {"sv": "B", "en": "B"}}
            ]}]}"#,
    )
    .expect("a valid definition");
    let error = FiaGenerator::new(&other, 1).expect_err("not fia");
    assert_eq!(error.kind(), ErrorKind::InvalidDefinition);
    assert!(
        error.to_string().contains("`arbete.har_arbetat`"),
        "{error}"
    );

    // FIA with one more required item the generator cannot know about.
    let engine = engine();
    let mut json: Value =
        serde_json::from_str(fia(&engine).source_json()).expect("the source is JSON");
    json["version"] = "99".into();
    json["sections"][0]["items"]
        .as_array_mut()
        .expect("items")
        .push(serde_json::json!({
            "id": "bakgrund.ny_fraga", "kind": "boolean", "required": true,
            "label": {"sv": "Ny", "en": "New"}
        }));
    let extended = Definition::from_json(&json.to_string()).expect("a valid definition");
    let error = FiaGenerator::new(&extended, 1).expect_err("unknown required item");
    assert_eq!(error.kind(), ErrorKind::InvalidDefinition);
    assert!(error.to_string().contains("`bakgrund.ny_fraga`"), "{error}");
}

/// Counts over 20,000 documents of one seed, against the targets restated from the domain
/// notes (b). Run with `--nocapture` to see the table.
#[test]
fn shares_match_the_fia_calibration() {
    const N: usize = 20_000;
    const TOLERANCE: f64 = 1.5;
    let engine = engine();
    let documents = fia_documents(fia(&engine), 20_250_101, N).expect("fia 1");
    let answers: Vec<&Value> = documents.iter().map(|d| &d["answers"]).collect();
    let mut failures = Vec::new();
    let mut check = |name: String, hits: usize, base: usize, target: f64| {
        let measured = 100.0 * hits as f64 / base as f64;
        println!("{name:<45} {measured:6.2} % (target {target:4.1}, n = {base})");
        if (measured - target).abs() > TOLERANCE {
            failures.push(name);
        }
    };
    let is = |a: &Value, id: &str, codes: &[&str]| {
        a.get(id)
            .and_then(Value::as_str)
            .is_some_and(|c| codes.contains(&c))
    };

    let parents = answers
        .iter()
        .filter(|a| a["bakgrund.har_barn"] == true)
        .count();
    check("bakgrund.har_barn".into(), parents, N, 35.0);

    let areas: &[(&str, f64, f64)] = &[
        ("boende", 16.0, 56.0),
        ("situationen_hemma", 42.0, 50.0),
        ("socialt_natverk", 42.0, 50.0),
        ("kroppslig_halsa", 54.0, 71.0),
        ("psykisk_halsa", 47.0, 75.0),
        ("funktionsnedsattning", 29.0, 76.0),
        ("alkohol_droger", 5.0, 30.0),
        ("ovriga_beroenden", 24.0, 43.0),
        // Any violence: the union of fysiskt 37, psykiskt 48 and sexuellt 13 is at least 48.
        ("overgrepp_tvang", 50.0, 50.0),
        ("utsatthet_brott", 13.0, 50.0),
        ("rattslig_situation", 27.0, 22.0),
        ("skulder", 70.0, 74.0),
        ("narstaendes_problem", 33.0, 76.0),
        ("barnens_situation", 20.0, 50.0),
    ];
    for &(area, affected_target, large_target) in areas {
        let omfattning = format!("{area}.omfattning");
        let asked = answers.iter().filter(|a| a.get(&omfattning).is_some());
        let base = asked.clone().count();
        let affected: Vec<&&Value> = asked
            .filter(|a| is(a, &omfattning, &["i_stor_omfattning", "i_viss_omfattning"]))
            .collect();
        check(omfattning, affected.len(), base, affected_target);
        let problem = format!("{area}.problem_klient");
        let large = affected
            .iter()
            .filter(|a| is(a, &problem, &["mycket_stort", "stort", "mattligt"]))
            .count();
        check(
            format!("{problem} (of affected)"),
            large,
            affected.len(),
            large_target,
        );
    }
    assert_eq!(
        answers
            .iter()
            .filter(|a| a.get("barnens_situation.omfattning").is_some())
            .count(),
        parents
    );

    for (code, target) in [
        ("inget_stodbehov", 31.0),
        ("socialt_stodbehov", 23.0),
        ("arbetsrelaterat_stodbehov", 17.0),
        ("bade_socialt_och_arbete", 29.0),
    ] {
        let hits = answers
            .iter()
            .filter(|a| is(a, "bedomning.kategori", &[code]))
            .count();
        check(format!("bedomning.kategori = {code}"), hits, N, target);
    }
    for (code, target) in [
        ("arbetspraktik", 64.0),
        ("utbildning", 52.0),
        ("jobbaktivitet", 25.0),
        ("sociala_aktiviteter", 21.0),
    ] {
        let hits = answers
            .iter()
            .filter(|a| {
                a.get("arbete.onskade_insatser")
                    .and_then(Value::as_array)
                    .is_some_and(|s| s.iter().any(|c| c == code))
            })
            .count();
        check(format!("arbete.onskade_insatser ∋ {code}"), hits, N, target);
    }
    for (code, target) in [
        ("for_hoga", 10.0),
        ("for_laga", 7.0),
        ("rimliga", 81.0),
        ("vet_ej", 2.0),
    ] {
        let hits = answers
            .iter()
            .filter(|a| is(a, "arbete.syn_pa_krav", &[code]))
            .count();
        check(format!("arbete.syn_pa_krav = {code}"), hits, N, target);
    }
    let clear = answers
        .iter()
        .filter(|a| is(a, "arbete.tydlig_bild_framtid", &["ja"]))
        .count();
    check("arbete.tydlig_bild_framtid = ja".into(), clear, N, 16.0);
    let evaluated = answers
        .iter()
        .filter(|a| {
            a.as_object()
                .is_some_and(|m| m.keys().any(|k| k.starts_with("enkat_")))
        })
        .count();
    check("evaluation questionnaires".into(), evaluated, N, 60.0);

    // The assessment follows the number of affected areas.
    let omfattning: Vec<String> = areas
        .iter()
        .map(|(area, ..)| format!("{area}.omfattning"))
        .collect();
    let mean_affected = |codes: &[&str]| {
        let chosen: Vec<usize> = answers
            .iter()
            .filter(|a| is(a, "bedomning.kategori", codes))
            .map(|a| {
                omfattning
                    .iter()
                    .filter(|id| is(a, id, &["i_stor_omfattning", "i_viss_omfattning"]))
                    .count()
            })
            .collect();
        chosen.iter().sum::<usize>() as f64 / chosen.len() as f64
    };
    let social = mean_affected(&["socialt_stodbehov", "bade_socialt_och_arbete"]);
    let not_social = mean_affected(&["inget_stodbehov", "arbetsrelaterat_stodbehov"]);
    println!("mean affected areas: social need {social:.2}, no social need {not_social:.2}");
    assert!(social > not_social + 1.0, "{social} vs {not_social}");

    assert!(failures.is_empty(), "off target: {failures:?}");
}
