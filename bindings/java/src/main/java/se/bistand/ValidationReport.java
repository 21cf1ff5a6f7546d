package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The validation report of one document. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ValidationReport(
        @JsonProperty("instrument") String instrument,
        @JsonProperty("version") String version,
        @JsonProperty("status") String status,
        @JsonProperty("valid") boolean valid,
        @JsonProperty("errors") int errors,
        @JsonProperty("warnings") int warnings,
        @JsonProperty("findings") List<Finding> findings) {}
