//! A linked fixture: persons with FIA and SUE records, units "Söder" and "Norr", whose tables are
//! written down by hand from the records below (not from the code under test).

use jiff::civil::date;
use serde_json::{Value, json};

use crate::Engine;
use crate::stats::{Dimension, ReportOptions, report_from_ndjson};

fn line(client: &str, document: &Value) -> String {
    json!({ "client_id": client, "document": document }).to_string()
}

fn sue(client: &str, gender: &str, start: &str, unit: &str) -> String {
    let answers = json!({ "bakgrund.aktualiseringsdatum": start, "bakgrund.kon": gender });
    let document = json!({ "instrument": "sue", "version": "1", "status": "draft",
        "unit": unit, "answers": answers });
    line(client, &document)
}

fn fia(client: &str, category: &str, interviewed: &str, unit: &str) -> String {
    fia_answering(client, category, interviewed, unit, &json!({}))
}

/// The answers of the further FIA tables of the `i`th person of a group: four kinds of person
/// in turn, so that each answer of a group is given by a quarter or a half of it.
fn further_answers(i: usize) -> Value {
    let kind = i % 4;
    let goals: Vec<Value> = (0..kind)
        .map(|g| json!({ "mal": format!("Mål {g}"), "omrade": "arbete" }))
        .collect();
    let pick = |answers: [&'static str; 4]| answers[kind];
    let ranking: [&[&str]; 4] = [
        &["boende", "skulder"],
        &["skulder"],
        &["kroppslig_halsa", "boende"],
        &["psykisk_halsa"],
    ];
    // An area is ranked only when the client has problems in it.
    let some = "i_viss_omfattning";
    json!({
        "boende.omfattning": some,
        "skulder.omfattning": some,
        "kroppslig_halsa.omfattning": some,
        "psykisk_halsa.omfattning": some,
        "arbete.tydlig_bild_framtid": pick(["ja", "ja", "nej", "vet_ej"]),
        "arbete.syn_pa_krav": pick(["rimliga", "for_laga", "for_hoga", "vet_ej"]),
        "sammanstallning.rangordning": ranking[kind],
        "genomforandeplan.mal": goals,
        "enkat_klient.sociala_fragor_acceptabla":
            pick(["i_hog_grad", "i_hog_grad", "i_viss_grad", "inte_alls"]),
        "enkat_klient.negativ_reaktion": kind == 0,
        "enkat_handlaggare.ny_kunskap": pick(["i_hog_grad", "i_viss_grad", "i_viss_grad", "inte_alls"]),
    })
}

fn fia_answering(
    client: &str,
    category: &str,
    interviewed: &str,
    unit: &str,
    further: &Value,
) -> String {
    let mut answers = json!({ "bedomning.kategori": category });
    for (item, value) in further.as_object().expect("answers") {
        answers[item] = value.clone();
    }
    let document = json!({ "instrument": "fia", "version": "1", "status": "draft",
        "interview_date": interviewed, "unit": unit, "answers": answers });
    line(client, &document)
}

/// The FIA overall assessment's categories, in order.
const CATEGORIES: [&str; 4] = [
    "inget_stodbehov",
    "socialt_stodbehov",
    "arbetsrelaterat_stodbehov",
    "bade_socialt_och_arbete",
];

/// Twenty women (unit Söder) and twenty men (Norr), each with a SUE record and a FIA, five of
/// each gender in each assessment category; `kvinna-0` also has an older SUE record as a man and
/// `kvinna-1` (social need) an older FIA with both needs. Twenty persons with a FIA and no SUE
/// record (five per category), five women with a SUE record and no FIA.
fn fixture() -> Vec<u8> {
    let mut lines = Vec::new();
    for i in 0..20 {
        let category = CATEGORIES[i % 4];
        let woman = format!("kvinna-{i}");
        lines.push(sue(&woman, "kvinna", "2026-03-01", "Söder"));
        let further = further_answers(i);
        lines.push(fia_answering(
            &woman,
            category,
            "2026-04-01",
            "Söder",
            &further,
        ));
        let man = format!("man-{i}");
        lines.push(sue(&man, "man", "2026-02-01", "Norr"));
        lines.push(fia_answering(
            &man,
            category,
            "2026-02-15",
            "Norr",
            &further,
        ));
        let only = format!("bara-fia-{i}");
        lines.push(fia_answering(
            &only,
            category,
            "2026-05-01",
            "Söder",
            &further,
        ));
    }
    // Older records of the same persons: the latest start and the latest interview count.
    lines.push(sue("kvinna-0", "man", "2025-01-01", "Norr"));
    lines.push(fia(
        "kvinna-1",
        "bade_socialt_och_arbete",
        "2025-06-01",
        "Söder",
    ));
    for i in 0..5 {
        lines.push(sue(
            &format!("bara-sue-{i}"),
            "kvinna",
            "2026-01-10",
            "Söder",
        ));
    }
    lines.join("\n").into_bytes()
}

fn report(instrument: &str) -> Value {
    report_over(instrument, &fixture())
}

fn report_over(instrument: &str, ndjson: &[u8]) -> Value {
    let engine = Engine::new().expect("engine");
    let options = ReportOptions {
        dimensions: vec![Dimension::Total, Dimension::Gender, Dimension::Assessment],
        exact: true,
        ..ReportOptions::default()
    };
    let report = report_from_ndjson(
        &engine,
        instrument,
        ndjson,
        date(2026, 11, 24),
        &options,
        None,
    )
    .expect("report");
    assert_eq!(report.unreadable_lines, 0);
    assert_eq!(report.documents_with_errors, 0);
    serde_json::to_value(&report.report).expect("JSON")
}

/// The shown (count, base) of `table`'s row `row` in column `category`.
fn cell(report: &Value, table: &str, row: &str, category: &str) -> (Option<u64>, Option<u64>) {
    let table = report["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["id"] == table)
        .unwrap_or_else(|| panic!("table {table}"));
    let column = table["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .position(|c| c["code"] == category)
        .unwrap_or_else(|| panic!("{category} in {}", table["id"]));
    let row = table["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["code"] == row)
        .unwrap_or_else(|| panic!("row {row} in {}", table["id"]));
    let cell = &row["cells"][column];
    (cell["count"].as_u64(), cell["base"].as_u64())
}

#[test]
fn fia_tables_break_down_by_the_background_of_the_same_persons_sue_record() {
    let report = report("fia");
    assert_eq!(report["records"], 61);
    assert_eq!(report["persons"], 60);
    let table = "fia_assessment.gender";
    // kvinna-0's latest SUE record says woman; kvinna-1's latest FIA says social need.
    for category in CATEGORIES {
        for gender in ["kvinna", "man"] {
            assert_eq!(cell(&report, table, gender, category), (Some(5), Some(20)));
        }
        // A FIA without a SUE record of the same person counts under "not recorded".
        assert_eq!(cell(&report, table, "okand", category), (Some(5), Some(20)));
    }
    let rows = &report["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["id"] == table)
        .expect("table")["rows"];
    let codes: Vec<&str> = rows
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["code"].as_str().expect("code"))
        .collect();
    assert_eq!(codes, ["kvinna", "man", "okand"]);
    assert_eq!(rows[2]["label"]["sv"], "Uppgift saknas", "labelled so");
    // The SUE records were read for their persons, not counted.
    let input = &report["provenance"]["input"];
    assert_eq!(input["read"], 107);
    assert_eq!(input["counted"], 61);
    assert_eq!(
        input["not_counted"],
        json!([{ "reason": "linked", "count": 46 }])
    );
}

#[test]
fn sue_tables_break_down_by_the_fia_assessment_and_standardise_to_it() {
    let report = report("sue");
    assert_eq!(report["records"], 46);
    assert_eq!(report["persons"], 45);
    let clients = |row: &str| cell(&report, "clients.fia_assessment", row, "klienter").0;
    // kvinna-1 under her latest interview (social), not the older one (both).
    for category in CATEGORIES {
        assert_eq!(clients(category), Some(10), "{category}");
    }
    assert_eq!(
        clients("okand"),
        Some(5),
        "SUE records of persons without a FIA"
    );
    // The needs profile is FIA's category where a FIA exists; the five without one have no need
    // recorded in SUE, so no support need.
    let profile = |code: &str| {
        cell(
            &report,
            "needs_profile",
            "total",
            &format!("klienter_{code}"),
        )
        .0
    };
    assert_eq!(profile("inget_stodbehov"), Some(15));
    for category in &CATEGORIES[1..] {
        assert_eq!(profile(category), Some(10), "{category}");
    }
    let input = &report["provenance"]["input"];
    assert_eq!(
        input["not_counted"],
        json!([{ "reason": "linked", "count": 61 }])
    );
}

/// Issue 15 point 5's new FIA tables over the fixture: in each group of twenty, five persons of
/// each kind of `further_answers`.
#[test]
fn the_work_section_ranking_goals_and_questionnaires_are_tabulated() {
    let report = report("fia");
    for gender in ["kvinna", "man", "okand"] {
        let future = |code| cell(&report, "fia_future_picture.gender", gender, code);
        assert_eq!(future("ja"), (Some(10), Some(20)), "{gender}");
        assert_eq!(future("nej"), (Some(5), Some(20)), "{gender}");
        assert_eq!(future("vet_ej"), (Some(5), Some(20)), "{gender}");
        let demands = |code| cell(&report, "fia_view_on_demands.gender", gender, code);
        for code in ["rimliga", "for_laga", "for_hoga", "vet_ej"] {
            assert_eq!(demands(code), (Some(5), Some(20)), "{gender} {code}");
        }
        let goals = |code| cell(&report, "fia_plan_goals.gender", gender, code);
        for code in ["inga_mal", "1_mal", "2_mal", "3_mal_eller_fler"] {
            assert_eq!(goals(code), (Some(5), Some(20)), "{gender} {code}");
        }
    }
    // The client's and the caseworker's questionnaires, each question among those answering.
    let client = |row| cell(&report, "fia_evaluation_client", row, "andel");
    assert_eq!(
        client("sociala_fragor_acceptabla.i_hog_grad"),
        (Some(30), Some(60))
    );
    assert_eq!(
        client("sociala_fragor_acceptabla.inte_alls"),
        (Some(15), Some(60))
    );
    assert_eq!(client("negativ_reaktion.ja"), (Some(15), Some(60)));
    let caseworker = |row| cell(&report, "fia_evaluation_caseworker", row, "andel");
    assert_eq!(caseworker("ny_kunskap.i_viss_grad"), (Some(30), Some(60)));
    assert_eq!(caseworker("ny_kunskap.i_hog_grad"), (Some(15), Some(60)));
}

/// The life area ranked first: 75 interviewed persons, five ranking each of FIA's 15 areas first
/// (an area is ranked only when the client has problems in it; work always may be).
#[test]
fn the_area_ranked_first_is_counted_per_area() {
    const AREAS: [&str; 15] = [
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
    let mut lines = Vec::new();
    for i in 0..75 {
        let (first, then) = (AREAS[i % 15], AREAS[(i + 1) % 15]);
        // The children's situation applies to parents only.
        let mut further =
            json!({ "sammanstallning.rangordning": [first, then], "bakgrund.har_barn": true });
        for area in [first, then].into_iter().filter(|a| *a != "arbete") {
            further[format!("{area}.omfattning")] = json!("i_stor_omfattning");
        }
        let client = format!("rangordnar-{i}");
        lines.push(fia_answering(
            &client,
            "socialt_stodbehov",
            "2026-06-01",
            "Söder",
            &further,
        ));
    }
    let report = report_over("fia", lines.join("\n").as_bytes());
    for area in AREAS {
        assert_eq!(
            cell(&report, "fia_ranked_first", "total", area),
            (Some(5), Some(75)),
            "{area}"
        );
    }
}
