package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A code of a code list, or a category of a report table. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Code(
        @JsonProperty("code") String code,
        @JsonProperty("label") LocalText label) {}
