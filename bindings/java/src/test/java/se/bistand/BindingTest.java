package se.bistand;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Java binding's tests: every C function through the binding, with good input and bad (null
 * where the C side takes NULL, invalid UTF-8, a wrong instrument, a closed handle). Run by
 * ffi/tests/integration/bindings.rs (cargo test), which compiles the binding with Debian's JDK
 * and runs this class against the library cargo built:
 *
 * <pre>java -Djna.library.path=DIR -cp ... se.bistand.BindingTest REPO_ROOT WORK_DIR EXPECTED_VERSION</pre>
 *
 * Prints one line per check and exits 1 on the first failure.
 */
public final class BindingTest {
    private static final String KEYS =
            "{\"pseudonym_key\": {\"id\": \"p1\", \"secret_hex\": \"0101010101010101010101010101010101010101010101010101010101010101\"},"
            + " \"data_keys\": [{\"id\": \"k1\", \"secret_hex\": \"0202020202020202020202020202020202020202020202020202020202020202\"}],"
            + " \"active_data_key\": \"k1\"}";
    private static final String OTHER_KEYS =
            "{\"pseudonym_key\": {\"id\": \"p9\", \"secret_hex\": \"0909090909090909090909090909090909090909090909090909090909090909\"},"
            + " \"data_keys\": [{\"id\": \"k9\", \"secret_hex\": \"0808080808080808080808080808080808080808080808080808080808080808\"}],"
            + " \"active_data_key\": \"k9\"}";
    private static final byte[] NOT_UTF8 = {0x7b, 0x22, (byte) 0xff, (byte) 0xfe, 0x22, 0x7d};

    private static Path root;
    private static int checks;

    interface Call {
        void run() throws Exception;
    }

    private static byte[] fixture(String path) throws Exception {
        return Files.readAllBytes(root.resolve("tests/data").resolve(path));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError("check failed: " + what);
        }
        checks++;
        System.out.println("ok   " + what);
    }

    private static BistandException fails(Status status, String what, Call call) throws Exception {
        return fails(status, what, call, null);
    }

    /** The call fails with status, messages in both languages, and no echo of secret. */
    private static BistandException fails(Status status, String what, Call call, String secret) throws Exception {
        try {
            call.run();
        } catch (BistandException e) {
            check(e.status() == status, what + ": status " + e.status() + " (expected " + status + ")");
            check(!e.messageSv().isEmpty() && !e.messageEn().isEmpty(),
                    what + ": both messages (" + e.messageSv() + " | " + e.messageEn() + ")");
            if (secret != null) {
                check(!e.messageSv().contains(secret) && !e.messageEn().contains(secret), what + ": no echo of the input");
            }
            return e;
        }
        throw new AssertionError("check failed: " + what + ": no exception (expected " + status + ")");
    }

    private static void closedIsRefused(String what, Call call) throws Exception {
        try {
            call.run();
        } catch (IllegalStateException e) {
            check(true, what);
            return;
        }
        throw new AssertionError("check failed: " + what);
    }

    public static void main(String[] args) {
        root = Path.of(args[0]);
        try {
            run(Path.of(args[1]), args[2]);
            runConformance();
        } catch (Throwable e) {
            System.out.println("FAIL " + e);
            e.printStackTrace(System.out);
            System.exit(1);
        }
        System.out.println(checks + " checks passed");
    }

    /** The golden cases of tests/conformance through this binding, byte for byte. */
    private static void runConformance() throws Exception {
        List<Conformance.CaseResult> results = Conformance.run(root.resolve("tests/conformance/cases"));
        for (Conformance.CaseResult result : results) {
            check(result.passed(), "conformance " + result.name() + (result.passed() ? "" : ": " + result.detail()));
        }
        check(results.size() >= 21, "conformance: " + results.size() + " cases");
    }

    private static void run(Path work, String expectedVersion) throws Exception {
        byte[] complete = fixture("fia/valid/complete.json");
        byte[] wrongType = fixture("fia/invalid/wrong_type.json");

        // bistand_version, bistand_status_message, bistand_last_error
        check(Bistand.version().equals(expectedVersion), "version " + Bistand.version());
        check(Bistand.statusMessage(Status.MALFORMED_JSON).contains("JSON"), "status message of 201");
        for (Status status : Status.values()) {
            check(!Bistand.statusMessage(status).isEmpty(), "status message of " + status.code());
        }
        fails(Status.INVALID_ARGUMENT, "status message of a number that is no status", () -> Bistand.statusMessage(7));
        check(Bistand.lastError(Language.SWEDISH).isEmpty(), "no last error after a success");

        // bistand_engine_new, bistand_engine_free
        fails(Status.INVALID_PROFILE, "a profile that is not JSON", () -> new Engine("{inte json"));
        fails(Status.INVALID_UTF8, "a profile that is not UTF-8", () -> new Engine(NOT_UTF8));
        fails(Status.INVALID_PROFILE, "a profile hiding what may not be hidden",
                () -> new Engine("{\"hidden_items\": {\"fia\": [\"bakgrund.har_barn\"]}}"));
        try (Engine withProfile = new Engine(fixture("fia/invalid/profile.json"))) {
            ValidationReport hidden = withProfile.validate(fixture("fia/invalid/hidden_item_present.json"));
            check(!hidden.valid() && hidden.findings().stream().anyMatch(f -> f.code().equals("hidden_item_present")),
                    "the profile hides arbete.yrke");
        }
        // bistand_engine_new_with_definitions: the supplied example gives the shared report bytes
        {
            String definition = new String(fixture("supplied/definitions/lokal_uppfoljning-1.json"), StandardCharsets.UTF_8);
            byte[] definitions = ("[" + definition + "]").getBytes(StandardCharsets.UTF_8);
            try (Engine supplied = Engine.withDefinitions(definitions, null)) {
                byte[] bytes = supplied.validateJson(fixture("supplied/document.json"), "lokal_uppfoljning");
                check(Arrays.equals(bytes, fixture("supplied/document.report.json")), "a supplied definition gives the shared report bytes");
                check(supplied.validate(complete, "fia").valid(), "the shipped instruments stay beside a supplied one");
                // bistand_definition_fhir and bistand_questionnaire_response_validate: the way
                // there and back, to the bytes the core and REST give.
                check(supplied.definitionFhirJson("lokal_uppfoljning", null).contains("\"resourceType\":\"Questionnaire\""),
                        "the FHIR Questionnaire");
                byte[] result = supplied.validateQuestionnaireResponseJson(fixture("supplied/response.json"));
                check(Arrays.equals(result, fixture("supplied/response.result.json")),
                        "a QuestionnaireResponse gives the shared bytes");
            }
            byte[] broken = ("[" + definition.replace("\"min\": 0,", "\"min\": 60,") + "]").getBytes(StandardCharsets.UTF_8);
            fails(Status.INVALID_DEFINITION, "a supplied definition the compiler refuses", () -> Engine.withDefinitions(broken, null));
            fails(Status.INVALID_UTF8, "supplied definitions that are not UTF-8", () -> Engine.withDefinitions(NOT_UTF8, null));
        }
        Engine closed = new Engine();
        closed.close();
        closed.close();
        closedIsRefused("a closed engine is refused before the native call", () -> closed.validate(complete));

        try (Engine engine = new Engine()) {
            // bistand_validate
            ValidationReport report = engine.validate(complete, "fia");
            check(report.valid() && report.errors() == 0 && report.instrument().equals("fia")
                    && report.version().equals("1") && report.status().equals("complete"), "complete.json is valid");
            ValidationReport invalid = engine.validate(wrongType);
            check(!invalid.valid() && invalid.errors() == 1 && invalid.findings().size() == 1, "wrong_type.json has one error");
            Finding finding = invalid.findings().get(0);
            check(finding.severity().equals("error") && finding.code().equals("wrong_type")
                    && finding.path().equals("arbete.har_arbetat") && !finding.message().sv().isEmpty()
                    && !finding.message().sv().equals(finding.message().en()),
                    "the finding is typed, in Swedish and English");
            check(new String(engine.validateJson(wrongType, null), StandardCharsets.UTF_8).startsWith("{\"instrument\":\"fia\""),
                    "the report's bytes");
            fails(Status.MALFORMED_JSON, "validate: a NULL document", () -> engine.validate(null));
            fails(Status.MALFORMED_JSON, "validate: an empty document", () -> engine.validate(new byte[0]));
            fails(Status.INVALID_UTF8, "validate: a document that is not UTF-8", () -> engine.validate(NOT_UTF8));
            fails(Status.INSTRUMENT_MISMATCH, "validate: a FIA document as SUE", () -> engine.validate(complete, "sue"));
            fails(Status.INSTRUMENT_MISMATCH, "validate: asked for an unknown instrument", () -> engine.validate(complete, "xyz"));
            fails(Status.UNKNOWN_INSTRUMENT, "validate: a document of an unknown instrument", () -> engine.validate(
                    utf8("{\"instrument\": \"xyz\", \"version\": \"1\", \"status\": \"complete\", \"answers\": {}}")));
            fails(Status.UNKNOWN_VERSION, "validate: an unknown version",
                    () -> engine.validate(fixture("fia/malformed/unknown_version.json")));
            BistandException malformed = fails(Status.MALFORMED_JSON, "validate: not JSON",
                    () -> engine.validate(fixture("fia/malformed/not_json.json")));
            check(malformed.messageSv().contains("rad 1") && malformed.messageEn().contains("line 1"),
                    "the position in both languages");

            // bistand_summary
            FiaSummary summary = engine.summary(complete, "2026-11-01", null);
            check(summary.instrument().equals("fia") && summary.interviewDate().equals("2026-11-02")
                    && !summary.areas().isEmpty() && summary.plan() != null, "the summary is typed");
            check(summary.areas().stream().anyMatch(a -> a.label().sv().matches(".*[åäöÅÄÖ].*")),
                    "Swedish labels keep å, ä, ö");
            check(engine.summary(complete, null, "fia").instrument().equals("fia"), "summary without today, instrument named");
            fails(Status.DOCUMENT_NOT_VALID, "summary: a document with errors", () -> engine.summary(wrongType, "2026-11-01", null));
            fails(Status.INVALID_ARGUMENT, "summary: today is no date", () -> engine.summary(complete, "2026-13-45", null));
            fails(Status.INVALID_UTF8, "summary: not UTF-8", () -> engine.summary(NOT_UTF8, null, null));
            fails(Status.INSTRUMENT_MISMATCH, "summary: a FIA document as SUE", () -> engine.summary(complete, null, "sue"));
            fails(Status.MALFORMED_JSON, "summary: a NULL document", () -> engine.summary(null, null, null));

            // bistand_summary_page
            String page = engine.summaryPage(complete, "2026-11-01", Language.SWEDISH, null);
            check(page.startsWith("<!DOCTYPE html>") && page.contains("lang=\"sv\"") && page.contains("Genomförandeplan"),
                    "the printable page in Swedish, å, ä, ö kept");
            check(engine.summaryPage(complete, null, Language.ENGLISH, "fia").contains("lang=\"en\""),
                    "the printable page in English");
            fails(Status.DOCUMENT_NOT_VALID, "summary page: a document with errors",
                    () -> engine.summaryPage(wrongType, null, Language.SWEDISH, null));

            // bistand_definition, bistand_schema
            Definition definition = engine.definition("fia", null);
            check(definition.instrument().equals("fia") && definition.version().equals("1")
                    && !definition.sections().isEmpty() && !definition.sections().get(0).items().isEmpty()
                    && definition.title().sv().startsWith("FIA"), "the FIA definition is typed");
            check(definition.codeLists().get("omfattning").stream()
                    .anyMatch(c -> c.code().equals("i_stor_omfattning") && c.label().sv().equals("I stor omfattning")),
                    "its code lists");
            check(engine.definition("sue", "1").instrument().equals("sue"), "the SUE definition, version 1");
            fails(Status.UNKNOWN_VERSION, "definition: an unknown version", () -> engine.definition("fia", "9"));
            fails(Status.UNKNOWN_INSTRUMENT, "definition: an unknown instrument", () -> engine.definition("xyz", null));
            fails(Status.NULL_POINTER, "definition: a NULL instrument", () -> engine.definition(null, null));
            check(engine.schemaJson("fia", null).contains("json-schema.org/draft/2020-12"), "the FIA JSON Schema");
            fails(Status.UNKNOWN_INSTRUMENT, "schema: an unknown instrument", () -> engine.schemaJson("xyz", null));
            fails(Status.NULL_POINTER, "schema: a NULL instrument", () -> engine.schemaJson(null, null));

            // bistand_report
            byte[] ndjson = fixture("sue/report/records.ndjson");
            byte[] keys = utf8(KEYS);
            ReportOptions exact = new ReportOptions("2026-11-24", null, null, true, null, null, null, null);
            GroupReportResult group = engine.report("sue", ndjson, null, exact);
            check(group.report().instrument().equals("sue") && group.report().records() == 400 && group.report().exact()
                    && !group.report().tables().isEmpty() && group.unreadableLines() == 0
                    && group.documentsWithErrors() == 0, "the exact SUE report is typed");
            Table unit = group.report().tables().stream().filter(t -> t.rowsAre().equals("unit")).findFirst().orElseThrow();
            check(unit.rows().stream().anyMatch(r -> r.code().equals("Söder")), "the unit Söder is a row");
            check(group.report().tables().stream().flatMap(t -> t.rows().stream()).flatMap(r -> r.cells().stream())
                    .allMatch(c -> !c.suppressed() || (c.count() == null && c.share() == null)), "suppressed cells have no count and no share");
            // Standardised shares and odds ratios (issue 15) are shown without a count, and quartiles of
            // the time to first intervention as weeks; every other shown cell has a count.
            check(group.report().tables().stream().filter(t -> !t.id().startsWith("standardised") && !t.id().startsWith("association_"))
                    .flatMap(t -> t.rows().stream()).flatMap(r -> r.cells().stream())
                    .allMatch(c -> c.suppressed() || c.count() != null || c.weeks() != null), "shown cells carry their count");
            check(group.report().tables().stream().filter(t -> t.id().equals("time_to_first_intervention"))
                    .flatMap(t -> t.rows().stream()).flatMap(r -> r.cells().stream())
                    .anyMatch(c -> c.weeks() != null), "quartiles in weeks are read");
            ReportOptions options = ReportOptions.of("2026-11-24");
            GroupReportResult perturbed = engine.report("sue", ndjson, keys, options);
            check(!perturbed.report().exact() && perturbed.report().perturbation().maxDeviation() == 2
                    && perturbed.report().records() == 400, "the report perturbed under the keys");
            check(Arrays.equals(engine.reportBytes("sue", ndjson, keys, options), engine.reportBytes("sue", ndjson, keys, options)),
                    "the same keys, the same perturbation");
            ByteArrayOutputStream withBad = new ByteArrayOutputStream();
            withBad.write(ndjson);
            withBad.write(NOT_UTF8);
            withBad.write('\n');
            check(engine.report("sue", withBad.toByteArray(), null, exact).unreadableLines() == 1,
                    "a line that is not UTF-8 is counted, not fatal");
            String csv = new String(engine.reportBytes("sue", ndjson, keys,
                    new ReportOptions("2026-11-24", null, List.of("unit"), null, null, null, "csv", "sv")), StandardCharsets.UTF_8);
            check(csv.contains("Söder"), "the CSV report in Swedish");
            check(engine.report("sue", null, null, exact).report().records() == 0, "a NULL NDJSON is an empty input");
            fails(Status.INVALID_ARGUMENT, "report: neither keys nor exact", () -> engine.report("sue", ndjson, null, options));
            fails(Status.INVALID_ARGUMENT, "report: keys that are not JSON", () -> engine.report("sue", ndjson, utf8("{"), options));
            fails(Status.INVALID_ARGUMENT, "report: no options", () -> engine.reportBytes("sue", ndjson, keys, (byte[]) null));
            fails(Status.INVALID_ARGUMENT, "report: a threshold under 5",
                    () -> engine.report("sue", ndjson, keys, new ReportOptions("2026-11-24", 2, null, null, null, null, null, null)));
            fails(Status.INVALID_ARGUMENT, "report: options not JSON", () -> engine.reportBytes("sue", ndjson, keys, utf8("{")));
            fails(Status.INVALID_UTF8_ARGUMENT, "report: options not UTF-8", () -> engine.reportBytes("sue", ndjson, keys, NOT_UTF8));
            fails(Status.UNKNOWN_INSTRUMENT, "report: an unknown instrument", () -> engine.report("xyz", ndjson, keys, options));
            fails(Status.NULL_POINTER, "report: a NULL instrument", () -> engine.report(null, ndjson, keys, options));

            // Each thread has its own last error.
            AtomicInteger failures = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                boolean bad = i % 2 == 0;
                threads.add(new Thread(() -> {
                    for (int n = 0; n < 50; n++) {
                        try {
                            if (bad) {
                                engine.validate(NOT_UTF8);
                            } else if (!engine.validate(complete).valid() || !Bistand.lastError(Language.ENGLISH).isEmpty()) {
                                failures.incrementAndGet();
                            }
                        } catch (BistandException e) {
                            if (e.status() != Status.INVALID_UTF8) {
                                failures.incrementAndGet();
                            }
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            check(failures.get() == 0, "four threads share the engine, each with its own last error");

            // bistand_pseudonymise
            byte[] key = new byte[32];
            Arrays.fill(key, (byte) 7);
            String pseudonym = Bistand.pseudonymise("k1", key, "811218-9876", "2026-12-02");
            check(pseudonym.startsWith("k1:") && pseudonym.length() == 3 + 64, "a pseudonym");
            check(Bistand.pseudonymise("k1", key, "19811218-9876", "2026-12-02").equals(pseudonym), "the same in every spelling");
            fails(Status.INVALID_IDENTIFIER, "pseudonymise: a bad check digit",
                    () -> Bistand.pseudonymise("k1", key, "811218-9875", "2026-12-02"), "811218");
            fails(Status.INVALID_IDENTIFIER, "pseudonymise: a short key",
                    () -> Bistand.pseudonymise("k1", new byte[8], "811218-9876", "2026-12-02"));
            fails(Status.INVALID_IDENTIFIER, "pseudonymise: a NULL key",
                    () -> Bistand.pseudonymise("k1", null, "811218-9876", "2026-12-02"));
            fails(Status.INVALID_ARGUMENT, "pseudonymise: a bad date",
                    () -> Bistand.pseudonymise("k1", key, "811218-9876", "2 december"));
            fails(Status.NULL_POINTER, "pseudonymise: a NULL key id",
                    () -> Bistand.pseudonymise(null, key, "811218-9876", "2026-12-02"));
            fails(Status.INVALID_UTF8, "pseudonymise: a number that is not UTF-8",
                    () -> Bistand.pseudonymise("k1", key, NOT_UTF8, "2026-12-02"));

            // bistand_store_open, _put, _get, _free
            Files.createDirectories(work);
            String path = work.resolve("arkiv-Söder.db").toString();
            for (String suffix : List.of("", "-wal", "-shm")) {
                Files.deleteIfExists(Path.of(path + suffix));
            }
            byte[] document = utf8(new String(complete, StandardCharsets.UTF_8)
                    .replace("\"status\": \"complete\"", "\"status\": \"complete\", \"unit\": \"Söder\""));
            String recordId;
            try (Store store = new Store(path, KEYS)) {
                PutResult put = store.put(engine, "811218-9876", document, "2026-12-02", "handlaggare-soder");
                check(put.stored() && put.recordId().length() == 32 && put.report().valid(), "a document is stored");
                recordId = put.recordId();
                check(Arrays.equals(store.get(recordId), document), "and read back byte for byte, Söder and all");
                PutResult refused = store.put(engine, "811218-9876", wrongType, "2026-12-02", "handlaggare-soder");
                check(!refused.stored() && refused.recordId() == null && refused.report().errors() == 1,
                        "a document with errors is not stored");
                fails(Status.INVALID_ARGUMENT, "get: an id that is not 32 hex digits", () -> store.get("inte-ett-id"));
                fails(Status.NOT_FOUND, "get: an unknown id", () -> store.get("0".repeat(32)));
                fails(Status.NULL_POINTER, "get: a NULL id", () -> store.get(null));
                fails(Status.NULL_POINTER, "put: a NULL engine",
                        () -> store.putJson(null, utf8("811218-9876"), complete, "2026-12-02", "handlaggare-soder"));
                fails(Status.INVALID_IDENTIFIER, "put: an empty client id", () -> store.put(engine, "", complete, "2026-12-02", "handlaggare-soder"));
                fails(Status.INVALID_UTF8, "put: a client id that is not UTF-8",
                        () -> store.putJson(engine, NOT_UTF8, complete, "2026-12-02", "handlaggare-soder"));
                fails(Status.INVALID_UTF8, "put: a document that is not UTF-8",
                        () -> store.put(engine, "811218-9876", NOT_UTF8, "2026-12-02", "handlaggare-soder"));
                fails(Status.INVALID_ARGUMENT, "put: a bad date",
                        () -> store.put(engine, "811218-9876", complete, "igår", "handlaggare-soder"), "811218");
                fails(Status.NULL_POINTER, "put: a NULL date", () -> store.put(engine, "811218-9876", complete, null, "handlaggare-soder"));
                fails(Status.NULL_POINTER, "put: nobody named for the audit log",
                        () -> store.put(engine, "811218-9876", complete, "2026-12-02", null));
                fails(Status.INVALID_ARGUMENT, "put: a principal shaped like a personnummer",
                        () -> store.put(engine, "811218-9876", complete, "2026-12-02", "811218-9876"), "811218");
            }
            try (Store again = new Store(path, utf8(KEYS))) {
                check(Arrays.equals(again.get(recordId), document), "the record survives closing the store");

                // bistand_store_report
                StoreReportResult stored = again.report(engine, "fia", ReportOptions.ofStore("handlaggare-soder", "2026-12-02"));
                check(stored.report().instrument().equals("fia") && stored.report().records() == 1
                        && !stored.report().exact() && stored.recordsNotCounted() == 0, "the store's report, perturbed");
                check(again.report(engine, "fia", new ReportOptions("2026-12-02", null, null, null, List.of("söder"), "handlaggare-soder", null, null))
                        .report().records() == 1, "units are compared as the store compares them: söder is Söder");
                check(again.report(engine, "fia", new ReportOptions("2026-12-02", null, null, null, List.of("Norr"), "handlaggare-soder", null, null))
                        .report().records() == 0, "a unit without records");
                fails(Status.INVALID_ARGUMENT, "store report: nobody named for the audit log",
                        () -> again.report(engine, "fia", ReportOptions.of("2026-12-02")));
                fails(Status.INVALID_ARGUMENT, "store report: exact counts", () -> again.report(engine, "fia",
                        new ReportOptions("2026-12-02", null, null, true, null, "handlaggare-soder", null, null)));
                fails(Status.NULL_POINTER, "store report: a NULL engine",
                        () -> again.reportBytes(null, "fia", utf8("{\"principal\": \"handlaggare-soder\", \"as_of\": \"2026-12-02\"}")));
                fails(Status.NULL_POINTER, "store report: a NULL instrument",
                        () -> again.report(engine, null, ReportOptions.ofStore("handlaggare-soder", "2026-12-02")));
                fails(Status.INVALID_ARGUMENT, "store report: no options", () -> again.reportBytes(engine, "fia", null));
                fails(Status.UNKNOWN_INSTRUMENT, "store report: an unknown instrument",
                        () -> again.report(engine, "xyz", ReportOptions.ofStore("handlaggare-soder", "2026-12-02")));
            }
            fails(Status.WRONG_KEYS, "store open: another organisation's keys", () -> new Store(path, OTHER_KEYS));
            fails(Status.INVALID_ARGUMENT, "store open: keys that are not JSON", () -> new Store(work.resolve("b.db").toString(), "{"));
            fails(Status.INVALID_ARGUMENT, "store open: no keys", () -> new Store(work.resolve("b.db").toString(), (byte[]) null));
            fails(Status.NULL_POINTER, "store open: a NULL path", () -> new Store(null, KEYS));
            fails(Status.INVALID_ARGUMENT, "store open: :memory:", () -> new Store(":memory:", KEYS));
            Store closedStore = new Store(work.resolve("c.db").toString(), KEYS);
            closedStore.close();
            closedIsRefused("a closed store is refused before the native call", () -> closedStore.get(recordId));
        }
    }
}
