package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * bistand_store_report's JSON: the report and the stored records that could not be read (altered,
 * or not documents of the instrument) and so were left out.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StoreReportResult(
        @JsonProperty("report") GroupReport report,
        @JsonProperty("records_not_counted") long recordsNotCounted) {}
