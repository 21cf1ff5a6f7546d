// The .NET binding's tests: every C function through the binding, with good input and bad
// (null where the C side takes NULL, invalid UTF-8, a wrong instrument, a disposed handle).
// Run by ffi/tests/integration/bindings.rs (cargo test), which builds the binding with Mono's
// compiler and runs this program with Mono against the library cargo built:
//
//   mono BistandTests.exe REPO_ROOT WORK_DIR EXPECTED_VERSION
//
// Prints one line per check and exits 1 on the first failure.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Bistand;

public static class Tests
{
    private const string Keys =
        "{\"pseudonym_key\": {\"id\": \"p1\", \"secret_hex\": \"0101010101010101010101010101010101010101010101010101010101010101\"}," +
        " \"data_keys\": [{\"id\": \"k1\", \"secret_hex\": \"0202020202020202020202020202020202020202020202020202020202020202\"}]," +
        " \"active_data_key\": \"k1\"}";

    private const string OtherKeys =
        "{\"pseudonym_key\": {\"id\": \"p9\", \"secret_hex\": \"0909090909090909090909090909090909090909090909090909090909090909\"}," +
        " \"data_keys\": [{\"id\": \"k9\", \"secret_hex\": \"0808080808080808080808080808080808080808080808080808080808080808\"}]," +
        " \"active_data_key\": \"k9\"}";

    private static string root;
    private static int checks;

    private static byte[] Fixture(string path)
    {
        return File.ReadAllBytes(Path.Combine(root, "tests/data", path));
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new Exception("check failed: " + what);
        }
        checks++;
        Console.WriteLine("ok   " + what);
    }

    /// <summary>The call fails with status, messages in both languages, and no echo of secret.</summary>
    private static BistandException Fails(Status status, string what, Action call, string secret = null)
    {
        try
        {
            call();
        }
        catch (BistandException e)
        {
            Check(e.Status == status, what + ": status " + e.Status + " (expected " + status + ")");
            Check(e.MessageSv.Length > 0 && e.MessageEn.Length > 0, what + ": both messages (" + e.MessageSv + " | " + e.MessageEn + ")");
            if (secret != null)
            {
                Check(!e.MessageSv.Contains(secret) && !e.MessageEn.Contains(secret), what + ": no echo of the input");
            }
            return e;
        }
        throw new Exception("check failed: " + what + ": no exception (expected " + status + ")");
    }

    public static int Main(string[] args)
    {
        root = args[0];
        var work = args[1];
        var expectedVersion = args[2];
        try
        {
            Run(work, expectedVersion);
            RunConformance();
        }
        catch (Exception e)
        {
            Console.WriteLine("FAIL " + e);
            return 1;
        }
        Console.WriteLine(checks + " checks passed");
        return 0;
    }

    /// <summary>The golden cases of tests/conformance through this binding, byte for byte.</summary>
    private static void RunConformance()
    {
        var results = Conformance.Run(Path.Combine(root, "tests/conformance/cases"));
        foreach (var result in results)
        {
            Check(result.Passed, "conformance " + result.Name + (result.Passed ? "" : ": " + result.Detail));
        }
        Check(results.Count >= 21, "conformance: " + results.Count + " cases");
    }

    private static void Run(string work, string expectedVersion)
    {
        var complete = Fixture("fia/valid/complete.json");
        var wrongType = Fixture("fia/invalid/wrong_type.json");
        var notUtf8 = new byte[] { 0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d };

        // bistand_version, bistand_status_message, bistand_last_error
        Check(Library.Version == expectedVersion, "version " + Library.Version);
        Check(Library.StatusMessage(Status.MalformedJson).Contains("JSON"), "status message of 201");
        foreach (Status status in Enum.GetValues(typeof(Status)))
        {
            Check(Library.StatusMessage(status).Length > 0, "status message of " + (uint)status);
        }
        Fails(Status.InvalidArgument, "status message of a number that is no status", () => Library.StatusMessage((Status)7));
        Check(Library.LastError(Language.Swedish) == "", "no last error after a success");

        // bistand_engine_new, bistand_engine_free
        Fails(Status.InvalidProfile, "a profile that is not JSON", () => new Engine("{inte json"));
        Fails(Status.InvalidUtf8, "a profile that is not UTF-8", () => new Engine(notUtf8));
        Fails(Status.InvalidProfile, "a profile hiding what may not be hidden",
            () => new Engine("{\"hidden_items\": {\"fia\": [\"bakgrund.har_barn\"]}}"));
        using (var withProfile = new Engine(Fixture("fia/invalid/profile.json")))
        {
            var hidden = withProfile.Validate(Fixture("fia/invalid/hidden_item_present.json"));
            Check(!hidden.Valid && hidden.Findings.Any(f => f.Code == "hidden_item_present"), "the profile hides arbete.yrke");
        }
        // bistand_engine_new_with_definitions: the supplied example gives the shared report bytes
        {
            var definition = File.ReadAllText(Path.Combine(root, "tests/data/supplied/definitions/lokal_uppfoljning-1.json"));
            var definitions = System.Text.Encoding.UTF8.GetBytes("[" + definition + "]");
            using (var supplied = Engine.WithDefinitions(definitions))
            {
                var bytes = supplied.ValidateJson(Fixture("supplied/document.json"), "lokal_uppfoljning");
                Check(bytes.SequenceEqual(Fixture("supplied/document.report.json")), "a supplied definition gives the shared report bytes");
                Check(supplied.Validate(complete, "fia").Valid, "the shipped instruments stay beside a supplied one");
                // bistand_definition_fhir and bistand_questionnaire_response_validate: the way
                // there and back, to the bytes the core and REST give.
                Check(supplied.DefinitionFhirJson("lokal_uppfoljning").Contains("\"resourceType\":\"Questionnaire\""), "the FHIR Questionnaire");
                var result = supplied.ValidateQuestionnaireResponseJson(Fixture("supplied/response.json"));
                Check(result.SequenceEqual(Fixture("supplied/response.result.json")), "a QuestionnaireResponse gives the shared bytes");
            }
            var broken = System.Text.Encoding.UTF8.GetBytes("[" + definition.Replace("\"min\": 0,", "\"min\": 60,") + "]");
            Fails(Status.InvalidDefinition, "a supplied definition the compiler refuses", () => Engine.WithDefinitions(broken));
            Fails(Status.InvalidUtf8, "supplied definitions that are not UTF-8", () => Engine.WithDefinitions(notUtf8));
        }
        var disposed = new Engine();
        disposed.Dispose();
        disposed.Dispose();
        try
        {
            disposed.Validate(complete);
            throw new Exception("check failed: a disposed engine was used");
        }
        catch (ObjectDisposedException)
        {
            Check(true, "a disposed engine is refused before the native call");
        }

        using (var engine = new Engine())
        {
            // bistand_validate
            var report = engine.Validate(complete, "fia");
            Check(report.Valid && report.Errors == 0 && report.Instrument == "fia" && report.Version == "1" &&
                  report.Status == "complete", "complete.json is valid");
            var invalid = engine.Validate(wrongType);
            Check(!invalid.Valid && invalid.Errors == 1 && invalid.Findings.Count == 1, "wrong_type.json has one error");
            var finding = invalid.Findings[0];
            Check(finding.IsError && finding.Code == "wrong_type" && finding.Path == "arbete.har_arbetat" &&
                  finding.Message.Sv.Length > 0 && finding.Message.En.Length > 0 && finding.Message.Sv != finding.Message.En,
                  "the finding is typed, in Swedish and English");
            Check(Encoding.UTF8.GetString(engine.ValidateJson(wrongType)).StartsWith("{\"instrument\":\"fia\""), "the report's bytes");
            Fails(Status.MalformedJson, "validate: a NULL document", () => engine.Validate(null));
            Fails(Status.MalformedJson, "validate: an empty document", () => engine.Validate(new byte[0]));
            Fails(Status.InvalidUtf8, "validate: a document that is not UTF-8", () => engine.Validate(notUtf8));
            Fails(Status.InstrumentMismatch, "validate: a FIA document as SUE", () => engine.Validate(complete, "sue"));
            Fails(Status.InstrumentMismatch, "validate: asked for an unknown instrument", () => engine.Validate(complete, "xyz"));
            Fails(Status.UnknownInstrument, "validate: a document of an unknown instrument", () => engine.Validate(
                Encoding.UTF8.GetBytes("{\"instrument\": \"xyz\", \"version\": \"1\", \"status\": \"complete\", \"answers\": {}}")));
            Fails(Status.UnknownVersion, "validate: an unknown version", () => engine.Validate(Fixture("fia/malformed/unknown_version.json")));
            var malformed = Fails(Status.MalformedJson, "validate: not JSON", () => engine.Validate(Fixture("fia/malformed/not_json.json")));
            Check(malformed.MessageSv.Contains("rad 1") && malformed.MessageEn.Contains("line 1"), "the position in both languages");

            // bistand_summary
            var summary = engine.Summary(complete, "2026-11-01");
            Check(summary.Instrument == "fia" && summary.InterviewDate == "2026-11-02" && summary.Areas.Count > 0 &&
                  summary.Areas.All(a => a.Label.Sv.Length > 0) && summary.Plan != null, "the summary is typed");
            Check(summary.Areas.Any(a => a.Label.Sv.Any(c => "åäöÅÄÖ".IndexOf(c) >= 0)), "Swedish labels keep å, ä, ö");
            Check(engine.Summary(complete, null, "fia").Instrument == "fia", "summary without today, instrument named");
            Fails(Status.DocumentNotValid, "summary: a document with errors", () => engine.Summary(wrongType, "2026-11-01"));
            Fails(Status.InvalidArgument, "summary: today is no date", () => engine.Summary(complete, "2026-13-45"));
            Fails(Status.InvalidUtf8, "summary: not UTF-8", () => engine.Summary(notUtf8, null));
            Fails(Status.InstrumentMismatch, "summary: a FIA document as SUE", () => engine.Summary(complete, null, "sue"));
            Fails(Status.MalformedJson, "summary: a NULL document", () => engine.Summary(null, null));

            // bistand_summary_page
            var page = engine.SummaryPage(complete, "2026-11-01", Language.Swedish);
            Check(page.StartsWith("<!DOCTYPE html>") && page.Contains("lang=\"sv\"") && page.Contains("Genomförandeplan"),
                  "the printable page in Swedish, å, ä, ö kept");
            Check(engine.SummaryPage(complete, null, Language.English, "fia").Contains("lang=\"en\""), "the printable page in English");
            Fails(Status.DocumentNotValid, "summary page: a document with errors", () => engine.SummaryPage(wrongType, null, Language.Swedish));
            Fails(Status.InvalidArgument, "summary page: no such language", () => engine.SummaryPage(complete, null, (Language)7));

            // bistand_definition, bistand_schema
            var definition = engine.Definition("fia");
            Check(definition.Instrument == "fia" && definition.Version == "1" && definition.Sections.Count > 0 &&
                  definition.Sections[0].Items.Count > 0 && definition.Title.Sv.StartsWith("FIA"), "the FIA definition is typed");
            Check(definition.CodeLists["omfattning"].Any(c => c.Value == "i_stor_omfattning" && c.Label.Sv == "I stor omfattning"),
                  "its code lists");
            Check(engine.Definition("sue", "1").Instrument == "sue", "the SUE definition, version 1");
            Fails(Status.UnknownVersion, "definition: an unknown version", () => engine.Definition("fia", "9"));
            Fails(Status.UnknownInstrument, "definition: an unknown instrument", () => engine.Definition("xyz"));
            Fails(Status.NullPointer, "definition: a NULL instrument", () => engine.Definition(null));
            Check(engine.SchemaJson("fia").Contains("json-schema.org/draft/2020-12"), "the FIA JSON Schema");
            Fails(Status.UnknownInstrument, "schema: an unknown instrument", () => engine.SchemaJson("xyz"));
            Fails(Status.NullPointer, "schema: a NULL instrument", () => engine.SchemaJson(null));

            // bistand_report
            var ndjson = Fixture("sue/report/records.ndjson");
            var keys = Encoding.UTF8.GetBytes(Keys);
            var exact = new ReportOptions { AsOf = "2026-11-24", Exact = true };
            var group = engine.Report("sue", ndjson, null, exact);
            Check(group.Report.Instrument == "sue" && group.Report.Records == 400 && group.Report.Exact &&
                  group.Report.Tables.Count > 0 && group.UnreadableLines == 0 && group.DocumentsWithErrors == 0,
                  "the exact SUE report is typed");
            var unit = group.Report.Tables.First(t => t.RowsAre == "unit");
            Check(unit.Rows.Any(r => r.Code == "Söder"), "the unit Söder is a row");
            Check(group.Report.Tables.SelectMany(t => t.Rows).SelectMany(r => r.Cells)
                  .All(c => !c.Suppressed || (c.Count == null && c.Share == null)), "suppressed cells have no count and no share");
            // Standardised shares and odds ratios (issue 15) are shown without a count, and quartiles of
            // the time to first intervention as weeks; every other shown cell has a count.
            Check(group.Report.Tables.Where(t => !t.Id.StartsWith("standardised") && !t.Id.StartsWith("association_")).SelectMany(t => t.Rows)
                  .SelectMany(r => r.Cells).All(c => c.Suppressed || c.Count != null || c.Weeks != null), "shown cells carry their count");
            Check(group.Report.Tables.Where(t => t.Id == "time_to_first_intervention").SelectMany(t => t.Rows)
                  .SelectMany(r => r.Cells).Any(c => c.Weeks != null), "quartiles in weeks are read");
            var options = new ReportOptions { AsOf = "2026-11-24" };
            var perturbed = engine.Report("sue", ndjson, keys, options);
            Check(!perturbed.Report.Exact && perturbed.Report.Perturbation.MaxDeviation == 2 && perturbed.Report.Records == 400,
                  "the report perturbed under the keys");
            Check(engine.ReportBytes("sue", ndjson, keys, options).SequenceEqual(engine.ReportBytes("sue", ndjson, keys, options)),
                  "the same keys, the same perturbation");
            var withBad = new List<byte>(ndjson);
            withBad.AddRange(notUtf8);
            withBad.Add((byte)'\n');
            Check(engine.Report("sue", withBad.ToArray(), null, exact).UnreadableLines == 1, "a line that is not UTF-8 is counted, not fatal");
            var csv = Encoding.UTF8.GetString(engine.ReportBytes("sue", ndjson, keys,
                new ReportOptions { AsOf = "2026-11-24", Format = "csv", Language = "sv", Breakdowns = new List<string> { "unit" } }));
            Check(csv.Contains("Söder"), "the CSV report in Swedish");
            var empty = engine.Report("sue", null, null, exact);
            Check(empty.Report.Records == 0, "a NULL NDJSON is an empty input");
            Fails(Status.InvalidArgument, "report: neither keys nor exact", () => engine.Report("sue", ndjson, null, options));
            Fails(Status.InvalidArgument, "report: keys that are not JSON", () => engine.Report("sue", ndjson, Encoding.UTF8.GetBytes("{"), options));
            Fails(Status.InvalidArgument, "report: no options", () => engine.ReportBytes("sue", ndjson, keys, (byte[])null));
            Fails(Status.InvalidArgument, "report: a threshold under 5",
                () => engine.Report("sue", ndjson, keys, new ReportOptions { AsOf = "2026-11-24", Threshold = 2 }));
            Fails(Status.InvalidArgument, "report: options not JSON", () => engine.ReportBytes("sue", ndjson, keys, Encoding.UTF8.GetBytes("{")));
            Fails(Status.InvalidUtf8Argument, "report: options not UTF-8", () => engine.ReportBytes("sue", ndjson, keys, notUtf8));
            Fails(Status.UnknownInstrument, "report: an unknown instrument", () => engine.Report("xyz", ndjson, keys, options));
            Fails(Status.NullPointer, "report: a NULL instrument", () => engine.Report(null, ndjson, keys, options));

            // Each thread has its own last error.
            var failures = 0;
            var threads = Enumerable.Range(0, 4).Select(i => new Thread(() =>
            {
                for (var n = 0; n < 50; n++)
                {
                    try
                    {
                        if (i % 2 == 0)
                        {
                            engine.Validate(notUtf8);
                        }
                        else if (!engine.Validate(complete).Valid || Library.LastError(Language.English) != "")
                        {
                            Interlocked.Increment(ref failures);
                        }
                    }
                    catch (BistandException e)
                    {
                        if (e.Status != Status.InvalidUtf8)
                        {
                            Interlocked.Increment(ref failures);
                        }
                    }
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Check(failures == 0, "four threads share the engine, each with its own last error");

            // bistand_pseudonymise
            var key = Enumerable.Repeat((byte)7, 32).ToArray();
            var pseudonym = Library.Pseudonymise("k1", key, "811218-9876", "2026-12-02");
            Check(pseudonym.StartsWith("k1:") && pseudonym.Length == 3 + 64, "a pseudonym");
            Check(Library.Pseudonymise("k1", key, "19811218-9876", "2026-12-02") == pseudonym, "the same in every spelling");
            Fails(Status.InvalidIdentifier, "pseudonymise: a bad check digit",
                () => Library.Pseudonymise("k1", key, "811218-9875", "2026-12-02"), "811218");
            Fails(Status.InvalidIdentifier, "pseudonymise: a short key",
                () => Library.Pseudonymise("k1", new byte[8], "811218-9876", "2026-12-02"));
            Fails(Status.InvalidIdentifier, "pseudonymise: a NULL key",
                () => Library.Pseudonymise("k1", null, "811218-9876", "2026-12-02"));
            Fails(Status.InvalidArgument, "pseudonymise: a bad date",
                () => Library.Pseudonymise("k1", key, "811218-9876", "2 december"));
            Fails(Status.NullPointer, "pseudonymise: a NULL key id",
                () => Library.Pseudonymise(null, key, "811218-9876", "2026-12-02"));
            Fails(Status.InvalidUtf8, "pseudonymise: a number that is not UTF-8",
                () => Library.Pseudonymise("k1", key, notUtf8, "2026-12-02"));

            // bistand_store_open, _put, _get, _free
            Directory.CreateDirectory(work);
            var path = Path.Combine(work, "arkiv-Söder.db");
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(path + suffix);
            }
            string recordId;
            var document = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(complete).Replace("\"status\": \"complete\"",
                "\"status\": \"complete\", \"unit\": \"Söder\""));
            using (var store = new Store(path, Keys))
            {
                var put = store.Put(engine, "811218-9876", document, "2026-12-02", "handlaggare-soder");
                Check(put.Stored && put.RecordId.Length == 32 && put.Report.Valid, "a document is stored");
                recordId = put.RecordId;
                Check(store.Get(recordId).SequenceEqual(document), "and read back byte for byte, Söder and all");
                var refused = store.Put(engine, "811218-9876", wrongType, "2026-12-02", "handlaggare-soder");
                Check(!refused.Stored && refused.RecordId == null && refused.Report.Errors == 1, "a document with errors is not stored");
                Fails(Status.InvalidArgument, "get: an id that is not 32 hex digits", () => store.Get("inte-ett-id"));
                Fails(Status.NotFound, "get: an unknown id", () => store.Get(new string('0', 32)));
                Fails(Status.NullPointer, "get: a NULL id", () => store.Get(null));
                Fails(Status.NullPointer, "put: a NULL engine", () => store.PutJson(null, Encoding.UTF8.GetBytes("811218-9876"), complete, "2026-12-02", "handlaggare-soder"));
                Fails(Status.InvalidIdentifier, "put: an empty client id", () => store.Put(engine, "", complete, "2026-12-02", "handlaggare-soder"));
                Fails(Status.InvalidUtf8, "put: a client id that is not UTF-8", () => store.PutJson(engine, notUtf8, complete, "2026-12-02", "handlaggare-soder"));
                Fails(Status.InvalidUtf8, "put: a document that is not UTF-8", () => store.Put(engine, "811218-9876", notUtf8, "2026-12-02", "handlaggare-soder"));
                Fails(Status.InvalidArgument, "put: a bad date", () => store.Put(engine, "811218-9876", complete, "igår", "handlaggare-soder"), "811218");
                Fails(Status.NullPointer, "put: a NULL date", () => store.Put(engine, "811218-9876", complete, null, "handlaggare-soder"));
                Fails(Status.NullPointer, "put: nobody named for the audit log", () => store.Put(engine, "811218-9876", complete, "2026-12-02", null));
                Fails(Status.InvalidArgument, "put: a principal shaped like a personnummer", () => store.Put(engine, "811218-9876", complete, "2026-12-02", "811218-9876"), "811218");
            }
            using (var again = new Store(path, Encoding.UTF8.GetBytes(Keys)))
            {
                Check(again.Get(recordId).SequenceEqual(document), "the record survives closing the store");

                // bistand_store_report
                var stored = again.Report(engine, "fia", new ReportOptions { Principal = "handlaggare-soder", AsOf = "2026-12-02" });
                Check(stored.Report.Instrument == "fia" && stored.Report.Records == 1 && !stored.Report.Exact &&
                      stored.RecordsNotCounted == 0, "the store's report, perturbed");
                Check(again.Report(engine, "fia", new ReportOptions { Principal = "handlaggare-soder", AsOf = "2026-12-02", Units = new List<string> { "söder" } }).Report.Records == 1,
                      "units are compared as the store compares them: söder is Söder");
                Check(again.Report(engine, "fia", new ReportOptions { Principal = "handlaggare-soder", AsOf = "2026-12-02", Units = new List<string> { "Norr" } }).Report.Records == 0,
                      "a unit without records");
                Fails(Status.InvalidArgument, "store report: nobody named for the audit log",
                    () => again.Report(engine, "fia", new ReportOptions { AsOf = "2026-12-02" }));
                Fails(Status.InvalidArgument, "store report: exact counts", () => again.Report(engine, "fia",
                    new ReportOptions { Principal = "handlaggare-soder", AsOf = "2026-12-02", Exact = true }));
                Fails(Status.NullPointer, "store report: a NULL engine", () => again.ReportBytes(null, "fia", Encoding.UTF8.GetBytes("{\"principal\": \"handlaggare-soder\", \"as_of\": \"2026-12-02\"}")));
                Fails(Status.NullPointer, "store report: a NULL instrument", () => again.Report(engine, null, new ReportOptions { Principal = "handlaggare-soder", AsOf = "2026-12-02" }));
                Fails(Status.InvalidArgument, "store report: no options", () => again.ReportBytes(engine, "fia", null));
                Fails(Status.UnknownInstrument, "store report: an unknown instrument", () => again.Report(engine, "xyz", new ReportOptions { Principal = "handlaggare-soder", AsOf = "2026-12-02" }));
            }
            Fails(Status.WrongKeys, "store open: another organisation's keys", () => new Store(path, OtherKeys));
            Fails(Status.InvalidArgument, "store open: keys that are not JSON", () => new Store(Path.Combine(work, "b.db"), "{"));
            Fails(Status.InvalidArgument, "store open: no keys", () => new Store(Path.Combine(work, "b.db"), (byte[])null));
            Fails(Status.NullPointer, "store open: a NULL path", () => new Store(null, Keys));
            Fails(Status.InvalidArgument, "store open: :memory:", () => new Store(":memory:", Keys));
            var closed = new Store(Path.Combine(work, "c.db"), Keys);
            closed.Dispose();
            try
            {
                closed.Get(recordId);
                throw new Exception("check failed: a disposed store was used");
            }
            catch (ObjectDisposedException)
            {
                Check(true, "a disposed store is refused before the native call");
            }
        }
    }
}
