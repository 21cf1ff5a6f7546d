package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** bistand_store_put's answer: stored (with its record id) or not, and the validation report either way. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PutResult(
        @JsonProperty("stored") boolean stored,
        @JsonProperty("record_id") String recordId,
        @JsonProperty("report") ValidationReport report) {}
