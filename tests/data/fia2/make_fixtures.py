#!/usr/bin/env python3
"""Writes the FIA version 2 fixtures in this folder, as ../fia/make_fixtures.py does for version 1:
each invalid document is a copy of the complete valid document with one deliberate defect, and its
expected findings are written here by hand (not produced by bistand). Run from this folder:
python3 make_fixtures.py"""
import os, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fixtures import FIA_AREAS as AREAS, Cases, findings, repeat_key, write  # noqa: E402
answers = {"intervju.samtycke": "accepterad", "intervju.langd_minuter": 95,
           "bakgrund.har_barn": False, "bakgrund.pagaende_insatser": True,
           "bakgrund.pagaende_insatser_vilka": ["skuldradgivning"]}
for area in AREAS:
    if area == "barnens_situation":
        continue  # not enabled: the client has no children
    answers[f"{area}.omfattning"] = "inte_alls"
answers.update({
    "boende.bor_hos_foraldrar": False,
    "kroppslig_halsa.skattad_halsa": "bra", "psykisk_halsa.skattad_halsa": "dalig",
    "psykisk_halsa.omfattning": "i_viss_omfattning", "psykisk_halsa.problem_klient": "mattligt",
    "funktionsnedsattning.omfattning": "osaker", "funktionsnedsattning.problem_klient": "litet",
    "alkohol_droger.alkohol": "inte_alls", "alkohol_droger.droger": "inte_alls",
    "overgrepp_tvang.fysiskt_vald": "tidigare", "overgrepp_tvang.psykiskt_vald": "aldrig",
    "overgrepp_tvang.sexuellt_vald": "aldrig",
    "skulder.omfattning": "i_stor_omfattning", "skulder.problem_klient": "mycket_stort",
    "skulder.betalningsanmarkning": True, "skulder.omojliga_att_betala": False,
    "skulder.paverkar_arbete": "ja", "skulder.vill_ha_hjalp": "ja",
    "skulder.kommentar": "Skulder hos Kronofogden sedan flera år, vill göra en plan i Söder.",
    "arbete.har_arbetat": True, "arbete.senaste_arbete_ar": 2021, "arbete.arbetslivserfarenhet_ar": 6,
    "arbete.yrke": "Lagerarbetare", "arbete.utbildning": "gymnasium",
    "arbete.tydlig_bild_framtid": "vet_ej", "arbete.onskade_insatser": ["arbetspraktik", "utbildning"],
    "arbete.syn_pa_krav": "rimliga",
    "bedomning.kategori": "socialt_stodbehov",
    "sammanstallning.rangordning": ["skulder", "psykisk_halsa"],
    "genomforandeplan.mal": [
        {"mal": "Få ordning på skulderna", "omrade": "skulder",
         "delmal": [{"beskrivning": "Boka tid hos budget- och skuldrådgivare"}],
         "insatser": ["skuldradgivning"], "ansvarig": "klient", "uppfoljningsdatum": "2026-12-07"},
        {"mal": "Må bättre", "omrade": "psykisk_halsa", "ansvarig": "annan_aktor",
         "uppfoljningsdatum": "2027-01-11"},
    ],
    "genomforandeplan.nasta_uppfoljning": "2026-12-07",
    "enkat_klient.sociala_fragor_acceptabla": "i_hog_grad",
    "enkat_klient.fragor_som_saknas": True,
    "enkat_klient.fragor_som_saknas_vilka": "Om umgängesbarn",
    "enkat_klient.battre_an_tidigare_samtal": "mycket_battre",
    "enkat_handlaggare.klienten_accepterade": "i_hog_grad",
    "enkat_handlaggare.ny_kunskap": True,
    "enkat_handlaggare.ny_kunskap_vilken": "Klientens syn på skulderna",
})
complete = {"instrument": "fia", "version": "2", "status": "complete",
            "interview_date": "2026-11-02", "answers": answers}

write("valid/complete.json", complete)
write("valid/complete.expected.json", [])

# Consent declined: saved as a draft, everything the form requires is a warning.
draft = {"instrument": "fia", "version": "2", "status": "draft",
         "answers": {"intervju.samtycke": "avbojd"}}
W = "warning"
draft_missing = [(W, "required_missing", "interview_date"), (W, "required_missing", "bakgrund.har_barn")]
for area in AREAS:
    if area == "barnens_situation":
        continue  # enabled only when har_barn is true, and it is unanswered
    draft_missing.append((W, "required_missing", f"{area}.omfattning"))
    if area == "alkohol_droger":
        draft_missing += [(W, "required_missing", "alkohol_droger.alkohol"), (W, "required_missing", "alkohol_droger.droger")]
for item in ("arbete.har_arbetat", "arbete.utbildning", "arbete.tydlig_bild_framtid", "arbete.syn_pa_krav", "bedomning.kategori"):
    draft_missing.append((W, "required_missing", item))
write("valid/draft.json", draft)
write("valid/draft.expected.json", findings(draft_missing))

cases = Cases(complete)
case = cases.case

E = "error"
case("unknown_item", lambda a, d: a.update({"boende.omfatning": "inte_alls"}), [(E, "unknown_item", "boende.omfatning")])
case("duplicate_answer", lambda a, d: None, [(E, "duplicate_answer", "bedomning.kategori")])  # spliced below
case("wrong_type", lambda a, d: a.update({"skulder.betalningsanmarkning": "ja"}), [(E, "wrong_type", "skulder.betalningsanmarkning")])
case("not_in_code_list", lambda a, d: a.update({"funktionsnedsattning.omfattning": "kanske"}), [(E, "not_in_code_list", "funktionsnedsattning.omfattning")])
case("out_of_bounds", lambda a, d: a.update({"intervju.langd_minuter": 900}), [(E, "out_of_bounds", "intervju.langd_minuter")])
case("invalid_date", lambda a, d: a.update({"genomforandeplan.nasta_uppfoljning": "2026-02-30"}), [(E, "invalid_date", "genomforandeplan.nasta_uppfoljning")])
case("duplicate_choice", lambda a, d: a.update({"bakgrund.pagaende_insatser_vilka": ["skuldradgivning", "skuldradgivning"]}), [(E, "duplicate_choice", "bakgrund.pagaende_insatser_vilka[1]")])
case("ranking_duplicate", lambda a, d: a.update({"sammanstallning.rangordning": ["skulder", "psykisk_halsa", "skulder"]}), [(E, "ranking_duplicate", "sammanstallning.rangordning[2]")])
case("too_many_ranked", lambda a, d: a.update({"sammanstallning.rangordning": ["skulder", "arbete", "psykisk_halsa", "socialt_natverk", "boende", "kroppslig_halsa"]}),
     [(E, "too_many_ranked", "sammanstallning.rangordning")])
case("ranking_not_eligible", lambda a, d: a.update({"sammanstallning.rangordning": ["skulder", "boende"]}), [(E, "ranking_not_eligible", "sammanstallning.rangordning[1]")])
case("too_many_rows", lambda a, d: a.update({"genomforandeplan.mal": a["genomforandeplan.mal"] * 6}), [(E, "too_many_rows", "genomforandeplan.mal")])
case("text_too_long", lambda a, d: a.update({"enkat_klient.fragor_som_saknas_vilka": "umgängesbarn " * 100}), [(E, "text_too_long", "enkat_klient.fragor_som_saknas_vilka")])
# The problem rating is asked only of those affected; alcohol frequency only of those with alcohol problems.
case("not_enabled", lambda a, d: a.update({"boende.problem_klient": "litet", "alkohol_droger.alkohol_frekvens": "dagligen"}),
     [(E, "not_enabled", "boende.problem_klient"), (E, "not_enabled", "alkohol_droger.alkohol_frekvens")])
case("date_order", lambda a, d: a["genomforandeplan.mal"][1].update({"uppfoljningsdatum": "2026-10-15"}), [(E, "date_order", "genomforandeplan.mal[1].uppfoljningsdatum")])
case("required_missing", lambda a, d: (a.pop("intervju.samtycke"), a.pop("intervju.langd_minuter")), [(E, "required_missing", "intervju.samtycke")])
case("required_missing_in_row", lambda a, d: a["genomforandeplan.mal"][0].pop("ansvarig"), [(E, "required_missing", "genomforandeplan.mal[0].ansvarig")])
case("possible_identifier", lambda a, d: a.update({"enkat_handlaggare.ny_kunskap_vilken": "Ring klienten på 070-123 45 67 om skulderna."}), [("warning", "possible_identifier", "enkat_handlaggare.ny_kunskap_vilken")])
case("hidden_item_present", lambda a, d: None, [(E, "hidden_item_present", "arbete.yrke")])  # with ../fia/invalid/profile.json
case("interview_date_invalid", lambda a, d: d.update({"interview_date": "2026-13-01"}), [(E, "invalid_date", "interview_date")])
# too_few_rows and selection_count: FIA v2 has no group with min_rows and no multiple-choice limit
# below its list's length, as v1; the test instrument covers them.
cases.write()
repeat_key("invalid/duplicate_answer.json", '"bedomning.kategori": "socialt_stodbehov",',
           '"bedomning.kategori": "inget_stodbehov",')
