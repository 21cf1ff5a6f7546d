"""Reads a report's CSV the way a Swedish analyst's tools do and checks every number against the
JSON report of the same data.

Usage: csv_roundtrip.py REPORT.json REPORT.csv DIALECT   (DIALECT: excel-sv or plain)

The CSV is read with Python's csv module only: the Swedish Excel dialect is `;` between fields,
a decimal comma and a UTF-8 byte order mark. Prints the number of values compared; exits 1 with
the first difference.
"""

import csv
import json
import sys


def main():
    report_path, csv_path, dialect = sys.argv[1:4]
    with open(report_path, encoding="utf-8") as f:
        report = json.load(f)
    report = report.get("report", report)
    raw = open(csv_path, "rb").read()
    swedish = dialect == "excel-sv"
    if raw.startswith(b"\xef\xbb\xbf") != swedish:
        fail("byte order mark present" if not swedish else "byte order mark missing")
    text = raw.decode("utf-8-sig")
    delimiter = ";" if swedish else ","
    lines = list(csv.reader(text.splitlines(), delimiter=delimiter))

    def number(field):
        return float(field.replace(",", ".")) if swedish else float(field)

    tables = {t["id"]: t for t in report["tables"]}
    seen = set()
    compared = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        if len(line) == 3 and line[1] in tables and line[0] in ("Tabell", "Table"):
            table = tables[line[1]]
            seen.add(table["id"])
            codes = lines[i + 3]
            i += 4
            rows = {r["code"]: r for r in table["rows"]}
            total = tables.get(table["id"].split(".")[0]) if "." in table["id"] else None
            while i < len(lines) and lines[i]:
                fields = dict(zip(codes, lines[i]))
                code = fields["code"]
                row = rows.get(code)
                if row is None and total is not None:
                    row = {r["code"]: r for r in total["rows"]}.get(code)
                if row is None:
                    fail(f"{table['id']}: row {code} is not in the JSON report")
                for category, cell in zip(table["categories"], row["cells"]):
                    c = category["code"]
                    if c == "odds_ratio":
                        compared += check_ratio(fields, c, cell, number, table, code)
                        continue
                    compared += check(fields[f"{c}.count"], cell.get("weeks", cell["count"]), None, number, table, code, c)
                    share = cell["share"]
                    compared += check(fields[f"{c}.percent"], share, 100, number, table, code, c)
                    interval = cell["interval"] or [None, None]
                    compared += check(fields[f"{c}.ci_low"], interval[0], 100, number, table, code, c)
                    compared += check(fields[f"{c}.ci_high"], interval[1], 100, number, table, code, c)
                    if "base" in fields:
                        compared += check(fields["base"], cell["base"], None, number, table, code, c)
                    else:
                        compared += check(fields[f"{c}.base"], cell["base"], None, number, table, code, c)
                i += 1
        else:
            i += 1
    if seen != set(tables):
        fail(f"tables missing from the CSV: {sorted(set(tables) - seen)}")
    print(compared)


def check(field, value, scale, number, table, row, category):
    where = f"{table['id']} {row} {category}"
    if value is None:
        if field != "..":
            fail(f"{where}: expected .., found {field!r}")
        return 1
    if scale is None:
        if number(field) != value or not field.isdigit():
            fail(f"{where}: expected {value}, found {field!r}")
    else:
        expected = float(f"{value * scale:.1f}")
        if number(field) != expected:
            fail(f"{where}: expected {expected}, found {field!r}")
    return 1


def check_ratio(fields, c, cell, number, table, row):
    """An odds ratio (no count): the ratio and its interval, three decimals; the reference
    level's interval is empty (ratio 1 by definition), a ratio not shown is ".."."""
    interval = cell["interval"]
    for key, value in ((f"{c}.value", cell["share"]),
                       (f"{c}.ci_low", interval and interval[0]),
                       (f"{c}.ci_high", interval and interval[1])):
        field = fields[key]
        if value is None:
            wanted = "" if cell["share"] is not None else ".."
            if field != wanted:
                fail(f"{table['id']} {row} {key}: expected {wanted!r}, found {field!r}")
        elif number(field) != float(f"{value:.3f}"):
            fail(f"{table['id']} {row} {key}: expected {value:.3f}, found {field!r}")
    return 3


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
