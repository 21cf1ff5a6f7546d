package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The conformance suite's runner for Java (see tests/conformance/README.md): every golden case
 * through this binding, compared byte for byte with the expected answer. Vendors run it against
 * their deployment of the binding and the native library to certify it.
 */
public final class Conformance {
    private Conformance() {}

    /** How one case went: passed, or failed and how. */
    public record CaseResult(String name, boolean passed, String detail) {}

    @JsonIgnoreProperties(ignoreUnknown = false)
    private record CaseFile(
            @JsonProperty("description") String description,
            @JsonProperty("operation") String operation,
            @JsonProperty("expected") String expected,
            @JsonProperty("expected_error") String expectedError,
            @JsonProperty("instrument") String instrument,
            @JsonProperty("document") String document,
            @JsonProperty("profile") String profile,
            @JsonProperty("today") String today,
            @JsonProperty("ndjson") String ndjson,
            @JsonProperty("keys") String keys,
            @JsonProperty("options") String options,
            @JsonProperty("key_id") String keyId,
            @JsonProperty("key_hex") String keyHex,
            @JsonProperty("personnummer") String personnummer,
            @JsonProperty("reference_date") String referenceDate) {}

    /** Runs every case in casesDir (one folder per case, each with a case.json). */
    public static List<CaseResult> run(Path casesDir) throws IOException {
        List<Path> folders;
        try (Stream<Path> entries = Files.list(casesDir)) {
            folders = entries.filter(p -> Files.isRegularFile(p.resolve("case.json"))).sorted().toList();
        }
        if (folders.isEmpty()) {
            throw new IllegalArgumentException(casesDir + " has no cases");
        }
        List<CaseResult> results = new ArrayList<>();
        for (Path folder : folders) {
            results.add(runCase(folder));
        }
        return results;
    }

    private static byte[] read(Path folder, String file) {
        if (file == null) {
            return null;
        }
        try {
            return Files.readAllBytes(folder.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CaseResult runCase(Path folder) throws IOException {
        String name = folder.getFileName().toString();
        CaseFile spec = Bistand.JSON.readValue(Files.readAllBytes(folder.resolve("case.json")), CaseFile.class);
        byte[] actual;
        try {
            actual = answer(folder, spec);
        } catch (BistandException e) {
            String kind = e.status() == null ? "status " + e.code() : e.status().name().toLowerCase(java.util.Locale.ROOT);
            if (spec.expectedError() != null) {
                return kind.equals(spec.expectedError())
                        ? new CaseResult(name, true, "")
                        : new CaseResult(name, false, "refused with " + kind + ", not " + spec.expectedError());
            }
            return new CaseResult(name, false, "the call failed: " + e.getMessage());
        }
        if (spec.expectedError() != null) {
            return new CaseResult(name, false, "answered, where it must refuse with " + spec.expectedError());
        }
        byte[] expected = read(folder, spec.expected());
        int at = java.util.Arrays.mismatch(expected, actual);
        if (at < 0) {
            return new CaseResult(name, true, "");
        }
        return new CaseResult(name, false, "differs from byte " + at + " (" + expected.length + " bytes expected, "
                + actual.length + " given)");
    }

    private static byte[] answer(Path folder, CaseFile spec) {
        switch (spec.operation()) {
            case "validate":
                try (Engine engine = new Engine(read(folder, spec.profile()))) {
                    return engine.validateJson(read(folder, spec.document()), spec.instrument());
                }
            case "summary":
                try (Engine engine = new Engine()) {
                    return engine.summaryJson(read(folder, spec.document()), spec.today(), spec.instrument());
                }
            case "pseudonymise":
                return Bistand.pseudonymise(spec.keyId(), HexFormat.of().parseHex(spec.keyHex()), spec.personnummer(),
                        spec.referenceDate()).getBytes(StandardCharsets.UTF_8);
            case "report":
                try (Engine engine = new Engine()) {
                    return engine.reportBytes(spec.instrument(), read(folder, spec.ndjson()), read(folder, spec.keys()),
                            read(folder, spec.options()));
                }
            default:
                throw new IllegalArgumentException("unknown operation " + spec.operation());
        }
    }
}
