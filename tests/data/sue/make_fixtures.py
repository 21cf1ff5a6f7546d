#!/usr/bin/env python3
"""Writes the SUE fixtures in this folder, and the report fixture's expected figures.

Each invalid document is the complete valid record with one deliberate defect; its expected
findings are written by hand here, not produced by bistand. The report fixture's records follow
simple arithmetic patterns, and its expected counts, shares and Wilson intervals are computed below
with plain Python from those records, independently of bistand.
Run from this folder: python3 make_fixtures.py"""
import copy, datetime, json, math, os, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fixtures import Cases, write  # noqa: E402

complete = {
    "instrument": "sue", "version": "1", "status": "complete", "interview_date": "2026-06-30",
    "unit": "Norr",
    "answers": {
        "bakgrund.aktualiseringsdatum": "2025-09-01", "bakgrund.kon": "kvinna", "bakgrund.fodelsear": 1990,
        "bakgrund.fodelseland": "utanfor_europa", "bakgrund.ar_i_sverige": 7,
        "bakgrund.hushallstyp": "ensamstaende_kvinna_med_barn", "bakgrund.antal_barn": 2,
        "bakgrund.utbildning": "gymnasium", "bakgrund.forsorjningshinder": "arbetslos",
        "bakgrund.manader_senaste_ar": 11, "bakgrund.manader_senaste_3ar": 30,
        "fore_insats.problem": [{"omrade": "arbete", "omfattning": "i_stor_omfattning"},
                                {"omrade": "skulder", "omfattning": "i_viss_omfattning"}],
        "fore_insats.metod": "fia", "fore_insats.mal_satta": True, "fore_insats.antal_mal": 2,
        "insatser.insats": [
            {"typ": "sfi", "startdatum": "2025-09-15", "slutdatum": "2026-02-28", "intensitet_timmar": 15, "utforare": "kommunal_arbetsmarknadsenhet"},
            {"typ": "undantag", "startdatum": "2025-09-15", "undantag_skal": "foraldraskap"},
        ],
        "under_insats.narvaro": "hog", "under_insats.avbrott": False,
        "efter_insats.datum": "2026-03-15", "efter_insats.utfall": "studier",
        "efter_insats.forandring": [{"omrade": "arbete", "forandring": "battre"}, {"omrade": "skulder", "forandring": "oforandrad"}],
        "efter_insats.maluppfyllelse": "delvis",
        "brukaruppfoljning.nojdhet": "ganska_nojd", "brukaruppfoljning.inflytande": "i_viss_grad",
        "brukaruppfoljning.respekt": "i_hog_grad", "brukaruppfoljning.hjalpt": "delvis",
        "avslutning.datum": "2026-04-30", "avslutning.orsak": "studier",
    },
}

write("valid/complete.json", complete)
write("valid/complete.expected.json", [])

# A record started today: background done and declared complete, the rest not yet.
draft = {"instrument": "sue", "version": "1", "status": "draft", "interview_date": "2026-11-02",
         "unit": "Intag", "completed_sections": ["bakgrund"],
         "answers": {k: v for k, v in complete["answers"].items() if k.startswith("bakgrund.")}}
draft["answers"]["bakgrund.aktualiseringsdatum"] = "2026-11-02"
write("valid/draft.json", draft)
write("valid/draft.expected.json", [{"severity": "warning", "code": "required_missing", "path": "fore_insats.mal_satta"}])

E = "error"
cases = Cases(complete)
def case(name, mutate, expected):
    cases.case(name, lambda answers, _doc: mutate(answers), expected)

def intervention_ends_before_start(a):
    a["insatser.insats"][0]["slutdatum"] = "2025-09-01"
case("intervention_ends_before_start", intervention_ends_before_start, [(E, "date_order", "insatser.insats[0].slutdatum")])
def intervention_ends_after_closure(a):
    a["insatser.insats"][0]["slutdatum"] = "2026-05-31"
case("intervention_ends_after_closure", intervention_ends_after_closure, [(E, "date_order", "insatser.insats[0].slutdatum")])
def intervention_before_case(a):
    a["insatser.insats"][1]["startdatum"] = "2025-08-01"
case("intervention_before_case", intervention_before_case, [(E, "date_order", "insatser.insats[1].startdatum")])
def outcome_without_intervention(a):
    for k in ("insatser.insats", "under_insats.narvaro", "under_insats.avbrott", "efter_insats.datum",
              "efter_insats.forandring", "efter_insats.maluppfyllelse"):
        a.pop(k)
case("outcome_without_intervention", outcome_without_intervention, [(E, "not_enabled", "efter_insats.utfall")])
def reopened_without_closure(a):
    a.pop("avslutning.datum"); a.pop("avslutning.orsak")
    a["ateraktualisering.datum"] = "2026-06-01"; a["ateraktualisering.orsak"] = "arbetsloshet"
# Only the root cause is reported: the reason applies once a re-opening date is given.
case("reopened_without_closure", reopened_without_closure, [(E, "not_enabled", "ateraktualisering.datum")])
def reopened_before_closure(a):
    a["ateraktualisering.datum"] = "2026-04-01"; a["ateraktualisering.orsak"] = "arbetsloshet"
case("reopened_before_closure", reopened_before_closure, [(E, "date_order", "ateraktualisering.datum")])
def exemption_without_reason(a):
    a["insatser.insats"][1].pop("undantag_skal")
case("exemption_without_reason", exemption_without_reason, [(E, "required_missing", "insatser.insats[1].undantag_skal")])
def sanction_reason_on_other(a):
    a["insatser.insats"][0]["sanktion_skal"] = "franvaro"
case("sanction_reason_on_other", sanction_reason_on_other, [(E, "not_enabled", "insatser.insats[0].sanktion_skal")])
def unknown_intervention(a):
    a["insatser.insats"][0]["typ"] = "medborgarlon"
case("unknown_intervention", unknown_intervention, [(E, "not_in_code_list", "insatser.insats[0].typ")])
def years_in_sweden_for_swedish_born(a):
    a["bakgrund.fodelseland"] = "sverige"
case("years_in_sweden_for_swedish_born", years_in_sweden_for_swedish_born, [(E, "not_enabled", "bakgrund.ar_i_sverige")])
def months_out_of_bounds(a):
    a["bakgrund.manader_senaste_ar"] = 13
case("months_out_of_bounds", months_out_of_bounds, [(E, "out_of_bounds", "bakgrund.manader_senaste_ar")])
def closure_reason_missing(a):
    a.pop("avslutning.orsak")
case("closure_reason_missing", closure_reason_missing, [(E, "required_missing", "avslutning.orsak")])
cases.write()

# ---------------------------------------------------------------------------------------------
# Report fixture: 400 records built by arithmetic on their index, and expected figures.
GENDERS = ["kvinna", "man"]
ORIGIN = ["sverige", "europa", "utanfor_europa"]
TYPES = ["jobbsokaraktivitet", "arbetspraktik", "sanktion", "undantag", "sfi"]
OUTCOMES = ["arbete_utan_stod", "arbete_med_stod", "studier", "annan_ersattning", "fortsatt_bistand", "okant"]
GOALS = ["helt", "delvis", "inte"]
HINDER = ["arbetslos", "sjukskriven_lakarintyg", "arbetshinder_sociala_skal", "utan_hinder"]
PROVIDERS = ["socialtjansten", "kommunal_arbetsmarknadsenhet", "arbetsformedlingen", "region", "extern_aktor", "annan"]
def add_days(date, days):
    return (datetime.date.fromisoformat(date) + datetime.timedelta(days=days)).isoformat()
records = []
for i in range(400):
    gender = GENDERS[i % 2]
    born = 1961 + (i * 7) % 45  # ages 20 to 64 at the start: no level of one age alone
    origin = ORIGIN[i % 3]
    start = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"
    types = [t for k, t in enumerate(TYPES) if (i >> k) & 1 and (i % 5 != 0)]
    answers = {
        "bakgrund.aktualiseringsdatum": start, "bakgrund.kon": gender, "bakgrund.fodelsear": born,
        "bakgrund.fodelseland": origin,
        # Household by i // 3, not i: by i it went with gender (i % 2), and the association
        # analysis cannot tell collinear controls apart.
        "bakgrund.hushallstyp": ["ensamstaende_man_utan_barn", "ensamstaende_kvinna_med_barn", "sammanboende_med_barn", "ovrigt"][i // 3 % 4],
        "bakgrund.utbildning": "gymnasium", "bakgrund.forsorjningshinder": HINDER[i % 7 % 4],
        "bakgrund.manader_senaste_ar": i % 13,
        "fore_insats.mal_satta": i % 4 != 3,
    }
    if origin != "sverige":
        answers["bakgrund.ar_i_sverige"] = 1 + i % 20
    # Needs before intervention: the four needs profiles in blocks of 32 records (none recorded,
    # social only, work only, both), independent of the interventions (bits 0-4 of i).
    areas = [[], ["skulder"], ["arbete"], ["arbete", "skulder"]][(i // 32) % 4]
    if areas:
        answers["fore_insats.problem"] = [{"omrade": o, "omfattning": "i_stor_omfattning" if o == "arbete" else "i_viss_omfattning"} for o in areas]
    if i % 7 != 6:  # the national long-term measure, not recorded for every seventh
        answers["bakgrund.manader_kalenderar"] = (i * 5) % 13
    if i % 5 != 4:  # register follow-up, with or without an intervention
        answers["registeruppfoljning.arbete"] = i % 4 == 1
        answers["registeruppfoljning.bistand"] = i % 3 == 0
    rows = []
    for k, t in enumerate(types):
        # Interventions start (i % 9) weeks and a few days after the case, later rows a week
        # apart; providers vary by row and are not recorded for every eleventh record.
        row = {"typ": t, "startdatum": add_days(start, 7 * (i % 9) + i % 5 + 7 * k)}
        if i % 11 != 0:
            row["utforare"] = PROVIDERS[(i + k) % len(PROVIDERS)]
        if t == "undantag":
            row["undantag_skal"] = ["sjukdom", "foraldraskap", "studier"][i % 3]
        if t == "sanktion":
            row["sanktion_skal"] = ["franvaro", "avbojt_erbjudande"][i % 2]
        rows.append(row)
    if rows:
        answers["insatser.insats"] = rows
        answers["efter_insats.datum"] = "2026-09-01"
        answers["efter_insats.utfall"] = OUTCOMES[i % 6]
        if answers["fore_insats.mal_satta"]:
            answers["efter_insats.maluppfyllelse"] = GOALS[i % 3]
    if i % 2 == 0:
        answers["brukaruppfoljning.nojdhet"] = ["mycket_nojd", "ganska_nojd", "varken_eller", "ganska_missnojd", "mycket_missnojd"][i % 5]
    if i % 3 != 2:
        answers["avslutning.datum"] = "2026-01-15" if i % 2 else "2025-12-01"
        answers["avslutning.orsak"] = "arbete"
        if i % 4 == 0:
            answers["ateraktualisering.datum"] = "2026-03-20" if i % 8 == 0 else "2026-10-01"
            answers["ateraktualisering.orsak"] = "arbetsloshet"
    records.append({"instrument": "sue", "version": "1", "status": "complete", "interview_date": "2026-09-30",
                    "unit": ["Norr", "Söder"][i % 2 if i < 200 else (i // 2) % 2], "answers": answers})
with open("report/records.ndjson", "w", encoding="utf-8") as f:
    for r in records:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")

AS_OF = "2026-11-24"
def add_months(date, months):
    y, m, d = map(int, date.split("-"))
    m += months
    y += (m - 1) // 12
    m = (m - 1) % 12 + 1
    days = [31, 29 if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    return f"{y:04d}-{m:02d}-{min(d, days):02d}"

def wilson(x, n, z=1.959963984540054):
    p = x / n; d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return [max(0.0, c - h), min(1.0, c + h)]

def cell(count, base):
    return {"count": count, "base": base, "share": count / base if base else None,
            "interval": wilson(count, base) if base else None}

a = [r["answers"] for r in records]
expected = {}
expected["clients/total/klienter"] = cell(len(a), len(a))
for g in GENDERS:
    expected[f"clients.gender/{g}/klienter"] = cell(sum(x["bakgrund.kon"] == g for x in a), len(a))
for t in TYPES:
    has = lambda x: any(r["typ"] == t for r in x.get("insatser.insats", []))
    expected[f"interventions/total/{t}"] = cell(sum(map(has, a)), len(a))
    for g in GENDERS:
        group = [x for x in a if x["bakgrund.kon"] == g]
        expected[f"interventions.gender/{g}/{t}"] = cell(sum(map(has, group)), len(group))
expected["interventions/total/ingen_insats"] = cell(sum("insatser.insats" not in x for x in a), len(a))
with_outcome = [x for x in a if "efter_insats.utfall" in x]
for o in OUTCOMES:
    expected[f"outcomes/total/{o}"] = cell(sum(x["efter_insats.utfall"] == o for x in with_outcome), len(with_outcome))
with_goal = [x for x in a if "efter_insats.maluppfyllelse" in x]
for g in GOALS:
    expected[f"goal_attainment/total/{g}"] = cell(sum(x["efter_insats.maluppfyllelse"] == g for x in with_goal), len(with_goal))
calendar = [x for x in a if "bakgrund.manader_kalenderar" in x]
expected["long_term/total/langvarigt"] = cell(sum(x["bakgrund.manader_kalenderar"] >= 10 for x in calendar), len(calendar))
expected["long_term/total/langvarigt_rullande_12"] = cell(sum(x["bakgrund.manader_senaste_ar"] >= 10 for x in a), len(a))
for item, code in (("registeruppfoljning.arbete", "arbete"), ("registeruppfoljning.bistand", "bistand")):
    followed = [x for x in a if item in x]
    expected[f"register_outcomes/total/{code}"] = cell(sum(x[item] for x in followed), len(followed))
    for g in GENDERS:
        group = [x for x in followed if x["bakgrund.kon"] == g]
        expected[f"register_outcomes.gender/{g}/{code}"] = cell(sum(x[item] for x in group), len(group))
# Breakdowns beside the dimensions: by försörjningshinder and by gender x household.
GROUP = {"jobbsokaraktivitet": "jobbaktivering", "arbetspraktik": "resursaktivering", "sfi": "resursaktivering"}
def kinds(x):
    return {r["typ"] for r in x.get("insatser.insats", [])}
def groups(x):
    return {GROUP[k] for k in kinds(x) if k in GROUP}
def measures(prefix, members):
    expected[f"{prefix}/klienter"] = cell(len(members), len(a))
    n = len(members)
    expected[f"{prefix}/aktiverade"] = cell(sum(bool(groups(x)) for x in members), n)
    expected[f"{prefix}/jobbaktivering"] = cell(sum("jobbaktivering" in groups(x) for x in members), n)
    expected[f"{prefix}/resursaktivering"] = cell(sum("resursaktivering" in groups(x) for x in members), n)
    expected[f"{prefix}/sanktion"] = cell(sum("sanktion" in kinds(x) for x in members), n)
    expected[f"{prefix}/undantag"] = cell(sum("undantag" in kinds(x) for x in members), n)
    for item, code in (("registeruppfoljning.arbete", "arbete_register"), ("registeruppfoljning.bistand", "bistand_register")):
        followed = [x for x in members if item in x]
        expected[f"{prefix}/{code}"] = cell(sum(x[item] for x in followed), len(followed))
    recorded = [x for x in members if "bakgrund.manader_kalenderar" in x]
    expected[f"{prefix}/langvarigt"] = cell(sum(x["bakgrund.manader_kalenderar"] >= 10 for x in recorded), len(recorded))
for h in HINDER:
    measures(f"by_forsorjningshinder/{h}", [x for x in a if x["bakgrund.forsorjningshinder"] == h])
def gender_household(x):
    h, g = x["bakgrund.hushallstyp"], x["bakgrund.kon"]
    if h.startswith("ensamstaende_"):
        return h
    if h.startswith("sammanboende_") and g in ("kvinna", "man"):
        return h.replace("sammanboende_", f"sammanboende_{g}_")
    return "ovrigt"
for group in sorted({gender_household(x) for x in a}):
    measures(f"by_kon_och_hushall/{group}", [x for x in a if gender_household(x) == group])
# Directly standardised shares by gender (issue 15, point 3). Needs profile: a need in "arbete"
# is work-related, in any other area social, none recorded is no support need. Standard
# population: all records.
def profile(x):
    areas = {p["omrade"] for p in x.get("fore_insats.problem", [])}
    social, work = bool(areas - {"arbete"}), "arbete" in areas
    return {(False, False): "inget", (True, False): "socialt", (False, True): "arbete", (True, True): "bade"}[(social, work)]
STANDARDISED = {"aktiverade": lambda x: bool(groups(x)), "jobbaktivering": lambda x: "jobbaktivering" in groups(x),
                "resursaktivering": lambda x: "resursaktivering" in groups(x), "sanktion": lambda x: "sanktion" in kinds(x),
                "undantag": lambda x: "undantag" in kinds(x)}
profiles = sorted({profile(x) for x in a})
weights = {k: sum(profile(x) == k for x in a) / len(a) for k in profiles}
for g in GENDERS:
    members = [x for x in a if x["bakgrund.kon"] == g]
    for measure, has in STANDARDISED.items():
        rate = variance = 0.0
        for k in profiles:
            group = [x for x in members if profile(x) == k]
            r = sum(map(has, group)) / len(group)
            rate += weights[k] * r
            variance += weights[k] ** 2 * r * (1 - r) / len(group)
        half = 1.959963984540054 * math.sqrt(variance)
        expected[f"standardised.gender/{g}/{measure}_standardiserad"] = {
            "count": None, "base": None, "share": rate, "interval": [max(0.0, rate - half), min(1.0, rate + half)]}
        expected[f"standardised.gender/{g}/{measure}_grov"] = cell(sum(map(has, members)), len(members))
# Combinations of activation with and without sanction, sanctions and exemptions by activation,
# closure reasons and goals set (issue 15, point 2).
def combination(x):
    g = groups(x)
    return {(True, False): "endast_jobbaktivering", (False, True): "endast_resursaktivering",
            (True, True): "bade_jobb_och_resurs", (False, False): "ingen_aktivering"}[("jobbaktivering" in g, "resursaktivering" in g)]
for combo in ("endast_jobbaktivering", "endast_resursaktivering", "bade_jobb_och_resurs", "ingen_aktivering"):
    members = [x for x in a if combination(x) == combo]
    sanctioned = [x for x in members if "sanktion" in kinds(x)]
    expected[f"intervention_combinations/total/{combo}_med_sanktion"] = cell(len(sanctioned), len(a))
    expected[f"intervention_combinations/total/{combo}_utan_sanktion"] = cell(len(members) - len(sanctioned), len(a))
    if members:
        expected[f"sanctions_by_activation/{combo}/sanktion"] = cell(len(sanctioned), len(members))
        expected[f"sanctions_by_activation/{combo}/undantag"] = cell(sum("undantag" in kinds(x) for x in members), len(members))
closed = [x for x in a if "avslutning.orsak" in x]
expected["closure_reasons/total/arbete"] = cell(sum(x["avslutning.orsak"] == "arbete" for x in closed), len(closed))
answered = [x for x in a if "fore_insats.mal_satta" in x]
expected["goals_set/total/ja"] = cell(sum(x["fore_insats.mal_satta"] for x in answered), len(answered))
for area in ("arbete", "skulder"):
    expected[f"needs/total/{area}"] = cell(sum(any(p["omrade"] == area for p in x.get("fore_insats.problem", [])) for x in a), len(a))
for window, code in ((3, "inom_3_manader"), (6, "inom_6_manader"), (12, "inom_12_manader")):
    closed = [x for x in a if "avslutning.datum" in x and add_months(x["avslutning.datum"], window) <= AS_OF]
    reopened = [x for x in closed if "ateraktualisering.datum" in x and x["ateraktualisering.datum"] <= add_months(x["avslutning.datum"], window)]
    expected[f"reopening/total/{code}"] = cell(len(reopened), len(closed))
# Providers, reasons for sanctions and exemptions, and time to first intervention (issue 15,
# point 2). A person counts once per provider and reason; the time is in whole weeks from the
# case start to the earliest start of an intervention other than a sanction or an exemption.
ALL_GROUPS = dict(GROUP, sanktion="kontroll", undantag="stod")
def rows_of(x):
    return x.get("insatser.insats", [])
for g in ("jobbaktivering", "resursaktivering", "stod", "kontroll", "alla"):
    members = [x for x in a if any(g in ("alla", ALL_GROUPS[r["typ"]]) for r in rows_of(x))]
    for p in PROVIDERS + ["ej_angiven"]:
        has = lambda x: any(g in ("alla", ALL_GROUPS[r["typ"]]) and r.get("utforare", "ej_angiven") == p for r in rows_of(x))
        if members:
            expected[f"interventions_by_provider/{g}/{p}"] = cell(sum(map(has, members)), len(members))
for table, kind, item, reasons in (("sanction_reasons", "sanktion", "sanktion_skal", ["franvaro", "avbojt_erbjudande", "annat"]),
                                   ("exemption_reasons", "undantag", "undantag_skal", ["sjukdom", "foraldraskap", "studier", "sociala_skal", "annat"])):
    for combo in ("endast_jobbaktivering", "endast_resursaktivering", "bade_jobb_och_resurs", "ingen_aktivering", "samtliga"):
        members = [x for x in a if kind in kinds(x) and combo in ("samtliga", combination(x))]
        for reason in reasons:
            if members:
                expected[f"{table}/{combo}/{reason}"] = cell(sum(any(r.get(item) == reason for r in rows_of(x)) for x in members), len(members))
def weeks_to_first(x):
    starts = [r["startdatum"] for r in rows_of(x) if r["typ"] not in ("sanktion", "undantag")]
    if not starts:
        return None
    days = (datetime.date.fromisoformat(min(starts)) - datetime.date.fromisoformat(x["bakgrund.aktualiseringsdatum"])).days
    return days // 7
def quartiles(weeks):
    weeks = sorted(weeks)
    return [next(w for w in weeks if 4 * sum(v <= w for v in weeks) >= k * len(weeks)) for k in (1, 2, 3)]
for row, members in [("total/total", a)] + [(f"gender/{g}", [x for x in a if x["bakgrund.kon"] == g]) for g in GENDERS]:
    dimension, code = row.split("/")
    table = "time_to_first_intervention" + ("" if dimension == "total" else f".{dimension}")
    timed = [w for w in map(weeks_to_first, members) if w is not None]
    expected[f"{table}/{code}/klienter_med_insats"] = cell(len(timed), len(members))
    for quartile_code, w in zip(("kvartil_1_veckor", "median_veckor", "kvartil_3_veckor"), quartiles(timed)):
        expected[f"{table}/{code}/{quartile_code}"] = {"weeks": w}
# Association analysis (issue 15, point 4): logistic regressions on the seed study's controls,
# fitted here with statsmodels on the records (not on bistand's aggregates), after the output
# rules (every present level: at least 5 persons with and 5 without the outcome, not everyone or
# no one with it; at least 10 residual degrees of freedom). Levels are the report's classes; the
# reference is each control's first level with persons.
import numpy as np
from statsmodels.discrete.discrete_model import Logit
definition = json.load(open("../../../core/instruments/sue-1.json", encoding="utf-8"))
def codes(name):
    return [c["code"] for c in definition["code_lists"][name]] + ["ej_besvarad"]
def age_band(x):
    age = int(x["bakgrund.aktualiseringsdatum"][:4]) - x["bakgrund.fodelsear"]
    return "under_25" if age < 25 else "25_29" if age < 30 else "30_39" if age < 40 else "40_49" if age < 50 else "50_64" if age < 65 else "65_plus"
HOUSEHOLD = {"ensamstaende_kvinna_utan_barn": "ensamstaende_utan_barn", "ensamstaende_man_utan_barn": "ensamstaende_utan_barn",
             "ensamstaende_kvinna_med_barn": "ensamstaende_med_barn", "ensamstaende_man_med_barn": "ensamstaende_med_barn",
             "sammanboende_utan_barn": "sammanboende_utan_barn", "sammanboende_med_barn": "sammanboende_med_barn"}
def long_term(x):
    months = x.get("bakgrund.manader_kalenderar")
    return "okand" if months is None else "langvarigt" if months >= 10 else "inte_langvarigt"
CONTROLS = [
    ("unit", ["Norr", "Söder"], lambda r: r["unit"]),
    ("gender", ["kvinna", "man", "annat", "okand"], lambda r: r["answers"]["bakgrund.kon"]),
    ("age_band", ["under_25", "25_29", "30_39", "40_49", "50_64", "65_plus", "okand"], lambda r: age_band(r["answers"])),
    ("origin", ["fodd_i_sverige", "utrikes_fodd", "okand"], lambda r: "fodd_i_sverige" if r["answers"]["bakgrund.fodelseland"] == "sverige" else "utrikes_fodd"),
    ("household", ["ensamstaende_utan_barn", "ensamstaende_med_barn", "sammanboende_utan_barn", "sammanboende_med_barn", "ovrigt"],
     lambda r: HOUSEHOLD.get(r["answers"]["bakgrund.hushallstyp"], "ovrigt")),
    ("utbildning", codes("utbildningsniva"), lambda r: r["answers"].get("bakgrund.utbildning", "ej_besvarad")),
    ("forsorjningshinder", codes("forsorjningshinder"), lambda r: r["answers"].get("bakgrund.forsorjningshinder", "ej_besvarad")),
    ("langvarighet", ["inte_langvarigt", "langvarigt", "mycket_langvarigt", "okand"], lambda r: long_term(r["answers"])),
]
MODELS = {
    "association_work": lambda x: x.get("registeruppfoljning.arbete"),
    "association_assistance": lambda x: x.get("registeruppfoljning.bistand"),
    "association_resource_activation": lambda x: "resursaktivering" in groups(x),
    "association_sanction": lambda x: "sanktion" in kinds(x),
}
regressions = {}
for model, outcome in MODELS.items():
    members = [r for r in records if outcome(r["answers"]) is not None]
    y = [bool(outcome(r["answers"])) for r in members]
    refused, columns, names = None, [np.ones(len(y))], ["intercept"]
    for name, levels, level_of in CONTROLS:
        values = [level_of(r) for r in members]
        for level in levels:
            persons = sum(v == level for v in values)
            events = sum(v == level and e for v, e in zip(values, y))
            expected[f"{model}/{name}:{level}/personer"] = cell(persons, len(members))
            if persons:
                expected[f"{model}/{name}:{level}/med_utfallet"] = cell(events, persons)
                if refused is None and persons >= 5 and (events == 0 or events == persons):
                    refused = "separation"
                elif refused is None and min(persons, persons - events, events) < 5:
                    refused = "small_level"
        present = [l for l in levels if l in values]
        for level in present[1:]:
            columns.append(np.array([v == level for v in values], dtype=float))
            names.append(f"{name}:{level}")
    if refused is None and len(y) - len(names) < 10:
        refused = "residual_df"
    if refused is None:
        X = np.column_stack(columns)
        if np.linalg.matrix_rank(X) < X.shape[1]:
            refused = "collinear"
    if refused is not None:
        regressions[model] = {"refused": refused}
        continue
    fit = Logit(np.array(y, dtype=float), X).fit(method="newton", tol=1e-14, maxiter=200, disp=0)
    regressions[model] = {"params": {n: [b, s] for n, b, s in zip(names, fit.params, fit.bse)}}
with open("report/expected.json", "w", encoding="utf-8") as f:
    json.dump({"as_of": AS_OF, "threshold": 5, "cells": expected, "regressions": regressions}, f, indent=2, sort_keys=True)
    f.write("\n")
