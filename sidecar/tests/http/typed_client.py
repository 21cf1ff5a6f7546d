"""A typed Python client generated from the sidecar's OpenAPI description (openapi-python-client)
calls validate, summary, records and reports as a vendor's integration would, and gets typed
objects back, not dicts. Run by sidecar/tests/http/contract.rs against a running service.

Usage: typed_client.py OPENAPI_JSON BASE_URL CA_PEM CASEWORKER_TOKEN ANALYST_TOKEN UNIT DOCUMENT_JSON
"""

import copy
import importlib
import json
import os
import ssl
import subprocess
import sys
import tempfile
import uuid

openapi, base_url, ca, caseworker_token, analyst_token, unit, document_path = sys.argv[1:8]

work = tempfile.mkdtemp(prefix="bistand-client-")
package = os.path.join(work, "bistand_client")
subprocess.run(
    [
        "openapi-python-client",
        "generate",
        "--path",
        openapi,
        "--meta",
        "none",
        "--output-path",
        package,
    ],
    check=True,
    stdout=subprocess.DEVNULL,
)
sys.path.insert(0, work)

client_module = importlib.import_module("bistand_client")
models = importlib.import_module("bistand_client.models")
validate = importlib.import_module("bistand_client.api.documents.validate")
summary = importlib.import_module("bistand_client.api.documents.summary")
create_record = importlib.import_module("bistand_client.api.records.create_record")
read_record = importlib.import_module("bistand_client.api.records.read_record")
update_record = importlib.import_module("bistand_client.api.records.update_record")
search_records = importlib.import_module("bistand_client.api.records.search_records")
report = importlib.import_module("bistand_client.api.reports.report")

tls = ssl.create_default_context(cafile=ca)
caseworker = client_module.AuthenticatedClient(
    base_url=base_url, token=caseworker_token, verify_ssl=tls, raise_on_unexpected_status=True
)
analyst = client_module.AuthenticatedClient(
    base_url=base_url, token=analyst_token, verify_ssl=tls, raise_on_unexpected_status=True
)

with open(document_path, encoding="utf-8") as f:
    document = json.load(f)
document["unit"] = unit
document["answers"]["skulder.kommentar"] = "Skulder hos Kronofogden; plan med budget- och skuldrådgivare i Söder."


def expect(value, cls, what):
    assert isinstance(value, cls), f"{what}: expected {cls.__name__}, got {type(value).__name__}: {value!r}"
    return value


# Validate: a typed report with typed findings.
checked = expect(
    validate.sync(client=caseworker, body=models.DocumentToCheck.from_dict(document)),
    models.Report,
    "validate",
)
assert checked.valid is True and checked.errors == 0, checked
assert isinstance(checked.status, models.Status)
broken = copy.deepcopy(document)
broken["answers"]["skulder.omfattning"] = "kanske"
findings = expect(
    validate.sync(client=caseworker, body=models.DocumentToCheck.from_dict(broken)),
    models.Report,
    "validate a broken document",
)
assert findings.valid is False
finding = expect(findings.findings[0], models.Finding, "a finding")
assert isinstance(finding.severity, models.Severity) and finding.message.sv, finding

# Summary of a FIA document: typed areas and plan.
summarised = expect(
    summary.sync(client=caseworker, body=models.FiaDocument.from_dict(document)),
    models.FiaSummary,
    "summary",
)
expect(summarised.areas[0], models.AreaSummary, "an area")
expect(summarised.plan, models.PlanSummary, "the plan")

# Records: create (idempotently), read with its ETag, update with If-Match, a stale update.
client_id = f"EB-{uuid.uuid4().hex[:12]}"
body = models.NewRecordBody.from_dict({"client_id": client_id, "document": document})
key = str(uuid.uuid4())
created = create_record.sync_detailed(client=caseworker, body=body, idempotency_key=key)
assert created.status_code == 201, created
written = expect(created.parsed, models.Written, "create")
expect(written.record, models.RecordView, "the record")
expect(written.report, models.Report, "the report")
assert created.headers["location"] == f"/v1/records/{written.record.record_id}"
again = create_record.sync_detailed(client=caseworker, body=body, idempotency_key=key)
assert again.status_code == 201 and again.parsed.record.record_id == written.record.record_id

read = read_record.sync_detailed(client=caseworker, id=written.record.record_id)
stored = expect(read.parsed, models.RecordWithDocument, "read")
assert stored.record.created_at.tzinfo is not None, "created_at is a timezone-aware datetime"
etag = read.headers["etag"]
assert etag == created.headers["etag"]

document["answers"]["skulder.kommentar"] = "Planen följs upp i december."
updated = update_record.sync_detailed(
    client=caseworker,
    id=written.record.record_id,
    body=models.FiaDocument.from_dict(document),
    if_match=etag,
)
assert updated.status_code == 200, updated
expect(updated.parsed, models.Written, "update")
assert updated.headers["etag"] != etag
stale = update_record.sync_detailed(
    client=caseworker,
    id=written.record.record_id,
    body=models.FiaDocument.from_dict(document),
    if_match=etag,
)
assert stale.status_code == 412, stale
problem = expect(stale.parsed, models.Problem, "a stale update")
assert problem.type_ == "urn:bistand:problem:precondition_failed", problem

found = expect(
    search_records.sync(client=caseworker, body=models.SearchBody(client_id=client_id, limit=10)),
    models.Found,
    "search",
)
assert [r.record_id for r in found.records] == [written.record.record_id]

# Reports: a typed group report with typed tables and cells.
answered = expect(
    report.sync(client=analyst, instrument=models.InstrumentName.FIA, threshold=5),
    models.ReportBody,
    "report",
)
group = expect(answered.report, models.GroupReport, "the group report")
table = expect(group.tables[0], models.Table, "a table")
expect(table.rows[0].cells[0], models.Cell, "a cell")
assert group.threshold == 5

print("typed client: ok")
