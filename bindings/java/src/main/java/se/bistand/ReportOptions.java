package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Options of a group report (bistand_report); null members are left out. asOf ("YYYY-MM-DD") is required; threshold at least 5; exact only for bistand_report (the data owner, never for publication); units and principal (who asks, required there) only for bistand_store_report; format "json" or "csv"; language "sv" or "en". */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReportOptions(
        @JsonProperty("as_of") String asOf,
        @JsonProperty("threshold") Integer threshold,
        @JsonProperty("breakdowns") List<String> breakdowns,
        @JsonProperty("exact") Boolean exact,
        @JsonProperty("units") List<String> units,
        @JsonProperty("principal") String principal,
        @JsonProperty("format") String format,
        @JsonProperty("language") String language) {
    /** Options of a store report: who asks (for the store's audit log) and the date. */
    public static ReportOptions ofStore(String principal, String asOf) {
        return new ReportOptions(asOf, null, null, null, null, principal, null, null);
    }

    /** Options with only the date: every breakdown, threshold 5, perturbed, JSON. */
    public static ReportOptions of(String asOf) {
        return new ReportOptions(asOf, null, null, null, null, null, null, null);
    }
}
