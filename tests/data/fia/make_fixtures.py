#!/usr/bin/env python3
"""Writes the FIA fixtures in this folder. Each invalid document is a copy of the complete valid
document with one deliberate defect, and its expected findings are written here by hand (not
produced by bistand), so the fixture test checks the validator against an independent statement
of what it must find. Run from this folder: python3 make_fixtures.py"""
import json, os, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fixtures import FIA_AREAS as AREAS, Cases, repeat_key, write  # noqa: E402
AFFECTED = {"skulder": ("i_stor_omfattning", "mycket_stort", "ja", "ja"),
            "psykisk_halsa": ("i_viss_omfattning", "mattligt", "ja", "ja"),
            "socialt_natverk": ("i_viss_omfattning", "litet", "nej", "vet_ej")}

answers = {"bakgrund.har_barn": False}
for area in AREAS:
    if area == "barnens_situation":
        continue  # not enabled: the client has no children
    if area in AFFECTED:
        ext, rating, work, help_ = AFFECTED[area]
        answers.update({f"{area}.omfattning": ext, f"{area}.problem_klient": rating,
                        f"{area}.paverkar_arbete": work, f"{area}.vill_ha_hjalp": help_})
    else:
        answers[f"{area}.omfattning"] = "inte_alls"
answers["skulder.kommentar"] = "Skulder hos Kronofogden sedan flera år, vill göra en plan."
answers.update({
    "arbete.har_arbetat": True, "arbete.senaste_arbete_ar": 2021, "arbete.arbetslivserfarenhet_ar": 6,
    "arbete.yrke": "Lagerarbetare", "arbete.utbildning": "gymnasium", "arbete.utbildning_utomlands": False,
    "arbete.svenska_sprakkunskaper": "modersmal", "arbete.tydlig_bild_framtid": "vet_ej",
    "arbete.mal_arbete": "Arbeta inom logistik igen", "arbete.svart_soka_arbete": "vissa_steg",
    "arbete.onskade_insatser": ["arbetspraktik", "utbildning"], "arbete.syn_pa_krav": "rimliga",
    "bedomning.kategori": "bade_socialt_och_arbete",
    "bedomning.motivering": "Skuldsituationen och den psykiska hälsan behöver stöd parallellt med arbetsinriktade insatser.",
    "sammanstallning.rangordning": ["skulder", "arbete", "psykisk_halsa"],
    "genomforandeplan.mal": [
        {"mal": "Få ordning på skulderna", "omrade": "skulder",
         "delmal": [{"beskrivning": "Boka tid hos budget- och skuldrådgivare"}],
         "insatser": ["skuldradgivning"], "ansvarig": "klient", "uppfoljningsdatum": "2026-12-07"},
        {"mal": "Arbetspraktik inom lager", "omrade": "arbete",
         "delmal": [{"beskrivning": "Möte med arbetsmarknadsenheten"}, {"beskrivning": "Starta praktik"}],
         "insatser": ["arbetspraktik"], "ansvarig": "handlaggare", "uppfoljningsdatum": "2027-01-11"},
    ],
    "genomforandeplan.nasta_uppfoljning": "2026-12-07",
    "enkat_klient.sociala_fragor_acceptabla": "i_hog_grad",
    "enkat_klient.battre_an_tidigare_samtal": "battre",
})
complete = {"instrument": "fia", "version": "1", "status": "complete",
            "interview_date": "2026-11-02", "answers": answers}

write("valid/complete.json", complete)
write("valid/complete.expected.json", [])

draft = {"instrument": "fia", "version": "1", "status": "draft",
         "answers": {"bakgrund.har_barn": True, "boende.omfattning": "inte_alls",
                     "barnens_situation.omfattning": "i_viss_omfattning"}}
draft_missing = [{"severity": "warning", "code": "required_missing", "path": "interview_date"}]
for area in AREAS:
    if area in ("boende",):
        continue
    if area == "barnens_situation":
        for q in ("problem_klient", "paverkar_arbete", "vill_ha_hjalp"):
            draft_missing.append({"severity": "warning", "code": "required_missing", "path": f"barnens_situation.{q}"})
        continue
    draft_missing.append({"severity": "warning", "code": "required_missing", "path": f"{area}.omfattning"})
for item in ("arbete.har_arbetat", "arbete.utbildning", "arbete.tydlig_bild_framtid", "arbete.syn_pa_krav", "bedomning.kategori"):
    draft_missing.append({"severity": "warning", "code": "required_missing", "path": item})
write("valid/draft.json", draft)
write("valid/draft.expected.json", draft_missing)

cases = Cases(complete)
case = cases.case

E, W = "error", "warning"
case("unknown_item", lambda a, d: a.update({"boende.omfatning": "inte_alls"}), [(E, "unknown_item", "boende.omfatning")])
case("duplicate_answer", lambda a, d: None, [(E, "duplicate_answer", "bedomning.kategori")])  # written by hand below
case("wrong_type", lambda a, d: a.update({"arbete.har_arbetat": "ja"}), [(E, "wrong_type", "arbete.har_arbetat")])
case("not_in_code_list", lambda a, d: a.update({"skulder.problem_klient": "enormt"}), [(E, "not_in_code_list", "skulder.problem_klient")])
case("out_of_bounds", lambda a, d: a.update({"arbete.arbetslivserfarenhet_ar": 75}), [(E, "out_of_bounds", "arbete.arbetslivserfarenhet_ar")])
case("invalid_date", lambda a, d: a.update({"genomforandeplan.nasta_uppfoljning": "2026-02-30"}), [(E, "invalid_date", "genomforandeplan.nasta_uppfoljning")])
case("duplicate_choice", lambda a, d: a.update({"arbete.onskade_insatser": ["arbetspraktik", "utbildning", "arbetspraktik"]}), [(E, "duplicate_choice", "arbete.onskade_insatser[2]")])
case("ranking_duplicate", lambda a, d: a.update({"sammanstallning.rangordning": ["skulder", "arbete", "skulder"]}), [(E, "ranking_duplicate", "sammanstallning.rangordning[2]")])
case("too_many_ranked", lambda a, d: a.update({"sammanstallning.rangordning": ["skulder", "arbete", "psykisk_halsa", "socialt_natverk", "boende", "kroppslig_halsa"]}),
     [(E, "too_many_ranked", "sammanstallning.rangordning")])
case("ranking_not_eligible", lambda a, d: a.update({"sammanstallning.rangordning": ["skulder", "boende"]}), [(E, "ranking_not_eligible", "sammanstallning.rangordning[1]")])
case("too_many_rows", lambda a, d: a.update({"genomforandeplan.mal": a["genomforandeplan.mal"] * 6}), [(E, "too_many_rows", "genomforandeplan.mal")])
case("text_too_long", lambda a, d: a.update({"arbete.yrke": "lagerarbete " * 20}), [(E, "text_too_long", "arbete.yrke")])
case("not_enabled", lambda a, d: a.update({"boende.problem_klient": "litet"}), [(E, "not_enabled", "boende.problem_klient")])
case("date_order", lambda a, d: a["genomforandeplan.mal"][1].update({"uppfoljningsdatum": "2026-10-15"}), [(E, "date_order", "genomforandeplan.mal[1].uppfoljningsdatum")])
case("required_missing", lambda a, d: a.pop("bedomning.kategori"), [(E, "required_missing", "bedomning.kategori")])
case("required_missing_in_row", lambda a, d: a["genomforandeplan.mal"][0].pop("ansvarig"), [(E, "required_missing", "genomforandeplan.mal[0].ansvarig")])
case("possible_identifier", lambda a, d: a.update({"bedomning.motivering": "Kontakt med klienten 811218-9876 om skulderna."}), [(W, "possible_identifier", "bedomning.motivering")])
case("hidden_item_present", lambda a, d: None, [(E, "hidden_item_present", "arbete.yrke")])  # with profile.json
case("wrong_type_row", lambda a, d: a["genomforandeplan.mal"].append("ett mål"), [(E, "wrong_type", "genomforandeplan.mal[2]")])
case("interview_date_invalid", lambda a, d: d.update({"interview_date": "2026-13-01"}), [(E, "invalid_date", "interview_date")])

# too_few_rows needs a group with min_rows and selection_count a multiple-choice item with a limit
# below its list's length; FIA v1 has neither (a plan may be empty, and a client may wish for every
# intervention), so those two codes are covered with ../test-instrument.json in
# core/tests/integration/fixtures.rs.
cases.write()

# duplicate_answer: JSON objects with a repeated key cannot come from json.dump, so splice it in.
repeat_key("invalid/duplicate_answer.json", '"bedomning.kategori": "bade_socialt_och_arbete",',
           '"bedomning.kategori": "socialt_stodbehov",')
write("invalid/profile.json", {"organisation": "Exempelkommun", "hidden_items": {"fia": ["arbete.yrke"]}})

# Documents bistand refuses outright, with the error kind expected.
malformed = {
    "not_json.json": (b'{"instrument": "fia", "version": "1",', "malformed_json"),
    "trailing_garbage.json": (json.dumps(complete).encode() + b" }", "malformed_json"),
    "not_an_object.json": (b'["fia", "1"]', "invalid_document"),
    "missing_status.json": (json.dumps({k: v for k, v in complete.items() if k != "status"}).encode(), "invalid_document"),
    "bad_status.json": (json.dumps({**complete, "status": "finished"}).encode(), "invalid_document"),
    "status_not_a_string.json": (json.dumps({**complete, "status": 1}).encode(), "invalid_document"),
    "unknown_field.json": (json.dumps({**complete, "klient": "Anna"}).encode(), "invalid_document"),
    "answers_not_object.json": (json.dumps({**complete, "answers": ["boende.omfattning"]}).encode(), "invalid_document"),
    "unknown_instrument.json": (json.dumps({**complete, "instrument": "asi"}).encode(), "unknown_instrument"),
    "unknown_version.json": (json.dumps({**complete, "version": "9"}).encode(), "unknown_version"),
    "invalid_utf8.json": (json.dumps(complete).encode().replace(b"Lagerarbetare", b"Lagerarb\xff\xfeare"), "invalid_utf8"),
    "too_deep.json": (json.dumps({**complete, "answers": {"arbete.yrke": "x", "bedomning.motivering": None}}).encode()
                      .replace(b'"x"', b"[" * 40 + b"1" + b"]" * 40), "too_deep"),
    "far_too_deep.json": (json.dumps(complete).encode().replace(b'"gymnasium"', b"[" * 5000 + b"]" * 5000), "too_deep"),
}
for name, (data, kind) in malformed.items():
    open(f"malformed/{name}", "wb").write(data)
write("malformed/expected.json", {name: kind for name, (_, kind) in malformed.items()})
