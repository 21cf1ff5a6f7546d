#!/usr/bin/env python3
"""The polars side of the SUE report benchmark (see core/benches/report.rs).

Reads the same synthetic documents the Rust benchmark wrote (target/bench-data/sue-100000.ndjson),
flattens them into a DataFrame in memory (not timed), repeats it ten times to one million rows as
the Rust side does, then times computing the same tables the way a polars user who knows the shape would (one
lazy group_by over all six breakdown keys, then each breakdown as a sum over those strata): every counter of the report (clients,
needs, needs x intervention kind, interventions and kinds, outcomes overall and by kind, goal
attainment, change per area, satisfaction overall and by goal attainment, helped, long-term,
re-opening within 3/6/12 months) summed for the total and for each breakdown (gender, age band,
origin, household, unit, year). Disclosure control, which bistand also does, is not done here.

Usage: python3 core/benches/report_polars.py [NDJSON] [PASSES]   (POLARS_MAX_THREADS to pin threads)
"""
import json
import os
import statistics
import sys
import time
from datetime import date

import polars as pl

root = os.path.join(os.path.dirname(__file__), "..", "..")
path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "target", "bench-data", "sue-100000.ndjson")
passes = int(sys.argv[2]) if len(sys.argv) > 2 else 10
definition = json.load(open(os.path.join(root, "core", "instruments", "sue-1.json"), encoding="utf-8"))
lists = definition["code_lists"]
AREAS = [c["code"] for c in lists["omrade"]]
TYPES = [c["code"] for c in lists["insats"]]
GROUP_OF = {c["code"]: c["group"] for c in lists["insats"]}
GROUPS = ["jobbaktivering", "resursaktivering", "stod", "kontroll"]
OUTCOMES = [c["code"] for c in lists["utfall"]]
GOALS = [c["code"] for c in lists["maluppfyllelse"]]
CHANGES = [c["code"] for c in lists["forandring"]]
SATISFACTION = [c["code"] for c in lists["nojdhet"]]
HELPED = [c["code"] for c in lists["hjalpt"]]
AS_OF = date(2026, 11, 24)


def age_band(birth, start):
    if birth is None or start is None:
        return "okand"
    age = int(start[:4]) - birth
    for limit, band in ((24, "under_25"), (29, "25_29"), (39, "30_39"), (49, "40_49"), (64, "50_64")):
        if 0 <= age <= limit:
            return band
    return "65_plus" if age >= 65 else "okand"


def flatten(document):
    a = document["answers"]
    start = a.get("bakgrund.aktualiseringsdatum")
    country = a.get("bakgrund.fodelseland")
    household = a.get("bakgrund.hushallstyp")
    types = {row["typ"] for row in a.get("insatser.insats") or []}
    needs = {row["omrade"] for row in a.get("fore_insats.problem") or []}
    changes = {row["omrade"]: row["forandring"] for row in a.get("efter_insats.forandring") or []}
    row = {
        "unit": document.get("unit", "okand"),
        "period": start[:4] if start else "okand",
        "gender": a.get("bakgrund.kon", "okand"),
        "age_band": age_band(a.get("bakgrund.fodelsear"), start),
        "origin": {"sverige": "fodd_i_sverige", None: "okand", "okant": "okand"}.get(country, "utrikes_fodd"),
        "household": {"ensamstaende_kvinna_utan_barn": "e_utan", "ensamstaende_man_utan_barn": "e_utan",
                      "ensamstaende_kvinna_med_barn": "e_med", "ensamstaende_man_med_barn": "e_med",
                      "sammanboende_utan_barn": "s_utan", "sammanboende_med_barn": "s_med"}.get(household, "ovrigt"),
        "outcome": a.get("efter_insats.utfall"),
        "goal": a.get("efter_insats.maluppfyllelse"),
        "satisfaction": a.get("brukaruppfoljning.nojdhet"),
        "helped": a.get("brukaruppfoljning.hjalpt"),
        "months_calendar": a.get("bakgrund.manader_kalenderar"),
        "months_36": a.get("bakgrund.manader_senaste_3ar"),
        "closed": date.fromisoformat(a["avslutning.datum"]) if "avslutning.datum" in a else None,
        "reopened": date.fromisoformat(a["ateraktualisering.datum"]) if "ateraktualisering.datum" in a else None,
    }
    for t in TYPES:
        row[f"int_{t}"] = t in types
    for area in AREAS:
        row[f"need_{area}"] = area in needs
        row[f"change_{area}"] = changes.get(area)
    return row


rows = [flatten(json.loads(line)) for line in open(path, encoding="utf-8") if line.strip()]
frame = pl.DataFrame(rows, infer_schema_length=None)  # change_* columns are None in early rows
frame = pl.concat([frame] * passes, rechunk=True)


def counter_exprs():
    c = pl.col
    any_type = pl.any_horizontal([c(f"int_{t}") for t in TYPES])
    group = {g: pl.any_horizontal([c(f"int_{t}") for t in TYPES if GROUP_OF[t] == g]) for g in GROUPS}
    satisfied = c("satisfaction").is_in(["mycket_nojd", "ganska_nojd"])
    exprs = [pl.lit(1).alias("clients"), any_type.alias("with"), (~any_type).alias("without"),
             (group["jobbaktivering"] | group["resursaktivering"]).alias("activated"),
             c("outcome").is_not_null().alias("outcome_base"),
             c("outcome").is_in(["arbete_utan_stod", "arbete_med_stod"]).alias("work"),
             c("goal").is_not_null().alias("goal_base"), c("satisfaction").is_not_null().alias("sat_base"),
             satisfied.alias("satisfied"), c("helped").is_not_null().alias("helped_base"),
             (c("months_calendar") >= 10).fill_null(False).alias("long_term"), (c("months_36") >= 27).fill_null(False).alias("very_long"),
             c("months_36").is_not_null().alias("very_long_base")]
    exprs += [c(f"int_{t}").alias(f"i_{t}") for t in TYPES]
    exprs += [group[g].alias(f"g_{g}") for g in GROUPS]
    exprs += [(c("outcome") == o).fill_null(False).alias(f"o_{o}") for o in OUTCOMES]
    exprs += [(c("goal") == g).fill_null(False).alias(f"goal_{g}") for g in GOALS]
    exprs += [(c("satisfaction") == s).fill_null(False).alias(f"s_{s}") for s in SATISFACTION]
    exprs += [(c("helped") == h).fill_null(False).alias(f"h_{h}") for h in HELPED]
    for area in AREAS:
        need = c(f"need_{area}")
        exprs.append(need.alias(f"n_{area}"))
        exprs += [(need & group[g]).alias(f"ng_{area}_{g}") for g in GROUPS]
        exprs.append((need & ~any_type).alias(f"ng_{area}_none"))
        exprs.append(c(f"change_{area}").is_not_null().alias(f"cb_{area}"))
        exprs += [(c(f"change_{area}") == ch).fill_null(False).alias(f"c_{area}_{ch}") for ch in CHANGES]
    for g in GROUPS:
        exprs.append((group[g] & c("outcome").is_not_null()).alias(f"og_{g}"))
        exprs += [(group[g] & (c("outcome") == o)).fill_null(False).alias(f"og_{g}_{o}") for o in OUTCOMES]
    for g in GOALS:
        exprs.append(((c("goal") == g) & c("satisfaction").is_not_null()).fill_null(False).alias(f"sg_{g}"))
        exprs += [((c("goal") == g) & (c("satisfaction") == s)).fill_null(False).alias(f"sg_{g}_{s}") for s in SATISFACTION]
    for months in (3, 6, 12):
        end = c("closed").dt.offset_by(f"{months}mo")
        observable = (end <= pl.lit(AS_OF)).fill_null(False)
        exprs.append(observable.alias(f"rb_{months}"))
        exprs.append((observable & (c("reopened") <= end).fill_null(False)).alias(f"r_{months}"))
    return exprs


KEYS = ["gender", "age_band", "origin", "household", "unit", "period"]


def report(df):
    """What a polars user who knows the shape writes: one lazy `group_by` over all six breakdown
    keys (the strata), then the total and each breakdown as a sum over the strata."""
    strata = (df.lazy().select(KEYS + counter_exprs())
              .group_by(KEYS).agg(pl.all().cast(pl.UInt32).sum()).collect())
    sums = [pl.col(name).cast(pl.UInt64).sum() for name in strata.columns if name not in KEYS]
    tables = {"total": strata.select(sums)}
    for key in KEYS:
        tables[key] = strata.group_by(key).agg(sums)
    return tables


def report_per_breakdown(df):
    """The earlier formulation (one group_by over the records per breakdown), kept only to check
    that the strata formulation gives the same tables; not timed."""
    counters = df.select(KEYS + counter_exprs())
    sums = [pl.col(name).cast(pl.UInt64).sum() for name in counters.columns if name not in KEYS]
    tables = {"total": counters.select(sums)}
    for key in KEYS:
        tables[key] = counters.group_by(key).agg(sums)
    return tables


def same_tables(a, b):
    if a.keys() != b.keys():
        return False
    for name in a:
        left, right = a[name], b[name]
        if name != "total":
            left, right = left.sort(name), right.sort(name)
        if not left.equals(right):
            return False
    return True


times = []
for _ in range(5):
    start = time.perf_counter()
    tables = report(frame)
    times.append(time.perf_counter() - start)
total = tables["total"].row(0, named=True)
print(f"polars report: {frame.height} records, {len(tables)} breakdowns x {len(tables['total'].columns)} counters, "
      f"threads {pl.thread_pool_size()}, median {statistics.median(times):.3f} s (runs: {[f'{t:.3f}' for t in times]})")
if not same_tables(tables, report_per_breakdown(frame)):
    sys.exit("tables differ between the strata and the per-breakdown formulations")
print("tables agree: strata formulation = one group_by per breakdown (all 7 tables, every counter)")
print("check: " + " ".join(f"{k}={total[v]}" for k, v in [
    ("clients", "clients"), ("sanktion", "i_sanktion"), ("resursaktivering", "g_resursaktivering"),
    ("fortsatt_bistand", "o_fortsatt_bistand"), ("helt", "goal_helt"), ("mycket_nojd", "s_mycket_nojd"),
    ("langvarigt", "long_term"), ("reopened_12", "r_12")]))
