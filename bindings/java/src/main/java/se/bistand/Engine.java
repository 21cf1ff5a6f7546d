package se.bistand;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;

/**
 * Loaded definitions and an optional organisation profile (bistand_engine_new): validation,
 * summaries, definitions, schemas and group reports. Create one and share it: every method may be
 * called from many threads at once. Close it when done. Each operation has a typed form and a
 * *Json form that returns bistand's exact bytes (what the conformance suite compares).
 */
public final class Engine implements AutoCloseable {
    private Pointer handle;

    /** An engine with no profile. */
    public Engine() {
        this((byte[]) null);
    }

    /** An engine with a profile (JSON, e.g. {"hidden_items": {"fia": ["arbete.yrke"]}}). */
    public Engine(String profileJson) {
        this(Bistand.bytes(profileJson));
    }

    public Engine(byte[] profileJson) {
        PointerByReference out = new PointerByReference();
        Bistand.check(NativeLib.LIB.bistand_engine_new(profileJson, Bistand.len(profileJson), out));
        handle = out.getValue();
    }

    private Engine(Pointer handle) {
        this.handle = handle;
    }

    /**
     * An engine with instrument definitions the caller supplies beside the shipped ones
     * (bistand_engine_new_with_definitions): definitionsJson is a JSON array of definition objects,
     * each what one definition file holds (see docs/definitions.md); profileJson as for the
     * constructor, null for none. A definition the compiler refuses is a BistandException naming
     * its position, item and rule.
     */
    public static Engine withDefinitions(byte[] definitionsJson, byte[] profileJson) {
        PointerByReference out = new PointerByReference();
        Bistand.check(NativeLib.LIB.bistand_engine_new_with_definitions(
                definitionsJson, Bistand.len(definitionsJson), profileJson, Bistand.len(profileJson), out));
        return new Engine(out.getValue());
    }

    /** The native pointer; refuses a closed engine before any native call. */
    synchronized Pointer handle() {
        if (handle == null) {
            throw new IllegalStateException("the engine is closed");
        }
        return handle;
    }

    /** The validation report of a document (bistand_validate); instrument null: any. */
    public ValidationReport validate(byte[] document, String instrument) {
        return Bistand.parse(validateJson(document, instrument), ValidationReport.class);
    }

    public ValidationReport validate(byte[] document) {
        return validate(document, null);
    }

    public byte[] validateJson(byte[] document, String instrument) {
        PointerByReference out = new PointerByReference();
        Bistand.check(NativeLib.LIB.bistand_validate(
                handle(), Bistand.cString(instrument), document, Bistand.len(document), out));
        return Bistand.take(out);
    }

    /** The derived summary of a FIA document without errors (bistand_summary); today may be null. */
    public FiaSummary summary(byte[] document, String today, String instrument) {
        return Bistand.parse(summaryJson(document, today, instrument), FiaSummary.class);
    }

    public byte[] summaryJson(byte[] document, String today, String instrument) {
        PointerByReference out = new PointerByReference();
        Bistand.check(NativeLib.LIB.bistand_summary(handle(), Bistand.cString(instrument), document,
                Bistand.len(document), Bistand.cString(today), out));
        return Bistand.take(out);
    }

    /**
     * The printable summary of a FIA document without errors (bistand_summary_page): one
     * self-contained HTML page (UTF-8) for the client's file, with labels in {@code language} and
     * never codes; it prints on A4. {@code today} as for {@link #summary}.
     */
    public String summaryPage(byte[] document, String today, Language language, String instrument) {
        PointerByReference out = new PointerByReference();
        Bistand.check(NativeLib.LIB.bistand_summary_page(handle(), Bistand.cString(instrument), document,
                Bistand.len(document), Bistand.cString(today), language.code(), out));
        return new String(Bistand.take(out), StandardCharsets.UTF_8);
    }

    /** An instrument definition (bistand_definition); version null: the newest. */
    public Definition definition(String instrument, String version) {
        return Bistand.parse(definitionJson(instrument, version), Definition.class);
    }

    public byte[] definitionJson(String instrument, String version) {
        PointerByReference out = new PointerByReference();
        Bistand.check(NativeLib.LIB.bistand_definition(
                handle(), Bistand.cString(instrument), Bistand.cString(version), out));
        return Bistand.take(out);
    }

    /** The JSON Schema (2020-12) of an instrument's documents (bistand_schema), as text. */
    public String schemaJson(String instrument, String version) {
        PointerByReference out = new PointerByReference();
        Bistand.check(NativeLib.LIB.bistand_schema(
                handle(), Bistand.cString(instrument), Bistand.cString(version), out));
        return new String(Bistand.take(out), StandardCharsets.UTF_8);
    }

    /** An instrument definition as a FHIR R4 Questionnaire (bistand_definition_fhir), as text. */
    public String definitionFhirJson(String instrument, String version) {
        PointerByReference out = new PointerByReference();
        Bistand.check(NativeLib.LIB.bistand_definition_fhir(
                handle(), Bistand.cString(instrument), Bistand.cString(version), out));
        return new String(Bistand.take(out), StandardCharsets.UTF_8);
    }

    /**
     * A FHIR R4 QuestionnaireResponse read as a bistand document and validated
     * (bistand_questionnaire_response_validate): JSON {"document", "report"}.
     */
    public byte[] validateQuestionnaireResponseJson(byte[] response) {
        PointerByReference out = new PointerByReference();
        Bistand.check(NativeLib.LIB.bistand_questionnaire_response_validate(
                handle(), response, Bistand.len(response), out));
        return Bistand.take(out);
    }

    /**
     * Group statistics with disclosure control over NDJSON documents (bistand_report), typed. Counts
     * are perturbed under the statistics key of keysJson (the keys file, which also identifies
     * persons); with null keys the options must ask for exact counts (the data owner only, never for
     * publication).
     */
    public GroupReportResult report(String instrument, byte[] ndjson, byte[] keysJson, ReportOptions options) {
        if (options != null && options.format() != null && !options.format().equals("json")) {
            throw new IllegalArgumentException("report returns the JSON form; use reportBytes for CSV");
        }
        return Bistand.parse(reportBytes(instrument, ndjson, keysJson, options), GroupReportResult.class);
    }

    /** The report's exact bytes, JSON or CSV as the options say. */
    public byte[] reportBytes(String instrument, byte[] ndjson, byte[] keysJson, ReportOptions options) {
        return reportBytes(instrument, ndjson, keysJson, options == null ? null : Bistand.write(options));
    }

    /** As above, with the options as raw JSON (null: none, which the library refuses). */
    public byte[] reportBytes(String instrument, byte[] ndjson, byte[] keysJson, byte[] optionsJson) {
        PointerByReference out = new PointerByReference();
        Bistand.check(NativeLib.LIB.bistand_report(handle(), Bistand.cString(instrument), ndjson,
                Bistand.len(ndjson), keysJson, Bistand.len(keysJson), optionsJson, Bistand.len(optionsJson), out));
        return Bistand.take(out);
    }

    /** Releases the engine (bistand_engine_free); closing twice is a no-op. */
    @Override
    public synchronized void close() {
        if (handle != null) {
            NativeLib.LIB.bistand_engine_free(handle);
            handle = null;
        }
    }
}
