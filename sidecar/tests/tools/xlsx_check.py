"""Reads a report's XLSX with openpyxl and checks it against the JSON report of the same data.

Usage: xlsx_check.py REPORT.json REPORT.xlsx LANG   (LANG: sv or en)

Checks: the first sheet is "Om rapporten" (About) and states the as-of date, the threshold, the
input digest and the software; every table of the JSON has a sheet whose code row names its
columns; every shown number equals the JSON's (percent = share x 100); protected numbers are ".."
with the footnote under the table, and a protected count whose cell has a reason has a note
giving it (its marker and text); headings are frozen. Prints the number of values compared;
exits 1 with the first difference.
"""

import json
import sys

import openpyxl

from report_cells import MARKERS, expected_numbers


def main():
    report_path, xlsx_path, lang = sys.argv[1:4]
    with open(report_path, encoding="utf-8") as f:
        report = json.load(f)
    report = report.get("report", report)
    book = openpyxl.load_workbook(xlsx_path)
    about = book.worksheets[0]
    expected_name = "Om rapporten" if lang == "sv" else "About"
    if about.title != expected_name:
        fail(f"first sheet is {about.title!r}, expected {expected_name!r}")
    facts = {}
    for row in about.iter_rows(values_only=True):
        if row[0] is not None:
            facts[row[0]] = row[1]
    values = set(str(v) for v in facts.values())
    provenance = report["provenance"]
    for needed in (report["as_of"], provenance["input"]["digest"], provenance["software"]):
        if needed not in values:
            fail(f"the about sheet lacks {needed!r}")
    if report["threshold"] not in facts.values():
        fail("the about sheet lacks the threshold")
    if provenance["input"]["counted"] not in facts.values():
        fail("the about sheet lacks the records counted")

    tables = {t["id"]: t for t in report["tables"]}
    sheets = book.worksheets[1:]
    if len(sheets) != len(tables):
        fail(f"{len(sheets)} table sheets for {len(tables)} tables")
    compared = 0
    for sheet, table in zip(sheets, report["tables"]):
        if sheet.freeze_panes != "C5":
            fail(f"{sheet.title}: headings not frozen ({sheet.freeze_panes})")
        title = table["title"][lang]
        if sheet["A1"].value != title:
            fail(f"{sheet.title}: title {sheet['A1'].value!r}, expected {title!r}")
        codes = [c.value for c in sheet[4]]
        rows = {r["code"]: r for r in table["rows"]}
        total = tables.get(table["id"].split(".")[0]) if "." in table["id"] else None
        protected = False
        r = 5
        while sheet.cell(row=r, column=2).value is not None:
            fields = dict(zip(codes, [c.value for c in sheet[r]]))
            code = fields["code"]
            row = rows.get(code)
            if row is None and total is not None:
                row = {x["code"]: x for x in total["rows"]}.get(code)
            if row is None:
                fail(f"{table['id']}: row {code} is not in the JSON report")
            if fields[table["rows_are"]] != row["label"][lang]:
                fail(f"{table['id']} {code}: label {fields[table['rows_are']]!r}")
            for category, cell in zip(table["categories"], row["cells"]):
                c = category["code"]
                for key, value, scale in expected_numbers(c, cell, fields):
                    shown = fields[key]
                    if value is None and c == "odds_ratio" and cell["share"] is not None:
                        if shown not in (None, ""):
                            fail(f"{table['id']} {code} {key}: expected empty, found {shown!r}")
                    elif value is None:
                        if shown != "..":
                            fail(f"{table['id']} {code} {key}: expected .., found {shown!r}")
                        protected = True
                        reason = cell.get("reason")
                        if key == f"{c}.count" and reason is not None:
                            note = sheet.cell(row=r, column=codes.index(key) + 1).comment
                            marker = MARKERS[reason]
                            if note is None or not note.text.startswith(f'{marker} ".."'):
                                fail(f"{table['id']} {code} {key}: no note saying why ({reason})")
                            compared += 1
                    elif scale is None:
                        if shown != value:
                            fail(f"{table['id']} {code} {key}: expected {value}, found {shown!r}")
                    elif not isinstance(shown, (int, float)) or isinstance(shown, bool) or abs(shown - value * scale) > 1e-9:
                        fail(f"{table['id']} {code} {key}: expected {value * scale}, found {shown!r}")
                    compared += 1
            r += 1
        if protected:
            footnote = sheet.cell(row=r + 1, column=1).value or ""
            if not footnote.startswith('".."'):
                fail(f"{table['id']}: protected numbers without the footnote ({footnote!r})")
    print(compared)


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
