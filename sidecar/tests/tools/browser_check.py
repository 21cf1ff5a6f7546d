"""Opens HTML pages in headless Chromium (one browser for all) and checks each as a reader would.

Usage: browser_check.py JOBS.json

JOBS.json is a list of {"html": PAGE, "json": JSON, "kind": "report" | "fia", "lang": "sv" | "en",
"screenshot": PNG, "pdf": PDF}. For each page: axe-core (WCAG 2.0/2.1 A and AA rules) must report
no violations; the page's tables must equal the JSON (a report: every shown number, ".." where
the JSON has none; a printable FIA: every life area's label and the client's rating label); a
screenshot is written to PNG and the page printed to PDF. Prints one line per page with the number
of values compared; exits 1 with the first difference.

The browser is driven through the DevTools protocol over a pipe (--remote-debugging-pipe: file
descriptors 3 and 4, messages ended by NUL), with the standard library only. axe.min.js is found
under `npm root -g` (scripts/ensure-tools.sh installs it); Chromium is `chromium`.
"""

import base64
import json
import os
import subprocess
import sys
import tempfile

from report_cells import MARKERS, expected_numbers


class Browser:
    def __init__(self):
        self.profile = tempfile.TemporaryDirectory()
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        executable = find_chromium()

        def child_fds():
            # Copies first: a pipe end may itself be 3 or 4 (and is close-on-exec).
            read_end, write_end = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.process = subprocess.Popen(
            [
                executable,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-extensions",
                "--disable-background-networking",
                "--no-first-run",
                "--no-default-browser-check",
                "--remote-debugging-pipe",
                f"--user-data-dir={self.profile.name}",
                "about:blank",
            ],
            close_fds=False,
            preexec_fn=child_fds,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.out = os.fdopen(to_browser_w, "wb", buffering=0)
        self.inp = os.fdopen(from_browser_r, "rb", buffering=0)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.out.write(json.dumps(message).encode() + b"\0")
        while True:
            reply = self.receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    fail(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def receive(self):
        while b"\0" not in self.buffer:
            chunk = self.inp.read(1 << 16)
            if not chunk:
                fail("chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def wait_for(self, method, session):
        for i, event in enumerate(self.events):
            if event.get("method") == method and event.get("sessionId") == session:
                del self.events[i]
                return event
        while True:
            event = self.receive()
            if event.get("method") == method and event.get("sessionId") == session:
                return event
            self.events.append(event)

    def evaluate(self, session, expression):
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            session,
        )
        if "exceptionDetails" in result:
            fail(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self):
        try:
            self.send("Browser.close")
        except SystemExit:
            pass
        self.process.wait(timeout=30)
        self.profile.cleanup()


def find_chromium():
    for name in ("chromium", "chromium-browser"):
        for directory in os.environ.get("PATH", "").split(os.pathsep):
            path = os.path.join(directory, name)
            if os.access(path, os.X_OK):
                return path
    fail("chromium is missing: run scripts/ensure-tools.sh (Debian package chromium)")


def axe_source():
    root = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True).stdout.strip()
    path = os.path.join(root, "axe-core", "axe.min.js")
    if not os.path.exists(path):
        fail("axe-core is missing: run scripts/ensure-tools.sh (npm package axe-core)")
    with open(path, encoding="utf-8") as f:
        return f.read()


# The page's tables as {table: {"codes": [...], "rows": [[{"text", "value"}...]...]}}.
TABLES_JS = """
(() => {
  const out = {};
  for (const table of document.querySelectorAll('table[data-table]')) {
    const codes = [...table.querySelectorAll('thead th')].map(th => th.dataset.code);
    const rows = [...table.querySelectorAll('tbody tr')].map(tr =>
      [...tr.children].map(c => ({text: c.textContent, value: c.dataset.value ?? null,
                                  reason: c.dataset.reason ?? null})));
    out[table.dataset.table] = {codes, rows, caption: table.caption ? table.caption.textContent : null};
  }
  return out;
})()
"""

# Every WCAG 2.0/2.1 A and AA rule over the whole page, except colour contrast: it measures each
# text node (most of a minute on a report of a hundred tables), and every table is styled by the
# same rules, so it runs over the page's head, its facts and contents, and its first twelve
# tables (with totals, protected cells and both kinds of chart).
AXE_JS = """
(async () => {
  const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
  const rules = axe.getRules(tags).map(r => r.ruleId);
  const report = v => v.map(v => ({id: v.id, help: v.help,
                                   nodes: v.nodes.slice(0, 3).map(n => n.html.slice(0, 200))}));
  const all = await axe.run(document, {runOnly: {type: 'rule', values: rules.filter(r => r !== 'color-contrast')},
                                       resultTypes: ['violations']});
  const sample = [...document.querySelectorAll('body > header, main > section:not(.table), main > nav')]
    .concat([...document.querySelectorAll('section.table')].slice(0, 12));
  const contrast = await axe.run({include: sample}, {runOnly: {type: 'rule', values: ['color-contrast']},
                                                     resultTypes: ['violations']});
  return report(all.violations.concat(contrast.violations));
})()
"""


def check_report(tables, report, lang):
    report = report.get("report", report)
    by_id = {t["id"]: t for t in report["tables"]}
    if set(tables) != set(by_id):
        fail(f"tables differ: page {sorted(set(tables) ^ set(by_id))[:5]}")
    compared = 0
    for table_id, page in tables.items():
        table = by_id[table_id]
        total = by_id.get(table_id.split(".")[0]) if "." in table_id else None
        rows = {r["code"]: r for r in table["rows"]}
        if total is not None and total["rows_are"] == "total":
            rows.update({r["code"]: r for r in total["rows"]})
        if page["caption"] is None or not page["caption"].startswith(table["title"][lang]):
            fail(f"{table_id}: caption {page['caption']!r}")
        for cells in page["rows"]:
            fields = dict(zip(page["codes"], cells))
            code = fields["code"]["text"]
            row = rows.get(code)
            if row is None:
                fail(f"{table_id}: row {code} is not in the JSON report")
            if fields[table["rows_are"]]["text"] != row["label"][lang]:
                fail(f"{table_id} {code}: label {fields[table['rows_are']]['text']!r}")
            for category, cell in zip(table["categories"], row["cells"]):
                c = category["code"]
                for key, value, scale in expected_numbers(c, cell, fields):
                    shown = fields[key]
                    if value is None and c == "odds_ratio" and cell["share"] is not None:
                        if shown["text"] != "" or shown["value"] is not None:
                            fail(f"{table_id} {code} {key}: expected empty, found {shown}")
                    elif value is None:
                        # `..`, with the footnote marker of the cell's reason when it has one.
                        # (A row's one base column is checked against its first cell.)
                        reason = (row["cells"][0] if key == "base" else cell).get("reason")
                        marker = MARKERS[reason] if reason else ""
                        if (
                            shown["text"] != ".." + marker
                            or shown["value"] is not None
                            or shown["reason"] != reason
                        ):
                            fail(f"{table_id} {code} {key}: expected ..{marker}, found {shown}")
                    elif scale is None:
                        if shown["value"] is None or int(shown["value"]) != value:
                            fail(f"{table_id} {code} {key}: expected {value}, found {shown}")
                    elif shown["value"] is None or abs(float(shown["value"]) - value * scale) > 1e-9:
                        fail(f"{table_id} {code} {key}: expected {value * scale}, found {shown}")
                    compared += 1
    return compared


def check_fia(tables, summary, lang):
    """The printable FIA's table of life areas equals the summary: each area's label and the
    client's own rating, as a label and as its position on the scale."""
    page = tables.get("areas")
    if page is None:
        fail("the printable FIA has no table of life areas")
    areas = summary["areas"]
    if len(page["rows"]) != len(areas):
        fail(f"{len(page['rows'])} areas shown, {len(areas)} in the summary")
    compared = 0
    for cells, area in zip(page["rows"], areas):
        fields = dict(zip(page["codes"], cells))
        if fields["area"]["text"] != area["label"][lang]:
            fail(f"area {fields['area']['text']!r}, expected {area['label'][lang]!r}")
        rating = area.get("client_rating")
        shown = fields["client_rating"]
        if rating is None:
            if shown["value"] is not None:
                fail(f"{area['area']}: a rating shown where the summary has none")
        elif shown["value"] != rating:
            fail(f"{area['area']}: rating {shown['value']!r}, expected {rating!r}")
        compared += 2
    text = "".join(
        c["text"] for t in tables.values() for row in t["rows"] for c in row
    )
    for area in areas:
        for code in filter(None, (area.get("client_rating"), area.get("extent"))):
            if "_" in code and code in text:
                fail(f"a code ({code}) is shown to the reader")
    return compared


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        jobs = json.load(f)
    axe = axe_source()
    browser = Browser()
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        browser.send("Page.enable", session=session)
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": 1500, "deviceScaleFactor": 1, "mobile": False},
            session,
        )
        for job in jobs:
            browser.send("Page.navigate", {"url": "file://" + os.path.abspath(job["html"])}, session)
            browser.wait_for("Page.loadEventFired", session)
            with open(job["json"], encoding="utf-8") as f:
                expected = json.load(f)
            tables = browser.evaluate(session, TABLES_JS)
            if job["kind"] == "report":
                compared = check_report(tables, expected, job["lang"])
            else:
                compared = check_fia(tables, expected, job["lang"])
            browser.evaluate(session, axe + "\n;true")
            violations = browser.evaluate(session, AXE_JS)
            if violations:
                fail(f"{job['html']}: axe-core found {json.dumps(violations, ensure_ascii=False)}")
            shot = browser.send("Page.captureScreenshot", {"format": "png"}, session)
            with open(job["screenshot"], "wb") as f:
                f.write(base64.b64decode(shot["data"]))
            pdf = base64.b64decode(
                browser.send("Page.printToPDF", {"preferCSSPageSize": True}, session)["data"]
            )
            if not pdf.startswith(b"%PDF") or len(pdf) < 1000:
                fail(f"{job['html']}: printing gave no PDF")
            with open(job["pdf"], "wb") as f:
                f.write(pdf)
            print(f"{job['html']} {compared}")
    finally:
        browser.close()


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
