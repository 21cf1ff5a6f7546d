package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** bistand_report's JSON: the report and what was skipped. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GroupReportResult(
        @JsonProperty("report") GroupReport report,
        @JsonProperty("unreadable_lines") long unreadableLines,
        @JsonProperty("documents_with_errors") long documentsWithErrors) {}
